import { LanceFileReader, LanceFileWriter, MemorySink, MemorySource, RecordBatch, Schema, Field, Int32, allEffects, perform, resolvedEffect, runTaskAsync as runAsync, runTaskSync as runSync, vectorFromTypedArray, type AsyncByteSource, type Effect, type Task } from '@vego/format';

/** An effect that logs which form ran; fails (by throwing, or by rejecting) when `fail` is set. */
function step(log: string[], name: string, fail = false): Effect<string> {
  return {
    sync: () => {
      log.push(`sync ${name}`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    },
    async: () => {
      log.push(`async ${name}`);
      // One form of failure rejects, the other throws before returning a promise: both must reach the task.
      if (fail && name === 'throws') throw new Error(`${name} failed`);
      return fail ? Promise.reject(new Error(`${name} failed`)) : Promise.resolve(name);
    },
  };
}

function* task(log: string[], failing: string | null): Task<string> {
  const got: string[] = [];
  try {
    got.push(yield* perform(step(log, 'a')));
    got.push(yield* perform(step(log, failing ?? 'b', failing !== null)));
  } catch (e) {
    got.push(`caught ${(e as Error).message}`);
    got.push(yield* perform(step(log, 'cleanup')));
    throw new Error(got.join(', '));
  } finally {
    yield* perform(step(log, 'finally'));
  }
  return got.join(', ');
}

describe('effects (one task, a blocking and an async driver)', () => {
  it('runs the same steps, returns the same value', async () => {
    const s: string[] = [];
    const a: string[] = [];
    expect(runSync(task(s, null))).toBe('a, b');
    expect(await runAsync(task(a, null))).toBe('a, b');
    expect(s).toEqual(['sync a', 'sync b', 'sync finally']);
    expect(a).toEqual(['async a', 'async b', 'async finally']);
  });

  it('throws a failed effect into the task, where catch and finally run under both drivers', async () => {
    for (const failing of ['rejects', 'throws']) {
      const s: string[] = [];
      const a: string[] = [];
      const want = `a, caught ${failing} failed, cleanup`;
      expect(() => runSync(task(s, failing))).toThrow(want);
      await expect(runAsync(task(a, failing))).rejects.toThrow(want);
      expect(s.map((x) => x.slice(5))).toEqual(['a', failing, 'cleanup', 'finally']);
      expect(a.map((x) => x.slice(6))).toEqual(['a', failing, 'cleanup', 'finally']);
    }
  });

  it('rejects (does not throw) when the task fails before its first effect', async () => {
    function* early(): Task<number> {
      throw new Error('bad argument');
    }
    const p = runAsync(early());
    await expect(p).rejects.toThrow('bad argument');
    expect(() => runSync(early())).toThrow('bad argument');
  });

  it('allEffects: blocking, one after another in order; async, all in flight before any settles', async () => {
    const log: string[] = [];
    const pending: Array<() => void> = [];
    const gate = (name: string): Effect<string> => ({
      sync: () => {
        log.push(`sync ${name}`);
        return name;
      },
      async: () =>
        new Promise<string>((resolve) => {
          log.push(`start ${name}`);
          pending.push(() => resolve(name));
        }),
    });
    expect(runSync(perform(allEffects([gate('x'), gate('y'), resolvedEffect('z')])))).toEqual(['x', 'y', 'z']);
    expect(log).toEqual(['sync x', 'sync y']);
    log.length = 0;
    const p = runAsync(perform(allEffects([gate('x'), gate('y')])));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start x', 'start y']); // both started, neither settled yet
    pending.reverse().forEach((f) => f());
    expect(await p).toEqual(['x', 'y']);
    // A member that throws instead of rejecting fails the whole, as a rejection.
    const bad: Effect<string> = { sync: () => 'never', async: () => { throw new Error('thrown'); } };
    await expect(runAsync(perform(allEffects([gate('w'), bad])))).rejects.toThrow('thrown');
  });

  it("drives the file reader's reads: the same rows blocking and async, one async round per step", async () => {
    const schema = new Schema([new Field('a', new Int32(), false), new Field('b', new Int32(), false)]);
    const sink = new MemorySink();
    const writer = new LanceFileWriter(sink, schema);
    const a = Int32Array.from({ length: 1000 }, (_, i) => i * 3);
    const b = Int32Array.from({ length: 1000 }, (_, i) => -i);
    writer.write(new RecordBatch(schema, [vectorFromTypedArray(a), vectorFromTypedArray(b)]));
    writer.finish();
    const bytes = sink.toBytes();
    const sync = LanceFileReader.openSync(new MemorySource(bytes)).readSync({ offset: 10, limit: 20 });
    // An async-only source that counts concurrent reads: every step's ranges are in flight together.
    const mem = new MemorySource(bytes);
    let inFlight = 0;
    let most = 0;
    const source: AsyncByteSource = {
      byteLength: bytes.length,
      read: async (o, l) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return mem.readSync(o, l);
      },
    };
    const reader = await LanceFileReader.open(source);
    const got = await reader.read({ offset: 10, limit: 20 });
    for (const name of ['a', 'b']) {
      expect(Array.from({ length: 20 }, (_, i) => got.column(name).get(i))).toEqual(Array.from({ length: 20 }, (_, i) => sync.column(name).get(i)));
    }
    expect(got.column('a').get(0)).toBe(30);
    expect(most).toBeGreaterThan(1); // the two columns' pages were read concurrently
  });
});

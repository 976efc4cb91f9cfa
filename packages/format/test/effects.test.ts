import { perform, runTaskAsync as runAsync, runTaskSync as runSync, type Effect, type Task } from '@vego/format';

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
});

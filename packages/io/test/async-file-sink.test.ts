import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import {
  AsyncFileSink,
  FileSink,
  InvalidArgumentError,
  IoError,
  LanceFileReader,
  LanceFileWriter,
  NotFoundError,
  RecordBatch,
  FileSource,
  utf8FromStrings,
  vectorFromTypedArray,
} from '@vego/io';
import { makeTempDir, randomBytes, removeDir, sameBytes, seededRandom } from './fixtures/helpers';

/** Open descriptors of this process (Linux), to see that a sink does not leak its file handle. */
const openFds = (): number => fs.readdirSync('/proc/self/fd').length;

/** The prototype every `FileHandle` shares, to make its `write`/`sync` fail on demand. */
async function fileHandlePrototype(dir: string): Promise<{ write: (...a: unknown[]) => unknown; sync: () => Promise<void> }> {
  const h = await fsp.open(path.join(dir, '.probe'), 'w');
  await h.close();
  return Object.getPrototypeOf(h) as { write: (...a: unknown[]) => unknown; sync: () => Promise<void> };
}

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

function lanceBatch(n: number, seed: number): RecordBatch {
  const rnd = seededRandom(seed);
  const x = new Float64Array(n);
  const k = new Int32Array(n);
  const s: string[] = [];
  for (let i = 0; i < n; i++) {
    x[i] = rnd() * 1000 - 500;
    k[i] = (rnd() * 100) | 0;
    s.push(`v${k[i]}-${i % 13}`);
  }
  return RecordBatch.from({ x: vectorFromTypedArray(x), k: vectorFromTypedArray(k), s: utf8FromStrings(s) });
}

describe('AsyncFileSink', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('asink');
  });
  afterAll(() => removeDir(dir));

  it('writes many small and large writes in order, at the right positions', async () => {
    const data = randomBytes(3_000_000, 1);
    for (const bufferBytes of [4096, 1 << 20, 0]) {
      const file = path.join(dir, `order-${bufferBytes}.bin`);
      const sink = await AsyncFileSink.create(file, { bufferBytes });
      const rnd = seededRandom(bufferBytes + 3);
      for (let at = 0; at < data.length; ) {
        // Mostly small writes, some larger than the gather buffer, some empty, some exactly one buffer.
        const r = rnd();
        const want = r < 0.05 ? 0 : r < 0.1 ? 4096 : r < 0.9 ? (rnd() * 3000) | 0 : (rnd() * 300_000) | 0;
        const n = Math.min(data.length - at, want);
        sink.write(data.subarray(at, at + n));
        at += n;
        expect(sink.byteLength).toBe(at);
        if (rnd() < 0.01) await sink.drained(64 * 1024);
      }
      await sink.close({ sync: true });
      expect(sameBytes(new Uint8Array(fs.readFileSync(file)), data)).toBe(true);
    }
  });

  it('writeOwned queues large buffers as they are, in order with copied writes', async () => {
    const data = randomBytes(2_000_000, 7);
    for (const bufferBytes of [4096, 1 << 16, 0]) {
      const file = path.join(dir, `owned-${bufferBytes}.bin`);
      const sink = await AsyncFileSink.create(file, { bufferBytes });
      const rnd = seededRandom(bufferBytes + 11);
      for (let at = 0; at < data.length; ) {
        const r = rnd();
        const n = Math.min(data.length - at, r < 0.05 ? 0 : r < 0.5 ? (rnd() * 3000) | 0 : (rnd() * 200_000) | 0);
        // Owned writes get a copy of their own (the sink keeps them); the others a view it must copy.
        if (rnd() < 0.5) sink.writeOwned(data.slice(at, at + n));
        else sink.write(data.subarray(at, at + n));
        at += n;
        expect(sink.byteLength).toBe(at);
        if (rnd() < 0.02) await sink.drained(32 * 1024);
      }
      await sink.close({ sync: true });
      expect(sameBytes(new Uint8Array(fs.readFileSync(file)), data)).toBe(true);
    }
  });

  it('never writes into a buffer given to writeOwned, even one exactly the size of its gather buffers', async () => {
    // A dataset commit hands views of the caller's data to writeOwned (LanceFileWriter's
    // inputStable): the sink may queue them, never reuse them as gather buffers.
    const bufferBytes = 1 << 16;
    const owned = randomBytes(3 * bufferBytes, 21);
    const expected = owned.slice();
    const small = randomBytes(8 * bufferBytes, 22);
    const file = path.join(dir, 'owned-kept.bin');
    const sink = await AsyncFileSink.create(file, { bufferBytes });
    const parts: Uint8Array[] = [];
    for (let k = 0; k < 3; k++) {
      const view = owned.subarray(k * bufferBytes, (k + 1) * bufferBytes);
      sink.writeOwned(view);
      parts.push(view);
      await sink.drained(0);
      // Small writes after the owned one was written: gathered into buffers of exactly its size.
      for (let at = 0; at < 2 * bufferBytes; at += 1000) {
        const piece = small.subarray(k * 2 * bufferBytes + at, k * 2 * bufferBytes + Math.min(at + 1000, 2 * bufferBytes));
        sink.write(piece);
        parts.push(piece);
      }
      await sink.drained(0);
    }
    await sink.close({ sync: false });
    expect(sameBytes(owned, expected)).toBe(true);
    const all = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    // (`parts` holds views of `owned`, compared after the check above.)
    expect(sameBytes(new Uint8Array(fs.readFileSync(file)), all)).toBe(true);
  });

  it('writes Lance 2.2 files (whose page buffers it takes over) byte-identical to FileSink', async () => {
    const batch = lanceBatch(50_000, 9);
    const write = (sink: FileSink | AsyncFileSink): void => {
      const writer = new LanceFileWriter(sink, batch.schema, { version: '2.2', pageByteLength: 128 * 1024 });
      writer.write(batch);
      writer.finish();
    };
    const syncFile = path.join(dir, 'sync-22.lance');
    const fileSink = FileSink.create(syncFile);
    write(fileSink);
    fileSink.close({ sync: true });
    const asyncFile = path.join(dir, 'async-22.lance');
    const asyncSink = await AsyncFileSink.create(asyncFile, { bufferBytes: 8192 });
    write(asyncSink);
    await asyncSink.close({ sync: true });
    expect(sameBytes(new Uint8Array(fs.readFileSync(asyncFile)), new Uint8Array(fs.readFileSync(syncFile)))).toBe(true);
    const source = FileSource.openSync(asyncFile);
    const back = LanceFileReader.openSync(source).readSync();
    source.close();
    expect(back.numRows).toBe(50_000);
    expect(Array.from(back.columns[0]!.toArray()).slice(0, 100)).toEqual(Array.from(batch.columns[0]!.toArray()).slice(0, 100));
  });

  it('copies each write, so the caller may reuse its buffer at once', async () => {
    const file = path.join(dir, 'reuse.bin');
    const sink = await AsyncFileSink.create(file, { bufferBytes: 8 });
    const scratch = new Uint8Array(5);
    const want: number[] = [];
    for (let i = 0; i < 40; i++) {
      scratch.fill(i);
      sink.write(scratch); // the sink must not keep a view of `scratch`
      for (let j = 0; j < 5; j++) want.push(i);
    }
    scratch.fill(255);
    await sink.close();
    expect(Array.from(fs.readFileSync(file))).toEqual(want);
  });

  it('writes a Lance file byte-identical to what FileSink writes', async () => {
    const batches = [lanceBatch(70_000, 4), lanceBatch(1, 5), lanceBatch(33_333, 6)];
    const write = (sink: FileSink | AsyncFileSink): void => {
      const writer = new LanceFileWriter(sink, batches[0]!.schema, { pageByteLength: 64 * 1024 });
      for (const b of batches) writer.write(b);
      writer.finish();
    };
    const syncFile = path.join(dir, 'sync.lance');
    const fileSink = FileSink.create(syncFile);
    write(fileSink);
    fileSink.close({ sync: true });
    const asyncFile = path.join(dir, 'async.lance');
    const asyncSink = await AsyncFileSink.create(asyncFile, { exclusive: true });
    write(asyncSink);
    expect(asyncSink.byteLength).toBe(fs.statSync(syncFile).size);
    await asyncSink.close({ sync: true });
    expect(sameBytes(new Uint8Array(fs.readFileSync(asyncFile)), new Uint8Array(fs.readFileSync(syncFile)))).toBe(true);
    const source = FileSource.openSync(asyncFile);
    expect(LanceFileReader.openSync(source).numRows).toBe(103_334);
    source.close();
  });

  it('applies back-pressure: drained(n) resolves once at most n bytes are queued', async () => {
    const sink = await AsyncFileSink.create(path.join(dir, 'pressure.bin'), { bufferBytes: 64 * 1024 });
    const chunk = randomBytes(1 << 20, 7);
    for (let i = 0; i < 16; i++) sink.write(chunk);
    expect(sink.queuedBytes).toBeGreaterThan(8 << 20); // nothing has had a chance to be written yet
    await sink.drained(2 << 20);
    expect(sink.queuedBytes).toBeLessThanOrEqual(2 << 20);
    await sink.drained();
    expect(sink.queuedBytes).toBe(0);
    await expect(sink.drained(-1)).rejects.toThrow(InvalidArgumentError);
    await sink.close();
    expect(fs.statSync(path.join(dir, 'pressure.bin')).size).toBe(16 << 20);
  });

  it('flush writes the gathered bytes; sync and close leave them on disk', async () => {
    const file = path.join(dir, 'flush.bin');
    const sink = await AsyncFileSink.create(file);
    sink.write(new Uint8Array([1, 2, 3]));
    expect(fs.statSync(file).size).toBe(0); // still gathered
    await sink.flush();
    expect(Array.from(fs.readFileSync(file))).toEqual([1, 2, 3]);
    sink.write(new Uint8Array([4]));
    await sink.sync();
    expect(Array.from(fs.readFileSync(file))).toEqual([1, 2, 3, 4]);
    await sink.close();
    await sink.close(); // idempotent
    expect(() => sink.write(new Uint8Array(1))).toThrow(IoError);
    await expect(sink.flush()).rejects.toThrow(IoError);
  });

  it('creates exclusively with the same typed errors as FileSink, and validates options', async () => {
    const file = path.join(dir, 'exists.bin');
    fs.writeFileSync(file, 'keep');
    const err = await AsyncFileSink.create(file, { exclusive: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IoError);
    expect((err as IoError).path).toBe(file);
    expect(((err as IoError).cause as { code?: string }).code).toBe('EEXIST');
    let syncErr: unknown;
    try {
      FileSink.create(file, { exclusive: true });
    } catch (e) {
      syncErr = e;
    }
    expect((syncErr as Error).constructor).toBe((err as Error).constructor);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep');
    await expect(AsyncFileSink.create(path.join(dir, 'no', 'such', 'dir.bin'))).rejects.toThrow(NotFoundError);
    await expect(AsyncFileSink.create(path.join(dir, 'x.bin'), { bufferBytes: -1 })).rejects.toThrow(InvalidArgumentError);
    // Without `exclusive` an existing file is truncated.
    const sink = await AsyncFileSink.create(file);
    sink.write(new Uint8Array([9]));
    await sink.close();
    expect(Array.from(fs.readFileSync(file))).toEqual([9]);
  });

  it('surfaces a failed background write as IoError with the path at the next call, and closes the handle', async () => {
    const proto = await fileHandlePrototype(dir);
    const fdsBefore = openFds();
    const file = path.join(dir, 'fail.bin');
    const sink = await AsyncFileSink.create(file, { bufferBytes: 1024 });
    let calls = 0;
    const realWrite = proto.write;
    const failing = jest.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
      calls++;
      if (calls === 3) return Promise.reject(enospc());
      return realWrite.apply(this, args);
    });
    try {
      for (let i = 0; i < 10; i++) sink.write(new Uint8Array(1024).fill(i));
      const err = await sink.flush().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IoError);
      expect((err as IoError).path).toBe(file);
      expect((err as Error).message).toContain('ENOSPC');
      // Every later call reports the same failure; the queued bytes were dropped.
      expect(() => sink.write(new Uint8Array(1))).toThrow(err as Error);
      await expect(sink.drained()).rejects.toBe(err);
      await expect(sink.sync()).rejects.toBe(err);
      expect(sink.queuedBytes).toBe(0);
      await expect(sink.close({ sync: true })).rejects.toBe(err);
      expect(openFds()).toBe(fdsBefore); // the handle was closed although close rejected
      await sink.close(); // a second close does not throw
    } finally {
      failing.mockRestore();
    }
    // The first two buffers reached the file; nothing after the failure did.
    expect(fs.statSync(file).size).toBe(2048);
  });

  it('surfaces a failed fsync from sync() and close({ sync: true })', async () => {
    const proto = await fileHandlePrototype(dir);
    const failing = jest.spyOn(proto, 'sync').mockImplementation(() => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
    const fdsBefore = openFds();
    try {
      const file = path.join(dir, 'fsync.bin');
      const sink = await AsyncFileSink.create(file);
      sink.write(new Uint8Array([1]));
      const err = await sink.sync().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IoError);
      expect((err as IoError).path).toBe(file);
      expect((err as Error).message).toContain('fsync');
      await expect(sink.close({ sync: true })).rejects.toThrow(IoError);
      expect(openFds()).toBe(fdsBefore);
    } finally {
      failing.mockRestore();
    }
  });

  it('abort drops the queue, closes the handle and removes the file; it never throws', async () => {
    const fdsBefore = openFds();
    const file = path.join(dir, 'abort.bin');
    const sink = await AsyncFileSink.create(file, { exclusive: true, bufferBytes: 4096 });
    const bytes = randomBytes(1000, 9);
    for (let i = 0; i < 1000; i++) sink.write(bytes);
    await sink.abort();
    expect(fs.existsSync(file)).toBe(false);
    expect(openFds()).toBe(fdsBefore);
    expect(() => sink.write(new Uint8Array(1))).toThrow(IoError);
    await sink.abort(); // again: nothing left to do, still no error
    await sink.close(); // closing an aborted sink is a no-op
    expect(fs.existsSync(file)).toBe(false);
  });

  it('abort during close still removes the file', async () => {
    const file = path.join(dir, 'abort-close.bin');
    const sink = await AsyncFileSink.create(file, { bufferBytes: 4096 });
    for (let i = 0; i < 100; i++) sink.write(randomBytes(4096, i));
    const closing = sink.close({ sync: true }).catch((e: unknown) => e);
    await sink.abort();
    const outcome = await closing;
    expect(outcome === undefined || outcome instanceof IoError).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { BlockCache, CorruptDataError, FileSink, FileSource, InvalidArgumentError, IoError, NotFoundError } from '@vego/io';
import { makeTempDir, randomBytes, removeDir, sameBytes, seededRandom } from './fixtures/helpers';

describe('FileSource and FileSink', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('src');
  });
  afterAll(() => removeDir(dir));

  it('reads back exactly what the sink wrote, at any offset, with and without a cache', () => {
    const data = randomBytes(300_000, 1);
    const file = path.join(dir, 'a.bin');
    const sink = FileSink.create(file, { bufferBytes: 4096 });
    const rnd = seededRandom(2);
    for (let at = 0; at < data.length; ) {
      const n = Math.min(data.length - at, (rnd() * 10_000) | 0);
      sink.write(data.subarray(at, at + n));
      at += n;
    }
    expect(sink.byteLength).toBe(data.length);
    sink.close({ sync: true });
    expect(fs.statSync(file).size).toBe(data.length);

    const cache = new BlockCache({ capacityBytes: 1 << 20, blockBytes: 4096 });
    const plain = FileSource.openSync(file);
    const cached = FileSource.openSync(file, { cache });
    expect(plain.byteLength).toBe(data.length);
    for (let i = 0; i < 200; i++) {
      const off = (rnd() * data.length) | 0;
      const len = Math.min(data.length - off, (rnd() * 20_000) | 0);
      const want = data.subarray(off, off + len);
      expect(sameBytes(plain.readSync(off, len), want)).toBe(true);
      expect(sameBytes(cached.readSync(off, len), want)).toBe(true);
    }
    expect(cached.readSync(data.length, 0).byteLength).toBe(0);
    expect(cached.readSync(data.length - 1, 1)[0]).toBe(data[data.length - 1]);
    const s = cache.stats();
    expect(s.hits).toBeGreaterThan(0);
    expect(s.misses).toBeGreaterThan(0);
    cached.close();
    expect(cache.stats().entries).toBe(0);
    const out = new Uint8Array(10);
    expect(plain.readIntoSync(5, out)).toBe(10);
    expect(sameBytes(out, data.subarray(5, 15))).toBe(true);
    plain.close();
    plain.close();
    expect(plain.isOpen).toBe(false);
    expect(() => plain.readSync(0, 1)).toThrow(IoError);
  });

  it('throws CorruptDataError naming the path for a read past the end', () => {
    const file = path.join(dir, 'short.bin');
    fs.writeFileSync(file, new Uint8Array(10));
    const src = FileSource.openSync(file);
    expect(() => src.readSync(5, 6)).toThrow(CorruptDataError);
    expect(() => src.readSync(5, 6)).toThrow(file);
    expect(() => src.readSync(-1, 1)).toThrow(InvalidArgumentError);
    expect(() => src.readSync(0.5, 1)).toThrow(InvalidArgumentError);
    src.close();
  });

  it('reports a file truncated after opening as CorruptDataError', () => {
    const file = path.join(dir, 'shrinks.bin');
    fs.writeFileSync(file, new Uint8Array(100));
    const src = FileSource.openSync(file);
    fs.truncateSync(file, 50);
    expect(() => src.readSync(40, 20)).toThrow(/unexpected end/);
    src.close();
  });

  it('throws NotFoundError for a missing file and IoError for a directory', () => {
    const missing = path.join(dir, 'nope.bin');
    expect(() => FileSource.openSync(missing)).toThrow(NotFoundError);
    expect(() => FileSource.openSync(missing)).toThrow(missing);
    expect(() => FileSource.openSync(dir)).toThrow(IoError);
    expect(() => FileSink.create(path.join(dir, 'no', 'such', 'dir.bin'))).toThrow(NotFoundError);
  });

  it('throws IoError with the path for a file it may not read', () => {
    const file = path.join(dir, 'secret.bin');
    fs.writeFileSync(file, new Uint8Array(4));
    fs.chmodSync(file, 0o000);
    let readable = true;
    try {
      fs.openSync(file, 'r');
    } catch {
      readable = false;
    }
    // Running as root ignores permission bits; then the check below is about opening succeeding.
    if (readable) expect(FileSource.openSync(file).byteLength).toBe(4);
    else {
      expect(() => FileSource.openSync(file)).toThrow(IoError);
      try {
        FileSource.openSync(file);
      } catch (e) {
        expect((e as IoError).path).toBe(file);
        expect((e as Error).message).toMatch(/permission denied/);
      }
    }
    fs.chmodSync(file, 0o644);
  });

  it('refuses to overwrite with exclusive, and abort() removes the file', () => {
    const file = path.join(dir, 'excl.bin');
    const a = FileSink.create(file, { exclusive: true });
    expect(() => FileSink.create(file, { exclusive: true })).toThrow(IoError);
    a.write(new Uint8Array(5_000_000)); // larger than the buffer: written directly
    a.write(new Uint8Array([7]));
    a.flush();
    expect(fs.statSync(file).size).toBe(5_000_001);
    a.abort();
    expect(fs.existsSync(file)).toBe(false);
    expect(() => a.write(new Uint8Array(1))).toThrow(IoError);
    expect(() => FileSink.create(file, { bufferBytes: -1 })).toThrow(InvalidArgumentError);
  });
});

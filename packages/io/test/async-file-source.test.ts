import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncFileSource, BlockCache, CorruptDataError, InvalidArgumentError, IoError, NotFoundError } from '@vego/io';
import { makeTempDir, randomBytes, removeDir, sameBytes, seededRandom } from './fixtures/helpers';

describe('AsyncFileSource', () => {
  let dir: string;
  let file: string;
  let data: Uint8Array;
  beforeAll(() => {
    dir = makeTempDir('async');
    file = path.join(dir, 'data.bin');
    data = randomBytes(1_000_000, 3);
    fs.writeFileSync(file, data);
  });
  afterAll(() => removeDir(dir));

  it('returns the right bytes for many concurrent random reads', async () => {
    const src = await AsyncFileSource.open(file, { chunkBytes: 64 * 1024, maxInFlight: 3 });
    const rnd = seededRandom(4);
    const ranges: [number, number][] = [];
    for (let i = 0; i < 300; i++) {
      const off = (rnd() * data.length) | 0;
      ranges.push([off, Math.min(data.length - off, (rnd() * 50_000) | 0)]);
    }
    const results = await Promise.all(ranges.map(([o, n]) => src.read(o, n)));
    results.forEach((r, i) => expect(sameBytes(r, data.subarray(ranges[i]![0], ranges[i]![0] + ranges[i]![1]))).toBe(true));
    const s = src.stats();
    expect(s.requests).toBe(300);
    expect(s.peakInFlight).toBeLessThanOrEqual(3);
    await src.close();
  });

  it('coalesces adjacent reads into one file read and returns views of one buffer (no copy)', async () => {
    const src = await AsyncFileSource.open(file, { coalesceGapBytes: 0 });
    const reads = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => src.read(i * 1000, 1000));
    const parts = await Promise.all(reads);
    expect(src.stats().fileReads).toBe(1);
    for (let i = 0; i < 8; i++) {
      expect(sameBytes(parts[i]!, data.subarray(i * 1000, (i + 1) * 1000))).toBe(true);
      expect(parts[i]!.buffer).toBe(parts[0]!.buffer);
    }
    // A gap larger than coalesceGapBytes keeps reads apart.
    await Promise.all([src.read(0, 10), src.read(500_000, 10)]);
    expect(src.stats().fileReads).toBe(3);
    await src.close();
  });

  it('reads a wide gap through only when the reads around it want as many bytes (small gaps always)', async () => {
    const src = await AsyncFileSource.open(file, { coalesceGapBytes: 256 * 1024 });
    // Two 100-byte reads 160 KB apart (two chunk tables on either side of a column): two reads, not 160 KB.
    const [a, b] = await Promise.all([src.read(0, 100), src.read(160_000, 100)]);
    expect(src.stats().fileReads).toBe(1 + 1);
    expect(src.stats().bytesRead).toBe(200);
    expect(sameBytes(b!, data.subarray(160_000, 160_100))).toBe(true);
    expect(a!.buffer).not.toBe(b!.buffer);
    // The same gap between reads that want more than it: one read through.
    await Promise.all([src.read(300_000, 100_000), src.read(560_000, 100_000)]);
    expect(src.stats().fileReads).toBe(3);
    // A gap of at most 16 KiB is read through whatever the sizes.
    await Promise.all([src.read(800_000, 10), src.read(816_000, 10)]);
    expect(src.stats().fileReads).toBe(4);
    await src.close();
  });

  it('merges duplicate concurrent reads of the same range into one read', async () => {
    const src = await AsyncFileSource.open(file);
    const same = await Promise.all(Array.from({ length: 16 }, () => src.read(100_000, 200_000)));
    expect(src.stats().fileReads).toBe(1);
    expect(src.stats().bytesRead).toBe(200_000);
    for (const s of same) expect(sameBytes(s, data.subarray(100_000, 300_000))).toBe(true);
    await src.close();
  });

  it('shares overlapping reads of any size, but keeps large neighbours in buffers of their own', async () => {
    const src = await AsyncFileSource.open(file, { maxMergedBytes: 100_000, chunkBytes: 1 << 20 });
    // Duplicates and overlaps larger than maxMergedBytes: one read of their union.
    const [a, b, c] = await Promise.all([src.read(0, 300_000), src.read(0, 300_000), src.read(250_000, 150_000)]);
    expect(src.stats().fileReads).toBe(1);
    expect(src.stats().bytesRead).toBe(400_000);
    expect(b!.buffer).toBe(a!.buffer);
    expect(c!.buffer).toBe(a!.buffer);
    expect(sameBytes(c!, data.subarray(250_000, 400_000))).toBe(true);
    // Adjacent 200 KB neighbours would make a group past maxMergedBytes: each gets its own buffer.
    const [d, e] = await Promise.all([src.read(500_000, 200_000), src.read(700_000, 200_000)]);
    expect(src.stats().fileReads).toBe(3);
    expect(e!.buffer).not.toBe(d!.buffer);
    expect(sameBytes(e!, data.subarray(700_000, 900_000))).toBe(true);
    // Small neighbours still merge.
    await Promise.all([src.read(0, 40_000), src.read(40_000, 40_000)]);
    expect(src.stats().fileReads).toBe(4);
    await src.close();
  });

  it('splits a large read into parallel chunks filling one buffer', async () => {
    const src = await AsyncFileSource.open(file, { chunkBytes: 100_000, maxInFlight: 4 });
    const all = await src.read(0, data.length);
    expect(sameBytes(all, data)).toBe(true);
    expect(src.stats().fileReads).toBe(10);
    expect(src.stats().peakInFlight).toBe(4);
    await src.close();
  });

  it('reads through a shared block cache, sharing blocks being loaded', async () => {
    const cache = new BlockCache({ capacityBytes: 256 * 1024, blockBytes: 4096 });
    const src = await AsyncFileSource.open(file, { cache });
    const first = await Promise.all([src.read(10, 9000), src.read(20, 9000)]);
    expect(sameBytes(first[0]!, data.subarray(10, 9010))).toBe(true);
    expect(sameBytes(first[1]!, data.subarray(20, 9020))).toBe(true);
    expect(src.stats().sharedBlocks).toBe(3);
    expect(src.stats().fileReads).toBe(1);
    const small = await src.read(4100, 100); // inside block 1: a view of the cached block
    expect(sameBytes(small, data.subarray(4100, 4200))).toBe(true);
    expect(src.stats().cachedBlocks).toBe(1);
    expect(cache.stats().hits).toBe(1);
    // Reading more than the capacity in cached reads evicts, and contents stay right.
    for (let at = 0; at < 600_000; at += 30_000) {
      expect(sameBytes(await src.read(at, 30_000), data.subarray(at, at + 30_000))).toBe(true);
    }
    expect(cache.stats().byteLength).toBeLessThanOrEqual(256 * 1024);
    expect(cache.stats().evictions).toBeGreaterThan(0);
    // A read longer than an eighth of the capacity bypasses the cache: no lookup, nothing stored.
    const lookups = cache.stats().hits + cache.stats().misses;
    const big = await src.read(0, 600_000);
    expect(sameBytes(big, data.subarray(0, 600_000))).toBe(true);
    expect(cache.stats().hits + cache.stats().misses).toBe(lookups);
    const tail = await src.read(data.length - 5, 5); // last, partial block
    expect(sameBytes(tail, data.subarray(data.length - 5))).toBe(true);
    await src.close();
  });

  it('returns a view (no copy) of cached blocks read together, and makes separately read blocks one buffer', async () => {
    const cache = new BlockCache({ capacityBytes: 1 << 20, blockBytes: 4096 });
    const src = await AsyncFileSource.open(file, { cache });
    // Two ranges sharing block 2, read concurrently: one file read, blocks adjacent in one buffer.
    const [a, b] = await Promise.all([src.read(100, 10_000), src.read(10_100, 10_000)]);
    expect(src.stats().fileReads).toBe(1);
    expect(a!.buffer).toBe(b!.buffer);
    const again = await src.read(100, 10_000);
    expect(again.buffer).toBe(a!.buffer);
    expect(sameBytes(again, data.subarray(100, 10_100))).toBe(true);
    // Ranges read one after another share block 12 (49_152..53_247) from different reads: each range
    // is copied at most once, after which both are views of their own buffer on every read (the
    // shared edge block no longer moves between them).
    const c = await src.read(40_000, 10_000);
    const d = await src.read(50_000, 10_000);
    expect(sameBytes(c, data.subarray(40_000, 50_000))).toBe(true);
    expect(sameBytes(d, data.subarray(50_000, 60_000))).toBe(true);
    const c2 = await src.read(40_000, 10_000);
    const d2 = await src.read(50_000, 10_000);
    for (let k = 0; k < 3; k++) {
      expect((await src.read(40_000, 10_000)).buffer).toBe(c2.buffer);
      expect((await src.read(50_000, 10_000)).buffer).toBe(d2.buffer);
    }
    expect(sameBytes(c2, data.subarray(40_000, 50_000))).toBe(true);
    expect(sameBytes(d2, data.subarray(50_000, 60_000))).toBe(true);
    expect(src.stats().fileReads).toBe(3);
    await src.close();
  });

  it('rejects bad ranges and options with typed errors that name the path', async () => {
    const src = await AsyncFileSource.open(file);
    await expect(src.read(data.length - 1, 2)).rejects.toThrow(CorruptDataError);
    await expect(src.read(data.length - 1, 2)).rejects.toThrow(file);
    await expect(src.read(-5, 2)).rejects.toThrow(InvalidArgumentError);
    expect((await src.read(0, 0)).byteLength).toBe(0);
    await src.close();
    await expect(src.read(0, 1)).rejects.toThrow(IoError);
    await expect(AsyncFileSource.open(path.join(dir, 'missing'))).rejects.toThrow(NotFoundError);
    await expect(AsyncFileSource.open(dir)).rejects.toThrow(IoError);
    await expect(AsyncFileSource.open(file, { maxInFlight: 0 })).rejects.toThrow(InvalidArgumentError);
  });

  it('rejects every reader of a coalesced read when the file shrank', async () => {
    const f = path.join(dir, 'shrink.bin');
    fs.writeFileSync(f, new Uint8Array(10_000));
    const src = await AsyncFileSource.open(f);
    fs.truncateSync(f, 100);
    const results = await Promise.allSettled([src.read(0, 5000), src.read(5000, 5000)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(CorruptDataError);
    }
    await src.close();
  });
});

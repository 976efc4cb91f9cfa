/**
 * Scatter reads of the file sources (`readScatterSync` / `readScatter`: consecutive file bytes into the
 * caller's buffers, `readv`): exact bytes over many targets (empty ones, more than one `readv` takes, pieces
 * cut at `chunkBytes`), through a block cache, errors past the end and after close; the scheduler cutting
 * merged reads into chunks only while fewer reads than slots wait; and Lance 2.2 float columns (which the
 * reader reads by scatter) read exactly through both sources, whole, by range and by take.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncFileSource, BlockCache, CorruptDataError, Dataset, Field, FileSink, FileSource, Float64, IoError, LanceFileReader, LanceFileWriter, RecordBatch, Schema, vectorFromTypedArray } from '@vego/io';
import { makeTempDir, randomBytes, removeDir, sameBytes, seededRandom } from './fixtures/helpers';

/** Targets of seeded random lengths (some empty) adding up to `total`. */
function targetsFor(total: number, seed: number, maxLength: number): Uint8Array[] {
  const rnd = seededRandom(seed);
  const out: Uint8Array[] = [];
  let left = total;
  while (left > 0) {
    const n = rnd() < 0.1 ? 0 : Math.min(left, 1 + ((rnd() * maxLength) | 0));
    out.push(new Uint8Array(n));
    left -= n;
  }
  return out;
}

function joined(targets: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(targets));
}

describe('scatter reads of the file sources', () => {
  let dir: string;
  let file: string;
  let data: Uint8Array;
  beforeAll(() => {
    dir = makeTempDir('scatter');
    file = path.join(dir, 'data.bin');
    data = randomBytes(600_000, 9);
    fs.writeFileSync(file, data);
  });
  afterAll(() => removeDir(dir));

  it('FileSource fills the targets with the bytes in order, also over more targets than one readv takes', () => {
    const src = FileSource.openSync(file);
    for (const [at, total, maxLength] of [[0, 1000, 50], [12_345, 300_000, 5000], [1, 9000, 3], [599_990, 10, 4]] as const) {
      const t = targetsFor(total, at + total, maxLength);
      src.readScatterSync(at, t);
      expect(sameBytes(joined(t), data.subarray(at, at + total))).toBe(true);
    }
    src.readScatterSync(5, []);
    expect(() => src.readScatterSync(599_999, [new Uint8Array(2)])).toThrow(CorruptDataError);
    src.close();
    expect(() => src.readScatterSync(0, [new Uint8Array(2)])).toThrow(IoError);
  });

  it('FileSource with a block cache reads through the cache and copies', () => {
    const cache = new BlockCache({ capacityBytes: 1 << 20, blockBytes: 4096 });
    const src = FileSource.openSync(file, { cache });
    const t = targetsFor(50_000, 3, 700);
    src.readScatterSync(1000, t);
    expect(sameBytes(joined(t), data.subarray(1000, 51_000))).toBe(true);
    expect(cache.stats().byteLength).toBeGreaterThan(0);
    src.close();
  });

  it('AsyncFileSource fills the targets, cut into pieces within the in-flight bound, beside ordinary reads', async () => {
    const src = await AsyncFileSource.open(file, { chunkBytes: 7000, maxInFlight: 3 });
    const t1 = targetsFor(100_000, 1, 9000);
    const t2 = targetsFor(9000, 2, 3);
    const [, , plain] = await Promise.all([src.readScatter(500, t1), src.readScatter(200_000, t2), src.read(300_000, 20_000)]);
    expect(sameBytes(joined(t1), data.subarray(500, 100_500))).toBe(true);
    expect(sameBytes(joined(t2), data.subarray(200_000, 209_000))).toBe(true);
    expect(sameBytes(plain, data.subarray(300_000, 320_000))).toBe(true);
    expect(src.stats().peakInFlight).toBeLessThanOrEqual(3);
    await src.readScatter(7, []);
    await expect(src.readScatter(599_999, [new Uint8Array(2)])).rejects.toThrow(CorruptDataError);
    await src.close();
    await expect(src.readScatter(0, [new Uint8Array(2)])).rejects.toThrow(IoError);
  });

  it('AsyncFileSource alone cuts one scatter read into chunks; with a cache it reads through the cache', async () => {
    const src = await AsyncFileSource.open(file, { chunkBytes: 10_000, maxInFlight: 4 });
    const t = targetsFor(100_000, 4, 30_000);
    await src.readScatter(0, t);
    expect(sameBytes(joined(t), data.subarray(0, 100_000))).toBe(true);
    expect(src.stats().fileReads).toBe(10);
    await src.close();
    const cache = new BlockCache({ capacityBytes: 1 << 20, blockBytes: 4096 });
    const cached = await AsyncFileSource.open(file, { cache });
    const c = targetsFor(40_000, 5, 3000);
    await cached.readScatter(4000, c);
    expect(sameBytes(joined(c), data.subarray(4000, 44_000))).toBe(true);
    expect(cache.stats().byteLength).toBeGreaterThan(0);
    await cached.close();
  });

  it('cuts merged reads into chunks only while fewer reads than in-flight slots wait', async () => {
    const src = await AsyncFileSource.open(file, { chunkBytes: 10_000, maxInFlight: 4, coalesceGapBytes: 0 });
    // Four reads far apart: each is read whole (four file reads, not forty).
    const parts = await Promise.all([0, 1, 2, 3].map((i) => src.read(i * 150_000, 100_000)));
    parts.forEach((p, i) => expect(sameBytes(p, data.subarray(i * 150_000, i * 150_000 + 100_000))).toBe(true));
    expect(src.stats().fileReads).toBe(4);
    // Two reads: cut into 10,000-byte chunks to fill the slots.
    await Promise.all([src.read(0, 50_000), src.read(300_000, 50_000)]);
    expect(src.stats().fileReads).toBe(4 + 10);
    await src.close();
  });
});

describe('Lance 2.2 float columns through the file sources', () => {
  let dir: string;
  afterAll(() => removeDir(dir));

  it('read exactly whole, by range and by take (sync and async sources)', async () => {
    dir = makeTempDir('scatter-lance');
    const n = 30_000;
    const rnd = seededRandom(12);
    const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rnd() * 1e6 - 5e5));
    const schema = new Schema(cols.map((_, c) => new Field(`c${c}`, new Float64(), true)));
    const batch = new RecordBatch(schema, cols.map((a) => vectorFromTypedArray(a)));
    const file = path.join(dir, 'f.lance');
    const sink = FileSink.create(file);
    const w = new LanceFileWriter(sink, schema, { version: '2.2', pageByteLength: 64 * 1024 });
    w.write(batch);
    w.finish();
    sink.close();
    const values = (b: RecordBatch, c: number): Float64Array => Float64Array.from(b.columns[c]! as unknown as Iterable<number>);
    // Bit for bit (jest's deep equality is slow on long typed arrays).
    const same = (a: Float64Array, b: Float64Array): boolean => sameBytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    const asrc = await AsyncFileSource.open(file);
    const ssrc = FileSource.openSync(file);
    const areader = await LanceFileReader.open(asrc);
    const sreader = LanceFileReader.openSync(ssrc);
    const whole = await Promise.all([0, 1, 2].map((c) => areader.read({ columns: [`c${c}`] })));
    for (let c = 0; c < 3; c++) {
      expect(same(values(whole[c]!, 0), cols[c]!)).toBe(true);
      expect(same(values(sreader.readSync({ columns: [`c${c}`] }), 0), cols[c]!)).toBe(true);
    }
    for (const [a, b] of [[0, 1], [8191, 8193], [12_000, 29_999], [29_999, 30_000]] as const) {
      const got = await areader.read({ offset: a, limit: b - a });
      const gotSync = sreader.readSync({ offset: a, limit: b - a });
      for (let c = 0; c < 3; c++) {
        expect(same(values(got, c), cols[c]!.subarray(a, b))).toBe(true);
        expect(same(values(gotSync, c), cols[c]!.subarray(a, b))).toBe(true);
      }
    }
    await asrc.close();
    ssrc.close();
    const ds = await Dataset.create(path.join(dir, 'ds'), batch, { storageVersion: '2.2' });
    const rows = [0, 5, 4095, 4096, 17_000, 29_999, 3];
    const taken = await ds.take(rows);
    for (let c = 0; c < 3; c++) expect(same(values(taken, c), Float64Array.from(rows, (r) => cols[c]![r]!))).toBe(true);
    const all = await ds.toTable();
    for (let c = 0; c < 3; c++) expect(same(Float64Array.from(all.column(`c${c}`).flatMap((v) => Array.from(v as unknown as Iterable<number>))), cols[c]!)).toBe(true);
    await ds.close();
  });
});

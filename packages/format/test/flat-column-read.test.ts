/**
 * Lance 2.1/2.2 mini-block pages of plain fixed-width values (e.g. non-null float64) are read straight into
 * the column's buffer: the chunk bytes go into one buffer (a scatter range with one target), each chunk's
 * header is checked and its values are moved together. Checked against the written values for whole
 * columns and row ranges, over several pages and chunks, with sources that read by scatter and sources
 * that do not (the range is read and copied), sync and async; nulls keep the general path; a damaged chunk
 * header is a CorruptDataError on every path; LanceDB 0.39's own 2.2 float columns take the same path.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { rng, tempDir, writeFile } from './helpers';
import { lanceDbFile } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Float64, Int32, Uint8, vectorFrom, vectorFromTypedArray } = F;

const N = 20_000;

/** A memory source that also reads by scatter (copying into the targets), counting those reads. */
class ScatterSource implements F.SyncByteSource, F.AsyncByteSource {
  scatters = 0;
  scatterBytes = 0;
  private readonly inner: F.MemorySource;
  constructor(bytes: Uint8Array) {
    this.inner = new F.MemorySource(bytes);
  }
  get byteLength(): number {
    return this.inner.byteLength;
  }
  readSync(o: number, l: number): Uint8Array {
    return this.inner.readSync(o, l);
  }
  read(o: number, l: number): Promise<Uint8Array> {
    return this.inner.read(o, l);
  }
  readScatterSync(o: number, targets: readonly Uint8Array[]): void {
    let at = o;
    for (const t of targets) {
      t.set(this.inner.readSync(at, t.byteLength));
      at += t.byteLength;
    }
    this.scatters++;
    this.scatterBytes += at - o;
  }
  readScatter(o: number, targets: readonly Uint8Array[]): Promise<void> {
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          this.readScatterSync(o, targets);
          resolve();
        } catch (e) {
          reject(e);
        }
      }),
    );
  }
}

function columns(n: number, seed: number): { f64: Float64Array; i32: Int32Array; u8: Uint8Array; nulls: Array<number | null> } {
  const r = rng(seed);
  const f64 = new Float64Array(n);
  const i32 = new Int32Array(n);
  const u8 = new Uint8Array(n);
  const nulls: Array<number | null> = [];
  for (let i = 0; i < n; i++) {
    f64[i] = i === 7 ? -0 : i === 8 ? NaN : i === 9 ? Infinity : r() * 2000 - 1000;
    i32[i] = ((r() * 2 ** 32) | 0) ^ 0x5a5a5a5a;
    u8[i] = (r() * 256) | 0;
    nulls.push(i % 11 === 0 ? null : r());
  }
  return { f64, i32, u8, nulls };
}

const schema = new Schema([new Field('f64', new Float64(), true), new Field('i32', new Int32(), false), new Field('u8', new Uint8(), false), new Field('nulls', new Float64(), true)]);

/** The file in `version`, written in three batches with small pages (several pages and many chunks per column). */
function file(version: F.LanceFileVersion): { bytes: Uint8Array; want: ReturnType<typeof columns> } {
  const want = columns(N, 5);
  const cuts = [0, 6_000, 6_001, N];
  const batches: F.RecordBatch[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k]!, cuts[k + 1]!];
    batches.push(
      new RecordBatch(schema, [
        vectorFromTypedArray(want.f64.slice(a, b)),
        vectorFromTypedArray(want.i32.slice(a, b)),
        vectorFromTypedArray(want.u8.slice(a, b)),
        vectorFrom(new Float64(), want.nulls.slice(a, b)),
      ]),
    );
  }
  return { bytes: writeFile(schema, batches, { version, pageByteLength: 40_000 }).bytes, want };
}

function expected(want: ReturnType<typeof columns>, name: string, a: number, b: number): unknown[] {
  if (name === 'nulls') return want.nulls.slice(a, b);
  const arr = name === 'f64' ? want.f64 : name === 'i32' ? want.i32 : want.u8;
  return Array.from(arr.subarray(a, b));
}

/** Values of column `name` as read (no normalising of -0 or NaN). */
function plainColumn(batch: F.RecordBatch, name: string): unknown[] {
  return Array.from(batch.columns[batch.schema.fieldIndex(name)]! as unknown as Iterable<unknown>);
}

/** A column's values bit for bit (so -0 and NaN count), nulls marked apart: one string to compare. */
function bitsOf(values: unknown[]): string {
  const f = new Float64Array(values.length);
  let nulls = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) nulls += `${i},`;
    else f[i] = v as number;
  }
  return `${Buffer.from(f.buffer).toString('hex')}|${nulls}`;
}

describe.each(['2.1', '2.2'] as const)('flat mini-block columns, Lance %s', (version) => {
  const { bytes, want } = file(version);

  it('reads whole columns exactly, by scatter and by copy, sync and async', async () => {
    for (const make of [(b: Uint8Array) => new ScatterSource(b), (b: Uint8Array) => new F.MemorySource(b)]) {
      const src = make(bytes);
      const reader = F.LanceFileReader.openSync(src);
      const sync = reader.readSync();
      const async = await (await F.LanceFileReader.open(make(bytes))).read();
      for (const name of ['f64', 'i32', 'u8', 'nulls']) {
        expect({ name, bits: bitsOf(plainColumn(sync, name)) }).toEqual({ name, bits: bitsOf(expected(want, name, 0, N)) });
        expect({ name, bits: bitsOf(plainColumn(async, name)) }).toEqual({ name, bits: bitsOf(expected(want, name, 0, N)) });
      }
    }
  });

  it('takes the scatter path for plain float64 pages (several pages, one range per page)', () => {
    const src = new ScatterSource(bytes);
    const reader = F.LanceFileReader.openSync(src);
    const summary = reader.columnSummarySync(0);
    expect(summary.pages).toBeGreaterThan(3);
    reader.readSync({ columns: ['f64'] });
    expect(src.scatters).toBe(summary.pages);
    // The chunk bytes are the page's values plus 8 header bytes per chunk.
    expect(src.scatterBytes).toBeGreaterThan(N * 8);
    expect(src.scatterBytes).toBeLessThan(N * 8 * 1.01);
  });

  it('reads row ranges across chunk and page edges exactly', async () => {
    const ranges: Array<[number, number]> = [[0, 1], [0, 1024], [1023, 1025], [4095, 4097], [5999, 6002], [6000, 6001], [1, N - 1], [N - 1, N], [12_345, 17_000], [N, N], [0, 0]];
    for (const sourceKind of ['scatter', 'copy'] as const) {
      const src = sourceKind === 'scatter' ? new ScatterSource(bytes) : new F.MemorySource(bytes);
      const reader = await F.LanceFileReader.open(src);
      for (const [a, b] of ranges) {
        const got = await reader.read({ offset: a, limit: b - a });
        const gotSync = F.LanceFileReader.openSync(src).readSync({ offset: a, limit: b - a });
        for (const name of ['f64', 'i32', 'u8', 'nulls']) {
          const w = bitsOf(expected(want, name, a, b));
          expect({ sourceKind, a, b, name, bits: bitsOf(plainColumn(got, name)) }).toEqual({ sourceKind, a, b, name, bits: w });
          expect({ sourceKind, a, b, name, bits: bitsOf(plainColumn(gotSync, name)) }).toEqual({ sourceKind, a, b, name, bits: w });
        }
      }
      if (src instanceof ScatterSource) expect(src.scatters).toBeGreaterThan(0);
    }
  });

  it('rejects a chunk whose header says fewer bytes than its values need, on every path', async () => {
    // A single-column file with known first values: find the first chunk's values and shrink its size field.
    const s = new Schema([new Field('x', new Float64(), false)]);
    const x = Float64Array.from({ length: 5000 }, (_, i) => i + 0.25);
    const good = writeFile(s, [new RecordBatch(s, [vectorFromTypedArray(x)])], { version }).bytes;
    const first = Buffer.from(x.buffer, 0, 16);
    const at = Buffer.from(good).indexOf(first);
    expect(at).toBeGreaterThan(8);
    const bad = good.slice();
    const dv = new DataView(bad.buffer, bad.byteOffset);
    const sizeAt = at - 8 + 2;
    const size = version === '2.2' ? dv.getUint32(sizeAt, true) : dv.getUint16(sizeAt, true);
    expect(size % 8).toBe(0);
    if (version === '2.2') dv.setUint32(sizeAt, size - 8, true);
    else dv.setUint16(sizeAt, size - 8, true);
    for (const make of [(b: Uint8Array) => new ScatterSource(b), (b: Uint8Array) => new F.MemorySource(b)]) {
      expect(() => F.LanceFileReader.openSync(make(good)).readSync()).not.toThrow();
      expect(() => F.LanceFileReader.openSync(make(bad)).readSync()).toThrow(F.CorruptDataError);
      expect(() => F.LanceFileReader.openSync(make(bad)).readSync({ offset: 3, limit: 10 })).toThrow(F.CorruptDataError);
      await expect((await F.LanceFileReader.open(make(bad))).read()).rejects.toThrow(F.CorruptDataError);
    }
  });
});

describe('scatter ranges through the reader', () => {
  it('a source whose scatter read fails fails the read (no partial column)', async () => {
    const { bytes } = file('2.2');
    const src = new ScatterSource(bytes);
    src.readScatter = () => Promise.reject(new F.CorruptDataError('boom'));
    const reader = await F.LanceFileReader.open(src);
    await expect(reader.read({ columns: ['f64'] })).rejects.toThrow('boom');
  });
});

describe('LanceDB 0.39 2.2 float columns', () => {
  it('are read by scatter, exactly, whole and by range', async () => {
    const t = tempDir('vego-flat-ldb-');
    try {
      const n = 40_000;
      const r = rng(21);
      const x = Float64Array.from({ length: n }, () => r() * 1e6 - 5e5);
      const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('x', new arrow.Float64(), true)]);
      const rows = Array.from({ length: n }, (_, i) => ({ id: i, x: x[i]! }));
      const { file } = await lanceDbFile(t.dir, schema, rows, '2.2');
      const src = new ScatterSource(file);
      const reader = await F.LanceFileReader.open(src);
      expect(reader.version).toEqual({ major: 2, minor: 2 });
      const whole = await reader.read({ columns: ['x'] });
      expect(src.scatters).toBeGreaterThan(0);
      expect(bitsOf(plainColumn(whole, 'x'))).toBe(bitsOf(Array.from(x)));
      const part = await reader.read({ columns: ['x'], offset: 4095, limit: 30_001 });
      expect(bitsOf(plainColumn(part, 'x'))).toBe(bitsOf(Array.from(x.subarray(4095, 34_096))));
    } finally {
      t.cleanup();
    }
  });
});

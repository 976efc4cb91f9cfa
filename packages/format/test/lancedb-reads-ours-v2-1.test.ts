/**
 * Oracle: Lance 2.1 and 2.2 files written by LanceFileWriter (structural mini-block and full-zip pages),
 * wrapped in a one-fragment manifest, open in LanceDB 0.39 with exactly the values this test generated,
 * and read back the same by our own reader.
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, rng, tempDir, writeFile, writeTable } from './helpers';
import { queryRows, type Row } from './fixtures/lancedb';

const {
  Field, Schema, RecordBatch, Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Float32, Float64, Bool, Utf8, Binary,
  FixedSizeList, List, Struct, vectorFrom,
} = F;

const DIM = 64;

function mixedBatch(schema: F.Schema, n: number, seed: number, start: number): F.RecordBatch {
  const r = rng(seed);
  const pick = <T>(i: number, every: number, v: T): T | null => (every > 0 && (i * 7 + seed) % every === 0 ? null : v);
  const gen: Record<string, (i: number) => unknown> = {
    id: (i) => start + i,
    i8: (i) => pick(i, 5, ((i * 37) % 256) - 128),
    i16: (i) => pick(i, 6, ((i * 1237) % 65536) - 32768),
    i32: (i) => ((i * 2654435761) | 0),
    small: (i) => i % 100,
    i64: (i) => pick(i, 4, BigInt(i) * -123456789012n),
    ts: (i) => BigInt(1_700_000_000_000 + i * 1000),
    u8: (i) => (i * 13) % 256,
    u16: (i) => pick(i, 9, (i * 1009) % 65536),
    u32: (i) => pick(i, 3, (i * 2654435761) % 4294967296),
    u64: (i) => pick(i, 8, (BigInt(i) * 18446744073709551n) % 18446744073709551616n),
    f32: (i) => pick(i, 5, [0, -0, Infinity, -Infinity, 1.5][i % 5]! + (i % 5 === 4 ? r() : 0)),
    f64: (i) => pick(i, 7, i % 11 === 0 ? NaN : r() * 1e6 - 5e5),
    flag: (i) => pick(i, 4, r() < 0.5),
    s: (i) => pick(i, 6, i % 5 === 0 ? '' : `s${i}-${'x'.repeat(i % 13)}é`),
    big_s: (i) => pick(i, 9, 'y'.repeat((i * 97) % 3000)),
    bin: (i) => pick(i, 5, Uint8Array.from({ length: i % 7 }, (_, k) => (k * i) & 255)),
    all_null: () => null,
    v: (i) => pick(i, 10, Array.from({ length: 8 }, () => r() * 2 - 1)),
    vector: (i) => Array.from({ length: DIM }, () => r()),
    nvector: (i) => pick(i, 11, Array.from({ length: DIM }, () => r())),
    l: (i) => pick(i, 6, Array.from({ length: i % 4 }, (_, k) => (k % 3 === 2 ? null : k * i))),
    ls: (i) => pick(i, 5, Array.from({ length: (i * 3) % 5 }, (_, k) => `e${k}`)),
    lall: (i) => Array.from({ length: 1 + (i % 3) }, (_, k) => k + i),
    st: (i) => pick(i, 13, { a: i % 4 === 0 ? null : i * 2, b: i % 3 === 0 ? null : `b${i}` }),
    stl: (i) => ({ x: i, tags: i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => `t${k}`) }),
  };
  return new RecordBatch(schema, schema.fields.map((f) => vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(i)))) as never);
}

const mixedSchema = new Schema([
  new Field('id', new Int32(), false),
  new Field('i8', new Int8()),
  new Field('i16', new Int16()),
  new Field('i32', new Int32(), false),
  new Field('small', new Int32(), false),
  new Field('i64', new Int64()),
  new Field('ts', new Int64(), false),
  new Field('u8', new Uint8(), false),
  new Field('u16', new Uint16()),
  new Field('u32', new Uint32()),
  new Field('u64', new Uint64()),
  new Field('f32', new Float32()),
  new Field('f64', new Float64()),
  new Field('flag', new Bool()),
  new Field('s', new Utf8()),
  new Field('big_s', new Utf8()),
  new Field('bin', new Binary()),
  new Field('all_null', new Int64()),
  new Field('v', new FixedSizeList(new Field('item', new Float32()), 8)),
  new Field('vector', new FixedSizeList(new Field('item', new Float32()), DIM), false),
  new Field('nvector', new FixedSizeList(new Field('item', new Float32()), DIM)),
  new Field('l', new List(new Field('item', new Int32()))),
  new Field('ls', new List(new Field('item', new Utf8()))),
  new Field('lall', new List(new Field('item', new Int64(), false)), false),
  new Field('st', new Struct([new Field('a', new Int32()), new Field('b', new Utf8())])),
  new Field('stl', new Struct([new Field('x', new Int32(), false), new Field('tags', new List(new Field('item', new Utf8())))]), false),
]);

/** Fast equality of plain values (jest's deep equality over 2,200 vectors takes seconds); jest's diff on failure. */
function sameValues(field: string, got: unknown[], want: unknown[]): void {
  if (JSON.stringify(got) === JSON.stringify(want)) return;
  expect({ field, values: got }).toEqual({ field, values: want });
}

describe.each(['2.1', '2.2'] as const)('LanceDB reads Lance %s files written by LanceFileWriter', (version) => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('vego-format-oracle21-');
  });
  afterAll(() => tmp.cleanup());

  it('returns the generated values for every type and null pattern, over several batches and pages', async () => {
    const batches = [mixedBatch(mixedSchema, 1500, 1, 0), mixedBatch(mixedSchema, 1, 2, 1500), mixedBatch(mixedSchema, 699, 3, 1501)];
    const { bytes, summary } = writeFile(mixedSchema, batches, { version, pageByteLength: 128 * 1024 });
    expect(summary.numRows).toBe(2200);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    expect(reader.version).toEqual({ major: 2, minor: version === '2.1' ? 1 : 2 });
    const ours = reader.readSync();
    writeTable(tmp.dir, 'mixed', mixedSchema, bytes, summary.numRows, version);
    const db = await lancedb.connect(tmp.dir);
    const rows: Row[] = await queryRows(await db.openTable('mixed'));
    expect(rows.length).toBe(2200);
    for (const f of mixedSchema.fields) {
      const want = batches.flatMap((b) => plainColumn(b, f.name));
      sameValues(f.name, plainColumn(ours, f.name), want);
      sameValues(f.name, rows.map((r) => r[f.name]), want);
    }
  });
});

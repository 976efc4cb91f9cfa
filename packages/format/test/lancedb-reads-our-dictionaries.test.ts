/**
 * Issue 11, dictionaries in Lance 2.1/2.2 columns: our writer gives every page of a low-cardinality string
 * column a page dictionary of its own, and writes an Arrow dictionary column (string and int64 values,
 * int8/int16 keys, nulls, inside a list) as one page per file: LanceDB 0.39 joins the dictionaries of the
 * pages one read batch spans and fails once they hold more entries than the key type counts (100 values in
 * pages of 64 bytes of int8 keys did). LanceDB reads every value exactly as this test generated it, and so
 * does our reader, whole and as a row range crossing page boundaries.
 * (LanceDB 0.39 itself wrote one page per dictionary column in every table tried, up to 1,048,576 rows of
 * 64-byte strings per file, so there is no LanceDB multi-page dictionary file to read here.)
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, tempDir, writeFile, writeTable } from './helpers';
import { queryRows, type Row } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Int32, Int64, Int8, Int16, Utf8, List, Dictionary, vectorFrom } = F;

const N = 20_000;
const CATS = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white', 'ultraviolet', 'é'];

const schema = new Schema([
  new Field('id', new Int32(), false),
  new Field('cat', new Utf8()),
  new Field('dict', new Dictionary(new Utf8(), new Int16())),
  new Field('dictInt', new Dictionary(new Int64(), new Int8()), false),
  new Field('listDict', new List(new Field('item', new Dictionary(new Utf8(), new Int32())))),
]);

function batchOf(n: number, start: number): F.RecordBatch {
  const gen: Record<string, (i: number) => unknown> = {
    id: (i) => i,
    cat: (i) => (i % 13 === 4 ? null : CATS[(i * 7) % CATS.length]!),
    dict: (i) => (i % 11 === 2 ? null : `entry ${(i * 3) % 40}`),
    dictInt: (i) => BigInt(((i * 5) % 9) * 1_000_000_007 - 4),
    listDict: (i) => (i % 17 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 2 === 0 ? null : `l${(i + k) % 6}`))),
  };
  return new RecordBatch(schema, schema.fields.map((f) => vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(start + i)))) as never);
}

describe.each(['2.1', '2.2'] as const)('dictionaries over several pages of Lance %s columns', (version) => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir('vego-dict-pages-')));
  afterAll(() => tmp.cleanup());

  it('LanceDB and our reader return the generated values; string pages each with a dictionary, Arrow dictionaries in one page', async () => {
    const batches = [batchOf(12_000, 0), batchOf(N - 12_000, 12_000)];
    const { bytes, summary } = writeFile(schema, batches, { version, pageByteLength: 16 * 1024 });
    expect(summary.numRows).toBe(N);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    // Columns: id, cat, dict, dictInt, listDict (one leaf each).
    for (const c of [1, 2, 3, 4]) {
      const s = reader.columnSummarySync(c);
      expect([c, s.pages]).toEqual([c, c === 1 ? expect.any(Number) : 1]);
      expect([c, s.encodings.every((e) => e.includes('dictionary'))]).toEqual([c, true]);
    }
    expect(reader.columnSummarySync(1).pages).toBeGreaterThan(1);
    const want = (name: string): unknown[] => batches.flatMap((b) => plainColumn(b, name));
    const ours = reader.readSync();
    for (const f of schema.fields) expect({ f: f.name, v: plainColumn(ours, f.name) }).toEqual({ f: f.name, v: want(f.name) });
    const part = reader.readSync({ offset: 9_999, limit: 4_321 });
    for (const f of schema.fields) expect({ f: f.name, v: plainColumn(part, f.name) }).toEqual({ f: f.name, v: want(f.name).slice(9_999, 14_320) });

    writeTable(tmp.dir, 'dicts', schema, bytes, N, version);
    const db = await lancedb.connect(tmp.dir);
    const rows: Row[] = await queryRows(await db.openTable('dicts'));
    expect(rows.length).toBe(N);
    for (const f of schema.fields) expect({ f: f.name, v: rows.map((r) => r[f.name]) }).toEqual({ f: f.name, v: want(f.name) });
  });
});

describe.each(['2.0', '2.1', '2.2'] as const)('an Arrow dictionary column of int8 keys and 100 values in Lance %s, written with small pages', (version) => {
  it('is one page, which LanceDB reads (several pages of their own dictionaries failed in LanceDB)', async () => {
    const tmp = tempDir('vego-dict-int8-');
    try {
      const s = new Schema([new Field('id', new Int32(), false), new Field('d', new Dictionary(new Utf8(), new Int8()))]);
      const n = 5000;
      const b = new RecordBatch(s, [vectorFrom(new Int32(), Array.from({ length: n }, (_, i) => i)), vectorFrom(s.fields[1]!.type, Array.from({ length: n }, (_, i) => (i % 31 === 0 ? null : `v${(i * 7) % 100}`)))] as never);
      const { bytes } = writeFile(s, [b], { version, pageByteLength: 64 });
      expect(F.LanceFileReader.openSync(new F.MemorySource(bytes)).columnSummarySync(1).pages).toBe(1);
      expect(F.LanceFileReader.openSync(new F.MemorySource(bytes)).columnSummarySync(0).pages).toBeGreaterThan(1);
      writeTable(tmp.dir, 'd8', s, bytes, n, version);
      const rows: Row[] = await queryRows(await (await lancedb.connect(tmp.dir)).openTable('d8'));
      expect(rows.map((r) => r.d)).toEqual(plainColumn(b, 'd'));
    } finally {
      tmp.cleanup();
    }
  });
});

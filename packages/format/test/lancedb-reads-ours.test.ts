/**
 * Oracle: files written by LanceFileWriter, wrapped in a one-fragment manifest, open in LanceDB with
 * identical values, and LanceDB's vector search over our FixedSizeList<Float32> finds the brute-force
 * neighbours.
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { norm, plainColumn, rng, tempDir, writeFile, writeTable } from './helpers';
import { queryRows, type Row } from './fixtures/lancedb';
import { mixedBatch, mixedSchemaOf } from './fixtures/mixed-columns';

const { Field, Schema, RecordBatch, Int16, Int32, Float32, Float64, Utf8, Binary, FixedSizeList, vectorFrom } = F;

const mixedSchema = mixedSchemaOf(['id', 'i8', 'i16', 'i64', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64', 'flag', 's', 'bin', 'empty_s', 'all_null', 'v', 'l', 'ls', 'st']);

async function lanceRows(root: string, name: string): Promise<Row[]> {
  const db = await lancedb.connect(root);
  return queryRows(await db.openTable(name));
}

describe('LanceDB reads files written by LanceFileWriter', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('vego-format-oracle-');
  });
  afterAll(() => tmp.cleanup());

  it('returns identical values for every type and null pattern, over several batches and pages', async () => {
    const batches = [mixedBatch(mixedSchema, 150, 1, 0), mixedBatch(mixedSchema, 1, 2, 150), mixedBatch(mixedSchema, 99, 3, 151)];
    const { bytes, summary } = writeFile(mixedSchema, batches, { pageByteLength: 300 });
    expect(summary.numRows).toBe(250);
    expect(summary.numPages).toBeGreaterThan(mixedSchema.fields.length * 2);
    writeTable(tmp.dir, 'mixed', mixedSchema, bytes, summary.numRows);
    const rows = await lanceRows(tmp.dir, 'mixed');
    expect(rows.length).toBe(250);
    const ours = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    for (const f of mixedSchema.fields) {
      const want = batches.flatMap((b) => plainColumn(b, f.name));
      const lance = rows.map((r) => r[f.name]);
      expect({ field: f.name, values: lance }).toEqual({ field: f.name, values: want });
      const back = plainColumn(ours, f.name);
      expect({ field: f.name, values: back }).toEqual({ field: f.name, values: want });
    }
  });

  it('opens a file with many columns and a one-row file', async () => {
    const fields = Array.from({ length: 120 }, (_, k) => new Field(`c${k}`, k % 3 === 0 ? new Utf8() : k % 3 === 1 ? new Float64() : new Int16()));
    const schema = new Schema(fields);
    const cols = fields.map((f, k) => vectorFrom(f.type, [k % 3 === 0 ? `v${k}` : k % 3 === 1 ? k / 3 : -k]));
    const { bytes, summary } = writeFile(schema, [new RecordBatch(schema, cols as never)]);
    writeTable(tmp.dir, 'wide', schema, bytes, summary.numRows);
    const rows = await lanceRows(tmp.dir, 'wide');
    expect(rows).toEqual([Object.fromEntries(fields.map((f, k) => [f.name, norm(cols[k]!.get(0))]))]);
  });

  it('answers vector search over our FixedSizeList<Float32> column with the brute-force neighbours', async () => {
    const n = 600;
    const dim = 16;
    const r = rng(42);
    const values = Float32Array.from({ length: n * dim }, () => r() * 2 - 1);
    const schema = new Schema([new Field('id', new Int32(), false), new Field('vector', new FixedSizeList(new Field('item', new Float32()), dim))]);
    const batch = new RecordBatch(schema, [
      vectorFrom(new Int32(), Array.from({ length: n }, (_, i) => i)),
      F.fixedSizeListFromFloat32(values, dim),
    ] as never);
    const { bytes, summary } = writeFile(schema, [batch], { pageByteLength: 8192 });
    writeTable(tmp.dir, 'vec', schema, bytes, summary.numRows);
    const db = await lancedb.connect(tmp.dir);
    const t = await db.openTable('vec');
    for (let q = 0; q < 5; q++) {
      const query = Array.from({ length: dim }, () => r() * 2 - 1);
      const dist = Array.from({ length: n }, (_, i) => {
        let s = 0;
        for (let k = 0; k < dim; k++) {
          const d = values[i * dim + k]! - Math.fround(query[k]!);
          s += d * d;
        }
        return [s, i] as const;
      }).sort((a, b) => a[0] - b[0]);
      const hits = (await t.vectorSearch(query).column('vector').distanceType('l2').limit(10).toArray()) as Array<{ id: number }>;
      expect(hits.map((h) => h.id)).toEqual(dist.slice(0, 10).map((d) => d[1]));
    }
  });
});

describe('LanceDB reads zstd-compressed flat pages written here', () => {
  it('returns the same values for a zstd-compressed file', async () => {
    await F.initZstd();
    const tmp = tempDir('vego-format-zstd-');
    try {
      const n = 70000;
      const schema = new Schema([new Field('x', new Float64()), new Field('v', new FixedSizeList(new Field('item', new Float32()), 4))]);
      const xs = Array.from({ length: n }, (_, i) => (i % 97 === 0 ? null : i % 10));
      const vs = Float32Array.from({ length: n * 4 }, (_, i) => (i % 13) / 4);
      const batch = new RecordBatch(schema, [vectorFrom(new Float64(), xs), F.fixedSizeListFromFloat32(vs, 4)] as never);
      const { bytes, summary } = writeFile(schema, [batch], { compression: { codec: F.ZSTD_BUFFER_CODEC } });
      expect(bytes.length).toBeLessThan(n * 8 / 4);
      writeTable(tmp.dir, 'z', schema, bytes, summary.numRows);
      const rows = await lanceRows(tmp.dir, 'z');
      expect(rows.map((r) => r.x)).toEqual(xs);
      expect(rows[12345]!.v).toEqual(Array.from(vs.subarray(12345 * 4, 12346 * 4)));
      const ours = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
      expect(plainColumn(ours, 'x')).toEqual(xs);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('LanceDB reads dictionary-encoded strings written here', () => {
  it('returns the same values for Utf8 dictionary pages (u8 1-based indices, 0 = null) and plain pages', async () => {
    const tmp = tempDir('vego-format-dict-');
    try {
      const n = 1200;
      const schema = new Schema([new Field('cat', new Utf8()), new Field('wide', new Utf8()), new Field('bin', new Binary()), new Field('uniq', new Utf8())]);
      const cat = Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : ['red', 'green', '', 'blue', 'violet'][i % 5]!));
      const wide = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : `w${(i * 7) % 200}`));
      const bin = Array.from({ length: n }, (_, i) => Uint8Array.of(i % 3, 255));
      const uniq = Array.from({ length: n }, (_, i) => `u${i}`);
      const batch = new RecordBatch(schema, [vectorFrom(new Utf8(), cat), vectorFrom(new Utf8(), wide), vectorFrom(new Binary(), bin), vectorFrom(new Utf8(), uniq)] as never);
      const plainFile = writeFile(schema, [batch], { dictionary: false });
      const { bytes, summary } = writeFile(schema, [batch], { dictionary: { maxItems: 256 } });
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      const kinds = [0, 1, 2, 3].map((c) => reader.columnMetadataSync(c).pages[0]!.encoding);
      // Binary stays plain: LanceDB 0.39 reads dictionary items as Utf8 (found with non-UTF-8 items).
      expect(kinds.map((k) => k.kind)).toEqual(['dictionary', 'dictionary', 'binary', 'binary']);
      expect(kinds.map((k) => (k.kind === 'dictionary' && k.indices.kind === 'flat' ? k.indices.bitsPerValue : 0))).toEqual([8, 8, 0, 0]);
      expect(bytes.length).toBeLessThan(plainFile.bytes.length * 0.8);
      writeTable(tmp.dir, 'd', schema, bytes, summary.numRows);
      const rows = await lanceRows(tmp.dir, 'd');
      for (const f of schema.fields) {
        const want = plainColumn(batch, f.name);
        expect({ field: f.name, values: rows.map((r) => r[f.name]) }).toEqual({ field: f.name, values: want });
        expect({ field: f.name, values: plainColumn(reader.readSync(), f.name) }).toEqual({ field: f.name, values: want });
      }
      // More than 255 distinct values: plain binary (LanceDB 0.39 misread u16 indices when we tried them).
      const many = new RecordBatch(schema, [vectorFrom(new Utf8(), uniq.map((u, i) => `k${i % 300}`)), vectorFrom(new Utf8(), wide), vectorFrom(new Binary(), bin), vectorFrom(new Utf8(), uniq)] as never);
      const manyReader = F.LanceFileReader.openSync(new F.MemorySource(writeFile(schema, [many], { dictionary: { maxItems: 256 } }).bytes));
      expect(manyReader.columnMetadataSync(0).pages[0]!.encoding.kind).toBe('binary');
      expect(() => writeFile(schema, [batch], { dictionary: { maxItems: 1000 } })).toThrow(F.InvalidArgumentError);
      // The default rule (LanceDB's: ≥ 100 rows, < 100 distinct) dictionary-encodes `cat` only.
      const byDefault = F.LanceFileReader.openSync(new F.MemorySource(writeFile(schema, [batch]).bytes));
      expect([0, 1, 2, 3].map((c) => byDefault.columnMetadataSync(c).pages[0]!.encoding.kind)).toEqual(['dictionary', 'binary', 'binary', 'binary']);
    } finally {
      tmp.cleanup();
    }
  });
});

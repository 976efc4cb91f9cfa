/**
 * Regressions found by the randomized differential campaign against LanceDB 0.39
 * (`packages/io/test/lancedb-differential.test.ts`), each at the smallest shape that showed it:
 * - a dictionary of floats read from a 2.1/2.2 file (plain values, the dictionary rebuilt on read) merged
 *   every NaN into the first one met and -0 into 0 (values were told apart as JS numbers);
 * - a dictionary inside a null struct, whose placeholder rows address an empty dictionary, was refused
 *   by the 2.1/2.2 writer with InvalidArgumentError (it looked those rows up);
 * - a timestamp zone with a ':' ("+05:30") was written as it is, and LanceDB panics on the logical type;
 * - a 2.1/2.2 page of a list of dictionaries holding no value (only null or empty lists) had an empty page
 *   dictionary, which LanceDB fails ("Misaligned buffers[0] in array of type Int32");
 * - a 2.0 list of structs holding no item in the file wrote no page for the struct, and LanceDB panics;
 * - LanceDB 2.2 constant pages (a column of one value) of bools (one inline byte) and of large strings and
 *   binaries (u64 offsets in the value buffer) were refused as corrupt.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, tempDir, writeFile, writeTable } from './helpers';
import { queryRows } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Dictionary, Float64, Float32, Int16, Int32, Int64, List, Struct, Utf8, Uint8, Timestamp, FixedSizeList, makeData, makeVector, makeBuilder } = F;

/** A batch of one column `x` of `type` from plain values. */
function batchOf(type: F.DataType, values: unknown[]): F.RecordBatch {
  const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): F.Vector };
  for (const v of values) b.append(v);
  return new RecordBatch(new Schema([new Field('x', type)]), [b.finish()]);
}

/** Writes the batches as one file of `version`; column `x` as written, as read here, and as LanceDB reads it (plain values). */
async function bothRead(batches: F.RecordBatch[], version: F.LanceFileVersion): Promise<{ ours: unknown[]; lancedb: unknown[] }> {
  const schema = batches[0]!.schema;
  const { bytes, summary } = writeFile(schema, batches, { version });
  const ours = plainColumn(F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync(), 'x');
  const { dir, cleanup } = tempDir('vego-finding-');
  try {
    writeTable(dir, 't', schema, bytes, summary.numRows, version);
    const rows = await queryRows(await (await lancedb.connect(dir)).openTable('t'));
    return { ours, lancedb: rows.map((r) => r.x) };
  } finally {
    cleanup();
  }
}

/** The bits of every row of a dictionary column of floats (null for null rows), through its dictionary. */
function dictionaryFloatBits(d: F.ArrayData): (string | null)[] {
  const dict = d.children[0]!;
  const w = dict.values!.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(dict.values!.buffer, dict.values!.byteOffset, dict.values!.byteLength);
  const keys = d.values as unknown as ArrayLike<number>;
  return Array.from({ length: d.length }, (_, i) => {
    if (!d.isValid(i)) return null;
    const k = dict.offset + Number(keys[d.offset + i]);
    return Buffer.from(bytes.subarray(k * w, (k + 1) * w)).toString('hex');
  });
}

/** Column `x` of the batches as plain values (what both readers must return). */
const written = (batches: F.RecordBatch[]): { ours: unknown[]; lancedb: unknown[] } => {
  const x = batches.flatMap((b) => plainColumn(b, 'x'));
  return { ours: x, lancedb: x };
};

describe.each(['2.1', '2.2'] as const)('differential findings, Lance %s', (version) => {
  it.each([
    ['float64', new Float64(), new BigUint64Array([0x7ff8000000000000n, 0xfff8dead0000beefn, 0x8000000000000000n, 0n, 0x7ff0000000000001n, 0x3ff0000000000000n])],
    ['float32', new Float32(), new Uint32Array([0x7fc00000, 0xffc12345, 0x80000000, 0, 0x7f800001, 0x3f800000])],
  ])('a dictionary of %s keeps every NaN payload and -0 apart from 0', (_name, valueType, bits) => {
    const type = new Dictionary(valueType, new Int16());
    const dictionary = makeData({ type: valueType, length: 6, values: new (valueType.ArrayType as Float64ArrayConstructor)(bits.buffer) });
    const keys = Int16Array.from({ length: 40 }, (_, i) => (i * 5) % 6);
    const column = makeVector(makeData({ type, length: 40, values: keys, children: [dictionary] }));
    const schema = new Schema([new Field('d', type)]);
    const { bytes } = writeFile(schema, [new RecordBatch(schema, [column])], { version });
    const read = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    expect(dictionaryFloatBits(read.column('d').data)).toEqual(dictionaryFloatBits(column.data));
  });

  it('writes a dictionary inside null structs whose placeholder rows address an empty dictionary', async () => {
    const type = new Struct([new Field('d', new Dictionary(new Utf8(), new Uint8())), new Field('n', new Int32())]);
    const schema = new Schema([new Field('s', type)]);
    // Every struct null: the builder writes index 0 into each child row and the dictionary stays empty.
    const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): F.Vector };
    for (let i = 0; i < 5; i++) b.append(i === 3 ? { d: null, n: 7 } : null);
    const batch = new RecordBatch(schema, [b.finish()]);
    const { bytes, summary } = writeFile(schema, [batch], { version });
    const read = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    const s = read.column('s');
    expect(Array.from({ length: 5 }, (_, i) => (s.isValid(i) ? (s.get(i) as { n: number }).n : null))).toEqual([null, null, null, 7, null]);
    const { dir, cleanup } = tempDir('vego-dict-null-struct-');
    try {
      writeTable(dir, 't', schema, bytes, summary.numRows, version);
      const t = await (await lancedb.connect(dir)).openTable('t');
      const rows = (await t.query().toArray()) as { s: { d: string | null; n: number } | null }[];
      expect(rows.map((r) => (r.s === null ? null : [r.s.d, r.s.n]))).toEqual([null, null, null, [null, 7], null]);
    } finally {
      cleanup();
    }
  });
});

describe.each(['2.1', '2.2'] as const)('pages of lists of dictionaries without values, Lance %s', (version) => {
  it.each([
    ['int32', new Int32(), [1, null, 1]],
    ['int64', new Int64(), [5n]],
    ['utf8', new Utf8(), ['a', null]],
  ])('open in LanceDB with a page dictionary of %s values holding no value', async (_name, valueType, items) => {
    const type = new List(new Field('item', new Dictionary(valueType, new Int16())));
    for (const values of [[null], [[]], [null, [], null]]) {
      const batches = [batchOf(type, values)];
      expect(await bothRead(batches, version)).toEqual(written(batches));
    }
    // A page without values next to one with values (two batches: two pages).
    const batches = [batchOf(type, [null, []]), batchOf(type, [items])];
    expect(await bothRead(batches, version)).toEqual(written(batches));
  });
});

describe('Lance 2.0 lists of structs without items', () => {
  it.each([
    ['struct<int32>', new Struct([new Field('a', new Int32())]), { a: 7 }],
    ['struct<vector, float32>', new Struct([new Field('v', new FixedSizeList(new Field('item', new Float32()), 2)), new Field('f', new Float32())]), { v: [1, 2], f: 3 }],
    ['struct<list<struct<utf8>>>', new Struct([new Field('l', new List(new Field('item', new Struct([new Field('s', new Utf8())]))))]), { l: [{ s: 'x' }] }],
  ])('open in LanceDB when no row holds an item (%s)', async (_name, itemType, item) => {
    const type = new List(new Field('item', itemType));
    for (const batches of [[batchOf(type, [null, [], null])], [batchOf(type, [null, []]), batchOf(type, [[item], []])]]) {
      expect(await bothRead(batches, '2.0')).toEqual(written(batches));
    }
  });
});

describe('LanceDB 2.2 constant pages', () => {
  it.each([
    ['bool, every row true', new arrow.Bool(), Array.from({ length: 3000 }, () => true)],
    ['bool, false and nulls', new arrow.Bool(), [false, null, false, false]],
    ['large string', new arrow.LargeUtf8(), ['xyz', null, 'xyz']],
    ['large string, empty', new arrow.LargeUtf8(), ['', '', null]],
    ['large binary', new arrow.LargeBinary(), [Uint8Array.of(7, 8, 9), Uint8Array.of(7, 8, 9)]],
  ])('read a column of one value: %s', async (_name, type, values) => {
    const { dir, cleanup } = tempDir('vego-constant-');
    try {
      const db = await lancedb.connect(dir);
      await db.createTable('t', new arrow.Table({ x: arrow.vectorFromArray(values, type as arrow.DataType) }));
      const data = path.join(dir, 't.lance', 'data');
      const bytes = new Uint8Array(fs.readFileSync(path.join(data, fs.readdirSync(data)[0]!)));
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      expect(reader.columnSummarySync(0).encodings.join()).toMatch(/constant/);
      const plain = (v: unknown): unknown => (v instanceof Uint8Array ? Array.from(v) : v);
      expect(plainColumn(reader.readSync(), 'x')).toEqual(values.map(plain));
    } finally {
      cleanup();
    }
  });
});

describe('time zones LanceDB cannot read in a logical type', () => {
  it.each(['2.0', '2.1', '2.2'] as const)('refuses a zone holding a colon in Lance %s, also nested and as dictionary values', (version) => {
    for (const type of [
      new Timestamp('ns', '+05:30'),
      new Struct([new Field('t', new Timestamp('us', '-03:00'))]),
      new Dictionary(new Timestamp('ms', '+01:00'), new Int32()),
    ]) {
      const schema = new Schema([new Field('t', type)]);
      const batch = new RecordBatch(schema, [(makeBuilder(type) as unknown as { finish(): F.Vector }).finish()]);
      expect(() => writeFile(schema, [batch], { version })).toThrow(/time zone ".*:.*" holds a ':'/);
      expect(() => writeFile(schema, [batch], { version })).toThrow(F.NotSupportedError);
    }
  });
});

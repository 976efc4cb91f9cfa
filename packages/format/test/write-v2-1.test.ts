/**
 * LanceFileWriter's Lance 2.1/2.2 pages at their edges: empty and one-row files, 1,023…1,025-row pages
 * (chunk and bit-packing block edges), pages where every list is null or empty (no values), all-null
 * columns, nulls at several struct levels, a list inside a struct, lists of lists, values too large for a
 * 2.1 chunk (2.1: full-zip pages), and shapes not written (typed refusals). Each file is read back by our
 * reader and by LanceDB 0.39 and compared with the generated values.
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, rng, tempDir, writeFile, writeTable } from './helpers';
import { queryRows } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Int32, Int64, Uint16, Bool, Utf8, Float64, List, Struct, vectorFrom } = F;

function batchOf(schema: F.Schema, n: number, gen: Record<string, (i: number) => unknown>): F.RecordBatch {
  return new RecordBatch(schema, schema.fields.map((f) => vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(i)))) as never);
}

async function roundTrip(dir: string, name: string, schema: F.Schema, batches: F.RecordBatch[], version: F.LanceFileVersion, pageByteLength?: number): Promise<void> {
  const { bytes, summary } = writeFile(schema, batches, pageByteLength === undefined ? { version } : { version, pageByteLength });
  const ours = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
  writeTable(dir, name, schema, bytes, summary.numRows, version);
  const rows = await queryRows(await (await lancedb.connect(dir)).openTable(name));
  for (const f of schema.fields) {
    const want = batches.flatMap((b) => plainColumn(b, f.name));
    expect({ field: f.name, ours: plainColumn(ours, f.name) }).toEqual({ field: f.name, ours: want });
    expect({ field: f.name, lancedb: rows.map((r) => r[f.name]) }).toEqual({ field: f.name, lancedb: want });
  }
}

const nested = new Schema([
  new Field('id', new Int32(), false),
  new Field('flag', new Bool()),
  new Field('n', new Int64()),
  new Field('u', new Uint16(), false),
  new Field('nothing', new Float64()),
  new Field('l', new List(new Field('item', new Int32()))),
  new Field('outer', new Struct([new Field('inner', new Struct([new Field('x', new Int32()), new Field('s', new Utf8())])), new Field('tags', new List(new Field('item', new Utf8())))])),
]);

const nestedGen: Record<string, (i: number) => unknown> = {
  id: (i) => i,
  flag: (i) => (i % 3 === 0 ? null : i % 2 === 0),
  n: (i) => (i % 5 === 0 ? null : BigInt(i) * 1000003n),
  u: (i) => (i * 7) % 65536,
  nothing: () => null,
  l: (i) => (i % 4 === 0 ? null : i % 4 === 1 ? [] : [i, i % 3 === 0 ? null : -i]),
  outer: (i) => (i % 9 === 0 ? null : { inner: i % 6 === 0 ? null : { x: i % 4 === 0 ? null : i, s: `s${i}` }, tags: i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => `t${k}`) }),
};

describe.each(['2.1', '2.2'] as const)('LanceFileWriter %s pages at their edges', (version) => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('vego-format-write21-');
  });
  afterAll(() => tmp.cleanup());

  it.each([1, 1023, 1024, 1025])('round-trips %d rows of nested and nullable columns', async (n) => {
    await roundTrip(tmp.dir, `n${n}`, nested, [batchOf(nested, n, nestedGen)], version);
  });

  it('writes columns of many small pages (several batches)', async () => {
    const batches = [batchOf(nested, 700, nestedGen), batchOf(nested, 1, nestedGen), batchOf(nested, 1500, nestedGen)];
    await roundTrip(tmp.dir, 'pages', nested, batches, version, 2048);
  });

  it('writes pages whose lists are all null or empty (levels, no values)', async () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('l', new List(new Field('item', new Utf8()))), new Field('k', new List(new Field('item', new Int64())))]);
    const b = batchOf(schema, 300, { id: (i) => i, l: (i) => (i % 2 === 0 ? null : []), k: () => [] });
    await roundTrip(tmp.dir, 'empty-lists', schema, [b], version);
    // Many such pages: the joined column holds no values (it was read as one per row, and refused).
    await roundTrip(tmp.dir, 'empty-lists-pages', schema, [b, batchOf(schema, 77, { id: (i) => i, l: () => null, k: () => [] })], version, 64);
    expect(F.LanceFileReader.openSync(new F.MemorySource(writeFile(schema, [b], { version, pageByteLength: 64 }).bytes)).columnSummarySync(1).pages).toBeGreaterThan(3);
  });

  it('writes an empty file', () => {
    const { bytes, summary } = writeFile(nested, [], { version });
    expect(summary.numRows).toBe(0);
    expect(F.LanceFileReader.openSync(new F.MemorySource(bytes)).numRows).toBe(0);
  });

  it('writes strings larger than a 2.1 chunk (32 KiB; 2.1: full-zip pages)', async () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('s', new Utf8())]);
    // Random letters: FSST cannot shrink them below the chunk limit (mini-block pages refused them in 2.1).
    const r = rng(5);
    const b = batchOf(schema, 5, { id: (i) => i, s: (i) => Array.from({ length: 20_000 + i }, () => String.fromCharCode(33 + Math.floor(r() * 94))).join('') });
    await roundTrip(tmp.dir, 'big-strings', schema, [b], version);
    const encodings = F.LanceFileReader.openSync(new F.MemorySource(writeFile(schema, [b], { version }).bytes)).columnSummarySync(1).encodings.join();
    expect(encodings).toMatch(version === '2.1' ? /^full_zip/ : /^mini_block/);
  });

  it('writes compressible strings larger than a 2.1 chunk through FSST, and without it', async () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('s', new Utf8())]);
    const b = batchOf(schema, 5, { id: (i) => i, s: (i) => 'z'.repeat(20_000 + i) });
    await roundTrip(tmp.dir, 'fsst-big-strings', schema, [b], version);
    const withFsst = writeFile(schema, [b], { version }).bytes;
    const plainBytes = writeFile(schema, [b], { version, fsst: false }).bytes;
    expect(F.LanceFileReader.openSync(new F.MemorySource(withFsst)).columnSummarySync(1).encodings.join()).toMatch(/fsst/);
    expect(withFsst.length).toBeLessThan(plainBytes.length / 4);
    expect(plainColumn(F.LanceFileReader.openSync(new F.MemorySource(plainBytes)).readSync(), 's')).toEqual(plainColumn(b, 's'));
  });

  it('writes vectors inside lists and structs, and half floats', async () => {
    const { FixedSizeList, Float32, Float16 } = F;
    const schema = new Schema([
      new Field('id', new Int32(), false),
      new Field('lv', new List(new Field('item', new FixedSizeList(new Field('item', new Float32()), 4)))),
      new Field('sv', new Struct([new Field('v', new FixedSizeList(new Field('item', new Float32()), 80)), new Field('k', new Int32())])),
      new Field('h', new Float16()),
    ]);
    const b = batchOf(schema, 1100, {
      id: (i) => i,
      lv: (i) => (i % 7 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => [i, k, -i, 0.5])),
      sv: (i) => (i % 5 === 0 ? null : { v: i % 4 === 0 ? null : Array.from({ length: 80 }, (_, k) => i + k), k: i }),
      h: (i) => (i % 3 === 0 ? null : (i % 100) / 4),
    });
    await roundTrip(tmp.dir, 'vectors', schema, [b], version);
  });

  it('dictionary-encodes strings of few distinct values (smaller file, same values), and not when asked', async () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('cat', new Utf8()), new Field('tags', new List(new Field('item', new Utf8())))]);
    const b = batchOf(schema, 3000, {
      id: (i) => i,
      cat: (i) => (i % 9 === 0 ? null : ['red', 'green', 'blue', '', 'violet'][i % 5]),
      tags: (i) => (i % 4 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => `tag-${(i + k) % 7}`)),
    });
    const withDict = writeFile(schema, [b], { version }).bytes;
    const without = writeFile(schema, [b], { version, dictionary: false }).bytes;
    expect(withDict.length).toBeLessThan(without.length * 0.7);
    await roundTrip(tmp.dir, 'dict', schema, [b], version);
  });

  it('run-length encodes values with long runs (ints, floats, bytes; runs over 255 and chunk edges)', async () => {
    const { Int8, Float32 } = F;
    const schema = new Schema([
      new Field('id', new Int32(), false),
      new Field('group', new Int32(), false),
      new Field('same', new Int64(), false),
      new Field('level', new Float32()),
      new Field('b', new Int8(), false),
    ]);
    const b = batchOf(schema, 9000, {
      id: (i) => i,
      group: (i) => Math.floor(i / 700),
      same: () => 42n,
      level: (i) => (i % 1000 === 7 ? null : Math.floor(i / 300) / 2),
      b: (i) => (Math.floor(i / 50) % 3) - 1,
    });
    const rle = writeFile(schema, [b], { version }).bytes;
    expect(rle.length).toBeLessThan(9000 * 4);
    await roundTrip(tmp.dir, 'runs', schema, [b], version);
  });

  it('writes lists of lists (two and three levels, long strings inside) over many small pages', async () => {
    const item = (t: F.DataType): F.Field => new Field('item', t);
    const schema = new Schema([
      new Field('id', new Int32(), false),
      new Field('ll', new List(item(new List(item(new Int32()))))),
      new Field('lll', new List(item(new List(item(new List(item(new Int64()))))))),
      new Field('lls', new List(item(new List(item(new Utf8()))))),
    ]);
    const gen: Record<string, (i: number) => unknown> = {
      id: (i) => i,
      ll: (i) => (i % 7 === 0 ? null : i % 7 === 1 ? [] : Array.from({ length: i % 4 }, (_, k) => (k === 1 && i % 3 === 0 ? null : Array.from({ length: (i + k) % 4 }, (_, j) => (j === 1 ? null : i * 7 + j))))),
      lll: (i) => (i % 9 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 0 && i % 4 === 0 ? [] : [[BigInt(i)], null, [], [BigInt(-k), null]]))),
      lls: (i) => (i % 6 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => [k === 1 ? null : `s${i}`, i % 50 === 7 ? 'L'.repeat(20_000 + i) : ''])),
    };
    const batches = [batchOf(schema, 900, gen), batchOf(schema, 1, gen), batchOf(schema, 1300, gen)];
    await roundTrip(tmp.dir, 'lists-of-lists', schema, batches, version, 2048);
    await roundTrip(tmp.dir, 'lists-of-lists-1', schema, [batchOf(schema, 1025, gen)], version);
  });
});

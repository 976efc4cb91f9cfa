/**
 * Regression tests for issue 11, items 1 and 3: nested columns of tables LanceDB writes (2.0, 2.1 and
 * its default 2.2) read with the values the test generated, columns after a nested one included, and
 * `take` of every nested type, on LanceDB's data and on ours.
 */
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, Field, Int32, List, Schema, Struct, Utf8 } from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const N = 60;
const item = (t: arrow.DataType): arrow.Field => new arrow.Field('item', t, true);
const f = (name: string, t: arrow.DataType, nullable = true): arrow.Field => new arrow.Field(name, t, nullable);

function schema(): arrow.Schema {
  return new arrow.Schema([
    f('id', new arrow.Int32(), false),
    f('s', new arrow.Struct([f('a', new arrow.Int32()), f('b', new arrow.Utf8())])),
    f('l', new arrow.List(item(new arrow.Int32()))),
    f('tags', new arrow.List(item(new arrow.Utf8()))),
    f('ls', new arrow.List(item(new arrow.Struct([f('x', new arrow.Int32()), f('y', new arrow.Utf8())])))),
    f('sl', new arrow.Struct([f('n', new arrow.List(item(new arrow.Int32()))), f('t', new arrow.Utf8())])),
    f('ll', new arrow.List(item(new arrow.List(item(new arrow.Int32()))))),
    f('ss', new arrow.Struct([f('inner', new arrow.Struct([f('p', new arrow.Int32()), f('q', new arrow.Utf8())])), f('r', new arrow.Int64())])),
    // One distinct value plus nulls: LanceDB 2.2 writes constant pages with level buffers for these.
    f('cs', new arrow.Struct([f('v', new arrow.Utf8()), f('n', new arrow.Int32())])),
    f('cl', new arrow.List(item(new arrow.Utf8()))),
    f('tail', new arrow.Utf8()),
  ]);
}

type Row = Record<string, unknown>;

/**
 * Rows with empty and null lists, null items, null struct members, nesting depth 2, and null structs
 * unless `nullStructs` is false (LanceDB refuses them in 2.0 files: "Lance file version 2.0 does not
 * encode struct validity").
 */
function rows(n: number, seed: number, nullStructs = true): Row[] {
  const r = seededRandom(seed);
  const int = (): number => Math.floor(r() * 2000) - 1000;
  const ints = (k: number, nulls: boolean): (number | null)[] => Array.from({ length: k }, () => (nulls && r() < 0.2 ? null : int()));
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    s: nullStructs && i % 11 === 10 ? null : { a: i % 4 === 1 ? null : int(), b: i % 5 === 2 ? null : `b${i}` },
    l: i % 7 === 3 ? null : ints(i % 4, true),
    tags: i % 6 === 5 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 4 === 0 ? null : `tag-${(i * 7 + k) % 11}`)),
    ls: i % 9 === 4 ? null : Array.from({ length: i % 3 }, (_, k) => ({ x: k === 0 && i % 2 ? null : int(), y: `y${i}.${k}` })),
    sl: { n: i % 5 === 1 ? null : ints(i % 3, false), t: i % 8 === 0 ? null : `t${i}` },
    ll: i % 10 === 7 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 3 === 2 ? null : ints((i + k) % 3, true))),
    ss: { inner: { p: int(), q: i % 3 === 0 ? null : `q${i}` }, r: BigInt(int()) * 1_000_000_007n },
    cs: nullStructs && i % 13 === 12 ? null : { v: i % 3 === 0 ? null : 'same', n: i % 4 === 0 ? null : 5 },
    cl: i % 5 === 0 ? null : Array.from({ length: i % 3 }, () => 'k'),
    tail: i % 4 === 3 ? null : `tail ${i}`,
  }));
}

/** The generated rows as plain values (bigints as strings), the form `plainColumn` gives. */
function plainRows(rs: Row[]): Row[] {
  return JSON.parse(JSON.stringify(rs, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Row[];
}

const NAMES = schema().fields.map((x) => x.name);

/** Measured results, printed after the run: column (arrow type) × storage version. */
const matrix = new Map<string, Map<string, string>>();
function record(column: string, version: string, result: string): void {
  if (!matrix.has(column)) matrix.set(column, new Map());
  matrix.get(column)!.set(version, result);
}
afterAll(() => {
  const vs = ['2.0', '2.1', '2.2'];
  const lines = [`| column | ${vs.join(' | ')} |`, `|---|${vs.map(() => '---').join('|')}|`];
  for (const [c, row] of matrix) lines.push(`| ${c} | ${vs.map((v) => row.get(v) ?? '-').join(' | ')} |`);
  lines.push('(2.0 rows hold no null structs: LanceDB refuses them, "Lance file version 2.0 does not encode struct validity")');
  console.log(`nested read matrix (LanceDB 0.39 writes, vego Dataset reads):\n${lines.join('\n')}`);
});

describe.each([
  ['2.0', '2.0'],
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('nested columns of LanceDB %s tables (issue 11 items 1 and 3)', (_label, version) => {
  let root: string;
  let dir: string;
  const data = rows(N, 1101, version !== '2.0');
  const expected = plainRows(data);

  beforeAll(async () => {
    root = makeTempDir('nested');
    const db = await lancedb.connect(root);
    const opts = version === null ? { schema: schema() } : { schema: schema(), storageOptions: { new_table_data_storage_version: version } };
    await db.createTable('t', data, opts);
    dir = path.join(root, 't.lance');
  });
  afterAll(() => removeDir(root));

  it.each(NAMES)('item 1: scans column %s with the generated values', (name) => {
    const ds = Dataset.openSync(dir);
    const got = plainColumn(ds.scanSync({ columns: [name], batchSize: 17 }), name);
    const want = expected.map((row) => row[name]);
    record(`${name}: ${schema().fields.find((x) => x.name === name)!.type.toString()}`, version ?? '2.2', JSON.stringify(got) === JSON.stringify(want) ? 'exact' : 'WRONG');
    expect(got).toEqual(want);
  });

  it('item 1: reads every column together, and the columns after the nested ones', async () => {
    const ds = await Dataset.open(dir);
    const batches = [];
    for await (const b of ds.scan({ batchSize: 25 })) batches.push(b);
    for (const name of NAMES) expect(plainColumn(batches, name)).toEqual(expected.map((row) => row[name]));
    await ds.close();
  });

  it.each(NAMES)('item 3: takes rows of column %s in any order, repeats included', async (name) => {
    const ds = await Dataset.open(dir);
    const idx = [N - 1, 0, 17, 17, 3, 42, 5, 58, 1];
    const got = await ds.take(idx, { columns: [name] });
    expect(plainColumn([got], name)).toEqual(idx.map((k) => expected[k]![name]));
    await ds.close();
  });

  it('item 1: a delete by vego leaves the nested rows readable', () => {
    const copy = path.join(root, `copy-${Math.random().toString(36).slice(2)}`);
    require('node:fs').cpSync(dir, copy, { recursive: true });
    const ds = Dataset.openSync(copy);
    ds.deleteRowsSync([0, 5, 6, 30]);
    const after = Dataset.openSync(copy);
    const keep = expected.filter((_r, i) => ![0, 5, 6, 30].includes(i));
    for (const name of NAMES) expect(plainColumn(after.scanSync({ columns: [name] }), name)).toEqual(keep.map((row) => row[name]));
  });
});

describe('take of nested columns on datasets vego writes (issue 11 item 3)', () => {
  it('takes list<utf8>, list<int32>, struct and list<list> rows', () => {
    const root = makeTempDir('nested-ours');
    try {
      const dir = path.join(root, 'ours');
      const data = rows(N, 7, false).map((r) => ({ id: r.id, tags: r.tags, l: r.l, s: r.s }));
      const item = (t: Int32 | Utf8): Field => new Field('item', t);
      const ours = new Schema([
        new Field('id', new Int32(), false),
        new Field('tags', new List(item(new Utf8()))),
        new Field('l', new List(item(new Int32()))),
        new Field('s', new Struct([new Field('a', new Int32()), new Field('b', new Utf8())])),
      ]);
      const ds = Dataset.createSync(dir, data, { schema: ours });
      const idx = [5, 1, 1, 59, 30, 0];
      const got = ds.takeSync(idx);
      const want = plainRows(data);
      for (const name of ['id', 'tags', 'l', 's']) expect(plainColumn([got], name)).toEqual(idx.map((k) => want[k]![name]));
    } finally {
      removeDir(root);
    }
  });
});

/**
 * Regression tests for issue 11 items 4 and 6 at the dataset level: schema evolution by LanceDB
 * (dropColumns, alterColumns rename/cast/nullable, addColumns, nested rename and drop) keeps the dataset
 * readable, with columns mapped to data files by field id as Lance does (a fragment then has several data
 * files); a column of a type vego cannot read is refused by name while projections around it work; and
 * datasets with stable row ids or an index section open and read. Every value is compared with what the
 * test generated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, NotSupportedError, TypeId } from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const N = 80;

type Row = Record<string, unknown>;

function makeRows(seed: number): Row[] {
  const r = seededRandom(seed);
  return Array.from({ length: N }, (_, i) => ({
    a: Math.floor(r() * 1e6),
    b: i * 3 - 40,
    s: { x: i % 5 === 0 ? null : i * 7, y: `y${i % 9}` },
    c: i % 6 === 1 ? null : `c-${i}`,
  }));
}

function schema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('a', new arrow.Int32(), true),
    new arrow.Field('b', new arrow.Int32(), false),
    new arrow.Field('s', new arrow.Struct([new arrow.Field('x', new arrow.Int32(), true), new arrow.Field('y', new arrow.Utf8(), true)]), true),
    new arrow.Field('c', new arrow.Utf8(), false),
  ]);
}

/** Every file under `dir` (relative paths, sorted). */
function listAll(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

function readAll(dir: string): Record<string, unknown[]> {
  const ds = Dataset.openSync(dir);
  const out: Record<string, unknown[]> = {};
  const batches = [...ds.scanSync({ batchSize: 33 })];
  for (const f of ds.schema.fields) out[f.name] = plainColumn(batches, f.name);
  return out;
}

describe.each([
  ['2.0', '2.0'],
  ['2.2 (LanceDB default)', null],
])('schema evolution by LanceDB on %s tables (issue 11 item 4)', (_label, version) => {
  let root: string;
  let table: lancedb.Table;
  let dir: string;
  const rows = makeRows(404);
  const col = (k: string): unknown[] => rows.map((r) => r[k] ?? null);

  beforeAll(async () => {
    root = makeTempDir('evolution');
    const db = await lancedb.connect(root);
    const opts = version === null ? { schema: schema() } : { schema: schema(), storageOptions: { new_table_data_storage_version: version } };
    // c is declared non-null, with nulls given only after the nullable change below.
    table = await db.createTable('t', rows.map((r) => ({ ...r, c: r.c ?? 'filled' })), opts);
    dir = path.join(root, 't.lance');
  });
  afterAll(() => removeDir(root));

  it('steps through drop, rename, cast, nullable, add, nested rename and nested drop', async () => {
    const c0 = rows.map((r) => r.c ?? 'filled');
    await table.dropColumns(['a']);
    let got = readAll(dir);
    expect(Object.keys(got)).toEqual(['b', 's', 'c']);
    expect(got.b).toEqual(col('b'));
    expect(got.s).toEqual(col('s'));
    expect(got.c).toEqual(c0);

    await table.alterColumns([{ path: 'b', rename: 'bb' }]);
    got = readAll(dir);
    expect(Object.keys(got)).toEqual(['bb', 's', 'c']);
    expect(got.bb).toEqual(col('b'));

    await table.alterColumns([{ path: 'bb', dataType: new arrow.Int64() } as never]);
    const ds = Dataset.openSync(dir);
    expect(ds.schema.field('bb')!.type.typeId).toBe(TypeId.Int64);
    expect(ds.fragmentFiles()[0]!.paths.length).toBe(2); // the cast column lives in a second data file
    got = readAll(dir);
    expect(got.bb).toEqual(rows.map((r) => String(r.b)));
    expect(got.c).toEqual(c0);

    await table.alterColumns([{ path: 'c', nullable: true }]);
    expect(Dataset.openSync(dir).schema.field('c')!.nullable).toBe(true);

    await table.addColumns([{ name: 'd', valueSql: 'bb * 2' }]);
    got = readAll(dir);
    expect(Object.keys(got)).toEqual(['bb', 's', 'c', 'd']);
    expect(got.d).toEqual(rows.map((r) => String((r.b as number) * 2)));
    expect(Dataset.openSync(dir).fragmentFiles()[0]!.paths.length).toBe(3);

    await table.alterColumns([{ path: 's.x', rename: 'xx' }]);
    got = readAll(dir);
    expect(got.s).toEqual(rows.map((r) => ({ xx: (r.s as Row).x, y: (r.s as Row).y })));

    await table.dropColumns(['s.y']);
    got = readAll(dir);
    expect(got.s).toEqual(rows.map((r) => ({ xx: (r.s as Row).x })));

    // Nulls after the nullable change, a LanceDB delete, and a take across the three data files.
    await table.add(rows.slice(0, 10).map((r, i) => ({ bb: BigInt(1000 + i), s: { xx: i }, c: i % 2 ? null : `new${i}`, d: BigInt(i) })));
    await table.delete('bb = 5');
    const after = Dataset.openSync(dir);
    const keep = rows.map((r, i) => i).filter((i) => rows[i]!.b !== 5);
    expect(after.countRows()).toBe(keep.length + 10);
    got = readAll(dir);
    expect(got.bb).toEqual([...keep.map((i) => String(rows[i]!.b)), ...Array.from({ length: 10 }, (_, i) => String(1000 + i))]);
    expect(got.c).toEqual([...keep.map((i) => c0[i]), ...Array.from({ length: 10 }, (_, i) => (i % 2 ? null : `new${i}`))]);
    const taken = await after.take([keep.length + 3, 0, 7], { columns: ['s', 'd', 'c'] });
    expect(plainColumn([taken], 'd')).toEqual(['3', String((rows[keep[0]!]!.b as number) * 2), String((rows[keep[7]!]!.b as number) * 2)]);
    expect(plainColumn([taken], 's')).toEqual([{ xx: 3 }, { xx: (rows[keep[0]!]!.s as Row).x }, { xx: (rows[keep[7]!]!.s as Row).x }]);
  });
});

describe('datasets LanceDB marks in other ways (issue 11: stable row ids, index section)', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('marks')));
  afterAll(() => removeDir(root));

  it.each([['2.0', '2.0'], ['2.2', null]])('reads a %s table with stable row ids after appends and deletes', async (_l, version) => {
    const db = await lancedb.connect(root);
    const name = `stable_${version ?? 'default'}`.replace('.', '_');
    const storageOptions: Record<string, string> = { new_table_enable_stable_row_ids: 'true' };
    if (version !== null) storageOptions.new_table_data_storage_version = version;
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, tag: `t${i % 7}` }));
    const t = await db.createTable(name, rows.slice(0, 200), { storageOptions });
    await t.add(rows.slice(200));
    await t.delete('id % 10 = 4');
    const ds = Dataset.openSync(path.join(root, `${name}.lance`));
    const live = rows.filter((r) => r.id % 10 !== 4);
    expect(ds.countRows()).toBe(live.length);
    const batches = [...ds.scanSync()];
    expect(plainColumn(batches, 'id')).toEqual(live.map((r) => r.id));
    expect(plainColumn(batches, 'tag')).toEqual(live.map((r) => r.tag));
    // Writing would drop the fragments' row-id sequences (LanceDB then fails: "All fragments must have row ids"):
    // refused before anything is written.
    const before = listAll(path.join(root, `${name}.lance`));
    expect(() => ds.deleteRowsSync([0])).toThrow(/stable row ids/);
    expect(() => ds.compactSync()).toThrow(/stable row ids/);
    expect(listAll(path.join(root, `${name}.lance`))).toEqual(before);
    expect(() => Dataset.createSync(path.join(root, `${name}.lance`), [{ id: 1, tag: 'x' }], { mode: 'append' })).toThrow(NotSupportedError);
    expect(await (await db.openTable(name)).countRows()).toBe(live.length);
  });

  it('reads a table after LanceDB createIndex (scalar and vector index sections)', async () => {
    const db = await lancedb.connect(root);
    const r = seededRandom(9);
    const rows = Array.from({ length: 512 }, (_, i) => ({ id: i, vector: Array.from({ length: 8 }, () => r()), cat: `k${i % 4}` }));
    const t = await db.createTable('indexed', rows);
    await t.createIndex('id');
    await t.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: 2, numSubVectors: 2 }) });
    expect((await t.listIndices()).length).toBe(2);
    const ds = Dataset.openSync(path.join(root, 'indexed.lance'));
    const batches = [...ds.scanSync()];
    expect(plainColumn(batches, 'id')).toEqual(rows.map((x) => x.id));
    expect(plainColumn(batches, 'cat')).toEqual(rows.map((x) => x.cat));
    expect(plainColumn(batches, 'vector')).toEqual(rows.map((x) => Array.from(Float32Array.from(x.vector))));
  });
});

describe('a column vego cannot read (issue 11 item 4: projection around it)', () => {
  it('refuses the map column by name, reads the others, and refuses writes that would drop it', async () => {
    const root = makeTempDir('unsupported');
    try {
      const entries = new arrow.Struct([new arrow.Field('key', new arrow.Utf8(), false), new arrow.Field('value', new arrow.Int32(), true)]);
      const mapType = new arrow.Map_(new arrow.Field('entries', entries, false));
      const sch = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('m', mapType, true), new arrow.Field('after', new arrow.Utf8(), true)]);
      const tbl = new arrow.Table(sch, {
        id: arrow.vectorFromArray([0, 1, 2], new arrow.Int32()),
        m: arrow.vectorFromArray([new Map([['a', 1]]), null, new Map([['b', 2]])], mapType),
        after: arrow.vectorFromArray(['x', null, 'z'], new arrow.Utf8()),
      } as never);
      const db = await lancedb.connect(root);
      await db.createTable('t', tbl as never);
      const dir = path.join(root, 't.lance');
      const ds = Dataset.openSync(dir);
      expect(ds.unsupportedColumns).toEqual([{ name: 'm', logicalType: 'map' }]);
      expect(ds.schema.fields.map((f) => f.name)).toEqual(['id', 'after']);
      expect(() => [...ds.scanSync()]).toThrow(NotSupportedError);
      expect(() => [...ds.scanSync({ columns: ['m'] })]).toThrow(/column "m" of .* has type map/);
      const b = [...ds.scanSync({ columns: ['after', 'id'] })];
      expect(plainColumn(b, 'after')).toEqual(['x', null, 'z']);
      expect(plainColumn([await ds.take([2, 0], { columns: ['id'] })], 'id')).toEqual([2, 0]);
      await expect(ds.take([0], { columns: ['m'] })).rejects.toThrow(NotSupportedError);
      const before = listAll(dir);
      expect(() => Dataset.createSync(dir, [{ id: 9, after: 'w' }], { mode: 'append' })).toThrow(/column "m" has type map/);
      expect(listAll(dir)).toEqual(before);
      // A delete writes no data file, so the column survives it.
      ds.deleteRowsSync([1]);
      const again = Dataset.openSync(dir);
      expect(again.unsupportedColumns.map((u) => u.name)).toEqual(['m']);
      expect(plainColumn([...again.scanSync({ columns: ['id'] })], 'id')).toEqual([0, 2]);
    } finally {
      removeDir(root);
    }
  });
});

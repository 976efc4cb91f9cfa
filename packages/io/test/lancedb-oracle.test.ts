/**
 * Oracle tests against LanceDB 0.39: datasets it writes (Lance 2.0 files, V2 manifest naming) open
 * here, and datasets written here open in LanceDB, which can query and append to them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, Field, FixedSizeList, Float32, Float64, Schema, TypeId, Utf8 } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

const V2_OPTS = { storageOptions: { new_table_data_storage_version: '2.0' } };

function plain(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) || (v && typeof v === 'object' && 'toArray' in v) ? Array.from(v as unknown as ArrayLike<number>) : v])));
}

function readAll(ds: Dataset): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const b of ds.scanSync()) {
    for (let i = 0; i < b.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (const f of b.schema.fields) {
        const v = b.column(f.name).get(i);
        row[f.name] = v instanceof Float32Array || v instanceof Float64Array ? Array.from(v) : v;
      }
      out.push(row);
    }
  }
  return out;
}

describe('LanceDB oracle', () => {
  let root: string;
  let db: lancedb.Connection;
  beforeAll(async () => {
    root = makeTempDir('oracle');
    db = await lancedb.connect(root);
  });
  afterAll(() => removeDir(root));

  it('opens a dataset LanceDB wrote and appended to (V2 naming), at every version', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `name-${i % 5}`, note: i % 3 === 0 ? null : `n${i}` }));
    const t = await db.createTable('theirs', rows.slice(0, 200), V2_OPTS);
    await t.add(rows.slice(200));
    const dir = path.join(root, 'theirs.lance');
    expect(fs.readdirSync(path.join(dir, '_versions')).filter((n) => n.endsWith('.manifest')).sort()).toEqual([
      '18446744073709551613.manifest',
      '18446744073709551614.manifest',
    ]);
    const ds = Dataset.openSync(dir);
    expect(ds.version).toBe(2);
    expect(ds.manifestNaming).toBe('v2');
    expect(ds.countRows()).toBe(300);
    expect(ds.schema.fields.map((f) => [f.name, f.type.typeId])).toEqual([
      ['id', TypeId.Float64],
      ['name', TypeId.Utf8],
      ['note', TypeId.Utf8],
    ]);
    expect(readAll(ds)).toEqual(rows); // includes LanceDB's dictionary-encoded low-cardinality strings
    expect(readAll(Dataset.openSync(dir, { version: 1 }))).toEqual(rows.slice(0, 200));
    const taken = await ds.take([299, 0, 150]);
    expect([0, 1, 2].map((i) => taken.column('id').get(i))).toEqual([299, 0, 150]);
    await ds.close();

    // Append here; LanceDB sees it, appends again; we see that.
    const mine = Dataset.createSync(dir, [{ id: 300, name: 'vego', note: null }], { mode: 'append' });
    expect(mine.version).toBe(3);
    const again = await (await lancedb.connect(root)).openTable('theirs');
    expect(await again.countRows()).toBe(301);
    expect(await again.countRows("name = 'vego'")).toBe(1);
    await again.add([{ id: 301, name: 'lancedb', note: 'x' }]);
    const last = Dataset.openSync(dir);
    expect(last.version).toBe(4);
    expect(readAll(last).slice(-2)).toEqual([
      { id: 300, name: 'vego', note: null },
      { id: 301, name: 'lancedb', note: 'x' },
    ]);
  });

  it('writes datasets LanceDB opens, queries, searches and appends to (V2 and V1 naming)', async () => {
    for (const naming of ['v2', 'v1'] as const) {
      const name = `ours-${naming}`;
      const dir = path.join(root, `${name}.lance`);
      const schema = new Schema([
        new Field('id', new Float64()),
        new Field('label', new Utf8()),
        new Field('vector', new FixedSizeList(new Field('item', new Float32(), true), 4)),
      ]);
      const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, label: i % 2 ? 'odd' : null, vector: [i, i + 1, i + 2, i + 3] }));
      Dataset.createSync(dir, rows.slice(0, 400), { schema, manifestNaming: naming, maxRowsPerFile: 250 });
      const ds = Dataset.createSync(dir, rows.slice(400), { mode: 'append' });
      expect(ds.version).toBe(2);
      if (naming === 'v1') expect(fs.readdirSync(path.join(dir, '_versions')).sort()).toEqual(['1.manifest', '2.manifest']);

      const t = await db.openTable(name);
      expect(await t.version()).toBe(2);
      expect(await t.countRows()).toBe(500);
      expect(await t.countRows('id >= 450')).toBe(50);
      expect(await t.countRows('label IS NULL')).toBe(250);
      const got = plain(await t.query().where('id < 3 OR id = 499').toArray());
      expect(got).toEqual([rows[0], rows[1], rows[2], rows[499]].map((r) => ({ ...r })));
      const hits = await t.search([100, 101, 102, 103]).limit(2).toArray();
      expect(hits[0].id).toBe(100);
      await t.checkout(1);
      expect(await t.countRows()).toBe(400);
      await t.checkoutLatest();

      await t.add([{ id: 1000, label: 'from-lancedb', vector: [0, 0, 0, 0] }]);
      const after = Dataset.openSync(dir);
      expect(after.version).toBe(3);
      expect(after.countRows()).toBe(501);
      const tail = after.takeSync([500]);
      expect(tail.column('label').get(0)).toBe('from-lancedb');
      expect(Array.from(tail.column('vector').get(0) as Float32Array)).toEqual([0, 0, 0, 0]);
    }
  });
});

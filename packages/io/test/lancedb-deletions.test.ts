/**
 * Oracle tests against LanceDB 0.39 for deleted rows and fragments of several data files: datasets
 * where LanceDB deleted rows (`.arrow` and Roaring `.bin` deletion files) or added columns open
 * here with LanceDB's own query results at every version; deletes written here are read by LanceDB.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { CorruptDataError, Dataset, NotFoundError } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

const V2_OPTS = { storageOptions: { new_table_data_storage_version: '2.0' } };

function ids(ds: Dataset): number[] {
  const out: number[] = [];
  for (const b of ds.scanSync({ columns: ['id'] })) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

async function theirIds(t: lancedb.Table): Promise<number[]> {
  const rows = await t.query().select(['id']).toArray();
  return rows.map((r) => r.id as number).sort((a, b) => a - b);
}

function deletionFiles(dir: string): string[] {
  const d = path.join(dir, '_deletions');
  return fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
}

describe('LanceDB oracle: deletions and several data files per fragment', () => {
  let root: string;
  let db: lancedb.Connection;
  beforeAll(async () => {
    root = makeTempDir('oracle-del');
    db = await lancedb.connect(root);
  });
  afterAll(() => removeDir(root));

  it('reads LanceDB deletes (.arrow, then Roaring .bin) and addColumns at every version', async () => {
    const rows = Array.from({ length: 10000 }, (_, i) => ({ id: i, name: `n${i % 7}` }));
    const t = await db.createTable('theirs', rows, V2_OPTS);
    await t.delete('id % 3 = 0'); // 3334 rows: an .arrow file
    await t.delete('id >= 2000 AND id < 7000'); // 8001 in total: a Roaring .bin file
    await t.addColumns([{ name: 'doubled', valueSql: 'id * 2' }]); // a second data file per fragment
    const dir = path.join(root, 'theirs.lance');
    expect(deletionFiles(dir).map((n) => path.extname(n))).toEqual(['.arrow', '.bin']);
    for (let v = 1; v <= 4; v++) {
      await t.checkout(v);
      const ds = await Dataset.open(dir, { version: v });
      expect(ds.countRows()).toBe(await t.countRows());
      expect(ids(ds)).toEqual(await theirIds(t));
      // Positions in take/offset count live rows only.
      const expected = await theirIds(t);
      const picked = [expected.length - 1, 0, 17, 17];
      const taken = await ds.take(picked, { columns: ['id'] });
      expect([0, 1, 2, 3].map((i) => taken.column('id').get(i))).toEqual(picked.map((p) => expected[p]));
      expect(ds.takeSync(picked, { columns: ['id'] }).column('id').get(0)).toBe(expected[expected.length - 1]);
      const page = ds.toTableSync({ columns: ['id'], offset: 100, limit: 50 });
      expect(page.batches.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.column('id').get(i)))).toEqual(expected.slice(100, 150));
      await ds.close();
    }
    await t.checkoutLatest();
    const latest = await Dataset.open(dir);
    expect(latest.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'doubled']);
    const theirs = await t.query().toArray();
    const mine = (await latest.toTable()).batches.flatMap((b) =>
      Array.from({ length: b.numRows }, (_, i) => ({ id: b.column('id').get(i), name: b.column('name').get(i), doubled: b.column('doubled').get(i) })),
    );
    expect(mine).toEqual(theirs.map((r) => ({ id: r.id, name: r.name, doubled: Number(r.doubled) })).sort((a, b) => (a.id as number) - (b.id as number)));
    const scanned: number[] = [];
    for await (const b of latest.scan({ columns: ['doubled', 'id'], batchSize: 333 })) {
      expect(b.numRows).toBeLessThanOrEqual(333);
      for (let i = 0; i < b.numRows; i++) expect(Number(b.column('doubled').get(i))).toBe(2 * (b.column('id').get(i) as number));
      scanned.push(b.numRows);
    }
    expect(scanned.reduce((a, b) => a + b, 0)).toBe(latest.countRows());
    expect(latest.countRows()).toBe(3333);
    await latest.close();

    // We delete on top of LanceDB's deletes and added column; LanceDB agrees; then it deletes again.
    const after = latest.deleteSync((row) => (row.id as number) % 5 === 1, { columns: ['id'] });
    expect(after.version).toBe(5);
    await t.checkoutLatest();
    expect(await t.countRows()).toBe(after.countRows());
    expect(await theirIds(t)).toEqual(ids(after));
    expect(await t.countRows('id % 5 = 1')).toBe(0);
    await t.delete('id < 100');
    const last = await Dataset.open(dir);
    expect(last.version).toBe(6);
    expect(ids(last)).toEqual(await theirIds(t));
  });

  it('writes deletes LanceDB reads: small sets as .arrow, large as Roaring .bin, whole fragments dropped', async () => {
    const dir = path.join(root, 'ours.lance');
    const rows = Array.from({ length: 12000 }, (_, i) => ({ id: i, label: `l${i}` }));
    const v1 = Dataset.createSync(dir, rows, { maxRowsPerFile: 8000 }); // fragments of 8000 and 4000 rows
    const v2 = v1.deleteSync((row) => (row.id as number) % 10 === 3);
    expect(deletionFiles(dir).every((n) => n.endsWith('.arrow'))).toBe(true);
    const t = await db.openTable('ours');
    expect(await t.countRows()).toBe(10800);
    expect(await t.countRows('id % 10 = 3')).toBe(0);
    // 5000 more rows of fragment 0 (live positions 0..4999): 5800 deleted there, a Roaring .bin file.
    const v3 = v2.deleteRowsSync(Array.from({ length: 5000 }, (_, k) => k));
    expect(deletionFiles(dir).filter((n) => n.endsWith('.bin'))).toHaveLength(1);
    // Everything left in fragment 1 (live positions 2200..5799): the fragment is dropped.
    const v4 = v3.deleteRowsSync(Array.from({ length: 3600 }, (_, k) => 2200 + k));
    expect(v4.numFragments).toBe(1);
    expect(v4.countRows()).toBe(2200);
    await t.checkoutLatest();
    expect(await t.version()).toBe(4);
    expect(await t.countRows()).toBe(v4.countRows());
    expect(await theirIds(t)).toEqual(ids(v4));
    for (let v = 1; v <= 4; v++) {
      await t.checkout(v);
      expect(await theirIds(t)).toEqual(ids(Dataset.openSync(dir, { version: v })));
    }
    // LanceDB deletes on top of ours, we read its file.
    await t.checkoutLatest();
    await t.delete('id >= 11990');
    expect(ids(await Dataset.open(dir))).toEqual(await theirIds(t));
    // Deleting from an old version conflicts and leaves nothing behind.
    const before = deletionFiles(dir);
    expect(() => v1.deleteRowsSync([0])).toThrow(/already exists/);
    expect(deletionFiles(dir)).toEqual(before);
  });

  it('gives typed errors for missing, truncated or corrupt deletion files', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: i }));
    const t = await db.createTable('hostile', rows, V2_OPTS);
    await t.delete('id < 10');
    const dir = path.join(root, 'hostile.lance');
    const [name] = deletionFiles(dir);
    const p = path.join(dir, '_deletions', name!);
    const original = fs.readFileSync(p);
    const ds = await Dataset.open(dir);
    expect(ds.countRows()).toBe(290); // from the manifest, no file read
    fs.writeFileSync(p, original.subarray(0, original.length - 20));
    expect(() => ids(Dataset.openSync(dir))).toThrow(CorruptDataError);
    expect(() => ids(Dataset.openSync(dir))).toThrow(p);
    const flipped = Buffer.from(original);
    flipped.fill(0, 8, 64);
    fs.writeFileSync(p, flipped);
    expect(() => ids(Dataset.openSync(dir))).not.toThrow(); // padding only
    fs.writeFileSync(p, Buffer.from('not an arrow file at all'));
    expect(() => ids(Dataset.openSync(dir))).toThrow(/ARROW1/);
    fs.unlinkSync(p);
    expect(() => ids(Dataset.openSync(dir))).toThrow(NotFoundError);
    await expect(Dataset.openSync(dir).take([0])).rejects.toThrow(NotFoundError);
  });
});

/**
 * vego deleting from a handle opened before a LanceDB commit: with `conflictRetries` the delete (by
 * position or predicate) or append-and-delete is committed on top of LanceDB's version when every
 * fragment it touches is unchanged there (LanceDB's add, its delete or update in other fragments),
 * deleting the same rows; when LanceDB changed one of them (a delete in one of them, optimize, an
 * overwrite) it is a ConflictError and nothing of ours is left behind. Without `conflictRetries`
 * every such commit is a ConflictError. Rows are checked through LanceDB and through vego.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { ConflictError, Dataset } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { positionsWhere } from './fixtures/positions';

type Row = { id: number; s: string };

/** Three fragments: ids 0–19, 20–39, 40–59. */
const BASE: Row[] = Array.from({ length: 60 }, (_, i) => ({ id: i, s: `a${i}` }));

/** Our operations on a stale handle, the fragments each deletes from, and what each does to a model. */
const VEGO: Record<string, { run: (ds: Dataset, retries: number) => Promise<unknown>; touches: number[]; model: (rows: Row[]) => Row[] }> = {
  deleteRows: {
    run: (ds, retries) => ds.deleteRows(positionsWhere(ds, 'id', (id) => id === 3 || id === 25), { conflictRetries: retries }),
    touches: [0, 1],
    model: (rows) => rows.filter((r) => r.id !== 3 && r.id !== 25),
  },
  'deleteRows of a whole fragment': {
    run: (ds, retries) => ds.deleteRows(positionsWhere(ds, 'id', (id) => id >= 20 && id < 40), { conflictRetries: retries }),
    touches: [1],
    model: (rows) => rows.filter((r) => r.id < 20 || r.id >= 40),
  },
  delete: {
    run: (ds, retries) => ds.delete((row) => (row['id'] as number) < 40 && (row['id'] as number) % 10 === 0, { columns: ['id'], conflictRetries: retries }),
    touches: [0, 1],
    model: (rows) => rows.filter((r) => !(r.id < 40 && r.id % 10 === 0)),
  },
  appendAndDelete: {
    run: (ds, retries) => ds.appendAndDelete([{ id: 1100, s: 'v1100' }], positionsWhere(ds, 'id', (id) => id === 12), { conflictRetries: retries }),
    touches: [0],
    model: (rows) => [...rows.filter((r) => r.id !== 12), { id: 1100, s: 'v1100' }],
  },
};

/** LanceDB's commits after our handle was opened, and the fragments of ours each changes ('all': every one). */
const LANCEDB: Record<string, { run: (t: lancedb.Table) => Promise<unknown>; model: (rows: Row[]) => Row[]; changes: number[] | 'all' }> = {
  add: { run: (t) => t.add([{ id: 2000, s: 'l2000' }]), model: (rows) => [...rows, { id: 2000, s: 'l2000' }], changes: [] },
  'delete in fragment 2': { run: (t) => t.delete('id = 45'), model: (rows) => rows.filter((r) => r.id !== 45), changes: [2] },
  'update in fragment 2': { run: (t) => t.update({ where: 'id = 48', values: { s: 'upd' } }), model: (rows) => rows.map((r) => (r.id === 48 ? { ...r, s: 'upd' } : r)), changes: [2] },
  'delete in fragment 0': { run: (t) => t.delete('id = 5'), model: (rows) => rows.filter((r) => r.id !== 5), changes: [0] },
  optimize: { run: (t) => t.optimize(), model: (rows) => rows, changes: 'all' },
  overwrite: { run: (t) => t.add([{ id: 900, s: 'o900' }], { mode: 'overwrite' }), model: () => [{ id: 900, s: 'o900' }], changes: 'all' },
};

const sorted = (rows: Row[]): Row[] => [...rows].sort((a, b) => a.id - b.id || (a.s < b.s ? -1 : 1));

function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

async function lanceRows(root: string, name: string): Promise<Row[]> {
  const t = await (await lancedb.connect(root)).openTable(name);
  return sorted((await t.query().toArray()).map((r) => ({ id: Number(r.id), s: String(r.s) })));
}

function vegoRows(dir: string): Row[] {
  const out: Row[] = [];
  for (const b of Dataset.openSync(dir).scanSync()) for (let i = 0; i < b.numRows; i++) out.push({ id: Number(b.column('id').get(i)), s: String(b.column('s').get(i)) });
  return sorted(out);
}

describe('vego deletes re-based over LanceDB commits (conflictRetries)', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('rebase-deletes')));
  afterAll(() => removeDir(root));

  async function setUp(name: string): Promise<{ dir: string; ds: Dataset; table: lancedb.Table }> {
    const db = await lancedb.connect(root);
    const table = await db.createTable(name, BASE.slice(0, 20));
    await table.add(BASE.slice(20, 40));
    await table.add(BASE.slice(40));
    const dir = path.join(root, `${name}.lance`);
    const ds = await Dataset.open(dir);
    return { dir, ds, table };
  }

  const cases = Object.keys(VEGO).flatMap((v) => Object.keys(LANCEDB).map((l) => [v, l] as const));
  it.each(cases)('vego %s after LanceDB %s', async (vegoOp, lanceOp) => {
    const name = `${vegoOp}-${lanceOp}`.replace(/\W+/g, '_');
    const { dir, ds, table } = await setUp(name);
    const l = LANCEDB[lanceOp]!;
    const v = VEGO[vegoOp]!;
    const compatible = l.changes !== 'all' && !v.touches.some((f) => (l.changes as number[]).includes(f));
    await l.run(table);
    const theirs = l.model(BASE);
    const before = { data: filesUnder(path.join(dir, 'data')), deletions: filesUnder(path.join(dir, '_deletions')), versions: filesUnder(path.join(dir, '_versions')) };
    const done = v.run(ds, 1);
    if (compatible) {
      await done;
      const want = sorted(v.model(theirs));
      expect(await lanceRows(root, name)).toEqual(want);
      expect(vegoRows(dir)).toEqual(want);
    } else {
      await expect(done).rejects.toBeInstanceOf(ConflictError);
      await expect(done).rejects.toThrow(/another writer (changed|removed) fragment/);
      // Nothing of ours is left: LanceDB's table as it left it, no file added.
      expect(await lanceRows(root, name)).toEqual(sorted(theirs));
      expect({ data: filesUnder(path.join(dir, 'data')), deletions: filesUnder(path.join(dir, '_deletions')), versions: filesUnder(path.join(dir, '_versions')) }).toEqual(before);
    }
    await ds.close();
  });

  it('without conflictRetries every stale commit is a ConflictError, and with it a LanceDB index is kept', async () => {
    const { dir, ds, table } = await setUp('strict');
    await table.add([{ id: 2000, s: 'l2000' }]);
    await expect(ds.deleteRows(positionsWhere(ds, 'id', (id) => id === 3))).rejects.toBeInstanceOf(ConflictError);
    expect(await lanceRows(root, 'strict')).toEqual(sorted([...BASE, { id: 2000, s: 'l2000' }]));
    // An index LanceDB builds meanwhile (the latest version's index section) is carried over by the re-based commit.
    await table.createIndex('id');
    const stale = await ds.deleteRows(positionsWhere(ds, 'id', (id) => id === 7), { conflictRetries: 2 });
    expect(stale.indices().map((i) => i.columns)).toEqual([['id']]);
    const t = await (await lancedb.connect(root)).openTable('strict');
    expect((await t.query().where('id = 7 OR id = 8').toArray()).map((r) => Number(r.id))).toEqual([8]);
    expect((await t.listIndices()).map((i) => i.columns)).toEqual([['id']]);
    expect(vegoRows(dir).some((r) => r.id === 7)).toBe(false);
    await ds.close();
  });
});

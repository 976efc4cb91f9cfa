/**
 * LanceDB writing from a handle opened before a vego commit (its read version is older than the
 * latest): LanceDB rebases its commit onto vego's when they are compatible, reading the
 * transaction every vego version records, and fails with a conflict when they are not. Before, every
 * such LanceDB write failed with an internal error ("version N does not have a transaction file").
 * For each vego operation × each stale LanceDB operation the table ends as the model says: after
 * vego's appends, deletes, append-and-deletes and compactions LanceDB's add, delete, update and
 * mergeInsert rebase and both apply; after an overwrite LanceDB reports the conflict and vego's
 * alone applies; never a lost, duplicated or resurrected row, and vego and LanceDB read the same rows.
 */
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { positionsWhere } from './fixtures/positions';

type Row = { id: number; s: string };

const BASE: Row[] = Array.from({ length: 60 }, (_, i) => ({ id: i, s: `a${i}` }));

/** vego's operations: each changes the dataset at `dir` and returns the model after it. */
const VEGO: Record<string, (dir: string, rows: Row[]) => Row[]> = {
  append: (dir, rows) => {
    const add = [1000, 1001, 1002].map((id) => ({ id, s: `v${id}` }));
    Dataset.createSync(dir, add, { mode: 'append', schema: Dataset.openSync(dir).schema });
    return [...rows, ...add];
  },
  delete: (dir, rows) => {
    const ds = Dataset.openSync(dir);
    ds.deleteRowsSync(positionsWhere(ds, 'id', (id) => id % 7 === 0));
    return rows.filter((r) => r.id % 7 !== 0);
  },
  'delete a whole fragment': (dir, rows) => {
    const ds = Dataset.openSync(dir);
    ds.deleteRowsSync(positionsWhere(ds, 'id', (id) => id >= 20 && id < 40));
    return rows.filter((r) => r.id < 20 || r.id >= 40);
  },
  'append and delete': (dir, rows) => {
    const ds = Dataset.openSync(dir);
    const add = [{ id: 1100, s: 'v1100' }, { id: 25, s: 'v25' }];
    ds.appendAndDeleteSync(add, positionsWhere(ds, 'id', (id) => id === 25 || id === 44));
    return [...rows.filter((r) => r.id !== 25 && r.id !== 44), ...add];
  },
  compact: (dir, rows) => {
    const ds = Dataset.openSync(dir);
    ds.deleteRowsSync(positionsWhere(ds, 'id', (id) => id === 30)).compactSync({ targetRowsPerFragment: 1000, materializeDeletionsThreshold: 0 });
    return rows.filter((r) => r.id !== 30);
  },
  overwrite: (dir) => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ id: 500 + i, s: `o${i}` }));
    Dataset.createSync(dir, rows, { mode: 'overwrite', schema: Dataset.openSync(dir).schema });
    return rows;
  },
};

/** LanceDB's operations from a stale handle, and what each does to a model. */
const LANCEDB: Record<string, { run: (t: lancedb.Table) => Promise<unknown>; model: (rows: Row[]) => Row[] }> = {
  add: { run: (t) => t.add([{ id: 2000, s: 'l2000' }, { id: 2001, s: 'l2001' }]), model: (rows) => [...rows, { id: 2000, s: 'l2000' }, { id: 2001, s: 'l2001' }] },
  delete: { run: (t) => t.delete('id = 3 OR id = 50'), model: (rows) => rows.filter((r) => r.id !== 3 && r.id !== 50) },
  update: { run: (t) => t.update({ where: 'id = 8 OR id = 45', values: { s: 'upd' } }), model: (rows) => rows.map((r) => (r.id === 8 || r.id === 45 ? { ...r, s: 'upd' } : r)) },
  mergeInsert: {
    run: (t) => t.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute([{ id: 9, s: 'm9' }, { id: 3000, s: 'm3000' }]),
    model: (rows) => (rows.some((r) => r.id === 9) ? rows.map((r) => (r.id === 9 ? { id: 9, s: 'm9' } : r)) : [...rows, { id: 9, s: 'm9' }]).concat([{ id: 3000, s: 'm3000' }]),
  },
};

const sorted = (rows: Row[]): Row[] => [...rows].sort((a, b) => a.id - b.id || (a.s < b.s ? -1 : 1));

describe('LanceDB commits racing vego commits (transactions)', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('concurrent-writers')));
  afterAll(() => removeDir(root));

  const cases = Object.keys(VEGO).flatMap((v) => Object.keys(LANCEDB).map((l) => [v, l] as const));
  it.each(cases)('vego %s, then a stale LanceDB %s', async (vegoOp, lanceOp) => {
    const name = `${vegoOp}-${lanceOp}`.replace(/\W+/g, '_');
    const db = await lancedb.connect(root);
    const t = await db.createTable(name, BASE.slice(0, 20));
    await t.add(BASE.slice(20, 40));
    await t.add(BASE.slice(40));
    const stale = await db.openTable(name);
    await stale.countRows(); // the handle has read the version before vego's commit
    const dir = path.join(root, `${name}.lance`);
    const ours = VEGO[vegoOp]!(dir, BASE);
    let theirs: Row[];
    try {
      await LANCEDB[lanceOp]!.run(stale);
      theirs = LANCEDB[lanceOp]!.model(ours);
    } catch (e) {
      // Only an overwrite is incompatible with everything (LanceDB reports the conflict; the caller
      // re-reads and retries); anything else must rebase, never fail.
      expect(vegoOp).toBe('overwrite');
      expect(String((e as Error).message)).toMatch(/incompatible transaction/i);
      theirs = ours;
    }
    if (vegoOp === 'overwrite') expect(theirs).toBe(ours);
    const fresh = await (await lancedb.connect(root)).openTable(name);
    const lanceRows = (await fresh.query().toArray()).map((r) => ({ id: Number(r.id), s: String(r.s) }));
    expect(sorted(lanceRows)).toEqual(sorted(theirs));
    const vegoRows: Row[] = [];
    for (const b of Dataset.openSync(dir).scanSync()) {
      for (let i = 0; i < b.numRows; i++) vegoRows.push({ id: Number(b.column('id').get(i)), s: String(b.column('s').get(i)) });
    }
    expect(sorted(vegoRows)).toEqual(sorted(theirs));
  });
});

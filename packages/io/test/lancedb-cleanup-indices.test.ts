/**
 * cleanupOldVersions removes the index folders (`_indices/<uuid>/`) of LanceDB indices that only the
 * removed versions name, as LanceDB's own cleanup does, with LanceDB as the oracle: a table LanceDB
 * indexed (BTree, full text), whose indices its `optimize` rebuilt and a `createIndex` replaced, with
 * vego's commits on top (their manifests carry the index section). After vego's cleanup the folders
 * of the indices no kept version names are gone, the others stay, LanceDB answers through its
 * indices in the latest and the other kept version, and a twin cleaned by LanceDB's `optimize`
 * keeps the same folders.
 *
 * Before, vego's cleanup left every index folder: disk grew without bound under LanceDB's `optimize`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { positionsWhere } from './fixtures/positions';

type Doc = { id: number; body: string };
const docs = (from: number, to: number): Doc[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k, body: `common word${(from + k) % 13} uniq${from + k}x` }));

function indexFolders(dir: string): string[] {
  return fs.readdirSync(path.join(dir, '_indices')).sort();
}

async function uuids(t: lancedb.Table): Promise<string[]> {
  return (await t.listIndices()).map((ix) => ix.indexUuid as string).sort();
}

/** Ids LanceDB finds for `id` through the BTree (`where`) and the full-text index. */
async function found(t: lancedb.Table, id: number): Promise<{ where: number[]; text: number[] }> {
  const where = (await t.query().where(`id = ${id}`).toArray()).map((x) => Number(x.id));
  const text = (await t.search(`uniq${id}x`, 'fts').limit(5).toArray()).map((x) => Number(x.id));
  return { where, text };
}

describe('cleanup of LanceDB index folders', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('lancedb-cleanup-indices')));
  afterAll(() => removeDir(root));

  it('removes the folders of indices only removed versions name, keeps the rest, and LanceDB (and its own cleanup) agree', async () => {
    const db = await lancedb.connect(path.join(root, 'a'));
    const t = await db.createTable('t', docs(0, 300));
    await t.createIndex('id');
    await t.createIndex('body', { config: lancedb.Index.fts() });
    const dir = path.join(root, 'a', 't.lance');
    const first = await uuids(t);
    // vego appends (a fragment the indices do not hold); LanceDB's optimize compacts and re-indexes
    // (new UUIDs), then the BTree is re-created (another one).
    let ds = Dataset.openSync(dir);
    Dataset.createSync(dir, docs(300, 340), { mode: 'append', schema: ds.schema });
    await t.checkoutLatest();
    await t.optimize();
    await t.createIndex('id', { replace: true });
    const current = await uuids(t);
    const replacedAt = await t.version();
    // A vego delete is the latest version: its manifest carries the index section.
    ds = Dataset.openSync(dir);
    ds = ds.deleteRowsSync(positionsWhere(ds, 'id', (id) => id === 7));
    expect(ds.indices().map((ix) => ix.uuid).sort()).toEqual(current);
    const before = indexFolders(dir);
    const gone = before.filter((u) => !current.includes(u));
    expect(gone).toEqual(expect.arrayContaining(first));
    // A twin for LanceDB's cleanup (times kept: LanceDB lists only files older than its kept versions).
    fs.cpSync(path.join(root, 'a'), path.join(root, 'b'), { recursive: true, preserveTimestamps: true });

    const res = ds.cleanupOldVersions({ keep: 2, olderThan: 0 });
    expect(res.removedIndices).toEqual(gone.sort());
    expect(indexFolders(dir)).toEqual(current);
    expect(ds.cleanupOldVersions({ keep: 2, olderThan: 0 })).toEqual({ removedVersions: [], removedDataFiles: [], removedIndices: [] });

    const after = await db.openTable('t');
    expect(await uuids(after)).toEqual(current);
    for (const ix of await after.listIndices()) expect((await after.indexStats(ix.name))!.numUnindexedRows).toBe(0);
    expect(await found(after, 7)).toEqual({ where: [], text: [] });
    for (const id of [8, 299, 320]) expect(await found(after, id)).toEqual({ where: [id], text: [id] });
    // The other kept version (LanceDB's re-created index) reads through the same folders.
    await after.checkout(replacedAt);
    expect(await found(after, 7)).toEqual({ where: [7], text: [7] });

    // LanceDB's own cleanup of the twin (inside its optimize, which compacts and re-indexes first)
    // follows the same rule: the folders left are exactly those its remaining versions name.
    const twinDir = path.join(root, 'b', 't.lance');
    await (await (await lancedb.connect(path.join(root, 'b'))).openTable('t')).optimize({ cleanupOlderThan: new Date(Date.now() + 1000) });
    const named = new Set(Dataset.openSync(twinDir).versions().flatMap((v) => Dataset.openSync(twinDir, { version: v.version }).indices().map((ix) => ix.uuid)));
    expect(indexFolders(twinDir)).toEqual([...named].sort());
    expect(before.filter((u) => !named.has(u))).toEqual(expect.arrayContaining(gone));
  });
});

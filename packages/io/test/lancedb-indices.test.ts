/**
 * LanceDB's indices through vego's writes, with LanceDB as the oracle: a table LanceDB indexed
 * (BTree, IVF-PQ, full-text) lists the same indices in `Dataset#indices` as in `listIndices`, with the
 * same indexed and unindexed row counts as LanceDB's `indexStats`; vego's appends, deletes (rows, whole
 * fragments) and append-and-delete commits keep them, and LanceDB's queries through them (`where` on
 * the BTree column, vector search, full-text search) then never return a deleted row and find the
 * appended ones; LanceDB's `optimize` indexes what vego appended. A compaction keeps them too (the
 * rewritten rows have new fragment ids, which LanceDB scans until `optimize`); an overwrite drops them.
 *
 * Before, every vego commit dropped the index section: LanceDB lost the user's indices silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset } from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';
import { positionsWhere } from './fixtures/positions';

const DIM = 8;

type Doc = {
  id: number;
  vector: number[];
  cat: string;
  body: string;
};

function makeDoc(id: number, r: () => number): Doc {
  return { id, vector: Array.from({ length: DIM }, r), cat: `k${id % 4}`, body: `common word${id % 13} uniq${id}x` };
}

/** Rows as vego's `Dataset.create` takes them (vectors as Float32Array, matching the table's schema). */
function vegoRows(docs: readonly Doc[]): Record<string, unknown>[] {
  return docs.map((d) => ({ ...d, vector: Float32Array.from(d.vector) }));
}

/** Live positions of the rows with these ids in `ds` (every one present). */
function positionsOf(ds: Dataset, ids: readonly number[]): number[] {
  const want = new Set(ids);
  const out = positionsWhere(ds, 'id', (id) => want.has(id));
  expect(out.length).toBe(ids.length);
  return out;
}

/** What LanceDB answers for one id through each index, as ids. */
async function lancedbAnswers(t: lancedb.Table, doc: Doc): Promise<{ where: number[]; nearest: number[]; text: number[] }> {
  const where = (await t.query().where(`id = ${doc.id}`).toArray()).map((x) => Number(x.id));
  const nearest = (await t.search(Float32Array.from(doc.vector)).limit(3).toArray()).map((x) => Number(x.id));
  const text = (await t.search(`uniq${doc.id}x`, 'fts').limit(5).toArray()).map((x) => Number(x.id));
  return { where, nearest, text };
}

/** LanceDB's own view of its indices: name → [uuid, columns, indexed rows, unindexed rows]. */
async function lancedbIndices(t: lancedb.Table): Promise<Record<string, [string, string[], number, number]>> {
  const out: Record<string, [string, string[], number, number]> = {};
  for (const ix of await t.listIndices()) {
    const st = (await t.indexStats(ix.name))!;
    out[ix.name] = [ix.indexUuid as string, ix.columns, st.numIndexedRows, st.numUnindexedRows];
  }
  return out;
}

function vegoIndices(ds: Dataset): Record<string, [string, string[], number, number]> {
  const out: Record<string, [string, string[], number, number]> = {};
  for (const ix of ds.indices()) out[ix.name] = [ix.uuid, ix.columns, ix.indexedRows, ix.unindexedRows];
  return out;
}

describe('LanceDB indices through vego writes', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('lancedb-indices')));
  afterAll(() => removeDir(root));

  async function indexedTable(name: string, seed: number): Promise<{ db: lancedb.Connection; dir: string; docs: Doc[]; r: () => number }> {
    const r = seededRandom(seed);
    const docs = Array.from({ length: 600 }, (_, i) => makeDoc(i, r));
    const db = await lancedb.connect(root);
    const t = await db.createTable(name, docs.slice(0, 400));
    await t.add(docs.slice(400));
    await t.createIndex('id');
    await t.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: 2, numSubVectors: 2 }) });
    await t.createIndex('body', { config: lancedb.Index.fts() });
    return { db, dir: path.join(root, `${name}.lance`), docs, r };
  }

  it('lists the indices as LanceDB does, keeps them through appends and deletes, and LanceDB answers exactly through them', async () => {
    const { db, dir, docs, r } = await indexedTable('kept', 11);
    let ds = Dataset.openSync(dir);
    const t = await db.openTable('kept');
    expect(vegoIndices(ds)).toEqual(await lancedbIndices(t));
    const listed = ds.indices();
    expect(listed.map((ix) => ix.kind).sort()).toEqual(['BTree', 'Inverted', 'Vector']);
    for (const ix of listed) {
      expect(ix.fragmentIds).toEqual([0, 1]);
      expect(ix.datasetVersion).toBeGreaterThanOrEqual(2);
      expect(ix.typeUrl).toMatch(/IndexDetails$/);
    }

    // An append (two new fragments), a delete of rows in both indexed fragments and in an appended one,
    // and an append-and-delete: every commit keeps the indices.
    const added = Array.from({ length: 60 }, (_, i) => makeDoc(1000 + i, r));
    ds = Dataset.createSync(dir, vegoRows(added.slice(0, 40)), { mode: 'append', schema: ds.schema, maxRowsPerFile: 25 });
    const deleted = [5, 450, 1003];
    ds = ds.deleteRowsSync(positionsOf(ds, deleted));
    ds = ds.appendAndDeleteSync(vegoRows(added.slice(40)), positionsOf(ds, [6]));
    deleted.push(6);
    const live = [...docs, ...added].filter((d) => !deleted.includes(d.id));

    const after = await db.openTable('kept');
    expect(await after.countRows()).toBe(live.length);
    const ours = vegoIndices(Dataset.openSync(dir));
    expect(ours).toEqual(await lancedbIndices(after));
    for (const [, [, , indexed, unindexed]] of Object.entries(ours)) {
      expect(indexed).toBe(600 - 3);
      expect(unindexed).toBe(60 - 1);
    }
    for (const id of deleted) {
      const got = await lancedbAnswers(after, [...docs, ...added].find((d) => d.id === id)!);
      expect(got.where).toEqual([]);
      expect(got.nearest).not.toContain(id);
      expect(got.text).toEqual([]);
    }
    for (const id of [7, 451, 1004, 1050]) {
      const got = await lancedbAnswers(after, live.find((d) => d.id === id)!);
      expect(got.where).toEqual([id]);
      expect(got.nearest[0]).toBe(id);
      expect(got.text).toEqual([id]);
    }
    // LanceDB's optimize indexes what vego appended.
    await after.optimize();
    const optimized = await lancedbIndices(after);
    for (const [, [, , indexed, unindexed]] of Object.entries(optimized)) expect([indexed, unindexed]).toEqual([live.length, 0]);
    expect(vegoIndices(Dataset.openSync(dir))).toEqual(optimized);
  });

  it('keeps the indices when a delete drops a whole indexed fragment, and LanceDB returns none of its rows', async () => {
    const { db, dir, docs } = await indexedTable('whole', 12);
    let ds = Dataset.openSync(dir);
    // Fragment 1 holds ids 400..599.
    ds = ds.deleteRowsSync(positionsOf(ds, docs.slice(400).map((d) => d.id)));
    expect(ds.fragments().map((f) => f.id)).toEqual([0]);
    const t = await db.openTable('whole');
    expect(await t.countRows()).toBe(400);
    const ours = vegoIndices(ds);
    expect(ours).toEqual(await lancedbIndices(t));
    for (const ix of ds.indices()) expect([ix.fragmentIds, ix.indexedRows, ix.unindexedRows]).toEqual([[0, 1], 400, 0]);
    for (const id of [400, 500, 599]) {
      const got = await lancedbAnswers(t, docs[id]!);
      expect(got.where).toEqual([]);
      expect(got.nearest).not.toContain(id);
      expect(got.text).toEqual([]);
    }
    // A fragment appended now takes a new id (never 1 again, which the indices name).
    ds = Dataset.createSync(dir, vegoRows([docs[450]!]), { mode: 'append', schema: ds.schema });
    expect(ds.fragments().map((f) => f.id)).toEqual([0, 2]);
    const again = await db.openTable('whole');
    expect(await lancedbAnswers(again, docs[450]!)).toEqual({ where: [450], nearest: expect.arrayContaining([450]), text: [450] });
    expect(vegoIndices(ds)).toEqual(await lancedbIndices(again));
  });

  it('keeps the indices through a compaction (LanceDB scans the rewritten rows until optimize) and drops them on an overwrite', async () => {
    const { db, dir, docs, r } = await indexedTable('compacted', 13);
    let ds = Dataset.openSync(dir);
    ds = ds.deleteRowsSync(positionsOf(ds, [1, 2, 3, 401]));
    const late = makeDoc(2000, r);
    ds = Dataset.createSync(dir, vegoRows([late]), { mode: 'append', schema: ds.schema });
    // Every fragment is rewritten or renumbered: new ids, which no index lists.
    const compacted = ds.compactSync({ materializeDeletions: true, materializeDeletionsThreshold: 0, targetRowsPerFragment: 10_000 }).dataset;
    expect(compacted.version).toBeGreaterThan(ds.version);
    expect(compacted.fragments().every((f) => f.id > 2)).toBe(true);
    const ours = vegoIndices(compacted);
    const t = await db.openTable('compacted');
    expect(ours).toEqual(await lancedbIndices(t));
    for (const [, [, , indexed, unindexed]] of Object.entries(ours)) expect([indexed, unindexed]).toEqual([0, 600 - 4 + 1]);
    for (const id of [1, 401]) {
      const got = await lancedbAnswers(t, docs[id]!);
      expect(got).toEqual({ where: [], nearest: expect.not.arrayContaining([id]), text: [] });
    }
    for (const d of [docs[0]!, docs[400]!, docs[599]!, late]) expect(await lancedbAnswers(t, d)).toEqual({ where: [d.id], nearest: expect.arrayContaining([d.id]), text: [d.id] });
    await t.optimize();
    for (const [, [, , indexed, unindexed]] of Object.entries(await lancedbIndices(t))) expect([indexed, unindexed]).toEqual([597, 0]);
    // An overwrite replaces every row: its version has no indices, for LanceDB either.
    const over = Dataset.createSync(dir, vegoRows(docs.slice(0, 10)), { mode: 'overwrite', schema: ds.schema });
    expect(over.indices()).toEqual([]);
    expect(await (await db.openTable('compacted')).listIndices()).toEqual([]);
    // The older versions still list theirs (time travel); their folders stay until a cleanup removes those versions.
    expect(Dataset.openSync(dir, { version: ds.version }).indices()).toHaveLength(3);
    expect(fs.readdirSync(path.join(dir, '_indices')).length).toBeGreaterThanOrEqual(3);
  });

  it('lists no indices for a dataset without any', () => {
    const dir = path.join(root, 'plain.lance');
    const ds = Dataset.createSync(dir, [{ id: 1 }, { id: 2 }]);
    expect(ds.indices()).toEqual([]);
    expect(ds.appendAndDeleteSync([{ id: 3 }], [0]).indices()).toEqual([]);
  });
});

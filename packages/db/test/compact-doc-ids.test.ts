/**
 * Doc-id renumbering in `optimize()`: a collection whose documents are deleted (and inserted again)
 * for a long time kept a slot for every doc id it ever handed out (memory, index, dataset). Once a quarter
 * of the ids are dead, optimize gives the live documents ids `0 … size − 1` in their old order: the
 * answers of every read (search, filtered and full-text search, query order, get) are the same
 * before and after, in memory and persisted (and after a reopen); LanceDB reads the rewritten table;
 * a search under way while the ids move answers for the ids it started with; a write from another
 * process first leaves the collection as it was.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { type Collection, ConflictError, Database, RENUMBER_DEAD_SHARE } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

const DIM = 16;

function vectors(n: number, seed: number): Float32Array[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
}

/**
 * 300 documents, then `rounds` times the first 200 deleted and inserted again with new vectors (a
 * replacement by upsert keeps its id; a delete retires it), and 40 deletes: most ids are dead.
 */
async function churn(c: Collection, rounds: number): Promise<void> {
  const v = vectors(300, 1);
  await c.insertMany(v.map((vector, i) => ({ key: `k${i}`, vector, text: `doc number${i} ${i % 2 ? 'odd' : 'even'} word${i % 7}`, metadata: { n: i, group: `g${i % 5}` } })));
  for (let r = 0; r < rounds; r++) {
    const next = vectors(200, 100 + r);
    await c.delete(next.map((_, i) => `k${i}`));
    await c.insertMany(next.map((vector, i) => ({ key: `k${i}`, vector, text: `doc number${i} round${r} word${(i + r) % 7}`, metadata: { n: i, group: `g${(i + r) % 5}` } })));
  }
  await c.delete(Array.from({ length: 40 }, (_, i) => `k${250 + i}`));
}

/** Every read a user sees, for equality before and after renumbering. */
async function reads(c: Collection): Promise<unknown> {
  const queries = vectors(25, 77);
  const plain = await c.searchMany(queries, 10);
  const filtered = await c.searchMany(queries, 5, { filter: "group = 'g1' OR n < 20" });
  const text = await c.search({ text: 'word3 odd' }, 10);
  const hybrid = await c.search({ vector: queries[0]!, text: 'number7' }, 5);
  const order = (await c.query({ select: [] })).map((d) => d.key);
  const some = await c.getMany(['k0', 'k199', 'k260', 'k299'], { select: ['vector', 'text', 'n', 'group'] });
  const strip = (hits: { key: string; distance: number | null; score: number }[]): unknown => hits.map((h) => [h.key, h.distance, h.score]);
  return { plain: plain.map(strip), filtered: filtered.map(strip), text: strip(text), hybrid: strip(hybrid), order, some, size: c.size, count: await c.count({ n: { $lt: 100 } }) };
}

describe('doc-id renumbering (Collection#optimize)', () => {
  let root: string;
  beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-renumber-'))));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('in memory: gives back the dead ids, and every read answers as before', async () => {
    const c = await Database.memory().createCollection('m', { dimension: DIM, distance: 'l2', fullText: true });
    await churn(c, 6);
    expect(c.documents.numIds).toBe(300 + 6 * 200);
    const before = await reads(c);
    const bytes = c.byteLength;
    const r = await c.optimize();
    expect(r.docIdsRenumbered).toBe(true);
    expect(c.documents.numIds).toBe(260);
    expect(c.byteLength).toBeLessThan(bytes / 1.9);
    expect(await reads(c)).toEqual(before);
    // Nothing dead any more: the next optimize leaves the ids alone; writes go on from id 260.
    expect((await c.optimize()).docIdsRenumbered).toBe(false);
    await c.insert({ key: 'new', vector: vectors(1, 5)[0]!, text: 'brand new', metadata: { n: 1000 } });
    expect(c.documents.numIds).toBe(261);
    expect((await c.search({ text: 'brand' }, 3)).map((h) => h.key)).toEqual(['new']);
    expect((await c.search(vectors(1, 5)[0]!, 1))[0]!.key).toBe('new');
    // Re-embedding by upsert keeps the ids: nothing dies.
    await c.upsertMany(vectors(50, 6).map((vector, i) => ({ key: `k${i}`, vector })));
    expect(c.documents.numIds).toBe(261);
    expect((await c.search(vectors(50, 6)[7]!, 1))[0]!.key).toBe('k7');
  });

  it('leaves the ids alone while fewer than a quarter are dead', async () => {
    const c = await Database.memory().createCollection('few', { dimension: DIM, distance: 'cosine' });
    await c.insertMany(vectors(100, 3).map((vector, i) => ({ key: `k${i}`, vector })));
    // dead / (100 + dead) just below the share: not yet; one delete more passes it.
    const dead = Math.floor((RENUMBER_DEAD_SHARE * 100) / (1 - RENUMBER_DEAD_SHARE));
    await c.delete(Array.from({ length: dead }, (_, i) => `k${i}`));
    await c.insertMany(vectors(dead, 4).map((vector, i) => ({ key: `k${i}`, vector })));
    expect(dead / (100 + dead)).toBeLessThan(RENUMBER_DEAD_SHARE);
    expect((await c.optimize()).docIdsRenumbered).toBe(false);
    expect(c.documents.numIds).toBe(100 + dead);
    await c.delete('k99');
    expect((await c.optimize()).docIdsRenumbered).toBe(true);
    expect(c.documents.numIds).toBe(99);
  });

  it('persisted: rewrites the dataset with the new ids, answers as before after a reopen, and LanceDB reads the table', async () => {
    const dir = path.join(root, 'persisted');
    let db = await Database.open(dir);
    let c = await db.createCollection('p', { dimension: DIM, distance: 'cosine', fullText: true });
    await churn(c, 6);
    await c.flush();
    const before = await reads(c);
    const diskBefore = folderBytes(dir);
    const fragments = c.numFragments;
    const r = await c.optimize({ cleanupOlderThanMs: 0 });
    expect(r.docIdsRenumbered).toBe(true);
    // Counted as a compaction: every fragment rewritten into one, the old versions removed.
    expect([r.fragmentsRemoved, r.fragmentsAdded, c.numFragments]).toEqual([fragments, 1, 1]);
    expect(r.versionsRemoved).toBeGreaterThan(5);
    expect(await reads(c)).toEqual(before);
    await db.close();
    expect(folderBytes(dir)).toBeLessThan(diskBefore / 3);

    db = await Database.open(dir);
    c = await db.openCollection('p');
    expect(c.hasFullText).toBe(true);
    expect(c.documents.numIds).toBe(260);
    expect(await reads(c)).toEqual(before);
    await db.close();

    const t = await (await lancedb.connect(dir)).openTable('p');
    const rows = await t.query().select(['key', '_doc_id']).toArray();
    expect(rows.map((x) => Number(x._doc_id))).toEqual(Array.from({ length: 260 }, (_, i) => i));
    expect(rows.map((x) => x.key)).toEqual((before as { order: string[] }).order);
  });

  it('reopens right when killed after the dataset was rewritten but before the indexes were saved', async () => {
    const dir = path.join(root, 'killed');
    let db = await Database.open(dir);
    let c = await db.createCollection('p', { dimension: DIM, distance: 'l2', fullText: true });
    await churn(c, 4);
    const before = await reads(c);
    await db.close();
    // The saved full-text index of the old ids, as a kill before the new one was saved leaves it.
    const stale = path.join(root, 'stale.text');
    fs.cpSync(path.join(dir, 'p.text'), stale, { recursive: true });
    db = await Database.open(dir);
    c = await db.openCollection('p');
    expect((await c.optimize()).docIdsRenumbered).toBe(true);
    await db.close();
    fs.rmSync(path.join(dir, 'p.text'), { recursive: true });
    fs.cpSync(stale, path.join(dir, 'p.text'), { recursive: true });
    // The HNSW index is removed before the dataset is rewritten: after such a kill there is none.
    fs.rmSync(path.join(dir, 'p.hnsw'), { recursive: true });
    db = await Database.open(dir);
    c = await db.openCollection('p');
    expect(c.documents.numIds).toBe(260);
    expect(await reads(c)).toEqual(before);
    await db.close();
  });

  it('a search under way while the ids move answers for the ids it started with', async () => {
    const c = await Database.memory().createCollection('race', { dimension: DIM, distance: 'l2', fullText: true });
    await churn(c, 4);
    const queries = vectors(3000, 9);
    const expected = await c.searchMany(queries, 5, { filter: 'n >= 50' });
    // searchMany yields between slices; optimize is queued meanwhile and renumbers when it is done.
    const [got, r] = await Promise.all([c.searchMany(queries, 5, { filter: 'n >= 50' }), c.optimize()]);
    expect(r.docIdsRenumbered).toBe(true);
    expect(got).toEqual(expected);
    expect(await c.searchMany(queries.slice(0, 50), 5, { filter: 'n >= 50' })).toEqual(expected.slice(0, 50));
  });

  it('leaves the collection as it was when another process wrote first, and it reopens consistent', async () => {
    const dir = path.join(root, 'conflict');
    const db = await Database.open(dir);
    const c = await db.createCollection('q', { dimension: DIM, distance: 'l2', fullText: true });
    await churn(c, 3);
    await c.flush();
    const before = await reads(c);
    const other = await Database.open(dir);
    await (await other.openCollection('q')).insert({ key: 'late', vector: vectors(1, 8)[0]! });
    await other.close();
    await expect(c.optimize()).rejects.toThrow(ConflictError);
    expect(await reads(c)).toEqual(before);
    await db.close();
    const reopened = await Database.open(dir);
    const again = await reopened.openCollection('q');
    expect(again.size).toBe(261);
    expect((await again.search(vectors(1, 8)[0]!, 1))[0]!.key).toBe('late');
    const v0 = (await again.get('k0', { select: ['vector'] }))!.vector!;
    expect((await again.search(v0, 1))[0]!.key).toBe('k0');
    await reopened.close();
  });
});

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size;
  return n;
}

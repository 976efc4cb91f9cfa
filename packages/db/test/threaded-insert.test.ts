// insertMany / upsertMany with `threads`: each committed batch's new vectors are linked by hnsw's
// addBatchAsync on worker threads. The documents must be the ones a one-thread insert stores, the
// graph must find them as well (recall against exact search), searches issued while a batch is
// being linked must wait for it instead of failing, and a persisted collection must reopen with
// them. The hnsw workers run its compiled script (tests run after `pnpm build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database, InvalidArgumentError } from '@vego/db';
import type { Collection } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

const N = 3000;
const DIM = 24;
const K = 10;

function data(seed: number): Float32Array[] {
  const rnd = seededRandom(seed);
  const centres = Array.from({ length: 16 }, () => Float32Array.from({ length: DIM }, () => rnd() * 2 - 1));
  return Array.from({ length: N }, () => {
    const c = centres[Math.floor(rnd() * centres.length)]!;
    return Float32Array.from(c, (x) => x + (rnd() - 0.5) * 0.5);
  });
}

/** Mean recall@K of `search` against `searchExact`-like truth: the exact scan of every document (a filter matching all, forced). */
async function recallOf(c: Collection, queries: Float32Array[]): Promise<number> {
  let found = 0;
  for (const q of queries) {
    const truth = await c.search(q, K, { filter: 'n >= 0', exactScanThreshold: N + 1 });
    const got = new Set((await c.search(q, K, { ef: 64 })).map((h) => h.key));
    for (const t of truth) if (got.has(t.key)) found++;
  }
  return found / (K * queries.length);
}

describe('Collection#insertMany on threads', () => {
  const vectors = data(5);
  const rnd = seededRandom(9);
  const queries = Array.from({ length: 60 }, () => vectors[Math.floor(rnd() * N)]!.map((x) => x + (rnd() - 0.5) * 0.1));
  const docs = vectors.map((v, i) => ({ key: `k${i}`, vector: v, text: `doc ${i}`, metadata: { n: i } }));
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const distance of ['l2', 'cosine'] as const) {
    it(`stores what a one-thread insert stores and finds it as well (${distance})`, async () => {
      const db = Database.memory();
      const one = await db.createCollection('one', { dimension: DIM, distance, efConstruction: 64, schema: { n: 'integer' } });
      const two = await db.createCollection('two', { dimension: DIM, distance, efConstruction: 64, schema: { n: 'integer' } });
      await one.insertMany(docs, { batchSize: 700 });
      const progress: number[] = [];
      const keys = await two.insertMany(docs, { batchSize: 700, threads: 2, onProgress: (done) => progress.push(done) });
      expect(keys).toEqual(docs.map((d) => d.key));
      expect(progress).toEqual([700, 1400, 2100, 2800, 3000]);
      expect(two.size).toBe(N);
      for (const i of [0, 1, 699, 700, 1777, N - 1]) {
        const got = await two.get(`k${i}`, { select: ['n', 'text', 'vector'] });
        expect(got).toEqual(await one.get(`k${i}`, { select: ['n', 'text', 'vector'] }));
      }
      // Each document is its own nearest neighbour, on the graph the threads linked.
      for (let i = 0; i < N; i += 97) expect((await two.search(vectors[i]!, 1, { ef: 64 }))[0]!.key).toBe(`k${i}`);
      const r1 = await recallOf(one, queries);
      const r2 = await recallOf(two, queries);
      expect(r2).toBeGreaterThan(0.97);
      expect(Math.abs(r2 - r1)).toBeLessThan(0.03);
      await one.close();
      await two.close();
    });
  }

  it('makes searches issued while a batch is linked wait for it, then find its documents', async () => {
    const c = await Database.memory().createCollection('busy', { dimension: DIM, efConstruction: 64, schema: { n: 'integer' } });
    await c.insertMany(docs.slice(0, 500));
    const writing = c.insertMany(docs.slice(500), { threads: 2, batchSize: N });
    // Searches started at once and during the insert: none may fail (the index refuses reads while
    // its workers link), and one issued after the insert began sees every document once it settles.
    const during: Promise<unknown>[] = [];
    for (let t = 0; t < 20; t++) {
      during.push(c.search(vectors[t]!, K), c.searchMany([vectors[t + 1]!, vectors[t + 2]!], K, { threads: 2 }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    await Promise.all(during);
    expect(c.size).toBe(N);
    for (let i = 500; i < N; i += 131) expect((await c.search(vectors[i]!, 1))[0]!.key).toBe(`k${i}`);
    await c.close();
  });

  it('reopens a persisted collection with the documents a threaded upsert wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vego-threaded-insert-'));
    dirs.push(dir);
    let db = await Database.open(dir);
    let c = await db.createCollection('p', { dimension: DIM, efConstruction: 64, schema: { n: 'integer' } });
    await c.upsertMany(docs.slice(0, 1200), { threads: 2, batchSize: 400 });
    // Replacements: same vectors keep their ids, new vectors are linked again (one of each).
    await c.upsertMany([{ ...docs[3]!, text: 'changed' }, { ...docs[4]!, vector: vectors[2000]! }], { threads: 2 });
    await db.close();
    db = await Database.open(dir);
    c = await db.openCollection('p');
    expect(c.size).toBe(1200);
    expect((await c.get('k3'))!.text).toBe('changed');
    expect((await c.search(vectors[2000]!, 1))[0]!.key).toBe('k4');
    for (let i = 0; i < 1200; i += 101) if (i !== 4) expect((await c.search(vectors[i]!, 1))[0]!.key).toBe(`k${i}`);
    await db.close();
  });

  it('refuses a `threads` that is not a positive integer, writing nothing', async () => {
    const c = await Database.memory().createCollection('bad', { dimension: DIM });
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      await expect(c.insertMany(docs.slice(0, 3), { threads })).rejects.toThrow(InvalidArgumentError);
    }
    expect(c.size).toBe(0);
    await c.close();
  });
});

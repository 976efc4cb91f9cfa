// Collection#searchMany with `threads`: the vector queries go to hnsw's threaded searchMany in
// batches; every answer must equal the one-thread path's (and `search`'s), on every route a search
// can take (unfiltered, exact scan of few matches, post-filtered wide search, filtered walk, scan
// of the matches over the index). The hnsw workers run its compiled script (tests run after `pnpm build`).
import { Database, InvalidArgumentError } from '@vego/db';
import type { Collection } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

const N = 4000;
const DIM = 32;
const K = 10;

function data(seed: number): { vectors: Float32Array[]; buckets: number[] } {
  const rnd = seededRandom(seed);
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: DIM }, () => rnd() * 2 - 1));
  const vectors: Float32Array[] = [];
  const buckets: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = centres[Math.floor(rnd() * centres.length)]!;
    vectors.push(Float32Array.from(c, (x) => x + (rnd() - 0.5) * 0.6));
    buckets.push(Math.floor(rnd() * 1000));
  }
  return { vectors, buckets };
}

/** Workers the collection's index has running (its pool is private). */
function workersOf(c: Collection): number {
  const pool = (c as unknown as { index: { pool: { size: number } | null } }).index.pool;
  return pool === null ? 0 : pool.size;
}

describe('Collection#searchMany on threads', () => {
  const { vectors, buckets } = data(21);
  const rnd = seededRandom(77);
  const queries = Array.from({ length: 120 }, () => vectors[Math.floor(rnd() * N)]!.map((x) => x + (rnd() - 0.5) * 0.2));
  const collections: Collection[] = [];
  afterAll(async () => {
    for (const c of collections) await c.close();
  });

  for (const distance of ['l2', 'cosine', 'innerProduct'] as const) {
    it(`gives the one-thread answers on every search route (${distance})`, async () => {
      const c = await Database.memory().createCollection(`t-${distance}`, { dimension: DIM, distance, efConstruction: 80, schema: { bucket: 'integer' } });
      collections.push(c);
      await c.insertMany(vectors.map((v, i) => ({ key: String(i), vector: v, metadata: { bucket: buckets[i]! } })));
      // Some tombstones, so the index has deleted nodes the threads must skip as search does.
      for (let i = 0; i < N; i += 37) await c.delete(String(i));
      const cases: { filter?: string; exactScanThreshold?: number; ef?: number }[] = [
        {}, // unfiltered graph search
        { ef: 24 },
        { filter: 'bucket < 100' }, // ~400 matches: exact scan over the collection's vectors
        { filter: 'bucket < 500' }, // half match: a wider unfiltered search, post-filtered
        { filter: 'bucket < 280' }, // ~28 %: the cheaper of a scan of the matches and a filtered walk
        { filter: 'bucket < 100', exactScanThreshold: 0 }, // forced filtered walk
        { filter: 'bucket < 500', exactScanThreshold: 0 },
        { filter: 'bucket < 3', exactScanThreshold: 0 }, // a walk that cannot fill k: exact fallback
        { filter: 'bucket < 0' }, // no match
      ];
      for (const options of cases) {
        const one = await c.searchMany(queries, K, { ...options, select: ['bucket'] });
        const two = await c.searchMany(queries, K, { ...options, select: ['bucket'], threads: 2 });
        expect(two).toEqual(one);
        expect(await c.searchMany(queries, K, { ...options, select: ['bucket'], threads: 3 })).toEqual(one);
        for (let i = 0; i < 5; i++) expect(await c.search(queries[i]!, K, { ...options, select: ['bucket'] })).toEqual(one[i]);
        if (options.filter !== 'bucket < 0') expect(one.every((hits) => hits.length > 0)).toBe(true);
      }
      // The threaded path ran on workers of the index's pool.
      expect(workersOf(c)).toBe(2);
      await c.close();
      expect(workersOf(c)).toBe(0);
    });
  }

  it('takes vector queries in any form beside each other, keeps their order, and checks `threads`', async () => {
    const c = await Database.memory().createCollection('mixed', { dimension: DIM, efConstruction: 80, schema: { bucket: 'integer' } });
    collections.push(c);
    await c.insertMany(vectors.slice(0, 1000).map((v, i) => ({ key: String(i), vector: v, metadata: { bucket: buckets[i]! } })));
    const mixed = queries.slice(0, 30).map((q, i) => (i % 3 === 0 ? { vector: q } : i % 3 === 1 ? Array.from(q) : q));
    const one = await c.searchMany(mixed, K);
    expect(await c.searchMany(mixed, K, { threads: 2 })).toEqual(one);
    expect(await c.searchMany([], K, { threads: 2 })).toEqual([]);
    for (const threads of [0, 1.5, -1, Number.NaN]) {
      await expect(c.searchMany(mixed, K, { threads })).rejects.toThrow(InvalidArgumentError);
    }
    // A bad query is named as on one thread.
    await expect(c.searchMany([queries[0]!, new Float32Array(3)], K, { threads: 2 })).rejects.toThrow(/query/);
  });
});

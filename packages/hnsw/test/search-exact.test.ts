import { HNSW, InvalidArgumentError, LengthMismatchError } from '@vego/hnsw';
import { type Metric, bruteForce, clustered } from './fixtures/data';

function expectSameHits(got: { id: number; distance: number }[], want: { id: number; distance: number }[]): void {
  expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
  for (let i = 0; i < want.length; i++) expect(got[i]!.distance).toBeCloseTo(want[i]!.distance, 5);
}

describe('HNSW.searchExact', () => {
  const dim = 10;
  const n = 400;
  const data = clustered(n, dim, 5, 77);
  const queries = clustered(12, dim, 5, 78);

  for (const metric of ['l2', 'cosine', 'innerProduct'] as const) {
    it(`returns what a naive loop over every live vector returns (${metric}, with deletes and a filter)`, () => {
      const index = new HNSW({ dimension: dim, M: 4, efConstruction: 16, distance: metric });
      index.addBatch(data);
      const deleted = new Set<number>();
      for (let id = 0; id < n; id += 7) {
        index.delete(id);
        deleted.add(id);
      }
      // Cosine stores unit vectors; the naive loop compares the vectors as stored.
      const stored = new Float32Array(n * dim);
      for (let id = 0; id < n; id++) if (!deleted.has(id)) stored.set(index.get(id), id * dim);
      const live = (id: number): boolean => !deleted.has(id);
      const even = (id: number): boolean => id % 2 === 0;
      for (let q = 0; q < queries.length / dim; q++) {
        const query = queries.subarray(q * dim, (q + 1) * dim);
        expectSameHits(index.searchExact(query, 10), bruteForce(metric as Metric, stored, dim, normalised(metric, query), 10, live));
        expectSameHits(
          index.searchExact(query, 10, { filter: even }),
          bruteForce(metric as Metric, stored, dim, normalised(metric, query), 10, (id) => live(id) && even(id)),
        );
      }
    });
  }

  it('returns every live vector, ascending, when k exceeds them; [] on an empty index', () => {
    const index = new HNSW({ dimension: dim });
    expect(index.searchExact(queries.subarray(0, dim), 3)).toEqual([]);
    index.addBatch(data.subarray(0, 20 * dim));
    index.delete(4);
    const all = index.searchExact(queries.subarray(0, dim), 1000);
    expect(all.length).toBe(19);
    expect(all.map((h) => h.id)).not.toContain(4);
    for (let i = 1; i < all.length; i++) expect(all[i]!.distance).toBeGreaterThanOrEqual(all[i - 1]!.distance);
    expect(index.searchExact(queries.subarray(0, dim), 5, { filter: () => false })).toEqual([]);
  });

  it('agrees with search when k covers the index (the same kernels)', () => {
    const index = new HNSW({ dimension: dim, M: 4, efConstruction: 16 });
    index.addBatch(data.subarray(0, 50 * dim));
    const q = queries.subarray(0, dim);
    expect(index.searchExact(q, 50)).toEqual(index.search(q, 50));
  });

  it('rejects bad arguments with typed errors', () => {
    const index = new HNSW({ dimension: dim });
    index.addBatch(data.subarray(0, 5 * dim));
    const q = queries.subarray(0, dim);
    expect(() => index.searchExact(q, 0)).toThrow(InvalidArgumentError);
    expect(() => index.searchExact(q, 1.5)).toThrow(InvalidArgumentError);
    expect(() => index.searchExact(q, 3, { filter: 3 as unknown as () => boolean })).toThrow(InvalidArgumentError);
    expect(() => index.searchExact(q, 3, null as unknown as {})).toThrow(InvalidArgumentError);
    expect(() => index.searchExact(q.subarray(1), 3)).toThrow(LengthMismatchError);
    expect(() => index.searchExact([NaN, ...Array.from(q.subarray(1))], 3)).toThrow(InvalidArgumentError);
  });
});

/** The query as the index compares it: unit length under cosine. */
function normalised(metric: string, q: Float32Array): Float32Array {
  if (metric !== 'cosine') return q;
  let norm = 0;
  for (const x of q) norm += x * x;
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = Math.fround(q[i]! / Math.sqrt(norm));
  return out;
}

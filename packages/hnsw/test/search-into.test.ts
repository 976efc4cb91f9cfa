/**
 * `searchInto`: `search` into caller-owned typed arrays. The same walk and the same answers as
 * `search` (ids and unrounded distances, in order) for every metric, with filters, tombstones and
 * the exact-scan fallback; nothing written past the hits; bad output arrays refused up front.
 */
import { HNSW, InvalidArgumentError, LengthMismatchError, type SearchResult } from '@vego/hnsw';
import { clustered } from './fixtures/data';

const dim = 24;
const n = 1500;
const data = clustered(n, dim, 12, 71);
const queries = clustered(100, dim, 12, 72);

function viaInto(index: HNSW, q: Float32Array, k: number, options?: Parameters<HNSW['search']>[2]): { hits: SearchResult[]; untouched: boolean } {
  const ids = new Int32Array(k + 3).fill(-7);
  const distances = new Float64Array(k + 3).fill(-7);
  const count = index.searchInto(q, k, { ids, distances }, options);
  const hits: SearchResult[] = [];
  for (let i = 0; i < count; i++) hits.push({ id: ids[i]!, distance: distances[i]! });
  let untouched = true;
  for (let i = count; i < ids.length; i++) if (ids[i] !== -7 || distances[i] !== -7) untouched = false;
  return { hits, untouched };
}

describe('HNSW#searchInto', () => {
  it.each(['l2', 'cosine', 'innerProduct'] as const)('gives exactly what search gives (%s), with ef, filters and tombstones', (distance) => {
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 48, distance, seed: 2 });
    index.addBatch(data);
    for (let id = 0; id < n; id += 9) index.delete(id);
    const bits = new Uint32Array(Math.ceil(n / 32));
    for (let id = 0; id < n; id += 4) bits[id >>> 5]! |= 1 << (id & 31);
    const cases: [number, Parameters<HNSW['search']>[2]][] = [
      [1, undefined],
      [10, 64],
      [50, { ef: 160 }],
      [10, { ef: 40, filter: (id) => id % 3 === 0 }],
      [10, { ef: 40, filterBits: bits }],
      [n, undefined], // k past the live count: the exact scan
    ];
    for (const [k, options] of cases) {
      for (let q = 0; q < (k >= n ? 3 : 20); q++) {
        const query = queries.subarray(q * dim, (q + 1) * dim);
        const { hits, untouched } = viaInto(index, query, k, options);
        expect(hits).toEqual(index.search(query, k, options));
        expect(untouched).toBe(true);
      }
    }
  });

  it('accepts Uint32Array ids, writes 0 hits on an empty index, and refuses bad output arrays', () => {
    const empty = new HNSW({ dimension: dim });
    const ids = new Uint32Array(10);
    const distances = new Float64Array(10);
    expect(empty.searchInto(queries.subarray(0, dim), 10, { ids, distances })).toBe(0);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 32, seed: 4 });
    index.addBatch(data.subarray(0, 200 * dim));
    const q = queries.subarray(0, dim);
    expect(index.searchInto(q, 10, { ids, distances })).toBe(10);
    expect(Array.from(ids)).toEqual(index.search(q, 10).map((h) => h.id));
    expect(() => index.searchInto(q, 11, { ids, distances })).toThrow(InvalidArgumentError);
    expect(() => index.searchInto(q, 5, { ids, distances: new Float32Array(10) as unknown as Float64Array })).toThrow(InvalidArgumentError);
    expect(() => index.searchInto(q, 5, { ids: [1, 2, 3] as unknown as Int32Array, distances })).toThrow(InvalidArgumentError);
    expect(() => index.searchInto(q, 5, null as unknown as { ids: Int32Array; distances: Float64Array })).toThrow(InvalidArgumentError);
    expect(() => index.searchInto(q, 0, { ids, distances })).toThrow(InvalidArgumentError);
    expect(() => index.searchInto(queries.subarray(0, dim - 1), 5, { ids, distances })).toThrow(LengthMismatchError);
  });
});

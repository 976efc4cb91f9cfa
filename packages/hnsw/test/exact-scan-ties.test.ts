import { HNSW } from '@vego/hnsw';
import { seededRandom } from '@vego/test-support';
import { DistanceHeap } from '../src/internal/heap';
import { randomBinary, refDistance } from './binary-support';

// The exact scan keeps its k best in one heap and replaces the farthest in one sift-down. Binary
// distances are small integers, so ties are the rule, not the exception: the answer must still be
// the first k of a plain sort by distance then id, ties at the cut included, in that order.

type Hit = { id: number; distance: number };

/** The first `k` of every accepted id sorted by (distance, id). */
function sorted(dists: (number | null)[], k: number): Hit[] {
  const all: Hit[] = [];
  dists.forEach((d, id) => {
    if (d !== null) all.push({ id, distance: d });
  });
  all.sort((a, b) => a.distance - b.distance || a.id - b.id);
  return all.slice(0, k);
}

describe('exact scan: ties at the cut (against a brute-force sort)', () => {
  // 600 vectors of 16 bits: Hamming distances 0..16, so dozens of ids share each distance.
  const bits = 16;
  const n = 600;
  const vectors = randomBinary(n, bits, 1601);
  const queries = randomBinary(30, bits, 1602);
  const index = new HNSW({ dimension: bits, distance: 'hamming', M: 8, efConstruction: 32, seed: 3 });
  index.addBatch(vectors);
  const deleted = new Set<number>();
  for (let id = 5; id < n; id += 11) {
    index.delete(id);
    deleted.add(id);
  }
  const bitsFilter = new Uint32Array(Math.ceil(n / 32));
  for (let id = 0; id < n; id++) if (id % 3 !== 0) bitsFilter[id >>> 5]! |= 1 << (id & 31);
  const inBits = (id: number): boolean => ((bitsFilter[id >>> 5]! >>> (id & 31)) & 1) === 1;
  const odd = (id: number): boolean => id % 2 === 1;

  const expected = (q: Uint8Array, k: number, accept: (id: number) => boolean): Hit[] =>
    sorted(
      vectors.map((v, id) => (deleted.has(id) || !accept(id) ? null : refDistance('hamming', q, v))),
      k,
    );

  it.each([1, 7, 10, 33, 100])('searchExact at k=%i: unfiltered, filter function, filterBits, both', (k) => {
    let tiesAtCut = 0;
    for (const q of queries) {
      const want = expected(q, k, () => true);
      expect(index.searchExact(q, k)).toEqual(want);
      const cut = want[want.length - 1]!.distance;
      if (expected(q, k + 1, () => true)[k]?.distance === cut) tiesAtCut++;
      expect(index.searchExact(q, k, { filter: odd })).toEqual(expected(q, k, odd));
      expect(index.searchExact(q, k, { filterBits: bitsFilter })).toEqual(expected(q, k, inBits));
      expect(index.searchExact(q, k, { filterBits: bitsFilter, filter: odd })).toEqual(expected(q, k, (id) => inBits(id) && odd(id)));
    }
    // The case this test is about: ids tied at the k-th distance left out of the answer.
    expect(tiesAtCut).toBeGreaterThan(queries.length / 2);
  });

  it('search takes the same exact scan when k covers the live vectors, and with a filter that leaves few', () => {
    const few = new Uint32Array(Math.ceil(n / 32));
    for (let id = 0; id < n; id += 40) few[id >>> 5]! |= 1 << (id & 31);
    const inFew = (id: number): boolean => ((few[id >>> 5]! >>> (id & 31)) & 1) === 1;
    for (const q of queries) {
      expect(index.search(q, n)).toEqual(expected(q, n, () => true));
      expect(index.search(q, 5, { filterBits: few })).toEqual(expected(q, 5, inFew));
    }
  });

  it('a float index with duplicate vectors answers ties by ascending id too', () => {
    // Integer components: every squared L2 distance is an exact integer, so the sort is exact.
    const random = seededRandom(1603);
    const dim = 4;
    const rows = 300;
    const base = Array.from({ length: 20 }, () => Float32Array.from({ length: dim }, () => Math.floor(random() * 4)));
    const data = new Float32Array(rows * dim);
    for (let id = 0; id < rows; id++) data.set(base[Math.floor(random() * base.length)]!, id * dim);
    const flat = new HNSW({ dimension: dim, M: 4, efConstruction: 16, seed: 4 });
    flat.addBatch(data);
    for (let t = 0; t < 10; t++) {
      const q = Float32Array.from({ length: dim }, () => Math.floor(random() * 4));
      const dists = Array.from({ length: rows }, (_, id) => {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (q[j]! - data[id * dim + j]!) ** 2;
        return s;
      });
      for (const k of [1, 10, 50]) expect(flat.searchExact(q, k)).toEqual(sorted(dists, k));
    }
  });
});

describe('DistanceHeap.offerById', () => {
  it('keeps the first cap pairs of (distance, id) order for any arrival order, and drains them in that order', () => {
    const random = seededRandom(1604);
    for (const [count, cap] of [[1, 1], [5, 10], [200, 1], [200, 7], [1000, 64], [1000, 999]] as const) {
      const dists = Array.from({ length: count }, () => Math.floor(random() * 20));
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const heap = DistanceHeap.farthestFirst(2);
      for (const id of order) {
        const d = dists[id]!;
        if (heap.length < cap || d < heap.topDistance() || (d === heap.topDistance() && id < heap.ids[0]!)) heap.offerById(d, id, cap);
      }
      const outIds = new Int32Array(cap);
      const outDists = new Float64Array(cap);
      const m = heap.drainAscendingById(outIds, outDists);
      expect(heap.length).toBe(0);
      const got = Array.from({ length: m }, (_, i) => ({ id: outIds[i]!, distance: outDists[i]! }));
      expect(got).toEqual(sorted(dists, cap));
    }
  });
});

/**
 * One k-nearest search over a prepared query, as each thread of a parallel search
 * (`HNSW#searchMany` / `searchManyAsync`) runs it: the decisions `HNSW#search` takes for an index
 * whose float vectors are in memory and without a filter function (exact scan for small indexes,
 * the bitset walk with its exact fallback, the fallback when a walk comes back short), over the
 * same graph methods, so a query answers the same on any thread (`test/threads.test.ts` compares
 * every answer with `search`). The query is read from byte offset `queryAt` of the graph's vector
 * memory: slot 0 on the calling thread, a private slot per worker.
 */
import { type Graph, STATE_ENTRY, STATE_MAX_LEVEL } from './graph';

/** Filtered search gives up on the graph walk after this many distances per unit of ef (min 2,048). */
const FILTER_VISITS_PER_EF = 32;
/** With `filterBits`, the walk may also visit this many nodes per unit of ef / selectivity. */
const FILTER_VISITS_PER_SELECTIVITY = 8;

/** Set bits among the first `count` of `bits`. */
export function countBits(bits: Uint32Array, count: number): number {
  const full = count >>> 5;
  let n = 0;
  for (let i = 0; i <= full && i < bits.length; i++) {
    let v = bits[i]!;
    if (i === full) v &= (1 << (count & 31)) - 1;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return n;
}

/**
 * Distances a filtered layer-0 walk may compute before it gives up for the exact scan: at least
 * {@link FILTER_VISITS_PER_EF} per unit of ef (min 2,048), and with `bits` enough for the
 * selectivity. A walk collecting ef accepted nodes visits about 3–4 · ef / selectivity nodes
 * (clustered 100K × 128: ~2,000–4,000 at 10 %, ef 64; a fixed 2,048 sent a third of those walks to
 * the exact scan): it gets twice that before falling back.
 */
export function filteredWalkVisits(graph: Graph, ef: number, bits: Uint32Array | undefined): number {
  let maxVisits = Math.max(2048, ef * FILTER_VISITS_PER_EF);
  if (bits !== undefined) {
    const accepted = countBits(bits, graph.count);
    if (accepted > 0) maxVisits = Math.max(maxVisits, Math.ceil((FILTER_VISITS_PER_SELECTIVITY * ef * graph.count) / accepted));
  }
  return maxVisits;
}

/**
 * Exact scan of the query at byte offset `qb` over live, accepted ids (by `filter` and `bits`): the
 * `k` nearest are left in `graph.results` (farthest first, in (distance, id) order: drain it with
 * `drainAscendingById`), which is returned. With `bits`, only its set bits are visited (word by
 * word, in ascending id order, so the vectors are read front to back).
 *
 * The answer is the first `k` of a sort by distance then id, ties at the cut included. Ids come in
 * ascending order, so a pair at the top's distance comes after every kept one and is not offered;
 * a closer one replaces the top in one sift-down (`DistanceHeap.offerById`).
 */
export function exactScan(graph: Graph, qb: number, k: number, filter: ((id: number) => boolean) | undefined, bits: Uint32Array | undefined): Graph['results'] {
  const results = graph.results;
  const deleted = graph.deleted;
  const count = graph.count;
  results.length = 0;
  if (bits === undefined) {
    for (let id = 0; id < count; id++) {
      if (deleted[id] !== 0) continue;
      if (filter !== undefined && !filter(id)) continue;
      const d = graph.distance(qb, id);
      if (results.length < k || d < results.topDistance()) results.offerById(d, id, k);
    }
  } else {
    const words = (count + 31) >>> 5;
    for (let w = 0; w < words; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const low = word & -word;
        word ^= low;
        const id = (w << 5) + (31 - Math.clz32(low));
        if (id >= count || deleted[id] !== 0) continue;
        if (filter !== undefined && !filter(id)) continue;
        const d = graph.distance(qb, id);
        if (results.length < k || d < results.topDistance()) results.offerById(d, id, k);
      }
    }
  }
  return results;
}

/** Runs searches of one graph from one query slot; results land in {@link outIds} / {@link outDists}. */
export class QueryRunner {
  outIds: Int32Array;
  outDists: Float64Array;

  /**
   * @param graph - the graph searched (read only)
   * @param queryAt - byte offset of the query in the graph's vector memory
   */
  constructor(
    readonly graph: Graph,
    public queryAt: number,
  ) {
    this.outIds = new Int32Array(64);
    this.outDists = new Float64Array(64);
  }

  /**
   * The `k` nearest of `liveCount` (≥ 1) live nodes to the query, ascending into {@link outIds} /
   * {@link outDists}; returns the count. `walk` replaces the plain float walk when given (SQ8:
   * `(k, ef) => count`, writing the same arrays).
   */
  run(
    k: number,
    ef: number,
    filter: ((id: number) => boolean) | undefined,
    bits: Uint32Array | undefined,
    liveCount: number,
    walk: ((k: number, ef: number) => number) | null,
  ): number {
    const graph = this.graph;
    const qb = this.queryAt;
    if (ef < k) ef = k;
    // A beam wider than the graph finds what one as wide as the graph finds: never size buffers past it.
    if (ef > graph.count) ef = Math.max(k, graph.count);
    if (this.outIds.length < ef) {
      this.outIds = new Int32Array(ef);
      this.outDists = new Float64Array(ef);
    }
    if (k >= liveCount) return this.exact(k, filter, bits);
    let n: number;
    if (filter === undefined && bits === undefined) {
      n = walk !== null ? walk(k, ef) : this.walk(k, ef);
      // The walk goes on through tombstones until it holds ef live nodes or has seen every node it
      // can reach, so this only happens when live nodes are cut off from the entry point (many
      // deletes, no repair yet): k results are still owed, and an exact scan finds them.
      if (n < k) n = this.exact(k, undefined, undefined);
      return n;
    }
    const ep = graph.state[STATE_ENTRY]!;
    const cur = graph.greedyDescent(qb, ep, graph.state[STATE_MAX_LEVEL]!, 0);
    const complete = graph.searchLayer0Filtered(qb, cur, ef, filter ?? null, bits ?? null, filteredWalkVisits(graph, ef, bits));
    const results = graph.results;
    if (complete && results.length >= k) return results.drainSmallest(k, this.outIds, this.outDists);
    return this.exact(k, filter, bits);
  }

  /** The plain float walk (the graph's own search, from this runner's query slot). */
  private walk(k: number, ef: number): number {
    return this.graph.search(k, ef, this.outIds, this.outDists, this.queryAt);
  }

  /**
   * Exact scan over live, accepted ids (by `filter` and `bits`) into {@link outIds} /
   * {@link outDists}; returns the count. With `bits`, only its set bits are visited (word by word,
   * in ascending id order, so the vectors are read front to back).
   */
  exact(k: number, filter: ((id: number) => boolean) | undefined, bits: Uint32Array | undefined): number {
    const results = exactScan(this.graph, this.queryAt, k, filter, bits);
    if (this.outIds.length < results.length) {
      this.outIds = new Int32Array(results.length);
      this.outDists = new Float64Array(results.length);
    }
    return results.drainAscendingById(this.outIds, this.outDists);
  }
}

/**
 * Recall against exact search, for any metric. The exact answer comes from the index itself
 * (`index.searchExact`: a brute-force scan with the index's own distance kernels), so cosine and
 * inner product are measured as faithfully as L2. Ties count as hits: a returned id is correct when its distance is
 * not greater than the k-th exact distance, since integer-valued data (SIFT) has many equal distances.
 */
import type { HNSW } from '@vego/db';

/** The k-th smallest exact distance for each of `count` queries (rows of `queries`). */
export function exactKthDistances(index: HNSW, queries: Float32Array, dimension: number, k: number): Float64Array {
  const count = queries.length / dimension;
  const kth = new Float64Array(count);
  for (let q = 0; q < count; q++) {
    const exact = index.searchExact(queries.subarray(q * dimension, (q + 1) * dimension), k);
    kth[q] = exact.length === 0 ? Infinity : exact[exact.length - 1]!.distance;
  }
  return kth;
}

/** Counts the results of one query that are within its k-th exact distance. */
export function hitsWithin(results: readonly { distance: number }[], kth: number): number {
  // Distances are float32 sums; a relative slack of 1e-6 keeps equal distances equal.
  const limit = kth + Math.abs(kth) * 1e-6;
  let hits = 0;
  for (const r of results) if (r.distance <= limit) hits++;
  return hits;
}

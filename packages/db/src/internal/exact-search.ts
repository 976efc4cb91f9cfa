/**
 * Exact nearest neighbours among the doc ids set in a bitset, over the collection's own copy of the
 * vectors: the path filtered searches take when few documents match, where a graph walk would
 * visit mostly rejected nodes. Distances follow @vego/hnsw's definitions (squared L2, `1 − cos`,
 * `1 − a·b`), accumulated in float64.
 */
import type { DistanceName } from '../collection-config';
import { VECTOR_CHUNK_ROWS, VECTOR_CHUNK_SHIFT, type VectorChunks } from './vector-chunks';

/**
 * Top `k` ids (ascending distance, ties by id) among the set bits of `bits` (`norms`: each vector's
 * Euclidean norm, used under cosine); writes ids and
 * distances into `outIds` / `outDists` (length ≥ k) and returns the count.
 */
export function exactSearchBits(
  store: VectorChunks, norms: Float64Array, distance: DistanceName, query: Float32Array,
  bits: Uint32Array, k: number, outIds: Int32Array, outDists: Float64Array,
): number {
  const d = store.dimension;
  const chunks = store.chunks;
  const rowMask = VECTOR_CHUNK_ROWS - 1;
  let qNorm = 0;
  for (let j = 0; j < d; j++) qNorm += query[j]! * query[j]!;
  qNorm = Math.sqrt(qNorm);
  let n = 0;
  const metric = distance === 'l2' ? 0 : distance === 'cosine' ? 1 : 2;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const t = word & -word;
      const id = (w << 5) + (31 - Math.clz32(t));
      word ^= t;
      const vectors = chunks[id >>> VECTOR_CHUNK_SHIFT]!;
      const off = (id & rowMask) * d;
      let dist: number;
      if (metric === 0) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const x = vectors[off + j]! - query[j]!;
          s += x * x;
        }
        dist = s;
      } else {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += vectors[off + j]! * query[j]!;
        dist = metric === 1 ? 1 - dot / (norms[id]! * qNorm) : 1 - dot;
      }
      if (n === k && (dist > outDists[n - 1]! || (dist === outDists[n - 1] && id > outIds[n - 1]!))) continue;
      let p = n < k ? n++ : n - 1;
      while (p > 0 && (outDists[p - 1]! > dist || (outDists[p - 1] === dist && outIds[p - 1]! > id))) {
        outDists[p] = outDists[p - 1]!;
        outIds[p] = outIds[p - 1]!;
        p--;
      }
      outDists[p] = dist;
      outIds[p] = id;
    }
  }
  return n;
}

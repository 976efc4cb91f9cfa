/** Binary test data and plain references shared by the binary index tests. */
import { seededRandom } from '@vego/test-support';

function bitsOf(byte: number): number {
  let n = 0;
  for (let b = 0; b < 8; b++) n += (byte >> b) & 1;
  return n;
}

/** Hamming or Jaccard distance by a plain bit-by-bit count (Jaccard rounded to f32, as the index reports it). */
export function refDistance(metric: 'hamming' | 'jaccard', a: Uint8Array, b: Uint8Array): number {
  let x = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    x += bitsOf(a[i]! ^ b[i]!);
    inter += bitsOf(a[i]! & b[i]!);
    union += bitsOf(a[i]! | b[i]!);
  }
  if (metric === 'hamming') return x;
  return union === 0 ? 0 : Math.fround((union - inter) / union);
}

/** `n` uniform random vectors of `bits` bits. */
export function randomBinary(n: number, bits: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Uint8Array(bits / 8);
    for (let j = 0; j < v.length; j++) v[j] = Math.floor(random() * 256);
    out.push(v);
  }
  return out;
}

/**
 * `n` vectors around `clusters` random centres of density `density`: each bit of a member is its
 * centre's bit flipped with probability `flip`.
 */
export function clusteredBinary(n: number, bits: number, clusters: number, flip: number, density: number, seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  const centres: Uint8Array[] = [];
  for (let c = 0; c < clusters; c++) {
    const v = new Uint8Array(bits / 8);
    for (let j = 0; j < bits; j++) if (random() < density) v[j >> 3]! |= 1 << (j & 7);
    centres.push(v);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = centres[Math.floor(random() * clusters)]!.slice();
    for (let j = 0; j < bits; j++) if (random() < flip) v[j >> 3]! ^= 1 << (j & 7);
    out.push(v);
  }
  return out;
}

/** The `k` nearest of `data` to `q` by the reference (ascending distance, then id). */
export function bruteForce(metric: 'hamming' | 'jaccard', data: readonly Uint8Array[], q: Uint8Array, k: number, accept: (id: number) => boolean = () => true): { id: number; distance: number }[] {
  const all: { id: number; distance: number }[] = [];
  for (let i = 0; i < data.length; i++) if (accept(i)) all.push({ id: i, distance: refDistance(metric, data[i]!, q) });
  all.sort((a, b) => a.distance - b.distance || a.id - b.id);
  return all.slice(0, k);
}

/**
 * Recall@k with ties: a hit counts when its distance is at most the k-th true distance (binary
 * distances tie often, and any of the tied ids is an equally right answer).
 */
export function tieRecall(hits: readonly { distance: number }[], truth: readonly { distance: number }[]): number {
  const kth = truth[truth.length - 1]!.distance;
  let ok = 0;
  for (const h of hits) if (h.distance <= kth) ok++;
  return ok / truth.length;
}

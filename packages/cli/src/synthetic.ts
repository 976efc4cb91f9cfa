/**
 * Seeded clustered vectors for benchmarks and demos. Uniform random data in high dimension has no
 * neighbourhood structure (every point is about equally far), which no graph index handles well and
 * no real embedding looks like; Gaussian clusters are a fairer stand-in.
 */
import { Prng } from '@vego/db';

/** A seeded generator of floats in [0, 1): the index's own level generator (mulberry32, `Prng` of @vego/hnsw). */
export function seededRandom(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}

/** `count` vectors of `dimension` around `clusters` random centres (a new array, row-major). */
export function clusteredVectors(count: number, dimension: number, seed = 7, clusters = 64, spread = 0.15): Float32Array {
  const rand = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = new Float32Array(clusters * dimension);
  for (let i = 0; i < centres.length; i++) centres[i] = rand() * 2 - 1;
  const out = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(rand() * clusters);
    for (let d = 0; d < dimension; d++) out[i * dimension + d] = centres[c * dimension + d]! + spread * gauss();
  }
  return out;
}

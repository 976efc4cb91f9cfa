/**
 * Seeded clustered vectors for benchmarks and demos. Uniform random data in high dimension has no
 * neighbourhood structure (every point is about equally far), which no graph index handles well and
 * no real embedding looks like; Gaussian clusters are a fairer stand-in.
 */

/** mulberry32: a small, fast, seeded 32-bit generator. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

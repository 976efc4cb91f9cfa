// Clustered vector data for the HNSW and db suites: Gaussian clusters, each with a centre, its own
// random low-dimensional basis with Gaussian coefficients along it, and a little isotropic Gaussian
// noise, so the data has a low intrinsic dimension as embeddings have. Queries are fresh draws from
// the same clusters. Seeded through @vego/test-support: the same seed and shape give the same data.
import { gaussian, seededRandom } from './data.mjs';

/**
 * `n` base and `numQueries` query vectors of `dim` (flat Float32Arrays) drawn from `clusters`
 * clusters whose centres are uniform in [−spread, spread]^dim, each with its own `subspace`-dimensional
 * basis, plus isotropic noise of standard deviation `noise`.
 * @param {number} n
 * @param {number} numQueries
 * @param {number} dim
 * @param {number} seed
 * @param {{ clusters: number, subspace: number, spread: number, noise: number }} shape
 */
export function clusteredVectors(n, numQueries, dim, seed, shape) {
  const rand = seededRandom(seed);
  const { clusters, subspace: r, spread, noise } = shape;
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = (rand() * 2 - 1) * spread;
  const bases = new Float32Array(clusters * r * dim);
  const scale = 0.5 / Math.sqrt(r);
  for (let i = 0; i < bases.length; i++) bases[i] = gaussian(rand) * scale;
  const z = new Float64Array(r);
  const draw = (count) => {
    const out = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(rand() * clusters);
      for (let t = 0; t < r; t++) z[t] = gaussian(rand);
      const o = i * dim;
      for (let j = 0; j < dim; j++) out[o + j] = centres[c * dim + j] + gaussian(rand) * noise;
      for (let t = 0; t < r; t++) {
        const b = (c * r + t) * dim;
        const zt = z[t];
        for (let j = 0; j < dim; j++) out[o + j] += bases[b + j] * zt;
      }
    }
    return out;
  };
  return { base: draw(n), queries: draw(numQueries) };
}

/** The shape of hnsw-scale and db: centres in [−1, 1]^dim, a 32-dimensional basis each, noise 0.1. */
export const EASY_SHAPE = { subspace: 32, spread: 1, noise: 0.1 };

/** hnsw-scale's and db's data: about √n / 2 clusters (at least 16) of {@link EASY_SHAPE}. */
export function clusteredData(n, numQueries, dim, seed) {
  const clusters = Math.max(16, Math.round(Math.sqrt(n) / 2));
  return clusteredVectors(n, numQueries, dim, seed, { clusters, ...EASY_SHAPE });
}

/** The hard shape of hnsw-ef: many small clusters (`perCluster` points on average) with overlapping centres. */
export const HARD_SHAPE = { subspace: 32, perCluster: 50, spread: 0.6, noise: 0.05 };

/**
 * hnsw-ef's hard set: `n / perCluster` clusters (at least 16) of {@link HARD_SHAPE}: a high intrinsic
 * dimension, where recall@10 at ef 10 is well below 0.99 for every engine.
 */
export function hardClusteredData(n, numQueries, dim, seed) {
  const clusters = Math.max(16, Math.round(n / HARD_SHAPE.perCluster));
  const { subspace, spread, noise } = HARD_SHAPE;
  return clusteredVectors(n, numQueries, dim, seed, { clusters, subspace, spread, noise });
}

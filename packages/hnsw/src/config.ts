/**
 * Index configuration: the options a caller passes, the values the index resolves them to, and the
 * adaptive rules that pick `M` and `efConstruction` from the dimension and the expected size.
 */
import { InvalidArgumentError } from '@vego/io';
import { type BinaryMetric, type DistanceMetric, L2Distance, isBinaryMetric, isDistanceMetric } from './distance';

/** Default number of links per node on the upper layers (layer 0 gets `2 * M`). */
export const DEFAULT_M = 16;
/** Default size of the candidate list while inserting. */
export const DEFAULT_EF_CONSTRUCTION = 200;
/** Default expected number of vectors, used only by the adaptive rules. */
export const DEFAULT_EXPECTED_SIZE = 10_000;
/** Default seed of the level generator: builds are reproducible unless a caller asks otherwise. */
export const DEFAULT_SEED = 42;
/**
 * Default {@link HnswConfig.repairThreshold}: the graph repair becomes due once more than a fifth
 * of its nodes are unrepaired tombstones.
 */
export const DEFAULT_REPAIR_THRESHOLD = 0.2;
/** Largest accepted `M` (layer 0 then holds 2,048 links per node). */
export const MAX_M = 1024;
/**
 * Largest accepted `dimension`: 2^24 components (a 64 MiB vector). Vectors live in one memory of
 * at most 4 GiB (a WebAssembly memory's limit, kept by the pure-TS stand-in too) that also holds a
 * query slot, so an index of this dimension holds at most 63 vectors; in general at most
 * `floor(2^32 / (4 · dimension rounded up to a multiple of 8)) − 1`. Adding past that throws
 * `ResourceExhaustedError`.
 */
export const MAX_DIMENSION = 1 << 24;
/**
 * Largest accepted `efConstruction` (65,536): the insert scratch (candidate and result heaps) is
 * sized by it up front. Useful values are in the hundreds.
 */
export const MAX_EF_CONSTRUCTION = 1 << 16;

/** Options of `new HNSW(config)`. Only `dimension` is required. */
export interface HnswConfig {
  /**
   * Number of components of every vector, a positive integer. Under a binary metric (`'hamming'`,
   * `'jaccard'`) the number of bits, a multiple of 8: vectors are `Uint8Array`s of `dimension / 8` bytes.
   */
  dimension: number;
  /** Links per node on the upper layers; layer 0 holds `2 * M`. Default 16, or adaptive. */
  M?: number;
  /** Candidate list size while inserting. Default 200, or adaptive. */
  efConstruction?: number;
  /**
   * Distance metric. Default `'l2'` (squared Euclidean). `'hamming'` and `'jaccard'` make a binary
   * index over bit-packed `Uint8Array` vectors (see `distance.ts`).
   */
  distance?: DistanceMetric | BinaryMetric;
  /** Seed of the level generator (an unsigned 32-bit integer). Default {@link DEFAULT_SEED}. */
  seed?: number;
  /**
   * Pick `M` from the dimension ({@link adaptiveM}) and `efConstruction` from `expectedSize`
   * ({@link adaptiveEfConstruction}). Explicit `M` / `efConstruction` still win. Default false.
   */
  adaptive?: boolean;
  /** Expected number of vectors; only read when `adaptive` is true. Default 10,000. */
  expectedSize?: number;
  /**
   * Automatic repair after deletes: when the share of graph nodes that are deleted but still
   * linked (tombstones) exceeds this fraction, the repair that `compact()` runs becomes due (see
   * `repair` for when it runs). A number from 0 to 1; 0 makes it due after every delete, 1 never
   * repairs automatically. Default {@link DEFAULT_REPAIR_THRESHOLD} (0.2).
   */
  repairThreshold?: number;
  /**
   * When a due repair runs. `'deferred'` (default): `delete` only marks the id (a tombstone, a few
   * nanoseconds) and the repair runs later in bounded slices, one at the start of each following
   * `add`, `addBatch`, `update` and `search` call, until it is done (or `compact()` finishes it).
   * `'eager'`: the `delete` that makes it due runs the whole repair before it returns.
   */
  repair?: RepairMode;
  /**
   * `'sq8'`: keep one byte per component (SQ8 scalar quantisation, per-dimension minimum, trained
   * on the index's vectors) beside the floats, walk the graph on those codes at search time and
   * re-rank the `ef` candidates found with the float vectors. Builds, filtered and exact searches
   * use the floats. Default `'none'`.
   */
  quantization?: Quantization;
}

/** When an automatic graph repair after deletes runs (see {@link HnswConfig.repair}). */
export type RepairMode = 'deferred' | 'eager';

/** Vector quantisation of an index: none, or SQ8 codes for the search walk. */
export type Quantization = 'none' | 'sq8';

/** The configuration an index actually runs with, every field resolved. Saved with the index. */
export interface ResolvedHnswConfig {
  readonly dimension: number;
  readonly M: number;
  readonly efConstruction: number;
  readonly distance: DistanceMetric | BinaryMetric;
  readonly seed: number;
  readonly adaptive: boolean;
  readonly expectedSize: number;
  readonly repairThreshold: number;
  readonly repair: RepairMode;
  readonly quantization: Quantization;
}

function notPositiveInteger(name: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`\`${name}\` must be a positive integer, got ${String(value)}`);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * `M` for a dimension under the adaptive rule: 16 up to 128 dimensions, 24 up to 512, 32 up to
 * 1,024, 48 above. Higher dimensions have higher intrinsic dimensionality and need more links.
 * @param dimension - vector dimension, a positive integer
 * @throws InvalidArgumentError when `dimension` is not a positive integer
 */
export function adaptiveM(dimension: number): number {
  if (!isPositiveInteger(dimension)) throw notPositiveInteger('dimension', dimension);
  if (dimension <= 128) return 16;
  if (dimension <= 512) return 24;
  if (dimension <= 1024) return 32;
  return 48;
}

/**
 * `efConstruction` for an expected size under the adaptive rule: piecewise log-linear in the size,
 * through 200 at 10K, 520 at 100K and 780 at 1M.
 *
 * ```
 * n ≤ 10K          200
 * 10K < n ≤ 100K   200 + 320 · log10(n / 10K)
 * 100K < n         520 + 260 · log10(n / 100K), at most 1,040 (reached at 10M)
 * ```
 * The result is rounded to an integer.
 * @param expectedSize - expected number of vectors, a positive integer
 * @throws InvalidArgumentError when `expectedSize` is not a positive integer
 */
export function adaptiveEfConstruction(expectedSize: number): number {
  if (!isPositiveInteger(expectedSize)) throw notPositiveInteger('expectedSize', expectedSize);
  const n = expectedSize;
  if (n <= 10_000) return 200;
  if (n <= 100_000) return Math.round(200 + 320 * Math.log10(n / 10_000));
  return Math.round(Math.min(1040, 520 + 260 * Math.log10(n / 100_000)));
}

/**
 * 32-bit words of one vector row in a snapshot and in the checksums of a saved index: the dimension
 * for float vectors; for binary ones (dimension in bits) the bit-packed bytes as whole words,
 * `ceil(dimension / 32)`, the bytes past `dimension / 8` zero.
 */
export function vectorWords(config: { readonly dimension: number; readonly distance: string }): number {
  return isBinaryMetric(config.distance) ? Math.ceil(config.dimension / 32) : config.dimension;
}

/**
 * Checks a caller's configuration and fills in defaults and adaptive values.
 * @param config - the options given to `new HNSW(config)`
 * @returns a frozen, fully resolved configuration
 * @throws InvalidArgumentError naming the first bad field
 */
export function resolveHnswConfig(config: HnswConfig): ResolvedHnswConfig {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidArgumentError(`\`config\` must be an object, got ${String(config)}`);
  }
  const { dimension } = config;
  if (!isPositiveInteger(dimension)) throw notPositiveInteger('dimension', dimension);
  if (dimension > MAX_DIMENSION) {
    throw new InvalidArgumentError(
      `\`dimension\` must be at most ${MAX_DIMENSION} (2^24: the vectors of an index share one memory of at most 4 GiB), got ${dimension}`,
    );
  }
  const adaptive = config.adaptive ?? false;
  if (typeof adaptive !== 'boolean') throw new InvalidArgumentError(`\`adaptive\` must be a boolean, got ${String(adaptive)}`);
  const expectedSize = config.expectedSize ?? DEFAULT_EXPECTED_SIZE;
  if (!isPositiveInteger(expectedSize)) throw notPositiveInteger('expectedSize', expectedSize);
  const M = config.M ?? (adaptive ? adaptiveM(dimension) : DEFAULT_M);
  if (!isPositiveInteger(M) || M < 2 || M > MAX_M) {
    throw new InvalidArgumentError(`\`M\` must be an integer from 2 to ${MAX_M}, got ${String(M)}`);
  }
  const efConstruction = config.efConstruction ?? (adaptive ? adaptiveEfConstruction(expectedSize) : DEFAULT_EF_CONSTRUCTION);
  if (!isPositiveInteger(efConstruction)) throw notPositiveInteger('efConstruction', efConstruction);
  if (efConstruction > MAX_EF_CONSTRUCTION) {
    throw new InvalidArgumentError(`\`efConstruction\` must be at most ${MAX_EF_CONSTRUCTION}, got ${efConstruction}`);
  }
  const distance = config.distance ?? L2Distance;
  if (!isDistanceMetric(distance) && !isBinaryMetric(distance)) {
    throw new InvalidArgumentError(`\`distance\` must be 'l2', 'cosine', 'innerProduct', 'hamming' or 'jaccard', got ${String(distance)}`);
  }
  const binary = isBinaryMetric(distance);
  if (binary && dimension % 8 !== 0) {
    throw new InvalidArgumentError(
      `\`dimension\` counts bits under \`distance\` '${distance}' and must be a multiple of 8 (vectors are bit-packed bytes; pad with zero bits, which change neither distance), got ${dimension}`,
    );
  }
  const seed = config.seed ?? DEFAULT_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`\`seed\` must be an integer from 0 to 2^32 - 1, got ${String(seed)}`);
  }
  const repairThreshold = config.repairThreshold ?? DEFAULT_REPAIR_THRESHOLD;
  if (typeof repairThreshold !== 'number' || !(repairThreshold >= 0 && repairThreshold <= 1)) {
    throw new InvalidArgumentError(`\`repairThreshold\` must be a number from 0 to 1, got ${String(repairThreshold)}`);
  }
  const repair = config.repair ?? 'deferred';
  if (repair !== 'deferred' && repair !== 'eager') {
    throw new InvalidArgumentError(`\`repair\` must be 'deferred' or 'eager', got ${String(repair)}`);
  }
  const quantization = config.quantization ?? 'none';
  if (quantization !== 'none' && quantization !== 'sq8') {
    throw new InvalidArgumentError(`\`quantization\` must be 'none' or 'sq8', got ${String(quantization)}`);
  }
  if (binary && quantization !== 'none') {
    throw new InvalidArgumentError(`\`quantization\` must be 'none' under the '${distance}' distance (binary vectors are already one bit per component), got '${quantization}'`);
  }
  return Object.freeze({ dimension, M, efConstruction, distance, seed, adaptive, expectedSize, repairThreshold, repair, quantization });
}

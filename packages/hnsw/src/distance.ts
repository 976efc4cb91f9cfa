/**
 * Distance metrics of the index. The metric is part of an index's configuration (and of its saved
 * form): vectors are stored already prepared for it, so it cannot change after creation.
 *
 * | metric           | stored vector    | `distance` reported            |
 * |------------------|------------------|--------------------------------|
 * | `'l2'`           | as given         | squared Euclidean, `Σ (aᵢ−bᵢ)²` |
 * | `'cosine'`       | unit length      | `1 − a·b` (0 same direction, 2 opposite) |
 * | `'innerProduct'` | as given         | `1 − a·b` (can be negative)    |
 *
 * Binary metrics ({@link BinaryMetric}) index bit-packed `Uint8Array` vectors; `dimension` then
 * counts bits (a multiple of 8) and each vector holds `dimension / 8` bytes:
 *
 * | metric      | `distance` reported                                                   |
 * |-------------|-----------------------------------------------------------------------|
 * | `'hamming'` | bits that differ, `popcount(a XOR b)` (an integer)                    |
 * | `'jaccard'` | `1 − popcount(a AND b) / popcount(a OR b)` (Tanimoto distance over bits; 0 when both are all zeros), rounded to float32 |
 */

/** Squared Euclidean distance (no square root: the order is the same and it is cheaper). */
export const L2Distance = 'l2' as const;
/** Cosine distance `1 − cos(a, b)`; vectors are normalised once, at insert and at query. */
export const CosineDistance = 'cosine' as const;
/** Inner-product distance `1 − a·b`, for maximum inner product search. */
export const InnerProductDistance = 'innerProduct' as const;

/** One of {@link L2Distance}, {@link CosineDistance}, {@link InnerProductDistance}. */
export type DistanceMetric = typeof L2Distance | typeof CosineDistance | typeof InnerProductDistance;

/** Every metric name, in a stable order (its index is the metric's numeric id). */
export const DISTANCE_METRICS: readonly DistanceMetric[] = [L2Distance, CosineDistance, InnerProductDistance];

/** True when `value` names a supported metric. */
export function isDistanceMetric(value: unknown): value is DistanceMetric {
  return value === L2Distance || value === CosineDistance || value === InnerProductDistance;
}

/** Hamming distance over bit-packed binary vectors: the number of bits that differ. */
export const HammingDistance = 'hamming' as const;
/** Jaccard (Tanimoto) distance over bit-packed binary vectors: `1 − |a ∧ b| / |a ∨ b|`. */
export const JaccardDistance = 'jaccard' as const;

/** A metric over bit-packed binary vectors: {@link HammingDistance} or {@link JaccardDistance}. */
export type BinaryMetric = typeof HammingDistance | typeof JaccardDistance;

/** Every binary metric name. */
export const BINARY_METRICS: readonly BinaryMetric[] = [HammingDistance, JaccardDistance];

/** True when `value` names a binary metric (`'hamming'` or `'jaccard'`). */
export function isBinaryMetric(value: unknown): value is BinaryMetric {
  return value === HammingDistance || value === JaccardDistance;
}

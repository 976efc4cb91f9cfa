/**
 * Distance metrics of the index. The metric is part of an index's configuration (and of its saved
 * form): vectors are stored already prepared for it, so it cannot change after creation.
 *
 * | metric           | stored vector    | `distance` reported            |
 * |------------------|------------------|--------------------------------|
 * | `'l2'`           | as given         | squared Euclidean, `Σ (aᵢ−bᵢ)²` |
 * | `'cosine'`       | unit length      | `1 − a·b` (0 same direction, 2 opposite) |
 * | `'innerProduct'` | as given         | `1 − a·b` (can be negative)    |
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

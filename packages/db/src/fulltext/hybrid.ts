/**
 * The fusion step of a hybrid search: one vector ranking (distances, ascending) and one text
 * ranking (BM25 scores, descending) of the same documents into one list, by reciprocal rank fusion
 * or by a weighted linear blend of normalised scores (`fusion.ts`).
 */
import { InvalidArgumentError } from '@vego/hnsw';
import { DEFAULT_RRF_K, linearFusion, reciprocalRankFusion } from './fusion';

/**
 * How a hybrid search fuses its two rankings: `'rrf'` (reciprocal rank fusion, k = 60),
 * `{ rrf: k }` (another k), or `{ linear: w }` (min-max normalised scores, `w` for the vector side
 * and `1 − w` for the text side, `w` from 0 to 1).
 */
export type HybridFusion = 'rrf' | { rrf: number } | { linear: number };

/** One fused hit of {@link fuseHybrid}. */
export interface HybridHit<Id> {
  id: Id;
  /** The fused score (higher is better). */
  score: number;
  /** The vector side's distance, or null when only the text side found it. */
  distance: number | null;
  /** The text side's BM25 score, or null when only the vector side found it. */
  textScore: number | null;
}

/** Checks a {@link HybridFusion}. @throws InvalidArgumentError */
export function checkHybridFusion(fusion: unknown): HybridFusion {
  if (fusion === 'rrf') return fusion;
  if (typeof fusion === 'object' && fusion !== null) {
    const f = fusion as Record<string, unknown>;
    if ('linear' in f && Object.keys(f).length === 1) {
      const w = f.linear;
      if (typeof w === 'number' && w >= 0 && w <= 1) return { linear: w };
      throw new InvalidArgumentError(`\`fusion.linear\` must be a weight from 0 to 1, got ${String(w)}`);
    }
    if ('rrf' in f && Object.keys(f).length === 1) {
      const k = f.rrf;
      if (typeof k === 'number' && Number.isFinite(k) && k > 0) return { rrf: k };
      throw new InvalidArgumentError(`\`fusion.rrf\` must be a number > 0, got ${String(k)}`);
    }
  }
  throw new InvalidArgumentError("`fusion` must be 'rrf', { rrf: k } or { linear: weight }");
}

/**
 * Fuses a vector ranking and a text ranking into the best `k`.
 * @param vectorHits - best first (ascending distance).
 * @param textHits - best first (descending score).
 * @throws InvalidArgumentError for a bad `fusion` or `k`.
 * @example
 * ```ts
 * fuseHybrid(index.search(q, 20), text.search('exact_identifier', 20), 10, { linear: 0.5 });
 * ```
 */
export function fuseHybrid<Id>(
  vectorHits: readonly { id: Id; distance: number }[],
  textHits: readonly { id: Id; score: number }[],
  k: number,
  fusion: HybridFusion = 'rrf',
): HybridHit<Id>[] {
  const f = checkHybridFusion(fusion);
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`\`k\` must be an integer ≥ 0, got ${String(k)}`);
  const vectorList = { hits: vectorHits.map((h) => ({ id: h.id, score: h.distance })), order: 'asc' as const };
  const textList = { hits: textHits };
  const fused =
    typeof f === 'object' && 'linear' in f
      ? linearFusion([{ ...vectorList, weight: f.linear }, { ...textList, weight: 1 - f.linear }], { limit: k })
      : reciprocalRankFusion([vectorList, textList], { k: f === 'rrf' ? DEFAULT_RRF_K : f.rrf, limit: k });
  return fused.map((h) => ({
    id: h.id,
    score: h.score,
    distance: h.ranks[0]! > 0 ? vectorHits[h.ranks[0]! - 1]!.distance : null,
    textScore: h.ranks[1]! > 0 ? textHits[h.ranks[1]! - 1]!.score : null,
  }));
}

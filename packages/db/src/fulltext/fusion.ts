/**
 * Fusing rankings, e.g. a vector search's and a full-text search's, into one. Pure functions over
 * lists of hits; ids may be numbers or strings (compared with `Map` semantics).
 *
 * - Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): a hit at 1-based rank r in
 *   list i earns weightᵢ / (k + r); a document's fused score is the sum over the lists holding it.
 *   Scores are ignored, so lists on incomparable scales (distances, BM25) fuse without tuning.
 * - Weighted linear fusion: each list's scores are min-max normalised to [0, 1] (1 = that list's
 *   best, so a list of distances is flipped), then summed with the lists' weights; a document
 *   missing from a list gets 0 there. A list whose scores are all equal normalises to 1 for all.
 *
 * Ties in the fused score are broken by the best rank a document reached in any list, then by
 * the order of the lists, so results are deterministic.
 */
import { InvalidArgumentError } from '@vego/hnsw';

/** One ranked list to fuse. */
export interface RankedList<Id> {
  /** Hits, best first. */
  hits: readonly { id: Id; score: number }[];
  /**
   * `desc` (default): higher scores are better (BM25, similarities); `asc`: lower is better
   * (distances). Used only by {@link linearFusion}.
   */
  order?: 'asc' | 'desc';
  /** This list's weight (default 1). */
  weight?: number;
}

/** One fused hit. */
export interface FusedHit<Id> {
  id: Id;
  /** The fused score (higher is better). */
  score: number;
  /** The hit's 1-based rank in each input list (in input order), or 0 when a list lacks it. */
  ranks: number[];
}

/** Default k of {@link reciprocalRankFusion} (the paper's). */
export const DEFAULT_RRF_K = 60;

/** Options of {@link reciprocalRankFusion}. */
export interface RrfOptions {
  /** The rank constant k (> 0; default 60): larger values flatten the advantage of top ranks. */
  k?: number;
  /** Most hits to return. Default: all. */
  limit?: number;
}

/** Options of {@link linearFusion}. */
export interface LinearFusionOptions {
  /** Most hits to return. Default: all. */
  limit?: number;
}

interface Entry<Id> {
  id: Id;
  score: number;
  ranks: number[];
  best: number;
  first: number;
}

function checkLists<Id>(lists: readonly RankedList<Id>[]): void {
  if (!Array.isArray(lists)) throw new InvalidArgumentError('`lists` must be an array of ranked lists');
  lists.forEach((l, i) => {
    if (typeof l !== 'object' || l === null || !Array.isArray(l.hits)) throw new InvalidArgumentError(`\`lists[${i}].hits\` must be an array`);
    const w = l.weight ?? 1;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new InvalidArgumentError(`\`lists[${i}].weight\` must be a finite number ≥ 0, got ${String(w)}`);
    if (l.order !== undefined && l.order !== 'asc' && l.order !== 'desc') throw new InvalidArgumentError(`\`lists[${i}].order\` must be 'asc' or 'desc'`);
  });
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return Infinity;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError(`\`limit\` must be an integer ≥ 0, got ${String(limit)}`);
  return limit;
}

/** Sums `contribution(list, rank, hit)` per id over the lists, then sorts and cuts. */
function fuse<Id>(
  lists: readonly RankedList<Id>[],
  limit: number,
  contribution: (list: number, rank: number, score: number) => number,
): FusedHit<Id>[] {
  const byId = new Map<Id, Entry<Id>>();
  for (let i = 0; i < lists.length; i++) {
    const hits = lists[i]!.hits;
    for (let r = 0; r < hits.length; r++) {
      const hit = hits[r]!;
      let e = byId.get(hit.id);
      if (e === undefined) {
        e = { id: hit.id, score: 0, ranks: new Array<number>(lists.length).fill(0), best: Infinity, first: i };
        byId.set(hit.id, e);
      }
      if (e.ranks[i] !== 0) continue; // a repeated id in one list: its first (best) rank counts
      e.ranks[i] = r + 1;
      e.best = Math.min(e.best, r + 1);
      e.score += contribution(i, r + 1, hit.score);
    }
  }
  const all = [...byId.values()];
  all.sort((a, b) => b.score - a.score || a.best - b.best || a.first - b.first);
  const out = all.length > limit ? all.slice(0, limit) : all;
  return out.map((e) => ({ id: e.id, score: e.score, ranks: e.ranks }));
}

/**
 * Reciprocal rank fusion of ranked lists.
 * @throws InvalidArgumentError for malformed lists, weights, `k` or `limit`.
 * @example
 * ```ts
 * reciprocalRankFusion([{ hits: vectorHits }, { hits: textHits }], { limit: 10 });
 * ```
 */
export function reciprocalRankFusion<Id>(lists: readonly RankedList<Id>[], options: RrfOptions = {}): FusedHit<Id>[] {
  checkLists(lists);
  const k = options.k ?? DEFAULT_RRF_K;
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) throw new InvalidArgumentError(`\`k\` must be a finite number > 0, got ${String(k)}`);
  const limit = checkLimit(options.limit);
  const weights = lists.map((l) => l.weight ?? 1);
  return fuse(lists, limit, (i, rank) => weights[i]! / (k + rank));
}

/**
 * Weighted linear fusion of min-max normalised scores.
 * @throws InvalidArgumentError for malformed lists, weights or `limit`, or a score that is not finite.
 * @example
 * ```ts
 * // 70 % vector similarity, 30 % BM25
 * linearFusion([{ hits: vectorHits, order: 'asc', weight: 0.7 }, { hits: textHits, weight: 0.3 }], { limit: 10 });
 * ```
 */
export function linearFusion<Id>(lists: readonly RankedList<Id>[], options: LinearFusionOptions = {}): FusedHit<Id>[] {
  checkLists(lists);
  const limit = checkLimit(options.limit);
  const lo = new Float64Array(lists.length);
  const span = new Float64Array(lists.length);
  const flip = lists.map((l) => l.order === 'asc');
  const weights = lists.map((l) => l.weight ?? 1);
  lists.forEach((l, i) => {
    let min = Infinity;
    let max = -Infinity;
    l.hits.forEach((h, r) => {
      if (typeof h.score !== 'number' || !Number.isFinite(h.score)) {
        throw new InvalidArgumentError(`\`lists[${i}].hits[${r}].score\` must be a finite number, got ${String(h.score)}`);
      }
      if (h.score < min) min = h.score;
      if (h.score > max) max = h.score;
    });
    lo[i] = min;
    span[i] = max - min;
  });
  return fuse(lists, limit, (i, _rank, score) => {
    const s = span[i]!;
    let norm = s > 0 ? (score - lo[i]!) / s : 1;
    if (flip[i] && s > 0) norm = 1 - norm;
    return weights[i]! * norm;
  });
}

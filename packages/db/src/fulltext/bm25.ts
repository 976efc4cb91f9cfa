/**
 * The BM25 ranking function (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25
 * and Beyond", 2009), in the form Lucene uses since version 6:
 *
 *   score(q, d) = Σ over distinct terms t of q found in d:  idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|d|/avgdl))
 *   idf(t)      = ln(1 + (N − df + 0.5) / (df + 0.5))
 *
 * where tf is how often t occurs in d, |d| the number of terms of d (after stop words), avgdl the
 * mean |d| over the N live documents, and df the number of live documents that contain t. The
 * `1 +` inside the logarithm (Lucene's choice) keeps idf positive even for a term in more than half
 * the documents, where Robertson's original ln((N − df + 0.5)/(df + 0.5)) goes negative. Unlike
 * Lucene we keep the constant (k1 + 1) factor (Lucene 8 dropped it; rankings are the same) and use
 * exact document lengths (Lucene rounds them to one byte). A term repeated in the query counts once.
 */
import { InvalidArgumentError } from '@vego/hnsw';

/** BM25 parameters. */
export interface Bm25Params {
  /** Term-frequency saturation: 0 ignores tf, larger values let repeats count longer. Default 1.2. */
  k1: number;
  /** Length normalisation: 0 ignores document length, 1 normalises fully. Default 0.75. */
  b: number;
}

/** Default {@link Bm25Params.k1} (Lucene's). */
export const DEFAULT_K1 = 1.2;
/** Default {@link Bm25Params.b} (Lucene's). */
export const DEFAULT_B = 0.75;

/**
 * Lucene's BM25 inverse document frequency of a term found in `df` of `numDocs` documents.
 * @example
 * ```ts
 * bm25Idf(1, 10); // ln(1 + 9.5 / 1.5) ≈ 1.99
 * ```
 */
export function bm25Idf(df: number, numDocs: number): number {
  return Math.log(1 + (numDocs - df + 0.5) / (df + 0.5));
}

/**
 * The BM25 contribution of one term to one document's score.
 * @param idf - from {@link bm25Idf}.
 * @param tf - occurrences of the term in the document.
 * @param docLength - terms in the document.
 * @param avgDocLength - mean terms per live document.
 */
export function bm25TermScore(idf: number, tf: number, docLength: number, avgDocLength: number, params: Bm25Params): number {
  const { k1, b } = params;
  return (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * docLength) / avgDocLength));
}

/** Checks and completes BM25 parameters (defaults for the missing ones). */
export function resolveBm25Params(params: Partial<Bm25Params> | undefined): Bm25Params {
  const k1 = params?.k1 ?? DEFAULT_K1;
  const b = params?.b ?? DEFAULT_B;
  if (typeof k1 !== 'number' || !Number.isFinite(k1) || k1 < 0) throw new InvalidArgumentError(`\`k1\` must be a finite number ≥ 0, got ${String(k1)}`);
  if (typeof b !== 'number' || !(b >= 0 && b <= 1)) throw new InvalidArgumentError(`\`b\` must be a number from 0 to 1, got ${String(b)}`);
  return { k1, b };
}

/**
 * An in-memory inverted index over documents identified by small non-negative integers (a
 * collection's internal row ids), ranked by BM25 (`bm25.ts`).
 *
 * Layout, all typed arrays that grow by doubling:
 * - the term dictionary: a `Map` from term to term id (dense, in order of first use) and the
 *   terms by id; per term its document frequency `df` (live documents), its count of stale
 *   postings and its postings: one `Int32Array` of (doc id, term frequency, doc epoch) triples;
 * - per document: its length in terms (−1: not in the index), its epoch, and its forward list
 *   (one `Int32Array` of (term id, tf) pairs: what removal and saving need).
 *
 * Removing or replacing a document bumps its epoch instead of searching every postings list: a
 * posting whose epoch differs from its document's is stale and skipped. A postings list whose
 * stale entries outnumber its live ones is rewritten on the spot (amortised O(1) per removal), so
 * lists stay at most twice their live length. `df`, the live count N and the total length behind
 * avgdl are kept exact at every step, so scores after any sequence of adds, updates and removals
 * equal those of an index built from scratch over the live documents.
 *
 * Scoring is term-at-a-time into a dense accumulator with a stamp array (never cleared, only
 * re-stamped), then a bounded heap picks the top k. Memory grows with the largest doc id: ids are
 * meant to be dense (up to {@link MAX_DOC_ID}).
 */
import { InvalidArgumentError, NotFoundError, NotSupportedError } from '@vego/hnsw';
import { type Bm25Params, bm25Idf, resolveBm25Params } from './bm25';
import { textHash } from './internal/text-hash';
import { TopK } from './internal/top-k';
import { type Tokenizer, type TokenizerOptions, createTokenizer, isTokenizer } from './tokenizer';

/** Largest document id a {@link TextIndex} accepts (memory grows with the largest id). */
export const MAX_DOC_ID = 0x3fffffff;

/**
 * Which documents a search may return: a bitset over doc ids, or a predicate (called at most once
 * per matching document per search). A `Uint8Array` bitset has bit `id & 7` of byte `id >> 3` set
 * (least significant bit first, as Arrow validity bitmaps); a `Uint32Array` one bit `id & 31` of
 * word `id >>> 5` (as @vego/db's compiled filters). Ids past the end of a bitset are excluded.
 */
export type DocFilter = Uint8Array | Uint32Array | ((docId: number) => boolean);

/** Options of the {@link TextIndex} constructor. */
export interface TextIndexOptions {
  /** A {@link Tokenizer}, or options of the default one ({@link createTokenizer}). Default: `createTokenizer()`. */
  tokenizer?: Tokenizer | TokenizerOptions;
  /** BM25 k1 (default 1.2). */
  k1?: number;
  /** BM25 b (default 0.75). */
  b?: number;
  /**
   * Keep each term's positions in each document, for {@link TextIndex.searchPhrase}. Costs one
   * int32 per token. Default false.
   */
  positions?: boolean;
}

/** Options of {@link TextIndex.search}. */
export interface TextSearchOptions {
  /** Only documents passing this filter are scored and returned. */
  filter?: DocFilter;
}

/** One search result. */
export interface TextHit {
  /** The document id. */
  id: number;
  /** Its BM25 score (higher is better). */
  score: number;
}

/** Ints per posting: doc id, term frequency, doc epoch. */
const POSTING_INTS = 3;
const EMPTY = new Int32Array(0);

function checkDocId(docId: unknown): number {
  if (typeof docId !== 'number' || !Number.isInteger(docId) || docId < 0 || docId > MAX_DOC_ID) {
    throw new InvalidArgumentError(`\`docId\` must be an integer from 0 to ${MAX_DOC_ID}, got ${String(docId)}`);
  }
  return docId;
}

/**
 * Checks a loaded document's positions: `length` of them, each term's ascending, together every
 * position from 0 to length − 1 exactly once. @throws InvalidArgumentError
 */
function checkPositions(docId: number, fwd: Int32Array, positions: Int32Array | null, length: number): void {
  if (positions === null || positions.length !== length) {
    throw new InvalidArgumentError(`document ${docId}: expected ${length} positions, found ${positions === null ? 'none' : positions.length}`);
  }
  const seen = new Uint8Array(length);
  let at = 0;
  for (let j = 0; j < fwd.length; j += 2) {
    const tf = fwd[j + 1]!;
    for (let i = 0; i < tf; i++, at++) {
      const p = positions[at]!;
      if (!(p >= 0 && p < length) || seen[p] === 1 || (i > 0 && p <= positions[at - 1]!)) {
        throw new InvalidArgumentError(`document ${docId}: position ${p} at ${at} is out of range, repeated or out of order`);
      }
      seen[p] = 1;
    }
  }
}

/** A filter as a function of a doc id (null: none); the same rules as the search loop's. */
function filterFunction(filter: DocFilter | undefined): ((docId: number) => boolean) | null {
  if (filter === undefined) return null;
  if (filter instanceof Uint8Array) return (id) => id >>> 3 < filter.length && (filter[id >>> 3]! & (1 << (id & 7))) !== 0;
  if (filter instanceof Uint32Array) return (id) => id >>> 5 < filter.length && ((filter[id >>> 5]! >>> (id & 31)) & 1) === 1;
  if (typeof filter === 'function') return (id) => filter(id) === true;
  throw new InvalidArgumentError('`filter` must be a Uint8Array or Uint32Array bitset or a function of a doc id');
}

function grownInt32(a: Int32Array, minLength: number, fill = 0): Int32Array {
  if (a.length >= minLength) return a;
  const out = new Int32Array(Math.max(minLength, a.length * 2, 16));
  out.set(a);
  if (fill !== 0) out.fill(fill, a.length);
  return out;
}

/**
 * A BM25 full-text index with incremental add, update and remove.
 * @example
 * ```ts
 * const index = new TextIndex({ tokenizer: { stopWords: true, stemming: true } });
 * index.add(0, 'Lance files store columns');
 * index.add(1, 'HNSW graphs find nearest neighbours');
 * index.search('column storage', 10); // [{ id: 0, score: … }]
 * ```
 */
export class TextIndex {
  /** The tokenizer documents and queries go through. */
  readonly tokenizer: Tokenizer;
  /** BM25 parameters. */
  readonly params: Readonly<Bm25Params>;
  /** True when the index keeps term positions (phrase queries). */
  readonly positions: boolean;

  // Documents.
  private docLength: Int32Array = new Int32Array(0);
  private docEpoch: Int32Array = new Int32Array(0);
  private docTerms: (Int32Array | null)[] = [];
  /**
   * Per document (with `positions`): the token positions of each distinct term, in the order of
   * its forward list (term j's `tf` positions, then term j + 1's, …).
   */
  private docPositions: (Int32Array | null)[] = [];
  /** 53-bit hash of each document's text (`internal/text-hash.ts`); NaN when added as tokens. */
  private docTextHash: Float64Array = new Float64Array(0);
  private liveDocs = 0;
  private totalLength = 0;

  // Terms.
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private df: Int32Array = new Int32Array(0);
  private stale: Int32Array = new Int32Array(0);
  private postLength: Int32Array = new Int32Array(0);
  private postings: Int32Array[] = [];

  // Scratch space reused by every call.
  private tfScratch: Int32Array = new Int32Array(0);
  private uniqueScratch: Int32Array = new Int32Array(16);
  private acc: Float64Array = new Float64Array(0);
  private stamp: Uint32Array = new Uint32Array(0);
  private stampValue = 0;
  private touched: Int32Array = new Int32Array(0);

  /**
   * Doc ids added, updated or removed since the last save or load (read and reset by
   * `persistence.ts`). @internal
   */
  readonly changedDocs = new Set<number>();

  /**
   * @throws InvalidArgumentError for bad options.
   */
  constructor(options: TextIndexOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object');
    const t = options.tokenizer;
    this.tokenizer = t === undefined ? createTokenizer() : isTokenizer(t) ? t : createTokenizer(t);
    this.params = Object.freeze(resolveBm25Params(options));
    const positions = options.positions ?? false;
    if (typeof positions !== 'boolean') throw new InvalidArgumentError(`\`positions\` must be a boolean, got ${String(positions)}`);
    this.positions = positions;
  }

  /** Live documents. */
  get size(): number {
    return this.liveDocs;
  }

  /** Terms in the dictionary (including terms no live document holds any more). */
  get numTerms(): number {
    return this.terms.length;
  }

  /** Sum of the live documents' lengths (terms). */
  get totalDocLength(): number {
    return this.totalLength;
  }

  /** Mean length (terms) of the live documents; 0 when there are none. */
  get avgDocLength(): number {
    return this.liveDocs === 0 ? 0 : this.totalLength / this.liveDocs;
  }

  /** True when document `docId` is in the index. */
  has(docId: number): boolean {
    return Number.isInteger(docId) && docId >= 0 && docId < this.docLength.length && this.docLength[docId]! >= 0;
  }

  /** Length in terms of document `docId`, or −1 when it is not in the index. */
  docLengthOf(docId: number): number {
    return this.has(docId) ? this.docLength[docId]! : -1;
  }

  /** Live documents holding `term` (an already tokenized term). */
  documentFrequency(term: string): number {
    const t = this.termIds.get(term);
    return t === undefined ? 0 : this.df[t]!;
  }

  /**
   * Indexes `text` as document `docId`.
   * @throws InvalidArgumentError for a bad id or non-string text, or when `docId` is already indexed
   *   (use {@link update}).
   */
  add(docId: number, text: string): void {
    checkDocId(docId);
    if (this.has(docId)) throw new InvalidArgumentError(`\`docId\` ${docId} is already indexed (use update)`);
    this.addTokens(docId, this.tokenizer.tokenize(text));
    this.docTextHash[docId] = textHash(text);
  }

  /** Replaces document `docId`'s text (adds it when missing). */
  update(docId: number, text: string): void {
    checkDocId(docId);
    const tokens = this.tokenizer.tokenize(text);
    if (this.has(docId)) this.remove(docId);
    this.addTokens(docId, tokens);
    this.docTextHash[docId] = textHash(text);
  }

  /**
   * True when document `docId` is indexed from exactly `text` (compared through a 53-bit hash of
   * the text; false for a document added with {@link addTokens}). For reconciling the index with
   * the documents it follows, e.g. after a crash.
   */
  hasText(docId: number, text: string): boolean {
    return this.has(docId) && typeof text === 'string' && this.docTextHash[docId] === textHash(text);
  }

  /** Removes document `docId`; returns false when it was not indexed. */
  remove(docId: number): boolean {
    if (!this.has(docId)) return false;
    const fwd = this.docTerms[docId]!;
    const df = this.df;
    const stale = this.stale;
    // A new epoch makes every posting of the old text stale at once (before any list is rewritten
    // below, so that the rewrite drops this document's postings too).
    this.docEpoch[docId] = (this.docEpoch[docId]! + 1) | 0;
    for (let i = 0; i < fwd.length; i += 2) {
      const t = fwd[i]!;
      df[t]!--;
      stale[t]!++;
      // Rewrite the list once stale postings outnumber live ones (amortised O(1) per removal).
      if (stale[t]! > df[t]! && stale[t]! >= 4) this.dropStale(t);
    }
    this.totalLength -= this.docLength[docId]!;
    this.liveDocs--;
    this.docLength[docId] = -1;
    this.docTerms[docId] = null;
    this.docPositions[docId] = null;
    this.changedDocs.add(docId);
    return true;
  }

  /**
   * Indexes an already tokenized document (the terms as the tokenizer would return them).
   * @throws InvalidArgumentError as {@link add}.
   */
  addTokens(docId: number, tokens: readonly string[]): void {
    checkDocId(docId);
    if (this.has(docId)) throw new InvalidArgumentError(`\`docId\` ${docId} is already indexed (use update)`);
    if (!Array.isArray(tokens)) throw new InvalidArgumentError('`tokens` must be an array of strings');
    for (let i = 0; i < tokens.length; i++) {
      if (typeof tokens[i] !== 'string') throw new InvalidArgumentError(`\`tokens[${i}]\` must be a string`);
    }
    this.ensureDocCapacity(docId + 1);
    // Count each distinct term once: tfScratch[t] counts, uniqueScratch lists the terms seen.
    let unique = 0;
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      let t = this.termIds.get(tok);
      if (t === undefined) t = this.newTerm(tok);
      if (this.tfScratch[t] === 0) {
        if (unique === this.uniqueScratch.length) this.uniqueScratch = grownInt32(this.uniqueScratch, unique + 1);
        this.uniqueScratch[unique++] = t;
      }
      this.tfScratch[t]!++;
    }
    const fwd = new Int32Array(2 * unique);
    const epoch = this.docEpoch[docId]!;
    let positions: Int32Array | null = null;
    if (this.positions) {
      // Term j's positions go to [start_j, start_j + tf_j); tfScratch[t] becomes the next free slot.
      positions = new Int32Array(tokens.length);
      let start = 0;
      for (let j = 0; j < unique; j++) {
        const t = this.uniqueScratch[j]!;
        const tf = this.tfScratch[t]!;
        fwd[2 * j] = t;
        fwd[2 * j + 1] = tf;
        this.tfScratch[t] = start;
        start += tf;
      }
      for (let i = 0; i < tokens.length; i++) {
        const t = this.termIds.get(tokens[i]!)!;
        positions[this.tfScratch[t]!++] = i;
      }
    }
    for (let j = 0; j < unique; j++) {
      const t = this.uniqueScratch[j]!;
      const tf = positions === null ? this.tfScratch[t]! : fwd[2 * j + 1]!;
      this.tfScratch[t] = 0;
      fwd[2 * j] = t;
      fwd[2 * j + 1] = tf;
      this.appendPosting(t, docId, tf, epoch);
      this.df[t]!++;
    }
    this.docTerms[docId] = fwd;
    this.docPositions[docId] = positions;
    this.docTextHash[docId] = Number.NaN;
    this.docLength[docId] = tokens.length;
    this.totalLength += tokens.length;
    this.liveDocs++;
    this.changedDocs.add(docId);
  }

  /**
   * The `k` documents scoring highest for `query` (tokenized like the documents), best first; ties
   * broken by lower id. Documents matching no query term are never returned.
   * @throws InvalidArgumentError for a non-string query, a bad `k` or a bad filter.
   */
  search(query: string, k: number, options: TextSearchOptions = {}): TextHit[] {
    if (typeof query !== 'string') throw new InvalidArgumentError(`\`query\` must be a string, got ${typeof query}`);
    return this.searchTokens(this.tokenizer.tokenize(query), k, options);
  }

  /** {@link search} over already tokenized query terms (a repeated term counts once). */
  searchTokens(tokens: readonly string[], k: number, options: TextSearchOptions = {}): TextHit[] {
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`\`k\` must be an integer ≥ 0, got ${String(k)}`);
    const filter = options.filter;
    const bits = filter instanceof Uint8Array ? filter : null;
    const words = filter instanceof Uint32Array ? filter : null;
    const pred = typeof filter === 'function' ? filter : null;
    if (filter !== undefined && bits === null && words === null && pred === null) {
      throw new InvalidArgumentError('`filter` must be a Uint8Array or Uint32Array bitset or a function of a doc id');
    }
    if (k === 0 || this.liveDocs === 0) return [];
    // Distinct known terms, in query order.
    const termList: number[] = [];
    for (const tok of tokens) {
      const t = this.termIds.get(tok);
      if (t !== undefined && this.df[t]! > 0 && !termList.includes(t)) termList.push(t);
    }
    if (termList.length === 0) return [];

    const n = this.liveDocs;
    const avgdl = this.totalLength / n;
    const { k1, b } = this.params;
    // Per document, k1·(1 − b + b·|d|/avgdl) = lenBase + lenScale·|d|.
    const lenBase = k1 * (1 - b);
    const lenScale = avgdl > 0 ? (k1 * b) / avgdl : 0;
    const docLength = this.docLength;
    const docEpoch = this.docEpoch;
    const acc = this.acc;
    const stamp = this.stamp;
    const touched = this.touched;
    if (this.stampValue === 0xffffffff) {
      stamp.fill(0);
      this.stampValue = 0;
    }
    const cur = ++this.stampValue;
    let numTouched = 0;
    for (let q = 0; q < termList.length; q++) {
      const t = termList[q]!;
      const w = bm25Idf(this.df[t]!, n) * (k1 + 1);
      const p = this.postings[t]!;
      const end = this.postLength[t]!;
      for (let i = 0; i < end; i += POSTING_INTS) {
        const doc = p[i]!;
        if (p[i + 2] !== docEpoch[doc]) continue; // stale: the document was removed or replaced
        const tf = p[i + 1]!;
        const s = (w * tf) / (tf + lenBase + lenScale * docLength[doc]!);
        if (stamp[doc] !== cur) {
          stamp[doc] = cur;
          if (bits !== null) {
            const byte = doc >>> 3;
            if (byte >= bits.length || (bits[byte]! & (1 << (doc & 7))) === 0) {
              acc[doc] = -Infinity;
              continue;
            }
          } else if (words !== null) {
            const word = doc >>> 5;
            if (word >= words.length || ((words[word]! >>> (doc & 31)) & 1) === 0) {
              acc[doc] = -Infinity;
              continue;
            }
          } else if (pred !== null && pred(doc) !== true) {
            acc[doc] = -Infinity;
            continue;
          }
          acc[doc] = s;
          touched[numTouched++] = doc;
        } else if (acc[doc] !== -Infinity) {
          acc[doc] = acc[doc]! + s;
        }
      }
    }
    const heap = new TopK(Math.min(k, numTouched));
    for (let j = 0; j < numTouched; j++) {
      const doc = touched[j]!;
      heap.push(acc[doc]!, doc);
    }
    const count = heap.drainSorted();
    const out: TextHit[] = new Array<TextHit>(count);
    for (let j = 0; j < count; j++) out[j] = { id: heap.ids[j]!, score: heap.scores[j]! };
    return out;
  }

  /**
   * The `k` documents holding the words of `phrase` consecutively (after tokenizing: stop words the
   * tokenizer drops leave no gap, so "end of file" also matches "end file"), best first. Scored as
   * Lucene scores a phrase: BM25 with the phrase's frequency in the document as tf and the sum of
   * its distinct terms' idf as idf. A one-word phrase is a term query.
   * @throws NotSupportedError when the index keeps no positions; InvalidArgumentError as {@link search}.
   */
  searchPhrase(phrase: string, k: number, options: TextSearchOptions = {}): TextHit[] {
    if (!this.positions) throw new NotSupportedError('phrase queries need an index built with `positions: true`');
    if (typeof phrase !== 'string') throw new InvalidArgumentError(`\`phrase\` must be a string, got ${typeof phrase}`);
    if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError(`\`k\` must be an integer ≥ 0, got ${String(k)}`);
    const accept = filterFunction(options.filter);
    const tokens = this.tokenizer.tokenize(phrase);
    if (k === 0 || tokens.length === 0 || this.liveDocs === 0) return [];
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = this.termIds.get(tokens[i]!);
      if (t === undefined || this.df[t] === 0) return [];
      ids[i] = t;
    }
    // Candidates: the live postings of the rarest term.
    let rarest = ids[0]!;
    for (let i = 1; i < ids.length; i++) if (this.df[ids[i]!]! < this.df[rarest]!) rarest = ids[i]!;
    const n = this.liveDocs;
    let idf = 0;
    for (let i = 0; i < ids.length; i++) if (ids.indexOf(ids[i]!) === i) idf += bm25Idf(this.df[ids[i]!]!, n);
    const { k1, b } = this.params;
    const lenBase = k1 * (1 - b);
    const lenScale = this.totalLength > 0 ? (k1 * b * n) / this.totalLength : 0;
    const heap = new TopK(Math.min(k, this.df[rarest]!));
    const p = this.postings[rarest]!;
    const end = this.postLength[rarest]!;
    const starts = new Int32Array(ids.length);
    const counts = new Int32Array(ids.length);
    for (let i = 0; i < end; i += POSTING_INTS) {
      const doc = p[i]!;
      if (p[i + 2] !== this.docEpoch[doc]) continue;
      if (accept !== null && !accept(doc)) continue;
      const pf = this.phraseFrequency(doc, ids, starts, counts);
      if (pf === 0) continue;
      heap.push((idf * pf * (k1 + 1)) / (pf + lenBase + lenScale * this.docLength[doc]!), doc);
    }
    const count = heap.drainSorted();
    const out: TextHit[] = new Array<TextHit>(count);
    for (let j = 0; j < count; j++) out[j] = { id: heap.ids[j]!, score: heap.scores[j]! };
    return out;
  }

  /** Occurrences of the term sequence `ids` at consecutive positions of document `doc`. */
  private phraseFrequency(doc: number, ids: Int32Array, starts: Int32Array, counts: Int32Array): number {
    const fwd = this.docTerms[doc]!;
    const pos = this.docPositions[doc]!;
    // Where each phrase term's positions lie in `pos` (ascending, as tokens were read).
    for (let q = 0; q < ids.length; q++) {
      let at = 0;
      let found = false;
      for (let j = 0; j < fwd.length; j += 2) {
        if (fwd[j] === ids[q]) {
          starts[q] = at;
          counts[q] = fwd[j + 1]!;
          found = true;
          break;
        }
        at += fwd[j + 1]!;
      }
      if (!found) return 0;
    }
    let pf = 0;
    const s0 = starts[0]!;
    const c0 = counts[0]!;
    for (let a = 0; a < c0; a++) {
      const first = pos[s0 + a]!;
      let all = true;
      for (let q = 1; q < ids.length && all; q++) {
        // Binary search for position first + q among term q's positions.
        let lo = starts[q]!;
        let hi = lo + counts[q]! - 1;
        const want = first + q;
        all = false;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const v = pos[mid]!;
          if (v === want) {
            all = true;
            break;
          }
          if (v < want) lo = mid + 1;
          else hi = mid - 1;
        }
      }
      if (all) pf++;
    }
    return pf;
  }

  /**
   * The token positions of each of document `docId`'s terms, as a fresh array of (term, positions).
   * @throws NotFoundError when it is not indexed; NotSupportedError without `positions`.
   */
  positionsOf(docId: number): [term: string, positions: number[]][] {
    if (!this.positions) throw new NotSupportedError('this index keeps no positions');
    const terms = this.termsOf(docId);
    const pos = this.docPositions[docId]!;
    let at = 0;
    return terms.map(([term, tf]) => {
      const out: [string, number[]] = [term, Array.from(pos.subarray(at, at + tf))];
      at += tf;
      return out;
    });
  }

  /**
   * Document `docId`'s (term, term frequency) pairs as a fresh array, in first-occurrence order.
   * @throws NotFoundError when it is not indexed.
   */
  termsOf(docId: number): [term: string, tf: number][] {
    if (!this.has(docId)) throw new NotFoundError(`document ${String(docId)} is not in the text index`);
    const fwd = this.docTerms[docId]!;
    const out: [string, number][] = [];
    for (let i = 0; i < fwd.length; i += 2) out.push([this.terms[fwd[i]!]!, fwd[i + 1]!]);
    return out;
  }

  /**
   * Bytes held by the index's typed arrays (postings, forward lists, per-term and per-document
   * arrays) plus two bytes per character of the dictionary's terms; JavaScript object and Map
   * overheads are not counted.
   */
  byteLength(): number {
    let bytes = this.docLength.byteLength + this.docEpoch.byteLength + this.df.byteLength + this.stale.byteLength + this.postLength.byteLength;
    for (const p of this.postings) bytes += p.byteLength;
    bytes += this.docTextHash.byteLength;
    for (const f of this.docTerms) if (f !== null) bytes += f.byteLength;
    for (const f of this.docPositions) if (f !== null) bytes += f.byteLength;
    for (const t of this.terms) bytes += 2 * t.length;
    return bytes;
  }

  // ----------------------------------------------------------------- for persistence.ts only

  /** The dictionary's terms by id (a live view: do not modify). @internal */
  termsById(): readonly string[] {
    return this.terms;
  }

  /** Document `docId`'s forward list of (term id, tf) pairs (a view), or null. @internal */
  forwardList(docId: number): Int32Array | null {
    return docId < this.docTerms.length ? this.docTerms[docId]! : null;
  }

  /** Document `docId`'s positions (a view), or null. @internal */
  positionList(docId: number): Int32Array | null {
    return docId < this.docPositions.length ? this.docPositions[docId]! : null;
  }

  /** Document `docId`'s text hash (NaN: unknown). @internal */
  textHashOf(docId: number): number {
    return this.docTextHash[docId]!;
  }

  /** Postings stored for `term`, stale ones included (for tests of the list rewriting). @internal */
  postingCount(term: string): number {
    const t = this.termIds.get(term);
    return t === undefined ? 0 : this.postLength[t]! / POSTING_INTS;
  }

  /** Largest doc id the per-document arrays cover, plus one. @internal */
  get docIdBound(): number {
    return this.docLength.length;
  }

  /** Adds a term with a fixed id while loading (ids must come in order). @internal */
  restoreTerm(term: string): number {
    if (this.termIds.has(term)) throw new InvalidArgumentError(`term '${term}' appears twice in the dictionary`);
    return this.newTerm(term);
  }

  /**
   * Adds a document from its forward list while loading (term ids must exist; `fwd` is kept).
   * @internal
   */
  restoreDoc(docId: number, fwd: Int32Array, hash: number, positions: Int32Array | null): void {
    checkDocId(docId);
    if (this.has(docId)) throw new InvalidArgumentError(`document ${docId} appears twice`);
    this.ensureDocCapacity(docId + 1);
    const epoch = this.docEpoch[docId]!;
    let length = 0;
    for (let i = 0; i < fwd.length; i += 2) {
      const t = fwd[i]!;
      const tf = fwd[i + 1]!;
      this.appendPosting(t, docId, tf, epoch);
      this.df[t]!++;
      length += tf;
    }
    if (this.positions) checkPositions(docId, fwd, positions, length);
    this.docTerms[docId] = fwd;
    this.docPositions[docId] = this.positions ? positions : null;
    this.docTextHash[docId] = hash;
    this.docLength[docId] = length;
    this.totalLength += length;
    this.liveDocs++;
  }

  // ----------------------------------------------------------------------------- internals

  private newTerm(term: string): number {
    const t = this.terms.length;
    this.terms.push(term);
    this.termIds.set(term, t);
    if (t >= this.df.length) {
      const cap = t + 1;
      this.df = grownInt32(this.df, cap);
      this.stale = grownInt32(this.stale, cap);
      this.postLength = grownInt32(this.postLength, cap);
      this.tfScratch = grownInt32(this.tfScratch, this.df.length);
    }
    this.postings.push(EMPTY);
    return t;
  }

  private appendPosting(t: number, doc: number, tf: number, epoch: number): void {
    let p = this.postings[t]!;
    const len = this.postLength[t]!;
    if (len + POSTING_INTS > p.length) {
      const grown = new Int32Array(Math.max(2 * p.length, 4 * POSTING_INTS));
      grown.set(p.subarray(0, len));
      this.postings[t] = p = grown;
    }
    p[len] = doc;
    p[len + 1] = tf;
    p[len + 2] = epoch;
    this.postLength[t] = len + POSTING_INTS;
  }

  /** Rewrites term `t`'s postings without its stale entries. */
  private dropStale(t: number): void {
    const p = this.postings[t]!;
    const end = this.postLength[t]!;
    const docEpoch = this.docEpoch;
    let w = 0;
    for (let i = 0; i < end; i += POSTING_INTS) {
      const doc = p[i]!;
      if (p[i + 2] !== docEpoch[doc]) continue;
      p[w] = doc;
      p[w + 1] = p[i + 1]!;
      p[w + 2] = p[i + 2]!;
      w += POSTING_INTS;
    }
    this.postLength[t] = w;
    this.stale[t] = 0;
    // Give memory back when the list shrank to a quarter of its buffer.
    if (w * 4 < p.length && p.length > 16 * POSTING_INTS) this.postings[t] = p.slice(0, Math.max(w * 2, 4 * POSTING_INTS));
  }

  private ensureDocCapacity(n: number): void {
    if (this.docLength.length >= n) return;
    const cap = Math.max(n, this.docLength.length * 2, 64);
    this.docLength = grownInt32(this.docLength, cap, -1);
    this.docEpoch = grownInt32(this.docEpoch, cap);
    while (this.docTerms.length < cap) this.docTerms.push(null);
    while (this.docPositions.length < cap) this.docPositions.push(null);
    const hashes = new Float64Array(cap).fill(Number.NaN);
    hashes.set(this.docTextHash);
    this.docTextHash = hashes;
    const acc = new Float64Array(cap);
    this.acc = acc;
    const stamp = new Uint32Array(cap);
    stamp.set(this.stamp);
    this.stamp = stamp;
    this.touched = new Int32Array(cap);
  }
}

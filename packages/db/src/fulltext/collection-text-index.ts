/**
 * A text index that follows a collection's documents (the `TextIndexHook` contract of
 * `../collection.ts`: `add`, `remove`, `search(query, k, bitset)`, `flush`), kept in a directory
 * beside the collection's dataset.
 *
 * The collection's dataset is the source of truth and commits first; this index is saved after it
 * (on `flush`) and, when the collection opens, loaded and reconciled against the live documents
 * (`reconcileTextIndex`: texts compared by hash), so a process killed between the two commits
 * leaves them consistent once reopened. When the saved index was built with other settings
 * (tokenizer, k1, b, positions) than asked for, it is rebuilt from the documents.
 */
import { CorruptDataError, InvalidArgumentError, NotFoundError, UnsupportedVersionError } from '@vego/hnsw';
import type { TextCommitRow } from './persistence-layout';
import { loadTextIndex, readTextIndexCommitSync, saveTextIndex } from './persistence';
import { type Tokenizer, type TokenizerOptions, isTokenizer } from './tokenizer';
import { reconcileTextIndex, type ReconcileResult } from './reconcile';
import { MAX_DOC_ID, TextIndex, type TextIndexOptions } from './text-index';

/**
 * Full-text settings of a collection (`fullText` of `createCollection` / `openCollection`): the
 * default tokenizer's options, or a custom `tokenizer` (which must then be passed again on every
 * open), and the BM25 parameters.
 */
export interface FullTextOptions extends TokenizerOptions {
  /** A custom tokenizer (instead of the default one and its options). */
  tokenizer?: Tokenizer;
  /** BM25 k1 (default 1.2). */
  k1?: number;
  /** BM25 b (default 0.75). */
  b?: number;
  /** Keep positions for phrase queries (default false). */
  positions?: boolean;
}

/** The {@link TextIndexOptions} of a collection's `fullText` setting. @throws InvalidArgumentError */
export function textIndexOptionsOf(fullText: true | FullTextOptions): TextIndexOptions {
  if (fullText === true) return {};
  if (typeof fullText !== 'object' || fullText === null) throw new InvalidArgumentError('`fullText` must be true or an object of full-text options');
  const { tokenizer, k1, b, positions, ...tokenizerOptions } = fullText;
  if (tokenizer !== undefined && !isTokenizer(tokenizer)) throw new InvalidArgumentError('`fullText.tokenizer` must be a Tokenizer (`id` and `tokenize`)');
  return {
    tokenizer: tokenizer ?? tokenizerOptions,
    ...(k1 === undefined ? {} : { k1 }),
    ...(b === undefined ? {} : { b }),
    ...(positions === undefined ? {} : { positions }),
  };
}

/**
 * The settings a saved text index was made with, as `fullText` options, or null when it used a
 * custom tokenizer (which only its owner can pass again).
 */
export function fullTextOptionsOfCommit(row: TextCommitRow, dir?: string): FullTextOptions | null {
  if (row.tokenizer_options === '') return null;
  // Read from the file (Lance pages carry no checksum): damaged JSON is CorruptDataError, as a load says.
  const what = dir === undefined ? 'saved text index' : `saved text index '${dir}'`;
  let options: unknown;
  try {
    options = JSON.parse(row.tokenizer_options);
  } catch (cause) {
    throw new CorruptDataError(`${what}: commit \`tokenizer_options\` is invalid: ${(cause as Error).message}`, { cause });
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CorruptDataError(`${what}: commit \`tokenizer_options\` is invalid: expected a JSON object, found ${JSON.stringify(options)}`);
  }
  return { ...(options as TokenizerOptions), k1: row.k1, b: row.b, positions: row.positions };
}

/** Default {@link CollectionTextIndex.saveEvery}. */
export const DEFAULT_TEXT_SAVE_EVERY = 1000;

/** A hit as the collection's hook returns it. */
export interface CollectionTextHit {
  docId: number;
  score: number;
}

/** A {@link TextIndex} following a collection, saved in `dir` (or kept in memory when null). */
export class CollectionTextIndex {
  /** What opening had to change to match the documents (all 0 for a fresh index). */
  reconciled: ReconcileResult = { added: 0, updated: 0, removed: 0 };
  /** True when the saved index was unusable (other settings) and the index was rebuilt. */
  rebuilt = false;
  /** `flush(false)` saves only once this many documents changed (the open reconciles the rest). */
  saveEvery = DEFAULT_TEXT_SAVE_EVERY;
  /** True when the next save must rewrite the folder whole (an index that does not continue the saved one). */
  private wholeSaveDue = false;

  private constructor(
    /** The index itself. */
    readonly index: TextIndex,
    /** Where it is saved; null: memory only. */
    readonly dir: string | null,
    /** The settings it was opened with. */
    private readonly options: TextIndexOptions,
  ) {}

  /**
   * A new index with the same settings and folder, of the documents `0 … numIds − 1` (`textOf`), for
   * a collection whose doc ids were renumbered: built in memory here; {@link flush} saves it whole.
   * Until then the folder keeps the previous save, which the next open reconciles with the
   * documents by doc id and text hash (so a process killed in between reopens correctly).
   */
  rebuiltFor(numIds: number, textOf: (docId: number) => string | null | undefined): CollectionTextIndex {
    const index = new TextIndex(this.options);
    // Reconciling an empty index adds every document that has a text.
    reconcileTextIndex(index, numIds, textOf);
    const out = new CollectionTextIndex(index, this.dir, this.options);
    out.saveEvery = this.saveEvery;
    out.wholeSaveDue = true;
    return out;
  }


  /**
   * Loads the index saved in `dir` (a new one when there is none, or when it was saved with other
   * settings than `options` ask for), then reconciles it with the documents `0 … numIds − 1`
   * (`textOf(id)`: the live document's text, or null/undefined).
   * A saved index that cannot be read (CorruptDataError, UnsupportedVersionError, a dataset its
   * commit names missing) is rebuilt from the documents.
   * @throws IoError and the other errors of {@link loadTextIndex}.
   */
  static async open(
    dir: string | null,
    options: TextIndexOptions,
    numIds: number,
    textOf: (docId: number) => string | null | undefined,
  ): Promise<CollectionTextIndex> {
    const wanted = new TextIndex(options);
    let index = wanted;
    let rebuilt = false;
    let onDisk = false;
    if (dir !== null) {
      try {
        const saved = readTextIndexCommitSync(dir);
        onDisk = saved !== null;
        if (saved !== null) {
          const same =
            saved.tokenizer === wanted.tokenizer.id && saved.k1 === wanted.params.k1 && saved.b === wanted.params.b && saved.positions === wanted.positions;
          if (same) index = await loadTextIndex(dir, { tokenizer: wanted.tokenizer, maxDocId: docIdLimit(numIds) });
          else rebuilt = true;
        }
      } catch (e) {
        // The documents are the source of truth: an unreadable saved index (corrupt, or of a newer
        // layout) is rebuilt from them, as the collection does with its HNSW index.
        if (!(e instanceof CorruptDataError || e instanceof UnsupportedVersionError || e instanceof NotFoundError)) throw e;
        index = wanted;
        rebuilt = true;
        onDisk = true;
      }
    }
    const out = new CollectionTextIndex(index, dir, options);
    out.rebuilt = rebuilt;
    out.reconciled = reconcileTextIndex(index, numIds, textOf);
    // Saved at once when new (even empty: its presence tells later opens the collection has one),
    // rebuilt, or changed by the reconciliation.
    if (dir !== null && (!onDisk || rebuilt || out.reconciled.added + out.reconciled.updated + out.reconciled.removed > 0)) {
      await saveTextIndex(index, dir, { full: rebuilt });
    }
    return out;
  }

  /** Indexes (or re-indexes) document `docId`. */
  add(docId: number, text: string): void {
    this.index.update(docId, text);
  }

  /** Drops document `docId` (no-op when absent). */
  remove(docId: number): void {
    this.index.remove(docId);
  }

  /** BM25 top `k` for `query`, restricted to the set bits of `filter` (bit `id & 31` of word `id >>> 5`) when given. */
  search(query: string, k: number, filter: Uint32Array | null): CollectionTextHit[] {
    const hits = this.index.search(query, k, filter === null ? {} : { filter });
    return hits.map((h) => ({ docId: h.id, score: h.score }));
  }

  /**
   * Saves what changed since the last save: always when `force` (the default), otherwise once
   * {@link saveEvery} documents changed. A no-op in memory or when nothing changed. Unsaved
   * changes are safe: the next open reconciles the index with the documents.
   */
  async flush(force = true): Promise<void> {
    if (this.dir === null) return;
    if (this.wholeSaveDue) {
      await saveTextIndex(this.index, this.dir, { full: true });
      this.wholeSaveDue = false;
      return;
    }
    const changed = this.index.changedDocs.size;
    if (changed > 0 && (force || changed >= this.saveEvery)) await saveTextIndex(this.index, this.dir);
  }
}

/**
 * Largest doc id a collection of `numIds` ids accepts in its saved text index: its own ids, plus
 * room for ids of documents deleted since that index was last saved (reconciliation removes them).
 * A saved index past it is treated as damaged and rebuilt from the documents, before a huge id
 * could size the index's per-document arrays (a damaged `doc_id` of 1e8 in a few-row file was a
 * fatal out-of-memory); a legitimate index only passes it when the collection kept far fewer
 * documents than its stale ids, so the rebuild is small.
 */
function docIdLimit(numIds: number): number {
  return Math.min(MAX_DOC_ID, 2 * numIds + 65535);
}

/**
 * The on-disk layout of a saved {@link TextIndex} (format version 1): three Lance datasets in one
 * directory, which LanceDB opens as the tables `terms`, `docs` and `commits` of `connect(dir)`.
 *
 * ```text
 * <dir>/terms.lance    term_id int32, term utf8                          one row per dictionary term,
 *                                                                        in id order, append-only
 * <dir>/docs.lance     doc_id int32, term_ids list<int32>, tfs list<int32>, text_hash float64,
 *                      positions list<int32>
 *                                                                        one live row per document: its
 *                                                                        distinct terms, their counts, a
 *                                                                        53-bit hash of its text (NaN when
 *                                                                        indexed from tokens) and, for an
 *                                                                        index with positions, each term's
 *                                                                        token positions in term order
 *                                                                        (empty otherwise)
 * <dir>/commits.lance  one row per save; the last row is the commit point (see TEXT_COMMITS_SCHEMA)
 * ```
 * The postings are not stored: they are the inversion of `docs`, rebuilt on load in one pass over
 * integers (no tokenizing). Storing the forward lists makes every change one row: an incremental
 * save deletes the rows of the documents updated or removed since the previous save (a Lance
 * deletion file), appends the rows of those added or updated, appends the new terms, and then
 * appends a commit row naming the versions it produced. A loader opens `terms` and `docs` at the
 * versions the last commit row names (time travel), so a save killed at any point leaves the
 * previous save loadable.
 *
 * Worked example: documents 0 = "red fish" and 1 = "blue fish fish", saved once:
 * ```text
 * terms    (0, "red") (1, "fish") (2, "blue")
 * docs     (0, [0, 1], [1, 1], h0, []) (1, [2, 1], [1, 2], h1, [])   (no positions kept)
 * commits  (format_version 1, terms_version 1, docs_version 1, num_terms 3, num_docs 2, total_length 5, …)
 * ```
 * After `update(0, 'green fish')` the next save writes terms version 2 = + (3, "green"), docs
 * version 2 = version 1 without live row 0, docs version 3 = version 2 + (0, [3, 1], [1, 1], h0', []), and a
 * commit row naming terms version 2 and docs version 3.
 */
import { Bool, Field, Float64, Int32, List, Schema, Utf8 } from '@vego/hnsw';

/** Layout version written by this build into `commits.format_version`. */
export const TEXT_INDEX_FORMAT_VERSION = 1;

/** Directory of the terms dataset (LanceDB table `terms`). */
export const TEXT_TERMS_DATASET = 'terms.lance';
/** Directory of the documents dataset (LanceDB table `docs`). */
export const TEXT_DOCS_DATASET = 'docs.lance';
/** Directory of the commits dataset (LanceDB table `commits`). */
export const TEXT_COMMITS_DATASET = 'commits.lance';

/** Schema of `terms.lance`. */
export const TEXT_TERMS_SCHEMA = new Schema([new Field('term_id', new Int32(), false), new Field('term', new Utf8(), false)]);

/** Schema of `docs.lance`. */
export const TEXT_DOCS_SCHEMA = new Schema([
  new Field('doc_id', new Int32(), false),
  new Field('term_ids', new List(new Field('item', new Int32(), true)), false),
  new Field('tfs', new List(new Field('item', new Int32(), true)), false),
  new Field('text_hash', new Float64(), false),
  new Field('positions', new List(new Field('item', new Int32(), true)), false),
]);

/**
 * Schema of `commits.lance`. `terms_version` / `docs_version` are the dataset versions the save
 * produced; `num_terms`, `num_docs` and `total_length` (sum of document lengths) let the loader
 * check what it read; `positions` whether documents carry token positions; `tokenizer` is the tokenizer's id and `tokenizer_options` the JSON options
 * that recreate it (empty for a custom tokenizer, which the loader must be given).
 */
export const TEXT_COMMITS_SCHEMA = new Schema([
  new Field('format_version', new Int32(), false),
  new Field('terms_version', new Int32(), false),
  new Field('docs_version', new Int32(), false),
  new Field('num_terms', new Int32(), false),
  new Field('num_docs', new Int32(), false),
  new Field('total_length', new Float64(), false),
  new Field('k1', new Float64(), false),
  new Field('b', new Float64(), false),
  new Field('positions', new Bool(), false),
  new Field('tokenizer', new Utf8(), false),
  new Field('tokenizer_options', new Utf8(), false),
  new Field('saved_at', new Float64(), false),
]);

/** One row of `commits.lance`, as plain values. */
export interface TextCommitRow {
  format_version: number;
  terms_version: number;
  docs_version: number;
  num_terms: number;
  num_docs: number;
  total_length: number;
  k1: number;
  b: number;
  positions: boolean;
  tokenizer: string;
  tokenizer_options: string;
  saved_at: number;
}

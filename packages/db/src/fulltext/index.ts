/**
 * Full-text search for @vego/db: tokenizers, a BM25 inverted index, its Lance persistence, and the
 * fusion of rankings for hybrid search (facade over the files of this folder).
 */
export { createTokenizer, isTokenizer, tokenizerOptionsOf, DEFAULT_MAX_TOKEN_LENGTH } from './tokenizer';
export type { Tokenizer, TokenizerOptions } from './tokenizer';
export { ENGLISH_STOP_WORDS } from './stop-words';
export { bm25Idf, bm25TermScore, resolveBm25Params, DEFAULT_K1, DEFAULT_B } from './bm25';
export type { Bm25Params } from './bm25';
export { TextIndex, MAX_DOC_ID } from './text-index';
export type { DocFilter, TextIndexOptions, TextSearchOptions, TextHit } from './text-index';
export { reciprocalRankFusion, linearFusion, DEFAULT_RRF_K } from './fusion';
export type { RankedList, FusedHit, RrfOptions, LinearFusionOptions } from './fusion';
export {
  saveTextIndex,
  saveTextIndexSync,
  loadTextIndex,
  loadTextIndexSync,
  readTextIndexCommitSync,
  DEFAULT_TEXT_COMPACTION_THRESHOLD,
} from './persistence';
export type { TextSaveOptions, TextSaveResult, TextLoadOptions } from './persistence';
export {
  TEXT_INDEX_FORMAT_VERSION,
  TEXT_TERMS_DATASET,
  TEXT_DOCS_DATASET,
  TEXT_COMMITS_DATASET,
  TEXT_TERMS_SCHEMA,
  TEXT_DOCS_SCHEMA,
  TEXT_COMMITS_SCHEMA,
} from './persistence-layout';
export type { TextCommitRow } from './persistence-layout';
export { reconcileTextIndex } from './reconcile';
export type { ReconcileResult } from './reconcile';
export { CollectionTextIndex, DEFAULT_TEXT_SAVE_EVERY, textIndexOptionsOf, fullTextOptionsOfCommit } from './collection-text-index';
export type { CollectionTextHit, FullTextOptions } from './collection-text-index';
export { fuseHybrid, checkHybridFusion } from './hybrid';
export type { HybridFusion, HybridHit } from './hybrid';

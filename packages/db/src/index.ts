/**
 * @vego/db: collections of documents (your own keys, vectors, text and typed metadata) with filter
 * expressions, vector, full-text and hybrid search, each collection persisted as one Lance dataset.
 * @packageDocumentation
 */
// What this package passes on from @vego/hnsw, by name: the error family, the HNSW index itself (for
// vectors without documents), the Lance pieces the `vego` command inspects collections with, and the
// storage options of datasets on object stores.
export {
  ErrorCode,
  VegoError,
  isVegoError,
  InvalidArgumentError,
  LengthMismatchError,
  TypeMismatchError,
  OutOfRangeError,
  CorruptDataError,
  UnsupportedVersionError,
  NotSupportedError,
  IoError,
  NotFoundError,
  ConflictError,
  ResourceExhaustedError,
  InternalError,
} from '@vego/hnsw';
export type { VegoErrorOptions } from '@vego/hnsw';
export { HNSW, Prng, isDistanceMetric, Dataset, FileSource, LanceFileReader, decodeManifest, lanceVersionName } from '@vego/hnsw';
export type { DistanceMetric, VectorLike, StorageOptions } from '@vego/hnsw';
export { Database } from './database';
export type { DatabaseOpenOptions } from './database';
export { Collection, EXACT_SCAN_MAX_MATCHES, EXACT_SCAN_FRACTION, RENUMBER_DEAD_SHARE } from './collection';
export type {
  DocumentInput, Document, SearchHit, DocumentPatch, OptimizeResult, WriteOptions, ReadOptions as CollectionReadOptions, QueryOptions,
  SearchOptions as CollectionSearchOptions, SearchQuery,
} from './collection';
export type { CreateCollectionOptions, OpenCollectionOptions, DistanceName, EmbedFunction } from './collection-config';
export { FIELD_TYPES, RESERVED_FIELDS, isFieldType } from './schema';
export type { FieldType, MetadataSchema, MetadataValue } from './schema';
export { InvalidDocumentError, DuplicateKeyError } from './errors';
export { parseFilter } from './filter/compile';
export type { Filter } from './filter/compile';
export type { FilterObject, FieldOperators } from './filter/object-filter';
export type { FilterExpr, Literal, CompareOp } from './filter/ast';
export { parseWhere, parseTimestamp } from './filter/where-parser';
export { ollamaEmbedder, openAIEmbedder } from './embedders';
export type { HttpEmbedderOptions, OpenAIEmbedderOptions } from './embedders';
export { COLLECTION_FORMAT_VERSION, CONFIG_METADATA_KEY } from './collection-layout';
export type { CollectionConfig } from './collection-layout';

// Full-text (BM25) and hybrid search: packages/db/src/fulltext/.
export {
  createTokenizer,
  isTokenizer,
  DEFAULT_MAX_TOKEN_LENGTH,
  ENGLISH_STOP_WORDS,
  bm25Idf,
  bm25TermScore,
  resolveBm25Params,
  DEFAULT_K1,
  DEFAULT_B,
  TextIndex,
  MAX_DOC_ID,
  reciprocalRankFusion,
  linearFusion,
  DEFAULT_RRF_K,
  tokenizerOptionsOf,
  saveTextIndex,
  saveTextIndexSync,
  loadTextIndex,
  loadTextIndexSync,
  readTextIndexCommitSync,
  DEFAULT_TEXT_COMPACTION_THRESHOLD,
  TEXT_INDEX_FORMAT_VERSION,
  TEXT_TERMS_DATASET,
  TEXT_DOCS_DATASET,
  TEXT_COMMITS_DATASET,
  TEXT_TERMS_SCHEMA,
  TEXT_DOCS_SCHEMA,
  TEXT_COMMITS_SCHEMA,
  reconcileTextIndex,
  CollectionTextIndex,
  DEFAULT_TEXT_SAVE_EVERY,
  textIndexOptionsOf,
  fullTextOptionsOfCommit,
  fuseHybrid,
  checkHybridFusion,
} from './fulltext/index';
export type {
  Tokenizer,
  TokenizerOptions,
  Bm25Params,
  DocFilter,
  TextIndexOptions,
  TextSearchOptions,
  TextHit,
  RankedList,
  FusedHit,
  RrfOptions,
  LinearFusionOptions,
  TextSaveOptions,
  TextSaveResult,
  TextLoadOptions,
  TextCommitRow,
  ReconcileResult,
  CollectionTextHit,
  FullTextOptions,
  HybridFusion,
  HybridHit,
} from './fulltext/index';

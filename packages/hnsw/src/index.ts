/**
 * @vego/hnsw: an HNSW nearest-neighbour index, persisted as Lance datasets.
 * @packageDocumentation
 */
// What this package passes on from @vego/io, by name: the error family; the Lance dataset API a saved
// index lives in (`Dataset`, `FileSource`, `LanceFileReader`, and the object stores a dataset or an
// index may live on), and the part of Arrow's data model that @vego/db builds its collections with. Everything else stays with the tier that declares it: install
// @vego/io (or the tier below) to use file sinks, object stores, manifests or codecs directly.
export {
  ErrorCode,
  VegoError,
  isVegoError,
  InvalidArgumentError,
  LengthMismatchError,
  TypeMismatchError,
  OutOfRangeError,
  CorruptDataError,
  corruptData,
  UnsupportedVersionError,
  NotSupportedError,
  IoError,
  NotFoundError,
  ConflictError,
  ResourceExhaustedError,
  InternalError,
} from '@vego/io';
export type { VegoErrorOptions } from '@vego/io';
export {
  Bool,
  Int32,
  Int64,
  Float32,
  Float64,
  Utf8,
  Timestamp,
  List,
  FixedSizeList,
  Field,
  Schema,
  makeData,
  Vector,
  BoolVector,
  Int32Vector,
  Int64Vector,
  Float64Vector,
  Utf8Vector,
  ListVector,
  FixedSizeListVector,
  makeVector,
  vectorFromTypedArray,
  utf8FromStrings,
  makeBuilder,
  RecordBatch,
  Table,
  Dataset,
  recordBatchFromRows,
  S3Store,
  HttpStore,
  isObjectStoreUri,
  checkEntryInside,
  dotSegmentOf,
  FileSource,
  LanceFileReader,
  decodeManifest,
  lanceVersionName,
} from '@vego/io';
export type { DataType, ObjectStore, StorageOptions } from '@vego/io';
export { HNSW, DEFAULT_EF_SEARCH } from './hnsw';
export type { VectorLike, SearchResult, SearchOutput, SearchOptions, ExactSearchOptions, AddBatchOptions, AddBatchAsyncOptions, SearchManyOptions, HnswCompactResult, HnswCompactIdsResult } from './hnsw';
export {
  DEFAULT_M,
  DEFAULT_EF_CONSTRUCTION,
  DEFAULT_EXPECTED_SIZE,
  DEFAULT_SEED,
  DEFAULT_REPAIR_THRESHOLD,
  MAX_M,
  MAX_DIMENSION,
  MAX_EF_CONSTRUCTION,
  adaptiveM,
  adaptiveEfConstruction,
  resolveHnswConfig,
} from './config';
export type { HnswConfig, ResolvedHnswConfig, Quantization, RepairMode } from './config';
export { Prng } from './internal/prng';
export { L2Distance, CosineDistance, InnerProductDistance, DISTANCE_METRICS, isDistanceMetric, HammingDistance, JaccardDistance, BINARY_METRICS, isBinaryMetric } from './distance';
export type { DistanceMetric, BinaryMetric } from './distance';
export { SNAPSHOT_FORMAT_VERSION, validateSnapshot } from './snapshot';
export type { HnswSnapshot } from './snapshot';
export { loadHNSWFromLance, loadHNSWFromLanceSync } from './load-from-lance';
export { DEFAULT_COMPACTION_THRESHOLD } from './persistence';
export type { LanceSaveOptions, LanceSaveResult, LanceLoadOptions, IndexStoreOptions, IndexCleanupOptions, IndexCleanupResult } from './persistence';
export { LANCE_FORMAT_VERSION, NODES_DATASET, CONNECTIONS_DATASET, METADATA_DATASET, CONNECTIONS_SCHEMA, METADATA_SCHEMA, connectionsSchema, nodesSchema } from './persistence/layout';
export type { MetadataRow } from './persistence/layout';

/**
 * @vego/io: files, Lance datasets and a table API on the file system.
 * @packageDocumentation
 */
// What this package passes on from @vego/format, by name: the error family, Arrow's data model (what
// datasets are read into and written from), the zstd and decode-limit settings that govern reads, and
// the Lance file reader and writer with the types this package's own signatures use (byte sources and
// sinks, file versions, writer options). Manifests, footers and page codecs stay in @vego/format.
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
} from '@vego/format';
export type { VegoErrorOptions } from '@vego/format';
export {
  TypeId,
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Float16,
  Float32,
  Float64,
  Utf8,
  Binary,
  FixedSizeList,
  List,
  Struct,
  Dictionary,
  Date32,
  Date64,
  Timestamp,
  Time32,
  Time64,
  Duration,
  FixedSizeBinary,
  Decimal128,
  Decimal256,
  LargeUtf8,
  LargeBinary,
  Field,
  Schema,
  isDataType,
  isNumeric,
  isPrimitive,
  isFixedWidth,
  isFixedBinary,
  isVariableBinary,
  isTemporal,
  ArrayData,
  makeData,
  checkData,
  Vector,
  BoolVector,
  Int8Vector,
  Int16Vector,
  Int32Vector,
  Int64Vector,
  Uint8Vector,
  Uint16Vector,
  Uint32Vector,
  Uint64Vector,
  Float16Vector,
  Float32Vector,
  Float64Vector,
  Utf8Vector,
  BinaryVector,
  FixedSizeListVector,
  ListVector,
  StructVector,
  Temporal32Vector,
  Temporal64Vector,
  FixedSizeBinaryVector,
  DecimalVector,
  LargeUtf8Vector,
  LargeBinaryVector,
  DictionaryVector,
  makeVector,
  vectorFromTypedArray,
  fixedSizeListFromFloat32,
  utf8FromStrings,
  vectorFrom,
  makeBuilder,
  RecordBatch,
  Table,
} from '@vego/format';
export type { DataType, TypedArray, TimeUnit, DictionaryIndexType, DataInit } from '@vego/format';
export {
  initZstd,
  isZstdReady,
  ZstdNotInitializedError,
  DEFAULT_MAX_OUTPUT_BYTES,
  getDefaultDecodeLimits,
  setDefaultDecodeLimits,
} from '@vego/format';
export type { DecodeLimits } from '@vego/format';
export { LanceFileReader, LanceFileWriter, MemorySource, MemorySink, decodeManifest, lanceVersionName } from '@vego/format';
// The effect drivers io's own commits run on, for @vego/hnsw's save and load (one body, sync and async forms).
export { perform, runTaskSync, runTaskAsync } from '@vego/format';
export type { Effect, Task } from '@vego/format';
export type {
  ReadOptions,
  OpenOptions,
  LanceFileWriterOptions,
  LanceFileVersion,
  FileSummary,
  SyncByteSource,
  AsyncByteSource,
  ByteSink,
} from '@vego/format';
export { BlockCache, DEFAULT_BLOCK_BYTES, DEFAULT_CACHE_CAPACITY_BYTES } from './block-cache';
export type { BlockCacheOptions, BlockCacheStats } from './block-cache';
export { FileSource } from './file-source';
export type { FileSourceOptions } from './file-source';
export { AsyncFileSource } from './async-file-source';
export type { AsyncFileSourceOptions, AsyncFileSourceStats } from './async-file-source';
export type { ScheduledSourceStats } from './internal/scheduled-source';
export { FileSink } from './file-sink';
export type { FileSinkOptions } from './file-sink';
export { AsyncFileSink } from './async-file-sink';
export type { AsyncFileSinkOptions } from './async-file-sink';
export {
  publishFileSync,
  publishFile,
  writeFileDurableSync,
  writeFileDurable,
  syncDirectorySync,
  syncDirectory,
  removeStaleTempFiles,
} from './atomic-file';
export type { PublishOptions } from './atomic-file';
export { inferSchema, recordBatchFromRows } from './rows';
export type { Row } from './rows';
export { Dataset, DEFAULT_CLEANUP_OLDER_THAN_MS } from './dataset';
export { checkEntryInside } from './internal/dataset-paths';
export type {
  WriteMode,
  DatasetWriteOptions,
  DatasetOpenOptions,
  DeleteOptions,
  DeleteWhereOptions,
  AppendAndDeleteOptions,
  ScanOptions,
  VersionInfo,
  FragmentFiles,
  FragmentSummary,
  CleanupOptions,
  CleanupResult,
  CompactOptions,
  CompactResult,
  DatasetIndex,
} from './dataset';
export type { DatasetInput } from './internal/data-input';
export type { ManifestNaming } from './internal/manifest-names';
export type { StorageVersion } from './internal/lance-adapter';
export { S3Store, parseS3Uri } from './store/s3-store';
export { dotSegmentOf } from './store/object-key';
export { HttpStore } from './store/http-store';
export { ObjectSource } from './store/object-source';
export type { ObjectSourceOptions, ObjectSourceStats } from './store/object-source';
export { isObjectStoreUri } from './store/object-store';
export { isMultipartStore } from './store/object-store';
export type { ObjectStore, MultipartStore, ObjectInfo, ObjectStoreStats, PutOptions } from './store/object-store';
export { ObjectSink, DEFAULT_PART_BYTES } from './store/object-sink';
export { resolveS3Options } from './store/storage-options';
export type { StorageOptions, ResolvedS3Options } from './store/storage-options';

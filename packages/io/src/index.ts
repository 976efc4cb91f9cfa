/**
 * @vego/io: files, Lance datasets and a table API on the file system.
 * @packageDocumentation
 */
export * from '@vego/format';
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
export type {
  WriteMode,
  DatasetWriteOptions,
  DatasetOpenOptions,
  ScanOptions,
  VersionInfo,
  FragmentFiles,
  CleanupOptions,
  CleanupResult,
  CompactOptions,
  CompactResult,
} from './dataset';
export type { DatasetInput } from './internal/data-input';
export type { ManifestNaming } from './internal/manifest-names';
export type { StorageVersion } from './internal/lance-adapter';
export { S3Store, parseS3Uri } from './store/s3-store';
export { HttpStore } from './store/http-store';
export { ObjectSource } from './store/object-source';
export type { ObjectSourceOptions, ObjectSourceStats } from './store/object-source';
export { isObjectStoreUri } from './store/object-store';
export { isMultipartStore } from './store/object-store';
export type { ObjectStore, MultipartStore, ObjectInfo, ObjectStoreStats, PutOptions } from './store/object-store';
export { ObjectSink, DEFAULT_PART_BYTES } from './store/object-sink';
export { resolveS3Options } from './store/storage-options';
export type { StorageOptions, ResolvedS3Options } from './store/storage-options';

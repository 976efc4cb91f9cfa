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

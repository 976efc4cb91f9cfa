/**
 * The options and results of the `Dataset` API (see ../dataset) and the defaults shared by its parts.
 */
import { InvalidArgumentError } from '@vego/format';
import type { LanceFileWriterOptions, Schema } from '@vego/format';
import type { BlockCache } from '../block-cache';
import type { StorageVersion } from '../internal/lance-adapter';
import type { ManifestNaming } from '../internal/manifest-names';
import type { ObjectStore } from '../store/object-store';
import type { StorageOptions } from '../store/storage-options';

/** How {@link Dataset.create} treats an existing dataset. */
export type WriteMode = 'create' | 'append' | 'overwrite';

/** Options of {@link Dataset.create} and {@link Dataset.createSync}. */
export interface DatasetWriteOptions {
  /**
   * `create` (default): fail with ConflictError if the dataset exists. `append`: add the rows as new
   * fragments in a new version (creates the dataset when missing). `overwrite`: a new version that
   * holds only these rows (older versions stay readable until cleaned up).
   */
  mode?: WriteMode;
  /** The schema, for empty input or to type plain rows (see {@link inferSchema}). */
  schema?: Schema;
  /** Rows per data file (one fragment each). Default 1,048,576. */
  maxRowsPerFile?: number;
  /**
   * Options of each data file's writer (page size, bit-packing, dictionary, compression; see
   * `LanceFileWriterOptions` of @vego/format). Default: the writer's defaults.
   */
  fileOptions?: LanceFileWriterOptions;
  /**
   * Appends only: when another writer commits first, re-read the latest version and commit on top
   * of it, up to this many times (appends commute). Default 0: the loser gets ConflictError.
   */
  conflictRetries?: number;
  /**
   * Appends and overwrites only: commit only on top of this version (compare-and-swap). When the
   * latest version is another one, or another writer commits `expectedVersion + 1` first, the write
   * fails with ConflictError and adds nothing (no re-basing, whatever `conflictRetries` says). For
   * writers that keep state derived from the version they read (such as @vego/db's collections).
   */
  expectedVersion?: number;
  /** Manifest naming of a new dataset: `v2` (default, LanceDB's) or `v1`. Existing datasets keep theirs. */
  manifestNaming?: ManifestNaming;
  /**
   * Lance data storage version of the data files (LanceDB's `data_storage_version`): `'2.0'` (the default
   * for new datasets), `'2.1'` or `'2.2'` (LanceDB 0.39's default). Appends always keep the dataset's version
   * (passing another one is an InvalidArgumentError); an overwrite keeps it unless this is given.
   */
  storageVersion?: StorageVersion;
  /** For an `s3://` URI: Lance-named storage options (see {@link DatasetOpenOptions.storageOptions}). */
  storageOptions?: StorageOptions;
  /** For an `s3://` URI: the store to write through (its root must contain the URI). */
  store?: ObjectStore;
  /**
   * Fsync the data files, the manifest and their directories before the commit returns (default
   * true). False skips every fsync: the commit stays atomic (a reader, or this process reopening
   * after a kill -9, sees the previous version or the new one whole), but an operating-system crash
   * or power loss may lose it or leave a damaged latest version. LanceDB and hnswlib-node do not
   * fsync either. No effect on object stores (an acknowledged PUT is durable).
   */
  durable?: boolean;
  /**
   * Called once the new data files are written (and, when durable, fsynced), right before the
   * manifest is published: the last moment to refuse the commit. A throw aborts it: the files
   * written are removed, no version is committed, and the commit fails with that error. For a
   * writer whose input may have changed while an asynchronous commit wrote it (it checks and
   * throws, then writes again from a copy). Called again before each retry of a conflicting append.
   */
  beforeCommit?: () => void;
}

/** Options of {@link Dataset.deleteRowsSync} / {@link Dataset.deleteRows}. */
export interface DeleteOptions {
  /** As {@link DatasetWriteOptions.durable} (default true). */
  durable?: boolean;
  /**
   * When another writer commits first, commit on top of the latest version instead, up to this many
   * times, if every fragment the delete touches is there unchanged (appends, and deletes or updates
   * of other fragments, leave them so; the same rows are deleted). Otherwise, and by default (0),
   * ConflictError and nothing is deleted.
   */
  conflictRetries?: number;
}

/** Options of {@link Dataset.deleteSync} / {@link Dataset.delete}. */
export interface DeleteWhereOptions extends DeleteOptions {
  /** The columns `where` sees in `row` (default: all). */
  columns?: readonly string[];
}

/** Options of {@link Dataset.appendAndDeleteSync} and {@link Dataset.appendAndDelete}: those of an append that apply to one commit on the version opened. */
export interface AppendAndDeleteOptions extends Pick<DatasetWriteOptions, 'schema' | 'maxRowsPerFile' | 'fileOptions' | 'durable' | 'beforeCommit'> {
  /**
   * When another writer commits first, commit on top of the latest version instead, up to this many
   * times, if every fragment the deletes touch is there unchanged and the schema is the same (see
   * {@link DeleteOptions.conflictRetries}). Default 0: ConflictError, nothing added or deleted.
   */
  conflictRetries?: number;
  /**
   * The rows to delete are given by row address (Lance's `_rowaddr`: fragment id · 2³² + physical
   * offset in that fragment, see {@link Dataset.rowAddresses}) instead of by live position. Default
   * false. Addresses are checked against the manifest's fragments and row counts only: no data file
   * is opened, and only the deletion files of the fragments they touch are read, so the commit
   * costs in proportion to the rows deleted, not to the fragments before them. An address of a
   * row already deleted changes nothing.
   */
  rowAddresses?: boolean;
}

/** Options of {@link Dataset.open} and {@link Dataset.openSync}. */
export interface DatasetOpenOptions {
  /** The version to open (time travel). Default: the latest. */
  version?: number;
  /** Block cache for the data files (shared across datasets if you pass the same one). */
  cache?: BlockCache;
  /**
   * For an `s3://` or `http(s)://` URI: storage options named as Lance names them (`aws_endpoint`,
   * `aws_region`, `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`, `allow_http`,
   * `aws_virtual_hosted_style_request`, `aws_skip_signature`, `client_max_retries`,
   * `client_retry_timeout`; missing ones from the AWS_* environment variables).
   */
  storageOptions?: StorageOptions;
  /** For an `s3://` or `http(s)://` URI: the store to read through (its root must contain the URI). */
  store?: ObjectStore;
}

/** Options of {@link Dataset.scan}. */
export interface ScanOptions {
  /** Columns to read, in this order. Default: all. */
  columns?: readonly string[];
  /** Rows to skip. Default 0. */
  offset?: number;
  /** Most rows to return. Default: all. */
  limit?: number;
  /** Most rows per yielded batch. Default 65,536. */
  batchSize?: number;
}

/** One fragment of a version, as listed by {@link Dataset.fragmentFiles}. */
export interface FragmentSummary {
  /** The fragment's id in the manifest (the high half of its rows' addresses, see {@link Dataset.rowAddresses}). */
  id: number;
  /** Rows stored in the files, deleted ones included (the manifest's claim). */
  physicalRows: number;
  /** True when a deletion file hides some of its rows. */
  hasDeletions: boolean;
}

/** One fragment of a version with its data files ({@link Dataset.fragmentFiles}). */
export interface FragmentFiles extends FragmentSummary {
  /** Absolute paths of its data files (one unless columns were added later). */
  paths: string[];
}

/** One committed version, as listed by {@link Dataset.versions}. */
export interface VersionInfo {
  version: number;
  /** When the manifest was written (file modification time). */
  timestamp: Date;
  /** The manifest file name inside `_versions/`. */
  manifestFile: string;
}

/**
 * Options of {@link Dataset.cleanupOldVersions}. A version is removed only when it is older than
 * `olderThan` AND not among the `keep` newest; the latest version is never removed.
 */
export interface CleanupOptions {
  /**
   * Remove only versions at least this old, by the commit time their manifest records: a Date
   * (versions committed before it) or an age in milliseconds (`0`: any age). Default
   * {@link DEFAULT_CLEANUP_OLDER_THAN_MS} (7 days, as Lance's `older_than`), so that readers of
   * recent versions keep their files.
   */
  olderThan?: Date | number;
  /** Always keep this many newest versions (at least 1). Default 1. */
  keep?: number;
  /**
   * Never remove this version or a later one, whatever their age: for a caller that knows which
   * version a reader may still open (a saved HNSW index keeps the versions its commits name). A
   * positive integer; default none.
   */
  keepFrom?: number;
}

/** Default retention of {@link Dataset.cleanupOldVersions}: 7 days in milliseconds (Lance's `older_than` default). */
export const DEFAULT_CLEANUP_OLDER_THAN_MS = 7 * 24 * 60 * 60 * 1000;

/** What {@link Dataset.cleanupOldVersions} removed. */
export interface CleanupResult {
  removedVersions: number[];
  /** Data file names (relative to `data/`) and deletion files (`_deletions/<name>`) removed. */
  removedDataFiles: string[];
  /**
   * UUIDs of the LanceDB indices whose folders (`_indices/<uuid>/`, with every file in them) were
   * removed: indices only removed versions named (re-created, or merged by LanceDB's `optimize`).
   */
  removedIndices: string[];
}

/** Options of {@link Dataset.compactSync} and {@link Dataset.compact} (named after Lance's `CompactionOptions`). */
export interface CompactOptions {
  /**
   * Rows per fragment to aim for: fragments with fewer live rows are merged with their neighbours
   * into new fragments of up to this many rows. Default 1,048,576 (as Lance).
   */
  targetRowsPerFragment?: number;
  /**
   * Also rewrite a fragment, whatever its size, when more than `materializeDeletionsThreshold` of its
   * rows are deleted, so the deleted rows stop taking space and scan time. Default true.
   */
  materializeDeletions?: boolean;
  /** Fraction (0 to 1) of deleted rows above which {@link materializeDeletions} applies. Default 0.1 (as Lance). */
  materializeDeletionsThreshold?: number;
  /** Options of each new data file's writer (as {@link DatasetWriteOptions.fileOptions}). */
  fileOptions?: LanceFileWriterOptions;
}

/** What a compaction did, without the dataset (see `CompactResult` in ../dataset). */
export interface CompactStats {
  /** Fragments replaced by new ones (their files stay on disk until {@link Dataset.cleanupOldVersions}). */
  fragmentsRemoved: number;
  /** Fragments written. */
  fragmentsAdded: number;
  /** Live rows copied into the new fragments. */
  rowsRewritten: number;
  /** Deleted rows of the replaced fragments: the new version no longer stores them. */
  deletedRowsRemoved: number;
}

/** Default rows per data file (and compaction target), as Lance. */
export const DEFAULT_MAX_ROWS_PER_FILE = 1 << 20;
/** Lance's default `materialize_deletions_threshold`. */
export const DEFAULT_MATERIALIZE_DELETIONS_THRESHOLD = 0.1;
/** Default rows per scan batch. */
export const DEFAULT_BATCH_SIZE = 65_536;
/** Asynchronous writes: between batches, wait until at most this many bytes are queued for a data file. */
export const WRITE_QUEUE_BYTES = 8 * 1024 * 1024;

/** Throws InvalidArgumentError unless `v` is undefined or a non-negative safe integer. */
export function checkNonNegInt(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
    throw new InvalidArgumentError(`\`${name}\` must be a non-negative integer, got ${v}`);
  }
}

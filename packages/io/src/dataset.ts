/**
 * A Lance dataset on the file system: a directory LanceDB can open. The same layout under an
 * `s3://` or (read-only) `http(s)://` URI is served by an object store through the asynchronous
 * methods: file access goes through ./internal/remote-dataset and ./store/ when the URI is not a path.
 *
 * ```text
 * <dir>/data/<uuid>.lance          data files (Lance file format 2.0, 2.1 or 2.2), never modified once committed
 * <dir>/_versions/<n>.manifest     one manifest per committed version (V1 naming), or
 * <dir>/_versions/<u64::MAX-n>.manifest   (V2 naming, what LanceDB 0.39 writes; the default here)
 * <dir>/_deletions/<frag>-<ver>-<id>.arrow|.bin   deleted row offsets of a fragment (see ./internal/deletions)
 * ```
 * A version is its manifest: the schema and the list of fragments (data files) it contains. Writing
 * never modifies an existing file. A commit (1) writes every new data file and fsyncs it, then (2)
 * publishes the next manifest atomically with {@link publishFileSync} (temp file, fsync, hard link
 * that fails if the name exists). So readers see either the old or the new version, a crash leaves
 * the last committed version intact, and of two writers committing the same version one gets
 * {@link ConflictError}.
 *
 * Each commit (create/append, delete, compact) is written once, as a task yielding its I/O (see
 * @vego/format's effects.ts): the `…Sync` methods run it with blocking calls, the async ones with
 * `fs/promises` and {@link AsyncFileSink}, so their I/O never blocks the event loop.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  CorruptDataError,
  InvalidArgumentError,
  LanceFileReader,
  LanceFileWriter,
  type LanceFileWriterOptions,
  NotFoundError,
  NotSupportedError,
  OutOfRangeError,
  RecordBatch,
  Schema,
  Table,
  ZstdNotInitializedError,
  initZstd,
  isZstdReady,
  concatData,
  deletionFileName,
  makeNullData,
  makeVector,
  takeBatch,
  takeData,
} from '@vego/format';
import type { DataType, DeletionFile, FieldColumns, Vector } from '@vego/format';
import { mapFragmentColumns, nodeIdsOf } from './internal/field-map';
import { AsyncFileSource } from './async-file-source';
import type { AsyncFileSink } from './async-file-sink';
import { syncDirectorySync, type publishFileSync } from './atomic-file';
import type { BlockCache } from './block-cache';
import { FileSource } from './file-source';
import { describeSchema, normalizeInput, sameColumns, type DatasetInput } from './internal/data-input';
import { checkRealInside, checkRelativePath, joinInside, joinPath } from './internal/dataset-paths';
import { fsError } from './internal/fs-error';
import {
  DELETIONS_DIR,
  deletedBefore,
  encodeDeletionFile,
  liveToPhysical,
  readDeletionFileSync,
  unionSorted,
} from './internal/deletions';
import { perform, resolvedEffect, runTaskAsync as runAsync, runTaskSync as runSync, type Effect, type Task } from '@vego/format';
import { mkdirEffect, unlinkEffect } from './internal/fs-effects';
import {
  checkWritable as checkStoreWritable,
  deleteObjectEffect,
  keyOf,
  needsAsync,
  openRemoteVersion,
  readRemoteDeletionFile,
  readRemoteManifest,
  remoteVersions,
  storeFor,
} from './internal/remote-dataset';
import type { ObjectStore } from './store/object-store';
import { ObjectSource } from './store/object-source';
import type { StorageOptions } from './store/storage-options';
import {
  DEFAULT_STORAGE_VERSION,
  checkWritable,
  datasetStorageVersion,
  encodeNextManifest,
  readManifestFile,
  type ManifestState,
  type StorageVersion,
} from './internal/lance-adapter';
import { listVersionFiles, manifestFileName, type ManifestNaming, type VersionFile } from './internal/manifest-names';
import { planCompaction } from './internal/compaction-plan';
import { RangeQueue, readAhead, type ScanRange } from './internal/read-ahead';
import { NEW_FRAGMENT_ID, type FragmentInfo } from './internal/manifest-model';
import {
  abortSinkEffect,
  closeSinkDurablyEffect,
  createSinkEffect,
  drainedEffect,
  publishEffect,
  syncDirectoryEffect,
  writeDurableEffect,
  type DataFileSink,
} from './internal/write-effects';

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
export interface FragmentFiles {
  /** Absolute paths of its data files (one unless columns were added later). */
  paths: string[];
  /** Rows stored in the files, deleted ones included. */
  physicalRows: number;
  /** True when a deletion file hides some of its rows. */
  hasDeletions: boolean;
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
}

/** Default retention of {@link Dataset.cleanupOldVersions}: 7 days in milliseconds (Lance's `older_than` default). */
export const DEFAULT_CLEANUP_OLDER_THAN_MS = 7 * 24 * 60 * 60 * 1000;

/** What {@link Dataset.cleanupOldVersions} removed. */
export interface CleanupResult {
  removedVersions: number[];
  /** Data file names (relative to `data/`) and deletion files (`_deletions/<name>`) removed. */
  removedDataFiles: string[];
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

/** What {@link Dataset.compactSync} did. */
export interface CompactResult {
  /** The dataset at the version committed; the same object when nothing needed compacting (no version committed). */
  dataset: Dataset;
  /** Fragments replaced by new ones (their files stay on disk until {@link Dataset.cleanupOldVersions}). */
  fragmentsRemoved: number;
  /** Fragments written. */
  fragmentsAdded: number;
  /** Live rows copied into the new fragments. */
  rowsRewritten: number;
  /** Deleted rows of the replaced fragments: the new version no longer stores them. */
  deletedRowsRemoved: number;
}

const DEFAULT_MAX_ROWS_PER_FILE = 1 << 20;
/** Lance's default `materialize_deletions_threshold`. */
const DEFAULT_MATERIALIZE_DELETIONS_THRESHOLD = 0.1;
const DEFAULT_BATCH_SIZE = 65_536;
/** Asynchronous writes: between batches, wait until at most this many bytes are queued for a data file. */
const WRITE_QUEUE_BYTES = 8 * 1024 * 1024;

function checkNonNegInt(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
    throw new InvalidArgumentError(`\`${name}\` must be a non-negative integer, got ${v}`);
  }
}

/** Latest committed version of `dir`, or null when there is no dataset there yet. */
function latestVersionOrNull(dir: string): VersionFile | null {
  let files: VersionFile[];
  try {
    files = listVersionFiles(dir);
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
  return files.length === 0 ? null : files[files.length - 1]!;
}

/** {@link latestVersionOrNull} as an effect; on a store, a listing (asynchronous only). */
function latestVersionEffect(dir: string, store: ObjectStore | null): Effect<VersionFile | null> {
  if (store === null) return { sync: () => latestVersionOrNull(dir), async: async () => latestVersionOrNull(dir) };
  return {
    sync: () => {
      throw needsAsync('write', dir);
    },
    async: async () => {
      const files = await remoteVersions(store, dir);
      return files.length === 0 ? null : files[files.length - 1]!;
    },
  };
}

/** {@link readVersionManifest} as an effect; on a store, a GET (asynchronous only). */
function manifestEffect(dir: string, fileName: string, store: ObjectStore | null): Effect<ManifestState> {
  if (store === null) return { sync: () => readVersionManifest(dir, fileName), async: async () => readVersionManifest(dir, fileName) };
  return {
    sync: () => {
      throw needsAsync('read', dir);
    },
    async: () => readRemoteManifest(store, dir, fileName),
  };
}

/**
 * Reads and decodes manifest `fileName` of the dataset at `dir`, refusing one that resolves (through
 * a symlink) outside the dataset folder.
 */
function readVersionManifest(dir: string, fileName: string): ManifestState {
  const path = nodePath.join(dir, '_versions', fileName);
  checkRealInside(dir, path, `manifest of '${dir}'`);
  return readManifestFile(path);
}

/**
 * The path of the manifest of `version`, after checking that `_versions/` lies inside the dataset
 * folder (a `_versions` symlink pointing out would make a commit write outside it).
 */
function manifestPathToPublish(dir: string, version: number, naming: ManifestNaming): string {
  const versionsDir = joinPath(dir, '_versions');
  checkRealInside(dir, versionsDir, `dataset '${dir}'`);
  return joinPath(versionsDir, manifestFileName(version, naming));
}

/** An append carries the previous fragments into the new version: refuse paths leaving the dataset first. */
function checkAppendablePaths(prev: ManifestState, dir: string): void {
  for (const f of prev.fragments) for (const d of f.files) checkRelativePath(d.path, `manifest of '${dir}' version ${prev.version}: fragment ${f.id}, data file`);
}

function* makeDirectory(dir: string, store: ObjectStore | null): Task<void> {
  if (store !== null) return; // keys need no folders
  try {
    yield* perform(mkdirEffect(dir));
  } catch (e) {
    throw fsError(e, 'create directory', dir);
  }
}

/**
 * Writes batches into data files of at most `maxRows` rows each; returns their fragments (ids
 * {@link NEW_FRAGMENT_ID}). Each batch comes from an effect (a batch in hand, or a read of the rows
 * a compaction rewrites), performed when the writer is ready for it, so only one batch is held at a
 * time. Encoding runs here; under {@link runAsync} the bytes are written in the background and the
 * task waits between batches until at most {@link WRITE_QUEUE_BYTES} are queued. On failure the
 * files written so far are removed.
 */
/** Footer minor version of each storage version (major 2 for all; 2.0 files say 0.3 in their footer but 2.0 in the manifest). */
const FILE_MINOR: Record<StorageVersion, number> = { '2.0': 0, '2.1': 1, '2.2': 2 };

function* writeDataFiles(dir: string, schema: Schema, batches: Iterable<Effect<RecordBatch>>, maxRows: number, fileOptions: LanceFileWriterOptions | undefined, store: ObjectStore | null): Task<FragmentInfo[]> {
  const dataDir = joinPath(dir, 'data');
  checkRealInside(dir, dataDir, `dataset '${dir}'`);
  const fragments: FragmentInfo[] = [];
  let sink: DataFileSink | null = null;
  let writer: LanceFileWriter | null = null;
  let name = '';
  let rows = 0;
  function* finishFile(): Task<void> {
    const summary = writer!.finish();
    yield* perform(closeSinkDurablyEffect(sink!));
    fragments.push({
      id: NEW_FRAGMENT_ID,
      physicalRows: rows,
      files: [{ path: name, fieldIds: [], columnIndices: [], fileMajorVersion: 2, fileMinorVersion: FILE_MINOR[fileOptions?.version ?? '2.0'], fileSizeBytes: summary.byteLength }],
    });
    sink = null;
    writer = null;
  }
  try {
    for (const read of batches) {
      const batch = yield* perform(read);
      let at = 0;
      while (at < batch.numRows) {
        if (writer === null) {
          name = `${randomUUID()}.lance`;
          sink = yield* perform(createSinkEffect(joinPath(dataDir, name), store));
          writer = new LanceFileWriter(sink, schema, fileOptions);
          rows = 0;
        }
        const take = Math.min(batch.numRows - at, maxRows - rows);
        writer.write(take === batch.numRows ? batch : batch.slice(at, at + take));
        rows += take;
        at += take;
        if (rows === maxRows) yield* finishFile();
        else yield* perform(drainedEffect(sink!, WRITE_QUEUE_BYTES));
      }
    }
    if (writer !== null) yield* finishFile();
  } catch (e) {
    if (sink !== null) yield* perform(abortSinkEffect(sink));
    yield* removeDataFiles(dir, fragments, store);
    throw e;
  }
  if (fragments.length > 0) yield* perform(syncDirectoryEffect(dataDir, store));
  return fragments;
}

/** Deletes files, ignoring failures (clean-up after a failed commit). */
function* removeFiles(paths: readonly string[], store: ObjectStore | null): Task<void> {
  for (const p of paths) {
    try {
      yield* perform(store === null ? unlinkEffect(p) : deleteObjectEffect(store, p));
    } catch {
      /* best effort */
    }
  }
}

function removeDataFiles(dir: string, fragments: readonly FragmentInfo[], store: ObjectStore | null): Task<void> {
  return removeFiles(fragments.flatMap((f) => f.files.map((file) => joinPath(dir, 'data', file.path))), store);
}

/**
 * Commits `data` as a new version of the dataset at `dir` (the body of {@link Dataset.createSync}
 * and {@link Dataset.create}): writes the data files, then publishes the manifest, re-basing on the
 * latest version on conflict when `conflictRetries` allows. Returns the version committed.
 */
function* commitWrite(dir: string, data: DatasetInput, options: DatasetWriteOptions): Task<number> {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('`dir` must be a non-empty path');
  const mode = options.mode ?? 'create';
  if (mode !== 'create' && mode !== 'append' && mode !== 'overwrite') {
    throw new InvalidArgumentError(`\`mode\` must be 'create', 'append' or 'overwrite', got '${String(mode)}'`);
  }
  checkNonNegInt('conflictRetries', options.conflictRetries);
  const maxRows = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
  if (!Number.isSafeInteger(maxRows) || maxRows <= 0) {
    throw new InvalidArgumentError(`\`maxRowsPerFile\` must be a positive integer, got ${maxRows}`);
  }
  const store = storeFor(dir, options);
  if (store !== null) checkStoreWritable(store, dir);
  const latest = yield* perform(latestVersionEffect(dir, store));
  if (latest !== null && mode === 'create') {
    throw new ConflictError(`dataset '${dir}' already exists (version ${latest.version}); use mode 'append' or 'overwrite'`);
  }
  checkNonNegInt('expectedVersion', options.expectedVersion);
  if (options.expectedVersion !== undefined && (latest?.version ?? 0) !== options.expectedVersion) {
    throw new ConflictError(`cannot commit on top of version ${options.expectedVersion} of '${dir}': the latest version is ${latest?.version ?? 0} (another writer committed); nothing was written`);
  }
  const prev = latest === null ? null : yield* perform(manifestEffect(dir, latest.fileName, store));
  if (prev !== null) checkWritable(prev, dir, mode === 'append' ? 'append to' : 'overwrite', true);
  const requested = options.storageVersion;
  if (requested !== undefined && requested !== '2.0' && requested !== '2.1' && requested !== '2.2') {
    throw new InvalidArgumentError(`\`storageVersion\` must be '2.0', '2.1' or '2.2', got '${String(requested)}'`);
  }
  let storageVersion: StorageVersion;
  if (prev === null) storageVersion = requested ?? DEFAULT_STORAGE_VERSION;
  else if (mode === 'append') {
    storageVersion = datasetStorageVersion(prev, dir, 'append to');
    if (requested !== undefined && requested !== storageVersion) {
      throw new InvalidArgumentError(`\`storageVersion\` '${requested}' differs from the storage version ${storageVersion} of '${dir}'; appends keep the dataset's version`);
    }
    checkAppendablePaths(prev, dir);
  } else storageVersion = requested ?? datasetStorageVersion(prev, dir, 'overwrite');
  const { schema, batches } = normalizeInput(data, mode === 'append' && prev !== null ? prev.schema : null, options.schema);
  const naming = latest?.naming ?? options.manifestNaming ?? 'v2';
  yield* makeDirectory(joinPath(dir, 'data'), store);
  yield* makeDirectory(joinPath(dir, '_versions'), store);
  const fileOptions = { ...options.fileOptions, version: storageVersion };
  const written = yield* writeDataFiles(dir, schema, batches.map(resolvedEffect), maxRows, fileOptions, store);
  let retries = mode === 'append' && options.expectedVersion === undefined ? options.conflictRetries ?? 0 : 0;
  let base = prev;
  let baseVersion = latest?.version ?? 0;
  for (;;) {
    try {
      const version = baseVersion + 1;
      const bytes = encodeNextManifest(base, {
        version,
        schema: mode === 'append' && base !== null ? base.schema : schema,
        fragments: mode === 'append' && base !== null ? [...base.fragments, ...written] : written,
        storageVersion,
      });
      yield* perform(publishEffect(manifestPathToPublish(dir, version, naming), bytes, store));
      return version;
    } catch (e) {
      if (!(e instanceof ConflictError) || retries <= 0) {
        yield* removeDataFiles(dir, written, store);
        if (e instanceof ConflictError) {
          throw new ConflictError(`cannot commit version ${baseVersion + 1} of '${dir}': another writer committed it first; the new data was not added`, { cause: e });
        }
        throw e;
      }
      retries--;
      const now = (yield* perform(latestVersionEffect(dir, store)))!;
      base = yield* perform(manifestEffect(dir, now.fileName, store));
      baseVersion = now.version;
      checkAppendablePaths(base, dir);
      if (!sameColumns(base.schema, schema)) {
        yield* removeDataFiles(dir, written, store);
        throw new ConflictError(`cannot append to '${dir}': a concurrent writer changed the schema to (${describeSchema(base.schema)})`);
      }
    }
  }
}

/**
 * A Lance dataset opened at one version. Reading methods come in a synchronous form (`…Sync`, over
 * positional `fs.readSync`) and an asynchronous one (over `FileHandle.read`, coalesced). Writing
 * methods too: the `…Sync` ones block until committed, the async ones (`create`, `append`,
 * `delete`, `deleteRows`, `compact`) do their file I/O on libuv's thread pool.
 * @example
 * ```ts
 * const ds = Dataset.createSync('/data/people', [{ id: 1, name: 'ada' }, { id: 2, name: 'alan' }]);
 * Dataset.createSync('/data/people', [{ id: 3, name: 'grace' }], { mode: 'append' });
 * const latest = Dataset.openSync('/data/people');
 * latest.countRows();                      // 3
 * for await (const batch of latest.scan({ columns: ['name'], batchSize: 1024 })) use(batch);
 * Dataset.openSync('/data/people', { version: 1 }).countRows(); // 2 (time travel)
 * ```
 */
export class Dataset {
  /** The dataset directory. */
  readonly path: string;
  /** The version this object reads. */
  readonly version: number;
  /** The dataset's schema at this version. */
  readonly schema: Schema;
  /** Manifest naming used by this dataset. */
  readonly manifestNaming: ManifestNaming;
  private readonly state: ManifestState;
  private readonly fragments: readonly FragmentInfo[];
  /**
   * For fragment i and dataset column c: `colFile[i][c]` is the index of the data file holding the
   * column (-1: none, the column reads as nulls) and `colNodes[i][c]` the file column of each of its
   * nodes (by field id, see `internal/field-map.ts`; null: by position in the file).
   */
  private readonly colFile: Int32Array[];
  private readonly colNodes: (number[] | null)[][];
  /** Deleted row offsets of each fragment (ascending): undefined until loaded, null when none. */
  private readonly deleted: (Uint32Array | null | undefined)[];
  /** Live row number at which each fragment starts, plus the total at the end (lazily computed). */
  private liveStartsCache: Float64Array | null = null;
  private readonly cache: BlockCache | undefined;
  /** The object store holding the dataset (`s3://`, `http(s)://`), or null for a local folder. */
  private readonly store: ObjectStore | null;
  /** Open data files, keyed by {@link readerKey} (`fragment index * 65536 + file index`). */
  private readonly syncReaders = new Map<number, { source: FileSource; reader: LanceFileReader }>();
  private readonly asyncReaders = new Map<number, Promise<{ source: AsyncFileSource | ObjectSource; reader: LanceFileReader }>>();

  private constructor(path: string, state: ManifestState, naming: ManifestNaming, cache: BlockCache | undefined, store: ObjectStore | null = null) {
    this.path = path;
    this.version = state.version;
    this.schema = state.schema;
    this.manifestNaming = naming;
    this.state = state;
    this.fragments = state.fragments;
    this.cache = cache;
    this.store = store;
    this.deleted = state.fragments.map((f) => (f.deletionFile === undefined ? null : undefined));
    const nodeIds = nodeIdsOf(state.fields, state.topIds, state.schema.fields.map((x) => x.type), `manifest of '${path}' version ${state.version}`);
    this.colFile = [];
    this.colNodes = [];
    for (const f of state.fragments) {
      const where = `'${path}' version ${state.version}: fragment ${f.id}`;
      if (f.files.length === 0) throw new CorruptDataError(`${where} has no data file`);
      if (f.files.length > 65536) throw new NotSupportedError(`${where} has ${f.files.length} data files`);
      for (const d of f.files) checkRelativePath(d.path, `manifest of ${where}, data file`);
      const m = mapFragmentColumns(f, nodeIds, where);
      this.colFile.push(m.file);
      this.colNodes.push(m.nodes);
    }
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens a dataset at its latest version or at `options.version`.
   * @throws NotFoundError when the directory, the dataset or the version does not exist;
   *   CorruptDataError (with the path) when the manifest cannot be decoded or names a data file
   *   path that would leave the dataset folder (`..`, absolute, NUL, backslash, empty segments);
   *   IoError when it cannot be read.
   */
  static openSync(dir: string, options: DatasetOpenOptions = {}): Dataset {
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('`dir` must be a non-empty path');
    checkNonNegInt('version', options.version);
    if (storeFor(dir, options) !== null) throw needsAsync('Dataset.openSync()', dir);
    const files = listVersionFiles(dir);
    if (files.length === 0) throw new NotFoundError(`'${dir}' holds no committed version (empty _versions directory)`);
    let file: VersionFile;
    if (options.version === undefined) file = files[files.length - 1]!;
    else {
      const found = files.find((f) => f.version === options.version);
      if (found === undefined) {
        throw new NotFoundError(
          `version ${options.version} of '${dir}' does not exist (versions: ${files.map((f) => f.version).join(', ')})`,
        );
      }
      file = found;
    }
    const manifestPath = nodePath.join(dir, '_versions', file.fileName);
    const state = readVersionManifest(dir, file.fileName);
    if (state.version !== file.version) {
      throw new CorruptDataError(`manifest '${manifestPath}': expected version ${file.version} (from its name), found ${state.version}`);
    }
    return new Dataset(dir, state, files[files.length - 1]!.naming, options.cache);
  }

  /**
   * Asynchronous form of {@link Dataset.openSync}; also opens datasets on object stores:
   * `s3://bucket/prefix` (with `storageOptions` or a `store`) and, read-only, `http(s)://…` (the
   * latest version is found by probing manifest names, as plain HTTP has no listing). Their
   * manifest and deletion files are read here; data files as reads need them (ranged GETs).
   * @throws as {@link Dataset.openSync}; IoError when the store fails after its retries.
   * @example
   * ```ts
   * const ds = await Dataset.open('s3://bucket/people', { storageOptions: { aws_region: 'eu-west-1' } });
   * const web = await Dataset.open('https://example.org/people.lance'); // read-only
   * ```
   */
  static async open(dir: string, options: DatasetOpenOptions = {}): Promise<Dataset> {
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('`dir` must be a non-empty path');
    const store = storeFor(dir, options);
    const ds = store === null ? Dataset.openSync(dir, options) : await Dataset.openRemote(dir, store, options);
    await ds.prepareDeletionReads();
    return ds;
  }

  /** {@link Dataset.open} of a dataset on an object store. */
  private static async openRemote(dir: string, store: ObjectStore, options: DatasetOpenOptions): Promise<Dataset> {
    checkNonNegInt('version', options.version);
    const { root, state, naming } = await openRemoteVersion(store, dir, options.version);
    return new Dataset(root, state, naming, options.cache, store);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes `data` as a new version of the dataset at `dir` (see {@link DatasetWriteOptions.mode}).
   * Data files are written and fsynced first, then the manifest is published atomically. Blocks
   * the thread until done; {@link Dataset.create} does the same with the I/O off the event loop.
   * @param data - record batches, a Table, or plain row objects (types inferred, see {@link @vego/io!inferSchema}).
   * @returns the dataset opened at the version just committed.
   * @throws ConflictError when mode is `create` and the dataset exists, or another writer committed the
   *   same version first (the new data files are removed; nothing committed is touched);
   *   TypeMismatchError when appended data does not match the dataset's schema; IoError/NotFoundError
   *   for file-system failures.
   */
  static createSync(dir: string, data: DatasetInput, options: DatasetWriteOptions = {}): Dataset {
    const version = runSync(commitWrite(dir, data, options));
    return Dataset.openSync(dir, { version });
  }

  /**
   * Asynchronous form of {@link Dataset.createSync}: the same commit, with its I/O on libuv's thread
   * pool so the event loop keeps running. Data files are written through {@link @vego/io!AsyncFileSink} (the
   * encoding runs on this thread, in between; between batches the writer waits until at most 8 MiB
   * are queued), then every fsync and the manifest publication (temporary file, fsync, `link`,
   * directory fsync) are awaited. The previous manifest (a few KB) is read synchronously, as in
   * {@link Dataset.open}. Of two writers in one process committing the same version, one gets
   * ConflictError (or retries, with `conflictRetries`). Do not modify `data` until the promise settles.
   * @throws (rejects with) the errors of {@link Dataset.createSync}.
   * @example
   * ```ts
   * const ds = await Dataset.create('/data/people', table, { mode: 'append', conflictRetries: 3 });
   * ```
   */
  static async create(dir: string, data: DatasetInput, options: DatasetWriteOptions = {}): Promise<Dataset> {
    // One store for the commit and the open after it (a new one per call otherwise).
    const store = typeof dir === 'string' ? storeFor(dir, options) : null;
    const withStore = store === null ? options : { ...options, store };
    const version = await runAsync(commitWrite(dir, data, withStore));
    return Dataset.open(dir, store === null ? { version } : { version, store });
  }

  /** Appends `data` as a new version; shorthand for `createSync(this.path, data, { mode: 'append' })`. */
  appendSync(data: DatasetInput, options: Omit<DatasetWriteOptions, 'mode'> = {}): Dataset {
    if (this.store !== null) throw needsAsync('appendSync()', this.path);
    return Dataset.createSync(this.path, data, { ...options, mode: 'append' });
  }

  /** Asynchronous form of {@link Dataset.appendSync} (see {@link Dataset.create}). */
  async append(data: DatasetInput, options: Omit<DatasetWriteOptions, 'mode'> = {}): Promise<Dataset> {
    return Dataset.create(this.path, data, this.store === null ? { ...options, mode: 'append' } : { ...options, mode: 'append', store: this.store });
  }

  // ---------------------------------------------------------------- metadata

  /**
   * Live rows in this version: physical rows minus deleted ones, as the manifest claims them. Reads
   * no data file (it stays cheap however many fragments there are); reads a deletion file only when
   * the manifest does not record how many rows it deletes. The claims are checked against the data
   * files' footers by every read that depends on them: a scan or take opens the data files of every
   * fragment before and up to the rows it returns (fragments claiming 0 rows included), so a
   * damaged claim fails there with CorruptDataError instead of shifting or hiding rows.
   */
  countRows(): number {
    const starts = this.liveStarts();
    return starts[starts.length - 1]!;
  }

  /** Number of fragments (data files) in this version. */
  get numFragments(): number {
    return this.fragments.length;
  }

  /**
   * The fragments of this version in row order (fresh objects): their data files as absolute
   * paths, physical row counts and whether a deletion file hides some rows. For readers that
   * read column pages of the files themselves (through `LanceFileReader`). `physicalRows` is the
   * manifest's claim: check it against the file (`LanceFileReader.numRows`) before relying on it.
   * @throws CorruptDataError when a data file resolves (through a symlink) outside the dataset folder.
   */
  fragmentFiles(): FragmentFiles[] {
    return this.fragments.map((f, i) => ({
      paths: f.files.map((_, j) => {
        const p = this.dataPath(i, j);
        checkRealInside(this.path, p, `data file of fragment ${f.id} of '${this.path}' version ${this.version}`);
        return p;
      }),
      physicalRows: f.physicalRows,
      hasDeletions: f.deletionFile !== undefined,
    }));
  }

  /** Every committed version on disk, oldest first (not only those up to this one). */
  versions(): VersionInfo[] {
    if (this.store !== null) throw needsAsync('versions()', this.path);
    return listVersionFiles(this.path).map((f) => {
      const p = nodePath.join(this.path, '_versions', f.fileName);
      let mtime: Date;
      try {
        mtime = fs.statSync(p).mtime;
      } catch (e) {
        throw fsError(e, 'stat', p);
      }
      return { version: f.version, timestamp: mtime, manifestFile: f.fileName };
    });
  }

  /** The latest committed version number on disk. */
  latestVersion(): number {
    if (this.store !== null) throw needsAsync('latestVersion()', this.path);
    const files = listVersionFiles(this.path);
    return files[files.length - 1]!.version;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Top-level columns of types vego cannot read (for example a type newer than this library): they are
   * not in `schema`; reads that name them, or that read every column, throw NotSupportedError, while
   * projections without them work.
   */
  get unsupportedColumns(): readonly { name: string; logicalType: string }[] {
    return this.state.unsupported.map((u) => ({ name: u.name, logicalType: u.logicalType }));
  }

  private resolveColumns(columns: readonly string[] | undefined): string[] {
    if (columns === undefined) {
      const u = this.state.unsupported[0];
      if (u !== undefined) throw unsupportedColumn(this.path, u.name, u.logicalType, true);
      return this.schema.fields.map((f) => f.name);
    }
    if (!Array.isArray(columns)) throw new InvalidArgumentError('`columns` must be an array of column names');
    for (const c of columns) {
      if (this.schema.fieldIndex(c) < 0) {
        const u = this.state.unsupported.find((x) => x.name === c);
        if (u !== undefined) throw unsupportedColumn(this.path, u.name, u.logicalType, false);
        throw new InvalidArgumentError(`\`columns\` names "${c}", which is not a column of '${this.path}' (${describeSchema(this.schema)})`);
      }
    }
    return columns.slice();
  }

  // ---------------------------------------------------------------- deletions

  /** LanceDB's `.arrow` deletion files are ZSTD-compressed: load the codec before reads that need it. */
  private async prepareDeletionReads(): Promise<void> {
    if (this.store !== null) await this.loadRemoteDeletions();
    if (!isZstdReady() && this.fragments.some((f) => f.deletionFile?.fileType === 'arrow_array')) await initZstd();
  }

  /**
   * On an object store, every deletion file not loaded yet is fetched (in parallel, the store
   * bounding the requests), since {@link deletedRows} reads them synchronously.
   */
  private async loadRemoteDeletions(): Promise<void> {
    const store = this.store!;
    if (!isZstdReady() && this.fragments.some((f) => f.deletionFile?.fileType === 'arrow_array')) await initZstd();
    await Promise.all(
      this.fragments.map(async (f, i) => {
        if (this.deleted[i] !== undefined) return;
        const rows = await readRemoteDeletionFile(store, this.path, f.id, f.deletionFile!, f.physicalRows);
        this.deleted[i] = rows.length === 0 ? null : rows;
      }),
    );
  }

  /** The deleted row offsets of fragment `i` (ascending), or null when it has none. Loaded once. */
  private deletedRows(i: number): Uint32Array | null {
    const known = this.deleted[i];
    if (known !== undefined) return known;
    const f = this.fragments[i]!;
    if (this.store !== null) throw needsAsync('a synchronous read', this.path); // loadRemoteDeletions loads them all
    let rows: Uint32Array;
    try {
      rows = readDeletionFileSync(this.path, f.id, f.deletionFile!, f.physicalRows);
    } catch (e) {
      if (e instanceof ZstdNotInitializedError) {
        throw new NotSupportedError(
          `the deletion file of fragment ${f.id} of '${this.path}' is ZSTD-compressed (as LanceDB writes them): open the dataset with \`await Dataset.open()\` or call \`await initZstd()\` once before synchronous reads`,
          { cause: e },
        );
      }
      throw e;
    }
    const out = rows.length === 0 ? null : rows;
    this.deleted[i] = out;
    return out;
  }

  /** Live rows of fragment `i`: from the manifest's count when it has one, else from the deletion file. */
  private liveRows(i: number): number {
    const f = this.fragments[i]!;
    const d = f.deletionFile;
    if (d === undefined) return f.physicalRows;
    if (d.numDeletedRows > 0 && this.deleted[i] === undefined) {
      if (d.numDeletedRows > f.physicalRows) {
        throw new CorruptDataError(`manifest of '${this.path}' version ${this.version}: fragment ${f.id} deletes ${d.numDeletedRows} of its ${f.physicalRows} rows`);
      }
      return f.physicalRows - d.numDeletedRows;
    }
    const del = this.deletedRows(i);
    return f.physicalRows - (del === null ? 0 : del.length);
  }

  private liveStarts(): Float64Array {
    if (this.liveStartsCache === null) {
      const n = this.fragments.length;
      const starts = new Float64Array(n + 1);
      for (let i = 0; i < n; i++) starts[i + 1] = starts[i]! + this.liveRows(i);
      this.liveStartsCache = starts;
    }
    return this.liveStartsCache;
  }

  /** Physical offset of live row `live` of fragment `i`. */
  private physicalOf(i: number, live: number): number {
    const del = this.fragments[i]!.deletionFile === undefined ? null : this.deletedRows(i);
    return del === null ? live : liveToPhysical(del, live);
  }

  /** `batch` (physical rows from `offset` of fragment `i`) without the deleted rows. */
  private dropDeleted(i: number, batch: RecordBatch, offset: number): RecordBatch {
    const del = this.fragments[i]!.deletionFile === undefined ? null : this.deletedRows(i);
    if (del === null) return batch;
    const n = batch.numRows;
    const lo = deletedBefore(del, offset);
    const hi = deletedBefore(del, offset + n);
    if (lo === hi) return batch;
    const keep = new Int32Array(n - (hi - lo));
    let k = 0;
    let d = lo;
    for (let r = 0; r < n; r++) {
      if (d < hi && del[d] === offset + r) {
        d++;
        continue;
      }
      keep[k++] = r;
    }
    return takeBatch(batch, keep);
  }

  // ---------------------------------------------------------------- data files

  /** Path of data file `j` of fragment `i` (checked by ./internal/dataset-paths, as every manifest path). */
  private dataPath(i: number, j: number): string {
    const f = this.fragments[i]!;
    return joinInside(this.path, 'data', f.files[j]!.path, `manifest of '${this.path}' version ${this.version}: fragment ${f.id}, data file`);
  }

  private checkSize(i: number, j: number, path: string, byteLength: number): void {
    const expected = this.fragments[i]!.files[j]!.fileSizeBytes;
    if (expected > 0 && expected !== byteLength) {
      throw new CorruptDataError(`data file '${path}': expected ${expected} bytes (from the manifest of version ${this.version}), found ${byteLength}`);
    }
  }

  /** Row count, and name and type of every column the manifest maps to file `j` of fragment `i`. */
  private checkFile(i: number, j: number, path: string, reader: LanceFileReader): void {
    const fragment = this.fragments[i]!;
    if (reader.numRows !== fragment.physicalRows) {
      throw new CorruptDataError(
        `data file '${path}' of fragment ${fragment.id} (version ${this.version}): expected ${fragment.physicalRows} rows (from the manifest), found ${reader.numRows}`,
      );
    }
    const files = this.colFile[i]!;
    const nodes = this.colNodes[i]!;
    // Columns mapped by field id are checked against the file's own types when read; columns matched
    // by position (manifests without field ids) need the file's schema to agree here.
    const expected: string[] = [];
    let ok = true;
    for (let c = 0; c < files.length; c++) {
      if (files[c] !== j || nodes[c] !== null) continue;
      const want = this.schema.fields[c]!;
      const got = reader.schema.fields[c];
      expected.push(`${want.name}: ${want.type.toString()}`);
      if (got === undefined || got.name !== want.name || !got.type.equals(want.type)) ok = false;
    }
    if (!ok) {
      throw new CorruptDataError(`data file '${path}': expected columns (${expected.join(', ')}) from the manifest, found (${describeSchema(reader.schema)})`);
    }
  }

  /** What to read from file `j` of fragment `i` for dataset column `c` (by field id, or by position). */
  private fileField(i: number, c: number, reader: LanceFileReader): FieldColumns {
    const nodes = this.colNodes[i]![c];
    if (nodes !== null && nodes !== undefined) return { field: this.schema.fields[c]!, columns: nodes };
    return { field: this.schema.fields[c]!, columns: reader.nodeColumns(reader.schema.fields[c]!.name) };
  }

  private readerSync(i: number, j: number): LanceFileReader {
    const key = readerKey(i, j);
    const open = this.syncReaders.get(key);
    if (open !== undefined) return open.reader;
    if (this.store !== null) throw needsAsync('a synchronous read', this.path);
    const path = this.dataPath(i, j);
    checkRealInside(this.path, path, `data file of fragment ${this.fragments[i]!.id} of '${this.path}' version ${this.version}`);
    const source = FileSource.openSync(path, this.cache === undefined ? {} : { cache: this.cache });
    try {
      this.checkSize(i, j, path, source.byteLength);
      const reader = wrapCorrupt(path, () => LanceFileReader.openSync(source));
      this.checkFile(i, j, path, reader);
      this.syncReaders.set(key, { source, reader });
      return reader;
    } catch (e) {
      source.close();
      throw e;
    }
  }

  private readerAsync(i: number, j: number): Promise<LanceFileReader> {
    const key = readerKey(i, j);
    let open = this.asyncReaders.get(key);
    if (open === undefined) {
      const path = this.dataPath(i, j);
      open = (async () => {
        checkRealInside(this.path, path, `data file of fragment ${this.fragments[i]!.id} of '${this.path}' version ${this.version}`);
        const source = await this.openAsyncSource(i, j, path);
        try {
          this.checkSize(i, j, path, source.byteLength);
          const reader = await wrapCorruptAsync(path, () => LanceFileReader.open(source));
          this.checkFile(i, j, path, reader);
          return { source, reader };
        } catch (e) {
          await source.close();
          throw e;
        }
      })();
      this.asyncReaders.set(key, open);
      open.catch(() => this.asyncReaders.delete(key));
    }
    return open.then((o) => o.reader);
  }

  /**
   * Data file `j` of fragment `i` for asynchronous reads: a file, or an object of the store (its
   * size taken from the manifest when recorded, which saves a HEAD request).
   */
  private openAsyncSource(i: number, j: number, path: string): Promise<AsyncFileSource | ObjectSource> {
    const cache = this.cache === undefined ? {} : { cache: this.cache };
    if (this.store === null) return AsyncFileSource.open(path, cache);
    const size = this.fragments[i]!.files[j]!.fileSizeBytes;
    return ObjectSource.open(this.store, keyOf(this.store, path), size > 0 ? { ...cache, byteLength: size } : cache);
  }

  /** Physical rows `[offset, offset + limit)` of fragment `i` (deleted ones included), each column from its data file. */
  private readRangeSync(i: number, columns: readonly string[], offset: number, limit: number): RecordBatch {
    // Every data file of the fragment is opened (once), which checks its row count against the
    // manifest's claim before any row is read, even when no projected column lives in it.
    for (let j = 0; j < this.fragments[i]!.files.length; j++) this.readerSync(i, j);
    const schema = this.projectedSchema(columns);
    if (columns.length === 0) return new RecordBatch(schema, []);
    const out: Vector[] = new Array<Vector>(columns.length);
    const files = this.colFile[i]!;
    // One read per data file, with the columns it holds.
    const groups = new Map<number, { fields: FieldColumns[]; at: number[] }>();
    for (let k = 0; k < columns.length; k++) {
      const c = this.schema.fieldIndex(columns[k]!);
      const j = files[c]!;
      if (j < 0) {
        out[k] = nullVector(schema.fields[k]!.type, limit);
        continue;
      }
      let g = groups.get(j);
      if (g === undefined) groups.set(j, (g = { fields: [], at: [] }));
      g.fields.push(this.fileField(i, c, this.readerSync(i, j)));
      g.at.push(k);
    }
    for (const [j, g] of groups) {
      const reader = this.readerSync(i, j);
      const b = wrapCorrupt(this.dataPath(i, j), () => reader.readSync({ fields: g.fields, offset, limit }));
      for (let m = 0; m < g.at.length; m++) out[g.at[m]!] = b.columnAt(m);
    }
    return this.fragmentBatch(i, schema, out);
  }

  /**
   * The batch of fragment `i`'s columns under the dataset schema. The batch checks the data against
   * the schema (nulls in a non-nullable field): when a data file disagrees with its manifest, that is
   * damage (CorruptDataError naming the fragment), not a bad argument.
   */
  private fragmentBatch(i: number, schema: Schema, columns: Vector[]): RecordBatch {
    try {
      return new RecordBatch(schema, columns);
    } catch (e) {
      if (e instanceof InvalidArgumentError) {
        throw new CorruptDataError(`fragment ${this.fragments[i]!.id}: data files disagree with the manifest's schema: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Asynchronous form of {@link readRangeSync}: one read per column, all in flight together, so that
   * the source coalesces neighbouring pages and the reads overlap instead of running one after another.
   */
  private async readRangeAsync(i: number, columns: readonly string[], offset: number, limit: number): Promise<RecordBatch> {
    // As in readRangeSync: every data file checked against the manifest's row count first.
    await Promise.all(this.fragments[i]!.files.map((_, j) => this.readerAsync(i, j)));
    const schema = this.projectedSchema(columns);
    const files = this.colFile[i]!;
    const parts = await Promise.all(
      columns.map(async (name, k) => {
        const c = this.schema.fieldIndex(name);
        const j = files[c]!;
        if (j < 0) return nullVector(schema.fields[k]!.type, limit);
        const reader = await this.readerAsync(i, j);
        const b = await wrapCorruptAsync(this.dataPath(i, j), () => reader.read({ fields: [this.fileField(i, c, reader)], offset, limit }));
        return b.columnAt(0);
      }),
    );
    return this.fragmentBatch(i, schema, parts);
  }

  // ---------------------------------------------------------------- scans

  /**
   * The scan plan: checked options and the ranges `[fragment, physical offset, physical length]` to
   * read, as a lazy generator (offset and limit count live rows). Nothing is built per batch up
   * front: the ranges of a fragment are made as the scan reaches it, and its first read checks the
   * manifest's row count against the data files, so a manifest claiming 2^40 rows fails there with
   * CorruptDataError instead of building billions of ranges.
   */
  private plan(options: ScanOptions): { columns: string[]; ranges: Iterable<ScanRange> } {
    checkNonNegInt('offset', options.offset);
    checkNonNegInt('limit', options.limit);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize <= 0) {
      throw new InvalidArgumentError(`\`batchSize\` must be a positive integer, got ${batchSize}`);
    }
    const columns = this.resolveColumns(options.columns);
    return { columns, ranges: this.planRanges(options.offset ?? 0, options.limit ?? Number.MAX_SAFE_INTEGER, batchSize) };
  }

  private *planRanges(offset: number, limit: number, batchSize: number): Generator<ScanRange> {
    const starts = this.liveStarts();
    let skip = offset;
    let remaining = limit;
    for (let i = 0; i < this.fragments.length && remaining > 0; i++) {
      const n = starts[i + 1]! - starts[i]!;
      if (skip >= n) {
        skip -= n;
        // Rows after this fragment are numbered through its claimed row count: a check-only range
        // (0 rows) opens its data files, which checks the claim, before any later row is read.
        // This includes a fragment claiming 0 rows, which would otherwise never be opened.
        yield [i, 0, 0];
        continue;
      }
      let pos = skip;
      skip = 0;
      while (pos < n && remaining > 0) {
        const len = Math.min(batchSize, n - pos, remaining);
        const first = this.physicalOf(i, pos);
        const last = this.physicalOf(i, pos + len - 1);
        yield [i, first, last - first + 1];
        pos += len;
        remaining -= len;
      }
    }
  }

  /**
   * Reads the live rows in batches of at most `batchSize`, one fragment at a time: memory stays
   * bounded by the batch size however large the dataset is. Deleted rows are skipped; `offset` and
   * `limit` count live rows. The data files of every fragment before the last row returned are
   * opened (their footers read), those skipped by `offset` and those claiming 0 rows included: live
   * row positions are counted through the manifest's row counts, which are checked that way.
   * @throws InvalidArgumentError for an unknown column or bad numbers; CorruptDataError (with the
   *   path) when a data or deletion file disagrees with the manifest (row count, size, columns) or
   *   resolves outside the dataset folder; NotFoundError when one is missing; NotSupportedError for
   *   a single page longer than Node's largest buffer.
   */
  *scanSync(options: ScanOptions = {}): IterableIterator<RecordBatch> {
    const { columns, ranges } = this.plan(options);
    for (const [i, offset, limit] of ranges) {
      if (limit === 0) this.openFragmentSync(i);
      else yield this.dropDeleted(i, this.readRangeSync(i, columns, offset, limit), offset);
    }
  }

  /**
   * Asynchronous form of {@link Dataset.scanSync}: an async iterator of record batches. The next
   * batch is read while the current one is consumed, so file reads overlap with decoding and with
   * the caller's work instead of waiting for each other. Over fragments smaller than a batch, up to
   * 16 ranges are read ahead while their rows add up to at most `batchSize`, so about two batches'
   * rows are held at most either way.
   */
  async *scan(options: ScanOptions = {}): AsyncIterableIterator<RecordBatch> {
    await this.prepareDeletionReads();
    const { columns, ranges } = this.plan(options);
    const queue = new RangeQueue(ranges);
    const next = readAhead(queue, options.batchSize ?? DEFAULT_BATCH_SIZE, (i, offset, limit) =>
      limit === 0 ? this.openFragmentAsync(i).then(() => null) : this.readRangeAsync(i, columns, offset, limit),
    );
    for (let r = 0; ; r++) {
      queue.drop(r);
      const range = queue.at(r);
      if (range === undefined) break;
      const batch = await next();
      // A check-only range (see planRanges) has opened its fragment's data files and holds no rows.
      if (batch !== null) yield this.dropDeleted(range[0], batch, range[1]);
    }
  }

  /** The projected schema of a scan over `columns`. */
  private projectedSchema(columns: readonly string[]): Schema {
    return new Schema(columns.map((c) => this.schema.field(c)!), this.schema.metadata);
  }

  /** Reads everything (or a projection/slice) into one Table. Holds all of it in memory. */
  toTableSync(options: ScanOptions = {}): Table {
    const columns = this.resolveColumns(options.columns);
    return new Table(this.projectedSchema(columns), [...this.scanSync({ ...options, columns })]);
  }

  /** Asynchronous form of {@link Dataset.toTableSync}. */
  async toTable(options: ScanOptions = {}): Promise<Table> {
    const columns = this.resolveColumns(options.columns);
    const batches: RecordBatch[] = [];
    for await (const b of this.scan({ ...options, columns })) batches.push(b);
    return new Table(this.projectedSchema(columns), batches);
  }

  // ---------------------------------------------------------------- take

  /** For each requested live row: its fragment and physical offset there; `order` sorts them. */
  private takePlan(rowIndices: ArrayLike<number>): { order: Int32Array; fragOf: Int32Array; local: Float64Array } {
    if (rowIndices === null || typeof rowIndices !== 'object' || typeof rowIndices.length !== 'number') {
      throw new InvalidArgumentError('`rowIndices` must be an array of row positions');
    }
    const n = rowIndices.length;
    const starts = this.liveStarts();
    const total = starts[starts.length - 1]!;
    const order = new Int32Array(n);
    const fragOf = new Int32Array(n);
    const local = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const r = rowIndices[k]!;
      if (!Number.isSafeInteger(r) || r < 0 || r >= total) {
        throw new OutOfRangeError(`\`rowIndices[${k}]\` = ${r} is outside the ${total} rows of '${this.path}' version ${this.version}`);
      }
      order[k] = k;
      // Binary search of the fragment holding live row r (the last one starting at or before r).
      let lo = 0;
      let hi = this.fragments.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= r) lo = mid;
        else hi = mid - 1;
      }
      fragOf[k] = lo;
      local[k] = this.physicalOf(lo, r - starts[lo]!);
    }
    order.sort((a, b) => rowIndices[a]! - rowIndices[b]!);
    return { order, fragOf, local };
  }

  /**
   * The rows at `rowIndices` (positions among the live rows of this version, i.e. not counting
   * deleted ones; any order, repeats allowed), in that order, as one batch (a copy). Reads each
   * needed run of rows once.
   * @throws OutOfRangeError for an index outside the dataset; InvalidArgumentError for an unknown column.
   */
  takeSync(rowIndices: ArrayLike<number>, options: { columns?: readonly string[] } = {}): RecordBatch {
    const columns = this.resolveColumns(options.columns);
    const { order, fragOf, local } = this.takePlan(rowIndices);
    // Positions were mapped through the row counts of every fragment up to the last one read:
    // opening their data files checks those claims (a fragment claiming 0 rows included).
    for (let f = 0, last = maxOf(fragOf); f <= last; f++) this.openFragmentSync(f);
    const runs = this.takeRuns(order, fragOf, local);
    const batches = runs.map((run) => this.readRangeSync(run.fragment, columns, run.offset, run.length));
    return this.gather(columns, order, fragOf, local, runs, batches);
  }

  /**
   * Asynchronous form of {@link Dataset.takeSync} (deletion files are loaded asynchronously). The row
   * bytes themselves are read with positional synchronous reads: a take is many tiny reads (for
   * fixed-width columns only the bytes of each row), and one `pread` of a few bytes costs about a
   * microsecond where a thread-pool round trip per read costs ten to twenty, so 100 rows × 10 columns
   * take ~2 ms synchronously against ~20 ms through `FileHandle.read`.
   */
  async take(rowIndices: ArrayLike<number>, options: { columns?: readonly string[] } = {}): Promise<RecordBatch> {
    await this.prepareDeletionReads();
    if (this.store === null) return this.takeSync(rowIndices, options);
    // On an object store every read is a request: all runs at once, so the source coalesces them.
    const columns = this.resolveColumns(options.columns);
    const { order, fragOf, local } = this.takePlan(rowIndices);
    // As takeSync: the row counts positions were mapped through are checked by opening those fragments.
    const fragmentsUsed = Array.from({ length: order.length === 0 ? 0 : maxOf(fragOf) + 1 }, (_, f) => f);
    await Promise.all(fragmentsUsed.map((f) => this.openFragmentEffect(f).async()));
    const runs = this.takeRuns(order, fragOf, local);
    const batches = await Promise.all(runs.map((run) => this.readRangeAsync(run.fragment, columns, run.offset, run.length)));
    return this.gather(columns, order, fragOf, local, runs, batches);
  }

  /** Groups sorted indices into runs of nearby rows within one fragment (gaps ≤ 1024 rows read through). */
  private takeRuns(order: Int32Array, fragOf: Int32Array, local: Float64Array): { fragment: number; offset: number; length: number }[] {
    const runs: { fragment: number; offset: number; length: number }[] = [];
    for (let j = 0; j < order.length; j++) {
      const k = order[j]!;
      const f = fragOf[k]!;
      const at = local[k]!;
      const last = runs[runs.length - 1];
      if (last !== undefined && last.fragment === f && at < last.offset + last.length + 1024 && at - last.offset < DEFAULT_BATCH_SIZE) {
        last.length = Math.max(last.length, at - last.offset + 1);
      } else {
        runs.push({ fragment: f, offset: at, length: 1 });
      }
    }
    return runs;
  }

  private gather(
    columns: readonly string[],
    order: Int32Array,
    fragOf: Int32Array,
    local: Float64Array,
    runs: readonly { fragment: number; offset: number; length: number }[],
    batches: readonly RecordBatch[],
  ): RecordBatch {
    const n = order.length;
    // For each output row: which run batch, and which row inside it.
    const batchOf = new Int32Array(n);
    const rowOf = new Int32Array(n);
    let run = 0;
    for (let j = 0; j < n; j++) {
      const k = order[j]!;
      const f = fragOf[k]!;
      const at = local[k]!;
      while (!(runs[run]!.fragment === f && at >= runs[run]!.offset && at < runs[run]!.offset + runs[run]!.length)) run++;
      batchOf[k] = run;
      rowOf[k] = at - runs[run]!.offset;
    }
    const schema = this.projectedSchema(columns);
    // Rows of the runs joined end to end: output row k is row `base[batchOf[k]] + rowOf[k]` of them.
    const base = new Int32Array(batches.length + 1);
    for (let b = 0; b < batches.length; b++) base[b + 1] = base[b]! + batches[b]!.numRows;
    const at = new Int32Array(n);
    for (let k = 0; k < n; k++) at[k] = base[batchOf[k]!]! + rowOf[k]!;
    const out: Vector[] = [];
    for (let c = 0; c < columns.length; c++) {
      const type = schema.fields[c]!.type;
      const joined = concatData(type, batches.map((b) => b.columnAt(c).data));
      out.push(makeVector(takeData(joined, at)) as Vector);
    }
    return new RecordBatch(schema, out);
  }

  // ---------------------------------------------------------------- deleting

  /**
   * Deletes the rows at `rowIndices` (positions among the live rows of this version, as in
   * {@link takeSync}; any order, repeats allowed) and commits a new version: a deletion file per
   * touched fragment (`.arrow` below 5,000 deleted rows, Roaring `.bin` from there on, both read by
   * LanceDB), then the manifest, published atomically. A fragment whose rows are all deleted is
   * dropped from the new version. Older versions keep their rows (time travel).
   * @returns the dataset at the new version (this object when nothing was deleted).
   * @throws OutOfRangeError for a position outside the dataset; ConflictError when the next version
   *   already exists (this object is not the latest version, or another writer committed first):
   *   nothing is deleted, reopen and retry.
   * @example
   * ```ts
   * const v2 = Dataset.openSync('/data/people').deleteRowsSync([0, 5]);
   * ```
   */
  deleteRowsSync(rowIndices: ArrayLike<number>): Dataset {
    return this.atVersionSync(runSync(this.deleteRowsTask(rowIndices)));
  }

  /**
   * Asynchronous form of {@link Dataset.deleteRowsSync}: deletion files are loaded, and the new ones
   * written, fsynced and committed, on libuv's thread pool (see {@link Dataset.create}).
   */
  async deleteRows(rowIndices: ArrayLike<number>): Promise<Dataset> {
    await this.prepareDeletionReads();
    return this.atVersion(await runAsync(this.deleteRowsTask(rowIndices)));
  }

  private *deleteRowsTask(rowIndices: ArrayLike<number>): Task<number | null> {
    checkWritable(this.state, this.path, 'delete from', false);
    const { order, fragOf, local } = this.takePlan(rowIndices);
    const perFragment = new Map<number, number[]>();
    for (let j = 0; j < order.length; j++) {
      const k = order[j]!;
      const f = fragOf[k]!;
      let list = perFragment.get(f);
      if (list === undefined) perFragment.set(f, (list = []));
      if (list.length === 0 || list[list.length - 1] !== local[k]) list.push(local[k]!);
    }
    // No row is read, but the data files of the touched fragments and of all before them are
    // opened: that checks the manifest's row counts, which the positions were mapped through,
    // before a deletion file is written.
    for (let f = 0, last = maxOf(fragOf); f <= last; f++) yield* perform(this.openFragmentEffect(f));
    return yield* this.commitDeletions(new Map([...perFragment].map(([f, list]) => [f, Uint32Array.from(list)])));
  }

  /**
   * Deletes every live row for which `where(row)` returns true, and commits a new version (see
   * {@link deleteRowsSync} for what is written). `row` is a plain object of the `columns` read
   * (default: all), with the values {@link @vego/arrow!Vector.get} gives (numbers, bigints, strings,
   * Uint8Arrays, Float32Arrays for vectors, null).
   * @returns the dataset at the new version (this object when no row matched).
   * @throws InvalidArgumentError when `where` is not a function or a column is unknown;
   *   ConflictError as {@link deleteRowsSync}; whatever `where` throws (nothing is deleted then).
   * @example
   * ```ts
   * const v3 = ds.deleteSync((row) => (row.id as number) % 3 === 0, { columns: ['id'] });
   * ```
   */
  deleteSync(where: (row: Record<string, unknown>) => boolean, options: { columns?: readonly string[] } = {}): Dataset {
    return this.atVersionSync(runSync(this.deleteWhereTask(where, options)));
  }

  /**
   * Asynchronous form of {@link Dataset.deleteSync}: the rows are read with the asynchronous reads
   * of {@link Dataset.scan}, and the deletion files and manifest written on libuv's thread pool
   * (`where` runs on this thread).
   */
  async delete(where: (row: Record<string, unknown>) => boolean, options: { columns?: readonly string[] } = {}): Promise<Dataset> {
    await this.prepareDeletionReads();
    return this.atVersion(await runAsync(this.deleteWhereTask(where, options)));
  }

  private *deleteWhereTask(where: (row: Record<string, unknown>) => boolean, options: { columns?: readonly string[] }): Task<number | null> {
    if (typeof where !== 'function') throw new InvalidArgumentError('`where` must be a function (row) => boolean');
    checkWritable(this.state, this.path, 'delete from', false);
    const columns = this.resolveColumns(options.columns);
    const perFragment = new Map<number, Uint32Array>();
    for (let i = 0; i < this.fragments.length; i++) {
      const physical = this.fragments[i]!.physicalRows;
      const del = this.fragments[i]!.deletionFile === undefined ? null : this.deletedRows(i);
      const hits: number[] = [];
      // A fragment claiming 0 rows is read by no range below: open it to check the claim.
      if (physical === 0) yield* perform(this.openFragmentEffect(i));
      for (let offset = 0; offset < physical; offset += DEFAULT_BATCH_SIZE) {
        const limit = Math.min(DEFAULT_BATCH_SIZE, physical - offset);
        const batch = yield* perform(this.readRangeEffect(i, columns, offset, limit));
        const vectors = batch.columns;
        let d = del === null ? 0 : deletedBefore(del, offset);
        for (let r = 0; r < limit; r++) {
          if (del !== null && d < del.length && del[d] === offset + r) {
            d++;
            continue;
          }
          const row: Record<string, unknown> = {};
          for (let c = 0; c < columns.length; c++) row[columns[c]!] = vectors[c]!.get(r);
          if (where(row) === true) hits.push(offset + r);
        }
      }
      if (hits.length > 0) perFragment.set(i, Uint32Array.from(hits));
    }
    return yield* this.commitDeletions(perFragment);
  }

  /** Opens every data file of fragment `i` (checking each against the manifest), as one effect. */
  private openFragmentEffect(i: number): Effect<void> {
    return { sync: () => this.openFragmentSync(i), async: () => this.openFragmentAsync(i) };
  }

  /** Opens (once) every data file of fragment `i`: checks its size, row count and columns against the manifest. */
  private openFragmentSync(i: number): void {
    for (let j = 0; j < this.fragments[i]!.files.length; j++) this.readerSync(i, j);
  }

  /** Asynchronous form of {@link openFragmentSync}. */
  private async openFragmentAsync(i: number): Promise<void> {
    await Promise.all(this.fragments[i]!.files.map((_, j) => this.readerAsync(i, j)));
  }

  /** {@link readRangeSync} / {@link readRangeAsync} as one effect. */
  private readRangeEffect(i: number, columns: readonly string[], offset: number, limit: number): Effect<RecordBatch> {
    return { sync: () => this.readRangeSync(i, columns, offset, limit), async: () => this.readRangeAsync(i, columns, offset, limit) };
  }

  /** This dataset at `version` (this object when null: nothing was committed). */
  private atVersionSync(version: number | null): Dataset {
    if (version === null) return this;
    if (this.store !== null) throw needsAsync('a synchronous write', this.path);
    return Dataset.openSync(this.path, this.cache === undefined ? { version } : { version, cache: this.cache });
  }

  private async atVersion(version: number | null): Promise<Dataset> {
    if (version === null) return this;
    const options: DatasetOpenOptions = this.cache === undefined ? { version } : { version, cache: this.cache };
    if (this.store !== null) options.store = this.store;
    return Dataset.open(this.path, options);
  }

  /**
   * Writes the merged deletion files of the touched fragments (index → new ascending offsets) and
   * commits. Returns the version committed, or null when nothing changed.
   */
  private *commitDeletions(perFragment: ReadonlyMap<number, Uint32Array>): Task<number | null> {
    if (perFragment.size === 0) return null;
    if (this.store !== null) checkStoreWritable(this.store, this.path);
    const deletionsDir = joinPath(this.path, DELETIONS_DIR);
    const version = this.version + 1;
    const written: string[] = [];
    const deletionFiles = new Map<number, DeletionFile>();
    const dropped = new Set<number>();
    try {
      for (const [i, add] of perFragment) {
        const f = this.fragments[i]!;
        const before = f.deletionFile === undefined ? null : this.deletedRows(i);
        const all = before === null ? add : unionSorted(before, add);
        if (all.length === (before === null ? 0 : before.length)) continue;
        if (all.length >= f.physicalRows) {
          dropped.add(f.id);
          continue;
        }
        if (written.length === 0) {
          yield* makeDirectory(deletionsDir, this.store);
          checkRealInside(this.path, deletionsDir, `dataset '${this.path}'`);
        }
        const { file, path, bytes } = encodeDeletionFile(this.path, f.id, this.version, all);
        yield* perform(writeDurableEffect(path, bytes, this.store));
        written.push(path);
        deletionFiles.set(f.id, file);
      }
      if (written.length === 0 && dropped.size === 0) return null;
      if (written.length > 0) yield* perform(syncDirectoryEffect(deletionsDir, this.store));
      const bytes = encodeNextManifest(this.state, {
        version,
        schema: this.schema,
        fragments: this.fragments.filter((f) => !dropped.has(f.id)),
        deletionFiles,
      });
      yield* perform(publishEffect(manifestPathToPublish(this.path, version, this.manifestNaming), bytes, this.store));
    } catch (e) {
      yield* removeFiles(written, this.store);
      if (e instanceof ConflictError) {
        throw new ConflictError(`cannot commit version ${version} of '${this.path}': it already exists (open the latest version and delete again); nothing was deleted`, { cause: e });
      }
      throw e;
    }
    return version;
  }

  // ---------------------------------------------------------------- compacting

  /**
   * Rewrites small fragments and fragments with many deleted rows into fewer, full ones, and commits
   * a new version (what Lance calls `compact_files`). Fragments holding fewer live rows than
   * `targetRowsPerFragment`, and (with `materializeDeletions`) fragments whose deleted share exceeds
   * `materializeDeletionsThreshold`, are candidates; each run of candidates next to each other is
   * rewritten, when that lowers the fragment count or drops deletions past the threshold, as new
   * fragments of up to `targetRowsPerFragment` live rows (one data file each, every column in schema
   * order, deleted rows left out) that take the run's place. Other fragments keep their files, ids
   * and place; rows keep their order, so row positions are unchanged. New fragment ids continue after
   * the largest id the dataset ever used. The new data files are written and fsynced before the
   * manifest is published atomically, as for {@link Dataset.createSync}. Older versions keep their
   * files (time travel) until {@link Dataset.cleanupOldVersions} removes them. When nothing
   * qualifies, nothing is written and no version is committed.
   * @returns the new version and what changed (see {@link CompactResult}).
   * @throws InvalidArgumentError for bad options; NotSupportedError for a dataset whose manifest
   *   declares a data storage version other than 2.0, 2.1 or 2.2 (new files keep the dataset's version), and for ZSTD-compressed deletion files (LanceDB's) before `initZstd()` (use
   *   {@link Dataset.compact}); ConflictError when the next version already exists
   *   (this object is not the latest version, or another writer committed first): the new data files
   *   are removed and nothing is committed, reopen and compact again; the read errors of
   *   {@link Dataset.scanSync}.
   * @example
   * ```ts
   * const { dataset, fragmentsRemoved, fragmentsAdded } = Dataset.openSync('/data/logs').compactSync();
   * dataset.cleanupOldVersions({ keep: 1 }); // then delete the files only older versions used
   * ```
   */
  compactSync(options: CompactOptions = {}): CompactResult {
    const { version, ...metrics } = runSync(this.compactTask(options));
    return { dataset: this.atVersionSync(version), ...metrics };
  }

  /**
   * Asynchronous form of {@link Dataset.compactSync}: the rows are read with the asynchronous reads
   * of {@link Dataset.scan}, and the new data files and manifest written on libuv's thread pool (the
   * page encoding runs on this thread, as in {@link Dataset.create}).
   */
  async compact(options: CompactOptions = {}): Promise<CompactResult> {
    await this.prepareDeletionReads();
    const { version, ...metrics } = await runAsync(this.compactTask(options));
    return { dataset: await this.atVersion(version), ...metrics };
  }

  private *compactTask(options: CompactOptions): Task<Omit<CompactResult, 'dataset'> & { version: number | null }> {
    const target = options.targetRowsPerFragment ?? DEFAULT_MAX_ROWS_PER_FILE;
    if (!Number.isSafeInteger(target) || target <= 0) {
      throw new InvalidArgumentError(`\`targetRowsPerFragment\` must be a positive integer, got ${target}`);
    }
    const materialize = options.materializeDeletions ?? true;
    if (typeof materialize !== 'boolean') throw new InvalidArgumentError(`\`materializeDeletions\` must be a boolean, got ${String(materialize)}`);
    const threshold = options.materializeDeletionsThreshold ?? DEFAULT_MATERIALIZE_DELETIONS_THRESHOLD;
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new InvalidArgumentError(`\`materializeDeletionsThreshold\` must be a number from 0 to 1, got ${String(threshold)}`);
    }
    checkWritable(this.state, this.path, 'compact', true);
    const storageVersion = datasetStorageVersion(this.state, this.path, 'compact');
    if (this.store !== null) checkStoreWritable(this.store, this.path);
    const starts = this.liveStarts();
    const sizes = this.fragments.map((f, i) => ({ physicalRows: f.physicalRows, liveRows: starts[i + 1]! - starts[i]! }));
    const runs = planCompaction(sizes, target, materialize ? threshold : null);
    const result = { version: null as number | null, fragmentsRemoved: 0, fragmentsAdded: 0, rowsRewritten: 0, deletedRowsRemoved: 0 };
    if (runs.length === 0) return result;
    const version = this.version + 1;
    const columns = this.schema.fields.map((f) => f.name);
    const fragments: FragmentInfo[] = [];
    const written: FragmentInfo[] = [];
    // Rows are read through a copy of this object, with data files of its own, so that closing them
    // fragment by fragment never disturbs reads of this object running meanwhile.
    const source = new Dataset(this.path, this.state, this.manifestNaming, this.cache, this.store);
    for (let f = 0; f < this.fragments.length; f++) source.deleted[f] = this.deleted[f];
    try {
      let i = 0;
      for (const run of runs) {
        while (i < run.first) fragments.push(this.fragments[i++]!);
        // The run's live rows, as a scan over them reads them (deleted rows dropped, order kept).
        // The run's fragments claiming no live row are read by no range: open them to check the claims.
        for (let f = run.first; f < run.end; f++) if (sizes[f]!.liveRows === 0) yield* perform(source.openFragmentEffect(f));
        const { ranges } = source.plan({ offset: starts[run.first]!, limit: starts[run.end]! - starts[run.first]!, columns });
        const reads = source.compactionReads(onlyReads(ranges), columns);
        const fileOptions = { ...options.fileOptions, version: storageVersion };
        const added = yield* writeDataFiles(this.path, this.schema, reads, target, fileOptions, this.store);
        written.push(...added);
        fragments.push(...added);
        for (; i < run.end; i++) {
          result.fragmentsRemoved++;
          result.rowsRewritten += sizes[i]!.liveRows;
          result.deletedRowsRemoved += sizes[i]!.physicalRows - sizes[i]!.liveRows;
        }
      }
      while (i < this.fragments.length) fragments.push(this.fragments[i++]!);
      const bytes = encodeNextManifest(this.state, { version, schema: this.schema, fragments, storageVersion });
      yield* perform(publishEffect(manifestPathToPublish(this.path, version, this.manifestNaming), bytes, this.store));
    } catch (e) {
      yield* removeDataFiles(this.path, written, this.store);
      if (e instanceof ConflictError) {
        throw new ConflictError(`cannot commit version ${version} of '${this.path}': it already exists (open the latest version and compact again); nothing was compacted`, { cause: e });
      }
      throw e;
    } finally {
      yield* perform<void>({ sync: () => source.closeSync(), async: () => source.close() });
    }
    result.version = version;
    result.fragmentsAdded = written.length;
    return result;
  }

  /**
   * Reads of the live rows of scan `ranges`, as {@link scanSync} / {@link scan} read them. Each
   * fragment's data files are closed after its last range: a compaction of thousands of fragments
   * holds few fragments' files open at a time. The asynchronous form reads ahead as {@link scan}
   * does ({@link readAhead}), so the next ranges' reads overlap the encoding and writing of this one.
   */
  private *compactionReads(ranges: Iterable<ScanRange>, columns: readonly string[]): Generator<Effect<RecordBatch>> {
    const queue = new RangeQueue(ranges);
    const next = readAhead(queue, DEFAULT_BATCH_SIZE, (i, offset, limit) =>
      this.readRangeAsync(i, columns, offset, limit).then((b) => this.dropDeleted(i, b, offset)),
    );
    for (let r = 0; ; r++) {
      queue.drop(r);
      const range = queue.at(r);
      if (range === undefined) return;
      const [i, offset, limit] = range;
      const following = queue.at(r + 1);
      const last = following === undefined || following[0] !== i;
      yield {
        sync: () => {
          const batch = this.dropDeleted(i, this.readRangeSync(i, columns, offset, limit), offset);
          if (last) this.closeFragmentSync(i);
          return batch;
        },
        async: async () => {
          const batch = await next();
          if (last) await this.closeFragment(i);
          return batch;
        },
      };
    }
  }

  /** Closes the data files of fragment `i` opened by synchronous reads. */
  private closeFragmentSync(i: number): void {
    for (let j = 0; j < this.fragments[i]!.files.length; j++) {
      const key = readerKey(i, j);
      this.syncReaders.get(key)?.source.close();
      this.syncReaders.delete(key);
    }
  }

  /** Closes the data files of fragment `i` opened by either kind of read. */
  private async closeFragment(i: number): Promise<void> {
    this.closeFragmentSync(i);
    for (let j = 0; j < this.fragments[i]!.files.length; j++) {
      const key = readerKey(i, j);
      const open = this.asyncReaders.get(key);
      this.asyncReaders.delete(key);
      if (open !== undefined) await open.then((o) => o.source.close(), () => undefined);
    }
  }

  // ---------------------------------------------------------------- housekeeping

  /**
   * Deletes old versions' manifests, then the data and deletion files that only they referenced.
   * A version is removed only when all of these hold: it is not the latest, not among the `keep`
   * newest (default 1), and it is at least `olderThan` old (default 7 days, Lance's `older_than`),
   * judged by the commit time its manifest records (the manifest file's modification time when it
   * records none). So by default a reader that opened a version committed less than 7 days ago keeps
   * every file it needs; pass `{ olderThan: 0 }` to remove every old version at once (readers of
   * those versions may then fail with NotFoundError). Data files of writers still in progress are
   * never touched (only files referenced by a removed manifest are deleted).
   *
   * Every path a removed manifest names is checked before anything is deleted: a path that would
   * leave the dataset folder (`..`, absolute, NUL, backslash) or a file that resolves outside it
   * through a symlink fails the whole call with CorruptDataError, and nothing is deleted.
   * @returns the versions and files removed.
   * @throws InvalidArgumentError for bad options; CorruptDataError as above or when a manifest does
   *   not decode; IoError when a manifest cannot be deleted.
   * @example
   * ```ts
   * ds.cleanupOldVersions();                           // versions older than 7 days, latest kept
   * ds.cleanupOldVersions({ olderThan: 3_600_000 });   // older than an hour
   * ds.cleanupOldVersions({ olderThan: 0, keep: 1 });  // everything but the latest, now
   * ```
   */
  cleanupOldVersions(options: CleanupOptions = {}): CleanupResult {
    if (this.store !== null) throw new NotSupportedError(`cleanupOldVersions() of '${this.path}': not implemented for datasets on object stores yet`);
    const keep = options.keep ?? 1;
    if (!Number.isSafeInteger(keep) || keep < 1) throw new InvalidArgumentError(`\`keep\` must be an integer ≥ 1, got ${keep}`);
    const olderThan = options.olderThan ?? DEFAULT_CLEANUP_OLDER_THAN_MS;
    // A version is removable when its commit time is at most `cutoff`.
    let cutoff: number;
    if (olderThan instanceof Date) cutoff = olderThan.getTime() - 1;
    else if (typeof olderThan === 'number' && olderThan >= 0) cutoff = Date.now() - olderThan;
    else cutoff = Number.NaN;
    if (!Number.isFinite(cutoff)) throw new InvalidArgumentError('`olderThan` must be a Date or a non-negative age in milliseconds');
    const versions = this.versions();
    const manifests = versions.map((v) => readVersionManifest(this.path, v.manifestFile));
    const committedAt = (k: number): number => manifests[k]!.raw.timestampMs ?? versions[k]!.timestamp.getTime();
    const removableSet = new Set<number>();
    for (let k = 0; k < versions.length - keep; k++) if (committedAt(k) <= cutoff) removableSet.add(k);
    // Files (`data/<name>`, `_deletions/<name>`) each version references; `strict` throws for a
    // path leaving the dataset, otherwise such a path is skipped (it protects nothing inside).
    const filesOf = (k: number, strict: boolean): string[] => {
      const out: string[] = [];
      const where = `manifest '${versions[k]!.manifestFile}' of '${this.path}' (version ${versions[k]!.version})`;
      for (const f of manifests[k]!.fragments) {
        for (const file of f.files) {
          try {
            out.push(nodePath.relative(this.path, joinInside(this.path, 'data', file.path, `${where}, fragment ${f.id}, data file`)));
          } catch (e) {
            if (strict) throw e;
          }
        }
        if (f.deletionFile !== undefined) out.push(nodePath.join(DELETIONS_DIR, deletionFileName(f.id, f.deletionFile)));
      }
      return out;
    };
    const keptFiles = new Set<string>();
    for (let k = 0; k < versions.length; k++) if (!removableSet.has(k)) for (const p of filesOf(k, false)) keptFiles.add(p);
    const candidates = new Set<string>();
    for (const k of removableSet) for (const p of filesOf(k, true)) if (!keptFiles.has(p)) candidates.add(p);
    // Symlinks pointing out of the dataset: refused before anything is deleted.
    for (const rel of candidates) checkRealInside(this.path, nodePath.join(this.path, rel), `cleanup of '${this.path}'`);
    const removedVersions: number[] = [];
    for (const k of removableSet) {
      const p = nodePath.join(this.path, '_versions', versions[k]!.manifestFile);
      try {
        fs.unlinkSync(p);
        removedVersions.push(versions[k]!.version);
      } catch (e) {
        throw fsError(e, 'delete', p);
      }
    }
    if (removedVersions.length > 0) syncDirectorySync(nodePath.join(this.path, '_versions'));
    const removedDataFiles: string[] = [];
    for (const rel of candidates) {
      const p = nodePath.join(this.path, rel);
      try {
        fs.unlinkSync(p);
        removedDataFiles.push(rel.startsWith(`data${nodePath.sep}`) ? rel.slice(5) : rel);
      } catch {
        /* already gone */
      }
    }
    return { removedVersions, removedDataFiles };
  }

  /** Closes the data files this object opened (sync and async). Reading again reopens them. */
  async close(): Promise<void> {
    this.closeSync();
    const opens = [...this.asyncReaders.values()];
    this.asyncReaders.clear();
    for (const o of await Promise.allSettled(opens)) if (o.status === 'fulfilled') await o.value.source.close();
  }

  /** Closes the files opened by the synchronous methods. */
  closeSync(): void {
    for (const { source } of this.syncReaders.values()) source.close();
    this.syncReaders.clear();
  }
}

/** Key of data file `j` of fragment `i` in a dataset's maps of open files. */
/** Largest value of `a`, or −1 when it is empty. */
function maxOf(a: Int32Array): number {
  let m = -1;
  for (let k = 0; k < a.length; k++) if (a[k]! > m) m = a[k]!;
  return m;
}

/** The ranges of a plan that read rows (without its check-only ranges, see `Dataset.planRanges`). */
function* onlyReads(ranges: Iterable<ScanRange>): Generator<ScanRange> {
  for (const r of ranges) if (r[2] > 0) yield r;
}

function readerKey(i: number, j: number): number {
  return i * 65536 + j;
}

/** The error for reading a column whose type vego cannot read. */
function unsupportedColumn(path: string, name: string, logicalType: string, all: boolean): NotSupportedError {
  return new NotSupportedError(
    `column "${name}" of '${path}' has type ${logicalType}, which vego cannot read${all ? '; name the columns to read (`columns`) to read the others' : ''}`,
  );
}

/** A column of `length` nulls. */
function nullVector(type: DataType, length: number): Vector {
  return makeVector(makeNullData(type, length)) as Vector;
}

/** Adds the data file path to decoding errors that lack it. */
function wrapCorrupt<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw withPath(e, path);
  }
}

async function wrapCorruptAsync<T>(path: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw withPath(e, path);
  }
}

function withPath(e: unknown, path: string): unknown {
  if (e instanceof CorruptDataError && !e.message.includes(path)) {
    return new CorruptDataError(`data file '${path}': ${e.message}`, { cause: e });
  }
  return e;
}

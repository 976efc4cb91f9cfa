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
 * Each commit (create/append, delete, compact, cleanup) and each read (open a data file, read a
 * range, take, toTable; a scan is one generator of effects) is written once, as a task yielding its
 * I/O (see @vego/format's effects.ts): the `…Sync` methods run it with blocking calls, the async ones
 * with `fs/promises`, `AsyncFileSink` / `AsyncFileSource` or an object store, so their I/O never
 * blocks the event loop.
 *
 * This file is the public face: the `Dataset` class, its argument order of checks and which driver
 * runs what. The work lives in ./dataset/: versions (open), commit, fragment-reads, live-rows
 * (deletions), scan, take, delete, compaction, cleanup, over one opened version (view).
 */
import {
  InvalidArgumentError,
  NotSupportedError,
  Table,
  runTaskAsync,
  runTaskSync,
  type RecordBatch,
  type Schema,
} from '@vego/format';
import type { DatasetInput } from './internal/data-input';
import { listVersionFiles, type ManifestNaming } from './internal/manifest-names';
import { isRemoteLatest, needsAsync, openRemoteVersion, sameBytes, storeFor } from './internal/remote-dataset';
import { cleanupTask } from './dataset/cleanup';
import type { BlockCache } from './block-cache';
import { type CommittedVersion, commitWrite } from './dataset/commit';
import { compactTask } from './dataset/compaction';
import { deleteRowsTask, deleteWhereTask } from './dataset/delete';
import { appendAndDeleteTask } from './dataset/append-delete';
import {
  checkNonNegInt,
  type CleanupOptions,
  type CleanupResult,
  type CompactOptions,
  type CompactStats,
  type DatasetOpenOptions,
  type DatasetWriteOptions,
  type DeleteOptions,
  type DeleteWhereOptions,
  type AppendAndDeleteOptions,
  type FragmentFiles,
  type FragmentSummary,
  type ScanOptions,
  type VersionInfo,
} from './dataset/options';
import { collectBatches, scanReads } from './dataset/scan';
import { rowAddressesOf, takeRows } from './dataset/take';
import { committedVersionState, isLocalLatest, localVersions, openCommittedVersion, openLocalVersion } from './dataset/versions';
import { DatasetView } from './dataset/view';
import { type DatasetIndex, datasetIndices } from './dataset/indices';

export { DEFAULT_CLEANUP_OLDER_THAN_MS } from './dataset/options';
export type { DatasetIndex } from './dataset/indices';
export type {
  WriteMode,
  DatasetWriteOptions,
  DatasetOpenOptions,
  DeleteOptions,
  DeleteWhereOptions,
  AppendAndDeleteOptions,
  ScanOptions,
  FragmentFiles,
  FragmentSummary,
  VersionInfo,
  CleanupOptions,
  CleanupResult,
  CompactOptions,
} from './dataset/options';

/** What {@link Dataset.compactSync} did. */
export interface CompactResult extends CompactStats {
  /** The dataset at the version committed; the same object when nothing needed compacting (no version committed). */
  dataset: Dataset;
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
  /** The opened version: manifest, data files, live rows (see ./dataset/view). */
  private readonly view: DatasetView;

  private constructor(view: DatasetView) {
    this.view = view;
    this.path = view.path;
    this.version = view.version;
    this.schema = view.schema;
    this.manifestNaming = view.naming;
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
    const { state, naming } = openLocalVersion(dir, options.version);
    return new Dataset(new DatasetView(dir, state, naming, options.cache, null));
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
    let ds: Dataset;
    if (store === null) ds = Dataset.openSync(dir, options);
    else {
      checkNonNegInt('version', options.version);
      const { root, state, naming } = await openRemoteVersion(store, dir, options.version);
      ds = new Dataset(new DatasetView(root, state, naming, options.cache, store));
    }
    await ds.view.live.prepare();
    return ds;
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
    return Dataset.atCommittedSync(dir, runTaskSync(commitWrite(dir, data, options)), undefined);
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
    const committed = await runTaskAsync(commitWrite(dir, data, withStore));
    if (store !== null) return Dataset.open(dir, { version: committed.version, store });
    const ds = Dataset.atCommittedSync(dir, committed, undefined);
    await ds.view.live.prepare();
    return ds;
  }

  /** Appends `data` as a new version; shorthand for `createSync(this.path, data, { mode: 'append' })`. */
  appendSync(data: DatasetInput, options: Omit<DatasetWriteOptions, 'mode'> = {}): Dataset {
    if (this.view.store !== null) throw needsAsync('appendSync()', this.path);
    return Dataset.createSync(this.path, data, { ...options, mode: 'append' });
  }

  /** Asynchronous form of {@link Dataset.appendSync} (see {@link Dataset.create}). */
  async append(data: DatasetInput, options: Omit<DatasetWriteOptions, 'mode'> = {}): Promise<Dataset> {
    const store = this.view.store;
    return Dataset.create(this.path, data, store === null ? { ...options, mode: 'append' } : { ...options, mode: 'append', store });
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
    const starts = this.view.live.starts();
    return starts[starts.length - 1]!;
  }

  /** Number of fragments (data files) in this version. */
  get numFragments(): number {
    return this.view.fragments.length;
  }

  /**
   * The fragments of this version in row order, as its manifest lists them: id, physical row count,
   * whether a deletion file hides some rows. Touches no file (unlike {@link fragmentFiles}, which
   * checks each data file's path).
   */
  fragments(): FragmentSummary[] {
    return this.view.fragments.map((f) => ({ id: f.id, physicalRows: f.physicalRows, hasDeletions: f.deletionFile !== undefined }));
  }

  /**
   * The fragments of this version in row order (fresh objects): their data files as absolute
   * paths, physical row counts and whether a deletion file hides some rows. For readers that
   * read column pages of the files themselves (through `LanceFileReader`). `physicalRows` is the
   * manifest's claim: check it against the file (`LanceFileReader.numRows`) before relying on it.
   * @throws CorruptDataError when a data file resolves (through a symlink) outside the dataset folder.
   */
  fragmentFiles(): FragmentFiles[] {
    return this.view.fragments.map((f, i) => ({
      id: f.id,
      paths: f.files.map((_, j) => this.view.files.checkedDataPath(i, j)),
      physicalRows: f.physicalRows,
      hasDeletions: f.deletionFile !== undefined,
    }));
  }

  /**
   * The row addresses of the rows at live positions `rowIndices` (in that order): Lance's
   * `_rowaddr`, fragment id · 2³² + the row's physical offset in its fragment. An address names a
   * row for as long as the row exists, whatever is deleted or appended around it, where a live
   * position shifts with every delete before it: {@link appendAndDeleteSync} takes addresses with
   * `rowAddresses: true`. Reads no data file (the deletion files of the fragments holding the rows,
   * when not read yet).
   * @throws InvalidArgumentError when `rowIndices` is not array-like; OutOfRangeError for a position outside the version
   */
  rowAddresses(rowIndices: ArrayLike<number>): Float64Array {
    return rowAddressesOf(this.view, rowIndices);
  }

  /** Every committed version on disk, oldest first (not only those up to this one). */
  versions(): VersionInfo[] {
    if (this.view.store !== null) throw needsAsync('versions()', this.path);
    return localVersions(this.path);
  }

  /** The latest committed version number on disk. */
  latestVersion(): number {
    if (this.view.store !== null) throw needsAsync('latestVersion()', this.path);
    const files = listVersionFiles(this.path);
    return files[files.length - 1]!.version;
  }

  /**
   * This version again, as a new object with data files of its own (deletion sets loaded so far
   * carried over), when it is still the dataset's latest version and its manifest is the one this
   * object was opened from or committed; null otherwise: another writer committed since, or the
   * folder was removed and written again (its versions count up from 1 too, with other manifests).
   * A writer that commits on top of a version it knows checks it this way in O(1): one read of the
   * small manifest file and two lookups by name, where {@link Dataset.openSync} lists `_versions/`
   * and decodes the manifest. The check is as good as a listing against everything but a commit
   * racing it, which the commit itself refuses (ConflictError).
   * @throws IoError when the manifest cannot be read for another reason than its absence
   * @example
   * ```ts
   * const again = known.reopenIfLatestSync() ?? Dataset.openSync(known.path); // same version, or the newer one
   * ```
   */
  reopenIfLatestSync(): Dataset | null {
    if (this.view.store !== null) throw needsAsync('reopenIfLatestSync()', this.path);
    return isLocalLatest(this.path, this.view.state, this.view.naming) ? new Dataset(this.view.copy()) : null;
  }

  /**
   * Whether `other` holds the same version as this object, read or committed from a byte-identical
   * manifest (so the same fragments and data files): how a writer that opened the latest version
   * through a store of its own tells it from the one it remembers (see {@link Dataset.reopenIfLatestSync}).
   */
  hasSameManifest(other: Dataset): boolean {
    if (!(other instanceof Dataset)) throw new InvalidArgumentError('`other` must be a Dataset');
    return this.version === other.version && sameBytes(this.view.state.bytes, other.view.state.bytes);
  }

  /**
   * Asynchronous form of {@link Dataset.reopenIfLatestSync}; on an object store the latest manifest
   * is found as {@link Dataset.open} finds it (a listing) and compared with this one's bytes.
   */
  async reopenIfLatest(): Promise<Dataset | null> {
    const store = this.view.store;
    let again: Dataset | null;
    if (store === null) again = this.reopenIfLatestSync();
    else again = (await isRemoteLatest(store, this.path, this.view.state)) ? new Dataset(this.view.copy()) : null;
    if (again !== null) await again.view.live.prepare();
    return again;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Top-level columns of types vego cannot read (for example a type newer than this library): they are
   * not in `schema`; reads that name them, or that read every column, throw NotSupportedError, while
   * projections without them work.
   */
  get unsupportedColumns(): readonly { name: string; logicalType: string }[] {
    return this.view.state.unsupported.map((u) => ({ name: u.name, logicalType: u.logicalType }));
  }

  /**
   * The indices LanceDB built over this version (`createIndex`: scalar, vector, full-text), as its
   * manifest lists them: vego neither builds nor uses them, and keeps them through its appends and
   * deletes (LanceDB then scans the rows appended since an index was built, and skips the deleted
   * ones); an overwrite or a compaction writes a version without them.
   * @throws CorruptDataError when the manifest's index section is damaged.
   */
  indices(): DatasetIndex[] {
    return datasetIndices(this.view.state, `'${this.path}' version ${this.version}`);
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
    for (const read of scanReads(this.view, options)) {
      const batch = read.sync();
      if (batch !== null) yield batch;
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
    await this.view.live.prepare();
    for (const read of scanReads(this.view, options)) {
      // A check-only range (see ./dataset/scan) opens its fragment's data files and holds no rows.
      const batch = await read.async();
      if (batch !== null) yield batch;
    }
  }

  /** Reads everything (or a projection/slice) into one Table. Holds all of it in memory. */
  toTableSync(options: ScanOptions = {}): Table {
    const columns = this.view.resolveColumns(options.columns);
    return new Table(this.view.projectedSchema(columns), runTaskSync(collectBatches(scanReads(this.view, { ...options, columns }))));
  }

  /** Asynchronous form of {@link Dataset.toTableSync}. */
  async toTable(options: ScanOptions = {}): Promise<Table> {
    const columns = this.view.resolveColumns(options.columns);
    await this.view.live.prepare();
    return new Table(this.view.projectedSchema(columns), await runTaskAsync(collectBatches(scanReads(this.view, { ...options, columns }))));
  }

  // ---------------------------------------------------------------- take

  /**
   * The rows at `rowIndices` (positions among the live rows of this version, i.e. not counting
   * deleted ones; any order, repeats allowed), in that order, as one batch (a copy). Reads each
   * needed run of rows once.
   * @throws OutOfRangeError for an index outside the dataset; InvalidArgumentError for an unknown column.
   */
  takeSync(rowIndices: ArrayLike<number>, options: { columns?: readonly string[] } = {}): RecordBatch {
    return runTaskSync(takeRows(this.view, rowIndices, options));
  }

  /**
   * Asynchronous form of {@link Dataset.takeSync} (deletion files are loaded asynchronously). The row
   * bytes themselves are read with positional synchronous reads: a take is many tiny reads (for
   * fixed-width columns only the bytes of each row), and one `pread` of a few bytes costs about a
   * microsecond where a thread-pool round trip per read costs ten to twenty, so 100 rows × 10 columns
   * take ~2 ms synchronously against ~20 ms through `FileHandle.read`.
   */
  async take(rowIndices: ArrayLike<number>, options: { columns?: readonly string[] } = {}): Promise<RecordBatch> {
    await this.view.live.prepare();
    // Local files: blocking positional reads (see above). On an object store every read is a
    // request: all runs at once, so the source coalesces them.
    const task = takeRows(this.view, rowIndices, options);
    return this.view.store === null ? runTaskSync(task) : runTaskAsync(task);
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
   *   nothing is deleted, reopen and retry. With `conflictRetries` the delete is committed on top of
   *   the latest version instead when the fragments it touches are unchanged there (another
   *   writer's appends, or its deletes elsewhere), the same rows deleted.
   * @example
   * ```ts
   * const v2 = Dataset.openSync('/data/people').deleteRowsSync([0, 5]);
   * ```
   */
  deleteRowsSync(rowIndices: ArrayLike<number>, options: DeleteOptions = {}): Dataset {
    return this.atVersionSync(runTaskSync(deleteRowsTask(this.view, rowIndices, options)));
  }

  /**
   * Asynchronous form of {@link Dataset.deleteRowsSync}: deletion files are loaded, and the new ones
   * written, fsynced and committed, on libuv's thread pool (see {@link Dataset.create}).
   */
  async deleteRows(rowIndices: ArrayLike<number>, options: DeleteOptions = {}): Promise<Dataset> {
    await this.view.live.prepare();
    return this.atVersion(await runTaskAsync(deleteRowsTask(this.view, rowIndices, options)));
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
  deleteSync(where: (row: Record<string, unknown>) => boolean, options: DeleteWhereOptions = {}): Dataset {
    return this.atVersionSync(runTaskSync(deleteWhereTask(this.view, where, options)));
  }

  /**
   * Asynchronous form of {@link Dataset.deleteSync}: the rows are read with the asynchronous reads
   * of {@link Dataset.scan}, and the deletion files and manifest written on libuv's thread pool
   * (`where` runs on this thread).
   */
  async delete(where: (row: Record<string, unknown>) => boolean, options: DeleteWhereOptions = {}): Promise<Dataset> {
    await this.view.live.prepare();
    return this.atVersion(await runTaskAsync(deleteWhereTask(this.view, where, options)));
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
    const { version, ...metrics } = runTaskSync(compactTask(this.view, options));
    return { dataset: this.atVersionSync(version), ...metrics };
  }

  /**
   * Asynchronous form of {@link Dataset.compactSync}: the rows are read with the asynchronous reads
   * of {@link Dataset.scan}, and the new data files and manifest written on libuv's thread pool (the
   * page encoding runs on this thread, as in {@link Dataset.create}).
   */
  async compact(options: CompactOptions = {}): Promise<CompactResult> {
    await this.view.live.prepare();
    const { version, ...metrics } = await runTaskAsync(compactTask(this.view, options));
    return { dataset: await this.atVersion(version), ...metrics };
  }

  // ---------------------------------------------------------------- housekeeping

  /**
   * Deletes old versions' manifests, then the data and deletion files that only they referenced,
   * then the folders (`_indices/<uuid>/`) of the LanceDB indices that only they named (an index
   * LanceDB re-created, or merged into a new one by `optimize`). A version is removed only when all
   * of these hold: it is not the latest, not among the `keep`
   * newest (default 1), and it is at least `olderThan` old (default 7 days, Lance's `older_than`),
   * judged by the commit time its manifest records (the manifest file's modification time when it
   * records none). So by default a reader that opened a version committed less than 7 days ago keeps
   * every file it needs; pass `{ olderThan: 0 }` to remove every old version at once (readers of
   * those versions may then fail with NotFoundError). Files of writers still in progress are never
   * touched: only data files a removed manifest references, and index folders a removed manifest
   * names, are deleted (a folder no manifest names, such as an index LanceDB is still building, is
   * left; LanceDB's own cleanup removes such leftovers once they are 7 days old).
   *
   * Every path a removed manifest names is checked before anything is deleted: a path that would
   * leave the dataset folder (`..`, absolute, NUL, backslash), an index UUID that is not one, or a
   * file or index folder that resolves outside it through a symlink fails the whole call with
   * CorruptDataError, and nothing is deleted. Index folders reached through a symlink that stays
   * inside are left alone; symlinks inside an index folder are unlinked, never followed.
   * @returns the versions, files and index folders (`removedIndices`, when any) removed.
   * @throws InvalidArgumentError for bad options; CorruptDataError as above or when a manifest (or
   *   the index section of any manifest, kept ones included) does not decode; IoError when a
   *   manifest cannot be deleted; NotSupportedError on an object store (use
   *   {@link Dataset.cleanupOldVersionsAsync}).
   * @example
   * ```ts
   * ds.cleanupOldVersions();                           // versions older than 7 days, latest kept
   * ds.cleanupOldVersions({ olderThan: 3_600_000 });   // older than an hour
   * ds.cleanupOldVersions({ olderThan: 0, keep: 1 });  // everything but the latest, now
   * ```
   */
  cleanupOldVersions(options: CleanupOptions = {}): CleanupResult {
    if (this.view.store !== null) {
      throw new NotSupportedError(`cleanupOldVersions() of '${this.path}': a dataset on an object store is cleaned up asynchronously; use \`await ds.cleanupOldVersionsAsync()\``);
    }
    return runTaskSync(cleanupTask(this.path, null, options));
  }

  /**
   * Asynchronous form of {@link Dataset.cleanupOldVersions}, the same rules and checks, for a folder
   * (its I/O on libuv's thread pool) or a dataset on an object store (`s3://`): the versions are found
   * by listing `_versions/`, every manifest is read and every path it names checked before anything
   * is deleted, then the removed versions' manifests are deleted, then the data and deletion files
   * only they used, then the index folders only they named (on a store: every object under
   * `_indices/<uuid>/`). A version's age is the commit time its manifest records (the object's
   * `LastModified` when it records none).
   * @returns the versions, files and index folders removed.
   * @throws as {@link Dataset.cleanupOldVersions}; NotSupportedError for a read-only store (a dataset
   *   opened over `http(s)://`); IoError when the store fails after its retries.
   * @example
   * ```ts
   * const ds = await Dataset.open('s3://bucket/people', { storageOptions });
   * await ds.cleanupOldVersionsAsync({ olderThan: 0 }); // every version but the latest
   * ```
   */
  async cleanupOldVersionsAsync(options: CleanupOptions = {}): Promise<CleanupResult> {
    return runTaskAsync(cleanupTask(this.path, this.view.store, options));
  }

  /** Closes the data files this object opened (sync and async). Reading again reopens them. */
  async close(): Promise<void> {
    await this.view.files.close();
  }

  /**
   * Appends `data` and deletes the rows at live positions `rowIndices` of this version (as
   * {@link deleteRowsSync}) in one commit: the new data files and deletion files are written and
   * fsynced, then one manifest naming both is published, as the version after this one. A reader
   * (LanceDB too) sees both changes or neither: the way to replace rows without a version in which
   * both the old and the new rows are live, at the cost of one commit instead of two. Nothing is
   * re-based: when this object is not the latest version, it fails and removes what it wrote.
   * With `options.rowAddresses`, `rowIndices` are row addresses ({@link rowAddresses}) instead
   * of live positions: then no data file is opened and only the deletion files of the fragments
   * they touch are read (positions are mapped through the row counts of every fragment before
   * them, which are checked by opening those fragments' data files).
   * @returns the dataset at the new version.
   * @throws OutOfRangeError for a position outside the dataset; TypeMismatchError when `data` does
   *   not match the schema; ConflictError when the next version already exists (nothing is added
   *   or deleted: reopen and retry); IoError for file-system failures.
   * @example
   * ```ts
   * const v2 = Dataset.openSync('/data/people').appendAndDeleteSync([{ id: 1, name: 'ada l.' }], [0]);
   * ```
   */
  appendAndDeleteSync(data: DatasetInput, rowIndices: ArrayLike<number>, options: AppendAndDeleteOptions = {}): Dataset {
    if (this.view.store !== null) throw needsAsync('appendAndDeleteSync()', this.path);
    return Dataset.atCommittedSync(this.path, runTaskSync(appendAndDeleteTask(this.view, data, rowIndices, options)), this.view.cache);
  }

  /**
   * Asynchronous form of {@link Dataset.appendAndDeleteSync} (I/O on libuv's thread pool, or
   * against the object store this dataset was opened on: each file a put, the manifest a
   * conditional put).
   */
  async appendAndDelete(data: DatasetInput, rowIndices: ArrayLike<number>, options: AppendAndDeleteOptions = {}): Promise<Dataset> {
    await this.view.live.prepare();
    return this.atCommitted(await runTaskAsync(appendAndDeleteTask(this.view, data, rowIndices, options)));
  }

  /** Closes the files opened by the synchronous methods. */
  closeSync(): void {
    this.view.files.closeSync();
  }

  // ---------------------------------------------------------------- versions committed by this object

  /**
   * The local dataset at `dir` at the version a commit of this process just published, from the
   * manifest bytes it published (no read or listing of `_versions/`).
   */
  private static atCommittedSync(dir: string, committed: CommittedVersion, cache: BlockCache | undefined): Dataset {
    const { state, naming } = committedVersionState(dir, committed);
    return new Dataset(new DatasetView(dir, state, naming, cache, null));
  }

  /** This dataset at the version `committed` published (on an object store, opened there). */
  private async atCommitted(committed: CommittedVersion): Promise<Dataset> {
    if (this.view.store !== null) return this.atVersion(committed.version);
    const ds = Dataset.atCommittedSync(this.path, committed, this.view.cache);
    await ds.view.live.prepare();
    return ds;
  }

  /** This dataset at `version` (this object when null: nothing was committed). */
  private atVersionSync(version: number | null): Dataset {
    if (version === null) return this;
    if (this.view.store !== null) throw needsAsync('a synchronous write', this.path);
    // The version this object just committed, under this dataset's manifest naming: its manifest
    // is read by name, without listing `_versions/` (which grows with every version kept).
    const { state, naming } = openCommittedVersion(this.path, version, this.view.naming);
    return new Dataset(new DatasetView(this.path, state, naming, this.view.cache, null));
  }

  private async atVersion(version: number | null): Promise<Dataset> {
    if (version === null) return this;
    const cache = this.view.cache;
    const options: DatasetOpenOptions = cache === undefined ? { version } : { version, cache };
    if (this.view.store !== null) options.store = this.view.store;
    return Dataset.open(this.path, options);
  }
}

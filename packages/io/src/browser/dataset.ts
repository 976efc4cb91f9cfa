/**
 * Browser stand-in for `../dataset` (see `node-only.ts`): a read-only `Dataset` for datasets on an
 * object store, opened with {@link Dataset.open} from an `http(s)://` URI (ranged GETs from the
 * page; the server must allow them cross-origin when it is another origin) or an `s3://` URI / a
 * given `store`. It reads through the same modules as under Node (manifest, fragments, deletion
 * files, scans), so what a page reads equals what Node reads. A local folder, every synchronous
 * call and every write throw NotSupportedError: a page has no file system; for single Lance files
 * use `MemorySource` / `MemorySink`.
 */
import { InvalidArgumentError, Table, runTaskAsync, type RecordBatch, type Schema } from '@vego/format';
import { checkNonNegInt, type DatasetOpenOptions, type FragmentFiles, type FragmentSummary, type ScanOptions } from '../dataset/options';
import { collectBatches, scanReads } from '../dataset/scan';
import { rowAddressesOf } from '../dataset/take';
import { DatasetView } from '../dataset/view';
import { type DatasetIndex, datasetIndices } from '../dataset/indices';
import type { ManifestNaming } from '../internal/manifest-names';
import { isRemoteLatest, openRemoteVersion, sameBytes, storeFor } from '../internal/remote-dataset';
import { needsNode } from './node-only';

/** The same constant as under Node (`cleanupOldVersions`' default age: 7 days), so imports resolve in both builds. */
export const DEFAULT_CLEANUP_OLDER_THAN_MS = 7 * 24 * 60 * 60 * 1000;

function readOnly(what: string): never {
  throw needsNode(`${what} (a browser build opens datasets on object stores read-only, with Dataset.open('https://…'))`);
}

/**
 * A Lance dataset on an object store, read-only (browser build). The reading members behave as
 * under Node; the others throw NotSupportedError.
 */
export class Dataset {
  /** The dataset's URI. */
  readonly path: string;
  /** The version this object reads. */
  readonly version: number;
  /** The dataset's schema at this version. */
  readonly schema: Schema;
  /** Manifest naming used by this dataset. */
  readonly manifestNaming: ManifestNaming;
  private readonly view: DatasetView;

  private constructor(view: DatasetView) {
    this.view = view;
    this.path = view.path;
    this.version = view.version;
    this.schema = view.schema;
    this.manifestNaming = view.naming;
  }

  /**
   * Opens a dataset on an object store (`http(s)://…`, `s3://…`, or `options.store`) at its latest
   * version or at `options.version`, as `Dataset.open` does under Node.
   * @throws NotSupportedError for a local path; otherwise as under Node (NotFoundError, CorruptDataError, IoError).
   */
  static async open(dir: string, options: DatasetOpenOptions = {}): Promise<Dataset> {
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('`dir` must be a non-empty path');
    const store = storeFor(dir, options);
    if (store === null) readOnly(`Dataset.open('${dir}') of a local folder`);
    checkNonNegInt('version', options.version);
    const { root, state, naming } = await openRemoteVersion(store, dir, options.version);
    const ds = new Dataset(new DatasetView(root, state, naming, options.cache, store));
    await ds.view.live.prepare();
    return ds;
  }

  /** Needs Node: throws NotSupportedError. */
  static openSync(): never {
    return readOnly('Dataset.openSync()');
  }

  /** Needs Node: throws NotSupportedError. */
  static createSync(): never {
    return readOnly('Dataset.createSync()');
  }

  /** Needs Node: rejects with NotSupportedError. */
  static async create(): Promise<never> {
    return readOnly('Dataset.create()');
  }

  /** Number of live rows in this version (as under Node). */
  countRows(): number {
    const starts = this.view.live.starts();
    return starts[starts.length - 1]!;
  }

  /** Number of fragments (data files) in this version. */
  get numFragments(): number {
    return this.view.fragments.length;
  }

  /** Row addresses of live positions (as under Node). */
  rowAddresses(rowIndices: ArrayLike<number>): Float64Array {
    return rowAddressesOf(this.view, rowIndices);
  }

  /**
   * The fragments of this version in row order, as its manifest lists them: id, physical row count,
   * whether a deletion file hides some rows. Touches no file (unlike {@link fragmentFiles}, which
   * checks each data file's path).
   */
  fragments(): FragmentSummary[] {
    return this.view.fragments.map((f) => ({ id: f.id, physicalRows: f.physicalRows, hasDeletions: f.deletionFile !== undefined }));
  }

  /** The fragments of this version in row order: data file URIs, physical row counts, deletions (as under Node). */
  fragmentFiles(): FragmentFiles[] {
    return this.view.fragments.map((f, i) => ({
      id: f.id,
      paths: f.files.map((_, j) => this.view.files.checkedDataPath(i, j)),
      physicalRows: f.physicalRows,
      hasDeletions: f.deletionFile !== undefined,
    }));
  }

  /** Top-level columns of types vego cannot read (as under Node). */
  get unsupportedColumns(): readonly { name: string; logicalType: string }[] {
    return this.view.state.unsupported.map((u) => ({ name: u.name, logicalType: u.logicalType }));
  }

  /** The indices LanceDB built over this version, as its manifest lists them (as under Node). */
  indices(): DatasetIndex[] {
    return datasetIndices(this.view.state, `'${this.path}' version ${this.version}`);
  }

  /** The live rows in batches of at most `batchSize` (as `Dataset.scan` under Node). */
  async *scan(options: ScanOptions = {}): AsyncIterableIterator<RecordBatch> {
    await this.view.live.prepare();
    for (const read of scanReads(this.view, options)) {
      const batch = await read.async();
      if (batch !== null) yield batch;
    }
  }

  /** Reads everything (or a projection/slice) into one Table (as `Dataset.toTable` under Node). */
  async toTable(options: ScanOptions = {}): Promise<Table> {
    const columns = this.view.resolveColumns(options.columns);
    await this.view.live.prepare();
    return new Table(this.view.projectedSchema(columns), await runTaskAsync(collectBatches(scanReads(this.view, { ...options, columns }))));
  }

  /** Whether `other` holds the same version from a byte-identical manifest (as under Node). */
  hasSameManifest(other: Dataset): boolean {
    if (!(other instanceof Dataset)) throw new InvalidArgumentError('`other` must be a Dataset');
    return this.version === other.version && sameBytes(this.view.state.bytes, other.view.state.bytes);
  }

  /** This version again if it is still the latest, from the same manifest bytes; else null (as `reopenIfLatest` under Node). */
  async reopenIfLatest(): Promise<Dataset | null> {
    if (!(await isRemoteLatest(this.view.store!, this.path, this.view.state))) return null;
    const again = new Dataset(this.view.copy());
    await again.view.live.prepare();
    return again;
  }

  /** Closes the data files this object opened. */
  async close(): Promise<void> {
    await this.view.files.close();
  }

  /** Closes the files opened by synchronous methods (none in a browser build: nothing to do but the same call). */
  closeSync(): void {
    this.view.files.closeSync();
  }

  // The members below exist under Node only: here each throws NotSupportedError (a typed error,
  // not a TypeError from a missing method). Reads over a store are asynchronous (scan, toTable);
  // a page writes nothing.

  /** Needs Node: throws NotSupportedError (reads over a store are asynchronous: use scan() / toTable()). */
  toTableSync(): never {
    return readOnly('Dataset.prototype.toTableSync()');
  }

  /** Needs Node: throws NotSupportedError (reads over a store are asynchronous: use scan() / toTable()). */
  scanSync(): never {
    return readOnly('Dataset.prototype.scanSync()');
  }

  /** Needs Node: throws NotSupportedError (reads over a store are asynchronous: use scan() / toTable()). */
  takeSync(): never {
    return readOnly('Dataset.prototype.takeSync()');
  }

  /** Needs Node: throws NotSupportedError (reads over a store are asynchronous: use reopenIfLatest()). */
  reopenIfLatestSync(): never {
    return readOnly('Dataset.prototype.reopenIfLatestSync()');
  }

  /** Needs Node: throws NotSupportedError (reads over a store are asynchronous: use scan() / toTable()). */
  versions(): never {
    return readOnly('Dataset.prototype.versions()');
  }

  /** Needs Node: throws NotSupportedError (reads over a store are asynchronous: use scan() / toTable()). */
  latestVersion(): never {
    return readOnly('Dataset.prototype.latestVersion()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  appendSync(): never {
    return readOnly('Dataset.prototype.appendSync()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  append(): never {
    return readOnly('Dataset.prototype.append()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  deleteRowsSync(): never {
    return readOnly('Dataset.prototype.deleteRowsSync()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  deleteRows(): never {
    return readOnly('Dataset.prototype.deleteRows()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  deleteSync(): never {
    return readOnly('Dataset.prototype.deleteSync()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  delete(): never {
    return readOnly('Dataset.prototype.delete()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  compactSync(): never {
    return readOnly('Dataset.prototype.compactSync()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  compact(): never {
    return readOnly('Dataset.prototype.compact()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  cleanupOldVersions(): never {
    return readOnly('Dataset.prototype.cleanupOldVersions()');
  }

  /** Needs Node: throws NotSupportedError (read-only in a browser build). */
  cleanupOldVersionsAsync(): never {
    return readOnly('Dataset.prototype.cleanupOldVersionsAsync()');
  }

  /** Needs Node: throws NotSupportedError (not offered in a browser build: use scan() / toTable() with offset and limit). */
  take(): never {
    return readOnly('Dataset.prototype.take()');
  }
}

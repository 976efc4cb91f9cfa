/**
 * A Lance dataset on the file system: a directory LanceDB can open.
 *
 * ```text
 * <dir>/data/<uuid>.lance          data files (Lance file format 2.0), never modified once committed
 * <dir>/_versions/<n>.manifest     one manifest per committed version (V1 naming), or
 * <dir>/_versions/<u64::MAX-n>.manifest   (V2 naming, what LanceDB 0.39 writes; the default here)
 * ```
 * A version is its manifest: the schema and the list of fragments (data files) it contains. Writing
 * never modifies an existing file. A commit (1) writes every new data file and fsyncs it, then (2)
 * publishes the next manifest atomically with {@link publishFileSync} (temp file, fsync, hard link
 * that fails if the name exists). So readers see either the old or the new version, a crash leaves
 * the last committed version intact, and of two writers committing the same version one gets
 * {@link ConflictError}.
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
  NotFoundError,
  NotSupportedError,
  OutOfRangeError,
  RecordBatch,
  Schema,
  Table,
  makeBuilder,
} from '@vego/format';
import type { Vector } from '@vego/format';
import { AsyncFileSource } from './async-file-source';
import { publishFileSync, syncDirectorySync } from './atomic-file';
import type { BlockCache } from './block-cache';
import { FileSink } from './file-sink';
import { FileSource } from './file-source';
import { describeSchema, normalizeInput, sameColumns, type DatasetInput } from './internal/data-input';
import { fsError } from './internal/fs-error';
import { encodeNextManifest, readManifestFile, type ManifestState } from './internal/lance-adapter';
import { listVersionFiles, manifestFileName, type ManifestNaming, type VersionFile } from './internal/manifest-names';
import type { FragmentInfo } from './internal/manifest-model';

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
   * Appends only: when another writer commits first, re-read the latest version and commit on top
   * of it, up to this many times (appends commute). Default 0: the loser gets ConflictError.
   */
  conflictRetries?: number;
  /** Manifest naming of a new dataset: `v2` (default, LanceDB's) or `v1`. Existing datasets keep theirs. */
  manifestNaming?: ManifestNaming;
}

/** Options of {@link Dataset.open} and {@link Dataset.openSync}. */
export interface DatasetOpenOptions {
  /** The version to open (time travel). Default: the latest. */
  version?: number;
  /** Block cache for the data files (shared across datasets if you pass the same one). */
  cache?: BlockCache;
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

/** One committed version, as listed by {@link Dataset.versions}. */
export interface VersionInfo {
  version: number;
  /** When the manifest was written (file modification time). */
  timestamp: Date;
  /** The manifest file name inside `_versions/`. */
  manifestFile: string;
}

/** Options of {@link Dataset.cleanupOldVersions}. */
export interface CleanupOptions {
  /** Remove only versions older than this (a Date, or an age in milliseconds). */
  olderThan?: Date | number;
  /** Always keep this many newest versions (at least 1). Default 1. */
  keep?: number;
}

/** What {@link Dataset.cleanupOldVersions} removed. */
export interface CleanupResult {
  removedVersions: number[];
  removedDataFiles: string[];
}

const DEFAULT_MAX_ROWS_PER_FILE = 1 << 20;
const DEFAULT_BATCH_SIZE = 65_536;

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

function mkdirp(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fsError(e, 'create directory', dir);
  }
}

/** Writes batches into data files of at most `maxRows` rows each; returns their fragments (ids unset). */
function writeDataFiles(dir: string, schema: Schema, batches: readonly RecordBatch[], maxRows: number): FragmentInfo[] {
  const dataDir = nodePath.join(dir, 'data');
  const fragments: FragmentInfo[] = [];
  let sink: FileSink | null = null;
  let writer: LanceFileWriter | null = null;
  let name = '';
  let rows = 0;
  const finishFile = (): void => {
    const summary = writer!.finish();
    sink!.close({ sync: true });
    fragments.push({
      id: -1,
      physicalRows: rows,
      hasDeletions: false,
      files: [{ path: name, fieldIds: [], columnIndices: [], fileMajorVersion: 2, fileMinorVersion: 0, fileSizeBytes: summary.byteLength }],
    });
    sink = null;
    writer = null;
  };
  try {
    for (const batch of batches) {
      let at = 0;
      while (at < batch.numRows) {
        if (writer === null) {
          name = `${randomUUID()}.lance`;
          sink = FileSink.create(nodePath.join(dataDir, name), { exclusive: true });
          writer = new LanceFileWriter(sink, schema);
          rows = 0;
        }
        const take = Math.min(batch.numRows - at, maxRows - rows);
        writer.write(take === batch.numRows ? batch : batch.slice(at, at + take));
        rows += take;
        at += take;
        if (rows === maxRows) finishFile();
      }
    }
    if (writer !== null) finishFile();
  } catch (e) {
    if (sink !== null) (sink as FileSink).abort();
    removeDataFiles(dir, fragments);
    throw e;
  }
  if (fragments.length > 0) syncDirectorySync(dataDir);
  return fragments;
}

function removeDataFiles(dir: string, fragments: readonly FragmentInfo[]): void {
  for (const f of fragments) {
    for (const file of f.files) {
      try {
        fs.unlinkSync(nodePath.join(dir, 'data', file.path));
      } catch {
        /* best effort */
      }
    }
  }
}

/**
 * A Lance dataset opened at one version. Reading methods come in a synchronous form (`…Sync`, over
 * positional `fs.readSync`) and an asynchronous one (over `FileHandle.read`, coalesced).
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
  private readonly fragments: readonly FragmentInfo[];
  /** Row number at which each fragment starts, plus the total at the end. */
  private readonly starts: Float64Array;
  private readonly cache: BlockCache | undefined;
  private readonly syncReaders = new Map<number, { source: FileSource; reader: LanceFileReader }>();
  private readonly asyncReaders = new Map<number, Promise<{ source: AsyncFileSource; reader: LanceFileReader }>>();

  private constructor(path: string, state: ManifestState, naming: ManifestNaming, cache: BlockCache | undefined) {
    this.path = path;
    this.version = state.version;
    this.schema = state.schema;
    this.manifestNaming = naming;
    this.fragments = state.fragments;
    this.cache = cache;
    const starts = new Float64Array(state.fragments.length + 1);
    for (let i = 0; i < state.fragments.length; i++) {
      const f = state.fragments[i]!;
      if (f.hasDeletions) {
        throw new NotSupportedError(`'${path}' version ${state.version}: fragment ${f.id} has deleted rows (deletion files are not supported yet)`);
      }
      if (f.files.length !== 1) {
        throw new NotSupportedError(`'${path}' version ${state.version}: fragment ${f.id} has ${f.files.length} data files (only one per fragment is supported)`);
      }
      starts[i + 1] = starts[i]! + f.physicalRows;
    }
    this.starts = starts;
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens a dataset at its latest version or at `options.version`.
   * @throws NotFoundError when the directory, the dataset or the version does not exist;
   *   CorruptDataError (with the path) when the manifest cannot be decoded; IoError when it cannot be read.
   */
  static openSync(dir: string, options: DatasetOpenOptions = {}): Dataset {
    if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('`dir` must be a non-empty path');
    checkNonNegInt('version', options.version);
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
    const state = readManifestFile(manifestPath);
    if (state.version !== file.version) {
      throw new CorruptDataError(`manifest '${manifestPath}': expected version ${file.version} (from its name), found ${state.version}`);
    }
    return new Dataset(dir, state, files[files.length - 1]!.naming, options.cache);
  }

  /** Asynchronous form of {@link Dataset.openSync}. */
  static async open(dir: string, options: DatasetOpenOptions = {}): Promise<Dataset> {
    return Dataset.openSync(dir, options);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes `data` as a new version of the dataset at `dir` (see {@link DatasetWriteOptions.mode}).
   * Data files are written and fsynced first, then the manifest is published atomically.
   * @param data - record batches, a Table, or plain row objects (types inferred, see {@link inferSchema}).
   * @returns the dataset opened at the version just committed.
   * @throws ConflictError when mode is `create` and the dataset exists, or another writer committed the
   *   same version first (the new data files are removed; nothing committed is touched);
   *   TypeMismatchError when appended data does not match the dataset's schema; IoError/NotFoundError
   *   for file-system failures.
   */
  static createSync(dir: string, data: DatasetInput, options: DatasetWriteOptions = {}): Dataset {
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
    const latest = latestVersionOrNull(dir);
    if (latest !== null && mode === 'create') {
      throw new ConflictError(`dataset '${dir}' already exists (version ${latest.version}); use mode 'append' or 'overwrite'`);
    }
    const prev = latest === null ? null : readManifestFile(nodePath.join(dir, '_versions', latest.fileName));
    const { schema, batches } = normalizeInput(data, mode === 'append' && prev !== null ? prev.schema : null, options.schema);
    const naming = latest?.naming ?? options.manifestNaming ?? 'v2';
    mkdirp(nodePath.join(dir, 'data'));
    mkdirp(nodePath.join(dir, '_versions'));
    const written = writeDataFiles(dir, schema, batches, maxRows);
    let retries = mode === 'append' ? options.conflictRetries ?? 0 : 0;
    let base = prev;
    let baseVersion = latest?.version ?? 0;
    for (;;) {
      try {
        const version = baseVersion + 1;
        const bytes = encodeNextManifest(base, {
          version,
          schema: mode === 'append' && base !== null ? base.schema : schema,
          keepFragments: mode === 'append' && base !== null ? base.fragments : [],
          newFragments: written,
        });
        publishFileSync(nodePath.join(dir, '_versions', manifestFileName(version, naming)), bytes);
        return Dataset.openSync(dir, { version });
      } catch (e) {
        if (!(e instanceof ConflictError) || retries <= 0) {
          removeDataFiles(dir, written);
          if (e instanceof ConflictError) {
            throw new ConflictError(`cannot commit version ${baseVersion + 1} of '${dir}': another writer committed it first; the new data was not added`, { cause: e });
          }
          throw e;
        }
        retries--;
        const now = latestVersionOrNull(dir)!;
        base = readManifestFile(nodePath.join(dir, '_versions', now.fileName));
        baseVersion = now.version;
        if (!sameColumns(base.schema, schema)) {
          removeDataFiles(dir, written);
          throw new ConflictError(`cannot append to '${dir}': a concurrent writer changed the schema to (${describeSchema(base.schema)})`);
        }
      }
    }
  }

  /** Asynchronous form of {@link Dataset.createSync} (the writing itself is synchronous). */
  static async create(dir: string, data: DatasetInput, options: DatasetWriteOptions = {}): Promise<Dataset> {
    return Dataset.createSync(dir, data, options);
  }

  /** Appends `data` as a new version; shorthand for `createSync(this.path, data, { mode: 'append' })`. */
  appendSync(data: DatasetInput, options: Omit<DatasetWriteOptions, 'mode'> = {}): Dataset {
    return Dataset.createSync(this.path, data, { ...options, mode: 'append' });
  }

  /** Asynchronous form of {@link Dataset.appendSync}. */
  async append(data: DatasetInput, options: Omit<DatasetWriteOptions, 'mode'> = {}): Promise<Dataset> {
    return this.appendSync(data, options);
  }

  // ---------------------------------------------------------------- metadata

  /** Rows in this version (from the manifest; no data file is read). */
  countRows(): number {
    return this.starts[this.starts.length - 1]!;
  }

  /** Number of fragments (data files) in this version. */
  get numFragments(): number {
    return this.fragments.length;
  }

  /** Every committed version on disk, oldest first (not only those up to this one). */
  versions(): VersionInfo[] {
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
    const files = listVersionFiles(this.path);
    return files[files.length - 1]!.version;
  }

  // ---------------------------------------------------------------- reading

  private resolveColumns(columns: readonly string[] | undefined): string[] {
    if (columns === undefined) return this.schema.fields.map((f) => f.name);
    if (!Array.isArray(columns)) throw new InvalidArgumentError('`columns` must be an array of column names');
    for (const c of columns) {
      if (this.schema.fieldIndex(c) < 0) {
        throw new InvalidArgumentError(`\`columns\` names "${c}", which is not a column of '${this.path}' (${describeSchema(this.schema)})`);
      }
    }
    return columns.slice();
  }

  private dataPath(fragment: FragmentInfo): string {
    return nodePath.join(this.path, 'data', fragment.files[0]!.path);
  }

  private checkSize(fragment: FragmentInfo, path: string, byteLength: number): void {
    const expected = fragment.files[0]!.fileSizeBytes;
    if (expected > 0 && expected !== byteLength) {
      throw new CorruptDataError(`data file '${path}': expected ${expected} bytes (from the manifest of version ${this.version}), found ${byteLength}`);
    }
  }

  private checkFile(fragment: FragmentInfo, path: string, reader: LanceFileReader): void {
    if (reader.numRows !== fragment.physicalRows) {
      throw new CorruptDataError(`data file '${path}': expected ${fragment.physicalRows} rows (from the manifest), found ${reader.numRows}`);
    }
    if (!sameColumns(reader.schema, this.schema)) {
      throw new CorruptDataError(
        `data file '${path}': expected columns (${describeSchema(this.schema)}) from the manifest, found (${describeSchema(reader.schema)})`,
      );
    }
  }

  private readerSync(i: number): LanceFileReader {
    const open = this.syncReaders.get(i);
    if (open !== undefined) return open.reader;
    const fragment = this.fragments[i]!;
    const path = this.dataPath(fragment);
    const source = FileSource.openSync(path, this.cache === undefined ? {} : { cache: this.cache });
    try {
      this.checkSize(fragment, path, source.byteLength);
      const reader = wrapCorrupt(path, () => LanceFileReader.openSync(source));
      this.checkFile(fragment, path, reader);
      this.syncReaders.set(i, { source, reader });
      return reader;
    } catch (e) {
      source.close();
      throw e;
    }
  }

  private readerAsync(i: number): Promise<LanceFileReader> {
    let open = this.asyncReaders.get(i);
    if (open === undefined) {
      const fragment = this.fragments[i]!;
      const path = this.dataPath(fragment);
      open = (async () => {
        const source = await AsyncFileSource.open(path, this.cache === undefined ? {} : { cache: this.cache });
        try {
          this.checkSize(fragment, path, source.byteLength);
          const reader = await wrapCorruptAsync(path, () => LanceFileReader.open(source));
          this.checkFile(fragment, path, reader);
          return { source, reader };
        } catch (e) {
          await source.close();
          throw e;
        }
      })();
      this.asyncReaders.set(i, open);
      open.catch(() => this.asyncReaders.delete(i));
    }
    return open.then((o) => o.reader);
  }

  private plan(options: ScanOptions): { columns: string[]; ranges: [number, number, number][] } {
    checkNonNegInt('offset', options.offset);
    checkNonNegInt('limit', options.limit);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize <= 0) {
      throw new InvalidArgumentError(`\`batchSize\` must be a positive integer, got ${batchSize}`);
    }
    const columns = this.resolveColumns(options.columns);
    let skip = options.offset ?? 0;
    let remaining = options.limit ?? Number.MAX_SAFE_INTEGER;
    const ranges: [number, number, number][] = [];
    for (let i = 0; i < this.fragments.length && remaining > 0; i++) {
      const n = this.fragments[i]!.physicalRows;
      if (skip >= n) {
        skip -= n;
        continue;
      }
      let pos = skip;
      skip = 0;
      while (pos < n && remaining > 0) {
        const len = Math.min(batchSize, n - pos, remaining);
        ranges.push([i, pos, len]);
        pos += len;
        remaining -= len;
      }
    }
    return { columns, ranges };
  }

  /**
   * Reads the rows in batches of at most `batchSize`, one fragment at a time: memory stays bounded
   * by the batch size however large the dataset is.
   * @throws InvalidArgumentError for an unknown column or bad numbers; CorruptDataError (with the
   *   path) when a data file disagrees with the manifest; NotFoundError when a data file is missing.
   */
  *scanSync(options: ScanOptions = {}): IterableIterator<RecordBatch> {
    const { columns, ranges } = this.plan(options);
    for (const [i, offset, limit] of ranges) {
      const reader = this.readerSync(i);
      yield wrapCorrupt(this.dataPath(this.fragments[i]!), () => reader.readSync({ columns, offset, limit }));
    }
  }

  /** Asynchronous form of {@link Dataset.scanSync}: an async iterator of record batches. */
  async *scan(options: ScanOptions = {}): AsyncIterableIterator<RecordBatch> {
    const { columns, ranges } = this.plan(options);
    for (const [i, offset, limit] of ranges) {
      const reader = await this.readerAsync(i);
      yield await wrapCorruptAsync(this.dataPath(this.fragments[i]!), () => this.readColumnsConcurrently(reader, columns, offset, limit));
    }
  }

  /**
   * One read per column, all in flight together, so that the source coalesces neighbouring pages and
   * the reads overlap instead of running one column after another.
   */
  private async readColumnsConcurrently(reader: LanceFileReader, columns: readonly string[], offset: number, limit: number): Promise<RecordBatch> {
    if (columns.length <= 1) return reader.read({ columns, offset, limit });
    const parts = await Promise.all(columns.map((c) => reader.read({ columns: [c], offset, limit })));
    return new RecordBatch(this.projectedSchema(columns), parts.map((p) => p.columnAt(0)));
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

  private takePlan(rowIndices: ArrayLike<number>): { order: Int32Array; fragOf: Int32Array } {
    const n = rowIndices.length;
    const total = this.countRows();
    const order = new Int32Array(n);
    const fragOf = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const r = rowIndices[k]!;
      if (!Number.isSafeInteger(r) || r < 0 || r >= total) {
        throw new OutOfRangeError(`\`rowIndices[${k}]\` = ${r} is outside the ${total} rows of '${this.path}' version ${this.version}`);
      }
      order[k] = k;
      // Binary search of the fragment holding row r.
      let lo = 0;
      let hi = this.fragments.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.starts[mid]! <= r) lo = mid;
        else hi = mid - 1;
      }
      fragOf[k] = lo;
    }
    order.sort((a, b) => rowIndices[a]! - rowIndices[b]!);
    return { order, fragOf };
  }

  /**
   * The rows at `rowIndices` (positions in this version, any order, repeats allowed), in that order,
   * as one batch (a copy). Reads each needed run of rows once.
   * @throws OutOfRangeError for an index outside the dataset; InvalidArgumentError for an unknown column.
   */
  takeSync(rowIndices: ArrayLike<number>, options: { columns?: readonly string[] } = {}): RecordBatch {
    const columns = this.resolveColumns(options.columns);
    const { order, fragOf } = this.takePlan(rowIndices);
    const runs = this.takeRuns(rowIndices, order, fragOf);
    const batches = runs.map((run) => wrapCorrupt(this.dataPath(this.fragments[run.fragment]!), () =>
      this.readerSync(run.fragment).readSync({ columns, offset: run.offset, limit: run.length })));
    return this.gather(columns, rowIndices, order, fragOf, runs, batches);
  }

  /** Asynchronous form of {@link Dataset.takeSync}; the runs are read concurrently. */
  async take(rowIndices: ArrayLike<number>, options: { columns?: readonly string[] } = {}): Promise<RecordBatch> {
    const columns = this.resolveColumns(options.columns);
    const { order, fragOf } = this.takePlan(rowIndices);
    const runs = this.takeRuns(rowIndices, order, fragOf);
    const batches = await Promise.all(
      runs.map(async (run) => {
        const reader = await this.readerAsync(run.fragment);
        return wrapCorruptAsync(this.dataPath(this.fragments[run.fragment]!), () => this.readColumnsConcurrently(reader, columns, run.offset, run.length));
      }),
    );
    return this.gather(columns, rowIndices, order, fragOf, runs, batches);
  }

  /** Groups sorted indices into runs of nearby rows within one fragment (gaps ≤ 1024 rows read through). */
  private takeRuns(rowIndices: ArrayLike<number>, order: Int32Array, fragOf: Int32Array): { fragment: number; offset: number; length: number }[] {
    const runs: { fragment: number; offset: number; length: number }[] = [];
    for (let j = 0; j < order.length; j++) {
      const k = order[j]!;
      const f = fragOf[k]!;
      const local = rowIndices[k]! - this.starts[f]!;
      const last = runs[runs.length - 1];
      if (last !== undefined && last.fragment === f && local < last.offset + last.length + 1024 && local - last.offset < DEFAULT_BATCH_SIZE) {
        last.length = Math.max(last.length, local - last.offset + 1);
      } else {
        runs.push({ fragment: f, offset: local, length: 1 });
      }
    }
    return runs;
  }

  private gather(
    columns: readonly string[],
    rowIndices: ArrayLike<number>,
    order: Int32Array,
    fragOf: Int32Array,
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
      const local = rowIndices[k]! - this.starts[f]!;
      while (!(runs[run]!.fragment === f && local >= runs[run]!.offset && local < runs[run]!.offset + runs[run]!.length)) run++;
      batchOf[k] = run;
      rowOf[k] = local - runs[run]!.offset;
    }
    const schema = this.projectedSchema(columns);
    const out: Vector[] = [];
    for (let c = 0; c < columns.length; c++) {
      const field = schema.fields[c]!;
      const builder = makeBuilder(field.type, { nullable: true, initialCapacity: n }) as { append(v: unknown): unknown; finish(): Vector };
      const vectors = batches.map((b) => b.columnAt(c));
      for (let k = 0; k < n; k++) builder.append(vectors[batchOf[k]!]!.get(rowOf[k]!));
      out.push(builder.finish());
    }
    return new RecordBatch(schema, out);
  }

  // ---------------------------------------------------------------- housekeeping

  /**
   * Deletes old versions' manifests, then the data files that only they referenced. The latest
   * version is never removed, nor the `keep` newest, nor (with `olderThan`) any version newer than
   * that. Data files of writers still in progress are never touched (only files referenced by a
   * removed manifest are deleted). Readers that have an old version open may fail afterwards.
   * @returns the versions and data files removed.
   */
  cleanupOldVersions(options: CleanupOptions = {}): CleanupResult {
    const keep = options.keep ?? 1;
    if (!Number.isSafeInteger(keep) || keep < 1) throw new InvalidArgumentError(`\`keep\` must be an integer ≥ 1, got ${keep}`);
    let cutoff = Number.POSITIVE_INFINITY;
    if (options.olderThan !== undefined) {
      cutoff = options.olderThan instanceof Date ? options.olderThan.getTime() : Date.now() - options.olderThan;
      if (!Number.isFinite(cutoff)) throw new InvalidArgumentError('`olderThan` must be a Date or an age in milliseconds');
    }
    const versions = this.versions();
    const removable = versions.slice(0, Math.max(0, versions.length - keep)).filter((v) => v.timestamp.getTime() < cutoff);
    const removableSet = new Set(removable.map((v) => v.version));
    const kept = versions.filter((v) => !removableSet.has(v.version));
    const keptFiles = new Set<string>();
    for (const v of kept) {
      for (const f of readManifestFile(nodePath.join(this.path, '_versions', v.manifestFile)).fragments) {
        for (const file of f.files) keptFiles.add(file.path);
      }
    }
    const candidates = new Set<string>();
    for (const v of removable) {
      for (const f of readManifestFile(nodePath.join(this.path, '_versions', v.manifestFile)).fragments) {
        for (const file of f.files) if (!keptFiles.has(file.path)) candidates.add(file.path);
      }
    }
    const removedVersions: number[] = [];
    for (const v of removable) {
      const p = nodePath.join(this.path, '_versions', v.manifestFile);
      try {
        fs.unlinkSync(p);
        removedVersions.push(v.version);
      } catch (e) {
        throw fsError(e, 'delete', p);
      }
    }
    syncDirectorySync(nodePath.join(this.path, '_versions'));
    const removedDataFiles: string[] = [];
    for (const name of candidates) {
      const p = nodePath.join(this.path, 'data', name);
      try {
        fs.unlinkSync(p);
        removedDataFiles.push(name);
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

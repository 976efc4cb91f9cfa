/**
 * Reading a version's fragments: which data file holds each dataset column (by field id or by
 * position), opening a data file (checked against the manifest: size, row count, columns) and
 * reading a range of a fragment's physical rows. Each is written once, as a task (see @vego/format's
 * effects.ts): blocking over `FileSource`, or asynchronously over `AsyncFileSource` / `ObjectSource`,
 * which coalesce and overlap the reads. Open data files are kept per object, one set per form.
 */
import {
  CorruptDataError,
  InvalidArgumentError,
  LanceFileReader,
  NotSupportedError,
  RecordBatch,
  allEffects,
  makeNullData,
  makeVector,
  perform,
  runTaskAsync,
  runTaskSync,
  type DataType,
  type Effect,
  type FieldColumns,
  type Schema,
  type Task,
  type Vector,
} from '@vego/format';
import { AsyncFileSource } from '../async-file-source';
import type { BlockCache } from '../block-cache';
import { FileSource } from '../file-source';
import { checkRealInside, checkRelativePath, joinInside } from '../internal/dataset-paths';
import { describeSchema } from '../internal/data-input';
import { mapFragmentColumns, nodeIdsOf } from '../internal/field-map';
import type { ManifestState } from '../internal/lance-adapter';
import type { FragmentInfo } from '../internal/manifest-model';
import { keyOf, needsAsync } from '../internal/remote-dataset';
import { ObjectSource } from '../store/object-source';
import type { ObjectStore } from '../store/object-store';

/** An open data file: its source and reader (blocking or asynchronous, as the task that opened it ran). */
interface OpenFile<S> {
  source: S;
  reader: LanceFileReader;
}

type AsyncSource = AsyncFileSource | ObjectSource;

/** The data files of one dataset version, and the reads of its fragments' rows. */
export class FragmentReads {
  private readonly path: string;
  private readonly version: number;
  private readonly schema: Schema;
  private readonly fragments: readonly FragmentInfo[];
  private readonly cache: BlockCache | undefined;
  private readonly store: ObjectStore | null;
  /**
   * For fragment i and dataset column c: `colFile[i][c]` is the index of the data file holding the
   * column (-1: none, the column reads as nulls) and `colNodes[i][c]` the file column of each of its
   * nodes (by field id, see `internal/field-map.ts`; null: by position in the file).
   */
  private readonly colFile: Int32Array[];
  private readonly colNodes: (number[] | null)[][];
  /** Open data files, keyed by {@link readerKey} (`fragment index * 65536 + file index`). */
  private readonly syncReaders = new Map<number, OpenFile<FileSource>>();
  private readonly asyncReaders = new Map<number, Promise<OpenFile<AsyncSource>>>();

  /**
   * @throws CorruptDataError for a fragment without data files, a data file path leaving the dataset
   *   folder, or a field map that does not fit the schema; NotSupportedError past 65,536 files.
   */
  constructor(path: string, state: ManifestState, cache: BlockCache | undefined, store: ObjectStore | null) {
    this.path = path;
    this.version = state.version;
    this.schema = state.schema;
    this.fragments = state.fragments;
    this.cache = cache;
    this.store = store;
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

  /** Path of data file `j` of fragment `i` (checked by ../internal/dataset-paths, as every manifest path). */
  dataPath(i: number, j: number): string {
    const f = this.fragments[i]!;
    return joinInside(this.path, 'data', f.files[j]!.path, `manifest of '${this.path}' version ${this.version}: fragment ${f.id}, data file`);
  }

  /** {@link dataPath}, after checking that the file does not resolve (a symlink) outside the dataset folder. */
  checkedDataPath(i: number, j: number): string {
    const p = this.dataPath(i, j);
    checkRealInside(this.path, p, `data file of fragment ${this.fragments[i]!.id} of '${this.path}' version ${this.version}`);
    return p;
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

  // ---------------------------------------------------------------- opening data files

  /**
   * Opens data file `j` of fragment `i` and checks it against the manifest (size, row count,
   * columns); the source is closed again when a check fails. One body for both forms: blocking, the
   * file is a `FileSource`; asynchronously an `AsyncFileSource`, or an `ObjectSource` on a store.
   */
  private *openDataFile(i: number, j: number): Task<OpenFile<FileSource | AsyncSource>> {
    const path = this.checkedDataPath(i, j);
    const source = yield* perform(this.openSourceEffect(i, j, path));
    try {
      this.checkSize(i, j, path, source.byteLength);
      const reader = yield* perform(openReaderEffect(path, source));
      this.checkFile(i, j, path, reader);
      return { source, reader };
    } catch (e) {
      yield* perform(closeSourceEffect(source));
      throw e;
    }
  }

  /**
   * The source of data file `j` of fragment `i` at `path`: blocking, a file (not on an object store:
   * those are read asynchronously); asynchronously, a file or an object of the store (its size taken
   * from the manifest when recorded, which saves a HEAD request).
   */
  private openSourceEffect(i: number, j: number, path: string): Effect<FileSource | AsyncSource> {
    const cache = this.cache === undefined ? {} : { cache: this.cache };
    return {
      sync: () => {
        if (this.store !== null) throw needsAsync('a synchronous read', this.path);
        return FileSource.openSync(path, cache);
      },
      async: () => {
        if (this.store === null) return AsyncFileSource.open(path, cache);
        const size = this.fragments[i]!.files[j]!.fileSizeBytes;
        return ObjectSource.open(this.store, keyOf(this.store, path), size > 0 ? { ...cache, byteLength: size } : cache);
      },
    };
  }

  /** The reader of data file `j` of fragment `i` for blocking reads (opened once). */
  private readerSync(i: number, j: number): LanceFileReader {
    const key = readerKey(i, j);
    const open = this.syncReaders.get(key);
    if (open !== undefined) return open.reader;
    if (this.store !== null) throw needsAsync('a synchronous read', this.path);
    const opened = runTaskSync(this.openDataFile(i, j)) as OpenFile<FileSource>;
    this.syncReaders.set(key, opened);
    return opened.reader;
  }

  /** The reader of data file `j` of fragment `i` for asynchronous reads (opened once; concurrent callers share the open). */
  private readerAsync(i: number, j: number): Promise<LanceFileReader> {
    const key = readerKey(i, j);
    let open = this.asyncReaders.get(key);
    if (open === undefined) {
      open = runTaskAsync(this.openDataFile(i, j)) as Promise<OpenFile<AsyncSource>>;
      this.asyncReaders.set(key, open);
      open.catch(() => this.asyncReaders.delete(key));
    }
    return open.then((o) => o.reader);
  }

  /** Opens (once) every data file of fragment `i`: checks its size, row count and columns against the manifest. */
  openFragmentSync(i: number): void {
    for (let j = 0; j < this.fragments[i]!.files.length; j++) this.readerSync(i, j);
  }

  /** Asynchronous form of {@link openFragmentSync} (the files opened together). */
  async openFragmentAsync(i: number): Promise<void> {
    await Promise.all(this.fragments[i]!.files.map((_, j) => this.readerAsync(i, j)));
  }

  /** {@link openFragmentSync} / {@link openFragmentAsync} as one effect. */
  openFragmentEffect(i: number): Effect<void> {
    return { sync: () => this.openFragmentSync(i), async: () => this.openFragmentAsync(i) };
  }

  // ---------------------------------------------------------------- reading rows

  /**
   * Physical rows `[offset, offset + limit)` of fragment `i` (deleted ones included), each column
   * from its data file, under the projected schema `schema` of `columns`. Every data file of the
   * fragment is opened first (once), which checks its row count against the manifest's claim before
   * any row is read, even when no projected column lives in it. Then one read per data file with
   * the columns it holds: blocking, one file after another; asynchronously, one read per column, all
   * in flight together, so that the source coalesces neighbouring pages and the reads overlap.
   */
  *readRange(i: number, columns: readonly string[], schema: Schema, offset: number, limit: number): Task<RecordBatch> {
    yield* perform(this.openFragmentEffect(i));
    if (columns.length === 0) return new RecordBatch(schema, []);
    const out: Vector[] = new Array<Vector>(columns.length);
    const files = this.colFile[i]!;
    const groups = new Map<number, { cols: number[]; at: number[] }>();
    for (let k = 0; k < columns.length; k++) {
      const c = this.schema.fieldIndex(columns[k]!);
      const j = files[c]!;
      if (j < 0) {
        out[k] = nullVector(schema.fields[k]!.type, limit);
        continue;
      }
      let g = groups.get(j);
      if (g === undefined) groups.set(j, (g = { cols: [], at: [] }));
      g.cols.push(c);
      g.at.push(k);
    }
    const reads: Effect<Vector[]>[] = [];
    for (const [j, g] of groups) reads.push(this.readColumnsEffect(i, j, g.cols, offset, limit));
    const parts = yield* perform(allEffects(reads));
    let p = 0;
    for (const g of groups.values()) {
      const vectors = parts[p++]!;
      for (let m = 0; m < g.at.length; m++) out[g.at[m]!] = vectors[m]!;
    }
    return this.fragmentBatch(i, schema, out);
  }

  /** Dataset columns `cols` of physical rows `[offset, offset + limit)` from data file `j` of fragment `i`. */
  private readColumnsEffect(i: number, j: number, cols: readonly number[], offset: number, limit: number): Effect<Vector[]> {
    // The path is only needed for an error message: built then, not on every read.
    const path = (): string => this.dataPath(i, j);
    return {
      sync: () => {
        const reader = this.readerSync(i, j);
        const fields = cols.map((c) => this.fileField(i, c, reader));
        return wrapCorrupt(path, () => reader.readSync({ fields, offset, limit })).columns.slice();
      },
      async: async () => {
        const reader = await this.readerAsync(i, j);
        return Promise.all(
          cols.map(async (c) => (await wrapCorruptAsync(path, () => reader.read({ fields: [this.fileField(i, c, reader)], offset, limit }))).columnAt(0)),
        );
      },
    };
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

  /** {@link readRange} as one effect, run by the driver performing it (blocking or asynchronously). */
  readRangeEffect(i: number, columns: readonly string[], schema: Schema, offset: number, limit: number): Effect<RecordBatch> {
    return {
      sync: () => runTaskSync(this.readRange(i, columns, schema, offset, limit)),
      async: () => runTaskAsync(this.readRange(i, columns, schema, offset, limit)),
    };
  }

  // ---------------------------------------------------------------- closing

  /** Closes the data files of fragment `i` opened by blocking reads. */
  closeFragmentSync(i: number): void {
    for (let j = 0; j < this.fragments[i]!.files.length; j++) {
      const key = readerKey(i, j);
      this.syncReaders.get(key)?.source.close();
      this.syncReaders.delete(key);
    }
  }

  /** Closes the data files of fragment `i` opened by either kind of read. */
  async closeFragment(i: number): Promise<void> {
    this.closeFragmentSync(i);
    for (let j = 0; j < this.fragments[i]!.files.length; j++) {
      const key = readerKey(i, j);
      const open = this.asyncReaders.get(key);
      this.asyncReaders.delete(key);
      if (open !== undefined) await open.then((o) => o.source.close(), () => undefined);
    }
  }

  /** Closes every data file opened (both forms). */
  async close(): Promise<void> {
    this.closeSync();
    const opens = [...this.asyncReaders.values()];
    this.asyncReaders.clear();
    for (const o of await Promise.allSettled(opens)) if (o.status === 'fulfilled') await o.value.source.close();
  }

  /** Closes the files opened by blocking reads. */
  closeSync(): void {
    for (const { source } of this.syncReaders.values()) source.close();
    this.syncReaders.clear();
  }
}

/** Opening a Lance file over a source, with the data file's path added to decoding errors. */
function openReaderEffect(path: string, source: FileSource | AsyncSource): Effect<LanceFileReader> {
  return {
    sync: () => wrapCorrupt(path, () => LanceFileReader.openSync(source as FileSource)),
    async: () => wrapCorruptAsync(path, () => LanceFileReader.open(source as AsyncSource)),
  };
}

/** Closing a source (used when an opened file fails its checks). */
function closeSourceEffect(source: FileSource | AsyncSource): Effect<void> {
  return { sync: () => (source as FileSource).close(), async: () => (source as AsyncSource).close() };
}

/** Key of data file `j` of fragment `i` in the maps of open files. */
function readerKey(i: number, j: number): number {
  return i * 65536 + j;
}

/** A column of `length` nulls. */
function nullVector(type: DataType, length: number): Vector {
  return makeVector(makeNullData(type, length)) as Vector;
}

/** Adds the data file path (a string, or made on demand) to decoding errors that lack it. */
function wrapCorrupt<T>(path: string | (() => string), f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw withPath(e, path);
  }
}

async function wrapCorruptAsync<T>(path: string | (() => string), f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw withPath(e, path);
  }
}

function withPath(e: unknown, pathOrMake: string | (() => string)): unknown {
  if (!(e instanceof CorruptDataError)) return e;
  const path = typeof pathOrMake === 'string' ? pathOrMake : pathOrMake();
  if (!e.message.includes(path)) {
    return new CorruptDataError(`data file '${path}': ${e.message}`, { cause: e });
  }
  return e;
}

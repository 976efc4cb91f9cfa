/**
 * The float vectors of a codes-only SQ8 index (`HNSW.loadFromLance(dir, { vectors: 'disk' })`):
 * read on demand from the index's saved `nodes.lance` (the version the index was loaded or last
 * saved at), except the vectors added or updated since, which are kept in memory here until a
 * save to the same folder writes them.
 *
 * The graph walk never needs them (it compares SQ8 codes); they serve re-ranking (the candidates'
 * rows read one by one), `get`, `searchExact` (a scan of the column) and saves (the whole column,
 * materialised for the save's duration).
 *
 * When `nodes.lance` is one data file without deletions whose vector pages are plain items (what
 * the index's saves write), a row is read by one positioned read of its bytes straight into a
 * reused buffer ({@link DirectRows}); otherwise through a take of the row. The take allocates a
 * batch per row, and glibc kept the freed memory of a few thousand of them (its heap grew by
 * ~8 MB over 20 searches at 100K × 128 when the process had freed a large buffer before).
 */
import { Dataset, Field, FileSource, FixedSizeList, type FixedSizeListVector, Float32, type Int32Vector, LanceFileReader, type RecordBatch } from '@vego/io';

/** Rows per batch when the vector column is scanned (8 MiB of 128-d vectors per batch: the writer's page size). */
const SCAN_BATCH_BYTES = 8 * 1024 * 1024;

/** Positioned reads of the rows of a `nodes.lance` version's vector column (see the top of this file). */
export class DirectRows {
  private readonly source: FileSource;
  private readonly reader: LanceFileReader;

  private constructor(source: FileSource, reader: LanceFileReader) {
    this.source = source;
    this.reader = reader;
  }

  /**
   * Opens the data file of `dataset` for positioned reads of its `vector` column (`dimension`
   * float32 items per row, no nulls), or returns null when they are not possible: more than one
   * fragment or data file, deleted rows, another type, or pages that are not plain items.
   */
  static open(dataset: Dataset, dimension: number): DirectRows | null {
    const fragments = dataset.fragmentFiles();
    if (fragments.length !== 1) return null;
    const fragment = fragments[0]!;
    if (fragment.hasDeletions || fragment.paths.length !== 1) return null;
    const source = FileSource.openSync(fragment.paths[0]!);
    try {
      const reader = LanceFileReader.openSync(source);
      const field = reader.schema.field('vector');
      const vectorType = new FixedSizeList(new Field('item', new Float32(), true), dimension);
      // Zero rows read: true only when the column's pages are plain (the plan is kept for later reads).
      if (reader.numRows !== fragment.physicalRows || field === null || !field.type.equals(vectorType) || !reader.readFixedSizeListRowsIntoSync('vector', 0, 0, new Float32Array(0))) {
        source.close();
        return null;
      }
      return new DirectRows(source, reader);
    } catch (e) {
      source.close();
      throw e;
    }
  }

  /** Reads rows `[first, first + count)` into `target` from element `offset` on. */
  readInto(first: number, count: number, target: Float32Array, offset: number): void {
    this.reader.readFixedSizeListRowsIntoSync('vector', first, count, target, offset);
  }

  /** Closes the data file. */
  close(): void {
    this.source.close();
  }
}

/** Where each id's vector is: on disk (a live row of `dataset`) or in {@link DiskVectors.pending}. */
export class DiskVectors {
  /** Absolute index folder the rows are read from (a save to it lets the index switch to the new version). */
  readonly root: string;
  /** Path of `nodes.lance` under {@link root}. */
  readonly nodesPath: string;
  readonly dimension: number;
  /** `nodes.lance` at the version holding the rows (kept open). */
  dataset: Dataset;
  /** Live row position of each id's row in {@link dataset} (ids below {@link diskIds}); null when row = id. */
  rowOf: Int32Array | null;
  /** Ids `0 … diskIds − 1` have a row in {@link dataset}. */
  diskIds: number;
  /** Vectors added or updated since the rows were written (as stored: unit length under cosine). */
  pending: Map<number, Float32Array>;
  /** The row position of one take. */
  private readonly oneRow: Int32Array;
  /** Positioned reads of {@link dataset}'s rows, when possible (else takes). */
  private direct: DirectRows | null;
  /** The vector of one row read by {@link direct}. */
  private readonly scratch: Float32Array;

  constructor(root: string, nodesPath: string, dimension: number, dataset: Dataset, rowOf: Int32Array | null, diskIds: number, direct: DirectRows | null) {
    this.root = root;
    this.nodesPath = nodesPath;
    this.dimension = dimension;
    this.dataset = dataset;
    this.rowOf = rowOf;
    this.diskIds = diskIds;
    this.pending = new Map();
    this.oneRow = new Int32Array(1);
    this.direct = direct;
    this.scratch = new Float32Array(dimension);
  }

  /** Bytes held in memory: the row map and the pending vectors. */
  get byteLength(): number {
    return (this.rowOf === null ? 0 : this.rowOf.byteLength) + this.pending.size * 4 * this.dimension;
  }

  /** Keeps (a copy of) the vector of `id`, written at `src[from …]`, until the next save. */
  keep(id: number, src: Float32Array, from: number): void {
    this.pending.set(id, src.slice(from, from + this.dimension));
  }

  /** Live row position of `id`'s row. */
  private rowFor(id: number): number {
    return this.rowOf === null ? id : this.rowOf[id]!;
  }

  /**
   * Reads the vectors of `ids[0 … n)` (pending ones from memory, the others one positioned read
   * or one take of one row each); `visit(i, values, offset)` gets each, in the order of `ids`, and
   * must not keep `values` (a reused buffer). One take per row, not one
   * for all: a take reads through gaps of up to 1,024 rows between the rows asked, which for
   * candidates spread over a 100K × 128 column read ~24 MB per search (and left as much in the
   * process) where 64 single rows read 32 KB.
   */
  read(ids: Int32Array, n: number, visit: (i: number, values: Float32Array, offset: number) => void): void {
    const pending = this.pending;
    const one = this.oneRow;
    const direct = this.direct;
    const scratch = this.scratch;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const own = pending.size === 0 ? undefined : pending.get(id);
      if (own !== undefined) {
        visit(i, own, 0);
        continue;
      }
      if (direct !== null) {
        direct.readInto(this.rowFor(id), 1, scratch, 0);
        visit(i, scratch, 0);
        continue;
      }
      one[0] = this.rowFor(id);
      const vv = this.dataset.takeSync(one, { columns: ['vector'] }).columnAt(0) as FixedSizeListVector;
      visit(i, vv.values as Float32Array, vv.valueOffset(0));
    }
  }

  /**
   * Visits the current vector of every id below `count` once, `visit(id, values, offset)`: the
   * column scanned in row order (rows superseded by a pending vector or a later row skipped),
   * then the pending vectors.
   */
  forEach(count: number, visit: (id: number, values: Float32Array, offset: number) => void): void {
    const dim = this.dimension;
    const pending = this.pending;
    const rowOf = this.rowOf;
    const batchSize = Math.max(1, Math.floor(SCAN_BATCH_BYTES / (4 * dim)));
    let row = 0;
    for (const batch of this.dataset.scanSync({ columns: ['id', 'vector'], batchSize }) as Iterable<RecordBatch>) {
      const idv = batch.columnAt(0) as Int32Vector;
      const vv = batch.columnAt(1) as FixedSizeListVector;
      const ids = idv.values;
      const io = idv.offset;
      const values = vv.values as Float32Array;
      const rows = batch.numRows;
      const base = rows === 0 ? 0 : vv.valueOffset(0);
      for (let r = 0; r < rows; r++, row++) {
        const id = ids[io + r]!;
        if (id >= count || id >= this.diskIds || pending.has(id)) continue;
        if (rowOf !== null && rowOf[id] !== row) continue;
        visit(id, values, base + r * dim);
      }
    }
    for (const [id, v] of pending) if (id < count) visit(id, v, 0);
  }

  /** Every vector below `count`, row after row (`count · dimension` floats): for a save. */
  dense(count: number): Float32Array {
    const dim = this.dimension;
    const out = new Float32Array(count * dim);
    this.forEach(count, (id, values, offset) => out.set(values.subarray(offset, offset + dim), id * dim));
    return out;
  }

  /**
   * After a save of the first `count` ids to {@link root}: reads from now on from `nodes.lance`
   * at `version` (rows at `positions`) and drops the pending vectors it holds.
   */
  switchTo(version: number, positions: Int32Array, count: number): void {
    const old = this.dataset;
    const dataset = Dataset.openSync(this.nodesPath, { version });
    let direct: DirectRows | null;
    try {
      direct = DirectRows.open(dataset, this.dimension);
    } catch (e) {
      dataset.closeSync();
      throw e;
    }
    this.direct?.close();
    this.direct = direct;
    this.dataset = dataset;
    let identity = positions.length >= count;
    for (let i = 0; i < count && identity; i++) if (positions[i] !== i) identity = false;
    this.rowOf = identity ? null : positions.slice(0, count);
    this.diskIds = count;
    for (const id of [...this.pending.keys()]) if (id < count) this.pending.delete(id);
    old.closeSync();
  }

  /** Closes `nodes.lance` and its data file. */
  close(): void {
    this.direct?.close();
    this.direct = null;
    this.dataset.closeSync();
  }
}

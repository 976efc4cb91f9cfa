/**
 * Live rows of a dataset version: the rows its fragments store minus those their deletion files
 * delete. Deletion files are loaded once (synchronously from a folder, or all at once from an object
 * store); live row positions map to fragments and physical offsets through them, and batches read
 * from a fragment lose their deleted rows here.
 */
import {
  CorruptDataError,
  NotSupportedError,
  ZstdNotInitializedError,
  initZstd,
  isZstdReady,
  takeBatch,
  type RecordBatch,
} from '@vego/format';
import { deletedBefore, liveToPhysical, readDeletionFileSync } from '../internal/deletions';
import type { FragmentInfo } from '../internal/manifest-model';
import { needsAsync, readRemoteDeletionFile } from '../internal/remote-dataset';
import type { ObjectStore } from '../store/object-store';

/** The deletion sets and live row counts of one dataset version's fragments. */
export class LiveRows {
  private readonly path: string;
  private readonly version: number;
  private readonly fragments: readonly FragmentInfo[];
  private readonly store: ObjectStore | null;
  /** Deleted row offsets of each fragment (ascending): undefined until loaded, null when none. */
  private readonly deleted: (Uint32Array | null | undefined)[];
  /** Live row number at which each fragment starts, plus the total at the end (lazily computed). */
  private startsCache: Float64Array | null = null;

  constructor(path: string, version: number, fragments: readonly FragmentInfo[], store: ObjectStore | null) {
    this.path = path;
    this.version = version;
    this.fragments = fragments;
    this.store = store;
    this.deleted = fragments.map((f) => (f.deletionFile === undefined ? null : undefined));
  }

  /** Takes over the deletion sets `other` (of the same version) has loaded so far. */
  adoptLoaded(other: LiveRows): void {
    for (let f = 0; f < this.fragments.length; f++) this.deleted[f] = other.deleted[f];
  }

  /** LanceDB's `.arrow` deletion files are ZSTD-compressed: load the codec before reads that need it. */
  async prepare(): Promise<void> {
    if (this.store !== null) await this.loadRemote();
    if (!isZstdReady() && this.fragments.some((f) => f.deletionFile?.fileType === 'arrow_array')) await initZstd();
  }

  /**
   * On an object store, every deletion file not loaded yet is fetched (in parallel, the store
   * bounding the requests), since {@link deletedRows} reads them synchronously.
   */
  private async loadRemote(): Promise<void> {
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
  deletedRows(i: number): Uint32Array | null {
    const known = this.deleted[i];
    if (known !== undefined) return known;
    const f = this.fragments[i]!;
    if (this.store !== null) throw needsAsync('a synchronous read', this.path); // prepare() loads them all
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

  /** {@link deletedRows} of fragment `i`, without touching anything when it has no deletion file. */
  deletionsOf(i: number): Uint32Array | null {
    return this.fragments[i]!.deletionFile === undefined ? null : this.deletedRows(i);
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

  /** Live row number at which each fragment starts, plus the total at the end (computed once). */
  starts(): Float64Array {
    if (this.startsCache === null) {
      const n = this.fragments.length;
      const starts = new Float64Array(n + 1);
      for (let i = 0; i < n; i++) starts[i + 1] = starts[i]! + this.liveRows(i);
      this.startsCache = starts;
    }
    return this.startsCache;
  }

  /** Physical offset of live row `live` of fragment `i`. */
  physicalOf(i: number, live: number): number {
    const del = this.deletionsOf(i);
    return del === null ? live : liveToPhysical(del, live);
  }

  /** `batch` (physical rows from `offset` of fragment `i`) without the deleted rows. */
  dropDeleted(i: number, batch: RecordBatch, offset: number): RecordBatch {
    const del = this.deletionsOf(i);
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
}

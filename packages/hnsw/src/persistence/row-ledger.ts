/**
 * The bookkeeping both loaders share while they scan a dataset's rows (`load-nodes.ts`: one entry
 * per node id; `load-links.ts`: one per link list): which entries have a row, the live position of
 * each entry's (last) row, its stored checksum, and whether some entry had several rows (a save of
 * an earlier build, whose next save rewrites the dataset). Also the per-batch checks both do first:
 * no nulls in any column, and the checksum column's words.
 */
import type { RecordBatch } from '@vego/io';
import { checksumWords, noNulls } from './open';

/** Rows seen per entry, while a dataset is scanned in row order (later rows of an entry win). */
export class RowLedger {
  /** Two checksum words per entry, as stored. */
  readonly sums: Uint32Array;
  /** Live row position of each entry's (last) row. */
  readonly positions: Int32Array;
  private readonly seen: Uint8Array;
  private repeated: boolean;

  constructor(entries: number) {
    this.sums = new Uint32Array(2 * entries);
    this.positions = new Int32Array(entries);
    this.seen = new Uint8Array(entries);
    this.repeated = false;
  }

  /** True when `entry` already had a row. */
  has(entry: number): boolean {
    return this.seen[entry] !== 0;
  }

  /** Row `row` holds `entry`; its checksum is `words[2·w]`, `words[2·w + 1]`. */
  note(entry: number, row: number, words: Uint32Array, w: number): void {
    if (this.seen[entry] !== 0) this.repeated = true;
    this.seen[entry] = 1;
    this.positions[entry] = row;
    this.sums[2 * entry] = words[2 * w]!;
    this.sums[2 * entry + 1] = words[2 * w + 1]!;
  }

  /** Rows `row … row + count − 1` hold entries `entry … entry + count − 1`, none seen before (whole-array copies). */
  noteRun(entry: number, row: number, count: number, words: Uint32Array, w: number): void {
    this.seen.fill(1, entry, entry + count);
    const positions = this.positions;
    for (let k = 0; k < count; k++) positions[entry + k] = row + k;
    this.sums.set(words.subarray(2 * w, 2 * (w + count)), 2 * entry);
  }

  /** Entries that had a row. */
  countSeen(): number {
    const seen = this.seen;
    let count = 0;
    for (let i = 0; i < seen.length; i++) count += seen[i]!;
    return count;
  }

  /** The seen flags (0/1 per entry). View. */
  get seenFlags(): Uint8Array {
    return this.seen;
  }

  /** `positions` when every entry had one row, else null (the next save rewrites the dataset). */
  livePositions(): Int32Array | null {
    return this.repeated ? null : this.positions;
  }
}

/**
 * Checks that no column of `batch` named in `columns` (in batch order) holds a null, and returns the
 * checksum column's words (the last column).
 * @throws CorruptDataError naming the dataset and column
 */
export function checkedBatch(root: string, dataset: string, batch: RecordBatch, columns: readonly string[]): { words: Uint32Array; offset: number } {
  for (let c = 0; c < columns.length; c++) noNulls(root, dataset, columns[c]!, batch.columnAt(c).nullCount);
  return checksumWords(batch.columnAt(columns.length - 1));
}

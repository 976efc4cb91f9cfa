/**
 * What an index remembers of its last save or load, so that the next save to the same directory
 * writes only what changed. The index holds it (`HNSW`'s own field) and passes it to the next
 * save explicitly; a save or load returns the new one. Nothing here is global.
 */
import type { Dataset } from '@vego/io';
import type { IndexChecksums } from './checksums';

/** What the index remembers of one dataset (`nodes` or `connections`) at its last save or load. */
export interface PartState {
  version: number;
  /** Live rows at `version` (one per id / link list, unless `positions` is null). */
  rows: number;
  /** Rows stored in the fragments of `version`, deleted ones included (for the compaction rule). */
  physicalRows: number;
  /**
   * Live row position of each entry's row (`positions.ts`), or null when an entry has several live
   * rows (a directory saved before incremental saves deleted what they supersede): the next save
   * then rewrites the dataset whole.
   */
  positions: Int32Array | null;
}

/** What the index remembers of its last save or load (opaque to callers of the index). */
export interface SavedState {
  /** Absolute index directory. */
  root: string;
  metadataVersion: number;
  metadataRows: number;
  /** Whether `metadata.lance` has the `checksum` column (saves before it had none: the next save rewrites it). */
  metadataChecksummed: boolean;
  nodes: PartState;
  connections: PartState;
  checksums: IndexChecksums;
}

/** What the index remembers of dataset version `ds` (loaded or just committed): `rows` live rows at `positions`. */
export function partState(ds: Dataset, rows: number, positions: Int32Array | null): PartState {
  let physicalRows = 0;
  for (const f of ds.fragmentFiles()) physicalRows += f.physicalRows;
  return { version: ds.version, rows, physicalRows, positions };
}

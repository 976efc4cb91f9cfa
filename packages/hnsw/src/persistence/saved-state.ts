/**
 * What an index remembers of its last save or load, so that the next save to the same directory
 * writes only what changed. The index holds it (`HNSW`'s own field) and passes it to the next
 * save explicitly; a save or load returns the new one. Nothing here is global, and nothing in it
 * is changed once made: a save builds the next state (copying arrays where it changes them), so a
 * save that fails, or two saves that overlap, never leave a half-updated state behind.
 */
import type { Dataset } from '@vego/io';
import type { IndexChecksums } from './checksums';
import { type RowPlaces, livePositions, placesOf } from './positions';

/** What the index remembers of one dataset (`nodes` or `connections`) at its last save or load. */
export interface PartState {
  /**
   * The dataset at the version of that save or load, as read or committed (closed: a save reopens
   * it with files of its own, `Dataset#reopenIfLatest`, which also tells whether the folder still
   * holds that very version).
   */
  dataset: Dataset;
  /** Live rows at that version (one per id / link list, unless `places` is null). */
  rows: number;
  /** Rows stored in the fragments of that version, deleted ones included (for the compaction rule). */
  physicalRows: number;
  /**
   * Where each entry's row sits (`positions.ts`), or null when an entry has several live rows (a
   * directory saved before incremental saves deleted what they supersede) or the places are
   * unknown: the next save then rewrites the dataset whole.
   */
  places: RowPlaces | null;
}

/** What the index remembers of its last save or load (opaque to callers of the index). */
export interface SavedState {
  /** Absolute index directory. */
  root: string;
  /** `metadata.lance` at the version of the commit row, as read or committed (closed; see {@link PartState.dataset}). */
  metadata: Dataset;
  metadataRows: number;
  /** Whether `metadata.lance` has the `checksum` column (saves before it had none: the next save rewrites it). */
  metadataChecksummed: boolean;
  nodes: PartState;
  connections: PartState;
  checksums: IndexChecksums;
}

/** Physical rows of the fragments of `ds` (from its manifest). */
export function physicalRowsOf(ds: Dataset): number {
  let physicalRows = 0;
  for (const f of ds.fragments()) physicalRows += f.physicalRows;
  return physicalRows;
}

/**
 * What the index remembers of dataset version `ds` (loaded, or just written whole): `rows` live
 * rows, entry `e`'s at live position `positions[e]` (null: several rows for some entry).
 */
export function partState(ds: Dataset, rows: number, positions: Int32Array | null): PartState {
  return { dataset: ds, rows, physicalRows: physicalRowsOf(ds), places: positions === null ? null : placesOf(ds, positions) };
}

/**
 * The live position of each of the first `count` ids' rows of `nodes.lance` at `part.dataset`'s version (for
 * readers taking rows by position), or null when unknown. O(ids + physical rows).
 */
export function nodeLivePositions(part: PartState, count: number): Int32Array | null {
  return part.places === null ? null : livePositions(part.places, count);
}

/**
 * The storage of an empty index, sized for a restore, that a loader fills in place: the graph's
 * own arrays (views, not copies), so a restore writes every vector and link exactly once. Used by
 * `HNSW.fromSnapshot` and by the Lance loader (`persistence/load.ts`), which check what they write
 * before calling {@link RestoreTarget.finish}: nothing here checks anything again.
 *
 * With `n = numIds`: the vector of id `i` goes to `vectors[(i + 1) · stride …]` (slot 0 is the
 * query; `stride` is the dimension padded to a multiple of 8, the padding stays zero); the other
 * arrays have the snapshot layout (`snapshot.ts`) and at least `n` (`links0`: `n · (1 + 2M)`)
 * entries, zero-filled; `upperLinks` has at least `upperLength` ints.
 *
 * Generic in what `finish` returns (the index), so loaders need not know the index class: no
 * import of it here or in persistence, and no import cycle.
 */
import type { ResolvedHnswConfig } from '../config';
import type { WasmMemory } from './kernels';
import type { Sq8Codes } from './sq8';
import type { DiskVectors } from './sq8-disk';

/** Arrays to fill, then {@link RestoreTarget.finish} to make them an index of type `T`. */
export interface RestoreTarget<T> {
  /** View of the graph's vector memory. */
  readonly vectors: Float32Array;
  /**
   * The shared WebAssembly memory `vectors` lies in, when it does (null or absent otherwise): a
   * loader may then hash rows where they lie (`row-hash.ts`'s `hashRowsInMemory`), using slot 0 (the
   * query slot, unused until `finish`) as its scratch and zeroing it again.
   */
  readonly memory?: WasmMemory | null;
  /** Floats per stored vector (the dimension padded to a multiple of 8). */
  readonly stride: number;
  readonly links0: Int32Array;
  readonly levels: Uint8Array;
  readonly upperOffsets: Int32Array;
  readonly upperLinks: Int32Array;
  readonly deleted: Uint8Array;
  /** The SQ8 codes to fill (a codes-only target: `vectors` then holds no node), or null. */
  readonly codes: Sq8Codes | null;
  /**
   * Makes the filled arrays the index's state and returns the index. The caller has checked that
   * `entryPoint` is a node of level `maxLevel` (or −1 with no nodes) and `rngState` a uint32. A
   * codes-only target gets where its float vectors are (`disk`).
   */
  finish(entryPoint: number, maxLevel: number, rngState: number, disk?: DiskVectors | null): T;
}

/**
 * Makes an empty index sized for a restore: room for `numIds` nodes and `upperLength` ints of upper
 * links; with `codesOnly`, an SQ8 index that holds codes and no float vectors (else InvalidArgumentError).
 */
export type RestoreFactory<T> = (config: ResolvedHnswConfig, numIds: number, upperLength: number, codesOnly?: boolean) => RestoreTarget<T>;

/**
 * Where each node's and each link list's current row sits in `nodes.lance` / `connections.lance`,
 * so that an incremental save can delete the rows it supersedes.
 *
 * A position is an index among the LIVE rows of a dataset version (deleted rows not counted), as
 * @vego/io's `Dataset#deleteRowsSync` and `takeSync` take them. An entry is a node id (nodes) or a
 * list index (connections, numbered as in `checksums.ts`).
 *
 * Worked example: 5 entries saved whole sit at positions [0, 1, 2, 3, 4]. A save that rewrites
 * entries 1 and 3 and adds entry 5 appends their rows at 5, 6, 7 (after the 5 live rows), then
 * deletes positions 1 and 3. The live rows close up: 0 → 0, 2 → 1, 4 → 2, and the appended ones
 * move down by the 2 deleted before them, so the positions become [0, 3, 1, 4, 2, 5].
 */

/** Positions of a whole save that wrote entry `i` as row `i` (fresh array). */
export function identityPositions(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}

/**
 * Positions of the link lists of a whole save of `connections`, which writes the lists of node 0
 * (layers 0 … level), then of node 1, and so on: node `i`'s layer `l` is row `i + starts[i] + l`.
 * List index of layer 0 is `i`, of layer `l ≥ 1` is `n + starts[i] + l − 1` (fresh array).
 */
export function wholeSaveListPositions(starts: Int32Array, levels: Uint8Array, n: number): Int32Array {
  const out = new Int32Array(n + starts[n]!);
  for (let i = 0; i < n; i++) {
    const row = i + starts[i]!;
    out[i] = row;
    const upper = n + starts[i]! - 1;
    const level = levels[i]!;
    for (let l = 1; l <= level; l++) out[upper + l] = row + l;
  }
  return out;
}

/**
 * Moves per-list values kept for an index of `oldN` ids (`width` values per list) to the list
 * numbering of `n ≥ oldN` ids: layer-0 lists keep their index, upper lists move up by `n − oldN`
 * (new layer-0 lists come before them). Lists that did not exist get `fill` (fresh array).
 */
export function reindexLists<T extends Int32Array | Uint32Array>(old: T, width: number, oldN: number, n: number, numLists: number, fill: number): T {
  const out = (old instanceof Int32Array ? new Int32Array(width * numLists) : new Uint32Array(width * numLists)) as T;
  if (fill !== 0) out.fill(fill);
  out.set(old.subarray(0, width * oldN), 0);
  out.set(old.subarray(width * oldN), width * n);
  return out;
}

/** The deletes and new positions of an incremental save of one dataset. */
export interface PositionUpdate {
  /** Live positions (ascending, before the append) of the rows the save supersedes: delete them. */
  superseded: Int32Array;
  /** Position of every entry's row once the append and the delete are committed (fresh array). */
  positions: Int32Array;
}

/**
 * Plans an incremental save of one dataset whose entries sit at `before` (−1 for an entry without
 * a row yet) among `liveRows` live rows: the rows of `changed` (ascending entries, every entry
 * without a row among them) are appended in that order, then their earlier rows are deleted.
 * Deleting closes the gaps, so each surviving row moves down by the deleted positions before it;
 * one pass over the positions, in position order, with the sorted deletes.
 * Returns null when `before` does not describe one row per entry (the caller rewrites whole).
 */
export function planPositionUpdate(before: Int32Array, changed: Int32Array, liveRows: number): PositionUpdate | null {
  const count = before.length;
  const k = changed.length;
  let old = 0;
  for (let j = 0; j < k; j++) if (before[changed[j]!]! >= 0) old++;
  const superseded = new Int32Array(old);
  let d = 0;
  for (let j = 0; j < k; j++) {
    const p = before[changed[j]!]!;
    if (p >= 0) superseded[d++] = p;
  }
  superseded.sort();
  // New position of every old live position (−1 when deleted).
  const moved = new Int32Array(liveRows);
  d = 0;
  for (let p = 0; p < liveRows; p++) {
    if (d < old && superseded[d] === p) {
      moved[p] = -1;
      d++;
    } else moved[p] = p - d;
  }
  if (d !== old) return null;
  const positions = new Int32Array(count);
  for (let e = 0; e < count; e++) {
    const p = before[e]!;
    positions[e] = p >= 0 && p < liveRows ? moved[p]! : -1;
  }
  const base = liveRows - old;
  for (let j = 0; j < k; j++) positions[changed[j]!] = base + j;
  // One row per entry: every entry placed, and every live row some entry's.
  if (base + k !== count) return null;
  for (let e = 0; e < count; e++) if (positions[e]! < 0) return null;
  return { superseded, positions };
}

/**
 * Dropping deleted ids for good: the snapshot of an index without its tombstones, the live ids
 * renumbered `0, 1, …` in ascending order of their old ids, each with its vector, level and links
 * (translated to the new ids). Used by `HNSW#compactIds` after a repair has unlinked every tombstone,
 * so the graph is the same graph, only without the slots of deleted ids: an index that was
 * updated or deleted from for a long time otherwise keeps a slot (vector, links) for every id it ever
 * handed out.
 */
import { InternalError } from '@vego/io';
import type { HnswSnapshot } from '../snapshot';

/** A snapshot without tombstones, and the old id of each new one. */
export interface Renumbered {
  snapshot: HnswSnapshot;
  /** `oldIds[newId]`: ascending. */
  oldIds: Int32Array;
}

/**
 * Copies list `count, ids…` at `from` in `src` to `to` in `dst`, translating ids through `newIdOf`
 * and leaving out links to deleted ids (none after a repair; a left-over one is dropped rather than
 * kept pointing at another node). Returns nothing: the count written is the links kept.
 */
function copyList(src: Int32Array, from: number, dst: Int32Array, to: number, newIdOf: Int32Array): void {
  const count = src[from]!;
  let kept = 0;
  for (let j = 1; j <= count; j++) {
    const id = newIdOf[src[from + j]!]!;
    if (id >= 0) dst[to + ++kept] = id;
  }
  dst[to] = kept;
}

/**
 * The snapshot of `s` without its deleted ids (see the module comment).
 * @param wordsPerRow - 32-bit words of one vector row in `s.vectors` (`vectorWords(config)`).
 * @throws InternalError when the entry point is deleted while live ids remain (a repair moves it).
 */
export function dropTombstones(s: HnswSnapshot, wordsPerRow: number): Renumbered {
  const n = s.numIds;
  const { M } = s.config;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  const newIdOf = new Int32Array(n).fill(-1);
  let live = 0;
  let upperLength = 0;
  for (let i = 0; i < n; i++) {
    if (s.deleted[i] !== 0) continue;
    newIdOf[i] = live++;
    upperLength += s.levels[i]! * strideUp;
  }
  const oldIds = new Int32Array(live);
  const vectors = new Float32Array(live * wordsPerRow);
  const levels = new Uint8Array(live);
  const links0 = new Int32Array(live * stride0);
  const upperOffsets = new Int32Array(live);
  const upperLinks = new Int32Array(upperLength);
  let upper = 0;
  for (let i = 0; i < n; i++) {
    const j = newIdOf[i]!;
    if (j < 0) continue;
    oldIds[j] = i;
    vectors.set(s.vectors.subarray(i * wordsPerRow, (i + 1) * wordsPerRow), j * wordsPerRow);
    const level = s.levels[i]!;
    levels[j] = level;
    copyList(s.links0, i * stride0, links0, j * stride0, newIdOf);
    if (level === 0) {
      upperOffsets[j] = -1;
      continue;
    }
    upperOffsets[j] = upper;
    for (let l = 0; l < level; l++) copyList(s.upperLinks, s.upperOffsets[i]! + l * strideUp, upperLinks, upper + l * strideUp, newIdOf);
    upper += level * strideUp;
  }
  let entryPoint = -1;
  let maxLevel = 0;
  if (live > 0) {
    entryPoint = s.entryPoint < 0 ? -1 : newIdOf[s.entryPoint]!;
    if (entryPoint < 0) throw new InternalError(`the entry point ${s.entryPoint} is deleted while ${live} ids are live (repair the graph first)`);
    maxLevel = levels[entryPoint]!;
  }
  return {
    snapshot: { ...s, numIds: live, entryPoint, maxLevel, vectors, levels, links0, upperOffsets, upperLinks, deleted: new Uint8Array(live) },
    oldIds,
  };
}

/**
 * Row checksums: a 64-bit checksum (two independent 32-bit hashes, not cryptographic) of every node
 * row (vector bits, level, tombstone) and of every link list (node × layer), stored with the row.
 *
 * Node checksums depend on the saved index's format version ({@link nodeHashOf}): version 1 hashes
 * the vector with {@link hashWords} seeded by id, level and tombstone (scalar, ~25 ms per 100K × 128
 * vectors); version 2 takes the two raw words of the row hash (`internal/row-hash.ts`, WebAssembly
 * SIMD) and seeds and finishes each with id, level, tombstone and row length ({@link finishRowSum}),
 * about 2.5× cheaper. Link-list checksums depend on the version too ({@link listHashOf}): versions 1
 * and 2 hash a list's count and ids with {@link hashWords} seeded by node and layer; version 3
 * hashes the list's whole fixed-width row as the index holds it in memory (layer 0: `1 + 2M`
 * words, unused ones included; a higher layer: `1 + M` words) with the row hash, seeded and
 * finished by node, layer and row width ({@link finishRowSum}): every layer-0 list of a whole
 * index in one row-hash call over the layer-0 memory, about 4× cheaper than hashing list by list,
 * and a changed byte anywhere in a stored row (unused words too) shows. A save writes the
 * current version; a load verifies each file with the version it names.
 * A save compares them with the checksums of the last save or load and writes only the rows that
 * differ; a load recomputes them from what it read ({@link firstNodeMismatch},
 * {@link firstListMismatch}) and treats any difference as damage.
 *
 * The node id and the layer seed each hash, so two lists with equal contents at different places
 * never compare equal. With 64 bits a changed row goes unnoticed with probability 2⁻⁶⁴.
 *
 * Index of a list's checksum: layer 0 of node `i` is list `i`; layer `l ≥ 1` of node `i` is list
 * `numIds + upperStart[i] + l − 1`, where `upperStart[i] = Σ_{j<i} levels[j]` (so the key depends
 * only on ids and levels, never on how the graph lays out its memory).
 */
import { vectorWords } from '../config';
import type { HnswSnapshot } from '../snapshot';
import { Pacer } from '../internal/pacer';
import type { WasmMemory } from '../internal/kernels';
import { type RowHashPlace, hashRows, hashRowsGathered, hashRowsInMemory, hashRowsInPlace } from '../internal/row-hash';
import { pushDiffering, pushNonZero } from './byte-scan';
import { takeLinks } from './links-buffer';
import { LANCE_FORMAT_VERSION } from './layout';
import { type Steps, pace, runStepsSync } from './steps';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const FNV_PRIME = 0x01000193;

/** Murmur3's finaliser: spreads every input bit over the 32 output bits. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes `words[start .. start + length)` seeded with `a` and `b` into `out[2·slot]` and
 * `out[2·slot + 1]`. Allocates nothing. Returns 1 when some word, read as a float32, is NaN or ±∞
 * (all exponent bits set), else 0: a load verifying vectors checks they are finite in the same pass.
 */
export function hashWords(words: Int32Array, start: number, length: number, a: number, b: number, out: Uint32Array, slot: number): number {
  let h1 = (0x811c9dc5 ^ Math.imul(a, C1) ^ Math.imul(b, FNV_PRIME)) | 0;
  let h2 = (0x9747b28c ^ Math.imul(a + 1, C2) ^ Math.imul(b + 7, C1)) | 0;
  let nonFinite = 0;
  const end = start + length;
  for (let i = start; i < end; i++) {
    const x = words[i]! | 0;
    // Exponent all ones (0x7f800000) plus one exponent step carries into bit 31; any other exponent does not.
    nonFinite |= ((x & 0x7f800000) + 0x00800000) >>> 31;
    h1 = Math.imul(h1 ^ x, FNV_PRIME);
    let k = Math.imul(x, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h2 ^= k;
    h2 = (h2 << 13) | (h2 >>> 19);
    h2 = (Math.imul(h2, 5) + 0xe6546b64) | 0;
  }
  out[2 * slot] = fmix(h1 ^ length);
  out[2 * slot + 1] = fmix(h2 ^ Math.imul(length, C2));
  return nonFinite;
}

/**
 * {@link hashWords} of two ranges of equal `length` at once (`start1` seeded `a1`, `b1` into slot
 * `slot1`; `start2` likewise), with the same results as two calls: the four hash chains are
 * independent, so the CPU overlaps their multiplications (each chain alone waits on its own
 * multiply latency). For the vectors, all of one dimension: most of a save's and a load's hashing.
 * Returns the OR of the two non-finite flags.
 */
function hashWordsPair(
  words: Int32Array,
  length: number,
  start1: number,
  a1: number,
  b1: number,
  slot1: number,
  start2: number,
  a2: number,
  b2: number,
  slot2: number,
  out: Uint32Array,
): number {
  let p1 = (0x811c9dc5 ^ Math.imul(a1, C1) ^ Math.imul(b1, FNV_PRIME)) | 0;
  let p2 = (0x9747b28c ^ Math.imul(a1 + 1, C2) ^ Math.imul(b1 + 7, C1)) | 0;
  let q1 = (0x811c9dc5 ^ Math.imul(a2, C1) ^ Math.imul(b2, FNV_PRIME)) | 0;
  let q2 = (0x9747b28c ^ Math.imul(a2 + 1, C2) ^ Math.imul(b2 + 7, C1)) | 0;
  let nonFinite = 0;
  for (let j = 0; j < length; j++) {
    const x = words[start1 + j]! | 0;
    const y = words[start2 + j]! | 0;
    nonFinite |= (((x & 0x7f800000) + 0x00800000) | ((y & 0x7f800000) + 0x00800000)) >>> 31;
    p1 = Math.imul(p1 ^ x, FNV_PRIME);
    q1 = Math.imul(q1 ^ y, FNV_PRIME);
    let k = Math.imul(x, C1);
    let m = Math.imul(y, C1);
    k = (k << 15) | (k >>> 17);
    m = (m << 15) | (m >>> 17);
    k = Math.imul(k, C2);
    m = Math.imul(m, C2);
    p2 ^= k;
    q2 ^= m;
    p2 = (p2 << 13) | (p2 >>> 19);
    q2 = (q2 << 13) | (q2 >>> 19);
    p2 = (Math.imul(p2, 5) + 0xe6546b64) | 0;
    q2 = (Math.imul(q2, 5) + 0xe6546b64) | 0;
  }
  out[2 * slot1] = fmix(p1 ^ length);
  out[2 * slot1 + 1] = fmix(p2 ^ Math.imul(length, C2));
  out[2 * slot2] = fmix(q1 ^ length);
  out[2 * slot2 + 1] = fmix(q2 ^ Math.imul(length, C2));
  return nonFinite;
}

/**
 * Seeds and finishes the two raw row-hash words at `out[2·slot]`, `out[2·slot + 1]` into a format
 * version 2 node checksum, in place: each word is xored with a seed made of the id, `b` (level and
 * tombstone, `level · 2 + deleted`) and the row length in words, then through Murmur3's finaliser.
 * Both steps are bijections of the word, so rows whose raw words differ keep different checksums,
 * and equal vectors of different ids, levels or tombstones get different ones.
 */
export function finishRowSum(out: Uint32Array, slot: number, id: number, b: number, length: number): void {
  out[2 * slot] = fmix(out[2 * slot]! ^ Math.imul(id, C1) ^ Math.imul(b + 1, FNV_PRIME) ^ length);
  out[2 * slot + 1] = fmix(out[2 * slot + 1]! ^ Math.imul(id + 1, C2) ^ Math.imul(b + 7, C1) ^ Math.imul(length, C2));
}

/**
 * Which node hash a saved index of format version `formatVersion` uses: 1 ({@link hashWords}) or
 * 2 (the row hash). Callers have refused versions this build does not know (open.ts).
 */
export function nodeHashOf(formatVersion: number): 1 | 2 {
  return formatVersion >= 2 ? 2 : 1;
}

/**
 * The node checksum of one row (`dim` words at `words[start …]`, id `id`, `b = level · 2 + deleted`)
 * under node hash `hash` ({@link nodeHashOf}) into `out[2·slot]`, `out[2·slot + 1]`. Returns 1 when
 * some word, read as a float32, is NaN or ±∞, else 0.
 */
export function nodeChecksum(hash: 1 | 2, words: Int32Array, start: number, dim: number, id: number, b: number, out: Uint32Array, slot: number): number {
  if (hash === 1) return hashWords(words, start, dim, id, b, out, slot);
  const flag = hashRows(words, start, dim, dim, 1, out, 2 * slot);
  finishRowSum(out, slot, id, b, dim);
  return flag;
}

/**
 * Which list hash a saved index of format version `formatVersion` uses: 1 ({@link hashWords} of the
 * count and ids; versions 1 and 2) or 2 (the row hash of the fixed-width row; version 3).
 */
export function listHashOf(formatVersion: number): 1 | 2 {
  return formatVersion >= 3 ? 2 : 1;
}

/**
 * List checksums of list hash 2 ({@link listHashOf}) of `count` consecutive lists of one layer
 * whose rows are `width` words each, row `r` at `words[first + r · stride …]`, of nodes
 * `node, node + 1, …` (layer 0) or of one node's layers `layer, layer + 1, …` (`perNode` false),
 * into `out` from slot `slot` on. Rows back to back in the memory of `place` are hashed where they
 * lie (`row-hash.ts`'s `hashRowsInPlace`; same words). Allocates nothing but the row hash's views.
 */
export function linkRowSums(
  words: Int32Array,
  first: number,
  stride: number,
  width: number,
  count: number,
  node: number,
  layer: number,
  perNode: boolean,
  out: Uint32Array,
  slot: number,
  place: RowHashPlace | null = null,
): void {
  if (count === 0) return;
  if (stride === width) hashRowsInPlace(place, words, first, width, count, out, 2 * slot);
  else hashRows(words, first, stride, width, count, out, 2 * slot);
  for (let r = 0; r < count; r++) finishRowSum(out, slot + r, perNode ? node + r : node, perNode ? layer : layer + r, width);
}

/** Scratch of {@link firstNodeMismatch}'s paired pass (two checksums). */
const pairOut = new Uint32Array(4);

/** Checksums of one index state, as kept between saves. */
export interface IndexChecksums {
  /** Node hash of {@link nodes} ({@link nodeHashOf}): a save reuses only checksums of the current one. */
  nodeHash: 1 | 2;
  /** List hash of {@link lists} ({@link listHashOf}): a save reuses only checksums of the current one. */
  listHash: 1 | 2;
  /** Ids covered. */
  numIds: number;
  /** Levels of those ids (copy); they never change for an id. */
  levels: Uint8Array;
  /** Tombstones of those ids (copy), so that the next save rehashes only the nodes whose tombstone changed. */
  deleted: Uint8Array;
  /** Two words per node: vector bits, level and tombstone. */
  nodes: Uint32Array;
  /** Two words per list, indexed as described at the top of this file. */
  lists: Uint32Array;
  /**
   * {@link upperStarts} of {@link levels} (`numIds + 1` entries). Levels of ids never change, so the
   * next save reuses it whole (same ids) or extends a copy by the new ids, instead of a pass over every id.
   */
  starts: Int32Array;
  /** Ids whose tombstone is clear: the next save counts the live ids from it and the ids it rehashes, not over every id. */
  live: number;
}

/**
 * A snapshot, and what the index knows that spares a save some hashing: `rowPlace` (a synchronous
 * save of views of the index's memory, `HNSW#snapshotView`), where its rows may be hashed without a
 * copy: the index's memory and a scratch region of it (`row-hash.ts`'s {@link RowHashPlace});
 * `vectorSums`, the raw row-hash words of every vector row (two per id, for ids `0 … numIds − 1`:
 * the node checksum before {@link finishRowSum}), computed by the index as it wrote each vector.
 * Any plain {@link HnswSnapshot} is one (neither).
 */
export type PlacedSnapshot = HnswSnapshot & { readonly rowPlace?: RowHashPlace | null; readonly vectorSums?: Uint32Array | null };

/** `upperStart[i] = Σ_{j<i} levels[j]`, plus the total at index `n`. */
export function upperStarts(levels: Uint8Array, n: number): Int32Array {
  return extendStarts(levels, n, null, 0);
}

/**
 * {@link upperStarts} of the first `n` ids given `known`, those of the first `old` ids (the same
 * levels): `known` itself when `old = n` (never written: states share it), else a copy of it
 * extended by ids `old … n − 1`.
 */
function extendStarts(levels: Uint8Array, n: number, known: Int32Array | null, old: number): Int32Array {
  if (known !== null && old === n) return known;
  const starts = new Int32Array(n + 1);
  let sum = 0;
  if (known !== null) {
    starts.set(known.subarray(0, old + 1));
    sum = known[old]!;
  }
  for (let i = known === null ? 0 : old; i < n; i++) {
    starts[i] = sum;
    sum += levels[i]!;
  }
  starts[n] = sum;
  return starts;
}

/** Ids below `n` whose tombstone is clear (a whole pass: saves without a previous count). */
function countLive(deleted: Uint8Array, n: number): number {
  let live = 0;
  for (let i = 0; i < n; i++) if (deleted[i] === 0) live++;
  return live;
}

/**
 * Live ids after a change given `live` before it over the first `old` ids: `ids` (ascending) are
 * every id whose tombstone may differ from `wasDeleted` (`changedNodeIds`) and the new ids. O(ids).
 */
function liveAfter(live: number, ids: Int32Array, deleted: Uint8Array, wasDeleted: Uint8Array, old: number): number {
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    if (deleted[id] === 0) live++;
    if (id < old && wasDeleted[id] === 0) live--;
  }
  return live;
}

/**
 * What a save may reuse of the checksums of the last save or load (same ids, same levels): node
 * checksums of ids below `before.numIds` whose tombstone is unchanged and whose vector is not in
 * `vectorsChanged` (the ids `HNSW#update` rewrote since; null: unknown, rehash every node), and
 * the list checksums of ids below `before.numIds` whose mark in `listsChanged` is 0 (the graph's
 * dirty marks: 1 for a node any of whose lists was written since; null: unknown, rehash every list).
 */
export interface ChecksumReuse {
  before: IndexChecksums;
  vectorsChanged: ReadonlySet<number> | null;
  listsChanged?: Uint8Array | null;
}

/**
 * Computes every node and list checksum of `snapshot` (fresh arrays, or those of `reuse` when nothing changed). With `reuse`, node checksums
 * it vouches for are copied instead of hashed (hashing the vectors is most of the cost, and an
 * incremental save changes few of them); link lists are always hashed (any insert relinks many).
 */
export function computeChecksums(snapshot: PlacedSnapshot, reuse: ChecksumReuse | null = null): IndexChecksums {
  return runStepsSync(checksumSteps(snapshot, reuse, new Pacer()));
}

/** The node hash saves of this build write. */
const CURRENT_NODE_HASH = nodeHashOf(LANCE_FORMAT_VERSION);
/** The list hash saves of this build write. */
export const CURRENT_LIST_HASH = listHashOf(LANCE_FORMAT_VERSION);

/** Ids hashed or carried over between two looks at the pacer (a plain function per chunk: V8 optimises it, where a long loop inside a generator stays slow). */
const CHUNK = 2048;

/**
 * The entries a save hashed because they may have changed (ascending; null: every entry was
 * hashed). Filled in by {@link checksumSteps} when it reuses checksums, so that the save compares
 * only these with the last save's checksums instead of every entry.
 */
export interface TouchedEntries {
  /** Node ids hashed: new ids, ids whose vector changed, ids whose tombstone changed. */
  nodes: Int32Array | null;
  /** List indices hashed: every list of new ids and of ids with a dirty mark. */
  lists: Int32Array | null;
  /**
   * The rows of {@link lists}, gathered (to be hashed) as `connections.lance` stores them, for the
   * save to write from (save-rows.ts) instead of gathering them again; null when not gathered.
   * Its `links` buffer comes from `links-buffer.ts`: the save gives it back.
   */
  rows?: GatheredLists;
}

/** The rows of some link lists, gathered into one buffer in the stored layout (`layout.ts`). */
export interface GatheredLists {
  /** List indices, ascending. */
  lists: Int32Array;
  /** Node and layer of each list. */
  nodes: Int32Array;
  layers: Int32Array;
  /** Row k (list `lists[k]`) at `links[k · (1 + 2M) …]`: a layer-0 row whole, a higher one's `1 + M` words then zeros. */
  links: Int32Array;
}

/**
 * {@link computeChecksums} as steps: run async, it lets the event loop turn whenever `pacer` is
 * due (hashing a 100K × 128 index whole takes ~30 ms). With `reuse` that knows what changed
 * (`vectorsChanged`, `listsChanged`), the checksums of everything else are block copies and only
 * the changed entries are visited (listed in `touched`): the work is proportional to the change,
 * plus copies of the checksum arrays and a scan of the tombstones and dirty marks a word or a
 * block at a time.
 */
export function* checksumSteps(snapshot: PlacedSnapshot, reuse: ChecksumReuse | null, pacer: Pacer, touched: TouchedEntries | null = null): Steps<IndexChecksums> {
  const n = snapshot.numIds;
  const { levels, deleted } = snapshot;
  let nodes: Uint32Array;
  const usable = reuse !== null && reuse.before.numIds <= n && reuse.before.nodeHash === CURRENT_NODE_HASH;
  if (touched !== null) {
    touched.nodes = touched.lists = null;
    delete touched.rows;
  }
  // The live count, tombstones and starts of the ids, carried over where the change says they can be.
  let live = -1;
  let keptDeleted: Uint8Array | null = null;
  if (usable && reuse.vectorsChanged !== null) {
    // Old ids' checksums copied in one block; the ids that may differ hashed over them.
    const before = reuse.before;
    const old = before.numIds;
    const ids = changedNodeIds(reuse.vectorsChanged, deleted, before.deleted, old, n);
    // Nothing changed (no id added either): the same checksums, shared (states never write into them).
    nodes = ids.length === 0 ? before.nodes : new Uint32Array(2 * n);
    if (ids.length !== 0) nodes.set(before.nodes.subarray(0, 2 * old));
    // Long runs of consecutive ids (the new ids are one) hashed where they lie, one call each; the
    // ids of short runs (updated, deleted: scattered) gathered and hashed a chunk at a time.
    const scattered = new Int32Array(ids.length);
    let count = 0;
    let done = 0;
    for (let k = 0; k < ids.length; ) {
      const j = runEnd(ids, k);
      if (j - k >= MIN_RUN) nodeSums(snapshot, null, null, nodes, ids[k]!, ids[j - 1]! + 1);
      else for (let r = k; r < j; r++) scattered[count++] = ids[r]!;
      k = j;
      if (count - done >= CHUNK) {
        nodeSumsAt(snapshot, scattered, done, count, nodes);
        done = count;
      }
      yield* pace(pacer);
    }
    nodeSumsAt(snapshot, scattered, done, count, nodes);
    if (touched !== null) touched.nodes = ids;
    live = liveAfter(before.live, ids, deleted, before.deleted, old);
    // No tombstone changed (no rehashed old id has one that differs) and no id added: the copy kept is still exact.
    if (old === n && !anyTombstoneChanged(ids, deleted, before.deleted)) keptDeleted = before.deleted;
  } else {
    nodes = new Uint32Array(2 * n);
    for (let at = 0; at < n; at += CHUNK) {
      nodeSums(snapshot, null, null, nodes, at, Math.min(n, at + CHUNK));
      yield* pace(pacer);
    }
  }
  const starts = usable ? extendStarts(levels, n, reuse.before.starts, reuse.before.numIds) : upperStarts(levels, n);
  let lists: Uint32Array;
  const marks = usable && reuse.before.listHash === CURRENT_LIST_HASH ? (reuse.listsChanged ?? null) : null;
  if (marks !== null) {
    // Every old list's checksum carried over in two bulk copies (levels of old ids never change,
    // so old upper lists keep their order and move up by the number of ids added); listSumsOf then
    // hashes only the lists of new and dirty ids, over them. No list of them (and no id added):
    // the same checksums, shared.
    const before = reuse!.before;
    const oldN = before.numIds;
    const ids = markedIds(marks, oldN, n);
    lists = ids.length === 0 ? before.lists : new Uint32Array(2 * (n + starts[n]!));
    if (ids.length !== 0) {
      lists.set(before.lists.subarray(0, 2 * oldN), 0);
      lists.set(before.lists.subarray(2 * oldN), 2 * n);
    }
    if (touched !== null && ids.length !== 0) {
      // For a save: the rows gathered once, in the layout it writes, hashed from there (one copy
      // per row or run of rows, native), and handed to the save with the list indices.
      const rows = listsWithPlaces(ids, levels, starts, n, snapshot.config.M);
      for (let at = 0; at < rows.lists.length; at += CHUNK) {
        gatheredListSums(snapshot, rows, lists, at, Math.min(rows.lists.length, at + CHUNK));
        yield* pace(pacer);
      }
      touched.lists = rows.lists;
      touched.rows = rows;
    } else {
      for (let at = 0; at < ids.length; at += CHUNK) {
        listSumsOf(snapshot, starts, lists, ids, at, Math.min(ids.length, at + CHUNK));
        yield* pace(pacer);
      }
      if (touched !== null) touched.lists = listsOf(ids, levels, starts, n);
    }
  } else {
    // Hashing every list: the upper ones all at once after the layer-0 chunks (one row-hash call
    // over the upper-layer memory, not one per node).
    lists = new Uint32Array(2 * (n + starts[n]!));
    for (let at = 0; at < n; at += CHUNK) {
      layer0Sums(snapshot, lists, at, Math.min(n, at + CHUNK));
      yield* pace(pacer);
    }
    allUpperSums(snapshot.upperLinks, snapshot.upperOffsets, levels, starts, n, snapshot.config.M, lists);
  }
  // Levels never change for an id: the same ids share the copy kept (states never write into it).
  const keptLevels = usable && reuse.before.numIds === n ? reuse.before.levels : levels.slice(0, n);
  return {
    nodeHash: CURRENT_NODE_HASH,
    listHash: CURRENT_LIST_HASH,
    numIds: n,
    levels: keptLevels,
    deleted: keptDeleted ?? deleted.slice(0, n),
    nodes,
    lists,
    starts,
    live: live >= 0 ? live : countLive(deleted, n),
  };
}

/**
 * Ids to rehash (ascending): those in `vectorsChanged` below `old`, those below `old` whose
 * tombstone differs from `wasDeleted` (`byte-scan.ts`: blocks compared natively), and the new ids
 * `old … n − 1`.
 */
function changedNodeIds(vectorsChanged: ReadonlySet<number>, deleted: Uint8Array, wasDeleted: Uint8Array, old: number, n: number): Int32Array {
  const ids: number[] = [];
  for (const id of vectorsChanged) if (id >= 0 && id < old) ids.push(id);
  const updated = ids.length;
  pushDiffering(deleted, wasDeleted, old, ids);
  // Drop the tombstone changes of ids already listed (few: a linear look-up per id is fine).
  let k = updated;
  if (updated > 0) {
    for (let j = updated; j < ids.length; j++) if (!vectorsChanged.has(ids[j]!)) ids[k++] = ids[j]!;
    ids.length = k;
  }
  const out = new Int32Array(ids.length + (n - old));
  out.set(ids);
  if (updated > 0) out.subarray(0, ids.length).sort();
  for (let i = old; i < n; i++) out[ids.length + i - old] = i;
  return out;
}

/** Whether the tombstone of some id of `ids` below `wasDeleted.length` differs from `wasDeleted`. */
function anyTombstoneChanged(ids: Int32Array, deleted: Uint8Array, wasDeleted: Uint8Array): boolean {
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    if (id < wasDeleted.length && deleted[id] !== wasDeleted[id]) return true;
  }
  return false;
}

/** Ids below `oldN` with a dirty mark (`byte-scan.ts`: blocks compared natively), then the new ids `oldN … n − 1`. */
function markedIds(marks: Uint8Array, oldN: number, n: number): Int32Array {
  const ids: number[] = [];
  pushNonZero(marks, oldN, ids);
  const out = new Int32Array(ids.length + (n - oldN));
  out.set(ids);
  for (let j = oldN; j < n; j++) out[ids.length + j - oldN] = j;
  return out;
}

/** Every list index of the ids `ids` (ascending): their layer-0 lists, then their upper lists. */
function listsOf(ids: Int32Array, levels: Uint8Array, starts: Int32Array, n: number): Int32Array {
  let upper = 0;
  for (let k = 0; k < ids.length; k++) upper += levels[ids[k]!]!;
  const out = new Int32Array(ids.length + upper);
  out.set(ids);
  let w = ids.length;
  for (let k = 0; k < ids.length; k++) {
    const i = ids[k]!;
    const first = n + starts[i]!;
    for (let l = 0; l < levels[i]!; l++) out[w++] = first + l;
  }
  return out;
}

/**
 * Node checksums (format version 2's row hash) of ids `[from, to)` into `nodes`: carried over from
 * `before` for an old id whose vector is not `stale` and whose tombstone is unchanged, else hashed
 * (each run of consecutive ids to hash in one row-hash call, where the rows lie when the snapshot
 * has a place: `hashRowsInPlace`; or, when the snapshot has `vectorSums`, their raw words copied
 * from there and finished).
 */
function nodeSums(snapshot: PlacedSnapshot, before: IndexChecksums | null, stale: Uint8Array | null, nodes: Uint32Array, from: number, to: number): void {
  // Words per vector row: the dimension, or a binary vector's packed words.
  const dim = vectorWords(snapshot.config);
  const { levels, deleted } = snapshot;
  const vectorBits = new Int32Array(snapshot.vectors.buffer, snapshot.vectors.byteOffset, snapshot.vectors.length);
  const old = before === null ? 0 : Math.min(before.numIds, to);
  const sums = before === null ? null : before.nodes;
  const wasDeleted = before === null ? null : before.deleted;
  // The index's own raw words of the vectors, when it has them for every id.
  const vs = snapshot.vectorSums ?? null;
  const raw = vs !== null && vs.length >= 2 * snapshot.numIds ? vs : null;
  let i = from;
  while (i < to) {
    if (i < old && stale![i] === 0 && wasDeleted![i] === deleted[i]) {
      nodes[2 * i] = sums![2 * i]!;
      nodes[2 * i + 1] = sums![2 * i + 1]!;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < to && !(j < old && stale![j] === 0 && wasDeleted![j] === deleted[j])) j++;
    if (raw !== null) nodes.set(raw.subarray(2 * i, 2 * j), 2 * i);
    else hashRowsInPlace(snapshot.rowPlace ?? null, vectorBits, i * dim, dim, j - i, nodes, 2 * i);
    for (let k = i; k < j; k++) finishRowSum(nodes, k, k, (levels[k]! << 1) | deleted[k]!, dim);
    i = j;
  }
}

/**
 * Every list of the ids `ids` (ascending), ascending (their layer-0 lists, then their upper
 * lists), with each one's node and layer, and a buffer for their rows (`links-buffer.ts`; not yet
 * filled: {@link gatheredListSums} copies them in).
 */
function listsWithPlaces(ids: Int32Array, levels: Uint8Array, starts: Int32Array, n: number, M: number): GatheredLists {
  const lists = listsOf(ids, levels, starts, n);
  const nodes = new Int32Array(lists.length);
  const layers = new Int32Array(lists.length);
  nodes.set(ids);
  let w = ids.length;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    for (let l = 1; l <= levels[id]!; l++, w++) {
      nodes[w] = id;
      layers[w] = l;
    }
  }
  return { lists, nodes, layers, links: takeLinks(lists.length * (1 + 2 * M)) };
}

/** Raw row words of {@link gatheredListSums} (grown on demand, never shrunk). */
let gatheredScratch = new Uint32Array(0);

/**
 * Copies the rows of lists `rows.lists[from … to)` from the snapshot into `rows.links` (a run of
 * consecutive layer-0 rows in one copy; a higher layer's row zero-padded), then hashes them from
 * there (layer-0 rows back to back in one row-hash pass, the higher ones' `1 + M` words in
 * another) into their slots of `sums`, seeded and finished as {@link linkRowSums} does.
 */
function gatheredListSums(snapshot: PlacedSnapshot, rows: GatheredLists, sums: Uint32Array, from: number, to: number): void {
  const M = snapshot.config.M;
  const width = 1 + 2 * M;
  const strideUp = 1 + M;
  const { links0, upperLinks, upperOffsets } = snapshot;
  const { lists, nodes, layers, links } = rows;
  // Layer-0 lists come first (all of them, in list order): [from, up) then [up, to).
  let up = from;
  while (up < to && layers[up] === 0) up++;
  for (let k = from; k < up; ) {
    let j = k + 1;
    while (j < up && nodes[j] === nodes[j - 1]! + 1) j++;
    links.set(links0.subarray(nodes[k]! * width, (nodes[j - 1]! + 1) * width), k * width);
    k = j;
  }
  for (let k = up; k < to; k++) {
    const at = upperOffsets[nodes[k]!]! + (layers[k]! - 1) * strideUp;
    links.set(upperLinks.subarray(at, at + strideUp), k * width);
    links.fill(0, k * width + strideUp, (k + 1) * width);
  }
  if (gatheredScratch.length < 2 * (to - from)) gatheredScratch = new Uint32Array(2 * (to - from));
  const raw = gatheredScratch;
  hashRows(links, from * width, width, width, up - from, raw, 0);
  hashRows(links, up * width, width, strideUp, to - up, raw, 2 * (up - from));
  for (let k = from; k < to; k++) {
    const slot = lists[k]!;
    sums[2 * slot] = raw[2 * (k - from)]!;
    sums[2 * slot + 1] = raw[2 * (k - from) + 1]!;
    finishRowSum(sums, slot, nodes[k]!, layers[k]!, layers[k] === 0 ? width : strideUp);
  }
}

/** Fewest consecutive rows hashed where they lie (one call) rather than gathered with others. */
const MIN_RUN = 16;

/** The end of the run of consecutive ids of `ids` (ascending) that starts at `k`. */
function runEnd(ids: Int32Array, k: number): number {
  let j = k + 1;
  while (j < ids.length && ids[j] === ids[j - 1]! + 1) j++;
  return j;
}

/** Row offsets of {@link nodeSumsAt} and {@link listSumsOf} (grown on demand, never shrunk). */
let gatherOffsets = new Int32Array(0);
/** Checksum slots of {@link listSumsOf}'s upper lists (grown on demand, never shrunk). */
let gatherSlots = new Int32Array(0);

function offsetsFor(count: number): Int32Array {
  if (gatherOffsets.length < count) gatherOffsets = new Int32Array(Math.max(count, 2 * gatherOffsets.length));
  return gatherOffsets;
}

/**
 * Node checksums of the ids `ids[from … to)` (ascending, scattered) into `nodes`: their raw words
 * copied from the snapshot's `vectorSums` when it has them, else their vector rows gathered and
 * hashed a page at a time (`row-hash.ts`'s `hashRowsGathered`: the same words as hashing each row).
 */
function nodeSumsAt(snapshot: PlacedSnapshot, ids: Int32Array, from: number, to: number, nodes: Uint32Array): void {
  if (to <= from) return;
  const dim = vectorWords(snapshot.config);
  const { levels, deleted } = snapshot;
  const vs = snapshot.vectorSums ?? null;
  if (vs !== null && vs.length >= 2 * snapshot.numIds) {
    for (let k = from; k < to; k++) {
      const id = ids[k]!;
      nodes[2 * id] = vs[2 * id]!;
      nodes[2 * id + 1] = vs[2 * id + 1]!;
    }
  } else {
    const vectorBits = new Int32Array(snapshot.vectors.buffer, snapshot.vectors.byteOffset, snapshot.vectors.length);
    const offsets = offsetsFor(to - from);
    for (let k = from; k < to; k++) offsets[k - from] = ids[k]! * dim;
    hashRowsGathered(vectorBits, offsets, ids.subarray(from, to), to - from, dim, nodes);
  }
  for (let k = from; k < to; k++) {
    const id = ids[k]!;
    finishRowSum(nodes, id, id, (levels[id]! << 1) | deleted[id]!, dim);
  }
}

/**
 * List checksums (list hash 2, as {@link linkRowSums}) of every list of the ids `ids[from … to)`
 * (ascending) into `lists`: the layer-0 rows of long runs of consecutive ids hashed where they
 * lie, the other layer-0 rows and every upper row gathered and hashed a page at a time
 * (`hashRowsGathered`: an incremental save's relinked lists are thousands of scattered rows).
 */
function listSumsOf(snapshot: PlacedSnapshot, starts: Int32Array, lists: Uint32Array, ids: Int32Array, from: number, to: number): void {
  const n = snapshot.numIds;
  const M = snapshot.config.M;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  const { levels, links0, upperLinks, upperOffsets } = snapshot;
  const offsets = offsetsFor(to - from);
  if (gatherSlots.length < to - from) gatherSlots = new Int32Array(Math.max(to - from, 2 * gatherSlots.length));
  const slots = gatherSlots;
  // Layer 0.
  let count = 0;
  let upper = 0;
  for (let k = from; k < to; ) {
    const j = Math.min(runEnd(ids, k), to);
    const i = ids[k]!;
    if (j - k >= MIN_RUN) linkRowSums(links0, i * stride0, stride0, stride0, j - k, i, 0, true, lists, i, snapshot.rowPlace ?? null);
    else {
      for (let r = k; r < j; r++) {
        const id = ids[r]!;
        offsets[count] = id * stride0;
        slots[count++] = id;
      }
    }
    for (let r = k; r < j; r++) upper += levels[ids[r]!]!;
    k = j;
  }
  hashRowsGathered(links0, offsets, slots, count, stride0, lists);
  for (let c = 0; c < count; c++) finishRowSum(lists, slots[c]!, slots[c]!, 0, stride0);
  if (upper === 0) return;
  // Upper layers: `level` rows per id, one block each in upperLinks.
  const upOffsets = offsetsFor(upper);
  if (gatherSlots.length < upper) gatherSlots = new Int32Array(Math.max(upper, 2 * gatherSlots.length));
  const upSlots = gatherSlots;
  count = 0;
  for (let k = from; k < to; k++) {
    const id = ids[k]!;
    const level = levels[id]!;
    const first = n + starts[id]!;
    for (let l = 0; l < level; l++) {
      upOffsets[count] = upperOffsets[id]! + l * strideUp;
      upSlots[count++] = first + l;
    }
  }
  hashRowsGathered(upperLinks, upOffsets, upSlots, count, strideUp, lists);
  count = 0;
  for (let k = from; k < to; k++) {
    const id = ids[k]!;
    const level = levels[id]!;
    for (let l = 1; l <= level; l++) {
      const slot = upSlots[count++]!;
      finishRowSum(lists, slot, id, l, strideUp);
    }
  }
}

/**
 * List checksums (list hash 2, {@link linkRowSums}) of the layer-0 lists of ids `[from, to)` into
 * `lists`, in one row-hash call over their rows (the caller hashes every upper list at once,
 * {@link allUpperSums}).
 */
function layer0Sums(snapshot: PlacedSnapshot, lists: Uint32Array, from: number, to: number): void {
  const stride0 = 1 + 2 * snapshot.config.M;
  linkRowSums(snapshot.links0, from * stride0, stride0, stride0, to - from, from, 0, true, lists, from, snapshot.rowPlace ?? null);
}

/**
 * Verifies the node checksums `sums` (two words per id, as stored in `nodes.lance`) of ids `from`
 * (default 0) to `n − 1` against the node data now in an index's memory: the vector of id `i` at
 * `vectorBits[(i + 1) · stride …]` (`dim` words), its level and tombstone, and (unless `finite` is
 * false: binary vectors are bits, not numbers) that every component is finite, in one pass. A
 * loader verifies each chunk of rows just read (still in the CPU cache) with `from` and `n`
 * bounding the chunk. Returns the first id whose checksum differs or whose vector is not finite,
 * or −1; `found` (3 words) then holds the checksum of what was read and, in `found[2]`, 1 when the
 * vector is not finite. Allocates nothing.
 */
export function firstNodeMismatch(
  hash: 1 | 2,
  vectorBits: Int32Array,
  stride: number,
  dim: number,
  levels: Uint8Array,
  deleted: Uint8Array,
  sums: Uint32Array,
  n: number,
  found: Uint32Array,
  finite = true,
  from = 0,
): number {
  if (hash === 2) return firstRowSumMismatch(vectorBits, stride, dim, levels, deleted, sums, from, n, found, finite);
  // Two nodes per pass (see hashWordsPair) into found[3 … 6]; on a difference or a non-finite
  // value, the pair is hashed again one node at a time to say which.
  let i = from;
  for (; i + 1 < n; i += 2) {
    const flag = hashWordsPair(vectorBits, dim, (i + 1) * stride, i, (levels[i]! << 1) | deleted[i]!, 0, (i + 2) * stride, i + 1, (levels[i + 1]! << 1) | deleted[i + 1]!, 1, pairOut);
    if ((finite && flag !== 0) || pairOut[0] !== sums[2 * i] || pairOut[1] !== sums[2 * i + 1] || pairOut[2] !== sums[2 * i + 2] || pairOut[3] !== sums[2 * i + 3]) break;
  }
  for (; i < n; i++) {
    const flag = hashWords(vectorBits, (i + 1) * stride, dim, i, (levels[i]! << 1) | deleted[i]!, found, 0);
    found[2] = finite ? flag : 0;
    if (found[2] !== 0 || found[0] !== sums[2 * i] || found[1] !== sums[2 * i + 1]) return i;
  }
  return -1;
}

/** Rows per {@link hashRows} call when verifying, and its scratch (allocated on first use). */
const VERIFY_ROWS = 4096;
let verifyScratch: Uint32Array | null = null;

/** {@link firstNodeMismatch} for node hash 2 (the row hash), a chunk of rows per call. */
function firstRowSumMismatch(
  vectorBits: Int32Array,
  stride: number,
  dim: number,
  levels: Uint8Array,
  deleted: Uint8Array,
  sums: Uint32Array,
  from: number,
  to: number,
  found: Uint32Array,
  finite: boolean,
): number {
  const scratch = (verifyScratch ??= new Uint32Array(2 * VERIFY_ROWS));
  for (let at = from; at < to; at += VERIFY_ROWS) {
    const rows = Math.min(VERIFY_ROWS, to - at);
    const flag = hashRows(vectorBits, (at + 1) * stride, stride, dim, rows, scratch, 0);
    const bad = checkHashedRows(scratch, at, rows, flag, vectorBits, stride, dim, levels, deleted, sums, found, finite);
    if (bad >= 0) return bad;
  }
  return -1;
}

/**
 * Finishes the raw row words of ids `at … at + rows − 1` in `hashed` (slot r for id at + r; `flag`
 * says whether the chunk holds a non-finite word) and compares them with `sums`: returns the first
 * id that differs or (with `finite`) holds a non-finite component, with `found` filled as
 * {@link firstNodeMismatch} says, or −1.
 */
function checkHashedRows(
  hashed: Uint32Array,
  at: number,
  rows: number,
  flag: number,
  vectorBits: Int32Array,
  stride: number,
  dim: number,
  levels: Uint8Array,
  deleted: Uint8Array,
  sums: Uint32Array,
  found: Uint32Array,
  finite: boolean,
): number {
  for (let r = 0; r < rows; r++) {
    const i = at + r;
    finishRowSum(hashed, r, i, (levels[i]! << 1) | deleted[i]!, dim);
    // Non-finite: only looked for row by row once the chunk says it holds one.
    const bad = finite && flag !== 0 && firstNonFiniteWord(vectorBits, (i + 1) * stride, (i + 1) * stride + dim) >= 0;
    if (bad || hashed[2 * r] !== sums[2 * i] || hashed[2 * r + 1] !== sums[2 * i + 1]) {
      found[0] = hashed[2 * r]!;
      found[1] = hashed[2 * r + 1]!;
      found[2] = bad ? 1 : 0;
      return i;
    }
  }
  return -1;
}

/** Smallest stride (floats) for which {@link firstRowSumMismatchInMemory} pays: it hashes `stride / 2` rows per call. */
export const IN_MEMORY_MIN_STRIDE = 64;

/**
 * {@link firstNodeMismatch} for node hash 2 over an index's vector memory `memory` (shared
 * WebAssembly memory; `vectorBits` a view of it whose element 0 is slot 0, at byte `slot0`), rows
 * back to back (`stride` equal to the row length, at least {@link IN_MEMORY_MIN_STRIDE}): the
 * rows are hashed where they lie, with no copy (`row-hash.ts`'s `hashRowsInMemory`), `stride / 2`
 * rows per call, their words written to slot 0 (the query slot: the caller's scratch, which the
 * caller zeroes afterwards). Same result and `found` as {@link firstNodeMismatch}; or −2, having
 * checked nothing, where the module cannot run over `memory` (the caller then uses {@link firstNodeMismatch}).
 */
export function firstRowSumMismatchInMemory(
  memory: WasmMemory,
  slot0: number,
  vectorBits: Int32Array,
  stride: number,
  levels: Uint8Array,
  deleted: Uint8Array,
  sums: Uint32Array,
  from: number,
  to: number,
  found: Uint32Array,
  finite: boolean,
): number {
  const perCall = stride >> 1;
  const hashed = new Uint32Array(memory.buffer, slot0, 2 * perCall);
  for (let at = from; at < to; at += perCall) {
    const rows = Math.min(perCall, to - at);
    const flag = hashRowsInMemory(memory, slot0 + (at + 1) * stride * 4, stride, rows, slot0);
    if (flag < 0) return -2; // only ever on the first call: the module did not instantiate
    const bad = checkHashedRows(hashed, at, rows, flag, vectorBits, stride, stride, levels, deleted, sums, found, finite);
    if (bad >= 0) return bad;
  }
  return -1;
}

/** Index of the first word of `words[start … end)` that is NaN or ±∞ read as a float32, or −1. */
function firstNonFiniteWord(words: Int32Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if ((words[i]! & 0x7f800000) === 0x7f800000) return i;
  return -1;
}

/**
 * Verifies the list checksums `sums` of list hash 1 (formats 1 and 2; two words per list, numbered as at the top of this file)
 * against the links now in an index's memory (snapshot layout: `links0` rows of `1 + 2M` ints,
 * upper lists at `upperOffsets[i] + (l − 1)(1 + M)`). Returns the first list whose checksum
 * differs, or −1; `found` then holds the checksum of what was read. Allocates nothing.
 */
export function firstListMismatch(
  links0: Int32Array,
  upperLinks: Int32Array,
  upperOffsets: Int32Array,
  M: number,
  levels: Uint8Array,
  starts: Int32Array,
  sums: Uint32Array,
  n: number,
  found: Uint32Array,
): number {
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  for (let i = 0; i < n; i++) {
    const base0 = i * stride0;
    hashWords(links0, base0 + 1, links0[base0]!, i, 0, found, 0);
    if (found[0] !== sums[2 * i] || found[1] !== sums[2 * i + 1]) return i;
    const level = levels[i]!;
    const offset = upperOffsets[i]!;
    for (let l = 1; l <= level; l++) {
      const base = offset + (l - 1) * strideUp;
      const list = n + starts[i]! + l - 1;
      hashWords(upperLinks, base + 1, upperLinks[base]!, i, l, found, 0);
      if (found[0] !== sums[2 * list] || found[1] !== sums[2 * list + 1]) return list;
    }
  }
  return -1;
}

/**
 * List hash 2 checksums of every list of layers ≥ 1 of ids `[0, n)` into `out` (list `n + starts[i] + l − 1`
 * at its slot, or at slot `starts[i] + l − 1` when `relative`): one row-hash call over the upper-layer
 * memory up to its last used row (each node's block is `level` whole rows of `1 + M` words), then a
 * pass that seeds each list's two words with its node and layer and puts them in place.
 */
function allUpperSums(upperLinks: Int32Array, upperOffsets: Int32Array, levels: Uint8Array, starts: Int32Array, n: number, M: number, out: Uint32Array, relative = false): void {
  const strideUp = 1 + M;
  let end = 0;
  for (let i = 0; i < n; i++) {
    const level = levels[i]!;
    if (level !== 0) end = Math.max(end, upperOffsets[i]! + level * strideUp);
  }
  if (end === 0) return;
  const memRows = Math.ceil(end / strideUp);
  const raw = new Uint32Array(2 * memRows);
  hashRows(upperLinks, 0, strideUp, strideUp, memRows, raw, 0);
  const first = relative ? 0 : n;
  for (let i = 0; i < n; i++) {
    const level = levels[i]!;
    for (let l = 1; l <= level; l++) {
      const at = upperOffsets[i]! + (l - 1) * strideUp;
      const slot = first + starts[i]! + l - 1;
      if (at % strideUp !== 0) {
        // Not on a row boundary of the pass above (no graph lays blocks out so, but the key must not depend on it).
        linkRowSums(upperLinks, at, strideUp, strideUp, 1, i, l, false, out, slot);
        continue;
      }
      const r = at / strideUp;
      out[2 * slot] = raw[2 * r]!;
      out[2 * slot + 1] = raw[2 * r + 1]!;
      finishRowSum(out, slot, i, l, strideUp);
    }
  }
}

/** Lists per row-hash call when verifying list hash 2, and its scratch (allocated on first use). */
const VERIFY_LISTS = 2048;
let listScratch: Uint32Array | null = null;

/**
 * {@link firstListMismatch} for list hash 2 ({@link listHashOf}): the checksums `sums` against the
 * fixed-width rows now in an index's memory (`links0` rows of `1 + 2M` words, upper lists of `1 + M`
 * words at `upperOffsets[i] + (l − 1)(1 + M)`), layer-0 rows a chunk per row-hash call, upper rows
 * all in one ({@link allUpperSums}). Returns the
 * first list whose checksum differs, or −1; `found` then holds the checksum of what was read.
 */
export function firstLinkRowMismatch(
  links0: Int32Array,
  upperLinks: Int32Array,
  upperOffsets: Int32Array,
  M: number,
  levels: Uint8Array,
  starts: Int32Array,
  sums: Uint32Array,
  n: number,
  found: Uint32Array,
): number {
  const stride0 = 1 + 2 * M;
  const scratch = (listScratch ??= new Uint32Array(2 * VERIFY_LISTS));
  for (let at = 0; at < n; at += VERIFY_LISTS) {
    const rows = Math.min(VERIFY_LISTS, n - at);
    linkRowSums(links0, at * stride0, stride0, stride0, rows, at, 0, true, scratch, 0);
    for (let r = 0; r < rows; r++) {
      const i = at + r;
      if (scratch[2 * r] !== sums[2 * i] || scratch[2 * r + 1] !== sums[2 * i + 1]) {
        found[0] = scratch[2 * r]!;
        found[1] = scratch[2 * r + 1]!;
        return i;
      }
    }
  }
  const upper = new Uint32Array(2 * starts[n]!);
  allUpperSums(upperLinks, upperOffsets, levels, starts, n, M, upper, true);
  for (let u = 0; u < starts[n]!; u++) {
    if (upper[2 * u] !== sums[2 * (n + u)] || upper[2 * u + 1] !== sums[2 * (n + u) + 1]) {
      found[0] = upper[2 * u]!;
      found[1] = upper[2 * u + 1]!;
      return n + u;
    }
  }
  return -1;
}

/** A checksum's two words as the int64 `nodes.lance` / `connections.lance` store, in hex. */
export function checksumHex(words: Uint32Array, slot: number): string {
  return `0x${words[2 * slot + 1]!.toString(16).padStart(8, '0')}${words[2 * slot]!.toString(16).padStart(8, '0')}`;
}

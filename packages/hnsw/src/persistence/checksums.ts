/**
 * Row checksums: a 64-bit checksum (two independent 32-bit hashes, not cryptographic) of every node
 * row (vector bits, level, tombstone) and of every link list (node × layer), stored with the row.
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

/** Scratch of {@link firstNodeMismatch}'s paired pass (two checksums). */
const pairOut = new Uint32Array(4);

/** Checksums of one index state, as kept between saves. */
export interface IndexChecksums {
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
}

/** `upperStart[i] = Σ_{j<i} levels[j]`, plus the total at index `n`. */
export function upperStarts(levels: Uint8Array, n: number): Int32Array {
  const starts = new Int32Array(n + 1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    starts[i] = sum;
    sum += levels[i]!;
  }
  starts[n] = sum;
  return starts;
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
 * Computes every node and list checksum of `snapshot` (fresh arrays). With `reuse`, node checksums
 * it vouches for are copied instead of hashed (hashing the vectors is most of the cost, and an
 * incremental save changes few of them); link lists are always hashed (any insert relinks many).
 */
export function computeChecksums(snapshot: HnswSnapshot, reuse: ChecksumReuse | null = null): IndexChecksums {
  return runStepsSync(checksumSteps(snapshot, reuse, new Pacer()));
}

/**
 * {@link computeChecksums} as steps: run async, it lets the event loop turn whenever `pacer` is
 * due (hashing a 100K × 128 index whole takes ~30 ms).
 */
export function* checksumSteps(snapshot: HnswSnapshot, reuse: ChecksumReuse | null, pacer: Pacer): Steps<IndexChecksums> {
  const n = snapshot.numIds;
  const dim = vectorWords(snapshot.config);
  const M = snapshot.config.M;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  const { levels, deleted, links0, upperLinks, upperOffsets } = snapshot;
  const vectorBits = new Int32Array(snapshot.vectors.buffer, snapshot.vectors.byteOffset, snapshot.vectors.length);
  const nodes = new Uint32Array(2 * n);
  let from = 0;
  if (reuse !== null && reuse.vectorsChanged !== null && reuse.before.numIds <= n) {
    const before = reuse.before;
    const old = before.numIds;
    const stale = new Uint8Array(old);
    for (const id of reuse.vectorsChanged) if (id >= 0 && id < old) stale[id] = 1;
    const sums = before.nodes;
    const wasDeleted = before.deleted;
    for (let i = 0; i < old; i++) {
      if (stale[i] === 0 && wasDeleted[i] === deleted[i]) {
        nodes[2 * i] = sums[2 * i]!;
        nodes[2 * i + 1] = sums[2 * i + 1]!;
      } else hashWords(vectorBits, i * dim, dim, i, (levels[i]! << 1) | deleted[i]!, nodes, i);
      if ((i & 4095) === 0) yield* pace(pacer);
    }
    from = old;
  }
  let i = from;
  for (; i + 1 < n; i += 2) {
    hashWordsPair(vectorBits, dim, i * dim, i, (levels[i]! << 1) | deleted[i]!, i, (i + 1) * dim, i + 1, (levels[i + 1]! << 1) | deleted[i + 1]!, i + 1, nodes);
    if ((i & 255) === 0) yield* pace(pacer);
  }
  if (i < n) hashWords(vectorBits, i * dim, dim, i, (levels[i]! << 1) | deleted[i]!, nodes, i);
  const starts = upperStarts(levels, n);
  const lists = new Uint32Array(2 * (n + starts[n]!));
  const marks = reuse !== null && reuse.before.numIds <= n ? (reuse.listsChanged ?? null) : null;
  const oldN = marks === null ? 0 : reuse!.before.numIds;
  const oldLists = reuse === null ? null : reuse.before.lists;
  for (let i = 0; i < n; i++) {
    if (i < oldN && marks![i] === 0) {
      // No list of node i was written since `before`: its checksums move over. Levels of old ids
      // never change, so only its upper lists' index shifts, by the number of ids added.
      const sums = oldLists!;
      lists[2 * i] = sums[2 * i]!;
      lists[2 * i + 1] = sums[2 * i + 1]!;
      const level = levels[i]!;
      if (level > 0) {
        const from = 2 * (oldN + starts[i]!);
        lists.set(sums.subarray(from, from + 2 * level), 2 * (n + starts[i]!));
      }
      continue;
    }
    const base0 = i * stride0;
    hashWords(links0, base0 + 1, links0[base0]!, i, 0, lists, i);
    const level = levels[i]!;
    const offset = upperOffsets[i]!;
    for (let l = 1; l <= level; l++) {
      const base = offset + (l - 1) * strideUp;
      hashWords(upperLinks, base + 1, upperLinks[base]!, i, l, lists, n + starts[i]! + l - 1);
    }
    if ((i & 1023) === 0) yield* pace(pacer);
  }
  return { numIds: n, levels: levels.slice(0, n), deleted: deleted.slice(0, n), nodes, lists };
}

/**
 * Verifies the node checksums `sums` (two words per id, as stored in `nodes.lance`) against the
 * node data now in an index's memory: the vector of id `i` at `vectorBits[(i + 1) · stride …]`
 * (`dim` words), its level and tombstone, and (unless `finite` is false: binary vectors are bits,
 * not numbers) that every component is finite, in one pass. Returns
 * the first id whose checksum differs or whose vector is not finite, or −1; `found` (3 words) then
 * holds the checksum of what was read and, in `found[2]`, 1 when the vector is not finite. Allocates nothing.
 */
export function firstNodeMismatch(
  vectorBits: Int32Array,
  stride: number,
  dim: number,
  levels: Uint8Array,
  deleted: Uint8Array,
  sums: Uint32Array,
  n: number,
  found: Uint32Array,
  finite = true,
): number {
  // Two nodes per pass (see hashWordsPair) into found[3 … 6]; on a difference or a non-finite
  // value, the pair is hashed again one node at a time to say which.
  let i = 0;
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

/**
 * Verifies the list checksums `sums` (two words per list, numbered as at the top of this file)
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

/** A checksum's two words as the int64 `nodes.lance` / `connections.lance` store, in hex. */
export function checksumHex(words: Uint32Array, slot: number): string {
  return `0x${words[2 * slot + 1]!.toString(16).padStart(8, '0')}${words[2 * slot]!.toString(16).padStart(8, '0')}`;
}

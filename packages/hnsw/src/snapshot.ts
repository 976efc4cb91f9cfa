/**
 * The in-memory form of a saved index: every array the graph needs, copied out by
 * `HNSW.toSnapshot()` and checked field by field by `HNSW.fromSnapshot()` before anything is
 * trusted. Persistence (Lance datasets via @vego/io) writes these fields; its loader reads them
 * straight into a new index and checks them there, once (`persistence/load.ts`).
 *
 * With `n = numIds`, `d = config.dimension`, `M = config.M`:
 * ```
 * vectors       Float32Array  n·d          row i = vector of id i (unit length under cosine); under a
 *                                          binary metric n·w, w = ceil(d / 32): row i = the bit-packed
 *                                          bytes of id i as raw 32-bit words (zero past d / 8 bytes),
 *                                          copied bit for bit, not numbers
 * levels        Uint8Array    n            top layer of id i
 * links0        Int32Array    n·(1+2M)     layer 0: row i = [count, neighbour ids…, unused…]
 * upperOffsets  Int32Array    n            start of id i's block in upperLinks, −1 when level 0
 * upperLinks    Int32Array    Σ level·(1+M) layer l of id i at upperOffsets[i] + (l−1)·(1+M): [count, ids…]
 * deleted       Uint8Array    n            1 = tombstone
 * ```
 */
import { CorruptDataError, corruptData, InvalidArgumentError, LengthMismatchError, UnsupportedVersionError } from '@vego/io';
import { type ResolvedHnswConfig, resolveHnswConfig, vectorWords } from './config';
import { isBinaryMetric } from './distance';

/** Version of the snapshot layout; bumped when a field changes meaning. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Every piece of an index, as plain typed arrays (see the layout above). */
export interface HnswSnapshot {
  /** {@link SNAPSHOT_FORMAT_VERSION} of the writer. */
  formatVersion: number;
  /** The resolved configuration, metric included. */
  config: ResolvedHnswConfig;
  /** Ids handed out (live and deleted). */
  numIds: number;
  /** Entry node of the top layer, −1 when empty. */
  entryPoint: number;
  /** Top layer of the graph (the entry point's level). */
  maxLevel: number;
  /** State of the level generator, so later inserts continue the same sequence. */
  rngState: number;
  vectors: Float32Array;
  levels: Uint8Array;
  links0: Int32Array;
  upperOffsets: Int32Array;
  upperLinks: Int32Array;
  deleted: Uint8Array;
}

function checkLength(field: string, array: { length: number } | undefined, expected: number): void {
  if (array === undefined || array === null) throw corruptData(`snapshot \`${field}\``, 'a typed array', array);
  if (array.length !== expected) {
    throw new LengthMismatchError(`snapshot \`${field}\`: expected length ${expected}, found ${array.length}`);
  }
}

function checkList(field: string, links: Int32Array, base: number, cap: number, numIds: number, minLevel: number, levels: Uint8Array): void {
  const count = links[base]!;
  if (count < 0 || count > cap) throw corruptData(`snapshot \`${field}[${base}]\``, `a link count from 0 to ${cap}`, count);
  for (let j = 1; j <= count; j++) {
    const nb = links[base + j]!;
    if (nb < 0 || nb >= numIds) throw corruptData(`snapshot \`${field}[${base + j}]\``, `a node id below ${numIds}`, nb);
    if (levels[nb]! < minLevel) throw corruptData(`snapshot \`${field}[${base + j}]\``, `a node of level ≥ ${minLevel}`, `node ${nb} of level ${levels[nb]}`);
  }
}

/**
 * Checks a snapshot completely (config, version, every length, offset and link).
 * @throws UnsupportedVersionError, CorruptDataError or LengthMismatchError naming the field
 */
export function validateSnapshot(snapshot: HnswSnapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null) {
    throw new InvalidArgumentError(`\`snapshot\` must be an object, got ${String(snapshot)}`);
  }
  if (snapshot.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    throw new UnsupportedVersionError(
      `snapshot format version ${String(snapshot.formatVersion)} is not supported (this build reads ${SNAPSHOT_FORMAT_VERSION})`,
      Number(snapshot.formatVersion) | 0,
      0,
    );
  }
  let config: ResolvedHnswConfig;
  try {
    config = resolveHnswConfig(snapshot.config);
  } catch (cause) {
    throw new CorruptDataError(`snapshot \`config\` is invalid: ${(cause as Error).message}`, { cause });
  }
  const n = snapshot.numIds;
  if (!Number.isInteger(n) || n < 0) throw corruptData('snapshot `numIds`', 'a non-negative integer', n);
  const { M } = config;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  checkLength('vectors', snapshot.vectors, n * vectorWords(config));
  checkLength('levels', snapshot.levels, n);
  checkLength('links0', snapshot.links0, n * stride0);
  checkLength('upperOffsets', snapshot.upperOffsets, n);
  checkLength('deleted', snapshot.deleted, n);
  if (!(snapshot.vectors instanceof Float32Array)) throw corruptData('snapshot `vectors`', 'a Float32Array', snapshot.vectors);
  if (!(snapshot.links0 instanceof Int32Array)) throw corruptData('snapshot `links0`', 'an Int32Array', snapshot.links0);
  if (!(snapshot.upperLinks instanceof Int32Array)) throw corruptData('snapshot `upperLinks`', 'an Int32Array', snapshot.upperLinks);
  if (!(snapshot.upperOffsets instanceof Int32Array)) throw corruptData('snapshot `upperOffsets`', 'an Int32Array', snapshot.upperOffsets);
  if (!(snapshot.levels instanceof Uint8Array)) throw corruptData('snapshot `levels`', 'a Uint8Array', snapshot.levels);
  if (!(snapshot.deleted instanceof Uint8Array)) throw corruptData('snapshot `deleted`', 'a Uint8Array', snapshot.deleted);
  if (!Number.isInteger(snapshot.rngState) || snapshot.rngState < 0 || snapshot.rngState > 0xffffffff) {
    throw corruptData('snapshot `rngState`', 'an unsigned 32-bit integer', snapshot.rngState);
  }
  const { levels, upperOffsets, upperLinks, links0, deleted, vectors } = snapshot;
  // Binary rows are bits, not numbers: any pattern is valid.
  for (let i = 0; i < vectors.length && !isBinaryMetric(config.distance); i++) {
    if (!Number.isFinite(vectors[i]!)) throw corruptData(`snapshot \`vectors[${i}]\``, 'a finite number', vectors[i]);
  }
  if (isBinaryMetric(config.distance)) {
    // The bytes of a row past dimension / 8 are padding the distances count: they must be zero.
    const words = vectorWords(config);
    const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
    for (let i = 0; i < n; i++) {
      for (let b = i * words * 4 + config.dimension / 8; b < (i + 1) * words * 4; b++) {
        if (bytes[b] !== 0) throw corruptData(`snapshot \`vectors\` row ${i} byte ${b - i * words * 4}`, 'zero (padding past the dimension)', bytes[b]);
      }
    }
  }
  let upperEnd = 0;
  for (let i = 0; i < n; i++) {
    const level = levels[i]!;
    const offset = upperOffsets[i]!;
    if (deleted[i]! > 1) throw corruptData(`snapshot \`deleted[${i}]\``, '0 or 1', deleted[i]);
    if (level === 0) {
      if (offset !== -1) throw corruptData(`snapshot \`upperOffsets[${i}]\``, '-1 (node of level 0)', offset);
    } else {
      if (offset < 0 || offset + level * strideUp > upperLinks.length) {
        throw corruptData(`snapshot \`upperOffsets[${i}]\``, `an offset with room for ${level} lists within ${upperLinks.length} ints`, offset);
      }
      upperEnd = Math.max(upperEnd, offset + level * strideUp);
    }
  }
  if (upperEnd !== upperLinks.length) {
    throw new LengthMismatchError(`snapshot \`upperLinks\`: expected length ${upperEnd} (from upperOffsets), found ${upperLinks.length}`);
  }
  for (let i = 0; i < n; i++) {
    checkList('links0', links0, i * stride0, 2 * M, n, 0, levels);
    const level = levels[i]!;
    for (let l = 1; l <= level; l++) checkList('upperLinks', upperLinks, upperOffsets[i]! + (l - 1) * strideUp, M, n, l, levels);
  }
  const { entryPoint, maxLevel } = snapshot;
  if (n === 0) {
    if (entryPoint !== -1) throw corruptData('snapshot `entryPoint`', '-1 for an empty index', entryPoint);
  } else {
    if (!Number.isInteger(entryPoint) || entryPoint < 0 || entryPoint >= n) throw corruptData('snapshot `entryPoint`', `a node id below ${n}`, entryPoint);
    if (maxLevel !== levels[entryPoint]) throw corruptData('snapshot `maxLevel`', `the entry point's level ${levels[entryPoint]}`, maxLevel);
  }
}

/**
 * Deletion files of a Lance dataset: `_deletions/<fragment id>-<read version>-<id>.arrow` (an Arrow
 * IPC file with one UInt32 column `row_id`, for small sets) or `.bin` (a portable Roaring bitmap,
 * for large sets). Both hold the offsets, inside their fragment, of the deleted rows. Here a
 * deletion set is an ascending, duplicate-free Uint32Array.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { randomBytes } from 'node:crypto';
import { CorruptDataError, NotSupportedError } from '@vego/format';
import type { DeletionFile } from '@vego/format';
import { readUint32ArrowFile, writeUint32ArrowFile } from './arrow-ipc-uint32';
import { checkRealInside, joinPath } from './dataset-paths';
import { fsError } from './fs-error';
import { deserializeRoaring, serializeRoaring } from './roaring';

/** Directory of deletion files inside a dataset. */
export const DELETIONS_DIR = '_deletions';

/** Sets of at least this many rows are written as Roaring `.bin` files (as Lance does), smaller ones as `.arrow`. */
export const BITMAP_THRESHOLD = 5000;

/** The path of a deletion file relative to the dataset directory. */
export function deletionFileName(fragmentId: number, d: DeletionFile): string {
  return `${fragmentId}-${d.readVersion}-${d.id.toString()}.${d.fileType === 'bitmap' ? 'bin' : 'arrow'}`;
}

/** Sorts in place and checks for duplicates and range. */
function normalise(values: Uint32Array, what: string, physicalRows: number): Uint32Array {
  values.sort();
  for (let i = 0; i < values.length; i++) {
    if (values[i]! >= physicalRows) throw new CorruptDataError(`${what}: expected row offsets below ${physicalRows} (the fragment's rows), found ${values[i]}`);
    if (i > 0 && values[i] === values[i - 1]) throw new CorruptDataError(`${what}: row offset ${values[i]} is listed twice`);
  }
  return values;
}

/**
 * Decodes a deletion file's bytes into the ascending deleted offsets (a new array).
 * @throws CorruptDataError for malformed bytes, offsets out of range, duplicates, or a count that
 *   disagrees with the manifest's `numDeletedRows` (when the manifest records one).
 */
export function decodeDeletionFile(bytes: Uint8Array, d: DeletionFile, what: string, physicalRows: number): Uint32Array {
  const values =
    d.fileType === 'bitmap' ? deserializeRoaring(bytes, what, physicalRows) : normalise(readUint32ArrowFile(bytes, what, physicalRows), what, physicalRows);
  if (d.numDeletedRows > 0 && values.length !== d.numDeletedRows) {
    throw new CorruptDataError(`${what}: expected ${d.numDeletedRows} deleted rows (from the manifest), found ${values.length}`);
  }
  return values;
}

/**
 * Reads and decodes the deletion file of a fragment (synchronously).
 * @throws NotFoundError/IoError when it cannot be read; CorruptDataError (naming the path) when it is
 *   malformed or resolves (a symlink) outside the dataset folder; NotSupportedError for deletion files in another base (`baseId`).
 */
export function readDeletionFileSync(dir: string, fragmentId: number, d: DeletionFile, physicalRows: number): Uint32Array {
  if (d.baseId !== undefined && d.baseId !== 0) throw new NotSupportedError(`fragment ${fragmentId}: deletion file in another base (base id ${d.baseId})`);
  const path = nodePath.join(dir, DELETIONS_DIR, deletionFileName(fragmentId, d));
  checkRealInside(dir, path, `deletion file of fragment ${fragmentId}`);
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw fsError(e, 'read deletion file', path);
  }
  return decodeDeletionFile(bytes, d, `deletion file '${path}'`, physicalRows);
}

/** A random 64-bit id, as Lance gives deletion files. */
function randomId(): bigint {
  return randomBytes(8).readBigUInt64LE(0);
}

/**
 * The deletion file of a fragment holding `deleted` (ascending, distinct), ready to be written
 * durably (O_EXCL) at `path`: `.arrow` below {@link BITMAP_THRESHOLD} rows, Roaring `.bin` from there on.
 * @returns the manifest entry, the file's path and its bytes.
 */
export function encodeDeletionFile(dir: string, fragmentId: number, readVersion: number, deleted: Uint32Array): { file: DeletionFile; path: string; bytes: Uint8Array } {
  const bitmap = deleted.length >= BITMAP_THRESHOLD;
  const file: DeletionFile = { fileType: bitmap ? 'bitmap' : 'arrow_array', readVersion, id: randomId(), numDeletedRows: deleted.length };
  const path = joinPath(dir, DELETIONS_DIR, deletionFileName(fragmentId, file));
  return { file, path, bytes: bitmap ? serializeRoaring(deleted) : writeUint32ArrowFile(deleted) };
}

/** The union of two ascending, distinct sets (a new array). */
export function unionSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) (out[n++] = x), i++;
    else if (y < x) (out[n++] = y), j++;
    else (out[n++] = x), i++, j++;
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return n === out.length ? out : out.slice(0, n);
}

/**
 * The physical offset of the `live`-th surviving row of a fragment whose deleted offsets are
 * `deleted` (ascending). Binary search over `deleted[j] - j` (live rows before each deleted one).
 */
export function liveToPhysical(deleted: Uint32Array, live: number): number {
  let lo = 0;
  let hi = deleted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (deleted[mid]! - mid <= live) lo = mid + 1;
    else hi = mid;
  }
  return live + lo;
}

/** Number of entries of ascending `deleted` below `physical`. */
export function deletedBefore(deleted: Uint32Array, physical: number): number {
  let lo = 0;
  let hi = deleted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (deleted[mid]! < physical) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Deletion files of a Lance dataset on the file system, and deletion-set arithmetic. The files'
 * bytes (`.arrow` Arrow IPC, `.bin` Roaring) are @vego/format's (`packages/format/src/deletion/`);
 * here they are read, named with a random id, and combined. A deletion set is an ascending,
 * duplicate-free Uint32Array.
 */
import { NotSupportedError, decodeDeletionFile, deletionFileName, encodeDeletionFile as encodeDeletionBytes } from '@vego/format';
import type { DeletionFile } from '@vego/format';
import { checkRealInside, joinPath } from './dataset-paths';
import { fsError } from './fs-error';
import * as fs from './local-fs';

/** Directory of deletion files inside a dataset. */
export const DELETIONS_DIR = '_deletions';

/**
 * Reads and decodes the deletion file of a fragment (synchronously).
 * @throws NotFoundError/IoError when it cannot be read; CorruptDataError (naming the path) when it is
 *   malformed or resolves (a symlink) outside the dataset folder; NotSupportedError for deletion files in another base (`baseId`).
 */
export function readDeletionFileSync(dir: string, fragmentId: number, d: DeletionFile, physicalRows: number): Uint32Array {
  if (d.baseId !== undefined && d.baseId !== 0) throw new NotSupportedError(`fragment ${fragmentId}: deletion file in another base (base id ${d.baseId})`);
  const path = fs.joinLocal(dir, DELETIONS_DIR, deletionFileName(fragmentId, d));
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
  return fs.randomU64();
}

/**
 * The deletion file of a fragment holding `deleted` (ascending, distinct), ready to be written
 * durably (O_EXCL) at `path`: `.arrow` below 5,000 rows, Roaring `.bin` from there on (format's
 * `encodeDeletionFile`).
 * @returns the manifest entry, the file's path and its bytes.
 */
export function encodeDeletionFile(dir: string, fragmentId: number, readVersion: number, deleted: Uint32Array): { file: DeletionFile; path: string; bytes: Uint8Array } {
  const { fileType, bytes } = encodeDeletionBytes(deleted);
  const file: DeletionFile = { fileType, readVersion, id: randomId(), numDeletedRows: deleted.length };
  const path = joinPath(dir, DELETIONS_DIR, deletionFileName(fragmentId, file));
  return { file, path, bytes };
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

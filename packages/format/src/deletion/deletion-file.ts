/**
 * Lance deletion files: the row offsets, inside one fragment, of the fragment's deleted rows. Lance
 * names them `_deletions/<fragment id>-<read version>-<id>.arrow` (an Arrow IPC file with one UInt32
 * column `row_id`, see ./arrow-ipc-uint32, for small sets) or `.bin` (a portable Roaring bitmap, see
 * ./roaring, for large sets); the manifest's `DeletionFile` entry says which. Here a deletion set is
 * an ascending, duplicate-free Uint32Array. Bytes in, bytes out: reading and writing the files is the
 * caller's (@vego/io's) job.
 */
import { CorruptDataError } from '@vego/encoding';
import type { DeletionFile } from '../manifest';
import { readUint32ArrowFile, writeUint32ArrowFile } from './arrow-ipc-uint32';
import { deserializeRoaring, serializeRoaring } from './roaring';

/** Sets of at least this many rows are written as Roaring `.bin` files (as Lance does), smaller ones as `.arrow`. */
export const DELETION_BITMAP_THRESHOLD = 5000;

/**
 * The name of a fragment's deletion file inside the dataset's `_deletions/` folder, as Lance names it.
 * @example
 * ```ts
 * deletionFileName(3, { fileType: 'arrow_array', readVersion: 7, id: 42n, numDeletedRows: 2 }); // '3-7-42.arrow'
 * ```
 */
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
 * Decodes a deletion file's bytes into the ascending deleted offsets (a new array). Lance writes the
 * `.arrow` offsets in hash order, so they are sorted here; every offset must lie below `physicalRows`.
 * ZSTD-compressed `.arrow` files (LanceDB's) need `initZstd()` to have finished.
 * @param what - names the file in error messages.
 * @param physicalRows - the fragment's rows (bounds the offsets and the count, before any allocation).
 * @throws CorruptDataError for malformed bytes, offsets out of range, duplicates, or a count that
 *   disagrees with the manifest's `numDeletedRows` (when the manifest records one);
 *   ZstdNotInitializedError for a compressed `.arrow` file before `initZstd()`.
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
 * The bytes of a deletion file holding `deleted` (ascending, distinct): an `.arrow` file (`arrow_array`)
 * below {@link DELETION_BITMAP_THRESHOLD} rows, a Roaring `.bin` (`bitmap`) from there on, as Lance chooses.
 * @example
 * ```ts
 * const { fileType, bytes } = encodeDeletionFile(Uint32Array.from([3, 7])); // 'arrow_array', 546 bytes
 * ```
 */
export function encodeDeletionFile(deleted: Uint32Array): { fileType: DeletionFile['fileType']; bytes: Uint8Array } {
  return deleted.length >= DELETION_BITMAP_THRESHOLD
    ? { fileType: 'bitmap', bytes: serializeRoaring(deleted) }
    : { fileType: 'arrow_array', bytes: writeUint32ArrowFile(deleted) };
}

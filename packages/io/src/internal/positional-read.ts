/**
 * Positional reads that fill a whole buffer, in calls of at most {@link MAX_READ_CALL_BYTES}.
 *
 * Node's `fs.readSync` and `FileHandle.read` truncate `length` to a signed 32-bit integer
 * (`length |= 0`), so one call for 2 GiB or more fails as `"length" is out of range … Received -2`
 * (4 GiB − 2 bytes) or `-2147483648` (2 GiB). Reading in calls of at most 1 GiB lifts that limit;
 * what remains is the largest buffer Node can allocate ({@link MAX_READ_BYTES}), which
 * `checkRange` enforces up front with NotSupportedError.
 */
import * as fs from 'node:fs';
import type * as fsp from 'node:fs/promises';
import { fsError } from './fs-error';
import { unexpectedEof } from './range-check';

/** Most bytes asked of one read call: 1 GiB, well below the 2^31 − 1 that Node's `length |= 0` keeps intact. */
export const MAX_READ_CALL_BYTES = 1 << 30;

/**
 * Fills `target` from `fd` at `position` (sync), in calls of at most `maxCallBytes`.
 * @throws CorruptDataError when the file ends early; IoError when a read fails.
 */
export function readFullySync(fd: number, target: Uint8Array, position: number, path: string, maxCallBytes = MAX_READ_CALL_BYTES): void {
  const total = target.byteLength;
  let done = 0;
  while (done < total) {
    let n: number;
    try {
      n = fs.readSync(fd, target, done, Math.min(total - done, maxCallBytes), position + done);
    } catch (e) {
      throw fsError(e, 'read', path);
    }
    if (n === 0) throw unexpectedEof(path, position + done, total - done);
    done += n;
  }
}

/** Asynchronous form of {@link readFullySync}, through a `FileHandle`. */
export async function readFullyAsync(handle: fsp.FileHandle, target: Uint8Array, position: number, path: string, maxCallBytes = MAX_READ_CALL_BYTES): Promise<void> {
  const total = target.byteLength;
  let done = 0;
  while (done < total) {
    let n: number;
    try {
      ({ bytesRead: n } = await handle.read(target, done, Math.min(total - done, maxCallBytes), position + done));
    } catch (e) {
      throw fsError(e, 'read', path);
    }
    if (n === 0) throw unexpectedEof(path, position + done, total - done);
    done += n;
  }
}

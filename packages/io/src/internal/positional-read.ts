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

/** Most buffers handed to one `readv` call (Linux's IOV_MAX). */
const MAX_IOVECS = 1024;

/**
 * The buffers of one scatter read call: `targets[i]` from byte `off` on, then the following non-empty
 * targets, at most {@link MAX_IOVECS} of them.
 */
function iovecs(targets: readonly Uint8Array[], i: number, off: number): Uint8Array[] {
  const batch: Uint8Array[] = [off > 0 ? targets[i]!.subarray(off) : targets[i]!];
  for (let k = i + 1; k < targets.length && batch.length < MAX_IOVECS; k++) if (targets[k]!.byteLength > 0) batch.push(targets[k]!);
  return batch;
}

/**
 * Fills `targets`, in order, with the consecutive bytes of `fd` from `position` on (sync scatter read,
 * `readv`), calling again after short reads.
 * @throws CorruptDataError when the file ends early; IoError when a read fails.
 */
export function readScatterFullySync(fd: number, targets: readonly Uint8Array[], position: number, path: string): void {
  let i = 0;
  let off = 0;
  let pos = position;
  for (;;) {
    while (i < targets.length && off === targets[i]!.byteLength) {
      i++;
      off = 0;
    }
    if (i === targets.length) return;
    let n: number;
    try {
      n = fs.readvSync(fd, iovecs(targets, i, off), pos);
    } catch (e) {
      throw fsError(e, 'read', path);
    }
    if (n === 0) throw unexpectedEof(path, pos, targets[i]!.byteLength - off);
    pos += n;
    // Step over the bytes read: whole targets, then part of one.
    while (n > 0 && i < targets.length) {
      const left = targets[i]!.byteLength - off;
      if (n < left) {
        off += n;
        n = 0;
      } else {
        n -= left;
        i++;
        off = 0;
      }
    }
  }
}

/** Asynchronous form of {@link readScatterFullySync}, through a `FileHandle`. */
export async function readScatterFullyAsync(handle: fsp.FileHandle, targets: readonly Uint8Array[], position: number, path: string): Promise<void> {
  let i = 0;
  let off = 0;
  let pos = position;
  for (;;) {
    while (i < targets.length && off === targets[i]!.byteLength) {
      i++;
      off = 0;
    }
    if (i === targets.length) return;
    let n: number;
    try {
      ({ bytesRead: n } = await handle.readv(iovecs(targets, i, off), pos));
    } catch (e) {
      throw fsError(e, 'read', path);
    }
    if (n === 0) throw unexpectedEof(path, pos, targets[i]!.byteLength - off);
    pos += n;
    while (n > 0 && i < targets.length) {
      const left = targets[i]!.byteLength - off;
      if (n < left) {
        off += n;
        n = 0;
      } else {
        n -= left;
        i++;
        off = 0;
      }
    }
  }
}

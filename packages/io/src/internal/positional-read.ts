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
 * Where a scatter read stands in its targets: target `i`, byte `off` of it, file position `pos`.
 * Shared by the sync and async forms, which differ only in how they call `readv`.
 */
class ScatterCursor {
  i = 0;
  off = 0;
  constructor(
    readonly targets: readonly Uint8Array[],
    public pos: number,
  ) {}

  /** Skips filled (or empty) targets; true once every target is full. */
  done(): boolean {
    const t = this.targets;
    while (this.i < t.length && this.off === t[this.i]!.byteLength) {
      this.i++;
      this.off = 0;
    }
    return this.i === t.length;
  }

  /** The buffers of the next `readv` call. */
  next(): Uint8Array[] {
    return iovecs(this.targets, this.i, this.off);
  }

  /** Steps over `n` bytes just read (whole targets, then part of one). */
  advance(n: number, path: string): void {
    if (n === 0) throw unexpectedEof(path, this.pos, this.targets[this.i]!.byteLength - this.off);
    this.pos += n;
    const t = this.targets;
    while (n > 0 && this.i < t.length) {
      const left = t[this.i]!.byteLength - this.off;
      if (n < left) {
        this.off += n;
        n = 0;
      } else {
        n -= left;
        this.i++;
        this.off = 0;
      }
    }
  }
}

/**
 * Fills `targets`, in order, with the consecutive bytes of `fd` from `position` on (sync scatter read,
 * `readv`), calling again after short reads.
 * @throws CorruptDataError when the file ends early; IoError when a read fails.
 */
export function readScatterFullySync(fd: number, targets: readonly Uint8Array[], position: number, path: string): void {
  const c = new ScatterCursor(targets, position);
  while (!c.done()) {
    let n: number;
    try {
      n = fs.readvSync(fd, c.next(), c.pos);
    } catch (e) {
      throw fsError(e, 'read', path);
    }
    c.advance(n, path);
  }
}

/** Asynchronous form of {@link readScatterFullySync}, through a `FileHandle`. */
export async function readScatterFullyAsync(handle: fsp.FileHandle, targets: readonly Uint8Array[], position: number, path: string): Promise<void> {
  const c = new ScatterCursor(targets, position);
  while (!c.done()) {
    let n: number;
    try {
      ({ bytesRead: n } = await handle.readv(c.next(), c.pos));
    } catch (e) {
      throw fsError(e, 'read', path);
    }
    c.advance(n, path);
  }
}

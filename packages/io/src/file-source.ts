/**
 * Synchronous random access to a file through positional `fs.readSync`: no seek state, so any
 * number of readers can share one `FileSource`. Implements @vego/format's `SyncByteSource`.
 */
import * as fs from 'node:fs';
import { BlockCache } from './block-cache';
import { fsError } from './internal/fs-error';
import { allocBytes, checkRange } from './internal/range-check';
import { readFullySync, readScatterFullySync } from './internal/positional-read';
import type { SyncByteSource } from '@vego/format';
import { readThroughCacheSync } from './internal/block-reads';
import { closeWhenDropped, forgetDescriptor } from './internal/dropped-files';

/** Options of {@link FileSource.openSync}. */
export interface FileSourceOptions {
  /** A block cache to read through (may be shared with other sources). Default: no cache. */
  cache?: BlockCache;
}

/**
 * A read-only file opened for positional reads.
 * @example
 * ```ts
 * const src = FileSource.openSync('/data/x.lance');
 * const footer = src.readSync(src.byteLength - 40, 40); // copy, owned by the caller
 * src.close();
 * ```
 */
export class FileSource implements SyncByteSource {
  /** The path given to {@link FileSource.openSync}. */
  readonly path: string;
  /** Length of the file in bytes when it was opened. */
  readonly byteLength: number;
  private fd: number;
  private readonly cache: BlockCache | null;
  private readonly cacheKey: number;

  private constructor(path: string, fd: number, byteLength: number, cache: BlockCache | null) {
    this.path = path;
    this.fd = fd;
    this.byteLength = byteLength;
    this.cache = cache;
    this.cacheKey = cache === null ? 0 : cache.newSourceKey();
    closeWhenDropped(this, fd);
  }

  /**
   * Opens a file for reading.
   * @throws NotFoundError when the file does not exist; IoError (with `.path`) when it cannot be
   *   opened (permissions, a directory, …).
   */
  static openSync(path: string, options: FileSourceOptions = {}): FileSource {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      throw fsError(e, 'open', path);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new Error('not a regular file');
      return new FileSource(path, fd, st.size, options.cache ?? null);
    } catch (e) {
      fs.closeSync(fd);
      throw fsError(e, 'open', path);
    }
  }

  /** True until {@link FileSource.close} is called. */
  get isOpen(): boolean {
    return this.fd >= 0;
  }

  /**
   * Reads exactly `byteLength` bytes at `byteOffset`. Without a cache the result is a fresh copy owned
   * by the caller; with a cache it may be a view of a shared cached block (do not modify it).
   * @throws CorruptDataError when the range runs past the end of the file; NotSupportedError for a
   *   range longer than Node's largest buffer (4 GiB on Node 20, `buffer.constants.MAX_LENGTH`);
   *   IoError on a failed read.
   */
  readSync(byteOffset: number, byteLength: number): Uint8Array {
    checkRange(byteOffset, byteLength, this.byteLength, this.path);
    if (byteLength === 0) return new Uint8Array(0);
    if (this.cache !== null) {
      return readThroughCacheSync(this.cache, this.cacheKey, byteOffset, byteLength, this.byteLength, (pos, len) => {
        const block = allocBytes(len);
        this.readIntoSync(pos, block);
        return block;
      });
    }
    const out = allocBytes(byteLength);
    this.readIntoSync(byteOffset, out);
    return out;
  }

  /**
   * Fills `target` with the bytes at `byteOffset` (the caller supplies the buffer; no cache).
   * @returns the number of bytes read, always `target.byteLength`.
   * @throws CorruptDataError when the file ends early; IoError on a failed read or a closed source.
   */
  readIntoSync(byteOffset: number, target: Uint8Array): number {
    checkRange(byteOffset, target.byteLength, this.byteLength, this.path);
    readFullySync(this.openFd(), target, byteOffset, this.path);
    return target.byteLength;
  }

  /**
   * Fills `targets`, in order, with the consecutive bytes from `byteOffset` on: one `readv` straight
   * into the caller's buffers without a cache; with a cache the range is read through it and copied.
   * @throws CorruptDataError when the range runs past the end of the file; IoError on a failed read or a closed source.
   */
  readScatterSync(byteOffset: number, targets: readonly Uint8Array[]): void {
    let byteLength = 0;
    for (const t of targets) byteLength += t.byteLength;
    checkRange(byteOffset, byteLength, this.byteLength, this.path);
    if (byteLength === 0) return;
    if (this.cache !== null) {
      const bytes = this.readSync(byteOffset, byteLength);
      let at = 0;
      for (const t of targets) {
        t.set(bytes.subarray(at, at + t.byteLength));
        at += t.byteLength;
      }
      return;
    }
    readScatterFullySync(this.openFd(), targets, byteOffset, this.path);
  }

  /** Closes the file and drops its cached blocks. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    forgetDescriptor(this);
    if (this.cache !== null) this.cache.deleteSource(this.cacheKey);
    try {
      fs.closeSync(fd);
    } catch (e) {
      throw fsError(e, 'close', this.path);
    }
  }

  private openFd(): number {
    if (this.fd < 0) throw fsError(new Error('the source is closed'), 'read', this.path);
    return this.fd;
  }
}

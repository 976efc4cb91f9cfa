/**
 * Asynchronous random access to a file through `FileHandle.read` at a position. Reads are coalesced
 * and the number in flight is bounded (see {@link AsyncFileSourceOptions}); results are views of the
 * buffers the file was read into, never copies, also through the block cache when the blocks of a
 * range lie next to each other in memory (blocks read together do). Implements @vego/format's
 * `AsyncByteSource`.
 */
import * as fsp from 'node:fs/promises';
import type { BlockCache } from './block-cache';
import type { AsyncByteSource } from '@vego/format';
import { fsError } from './internal/fs-error';
import { readFullyAsync, readScatterFullyAsync } from './internal/positional-read';
import { ScheduledSource, schedulerOptions, type ScheduledSourceStats } from './internal/scheduled-source';
import type { ReadSchedulerOptions } from './internal/read-scheduler';
import { closeHandleWhenDropped, forgetHandle } from './internal/dropped-files';

/** Options of {@link AsyncFileSource.open}. */
export interface AsyncFileSourceOptions {
  /** A block cache to read through (may be shared). Default: no cache. */
  cache?: BlockCache;
  /**
   * Most file reads in flight at once. Default 4 (the size of libuv's thread pool; 8 was slower for 8
   * concurrent column reads on 2 cores: more fresh buffers being filled at once).
   */
  maxInFlight?: number;
  /** Requests this close (in bytes) to the previous one are merged into one read. Default 16 KiB. */
  coalesceGapBytes?: number;
  /** Upper bound of a merged read. Default 16 MiB. */
  maxMergedBytes?: number;
  /** A merged read is issued as parallel reads of at most this many bytes into one buffer. Default 1 MiB. */
  chunkBytes?: number;
}

/** Threads of libuv's pool, which runs the file reads (`UV_THREADPOOL_SIZE`, default 4). */
const POOL_THREADS = Math.max(1, Math.min(1024, Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10) || 4));

/** File reads are cut into chunks only while fewer wait than there are pool threads (and slots) to run them. */
function withPoolSplit(o: ReadSchedulerOptions): ReadSchedulerOptions {
  return { ...o, splitBelowReads: Math.min(o.maxInFlight, POOL_THREADS) };
}

/** Counters of an {@link AsyncFileSource}. */
export type AsyncFileSourceStats = ScheduledSourceStats;

/**
 * A read-only file for concurrent asynchronous reads.
 * @example
 * ```ts
 * const src = await AsyncFileSource.open('/data/x.lance', { cache: new BlockCache() });
 * const [a, b] = await Promise.all([src.read(0, 4096), src.read(4096, 4096)]); // one file read
 * await src.close();
 * ```
 */
export class AsyncFileSource extends ScheduledSource implements AsyncByteSource {
  private handle: fsp.FileHandle | null;

  private constructor(path: string, handle: fsp.FileHandle, byteLength: number, options: AsyncFileSourceOptions) {
    super(
      path,
      byteLength,
      options.cache,
      withPoolSplit(schedulerOptions(options, { maxInFlight: 4, coalesceGapBytes: 16 * 1024, maxMergedBytes: 16 * 1024 * 1024, chunkBytes: 1024 * 1024 })),
      true,
    );
    this.handle = handle;
    closeHandleWhenDropped(this, handle);
  }

  /**
   * Opens a file for asynchronous reading.
   * @throws NotFoundError when the file does not exist; IoError (with `.path`) when it cannot be opened;
   *   InvalidArgumentError for bad options.
   */
  static async open(path: string, options: AsyncFileSourceOptions = {}): Promise<AsyncFileSource> {
    schedulerOptions(options, { maxInFlight: 1, coalesceGapBytes: 0, maxMergedBytes: 1, chunkBytes: 1 }); // checked before opening
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(path, 'r');
    } catch (e) {
      throw fsError(e, 'open', path);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new Error('not a regular file');
      return new AsyncFileSource(path, handle, st.size, options);
    } catch (e) {
      await handle.close();
      throw fsError(e, 'open', path);
    }
  }

  /** Waits for reads in flight, closes the file and drops its cached blocks. Idempotent. */
  async close(): Promise<void> {
    const handle = this.handle;
    if (handle === null) return;
    await this.shutDown();
    this.handle = null;
    forgetHandle(this);
    try {
      await handle.close();
    } catch (e) {
      throw fsError(e, 'close', this.path);
    }
  }

  protected override closedError(): Error {
    return fsError(new Error('the source is closed'), 'read', this.path);
  }

  protected override async readFully(target: Uint8Array, position: number): Promise<void> {
    const handle = this.handle;
    if (handle === null) throw this.closedError();
    await readFullyAsync(handle, target, position, this.path);
  }

  protected override async readScatterFully(targets: readonly Uint8Array[], position: number): Promise<void> {
    const handle = this.handle;
    if (handle === null) throw this.closedError();
    await readScatterFullyAsync(handle, targets, position, this.path);
  }
}

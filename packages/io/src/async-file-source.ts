/**
 * Asynchronous random access to a file through `FileHandle.read` at a position. Reads are coalesced
 * and the number in flight is bounded (see {@link AsyncFileSourceOptions}); results are views of the
 * buffers the file was read into, never copies, unless a read through the block cache spans several
 * blocks. Implements @vego/format's `AsyncByteSource`.
 */
import * as fsp from 'node:fs/promises';
import { InvalidArgumentError } from '@vego/format';
import type { BlockCache } from './block-cache';
import { assemble } from './internal/block-reads';
import type { AsyncByteSource } from '@vego/format';
import { fsError } from './internal/fs-error';
import { checkRange, unexpectedEof } from './internal/range-check';
import { ReadScheduler, type ReadSchedulerStats } from './internal/read-scheduler';

/** Options of {@link AsyncFileSource.open}. */
export interface AsyncFileSourceOptions {
  /** A block cache to read through (may be shared). Default: no cache. */
  cache?: BlockCache;
  /** Most file reads in flight at once. Default 4 (the size of libuv's thread pool). */
  maxInFlight?: number;
  /** Requests this close (in bytes) to the previous one are merged into one read. Default 16 KiB. */
  coalesceGapBytes?: number;
  /** Upper bound of a merged read. Default 16 MiB. */
  maxMergedBytes?: number;
  /** A merged read is issued as parallel reads of at most this many bytes into one buffer. Default 1 MiB. */
  chunkBytes?: number;
}

/** Counters of an {@link AsyncFileSource}. */
export interface AsyncFileSourceStats extends ReadSchedulerStats {
  /** Block-cache lookups answered without reading the file (0 without a cache). */
  cachedBlocks: number;
  /** Blocks that another concurrent read of this source was already fetching. */
  sharedBlocks: number;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`\`${name}\` must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * A read-only file for concurrent asynchronous reads.
 * @example
 * ```ts
 * const src = await AsyncFileSource.open('/data/x.lance', { cache: new BlockCache() });
 * const [a, b] = await Promise.all([src.read(0, 4096), src.read(4096, 4096)]); // one file read
 * await src.close();
 * ```
 */
export class AsyncFileSource implements AsyncByteSource {
  /** The path given to {@link AsyncFileSource.open}. */
  readonly path: string;
  /** Length of the file in bytes when it was opened. */
  readonly byteLength: number;
  private handle: fsp.FileHandle | null;
  private readonly scheduler: ReadScheduler;
  private readonly cache: BlockCache | null;
  private readonly cacheKey: number;
  private readonly loading = new Map<number, Promise<Uint8Array>>();
  private cachedBlocks = 0;
  private sharedBlocks = 0;

  private constructor(path: string, handle: fsp.FileHandle, byteLength: number, options: AsyncFileSourceOptions) {
    this.path = path;
    this.handle = handle;
    this.byteLength = byteLength;
    this.cache = options.cache ?? null;
    this.cacheKey = this.cache === null ? 0 : this.cache.newSourceKey();
    this.scheduler = new ReadScheduler(this.readFully, {
      maxInFlight: positiveInt('maxInFlight', options.maxInFlight ?? 4),
      coalesceGapBytes: options.coalesceGapBytes ?? 16 * 1024,
      maxMergedBytes: positiveInt('maxMergedBytes', options.maxMergedBytes ?? 16 * 1024 * 1024),
      chunkBytes: positiveInt('chunkBytes', options.chunkBytes ?? 1024 * 1024),
    });
  }

  /**
   * Opens a file for asynchronous reading.
   * @throws NotFoundError when the file does not exist; IoError (with `.path`) when it cannot be opened;
   *   InvalidArgumentError for bad options.
   */
  static async open(path: string, options: AsyncFileSourceOptions = {}): Promise<AsyncFileSource> {
    if (options.coalesceGapBytes !== undefined && (!Number.isSafeInteger(options.coalesceGapBytes) || options.coalesceGapBytes < 0)) {
      throw new InvalidArgumentError(`\`coalesceGapBytes\` must be a non-negative integer, got ${options.coalesceGapBytes}`);
    }
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

  /**
   * Reads exactly `byteLength` bytes at `byteOffset`. The result is a view: of the buffer a coalesced
   * read filled (shared with neighbouring requests), or of a cached block (do not modify it); a
   * range spanning several cache blocks is one copy.
   * @throws CorruptDataError when the range runs past the end of the file; IoError on a failed read.
   */
  read(byteOffset: number, byteLength: number): Promise<Uint8Array> {
    try {
      checkRange(byteOffset, byteLength, this.byteLength, this.path);
      if (this.handle === null) throw fsError(new Error('the source is closed'), 'read', this.path);
    } catch (e) {
      return Promise.reject(e);
    }
    if (byteLength === 0) return Promise.resolve(new Uint8Array(0));
    if (this.cache === null) return this.scheduler.request(byteOffset, byteLength);
    return this.readCached(byteOffset, byteLength, this.cache);
  }

  /** Counters: requests, file reads, bytes read, peak concurrency, cache and sharing hits. */
  stats(): AsyncFileSourceStats {
    return { ...this.scheduler.stats(), cachedBlocks: this.cachedBlocks, sharedBlocks: this.sharedBlocks };
  }

  /** Waits for reads in flight, closes the file and drops its cached blocks. Idempotent. */
  async close(): Promise<void> {
    const handle = this.handle;
    if (handle === null) return;
    await this.scheduler.whenIdle();
    this.handle = null;
    if (this.cache !== null) this.cache.deleteSource(this.cacheKey);
    try {
      await handle.close();
    } catch (e) {
      throw fsError(e, 'close', this.path);
    }
  }

  private async readCached(byteOffset: number, byteLength: number, cache: BlockCache): Promise<Uint8Array> {
    const B = cache.blockBytes;
    const first = Math.floor(byteOffset / B);
    const last = Math.floor((byteOffset + byteLength - 1) / B);
    const parts: (Uint8Array | Promise<Uint8Array>)[] = new Array(last - first + 1);
    let runStart = -1;
    for (let b = first; b <= last + 1; b++) {
      let found: Uint8Array | Promise<Uint8Array> | undefined;
      if (b <= last) {
        found = this.loading.get(b);
        if (found !== undefined) this.sharedBlocks++;
        else {
          found = cache.get(this.cacheKey, b);
          if (found !== undefined) this.cachedBlocks++;
        }
        if (found === undefined) {
          if (runStart < 0) runStart = b;
          continue;
        }
      }
      if (runStart >= 0) this.fetchRun(runStart, b, first, parts, cache);
      runStart = -1;
      if (found !== undefined) parts[b - first] = found;
    }
    const blocks = await Promise.all(parts);
    return assemble(blocks, first, B, byteOffset, byteLength);
  }

  /** Starts one read for blocks [runStart, runEnd) and registers a promise per block. */
  private fetchRun(
    runStart: number,
    runEnd: number,
    first: number,
    parts: (Uint8Array | Promise<Uint8Array>)[],
    cache: BlockCache,
  ): void {
    const B = cache.blockBytes;
    const pos = runStart * B;
    const end = Math.min(runEnd * B, this.byteLength);
    const run = this.scheduler.request(pos, end - pos);
    for (let r = runStart; r < runEnd; r++) {
      const i = r - runStart;
      const p = run.then(
        (bytes) => {
          const view = bytes.subarray(i * B, Math.min((i + 1) * B, bytes.byteLength));
          cache.set(this.cacheKey, r, view);
          this.loading.delete(r);
          return view;
        },
        (e: unknown) => {
          this.loading.delete(r);
          throw e;
        },
      );
      this.loading.set(r, p);
      parts[r - first] = p;
    }
  }

  private readonly readFully = async (target: Uint8Array, position: number): Promise<void> => {
    const handle = this.handle;
    if (handle === null) throw fsError(new Error('the source is closed'), 'read', this.path);
    let done = 0;
    const total = target.byteLength;
    while (done < total) {
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(target, done, total - done, position + done));
      } catch (e) {
        throw fsError(e, 'read', this.path);
      }
      if (n === 0) throw unexpectedEof(this.path, position + done, total - done);
      done += n;
    }
  };
}

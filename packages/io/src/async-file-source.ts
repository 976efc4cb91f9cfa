/**
 * Asynchronous random access to a file through `FileHandle.read` at a position. Reads are coalesced
 * and the number in flight is bounded (see {@link AsyncFileSourceOptions}); results are views of the
 * buffers the file was read into, never copies, also through the block cache when the blocks of a
 * range lie next to each other in memory (blocks read together do). Implements @vego/format's
 * `AsyncByteSource`.
 */
import * as fsp from 'node:fs/promises';
import { InvalidArgumentError } from '@vego/format';
import type { BlockCache } from './block-cache';
import { assemble, cacheBypassBytes } from './internal/block-reads';
import type { AsyncByteSource } from '@vego/format';
import { fsError } from './internal/fs-error';
import { checkRange } from './internal/range-check';
import { readFullyAsync } from './internal/positional-read';
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

/** A run of blocks being read: blocks [firstBlock, endBlock), resolving with the bytes of the run (a view). */
interface RunLoad {
  firstBlock: number;
  endBlock: number;
  bytes: Promise<Uint8Array>;
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
  private readonly loading = new Map<number, RunLoad>();
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
   * read filled (shared with neighbouring requests), or of cached blocks (do not modify it). A range
   * spanning cached blocks that were read separately is copied once, and the copy replaces those
   * blocks in the cache, so reading it again gives a view.
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
    if (this.cache === null || byteLength > cacheBypassBytes(this.cache)) return this.scheduler.request(byteOffset, byteLength);
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

  /**
   * Maps the range onto cache blocks: hits are taken as they are, blocks another read is loading are
   * waited for, and each run of missing blocks is one scheduler request (so runs of concurrent readers
   * coalesce into one file read and their blocks end up adjacent in one buffer). When every block is
   * cached, no promise is awaited per block.
   */
  private readCached(byteOffset: number, byteLength: number, cache: BlockCache): Promise<Uint8Array> {
    const B = cache.blockBytes;
    const first = Math.floor(byteOffset / B);
    const last = Math.floor((byteOffset + byteLength - 1) / B);
    const blocks: Uint8Array[] = new Array<Uint8Array>(last - first + 1);
    let waits: RunLoad[] | null = null;
    let runStart = -1;
    for (let b = first; b <= last + 1; b++) {
      let load: RunLoad | undefined;
      if (b <= last) {
        load = this.loading.get(b);
        if (load !== undefined) this.sharedBlocks++;
        else {
          const hit = cache.get(this.cacheKey, b);
          if (hit === undefined) {
            if (runStart < 0) runStart = b;
            continue;
          }
          this.cachedBlocks++;
          blocks[b - first] = hit;
        }
      }
      if (runStart >= 0) {
        if (waits === null) waits = [];
        waits.push(this.fetchRun(runStart, b, cache));
        runStart = -1;
      }
      if (load !== undefined) {
        if (waits === null) waits = [];
        if (waits[waits.length - 1] !== load) waits.push(load);
      }
    }
    if (waits === null) {
      try {
        return Promise.resolve(assemble(blocks, first, byteOffset, byteLength, cache, this.cacheKey));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.awaitRuns(waits, blocks, first, last, byteOffset, byteLength, cache);
  }

  private async awaitRuns(
    waits: RunLoad[],
    blocks: Uint8Array[],
    first: number,
    last: number,
    byteOffset: number,
    byteLength: number,
    cache: BlockCache,
  ): Promise<Uint8Array> {
    const B = cache.blockBytes;
    // All at once, so that every failed run is observed (no unhandled rejection).
    const runs = await Promise.all(waits.map((w) => w.bytes));
    for (let i = 0; i < waits.length; i++) {
      const w = waits[i]!;
      const bytes = runs[i]!;
      const from = Math.max(first, w.firstBlock);
      const to = Math.min(last + 1, w.endBlock);
      for (let r = from; r < to; r++) {
        const at = (r - w.firstBlock) * B;
        blocks[r - first] = bytes.subarray(at, Math.min(at + B, bytes.byteLength));
      }
    }
    return assemble(blocks, first, byteOffset, byteLength, cache, this.cacheKey);
  }

  /** Starts one read for blocks [runStart, runEnd), registered for each of its blocks until it settles. */
  private fetchRun(runStart: number, runEnd: number, cache: BlockCache): RunLoad {
    const B = cache.blockBytes;
    const pos = runStart * B;
    const end = Math.min(runEnd * B, this.byteLength);
    const load: RunLoad = { firstBlock: runStart, endBlock: runEnd, bytes: this.scheduler.request(pos, end - pos) };
    const settle = (): void => {
      for (let r = runStart; r < runEnd; r++) if (this.loading.get(r) === load) this.loading.delete(r);
    };
    load.bytes = load.bytes.then(
      (bytes) => {
        settle();
        for (let r = runStart; r < runEnd; r++) {
          const at = (r - runStart) * B;
          cache.set(this.cacheKey, r, bytes.subarray(at, Math.min(at + B, bytes.byteLength)));
        }
        return bytes;
      },
      (e: unknown) => {
        settle();
        throw e;
      },
    );
    for (let r = runStart; r < runEnd; r++) this.loading.set(r, load);
    return load;
  }

  private readonly readFully = async (target: Uint8Array, position: number): Promise<void> => {
    const handle = this.handle;
    if (handle === null) throw fsError(new Error('the source is closed'), 'read', this.path);
    await readFullyAsync(handle, target, position, this.path);
  };
}

/**
 * The read path shared by the asynchronous random-access sources (files through `FileHandle.read`,
 * objects through ranged GETs): requests go through a {@link ReadScheduler} (coalesced, bounded in
 * flight, chunked) and, with a {@link BlockCache}, through aligned cached blocks whose concurrent
 * loads are shared. Results are views, never copies (see ./block-reads). A subclass supplies only
 * `readFully` (fill a buffer at a position) and its own open/close.
 */
import { InvalidArgumentError } from '@vego/format';
import type { AsyncByteSource } from '@vego/format';
import type { BlockCache } from '../block-cache';
import { assemble, cacheBypassBytes } from './block-reads';
import { checkRange } from './range-check';
import { ReadScheduler, type ReadFully, type ReadScatterFully, type ReadSchedulerOptions, type ReadSchedulerStats } from './read-scheduler';

/** Counters of a scheduled source (an `AsyncFileSource` or an object-store source): reads, merges, bytes, cache hits. */
export interface ScheduledSourceStats extends ReadSchedulerStats {
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

export function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`\`${name}\` must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Checked scheduler options: `maxInFlight`, `maxMergedBytes`, `chunkBytes` positive,
 * `coalesceGapBytes` non-negative; `defaults` fill what `options` leaves out.
 */
export function schedulerOptions(options: Partial<ReadSchedulerOptions>, defaults: ReadSchedulerOptions): ReadSchedulerOptions {
  const gap = options.coalesceGapBytes ?? defaults.coalesceGapBytes;
  if (!Number.isSafeInteger(gap) || gap < 0) throw new InvalidArgumentError(`\`coalesceGapBytes\` must be a non-negative integer, got ${gap}`);
  return {
    maxInFlight: positiveInt('maxInFlight', options.maxInFlight ?? defaults.maxInFlight),
    coalesceGapBytes: gap,
    maxMergedBytes: positiveInt('maxMergedBytes', options.maxMergedBytes ?? defaults.maxMergedBytes),
    chunkBytes: positiveInt('chunkBytes', options.chunkBytes ?? defaults.chunkBytes),
  };
}

/** An asynchronous byte source reading through a scheduler and an optional block cache. */
export abstract class ScheduledSource implements AsyncByteSource {
  /** Where the bytes come from (a path or a URL), for messages. */
  readonly path: string;
  /** Length of the source in bytes when it was opened. */
  readonly byteLength: number;
  /** @internal The scheduler every read of this source goes through. */
  protected readonly scheduler: ReadScheduler;
  protected readonly cache: BlockCache | null;
  protected readonly cacheKey: number;
  /** Set by the subclass's close. */
  protected closed = false;
  private readonly loading = new Map<number, RunLoad>();
  private cachedBlocks = 0;
  private sharedBlocks = 0;

  /**
   * @param scatter - whether the subclass implements {@link ScheduledSource.readScatterFully} (a file can
   *   `readv`; an object store cannot, and scatter reads there read the range and copy).
   */
  protected constructor(path: string, byteLength: number, cache: BlockCache | undefined, options: ReadSchedulerOptions, scatter = false) {
    this.path = path;
    this.byteLength = byteLength;
    this.cache = cache ?? null;
    this.cacheKey = this.cache === null ? 0 : this.cache.newSourceKey();
    this.scheduler = new ReadScheduler(this.readFullyChecked, options, scatter ? this.readScatterFullyChecked : null);
  }

  /** Fills `targets`, in order, with the bytes from `position` on; only called when the constructor was told `scatter`. */
  protected readScatterFully(targets: readonly Uint8Array[], position: number): Promise<void> {
    void targets;
    void position;
    return Promise.reject(new Error('scatter reads are not implemented by this source'));
  }

  private readonly readScatterFullyChecked: ReadScatterFully = (targets, position) => {
    if (this.closed) return Promise.reject(this.closedError());
    return this.readScatterFully(targets, position);
  };

  /** Fills `target` with the bytes at `position` (completely, or rejects). */
  protected abstract readFully(target: Uint8Array, position: number): Promise<void>;

  /** The error of a read after close. */
  protected abstract closedError(): Error;

  private readonly readFullyChecked: ReadFully = (target, position) => {
    if (this.closed) return Promise.reject(this.closedError());
    return this.readFully(target, position);
  };

  /** Waits for reads in flight, marks the source closed and drops its cached blocks. */
  protected async shutDown(): Promise<void> {
    await this.scheduler.whenIdle();
    this.closed = true;
    if (this.cache !== null) this.cache.deleteSource(this.cacheKey);
  }

  /**
   * Reads exactly `byteLength` bytes at `byteOffset`. The result is a view: of the buffer a coalesced
   * read filled (shared with neighbouring requests), or of cached blocks (do not modify it). A range
   * spanning cached blocks that were read separately is copied once, and the copy replaces those
   * blocks in the cache, so reading it again gives a view.
   * @throws CorruptDataError when the range runs past the end of the object; IoError on a failed read.
   */
  read(byteOffset: number, byteLength: number): Promise<Uint8Array> {
    try {
      checkRange(byteOffset, byteLength, this.byteLength, this.path);
      if (this.closed) throw this.closedError();
    } catch (e) {
      return Promise.reject(e);
    }
    if (byteLength === 0) return Promise.resolve(new Uint8Array(0));
    if (this.cache === null || byteLength > cacheBypassBytes(this.cache)) return this.scheduler.request(byteOffset, byteLength);
    return this.readCached(byteOffset, byteLength, this.cache);
  }

  /**
   * Fills `targets`, in order, with the consecutive bytes from `byteOffset` on (their lengths added up):
   * a scatter read straight into the caller's buffers where the source can (`readv` on a file without a
   * block cache), else the range is read as by {@link ScheduledSource.read} (through the cache) and
   * copied into them.
   * @throws CorruptDataError when the range runs past the end of the object; IoError on a failed read.
   */
  readScatter(byteOffset: number, targets: readonly Uint8Array[]): Promise<void> {
    let byteLength = 0;
    for (const t of targets) byteLength += t.byteLength;
    if (this.cache !== null || !this.scheduler.canScatter) {
      return this.read(byteOffset, byteLength).then((bytes) => {
        let at = 0;
        for (const t of targets) {
          t.set(bytes.subarray(at, at + t.byteLength));
          at += t.byteLength;
        }
      });
    }
    try {
      checkRange(byteOffset, byteLength, this.byteLength, this.path);
      if (this.closed) throw this.closedError();
    } catch (e) {
      return Promise.reject(e);
    }
    if (byteLength === 0) return Promise.resolve();
    return this.scheduler.requestScatter(byteOffset, byteLength, targets);
  }

  /** Counters: requests, file reads, bytes read, peak concurrency, cache and sharing hits. */
  stats(): ScheduledSourceStats {
    return { ...this.scheduler.stats(), cachedBlocks: this.cachedBlocks, sharedBlocks: this.sharedBlocks };
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
}

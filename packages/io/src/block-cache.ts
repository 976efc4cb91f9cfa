/**
 * A byte-bounded least-recently-used cache of file blocks, shared by any number of sources.
 *
 * Entries are keyed by a source key (one per open file, from {@link BlockCache.newSourceKey}) and a
 * block index. The cache holds at most `capacityBytes` bytes of block data; inserting beyond that
 * evicts the least recently used blocks first. A JavaScript `Map` keeps insertion order, so "touch"
 * is delete-then-set and the eviction victim is always the first key: O(1) per operation.
 *
 * Cached blocks are shared: callers receive views into them and must not modify them.
 */
import { InvalidArgumentError } from '@vego/format';

/** Counters of a {@link BlockCache}, as returned by {@link BlockCache.stats}. */
export interface BlockCacheStats {
  /** Lookups that found their block. */
  hits: number;
  /** Lookups that did not. */
  misses: number;
  /** Blocks dropped to stay within the capacity. */
  evictions: number;
  /** Blocks currently held. */
  entries: number;
  /** Bytes currently held (sum of block lengths). */
  byteLength: number;
  /** The configured bound in bytes. */
  capacityBytes: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRate: number;
}

/** Options of {@link BlockCache}. */
export interface BlockCacheOptions {
  /** Upper bound on the bytes held. Default 64 MiB. */
  capacityBytes?: number;
  /** Size of one block in bytes, a power of two ≥ 512. Default 64 KiB. Sources use it to split reads. */
  blockBytes?: number;
}

/** Default capacity of a {@link BlockCache}: 64 MiB. */
export const DEFAULT_CACHE_CAPACITY_BYTES = 64 * 1024 * 1024;
/** Default block size of a {@link BlockCache}: 64 KiB. */
export const DEFAULT_BLOCK_BYTES = 64 * 1024;

/**
 * Byte-bounded LRU block cache with hit/miss statistics.
 * @example
 * ```ts
 * const cache = new BlockCache({ capacityBytes: 32 << 20 });
 * const a = AsyncFileSource.open('a.lance', { cache });   // both files share the 32 MiB
 * const b = AsyncFileSource.open('b.lance', { cache });
 * console.log(cache.stats().hitRate);
 * ```
 */
export class BlockCache {
  /** Upper bound on the bytes held. */
  readonly capacityBytes: number;
  /** Block size in bytes (a power of two). */
  readonly blockBytes: number;
  private readonly map = new Map<string, Uint8Array>();
  private heldBytes = 0;
  private hitCount = 0;
  private missCount = 0;
  private evictionCount = 0;
  private nextSourceKey = 1;

  /**
   * @param options - capacity and block size.
   * @throws InvalidArgumentError when `capacityBytes` is negative or not an integer, or `blockBytes` is
   *   not a power of two between 512 and 64 MiB.
   */
  constructor(options: BlockCacheOptions = {}) {
    const capacityBytes = options.capacityBytes ?? DEFAULT_CACHE_CAPACITY_BYTES;
    const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
      throw new InvalidArgumentError(`\`capacityBytes\` must be a non-negative integer, got ${capacityBytes}`);
    }
    if (!Number.isSafeInteger(blockBytes) || blockBytes < 512 || blockBytes > 1 << 26 || (blockBytes & (blockBytes - 1)) !== 0) {
      throw new InvalidArgumentError(`\`blockBytes\` must be a power of two between 512 and 67108864, got ${blockBytes}`);
    }
    this.capacityBytes = capacityBytes;
    this.blockBytes = blockBytes;
  }

  /** A fresh key for one source (file) using this cache; blocks of different keys never collide. */
  newSourceKey(): number {
    return this.nextSourceKey++;
  }

  /**
   * Looks a block up and marks it most recently used. Counts a hit or a miss.
   * @returns a view of the cached block (shared: do not modify), or undefined.
   */
  get(sourceKey: number, blockIndex: number): Uint8Array | undefined {
    const key = sourceKey + ':' + blockIndex;
    const block = this.map.get(key);
    if (block === undefined) {
      this.missCount++;
      return undefined;
    }
    this.hitCount++;
    this.map.delete(key);
    this.map.set(key, block);
    return block;
  }

  /**
   * Looks a block up without counting a hit or a miss and without marking it recently used.
   * @returns a view of the cached block (shared: do not modify), or undefined.
   */
  peek(sourceKey: number, blockIndex: number): Uint8Array | undefined {
    return this.map.get(sourceKey + ':' + blockIndex);
  }

  /**
   * Stores a block (the cache keeps this view; the caller must not modify it afterwards) and evicts
   * least recently used blocks until the cache fits its capacity. A block larger than the whole
   * capacity is not stored.
   */
  set(sourceKey: number, blockIndex: number, block: Uint8Array): void {
    if (block.byteLength > this.capacityBytes) return;
    const key = sourceKey + ':' + blockIndex;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.heldBytes -= old.byteLength;
      this.map.delete(key);
    }
    this.map.set(key, block);
    this.heldBytes += block.byteLength;
    this.evictToFit();
  }

  /** Drops every block of one source (call when its file is closed or replaced). */
  deleteSource(sourceKey: number): void {
    const prefix = sourceKey + ':';
    for (const [key, block] of this.map) {
      if (key.startsWith(prefix)) {
        this.map.delete(key);
        this.heldBytes -= block.byteLength;
      }
    }
  }

  /** Drops every block and keeps the counters. */
  clear(): void {
    this.map.clear();
    this.heldBytes = 0;
  }

  /** Sets hits, misses and evictions back to zero. */
  resetStats(): void {
    this.hitCount = 0;
    this.missCount = 0;
    this.evictionCount = 0;
  }

  /** A snapshot of the counters. */
  stats(): BlockCacheStats {
    const lookups = this.hitCount + this.missCount;
    return {
      hits: this.hitCount,
      misses: this.missCount,
      evictions: this.evictionCount,
      entries: this.map.size,
      byteLength: this.heldBytes,
      capacityBytes: this.capacityBytes,
      hitRate: lookups === 0 ? 0 : this.hitCount / lookups,
    };
  }

  private evictToFit(): void {
    while (this.heldBytes > this.capacityBytes) {
      const first = this.map.entries().next();
      if (first.done === true) break;
      const [key, block] = first.value;
      this.map.delete(key);
      this.heldBytes -= block.byteLength;
      this.evictionCount++;
    }
  }
}

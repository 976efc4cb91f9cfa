/**
 * Random access to one object of an {@link ObjectStore}, as @vego/format's `AsyncByteSource`: the
 * same read path as `AsyncFileSource` (requests coalesced, bounded in flight, split into parallel
 * chunks, optionally through a shared {@link BlockCache}), with ranged GETs instead of file reads.
 * The defaults suit object stores, where a request costs milliseconds: neighbours up to 256 KiB
 * apart share one GET, 8 GETs per object in flight (the store bounds the total), 8 MiB chunks.
 */
import { IoError, NotFoundError, type AsyncByteSource } from '@vego/format';
import type { BlockCache } from '../block-cache';
import { ScheduledSource, schedulerOptions, type ScheduledSourceStats } from '../internal/scheduled-source';
import type { ObjectStore } from './object-store';

/** Options of {@link ObjectSource.open}. */
export interface ObjectSourceOptions {
  /** A block cache to read through (may be shared with files and other objects). Default: none. */
  cache?: BlockCache;
  /** The object's size when known (a manifest records it): saves the HEAD request. */
  byteLength?: number;
  /** Most GETs of this object in flight at once. Default 8. */
  maxInFlight?: number;
  /** Requests this close (in bytes) to the previous one share one GET. Default 256 KiB. */
  coalesceGapBytes?: number;
  /** Upper bound of a merged GET. Default 64 MiB. */
  maxMergedBytes?: number;
  /** A merged read is issued as parallel GETs of at most this many bytes. Default 8 MiB. */
  chunkBytes?: number;
}

/** Counters of an {@link ObjectSource} (GETs are its `fileReads`). */
export type ObjectSourceStats = ScheduledSourceStats;

/**
 * One object, read by ranges.
 * @example
 * ```ts
 * const store = S3Store.open('s3://bucket/ds', options);
 * const reader = await LanceFileReader.open(await ObjectSource.open(store, 'data/x.lance'));
 * ```
 */
export class ObjectSource extends ScheduledSource implements AsyncByteSource {
  /** The store read from. */
  readonly store: ObjectStore;
  /** The key inside the store. */
  readonly key: string;

  private constructor(store: ObjectStore, key: string, byteLength: number, options: ObjectSourceOptions) {
    super(
      `${store.url}/${key}`,
      byteLength,
      options.cache,
      schedulerOptions(options, { maxInFlight: 8, coalesceGapBytes: 256 * 1024, maxMergedBytes: 64 * 1024 * 1024, chunkBytes: 8 * 1024 * 1024 }),
    );
    this.store = store;
    this.key = key;
  }

  /**
   * Opens `key` of `store` (a HEAD request for its size unless `byteLength` is given).
   * @throws NotFoundError when there is no such object; InvalidArgumentError for bad options.
   */
  static async open(store: ObjectStore, key: string, options: ObjectSourceOptions = {}): Promise<ObjectSource> {
    let byteLength = options.byteLength;
    if (byteLength === undefined) {
      const info = await store.head(key);
      if (info === null) {
        throw new NotFoundError(`'${store.url}/${key}' does not exist`);
      }
      byteLength = info.byteLength;
    }
    return new ObjectSource(store, key, byteLength, options);
  }

  /** Counters: requests, GETs, bytes, peak concurrency, cache and sharing hits. */
  override stats(): ObjectSourceStats {
    return super.stats();
  }

  /** Waits for reads in flight and drops its cached blocks. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.shutDown();
  }

  protected override closedError(): Error {
    return new IoError(`cannot read '${this.path}': the source is closed`, this.path);
  }

  protected override readFully(target: Uint8Array, position: number): Promise<void> {
    return this.store.readInto(this.key, target, position);
  }
}

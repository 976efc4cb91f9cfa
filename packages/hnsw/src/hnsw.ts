/**
 * The public index: input checking, ids, deletes, updates, filtered search and snapshots around
 * the graph in `internal/graph.ts`.
 */
import { ConflictError, InvalidArgumentError, LengthMismatchError, NotFoundError, NotSupportedError, TypeMismatchError } from '@vego/io';
import { type HnswConfig, type ResolvedHnswConfig, resolveHnswConfig, vectorWords } from './config';
import { CosineDistance, HammingDistance, L2Distance, isBinaryMetric } from './distance';
import { METRIC_HAMMING, METRIC_JACCARD } from './internal/binary-kernels';
import { Graph, type GraphParams, MAX_LEVEL, METRIC_DOT, METRIC_L2, STATE_COUNT, STATE_ENTRY, STATE_MAX_LEVEL, STATE_UPPER_LENGTH } from './internal/graph';
import { parallelInsert, parallelInsertAsync } from './internal/parallel-build';
import { insertPaced } from './internal/paced-insert';
import { Pacer, copyInSlices, runPaced } from './internal/pacer';
import { dropTombstones } from './internal/drop-tombstones';
import { Prng } from './internal/prng';
import { REPAIR_SLICE_WORK, RepairPass } from './internal/repair-pass';
import type { RestoreTarget } from './internal/restore-target';
import { type RowHashPlace, hashRows, hashRowsInPlace } from './internal/row-hash';
import { QueryRunner, exactScan, filteredWalkVisits } from './internal/search-core';
import { SearchPool, defaultSearchThreads, searchThreadsAvailable, sharedBatch } from './internal/search-pool';
import { Sq8Codes } from './internal/sq8';
import type { DiskVectors } from './internal/sq8-disk';
import { type HnswSnapshot, SNAPSHOT_FORMAT_VERSION, validateSnapshot } from './snapshot';
import {
  type IndexCleanupOptions,
  type IndexCleanupResult,
  type LanceLoadOptions,
  type LanceSaveOptions,
  type LanceSaveResult,
  type SaveOutcome,
  type SavedState,
  cleanupIndexVersions,
  loadIndexFromLance,
  loadIndexFromLanceSync,
  nodeLivePositions,
  saveIndexToLance,
  saveIndexToLanceSync,
} from './persistence';

/**
 * A vector as accepted on input: copied, never kept. A binary index (`distance: 'hamming'` or
 * `'jaccard'`) takes only `Uint8Array`s of `dimension / 8` bit-packed bytes.
 */
export type VectorLike = Float32Array | ArrayLike<number>;

/** What a save reads: the index's state, and the raw row hashes of its vectors when it keeps them for every id. */
type SaveSnapshot = HnswSnapshot & { readonly vectorSums: Uint32Array | null };

/** Thrown by an async save's guard when the index changed while the save read it (see `HNSW#saveFromMemory`); never escapes. */
class SaveOverrun extends Error {}

/** Whole-buffer byte views, one per buffer, so writing a binary vector allocates nothing once warm. */
const byteViews = new WeakMap<ArrayBufferLike, Uint8Array>();

function byteView(buffer: ArrayBufferLike): Uint8Array {
  let view = byteViews.get(buffer);
  if (view === undefined) {
    view = new Uint8Array(buffer);
    byteViews.set(buffer, view);
  }
  return view;
}

/** What a value is, for an error message. */
function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an Array' : `a ${(value as object).constructor?.name ?? 'object'}`;
}

/** One search hit. `distance` follows the metric (see `distance.ts`); smaller is closer. */
export interface SearchResult {
  id: number;
  distance: number;
}

/** Where {@link HNSW.searchInto} writes its hits: hit `i` is `ids[i]` at `distances[i]`. */
export interface SearchOutput {
  ids: Int32Array | Uint32Array;
  /** Float64Array: the distances as `search` returns them (a Float32Array would round some). */
  distances: Float64Array;
}

/** Options of {@link HNSW.search}. */
export interface SearchOptions {
  /** Size of the layer-0 result list; raised to `k` when smaller. Default `max(k, 64)`. */
  ef?: number;
  /**
   * Only ids for which this returns true are returned. Evaluated during the graph walk (rejected
   * nodes are still walked through); when the walk cannot fill `k` results the index falls back
   * to an exact scan of the accepted ids, so k results come back whenever k accepted ids exist.
   */
  filter?: (id: number) => boolean;
  /**
   * Only ids whose bit is set are returned: a bitset over ids (bit `id & 31` of word `id >>> 5`)
   * with a word for every id the index has assigned. Works as `filter` (both may be given; an id
   * must pass both), but is tested inline during the walk, without a call per node, and its
   * exact fallback visits only the set bits.
   */
  filterBits?: Uint32Array;
}

/** Options of {@link HNSW.searchExact}. */
export interface ExactSearchOptions {
  /** Only ids for which this returns true are considered. */
  filter?: (id: number) => boolean;
  /** Only ids whose bit is set are considered (as {@link SearchOptions.filterBits}). */
  filterBits?: Uint32Array;
}

/** Options of {@link HNSW.addBatch}. */
export interface AddBatchOptions {
  /**
   * Threads that insert at once (worker threads plus the calling thread). Default 1. Needs the
   * compiled worker script (`dist/internal/search-worker.js`); the workers are the index's pool,
   * which its parallel searches share: started on first use, kept for later batches (they never
   * keep the process alive), stopped by {@link HNSW.close}. A parallel build is not
   * deterministic, though its recall matches a sequential one.
   */
  threads?: number;
  /** Called now and then with the number of vectors linked so far and the batch size. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of {@link HNSW.addBatchAsync}. */
export interface AddBatchAsyncOptions {
  /**
   * Threads that insert at once: the calling thread, in slices of about 12 ms between which the
   * event loop runs, plus `threads − 1` worker threads. Default 1. As {@link AddBatchOptions.threads}.
   */
  threads?: number;
  /** Called now and then (on the calling thread) with the number of vectors linked so far and the batch size. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of {@link HNSW.searchMany} and {@link HNSW.searchManyAsync}. */
export interface SearchManyOptions {
  /** As {@link SearchOptions.ef}, for every query. */
  ef?: number;
  /**
   * As {@link SearchOptions.filter}, for every query. A function cannot cross threads: with a
   * filter, every query runs on the calling thread (prefer `filterBits` for threaded filtering).
   */
  filter?: (id: number) => boolean;
  /** As {@link SearchOptions.filterBits}, for every query (copied once to shared memory for the workers). */
  filterBits?: Uint32Array;
  /**
   * Threads answering the queries. `searchMany`: the calling thread plus `threads − 1` workers
   * (default 1: the calling thread alone). `searchManyAsync`: `threads` workers while the calling
   * thread stays free (default: the cores available, at most 8). Workers are started on first
   * use, kept for later calls (they never keep the process alive) and stopped by {@link HNSW.close}.
   * Ignored (one thread) in the browser build and for SQ8 indexes.
   */
  threads?: number;
}

/** What {@link HNSW.compact} did. */
export interface HnswCompactResult {
  /** Tombstones that were unlinked from the graph by this call. */
  removedNodes: number;
  /** Link lists (node × layer) rebuilt because they named a tombstone. */
  repairedLists: number;
  /** Live nodes left without any in-link by the repair and linked again from the entry point. */
  relinkedNodes: number;
}

/** What {@link HNSW.compactIds} returns. */
export interface HnswCompactIdsResult {
  /** The new index: the live ids of the old one, numbered `0 … size − 1`, on the same graph. */
  index: HNSW;
  /** `oldIds[newId]`: the id each new id had (ascending, so the old order of ids is kept). */
  oldIds: Int32Array;
}

/** Default `ef` floor of {@link HNSW.search}. */
export const DEFAULT_EF_SEARCH = 64;
const PROGRESS_EVERY = 1000;
/**
 * Rows of a batch prepared between two hashes of their vectors (`HNSW#rowSums`): few enough that
 * they are still in cache (32 KiB at dimension 128), enough that a hash call is not per row.
 */
const SUM_CHUNK_ROWS = 64;

/** The name of a checked vector: a parameter name, or row `i` of a batch as `vectors[i]`. */
function rowName(name: string | number): string {
  return typeof name === 'number' ? `vectors[${name}]` : name;
}

function badDimension(name: string, expected: number, found: number): LengthMismatchError {
  return new LengthMismatchError(`\`${name}\` must have ${expected} components (the index dimension), got ${found}`);
}

function notFinite(name: string, index: number, value: number): InvalidArgumentError {
  return new InvalidArgumentError(`\`${name}\` must hold finite numbers, got ${value} at component ${index}`);
}

function notPositiveInteger(name: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`\`${name}\` must be a positive integer, got ${String(value)}`);
}

/**
 * A Hierarchical Navigable Small World index (Malkov & Yashunin) over float vectors, in memory.
 * Ids are assigned in insertion order from 0 and never reused.
 * @example
 * ```ts
 * const index = new HNSW({ dimension: 3, distance: 'cosine' });
 * const id = index.add([0.1, 0.2, 0.3]);
 * index.addBatch([[1, 0, 0], [0, 1, 0]]);
 * const hits = index.search([0.1, 0.2, 0.25], 2); // [{ id: 0, distance: … }, …]
 * ```
 */
export class HNSW {
  /** The configuration in force, defaults and adaptive values resolved. */
  readonly config: ResolvedHnswConfig;

  private readonly graph: Graph;
  /** SQ8 codes when `config.quantization` is `'sq8'` (also set as `graph.codes`). */
  private readonly codes: Sq8Codes | null;
  /**
   * Codes-only SQ8 (loaded with `vectors: 'disk'`): where the float vectors are (the saved
   * `nodes.lance`, and those added or updated since); null when they are in the graph's memory.
   */
  private disk: DiskVectors | null;
  private readonly rng: Prng;
  private readonly mL: number;
  private readonly normalise: boolean;
  /** True under a binary metric: vectors are bit-packed `Uint8Array`s of {@link vectorBytes} bytes. */
  private readonly binary: boolean;
  /** Bytes of one input vector under a binary metric (`dimension / 8`); 0 otherwise. */
  private readonly vectorBytes: number;
  /** 4-byte units of one prepared vector: the dimension, or a binary vector's padded slot. */
  private readonly width: number;
  /** 4-byte units of one snapshot row ({@link vectorWords}): the dimension, or a binary vector's bytes as whole words. */
  private readonly rowWords: number;
  private liveCount: number;
  /** Deleted ids still linked in the graph (tombstones awaiting repair). */
  private pendingDeletes: number;
  /** The repair under way (deferred mode: advanced a slice per call), or null. */
  private repairPass: RepairPass | null;
  /** {@link pendingDeletes} when {@link repairPass} started: the tombstones it unlinks. */
  private repairPassRemoves: number;
  private readonly query: Float32Array;
  private outIds: Int32Array;
  private outDists: Float64Array;
  /** What this index remembers of its last Lance save or load (for incremental saves), or null. */
  private savedState: SavedState | null;
  /**
   * Ids whose vector {@link update} rewrote since the last save began (the next incremental save
   * rehashes only those vectors), or null when too many to track (it then rehashes every vector).
   */
  private vectorsChanged: Set<number> | null;
  /**
   * Raw row-hash words (`internal/row-hash.ts`; a node checksum before its id, level and tombstone
   * are mixed in) of the vectors of ids `0 … rowSumsCount − 1`, two per id, computed as each vector
   * is written (add, addBatch, update: the row still in cache), so that a save of an index never
   * saved or loaded need not read every vector again to hash it. Kept only for a complete prefix of
   * the ids: an index whose vectors were written any other way (a restore or load) has fewer, and
   * its saves hash the vectors themselves.
   */
  private rowSums: Uint32Array;
  private rowSumsCount: number;
  /** Saves under way (an async one counts from its call to its end). */
  private savesInFlight: number;
  /** Saves started so far (tells a save whether another one started while it ran). */
  private saveStarts: number;
  /**
   * Whether {@link vectorsChanged} and the graph's dirty marks describe every change since
   * {@link savedState}. Two overlapping saves break that (each takes the records at its snapshot,
   * and the one that finishes last sets the state): a save then passes no records, so every row is
   * hashed, until a save runs alone again.
   */
  private changesTrusted: boolean;
  /**
   * Counts calls that may change the graph (add, addBatch, update, delete, compact, a repair
   * slice): an async save copies the index in slices and starts over with one copy if it moved.
   */
  private mutations = 0;
  /** Async searches queued or running on worker threads: the graph must not change meanwhile. */
  private readers = 0;
  /**
   * Async saves writing straight from the index's memory ({@link saveFromMemory}), each with the
   * copy of the index taken for it at the first change while it runs (null until then). A deferred
   * repair slice waits while any runs, so that searches meanwhile leave the graph as they read it.
   */
  private readonly liveSaves = new Set<{ copy: SaveSnapshot | null }>();
  /** True while {@link addBatchAsync} links a batch: the graph must not be read or changed meanwhile. */
  private building = false;
  /**
   * The ids handed out before the batch {@link addBatchAsync} is linking (the graph already holds
   * its nodes): `numIds`, `has` and `get` answer from it until the batch is linked, so its ids
   * appear all at once, when the promise settles, as `size` does.
   */
  private linkedIds = 0;
  /** The worker threads of parallel searches, started on first use (see {@link close}). */
  private pool: SearchPool | null = null;
  /** Parallel searches whose workers are running (see {@link beginThreadJob}). */
  private threadJobs = 0;
  /** The calling thread's share of a blocking parallel search (query in slot 0), made on first use. */
  private runner: QueryRunner | null = null;

  /**
   * Creates an empty index.
   * @param config - `dimension` is required; see {@link HnswConfig}
   * @throws InvalidArgumentError naming the first bad option
   */
  constructor(config: HnswConfig) {
    this.config = resolveHnswConfig(config);
    const { dimension, M, efConstruction, distance, seed } = this.config;
    const metric = distance === L2Distance ? METRIC_L2 : distance === HammingDistance ? METRIC_HAMMING : isBinaryMetric(distance) ? METRIC_JACCARD : METRIC_DOT;
    this.graph = new Graph({ dimension, M, efConstruction, metric }, 16);
    this.binary = isBinaryMetric(distance);
    this.vectorBytes = this.binary ? dimension / 8 : 0;
    this.width = this.binary ? this.graph.stride : dimension;
    this.rowWords = vectorWords(this.config);
    this.codes = this.config.quantization === 'sq8' ? new Sq8Codes(dimension, distance !== L2Distance) : null;
    this.graph.codes = this.codes;
    this.rng = new Prng(seed);
    this.mL = 1 / Math.log(M);
    this.normalise = distance === CosineDistance;
    this.liveCount = 0;
    this.pendingDeletes = 0;
    this.repairPass = null;
    this.repairPassRemoves = 0;
    this.query = new Float32Array(this.width);
    this.outIds = new Int32Array(64);
    this.outDists = new Float64Array(64);
    this.savedState = null;
    this.vectorsChanged = new Set();
    this.rowSums = new Uint32Array(0);
    this.rowSumsCount = 0;
    this.savesInFlight = 0;
    this.saveStarts = 0;
    this.changesTrusted = true;
    this.disk = null;
  }

  /** Number of live vectors (added and not deleted). */
  get size(): number {
    return this.liveCount;
  }

  /** Number of ids handed out so far, deleted ones included; the next `add` returns this id. */
  get numIds(): number {
    return this.building ? this.linkedIds : this.graph.count;
  }

  /**
   * Most ids this index can ever hand out, deleted ones included: its vectors live in one memory of
   * at most 4 GiB, so the limit follows from the dimension and `M`. An id at or above it (say, one
   * read from a file) cannot belong to an index of this configuration.
   */
  get maxIds(): number {
    return this.graph.maxNodes;
  }

  /**
   * Checks `vector` and writes it, prepared for the metric (normalised under cosine), into `out`
   * at `offset`. `name` is the parameter's name, or for row `i` of a batch the number `i` (the
   * message then says `vectors[i]`; formatted only on error, so a batch allocates no string per
   * row). With `from` ≥ 0, `vector` is a flat array whose `dimension` values at `from` are the row
   * (its length already checked by the caller; no `subarray` view per row).
   */
  private prepare(vector: VectorLike, name: string | number, out: Float32Array, offset: number, from = -1): void {
    if (this.binary) {
      this.prepareBinary(vector, rowName(name), out, offset);
      return;
    }
    const dim = this.config.dimension;
    let at = from;
    if (at < 0) {
      if (vector === null || typeof vector !== 'object' || typeof vector.length !== 'number') {
        throw new InvalidArgumentError(`\`${rowName(name)}\` must be a Float32Array or an array of numbers, got ${String(vector)}`);
      }
      if (vector.length !== dim) throw badDimension(rowName(name), dim, vector.length);
      at = 0;
    }
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      const x = vector[at + i]!;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw notFinite(rowName(name), i, x);
      const f = Math.fround(x);
      if (!Number.isFinite(f)) throw notFinite(rowName(name), i, x);
      out[offset + i] = f;
      norm += f * f;
    }
    if (this.normalise) {
      if (norm === 0) throw new InvalidArgumentError(`\`${rowName(name)}\` must not be the zero vector under the cosine distance`);
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < dim; i++) out[offset + i] = out[offset + i]! * scale;
    }
  }

  /**
   * Checks a binary vector and copies its bytes into `out` from float offset `offset` (the padding
   * after them is left as it is: zero in every slot).
   */
  private prepareBinary(vector: VectorLike, name: string, out: Float32Array, offset: number): void {
    const bytes = this.vectorBytes;
    if (!(vector instanceof Uint8Array)) {
      throw new TypeMismatchError(
        `\`${name}\` must be a Uint8Array of ${bytes} bit-packed bytes (${this.config.dimension} bits) under the '${this.config.distance}' distance, got ${describe(vector)}`,
      );
    }
    if (vector.length !== bytes) {
      throw new LengthMismatchError(`\`${name}\` must have ${bytes} bytes (${this.config.dimension} bits, the index dimension), got ${vector.length}`);
    }
    byteView(out.buffer).set(vector, out.byteOffset + offset * 4);
  }

  private drawLevel(): number {
    const level = Math.floor(-Math.log(1 - this.rng.next()) * this.mL);
    return level > MAX_LEVEL ? MAX_LEVEL : level;
  }

  /**
   * Adds one vector (copied) and returns its id.
   * @param vector - `dimension` finite numbers; not the zero vector under cosine. Under a binary
   *   metric a `Uint8Array` of `dimension / 8` bit-packed bytes
   * @throws LengthMismatchError when the length is not the index dimension (in bytes: `dimension / 8`)
   * @throws InvalidArgumentError on NaN/±Infinity components or a zero vector under cosine
   * @throws TypeMismatchError when a binary index is given anything but a Uint8Array
   * @example
   * ```ts
   * const id = index.add(new Float32Array([1, 2, 3]));
   * ```
   */
  add(vector: VectorLike): number {
    this.checkWritable('add');
    this.prepare(vector, 'vector', this.query, 0);
    this.willChange();
    this.repairSlice();
    const graph = this.graph;
    const id = graph.allocateNode(this.drawLevel());
    this.storeVector(id, this.query, 0);
    if (this.rowSumsCount === id && this.disk === null) {
      this.sumVectorRows(id, 1);
      this.rowSumsCount = id + 1;
    }
    graph.insert(id);
    this.liveCount++;
    return id;
  }

  /**
   * Adds many vectors; returns their ids (consecutive). Every vector is checked before any is
   * added, so a bad one leaves the index unchanged.
   * @param vectors - an array of vectors, or one flat Float32Array of `n · dimension` values; under
   *   a binary metric an array of Uint8Arrays, or one flat Uint8Array of `n · dimension / 8` bytes
   * @param options - `threads` for a parallel build, `onProgress` for long builds
   * @throws LengthMismatchError / InvalidArgumentError as {@link add}, naming `vectors[i]`
   * @example
   * ```ts
   * const ids = index.addBatch(rows, { threads: 4, onProgress: (done, total) => console.log(done, total) });
   * ```
   */
  addBatch(vectors: Float32Array | Uint8Array | readonly VectorLike[], options: AddBatchOptions = {}): number[] {
    this.checkWritable('addBatch');
    const { ids, first, threads, onProgress } = this.stageBatch(vectors, options);
    const graph = this.graph;
    const n = ids.length;
    if (threads > 1 && n > 1) {
      parallelInsert(this.searchPool(), graph, this.graphParams(), first, first + n, threads, onProgress);
    } else {
      for (let i = 0; i < n; i++) {
        graph.insert(first + i);
        if (onProgress !== undefined && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1, n);
      }
      if (onProgress !== undefined && n % PROGRESS_EVERY !== 0) onProgress(n, n);
    }
    this.liveCount += n;
    return ids;
  }

  /**
   * {@link addBatch} that does not block the event loop while it links: the calling thread links
   * vectors in slices of about 12 ms with event-loop turns between them, while `threads − 1` worker
   * threads link the rest; it waits for them with `Atomics.waitAsync`, never `Atomics.wait`. (The
   * vectors are checked and written before the first turn, in one go, as `addBatch` does.) Same
   * graph as `addBatch` with one thread (same seed); with more, as a parallel `addBatch`.
   * While it runs the index is being written: every other call that reads or changes the graph
   * (add, update, delete, compact, search, searchMany, snapshots, saves) throws ConflictError
   * instead of seeing half-linked nodes; `size`, `numIds`, `has` and `get` still answer (the batch
   * counts once done: until then its ids are not in the index).
   * @param vectors - as {@link addBatch}: checked before any is added
   * @param options - `threads` (default 1), `onProgress`
   * @returns the new ids (consecutive)
   * @throws (rejects with) LengthMismatchError / InvalidArgumentError as {@link addBatch};
   *   ConflictError while another async batch or an async search is in flight
   * @example
   * ```ts
   * const ids = await index.addBatchAsync(rows, { threads: 2 }); // the server keeps answering meanwhile
   * ```
   */
  async addBatchAsync(vectors: Float32Array | Uint8Array | readonly VectorLike[], options: AddBatchAsyncOptions = {}): Promise<number[]> {
    this.checkWritable('addBatchAsync');
    const { ids, first, threads, onProgress } = this.stageBatch(vectors, options);
    const n = ids.length;
    this.linkedIds = first;
    this.building = true;
    try {
      if (threads > 1 && n > 1) await parallelInsertAsync(this.searchPool(), this.graph, this.graphParams(), first, first + n, threads, onProgress);
      else await insertPaced(this.graph, first, first + n, onProgress);
      this.liveCount += n;
      return ids;
    } finally {
      this.building = false;
    }
  }

  /**
   * The common start of {@link addBatch} and {@link addBatchAsync}: checks the options and every
   * vector, then allocates the nodes with their vectors (on shared arrays for threads).
   */
  private stageBatch(
    vectors: Float32Array | Uint8Array | readonly VectorLike[],
    options: AddBatchOptions,
  ): { ids: number[]; first: number; threads: number; onProgress: ((done: number, total: number) => void) | undefined } {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`\`options\` must be an object, got ${String(options)}`);
    const dim = this.config.dimension;
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw notPositiveInteger('threads', threads);
    // The worker threads compute float distances from the shared vector memory, which a codes-only index does not have.
    if (threads > 1 && this.disk !== null) throw new NotSupportedError("`threads` > 1 needs the float vectors in memory: this index was loaded with `vectors: 'disk'`");
    const onProgress = options.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new InvalidArgumentError('`onProgress` must be a function');
    }
    let n: number;
    if (this.binary) {
      const bytes = this.vectorBytes;
      if (vectors instanceof Uint8Array) {
        if (vectors.length % bytes !== 0) {
          throw new LengthMismatchError(`\`vectors\` (flat) must hold a multiple of ${bytes} bytes (${dim} bits per vector), got ${vectors.length}`);
        }
        n = vectors.length / bytes;
      } else {
        if (!Array.isArray(vectors)) {
          throw new TypeMismatchError(`\`vectors\` must be an array of Uint8Arrays or one flat Uint8Array under the '${this.config.distance}' distance, got ${describe(vectors)}`);
        }
        n = vectors.length;
      }
    } else if (vectors instanceof Float32Array) {
      if (vectors.length % dim !== 0) {
        throw new LengthMismatchError(`\`vectors\` (flat) must hold a multiple of ${dim} values, got ${vectors.length}`);
      }
      n = vectors.length / dim;
    } else {
      if (!Array.isArray(vectors)) throw new InvalidArgumentError('`vectors` must be an array of vectors or a flat Float32Array');
      n = vectors.length;
    }
    const graph = this.graph;
    const first = graph.count;
    const parallel = threads > 1 && n > 1;
    // The rows are checked and prepared straight into their slots past the last node (room made
    // first; nothing is added until every row passed): no copy of the batch, whose allocation and
    // release (51 MB at 100K × 128) left glibc's heap grown. A codes-only index has no such slots:
    // its rows go to a copy, then to codes and the kept vectors.
    const inPlace = this.disk === null;
    let prepared: Float32Array;
    let at: number;
    let rowStride: number;
    if (inPlace) {
      // Growing may move the link regions of the memory (an async save may be reading them).
      this.willChange();
      graph.reserve(first + n, parallel);
      prepared = graph.vectors;
      at = graph.vectorOffset(first);
      rowStride = graph.stride;
    } else {
      prepared = new Float32Array(n * dim);
      at = 0;
      rowStride = dim;
    }
    // No view or string per row: garbage per row grows V8's young generation, which stays grown
    // (about 9 MB of process memory after 100K rows). Each chunk of rows prepared in their slots is
    // hashed at once, while in cache (see rowSums; rows of a batch that fails are never counted).
    const sums = inPlace && this.rowSumsCount === first;
    for (let c = 0; c < n; c += SUM_CHUNK_ROWS) {
      const e = Math.min(n, c + SUM_CHUNK_ROWS);
      if (this.binary && vectors instanceof Uint8Array) {
        const bytes = this.vectorBytes;
        for (let i = c; i < e; i++) this.prepare(vectors.subarray(i * bytes, (i + 1) * bytes), i, prepared, at + i * rowStride);
      } else if (vectors instanceof Float32Array) {
        for (let i = c; i < e; i++) this.prepare(vectors, i, prepared, at + i * rowStride, i * dim);
      } else {
        for (let i = c; i < e; i++) this.prepare(vectors[i] as VectorLike, i, prepared, at + i * rowStride);
      }
      if (sums) this.sumVectorRows(first + c, e - c);
    }
    this.willChange();
    this.repairSlice();
    const ids = new Array<number>(n);
    graph.reserve(first + n, parallel);
    for (let i = 0; i < n; i++) {
      const id = graph.allocateNode(this.drawLevel());
      if (!inPlace) this.storeVector(id, prepared, i * dim);
      ids[i] = id;
    }
    if (sums) this.rowSumsCount = first + n;
    return { ids, first, threads, onProgress };
  }

  /** The fixed parameters of the graph, as a worker thread rebuilds it. */
  private graphParams(): GraphParams {
    const graph = this.graph;
    return { dimension: graph.dimension, M: graph.M, efConstruction: graph.efConstruction, metric: graph.metric };
  }

  /**
   * @throws ConflictError while an async batch is being linked or an async search reads the
   *   graph on worker threads (`op` is the call refused)
   */
  private checkWritable(op: string): void {
    this.checkReadable(op);
    if (this.readers > 0) {
      throw new ConflictError(`\`${op}\` cannot change the index while searchManyAsync reads it on worker threads; await the search first`);
    }
  }

  /** @throws ConflictError while an async batch is being linked (the graph is half-written). */
  private checkReadable(op: string): void {
    if (this.building) throw new ConflictError(`\`${op}\` cannot run while addBatchAsync links a batch; await it first`);
  }

  /**
   * Hashes the vectors of ids `first … first + count − 1` as they lie in the vector memory into
   * {@link rowSums} (grown as needed): the first {@link rowWords} words of each slot, which are the
   * snapshot's row of that id. Only for an index whose float vectors are in memory.
   */
  private sumVectorRows(first: number, count: number): void {
    const need = 2 * (first + count);
    if (this.rowSums.length < need) {
      const grown = new Uint32Array(Math.max(need, 2 * this.rowSums.length, 64));
      // All of it: a batch's earlier chunks lie past rowSumsCount until the batch is counted.
      grown.set(this.rowSums);
      this.rowSums = grown;
    }
    const graph = this.graph;
    const vectors = graph.vectors;
    // Over the memory's current buffer object (see snapshotView), so that the rows are hashed in place.
    const bits = new Int32Array(graph.memory === null ? vectors.buffer : graph.memory.buffer, vectors.byteOffset, vectors.length);
    const at = graph.vectorOffset(first);
    if (graph.stride !== this.rowWords) {
      hashRows(bits, at, graph.stride, this.rowWords, count, this.rowSums, 2 * first);
      return;
    }
    const scratch = graph.ownScratch();
    const place = scratch === null ? null : { memory: graph.memory!, at: scratch.at, bytes: scratch.bytes };
    hashRowsInPlace(place, bits, at, this.rowWords, count, this.rowSums, 2 * first);
  }

  /**
   * Writes the prepared vector at `src[from …]` as node `id`'s: into the vector memory, or for a
   * codes-only index as its codes (encoded with the range trained at load) plus a copy kept until
   * the next save.
   */
  private storeVector(id: number, src: Float32Array, from: number): void {
    const graph = this.graph;
    const disk = this.disk;
    if (disk === null) {
      // `width` 4-byte units: the dimension, or a binary vector's padded slot. A same-type
      // typed-array copy moves bytes as they are, so bit-packed vectors pass through intact.
      graph.vectors.set(src.subarray(from, from + this.width), graph.vectorOffset(id));
      return;
    }
    const codes = this.codes!;
    codes.reserve(id + 1);
    codes.encode(id + 1, src, from);
    if (codes.encodedCount < id + 1) codes.encodedCount = id + 1;
    disk.keep(id, src, from);
  }

  /**
   * Float distance between the query (slot 0) and the vector at `values[offset …]`, by the same
   * kernel as every other float distance (the vector is copied to slot 1, a codes-only index's
   * re-rank scratch: it holds no node's floats).
   */
  private diskDistance(values: Float32Array, offset: number): number {
    const graph = this.graph;
    const vecs = graph.vectors;
    const stride = graph.stride;
    const dim = graph.dimension;
    for (let j = 0; j < dim; j++) vecs[stride + j] = values[offset + j]!;
    const sb = graph.strideBytes;
    return graph.metric === METRIC_L2 ? graph.kernel(0, sb, sb) : 1 - graph.kernel(0, sb, sb);
  }

  private checkId(id: number): void {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= this.numIds) {
      throw new NotFoundError(`\`id\` ${String(id)} is not in the index (ids are 0 to ${this.numIds - 1})`);
    }
    if (this.graph.deleted[id] !== 0) throw new NotFoundError(`\`id\` ${id} was deleted`);
  }

  /** True when `id` is a live (added, not deleted) id. */
  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.numIds && this.graph.deleted[id] === 0;
  }

  /**
   * A copy of the stored vector of `id` (unit length under cosine, as stored).
   * @throws NotFoundError when `id` was never added or was deleted
   */
  get(id: number): Float32Array {
    this.checkId(id);
    if (this.binary) throw new TypeMismatchError(`this index holds binary vectors (distance '${this.config.distance}'): read them with getBinary(id)`);
    const dim = this.config.dimension;
    if (this.disk !== null) {
      const out = new Float32Array(dim);
      this.disk.read(Int32Array.of(id), 1, (_, values, offset) => out.set(values.subarray(offset, offset + dim)));
      return out;
    }
    const offset = this.graph.vectorOffset(id);
    return this.graph.vectors.slice(offset, offset + dim);
  }

  /**
   * True when `vector`, checked and prepared as {@link add} stores it (normalised under cosine),
   * equals the stored vector of `id` bit for bit (a zero's sign included). For a caller that keeps
   * its own copy of the vectors and must tell whether an index saved earlier still holds them (an
   * id whose vector was replaced by {@link update} after that save), without copying each one out.
   * @throws NotFoundError when `id` was never added or was deleted
   * @throws LengthMismatchError / InvalidArgumentError / TypeMismatchError as {@link add}
   */
  holds(id: number, vector: VectorLike): boolean {
    this.checkReadable('holds');
    this.checkId(id);
    const query = this.query;
    this.prepare(vector, 'vector', query, 0);
    if (this.binary) {
      // Bit-packed bytes compared as bytes: as floats some patterns would be NaNs.
      const bytes = byteView(query.buffer);
      const at = this.graph.vectors.byteOffset + this.graph.vectorOffset(id) * 4;
      const storedBytes = byteView(this.graph.vectors.buffer);
      for (let i = 0; i < this.vectorBytes; i++) if (bytes[query.byteOffset + i] !== storedBytes[at + i]) return false;
      return true;
    }
    let stored: Float32Array;
    let at: number;
    if (this.disk !== null) {
      stored = this.get(id);
      at = 0;
    } else {
      stored = this.graph.vectors;
      at = this.graph.vectorOffset(id);
    }
    // No stored float is a NaN (add refuses non-finite values); ±0 differ in their reciprocal.
    for (let i = 0; i < this.config.dimension; i++) {
      const a = query[i]!;
      const b = stored[at + i]!;
      if (a !== b || (a === 0 && 1 / a !== 1 / b)) return false;
    }
    return true;
  }

  /**
   * A copy of the stored bit-packed vector of `id` (`dimension / 8` bytes) in a binary index.
   * @throws NotFoundError when `id` was never added or was deleted
   * @throws TypeMismatchError when the index holds float vectors (read them with {@link get})
   */
  getBinary(id: number): Uint8Array {
    this.checkId(id);
    if (!this.binary) throw new TypeMismatchError(`this index holds float vectors (distance '${this.config.distance}'): read them with get(id)`);
    const graph = this.graph;
    const at = graph.vectors.byteOffset + graph.vectorOffset(id) * 4;
    return byteView(graph.vectors.buffer).slice(at, at + this.vectorBytes);
  }

  /**
   * Deletes `id`: it is never returned again. It stays in the graph as a waypoint (a tombstone:
   * searches walk through it, so recall holds) until the graph is repaired. Once tombstones exceed
   * `config.repairThreshold` of the graph's nodes the repair is due: with `repair: 'deferred'`
   * (the default) it then runs in bounded slices at the start of the following `add`, `addBatch`,
   * `update` and `search` calls, so `delete` itself only marks the id; with `'eager'` this call
   * runs {@link compact}. {@link compact} finishes it at any time. Deleting the last live id
   * always empties the graph at once.
   * @throws NotFoundError when `id` was never added or was already deleted
   */
  delete(id: number): void {
    this.checkWritable('delete');
    this.checkId(id);
    this.willChange();
    this.graph.deleted[id] = 1;
    this.liveCount--;
    this.pendingDeletes++;
    if (this.liveCount === 0 || (this.config.repair === 'eager' && this.repairDue())) this.compact();
  }

  /**
   * Counts a change to the graph or its memory; called before the change. When async saves are
   * reading the memory ({@link saveFromMemory}), it first copies the index for them: the state they
   * started from, which they then save (no change was made since they started, or this would have
   * copied already).
   */
  private willChange(): void {
    if (this.liveSaves.size > 0) {
      let copy: SaveSnapshot | null = null;
      for (const save of this.liveSaves) {
        if (save.copy === null) save.copy = copy ??= { ...this.stateCopy(), vectorSums: this.vectorSumsCopy() };
      }
    }
    this.mutations++;
  }

  /** True when unrepaired tombstones exceed `repairThreshold` of the nodes still in the graph. */
  private repairDue(): boolean {
    return this.pendingDeletes > this.config.repairThreshold * (this.liveCount + this.pendingDeletes);
  }

  /**
   * Deferred repair: advances the repair under way by one bounded slice ({@link REPAIR_SLICE_WORK}),
   * starting one when it is due. Called at the start of add, addBatch, update and search.
   */
  private repairSlice(): void {
    // Worker threads are reading the graph (searchManyAsync), or an async save its memory: the
    // repair waits for a later call.
    if (this.readers > 0 || this.liveSaves.size > 0) return;
    let pass = this.repairPass;
    if (pass === null) {
      if (this.config.repair !== 'deferred' || this.pendingDeletes === 0 || !this.repairDue()) return;
      pass = this.startRepair();
    }
    this.willChange();
    if (pass.step(REPAIR_SLICE_WORK)) this.endRepair();
  }

  private startRepair(): RepairPass {
    const pass = new RepairPass(this.graph, this.graph.repairEf);
    this.repairPass = pass;
    this.repairPassRemoves = this.pendingDeletes;
    return pass;
  }

  /** Books a finished pass: its tombstones are no longer pending (later deletes still are). */
  private endRepair(): void {
    this.pendingDeletes -= this.repairPassRemoves;
    this.repairPassRemoves = 0;
    this.repairPass = null;
  }

  /**
   * Replaces the vector of `id` and relinks the node around its new position. Nodes near its old
   * position that link to it keep that link only if the selection heuristic still picks it from
   * their list; otherwise the link is replaced as after a delete (candidates: the node's old
   * neighbours, no beam search; they are then added to their new neighbours' lists). Then the node's own lists are
   * rebuilt by search and heuristic selection, and it is added to its new neighbours' lists.
   * (In-links from nodes more than two hops from its old neighbourhood are left as they are: they
   * stay valid, only longer.)
   * @throws NotFoundError when `id` was never added or was deleted
   * @throws LengthMismatchError / InvalidArgumentError as {@link add}
   */
  update(id: number, vector: VectorLike): void {
    this.checkWritable('update');
    this.checkId(id);
    this.prepare(vector, 'vector', this.query, 0);
    this.willChange();
    this.repairSlice();
    const graph = this.graph;
    if (this.disk !== null) this.storeVector(id, this.query, 0);
    else graph.vectors.set(this.query, graph.vectorOffset(id));
    if (id < this.rowSumsCount) this.sumVectorRows(id, 1);
    graph.vectorChanged(id);
    this.noteVectorChange(id);
    if (this.codes !== null && this.disk === null) this.codes.refresh(id, graph.vectors, graph.stride);
    if (graph.count > 1) {
      graph.repairInLinks(id, 0);
      graph.linkFrom(id, graph.levels[id]!, graph.state[STATE_ENTRY]!, graph.state[STATE_MAX_LEVEL]!);
    }
  }

  /**
   * Repairs the graph around deleted ids, incrementally: every live node whose link list names a
   * tombstone gets that list rebuilt from candidates drawn from the tombstones' own neighbours,
   * its remaining neighbours and a local beam search (`max(2M, efConstruction / 3)` wide), picked by the
   * neighbour-selection heuristic. Then the tombstones are unlinked completely (their slots stay
   * allocated; ids are never reused), the entry point moves to a live node if it was deleted, and
   * any live node left with no in-link is linked again. Costs about one insert per affected node;
   * a no-op when nothing was deleted since the last repair.
   * @example
   * ```ts
   * for (const id of stale) index.delete(id);
   * const { repairedLists } = index.compact();
   * ```
   */
  compact(): HnswCompactResult {
    this.checkWritable('compact');
    this.willChange();
    const result: HnswCompactResult = { removedNodes: 0, repairedLists: 0, relinkedNodes: 0 };
    // A pass under way is finished first (its earlier slices count in the result), then one more
    // pass unlinks ids deleted while it ran.
    while (this.repairPass !== null || this.pendingDeletes > 0) {
      const pass = this.repairPass ?? this.startRepair();
      pass.step(Infinity);
      result.removedNodes += this.repairPassRemoves;
      result.repairedLists += pass.repairedLists;
      result.relinkedNodes += pass.relinkedNodes;
      this.endRepair();
    }
    return result;
  }

  /**
   * Drops the deleted ids for good: repairs the graph ({@link compact}), then returns a new index
   * holding only the live ids, renumbered `0, 1, …` in ascending order of their old ids, with the
   * same vectors, levels and links (so it answers every search as this one does, through
   * `oldIds`), and the same configuration and level generator. Ids are never reused by an index, so
   * one that is updated or deleted from for a long time keeps a slot (vector and link lists) for
   * every id it ever handed out; this gives that memory back. This index is left as it was (repaired).
   * @returns the new index and, for each of its ids, the old one.
   * @throws NotSupportedError for an index loaded with `vectors: 'disk'`; ConflictError as {@link compact}.
   * @example
   * ```ts
   * const { index: fresh, oldIds } = index.compactIds();
   * // fresh id j is index id oldIds[j]
   * ```
   */
  compactIds(): HnswCompactIdsResult {
    if (this.disk !== null) throw new NotSupportedError("compactIds needs the float vectors in memory: this index was loaded with `vectors: 'disk'`");
    this.compact();
    const { snapshot, oldIds } = dropTombstones(this.toSnapshot(), this.rowWords);
    return { index: HNSW.fromSnapshot(snapshot), oldIds };
  }

  /**
   * Bytes held by the index: the vector memory (the WebAssembly memory, or its stand-in), every
   * link, level, offset and tombstone array at its allocated capacity, and the search scratch.
   * Excludes JavaScript object overhead (a few KiB).
   */
  get byteLength(): number {
    const g = this.graph;
    let bytes = g.memory === null ? g.vectors.byteLength : g.memory.buffer.byteLength;
    // links0 and the tombstones are views of the vector memory when it holds them (counted above).
    if (!g.inMemory) bytes += g.links0.byteLength + g.deleted.byteLength;
    bytes += g.levels.byteLength + g.upperOffsets.byteLength + g.upperLinks.byteLength + g.dirty.byteLength;
    bytes += g.state.byteLength + (g.locks === null ? 0 : g.locks.byteLength) + g.visited.tags.byteLength;
    bytes += g.candidates.ids.byteLength + g.candidates.keys.byteLength + g.results.ids.byteLength + g.results.keys.byteLength;
    bytes += g.pool.ids.byteLength + g.pool.keys.byteLength + g.queue.byteLength;
    bytes += g.bufIds.byteLength + g.bufDists.byteLength + g.pruneIds.byteLength + g.pruneDists.byteLength + g.listCopy.byteLength;
    bytes += this.query.byteLength + this.outIds.byteLength + this.outDists.byteLength + this.rowSums.byteLength;
    if (this.codes !== null) bytes += this.codes.byteLength;
    if (this.disk !== null) bytes += this.disk.byteLength;
    return bytes;
  }

  /**
   * The `k` nearest live vectors to `query`, closest first.
   * @param query - `dimension` finite numbers (not zero under cosine); under a binary metric a
   *   Uint8Array of `dimension / 8` bytes
   * @param k - number of results, a positive integer; fewer come back when the index holds fewer
   * @param options - `ef` (a number, or `{ ef, filter }`); default ef is `max(k, 64)`
   * @returns fresh `{ id, distance }` objects, ascending by distance; `[]` on an empty index
   * @throws InvalidArgumentError on a bad `k`, `ef` or filter, or bad query components
   * @throws LengthMismatchError when the query length is not the index dimension
   * @example
   * ```ts
   * const hits = index.search(q, 10, { ef: 100, filter: (id) => id % 2 === 0 });
   * ```
   */
  search(query: VectorLike, k: number, options?: number | SearchOptions): SearchResult[] {
    return this.hits(this.searchToOut('search', query, k, options));
  }

  /**
   * {@link HNSW.search} into arrays the caller owns, without a result object per hit: for large
   * `k` or many queries, where `search`'s `{ id, distance }` objects are a visible part of the
   * cost (k = 100 at ef 100 on 10K × 128: ~10 % more queries per second). The same walk, the same answers: hit
   * `i` is `out.ids[i]` at `out.distances[i]`, the values `search` puts in its `i`-th object.
   * Entries from the returned count on are left as they were.
   * @param out - `ids` (Int32Array or Uint32Array) and `distances` (Float64Array: the distances
   *   `search` returns, unrounded), each at least `k` long
   * @returns how many hits were written (≤ `k`; fewer when fewer live, accepted ids exist; 0 on an
   *   empty index)
   * @throws InvalidArgumentError when `out` is not such a pair of arrays or they are shorter than
   *   `k`; otherwise as {@link HNSW.search}
   * @example
   * ```ts
   * const ids = new Int32Array(100), distances = new Float64Array(100);
   * const n = index.searchInto(q, 100, { ids, distances }, { ef: 128 });
   * for (let i = 0; i < n; i++) use(ids[i], distances[i]);
   * ```
   */
  searchInto(query: VectorLike, k: number, out: SearchOutput, options?: number | SearchOptions): number {
    if (typeof out !== 'object' || out === null) throw new InvalidArgumentError('`out` must be an object `{ ids, distances }`');
    const { ids, distances } = out;
    if (!(ids instanceof Int32Array || ids instanceof Uint32Array)) throw new InvalidArgumentError('`out.ids` must be an Int32Array or a Uint32Array');
    if (!(distances instanceof Float64Array)) throw new InvalidArgumentError('`out.distances` must be a Float64Array (the distances unrounded)');
    if (Number.isInteger(k) && k > 0 && (ids.length < k || distances.length < k)) {
      throw new InvalidArgumentError(`\`out.ids\` and \`out.distances\` must hold at least k = ${k} entries, got ${ids.length} and ${distances.length}`);
    }
    const n = this.searchToOut('searchInto', query, k, options);
    ids.set(this.outIds.subarray(0, n));
    distances.set(this.outDists.subarray(0, n));
    return n;
  }

  /** The body of {@link HNSW.search}: the hits, closest first, in `outIds` / `outDists`; returns how many. */
  private searchToOut(what: string, query: VectorLike, k: number, options: number | SearchOptions | undefined): number {
    this.checkReadable(what);
    if (!Number.isInteger(k) || k <= 0) throw notPositiveInteger('k', k);
    let ef = DEFAULT_EF_SEARCH;
    let filter: ((id: number) => boolean) | undefined;
    let bits: Uint32Array | undefined;
    if (typeof options === 'number') {
      ef = options;
    } else if (options !== undefined) {
      if (options === null || typeof options !== 'object') {
        throw new InvalidArgumentError(`\`options\` must be a number (ef) or an object, got ${String(options)}`);
      }
      if (options.ef !== undefined) ef = options.ef;
      filter = options.filter;
      if (filter !== undefined && typeof filter !== 'function') throw new InvalidArgumentError('`filter` must be a function');
      bits = options.filterBits;
      if (bits !== undefined) this.checkFilterBits(bits);
    }
    if (!Number.isInteger(ef) || ef <= 0) throw notPositiveInteger('ef', ef);
    const graph = this.graph;
    // The query goes to slot 0 of the vector memory, where the kernels read it.
    this.prepare(query, 'query', graph.vectors, 0);
    this.repairSlice();
    if (this.liveCount === 0) return 0;
    if (ef < k) ef = k;
    // A beam wider than the graph finds what one as wide as the graph finds: never size buffers past it.
    if (ef > graph.count) ef = Math.max(k, graph.count);
    if (this.outIds.length < ef) {
      this.outIds = new Int32Array(ef);
      this.outDists = new Float64Array(ef);
    }
    // A codes-only index compares codes everywhere (its graph is always in code mode): its exact
    // scans pick the `max(k, ef)` nearest by code, and every answer is re-ranked from the floats.
    const disk = this.disk;
    if (disk !== null) this.codes!.encode(0, graph.vectors, 0);
    const scanK = disk === null ? k : ef;
    let n: number;
    if (k >= this.liveCount) {
      n = this.exactSearch(k, filter, bits);
      if (disk !== null) n = this.rerank(n, k);
    } else if (filter === undefined && bits === undefined) {
      n = this.codes === null ? graph.search(k, ef, this.outIds, this.outDists) : this.searchSq8(k, ef);
      // The walk goes on through tombstones until it holds ef live nodes or has seen every node it
      // can reach, so this only happens when live nodes are cut off from the entry point (many
      // deletes, no repair yet): k results are still owed, and an exact scan finds them.
      if (n < k) {
        n = this.exactSearch(scanK, undefined, undefined);
        if (disk !== null) n = this.rerank(n, k);
      }
    } else {
      const ep = graph.state[STATE_ENTRY]!;
      const cur = graph.greedyDescent(0, ep, graph.state[STATE_MAX_LEVEL]!, 0);
      const complete = graph.searchLayer0Filtered(0, cur, ef, filter ?? null, bits ?? null, filteredWalkVisits(graph, ef, bits));
      const results = graph.results;
      if (complete && results.length >= k) {
        n = results.drainSmallest(disk === null ? k : results.length, this.outIds, this.outDists);
      } else {
        n = this.exactSearch(scanK, filter, bits);
      }
      if (disk !== null) n = this.rerank(n, k);
    }
    return n;
  }

  /**
   * The exact `k` nearest live vectors to `query`, closest first, by comparing the query with every
   * live (and accepted) vector: no graph walk, so no recall loss, at a cost linear in the index
   * size. The ground truth to measure {@link search}'s recall against, and the right call for
   * small indexes or very selective filters. Distances are computed by the same kernels as
   * `search`, so equal vectors give equal distances in both.
   * @param query - `dimension` finite numbers (not zero under cosine)
   * @param k - number of results, a positive integer; fewer come back when fewer ids are live and accepted
   * @param options - `filter`: only ids for which it returns true are considered
   * @returns fresh `{ id, distance }` objects, ascending by distance, then by id: the first `k` of a sort of
   *   every accepted vector, ties at the `k`-th distance included; `[]` on an empty index
   * @throws InvalidArgumentError on a bad `k`, filter or query components
   * @throws LengthMismatchError when the query length is not the index dimension
   * @example
   * ```ts
   * const truth = index.searchExact(q, 10);
   * const recall = index.search(q, 10).filter((h) => truth.some((t) => t.id === h.id)).length / truth.length;
   * ```
   */
  searchExact(query: VectorLike, k: number, options: ExactSearchOptions = {}): SearchResult[] {
    this.checkReadable('searchExact');
    if (!Number.isInteger(k) || k <= 0) throw notPositiveInteger('k', k);
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`\`options\` must be an object, got ${String(options)}`);
    const filter = options.filter;
    if (filter !== undefined && typeof filter !== 'function') throw new InvalidArgumentError('`filter` must be a function');
    const bits = options.filterBits;
    if (bits !== undefined) this.checkFilterBits(bits);
    this.prepare(query, 'query', this.graph.vectors, 0);
    if (this.liveCount === 0) return [];
    const count = k < this.liveCount ? k : this.liveCount;
    return this.hits(this.disk === null ? this.exactSearch(count, filter, bits) : this.diskExactSearch(count, filter, bits));
  }

  /**
   * {@link search} for many queries at once, optionally on several threads sharing the index's
   * memory (no copy of the index): each answer is exactly what `search(queries[i], k, options)`
   * returns on the same index. With threads, the deferred repair (see {@link delete}) advances once
   * per call, before the queries, not once per query.
   * With `threads > 1` the calling thread answers queries beside `threads − 1` worker threads and
   * blocks until they are done (use {@link searchManyAsync} to keep the event loop free). A
   * `filter` function, an SQ8 index or the browser build answer every query on the calling thread
   * (by {@link search}).
   * @param queries - an array of vectors, or one flat Float32Array of `n · dimension` values (under a
   *   binary metric Uint8Arrays, or one flat Uint8Array of `n · dimension / 8` bytes)
   * @param k - results per query, a positive integer
   * @param options - `ef`, `filter`, `filterBits` (as {@link search}), `threads` (default 1)
   * @returns one result list per query, in query order
   * @throws InvalidArgumentError / LengthMismatchError as {@link search}, naming `queries[i]`;
   *   NotSupportedError when threads are asked for but the compiled worker script is missing;
   *   InternalError when a worker fails; ConflictError while addBatchAsync runs
   * @example
   * ```ts
   * const lists = index.searchMany(queries, 10, { ef: 64, threads: 2 });
   * ```
   */
  searchMany(queries: Float32Array | Uint8Array | readonly VectorLike[], k: number, options: SearchManyOptions = {}): SearchResult[][] {
    this.checkReadable('searchMany');
    const job = this.manyJob(queries, k, options, 1);
    if (!job.threaded || job.threads < 2 || job.n < 2 || this.searchPool().busy) {
      const lists = new Array<SearchResult[]>(job.n);
      for (let i = 0; i < job.n; i++) lists[i] = this.search(this.queryRow(queries, i), k, job.searchOptions);
      return lists;
    }
    const prepared = job.prepared!;
    const lists = this.startThreadedJob(job.n);
    if (lists !== null) return lists;
    const batch = sharedBatch(prepared, job.n, k, job.ef, this.liveCount, job.bits ?? null);
    const stride = this.graph.stride;
    const runner = (this.runner ??= new QueryRunner(this.graph, 0));
    this.beginThreadJob();
    try {
      this.searchPool().runSync(this.graph, this.graphParams(), batch, job.threads, (i) => {
        this.graph.vectors.set(prepared.subarray(i * stride, (i + 1) * stride), 0);
        const n = runner.run(k, job.ef, undefined, batch.bits ?? undefined, this.liveCount, null);
        batch.outIds.set(runner.outIds.subarray(0, n), i * k);
        batch.outDists.set(runner.outDists.subarray(0, n), i * k);
        batch.counts[i] = n;
      });
    } finally {
      this.endThreadJob();
    }
    return this.batchLists(batch);
  }

  /**
   * {@link searchMany} that leaves the calling thread free: `threads` worker threads answer the
   * queries (they share the index's memory) while the event loop runs; the promise resolves with
   * the same lists `searchMany` returns. Async searches run one after another on one pool of
   * workers, started on first use and kept until {@link close}.
   * While one is in flight the index must not change: `add`, `addBatch`, `addBatchAsync`, `update`,
   * `delete` and `compact` throw ConflictError (never a torn read); searches, saves and snapshots
   * still work, and the deferred repair waits. With a `filter` function, an SQ8 index or in the
   * browser build the queries run on the calling thread (by {@link search}) in slices of about
   * 12 ms, with event-loop turns between them.
   * @param queries - as {@link searchMany}
   * @param k - results per query
   * @param options - as {@link searchMany}; `threads` defaults to the cores available (at most 8)
   * @throws (rejects with) the errors of {@link searchMany}; InternalError when {@link close} stops
   *   the workers of a search in flight
   * @example
   * ```ts
   * const lists = await index.searchManyAsync(queries, 10, { ef: 64 });
   * await index.close(); // when done with the index: stops the workers
   * ```
   */
  async searchManyAsync(queries: Float32Array | Uint8Array | readonly VectorLike[], k: number, options: SearchManyOptions = {}): Promise<SearchResult[][]> {
    this.checkReadable('searchManyAsync');
    const job = this.manyJob(queries, k, options, defaultSearchThreads());
    this.readers++;
    try {
      if (!job.threaded) {
        const lists = new Array<SearchResult[]>(job.n);
        const pacer = new Pacer();
        for (let i = 0; i < job.n; i++) {
          lists[i] = this.search(this.queryRow(queries, i), k, job.searchOptions);
          if (pacer.due()) await pacer.turn();
        }
        return lists;
      }
      const lists = this.startThreadedJob(job.n);
      if (lists !== null) return lists;
      const batch = sharedBatch(job.prepared!, job.n, k, job.ef, this.liveCount, job.bits ?? null);
      this.beginThreadJob();
      try {
        await this.searchPool().runAsync(this.graph, this.graphParams(), batch, job.threads);
      } finally {
        this.endThreadJob();
      }
      return this.batchLists(batch);
    } finally {
      this.readers--;
    }
  }

  /**
   * Stops the worker threads of parallel searches and builds, if any were started (a search in
   * flight then rejects with InternalError; an {@link addBatchAsync} in flight is let finish
   * first, since a batch cut short would stay half linked). The index stays usable: a later
   * threaded call starts workers again. The workers never keep the process alive, so this is for
   * freeing their threads and memory early (each holds a reference to the index's memory).
   */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool !== null) await pool.close();
  }

  private searchPool(): SearchPool {
    if (this.pool === null) this.pool = new SearchPool();
    return this.pool;
  }

  /**
   * While workers run, this thread's wasm walk keeps its heaps where they are (`graph.walkFixed`):
   * grown, they would reach into the workers' areas past them (see `graph.reserveSearchAreas`); a
   * search wider than they hold takes the JS walk then (same answers). Each job first makes them
   * as wide as its own ef (`graph.prepareWalk`).
   */
  private beginThreadJob(): void {
    if (this.threadJobs++ === 0) this.graph.walkFixed = true;
  }

  private endThreadJob(): void {
    if (--this.threadJobs === 0) this.graph.walkFixed = false;
  }

  /**
   * The start of a threaded search, as {@link search} starts: the deferred repair advances (once);
   * an empty index answers `[]` for every query (returned here), else null.
   */
  private startThreadedJob(n: number): SearchResult[][] | null {
    this.repairSlice();
    if (this.liveCount > 0) return null;
    return Array.from({ length: n }, () => []);
  }

  /** Query `i` of a `searchMany` argument (already checked by {@link manyJob}). */
  private queryRow(queries: Float32Array | Uint8Array | readonly VectorLike[], i: number): VectorLike {
    if (queries instanceof Uint8Array) return queries.subarray(i * this.vectorBytes, (i + 1) * this.vectorBytes);
    if (queries instanceof Float32Array && !this.binary) return queries.subarray(i * this.config.dimension, (i + 1) * this.config.dimension);
    return (queries as readonly VectorLike[])[i]!;
  }

  /**
   * Checks the arguments of {@link searchMany} / {@link searchManyAsync}; for a threaded search
   * also prepares every query into its own vector slot (on shared memory).
   */
  private manyJob(queries: Float32Array | Uint8Array | readonly VectorLike[], k: number, options: SearchManyOptions, defaultThreads: number) {
    if (!Number.isInteger(k) || k <= 0) throw notPositiveInteger('k', k);
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`\`options\` must be an object, got ${String(options)}`);
    const ef = options.ef ?? DEFAULT_EF_SEARCH;
    if (!Number.isInteger(ef) || ef <= 0) throw notPositiveInteger('ef', ef);
    const filter = options.filter;
    if (filter !== undefined && typeof filter !== 'function') throw new InvalidArgumentError('`filter` must be a function');
    const bits = options.filterBits;
    if (bits !== undefined) this.checkFilterBits(bits);
    const threads = options.threads ?? defaultThreads;
    if (!Number.isInteger(threads) || threads < 1) throw notPositiveInteger('threads', threads);
    const dim = this.config.dimension;
    const rowLength = this.binary ? this.vectorBytes : dim;
    const flat = this.binary ? queries instanceof Uint8Array : queries instanceof Float32Array;
    let n: number;
    if (flat) {
      if (queries.length % rowLength !== 0) {
        throw new LengthMismatchError(
          this.binary
            ? `\`queries\` (flat) must hold a multiple of ${rowLength} bytes (${dim} bits per vector), got ${queries.length}`
            : `\`queries\` (flat) must hold a multiple of ${dim} values, got ${queries.length}`,
        );
      }
      n = queries.length / rowLength;
    } else {
      if (!Array.isArray(queries)) {
        if (this.binary) {
          throw new TypeMismatchError(`\`queries\` must be an array of Uint8Arrays or one flat Uint8Array under the '${this.config.distance}' distance, got ${describe(queries)}`);
        }
        throw new InvalidArgumentError('`queries` must be an array of vectors or a flat Float32Array');
      }
      n = queries.length;
    }
    const searchOptions: SearchOptions = { ef };
    if (filter !== undefined) searchOptions.filter = filter;
    if (bits !== undefined) searchOptions.filterBits = bits;
    // Work for threads only when they can all run it: no function to call, no SQ8 codes (kept
    // per index on this thread), worker threads present.
    const threaded = searchThreadsAvailable() && filter === undefined && this.codes === null && n > 0;
    let prepared: Float32Array | null = null;
    if (threaded) {
      // Every query is checked before any is answered (as the calling-thread path, by search, is not:
      // it stops at the first bad one, having answered none, since the results are not returned).
      const stride = this.graph.stride;
      prepared = new Float32Array(new SharedArrayBuffer(n * stride * 4));
      for (let i = 0; i < n; i++) this.prepare(this.queryRow(queries, i), `queries[${i}]`, prepared, i * stride);
    } else {
      // Checked up front too, naming the bad row (search would name it `query`).
      const scratch = new Float32Array(this.graph.stride);
      for (let i = 0; i < n; i++) this.prepare(this.queryRow(queries, i), `queries[${i}]`, scratch, 0);
    }
    return { n, prepared, k, ef, bits, threads, threaded, searchOptions };
  }

  /** The answers of a parallel search as result lists. */
  private batchLists(batch: { k: number; count: number; outIds: Int32Array; outDists: Float64Array; counts: Int32Array }): SearchResult[][] {
    const { k, outIds, outDists, counts } = batch;
    const lists = new Array<SearchResult[]>(batch.count);
    for (let i = 0; i < batch.count; i++) {
      const n = counts[i]!;
      const list = new Array<SearchResult>(n);
      for (let j = 0; j < n; j++) list[j] = { id: outIds[i * k + j]!, distance: outDists[i * k + j]! };
      lists[i] = list;
    }
    return lists;
  }

  /** @throws InvalidArgumentError unless `bits` is a Uint32Array with a word for every assigned id. */
  private checkFilterBits(bits: Uint32Array): void {
    if (!(bits instanceof Uint32Array)) throw new InvalidArgumentError('`filterBits` must be a Uint32Array');
    const words = (this.graph.count + 31) >>> 5;
    if (bits.length < words) {
      throw new InvalidArgumentError(`\`filterBits\` must hold a bit for each of the ${this.graph.count} assigned ids (${words} words), got ${bits.length} words`);
    }
  }

  /** The first `n` entries of `outIds` / `outDists` as fresh result objects. */
  private hits(n: number): SearchResult[] {
    const out = new Array<SearchResult>(n);
    const ids = this.outIds;
    const dists = this.outDists;
    for (let i = 0; i < n; i++) out[i] = { id: ids[i]!, distance: dists[i]! };
    return out;
  }

  /**
   * SQ8 search (query in slot 0): the graph walk compares codes and keeps `ef` candidates, which
   * are then re-ranked by their float distance; the best `k` go to `outIds` / `outDists`.
   */
  private searchSq8(k: number, ef: number): number {
    const graph = this.graph;
    const codes = this.codes!;
    const onDisk = this.disk !== null;
    // A codes-only index has its codes (query's included) ready, and its graph always in code mode.
    if (!onDisk) {
      codes.sync(graph.vectors, graph.stride, graph.count);
      codes.encode(0, graph.vectors, 0);
    }
    graph.codeMode = true;
    let n: number;
    try {
      n = graph.search(ef, ef, this.outIds, this.outDists);
    } finally {
      graph.codeMode = onDisk;
    }
    return this.rerank(n, k);
  }

  /**
   * Re-ranks the `n` candidates in `outIds` by their float distance to the query (read from disk
   * for a codes-only index): ascending by distance, then id; returns `min(n, k)`.
   */
  private rerank(n: number, k: number): number {
    const graph = this.graph;
    const ids = this.outIds;
    const dists = this.outDists;
    if (this.disk === null) {
      for (let i = 0; i < n; i++) dists[i] = graph.distance(0, ids[i]!);
    } else {
      this.disk.read(ids, n, (i, values, offset) => {
        dists[i] = this.diskDistance(values, offset);
      });
    }
    // Insertion sort (n is ef: small).
    for (let i = 1; i < n; i++) {
      const id = ids[i]!;
      const d = dists[i]!;
      let p = i;
      while (p > 0 && (dists[p - 1]! > d || (dists[p - 1] === d && ids[p - 1]! > id))) {
        dists[p] = dists[p - 1]!;
        ids[p] = ids[p - 1]!;
        p--;
      }
      dists[p] = d;
      ids[p] = id;
    }
    return n < k ? n : k;
  }

  /**
   * {@link exactSearch} of a codes-only index: the float vectors scanned from disk (and those kept
   * in memory since the last save), each compared by the float kernel.
   */
  private diskExactSearch(k: number, filter: ((id: number) => boolean) | undefined, bits: Uint32Array | undefined): number {
    const graph = this.graph;
    const results = graph.results;
    const deleted = graph.deleted;
    results.length = 0;
    this.disk!.forEach(graph.count, (id, values, offset) => {
      if (deleted[id] !== 0) return;
      if (bits !== undefined && ((bits[id >>> 5]! >>> (id & 31)) & 1) === 0) return;
      if (filter !== undefined && !filter(id)) return;
      const d = this.diskDistance(values, offset);
      // (distance, id) order, as exactScan: ids need not come in ascending order here.
      if (results.length < k || d < results.topDistance() || (d === results.topDistance() && id < results.ids[0]!)) results.offerById(d, id, k);
    });
    if (this.outIds.length < results.length) {
      this.outIds = new Int32Array(results.length);
      this.outDists = new Float64Array(results.length);
    }
    return results.drainAscendingById(this.outIds, this.outDists);
  }

  /**
   * Exact scan (query in slot 0) over live, accepted ids (by `filter` and `bits`) into `outIds` /
   * `outDists`; returns the count. With `bits`, only its set bits are visited (word by word, in
   * ascending id order, so the vectors are read front to back).
   */
  private exactSearch(k: number, filter: ((id: number) => boolean) | undefined, bits: Uint32Array | undefined): number {
    const results = exactScan(this.graph, 0, k, filter, bits);
    if (this.outIds.length < results.length) {
      this.outIds = new Int32Array(results.length);
      this.outDists = new Float64Array(results.length);
    }
    return results.drainAscendingById(this.outIds, this.outDists);
  }

  /** Copy of every stored vector, row after row, without the padding. */
  private denseVectors(): Float32Array {
    const graph = this.graph;
    const dim = this.rowWords;
    // Codes-only: the whole column read from disk (plus vectors kept since), for the save's duration.
    if (this.disk !== null) return this.disk.dense(graph.count);
    if (graph.stride === dim) return graph.vectors.slice(graph.stride, graph.stride * (graph.count + 1));
    const out = new Float32Array(graph.count * dim);
    for (let i = 0; i < graph.count; i++) {
      const offset = graph.vectorOffset(i);
      out.set(graph.vectors.subarray(offset, offset + dim), i * dim);
    }
    return out;
  }

  /**
   * A copy of the whole index as plain typed arrays, for persistence: vectors, levels, layer-0 and
   * upper-layer links, tombstones, entry point, configuration and the level generator's state.
   * {@link HNSW.fromSnapshot} restores an index that answers identically.
   */
  toSnapshot(): HnswSnapshot {
    this.checkReadable('toSnapshot');
    return this.stateCopy();
  }

  /** {@link toSnapshot} without the check (for a save's copy, taken inside a call that changes the index). */
  private stateCopy(): HnswSnapshot {
    const graph = this.graph;
    const count = graph.count;
    const state = graph.state;
    const upperLength = state[STATE_UPPER_LENGTH]!;
    return {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      config: this.config,
      numIds: count,
      entryPoint: state[STATE_ENTRY]!,
      maxLevel: state[STATE_MAX_LEVEL]!,
      rngState: this.rng.state,
      vectors: this.denseVectors(),
      levels: graph.levels.slice(0, count),
      links0: graph.links0.slice(0, count * graph.stride0),
      upperOffsets: graph.upperOffsets.slice(0, count),
      upperLinks: graph.upperLinks.slice(0, upperLength),
      deleted: graph.deleted.slice(0, count),
    };
  }

  /**
   * {@link toSnapshot} for an async save, copied a slice at a time (run by `runPaced`: event-loop
   * turns between slices; a copy that fits in one slice is taken before the save first waits),
   * since a whole copy of a 100K × 128 index takes ~40 ms in one go. When the index changes between
   * two slices, the copy is thrown away and taken again in one go, so the snapshot is always one
   * state of the index. The vector changes since the last save are taken at that same moment (a
   * fresh set records later ones), so the save's checksum reuse matches the snapshot.
   */
  private *snapshotInSlices(
    pacer: Pacer,
  ): Generator<void, { snapshot: HnswSnapshot & { readonly vectorSums: Uint32Array | null }; changed: Set<number> | null; dirty: Uint8Array; at: number }, void> {
    const start = this.mutations;
    const graph = this.graph;
    const count = graph.count;
    const state = graph.state;
    const dim = this.rowWords;
    const stride = graph.stride;
    const vectors = this.disk !== null ? this.denseVectors() : new Float32Array(count * dim);
    if (this.disk !== null) {
      // Read from disk in one go above.
    } else if (stride === dim) yield* copyInSlices(vectors, graph.vectors, stride, pacer);
    else {
      for (let i = 0; i < count; i++) {
        const offset = graph.vectorOffset(i);
        vectors.set(graph.vectors.subarray(offset, offset + dim), i * dim);
        if ((i & 1023) === 0 && pacer.due()) yield;
      }
    }
    const links0 = new Int32Array(count * graph.stride0);
    yield* copyInSlices(links0, graph.links0, 0, pacer);
    const upperLinks = new Int32Array(state[STATE_UPPER_LENGTH]!);
    yield* copyInSlices(upperLinks, graph.upperLinks, 0, pacer);
    if (this.mutations !== start || graph !== this.graph) {
      return { snapshot: { ...this.toSnapshot(), vectorSums: this.vectorSumsCopy() }, changed: this.takeVectorChanges(), dirty: this.takeDirtyMarks(), at: this.mutations };
    }
    const snapshot = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      config: this.config,
      numIds: count,
      entryPoint: state[STATE_ENTRY]!,
      maxLevel: state[STATE_MAX_LEVEL]!,
      rngState: this.rng.state,
      vectors,
      levels: graph.levels.slice(0, count),
      links0,
      upperOffsets: graph.upperOffsets.slice(0, count),
      upperLinks,
      deleted: graph.deleted.slice(0, count),
      // Taken with the rest (no mutation since the copy began): they describe the copied vectors.
      vectorSums: this.vectorSumsCopy(),
    };
    return { snapshot, changed: this.takeVectorChanges(), dirty: this.takeDirtyMarks(), at: start };
  }

  /** A copy of {@link rowSums} when it covers every id (an async save's snapshot keeps it), else null. */
  private vectorSumsCopy(): Uint32Array | null {
    const count = this.graph.count;
    return this.rowSumsCount === count ? this.rowSums.slice(0, 2 * count) : null;
  }

  /**
   * The graph's dirty marks (which nodes' link lists changed since the last save), copied, and
   * cleared in the graph: lists written from now on are marked for the next save.
   */
  private takeDirtyMarks(): Uint8Array {
    const graph = this.graph;
    const count = graph.count;
    const marks = graph.dirty.slice(0, count);
    graph.dirty.fill(0, 0, count);
    return marks;
  }

  /**
   * Like {@link toSnapshot}, but the arrays are views of the index's own memory where the layout
   * allows (vectors when the dimension is a multiple of 8, always the link, level and tombstone
   * arrays): no copies, valid only until the index changes. For a synchronous save.
   */
  private snapshotView(what = 'saveToLanceSync'): HnswSnapshot & { readonly rowPlace: RowHashPlace | null; readonly vectorSums: Uint32Array | null } {
    this.checkReadable(what);
    const graph = this.graph;
    const count = graph.count;
    const state = graph.state;
    const stride = graph.stride;
    const scratch = graph.ownScratch();
    // Views of the memory's current buffer object: a memory grown by a worker thread (search
    // areas) hands out a new one, and views made before it would not be recognised as in it.
    const memory = scratch === null ? null : graph.memory!.buffer;
    const vectors = memory === null ? graph.vectors : new Float32Array(memory, graph.vectors.byteOffset, graph.vectors.length);
    const links0 = memory !== null && graph.inMemory ? new Int32Array(memory, graph.links0.byteOffset, count * graph.stride0) : graph.links0.subarray(0, count * graph.stride0);
    return {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      config: this.config,
      numIds: count,
      entryPoint: state[STATE_ENTRY]!,
      maxLevel: state[STATE_MAX_LEVEL]!,
      rngState: this.rng.state,
      vectors: stride === this.rowWords && this.disk === null ? vectors.subarray(stride, stride * (count + 1)) : this.denseVectors(),
      levels: graph.levels.subarray(0, count),
      links0,
      upperOffsets: graph.upperOffsets.subarray(0, count),
      upperLinks: graph.upperLinks.subarray(0, state[STATE_UPPER_LENGTH]!),
      deleted: graph.deleted.subarray(0, count),
      // The save hashes the vectors and layer-0 lists where they lie, with this as its scratch.
      rowPlace: scratch === null ? null : { memory: graph.memory!, at: scratch.at, bytes: scratch.bytes },
      vectorSums: this.rowSumsCount === count ? this.rowSums : null,
    };
  }

  /**
   * Restores an index from {@link HNSW.toSnapshot} output (arrays are copied, after every length,
   * offset and link has been checked).
   * @throws CorruptDataError / LengthMismatchError / UnsupportedVersionError when the snapshot is
   * inconsistent, saying what was expected and what was found
   */
  static fromSnapshot(snapshot: HnswSnapshot): HNSW {
    validateSnapshot(snapshot);
    const count = snapshot.numIds;
    const target = HNSW.restoreTarget(snapshot.config, count, snapshot.upperLinks.length);
    const dim = vectorWords(snapshot.config);
    const stride = target.stride;
    if (stride === dim) target.vectors.set(snapshot.vectors, stride);
    else for (let i = 0; i < count; i++) target.vectors.set(snapshot.vectors.subarray(i * dim, (i + 1) * dim), (i + 1) * stride);
    target.levels.set(snapshot.levels);
    target.links0.set(snapshot.links0);
    target.upperOffsets.set(snapshot.upperOffsets);
    target.upperLinks.set(snapshot.upperLinks);
    target.deleted.set(snapshot.deleted);
    return target.finish(snapshot.entryPoint, snapshot.maxLevel, snapshot.rngState);
  }

  /**
   * An empty index with room for `numIds` nodes and `upperLength` ints of upper links, whose
   * arrays a trusted loader fills in place (see `internal/restore-target.ts`). Nothing is checked
   * here but the config: the caller checks what it writes.
   */
  private static restoreTarget(config: ResolvedHnswConfig, numIds: number, upperLength: number, codesOnly = false): RestoreTarget<HNSW> {
    const index = new HNSW(config);
    const graph = index.graph;
    if (codesOnly) {
      if (index.codes === null) {
        throw new InvalidArgumentError(`\`vectors: 'disk'\` needs an index saved with quantization 'sq8'; this one has '${config.quantization}'`);
      }
      // No float memory per node; every graph distance compares codes from now on.
      graph.dropFloatSlots();
    }
    graph.reserve(numIds, false);
    graph.reserveUpper(upperLength);
    return {
      vectors: graph.vectors,
      memory: graph.memory,
      stride: graph.stride,
      links0: graph.links0,
      levels: graph.levels,
      upperOffsets: graph.upperOffsets,
      upperLinks: graph.upperLinks,
      deleted: graph.deleted,
      codes: codesOnly ? index.codes : null,
      finish(entryPoint: number, maxLevel: number, rngState: number, disk: DiskVectors | null = null): HNSW {
        index.disk = disk;
        const state = graph.state;
        state[STATE_COUNT] = numIds;
        state[STATE_ENTRY] = entryPoint;
        state[STATE_MAX_LEVEL] = maxLevel;
        state[STATE_UPPER_LENGTH] = upperLength;
        index.rng.state = rngState >>> 0;
        const deleted = graph.deleted;
        const links0 = graph.links0;
        const stride0 = graph.stride0;
        let live = 0;
        let pending = 0;
        for (let i = 0; i < numIds; i++) {
          if (deleted[i] === 0) live++;
          else if (links0[i * stride0] !== 0) pending++;
        }
        index.liveCount = live;
        // A deleted id with a non-empty list has not been unlinked by a repair yet.
        index.pendingDeletes = pending;
        return index;
      },
    };
  }

  /**
   * Saves the index under `dir` as three Lance datasets (`nodes.lance`, `connections.lance`,
   * `metadata.lance`) that LanceDB opens as tables. Atomic: a crash mid-save leaves the previous
   * save loadable. Saving again to the same directory appends only what changed since the last
   * save or load and deletes the rows that replaces, so LanceDB sees one row per node and per link
   * list after every save (see `persistence/save.ts`).
   * @param dir - the index directory (created when missing), or `s3://bucket/prefix` on an
   *   S3-compatible store (each part commits by a conditional put; the metadata row is the commit point)
   * @param options - `compactionThreshold` (default 0.5), `full`; for `s3://`: `storageOptions`
   *   named as LanceDB's (`aws_endpoint`, `aws_region`, credentials, `allow_http`) or a `store`
   * @throws InvalidArgumentError for a bad `dir` or option; NotSupportedError for a read-only
   *   `http(s)://` location; IoError / ConflictError from @vego/io
   * @example
   * ```ts
   * await index.saveToLance('/data/my-index');
   * const again = await HNSW.loadFromLance('/data/my-index');
   * await index.saveToLance('s3://bucket/indexes/docs', { storageOptions: { aws_region: 'eu-west-1' } });
   * ```
   */
  async saveToLance(dir: string, options: LanceSaveOptions = {}): Promise<LanceSaveResult> {
    // Counted from the call (before the first await): a save started while this one runs knows.
    const alone = this.savesInFlight === 0;
    if (!alone) this.changesTrusted = false;
    this.savesInFlight++;
    const started = ++this.saveStarts;
    try {
      const live = this.liveSnapshot();
      if (live !== null) {
        const saved = await this.saveFromMemory(live, dir, options, alone, started);
        if (saved !== null) return saved;
      }
      // Updates made while this save runs land in a fresh set: the next save must see them. The
      // changes are taken with the snapshot (same state), not before it is copied.
      const pacer = new Pacer();
      // `at`: the changes counted when the snapshot was taken. Not read after the await: a change
      // made between the snapshot and the continuation (a caller's code right after the call, when
      // the copy fit in one slice) would count as saved, and a codes-only index would then drop
      // its kept copy of a vector the save does not hold (readSavedVectors).
      const { snapshot, changed, dirty, at } = await runPaced(this.snapshotInSlices(pacer), pacer);
      // The records are relative to the saved state unless another save started meanwhile (it may
      // have set the state, or taken records of its own).
      const trusted = alone && this.changesTrusted && this.saveStarts === started;
      try {
        const saved = await saveIndexToLance(snapshot, dir, options, this.savedState, trusted ? changed : null, trusted ? dirty : null);
        this.savedState = saved.state;
        if (alone && this.saveStarts === started) this.changesTrusted = true;
        if (this.mutations === at) this.readSavedVectors(saved.state, snapshot.numIds);
        return saved.result;
      } catch (e) {
        this.restoreSaveRecords(changed, dirty);
        throw e;
      }
    } finally {
      this.savesInFlight--;
    }
  }

  /**
   * Views of the index's memory for an async save ({@link snapshotView}, without its scratch
   * region: searches between the save's steps use it), or null for a codes-only index (its vectors
   * are on disk) or one without WebAssembly memory: such saves copy the index first. The views are
   * read while the index may change: {@link saveFromMemory} commits nothing read after a change.
   */
  private liveSnapshot(): (SaveSnapshot & { readonly rowPlace: null }) | null {
    if (this.disk !== null || this.graph.memory === null) return null;
    return { ...this.snapshotView('saveToLance'), rowPlace: null };
  }

  /**
   * An async save straight from the index's memory ({@link liveSnapshot}: no copy of the vectors
   * and links, and the data files' background writes are queued from the same views). The index
   * may change while the save waits. The first change copies the index for the save before it is
   * made ({@link willChange}), so the save still saves the state of its call; and since that change
   * may reach rows read or written after it, every dataset commit of the save first checks that
   * nothing changed since the save began, and refuses otherwise. Nothing that may mix two states is
   * committed: the save then writes again from the copy (a part committed before the change is
   * left as a crashed save leaves it; this second save rewrites it). Returns null when the save
   * failed after a change that had no copy to fall back on (the caller saves from a copy of its
   * own), its result otherwise. The memory is shared and only grows: a view read after a change
   * is stale, never freed.
   */
  private async saveFromMemory(live: SaveSnapshot, dir: string, options: LanceSaveOptions, alone: boolean, started: number): Promise<LanceSaveResult | null> {
    const at = this.mutations;
    const changed = this.takeVectorChanges();
    const dirty = this.takeDirtyMarks();
    const guard = (): void => {
      if (this.mutations !== at) throw new SaveOverrun();
    };
    // The records describe the changes since the saved state unless another save started meanwhile.
    const trusted = (): boolean => alone && this.changesTrusted && this.saveStarts === started;
    const save = { copy: null as SaveSnapshot | null };
    let saved: SaveOutcome | null = null;
    this.liveSaves.add(save);
    try {
      saved = await saveIndexToLance(live, dir, options, this.savedState, trusted() ? changed : null, trusted() ? dirty : null, guard);
    } catch (e) {
      // Once the index changed under the save, any failure may come from rows read mid-change (a
      // check that tripped before the guard ran): the save is made again from the copy.
      if (!(e instanceof SaveOverrun) && this.mutations === at) {
        this.restoreSaveRecords(changed, dirty);
        throw e;
      }
    } finally {
      this.liveSaves.delete(save);
    }
    if (saved === null) {
      const copy = save.copy;
      if (copy === null) {
        this.restoreSaveRecords(changed, dirty);
        return null;
      }
      try {
        saved = await saveIndexToLance(copy, dir, options, this.savedState, trusted() ? changed : null, trusted() ? dirty : null);
      } catch (e) {
        this.restoreSaveRecords(changed, dirty);
        throw e;
      }
    }
    this.savedState = saved.state;
    if (alone && this.saveStarts === started) this.changesTrusted = true;
    return saved.result;
  }

  /**
   * Codes-only: after a save of the index's first `count` ids to the folder its vectors are read
   * from, reads them from the new version and drops the copies kept since. (A save elsewhere, or
   * one the index changed during, leaves them as they were: still correct, the old version stays.)
   */
  private readSavedVectors(state: SavedState, count: number): void {
    const disk = this.disk;
    if (disk === null || state.root !== disk.root) return;
    const positions = nodeLivePositions(state.nodes, count);
    if (positions !== null) disk.switchTo(state.nodes.dataset.version, positions, count);
  }

  /** Remembers that the vector of `id` changed (see {@link HNSW.vectorsChanged}). */
  private noteVectorChange(id: number): void {
    const changed = this.vectorsChanged;
    if (changed === null) return;
    changed.add(id);
    if (changed.size > Math.max(1024, this.graph.count >> 3)) this.vectorsChanged = null;
  }

  /** The changes a save starts from; later ones go to a fresh set. */
  private takeVectorChanges(): Set<number> | null {
    const changed = this.vectorsChanged;
    this.vectorsChanged = new Set();
    return changed;
  }

  /**
   * Puts back what an async save took when it failed: the vector changes, and the dirty marks of the
   * lists it would have written (they stay marked for the next save).
   */
  private restoreSaveRecords(changed: Set<number> | null, dirty: Uint8Array): void {
    this.restoreVectorChanges(changed);
    const marks = this.graph.dirty;
    for (let i = 0; i < dirty.length; i++) if (dirty[i] !== 0) marks[i] = 1;
  }

  /** Puts back the changes of a save that failed (the state it would have replaced stays). */
  private restoreVectorChanges(changed: Set<number> | null): void {
    if (changed === null) this.vectorsChanged = null;
    else for (const id of changed) this.noteVectorChange(id);
  }

  /** Synchronous form of {@link HNSW.saveToLance}, for local folders only (NotSupportedError for a URI). */
  saveToLanceSync(dir: string, options: LanceSaveOptions = {}): LanceSaveResult {
    const changed = this.takeVectorChanges();
    const graph = this.graph;
    const count = graph.count;
    // Overlapping an async save: the records describe the changes since its snapshot, not since
    // the saved state (see changesTrusted).
    if (this.savesInFlight > 0) this.changesTrusted = false;
    const trusted = this.changesTrusted;
    this.saveStarts++;
    try {
      const snapshot = this.snapshotView();
      const saved = saveIndexToLanceSync(snapshot, dir, options, this.savedState, trusted ? changed : null, trusted ? graph.dirty.subarray(0, count) : null);
      this.savedState = saved.state;
      if (this.savesInFlight === 0) this.changesTrusted = true;
      // Nothing changed while it ran: the saved state is the graph's, no list differs from it.
      graph.dirty.fill(0, 0, count);
      this.readSavedVectors(saved.state, snapshot.numIds);
      return saved.result;
    } catch (e) {
      this.restoreVectorChanges(changed);
      throw e;
    }
  }

  /**
   * Loads an index saved by {@link HNSW.saveToLance}: the last committed save, which answers every
   * query exactly as the saved index did. Every node and link-list row is checked against the
   * checksum stored with it unless `options.verifyChecksums` is false (for data you trust). A local
   * folder is read with blocking reads, as by {@link HNSW.loadFromLanceSync} (the promise settles
   * once the index is loaded); an object store's ranges are awaited.
   * @param dir - the index directory, `s3://bucket/prefix`, or (read-only) an `http(s)://` URL
   *   whose server answers Range requests
   * @param options - `verifyChecksums` (default true); for URIs `storageOptions` or a `store`
   * @throws NotFoundError when `dir` holds no saved index or a part is missing;
   *   CorruptDataError when the parts disagree or a row does not match its checksum;
   *   UnsupportedVersionError for a newer format
   */
  static async loadFromLance(dir: string, options: LanceLoadOptions = {}): Promise<HNSW> {
    const loaded = await loadIndexFromLance(dir, HNSW.restoreTarget, options);
    loaded.index.savedState = loaded.state;
    return loaded.index;
  }

  /** Synchronous form of {@link HNSW.loadFromLance}, for local folders only (NotSupportedError for a URI). */
  static loadFromLanceSync(dir: string, options: LanceLoadOptions = {}): HNSW {
    const loaded = loadIndexFromLanceSync(dir, HNSW.restoreTarget, options);
    loaded.index.savedState = loaded.state;
    return loaded.index;
  }

  /**
   * Removes the old versions of a saved index's datasets (each save adds one to each dataset it
   * changes, and keeps the older ones), in a folder or under an `s3://` prefix. Kept: the commit that
   * was the latest `olderThan` ago (a reader may still be opening it), every later one, and every
   * dataset version they name or that a save in progress has written since; so a reader that began
   * less than `olderThan` ago always finds what it opens.
   * @param dir - the index directory or `s3://bucket/prefix`
   * @param options - `olderThan` (a Date, or an age in ms; default 7 days, `0`: all but the last
   *   commit); for URIs `storageOptions` or a `store`
   * @returns the versions and files removed from each dataset
   * @throws NotFoundError when `dir` holds no saved index; NotSupportedError for an `http(s)://` URL
   *   (read-only); InvalidArgumentError for bad options
   * @example
   * ```ts
   * await index.saveToLance('/data/my-index');
   * await HNSW.cleanupOldVersions('/data/my-index', { olderThan: 60 * 60 * 1000 }); // superseded over an hour ago
   * ```
   */
  static cleanupOldVersions(dir: string, options: IndexCleanupOptions = {}): Promise<IndexCleanupResult> {
    return cleanupIndexVersions(dir, options);
  }
}

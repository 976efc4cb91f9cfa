/**
 * The HNSW graph itself (Malkov & Yashunin, 2018): storage and the insert/search algorithms, in one
 * file so the whole algorithm reads top to bottom (as hnswlib's `hnswalg.h` does).
 *
 * Storage, all flat typed arrays indexed by node id (`n` = capacity, `d` = dimension):
 * ```
 * vectors       Float32Array  (n+1)·s          vector of node i at (i+1)·s, s = d padded to a multiple of 8
 *                                              (zeros); slot 0 holds the current query. Lives in a shared
 *                                              WebAssembly.Memory when the SIMD kernels are available,
 *                                              and then so do links0 and deleted (views placed after the
 *                                              vectors, see {@link Graph.layout}), so the layer-0 walk
 *                                              runs in WebAssembly (`walk.wat`)
 * links0        Int32Array    n·(1 + 2M)       layer 0 of node i at i·(1+2M): [count, id₀ … id₂ₘ₋₁]
 * levels        Uint8Array    n                top layer of node i
 * upperOffsets  Int32Array    n                start of node i's upper block in upperLinks, −1 if level 0
 * upperLinks    Int32Array    Σ level·(1 + M)  layer l ≥ 1 of node i at upperOffsets[i] + (l−1)·(1+M)
 * deleted       Uint8Array    n                1 = tombstone: navigated through, never returned
 * dirty         Uint8Array    n                1 = some link list of node i changed since the last save
 * state         Int32Array    16               count, entry point, max level, upper length, locks…
 * locks         Int32Array    n                per-node spin locks, only during a parallel build
 * ```
 * Every array can live on a SharedArrayBuffer: a parallel build hands them to worker threads, which
 * run the same `insert` with `locking` on: a node's link lists are written only under its lock, and
 * the JS walks copy a list under its lock before reading it (the wasm layer-0 walk, each thread in
 * its own region, reads lists in place: see {@link Graph.walkLayer0Wasm} for why a torn read can
 * only cost recall); the entry point is one atomic int (its level is read from
 * `levels`, so entry and top level can never be seen torn); and a new node is linked bottom-up
 * (its own lists on every layer first, then the back-links from layer 0 upwards), so no thread
 * reaches it on a layer whose lists below are still empty. Before these three, 2-thread builds
 * of SIFT-9k lost up to 0.004 recall@10 at ef=160 against a sequential build (0.9963–0.9991 vs
 * 0.9999); now they match it (0.9999).
 *
 * Deletes and updates are repaired in place, single-threaded: `repairList` and `repairInLinks` here,
 * the pass over the whole graph after deletes in `repair-pass.ts`.
 */

// The error classes alone: a worker thread loads this module without all of @vego/io.
import { ResourceExhaustedError } from '@vego/io/errors';
import { DistanceHeap } from './heap';
import { FLOATS_PER_STEP, type Kernel, type ManyKernel, MAX_VECTOR_MEMORY_BYTES, WASM_MAX_PAGES, WASM_PAGE_BYTES, type WasmMemory, fallbackKernels, outOfMemory, simdKernels, simdModule, wasmApi } from './kernels';
import { METRIC_JACCARD, binaryKernels, binaryStrideBytes, isBinaryMetricId } from './binary-kernels';
import type { Sq8Codes } from './sq8';
import { VisitedSet } from './visited-set';
import { type Drain0, type Select0, type Walk0, walkFunctions } from './walk';

/**
 * Metric ids inside the graph: squared L2, or `1 − dot` (cosine on normalised vectors, inner product);
 * the binary ones (Hamming 2, Jaccard 3) are in `binary-kernels.ts`. Every kernel but dot's returns
 * the distance itself.
 */
export const METRIC_L2 = 0;
export const METRIC_DOT = 1;

/** Slots of the shared `state` array. */
export const STATE_COUNT = 0;
export const STATE_ENTRY = 1;
export const STATE_MAX_LEVEL = 2;
export const STATE_UPPER_LENGTH = 3;
export const STATE_GLOBAL_LOCK = 4;
/** Parallel build: next id to insert, one past the last, number inserted, workers finished, error flag. */
export const STATE_NEXT = 5;
export const STATE_END = 6;
export const STATE_DONE = 7;
export const STATE_WORKERS_DONE = 8;
export const STATE_ERROR = 9;
export const STATE_INTS = 16;

/** Lock attempts before a waiting thread sleeps, and how long it sleeps (ms) before retrying. */
const SPINS_BEFORE_SLEEP = 200;
const LOCK_SLEEP_MS = 0.05;

/** Highest level a node can get (levels are stored in a byte; with M ≥ 2 this is never reached). */
export const MAX_LEVEL = 63;

/**
 * Largest vector (bytes) for which links0 and the tombstones share the vector memory; wider
 * vectors keep them in their own arrays (and the JS walk), so the 4 GiB memory still holds as many
 * vectors as it did (few nodes of that width; the walk's speed-up is per distance, which is small
 * beside a distance over ≥ 64K floats).
 */
const MAX_INLINE_STRIDE_BYTES = 1 << 18;

/** Byte offsets of the regions after the vectors in the memory (see {@link Graph.layout}). */
interface MemoryLayout {
  links0At: number;
  deletedAt: number;
  countsAt: number;
  tagsAt: number;
  scratchAt: number;
  resAt: number;
  candAt: number;
  bitsAt: number;
  end: number;
}

// Arithmetic, not `& ~15`: offsets in the 4 GiB memory pass 2^31, where 32-bit bit operations
// turn them negative (a layout past 2 GiB then grew nothing and its views threw RangeError).
const align16 = (x: number): number => x + 15 - ((x + 15) % 16);

/**
 * A worker thread's own region for the wasm walk (byte offsets into the vector memory; see
 * {@link Graph.useWalkArea}): its neighbour scratch, visited tags, heaps and filter-bit copy, so
 * every thread of a parallel search or build walks in WebAssembly at once. Its heaps never grow
 * (a walk that would need more takes the JS path, with the same answer).
 */
interface WalkArea {
  scratchAt: number;
  tagsAt: number;
  resAt: number;
  candAt: number;
  bitsAt: number;
  resCap: number;
  candCap: number;
  epoch: number;
}

/** What `Graph#runWalk0` returns when the wasm walk does not apply. */
const WALK0_NOT_USED = -3;

/** Parameters fixed for the life of a graph. */
export interface GraphParams {
  dimension: number;
  M: number;
  efConstruction: number;
  metric: number;
}

/** The typed arrays of a graph, as handed to a worker (all on SharedArrayBuffers then). */
export interface GraphArrays {
  memory: WasmMemory | null;
  vectors: Float32Array;
  links0: Int32Array;
  levels: Uint8Array;
  upperOffsets: Int32Array;
  upperLinks: Int32Array;
  deleted: Uint8Array;
  /** Dirty marks (see {@link Graph.dirty}). */
  dirty: Uint8Array;
  state: Int32Array;
  locks: Int32Array | null;
  /**
   * True when links0 and deleted are views of `memory` after float vector slots (a worker's graph
   * can then run the wasm walk, in the region {@link Graph.useWalkArea} gives it).
   */
  walkViews?: boolean;
}

/**
 * False in a browser page that is not cross-origin isolated (no `SharedArrayBuffer` global; shared
 * WebAssembly memory still works there). Arrays asked for as shared are then plain ones: only a
 * parallel build needs them shared, and a browser build runs on one thread.
 */
const SHARED_BUFFERS = typeof SharedArrayBuffer === 'function';

function allocate(byteLength: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  try {
    return shared && SHARED_BUFFERS ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength);
  } catch (cause) {
    throw outOfMemory('the index arrays', byteLength, cause);
  }
}

function isSharedBuffer(buffer: ArrayBufferLike): boolean {
  return SHARED_BUFFERS && buffer instanceof SharedArrayBuffer;
}

function growFloat32(src: Float32Array, length: number, shared: boolean): Float32Array {
  const out = new Float32Array(allocate(length * 4, shared));
  out.set(src.length <= length ? src : src.subarray(0, length));
  return out;
}

function growInt32(src: Int32Array, length: number, shared: boolean): Int32Array {
  const out = new Int32Array(allocate(length * 4, shared));
  out.set(src.length <= length ? src : src.subarray(0, length));
  return out;
}

function growUint8(src: Uint8Array, length: number, shared: boolean): Uint8Array {
  const out = new Uint8Array(allocate(length, shared));
  out.set(src.length <= length ? src : src.subarray(0, length));
  return out;
}

export class Graph {
  readonly dimension: number;
  readonly M: number;
  readonly maxM0: number;
  readonly efConstruction: number;
  readonly metric: number;
  readonly stride0: number;
  readonly strideUp: number;
  /** Floats per stored vector (dimension padded to a multiple of 8) and the same in bytes. */
  readonly stride: number;
  readonly strideBytes: number;
  /** Most nodes the vector memory can hold beside the query slot ({@link MAX_VECTOR_MEMORY_BYTES}). */
  readonly maxNodes: number;
  /** Squared L2 or dot product over byte offsets into {@link vectors}. */
  readonly kernel: Kernel;
  /** The same for a list of vectors in one call (SIMD module only), or null. */
  readonly many: ManyKernel | null;
  /**
   * Bytes at the end of the vector memory (past every vector slot) where a layer walk writes the
   * byte offsets of a node's unvisited neighbours and {@link many} writes their distances.
   */
  readonly scratchBytes: number;
  /** Byte offset of that region, or −1 when there is none (no SIMD module, or no room left). */
  scratch: number;
  /** Int32 view of the vector memory (for the neighbour offsets written at {@link scratch}). */
  memoryI32: Int32Array | null;
  /** Float64 view of the vector memory (the wasm walk's result heap), or null. */
  memoryF64: Float64Array | null;
  /**
   * True when {@link links0} and {@link deleted} are views of the vector memory (placed by
   * {@link layout}, moved by {@link reserve}), with the wasm walk's visited tags and heaps after them.
   */
  readonly inMemory: boolean;
  /**
   * The layer-0 walk in WebAssembly (`walk.ts`), or null (no SIMD module, links0
   * not in the vector memory). A worker thread's graph has it when its arrays say `walkViews`, and
   * walks in its own {@link walkArea}.
   */
  readonly walk0: Walk0 | null;
  /** The neighbour-selection heuristic in WebAssembly (`walk.ts`), with {@link walk0}; used while {@link useWalk0}. */
  readonly select0: Select0 | null;
  /** The wasm walk's result heap drained in place, sorted (`walk.ts`), with {@link walk0}. */
  readonly drain0: Drain0 | null;
  /** Uses {@link walk0} when true (default); false sends every walk through the JS one (tests compare the two). */
  useWalk0: boolean;
  /** Where the regions after the vectors are, for the current capacity and heap sizes. */
  layoutNow: MemoryLayout | null;
  /** Records (16 bytes) in the wasm walk's result and candidate heaps, and its visited-tag epoch. */
  resCap: number;
  candCap: number;
  walkEpoch: number;
  /** This thread's walk region (a worker), or null for the one in {@link layoutNow} (the calling thread). */
  walkArea: WalkArea | null;
  /**
   * True while other threads use the memory past {@link layoutNow} (search areas during a parallel
   * search): the calling thread's heaps must not grow then (a walk too wide takes the JS path).
   */
  walkFixed: boolean;
  /** Layer-0 walks this graph object has run in WebAssembly (tests check threads take it). */
  walk0Runs: number;

  capacity: number;
  memory: WasmMemory | null;
  vectors: Float32Array;
  links0: Int32Array;
  levels: Uint8Array;
  upperOffsets: Int32Array;
  upperLinks: Int32Array;
  deleted: Uint8Array;
  /**
   * 1 for a node any of whose link lists was written since the last save (every writer below marks
   * the node whose list it writes, worker threads of a parallel build too: it lives on shared
   * memory with the lists), so an incremental save hashes only those lists. Cleared by the save.
   */
  dirty: Uint8Array;
  state: Int32Array;
  locks: Int32Array | null;
  /** True while several threads insert at once (worker threads and the main thread). */
  locking: boolean;
  /** SQ8 codes (`quantization: 'sq8'`), or null. */
  codes: Sq8Codes | null;
  /** While true, {@link distance} compares the query's codes with the node's (a search's graph walk). */
  codeMode: boolean;
  /**
   * False for an SQ8 index whose float vectors stay on disk (codes only in memory; `codeMode` is
   * then always on, set by {@link dropFloatSlots}): the vector memory keeps two vector slots (the
   * query, and slot 1 as scratch for re-ranking) whatever the capacity, the regions after them
   * ({@link layout}) start right there, and no float memory is allocated per node.
   */
  floatVectors: boolean;

  // Scratch, reused by every call: nothing below is allocated per search once warm.
  visited: VisitedSet;
  candidates: DistanceHeap;
  results: DistanceHeap;
  bufIds: Int32Array;
  bufDists: Float64Array;
  pruneIds: Int32Array;
  pruneDists: Float64Array;
  /** Copy of one link list, read under its lock while other threads insert. */
  listCopy: Int32Array;
  /** Candidate pool of a list repair (closest first) and the nodes queued for one. */
  pool: DistanceHeap;
  queue: Int32Array;
  /** The unvisited neighbours of the node a layer walk expands, and the sum its touch reads feed (kept so they are not optimised away). */
  pending: Int32Array;
  sink: number;

  constructor(params: GraphParams, capacity: number, arrays?: GraphArrays) {
    this.dimension = params.dimension;
    this.M = params.M;
    this.maxM0 = 2 * params.M;
    this.efConstruction = params.efConstruction;
    this.metric = params.metric;
    this.stride0 = 1 + this.maxM0;
    this.strideUp = 1 + this.M;
    // Binary vectors (dimension in bits) take whole 16-byte steps; `stride` still counts 4-byte units.
    const binary = isBinaryMetricId(this.metric);
    this.stride = binary ? binaryStrideBytes(this.dimension) / 4 : Math.ceil(this.dimension / FLOATS_PER_STEP) * FLOATS_PER_STEP;
    this.strideBytes = this.stride * 4;
    this.scratchBytes = 8 * (this.maxM0 + 1);
    this.inMemory = arrays === undefined && this.strideBytes <= MAX_INLINE_STRIDE_BYTES && simdModule() !== null;
    this.resCap = Math.max(64, this.efConstruction + 1);
    this.candCap = 4 * this.resCap;
    this.walkEpoch = 0;
    this.walkArea = null;
    this.walkFixed = false;
    this.walk0Runs = 0;
    this.useWalk0 = true;
    // In memory, each node also takes its layer-0 list, tombstone byte and visited tag there; the
    // heaps, scratch and alignment get a fixed allowance.
    const perNode = this.inMemory ? this.strideBytes + 4 * this.stride0 + 4 + this.countBytes() : this.strideBytes;
    const fixed = this.inMemory ? 16 * (this.resCap + this.candCap) + this.scratchBytes + 64 : 0;
    this.maxNodes = Math.min(0x7fffffff, Math.floor((MAX_VECTOR_MEMORY_BYTES - fixed) / perNode) - 1);
    this.checkRoom(capacity);
    this.capacity = capacity;
    this.floatVectors = true;
    this.layoutNow = null;
    if (arrays === undefined) {
      const bytes = (capacity + 1) * this.strideBytes;
      const module = simdModule();
      if (module !== null) {
        const layout = this.inMemory ? this.layout(capacity) : null;
        try {
          const pages = Math.min(WASM_MAX_PAGES, Math.ceil((layout === null ? bytes + this.scratchBytes : layout.end) / WASM_PAGE_BYTES));
          this.memory = new wasmApi!.Memory({ initial: pages, maximum: WASM_MAX_PAGES, shared: true });
        } catch (cause) {
          throw outOfMemory(`the vector memory (${capacity + 1} slots of ${this.strideBytes} bytes)`, bytes, cause);
        }
        this.vectors = new Float32Array(this.memory.buffer);
        this.layoutNow = layout;
      } else {
        this.memory = null;
        this.vectors = new Float32Array(allocate(bytes, true));
      }
      if (this.layoutNow !== null) {
        this.links0 = new Int32Array(this.memory!.buffer, this.layoutNow.links0At, capacity * this.stride0);
        this.deleted = new Uint8Array(this.memory!.buffer, this.layoutNow.deletedAt, capacity);
      } else {
        this.links0 = new Int32Array(capacity * this.stride0);
        this.deleted = new Uint8Array(capacity);
      }
      this.levels = new Uint8Array(capacity);
      this.upperOffsets = new Int32Array(capacity);
      this.upperLinks = new Int32Array(Math.max(64, capacity >> 2));
      this.dirty = new Uint8Array(capacity);
      this.state = new Int32Array(STATE_INTS);
      this.state[STATE_ENTRY] = -1;
      this.locks = null;
    } else {
      this.memory = arrays.memory;
      this.vectors = arrays.memory === null ? arrays.vectors : new Float32Array(arrays.memory.buffer);
      this.links0 = arrays.links0;
      this.levels = arrays.levels;
      this.upperOffsets = arrays.upperOffsets;
      this.upperLinks = arrays.upperLinks;
      this.deleted = arrays.deleted;
      this.dirty = arrays.dirty;
      this.state = arrays.state;
      this.locks = arrays.locks;
    }
    const module = this.memory === null ? null : simdModule();
    const simd = module === null || this.memory === null ? null : simdKernels(module, this.memory);
    const kernels = simd ?? fallbackKernels(this);
    const bin = binary ? binaryKernels(this.metric, this.memory, this) : null;
    this.kernel = bin !== null ? bin.kernel : this.metric === METRIC_L2 ? kernels.l2 : kernels.dot;
    this.many = bin !== null ? bin.many : simd === null ? null : this.metric === METRIC_L2 ? simd.l2Many : simd.dotMany;
    // The wasm walk calls l2 / dot and counts the binary metrics' bits itself.
    const walkViews = this.inMemory || (arrays?.walkViews === true && arrays.memory !== null);
    const walkFns = simd !== null && walkViews ? walkFunctions(this.memory!, simd) : null;
    this.walk0 = walkFns === null ? null : walkFns.walk;
    this.select0 = walkFns === null ? null : walkFns.select;
    this.drain0 = walkFns === null ? null : walkFns.drain;
    this.scratch = -1;
    this.memoryI32 = null;
    this.memoryF64 = null;
    this.updateScratch();
    this.locking = false;
    this.codes = null;
    this.codeMode = false;
    this.visited = new VisitedSet(capacity);
    const scratch = Math.max(this.efConstruction, this.maxM0) + 1;
    // The candidate queue of a walk outgrows ef (the wasm walk allows 4·ef): sized so a build
    // rarely grows it (4.8 KB at efConstruction 100). Growth is a path of the JS walk the first
    // upper-layer walks of a build do not take before V8 optimises the walk; reaching it later
    // deoptimises the walk, and each recompile (~2.3 MB of TurboFan memory, on whichever V8
    // thread is free) leaves that thread's malloc arena grown for the life of the process:
    // SIFT-9k RSS growth 1,602 → 1,354 bytes per vector (benchmarks/suites/hnsw-memory.mjs).
    this.candidates = DistanceHeap.closestFirst(4 * Math.max(64, scratch));
    this.results = DistanceHeap.farthestFirst(Math.max(64, scratch));
    DistanceHeap.warmUp();
    this.bufIds = new Int32Array(scratch);
    this.bufDists = new Float64Array(scratch);
    this.pruneIds = new Int32Array(this.maxM0 + 1);
    this.pruneDists = new Float64Array(this.maxM0 + 1);
    this.listCopy = new Int32Array(this.maxM0 + 1);
    this.pool = DistanceHeap.closestFirst(Math.max(64, scratch));
    this.queue = new Int32Array(64);
    this.pending = new Int32Array(this.maxM0 + 1);
    this.sink = 0;
  }

  /** The arrays, for a worker or a snapshot. */
  arrays(): GraphArrays {
    return {
      memory: this.memory,
      vectors: this.vectors,
      links0: this.links0,
      levels: this.levels,
      upperOffsets: this.upperOffsets,
      upperLinks: this.upperLinks,
      deleted: this.deleted,
      dirty: this.dirty,
      state: this.state,
      locks: this.locks,
      // Codes-only SQ8 keeps no float vectors: a worker's walk would have none to read.
      walkViews: this.layoutNow !== null && this.floatVectors,
    };
  }

  /** Number of node slots in use (live and deleted). */
  get count(): number {
    return this.state[STATE_COUNT]!;
  }

  /**
   * Makes room for `numNodes` nodes (doubling) and, when `shared`, moves every array onto
   * SharedArrayBuffers (with per-node locks) so worker threads can see them.
   */
  reserve(numNodes: number, shared: boolean): void {
    // In memory, links0 and deleted are always on the (shared) wasm memory: the locks tell.
    const isShared = this.inMemory ? this.locks !== null : isSharedBuffer(this.links0.buffer);
    if (numNodes <= this.capacity && (!shared || isShared)) return;
    this.checkRoom(numNodes);
    const cap = numNodes <= this.capacity ? this.capacity : Math.min(this.maxNodes, Math.max(numNodes, this.capacity * 2, 16));
    const vectorBytes = this.vectorSlots(cap) * this.strideBytes;
    const layout = this.inMemory ? this.layout(cap) : null;
    // Bytes of the memory before it grows: everything past them is fresh zeroes from `grow`.
    const written = this.memory !== null ? this.memory.buffer.byteLength : 0;
    if (this.memory !== null) {
      const want = Math.min(WASM_MAX_PAGES, Math.ceil((layout === null ? vectorBytes + this.scratchBytes : layout.end) / WASM_PAGE_BYTES));
      const pages = want - this.memory.buffer.byteLength / WASM_PAGE_BYTES;
      try {
        if (pages > 0) this.memory.grow(pages);
      } catch (cause) {
        throw outOfMemory(`the vector memory (${cap + 1} slots of ${this.strideBytes} bytes)`, vectorBytes, cause);
      }
      this.vectors = new Float32Array(this.memory.buffer);
    } else if (vectorBytes > this.vectors.byteLength) {
      this.vectors = growFloat32(this.vectors, vectorBytes / 4, true);
    }
    if (layout !== null) {
      this.moveRegions(layout, cap, written);
    } else {
      this.links0 = growInt32(this.links0, cap * this.stride0, shared);
      this.deleted = growUint8(this.deleted, cap, shared);
    }
    this.levels = growUint8(this.levels, cap, shared);
    this.upperOffsets = growInt32(this.upperOffsets, cap, shared);
    this.dirty = growUint8(this.dirty, cap, shared);
    if (shared) {
      this.upperLinks = growInt32(this.upperLinks, this.upperLinks.length, true);
      this.state = growInt32(this.state, STATE_INTS, true);
      this.locks = new Int32Array(allocate(cap * 4, true));
    } else {
      this.locks = null;
    }
    this.capacity = cap;
    this.updateScratch();
  }

  /** Vector slots of the memory for `capacity` nodes: the query's and one per node, or (codes-only) the query's and a re-rank scratch. */
  private vectorSlots(capacity: number): number {
    return this.floatVectors ? capacity + 1 : 2;
  }

  /**
   * Makes this graph, still empty, codes-only ({@link floatVectors} false, {@link codeMode} on for
   * good): the regions after the vector slots move down to just past slot 1, so no float memory is
   * allocated per node from now on.
   */
  dropFloatSlots(): void {
    this.floatVectors = false;
    this.codeMode = true;
    const old = this.layoutNow;
    if (old === null) return;
    const layout = this.layout(this.capacity);
    // Empty: nothing to move, only zeroes to lay down where the lists, tombstones and tags now start.
    new Uint8Array(this.memory!.buffer).fill(0, layout.links0At, old.end);
    this.walkEpoch = 0;
    this.layoutNow = layout;
    this.links0 = new Int32Array(this.memory!.buffer, layout.links0At, this.capacity * this.stride0);
    this.deleted = new Uint8Array(this.memory!.buffer, layout.deletedAt, this.capacity);
    this.updateScratch();
  }

  /**
   * The regions after the vectors for `capacity` nodes, in the vector memory:
   * ```
   * links0    capacity · (1 + 2M) int32   (the {@link links0} view)
   * deleted   capacity bytes              (the {@link deleted} view)
   * counts    capacity int32              Jaccard only: 1 + each vector's set bits, 0 if not counted yet
   * tags      capacity uint16             the wasm walk's visited set (epoch-stamped)
   * scratch   {@link scratchBytes}        neighbour offsets and distances of one expansion
   * results   resCap × 16 bytes           the wasm walk's heaps: {f64 key, i32 id} records
   * cand      candCap × 16 bytes
   * bits      ⌈capacity / 32⌉ uint32       a search's `filterBits`, copied in
   * ```
   */
  layout(capacity: number): MemoryLayout {
    const links0At = this.vectorSlots(capacity) * this.strideBytes;
    const deletedAt = links0At + 4 * capacity * this.stride0;
    const countsAt = align16(deletedAt + capacity);
    const tagsAt = align16(countsAt + this.countBytes() * capacity);
    const scratchAt = align16(tagsAt + 2 * capacity);
    const resAt = align16(scratchAt + this.scratchBytes);
    const candAt = resAt + 16 * this.resCap;
    const bitsAt = candAt + 16 * this.candCap;
    return { links0At, deletedAt, countsAt, tagsAt, scratchAt, resAt, candAt, bitsAt, end: bitsAt + 4 * ((capacity + 31) >>> 5) };
  }

  /**
   * Bytes per node of the bit-count table after the tombstones: 4 under Jaccard (the wasm walk
   * reads `|v|` there, so `|q OR v|` needs no popcount of its own), 0 otherwise (float and Hamming
   * layouts are as before).
   */
  private countBytes(): number {
    return this.metric === METRIC_JACCARD ? 4 : 0;
  }

  /**
   * Byte offset of the bit-count table (see {@link layout}), or −1 without one (or without the
   * wasm walk, the table's only reader). Read from the tombstones' view, which a worker's graph
   * shares, so every thread finds the same table.
   */
  private countsAt(): number {
    return this.metric === METRIC_JACCARD && this.walk0 !== null ? align16(this.deleted.byteOffset + this.deleted.length) : -1;
  }

  /**
   * Forgets node `id`'s bit count after its vector was overwritten in place (`HNSW#update`): the
   * walk counts it again on first use. Every other way a vector lands in a slot finds the count
   * zero (fresh or grown memory, ids never reused).
   */
  vectorChanged(id: number): void {
    const at = this.countsAt();
    if (at >= 0) this.memoryI32![(at >>> 2) + id] = 0;
  }

  /**
   * Moves links0 and the tombstones up to their places for `cap` nodes (memory already grown;
   * both move up, tombstones first since they lie above), zeroes what is new (vector slots: their
   * padding must be zero; list counts; tombstones; visited tags) and renews the views.
   */
  private moveRegions(layout: MemoryLayout, cap: number, written: number): void {
    const old = this.layoutNow!;
    const oldCap = this.capacity;
    const bytes = new Uint8Array(this.memory!.buffer);
    const oldLinks = 4 * oldCap * this.stride0;
    // Zeroes only below `written`: past it the memory is fresh from `grow` and already zero, and
    // writing zeroes there would make the whole new capacity resident (process memory grew with
    // capacity, not with the nodes added, up to twice as much after a doubling).
    const zero = (from: number, to: number): void => {
      const end = Math.min(to, written);
      if (end > from) bytes.fill(0, from, end);
    };
    bytes.copyWithin(layout.deletedAt, old.deletedAt, old.deletedAt + oldCap);
    zero(layout.deletedAt + oldCap, layout.deletedAt + cap);
    bytes.copyWithin(layout.links0At, old.links0At, old.links0At + oldLinks);
    zero(layout.links0At + oldLinks, layout.deletedAt);
    zero(old.links0At, layout.links0At);
    // Bit counts (Jaccard) are zeroed with the tags, not moved: each is counted again on first use.
    zero(layout.countsAt, layout.tagsAt + 2 * cap);
    this.walkEpoch = 0;
    this.layoutNow = layout;
    this.links0 = new Int32Array(this.memory!.buffer, layout.links0At, cap * this.stride0);
    this.deleted = new Uint8Array(this.memory!.buffer, layout.deletedAt, cap);
  }

  /**
   * Makes room for `areas` private work areas of {@link searchAreaBytes} (a query slot, a scratch
   * region for {@link many}, then, with {@link walk0}, the rest of a wasm-walk region: visited
   * tags, heaps of {@link resCap} / {@link candCap} records, a filter-bit copy), one per worker
   * thread of a parallel search or build, growing the vector memory when they do not fit; returns
   * the byte offset of the first. They lie past every vector slot, or, when links0 and the wasm
   * walk's regions share the memory ({@link inMemory}), past {@link layout}'s end. Valid until the
   * graph grows or the calling thread's heaps grow: mutations are refused while workers run, and
   * the caller sets {@link walkFixed} (a parallel build, {@link locking}) so its heaps stay put.
   */
  reserveSearchAreas(areas: number): number {
    const first = this.layoutNow !== null ? align16(this.layoutNow.end) : (this.capacity + 1) * this.strideBytes;
    const end = first + areas * this.searchAreaBytes + this.scratchBytes;
    if (this.memory !== null) {
      const pages = Math.ceil(end / WASM_PAGE_BYTES) - this.memory.buffer.byteLength / WASM_PAGE_BYTES;
      if (pages > 0) {
        try {
          this.memory.grow(pages);
        } catch (cause) {
          throw outOfMemory('the search threads\' query slots', end, cause);
        }
        this.vectors = new Float32Array(this.memory.buffer);
        this.updateScratch();
      }
    } else if (end > this.vectors.byteLength) {
      this.vectors = growFloat32(this.vectors, end / 4, true);
    }
    return first;
  }

  /**
   * Bytes of one worker thread's work area: a query slot and a scratch region (16-byte aligned),
   * then, with {@link walk0}, the visited tags, both heaps (as wide as the calling thread's now)
   * and a filter-bit copy of {@link useWalkArea}.
   */
  get searchAreaBytes(): number {
    const base = this.strideBytes + align16(this.scratchBytes);
    if (this.walk0 === null || this.layoutNow === null) return base;
    return base + align16(2 * this.capacity) + 16 * (this.resCap + this.candCap) + align16(4 * ((this.capacity + 31) >>> 5));
  }

  /**
   * Makes the calling thread's wasm heaps hold a walk of width `ef` (before workers start: the
   * areas of {@link reserveSearchAreas} lie past them and take their sizes).
   */
  prepareWalk(ef: number): void {
    if (this.walk0 !== null && this.layoutNow !== null && ef >= this.resCap) this.growHeaps(Math.max(ef + 1, 2 * this.resCap), Math.max(4 * (ef + 1), this.candCap));
  }

  /**
   * Gives this (worker) graph its own wasm-walk region at byte offset `at` (16-aligned): scratch
   * ({@link scratchBytes}, also {@link scratch} for {@link many}), visited tags for
   * {@link capacity} nodes, heaps of `resCap` and `candCap` records, a filter-bit copy, as
   * {@link searchAreaBytes} counts them past the query slot. Called once per job: the tags are
   * zeroed every time, since another thread (a build worker, or a search worker before the pool
   * lost one) may have left its stamps there (2 bytes a node: next to nothing beside a job).
   */
  useWalkArea(at: number, resCap: number, candCap: number): void {
    this.scratch = at;
    if (this.walk0 === null) return;
    const tagsAt = align16(at + this.scratchBytes);
    const resAt = align16(tagsAt + 2 * this.capacity);
    const candAt = resAt + 16 * resCap;
    const bitsAt = candAt + 16 * candCap;
    new Uint16Array(this.memory!.buffer, tagsAt, this.capacity).fill(0);
    this.walkArea = { scratchAt: at, tagsAt, resAt, candAt, bitsAt, resCap, candCap, epoch: 0 };
  }

  /**
   * A region of the vector memory that only the calling thread's own operations use (none of
   * another thread's): this graph's wasm-walk visited tags (capped at 64 KiB) or the query slot,
   * whichever is larger; byte offset (16-aligned) and length, or null without a vector memory. A
   * synchronous save hashes rows where they lie with it as the hash's scratch and puts its bytes
   * back (`row-hash.ts`'s `hashRowsInPlace`): the tags keep their epoch stamps, the slot its query.
   */
  ownScratch(): { at: number; bytes: number } | null {
    if (this.memory === null || this.walkArea !== null) return null;
    const tags = this.layoutNow === null ? 0 : Math.min(65536, (2 * this.capacity) & ~15);
    return tags > this.strideBytes ? { at: this.layoutNow!.tagsAt, bytes: tags } : { at: 0, bytes: this.strideBytes };
  }

  /** Places {@link scratch} at the end of the vector memory when it fits past every vector slot. */
  private updateScratch(): void {
    if (this.memory === null || this.many === null) return;
    if (this.layoutNow !== null) {
      this.scratch = this.layoutNow.scratchAt;
      this.memoryI32 = new Int32Array(this.memory.buffer);
      this.memoryF64 = new Float64Array(this.memory.buffer, 0, this.memory.buffer.byteLength / 8);
      return;
    }
    const end = this.memory.buffer.byteLength;
    const at = end - this.scratchBytes;
    this.scratch = at >= (this.capacity + 1) * this.strideBytes ? at : -1;
    this.memoryI32 = new Int32Array(this.memory.buffer);
    // A worker's wasm walk copies its result heap out through this view.
    this.memoryF64 = new Float64Array(this.memory.buffer, 0, this.memory.buffer.byteLength >>> 3);
  }

  /**
   * @throws ResourceExhaustedError when `numNodes` vectors (plus the query slot) would not fit the
   *   4 GiB vector memory, saying how many of this dimension fit
   */
  private checkRoom(numNodes: number): void {
    if (numNodes > this.maxNodes) {
      throw new ResourceExhaustedError(
        `an index of dimension ${this.dimension} holds at most ${this.maxNodes} vectors (its vector memory is limited to ` +
          `${MAX_VECTOR_MEMORY_BYTES} bytes = 4 GiB, ${this.strideBytes} bytes per vector and one query slot); ${numNodes} were asked for`,
      );
    }
  }

  /** Makes room for `length` ints of upper-layer links (doubling). */
  reserveUpper(length: number): void {
    if (length <= this.upperLinks.length) return;
    const shared = isSharedBuffer(this.upperLinks.buffer);
    this.upperLinks = growInt32(this.upperLinks, Math.max(length, this.upperLinks.length * 2), shared);
  }

  /**
   * Takes the next node slot for a node of `level` (its vector is written by the caller at
   * `id · dimension`); the node is not linked until {@link insert}.
   */
  allocateNode(level: number): number {
    const state = this.state;
    const id = state[STATE_COUNT]!;
    this.reserve(id + 1, false);
    this.levels[id] = level;
    this.dirty[id] = 1;
    if (level > 0) {
      const offset = state[STATE_UPPER_LENGTH]!;
      const end = offset + level * this.strideUp;
      this.reserveUpper(end);
      this.upperOffsets[id] = offset;
      state[STATE_UPPER_LENGTH] = end;
    } else {
      this.upperOffsets[id] = -1;
    }
    state[STATE_COUNT] = id + 1;
    return id;
  }

  /**
   * Beam width of a list repair after deletes: `max(2M, efConstruction)`, an insert's. With a
   * third of that (the first version) the repaired graph of SIFT-9k with 30 % deleted answered
   * recall@10 0.9684 at ef=20 where the same graph with its tombstones left in (hnswlib-node's
   * `markDelete`) answered 0.9726; with the full beam and lists refilled to capacity, 0.9737. The
   * repair is deferred and sliced, so its cost no longer lands on `delete`.
   */
  get repairEf(): number {
    return Math.max(this.maxM0, this.efConstruction);
  }

  /** Float offset of node `id`'s vector in {@link vectors} (slot 0 is the query). */
  vectorOffset(id: number): number {
    return (id + 1) * this.stride;
  }

  /**
   * Distance between the vector at byte offset `qb` of {@link vectors} and stored node `id`; in
   * {@link codeMode}, the SQ8 code-space distance between the query (slot 0) and `id`.
   */
  distance(qb: number, id: number): number {
    // Code slot s holds the codes of vector slot s (0: the query, id + 1: node id).
    if (this.codeMode) return this.codes!.distance(qb / this.strideBytes, id);
    const sb = this.strideBytes;
    if (this.metric !== METRIC_DOT) return this.kernel(qb, (id + 1) * sb, sb);
    return 1 - this.kernel(qb, (id + 1) * sb, sb);
  }

  private lock(id: number): void {
    const locks = this.locks!;
    let spins = 0;
    while (Atomics.compareExchange(locks, id, 0, 1) !== 0) {
      // A list update holds a lock for about a microsecond; if it takes longer, the holder was
      // probably descheduled (more threads than free cores): sleep briefly instead of burning
      // the core it needs.
      if (++spins > SPINS_BEFORE_SLEEP) Atomics.wait(locks, id, 1, LOCK_SLEEP_MS);
    }
  }

  private unlock(id: number): void {
    Atomics.store(this.locks!, id, 0);
  }

  private lockGlobal(): void {
    while (Atomics.compareExchange(this.state, STATE_GLOBAL_LOCK, 0, 1) !== 0) {
      // Held while a node that raises the top level links itself: sleep rather than spin.
      Atomics.wait(this.state, STATE_GLOBAL_LOCK, 1, LOCK_SLEEP_MS);
    }
  }

  /**
   * Copies node `id`'s list on `level` into {@link listCopy} under the node's lock (parallel build
   * only: a list being pruned by another thread is never read half-written); returns the count.
   */
  private copyListLocked(links: Int32Array, base: number, id: number): number {
    const copy = this.listCopy;
    this.lock(id);
    const n = links[base]!;
    for (let j = 0; j <= n; j++) copy[j] = links[base + j]!;
    this.unlock(id);
    return n;
  }

  /**
   * Greedy walk (ef = 1) from `ep` down the layers `fromLevel … toLevel+1`; returns the closest
   * node found, which enters layer `toLevel`.
   */
  greedyDescent(qb: number, ep: number, fromLevel: number, toLevel: number): number {
    const offsets = this.upperOffsets;
    const strideUp = this.strideUp;
    const locking = this.locking;
    let cur = ep;
    let curDist = this.distance(qb, cur);
    // Each list's distances in one call of `many` when this thread owns the scratch region (as in walkLayer).
    const many = !locking && !this.codeMode && this.scratch >= 0 ? this.many : null;
    const sb = this.strideBytes;
    const listBase = this.scratch >>> 2;
    const outBase = listBase + this.maxM0 + 1;
    const isDot = this.metric === METRIC_DOT;
    for (let level = fromLevel; level > toLevel; level--) {
      let changed = true;
      while (changed) {
        changed = false;
        let links = this.upperLinks;
        let base = offsets[cur]! + (level - 1) * strideUp;
        let n: number;
        if (locking) {
          n = this.copyListLocked(links, base, cur);
          links = this.listCopy;
          base = 0;
        } else {
          n = links[base]!;
        }
        if (many !== null) {
          const list32 = this.memoryI32!;
          for (let j = 1; j <= n; j++) list32[listBase + j - 1] = (links[base + j]! + 1) * sb;
          many(qb, this.scratch, n, sb, 4 * outBase);
        }
        const vecs = this.vectors;
        for (let j = 1; j <= n; j++) {
          const nb = links[base + j]!;
          const d = many === null ? this.distance(qb, nb) : isDot ? 1 - vecs[outBase + j - 1]! : vecs[outBase + j - 1]!;
          if (d < curDist) {
            curDist = d;
            cur = nb;
            changed = true;
          }
        }
      }
    }
    return cur;
  }

  /**
   * Beam search of one layer from `ep` with a result list of `ef`; leaves up to `ef` nearest live
   * nodes (never `exclude`) in `this.results`. Deleted nodes are walked through but not kept.
   * During a parallel build each list is copied under its lock before it is read.
   */
  searchLayer(qb: number, ep: number, level: number, ef: number, exclude: number): void {
    this.walkLayer(qb, ep, level, ef, exclude, null, null, Infinity);
  }

  /**
   * Layer-0 search that collects only live nodes accepted by `filter` and set in `bits` (each
   * test skipped when null; the rest are walked through). Stops after `maxVisits` distance
   * evaluations; returns false when it did, so the caller can fall back to an exact scan.
   */
  searchLayer0Filtered(qb: number, ep: number, ef: number, filter: ((id: number) => boolean) | null, bits: Uint32Array | null, maxVisits: number): boolean {
    // A bitset alone is copied into the memory and tested in the wasm walk; a filter function needs JS.
    const n = filter === null ? this.runWalk0(qb, ep, ef, -1, bits, maxVisits) : WALK0_NOT_USED;
    if (n !== WALK0_NOT_USED) return n >= 0;
    return this.walkLayer(qb, ep, 0, ef, -1, filter, bits, maxVisits);
  }

  /**
   * The one beam search of a layer (paper's Algorithm 2) behind {@link searchLayer} and
   * {@link searchLayer0Filtered}: keeps in `this.results` up to `ef` nearest nodes that are live,
   * not `exclude`, accepted by `filter` and set in the bitset `bits` (bit `id & 31` of word
   * `id >>> 5`; each test skipped when null; the bitset is tested inline, without a call per
   * node); every other node is still walked through. Returns false when it stopped after
   * `maxVisits` distance evaluations.
   */
  private walkLayer(qb: number, ep: number, level: number, ef: number, exclude: number, filter: ((id: number) => boolean) | null, bits: Uint32Array | null, maxVisits: number): boolean {
    const epoch = this.visited.reset(this.capacity);
    const candidates = this.candidates;
    const results = this.results;
    results.length = 0;
    this.visited.tags[ep] = epoch;
    const d0 = this.distance(qb, ep);
    candidates.start(d0, ep);
    let bound = Infinity;
    let visits = 1;
    if (this.deleted[ep] === 0 && ep !== exclude && (bits === null || ((bits[ep >>> 5]! >>> (ep & 31)) & 1) === 1) && (filter === null || filter(ep))) {
      results.start(d0, ep);
      bound = d0;
    }
    // Every test below is written so it runs whether or not `results` is full yet. The first
    // upper-layer walks of a build run on layers holding fewer than ef nodes, where it never is;
    // a test or call reached only once it is full has no type feedback when V8 first optimises
    // the walk, and reaching it then deoptimises the walk. Each recompile leaves the malloc arena
    // of whichever V8 thread ran it grown for the life of the process. The result set is also
    // changed through one call, `offer`, whose replacing path is exercised once per thread
    // ({@link DistanceHeap.warmUp}). Same comparisons, same answers.
    while (candidates.length > 0) {
      const past = candidates.topDistance() > bound;
      if (results.length >= ef && past) break;
      if (visits > maxVisits) return false;
      const c = candidates.ids[0]!;
      candidates.pop();
      visits += this.expand(qb, c, level, ef, exclude, filter, bits, epoch);
      bound = results.length > 0 ? results.topDistance() : Infinity;
    }
    return true;
  }

  /**
   * One step of {@link walkLayer}: expands node `c` on `level`, pushing its unvisited neighbours
   * onto the candidate queue and offering those that qualify to the result set; returns how many
   * distances it computed.
   *
   * A method of its own for memory: V8 optimises the walk while a build is young, and as one
   * function, with the heaps' sift loops inlined into it (the walk's own bytecode plus ~800 bytes
   * inlined), its TurboFan job was the largest of a build (~2 MB of compiler memory). Each job's
   * memory is freed, but the malloc arena of the V8 worker thread that ran it stays at its
   * high-water mark for the life of the process. This step's bytecode is above V8's limit for
   * inlining one function (460 bytes), so the walk and the step compile as two jobs of about
   * half the size (`benchmarks/suites/hnsw-memory.mjs`, cold 10K child). One call per expanded
   * node, not per distance.
   */
  private expand(qb: number, c: number, level: number, ef: number, exclude: number, filter: ((id: number) => boolean) | null, bits: Uint32Array | null, epoch: number): number {
    const visited = this.visited.tags;
    const candidates = this.candidates;
    const results = this.results;
    const deleted = this.deleted;
    const locking = this.locking;
    // The kernel is called directly in the loop below (not through distance(), whose code-mode and
    // metric tests cost a few percent of a high-ef search); SQ8 code walks go through distance().
    const direct = !this.codeMode;
    const kernel = this.kernel;
    const sb = this.strideBytes;
    const isL2 = this.metric !== METRIC_DOT; // the kernel returns the distance itself (l2, binary)
    const pending = this.pending;
    const vecs = this.vectors;
    const stride = this.stride;
    // A code walk reads no floats (a codes-only index has none to touch).
    const touch = direct ? stride : 0;
    let sink = 0;
    // One kernel call per expanded node (not per distance) where the scratch region exists; the
    // threads of a parallel build share the memory, so they keep one call per distance.
    const many = direct && !locking && this.scratch >= 0 ? this.many : null;
    const listAt = this.scratch;
    const outAt = listAt + 4 * (this.maxM0 + 1);
    const list32 = this.memoryI32!;
    const listBase = listAt >>> 2;
    const outBase = outAt >>> 2;
    let bound = results.length > 0 ? results.topDistance() : Infinity;
    let links = level === 0 ? this.links0 : this.upperLinks;
    let base = level === 0 ? c * this.stride0 : this.upperOffsets[c]! + (level - 1) * this.strideUp;
    let n: number;
    if (locking) {
      n = this.copyListLocked(links, base, c);
      links = this.listCopy;
      base = 0;
    } else {
      n = links[base]!;
    }
    // Two passes over the list. First the unvisited neighbours are marked and their vectors
    // touched, one read per 64-byte line: the reads do not depend on each other, so the CPU
    // overlaps their cache misses, where each kernel call would otherwise wait for its vector
    // (on 100K × 128 a random vector costs the kernel ~300 ns from memory against ~25 ns from
    // cache). Then the distances: all of them in one kernel call when `many` is there (their
    // byte offsets listed at `listAt`, results at `outAt`), else one call each. Each distance
    // is the same float32 either way, and the order of everything the walk decides is unchanged.
    let m = 0;
    for (let j = 1; j <= n; j++) {
      const nb = links[base + j]!;
      if (visited[nb] === epoch) continue;
      visited[nb] = epoch;
      if (many !== null) list32[listBase + m] = (nb + 1) * sb;
      pending[m++] = nb;
      const off = (nb + 1) * stride;
      for (let o = 0; o < touch; o += 16) sink += vecs[off + o]!;
    }
    if (many !== null && m > 0) many(qb, listAt, m, sb, outAt);
    for (let j = 0; j < m; j++) {
      const nb = pending[j]!;
      const d = many !== null ? (isL2 ? vecs[outBase + j]! : 1 - vecs[outBase + j]!) : direct ? (isL2 ? kernel(qb, (nb + 1) * sb, sb) : 1 - kernel(qb, (nb + 1) * sb, sb)) : this.distance(qb, nb);
      if (d < bound || results.length < ef) {
        candidates.push(d, nb);
        if (deleted[nb] === 0 && nb !== exclude && (bits === null || ((bits[nb >>> 5]! >>> (nb & 31)) & 1) === 1) && (filter === null || filter(nb))) {
          results.offer(d, nb, ef);
          bound = results.topDistance();
        }
      }
    }
    this.sink = sink;
    return m;
  }

  /**
   * The neighbour-selection heuristic (paper's Algorithm 4, as in hnswlib): walks candidates in
   * ascending distance and keeps one only if it is closer to the base than to every kept one.
   * Works in place on `ids` / `dists` (sorted ascending); returns how many were kept (≤ `maxCount`).
   */
  selectNeighbours(ids: Int32Array, dists: Float64Array, n: number, maxCount: number): number {
    if (n <= maxCount) return n;
    const sb = this.strideBytes;
    // In wasm where this thread has a walk region (its candidate heap is free between walks):
    // one call instead of one per distance, each of which allocates its float result.
    const area = this.walkArea ?? this.layoutNow;
    if (this.select0 !== null && this.useWalk0 && !this.codeMode && area !== null && 12 * n <= 16 * (this.walkArea ?? this).candCap) {
      const f64 = this.memoryF64!;
      const i32 = this.memoryI32!;
      const d0 = area.candAt >>> 3;
      const i0 = (area.candAt >>> 2) + 2 * n;
      for (let i = 0; i < n; i++) {
        f64[d0 + i] = dists[i]!;
        i32[i0 + i] = ids[i]!;
      }
      const kept = this.select0(4 * i0, area.candAt, n, maxCount, sb, this.metric, this.countsAt());
      for (let i = 0; i < kept; i++) {
        ids[i] = i32[i0 + i]!;
        dists[i] = f64[d0 + i]!;
      }
      return kept;
    }
    let kept = 0;
    for (let i = 0; i < n && kept < maxCount; i++) {
      const c = ids[i]!;
      const dc = dists[i]!;
      const cb = (c + 1) * sb;
      let good = true;
      for (let s = 0; s < kept; s++) {
        const d = this.distance(cb, ids[s]!);
        if (d < dc) {
          good = false;
          break;
        }
      }
      if (good) {
        ids[kept] = c;
        dists[kept] = dc;
        kept++;
      }
    }
    return kept;
  }

  /** Start of node `id`'s list on `level` in {@link links0} (level 0) or {@link upperLinks}. */
  listBase(id: number, level: number): number {
    return level === 0 ? id * this.stride0 : this.upperOffsets[id]! + (level - 1) * this.strideUp;
  }

  /** Sets node `id`'s own list on `level` to `bufIds[0 .. n)` (under its lock in a parallel build). */
  private setList(id: number, level: number, n: number): void {
    const links = level === 0 ? this.links0 : this.upperLinks;
    const ids = this.bufIds;
    const base = this.listBase(id, level);
    const locking = this.locking;
    if (locking) this.lock(id);
    for (let i = 0; i < n; i++) links[base + 1 + i] = ids[i]!;
    links[base] = n;
    this.dirty[id] = 1;
    if (locking) this.unlock(id);
  }

  /**
   * Adds `id` to the list on `level` of each node in `id`'s own list on that layer; a full list
   * keeps the best of its old entries plus `id` by the heuristic. Each list is changed under its
   * lock in a parallel build.
   */
  addBackLinks(id: number, level: number): void {
    const links = level === 0 ? this.links0 : this.upperLinks;
    const cap = level === 0 ? this.maxM0 : this.M;
    const ids = this.bufIds;
    const locking = this.locking;
    const base = this.listBase(id, level);
    if (locking) this.lock(id);
    const n = links[base]!;
    for (let i = 0; i < n; i++) ids[i] = links[base + 1 + i]!;
    if (locking) this.unlock(id);

    const sb = this.strideBytes;
    const pIds = this.pruneIds;
    const pDists = this.pruneDists;
    for (let i = 0; i < n; i++) {
      const nb = ids[i]!;
      const nbase = this.listBase(nb, level);
      if (locking) this.lock(nb);
      const count = links[nbase]!;
      let present = false;
      for (let j = 1; j <= count; j++) {
        if (links[nbase + j] === id) {
          present = true;
          break;
        }
      }
      if (!present) {
        this.dirty[nb] = 1;
        if (count < cap) {
          links[nbase + 1 + count] = id;
          links[nbase] = count + 1;
        } else {
          // Full: keep the best `cap` of the old list plus `id` by the heuristic. The distances in
          // one call of `many` when this thread owns the scratch region (as in walkLayer).
          const nbb = (nb + 1) * sb;
          const many = !locking && !this.codeMode && this.scratch >= 0 ? this.many : null;
          const outBase = (this.scratch >>> 2) + this.maxM0 + 1;
          if (many !== null) {
            const list32 = this.memoryI32!;
            const listBase = this.scratch >>> 2;
            for (let j = 1; j <= count; j++) list32[listBase + j - 1] = (links[nbase + j]! + 1) * sb;
            list32[listBase + count] = (id + 1) * sb;
            many(nbb, this.scratch, count + 1, sb, 4 * outBase);
          }
          const vecs = this.vectors;
          const isDot = this.metric === METRIC_DOT;
          let m = 0;
          for (let j = 1; j <= count + 1; j++) {
            const x = j <= count ? links[nbase + j]! : id;
            const d = many === null ? this.distance(nbb, x) : isDot ? 1 - vecs[outBase + j - 1]! : vecs[outBase + j - 1]!;
            // insertion sort, ascending
            let p = m++;
            while (p > 0 && pDists[p - 1]! > d) {
              pDists[p] = pDists[p - 1]!;
              pIds[p] = pIds[p - 1]!;
              p--;
            }
            pDists[p] = d;
            pIds[p] = x;
          }
          const kept = this.selectNeighbours(pIds, pDists, m, cap);
          for (let j = 0; j < kept; j++) links[nbase + 1 + j] = pIds[j]!;
          links[nbase] = kept;
        }
      }
      if (locking) this.unlock(nb);
    }
  }

  /**
   * Links an allocated node (vector already written) into the graph: greedy descent to its level,
   * then on each layer down to 0 a beam search with `efConstruction`, heuristic selection of `M`
   * neighbours and bidirectional links. In a parallel build the entry point is read atomically and
   * its level taken from {@link levels} (never a torn entry/level pair); a node that raises the top
   * level holds the global lock until it is fully linked and only then becomes the entry point.
   */
  insert(id: number): void {
    const state = this.state;
    const level = this.levels[id]!;
    if (!this.locking) {
      const ep = state[STATE_ENTRY]!;
      if (ep < 0) {
        this.setEntry(id, level);
        return;
      }
      const maxLevel = state[STATE_MAX_LEVEL]!;
      this.linkFrom(id, level, ep, maxLevel);
      if (level > maxLevel) this.setEntry(id, level);
      return;
    }
    let ep = Atomics.load(state, STATE_ENTRY);
    let maxLevel = ep < 0 ? -1 : this.levels[ep]!;
    let holdsGlobal = false;
    if (level > maxLevel) {
      this.lockGlobal();
      holdsGlobal = true;
      ep = Atomics.load(state, STATE_ENTRY);
      maxLevel = ep < 0 ? -1 : this.levels[ep]!;
      if (level <= maxLevel) {
        Atomics.store(state, STATE_GLOBAL_LOCK, 0);
        holdsGlobal = false;
      }
    }
    if (ep >= 0) this.linkFrom(id, level, ep, maxLevel);
    if (level > maxLevel) this.setEntry(id, level);
    if (holdsGlobal) Atomics.store(state, STATE_GLOBAL_LOCK, 0);
  }

  private setEntry(id: number, level: number): void {
    if (this.locking) {
      Atomics.store(this.state, STATE_MAX_LEVEL, level);
      Atomics.store(this.state, STATE_ENTRY, id);
    } else {
      this.state[STATE_ENTRY] = id;
      this.state[STATE_MAX_LEVEL] = level;
    }
  }

  /**
   * Searches for and links node `id` on layers `min(level, maxLevel) … 0`, entering at `ep`.
   * Two passes: top-down, each layer's search and heuristic selection set the node's own list;
   * then bottom-up, the node is added to its neighbours' lists. So no thread can reach the node on
   * a layer before its lists on that layer and every layer below are written.
   */
  linkFrom(id: number, level: number, ep: number, maxLevel: number): void {
    const qb = (id + 1) * this.strideBytes;
    let cur = ep;
    if (level < maxLevel) cur = this.greedyDescent(qb, ep, maxLevel, level);
    const top = Math.min(level, maxLevel);
    for (let l = top; l >= 0; l--) {
      let kept = l === 0 ? this.linkLayer0Wasm(qb, cur, id) : -1;
      if (kept < 0) {
        this.searchLayer(qb, cur, l, this.efConstruction, id);
        const n = this.results.drainAscending(this.bufIds, this.bufDists);
        if (n > 0) cur = this.bufIds[0]!;
        kept = this.selectNeighbours(this.bufIds, this.bufDists, n, this.M);
      }
      this.setList(id, l, kept);
    }
    for (let l = 0; l <= top; l++) this.addBackLinks(id, l);
  }

  /**
   * k nearest live nodes to the query at byte offset `qb` of {@link vectors} (slot 0, or a search
   * thread's own slot), with a layer-0 list of `ef` (≥ k). Writes ascending into `outIds` /
   * `outDists` and returns the count.
   */
  search(k: number, ef: number, outIds: Int32Array, outDists: Float64Array, qb = 0): number {
    const ep = this.state[STATE_ENTRY]!;
    if (ep < 0) return 0;
    const cur = this.greedyDescent(qb, ep, this.state[STATE_MAX_LEVEL]!, 0);
    if (!this.walkLayer0Wasm(qb, cur, ef, -1)) this.searchLayer(qb, cur, 0, ef, -1);
    return this.results.drainSmallest(k, outIds, outDists);
  }

  /**
   * {@link searchLayer} on layer 0 in WebAssembly ({@link walk0}): the same walk, the same result
   * heap in {@link results} (copied out of the memory). Returns false, having done nothing, where
   * it does not apply: no {@link walk0}, {@link useWalk0} off, an SQ8 code walk, or heaps that
   * cannot grow to `ef` (a worker's, or the calling thread's while other threads run).
   *
   * In a parallel build the wasm walk reads link lists that other threads write under their locks
   * (the JS walk copies each list under its lock first). A read may see a list half-updated: a
   * count and ids from before and after a prune or an append. That costs recall at most, never a
   * read out of range: counts are written whole (aligned int32) and never above 2M, so a read stays
   * in the node's list, and every id ever stored in a list slot (slots start zeroed) is an
   * allocated node below {@link capacity}, whose vector, tombstone and visited tag lie in range;
   * the tags make a duplicate id cost nothing.
   */
  walkLayer0Wasm(qb: number, ep: number, ef: number, exclude: number): boolean {
    return this.runWalk0(qb, ep, ef, exclude, null, 0x7fffffff) >= 0;
  }

  /**
   * Layer 0 of {@link linkFrom} in WebAssembly: the walk, then its result heap drained and the
   * heuristic run where they lie (the candidate heap's region, free between walks), and only the
   * kept neighbours copied to {@link bufIds} / {@link bufDists}; returns how many, or −1 when the
   * wasm walk does not apply (the caller takes the JS path). The same pops and the same selection
   * as the JS path (`drainAscending`, {@link selectNeighbours}), without copying ef results to the
   * JS heap and back.
   */
  private linkLayer0Wasm(qb: number, ep: number, id: number): number {
    const n = this.runWalk0(qb, ep, this.efConstruction, id, null, 0x7fffffff, false);
    if (n < 0) return -1;
    const at = this.walkArea ?? this.layoutNow!;
    const d0 = at.candAt >>> 3;
    const i0 = (at.candAt >>> 2) + 2 * n;
    if (12 * n > 16 * (this.walkArea ?? this).candCap) {
      // No room beside the heap (not with the heap sizes a build uses): the JS drain and selection.
      this.copyResults(at.resAt, n);
      return this.selectNeighbours(this.bufIds, this.bufDists, this.results.drainAscending(this.bufIds, this.bufDists), this.M);
    }
    this.drain0!(at.resAt, n, 4 * i0, at.candAt);
    const kept = n <= this.M ? n : this.select0!(4 * i0, at.candAt, n, this.M, this.strideBytes, this.metric, this.countsAt());
    const f64 = this.memoryF64!;
    const i32 = this.memoryI32!;
    for (let i = 0; i < kept; i++) {
      this.bufIds[i] = i32[i0 + i]!;
      this.bufDists[i] = f64[d0 + i]!;
    }
    return kept;
  }

  /**
   * The wasm walk with a bitset (or null) and a budget of `maxVisits` distances: the number of
   * results (in {@link results}), −1 when it stopped after `maxVisits` (as the JS walk would), or
   * {@link WALK0_NOT_USED} when it does not apply (see {@link walkLayer0Wasm}).
   */
  private runWalk0(qb: number, ep: number, ef: number, exclude: number, bits: Uint32Array | null, maxVisits: number, copy = true): number {
    const walk = this.walk0;
    if (walk === null || !this.useWalk0 || this.codeMode) return WALK0_NOT_USED;
    const own = this.walkArea;
    if (own === null && this.layoutNow === null) return WALK0_NOT_USED;
    // Heaps grow only in the calling thread's region, and only while no other thread uses the memory past it.
    const fixed = own !== null || this.locking || this.walkFixed;
    if (ef >= (own === null ? this.resCap : own.resCap)) {
      if (fixed || !this.growHeaps(Math.max(ef + 1, 2 * this.resCap), Math.max(4 * (ef + 1), this.candCap))) return WALK0_NOT_USED;
    }
    if (bits !== null) {
      const words = (this.count + 31) >>> 5;
      this.memoryI32!.set(bits.length === words ? bits : bits.subarray(0, words), (own ?? this.layoutNow!).bitsAt >>> 2);
    }
    for (;;) {
      const at = own ?? this.layoutNow!;
      let epoch = (own === null ? this.walkEpoch : own.epoch) + 1;
      if (epoch > 0xffff) {
        new Uint16Array(this.memory!.buffer, at.tagsAt, this.capacity).fill(0);
        epoch = 1;
      }
      if (own === null) this.walkEpoch = epoch;
      else own.epoch = epoch;
      const candCap = own === null ? this.candCap : own.candCap;
      const n = walk(qb, ep, ef, this.strideBytes, this.links0.byteOffset, 4 * this.stride0, at.tagsAt, epoch, this.deleted.byteOffset, exclude, bits === null ? -1 : at.bitsAt, at.candAt, at.resAt, at.scratchAt, this.metric, maxVisits, candCap, this.countsAt());
      if (n === -1) {
        this.walk0Runs++;
        return -1;
      }
      if (n === -2) {
        // The candidate heap filled up (rare: it holds 4·ef): grow it (moving the bitset up) and
        // walk again; a region that cannot grow leaves this walk to the JS one.
        if (fixed) return WALK0_NOT_USED;
        const bitsAt = at.bitsAt;
        if (!this.growHeaps(this.resCap, 2 * this.candCap)) return WALK0_NOT_USED;
        if (bits !== null) this.memoryI32!.copyWithin(this.layoutNow!.bitsAt >>> 2, bitsAt >>> 2, (bitsAt >>> 2) + ((this.count + 31) >>> 5));
        continue;
      }
      if (copy) this.copyResults(at.resAt, n);
      this.candidates.length = 0;
      this.walk0Runs++;
      return n;
    }
  }

  /** Copies the wasm walk's result heap (`n` records at byte offset `resAt`) into {@link results}, record for record. */
  private copyResults(resAt: number, n: number): void {
    const results = this.results;
    results.reserve(n);
    const f64 = this.memoryF64!;
    const i32 = this.memoryI32!;
    const keys = results.keys;
    const ids = results.ids;
    for (let i = 0, r = resAt >>> 3, q = (resAt >>> 2) + 2; i < n; i++, r += 2, q += 4) {
      keys[i] = f64[r]!;
      ids[i] = i32[q]!;
    }
    results.length = n;
  }

  /** Makes the wasm walk's heaps `resCap` and `candCap` records (growing the memory); false if it cannot. */
  private growHeaps(resCap: number, candCap: number): boolean {
    const memory = this.memory!;
    const saved = [this.resCap, this.candCap];
    this.resCap = resCap;
    this.candCap = candCap;
    const layout = this.layout(this.capacity);
    const pages = Math.ceil(layout.end / WASM_PAGE_BYTES) - memory.buffer.byteLength / WASM_PAGE_BYTES;
    try {
      if (pages > 0) memory.grow(pages);
    } catch {
      // No room for heaps this wide: this walk (and later ones this wide) take the JS path.
      [this.resCap, this.candCap] = saved;
      return false;
    }
    this.layoutNow = layout;
    this.updateScratch();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Repair after deletes and updates (single-threaded; never during a parallel build).

  /** True when the list at `base` holds a tombstone or `drop`. */
  listHasDropped(links: Int32Array, base: number, drop: number): boolean {
    const deleted = this.deleted;
    const n = links[base]!;
    for (let j = 1; j <= n; j++) {
      const nb = links[base + j]!;
      if (nb === drop || deleted[nb] !== 0) return true;
    }
    return false;
  }

  /**
   * Repairs node `u`'s list on `level`: tombstones and `drop` (−1 for none) are taken out, the
   * remaining neighbours stay, and the list is refilled up to its capacity. Candidates: the neighbours of every
   * dropped node (the nodes `u` reached through them) and a beam search of width `ef` from `u` on
   * that layer (walking through tombstones); taken closest first, a candidate is kept only if no
   * neighbour already in the list is closer to it than `u` is (the selection heuristic). With
   * `ef` = 0 there is no beam search.
   */
  repairList(u: number, level: number, drop: number, ef: number): void {
    const links = level === 0 ? this.links0 : this.upperLinks;
    const deleted = this.deleted;
    const sb = this.strideBytes;
    const qb = (u + 1) * sb;
    const pool = this.pool;
    pool.length = 0;
    let epoch: number;
    if (ef > 0) {
      this.searchLayer(qb, u, level, ef, u);
      epoch = this.visited.epoch;
      const results = this.results;
      for (let i = 0; i < results.length; i++) {
        const id = results.ids[i]!;
        if (id !== drop) pool.push(results.distanceAt(i), id);
      }
      results.length = 0;
    } else {
      epoch = this.visited.reset(this.capacity);
      this.visited.tags[u] = epoch;
    }
    const visited = this.visited.tags;
    const base = this.listBase(u, level);
    const n = links[base]!;
    // Survivors first, compacted in place; the neighbours of dropped nodes go to the pool.
    let kept = 0;
    for (let j = 1; j <= n; j++) {
      const nb = links[base + j]!;
      if (nb === drop || deleted[nb] !== 0) {
        const dbase = this.listBase(nb, level);
        const dn = links[dbase]!;
        for (let t = 1; t <= dn; t++) {
          const y = links[dbase + t]!;
          if (y === u || y === drop || deleted[y] !== 0 || visited[y] === epoch) continue;
          visited[y] = epoch;
          pool.push(this.distance(qb, y), y);
        }
      } else {
        links[base + 1 + kept] = nb;
        kept++;
      }
    }
    // Refill up to the list's capacity, not just the freed slots: a repaired node has lost the
    // routes its tombstones gave, and a fuller list makes up for them (recall, see repairEf).
    const cap = level === 0 ? this.maxM0 : this.M;
    while (pool.length > 0 && kept < cap) {
      const c = pool.ids[0]!;
      const dc = pool.topDistance();
      pool.pop();
      let good = true;
      for (let s = 1; s <= kept; s++) {
        const x = links[base + s]!;
        if (x === c) {
          good = false;
          break;
        }
      }
      if (!good) continue;
      const cb = (c + 1) * sb;
      for (let s = 1; s <= kept && good; s++) {
        if (this.distance(cb, links[base + s]!) < dc) good = false;
      }
      if (!good) continue;
      kept++;
      links[base + kept] = c;
    }
    pool.length = 0;
    links[base] = kept;
    this.dirty[u] = 1;
  }

  /**
   * After node `x`'s vector changed (written already, its own lists still the old ones): every
   * node within two hops of `x`'s old neighbourhood that links to `x` keeps the link only if the
   * heuristic would still select it from its list (no closer neighbour is nearer to `x` than it is);
   * otherwise the link is replaced by {@link repairList} (with `ef` = 0 the candidates are only
   * `x`'s old neighbours: on SIFT-9k that matches the recall of a beam search at a third of the
   * cost) and the node is added to its new neighbours' lists. Returns the lists repaired. The
   * caller relinks `x` itself afterwards.
   */
  repairInLinks(x: number, ef: number): number {
    const level = this.levels[x]!;
    const deleted = this.deleted;
    const sb = this.strideBytes;
    const xb = (x + 1) * sb;
    let repaired = 0;
    for (let l = 0; l <= level; l++) {
      const links = l === 0 ? this.links0 : this.upperLinks;
      // Candidates: x's old neighbours and theirs, gathered before any search reuses the stamps.
      const epoch = this.visited.reset(this.capacity);
      const visited = this.visited.tags;
      visited[x] = epoch;
      let q = 0;
      const xbase = this.listBase(x, l);
      const xn = links[xbase]!;
      for (let j = 1; j <= xn; j++) {
        const nb = links[xbase + j]!;
        if (visited[nb] !== epoch) {
          visited[nb] = epoch;
          q = this.enqueue(q, nb);
        }
        const nbase = this.listBase(nb, l);
        const nn = links[nbase]!;
        for (let t = 1; t <= nn; t++) {
          const y = links[nbase + t]!;
          if (visited[y] === epoch) continue;
          visited[y] = epoch;
          q = this.enqueue(q, y);
        }
      }
      const queue = this.queue;
      for (let i = 0; i < q; i++) {
        const u = queue[i]!;
        if (deleted[u] !== 0) continue;
        const base = this.listBase(u, l);
        const n = links[base]!;
        let at = 0;
        for (let j = 1; j <= n; j++) {
          if (links[base + j] === x) {
            at = j;
            break;
          }
        }
        if (at === 0) continue;
        const ub = (u + 1) * sb;
        const dux = this.distance(ub, x);
        let keep = true;
        for (let j = 1; j <= n && keep; j++) {
          const s = links[base + j]!;
          if (s === x) continue;
          if (this.distance(ub, s) < dux && this.distance(xb, s) < dux) keep = false;
        }
        if (keep) continue;
        this.repairList(u, l, x, ef);
        this.addBackLinks(u, l);
        repaired++;
      }
    }
    return repaired;
  }

  private enqueue(q: number, id: number): number {
    if (q === this.queue.length) {
      const grown = new Int32Array(q * 2);
      grown.set(this.queue);
      this.queue = grown;
    }
    this.queue[q] = id;
    return q + 1;
  }
}

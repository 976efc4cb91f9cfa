/**
 * The worker threads of an index: parallel searches (`HNSW#searchMany` with `threads > 1`,
 * `HNSW#searchManyAsync`) and parallel builds (`addBatch` / `addBatchAsync` with `threads > 1`)
 * share one pool, started lazily, kept between calls (unref'd, so they never keep the process
 * alive), closed by `HNSW#close`. Each worker maps the index's shared arrays once per change of the
 * index and takes items (queries, or ids to link) from a job's shared counter. One routine
 * ({@link drive}) runs every job: the calling thread takes items too when it has work of its own
 * (a blocking search, any build; an async build between event-loop turns), then waits for the
 * workers, with `Atomics.wait` (blocking forms) or `Atomics.waitAsync` (async forms).
 * The browser build swaps this file for `../browser/search-pool.ts` (no threads).
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { InternalError, NotSupportedError, ResourceExhaustedError } from '@vego/io';
import type { Graph, GraphArrays, GraphParams } from './graph';
import { Pacer } from './pacer';
import { JOB_DONE, JOB_END, JOB_ERROR, JOB_INTS, JOB_NEXT, JOB_WASM_WALKS, POOL_WORKER_KIND, type PoolJobMessage, type SearchJobMessage } from './search-job';
import type { SearchWorkerData } from './search-worker';

/** True where worker threads can run searches (false in the browser build). */
export function searchThreadsAvailable(): boolean {
  return true;
}

/** Give up when a job makes no progress at all for this long (a worker died without a word). */
const STALL_MS = 120_000;
/** Items the calling thread takes between two `onProgress` calls. */
const PROGRESS_EVERY = 256;

/** Threads a search uses when none are asked for: the cores Node may use, at most 8. */
export function defaultSearchThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** The queries and answers of one parallel search, all on SharedArrayBuffers. */
export interface SearchBatch {
  /** Prepared queries, one vector slot (`graph.stride` floats) each. */
  queries: Float32Array;
  count: number;
  k: number;
  ef: number;
  liveCount: number;
  bits: Uint32Array | null;
  outIds: Int32Array;
  outDists: Float64Array;
  counts: Int32Array;
}

/** A batch over `count` prepared `queries` (on a SharedArrayBuffer) with room for `k` hits each, shared with workers. */
export function sharedBatch(queries: Float32Array, count: number, k: number, ef: number, liveCount: number, bits: Uint32Array | null): SearchBatch {
  let shared: Uint32Array | null = null;
  if (bits !== null) {
    shared = new Uint32Array(new SharedArrayBuffer(bits.byteLength));
    shared.set(bits);
  }
  return {
    queries,
    count,
    k,
    ef,
    liveCount,
    bits: shared,
    outIds: new Int32Array(new SharedArrayBuffer(count * k * 4)),
    outDists: new Float64Array(new SharedArrayBuffer(count * k * 8)),
    counts: new Int32Array(new SharedArrayBuffer(count * 4)),
  };
}

/**
 * Path of the compiled worker script: beside this file in `dist/internal/`, or, when this file runs
 * from `src/` (ts-jest), the built copy in `../../dist/internal/` (tests run after `pnpm build`).
 */
function resolveSearchWorkerScript(): string {
  const candidates = [join(__dirname, 'search-worker.js'), join(__dirname, '..', '..', 'dist', 'internal', 'search-worker.js')];
  for (const file of candidates) if (existsSync(file)) return file;
  throw new NotSupportedError(`parallel searches and builds need the compiled worker script; looked in ${candidates.join(' and ')} (run \`pnpm build\`)`);
}

interface PoolWorker {
  worker: Worker;
  /** Error reports from the worker. */
  port: MessagePort;
  /** The graph generation this worker holds (−1: none yet). */
  generation: number;
  /** Set when the worker exited (it is then dropped from the pool). */
  exited: boolean;
}

/** The fields of a job message that are not the same for every job. */
type JobFields = Omit<SearchJobMessage, 'graph' | 'areaAt' | 'resCap' | 'candCap' | 'control'> | { kind: 'build' };

type WaitAsync = (array: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** What {@link drive} yields for an event-loop turn (async forms); any other value is a count of finished items to wait past. */
const TURN = -1;

/**
 * The one routine every job runs on the calling thread, blocking or async: it takes items from the
 * job's counter for `own` (when the calling thread has work of its own), yielding {@link TURN}
 * whenever `pacer` is due; then it waits for the workers, yielding the count of finished items
 * each time it must wait for that count to change (the caller waits with `Atomics.wait` or
 * `Atomics.waitAsync`, for at most 50 ms). `onProgress` hears of the finished items as they go.
 * Returns a description of the stall when nothing finished for {@link STALL_MS}, else undefined.
 */
function* drive(
  control: Int32Array,
  total: number,
  own: ((item: number) => void) | null,
  onProgress: ((done: number, total: number) => void) | undefined,
  pacer: Pacer | null,
): Generator<number, string | undefined, void> {
  if (own !== null) {
    const end = control[JOB_END]!;
    let sinceReport = 0;
    for (;;) {
      const item = Atomics.add(control, JOB_NEXT, 1);
      if (item >= end) break;
      own(item);
      Atomics.add(control, JOB_DONE, 1);
      if (onProgress !== undefined && ++sinceReport === PROGRESS_EVERY) {
        sinceReport = 0;
        onProgress(Atomics.load(control, JOB_DONE), total);
      }
      if (Atomics.load(control, JOB_ERROR) !== 0) break;
      if (pacer !== null && pacer.due()) yield TURN;
    }
  }
  let last = Atomics.load(control, JOB_DONE);
  let lastChange = Date.now();
  while (last < total && Atomics.load(control, JOB_ERROR) === 0) {
    yield last;
    const done = Atomics.load(control, JOB_DONE);
    if (done !== last) {
      last = done;
      lastChange = Date.now();
      onProgress?.(done, total);
    } else if (Date.now() - lastChange > STALL_MS) {
      return `no progress for ${STALL_MS / 1000} s at ${done} of ${total}`;
    }
  }
  return undefined;
}

/** The worker threads of one index, for its parallel searches and builds. */
export class SearchPool {
  private readonly workers: PoolWorker[] = [];
  /** Bumped when the graph's arrays move; workers holding an older one are sent the new arrays. */
  private generation = 0;
  private seen: GraphArrays | null = null;
  /** Bytes of the vector memory when {@link seen} was taken (it grows in place: views must be renewed). */
  private seenBytes = 0;
  /** Control arrays of the jobs in flight (an exiting worker fails them). */
  private readonly inFlight = new Set<Int32Array>();
  /** The last async job queued: async jobs run one after another. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Async jobs queued or running. */
  private asyncJobs = 0;
  /** The last async build queued, settled: {@link close} lets it finish (cut short, its batch would stay half linked). */
  private lastBuild: Promise<unknown> = Promise.resolve();
  /** Set by {@link close}: jobs it cuts short, and jobs queued behind them, fail saying so. */
  private closed = false;
  /**
   * The uncaught error of the last worker that died of one: a job it cuts short names it (the
   * worker could not report it on its port), instead of only saying that a worker stopped.
   */
  private workerFailure: string | undefined;
  /** Items of the last finished job that workers walked with the wasm layer-0 walk (tests read it). */
  lastWorkerWasmWalks = 0;
  /** Workers started over the pool's life (tests read it: a build reuses the pool's workers). */
  started = 0;

  /** Workers running now. */
  get size(): number {
    return this.workers.length;
  }

  /** True while an async job is queued or running (its workers are then busy). */
  get busy(): boolean {
    return this.asyncJobs > 0;
  }

  /** Starts workers until there are `count` (for a job of kind `what`, named when the pool is closed). */
  private grow(count: number, what: string): void {
    if (this.closed) throw new InternalError(`parallel ${what} failed: the index was closed`);
    if (this.workers.length >= count) return;
    const script = resolveSearchWorkerScript();
    while (this.workers.length < count) {
      const channel = new MessageChannel();
      const data: SearchWorkerData = { kind: POOL_WORKER_KIND, port: channel.port2 };
      const worker = new Worker(script, { workerData: data, transferList: [channel.port2] });
      worker.unref();
      channel.port1.unref();
      this.started++;
      const entry: PoolWorker = { worker, port: channel.port1, generation: -1, exited: false };
      worker.on('error', (error: unknown) => {
        this.workerFailure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      });
      worker.on('exit', () => {
        entry.exited = true;
        const at = this.workers.indexOf(entry);
        if (at >= 0) this.workers.splice(at, 1);
        entry.port.close();
        // A job a dead worker had taken an item of never completes: fail the jobs in flight.
        for (const control of this.inFlight) {
          Atomics.store(control, JOB_ERROR, 1);
          Atomics.notify(control, JOB_DONE);
        }
      });
      this.workers.push(entry);
    }
  }

  /**
   * Posts a job over items `[first, end)` to the first `count` workers, whose areas start at byte
   * `areas` (−1: none); the graph's arrays must be in their final place (shared, areas reserved).
   * Returns the job's control array.
   */
  private post(graph: Graph, params: GraphParams, count: number, first: number, end: number, areas: number, fields: JobFields): Int32Array {
    const arrays = graph.arrays();
    const bytes = graph.memory === null ? graph.vectors.byteLength : graph.memory.buffer.byteLength;
    if (this.seen === null || !sameArrays(this.seen, arrays) || bytes !== this.seenBytes) {
      this.generation++;
      this.seen = arrays;
      this.seenBytes = bytes;
    }
    const control = new Int32Array(new SharedArrayBuffer(JOB_INTS * 4));
    control[JOB_NEXT] = first;
    control[JOB_END] = end;
    this.inFlight.add(control);
    for (let w = 0; w < count && w < this.workers.length; w++) {
      const entry = this.workers[w]!;
      const message = {
        ...fields,
        graph: entry.generation === this.generation ? null : { params, capacity: graph.capacity, arrays },
        areaAt: areas < 0 ? -1 : areas + w * graph.searchAreaBytes,
        resCap: graph.resCap,
        candCap: graph.candCap,
        control,
      } as PoolJobMessage;
      entry.worker.postMessage(message);
      entry.generation = this.generation;
    }
    return control;
  }

  /** Posts the search `batch` to `count` workers (started as needed); their query slots lie past the graph's vectors. */
  private postSearch(graph: Graph, params: GraphParams, batch: SearchBatch, count: number): Int32Array {
    this.grow(count, 'search');
    // Shared arrays first (a copy the first time), then room for every worker's query slot; either
    // may move arrays, so the generation is decided after both (in post).
    graph.reserve(graph.count, true);
    // The calling thread's heaps take the job's width now (they cannot grow while workers run),
    // and each worker's wasm-walk region the same (QueryRunner#run narrows ef to the graph's size).
    graph.prepareWalk(Math.min(Math.max(batch.ef, batch.k), Math.max(batch.k, graph.count)));
    const areas = graph.reserveSearchAreas(this.workers.length);
    const { queries, k, ef, liveCount, bits, outIds, outDists, counts } = batch;
    return this.post(graph, params, count, 0, batch.count, areas, { kind: 'search', queries, k, ef, liveCount, bits, outIds, outDists, counts });
  }

  /** Posts a build of ids `[first, end)` (allocated, on shared arrays) to `count` workers (started as needed). */
  private postBuild(graph: Graph, params: GraphParams, first: number, end: number, count: number): Int32Array {
    this.grow(count, 'build');
    // Each worker walks layer 0 in wasm in its own region past the calling thread's (whose heaps
    // stay put meanwhile: a locking graph never grows them). With no room left in the 4 GiB memory
    // for those regions, the workers take the JS walk (−1: no region).
    let areas = -1;
    try {
      areas = graph.reserveSearchAreas(this.workers.length);
    } catch (error) {
      if (!(error instanceof ResourceExhaustedError)) throw error;
    }
    return this.post(graph, params, count, first, end, areas, { kind: 'build' });
  }

  /** The first error a worker reported (draining every report), or `fallback`. */
  private takeError(fallback: string | undefined): string | undefined {
    let error = fallback;
    for (const entry of this.workers) {
      for (let m = receiveMessageOnPort(entry.port); m !== undefined; m = receiveMessageOnPort(entry.port)) {
        if (error === undefined) error = String(m.message);
      }
    }
    return error;
  }

  private finish(control: Int32Array, stalled: string | undefined, what: string): void {
    this.inFlight.delete(control);
    this.lastWorkerWasmWalks = Atomics.load(control, JOB_WASM_WALKS);
    // Nobody takes another item of this job (a worker that has not started it finds none).
    Atomics.store(control, JOB_NEXT, control[JOB_END]!);
    if (stalled !== undefined || Atomics.load(control, JOB_ERROR) !== 0) {
      const error = this.takeError(stalled) ?? (this.closed ? 'the index was closed' : this.workerFailure === undefined ? 'a worker stopped' : `a worker stopped (${this.workerFailure})`);
      // A worker may still be inside the failed job: stop them all (the next job starts fresh ones).
      this.stopWorkers();
      throw new InternalError(`parallel ${what} failed: ${error}`);
    }
  }

  /** Runs a posted job to its end on the calling thread, blocking: `own` items first, then waits. */
  private runBlocking(control: Int32Array, total: number, own: ((item: number) => void) | null, onProgress: ((done: number, total: number) => void) | undefined, what: string): void {
    let stalled: string | undefined;
    try {
      const steps = drive(control, total, own, onProgress, null);
      for (;;) {
        const step = steps.next();
        if (step.done === true) {
          stalled = step.value;
          break;
        }
        if (step.value !== TURN) Atomics.wait(control, JOB_DONE, step.value, 50);
      }
    } finally {
      this.finish(control, stalled, what);
    }
  }

  /**
   * Queues an async job: when its turn comes, `start` posts it to `workers` workers, the calling
   * thread takes its own items (if any) in slices with event-loop turns between them, then waits
   * with `Atomics.waitAsync`. Jobs run one after another.
   */
  private runQueued(start: () => Int32Array, workers: number, total: number, own: ((item: number) => void) | null, onProgress: ((done: number, total: number) => void) | undefined, what: string): Promise<void> {
    this.asyncJobs++;
    const run = async (): Promise<void> => {
      const control = start();
      // A pending Atomics.waitAsync does not keep the process alive: the workers do, while they work.
      const working = this.workers.slice(0, workers);
      for (const entry of working) entry.worker.ref();
      const pacer = own === null ? null : new Pacer();
      let stalled: string | undefined;
      try {
        const steps = drive(control, total, own, onProgress, pacer);
        for (;;) {
          const step = steps.next();
          if (step.done === true) {
            stalled = step.value;
            break;
          }
          if (step.value === TURN) await pacer!.turn();
          else await waitFor(control, JOB_DONE, step.value, 50);
        }
      } finally {
        for (const entry of working) if (!entry.exited) entry.worker.unref();
        this.finish(control, stalled, what);
      }
    };
    const job = this.tail.then(run, run);
    const settled = job.finally(() => {
      this.asyncJobs--;
    });
    this.tail = settled.catch(() => undefined);
    return settled;
  }

  /**
   * Answers `batch` with `threads − 1` workers and the calling thread, which runs `answer(i)` for
   * the queries it takes and then blocks until the workers are done.
   */
  runSync(graph: Graph, params: GraphParams, batch: SearchBatch, threads: number, answer: (i: number) => void): void {
    const control = this.postSearch(graph, params, batch, threads - 1);
    this.runBlocking(control, batch.count, answer, undefined, 'search');
  }

  /**
   * Answers `batch` with `threads` workers while the calling thread stays free; jobs run one after
   * another. Resolves when every query is answered.
   */
  runAsync(graph: Graph, params: GraphParams, batch: SearchBatch, threads: number): Promise<void> {
    return this.runQueued(() => this.postSearch(graph, params, batch, threads), threads, batch.count, null, undefined, 'search');
  }

  /**
   * Links the allocated ids `[first, end)` with `threads − 1` workers and the calling thread, which
   * runs `insert(id)` for the ids it takes and then blocks until the workers are done. The graph
   * must be on shared arrays and `locking` while this runs.
   */
  runBuild(graph: Graph, params: GraphParams, first: number, end: number, threads: number, insert: (id: number) => void, onProgress: ((done: number, total: number) => void) | undefined): void {
    const control = this.postBuild(graph, params, first, end, threads - 1);
    this.runBlocking(control, end - first, insert, onProgress, 'build');
  }

  /** {@link runBuild} that keeps the event loop running: the calling thread links in slices of about 12 ms between turns. */
  runBuildAsync(graph: Graph, params: GraphParams, first: number, end: number, threads: number, insert: (id: number) => void, onProgress: ((done: number, total: number) => void) | undefined): Promise<void> {
    const build = this.runQueued(() => this.postBuild(graph, params, first, end, threads - 1), threads - 1, end - first, insert, onProgress, 'build');
    this.lastBuild = build.catch(() => undefined);
    return build;
  }

  /** Terminates the workers now (not awaited); the pool starts new ones for the next job. */
  private stopWorkers(): Promise<unknown> {
    const workers = this.workers.splice(0);
    this.seen = null;
    return Promise.all(workers.map((entry) => entry.worker.terminate()));
  }

  /**
   * Stops every worker for good, once an async build in flight (or queued) is done; searches in
   * flight or queued fail with InternalError.
   */
  async close(): Promise<void> {
    await this.lastBuild;
    this.closed = true;
    await this.stopWorkers();
  }
}

/** Waits until `array[index]` is no longer `value` or `timeoutMs` passed, without blocking the thread. */
async function waitFor(array: Int32Array, index: number, value: number, timeoutMs: number): Promise<void> {
  if (waitAsync !== undefined) {
    const result = waitAsync(array, index, value, timeoutMs);
    if (result.async) await result.value;
    return;
  }
  // Without Atomics.waitAsync (older runtimes): poll once per event-loop turn.
  await new Promise<void>((resolve) => setTimeout(resolve, 1));
}

function sameArrays(a: GraphArrays, b: GraphArrays): boolean {
  return (
    a.memory === b.memory &&
    a.vectors === b.vectors &&
    a.links0 === b.links0 &&
    a.levels === b.levels &&
    a.upperOffsets === b.upperOffsets &&
    a.upperLinks === b.upperLinks &&
    a.deleted === b.deleted &&
    a.dirty === b.dirty &&
    a.state === b.state &&
    // The per-node locks appear when the arrays first go shared (a build's workers need them).
    a.locks === b.locks
  );
}

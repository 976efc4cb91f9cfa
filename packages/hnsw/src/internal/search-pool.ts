/**
 * The worker threads of parallel searches (`HNSW#searchMany` with `threads > 1`, and
 * `HNSW#searchManyAsync`): started lazily, kept between calls (unref'd, so they never keep the
 * process alive), closed by `HNSW#close`. Each worker maps the index's shared arrays once per
 * change of the index and answers queries taken from a shared counter. A blocking job has the
 * calling thread answer queries too and then wait with `Atomics.wait` (as the parallel build does);
 * an async job leaves the calling thread free and waits with `Atomics.waitAsync`.
 * The browser build swaps this file for `../browser/search-pool.ts` (no threads).
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { InternalError, NotSupportedError } from '@vego/io';
import type { Graph, GraphArrays, GraphParams } from './graph';
import { SEARCH_DONE, SEARCH_END, SEARCH_ERROR, SEARCH_INTS, SEARCH_NEXT, SEARCH_WASM_WALKS, SEARCH_WORKER_KIND, type SearchJobMessage } from './search-job';
import type { SearchWorkerData } from './search-worker';

/** True where worker threads can run searches (false in the browser build). */
export function searchThreadsAvailable(): boolean {
  return true;
}

/** Give up when a job makes no progress at all for this long (a worker died without a word). */
const STALL_MS = 120_000;

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
  throw new NotSupportedError(`a parallel search needs the compiled worker script; looked in ${candidates.join(' and ')} (run \`pnpm build\`)`);
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

type WaitAsync = (array: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/** The search workers of one index. */
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
  /** Set by {@link close}: jobs it cuts short, and jobs queued behind them, fail saying so. */
  private closed = false;
  /** Queries of the last finished job that workers answered with the wasm layer-0 walk (tests read it). */
  lastWorkerWasmWalks = 0;

  /** Workers running now. */
  get size(): number {
    return this.workers.length;
  }

  /** True while an async job is queued or running (its workers are then busy). */
  get busy(): boolean {
    return this.asyncJobs > 0;
  }

  /** Starts workers until there are `count`. */
  private grow(count: number): void {
    if (this.workers.length >= count) return;
    const script = resolveSearchWorkerScript();
    while (this.workers.length < count) {
      const channel = new MessageChannel();
      const data: SearchWorkerData = { kind: SEARCH_WORKER_KIND, port: channel.port2 };
      const worker = new Worker(script, { workerData: data, transferList: [channel.port2] });
      worker.unref();
      channel.port1.unref();
      const entry: PoolWorker = { worker, port: channel.port1, generation: -1, exited: false };
      worker.on('error', () => undefined);
      worker.on('exit', () => {
        entry.exited = true;
        const at = this.workers.indexOf(entry);
        if (at >= 0) this.workers.splice(at, 1);
        entry.port.close();
        // A job a dead worker had taken a query of never completes: fail the jobs in flight.
        for (const control of this.inFlight) {
          Atomics.store(control, SEARCH_ERROR, 1);
          Atomics.notify(control, SEARCH_DONE);
        }
      });
      this.workers.push(entry);
    }
  }

  /**
   * Posts `batch` to the first `count` workers (started as needed); their query slots are laid out
   * past the graph's vectors. Returns the job's control array.
   */
  private post(graph: Graph, params: GraphParams, batch: SearchBatch, count: number): Int32Array {
    if (this.closed) throw new InternalError('parallel search failed: the index was closed');
    this.grow(count);
    // Shared arrays first (a copy the first time), then room for every worker's query slot; either
    // may move arrays, so the generation is decided after both.
    graph.reserve(graph.count, true);
    // The calling thread's heaps take the job's width now (they cannot grow while workers run),
    // and each worker's wasm-walk region the same (QueryRunner#run narrows ef to the graph's size).
    graph.prepareWalk(Math.min(Math.max(batch.ef, batch.k), Math.max(batch.k, graph.count)));
    const areas = graph.reserveSearchAreas(this.workers.length);
    const arrays = graph.arrays();
    const bytes = graph.memory === null ? graph.vectors.byteLength : graph.memory.buffer.byteLength;
    if (this.seen === null || !sameArrays(this.seen, arrays) || bytes !== this.seenBytes) {
      this.generation++;
      this.seen = arrays;
      this.seenBytes = bytes;
    }
    const control = new Int32Array(new SharedArrayBuffer(SEARCH_INTS * 4));
    control[SEARCH_END] = batch.count;
    this.inFlight.add(control);
    for (let w = 0; w < count && w < this.workers.length; w++) {
      const entry = this.workers[w]!;
      const message: SearchJobMessage = {
        graph: entry.generation === this.generation ? null : { params, capacity: graph.capacity, arrays },
        areaAt: areas + w * graph.searchAreaBytes,
        resCap: graph.resCap,
        candCap: graph.candCap,
        control,
        queries: batch.queries,
        k: batch.k,
        ef: batch.ef,
        liveCount: batch.liveCount,
        bits: batch.bits,
        outIds: batch.outIds,
        outDists: batch.outDists,
        counts: batch.counts,
      };
      entry.worker.postMessage(message);
      entry.generation = this.generation;
    }
    return control;
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

  private finish(control: Int32Array, stalled: string | undefined): void {
    this.inFlight.delete(control);
    this.lastWorkerWasmWalks = Atomics.load(control, SEARCH_WASM_WALKS);
    // Nobody takes another query of this job (a worker that has not started it finds none).
    Atomics.store(control, SEARCH_NEXT, control[SEARCH_END]!);
    if (stalled !== undefined || Atomics.load(control, SEARCH_ERROR) !== 0) {
      const error = this.takeError(stalled) ?? (this.closed ? 'the index was closed' : 'a search worker stopped');
      throw new InternalError(`parallel search failed: ${error}`);
    }
  }

  /**
   * Answers `batch` with `threads − 1` workers and the calling thread, which runs `answer(i)` for
   * the queries it takes and then blocks until the workers are done.
   */
  runSync(graph: Graph, params: GraphParams, batch: SearchBatch, threads: number, answer: (i: number) => void): void {
    const control = this.post(graph, params, batch, threads - 1);
    let stalled: string | undefined;
    try {
      const total = batch.count;
      for (;;) {
        const i = Atomics.add(control, SEARCH_NEXT, 1);
        if (i >= total) break;
        answer(i);
        Atomics.add(control, SEARCH_DONE, 1);
        if (Atomics.load(control, SEARCH_ERROR) !== 0) break;
      }
      let last = Atomics.load(control, SEARCH_DONE);
      let lastChange = Date.now();
      while (last < total && Atomics.load(control, SEARCH_ERROR) === 0) {
        Atomics.wait(control, SEARCH_DONE, last, 50);
        const done = Atomics.load(control, SEARCH_DONE);
        if (done !== last) {
          last = done;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > STALL_MS) {
          stalled = `no progress for ${STALL_MS / 1000} s at ${done} of ${total} queries`;
          break;
        }
      }
    } finally {
      this.finish(control, stalled);
    }
  }

  /**
   * Answers `batch` with `threads` workers while the calling thread stays free; jobs run one after
   * another. Resolves when every query is answered.
   */
  runAsync(graph: Graph, params: GraphParams, batch: SearchBatch, threads: number): Promise<void> {
    this.asyncJobs++;
    const run = async (): Promise<void> => {
      const control = this.post(graph, params, batch, threads);
      // A pending Atomics.waitAsync does not keep the process alive: the workers do, while they work.
      const working = this.workers.slice(0, threads);
      for (const entry of working) entry.worker.ref();
      let stalled: string | undefined;
      try {
        const total = batch.count;
        let last = Atomics.load(control, SEARCH_DONE);
        let lastChange = Date.now();
        while (last < total && Atomics.load(control, SEARCH_ERROR) === 0) {
          await waitFor(control, SEARCH_DONE, last, 50);
          const done = Atomics.load(control, SEARCH_DONE);
          if (done !== last) {
            last = done;
            lastChange = Date.now();
          } else if (Date.now() - lastChange > STALL_MS) {
            stalled = `no progress for ${STALL_MS / 1000} s at ${done} of ${total} queries`;
            break;
          }
        }
      } finally {
        for (const entry of working) if (!entry.exited) entry.worker.unref();
        this.finish(control, stalled);
      }
    };
    const job = this.tail.then(run, run);
    const settled = job.finally(() => {
      this.asyncJobs--;
    });
    this.tail = settled.catch(() => undefined);
    return settled;
  }

  /** Stops every worker for good; jobs in flight or queued fail with InternalError. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    this.seen = null;
    await Promise.all(workers.map((entry) => entry.worker.terminate()));
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
    a.state === b.state
  );
}

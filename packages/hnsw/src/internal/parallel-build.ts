/**
 * Main-thread side of a parallel build: spawns `threads − 1` workers over the graph's shared arrays
 * and inserts alongside them, calling `onProgress` as it goes. `parallelInsert` (for `addBatch`)
 * then blocks with Atomics.wait (allowed on Node's main thread) until every id is linked;
 * `parallelInsertAsync` (for `addBatchAsync`) inserts in slices between event-loop turns and
 * waits with Atomics.waitAsync.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { InternalError, NotSupportedError, ResourceExhaustedError } from '@vego/io';
import { BUILD_WORKER_KIND, JOB_DONE, JOB_END, JOB_ERROR, JOB_INTS, JOB_NEXT, JOB_WASM_WALKS } from './build-job';
import type { BuildWorkerData } from './build-worker';
import type { Graph, GraphParams } from './graph';
import { Pacer } from './pacer';

/** Give up when a build makes no progress at all for this long (a worker died without a word). */
const STALL_MS = 120_000;
const PROGRESS_EVERY = 256;

/**
 * Path of the compiled worker script: beside this file in `dist/internal/`, or, when this file runs
 * from `src/` (ts-jest), the built copy in `../../dist/internal/` (tests run after `pnpm build`).
 */
export function resolveWorkerScript(): string {
  const candidates = [join(__dirname, 'build-worker.js'), join(__dirname, '..', '..', 'dist', 'internal', 'build-worker.js')];
  for (const file of candidates) if (existsSync(file)) return file;
  throw new NotSupportedError(`parallel build needs the compiled worker script; looked in ${candidates.join(' and ')} (run \`pnpm build\`)`);
}

/** Layer-0 walks the workers of the last finished parallel build ran in WebAssembly (tests read it). */
export const buildWalkStats = { workerWasmWalks: 0 };

/** The workers of one parallel build and the ports they report errors on. */
interface BuildCrew {
  job: Int32Array;
  workers: Worker[];
  ports: MessagePort[];
}

/** Starts `threads − 1` build workers over the graph's shared arrays, taking ids `[first, end)` from a fresh job counter. */
function startCrew(graph: Graph, params: GraphParams, first: number, end: number, threads: number, keepAlive: boolean): BuildCrew {
  const script = resolveWorkerScript();
  const job = new Int32Array(new SharedArrayBuffer(JOB_INTS * 4));
  job[JOB_NEXT] = first;
  job[JOB_END] = end;
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  // Each worker walks layer 0 in wasm in its own region past the calling thread's (whose heaps stay
  // put meanwhile: a locking graph never grows them). With no room left in the 4 GiB memory for
  // those regions, the workers take the JS walk (−1: no region).
  let areas = -1;
  try {
    areas = graph.reserveSearchAreas(threads - 1);
  } catch (error) {
    if (!(error instanceof ResourceExhaustedError)) throw error;
  }
  const areaBytes = graph.searchAreaBytes;
  for (let t = 1; t < threads; t++) {
    const channel = new MessageChannel();
    const data: BuildWorkerData = {
      kind: BUILD_WORKER_KIND,
      params,
      capacity: graph.capacity,
      arrays: graph.arrays(),
      areaAt: areas < 0 ? -1 : areas + (t - 1) * areaBytes,
      resCap: graph.resCap,
      candCap: graph.candCap,
      job,
      port: channel.port2,
    };
    const worker = new Worker(script, { workerData: data, transferList: [channel.port2] });
    // A blocking build needs no event loop; an async one is kept alive by its workers (a pending
    // Atomics.waitAsync does not keep the process alive).
    if (!keepAlive) worker.unref();
    workers.push(worker);
    ports.push(channel.port1);
  }
  return { job, workers, ports };
}

/** Reads the first error report (if none yet), closes the ports and stops the workers; returns the error. */
function stopCrew(crew: BuildCrew, error: string | undefined): string | undefined {
  buildWalkStats.workerWasmWalks = Atomics.load(crew.job, JOB_WASM_WALKS);
  for (const port of crew.ports) {
    const message = receiveMessageOnPort(port);
    if (message !== undefined && error === undefined) error = String(message.message);
    port.close();
  }
  for (const worker of crew.workers) void worker.terminate();
  return error;
}

/**
 * Inserts the allocated, not yet linked ids `[first, end)` of `graph` with `threads` threads.
 * The graph's arrays must already be on SharedArrayBuffers (`graph.reserve(n, true)`).
 */
export function parallelInsert(
  graph: Graph,
  params: GraphParams,
  first: number,
  end: number,
  threads: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): void {
  const total = end - first;
  const crew = startCrew(graph, params, first, end, threads, false);
  const job = crew.job;
  let error: string | undefined;
  graph.locking = true;
  try {
    let sinceReport = 0;
    for (;;) {
      const id = Atomics.add(job, JOB_NEXT, 1);
      if (id >= end) break;
      graph.insert(id);
      Atomics.add(job, JOB_DONE, 1);
      if (onProgress !== undefined && ++sinceReport === PROGRESS_EVERY) {
        sinceReport = 0;
        onProgress(Atomics.load(job, JOB_DONE), total);
      }
      if (Atomics.load(job, JOB_ERROR) !== 0) break;
    }
    let last = Atomics.load(job, JOB_DONE);
    let lastChange = Date.now();
    while (last < total && Atomics.load(job, JOB_ERROR) === 0) {
      Atomics.wait(job, JOB_DONE, last, 50);
      const done = Atomics.load(job, JOB_DONE);
      if (done !== last) {
        last = done;
        lastChange = Date.now();
        onProgress?.(done, total);
      } else if (Date.now() - lastChange > STALL_MS) {
        error = `no progress for ${STALL_MS / 1000} s at ${done} of ${total}`;
        break;
      }
    }
  } finally {
    graph.locking = false;
    error = stopCrew(crew, error);
  }
  if (error !== undefined || Atomics.load(job, JOB_ERROR) !== 0) {
    throw new InternalError(`parallel build failed: ${error ?? 'a worker reported an error'}`);
  }
  onProgress?.(total, total);
}

type WaitAsync = (array: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * {@link parallelInsert} that does not block the event loop: the calling thread inserts in slices
 * of about 12 ms (the pacer's slice) with an event-loop turn between them, then waits for the workers
 * with `Atomics.waitAsync` (never `Atomics.wait`). A worker that exits early fails the build.
 */
export async function parallelInsertAsync(
  graph: Graph,
  params: GraphParams,
  first: number,
  end: number,
  threads: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  const total = end - first;
  const crew = startCrew(graph, params, first, end, threads, true);
  const job = crew.job;
  let error: string | undefined;
  for (const worker of crew.workers) {
    worker.on('error', (e: unknown) => {
      if (error === undefined) error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      Atomics.store(job, JOB_ERROR, 1);
      Atomics.notify(job, JOB_DONE);
    });
  }
  graph.locking = true;
  try {
    const pacer = new Pacer();
    let sinceReport = 0;
    for (;;) {
      const id = Atomics.add(job, JOB_NEXT, 1);
      if (id >= end) break;
      graph.insert(id);
      Atomics.add(job, JOB_DONE, 1);
      if (onProgress !== undefined && ++sinceReport === PROGRESS_EVERY) {
        sinceReport = 0;
        onProgress(Atomics.load(job, JOB_DONE), total);
      }
      if (Atomics.load(job, JOB_ERROR) !== 0) break;
      if (pacer.due()) await pacer.turn();
    }
    let last = Atomics.load(job, JOB_DONE);
    let lastChange = Date.now();
    while (last < total && Atomics.load(job, JOB_ERROR) === 0) {
      if (waitAsync !== undefined) {
        const wait = waitAsync(job, JOB_DONE, last, 50);
        if (wait.async) await wait.value;
      } else {
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
      }
      const done = Atomics.load(job, JOB_DONE);
      if (done !== last) {
        last = done;
        lastChange = Date.now();
        onProgress?.(done, total);
      } else if (Date.now() - lastChange > STALL_MS) {
        error = `no progress for ${STALL_MS / 1000} s at ${done} of ${total}`;
        break;
      }
    }
  } finally {
    graph.locking = false;
    error = stopCrew(crew, error);
  }
  if (error !== undefined || Atomics.load(job, JOB_ERROR) !== 0) {
    throw new InternalError(`parallel build failed: ${error ?? 'a worker reported an error'}`);
  }
  onProgress?.(total, total);
}

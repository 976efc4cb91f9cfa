/**
 * Main-thread side of a parallel build: spawns `threads − 1` workers over the graph's shared arrays,
 * inserts alongside them, and blocks (Atomics.wait, allowed on Node's main thread) until every id of
 * the batch is linked, calling `onProgress` as it goes. Synchronous, so `addBatch` has one shape.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { InternalError, NotSupportedError } from '@vego/io';
import { BUILD_WORKER_KIND, JOB_DONE, JOB_END, JOB_ERROR, JOB_INTS, JOB_NEXT } from './build-job';
import type { BuildWorkerData } from './build-worker';
import type { Graph, GraphParams } from './graph';

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
  const script = resolveWorkerScript();
  const job = new Int32Array(new SharedArrayBuffer(JOB_INTS * 4));
  job[JOB_NEXT] = first;
  job[JOB_END] = end;
  const workers: Worker[] = [];
  const ports = [];
  for (let t = 1; t < threads; t++) {
    const channel = new MessageChannel();
    const data: BuildWorkerData = {
      kind: BUILD_WORKER_KIND,
      params,
      capacity: graph.capacity,
      arrays: graph.arrays(),
      job,
      port: channel.port2,
    };
    const worker = new Worker(script, { workerData: data, transferList: [channel.port2] });
    worker.unref();
    workers.push(worker);
    ports.push(channel.port1);
  }

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
    for (const port of ports) {
      const message = receiveMessageOnPort(port);
      if (message !== undefined && error === undefined) error = String(message.message);
      port.close();
    }
    for (const worker of workers) void worker.terminate();
  }
  if (error !== undefined || Atomics.load(job, JOB_ERROR) !== 0) {
    throw new InternalError(`parallel build failed: ${error ?? 'a worker reported an error'}`);
  }
  onProgress?.(total, total);
}

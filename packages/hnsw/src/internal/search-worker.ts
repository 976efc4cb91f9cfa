/**
 * A worker thread of an index's pool: answers the queries of parallel searches
 * (`HNSW#searchMany` / `searchManyAsync`) and links the ids of parallel builds (`addBatch` /
 * `addBatchAsync` with `threads > 1`). Loaded by path from `dist/internal/search-worker.js` and
 * kept alive between jobs (the pool unrefs it). It maps the shared arrays into a {@link Graph}
 * once per change of the index, then takes items from each job's counter: a query, answered with
 * the same {@link QueryRunner} the calling thread uses from this worker's own query slot, or an id
 * to link. Errors go back through a MessagePort the calling thread reads synchronously.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { runBuildJob } from './build-worker';
import { Graph } from './graph';
import { JOB_DONE, JOB_END, JOB_ERROR, JOB_NEXT, JOB_WASM_WALKS, POOL_WORKER_KIND, type PoolJobMessage, type SearchGraphMessage, type SearchJobMessage } from './search-job';
import { QueryRunner } from './search-core';

/** What the pool sends to a worker when it starts it. */
export interface SearchWorkerData {
  kind: typeof POOL_WORKER_KIND;
  /** Error reports (stack text), read by the calling thread with `receiveMessageOnPort`. */
  port: MessagePort;
}

let runner: QueryRunner | null = null;
/** The graph message {@link runner}'s graph was made from. */
let mapped: SearchGraphMessage | null = null;

function runSearchJob(r: QueryRunner, job: SearchJobMessage): void {
  const graph = r.graph;
  r.queryAt = job.areaAt;
  let walksBefore = graph.walk0Runs;
  let areaReady = false;
  const { control, queries, k, ef, liveCount, outIds, outDists, counts } = job;
  const bits = job.bits ?? undefined;
  const vectors = graph.vectors;
  const stride = graph.stride;
  const queryFloat = job.areaAt >> 2;
  const end = control[JOB_END]!;
  for (;;) {
    const i = Atomics.add(control, JOB_NEXT, 1);
    if (i >= end) break;
    if (!areaReady) {
      // This thread's own scratch (batched distance kernel) and wasm-walk region, after its query
      // slot: set up (its tags zeroed) only once it holds a query, so the job cannot be over yet. A
      // worker that gets the job late, after the others answered everything, writes nothing: the
      // calling thread may already have grown its heaps over this area.
      graph.useWalkArea(job.areaAt + graph.strideBytes, job.resCap, job.candCap);
      areaReady = true;
    }
    vectors.set(queries.subarray(i * stride, (i + 1) * stride), queryFloat);
    const n = r.run(k, ef, undefined, bits, liveCount, null);
    outIds.set(r.outIds.subarray(0, n), i * k);
    outDists.set(r.outDists.subarray(0, n), i * k);
    counts[i] = n;
    // Counted before the answer is: the caller reads the count once every answer is in.
    Atomics.add(control, JOB_WASM_WALKS, graph.walk0Runs - walksBefore);
    walksBefore = graph.walk0Runs;
    Atomics.add(control, JOB_DONE, 1);
  }
}

function runJob(job: PoolJobMessage): void {
  if (job.graph !== null) {
    mapped = job.graph;
    const graph = new Graph(job.graph.params, job.graph.capacity, job.graph.arrays);
    runner = new QueryRunner(graph, job.areaAt);
  }
  if (job.kind === 'search') {
    runSearchJob(runner!, job);
    return;
  }
  // A build with no area of its own (no room left for one) must not walk in the region an
  // earlier job gave this worker: a fresh view of the same arrays takes the JS walk.
  const graph = job.areaAt >= 0 ? runner!.graph : new Graph(mapped!.params, mapped!.capacity, mapped!.arrays);
  runBuildJob(graph, job);
}

if (!isMainThread && (workerData as SearchWorkerData | null)?.kind === POOL_WORKER_KIND) {
  const data = workerData as SearchWorkerData;
  parentPort!.on('message', (job: PoolJobMessage) => {
    try {
      runJob(job);
    } catch (error) {
      data.port.postMessage(error instanceof Error ? (error.stack ?? error.message) : String(error));
      Atomics.store(job.control, JOB_ERROR, 1);
    }
    // Whoever waits for the job looks again: it is done, or this worker is through with it.
    Atomics.notify(job.control, JOB_DONE);
  });
}

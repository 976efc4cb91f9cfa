/**
 * Worker-thread side of a parallel search (`HNSW#searchMany` / `searchManyAsync`). Loaded by path
 * from `dist/internal/search-worker.js` and kept alive between jobs (the pool unrefs it). It maps
 * the shared arrays into a {@link Graph} once per change of the index, then takes queries from the
 * job's counter and answers each with the same {@link QueryRunner} the calling thread uses, reading
 * its query from its own slot. Errors go back through a MessagePort the calling thread reads
 * synchronously.
 */
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Graph } from './graph';
import { SEARCH_DONE, SEARCH_END, SEARCH_ERROR, SEARCH_NEXT, SEARCH_WASM_WALKS, SEARCH_WORKER_KIND, type SearchJobMessage } from './search-job';
import { QueryRunner } from './search-core';

/** What the pool sends to a search worker when it starts it. */
export interface SearchWorkerData {
  kind: typeof SEARCH_WORKER_KIND;
  /** Error reports (stack text), read by the calling thread with `receiveMessageOnPort`. */
  port: MessagePort;
}

let runner: QueryRunner | null = null;

function runJob(job: SearchJobMessage): void {
  if (job.graph !== null) {
    const graph = new Graph(job.graph.params, job.graph.capacity, job.graph.arrays);
    runner = new QueryRunner(graph, job.areaAt);
  }
  const r = runner!;
  const graph = r.graph;
  r.queryAt = job.areaAt;
  let walksBefore = graph.walk0Runs;
  let areaReady = false;
  const { control, queries, k, ef, liveCount, outIds, outDists, counts } = job;
  const bits = job.bits ?? undefined;
  const vectors = graph.vectors;
  const stride = graph.stride;
  const queryFloat = job.areaAt >> 2;
  const end = control[SEARCH_END]!;
  for (;;) {
    const i = Atomics.add(control, SEARCH_NEXT, 1);
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
    Atomics.add(control, SEARCH_WASM_WALKS, graph.walk0Runs - walksBefore);
    walksBefore = graph.walk0Runs;
    // The thread answering the last query wakes the caller.
    if (Atomics.add(control, SEARCH_DONE, 1) + 1 === end) Atomics.notify(control, SEARCH_DONE);
  }
}

if (!isMainThread && (workerData as SearchWorkerData | null)?.kind === SEARCH_WORKER_KIND) {
  const data = workerData as SearchWorkerData;
  parentPort!.on('message', (job: SearchJobMessage) => {
    try {
      runJob(job);
    } catch (error) {
      data.port.postMessage(error instanceof Error ? (error.stack ?? error.message) : String(error));
      Atomics.store(job.control, SEARCH_ERROR, 1);
      Atomics.notify(job.control, SEARCH_DONE);
    }
  });
}

/**
 * Worker-thread side of a parallel build. Loaded by path from `dist/internal/build-worker.js`; it
 * maps the shared arrays into a {@link Graph}, then takes ids from the job counter and inserts them
 * with per-node locking until the batch is exhausted. Errors go back through a MessagePort that the
 * main thread reads synchronously.
 */
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { BUILD_WORKER_KIND, JOB_DONE, JOB_END, JOB_ERROR, JOB_NEXT, JOB_WASM_WALKS } from './build-job';
import { Graph, type GraphArrays, type GraphParams } from './graph';

/** What the main thread sends to a build worker. */
export interface BuildWorkerData {
  kind: typeof BUILD_WORKER_KIND;
  params: GraphParams;
  capacity: number;
  arrays: GraphArrays;
  /** Byte offset of this worker's area (`Graph#reserveSearchAreas`; its wasm-walk region follows the query slot), −1 for none (JS walk). */
  areaAt: number;
  resCap: number;
  candCap: number;
  job: Int32Array;
  port: MessagePort;
}

function runBuildWorker(data: BuildWorkerData): void {
  const job = data.job;
  try {
    const graph = new Graph(data.params, data.capacity, data.arrays);
    graph.locking = true;
    const end = job[JOB_END]!;
    let areaReady = false;
    for (;;) {
      const id = Atomics.add(job, JOB_NEXT, 1);
      if (id >= end) break;
      if (!areaReady && data.areaAt >= 0) {
        // Set up (its tags zeroed) only once this worker holds an id, so the build cannot be over
        // yet: a worker that starts after the calling thread took every id writes nothing.
        graph.useWalkArea(data.areaAt + graph.strideBytes, data.resCap, data.candCap);
        areaReady = true;
      }
      graph.insert(id);
      // Counted before the insert is: the caller reads the count once every insert is in.
      Atomics.add(job, JOB_WASM_WALKS, graph.walk0Runs);
      graph.walk0Runs = 0;
      Atomics.add(job, JOB_DONE, 1);
    }
  } catch (error) {
    data.port.postMessage(error instanceof Error ? (error.stack ?? error.message) : String(error));
    Atomics.store(job, JOB_ERROR, 1);
  }
  Atomics.notify(job, JOB_DONE);
  data.port.close();
}

if (!isMainThread && (workerData as BuildWorkerData | null)?.kind === BUILD_WORKER_KIND) {
  runBuildWorker(workerData as BuildWorkerData);
}

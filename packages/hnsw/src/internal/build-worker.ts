/**
 * Worker-thread side of a parallel build, run by a pool worker (`search-worker.ts`, kept between
 * jobs): takes ids from the job's counter and links them with per-node locking until the batch is
 * exhausted, beside the calling thread and the other workers.
 */
import type { Graph } from './graph';
import { JOB_DONE, JOB_END, JOB_NEXT, JOB_WASM_WALKS, type BuildJobMessage } from './search-job';

/** Links the ids of `job` that this thread takes, on `graph` (this worker's view of the shared arrays). */
export function runBuildJob(graph: Graph, job: BuildJobMessage): void {
  const control = job.control;
  const end = control[JOB_END]!;
  let areaReady = false;
  let walksBefore = graph.walk0Runs;
  graph.locking = true;
  try {
    for (;;) {
      const id = Atomics.add(control, JOB_NEXT, 1);
      if (id >= end) break;
      if (!areaReady && job.areaAt >= 0) {
        // Set up (its tags zeroed) only once this worker holds an id, so the build cannot be over
        // yet: a worker that takes the job after the other threads took every id writes nothing.
        graph.useWalkArea(job.areaAt + graph.strideBytes, job.resCap, job.candCap);
        areaReady = true;
      }
      graph.insert(id);
      // Counted before the insert is: the caller reads the count once every insert is in.
      Atomics.add(control, JOB_WASM_WALKS, graph.walk0Runs - walksBefore);
      walksBefore = graph.walk0Runs;
      Atomics.add(control, JOB_DONE, 1);
    }
  } finally {
    graph.locking = false;
  }
}

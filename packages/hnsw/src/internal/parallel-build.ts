/**
 * Main-thread side of a parallel build: the index's worker pool (`search-pool.ts`, the same
 * workers its parallel searches use, started once and kept) links the batch with `threads − 1`
 * workers while the calling thread links beside them. Both forms run the pool's one job routine:
 * `parallelInsert` (for `addBatch`) then blocks with `Atomics.wait` (allowed on Node's main
 * thread) until every id is linked; `parallelInsertAsync` (for `addBatchAsync`) links in slices
 * between event-loop turns and waits with `Atomics.waitAsync`.
 */
import type { Graph, GraphParams } from './graph';
import type { SearchPool } from './search-pool';

/** Layer-0 walks the workers of the last finished parallel build ran in WebAssembly (tests read it). */
export const buildWalkStats = { workerWasmWalks: 0 };

/**
 * Inserts the allocated, not yet linked ids `[first, end)` of `graph` with `threads` threads
 * (the calling thread and `threads − 1` workers of `pool`), blocking until all are linked.
 * The graph's arrays must already be on SharedArrayBuffers (`graph.reserve(n, true)`).
 * @throws InternalError when a worker fails; NotSupportedError without the compiled worker script
 */
export function parallelInsert(
  pool: SearchPool,
  graph: Graph,
  params: GraphParams,
  first: number,
  end: number,
  threads: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): void {
  graph.locking = true;
  try {
    pool.runBuild(graph, params, first, end, threads, (id) => graph.insert(id), onProgress);
  } finally {
    graph.locking = false;
    buildWalkStats.workerWasmWalks = pool.lastWorkerWasmWalks;
  }
  onProgress?.(end - first, end - first);
}

/**
 * {@link parallelInsert} that does not block the event loop: the calling thread inserts in slices
 * of about 12 ms (the pacer's slice) with an event-loop turn between them, then waits for the
 * workers with `Atomics.waitAsync` (never `Atomics.wait`). A worker that exits early fails the build.
 */
export async function parallelInsertAsync(
  pool: SearchPool,
  graph: Graph,
  params: GraphParams,
  first: number,
  end: number,
  threads: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  graph.locking = true;
  try {
    await pool.runBuildAsync(graph, params, first, end, threads, (id) => graph.insert(id), onProgress);
  } finally {
    graph.locking = false;
    buildWalkStats.workerWasmWalks = pool.lastWorkerWasmWalks;
  }
  onProgress?.(end - first, end - first);
}

/**
 * Browser stand-in for `../internal/parallel-build` (swapped in by the package.json `browser`
 * field): a browser bundle has no worker_threads and no worker script on disk, so
 * `addBatch(…, { threads: n })` links the batch on the calling thread, exactly like `threads: 1`
 * (same graph for the same seed; onProgress every 1,000 vectors). Never used under Node.
 */
import type { Graph, GraphParams } from '../internal/graph';
import { insertPaced } from '../internal/paced-insert';

const PROGRESS_EVERY = 1000;

/** As in Node: layer-0 walks the workers of the last parallel build ran in wasm (no workers here: always 0). */
export const buildWalkStats = { workerWasmWalks: 0 };

/** Inserts the allocated ids `[first, end)` on the calling thread; `pool` and `threads` are ignored. */
export function parallelInsert(
  _pool: unknown,
  graph: Graph,
  _params: GraphParams,
  first: number,
  end: number,
  _threads: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): void {
  const total = end - first;
  for (let i = 0; i < total; i++) {
    graph.insert(first + i);
    if (onProgress !== undefined && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1, total);
  }
  if (onProgress !== undefined && total % PROGRESS_EVERY !== 0) onProgress(total, total);
}

/** The async form: the batch is linked on the calling thread in slices, between event-loop turns. */
export function parallelInsertAsync(
  _pool: unknown,
  graph: Graph,
  _params: GraphParams,
  first: number,
  end: number,
  _threads: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  return insertPaced(graph, first, end, onProgress);
}

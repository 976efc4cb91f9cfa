/**
 * Links a batch on the calling thread without blocking the event loop: inserts in slices of about
 * {@link SLICE_MS} with an event-loop turn between them. `addBatchAsync` with one thread, and the
 * browser stand-in of the async parallel build. Same inserts in the same order as `addBatch`, so
 * the same graph.
 */
import type { Graph } from './graph';
import { Pacer } from './pacer';

const PROGRESS_EVERY = 1000;

/** Inserts the allocated ids `[first, end)` of `graph`, in order, pausing for the event loop between slices. */
export async function insertPaced(graph: Graph, first: number, end: number, onProgress: ((done: number, total: number) => void) | undefined): Promise<void> {
  const total = end - first;
  const pacer = new Pacer();
  for (let i = 0; i < total; i++) {
    graph.insert(first + i);
    if (onProgress !== undefined && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1, total);
    if (pacer.due()) await pacer.turn();
  }
  if (onProgress !== undefined && total % PROGRESS_EVERY !== 0) onProgress(total, total);
}

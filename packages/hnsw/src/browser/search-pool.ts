/**
 * Browser stand-in for `../internal/search-pool` (swapped in by the package.json `browser` field):
 * a browser bundle has no worker_threads and no worker script on disk, so `searchMany` and
 * `searchManyAsync` answer every query on the calling thread (`threads` is ignored; the async form
 * yields to the event loop between slices). Never used under Node.
 */
import { NotSupportedError } from '@vego/io';
import type { Graph, GraphParams } from '../internal/graph';

/** False: no worker threads in the browser build. */
export function searchThreadsAvailable(): boolean {
  return false;
}

/** One thread in the browser build. */
export function defaultSearchThreads(): number {
  return 1;
}

/** The shape of the Node batch (never built here). */
export interface SearchBatch {
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

function noThreads(): NotSupportedError {
  return new NotSupportedError('parallel search needs Node worker_threads; in a browser searchMany runs on the calling thread');
}

/** Node only: throws NotSupportedError in a browser build. */
export function sharedBatch(_queries: Float32Array, _count: number, _k: number, _ef: number, _liveCount: number, _bits: Uint32Array | null): SearchBatch {
  throw noThreads();
}

/** Never started in a browser build (searchThreadsAvailable() is false); every method refuses. */
export class SearchPool {
  get size(): number {
    return 0;
  }

  get busy(): boolean {
    return false;
  }

  runSync(_graph: Graph, _params: GraphParams, _batch: SearchBatch, _threads: number, _answer: (i: number) => void): void {
    throw noThreads();
  }

  runAsync(_graph: Graph, _params: GraphParams, _batch: SearchBatch, _threads: number): Promise<void> {
    return Promise.reject(noThreads());
  }

  runBuild(): void {
    throw noThreads();
  }

  runBuildAsync(): Promise<void> {
    return Promise.reject(noThreads());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * What the calling thread and the workers of a parallel search share: the slots of a job's control
 * array (a fresh Int32Array per job, so a worker that picks a job up late can never take queries
 * of a later one) and the message that hands a worker its part.
 */
import type { GraphArrays, GraphParams } from './graph';

/** Next query to take, number of queries, number answered, error flag, queries the workers walked in wasm. */
export const SEARCH_NEXT = 0;
export const SEARCH_END = 1;
export const SEARCH_DONE = 2;
export const SEARCH_ERROR = 3;
export const SEARCH_WASM_WALKS = 4;
export const SEARCH_INTS = 5;

/** Marks the workerData of a search worker. */
export const SEARCH_WORKER_KIND = 'vego-hnsw-search';

/** The graph a worker searches: sent again only when its arrays moved (the index grew). */
export interface SearchGraphMessage {
  params: GraphParams;
  capacity: number;
  arrays: GraphArrays;
}

/** One job, as posted to each worker taking part (every array on a SharedArrayBuffer). */
export interface SearchJobMessage {
  /** The graph, when it changed since this worker's last job; null to keep the one it has. */
  graph: SearchGraphMessage | null;
  /** Byte offset of this worker's query slot in the vector memory (its wasm-walk region follows). */
  areaAt: number;
  /** Records in the heaps of that region (`Graph#useWalkArea`). */
  resCap: number;
  candCap: number;
  control: Int32Array;
  /** The prepared queries, one vector slot (`stride` floats) each. */
  queries: Float32Array;
  k: number;
  ef: number;
  liveCount: number;
  bits: Uint32Array | null;
  /** Hit `j` of query `i` at `i · k + j`; `counts[i]` hits. */
  outIds: Int32Array;
  outDists: Float64Array;
  counts: Int32Array;
}

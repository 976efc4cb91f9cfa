/**
 * What the calling thread and the pool's workers share for one job, search or build: the slots of
 * the job's control array (a fresh Int32Array per job, so a worker that picks a job up late can
 * never take items of a later one) and the messages that hand a worker its part.
 */
import type { GraphArrays, GraphParams } from './graph';

/**
 * Next item to take (a query's index, or a build's next id), the end of the items, items finished,
 * error flag, layer-0 walks the workers ran in wasm. A worker notifies {@link JOB_DONE} when it
 * finds no item left, so the thread waiting for a job wakes once each worker is through.
 */
export const JOB_NEXT = 0;
export const JOB_END = 1;
export const JOB_DONE = 2;
export const JOB_ERROR = 3;
export const JOB_WASM_WALKS = 4;
export const JOB_INTS = 5;

/** Marks the workerData of a pool worker. */
export const POOL_WORKER_KIND = 'vego-hnsw-worker';

/** The graph a worker works on: sent again only when its arrays moved (the index grew). */
export interface SearchGraphMessage {
  params: GraphParams;
  capacity: number;
  arrays: GraphArrays;
}

/** What every job message holds. */
interface JobMessageBase {
  /** The graph, when it changed since this worker's last job; null to keep the one it has. */
  graph: SearchGraphMessage | null;
  /** Byte offset of this worker's area in the vector memory (a query slot, then its wasm-walk region); −1: none (JS walk). */
  areaAt: number;
  /** Records in the heaps of that region (`Graph#useWalkArea`). */
  resCap: number;
  candCap: number;
  control: Int32Array;
}

/** One search job, as posted to each worker taking part (every array on a SharedArrayBuffer). */
export interface SearchJobMessage extends JobMessageBase {
  kind: 'search';
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

/** One build job: link the allocated ids `[control[NEXT], control[END])` with per-node locking. */
export interface BuildJobMessage extends JobMessageBase {
  kind: 'build';
}

/** A message to a pool worker. */
export type PoolJobMessage = SearchJobMessage | BuildJobMessage;

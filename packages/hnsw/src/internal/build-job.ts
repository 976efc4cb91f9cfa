/**
 * The shared counters of one parallel build: a fresh Int32Array per batch, so a worker that starts
 * late can never take ids from a later batch.
 */
export const JOB_NEXT = 0;
export const JOB_END = 1;
export const JOB_DONE = 2;
export const JOB_ERROR = 3;
/** Layer-0 walks the workers ran in WebAssembly (added by each worker as it finishes). */
export const JOB_WASM_WALKS = 4;
export const JOB_INTS = 5;

/** Marks the workerData of a build worker. */
export const BUILD_WORKER_KIND = 'vego-hnsw-build';

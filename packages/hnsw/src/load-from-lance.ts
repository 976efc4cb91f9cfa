/**
 * Function forms of `HNSW.loadFromLance` / `HNSW.loadFromLanceSync`, for callers that prefer a
 * plain import over a static method.
 */
import { HNSW } from './hnsw';

/**
 * Loads the index saved under `dir` by `index.saveToLance(dir)` (the last committed save).
 * @param dir - the index directory
 * @throws NotFoundError when `dir` holds no saved index or a part is missing; CorruptDataError when
 *   the parts disagree; UnsupportedVersionError for a newer format
 * @example
 * ```ts
 * const index = await loadHNSWFromLance('/data/my-index');
 * index.search(query, 10);
 * ```
 */
export function loadHNSWFromLance(dir: string): Promise<HNSW> {
  return HNSW.loadFromLance(dir);
}

/** Synchronous form of {@link loadHNSWFromLance}. */
export function loadHNSWFromLanceSync(dir: string): HNSW {
  return HNSW.loadFromLanceSync(dir);
}

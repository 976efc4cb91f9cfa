/**
 * Function forms of `HNSW.loadFromLance` / `HNSW.loadFromLanceSync`, for callers that prefer a
 * plain import over a static method.
 */
import { HNSW } from './hnsw';
import type { LanceLoadOptions } from './persistence';

/**
 * Loads the index saved under `dir` by `index.saveToLance(dir)` (the last committed save).
 * @param dir - the index directory
 * @param options - `verifyChecksums` (default true): see {@link HNSW.loadFromLance}
 * @throws NotFoundError when `dir` holds no saved index or a part is missing; CorruptDataError when
 *   the parts disagree or a row does not match its checksum; UnsupportedVersionError for a newer format
 * @example
 * ```ts
 * const index = await loadHNSWFromLance('/data/my-index');
 * index.search(query, 10);
 * ```
 */
export function loadHNSWFromLance(dir: string, options: LanceLoadOptions = {}): Promise<HNSW> {
  return HNSW.loadFromLance(dir, options);
}

/** Synchronous form of {@link loadHNSWFromLance}. */
export function loadHNSWFromLanceSync(dir: string, options: LanceLoadOptions = {}): HNSW {
  return HNSW.loadFromLanceSync(dir, options);
}

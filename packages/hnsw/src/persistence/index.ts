/**
 * Persistence of an index as three Lance datasets, by concern: `layout.ts` (what is stored where),
 * `save.ts` (the commit protocol and incremental saves) with `save-rows.ts` (the rows it writes), `open.ts` + `load.ts` (+ `load-nodes.ts`,
 * `load-links.ts`) (loading, each part checked once), `saved-state.ts` (what an index remembers
 * between saves, passed explicitly), `checksums.ts` (row checksums: change detection and
 * verification), `positions.ts` (where each row sits, so a save can delete what it supersedes),
 * `metadata-row.ts` (the commit row's checks and checksum), `directory.ts` (paths and the
 * error builder), `cleanup.ts` (removing old versions no reader can still open).
 *
 * This file is the only one `hnsw.ts` imports at run time, and the one the package.json `browser`
 * field swaps for `../browser/persistence.ts` (no file system in a browser).
 */
export { DEFAULT_COMPACTION_THRESHOLD, saveIndexToLance, saveIndexToLanceSync } from './save';
export type { LanceSaveOptions, LanceSaveResult, SaveOutcome } from './save';
export { loadIndexFromLance, loadIndexFromLanceSync } from './load';
export type { LanceLoadOptions, LoadOutcome } from './load';
export type { SavedState } from './saved-state';
export { nodeLivePositions } from './saved-state';
export type { IndexStoreOptions } from './directory';
export { cleanupIndexVersions } from './cleanup';
export type { IndexCleanupOptions, IndexCleanupResult } from './cleanup';

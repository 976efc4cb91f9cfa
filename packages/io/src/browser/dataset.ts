/**
 * Browser stand-in for `../dataset` (see `node-only.ts`): a Lance dataset is a folder of files, so
 * in a browser read and write single Lance files through `MemorySource` / `MemorySink` instead.
 */
import { nodeOnlyClass } from './node-only';

/** Needs Node: `new Dataset()` and every static (`Dataset.openSync`, `Dataset.createSync`, …) throw NotSupportedError in a browser build. */
export const Dataset = nodeOnlyClass('Dataset');

/** The same constant as under Node (`cleanupOldVersions`' default age: 7 days), so imports resolve in both builds. */
export const DEFAULT_CLEANUP_OLDER_THAN_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Browser stand-in for `../dataset` (see `node-only.ts`): a Lance dataset is a folder of files, so
 * in a browser read and write single Lance files through `MemorySource` / `MemorySink` instead.
 */
import { nodeOnlyClass } from './node-only';

/** Needs Node: `new Dataset()` and every static (`Dataset.openSync`, `Dataset.createSync`, …) throw NotSupportedError in a browser build. */
export const Dataset = nodeOnlyClass('Dataset');

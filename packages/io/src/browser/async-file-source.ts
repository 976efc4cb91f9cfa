/** Browser stand-in for `../async-file-source` (see `node-only.ts`): use `MemorySource` in a browser. */
import { nodeOnlyClass } from './node-only';

/** Needs Node: constructing it (or `AsyncFileSource.open`) throws NotSupportedError in a browser build. */
export const AsyncFileSource = nodeOnlyClass('AsyncFileSource');

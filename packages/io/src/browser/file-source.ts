/** Browser stand-in for `../file-source` (see `node-only.ts`): use `MemorySource` in a browser. */
import { nodeOnlyClass } from './node-only';

/** Needs Node: constructing it throws NotSupportedError in a browser build. */
export const FileSource = nodeOnlyClass('FileSource');

/** Browser stand-in for `../file-sink` (see `node-only.ts`): use `MemorySink` in a browser. */
import { nodeOnlyClass } from './node-only';

/** Needs Node: constructing it throws NotSupportedError in a browser build. */
export const FileSink = nodeOnlyClass('FileSink');

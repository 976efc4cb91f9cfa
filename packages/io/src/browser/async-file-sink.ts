/** Browser stand-in for `../async-file-sink` (see `node-only.ts`): use `MemorySink` in a browser. */
import { nodeOnlyClass } from './node-only';

/** Needs Node: constructing it (or `AsyncFileSink.create`) throws NotSupportedError in a browser build. */
export const AsyncFileSink = nodeOnlyClass('AsyncFileSink');

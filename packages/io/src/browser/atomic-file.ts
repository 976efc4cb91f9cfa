/** Browser stand-in for `../atomic-file` (see `node-only.ts`). */
import { nodeOnlyFunction } from './node-only';

/** Needs Node: throws NotSupportedError in a browser build. */
export const syncDirectorySync = nodeOnlyFunction('syncDirectorySync');
/** Needs Node: throws NotSupportedError in a browser build. */
export const writeFileDurableSync = nodeOnlyFunction('writeFileDurableSync');
/** Needs Node: throws NotSupportedError in a browser build. */
export const publishFileSync = nodeOnlyFunction('publishFileSync');
/** Needs Node: throws NotSupportedError in a browser build. */
export const syncDirectory = nodeOnlyFunction('syncDirectory');
/** Needs Node: throws NotSupportedError in a browser build. */
export const writeFileDurable = nodeOnlyFunction('writeFileDurable');
/** Needs Node: throws NotSupportedError in a browser build. */
export const publishFile = nodeOnlyFunction('publishFile');
/** Needs Node: throws NotSupportedError in a browser build. */
export const removeStaleTempFiles = nodeOnlyFunction('removeStaleTempFiles');

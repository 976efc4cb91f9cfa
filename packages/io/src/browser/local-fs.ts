/**
 * Browser stand-in for `../internal/local-fs` (see `node-only.ts`): a page has no local folders,
 * so every call throws NotSupportedError; the dataset modules reach these only for a local path.
 * Datasets on an object store (`Dataset.open('https://…')`) never call them.
 */
import { nodeOnlyFunction } from './node-only';

/** Needs Node: throws NotSupportedError. */
export const readFileSync = nodeOnlyFunction('readFileSync');
/** Needs Node: throws NotSupportedError. */
export const readdirSync = nodeOnlyFunction('readdirSync');
/** Needs Node: throws NotSupportedError. */
export const existsSync = nodeOnlyFunction('existsSync');
/** Needs Node: throws NotSupportedError. */
export const realpathNative = nodeOnlyFunction('realpathNative');
/** Needs Node: throws NotSupportedError. */
export const isSymlinkSync = nodeOnlyFunction('isSymlinkSync');
/** Needs Node: throws NotSupportedError. */
export const joinLocal = nodeOnlyFunction('joinLocal');
/** Needs Node: throws NotSupportedError. */
export const randomU64 = nodeOnlyFunction('randomU64');
/** Needs Node: throws NotSupportedError. */
export const pathSep = nodeOnlyFunction('pathSep');

/**
 * Browser stand-in for `../persistence/local-paths` (the package.json `browser` field swaps it in):
 * a page has no local folders, so each call throws NotSupportedError. Loading an index from an
 * `http(s)://` URI never calls them.
 */
import { NotSupportedError } from '@vego/io';

function needsNode(name: string): () => never {
  return (): never => {
    throw new NotSupportedError(`${name}() needs Node (file system), which this browser build does not have: load an index from an http(s):// URI, or use HNSW.fromSnapshot()`);
  };
}

/** Needs Node: throws NotSupportedError. */
export const resolveLocal = needsNode('resolveLocal');
/** Needs Node: throws NotSupportedError. */
export const joinLocal = needsNode('joinLocal');
/** Needs Node: throws NotSupportedError. */
export const existsLocal = needsNode('existsLocal');

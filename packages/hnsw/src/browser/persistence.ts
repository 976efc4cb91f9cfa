/**
 * Browser stand-in for `../persistence` (`persistence/index.ts`): the package.json `browser` field swaps it in when a bundler
 * builds for browsers, so the index bundles without Node's file system. Saving and loading Lance
 * datasets throw {@link NotSupportedError}; `toSnapshot()` / `HNSW.fromSnapshot()` still work
 * (snapshots are plain typed arrays: keep them in IndexedDB, send them with fetch). Never used
 * under Node.
 */
import { NotSupportedError } from '@vego/io';

/** Same value as the Node module's (checked by `scripts/test/browser.test.ts`). */
export const DEFAULT_COMPACTION_THRESHOLD = 0.5;

function needsNode(what: string): NotSupportedError {
  return new NotSupportedError(
    `${what} needs Node (file system), which this browser build does not have: use index.toSnapshot() / HNSW.fromSnapshot() ` +
      'to keep an index in memory, IndexedDB or a fetch() body',
  );
}

/** Needs Node: throws NotSupportedError in a browser build. */
export function saveIndexToLanceSync(): never {
  throw needsNode('HNSW.saveToLanceSync()');
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function saveIndexToLance(): Promise<never> {
  throw needsNode('HNSW.saveToLance()');
}

/** Needs Node: throws NotSupportedError in a browser build. */
export function loadIndexFromLanceSync(): never {
  throw needsNode('HNSW.loadFromLanceSync()');
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function loadIndexFromLance(): Promise<never> {
  throw needsNode('HNSW.loadFromLance()');
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function cleanupIndexVersions(): Promise<never> {
  throw needsNode('HNSW.cleanupOldVersions()');
}

/**
 * Browser stand-in for `../persistence` (`persistence/index.ts`): the package.json `browser` field swaps it in when a bundler
 * builds for browsers, so the index bundles without Node's file system. `HNSW.loadFromLance()` of
 * an `http(s)://` URI works (the same load as under Node, by ranged GETs through @vego/io's
 * read-only browser `Dataset`); saving, cleanup, synchronous loads and local paths throw
 * {@link NotSupportedError}. `toSnapshot()` / `HNSW.fromSnapshot()` still work (snapshots are
 * plain typed arrays: keep them in IndexedDB, send them with fetch). Never used under Node.
 */
import { NotSupportedError } from '@vego/io';
import type { RestoreFactory } from '../internal/restore-target';
import { type LanceLoadOptions, type LoadOutcome, loadIndexFromLance as loadOverStore } from '../persistence/load';

/** The same function as under Node (a state loaded over HTTP has places too). */
export { nodeLivePositions } from '../persistence/saved-state';

/** Same value as the Node module's (checked by `scripts/test/browser.test.ts`). */
export const DEFAULT_COMPACTION_THRESHOLD = 0.5;

function needsNode(what: string): NotSupportedError {
  return new NotSupportedError(
    `${what} needs Node (file system), which this browser build does not have: use index.toSnapshot() / HNSW.fromSnapshot() ` +
      'to keep an index in memory, IndexedDB or a fetch() body (HNSW.loadFromLance() of an http(s):// URI works)',
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

/**
 * Loads an index served over HTTP(S) (`dir` an `http://` or `https://` URI; ranged GETs) as under
 * Node; any other location rejects with NotSupportedError (no file system; s3:// is not offered
 * in pages, whose credentials would be exposed).
 */
export async function loadIndexFromLance<T>(dir: string, makeTarget: RestoreFactory<T>, options: LanceLoadOptions = {}): Promise<LoadOutcome<T>> {
  if (typeof dir !== 'string' || !/^https?:\/\//i.test(dir)) throw needsNode(`HNSW.loadFromLance(${JSON.stringify(dir)})`);
  return loadOverStore(dir, makeTarget, options);
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function cleanupIndexVersions(): Promise<never> {
  throw needsNode('HNSW.cleanupOldVersions()');
}

/**
 * Which index folders (`_indices/<uuid>/`, written by LanceDB's `createIndex` and `optimize`) a
 * cleanup removes: those of the indices that removed versions name and no kept version names (an
 * index LanceDB re-created or merged into a new one is named by old manifests only). It is the rule
 * of the data files, and LanceDB's for index files some manifest names. A folder no manifest names
 * (an index LanceDB is still building, whose manifest has not committed yet, or an abandoned one) is
 * never removed: this library removes no unreferenced file of any kind.
 *
 * A UUID taken from a manifest becomes a path only after it matched the lowercase 8-4-4-4-12 hex form
 * LanceDB writes, so no separator, dot or other character of a hostile manifest can reach the path,
 * and only a folder directly under `_indices/` can be named.
 */
import { CorruptDataError } from '@vego/format';
import type { ManifestState } from '../internal/lance-adapter';
import { decodedIndices } from './indices';

/** The folder holding one sub-folder per index, named by its UUID. */
export const INDICES_DIR = '_indices';

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a UUID in the form LanceDB names index folders with (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lowercase hex). */
export function isIndexUuid(text: unknown): text is string {
  return typeof text === 'string' && UUID_TEXT.test(text);
}

/** A committed version and its manifest (./cleanup's `CleanupVersion` adds its commit time). */
export interface VersionManifest {
  version: number;
  manifestFile: string;
  manifest: ManifestState;
}

/**
 * The UUIDs of the index folders only removed versions name, sorted.
 *
 * An index section that does not decode fails the cleanup with CorruptDataError, in a kept version
 * too: what it names cannot be known, so no folder could safely go. A UUID not of the UUID form
 * fails it when a removed version names it (as a data-file path leaving the dataset does) and is
 * skipped in a kept version (it names no folder, so protects none). An index whose files live in
 * another base path (`baseId`: a shallow clone) is never removed: its folder is not this dataset's.
 * @param versions - every committed version, oldest first.
 * @param removable - indices into `versions` of the versions being removed.
 * @throws CorruptDataError as above.
 */
export function indexUuidsToRemove(dir: string, versions: readonly VersionManifest[], removable: ReadonlySet<number>): string[] {
  const kept = new Set<string>();
  const named = new Set<string>();
  for (let k = 0; k < versions.length; k++) {
    const v = versions[k]!;
    const where = `manifest '${v.manifestFile}' of '${dir}' (version ${v.version})`;
    const removed = removable.has(k);
    for (const ix of decodedIndices(v.manifest, where)) {
      if (!isIndexUuid(ix.uuid)) {
        if (removed) throw new CorruptDataError(`${where}: index '${ix.name}' has UUID ${JSON.stringify(ix.uuid)}, not of the form of an index folder name; cleanup refused`);
        continue;
      }
      if (!removed) kept.add(ix.uuid);
      else if (ix.baseId === undefined) named.add(ix.uuid);
    }
  }
  return [...named].filter((u) => !kept.has(u)).sort();
}

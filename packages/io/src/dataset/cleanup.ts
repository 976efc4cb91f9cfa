/**
 * Cleanup of old versions: which versions may go (age, `keep`, never the latest), which data and
 * deletion files and which index folders (./cleanup-indices) only they reference, every such path
 * checked before anything is deleted (../internal/dataset-paths), then the manifests, the files and
 * the index folders removed. Written once as a task: blocking for a folder, asynchronously for a
 * folder or an object store (`s3://`).
 */
import * as nodePath from 'node:path';
import { InvalidArgumentError, NotSupportedError, deletionFileName, perform, type Effect, type Task } from '@vego/format';
import { checkRealInside, checkRelativePath, joinPath } from '../internal/dataset-paths';
import { DELETIONS_DIR } from '../internal/deletions';
import { unlinkEffect } from '../internal/fs-effects';
import { fsError } from '../internal/fs-error';
import { deleteObjectEffect, listedVersions, needsAsync } from '../internal/remote-dataset';
import { syncDirectoryEffect } from '../internal/write-effects';
import type { ObjectStore } from '../store/object-store';
import { indexUuidsToRemove, type VersionManifest } from './cleanup-indices';
import { readIndexFolder, removeIndexFolder, type IndexFolder } from './index-folders';
import { DEFAULT_CLEANUP_OLDER_THAN_MS, type CleanupOptions, type CleanupResult } from './options';
import { localVersions, manifestEffect } from './versions';

/** A committed version as cleanup sees it: its manifest file, decoded manifest and commit time. */
export interface CleanupVersion extends VersionManifest {
  /** Commit time in ms: the manifest's own record, else the manifest file's modification time. */
  committedAt: number;
}

/** What to remove: the versions (indices into the list given) and the files, relative to the dataset root. */
export interface CleanupPlan {
  removable: Set<number>;
  /** `data/<name>` and `_deletions/<name>` paths (joined with `join`), referenced only by removed versions. */
  files: Set<string>;
}

/**
 * Checks the options of a cleanup.
 * @returns how many newest versions to keep, and the commit time at or before which a version may go.
 * @throws InvalidArgumentError for a bad `keep` or `olderThan`.
 */
export function cleanupLimits(options: CleanupOptions): { keep: number; cutoff: number; keepFrom: number } {
  const keep = options.keep ?? 1;
  if (!Number.isSafeInteger(keep) || keep < 1) throw new InvalidArgumentError(`\`keep\` must be an integer ≥ 1, got ${keep}`);
  const keepFrom = options.keepFrom ?? Number.POSITIVE_INFINITY;
  if (keepFrom !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(keepFrom) || keepFrom < 1)) {
    throw new InvalidArgumentError(`\`keepFrom\` must be a version number (an integer ≥ 1), got ${String(keepFrom)}`);
  }
  const olderThan = options.olderThan ?? DEFAULT_CLEANUP_OLDER_THAN_MS;
  // A version is removable when its commit time is at most `cutoff`.
  let cutoff: number;
  if (olderThan instanceof Date) cutoff = olderThan.getTime() - 1;
  else if (typeof olderThan === 'number' && olderThan >= 0) cutoff = Date.now() - olderThan;
  else cutoff = Number.NaN;
  if (!Number.isFinite(cutoff)) throw new InvalidArgumentError('`olderThan` must be a Date or a non-negative age in milliseconds');
  return { keep, cutoff, keepFrom };
}

/**
 * The versions that may go and the files only they reference. Every path a removed version names is
 * checked lexically (CorruptDataError for one leaving the dataset, and nothing is deleted); paths of
 * kept versions that would leave the dataset protect nothing inside and are skipped.
 * @param versions - every committed version, oldest first.
 * @param join - joins a folder and a checked relative path (`node:path`'s for a folder, `/` on a store).
 * @param keepFrom - versions numbered this or higher are kept (default: no such bound).
 */
export function planCleanup(
  dir: string,
  versions: readonly CleanupVersion[],
  keep: number,
  cutoff: number,
  join: (a: string, b: string) => string,
  keepFrom = Number.POSITIVE_INFINITY,
): CleanupPlan {
  const removable = new Set<number>();
  for (let k = 0; k < versions.length - keep; k++) if (versions[k]!.committedAt <= cutoff && versions[k]!.version < keepFrom) removable.add(k);
  // Files (`data/<name>`, `_deletions/<name>`) each version references; `strict` throws for a
  // path leaving the dataset, otherwise such a path is skipped (it protects nothing inside).
  const filesOf = (k: number, strict: boolean): string[] => {
    const out: string[] = [];
    const v = versions[k]!;
    const where = `manifest '${v.manifestFile}' of '${dir}' (version ${v.version})`;
    for (const f of v.manifest.fragments) {
      for (const file of f.files) {
        try {
          checkRelativePath(file.path, `${where}, fragment ${f.id}, data file`);
          out.push(join('data', file.path));
        } catch (e) {
          if (strict) throw e;
        }
      }
      if (f.deletionFile !== undefined) out.push(join(DELETIONS_DIR, deletionFileName(f.id, f.deletionFile)));
    }
    return out;
  };
  const kept = new Set<string>();
  for (let k = 0; k < versions.length; k++) if (!removable.has(k)) for (const p of filesOf(k, false)) kept.add(p);
  const files = new Set<string>();
  for (const k of removable) for (const p of filesOf(k, true)) if (!kept.has(p)) files.add(p);
  return { removable, files };
}

/** The committed versions with their modification times: a folder's listing, or the store's (asynchronous only). */
function listEffect(dir: string, store: ObjectStore | null): Effect<{ version: number; manifestFile: string; modifiedMs: number }[]> {
  if (store === null) {
    const list = (): { version: number; manifestFile: string; modifiedMs: number }[] =>
      localVersions(dir).map((v) => ({ version: v.version, manifestFile: v.manifestFile, modifiedMs: v.timestamp.getTime() }));
    return { sync: list, async: async () => list() };
  }
  return {
    sync: () => {
      throw needsAsync('cleanupOldVersions()', dir);
    },
    async: async () =>
      (await listedVersions(store, dir)).map((v) => ({ version: v.file.version, manifestFile: v.file.fileName, modifiedMs: v.lastModified?.getTime() ?? 0 })),
  };
}

/** Deletes a manifest (failures are errors: the version would stay). */
function deleteManifestEffect(path: string, store: ObjectStore | null): Effect<void> {
  if (store !== null) return deleteObjectEffect(store, path);
  const e = unlinkEffect(path);
  return {
    sync: () => {
      try {
        e.sync();
      } catch (err) {
        throw fsError(err, 'delete', path);
      }
    },
    async: () => e.async().catch((err: unknown) => Promise.reject(fsError(err, 'delete', path))),
  };
}

/**
 * The body of `Dataset.cleanupOldVersions` (a folder, blocking) and `cleanupOldVersionsAsync` (a folder
 * or an object store): every manifest read, the plan made and its paths checked (lexically; in a folder
 * also that no file resolves outside it through a symlink) before anything is deleted; then the
 * manifests of the removed versions go, and after them the files only those versions used, then the
 * index folders only they named (failures there are ignored: a file already gone, or one a later
 * cleanup removes).
 *
 * As for data files, what decides is which versions go (their age, `keep`, `keepFrom`), not the
 * times of the index files: the manifests naming a folder go in this same run, so a folder left
 * now would be named by no manifest afterwards, and never removed. Index files are not written
 * again once a manifest names them; a folder no manifest names (an index being built) is never touched.
 * @throws InvalidArgumentError for bad options; NotSupportedError for a read-only store (HTTP);
 *   CorruptDataError for a path leaving the dataset, an index UUID that is not one, or a manifest
 *   (or its index section) that does not decode; IoError when a manifest cannot be deleted.
 */
export function* cleanupTask(dir: string, store: ObjectStore | null, options: CleanupOptions): Task<CleanupResult> {
  const { keep, cutoff, keepFrom } = cleanupLimits(options);
  if (store !== null && !store.writable) {
    throw new NotSupportedError(`cleanupOldVersions() of '${dir}': the store is read-only (${store.url}); datasets served over HTTP(S) can be opened and read, not cleaned up`);
  }
  const listed = yield* perform(listEffect(dir, store));
  const versions: CleanupVersion[] = [];
  for (const v of listed) {
    const manifest = yield* perform(manifestEffect(dir, v.manifestFile, store));
    versions.push({ version: v.version, manifestFile: v.manifestFile, manifest, committedAt: manifest.raw.timestampMs ?? v.modifiedMs });
  }
  const join = store === null ? nodePath.join : (a: string, b: string): string => `${a}/${b}`;
  const { removable, files } = planCleanup(dir, versions, keep, cutoff, join, keepFrom);
  // Symlinks pointing out of the dataset: refused before anything is deleted (a no-op on a store).
  for (const rel of files) checkRealInside(dir, joinPath(dir, rel), `cleanup of '${dir}'`);
  // Index folders: read (and their paths checked) before anything is deleted too.
  const indexFolders: IndexFolder[] = [];
  for (const uuid of removable.size === 0 ? [] : indexUuidsToRemove(dir, versions, removable)) {
    const folder = yield* readIndexFolder(dir, uuid, store);
    if (folder !== null) indexFolders.push(folder);
  }
  const removedVersions: number[] = [];
  for (const k of removable) {
    yield* perform(deleteManifestEffect(joinPath(dir, '_versions', versions[k]!.manifestFile), store));
    removedVersions.push(versions[k]!.version);
  }
  if (removedVersions.length > 0) yield* perform(syncDirectoryEffect(joinPath(dir, '_versions'), store));
  const dataPrefix = store === null ? `data${nodePath.sep}` : 'data/';
  const removedDataFiles: string[] = [];
  for (const rel of files) {
    try {
      yield* perform(store === null ? unlinkEffect(joinPath(dir, rel)) : deleteObjectEffect(store, joinPath(dir, rel)));
      removedDataFiles.push(rel.startsWith(dataPrefix) ? rel.slice(dataPrefix.length) : rel);
    } catch {
      /* already gone */
    }
  }
  const removedIndices: string[] = [];
  for (const folder of indexFolders) if (yield* removeIndexFolder(dir, folder, store)) removedIndices.push(folder.uuid);
  return { removedVersions, removedDataFiles, removedIndices };
}

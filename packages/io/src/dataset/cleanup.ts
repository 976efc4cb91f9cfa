/**
 * Cleanup of old versions: which versions may go (age, `keep`, never the latest), which data and
 * deletion files only they reference, every such path checked before anything is deleted
 * (../internal/dataset-paths), then the manifests and the files removed.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { InvalidArgumentError, NotSupportedError, deletionFileName } from '@vego/format';
import { syncDirectorySync } from '../atomic-file';
import { checkRealInside, checkRelativePath } from '../internal/dataset-paths';
import { DELETIONS_DIR } from '../internal/deletions';
import { fsError } from '../internal/fs-error';
import type { ManifestState } from '../internal/lance-adapter';
import type { ObjectStore } from '../store/object-store';
import { DEFAULT_CLEANUP_OLDER_THAN_MS, type CleanupOptions, type CleanupResult } from './options';
import { localVersions, readVersionManifest } from './versions';

/** A committed version as cleanup sees it: its manifest file, decoded manifest and commit time. */
export interface CleanupVersion {
  version: number;
  manifestFile: string;
  manifest: ManifestState;
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
export function cleanupLimits(options: CleanupOptions): { keep: number; cutoff: number } {
  const keep = options.keep ?? 1;
  if (!Number.isSafeInteger(keep) || keep < 1) throw new InvalidArgumentError(`\`keep\` must be an integer ≥ 1, got ${keep}`);
  const olderThan = options.olderThan ?? DEFAULT_CLEANUP_OLDER_THAN_MS;
  // A version is removable when its commit time is at most `cutoff`.
  let cutoff: number;
  if (olderThan instanceof Date) cutoff = olderThan.getTime() - 1;
  else if (typeof olderThan === 'number' && olderThan >= 0) cutoff = Date.now() - olderThan;
  else cutoff = Number.NaN;
  if (!Number.isFinite(cutoff)) throw new InvalidArgumentError('`olderThan` must be a Date or a non-negative age in milliseconds');
  return { keep, cutoff };
}

/**
 * The versions that may go and the files only they reference. Every path a removed version names is
 * checked lexically (CorruptDataError for one leaving the dataset, and nothing is deleted); paths of
 * kept versions that would leave the dataset protect nothing inside and are skipped.
 * @param versions - every committed version, oldest first.
 * @param join - joins a folder and a checked relative path (`node:path`'s for a folder, `/` on a store).
 */
export function planCleanup(dir: string, versions: readonly CleanupVersion[], keep: number, cutoff: number, join: (a: string, b: string) => string): CleanupPlan {
  const removable = new Set<number>();
  for (let k = 0; k < versions.length - keep; k++) if (versions[k]!.committedAt <= cutoff) removable.add(k);
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

/** `Dataset.cleanupOldVersions` of a dataset folder. */
export function cleanupLocal(dir: string, store: ObjectStore | null, options: CleanupOptions): CleanupResult {
  if (store !== null) throw new NotSupportedError(`cleanupOldVersions() of '${dir}': not implemented for datasets on object stores yet`);
  const { keep, cutoff } = cleanupLimits(options);
  const versions: CleanupVersion[] = localVersions(dir).map((v) => {
    const manifest = readVersionManifest(dir, v.manifestFile);
    return { version: v.version, manifestFile: v.manifestFile, manifest, committedAt: manifest.raw.timestampMs ?? v.timestamp.getTime() };
  });
  const { removable, files } = planCleanup(dir, versions, keep, cutoff, nodePath.join);
  // Symlinks pointing out of the dataset: refused before anything is deleted.
  for (const rel of files) checkRealInside(dir, nodePath.join(dir, rel), `cleanup of '${dir}'`);
  const removedVersions: number[] = [];
  for (const k of removable) {
    const p = nodePath.join(dir, '_versions', versions[k]!.manifestFile);
    try {
      fs.unlinkSync(p);
      removedVersions.push(versions[k]!.version);
    } catch (e) {
      throw fsError(e, 'delete', p);
    }
  }
  if (removedVersions.length > 0) syncDirectorySync(nodePath.join(dir, '_versions'));
  const removedDataFiles: string[] = [];
  for (const rel of files) {
    const p = nodePath.join(dir, rel);
    try {
      fs.unlinkSync(p);
      removedDataFiles.push(rel.startsWith(`data${nodePath.sep}`) ? rel.slice(5) : rel);
    } catch {
      /* already gone */
    }
  }
  return { removedVersions, removedDataFiles };
}

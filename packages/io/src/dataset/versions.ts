/**
 * Versions of a dataset: finding the latest one, reading a version's manifest (from a folder, or from
 * an object store through ../internal/remote-dataset), where the next manifest is published, and the
 * folders a commit writes into. Opening a version (`Dataset.open`) starts here.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { CorruptDataError, NotFoundError, perform, type Effect, type Task } from '@vego/format';
import { checkRealInside, checkRelativePath, joinPath } from '../internal/dataset-paths';
import { fsError } from '../internal/fs-error';
import { mkdirEffect } from '../internal/fs-effects';
import { decodeManifestBytes, readManifestFile, type ManifestState } from '../internal/lance-adapter';
import { listVersionFiles, manifestFileName, type ManifestNaming, type VersionFile } from '../internal/manifest-names';
import { needsAsync, readRemoteManifest, remoteVersions } from '../internal/remote-dataset';
import type { ObjectStore } from '../store/object-store';
import type { VersionInfo } from './options';

/** Latest committed version of `dir`, or null when there is no dataset there yet. */
export function latestVersionOrNull(dir: string): VersionFile | null {
  let files: VersionFile[];
  try {
    files = listVersionFiles(dir);
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
  return files.length === 0 ? null : files[files.length - 1]!;
}

/** {@link latestVersionOrNull} as an effect; on a store, a listing (asynchronous only). */
export function latestVersionEffect(dir: string, store: ObjectStore | null): Effect<VersionFile | null> {
  if (store === null) return { sync: () => latestVersionOrNull(dir), async: async () => latestVersionOrNull(dir) };
  return {
    sync: () => {
      throw needsAsync('write', dir);
    },
    async: async () => {
      const files = await remoteVersions(store, dir);
      return files.length === 0 ? null : files[files.length - 1]!;
    },
  };
}

/** {@link readVersionManifest} as an effect; on a store, a GET (asynchronous only). */
export function manifestEffect(dir: string, fileName: string, store: ObjectStore | null): Effect<ManifestState> {
  if (store === null) return { sync: () => readVersionManifest(dir, fileName), async: async () => readVersionManifest(dir, fileName) };
  return {
    sync: () => {
      throw needsAsync('read', dir);
    },
    async: () => readRemoteManifest(store, dir, fileName),
  };
}

/**
 * Reads and decodes manifest `fileName` of the dataset at `dir`, refusing one that resolves (through
 * a symlink) outside the dataset folder.
 */
export function readVersionManifest(dir: string, fileName: string): ManifestState {
  const path = nodePath.join(dir, '_versions', fileName);
  checkRealInside(dir, path, `manifest of '${dir}'`);
  return readManifestFile(path);
}

/**
 * The path of the manifest of `version`, after checking that `_versions/` lies inside the dataset
 * folder (a `_versions` symlink pointing out would make a commit write outside it).
 */
export function manifestPathToPublish(dir: string, version: number, naming: ManifestNaming): string {
  const versionsDir = joinPath(dir, '_versions');
  checkRealInside(dir, versionsDir, `dataset '${dir}'`);
  return joinPath(versionsDir, manifestFileName(version, naming));
}

/** An append carries the previous fragments into the new version: refuse paths leaving the dataset first. */
export function checkAppendablePaths(prev: ManifestState, dir: string): void {
  for (const f of prev.fragments) for (const d of f.files) checkRelativePath(d.path, `manifest of '${dir}' version ${prev.version}: fragment ${f.id}, data file`);
}

export function* makeDirectory(dir: string, store: ObjectStore | null): Task<void> {
  if (store !== null) return; // keys need no folders
  try {
    yield* perform(mkdirEffect(dir));
  } catch (e) {
    throw fsError(e, 'create directory', dir);
  }
}

/**
 * The manifest of `version` (default: the latest) of the dataset folder `dir`, checked against its
 * file name, and the dataset's manifest naming (its latest manifest's). The body of `Dataset.openSync`.
 * @throws NotFoundError when there is no dataset or no such version; CorruptDataError when the
 *   manifest does not decode or says another version.
 */
export function openLocalVersion(dir: string, version: number | undefined): { state: ManifestState; naming: ManifestNaming } {
  const files = listVersionFiles(dir);
  if (files.length === 0) throw new NotFoundError(`'${dir}' holds no committed version (empty _versions directory)`);
  let file: VersionFile;
  if (version === undefined) file = files[files.length - 1]!;
  else {
    const found = files.find((f) => f.version === version);
    if (found === undefined) {
      throw new NotFoundError(
        `version ${version} of '${dir}' does not exist (versions: ${files.map((f) => f.version).join(', ')})`,
      );
    }
    file = found;
  }
  const manifestPath = nodePath.join(dir, '_versions', file.fileName);
  const state = readVersionManifest(dir, file.fileName);
  if (state.version !== file.version) {
    throw new CorruptDataError(`manifest '${manifestPath}': expected version ${file.version} (from its name), found ${state.version}`);
  }
  return { state, naming: files[files.length - 1]!.naming };
}

/**
 * The manifest of `version` of the dataset folder `dir`, which the caller just committed under
 * `naming`: read by its file name, without listing `_versions/` (see {@link openLocalVersion},
 * which it falls back to when no such file exists).
 * @throws as {@link openLocalVersion}
 */
export function openCommittedVersion(dir: string, version: number, naming: ManifestNaming): { state: ManifestState; naming: ManifestNaming } {
  const fileName = manifestFileName(version, naming);
  if (!fs.existsSync(nodePath.join(dir, '_versions', fileName))) return openLocalVersion(dir, version);
  const state = readVersionManifest(dir, fileName);
  if (state.version !== version) {
    throw new CorruptDataError(`manifest '${nodePath.join(dir, '_versions', fileName)}': expected version ${version} (from its name), found ${state.version}`);
  }
  return { state, naming };
}

/**
 * The state of the version a commit of this process just published to the folder `dir`, decoded
 * from the manifest bytes it published (no read of `_versions/`; the same bytes a read would get).
 * @throws CorruptDataError when the bytes say another version (an internal mismatch)
 */
export function committedVersionState(dir: string, committed: { version: number; manifest: Uint8Array; naming: ManifestNaming }): { state: ManifestState; naming: ManifestNaming } {
  const path = nodePath.join(dir, '_versions', manifestFileName(committed.version, committed.naming));
  const state = decodeManifestBytes(committed.manifest, path);
  if (state.version !== committed.version) throw new CorruptDataError(`manifest '${path}': expected version ${committed.version}, found ${state.version}`);
  return { state, naming: committed.naming };
}

/**
 * Whether `state` (a version of the local dataset `dir` this process read or published under
 * `naming`) is still the dataset's latest, as it was: no manifest of the next version exists under
 * either naming, and the manifest file of `state`'s version holds exactly `state.bytes` (a folder
 * removed and written again by another writer, whose versions count up from 1 as well, holds other
 * bytes: its manifests name other data files). A cleanup never removes the latest version, so a
 * missing next version means no writer committed since. One read of a small file and two lookups
 * by name: no listing of `_versions/`, which grows with every version kept.
 */
export function isLocalLatest(dir: string, state: ManifestState, naming: ManifestNaming): boolean {
  const versions = nodePath.join(dir, '_versions');
  const next = state.version + 1;
  if (fs.existsSync(nodePath.join(versions, manifestFileName(next, 'v2'))) || fs.existsSync(nodePath.join(versions, manifestFileName(next, 'v1')))) return false;
  const file = nodePath.join(versions, manifestFileName(state.version, naming));
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const err = fsError(e, 'read manifest', file);
    if (err instanceof NotFoundError) return false;
    throw err;
  }
  const known = state.bytes;
  return bytes.equals(Buffer.from(known.buffer, known.byteOffset, known.byteLength));
}

/** Every committed version in the folder `dir`, oldest first, with its manifest's modification time. */
export function localVersions(dir: string): VersionInfo[] {
  return listVersionFiles(dir).map((f) => {
    const p = nodePath.join(dir, '_versions', f.fileName);
    let mtime: Date;
    try {
      mtime = fs.statSync(p).mtime;
    } catch (e) {
      throw fsError(e, 'stat', p);
    }
    return { version: f.version, timestamp: mtime, manifestFile: f.fileName };
  });
}

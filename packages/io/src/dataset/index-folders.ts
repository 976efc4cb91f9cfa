/**
 * One index folder (`_indices/<uuid>/`) on disk or on a store, as cleanup reads it before removing it
 * and as it removes it: every entry, found without following a symlink (in a folder) or by listing
 * the folder's key prefix (on a store); then exactly those entries deleted, so a file that appears
 * after the reading is never deleted (the folder then stays).
 */
import type { Stats } from 'node:fs';
import { CorruptDataError, perform, type Effect, type Task } from '@vego/format';
import { checkRealInside, joinPath } from '../internal/dataset-paths';
import { lstatEffect, readdirEffect, rmdirEffect, unlinkEffect } from '../internal/fs-effects';
import { keyOf, needsAsync } from '../internal/remote-dataset';
import type { ObjectStore } from '../store/object-store';
import { INDICES_DIR, isIndexUuid } from './cleanup-indices';

/** An index folder read for removal. */
export interface IndexFolder {
  uuid: string;
  /** Files and symlinks in it, at any depth: paths in a folder, keys on a store. */
  files: string[];
  /** In a folder: its sub-folders, deepest first, then itself (each removed once empty). None on a store. */
  folders: string[];
}

/** `effect`'s value, or null when it fails (an entry gone or unreadable meanwhile). */
function* orNull<T>(effect: Effect<T>): Task<T | null> {
  try {
    return yield* perform(effect);
  } catch {
    return null;
  }
}

/** Store listings, as an effect (asynchronous only, as every store request). */
function listEffect(store: ObjectStore, prefix: string, dir: string): Effect<{ key: string }[]> {
  return {
    sync: () => {
      throw needsAsync('cleanupOldVersions()', dir);
    },
    async: () => store.list(prefix),
  };
}

/**
 * Reads `_indices/<uuid>/` of the dataset at `dir`. Returns null when there is nothing to remove
 * there: no such folder, or in a folder one that is not a plain folder (a symlink or a file, at
 * `_indices` or at `<uuid>`) or cannot be read; those are left alone.
 * @param uuid - a UUID checked with {@link isIndexUuid} (checked again here: it becomes a path).
 * @throws CorruptDataError for a UUID not of that form, or in a folder when `_indices/<uuid>`
 *   resolves, through a symlink, outside the dataset folder (as for data files: refused, nothing deleted).
 */
export function* readIndexFolder(dir: string, uuid: string, store: ObjectStore | null): Task<IndexFolder | null> {
  if (!isIndexUuid(uuid)) throw new CorruptDataError(`cleanup of '${dir}': ${JSON.stringify(uuid)} is not an index UUID; refused`);
  if (store !== null) {
    const base = keyOf(store, dir);
    const prefix = `${base === '' ? '' : `${base}/`}${INDICES_DIR}/${uuid}/`;
    const listed = yield* perform(listEffect(store, prefix, dir));
    return listed.length === 0 ? null : { uuid, files: listed.map((o) => o.key), folders: [] };
  }
  const indices = joinPath(dir, INDICES_DIR);
  const top = joinPath(indices, uuid);
  checkRealInside(dir, top, `cleanup of '${dir}', index ${uuid}`);
  // Only a plain folder directly under a plain `_indices` folder: through a symlink at either, even
  // one staying inside the dataset, the removal would reach some other folder.
  const plain = (s: Stats | null): boolean => s !== null && s.isDirectory() && !s.isSymbolicLink();
  if (!plain(yield* orNull(lstatEffect(indices)))) return null;
  if (!plain(yield* orNull(lstatEffect(top)))) return null;
  const files: string[] = [];
  const folders: string[] = [];
  // Depth-first; each folder is listed before its sub-folders, so reversed they come first.
  const pending = [top];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    folders.push(folder);
    const entries = yield* orNull(readdirEffect(folder));
    if (entries === null) return null;
    // An entry's own type: a symlink (to a folder too) is unlinked like a file, never followed.
    for (const e of entries) (e.isDirectory() ? pending : files).push(joinPath(folder, e.name));
  }
  return { uuid, files, folders: folders.reverse() };
}

/** Deletes one object by key (a listed key as it is: no path handling can change it). */
function deleteKeyEffect(store: ObjectStore, key: string, dir: string): Effect<void> {
  return {
    sync: () => {
      throw needsAsync('cleanupOldVersions()', dir);
    },
    async: () => store.delete(key),
  };
}

/**
 * Deletes the entries {@link readIndexFolder} found, then the folders once empty. Failures are not
 * errors (a later cleanup finds the folder again).
 * @returns whether the folder is gone (false when something could not be deleted, or appeared since).
 */
export function* removeIndexFolder(dir: string, folder: IndexFolder, store: ObjectStore | null): Task<boolean> {
  let whole = true;
  for (const f of folder.files) {
    try {
      yield* perform(store === null ? unlinkEffect(f) : deleteKeyEffect(store, f, dir));
    } catch {
      whole = false;
    }
  }
  for (const d of folder.folders) {
    try {
      yield* perform(rmdirEffect(d));
    } catch {
      whole = false;
    }
  }
  return whole;
}

/**
 * Confinement of every path a dataset touches to the dataset folder.
 *
 * Manifests and deletion-file entries are file contents, so the paths they name are untrusted: a
 * manifest naming `../../victim.lance` must neither be read nor, after an overwrite, deleted by
 * cleanup. Two checks, both throwing `CorruptDataError`:
 * 1. lexical ({@link checkRelativePath}): a relative path of `/`-separated segments, none empty,
 *    `.` or `..`; no leading `/`, no backslash (a separator on Windows, and never written by Lance),
 *    no NUL or other control character. `data/a/b.lance` style sub-folders stay allowed.
 * 2. physical ({@link checkRealInside}): the real path (symlinks resolved) of a file about to be
 *    read or deleted, or of a folder about to be written into, must lie inside the real path of the
 *    dataset folder. A symlink inside the dataset pointing inside it is fine; one pointing out is
 *    refused.
 * Every data, deletion and manifest path of `Dataset` is built through this module. A third check,
 * {@link checkEntryInside}, is for libraries keeping datasets inside a folder of their own (a saved
 * index, a database): the dataset folder itself must not be a symlink leading out of that folder.
 *
 * Not covered: a process that can write into the dataset folder and swaps a checked name for a
 * symlink between the check and the `open` (a time-of-check/time-of-use race); such a writer can
 * already change every byte of the dataset.
 */
import * as fs from './local-fs';
import { CorruptDataError } from '@vego/format';
import { isObjectStoreUri, joinUri } from '../store/object-store';
import { errnoCode, fsError } from './fs-error';

/** Longest relative path accepted from a manifest (Linux's PATH_MAX). */
const MAX_PATH_BYTES = 4096;

function refuse(what: string, path: string, why: string): CorruptDataError {
  // JSON.stringify shows NUL and other control characters escaped instead of printing them raw.
  return new CorruptDataError(`${what}: path ${JSON.stringify(path)} ${why}; every file of a dataset must lie inside its folder`);
}

/**
 * Checks that `rel` (a path taken from a file: manifest, deletion-file entry, index metadata) is a
 * plain relative path that cannot leave the folder it is joined to.
 * @param what - names the file and entry for the message (e.g. `manifest '…' fragment 3`).
 * @throws CorruptDataError for an empty or absolute path, `..`/`.`/empty segments, a backslash,
 *   NUL or another control character, or a path longer than 4096 characters.
 */
export function checkRelativePath(rel: unknown, what: string): asserts rel is string {
  if (typeof rel !== 'string' || rel.length === 0) throw refuse(what, String(rel), 'is empty');
  if (rel.length > MAX_PATH_BYTES) throw refuse(what, `${rel.slice(0, 64)}…`, `is ${rel.length} characters long (at most ${MAX_PATH_BYTES})`);
  for (let i = 0; i < rel.length; i++) {
    const c = rel.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw refuse(what, rel, `holds control character ${c} at ${i}`);
    if (c === 0x5c) throw refuse(what, rel, `holds a backslash at ${i}`);
  }
  if (rel.charCodeAt(0) === 0x2f) throw refuse(what, rel, 'is absolute');
  for (const segment of rel.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw refuse(what, rel, `has a '${segment}' segment`);
  }
}

/**
 * `root/sub/rel` after {@link checkRelativePath}: the only way a path from a file becomes a path on disk.
 * @throws CorruptDataError as {@link checkRelativePath}.
 */
export function joinInside(root: string, sub: string, rel: unknown, what: string): string {
  checkRelativePath(rel, what);
  return joinPath(root, sub, rel);
}

/**
 * `root/segments…`: `node:path`'s join for a folder, `/`-joined for a dataset on an object store
 * (`s3://…`, `https://…`), whose URI a path join would mangle (`s3:/…`).
 */
export function joinPath(root: string, ...segments: string[]): string {
  return isObjectStoreUri(root) ? joinUri(root, ...segments) : fs.joinLocal(root, ...segments);
}

/** The real path of `path`, or null when it does not exist (the caller's own open reports that). */
function realPathOrNull(path: string): string | null {
  try {
    return fs.realpathNative(path);
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return null;
    throw fsError(e, 'resolve', path);
  }
}

/**
 * Checks that `path` (a file about to be read or deleted, or a folder about to be written into)
 * resolves, symlinks followed, to a place inside `root`. Does nothing when `path` does not exist:
 * opening it then fails with NotFoundError, and nothing outside can have been reached.
 * @throws CorruptDataError when it resolves outside `root`; IoError when it cannot be resolved.
 */
export function checkRealInside(root: string, path: string, what: string): void {
  // Object stores have no symlinks: a key is what it says, and the lexical check covers it.
  if (isObjectStoreUri(root)) return;
  const real = realPathOrNull(path);
  if (real === null) return;
  const realRoot = realPathOrNull(root);
  if (realRoot === null) throw new CorruptDataError(`${what}: the dataset folder '${root}' vanished while '${path}' exists`);
  if (!isInside(realRoot, real)) {
    throw new CorruptDataError(`${what}: '${path}' resolves to '${real}', outside the dataset folder '${realRoot}' (a symlink pointing out); refused`);
  }
}

/**
 * Checks that the entry `name` of the folder `root` (a folder a library keeps inside another: the
 * three datasets of a saved index, the collections of a database) is not a symlink resolving
 * outside `root`. A dataset's own checks are relative to the dataset folder's real path, so a part
 * folder that is itself a symlink pointing out would take every read, commit and cleanup of that
 * part outside `root`. One `lstat` when the entry is not a symlink (or is missing); nothing on an
 * object store (no symlinks there).
 * @throws CorruptDataError when `name` is not one plain segment, or is a symlink resolving outside `root`
 */
export function checkEntryInside(root: string, name: string, what: string): void {
  checkRelativePath(name, what);
  if (name.includes('/')) throw refuse(what, name, 'is not a single folder entry');
  if (isObjectStoreUri(root)) return;
  const path = fs.joinLocal(root, name);
  if (!fs.isSymlinkSync(path)) return;
  checkRealInside(root, path, what);
}

/** True when `child` is `parent` or lies below it (both absolute, normalised real paths). */
export function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const sep = fs.pathSep();
  const prefix = parent.endsWith(sep) ? parent : parent + sep;
  return child.startsWith(prefix);
}

/**
 * Crash-safe file publication, the primitive under every dataset commit.
 *
 * `publishFileSync(path, bytes)` never lets anyone observe a partial file at `path`:
 * 1. the bytes go to a temporary file in the same directory (`.<name>.<pid>.<random>.tmp`), opened
 *    with O_EXCL, written completely and fsynced;
 * 2. the temporary file is hard-linked to `path` with `fs.linkSync`, which is atomic and fails with
 *    EEXIST when `path` already exists: of two writers publishing the same name exactly one wins, and
 *    the other gets {@link ConflictError}; (with `overwrite: true` a `rename` replaces the target
 *    atomically instead);
 * 3. the temporary name is removed and the directory fsynced, so the new name survives a crash.
 * A process killed at any point leaves either no file at `path` or the complete one, plus perhaps a
 * stray temporary file that {@link removeStaleTempFiles} deletes.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ConflictError } from '@vego/format';
import { errnoCode, fsError } from './internal/fs-error';

/** Options of {@link publishFileSync}. */
export interface PublishOptions {
  /** Replace an existing file (atomic rename) instead of failing with ConflictError. Default false. */
  overwrite?: boolean;
}

const TEMP_SUFFIX = '.tmp';

function tempPathFor(path: string): string {
  const dir = nodePath.dirname(path);
  const rand = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${rand}${TEMP_SUFFIX}`);
}

/**
 * fsyncs a directory so that entries created or removed in it survive a crash. A no-op where
 * directories cannot be opened or synced (Windows).
 * @throws IoError when the directory cannot be opened for another reason.
 */
export function syncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw fsError(e, 'open directory', dir);
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw fsError(e, 'fsync directory', dir);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `bytes` to a new file (O_EXCL), fsyncs and closes it. Deletes the file if anything fails. */
export function writeFileDurableSync(path: string, bytes: Uint8Array): void {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx');
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') throw new ConflictError(`'${path}' already exists`, { cause: e });
    throw fsError(e, 'create', path);
  }
  try {
    let done = 0;
    while (done < bytes.byteLength) done += fs.writeSync(fd, bytes, done, bytes.byteLength - done, done);
    fs.fsyncSync(fd);
  } catch (e) {
    try {
      fs.closeSync(fd);
      fs.unlinkSync(path);
    } catch {
      /* best effort */
    }
    throw fsError(e, 'write', path);
  }
  fs.closeSync(fd);
}

/**
 * Publishes `bytes` at `path` atomically (see the module comment).
 * @throws ConflictError when `path` exists (another writer won) and `overwrite` is not set: nothing
 *   was changed. NotFoundError when the directory does not exist; IoError on other failures.
 * @example
 * ```ts
 * try { publishFileSync('/ds/_versions/3.manifest', bytes); }
 * catch (e) { if (e instanceof ConflictError) { ... someone else committed version 3 ... } }
 * ```
 */
export function publishFileSync(path: string, bytes: Uint8Array, options: PublishOptions = {}): void {
  const tmp = tempPathFor(path);
  writeFileDurableSync(tmp, bytes);
  try {
    if (options.overwrite === true) {
      fs.renameSync(tmp, path);
    } else {
      try {
        fs.linkSync(tmp, path);
      } catch (e) {
        if (errnoCode(e) === 'EEXIST') {
          throw new ConflictError(`cannot publish '${path}': another writer created it first`, { cause: e });
        }
        throw fsError(e, 'link', path);
      }
    }
  } finally {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* renamed away, or already gone */
    }
  }
  syncDirectorySync(nodePath.dirname(path));
}

/**
 * Deletes temporary files left by {@link publishFileSync} in `dir` by processes that died mid-write,
 * if they are older than `minAgeMs` (default one hour, so files of live writers are left alone).
 * @returns the number of files deleted.
 */
export function removeStaleTempFiles(dir: string, minAgeMs = 60 * 60 * 1000): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw fsError(e, 'list', dir);
  }
  const now = Date.now();
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith('.') || !name.endsWith(TEMP_SUFFIX)) continue;
    const p = nodePath.join(dir, name);
    try {
      if (now - fs.statSync(p).mtimeMs >= minAgeMs) {
        fs.unlinkSync(p);
        removed++;
      }
    } catch {
      /* raced with its owner */
    }
  }
  return removed;
}

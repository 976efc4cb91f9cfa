/**
 * Crash-safe file publication, the primitive under every dataset commit.
 *
 * `publishFileSync(path, bytes)` never lets anyone observe a partial file at `path`:
 * 1. the bytes go to a temporary file in the same directory (`.<name>.<pid>.<random>.tmp`), opened
 *    with O_EXCL, written completely and fsynced;
 * 2. the temporary file is hard-linked to `path` with `link(2)`, which is atomic and fails with
 *    EEXIST when `path` already exists: of two writers publishing the same name exactly one wins, and
 *    the other gets {@link ConflictError}; (with `overwrite: true` a `rename` replaces the target
 *    atomically instead);
 * 3. the temporary name is removed and the directory fsynced, so the new name survives a crash.
 * A process killed at any point leaves either no file at `path` or the complete one, plus perhaps a
 * stray temporary file that {@link removeStaleTempFiles} deletes.
 *
 * Each primitive comes twice: blocking (`publishFileSync`, …) and asynchronous (`publishFile`, …, every
 * step on libuv's thread pool). Both run the same steps, written once (see @vego/format's effects.ts).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ConflictError } from '@vego/format';
import { perform, runTaskAsync as runAsync, runTaskSync as runSync, type Task } from '@vego/format';
import { errnoCode, fsError } from './internal/fs-error';
import {
  closeEffect,
  fsyncEffect,
  linkEffect,
  openEffect,
  renameEffect,
  unlinkEffect,
  writeEffect,
  type OpenFile,
} from './internal/fs-effects';

/** Options of {@link publishFileSync} and {@link publishFile}. */
export interface PublishOptions {
  /** Replace an existing file (atomic rename) instead of failing with ConflictError. Default false. */
  overwrite?: boolean;
  /**
   * Fsync the file before it is published and its directory after (default true). False keeps the
   * publish atomic (readers and other processes see the old file or the new one whole, also after
   * the writing process is killed) but not durable: an operating-system crash or power loss may
   * lose it, or leave it empty. For writers that make their own commit durable another way.
   */
  durable?: boolean;
}

const TEMP_SUFFIX = '.tmp';

function tempPathFor(path: string): string {
  const dir = nodePath.dirname(path);
  const rand = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${rand}${TEMP_SUFFIX}`);
}

function* syncDirectoryTask(dir: string): Task<void> {
  let dirFile: OpenFile;
  try {
    dirFile = yield* perform(openEffect(dir, 'r'));
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw fsError(e, 'open directory', dir);
  }
  try {
    yield* perform(fsyncEffect(dirFile));
  } catch (e) {
    const code = errnoCode(e);
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw fsError(e, 'fsync directory', dir);
  } finally {
    yield* perform(closeEffect(dirFile));
  }
}

function* writeFileDurableTask(path: string, bytes: Uint8Array, durable = true): Task<void> {
  let file: OpenFile;
  try {
    file = yield* perform(openEffect(path, 'wx'));
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') throw new ConflictError(`'${path}' already exists`, { cause: e });
    throw fsError(e, 'create', path);
  }
  try {
    yield* perform(writeEffect(file, bytes, 0));
    if (durable) yield* perform(fsyncEffect(file));
  } catch (e) {
    try {
      yield* perform(closeEffect(file));
      yield* perform(unlinkEffect(path));
    } catch {
      /* best effort */
    }
    throw fsError(e, 'write', path);
  }
  yield* perform(closeEffect(file));
}

function* publishFileTask(path: string, bytes: Uint8Array, options: PublishOptions): Task<void> {
  const tmp = tempPathFor(path);
  const durable = options.durable !== false;
  yield* writeFileDurableTask(tmp, bytes, durable);
  try {
    if (options.overwrite === true) {
      yield* perform(renameEffect(tmp, path));
    } else {
      try {
        yield* perform(linkEffect(tmp, path));
      } catch (e) {
        if (errnoCode(e) === 'EEXIST') {
          throw new ConflictError(`cannot publish '${path}': another writer created it first`, { cause: e });
        }
        throw fsError(e, 'link', path);
      }
    }
  } finally {
    try {
      yield* perform(unlinkEffect(tmp));
    } catch {
      /* renamed away, or already gone */
    }
  }
  if (durable) yield* syncDirectoryTask(nodePath.dirname(path));
}

/**
 * fsyncs a directory so that entries created or removed in it survive a crash. A no-op where
 * directories cannot be opened or synced (Windows).
 * @throws IoError when the directory cannot be opened for another reason.
 */
export function syncDirectorySync(dir: string): void {
  runSync(syncDirectoryTask(dir));
}

/**
 * Asynchronous form of {@link syncDirectorySync}: open, fsync and close run on libuv's thread pool.
 * @throws (rejects with) IoError as {@link syncDirectorySync}.
 */
export function syncDirectory(dir: string): Promise<void> {
  return runAsync(syncDirectoryTask(dir));
}

/**
 * Writes `bytes` to a new file (O_EXCL), fsyncs and closes it. Deletes the file if anything fails.
 * @throws ConflictError when `path` exists; NotFoundError when its directory does not; IoError when
 *   a write or the fsync fails.
 */
export function writeFileDurableSync(path: string, bytes: Uint8Array, durable = true): void {
  runSync(writeFileDurableTask(path, bytes, durable));
}

/**
 * Asynchronous form of {@link writeFileDurableSync}: the same steps on libuv's thread pool. Do not
 * modify `bytes` until the promise settles.
 * @throws (rejects with) the errors of {@link writeFileDurableSync}.
 */
export function writeFileDurable(path: string, bytes: Uint8Array, durable = true): Promise<void> {
  return runAsync(writeFileDurableTask(path, bytes, durable));
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
  runSync(publishFileTask(path, bytes, options));
}

/**
 * Asynchronous form of {@link publishFileSync}: the same protocol (temporary file, fsync, `link`,
 * directory fsync) with every step on libuv's thread pool, so the event loop keeps running. Of two
 * writers publishing the same name, in one process or in two, exactly one succeeds. Do not modify
 * `bytes` until the promise settles.
 * @throws (rejects with) ConflictError when `path` exists and `overwrite` is not set; the other errors
 *   of {@link publishFileSync}.
 * @example
 * ```ts
 * await publishFile('/ds/_versions/3.manifest', bytes);
 * ```
 */
export function publishFile(path: string, bytes: Uint8Array, options: PublishOptions = {}): Promise<void> {
  return runAsync(publishFileTask(path, bytes, options));
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

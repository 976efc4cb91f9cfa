/**
 * File-system calls as {@link Effect}s: each pairs a blocking `fs.*Sync` call with its `fs/promises`
 * twin. They throw Node's own errors (with `code`); the tasks using them map errors with `fsError`,
 * once for both forms.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Effect } from '@vego/format';

/**
 * An open file: a descriptor under {@link runSync}, a `FileHandle` under {@link runAsync}. A task
 * only passes it back to the effects below, which run under the same driver that opened it.
 */
export type OpenFile = number | fsp.FileHandle;

/** Opens `path` with `flags` (`'wx'`, `'r'`, …). */
export function openEffect(path: string, flags: string): Effect<OpenFile> {
  return { sync: () => fs.openSync(path, flags), async: () => fsp.open(path, flags) };
}

/** Writes all of `bytes` at `position` (looping over short writes). */
export function writeEffect(file: OpenFile, bytes: Uint8Array, position: number): Effect<void> {
  const total = bytes.byteLength;
  return {
    sync: () => {
      for (let done = 0; done < total; ) done += fs.writeSync(file as number, bytes, done, total - done, position + done);
    },
    async: () => writeAllAt(file as fsp.FileHandle, bytes, position),
  };
}

/**
 * Bytes per write request of {@link writeAllAt}. A 65 MB index save handed libuv's pool whole 8 MiB
 * vector pages; in 1 MiB requests the same save's CPU time fell from 41-117 ms (median 88) to
 * 37-66 (median 46) in `benchmarks/suites/hnsw-persistence.mjs` on a 2-vCPU VM, where the kernel's
 * copies into the page cache (`copy_folio_from_iter_atomic`) dominated the slow rounds. Blocking
 * writes of the same 1 MiB pieces on the main thread measured the same, so the pool keeps them.
 */
const WRITE_REQUEST_BYTES = 1 << 20;

/** Writes all of `bytes` at `position` through `handle`, in requests of at most {@link WRITE_REQUEST_BYTES} (looping over short writes). */
export async function writeAllAt(handle: fsp.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  const total = bytes.byteLength;
  for (let done = 0; done < total; ) {
    done += (await handle.write(bytes, done, Math.min(WRITE_REQUEST_BYTES, total - done), position + done)).bytesWritten;
  }
}

/** fsyncs an open file (or directory). */
export function fsyncEffect(file: OpenFile): Effect<void> {
  return { sync: () => fs.fsyncSync(file as number), async: () => (file as fsp.FileHandle).sync() };
}

/** Closes an open file. */
export function closeEffect(file: OpenFile): Effect<void> {
  return { sync: () => fs.closeSync(file as number), async: () => (file as fsp.FileHandle).close() };
}

/** Removes a name. */
export function unlinkEffect(path: string): Effect<void> {
  return { sync: () => fs.unlinkSync(path), async: () => fsp.unlink(path) };
}

/** Hard-links `existing` to `newPath`; fails with EEXIST when `newPath` exists (atomically). */
export function linkEffect(existing: string, newPath: string): Effect<void> {
  return { sync: () => fs.linkSync(existing, newPath), async: () => fsp.link(existing, newPath) };
}

/** Renames `from` to `to`, atomically replacing `to`. */
export function renameEffect(from: string, to: string): Effect<void> {
  return { sync: () => fs.renameSync(from, to), async: () => fsp.rename(from, to) };
}

/** Creates `dir` and its missing parents. */
export function mkdirEffect(dir: string): Effect<void> {
  return {
    sync: () => void fs.mkdirSync(dir, { recursive: true }),
    async: () => fsp.mkdir(dir, { recursive: true }).then(() => undefined),
  };
}

/** The entries of a folder, each with its type as the entry itself is (a symlink is not followed). */
export function readdirEffect(dir: string): Effect<fs.Dirent[]> {
  return { sync: () => fs.readdirSync(dir, { withFileTypes: true }), async: () => fsp.readdir(dir, { withFileTypes: true }) };
}

/** The status of `path` itself (a symlink's own, not its target's). */
export function lstatEffect(path: string): Effect<fs.Stats> {
  return { sync: () => fs.lstatSync(path), async: () => fsp.lstat(path) };
}

/** Removes an empty folder (fails with ENOTEMPTY otherwise: nothing in it is touched). */
export function rmdirEffect(path: string): Effect<void> {
  return { sync: () => fs.rmdirSync(path), async: () => fsp.rmdir(path) };
}

/**
 * The I/O of a dataset commit as {@link Effect}s (see ./effects): data files through a `FileSink`
 * (blocking) or an `AsyncFileSink` (thread pool), and the atomic-file primitives in their blocking
 * and asynchronous forms. The commit logic in ../dataset is written once over these.
 */
import { AsyncFileSink } from '../async-file-sink';
import { publishFile, publishFileSync, syncDirectory, syncDirectorySync, writeFileDurable, writeFileDurableSync } from '../atomic-file';
import { FileSink } from '../file-sink';
import type { Effect } from './effects';

/**
 * A data file being written: a `FileSink` under `runSync`, an `AsyncFileSink` under `runAsync`. A task
 * only hands it back to the effects below, which run under the same driver that created it.
 */
export type DataFileSink = FileSink | AsyncFileSink;

/** Creates a new file (O_EXCL) to write through `LanceFileWriter`. */
export function createSinkEffect(path: string): Effect<DataFileSink> {
  return { sync: () => FileSink.create(path, { exclusive: true }), async: () => AsyncFileSink.create(path, { exclusive: true }) };
}

/** Writes out what the sink holds, fsyncs and closes it. */
export function closeSinkDurablyEffect(sink: DataFileSink): Effect<void> {
  return { sync: () => (sink as FileSink).close({ sync: true }), async: () => (sink as AsyncFileSink).close({ sync: true }) };
}

/** Closes the sink and deletes its file; never fails. */
export function abortSinkEffect(sink: DataFileSink): Effect<void> {
  return { sync: () => (sink as FileSink).abort(), async: () => (sink as AsyncFileSink).abort() };
}

/** Back-pressure: waits until at most `byteLength` bytes are queued (a blocking sink queues nothing). */
export function drainedEffect(sink: DataFileSink, byteLength: number): Effect<void> {
  return { sync: () => undefined, async: () => (sink as AsyncFileSink).drained(byteLength) };
}

/** {@link publishFileSync} / {@link publishFile}. */
export function publishEffect(path: string, bytes: Uint8Array): Effect<void> {
  return { sync: () => publishFileSync(path, bytes), async: () => publishFile(path, bytes) };
}

/** {@link writeFileDurableSync} / {@link writeFileDurable}. */
export function writeDurableEffect(path: string, bytes: Uint8Array): Effect<void> {
  return { sync: () => writeFileDurableSync(path, bytes), async: () => writeFileDurable(path, bytes) };
}

/** {@link syncDirectorySync} / {@link syncDirectory}. */
export function syncDirectoryEffect(dir: string): Effect<void> {
  return { sync: () => syncDirectorySync(dir), async: () => syncDirectory(dir) };
}

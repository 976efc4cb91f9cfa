/**
 * The I/O of a dataset commit as {@link Effect}s (@vego/format's effects.ts): data files through a `FileSink`
 * (blocking) or an `AsyncFileSink` (thread pool), and the atomic-file primitives in their blocking
 * and asynchronous forms. The commit logic in ../dataset is written once over these. With a `store`
 * (a dataset on an object store) each effect does the store's equivalent instead (see ./remote-dataset).
 */
import { AsyncFileSink } from '../async-file-sink';
import { publishFile, publishFileSync, syncDirectory, syncDirectorySync, writeFileDurable, writeFileDurableSync } from '../atomic-file';
import { FileSink } from '../file-sink';
import type { ObjectStore } from '../store/object-store';
import { resolvedEffect, type Effect } from '@vego/format';
import { ObjectSink } from '../store/object-sink';
import { abortObjectSinkEffect, drainedObjectSinkEffect, objectSinkEffect, publishObjectEffect, putEffect, uploadSinkEffect } from './remote-dataset';

/**
 * A data file being written: a `FileSink` under `runSync`, an `AsyncFileSink` under `runAsync`. A task
 * only hands it back to the effects below, which run under the same driver that created it.
 */
export type DataFileSink = FileSink | AsyncFileSink | ObjectSink;

/** Creates a new file (O_EXCL) to write through `LanceFileWriter` (an in-memory sink for a store). */
export function createSinkEffect(path: string, store: ObjectStore | null = null): Effect<DataFileSink> {
  if (store !== null) return objectSinkEffect(store, path);
  return { sync: () => FileSink.create(path, { exclusive: true }), async: () => AsyncFileSink.create(path, { exclusive: true }) };
}

/** Writes out what the sink holds, fsyncs it (unless `durable` is false) and closes it. */
export function closeSinkDurablyEffect(sink: DataFileSink, durable = true): Effect<void> {
  if (sink instanceof ObjectSink) return uploadSinkEffect(sink);
  return { sync: () => (sink as FileSink).close({ sync: durable }), async: () => (sink as AsyncFileSink).close({ sync: durable }) };
}

/** Closes the sink and deletes its file; never fails. */
export function abortSinkEffect(sink: DataFileSink): Effect<void> {
  if (sink instanceof ObjectSink) return abortObjectSinkEffect(sink);
  return { sync: () => (sink as FileSink).abort(), async: () => (sink as AsyncFileSink).abort() };
}

/** Back-pressure: waits until at most `byteLength` bytes are queued (a blocking sink queues nothing). */
export function drainedEffect(sink: DataFileSink, byteLength: number): Effect<void> {
  if (sink instanceof ObjectSink) return drainedObjectSinkEffect(sink, byteLength);
  return { sync: () => undefined, async: () => (sink as AsyncFileSink).drained(byteLength) };
}

/** {@link publishFileSync} / {@link publishFile}; on a store, a conditional PUT (If-None-Match: *). */
export function publishEffect(path: string, bytes: Uint8Array, store: ObjectStore | null = null, durable = true): Effect<void> {
  if (store !== null) return publishObjectEffect(store, path, bytes);
  const options = { durable };
  return { sync: () => publishFileSync(path, bytes, options), async: () => publishFile(path, bytes, options) };
}

/** {@link writeFileDurableSync} / {@link writeFileDurable}. */
export function writeDurableEffect(path: string, bytes: Uint8Array, store: ObjectStore | null = null, durable = true): Effect<void> {
  if (store !== null) return putEffect(store, path, bytes);
  return { sync: () => writeFileDurableSync(path, bytes, durable), async: () => writeFileDurable(path, bytes, durable) };
}

/** {@link syncDirectorySync} / {@link syncDirectory}. */
export function syncDirectoryEffect(dir: string, store: ObjectStore | null = null, durable = true): Effect<void> {
  if (store !== null || !durable) return resolvedEffect(undefined); // an acknowledged PUT is durable
  return { sync: () => syncDirectorySync(dir), async: () => syncDirectory(dir) };
}

/**
 * Committing new data: a version's data files are written (one Lance file per fragment, fsynced),
 * then its manifest is published atomically; on conflict an append re-bases on the latest version
 * when allowed, and on failure the files written are removed. Written once as a task (see
 * @vego/format's effects.ts): `Dataset.createSync` runs it blocking, `Dataset.create` on the thread
 * pool (or against an object store). Compaction writes its new fragments with {@link writeDataFiles} too.
 */
import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InvalidArgumentError,
  LanceFileWriter,
  type LanceFileWriterOptions,
  type RecordBatch,
  type Schema,
  perform,
  resolvedEffect,
  schemaToLanceFields,
  type Effect,
  type Task,
} from '@vego/format';
import { describeSchema, normalizeInput, sameColumns, type DatasetInput } from '../internal/data-input';
import { checkRealInside, joinPath } from '../internal/dataset-paths';
import { unlinkEffect } from '../internal/fs-effects';
import { DEFAULT_STORAGE_VERSION, checkWritable, datasetStorageVersion, encodeNextManifest, type StorageVersion } from '../internal/lance-adapter';
import { NEW_FRAGMENT_ID, type FragmentInfo } from '../internal/manifest-model';
import type { ManifestNaming } from '../internal/manifest-names';
import { checkWritable as checkStoreWritable, deleteObjectEffect, storeFor } from '../internal/remote-dataset';
import {
  abortSinkEffect,
  closeSinkDurablyEffect,
  createSinkEffect,
  drainedEffect,
  publishEffect,
  syncDirectoryEffect,
  type DataFileSink,
} from '../internal/write-effects';
import type { ObjectStore } from '../store/object-store';
import { DEFAULT_MAX_ROWS_PER_FILE, WRITE_QUEUE_BYTES, checkNonNegInt, type DatasetWriteOptions } from './options';
import { checkAppendablePaths, latestVersionEffect, makeDirectory, manifestEffect, manifestPathToPublish } from './versions';

/** Footer minor version of each storage version (major 2 for all; 2.0 files say 0.3 in their footer but 2.0 in the manifest). */
const FILE_MINOR: Record<StorageVersion, number> = { '2.0': 0, '2.1': 1, '2.2': 2 };

/**
 * Writes batches into data files of at most `maxRows` rows each; returns their fragments (ids
 * {@link NEW_FRAGMENT_ID}). Each batch comes from an effect (a batch in hand, or a read of the rows
 * a compaction rewrites), performed when the writer is ready for it, so only one batch is held at a
 * time. Encoding runs here; under {@link runTaskAsync} the bytes are written in the background and the
 * task waits between batches until at most {@link WRITE_QUEUE_BYTES} are queued. On failure the
 * files written so far are removed.
 */
export function* writeDataFiles(
  dir: string,
  schema: Schema,
  batches: Iterable<Effect<RecordBatch | null>>,
  maxRows: number,
  fileOptions: LanceFileWriterOptions | undefined,
  store: ObjectStore | null,
  durable = true,
): Task<FragmentInfo[]> {
  const dataDir = joinPath(dir, 'data');
  checkRealInside(dir, dataDir, `dataset '${dir}'`);
  const fragments: FragmentInfo[] = [];
  let sink: DataFileSink | null = null;
  let writer: LanceFileWriter | null = null;
  let name = '';
  let rows = 0;
  function* finishFile(): Task<void> {
    const summary = writer!.finish();
    yield* perform(closeSinkDurablyEffect(sink!, durable));
    fragments.push({
      id: NEW_FRAGMENT_ID,
      physicalRows: rows,
      files: [{ path: name, fieldIds: [], columnIndices: [], fileMajorVersion: 2, fileMinorVersion: FILE_MINOR[fileOptions?.version ?? '2.0'], fileSizeBytes: summary.byteLength }],
    });
    sink = null;
    writer = null;
  }
  try {
    for (const read of batches) {
      const batch = yield* perform(read);
      if (batch === null) continue; // a read with no rows (see ./scan's rangeReads)
      let at = 0;
      while (at < batch.numRows) {
        if (writer === null) {
          name = `${randomUUID()}.lance`;
          sink = yield* perform(createSinkEffect(joinPath(dataDir, name), store));
          writer = new LanceFileWriter(sink, schema, fileOptions);
          rows = 0;
        }
        const take = Math.min(batch.numRows - at, maxRows - rows);
        writer.write(take === batch.numRows ? batch : batch.slice(at, at + take));
        rows += take;
        at += take;
        if (rows === maxRows) yield* finishFile();
        else yield* perform(drainedEffect(sink!, WRITE_QUEUE_BYTES));
      }
    }
    if (writer !== null) yield* finishFile();
  } catch (e) {
    if (sink !== null) yield* perform(abortSinkEffect(sink));
    yield* removeDataFiles(dir, fragments, store);
    throw e;
  }
  if (fragments.length > 0) yield* perform(syncDirectoryEffect(dataDir, store, durable));
  return fragments;
}

/** Deletes files, ignoring failures (clean-up after a failed commit). */
export function* removeFiles(paths: readonly string[], store: ObjectStore | null): Task<void> {
  for (const p of paths) {
    try {
      yield* perform(store === null ? unlinkEffect(p) : deleteObjectEffect(store, p));
    } catch {
      /* best effort */
    }
  }
}

export function removeDataFiles(dir: string, fragments: readonly FragmentInfo[], store: ObjectStore | null): Task<void> {
  return removeFiles(fragments.flatMap((f) => f.files.map((file) => joinPath(dir, 'data', file.path))), store);
}

/** A version a commit published: its number, the manifest's bytes as published, and the dataset's manifest naming. */
export interface CommittedVersion {
  version: number;
  manifest: Uint8Array;
  naming: ManifestNaming;
}

/**
 * Commits `data` as a new version of the dataset at `dir` (the body of {@link Dataset.createSync}
 * and {@link Dataset.create}): writes the data files, then publishes the manifest, re-basing on the
 * latest version on conflict when `conflictRetries` allows. Returns the version committed and the
 * manifest it published.
 */
export function* commitWrite(dir: string, data: DatasetInput, options: DatasetWriteOptions): Task<CommittedVersion> {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError('`dir` must be a non-empty path');
  const mode = options.mode ?? 'create';
  if (mode !== 'create' && mode !== 'append' && mode !== 'overwrite') {
    throw new InvalidArgumentError(`\`mode\` must be 'create', 'append' or 'overwrite', got '${String(mode)}'`);
  }
  checkNonNegInt('conflictRetries', options.conflictRetries);
  const maxRows = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
  if (!Number.isSafeInteger(maxRows) || maxRows <= 0) {
    throw new InvalidArgumentError(`\`maxRowsPerFile\` must be a positive integer, got ${maxRows}`);
  }
  const store = storeFor(dir, options);
  if (store !== null) checkStoreWritable(store, dir);
  const latest = yield* perform(latestVersionEffect(dir, store));
  if (latest !== null && mode === 'create') {
    throw new ConflictError(`dataset '${dir}' already exists (version ${latest.version}); use mode 'append' or 'overwrite'`);
  }
  checkNonNegInt('expectedVersion', options.expectedVersion);
  if (options.expectedVersion !== undefined && (latest?.version ?? 0) !== options.expectedVersion) {
    throw new ConflictError(`cannot commit on top of version ${options.expectedVersion} of '${dir}': the latest version is ${latest?.version ?? 0} (another writer committed); nothing was written`);
  }
  const prev = latest === null ? null : yield* perform(manifestEffect(dir, latest.fileName, store));
  if (prev !== null) checkWritable(prev, dir, mode === 'append' ? 'append to' : 'overwrite', true);
  const requested = options.storageVersion;
  if (requested !== undefined && requested !== '2.0' && requested !== '2.1' && requested !== '2.2') {
    throw new InvalidArgumentError(`\`storageVersion\` must be '2.0', '2.1' or '2.2', got '${String(requested)}'`);
  }
  let storageVersion: StorageVersion;
  if (prev === null) storageVersion = requested ?? DEFAULT_STORAGE_VERSION;
  else if (mode === 'append') {
    storageVersion = datasetStorageVersion(prev, dir, 'append to');
    if (requested !== undefined && requested !== storageVersion) {
      throw new InvalidArgumentError(`\`storageVersion\` '${requested}' differs from the storage version ${storageVersion} of '${dir}'; appends keep the dataset's version`);
    }
    checkAppendablePaths(prev, dir);
  } else storageVersion = requested ?? datasetStorageVersion(prev, dir, 'overwrite');
  const { schema, batches } = normalizeInput(data, mode === 'append' && prev !== null ? prev.schema : null, options.schema);
  const naming = latest?.naming ?? options.manifestNaming ?? 'v2';
  // A schema the writer refuses (a type or a layout it does not write) is refused before any folder is made.
  schemaToLanceFields(schema);
  // Folders a committed version already has are not made again (a failed mkdir is two system calls).
  if (prev === null || prev.fragments.length === 0) yield* makeDirectory(joinPath(dir, 'data'), store);
  if (latest === null) yield* makeDirectory(joinPath(dir, '_versions'), store);
  // The caller keeps `data` unchanged until the commit settles (see Dataset.create): pages that are
  // views of it are queued for the background writes as they are, not copied first.
  const fileOptions = { ...options.fileOptions, version: storageVersion, inputStable: true };
  const durable = options.durable !== false;
  const written = yield* writeDataFiles(dir, schema, batches.map(resolvedEffect), maxRows, fileOptions, store, durable);
  let retries = mode === 'append' && options.expectedVersion === undefined ? options.conflictRetries ?? 0 : 0;
  let base = prev;
  let baseVersion = latest?.version ?? 0;
  for (;;) {
    if (options.beforeCommit !== undefined) {
      // The caller's refusal is passed on as it is (never taken for a conflict to retry).
      try {
        options.beforeCommit();
      } catch (e) {
        yield* removeDataFiles(dir, written, store);
        throw e;
      }
    }
    try {
      const version = baseVersion + 1;
      const bytes = encodeNextManifest(base, {
        version,
        schema: mode === 'append' && base !== null ? base.schema : schema,
        fragments: mode === 'append' && base !== null ? [...base.fragments, ...written] : written,
        storageVersion,
        operation: mode === 'append' && base !== null ? 'append' : 'overwrite',
      });
      yield* perform(publishEffect(manifestPathToPublish(dir, version, naming), bytes, store, durable));
      return { version, manifest: bytes, naming };
    } catch (e) {
      if (!(e instanceof ConflictError) || retries <= 0) {
        yield* removeDataFiles(dir, written, store);
        if (e instanceof ConflictError) {
          throw new ConflictError(`cannot commit version ${baseVersion + 1} of '${dir}': another writer committed it first; the new data was not added`, { cause: e });
        }
        throw e;
      }
      retries--;
      const now = (yield* perform(latestVersionEffect(dir, store)))!;
      base = yield* perform(manifestEffect(dir, now.fileName, store));
      baseVersion = now.version;
      checkAppendablePaths(base, dir);
      if (!sameColumns(base.schema, schema)) {
        yield* removeDataFiles(dir, written, store);
        throw new ConflictError(`cannot append to '${dir}': a concurrent writer changed the schema to (${describeSchema(base.schema)})`);
      }
    }
  }
}

/**
 * Appending rows and deleting rows in one commit (`Dataset#appendAndDeleteSync`): the deletion
 * files of the deleted rows and the new rows' data files are written (the deletion files first,
 * fsynced after the data files, so one journal commit carries both), then one manifest
 * naming both is published atomically, as the version after the one the deletions were planned
 * on. So a reader (LanceDB too) sees either the old version or both changes, never the rows added
 * without the rows they replace deleted; and it costs one version and one set of fsyncs where an
 * append followed by a delete costs two. The positions refer to the version opened: if another
 * writer committed first, the commit fails and removes what it wrote, unless `conflictRetries`
 * allows a re-base and the fragments it deletes from are unchanged in the latest version (./rebase.ts).
 */
import { ConflictError, InvalidArgumentError, resolvedEffect, type Task } from '@vego/format';
import { describeSchema, normalizeInput, sameColumns, type DatasetInput } from '../internal/data-input';
import { joinPath } from '../internal/dataset-paths';
import { checkWritable, datasetStorageVersion, encodeNextManifest } from '../internal/lance-adapter';
import { checkWritable as checkStoreWritable } from '../internal/remote-dataset';
import { type CommittedVersion, removeDataFiles, removeFiles, writeDataFiles } from './commit';
import type { FragmentInfo } from '../internal/manifest-model';
import { deletionsByAddress, deletionsByFragment, syncDeletionFiles, writeDeletionFiles, type WrittenDeletions } from './delete';
import { checkNonNegInt, DEFAULT_MAX_ROWS_PER_FILE, type AppendAndDeleteOptions } from './options';
import { publishRebasing } from './rebase';
import { checkAppendablePaths, makeDirectory } from './versions';
import type { DatasetView } from './view';

/**
 * Commits `data` appended to `view`'s version and the rows at its live positions `rowIndices`
 * (row addresses with `options.rowAddresses`) deleted, as version `view.version + 1`; returns that
 * version and the manifest it published.
 */
export function* appendAndDeleteTask(view: DatasetView, data: DatasetInput, rowIndices: ArrayLike<number>, options: AppendAndDeleteOptions): Task<CommittedVersion> {
  const path = view.path;
  const store = view.store;
  if (store !== null) checkStoreWritable(store, path);
  checkWritable(view.state, path, 'append to', true);
  checkAppendablePaths(view.state, path);
  const maxRows = options.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
  if (!Number.isSafeInteger(maxRows) || maxRows <= 0) throw new InvalidArgumentError(`\`maxRowsPerFile\` must be a positive integer, got ${maxRows}`);
  const storageVersion = datasetStorageVersion(view.state, path, 'append to');
  // Positions or addresses are checked (and mapped to fragments) before anything is written.
  const perFragment = options.rowAddresses === true ? deletionsByAddress(view, rowIndices) : yield* deletionsByFragment(view, rowIndices);
  const { batches } = normalizeInput(data, view.schema, options.schema);
  const durable = options.durable !== false;
  // The folder exists when the version has data files (made by the commit that wrote the first).
  if (view.fragments.length === 0) yield* makeDirectory(joinPath(path, 'data'), store);
  const deletions: WrittenDeletions = { written: [], deletionFiles: new Map(), dropped: new Set() };
  checkNonNegInt('conflictRetries', options.conflictRetries);
  let added: FragmentInfo[] = [];
  try {
    // Deletion files first, without fsync: the data files' fsync that follows (a journal commit on
    // ext4 and most file systems) makes them durable too, and their own fsyncs afterwards are
    // cheap. Every file and folder is still fsynced before the manifest is published.
    yield* writeDeletionFiles(view, perFragment, false, deletions);
    // As in commit.ts: the caller keeps `data` unchanged until the commit settles.
    added = yield* writeDataFiles(path, view.schema, batches.map(resolvedEffect), maxRows, { ...options.fileOptions, version: storageVersion, inputStable: true }, store, durable);
    yield* syncDeletionFiles(view, deletions.written, durable);
    const { version, manifest } = yield* publishRebasing({
      dir: path,
      store,
      naming: view.naming,
      durable,
      planned: view.state,
      touched: new Set([...deletions.deletionFiles.keys(), ...deletions.dropped]),
      retries: options.conflictRetries ?? 0,
      action: 'append to',
      addsFiles: true,
      make: (base, version) =>
        encodeNextManifest(base, {
          version,
          schema: base.schema,
          fragments: [...base.fragments.filter((f) => !deletions.dropped.has(f.id)), ...added],
          deletionFiles: deletions.deletionFiles,
          storageVersion,
          operation: 'update',
        }),
      beforePublish: options.beforeCommit,
      // The new data files were written for this schema: a concurrent schema change is a conflict.
      check: (target) => {
        if (!sameColumns(target.state.schema, view.schema)) {
          throw new ConflictError(`cannot append to '${path}' on top of version ${target.version}: another writer changed the schema to (${describeSchema(target.state.schema)}); nothing was added or deleted`);
        }
      },
      nothingDone: '(another writer committed first; open the latest version and try again, or pass `conflictRetries`); nothing was added or deleted',
    });
    return { version, manifest, naming: view.naming };
  } catch (e) {
    yield* removeFiles(deletions.written, store);
    yield* removeDataFiles(path, added, store);
    throw e;
  }
}

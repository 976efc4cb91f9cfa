/**
 * Re-basing a delete (`Dataset#deleteRows`, `Dataset#delete`) or an append-and-delete on the latest
 * version when another writer committed first (their `conflictRetries` option).
 *
 * The deletion files such a commit wrote name rows by fragment and physical offset, merged with the
 * deletions each fragment had in the version they were planned on. On a later version they are
 * exactly right when every fragment they touch, or that the commit drops (all its rows deleted), is
 * there unchanged: the same data files, row count and deletion file. That holds after appends (by
 * either library) and after deletes, updates or merge-inserts that touched other fragments; a change
 * to one of those fragments (a delete or update in it, a compaction, an overwrite, new columns) is a
 * conflict, as Lance's own conflict resolution treats a delete after such a change. The rows are
 * then the ones the caller chose when it planned the commit: a predicate delete does not see rows
 * added meanwhile (neither does Lance's).
 */
import { ConflictError, perform, type DataFragment, type Task } from '@vego/format';
import { checkWritable, type ManifestState } from '../internal/lance-adapter';
import type { ObjectStore } from '../store/object-store';
import { latestVersionEffect, manifestEffect } from './versions';

/** The version to commit on after a conflict: its manifest, and its number. */
export interface RebaseTarget {
  state: ManifestState;
  version: number;
}

/**
 * Reads the latest version of the dataset at `dir` and returns it when every fragment in `touched`
 * (by id) is there as in `planned`; otherwise throws ConflictError naming the first one that is not.
 * @param action - the verb phrase for messages and the writability check, such as "delete from"
 * @param addsFiles - the commit adds data files (an append-and-delete): the latest version must take them
 */
export function* rebaseTarget(dir: string, store: ObjectStore | null, planned: ManifestState, touched: ReadonlySet<number>, action: string, addsFiles: boolean): Task<RebaseTarget> {
  const latest = yield* perform(latestVersionEffect(dir, store));
  if (latest === null) throw new ConflictError(`cannot ${action} '${dir}': it has no committed version any more`);
  const state = yield* perform(manifestEffect(dir, latest.fileName, store));
  checkWritable(state, dir, action, addsFiles);
  const before = new Map(planned.raw.fragments.map((f) => [f.id, f]));
  const now = new Map(state.raw.fragments.map((f) => [f.id, f]));
  for (const id of touched) {
    const a = before.get(id);
    const b = now.get(id);
    if (a === undefined || b === undefined || !sameFragment(a, b)) {
      throw new ConflictError(
        `cannot ${action} '${dir}' on top of version ${latest.version}: another writer ${b === undefined ? 'removed' : 'changed'} fragment ${id} since version ${planned.version}, which this commit touches; nothing was changed (open the latest version and try again)`,
      );
    }
  }
  return { state, version: latest.version };
}

/** True when two manifest entries describe the same rows: data files, row count, deletion file. */
function sameFragment(a: DataFragment, b: DataFragment): boolean {
  if (a.physicalRows !== b.physicalRows || a.files.length !== b.files.length) return false;
  if ((a.unknownFields?.length ?? 0) !== 0 || (b.unknownFields?.length ?? 0) !== 0) return false;
  for (let k = 0; k < a.files.length; k++) {
    const x = a.files[k]!;
    const y = b.files[k]!;
    if (
      x.path !== y.path ||
      x.fileMajorVersion !== y.fileMajorVersion ||
      x.fileMinorVersion !== y.fileMinorVersion ||
      !sameNumbers(x.fields, y.fields) ||
      !sameNumbers(x.columnIndices, y.columnIndices) ||
      (x.unknownFields?.length ?? 0) !== 0 ||
      (y.unknownFields?.length ?? 0) !== 0
    ) {
      return false;
    }
  }
  const d = a.deletionFile;
  const e = b.deletionFile;
  if (d === undefined || d === null || e === undefined || e === null) return (d ?? null) === (e ?? null);
  return d.fileType === e.fileType && d.readVersion === e.readVersion && d.id === e.id && d.numDeletedRows === e.numDeletedRows && d.baseId === e.baseId;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

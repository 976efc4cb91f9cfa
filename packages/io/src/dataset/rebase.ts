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
import type { ManifestNaming } from '../internal/manifest-names';
import { publishEffect } from '../internal/write-effects';
import type { ObjectStore } from '../store/object-store';
import { latestVersionEffect, manifestEffect, manifestPathToPublish } from './versions';

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

/** A commit whose files are written, for {@link publishRebasing}. */
export interface RebasingCommit {
  dir: string;
  store: ObjectStore | null;
  naming: ManifestNaming;
  durable: boolean;
  /** The version the commit was planned on. */
  planned: ManifestState;
  /** Ids of the fragments the commit deletes from or drops. */
  touched: ReadonlySet<number>;
  /** Re-bases allowed (`conflictRetries`). */
  retries: number;
  /** For messages and the writability check: the verb phrase, such as "delete from". */
  action: string;
  /** The commit adds data files. */
  addsFiles: boolean;
  /** The commit's manifest on top of `base`, as version `version`. */
  make(base: ManifestState, version: number): Uint8Array;
  /** Called before each publish; what it throws is passed on as it is (the caller's refusal). */
  beforePublish?: (() => void) | undefined;
  /** Checks the latest version before the commit re-bases on it; throws ConflictError to refuse. */
  check?(target: RebaseTarget): void;
  /** The end of the ConflictError when a version is taken and no re-base is left: what to do, what was not done. */
  nothingDone: string;
}

/**
 * Publishes `c.make(base, version)` as the version after the one planned on; when another writer
 * took that version and re-bases are left, commits on top of the latest version instead
 * ({@link rebaseTarget}, then `c.check`), and so on. A ConflictError from a re-base refused passes
 * as it is; a version taken with no re-base left is a ConflictError naming it. The caller removes the
 * files it wrote when this throws.
 */
export function* publishRebasing(c: RebasingCommit): Task<{ version: number; manifest: Uint8Array }> {
  let base = c.planned;
  let version = base.version + 1;
  let retries = c.retries;
  for (;;) {
    const manifest = c.make(base, version);
    c.beforePublish?.();
    try {
      yield* perform(publishEffect(manifestPathToPublish(c.dir, version, c.naming), manifest, c.store, c.durable));
      return { version, manifest };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      if (retries <= 0) throw new ConflictError(`cannot commit version ${version} of '${c.dir}': it already exists ${c.nothingDone}`, { cause: e });
      retries--;
    }
    const target = yield* rebaseTarget(c.dir, c.store, c.planned, c.touched, c.action, c.addsFiles);
    c.check?.(target);
    base = target.state;
    version = target.version + 1;
  }
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

/**
 * Deleting rows: by position or by a predicate over the rows read. A delete never rewrites data: it
 * writes one deletion file per touched fragment (merged with the fragment's previous one; the file's
 * bytes are @vego/format's, see `packages/format/src/deletion/`), then publishes the next manifest.
 * Written once as tasks (@vego/format's effects.ts), run blocking or asynchronously by `Dataset`.
 */
import { InvalidArgumentError, OutOfRangeError, perform, type DeletionFile, type Task } from '@vego/format';
import { checkRealInside, joinPath } from '../internal/dataset-paths';
import { DELETIONS_DIR, deletedBefore, encodeDeletionFile, unionSorted } from '../internal/deletions';
import { checkWritable, encodeNextManifest } from '../internal/lance-adapter';
import { checkWritable as checkStoreWritable } from '../internal/remote-dataset';
import { closeEffect, fsyncEffect, openEffect } from '../internal/fs-effects';
import { fsError } from '../internal/fs-error';
import { syncDirectoryEffect, writeDurableEffect } from '../internal/write-effects';
import { removeFiles } from './commit';
import { checkNonNegInt, DEFAULT_BATCH_SIZE, type DeleteOptions, type DeleteWhereOptions } from './options';
import { publishRebasing } from './rebase';
import { ROW_ADDRESS_FRAGMENT, fragmentsThrough, planTake } from './take';
import { makeDirectory } from './versions';
import type { DatasetView } from './view';

/** Deletes the rows at live positions `rowIndices`; returns the version committed, or null when nothing changed. */
export function* deleteRowsTask(view: DatasetView, rowIndices: ArrayLike<number>, options: DeleteOptions = {}): Task<number | null> {
  checkWritable(view.state, view.path, 'delete from', false);
  return yield* commitDeletions(view, yield* deletionsByFragment(view, rowIndices), options);
}

/**
 * The rows at live positions `rowIndices` of `view`, as ascending offsets per fragment index
 * (checked: out-of-range positions throw, and the data files of the touched fragments and of all
 * before them are opened, which checks the row counts the positions were mapped through).
 */
export function* deletionsByFragment(view: DatasetView, rowIndices: ArrayLike<number>): Task<Map<number, Uint32Array>> {
  const plan = planTake(view, rowIndices);
  const { order, fragOf, local } = plan;
  const perFragment = new Map<number, number[]>();
  for (let j = 0; j < order.length; j++) {
    const k = order[j]!;
    const f = fragOf[k]!;
    let list = perFragment.get(f);
    if (list === undefined) perFragment.set(f, (list = []));
    if (list.length === 0 || list[list.length - 1] !== local[k]) list.push(local[k]!);
  }
  // No row is read, but the data files of the touched fragments and of all before them are
  // opened: that checks the manifest's row counts, which the positions were mapped through,
  // before a deletion file is written.
  for (const f of fragmentsThrough(plan)) yield* perform(view.files.openFragmentEffect(f));
  return new Map([...perFragment].map(([f, list]) => [f, Uint32Array.from(list)]));
}

/**
 * The rows at row addresses `addresses` (fragment id · 2³² + physical offset; any order, repeats
 * allowed) of `view`, as ascending offsets per fragment index. Checked against the manifest only
 * (the fragment exists in this version, the offset is below its physical row count): no data or
 * deletion file is read, so this costs O(k log k) for k addresses whatever the dataset's size.
 * @throws InvalidArgumentError when `addresses` is not array-like; OutOfRangeError for an address
 *   outside the version's fragments
 */
export function deletionsByAddress(view: DatasetView, addresses: ArrayLike<number>): Map<number, Uint32Array> {
  if (addresses === null || typeof addresses !== 'object' || typeof addresses.length !== 'number') {
    throw new InvalidArgumentError('`rowIndices` must be an array of row addresses');
  }
  const indexOf = new Map<number, number>();
  for (let i = 0; i < view.fragments.length; i++) indexOf.set(view.fragments[i]!.id, i);
  // Sorted (a copy), so each fragment's offsets are one ascending run; callers that plan their
  // deletes usually pass them sorted already (checked in the same pass: no sort then).
  const sorted = addresses instanceof Float64Array ? addresses.slice() : Float64Array.from(addresses as ArrayLike<number>);
  let ascending = true;
  for (let k = 0; k < sorted.length; k++) {
    const a = sorted[k]!;
    if (!Number.isSafeInteger(a) || a < 0) throw outOfRange(view, k, a);
    if (k > 0 && a < sorted[k - 1]!) ascending = false;
  }
  if (!ascending) sorted.sort();
  const out = new Map<number, Uint32Array>();
  for (let k = 0; k < sorted.length; ) {
    const id = Math.floor(sorted[k]! / ROW_ADDRESS_FRAGMENT);
    const i = indexOf.get(id);
    const first = id * ROW_ADDRESS_FRAGMENT;
    let end = k + 1;
    while (end < sorted.length && sorted[end]! - first < ROW_ADDRESS_FRAGMENT) end++;
    if (i === undefined || sorted[end - 1]! - first >= view.fragments[i]!.physicalRows) throw outOfRange(view, -1, i === undefined ? sorted[k]! : sorted[end - 1]!);
    // Offsets without repeats (unionSorted expects sets).
    const offsets = new Uint32Array(end - k);
    let w = 0;
    for (let r = k; r < end; r++) if (w === 0 || sorted[r]! - first !== offsets[w - 1]) offsets[w++] = sorted[r]! - first;
    out.set(i, w === offsets.length ? offsets : offsets.slice(0, w));
    k = end;
  }
  return out;
}

function outOfRange(view: DatasetView, k: number, a: number): OutOfRangeError {
  const id = Math.floor(a / ROW_ADDRESS_FRAGMENT);
  const where = Number.isSafeInteger(a) && a >= 0 ? ` (fragment ${id}, offset ${a - id * ROW_ADDRESS_FRAGMENT})` : '';
  return new OutOfRangeError(`row address ${k >= 0 ? `\`rowIndices[${k}]\` = ` : ''}${a}${where} is not a row of '${view.path}' version ${view.version}`);
}

/** Deletes every live row for which `where(row)` is true; returns the version committed, or null when no row matched. */
export function* deleteWhereTask(view: DatasetView, where: (row: Record<string, unknown>) => boolean, options: DeleteWhereOptions): Task<number | null> {
  if (typeof where !== 'function') throw new InvalidArgumentError('`where` must be a function (row) => boolean');
  checkWritable(view.state, view.path, 'delete from', false);
  const columns = view.resolveColumns(options.columns);
  const schema = view.projectedSchema(columns);
  const perFragment = new Map<number, Uint32Array>();
  for (let i = 0; i < view.fragments.length; i++) {
    const physical = view.fragments[i]!.physicalRows;
    const del = view.live.deletionsOf(i);
    const hits: number[] = [];
    // A fragment claiming 0 rows is read by no range below: open it to check the claim.
    if (physical === 0) yield* perform(view.files.openFragmentEffect(i));
    for (let offset = 0; offset < physical; offset += DEFAULT_BATCH_SIZE) {
      const limit = Math.min(DEFAULT_BATCH_SIZE, physical - offset);
      const batch = yield* view.files.readRange(i, columns, schema, offset, limit);
      const vectors = batch.columns;
      let d = del === null ? 0 : deletedBefore(del, offset);
      for (let r = 0; r < limit; r++) {
        if (del !== null && d < del.length && del[d] === offset + r) {
          d++;
          continue;
        }
        const row: Record<string, unknown> = {};
        for (let c = 0; c < columns.length; c++) row[columns[c]!] = vectors[c]!.get(r);
        if (where(row) === true) hits.push(offset + r);
      }
    }
    if (hits.length > 0) perFragment.set(i, Uint32Array.from(hits));
  }
  return yield* commitDeletions(view, perFragment, options);
}

/**
 * Writes the merged deletion files of the touched fragments (index → new ascending offsets) and
 * commits. A fragment whose rows are all deleted is dropped from the new version. When another
 * writer committed first, re-bases on the latest version up to `conflictRetries` times if every
 * touched fragment is there unchanged (./rebase.ts). Returns the version committed, or null when
 * nothing changed.
 */
function* commitDeletions(view: DatasetView, perFragment: ReadonlyMap<number, Uint32Array>, options: DeleteOptions): Task<number | null> {
  if (perFragment.size === 0) return null;
  if (view.store !== null) checkStoreWritable(view.store, view.path);
  checkNonNegInt('conflictRetries', options.conflictRetries);
  const durable = options.durable !== false;
  const deletions: WrittenDeletions = { written: [], deletionFiles: new Map(), dropped: new Set() };
  try {
    yield* writeDeletionFiles(view, perFragment, durable, deletions);
    const { written, deletionFiles, dropped } = deletions;
    if (written.length === 0 && dropped.size === 0) return null;
    const { version } = yield* publishRebasing({
      dir: view.path,
      store: view.store,
      naming: view.naming,
      durable,
      planned: view.state,
      touched: new Set([...deletionFiles.keys(), ...dropped]),
      retries: options.conflictRetries ?? 0,
      action: 'delete from',
      addsFiles: false,
      make: (base, version) => encodeNextManifest(base, { version, schema: base.schema, fragments: base.fragments.filter((f) => !dropped.has(f.id)), deletionFiles, operation: 'delete' }),
      nothingDone: '(open the latest version and delete again, or pass `conflictRetries`); nothing was deleted',
    });
    return version;
  } catch (e) {
    yield* removeFiles(deletions.written, view.store);
    throw e;
  }
}

/** What {@link writeDeletionFiles} wrote: file paths, each fragment's new deletion file, fragments left with no row (by id). */
export interface WrittenDeletions {
  written: string[];
  deletionFiles: Map<number, DeletionFile>;
  dropped: Set<number>;
}

/**
 * Writes the merged deletion file of each touched fragment (index → new ascending offsets) for the
 * version after `view`'s, fsynced with their folder unless `durable` is false, recording into `out`
 * as it goes (so a caller that fails later removes what was written). A fragment whose rows are all
 * deleted gets no file: it is listed in `out.dropped`, for the manifest to leave out.
 */
export function* writeDeletionFiles(view: DatasetView, perFragment: ReadonlyMap<number, Uint32Array>, durable: boolean, out: WrittenDeletions): Task<void> {
  const deletionsDir = joinPath(view.path, DELETIONS_DIR);
  const { written, deletionFiles, dropped } = out;
  for (const [i, add] of perFragment) {
    const f = view.fragments[i]!;
    const before = view.live.deletionsOf(i);
    const all = before === null ? add : unionSorted(before, add);
    if (all.length === (before === null ? 0 : before.length)) continue;
    if (all.length >= f.physicalRows) {
      dropped.add(f.id);
      continue;
    }
    if (written.length === 0) {
      yield* makeDirectory(deletionsDir, view.store);
      checkRealInside(view.path, deletionsDir, `dataset '${view.path}'`);
    }
    const { file, path, bytes } = encodeDeletionFile(view.path, f.id, view.version, all);
    yield* perform(writeDurableEffect(path, bytes, view.store, durable));
    written.push(path);
    deletionFiles.set(f.id, file);
  }
  if (written.length > 0) yield* perform(syncDirectoryEffect(deletionsDir, view.store, durable));
}

/**
 * Fsyncs deletion files written earlier without fsync (`writeDeletionFiles(…, false, …)`), then
 * their folder: for a commit that writes its deletion files first and its data files after, so
 * that the data files' fsync (a journal commit on most file systems) also carries the deletion
 * files, and these fsyncs find little left to do. Nothing on an object store (a PUT is durable) or
 * when `durable` is false.
 */
export function* syncDeletionFiles(view: DatasetView, written: readonly string[], durable: boolean): Task<void> {
  if (!durable || view.store !== null || written.length === 0) return;
  for (const path of written) {
    let file;
    try {
      file = yield* perform(openEffect(path, 'r+'));
    } catch (e) {
      throw fsError(e, 'open', path);
    }
    try {
      yield* perform(fsyncEffect(file));
    } catch (e) {
      throw fsError(e, 'fsync', path);
    } finally {
      yield* perform(closeEffect(file));
    }
  }
  yield* perform(syncDirectoryEffect(joinPath(view.path, DELETIONS_DIR), view.store, durable));
}

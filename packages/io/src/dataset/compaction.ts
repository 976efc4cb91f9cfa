/**
 * Compaction (Lance's `compact_files`): runs of small or heavily deleted fragments are rewritten into
 * fewer, full ones (planned by ../internal/compaction-plan), read through the scan's reads
 * (./scan) and written as a commit writes (./commit); the other fragments keep their files, ids and
 * place. Written once as a task, run blocking or asynchronously by `Dataset`.
 */
import { ConflictError, InvalidArgumentError, perform, type Task } from '@vego/format';
import { planCompaction, type CompactionRun } from '../internal/compaction-plan';
import { checkWritable, datasetStorageVersion, encodeNextManifest } from '../internal/lance-adapter';
import type { FragmentInfo } from '../internal/manifest-model';
import { checkWritable as checkStoreWritable } from '../internal/remote-dataset';
import { publishEffect } from '../internal/write-effects';
import { removeDataFiles, writeDataFiles } from './commit';
import { DEFAULT_BATCH_SIZE, DEFAULT_MATERIALIZE_DELETIONS_THRESHOLD, DEFAULT_MAX_ROWS_PER_FILE, type CompactOptions, type CompactStats } from './options';
import { onlyReads, planScan, rangeReads } from './scan';
import { manifestPathToPublish } from './versions';
import type { DatasetView } from './view';

/**
 * The runs to rewrite so that, after the commit, fragment ids still rise in row order. Lance sorts
 * the fragment list by id on every commit it makes (LanceDB's add, delete, optimize), so a new
 * fragment (the largest id) left in the place of a run in the middle would move, rows and all, to
 * the end at LanceDB's next commit: positions would jump, and a reader keyed by position (a saved
 * HNSW index) would name the wrong rows. The fragments after the first run therefore take new ids
 * too: kept as they are (renumbered) when they have no deletion file, rewritten (joined to the runs)
 * when they have one, as its file name holds the fragment id.
 */
function inIdOrder(runs: readonly CompactionRun[], fragments: readonly FragmentInfo[]): CompactionRun[] {
  if (runs.length === 0) return [];
  const out: CompactionRun[] = [];
  let r = 0;
  for (let i = runs[0]!.first; i < fragments.length; ) {
    const planned = runs[r];
    let run: CompactionRun | null = null;
    if (planned !== undefined && planned.first === i) {
      run = { ...planned };
      r++;
    } else if (fragments[i]!.deletionFile !== undefined) run = { first: i, end: i + 1 };
    if (run === null) {
      i++;
      continue;
    }
    const last = out[out.length - 1];
    if (last !== undefined && last.end === run.first) last.end = run.end;
    else out.push(run);
    i = run.end;
  }
  return out;
}

/**
 * Compacts `view` as `options` say; returns what changed and the version committed (null when
 * nothing qualified: nothing is written then).
 */
export function* compactTask(view: DatasetView, options: CompactOptions): Task<CompactStats & { version: number | null }> {
  const target = options.targetRowsPerFragment ?? DEFAULT_MAX_ROWS_PER_FILE;
  if (!Number.isSafeInteger(target) || target <= 0) {
    throw new InvalidArgumentError(`\`targetRowsPerFragment\` must be a positive integer, got ${target}`);
  }
  const materialize = options.materializeDeletions ?? true;
  if (typeof materialize !== 'boolean') throw new InvalidArgumentError(`\`materializeDeletions\` must be a boolean, got ${String(materialize)}`);
  const threshold = options.materializeDeletionsThreshold ?? DEFAULT_MATERIALIZE_DELETIONS_THRESHOLD;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`\`materializeDeletionsThreshold\` must be a number from 0 to 1, got ${String(threshold)}`);
  }
  checkWritable(view.state, view.path, 'compact', true);
  const storageVersion = datasetStorageVersion(view.state, view.path, 'compact');
  if (view.store !== null) checkStoreWritable(view.store, view.path);
  const starts = view.live.starts();
  const sizes = view.fragments.map((f, i) => ({ physicalRows: f.physicalRows, liveRows: starts[i + 1]! - starts[i]! }));
  const runs = inIdOrder(planCompaction(sizes, target, materialize ? threshold : null), view.fragments);
  const result = { version: null as number | null, fragmentsRemoved: 0, fragmentsAdded: 0, rowsRewritten: 0, deletedRowsRemoved: 0 };
  if (runs.length === 0) return result;
  const version = view.version + 1;
  const columns = view.schema.fields.map((f) => f.name);
  const fragments: FragmentInfo[] = [];
  const written: FragmentInfo[] = [];
  const renumbered = new Set<number>();
  // Rows are read through a copy of the view, with data files of its own, so that closing them
  // fragment by fragment never disturbs reads of the dataset running meanwhile.
  const source = view.copy();
  try {
    let i = 0;
    for (const run of runs) {
      for (; i < run.first; i++) {
        const kept = view.fragments[i]!;
        // After a run that wrote fragments, a kept one takes a new id in its turn (see inIdOrder).
        if (written.length > 0) renumbered.add(kept.id);
        fragments.push(kept);
      }
      // The run's live rows, as a scan over them reads them (deleted rows dropped, order kept).
      // The run's fragments claiming no live row are read by no range: open them to check the claims.
      for (let f = run.first; f < run.end; f++) if (sizes[f]!.liveRows === 0) yield* perform(source.files.openFragmentEffect(f));
      const { ranges } = planScan(source, { offset: starts[run.first]!, limit: starts[run.end]! - starts[run.first]!, columns });
      const reads = rangeReads(source, columns, onlyReads(ranges), DEFAULT_BATCH_SIZE, true);
      const fileOptions = { ...options.fileOptions, version: storageVersion };
      const added = yield* writeDataFiles(view.path, view.schema, reads, target, fileOptions, view.store);
      written.push(...added);
      fragments.push(...added);
      for (; i < run.end; i++) {
        result.fragmentsRemoved++;
        result.rowsRewritten += sizes[i]!.liveRows;
        result.deletedRowsRemoved += sizes[i]!.physicalRows - sizes[i]!.liveRows;
      }
    }
    for (; i < view.fragments.length; i++) {
      if (written.length > 0) renumbered.add(view.fragments[i]!.id);
      fragments.push(view.fragments[i]!);
    }
    const bytes = encodeNextManifest(view.state, { version, schema: view.schema, fragments, storageVersion, renumbered, operation: 'rewrite' });
    yield* perform(publishEffect(manifestPathToPublish(view.path, version, view.naming), bytes, view.store));
  } catch (e) {
    yield* removeDataFiles(view.path, written, view.store);
    if (e instanceof ConflictError) {
      throw new ConflictError(`cannot commit version ${version} of '${view.path}': it already exists (open the latest version and compact again); nothing was compacted`, { cause: e });
    }
    throw e;
  } finally {
    yield* perform<void>({ sync: () => source.files.closeSync(), async: () => source.files.close() });
  }
  result.version = version;
  result.fragmentsAdded = written.length;
  return result;
}

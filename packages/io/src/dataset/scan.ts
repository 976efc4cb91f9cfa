/**
 * Scans: the plan (which physical rows of which fragment make each batch, built lazily) and the
 * reads of its ranges, written once as a generator of effects. `Dataset.scanSync` performs each
 * effect blocking; `Dataset.scan` awaits each, with read-ahead (../internal/read-ahead) so that
 * fragment opens and reads overlap; compaction rewrites its runs through the same reads.
 */
import { InvalidArgumentError, perform, type Effect, type RecordBatch, type Task } from '@vego/format';
import { RangeQueue, readAhead, type ScanRange } from '../internal/read-ahead';
import { DEFAULT_BATCH_SIZE, checkNonNegInt, type ScanOptions } from './options';
import type { DatasetView } from './view';

/**
 * The scan plan: checked options and the ranges `[fragment, physical offset, physical length]` to
 * read, as a lazy generator (offset and limit count live rows). Nothing is built per batch up
 * front: the ranges of a fragment are made as the scan reaches it, and its first read checks the
 * manifest's row count against the data files, so a manifest claiming 2^40 rows fails there with
 * CorruptDataError instead of building billions of ranges.
 */
export function planScan(view: DatasetView, options: ScanOptions): { columns: string[]; batchSize: number; ranges: Iterable<ScanRange> } {
  checkNonNegInt('offset', options.offset);
  checkNonNegInt('limit', options.limit);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0) {
    throw new InvalidArgumentError(`\`batchSize\` must be a positive integer, got ${batchSize}`);
  }
  const columns = view.resolveColumns(options.columns);
  return { columns, batchSize, ranges: planRanges(view, options.offset ?? 0, options.limit ?? Number.MAX_SAFE_INTEGER, batchSize) };
}

function* planRanges(view: DatasetView, offset: number, limit: number, batchSize: number): Generator<ScanRange> {
  const starts = view.live.starts();
  let skip = offset;
  let remaining = limit;
  for (let i = 0; i < view.fragments.length && remaining > 0; i++) {
    const n = starts[i + 1]! - starts[i]!;
    if (skip >= n) {
      skip -= n;
      // Rows after this fragment are numbered through its claimed row count: a check-only range
      // (0 rows) opens its data files, which checks the claim, before any later row is read.
      // This includes a fragment claiming 0 rows, which would otherwise never be opened.
      yield [i, 0, 0];
      continue;
    }
    let pos = skip;
    skip = 0;
    while (pos < n && remaining > 0) {
      const len = Math.min(batchSize, n - pos, remaining);
      const first = view.live.physicalOf(i, pos);
      const last = view.live.physicalOf(i, pos + len - 1);
      yield [i, first, last - first + 1];
      pos += len;
      remaining -= len;
    }
  }
}

/** The ranges of a plan that read rows (without its check-only ranges, see {@link planScan}). */
export function* onlyReads(ranges: Iterable<ScanRange>): Generator<ScanRange> {
  for (const r of ranges) if (r[2] > 0) yield r;
}

/**
 * The reads of a scan over `ranges`, one effect per range, in order: the range's live rows (deleted
 * ones dropped), or null for a check-only range (which opens its fragment's data files). Blocking,
 * each range is read when its effect is performed. Asynchronously, the next ranges are read ahead
 * ({@link readAhead}: the next one, and more while their rows add up to at most `budget`, at most
 * 16), so opens and reads overlap the caller's work. With `closeFragments`, each fragment's data files
 * are closed after its last range (a compaction of thousands of fragments holds few open at a time).
 */
export function* rangeReads(
  view: DatasetView,
  columns: readonly string[],
  ranges: Iterable<ScanRange>,
  budget: number,
  closeFragments: boolean,
): Generator<Effect<RecordBatch | null>> {
  const schema = view.projectedSchema(columns);
  const queue = new RangeQueue(ranges);
  const next = readAhead(queue, budget, (i, offset, limit) =>
    limit === 0 ? view.files.openFragmentAsync(i).then(() => null) : view.files.readRangeEffect(i, columns, schema, offset, limit).async(),
  );
  for (let r = 0; ; r++) {
    queue.drop(r);
    const range = queue.at(r);
    if (range === undefined) return;
    const [i, offset, limit] = range;
    const last = closeFragments && isLastOfFragment(queue, r, i);
    yield {
      sync: () => {
        let batch: RecordBatch | null = null;
        if (limit === 0) view.files.openFragmentSync(i);
        else batch = view.live.dropDeleted(i, view.files.readRangeEffect(i, columns, schema, offset, limit).sync(), offset);
        if (last) view.files.closeFragmentSync(i);
        return batch;
      },
      async: async () => {
        const read = await next();
        const batch = read === null ? null : view.live.dropDeleted(i, read, offset);
        if (last) await view.files.closeFragment(i);
        return batch;
      },
    };
  }
}

function isLastOfFragment(queue: RangeQueue, r: number, fragment: number): boolean {
  const following = queue.at(r + 1);
  return following === undefined || following[0] !== fragment;
}

/** The reads of a scan with `options` (planned when the first is asked for). */
export function* scanReads(view: DatasetView, options: ScanOptions): Generator<Effect<RecordBatch | null>> {
  const { columns, batchSize, ranges } = planScan(view, options);
  yield* rangeReads(view, columns, ranges, batchSize, false);
}

/** Every batch of `reads`, in order (the body of `toTable`). */
export function* collectBatches(reads: Iterable<Effect<RecordBatch | null>>): Task<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for (const read of reads) {
    const batch = yield* perform(read);
    if (batch !== null) out.push(batch);
  }
  return out;
}

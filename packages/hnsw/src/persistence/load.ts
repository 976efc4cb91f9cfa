/**
 * Loading a saved index (opened by `open.ts`) into an index made by the caller's
 * {@link RestoreFactory}. Loading writes straight into the new index's own arrays
 * (`internal/restore-target.ts`) and checks each part exactly once on the way: node rows (ids,
 * levels, tombstones, live count), the metadata's entry point, top level and generator state,
 * every link (id in range, level reaching the layer, list length), every vector component
 * (finite), and, unless the caller trusts the data, the checksum stored with every node row and
 * every link-list row. The vectors of a whole save (one fragment, rows in id order, a dimension
 * that is a multiple of 8) are read by @vego/format straight into the index memory, a chunk of
 * rows at a time, each chunk checked right after its read while it is still in the CPU cache
 * (`load-nodes.ts`'s `readVectorsDirect`); anything else is scanned and copied once, then checked.
 */
import type { Dataset, RecordBatch, ScanOptions } from '@vego/io';
import { InvalidArgumentError, NotSupportedError } from '@vego/io';
import type { DiskVectors } from '../internal/sq8-disk';
import type { RestoreFactory, RestoreTarget } from '../internal/restore-target';
import { listHashOf, nodeHashOf, upperStarts } from './checksums';
import { type IndexLocation, type IndexStoreOptions, corrupt, requireLocal, resolveLocation } from './directory';
import { loadCodes } from './load-codes';
import { type ListArrays, connectionScanColumns, readConnections, verifyListChecksums } from './load-links';
import { NODE_ROW_COLUMNS, type NodeArrays, type VectorCheck, copyVectors, readNodeRows, readVectorsDirect, vectorCheck } from './load-nodes';
import { type OpenedParts, closePartsStep, openParts } from './open';
import { type SavedState, partState } from './saved-state';
import { type Step, type Steps, perform, runStepsAsync, runStepsSync } from './steps';

/** Options of `HNSW.loadFromLance` / `loadFromLanceSync`. */
export interface LanceLoadOptions extends IndexStoreOptions {
  /**
   * Verify the checksum stored with every node row and every link-list row against what was read
   * (default true): a changed byte in a vector, level, tombstone or link list is then a
   * CorruptDataError instead of data. `false` skips it for data you trust: it costs one hash pass
   * over the vectors and links, about 15 ms of CPU for 100K vectors of 128 dimensions (of a load's
   * ~80 ms; see the README). Vectors are checked to be finite either way.
   */
  verifyChecksums?: boolean;
  /**
   * `'memory'` (default): the float vectors are loaded into the index. `'disk'`, for an index saved
   * with `quantization: 'sq8'` in a local folder: only the SQ8 codes are held in memory, and the
   * float vectors are read on demand from the saved `nodes.lance` (re-ranking, `get`,
   * `searchExact`, saves); see the README's "Codes-only SQ8".
   */
  vectors?: 'memory' | 'disk';
}

/** A loaded index, and the state the next save to the same directory builds on. */
export interface LoadOutcome<T> {
  index: T;
  state: SavedState;
}

/** Rows per batch when loading connections: whole fragments, so columns arrive as whole typed arrays. */
const LOAD_BATCH_ROWS = 1 << 30;
/**
 * Vector bytes per batch when the vector column is scanned (not read directly): the writer's page
 * size (8 MiB), so that each batch is one page read straight into its buffer (a view), not pages
 * concatenated into a second copy.
 */
const LOAD_VECTOR_BATCH_BYTES = 8 * 1024 * 1024;

/** An index being loaded: everything but the vectors is in place. */
interface PartialLoad<T> {
  target: RestoreTarget<T>;
  nodes: NodeArrays;
  starts: Int32Array;
  lists: ListArrays;
}

function checkLoadOptions(dir: unknown, options: unknown): { verify: boolean; loc: IndexLocation; onDisk: boolean } {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`\`options\` must be an object, got ${String(options)}`);
  const verify = (options as LanceLoadOptions).verifyChecksums ?? true;
  if (typeof verify !== 'boolean') throw new InvalidArgumentError(`\`verifyChecksums\` must be a boolean, got ${String(verify)}`);
  const vectors = (options as LanceLoadOptions).vectors ?? 'memory';
  if (vectors !== 'memory' && vectors !== 'disk') throw new InvalidArgumentError(`\`vectors\` must be 'memory' or 'disk', got ${String(vectors)}`);
  const loc = resolveLocation(dir, options as LanceLoadOptions);
  // Re-ranking reads a few rows per search with blocking positional reads: local files only.
  if (vectors === 'disk' && loc.store !== null) throw new NotSupportedError(`\`vectors: 'disk'\` needs an index in a local folder, got '${loc.root}'`);
  return { verify, loc, onDisk: vectors === 'disk' };
}

/**
 * Checks the node rows and the metadata's entry point, level and generator state, makes the index
 * and reads the links straight into it. The vectors come next ({@link readVectorsDirect} or
 * {@link copyVectors}), then {@link finishLoad}. Each part is checked once, here or there.
 */
function* startLoad<T>(parts: OpenedParts, nodeBatches: readonly RecordBatch[], connectionBatches: readonly RecordBatch[], makeTarget: RestoreFactory<T>, onDisk: boolean): Steps<PartialLoad<T>> {
  const { root, row, config } = parts;
  const n = row.num_ids;
  const nodes = readNodeRows(parts, nodeBatches);
  const { levels } = nodes;
  const entryPoint = row.entry_point;
  const maxLevel = row.max_level;
  if (n === 0) {
    if (entryPoint !== -1) throw corrupt(root, 'metadata `entry_point`', '-1 for an empty index', entryPoint);
  } else {
    if (!(entryPoint >= 0 && entryPoint < n)) throw corrupt(root, 'metadata `entry_point`', `a node id below ${n}`, entryPoint);
    if (maxLevel !== levels[entryPoint]) throw corrupt(root, 'metadata `max_level`', `the entry point's level ${levels[entryPoint]}`, maxLevel);
  }
  const rngState = row.rng_state;
  if (!(Number.isInteger(rngState) && rngState >= 0 && rngState <= 0xffffffff)) {
    throw corrupt(root, 'metadata `rng_state`', 'an unsigned 32-bit integer', rngState);
  }
  const strideUp = 1 + config.M;
  const starts = upperStarts(levels, n);
  const target = makeTarget(config, n, starts[n]! * strideUp, onDisk);
  target.levels.set(levels);
  target.deleted.set(nodes.deleted);
  const upperOffsets = target.upperOffsets;
  for (let i = 0; i < n; i++) upperOffsets[i] = levels[i] === 0 ? -1 : starts[i]! * strideUp;
  const lists = yield* readConnections(parts, levels, starts, target, connectionBatches);
  return { target, nodes, starts, lists };
}

/**
 * Checks the list checksums, and the vectors (checksums, or finite only) unless `vectorsChecked`
 * (read directly, checked chunk by chunk: {@link readVectorsDirect}), and hands the index over with
 * the state the next save builds on.
 */
function finishLoad<T>(parts: OpenedParts, load: PartialLoad<T>, verify: boolean, disk: DiskVectors | null, vectorsChecked: boolean): LoadOutcome<T> {
  const { root, row } = parts;
  // Vectors left on disk were checked as they were streamed (load-codes.ts).
  if (disk === null && !vectorsChecked) vectorCheck(parts, load.nodes, load.target, verify, nodeHashOf(row.format_version))(0, row.num_ids);
  if (verify) {
    verifyListChecksums(parts, load.nodes.levels, load.starts, load.lists, load.target);
  }
  const index = load.target.finish(row.entry_point, row.max_level, row.rng_state, disk);
  const state: SavedState = {
    root,
    metadata: parts.meta,
    metadataRows: parts.meta.countRows(),
    metadataChecksummed: parts.meta.schema.field('checksum') !== null,
    nodes: partState(parts.nodes, row.nodes_rows, load.nodes.positions),
    connections: partState(parts.connections, row.connections_rows, load.lists.positions),
    checksums: {
      nodeHash: nodeHashOf(row.format_version),
      listHash: listHashOf(row.format_version),
      numIds: row.num_ids,
      levels: load.nodes.levels,
      deleted: load.nodes.deleted,
      nodes: load.nodes.sums,
      lists: load.lists.sums,
      starts: load.starts,
      // Checked against the tombstones read (load-nodes.ts).
      live: row.num_live,
    },
  };
  return { index, state };
}

function nodeBatchRows(parts: OpenedParts): number {
  return Math.max(1, Math.floor(LOAD_VECTOR_BATCH_BYTES / (4 * parts.config.dimension)));
}

/** Scans each of `scans` (dataset and options) whole, concurrently in the asynchronous form. */
function collectStep(scans: readonly (readonly [Dataset, ScanOptions])[]): Step<RecordBatch[][]> {
  const collect = async (ds: Dataset, scan: ScanOptions): Promise<RecordBatch[]> => {
    const out: RecordBatch[] = [];
    for await (const b of ds.scan(scan)) out.push(b);
    return out;
  };
  return {
    sync: () => scans.map(([ds, scan]) => [...ds.scanSync(scan)]),
    async: () => Promise.all(scans.map(([ds, scan]) => collect(ds, scan))),
  };
}

/**
 * The vectors read straight into the index memory and checked chunk by chunk, when the rows are in
 * id order (a whole save, or one followed by saves that only added ids: {@link readVectorsDirect}; a
 * local file: synchronous in both forms, one positional read per chunk; reading the next chunk on
 * libuv's pool while checking the last was tried and cost ~10 ms more CPU per 100K load, the pool
 * threads' page faults, for no wall time on a loaded machine); false when that does not apply (the
 * caller scans). On an object store the column is scanned: its pages arrive as ranged GETs.
 */
function directVectorsStep(parts: OpenedParts, target: RestoreTarget<unknown>, check: VectorCheck): Step<boolean> {
  const direct = (): boolean => parts.location.store === null && readVectorsDirect(parts, target, check);
  return { sync: direct, async: async () => direct() };
}

/** The load, as steps (see the top of this file). */
function* loadSteps<T>(loc: IndexLocation, makeTarget: RestoreFactory<T>, verify: boolean, onDisk: boolean): Steps<LoadOutcome<T>> {
  const parts = yield* openParts(loc);
  try {
    const [nodeBatches, connectionBatches] = yield* perform(
      collectStep([
        [parts.nodes, { columns: NODE_ROW_COLUMNS, batchSize: LOAD_BATCH_ROWS }],
        [parts.connections, { columns: [...connectionScanColumns(parts.row.format_version)], batchSize: LOAD_BATCH_ROWS }],
      ]),
    );
    const load = yield* startLoad(parts, nodeBatches!, connectionBatches!, makeTarget, onDisk);
    if (onDisk) {
      const disk = yield* loadCodes(parts, loc, load.nodes, load.target.codes!, verify);
      try {
        return finishLoad(parts, load, verify, disk, true);
      } catch (e) {
        disk.close();
        throw e;
      }
    }
    const check = vectorCheck(parts, load.nodes, load.target, verify, nodeHashOf(parts.row.format_version));
    if (load.nodes.inOrder && (yield* perform(directVectorsStep(parts, load.target, check)))) return finishLoad(parts, load, verify, null, true);
    const [vectorBatches] = yield* perform(collectStep([[parts.nodes, { columns: ['vector'], batchSize: nodeBatchRows(parts) }]]));
    copyVectors(parts, vectorBatches!, load.nodes.rowIds, load.target);
    return finishLoad(parts, load, verify, null, false);
  } finally {
    yield* perform(closePartsStep(parts));
  }
}

/**
 * Loads the index saved under `dir` (a local folder) into an index made by `makeTarget` (checked here, once).
 * @throws NotFoundError when there is no saved index or a part is missing; CorruptDataError when
 *   parts disagree (counts, ids, links) or a row does not match its checksum; UnsupportedVersionError
 *   for a newer format; InvalidArgumentError for a bad option; NotSupportedError for a URI (load
 *   those with {@link loadIndexFromLance})
 */
export function loadIndexFromLanceSync<T>(dir: string, makeTarget: RestoreFactory<T>, options: LanceLoadOptions = {}): LoadOutcome<T> {
  requireLocal(dir, 'loadFromLanceSync()');
  const { verify, loc, onDisk } = checkLoadOptions(dir, options);
  return runStepsSync(loadSteps(loc, makeTarget, verify, onDisk));
}

/**
 * Asynchronous form of {@link loadIndexFromLanceSync}, which also loads from an object store
 * (`s3://…`, or read-only `http(s)://…`: ranged GETs), reading the datasets concurrently. An index
 * in a local folder is loaded with blocking reads, exactly as by {@link loadIndexFromLanceSync}
 * (the promise settles once it is loaded): the vectors and link lists, nearly all of the bytes,
 * were read that way already (`directVectorsStep`, `load-links.ts`), and the few dozen small
 * reads of the rest (manifests, metadata rows, the node and link-list row columns: ~3 MB at 100K
 * nodes) cost more CPU through libuv's thread pool than they read, and their event-loop turns let
 * work queued by earlier synchronous code (the garbage collector's tasks) run inside the load.
 */
export async function loadIndexFromLance<T>(dir: string, makeTarget: RestoreFactory<T>, options: LanceLoadOptions = {}): Promise<LoadOutcome<T>> {
  const { verify, loc, onDisk } = checkLoadOptions(dir, options);
  const steps = loadSteps(loc, makeTarget, verify, onDisk);
  return loc.store === null ? runStepsSync(steps) : runStepsAsync(steps);
}

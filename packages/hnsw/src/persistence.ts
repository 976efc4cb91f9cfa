/**
 * Saving an index as three Lance datasets (layout in `persistence-layout.ts`) and loading it back.
 *
 * Commit protocol: a save first commits new versions of `nodes.lance` and `connections.lance`
 * (each atomic on its own, see @vego/io), then appends one row to `metadata.lance` naming those two
 * versions. That row is the commit point: a loader reads the last metadata row and opens the other
 * two datasets at exactly the versions it names (time travel), so a save killed at any moment
 * leaves the previous save loadable, and versions written by an unfinished save are ignored.
 *
 * Incremental saves: the index keeps, after each save or load, a checksum of every node row and
 * every link list (`persistence-checksums.ts`) and the live row position of each one's row
 * (`persistence-positions.ts`). The next save to the same directory appends only the rows whose
 * checksum changed (new, updated and deleted nodes; relinked lists), then deletes the rows they
 * supersede (a deletion file, which LanceDB honours, in the next version), so every version a
 * metadata row names holds exactly one live row per id and per list, for LanceDB as for us. The
 * metadata row names the version after the delete; a crash between append and delete leaves
 * versions no metadata row names. When the deleted rows would exceed `compactionThreshold` of the
 * rows a dataset stores, or the dataset moved on since our last save (a crashed save, another
 * writer), or it was loaded with several rows for an id or list (saved by an earlier build, which
 * did not delete), that dataset is rewritten whole as an `overwrite` version instead. Old loaders
 * read the new saves unchanged (scans skip deleted rows): the format version stays 1.
 *
 * Loading writes straight into the new index's own arrays (`internal/restore-target.ts`) and
 * checks each part exactly once on the way: node rows (ids, levels, tombstones, live count), the
 * metadata's entry point, top level and generator state, every link (id in range, level reaching
 * the layer, list length), then every vector component (finite). The vectors of a whole save
 * (one fragment, rows in id order, a dimension that is a multiple of 8) are read from the data
 * file's pages directly into the index memory (never a fragment with deletions: its pages hold the
 * deleted rows too); anything else is scanned and copied once.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  Bool,
  BoolVector,
  ConflictError,
  CorruptDataError,
  Dataset,
  FileSource,
  FixedSizeListVector,
  Int32,
  Int32Vector,
  InternalError,
  InvalidArgumentError,
  LanceFileReader,
  List,
  ListVector,
  NotFoundError,
  RecordBatch,
  type ScanOptions,
  type Schema,
  UnsupportedVersionError,
  fixedSizeListFromFloat32,
  makeData,
  makeVector,
  recordBatchFromRows,
  vectorFromTypedArray,
} from '@vego/io';
import { type ResolvedHnswConfig, resolveHnswConfig } from './config';
import type { HNSW } from './hnsw';
import { type IndexChecksums, computeChecksums, upperStarts } from './persistence-checksums';
import {
  CONNECTIONS_DATASET,
  CONNECTIONS_SCHEMA,
  LANCE_FORMAT_VERSION,
  METADATA_DATASET,
  METADATA_SCHEMA,
  type MetadataRow,
  NODES_DATASET,
  nodesSchema,
} from './persistence-layout';
import { identityPositions, planPositionUpdate, reindexLists, wholeSaveListPositions } from './persistence-positions';
import type { RestoreTarget } from './internal/restore-target';
import type { HnswSnapshot } from './snapshot';

/** Makes an empty index sized for a restore (`HNSW.restoreTarget`). */
export type RestoreFactory = (config: ResolvedHnswConfig, numIds: number, upperLength: number) => RestoreTarget;

/** Options of `HNSW.saveToLance` / `saveToLanceSync`. */
export interface LanceSaveOptions {
  /**
   * Rewrite a dataset whole (an `overwrite` version) instead of appending when the rows deleted
   * as superseded (kept on disk until a rewrite) would make up more than this share of the rows
   * it stores. A number from 0 to 1; default 0.5.
   */
  compactionThreshold?: number;
  /** Rewrite every dataset whole, whatever changed. Default false. */
  full?: boolean;
}

/** What a save wrote. */
export interface LanceSaveResult {
  /** Versions of the three datasets that make up this save. */
  nodesVersion: number;
  connectionsVersion: number;
  metadataVersion: number;
  /** Rows written to `nodes.lance` / `connections.lance` by this save (0 when unchanged). */
  nodeRowsWritten: number;
  connectionRowsWritten: number;
  /**
   * Rows of earlier saves this save deleted from `nodes.lance` / `connections.lance` because the
   * rows it wrote supersede them (0 for a rewrite, which replaces everything).
   */
  nodeRowsDeleted: number;
  connectionRowsDeleted: number;
  /** True when the dataset was rewritten whole (first save, compaction, `full`). */
  nodesRewritten: boolean;
  connectionsRewritten: boolean;
}

/** Default {@link LanceSaveOptions.compactionThreshold}. */
export const DEFAULT_COMPACTION_THRESHOLD = 0.5;
/** `metadata.lance` is rewritten with only the newest row once it holds this many. */
const METADATA_MAX_ROWS = 256;
/** Rows per batch when loading connections: whole fragments, so columns arrive as whole typed arrays. */
const LOAD_BATCH_ROWS = 1 << 30;
/**
 * Vector bytes per batch when the vector column is scanned (not read directly): the writer's page size (8 MiB), so that each batch is
 * one page read straight into its buffer (a view), not pages concatenated into a second copy.
 */
const LOAD_VECTOR_BATCH_BYTES = 8 * 1024 * 1024;
const MAX_LEVEL = 63;
/**
 * Writer options of the nodes and connections data files: integer pages stay flat (not
 * bit-packed). Bit-packing would save about 4 MiB per 100K nodes (neighbour ids need ~17 of 32
 * bits) but costs far more to unpack on load than the bytes it saves to read; files written
 * with it still load.
 */
const DATA_FILE_OPTIONS = { bitPacking: false } as const;

/** What the index remembers of one dataset (`nodes` or `connections`) at its last save or load. */
interface PartState {
  version: number;
  /** Live rows at `version` (one per id / link list, unless `positions` is null). */
  rows: number;
  /** Rows stored in the fragments of `version`, deleted ones included (for the compaction rule). */
  physicalRows: number;
  /**
   * Live row position of each entry's row (`persistence-positions.ts`), or null when an entry has
   * several live rows (a directory saved before incremental saves deleted what they supersede):
   * the next save then rewrites the dataset whole.
   */
  positions: Int32Array | null;
}

/** What the index remembers of its last save or load, keyed by the index object. */
interface SavedState {
  root: string;
  metadataVersion: number;
  metadataRows: number;
  nodes: PartState;
  connections: PartState;
  checksums: IndexChecksums;
}

const savedStates = new WeakMap<HNSW, SavedState>();

function corrupt(root: string, what: string, expected: string, found: unknown): CorruptDataError {
  return new CorruptDataError(`saved index '${root}': ${what}: expected ${expected}, found ${String(found)}`);
}

function checkDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError(`\`dir\` must be a non-empty path, got ${String(dir)}`);
  return nodePath.resolve(dir);
}

/** Latest committed version of a dataset, or −1 when there is none. */
function latestVersion(path: string): number {
  try {
    return Dataset.openSync(path).version;
  } catch (e) {
    if (e instanceof NotFoundError) return -1;
    throw e;
  }
}

// ------------------------------------------------------------------------------------- saving

/** How a save writes one dataset (null in a plan: not at all, nothing changed). */
interface DatasetWrite {
  /** `overwrite`: rewritten whole; `append`: the changed rows appended, then the rows they supersede deleted. */
  mode: 'append' | 'overwrite';
  batch: RecordBatch;
  /** Live positions (ascending) to delete once the append is committed; empty for an overwrite. */
  superseded: Int32Array;
  /** Live rows the dataset holds after the write (one per entry). */
  rowsAfter: number;
  /** Position of each entry's row after the write. */
  positions: Int32Array;
}

interface SavePlan {
  root: string;
  snapshot: HnswSnapshot;
  checksums: IndexChecksums;
  prev: SavedState | null;
  nodes: DatasetWrite | null;
  connections: DatasetWrite | null;
  metadataMode: 'append' | 'overwrite';
}

/** An overwrite of a dataset with `batch`, whose entry `e` is row `positions[e]`. */
function wholeWrite(batch: RecordBatch, positions: Int32Array): DatasetWrite {
  return { mode: 'overwrite', batch, superseded: new Int32Array(0), rowsAfter: positions.length, positions };
}

/** The checksum pairs at `slots` (all when null), as int64 values (view when all, else a copy). */
function checksumColumn(sums: Uint32Array, slots: Int32Array | null): BigInt64Array {
  if (slots === null) return new BigInt64Array(sums.buffer, sums.byteOffset, sums.length >> 1);
  const out = new Uint32Array(2 * slots.length);
  for (let r = 0; r < slots.length; r++) {
    const k = slots[r]!;
    out[2 * r] = sums[2 * k]!;
    out[2 * r + 1] = sums[2 * k + 1]!;
  }
  return new BigInt64Array(out.buffer, 0, slots.length);
}

/** The node rows with ids in `ids` (all when null). */
function nodesBatch(snapshot: HnswSnapshot, checksums: IndexChecksums, ids: Int32Array | null): RecordBatch {
  const n = snapshot.numIds;
  const dim = snapshot.config.dimension;
  const count = ids === null ? n : ids.length;
  const idCol = new Int32Array(count);
  const levelCol = new Int32Array(count);
  const deletedBits = new Uint8Array((count + 7) >> 3);
  const src = snapshot.vectors;
  const vectors = ids === null ? src : new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const id = ids === null ? r : ids[r]!;
    idCol[r] = id;
    levelCol[r] = snapshot.levels[id]!;
    if (snapshot.deleted[id] !== 0) deletedBits[r >> 3] |= 1 << (r & 7);
    if (ids !== null) vectors.set(src.subarray(id * dim, (id + 1) * dim), r * dim);
  }
  return new RecordBatch(nodesSchema(dim), [
    vectorFromTypedArray(idCol),
    fixedSizeListFromFloat32(vectors, dim),
    vectorFromTypedArray(levelCol),
    makeVector(makeData({ type: new Bool(), length: count, values: deletedBits })),
    vectorFromTypedArray(checksumColumn(checksums.nodes, ids)),
  ]);
}

/**
 * The connection rows of the lists in `lists` (list indices as in persistence-checksums.ts), or
 * of every list when null.
 */
function connectionsBatch(snapshot: HnswSnapshot, checksums: IndexChecksums, starts: Int32Array, lists: Int32Array | null): RecordBatch {
  const n = snapshot.numIds;
  const M = snapshot.config.M;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  const { links0, upperLinks, upperOffsets, levels } = snapshot;
  const total = lists === null ? n + starts[n]! : lists.length;
  const nodeCol = new Int32Array(total);
  const layerCol = new Int32Array(total);
  const offsets = new Int32Array(total + 1);
  // Pass 1: which (node, layer) each row is, and where its neighbours start.
  let r = 0;
  let items = 0;
  const addRow = (node: number, layer: number): void => {
    const base = layer === 0 ? node * stride0 : upperOffsets[node]! + (layer - 1) * strideUp;
    const count = layer === 0 ? links0[base]! : upperLinks[base]!;
    nodeCol[r] = node;
    layerCol[r] = layer;
    items += count;
    r++;
    offsets[r] = items;
  };
  if (lists === null) {
    for (let i = 0; i < n; i++) {
      const level = levels[i]!;
      for (let l = 0; l <= level; l++) addRow(i, l);
    }
  } else {
    // Map a list index back to (node, layer): upper lists are found by binary search in `starts`.
    for (let k = 0; k < total; k++) {
      const list = lists[k]!;
      if (list < n) {
        addRow(list, 0);
        continue;
      }
      const u = list - n;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= u) lo = mid;
        else hi = mid - 1;
      }
      // Several nodes may share a start (level 0 nodes): take the last one with room at u.
      addRow(lo, u - starts[lo]! + 1);
    }
  }
  // Pass 2: the neighbour ids, flat.
  const values = new Int32Array(items);
  for (let k = 0; k < total; k++) {
    const node = nodeCol[k]!;
    const layer = layerCol[k]!;
    const src = layer === 0 ? links0 : upperLinks;
    const base = layer === 0 ? node * stride0 : upperOffsets[node]! + (layer - 1) * strideUp;
    values.set(src.subarray(base + 1, base + 1 + src[base]!), offsets[k]!);
  }
  const itemType = CONNECTIONS_SCHEMA.fields[2]!.type as List<Int32>;
  const neighbours = makeVector(
    makeData({ type: itemType, length: total, valueOffsets: offsets, children: [makeData({ type: new Int32(), length: items, values })] }),
  );
  return new RecordBatch(CONNECTIONS_SCHEMA, [
    vectorFromTypedArray(nodeCol),
    vectorFromTypedArray(layerCol),
    neighbours,
    vectorFromTypedArray(checksumColumn(checksums.lists, rowLists(lists, nodeCol, layerCol, n, starts))),
  ]);
}

/** The list index of every row: `lists` itself, or computed from the rows of a full write. */
function rowLists(lists: Int32Array | null, nodeCol: Int32Array, layerCol: Int32Array, n: number, starts: Int32Array): Int32Array {
  if (lists !== null) return lists;
  const out = new Int32Array(nodeCol.length);
  for (let r = 0; r < out.length; r++) {
    const node = nodeCol[r]!;
    const layer = layerCol[r]!;
    out[r] = layer === 0 ? node : n + starts[node]! + layer - 1;
  }
  return out;
}

/** Indices `i` where the two checksum arrays differ (or `i ≥ oldCount`), up to `count`. */
function changedEntries(now: Uint32Array, before: Uint32Array, count: number, oldCount: number): Int32Array {
  let changed = 0;
  for (let i = 0; i < count; i++) {
    if (i >= oldCount || now[2 * i] !== before[2 * i] || now[2 * i + 1] !== before[2 * i + 1]) changed++;
  }
  const out = new Int32Array(changed);
  let k = 0;
  for (let i = 0; i < count; i++) {
    if (i >= oldCount || now[2 * i] !== before[2 * i] || now[2 * i + 1] !== before[2 * i + 1]) out[k++] = i;
  }
  return out;
}

/** The saved state of `index` if the next save may build on it, else null (full save). */
function usableState(index: HNSW, root: string, checksums: IndexChecksums): SavedState | null {
  const prev = savedStates.get(index);
  if (prev === undefined || prev.root !== root) return null;
  const before = prev.checksums;
  if (before.numIds > checksums.numIds) return null;
  for (let i = 0; i < before.numIds; i++) if (before.levels[i] !== checksums.levels[i]) return null;
  // Someone else committed a save here since ours: start over.
  if (latestVersion(nodePath.join(root, METADATA_DATASET)) !== prev.metadataVersion) return null;
  return prev;
}

/**
 * How one dataset is written: whole (no usable state of it, the dataset moved on since our last
 * save, positions unknown, or superseded rows past `threshold` of the rows stored), not at all
 * (nothing changed), or as an append of the changed entries' rows followed by the deletion of
 * the rows they supersede. Deleted rows keep taking space until a rewrite, so the compaction rule
 * counts them: after the save, `physicalRows` grows by the appended rows and the dead rows by the
 * deleted ones (fragments left with no live row are dropped by the delete, so this errs towards
 * rewriting early).
 */
function planDatasetWrite(
  path: string,
  prev: PartState | null,
  threshold: number,
  whole: () => DatasetWrite,
  changedOf: () => { changed: Int32Array; before: Int32Array },
  rowsOf: (changed: Int32Array) => RecordBatch,
): DatasetWrite | null {
  if (prev === null || prev.positions === null || latestVersion(path) !== prev.version) return whole();
  const { changed, before } = changedOf();
  if (changed.length === 0) return null;
  const update = planPositionUpdate(before, changed, prev.rows);
  if (update === null) return whole();
  const physicalAfter = prev.physicalRows + changed.length;
  const deadAfter = prev.physicalRows - prev.rows + update.superseded.length;
  if (deadAfter > threshold * physicalAfter) return whole();
  return { mode: 'append', batch: rowsOf(changed), superseded: update.superseded, rowsAfter: before.length, positions: update.positions };
}

function planSave(index: HNSW, snapshot: HnswSnapshot, dir: unknown, options: LanceSaveOptions): SavePlan {
  const root = checkDir(dir);
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object');
  const threshold = options.compactionThreshold ?? DEFAULT_COMPACTION_THRESHOLD;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`\`compactionThreshold\` must be a number from 0 to 1, got ${String(threshold)}`);
  }
  const checksums = computeChecksums(snapshot);
  const prev = options.full === true ? null : usableState(index, root, checksums);
  const n = snapshot.numIds;
  const starts = upperStarts(snapshot.levels, n);
  const numLists = n + starts[n]!;
  const oldN = prev === null ? 0 : prev.checksums.numIds;

  const nodes = planDatasetWrite(
    nodePath.join(root, NODES_DATASET),
    prev?.nodes ?? null,
    threshold,
    () => wholeWrite(nodesBatch(snapshot, checksums, null), identityPositions(n)),
    () => {
      // Ids from oldN on are new: no row yet.
      const before = new Int32Array(n).fill(-1);
      before.set(prev!.nodes.positions!);
      return { changed: changedEntries(checksums.nodes, prev!.checksums.nodes, n, oldN), before };
    },
    (changed) => nodesBatch(snapshot, checksums, changed),
  );

  const connections = planDatasetWrite(
    nodePath.join(root, CONNECTIONS_DATASET),
    prev?.connections ?? null,
    threshold,
    () => wholeWrite(connectionsBatch(snapshot, checksums, starts, null), wholeSaveListPositions(starts, snapshot.levels, n)),
    () => {
      // Old upper lists sit at n + start, new layer-0 lists push them up by n − oldN: re-index.
      const sumsBefore = reindexLists(prev!.checksums.lists, 2, oldN, n, numLists, 0);
      const before = reindexLists(prev!.connections.positions!, 1, oldN, n, numLists, -1);
      return { changed: changedListEntries(checksums.lists, sumsBefore, n, oldN, starts), before };
    },
    (changed) => connectionsBatch(snapshot, checksums, starts, changed),
  );
  const metadataMode = prev === null || prev.metadataRows >= METADATA_MAX_ROWS ? 'overwrite' : 'append';
  return { root, snapshot, checksums, prev, nodes, connections, metadataMode };
}

/** Changed list indices: lists of ids ≥ oldN are always new; others compare checksums. */
function changedListEntries(now: Uint32Array, before: Uint32Array, n: number, oldN: number, starts: Int32Array): Int32Array {
  const numLists = n + starts[n]!;
  const isNew = (list: number): boolean => (list < n ? list >= oldN : list - n >= starts[oldN]!);
  let changed = 0;
  for (let i = 0; i < numLists; i++) {
    if (isNew(i) || now[2 * i] !== before[2 * i] || now[2 * i + 1] !== before[2 * i + 1]) changed++;
  }
  const out = new Int32Array(changed);
  let k = 0;
  for (let i = 0; i < numLists; i++) {
    if (isNew(i) || now[2 * i] !== before[2 * i] || now[2 * i + 1] !== before[2 * i + 1]) out[k++] = i;
  }
  return out;
}

function metadataBatch(plan: SavePlan, nodes: PartState, connections: PartState): RecordBatch {
  const s = plan.snapshot;
  let live = 0;
  for (let i = 0; i < s.numIds; i++) if (s.deleted[i] === 0) live++;
  const row: MetadataRow = {
    format_version: LANCE_FORMAT_VERSION,
    nodes_version: nodes.version,
    connections_version: connections.version,
    nodes_rows: nodes.rows,
    connections_rows: connections.rows,
    num_ids: s.numIds,
    num_live: live,
    entry_point: s.entryPoint,
    max_level: s.maxLevel,
    rng_state: s.rngState >>> 0,
    dimension: s.config.dimension,
    m: s.config.M,
    ef_construction: s.config.efConstruction,
    distance: s.config.distance,
    config: JSON.stringify(s.config),
    saved_at: Date.now(),
  };
  return recordBatchFromRows([row as unknown as Record<string, unknown>], METADATA_SCHEMA);
}

function ensureRoot(root: string): void {
  try {
    fs.mkdirSync(root, { recursive: true });
  } catch (cause) {
    throw new InvalidArgumentError(`cannot create the index directory '${root}': ${(cause as Error).message}`, { cause });
  }
}

/**
 * Checks that an append landed where the plan put its rows: on the version this index last saved
 * or loaded, after its live rows. Otherwise another writer committed in between, the planned
 * positions are wrong, and nothing may be deleted.
 * @throws ConflictError when it did not (the previous save stays the committed one)
 */
function checkAppended(path: string, ds: Dataset, w: DatasetWrite, prev: PartState): void {
  const rows = ds.countRows();
  if (ds.version !== prev.version + 1 || rows !== prev.rows + w.batch.numRows) {
    throw new ConflictError(
      `cannot save to '${path}': another writer committed while this save appended (expected version ${prev.version + 1} with ` +
        `${prev.rows + w.batch.numRows} rows, found version ${ds.version} with ${rows}); the previous save stays committed, save again`,
    );
  }
}

/** What the index remembers of a dataset once `w` is committed as `ds`. */
function committedPart(path: string, ds: Dataset, w: DatasetWrite): PartState {
  const rows = ds.countRows();
  if (rows !== w.rowsAfter) throw new InternalError(`saving '${path}': expected ${w.rowsAfter} live rows after version ${ds.version}, found ${rows}`);
  return partState(ds, rows, w.positions);
}

/**
 * Commits one dataset's part of a save: an overwrite, or an append (one version) followed by the
 * deletion of the superseded rows (the next version), which LanceDB honours too. A crash between
 * the two leaves versions no metadata row names: ignored by loads, and the next save rewrites.
 */
function commitPartSync(root: string, name: string, w: DatasetWrite | null, schema: Schema, prev: PartState | undefined): PartState {
  if (w === null) return prev!;
  const path = nodePath.join(root, name);
  let ds = Dataset.createSync(path, w.batch, { mode: w.mode, schema, fileOptions: DATA_FILE_OPTIONS });
  if (w.mode === 'append') {
    checkAppended(path, ds, w, prev!);
    ds = ds.deleteRowsSync(w.superseded);
  }
  return committedPart(path, ds, w);
}

/** Asynchronous form of {@link commitPartSync}. */
async function commitPart(root: string, name: string, w: DatasetWrite | null, schema: Schema, prev: PartState | undefined): Promise<PartState> {
  if (w === null) return prev!;
  const path = nodePath.join(root, name);
  let ds = await Dataset.create(path, w.batch, { mode: w.mode, schema, fileOptions: DATA_FILE_OPTIONS });
  if (w.mode === 'append') {
    checkAppended(path, ds, w, prev!);
    ds = await ds.deleteRows(w.superseded);
  }
  return committedPart(path, ds, w);
}

/**
 * Saves `index`, whose state is `snapshot` (views of its memory may do: nothing here yields
 * before the data is written), under `dir` (see the top of this file). Synchronous.
 * @throws InvalidArgumentError for a bad `dir` or option; ConflictError when another writer
 *   commits to the directory during the save; IoError from @vego/io
 */
export function saveIndexToLanceSync(index: HNSW, snapshot: HnswSnapshot, dir: string, options: LanceSaveOptions = {}): LanceSaveResult {
  const plan = planSave(index, snapshot, dir, options);
  ensureRoot(plan.root);
  const { root, prev } = plan;
  const nodes = commitPartSync(root, NODES_DATASET, plan.nodes, nodesSchema(plan.snapshot.config.dimension), prev?.nodes);
  const connections = commitPartSync(root, CONNECTIONS_DATASET, plan.connections, CONNECTIONS_SCHEMA, prev?.connections);
  const meta = metadataBatch(plan, nodes, connections);
  const metadata = Dataset.createSync(nodePath.join(root, METADATA_DATASET), meta, { mode: plan.metadataMode, schema: METADATA_SCHEMA });
  return finishSave(index, plan, nodes, connections, metadata);
}

/**
 * Asynchronous form of {@link saveIndexToLanceSync}; `snapshot` must be a copy (the index may
 * change while this waits).
 */
export async function saveIndexToLance(index: HNSW, snapshot: HnswSnapshot, dir: string, options: LanceSaveOptions = {}): Promise<LanceSaveResult> {
  const plan = planSave(index, snapshot, dir, options);
  ensureRoot(plan.root);
  const { root, prev } = plan;
  const nodes = await commitPart(root, NODES_DATASET, plan.nodes, nodesSchema(plan.snapshot.config.dimension), prev?.nodes);
  const connections = await commitPart(root, CONNECTIONS_DATASET, plan.connections, CONNECTIONS_SCHEMA, prev?.connections);
  const meta = metadataBatch(plan, nodes, connections);
  const metadata = await Dataset.create(nodePath.join(root, METADATA_DATASET), meta, { mode: plan.metadataMode, schema: METADATA_SCHEMA });
  return finishSave(index, plan, nodes, connections, metadata);
}

/** The result of a committed save; remembers it for the next one. */
function finishSave(index: HNSW, plan: SavePlan, nodes: PartState, connections: PartState, metadata: Dataset): LanceSaveResult {
  const result: LanceSaveResult = {
    nodesVersion: nodes.version,
    connectionsVersion: connections.version,
    metadataVersion: metadata.version,
    nodeRowsWritten: plan.nodes?.batch.numRows ?? 0,
    connectionRowsWritten: plan.connections?.batch.numRows ?? 0,
    nodeRowsDeleted: plan.nodes?.superseded.length ?? 0,
    connectionRowsDeleted: plan.connections?.superseded.length ?? 0,
    nodesRewritten: plan.nodes?.mode === 'overwrite',
    connectionsRewritten: plan.connections?.mode === 'overwrite',
  };
  savedStates.set(index, {
    root: plan.root,
    metadataVersion: metadata.version,
    metadataRows: metadata.countRows(),
    nodes,
    connections,
    checksums: plan.checksums,
  });
  return result;
}

// ------------------------------------------------------------------------------------ loading

function checkSchema(root: string, name: string, actual: Schema, expected: Schema): void {
  for (const field of expected.fields) {
    const found = actual.field(field.name);
    if (found === null || !found.type.equals(field.type)) {
      throw corrupt(root, `${name} column '${field.name}'`, String(field.type), found === null ? 'no such column' : String(found.type));
    }
  }
}

function openMetadata(root: string): Dataset {
  if (!fs.existsSync(root)) throw new NotFoundError(`saved index '${root}' does not exist`);
  try {
    return Dataset.openSync(nodePath.join(root, METADATA_DATASET));
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new NotFoundError(`'${root}' holds no saved index: ${METADATA_DATASET} is missing (${e.message})`, { cause: e });
    }
    throw e;
  }
}

/** Reads the last metadata row (the commit) after checking its format version. */
function readCommitRow(root: string, meta: Dataset): MetadataRow {
  const versionField = meta.schema.field('format_version');
  if (versionField === null || !versionField.type.equals(new Int32())) {
    throw corrupt(root, `${METADATA_DATASET} column 'format_version'`, 'int32', versionField === null ? 'no such column' : String(versionField.type));
  }
  const rows = meta.countRows();
  if (rows === 0) throw corrupt(root, `${METADATA_DATASET} version ${meta.version}`, 'at least one row', 'none');
  const versionBatch = meta.toTableSync({ columns: ['format_version'], offset: rows - 1, limit: 1 }).batches[0]!;
  const formatVersion = versionBatch.columnAt(0).get(0) as number | null;
  if (formatVersion === null || formatVersion < 1) throw corrupt(root, 'format_version', 'a positive integer', formatVersion);
  if (formatVersion > LANCE_FORMAT_VERSION) {
    throw new UnsupportedVersionError(
      `saved index '${root}' has format version ${formatVersion}; this build reads versions 1 to ${LANCE_FORMAT_VERSION}`,
      formatVersion,
      0,
    );
  }
  // Only version 1 exists so far; readers of older layouts will live in src/previous/.
  checkSchema(root, METADATA_DATASET, meta.schema, METADATA_SCHEMA);
  const batch = meta.toTableSync({ offset: rows - 1, limit: 1 }).batches[0]!;
  const row: Record<string, unknown> = {};
  for (const field of METADATA_SCHEMA.fields) row[field.name] = batch.column(field.name).get(0);
  for (const field of METADATA_SCHEMA.fields) {
    const v = row[field.name];
    if (v === null) throw corrupt(root, `${METADATA_DATASET} column '${field.name}'`, 'a value', 'null');
  }
  return row as unknown as MetadataRow;
}

function openAt(root: string, name: string, version: number, metaVersion: number): Dataset {
  const path = nodePath.join(root, name);
  try {
    return Dataset.openSync(path, { version });
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new NotFoundError(`saved index '${root}': ${METADATA_DATASET} version ${metaVersion} names ${name} version ${version}, which cannot be opened: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

interface OpenedParts {
  root: string;
  meta: Dataset;
  row: MetadataRow;
  config: ResolvedHnswConfig;
  nodes: Dataset;
  connections: Dataset;
}

function openParts(dir: unknown): OpenedParts {
  const root = checkDir(dir);
  const meta = openMetadata(root);
  const row = readCommitRow(root, meta);
  let config: ResolvedHnswConfig;
  try {
    config = resolveHnswConfig(JSON.parse(row.config) as ResolvedHnswConfig);
  } catch (cause) {
    throw new CorruptDataError(`saved index '${root}': metadata \`config\` is invalid: ${(cause as Error).message}`, { cause });
  }
  if (config.dimension !== row.dimension) throw corrupt(root, 'metadata `dimension`', `${config.dimension} (from config)`, row.dimension);
  if (config.M !== row.m) throw corrupt(root, 'metadata `m`', `${config.M} (from config)`, row.m);
  const n = row.num_ids;
  if (!(n >= 0)) throw corrupt(root, 'metadata `num_ids`', 'a non-negative integer', n);
  if (row.nodes_version < 1) throw corrupt(root, 'metadata `nodes_version`', 'a version ≥ 1', row.nodes_version);
  if (row.connections_version < 1) throw corrupt(root, 'metadata `connections_version`', 'a version ≥ 1', row.connections_version);
  if (row.nodes_rows < n) throw corrupt(root, 'metadata `nodes_rows`', `at least num_ids = ${n}`, row.nodes_rows);
  if (row.connections_rows < n) throw corrupt(root, 'metadata `connections_rows`', `at least num_ids = ${n}`, row.connections_rows);
  const nodes = openAt(root, NODES_DATASET, row.nodes_version, meta.version);
  const connections = openAt(root, CONNECTIONS_DATASET, row.connections_version, meta.version);
  if (nodes.countRows() !== row.nodes_rows) {
    throw corrupt(root, `${NODES_DATASET} version ${row.nodes_version}`, `${row.nodes_rows} rows (from metadata)`, nodes.countRows());
  }
  if (connections.countRows() !== row.connections_rows) {
    throw corrupt(root, `${CONNECTIONS_DATASET} version ${row.connections_version}`, `${row.connections_rows} rows (from metadata)`, connections.countRows());
  }
  checkSchema(root, NODES_DATASET, nodes.schema, nodesSchema(config.dimension));
  checkSchema(root, CONNECTIONS_DATASET, connections.schema, CONNECTIONS_SCHEMA);
  return { root, meta, row, config, nodes, connections };
}

function noNulls(root: string, name: string, column: string, nullCount: number): void {
  if (nullCount !== 0) throw corrupt(root, `${name} column '${column}'`, 'no nulls', `${nullCount} nulls`);
}

/** Little-endian word view of an int64 column's values (the two checksum words of each row). */
function checksumWords(column: RecordBatch['columns'][number]): { words: Uint32Array; offset: number } {
  const v = column as unknown as { values: BigInt64Array; offset: number };
  return { words: new Uint32Array(v.values.buffer, v.values.byteOffset, v.values.length * 2), offset: v.offset };
}

/** True when `ids[io …io + rows)` are consecutive integers. */
function isRun(ids: Int32Array, io: number, rows: number): boolean {
  const first = ids[io]!;
  for (let r = 1; r < rows; r++) if (ids[io + r] !== first + r) return false;
  return true;
}

/** Columns of `nodes.lance` read as rows (the vectors are read on their own). */
const NODE_ROW_COLUMNS = ['id', 'level', 'deleted', 'checksum'] as const;

interface NodeArrays {
  levels: Uint8Array;
  deleted: Uint8Array;
  sums: Uint32Array;
  /** The id of every row, in row order (copy). */
  rowIds: Int32Array;
  /** True when the rows are exactly ids 0 … n−1 in order (a whole save). */
  inOrder: boolean;
  /** Live row position of each id's row; null when some id has several rows (fresh). */
  positions: Int32Array | null;
}

/**
 * Reads and checks the node rows (columns {@link NODE_ROW_COLUMNS}; later rows of an id win): ids
 * below `num_ids`, levels 0 to 63 and equal across rows of an id, a row for every id, the live
 * count. Notes where each id's row is, for the next save. Fresh arrays.
 */
function readNodeRows(parts: OpenedParts, batches: readonly RecordBatch[]): NodeArrays {
  const { root, row } = parts;
  const n = row.num_ids;
  const levels = new Uint8Array(n);
  const deleted = new Uint8Array(n);
  const sums = new Uint32Array(2 * n);
  const seen = new Uint8Array(n);
  const rowIds = new Int32Array(row.nodes_rows);
  const positions = new Int32Array(n);
  let repeated = false;
  let inOrder = row.nodes_rows === n;
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    if (rowBase + rows > rowIds.length) throw corrupt(root, NODES_DATASET, `${rowIds.length} rows`, `more`);
    const idv = batch.columnAt(0) as Int32Vector;
    const lv = batch.columnAt(1) as Int32Vector;
    const dv = batch.columnAt(2) as BoolVector;
    const cv = batch.columnAt(3);
    noNulls(root, NODES_DATASET, 'id', idv.nullCount);
    noNulls(root, NODES_DATASET, 'level', lv.nullCount);
    noNulls(root, NODES_DATASET, 'deleted', dv.nullCount);
    noNulls(root, NODES_DATASET, 'checksum', cv.nullCount);
    const ids = idv.values;
    const io = idv.offset;
    const lvals = lv.values;
    const lo = lv.offset;
    const bits = dv.values;
    const bo = dv.offset;
    const { words, offset: co } = checksumWords(cv);
    if (inOrder && rowBase + rows <= n && isRun(ids, io, rows) && (rows === 0 || ids[io] === rowBase)) {
      // Ids rowBase … rowBase + rows − 1, none seen before (every earlier row was in order too):
      // whole-column copies, levels checked in one small loop.
      const bad = firstOutside(lvals, lo, lo + rows, MAX_LEVEL);
      if (bad >= 0) throw corrupt(root, `${NODES_DATASET} row ${rowBase + bad - lo} level`, `0 to ${MAX_LEVEL}`, lvals[bad]);
      levels.set(lvals.subarray(lo, lo + rows), rowBase);
      rowIds.set(ids.subarray(io, io + rows), rowBase);
      sums.set(words.subarray(2 * co, 2 * (co + rows)), 2 * rowBase);
      seen.fill(1, rowBase, rowBase + rows);
      for (let r = rowBase; r < rowBase + rows; r++) positions[r] = r;
      unpackBools(bits, bo, rows, deleted, rowBase);
      rowBase += rows;
      continue;
    }
    for (let r = 0; r < rows; r++) {
      const id = ids[io + r]!;
      if (id < 0 || id >= n) throw corrupt(root, `${NODES_DATASET} row ${rowBase + r} id`, `an id below num_ids = ${n}`, id);
      const level = lvals[lo + r]!;
      if (level < 0 || level > MAX_LEVEL) throw corrupt(root, `${NODES_DATASET} row ${rowBase + r} level`, `0 to ${MAX_LEVEL}`, level);
      if (seen[id] !== 0) {
        if (levels[id] !== level) {
          throw corrupt(root, `${NODES_DATASET} row ${rowBase + r} level of id ${id}`, `${levels[id]} (as in its earlier row)`, level);
        }
        repeated = true;
      }
      if (id !== rowBase + r) inOrder = false;
      rowIds[rowBase + r] = id;
      positions[id] = rowBase + r;
      seen[id] = 1;
      levels[id] = level;
      const b = bo + r;
      deleted[id] = (bits[b >> 3]! >> (b & 7)) & 1;
      sums[2 * id] = words[2 * (co + r)]!;
      sums[2 * id + 1] = words[2 * (co + r) + 1]!;
    }
    rowBase += rows;
  }
  if (rowBase !== rowIds.length) throw corrupt(root, NODES_DATASET, `${rowIds.length} rows`, rowBase);
  let numSeen = 0;
  let live = 0;
  for (let i = 0; i < n; i++) {
    numSeen += seen[i]!;
    live += seen[i]! & (deleted[i]! ^ 1);
  }
  if (numSeen !== n) throw corrupt(root, `${NODES_DATASET} version ${row.nodes_version}`, `rows for all ${n} ids`, `rows for ${numSeen}`);
  if (live !== row.num_live) throw corrupt(root, 'live nodes', `${row.num_live} (from metadata)`, live);
  return { levels, deleted, sums, rowIds, inOrder, positions: repeated ? null : positions };
}

/** Index of the first value of `values[start … end)` outside 0 … max, or −1. */
function firstOutside(values: Int32Array, start: number, end: number, max: number): number {
  for (let i = start; i < end; i++) if (values[i]! >>> 0 > max) return i;
  return -1;
}

/** Writes the `count` bits of `bits` from bit `bitOffset` (LSB first) as 0/1 bytes into `out` at `at`. */
function unpackBools(bits: Uint8Array, bitOffset: number, count: number, out: Uint8Array, at: number): void {
  for (let r = 0; r < count; r++) {
    const b = bitOffset + r;
    out[at + r] = (bits[b >> 3]! >> (b & 7)) & 1;
  }
}

/**
 * Copies the vector column (batches in row order) into the index memory: one `set` per batch
 * when its ids are consecutive and rows need no padding, else row by row; later rows of an id win.
 */
function copyVectors(parts: OpenedParts, batches: readonly RecordBatch[], rowIds: Int32Array, target: RestoreTarget): void {
  const dim = parts.config.dimension;
  const out = target.vectors;
  const stride = target.stride;
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    const vv = batch.columnAt(0) as FixedSizeListVector;
    noNulls(parts.root, NODES_DATASET, 'vector', vv.nullCount);
    if (rows === 0) continue;
    const values = vv.values as Float32Array;
    const vo = vv.valueOffset(0);
    if (stride === dim && isRun(rowIds, rowBase, rows)) {
      out.set(values.subarray(vo, vo + rows * dim), (rowIds[rowBase]! + 1) * stride);
    } else {
      for (let r = 0; r < rows; r++) out.set(values.subarray(vo + r * dim, vo + (r + 1) * dim), (rowIds[rowBase + r]! + 1) * stride);
    }
    rowBase += rows;
  }
}

/**
 * The vector pages of a whole save read straight from the data file into the index memory (no
 * intermediate buffer), when the layout allows it: one fragment without deletions, rows in id
 * order, a dimension that needs no padding, a Lance 2.0 file whose vector pages are plain
 * uncompressed float32. Returns false (nothing trusted) when any of that does not hold; the
 * caller then scans the column.
 */
function readVectorsDirect(parts: OpenedParts, target: RestoreTarget): boolean {
  const n = parts.row.num_ids;
  const dim = parts.config.dimension;
  const stride = target.stride;
  if (stride !== dim || n === 0) return false;
  const fragments = parts.nodes.fragmentFiles();
  if (fragments.length !== 1) return false;
  const fragment = fragments[0]!;
  if (fragment.hasDeletions || fragment.paths.length !== 1 || fragment.physicalRows !== n) return false;
  const source = FileSource.openSync(fragment.paths[0]!);
  try {
    const reader = LanceFileReader.openSync(source);
    // Lance 2.0 files say (0, 3); 2.1 files lay pages out differently.
    if (reader.version.major !== 0 || reader.version.minor !== 3 || reader.numRows !== n) return false;
    const field = reader.schema.fields[1];
    if (field === undefined || field.name !== 'vector' || !field.type.equals(nodesSchema(dim).fields[1]!.type)) return false;
    const info = reader.columnMetadataSync(1);
    const memory = new Uint8Array(target.vectors.buffer, target.vectors.byteOffset, target.vectors.byteLength);
    let row = 0;
    for (const page of info.pages) {
      let enc = page.encoding;
      if (enc.kind === 'nullable' && enc.nulls === 'none') enc = enc.values;
      if (enc.kind !== 'fixedSizeList' || enc.dimension !== dim || enc.hasValidity) return false;
      let items = enc.items;
      if (items.kind === 'nullable' && items.nulls === 'none') items = items.values;
      if (items.kind !== 'flat' || items.bitsPerValue !== 32 || items.compression !== undefined || items.buffer.location !== 'page') return false;
      const k = items.buffer.index;
      const byteLength = page.length * dim * 4;
      if (k >= page.bufferOffsets.length || page.bufferSizes[k] !== byteLength || row + page.length > n) return false;
      source.readIntoSync(page.bufferOffsets[k]!, memory.subarray((row + 1) * stride * 4, (row + 1) * stride * 4 + byteLength));
      row += page.length;
    }
    return row === n;
  } finally {
    source.close();
  }
}

/** Checks that every stored vector component of ids 0 … n−1 is finite (padding is zero). */
function checkVectors(parts: OpenedParts, target: RestoreTarget): void {
  const n = parts.row.num_ids;
  const stride = target.stride;
  const v = target.vectors;
  const bits = new Int32Array(v.buffer, v.byteOffset, v.length);
  const bad = firstNonFinite(bits, stride, stride * (n + 1));
  if (bad >= 0) {
    const id = Math.floor(bad / stride) - 1;
    throw corrupt(parts.root, `${NODES_DATASET} vector of id ${id} component ${bad - (id + 1) * stride}`, 'a finite number', v[bad]);
  }
}

/**
 * Index of the first float in `bits` (the raw words of float32 values, `start` to `end`) that is
 * NaN or ±∞ (all exponent bits set), or −1. One integer test per value.
 */
function firstNonFinite(bits: Int32Array, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    if ((bits[i]! & 0x7f800000) === 0x7f800000) return i;
  }
  return -1;
}

/**
 * Copies a layer-0 list (`count` ids from `items[begin]`) to `dst[at]`; returns the position of
 * the first id not below `n`, or −1. (Every node has layer 0: no level check.)
 */
function copyList0(items: Int32Array, begin: number, count: number, dst: Int32Array, at: number, n: number): number {
  for (let j = 0; j < count; j++) {
    const nb = items[begin + j]!;
    if (nb >>> 0 >= n) return j;
    dst[at + j] = nb;
  }
  return -1;
}

/** As {@link copyList0} for a list on `layer` ≥ 1: each id must also be a node of level ≥ layer. */
function copyListUp(items: Int32Array, begin: number, count: number, dst: Int32Array, at: number, n: number, layer: number, levels: Uint8Array): number {
  for (let j = 0; j < count; j++) {
    const nb = items[begin + j]!;
    if (nb >>> 0 >= n || levels[nb]! < layer) return j;
    dst[at + j] = nb;
  }
  return -1;
}

function badNeighbour(parts: OpenedParts, row: number, j: number, nb: number, layer: number, levels: Uint8Array): CorruptDataError {
  const n = parts.row.num_ids;
  const where = `${CONNECTIONS_DATASET} row ${row} neighbour ${j}`;
  if (nb < 0 || nb >= n) return corrupt(parts.root, where, `an id below num_ids = ${n}`, nb);
  return corrupt(parts.root, where, `a node of level ≥ ${layer}`, `node ${nb} of level ${levels[nb]}`);
}

/**
 * Reads the connection rows straight into the index's link arrays (later rows of a (node, layer)
 * win), checking each once: node ids and layers in range, list lengths within `M` / `2M`, every
 * neighbour an id below `num_ids` whose level reaches the layer, and a list for every (node, layer).
 * Returns the list checksums and where each list's row is (null when a list has several rows), fresh.
 */
function readConnections(
  parts: OpenedParts,
  levels: Uint8Array,
  starts: Int32Array,
  target: RestoreTarget,
  batches: readonly RecordBatch[],
): { sums: Uint32Array; positions: Int32Array | null } {
  const { root, row, config } = parts;
  const n = row.num_ids;
  const M = config.M;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  const numLists = n + starts[n]!;
  const upperOffsets = target.upperOffsets;
  const links0 = target.links0;
  const upperLinks = target.upperLinks;
  const sums = new Uint32Array(2 * numLists);
  const listSeen = new Uint8Array(numLists);
  const positions = new Int32Array(numLists);
  let repeated = false;
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    const nv = batch.columnAt(0) as Int32Vector;
    const lv = batch.columnAt(1) as Int32Vector;
    const kv = batch.columnAt(2) as ListVector<Int32>;
    const cv = batch.columnAt(3);
    noNulls(root, CONNECTIONS_DATASET, 'node', nv.nullCount);
    noNulls(root, CONNECTIONS_DATASET, 'layer', lv.nullCount);
    noNulls(root, CONNECTIONS_DATASET, 'neighbours', kv.nullCount);
    noNulls(root, CONNECTIONS_DATASET, 'checksum', cv.nullCount);
    const nodes = nv.values;
    const no = nv.offset;
    const layers = lv.values;
    const lo = lv.offset;
    const offs = kv.valueOffsets;
    const ko = kv.offset;
    const items = kv.values as Int32Array;
    const io = rows === 0 ? 0 : kv.valueOffset(0) - offs[ko]!;
    const { words, offset: co } = checksumWords(cv);
    for (let r = 0; r < rows; r++) {
      const node = nodes[no + r]!;
      const layer = layers[lo + r]!;
      if (node < 0 || node >= n) throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowBase + r} node`, `an id below num_ids = ${n}`, node);
      if (layer < 0 || layer > levels[node]!) {
        throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowBase + r} layer`, `0 to the level ${levels[node]} of node ${node}`, layer);
      }
      const begin = io + offs[ko + r]!;
      const count = io + offs[ko + r + 1]! - begin;
      const cap = layer === 0 ? 2 * M : M;
      if (count < 0 || count > cap) throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowBase + r} neighbours`, `at most ${cap} ids`, count);
      const dst = layer === 0 ? links0 : upperLinks;
      const base = layer === 0 ? node * stride0 : upperOffsets[node]! + (layer - 1) * strideUp;
      dst[base] = count;
      const bad = layer === 0 ? copyList0(items, begin, count, dst, base + 1, n) : copyListUp(items, begin, count, dst, base + 1, n, layer, levels);
      if (bad >= 0) throw badNeighbour(parts, rowBase + r, bad, items[begin + bad]!, layer, levels);
      const list = layer === 0 ? node : n + starts[node]! + layer - 1;
      if (listSeen[list] !== 0) repeated = true;
      listSeen[list] = 1;
      positions[list] = rowBase + r;
      sums[2 * list] = words[2 * (co + r)]!;
      sums[2 * list + 1] = words[2 * (co + r) + 1]!;
    }
    rowBase += rows;
  }
  let listsSeen = 0;
  for (let i = 0; i < numLists; i++) listsSeen += listSeen[i]!;
  if (listsSeen !== numLists) {
    throw corrupt(root, `${CONNECTIONS_DATASET} version ${row.connections_version}`, `all ${numLists} link lists`, `${listsSeen}`);
  }
  return { sums, positions: repeated ? null : positions };
}

/** An index being loaded: everything but the vectors is in place. */
interface PartialLoad {
  target: RestoreTarget;
  nodes: NodeArrays;
  lists: { sums: Uint32Array; positions: Int32Array | null };
}

/**
 * Checks the node rows and the metadata's entry point, level and generator state, makes the index
 * and reads the links straight into it. The vectors come next ({@link readVectorsDirect} or
 * {@link copyVectors}), then {@link finishLoad}. Each part is checked once, here or there.
 */
function startLoad(parts: OpenedParts, nodeBatches: readonly RecordBatch[], connectionBatches: readonly RecordBatch[], makeTarget: RestoreFactory): PartialLoad {
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
  const target = makeTarget(config, n, starts[n]! * strideUp);
  target.levels.set(levels);
  target.deleted.set(nodes.deleted);
  const upperOffsets = target.upperOffsets;
  for (let i = 0; i < n; i++) upperOffsets[i] = levels[i] === 0 ? -1 : starts[i]! * strideUp;
  const lists = readConnections(parts, levels, starts, target, connectionBatches);
  return { target, nodes, lists };
}

/** Checks the vectors now in the index and hands the index over, remembering the load for the next save. */
function finishLoad(parts: OpenedParts, load: PartialLoad): HNSW {
  const { root, row } = parts;
  checkVectors(parts, load.target);
  const index = load.target.finish(row.entry_point, row.max_level, row.rng_state);
  savedStates.set(index, {
    root,
    metadataVersion: parts.meta.version,
    metadataRows: parts.meta.countRows(),
    nodes: partState(parts.nodes, row.nodes_rows, load.nodes.positions),
    connections: partState(parts.connections, row.connections_rows, load.lists.positions),
    checksums: { numIds: row.num_ids, levels: load.nodes.levels, nodes: load.nodes.sums, lists: load.lists.sums },
  });
  return index;
}

/** What the index remembers of dataset version `ds` (loaded or just committed): `rows` live rows at `positions`. */
function partState(ds: Dataset, rows: number, positions: Int32Array | null): PartState {
  let physicalRows = 0;
  for (const f of ds.fragmentFiles()) physicalRows += f.physicalRows;
  return { version: ds.version, rows, physicalRows, positions };
}

function nodeBatchRows(parts: OpenedParts): number {
  return Math.max(1, Math.floor(LOAD_VECTOR_BATCH_BYTES / (4 * parts.config.dimension)));
}

function closeParts(parts: OpenedParts): void {
  parts.meta.closeSync();
  parts.nodes.closeSync();
  parts.connections.closeSync();
}

/**
 * Loads the index saved under `dir` into an index made by `makeTarget` (checked here, once).
 * @throws NotFoundError when there is no saved index or a part is missing; CorruptDataError when
 *   parts disagree (counts, ids, links); UnsupportedVersionError for a newer format
 */
export function loadIndexFromLanceSync(dir: string, makeTarget: RestoreFactory): HNSW {
  const parts = openParts(dir);
  try {
    const nodeBatches = [...parts.nodes.scanSync({ columns: NODE_ROW_COLUMNS, batchSize: LOAD_BATCH_ROWS })];
    const connectionBatches = [...parts.connections.scanSync({ batchSize: LOAD_BATCH_ROWS })];
    const load = startLoad(parts, nodeBatches, connectionBatches, makeTarget);
    if (!(load.nodes.inOrder && readVectorsDirect(parts, load.target))) {
      const vectorBatches = [...parts.nodes.scanSync({ columns: ['vector'], batchSize: nodeBatchRows(parts) })];
      copyVectors(parts, vectorBatches, load.nodes.rowIds, load.target);
    }
    return finishLoad(parts, load);
  } finally {
    closeParts(parts);
  }
}

/**
 * Asynchronous form of {@link loadIndexFromLanceSync} (reads the datasets concurrently; the
 * vector pages of a whole save are read synchronously straight into the index memory).
 */
export async function loadIndexFromLance(dir: string, makeTarget: RestoreFactory): Promise<HNSW> {
  const parts = openParts(dir);
  try {
    const collect = async (ds: Dataset, options: ScanOptions): Promise<RecordBatch[]> => {
      const out: RecordBatch[] = [];
      for await (const b of ds.scan(options)) out.push(b);
      return out;
    };
    const [nodeBatches, connectionBatches] = await Promise.all([
      collect(parts.nodes, { columns: NODE_ROW_COLUMNS, batchSize: LOAD_BATCH_ROWS }),
      collect(parts.connections, { batchSize: LOAD_BATCH_ROWS }),
    ]);
    const load = startLoad(parts, nodeBatches, connectionBatches, makeTarget);
    if (!(load.nodes.inOrder && readVectorsDirect(parts, load.target))) {
      const vectorBatches = await collect(parts.nodes, { columns: ['vector'], batchSize: nodeBatchRows(parts) });
      copyVectors(parts, vectorBatches, load.nodes.rowIds, load.target);
    }
    return finishLoad(parts, load);
  } finally {
    await Promise.all([parts.meta.close(), parts.nodes.close(), parts.connections.close()]);
  }
}

/**
 * Saving an index as three Lance datasets (layout in `layout.ts`).
 *
 * Commit protocol: a save first commits new versions of `nodes.lance` and `connections.lance`
 * (each atomic on its own, see @vego/io; the async form commits the two at once), then appends one row to `metadata.lance` naming those two
 * versions. That row is the commit point: a loader reads the last metadata row and opens the other
 * two datasets at exactly the versions it names (time travel), so a save killed at any moment
 * leaves the previous save loadable, and versions written by an unfinished save are ignored.
 *
 * Incremental saves: the caller passes the {@link SavedState} of its last save or load (a checksum
 * of every node row and every link list, `checksums.ts`, and the live row position of each one's
 * row, `positions.ts`). The next save to the same directory appends only the rows whose checksum
 * changed (new, updated and deleted nodes; relinked lists) and deletes the rows they supersede (a
 * deletion file, which LanceDB honours) in the same commit (@vego/io's `appendAndDelete`: one
 * version, one manifest), so every version holds exactly one live row per id and per list, for
 * LanceDB as for us. Which checksums to compare comes from the index: the ids whose vectors
 * changed, and the graph's dirty marks (nodes any of whose lists was written since the last save);
 * the others' checksums are carried over without hashing. When the deleted rows would exceed `compactionThreshold` of the rows a
 * dataset stores, or the dataset moved on since our last save (a crashed save, another writer), or
 * it was loaded with several rows for an id or list (saved by an earlier build, which did not
 * delete), or (in a local folder) so many of its rows changed that an append would cost more CPU
 * than a rewrite ({@link NODES_REWRITE_SHARE}), that dataset is rewritten whole as an `overwrite`
 * version instead. An index loaded from a
 * directory of an earlier format version (other node checksums) is saved whole, in this version.
 * A whole save (another directory, `full`, a moved-on dataset) still carries over the checksums
 * of the rows unchanged since the last save or load: they describe rows, not directories.
 */
import * as fs from 'node:fs';
import {
  ConflictError,
  type Dataset,
  InternalError,
  InvalidArgumentError,
  type DatasetWriteOptions,
  RecordBatch,
  type Schema,
  TypeId,
  makeData,
  makeVector,
  vectorFromTypedArray,
} from '@vego/io';
import type { HnswSnapshot } from '../snapshot';
import { Pacer } from '../internal/pacer';
import { CURRENT_LIST_HASH, type IndexChecksums, type TouchedEntries, checksumSteps, nodeHashOf } from './checksums';
import {
  type IndexLocation,
  type IndexStoreOptions,
  appendAndDeleteStep,
  closeStep,
  corrupt,
  createStep,
  reopenIfLatestStep,
  partPath,
  requireLocal,
  requireWritable,
  resolveLocation,
} from './directory';
import { metadataChecksum } from './metadata-row';
import { tableStep } from './open';
import { CONNECTIONS_DATASET, LANCE_FORMAT_VERSION, METADATA_DATASET, METADATA_SCHEMA, type MetadataRow, NODES_DATASET, connectionsSchema, nodesSchema } from './layout';
import { connectionsBatches, nodesBatch, releaseLinks } from './save-rows';
import { giveBackLinks } from './links-buffer';
import { type RowPlaces, placesAfterAppend, planAppend, reindexLists, sharedIdentity } from './positions';
import { type PartState, type SavedState, partState, physicalRowsOf } from './saved-state';
import { EVENT_LOOP_TURN, type Steps, bothSteps, pace, perform, runStepsAsync, runStepsSync } from './steps';

/**
 * Checks, right before a part's manifest is published, that the rows just written still describe
 * the index (throws when they may not): an async save that writes straight from the index's memory.
 */
export type SaveGuard = () => void;

/** The dataset-commit option that runs `guard` before the manifest is published (none without a guard). */
function guardOption(guard: SaveGuard | undefined): { beforeCommit?: SaveGuard } {
  return guard === undefined ? {} : { beforeCommit: guard };
}

/** {@link LanceSaveOptions} as the save's steps see them: with the caller's {@link SaveGuard}, if any. */
type SaveRunOptions = LanceSaveOptions & { readonly guard?: SaveGuard };

/** Options of `HNSW.saveToLance` / `saveToLanceSync`. */
export interface LanceSaveOptions extends IndexStoreOptions {
  /**
   * Rewrite a dataset whole (an `overwrite` version) instead of appending when the rows deleted
   * as superseded (kept on disk until a rewrite) would make up more than this share of the rows
   * it stores. A number from 0 to 1; default 0.5.
   */
  compactionThreshold?: number;
  /** Rewrite every dataset whole, whatever changed. Default false. */
  full?: boolean;
  /**
   * Fsync what the save writes before it returns (default true). False skips every fsync: the save
   * stays atomic (a reader, or a process reopening after a kill -9 at any moment, loads the previous
   * save or this one whole) but an operating-system crash or power loss may lose it or damage the
   * latest save. hnswlib-node's `writeIndex` and LanceDB do not fsync either. No effect on object stores.
   */
  durable?: boolean;
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
  /**
   * True when the dataset was rewritten whole (first save, compaction, `full`, or, in a local
   * folder, so large a share of its rows changed that rewriting costs less than appending).
   */
  nodesRewritten: boolean;
  connectionsRewritten: boolean;
}

/** Encodes the metadata row's text columns. */
const utf8 = new TextEncoder();

/** No row addresses: the commit row's append deletes nothing. */
const NO_ROWS = new Float64Array(0);

/** Default {@link LanceSaveOptions.compactionThreshold}. */
export const DEFAULT_COMPACTION_THRESHOLD = 0.5;
/**
 * Share of a dataset's entries past which an incremental save writes the dataset whole instead of
 * appending the changed rows (and deleting the rows they supersede). Measured on a 100K × 128
 * index (M = 16, `durable: false`, CPU of paired saves of the same change in one process): an
 * append of node rows cost about as much as rewriting all of them at 10 % of the ids and more
 * from 15 % on (a whole write takes the vectors straight from the index memory; an append copies
 * each row and writes a deletion file); an append of link lists cost less than a whole rewrite at
 * 25 % of the lists (27 000 of 107 000: median 20.8 ms against 24.2 ms) and more at 33 % (1 000
 * updates relink about 36 000: 35.3 ms against 32.4 ms). A whole write also leaves the dataset
 * without deleted rows.
 */
const NODES_REWRITE_SHARE = 0.15;
const LISTS_REWRITE_SHARE = 0.3;
/**
 * Fewest entries a dataset must hold for the shares above to apply: below, a save costs a few
 * milliseconds either way, and an append writes fewer bytes.
 */
const MIN_REWRITE_ENTRIES = 16_384;

/**
 * The share of `entries` changed entries past which a dataset of `loc` is written whole (1: never
 * for that reason). Only for local folders: on an object store the bytes uploaded cost more than
 * the CPU time, and an append uploads fewer.
 */
function rewriteShare(loc: IndexLocation, entries: number, share: number): number {
  return loc.store === null && entries >= MIN_REWRITE_ENTRIES ? share : 1;
}
/**
 * Fragments `nodes.lance` or `connections.lance` may hold: an incremental save appends one to each
 * it changes, and one about to pass this many is rewritten whole instead. Unbounded, a long-running
 * index saved after every few changes ended with one fragment per save (600 saves of a 5K index:
 * each save ~3× slower, a load ~580 ms instead of ~10), since every open and commit reads a manifest
 * listing them and a load opens a file per fragment. A rewrite costs one full save of that dataset
 * per this many saves.
 */
export const MAX_FRAGMENTS_PER_PART = 16;
/**
 * `metadata.lance` (one row and one fragment per save) is rewritten with only the newest row once it
 * holds this many. More than {@link MAX_FRAGMENTS_PER_PART}: its rows are the save history that
 * `cleanupOldVersions` reads (which commit was the latest at its cutoff), and a fragment of one tiny
 * row costs little to list.
 */
const METADATA_MAX_ROWS = 256;
/**
 * Writer options of the nodes and connections data files: integer pages stay flat (not
 * bit-packed). Bit-packing would save about 4 MiB per 100K nodes (neighbour ids need ~17 of 32
 * bits) but costs far more to unpack on load than the bytes it saves to read; files written
 * with it still load.
 */
const DATA_FILE_OPTIONS = { bitPacking: false } as const;

/**
 * Dataset options of a nodes/connections commit. Overwrites (new and full saves) write Lance 2.0 files, whatever
 * io's default: a load reads 2.0 plain vector pages straight from the file into the index's vectors
 * (`readFixedSizeListIntoSync`), where 2.1/2.2 pages are decoded and copied. Appends keep the dataset's version.
 */
function commitOptions(mode: DatasetWrite['mode'], schema: Schema, durable: boolean, pageByteLength: number | undefined, guard: SaveGuard | undefined): DatasetWriteOptions {
  const fileOptions = pageByteLength === undefined ? DATA_FILE_OPTIONS : { ...DATA_FILE_OPTIONS, pageByteLength };
  return { mode, schema, durable, fileOptions, ...(mode === 'overwrite' ? { storageVersion: '2.0' as const } : {}), ...guardOption(guard) };
}

/** Largest page {@link linksPageBytes} asks for (a scan of the column decodes up to a page at a time). */
const MAX_LINKS_PAGE_BYTES = 64 * 1024 * 1024;

/**
 * Page size of a whole save's `connections.lance` file: the layer-0 `links` rows exactly one page
 * (when at most 64 MiB; else the writer's default), so the writer writes them straight from the
 * index memory and the rows of higher layers as a page of their own, where pages of the default
 * size would end the layer-0 rows mid-page and copy the rest together with the higher rows.
 */
function linksPageBytes(n: number, M: number): number | undefined {
  const bytes = n * (1 + 2 * M) * 4;
  return bytes > 0 && bytes <= MAX_LINKS_PAGE_BYTES ? bytes : undefined;
}

/** A committed save: what it wrote, and the state the next save builds on. */
export interface SaveOutcome {
  result: LanceSaveResult;
  state: SavedState;
}

/** How a save writes one dataset (null in a plan: not at all, nothing changed). */
interface DatasetWrite {
  /** `overwrite`: rewritten whole; `append`: the changed rows appended and the rows they supersede deleted, in one commit. */
  mode: 'append' | 'overwrite';
  /** The rows to write (an overwrite may come in several batches, an append in one). */
  batch: RecordBatch | readonly RecordBatch[];
  /** Row addresses (ascending) of the rows the append supersedes, deleted in its commit; empty for an overwrite. */
  superseded: Float64Array;
  /** Live rows the dataset holds after the write (one per entry). */
  rowsAfter: number;
  /**
   * Overwrite: the live position of each entry's row after the write. Append: each entry's row
   * ordinal before the write (`positions.ts`), in the entry numbering after it (−1 for new
   * entries; a fresh copy, completed once the commit says where the appended rows went).
   */
  positions: Int32Array;
  /** For an append: the entries whose rows it appends (ascending, in batch order). */
  changed: Int32Array | null;
  /** For an append: the places the positions are ordinals in. */
  places: RowPlaces | null;
  /** For an append: the dataset at the version planned on (the latest when planned), which the commit builds on; null for an overwrite. */
  base: Dataset | null;
  /** Page size of an overwrite's data file (undefined: the writer's default). */
  pageByteLength?: number | undefined;
}

interface SavePlan {
  loc: IndexLocation;
  snapshot: HnswSnapshot;
  checksums: IndexChecksums;
  prev: SavedState | null;
  nodes: DatasetWrite | null;
  connections: DatasetWrite | null;
  /**
   * How the commit row is written: appended, or in a new version holding only it (`overwrite`), or
   * holding the rows kept so far and it in one fragment (`compact`: see {@link MAX_FRAGMENTS_PER_PART}).
   */
  metadataMode: 'append' | 'overwrite' | 'compact';
}

/** An overwrite of a dataset with `batch`, whose entry `e` is row `positions[e]`. */
function wholeWrite(batch: RecordBatch | readonly RecordBatch[], positions: Int32Array): DatasetWrite {
  return { mode: 'overwrite', batch, superseded: new Float64Array(0), rowsAfter: positions.length, positions, changed: null, places: null, base: null };
}

/**
 * Of the entries `touched` (ascending) whose checksums were just computed, those that differ from
 * their checksum before: the new ones, and the others whose two words differ from `before` at
 * their index then. Entries are numbered as lists are (`checksums.ts`; node ids are the same with
 * no upper lists): `e < oldN` kept its index, `oldN ≤ e < n` and `e ≥ firstNew` are new, and the
 * others were `e − (n − oldN)`. O(touched).
 */
function changedAmong(touched: Int32Array, now: Uint32Array, before: Uint32Array, oldN: number, n: number, firstNew: number): Int32Array {
  const out = new Int32Array(touched.length);
  const shift = n - oldN;
  let k = 0;
  for (let j = 0; j < touched.length; j++) {
    const e = touched[j]!;
    const b = e < oldN ? e : e < n || e >= firstNew ? -1 : e - shift;
    if (b < 0 || now[2 * e] !== before[2 * b] || now[2 * e + 1] !== before[2 * b + 1]) out[k++] = e;
  }
  return out.subarray(0, k);
}

/** Indices `i` where the two checksum arrays differ (or `i ≥ oldCount`), up to `count`. */
function changedEntries(now: Uint32Array, before: Uint32Array, count: number, oldCount: number): Int32Array {
  // One pass into room for all, then a view of the part used (an incremental save changes few).
  const out = new Int32Array(count);
  const old = Math.min(oldCount, count);
  let k = 0;
  for (let i = 0; i < old; i++) {
    if (now[2 * i] !== before[2 * i] || now[2 * i + 1] !== before[2 * i + 1]) out[k++] = i;
  }
  for (let i = old; i < count; i++) out[k++] = i;
  return out.subarray(0, k);
}

/**
 * True when the row checksums of `state` (the last save or load, wherever it was) describe the
 * same ids as `snapshot` (no fewer ids, the same levels) in this build's hash: the save then
 * carries over the checksums of rows that did not change since (`checksums.ts`), whether it writes
 * incrementally or whole, to this directory or another one. What changed since `state` is known
 * from the index (`vectorsChanged`, dirty marks), not from the directory.
 */
function checksumsReusable(state: SavedState | null, snapshot: HnswSnapshot): state is SavedState {
  if (state === null) return false;
  const before = state.checksums;
  if (before.numIds > snapshot.numIds || before.nodeHash !== nodeHashOf(LANCE_FORMAT_VERSION)) return false;
  // Compared natively (memcmp): a byte loop over 100K ids was a visible part of an incremental save.
  const levels = snapshot.levels;
  const now = Buffer.from(levels.buffer, levels.byteOffset, before.numIds);
  return now.equals(Buffer.from(before.levels.buffer, before.levels.byteOffset, before.numIds));
}

/**
 * `prev` (the state of the last save or load) if this save may build on it, else null (full save).
 * When it may, `metadata.latest` is `metadata.lance` at its latest version (the one `prev` names),
 * opened to check that and kept for the commit row's append (close it when done).
 */
function* usableState(prev: SavedState | null, loc: IndexLocation, snapshot: HnswSnapshot, metadata: { latest: Dataset | null }): Steps<SavedState | null> {
  if (prev === null || prev.root !== loc.root) return null;
  // Loaded from an earlier format version (other checksums, other connections schema), or other ids: rewritten whole.
  if (!checksumsReusable(prev, snapshot) || prev.checksums.listHash !== CURRENT_LIST_HASH) return null;
  // Someone else committed a save here since ours (or removed the folder and saved there again,
  // counting versions up from 1 as well): start over.
  const latest = yield* perform(reopenIfLatestStep(loc, METADATA_DATASET, prev.metadata));
  if (latest === null) return null;
  metadata.latest = latest;
  return prev;
}

/**
 * How one dataset is written: whole (no usable state of it, the dataset moved on since our last
 * save, positions unknown, more than `rewriteShare` of its entries changed, or superseded rows
 * past `threshold` of the rows stored), not at all
 * (nothing changed), or as an append of the changed entries' rows with the deletion of
 * the rows they supersede. Deleted rows keep taking space until a rewrite, so the compaction rule
 * counts them: after the save, `physicalRows` grows by the appended rows and the dead rows by the
 * deleted ones (fragments left with no live row are dropped by the delete, so this errs towards
 * rewriting early).
 */
function* planDatasetWrite(
  loc: IndexLocation,
  name: string,
  prev: PartState | null,
  threshold: number,
  rewriteShare: number,
  whole: () => Steps<DatasetWrite>,
  changedOf: (places: RowPlaces) => { changed: Int32Array; before: Int32Array },
  rowsOf: (changed: Int32Array) => Steps<RecordBatch>,
): Steps<DatasetWrite | null> {
  if (prev === null || prev.places === null) return yield* whole();
  const places = prev.places;
  // Reopened once, if still the latest version and the very one of our last save or load: checked
  // here, and an append commits on top of it.
  const latest = yield* perform(reopenIfLatestStep(loc, name, prev.dataset));
  let keep = false;
  try {
    if (latest === null || latest.numFragments >= MAX_FRAGMENTS_PER_PART) return yield* whole();
    const { changed, before } = changedOf(places);
    if (changed.length === 0) return null;
    if (changed.length > rewriteShare * before.length) return yield* whole();
    const update = planAppend(places, changed, before, prev.rows);
    if (update === null) return yield* whole();
    const physicalAfter = prev.physicalRows + changed.length;
    const deadAfter = prev.physicalRows - prev.rows + update.superseded.length;
    if (deadAfter > threshold * physicalAfter) return yield* whole();
    const batch = yield* rowsOf(changed);
    keep = true;
    return { mode: 'append', batch, superseded: update.superseded, rowsAfter: before.length, positions: before, changed, places, base: latest };
  } finally {
    if (!keep) yield* perform(closeStep(latest));
  }
}

/** The location and compaction threshold of a save, checked. */
function checkSaveOptions(dir: unknown, options: LanceSaveOptions): { loc: IndexLocation; threshold: number } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object');
  const threshold = options.compactionThreshold ?? DEFAULT_COMPACTION_THRESHOLD;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`\`compactionThreshold\` must be a number from 0 to 1, got ${String(threshold)}`);
  }
  if (options.durable !== undefined && typeof options.durable !== 'boolean') throw new InvalidArgumentError(`\`durable\` must be a boolean, got ${String(options.durable)}`);
  const loc = resolveLocation(dir, options);
  requireWritable(loc);
  return { loc, threshold };
}

function* planSave(
  state: SavedState | null,
  snapshot: HnswSnapshot,
  vectorsChanged: ReadonlySet<number> | null,
  listsChanged: Uint8Array | null,
  loc: IndexLocation,
  threshold: number,
  options: LanceSaveOptions,
  metadata: { latest: Dataset | null },
): Steps<SavePlan> {
  const prev = options.full === true ? null : yield* usableState(state, loc, snapshot, metadata);
  // The long loops below turn the event loop when `pacer` is due (an async save); the conflict
  // checks stay where they were: each commit publishes exactly the version after the one planned on.
  const pacer = new Pacer();
  // Checksums of unchanged rows are carried over from the last save or load even when this save
  // writes whole (a first save to another directory, `full`, a moved-on dataset).
  const base = prev ?? (checksumsReusable(state, snapshot) ? state : null);
  const touched: TouchedEntries = { nodes: null, lists: null };
  const checksums = yield* checksumSteps(snapshot, base === null ? null : { before: base.checksums, vectorsChanged, listsChanged }, pacer, touched);
  yield* pace(pacer);
  const n = snapshot.numIds;
  const starts = checksums.starts;
  const numLists = n + starts[n]!;
  const oldN = prev === null ? 0 : prev.checksums.numIds;
  // Whole writes number rows 0, 1, 2, …: one identity array serves as the id column, the layer-0
  // node column and the positions of both datasets (views; never written after this, as nothing
  // in a SavedState is), shared with earlier saves (`positions.ts`).
  const identityOf = sharedIdentity;

  const nodes = yield* planDatasetWrite(
    loc,
    NODES_DATASET,
    prev?.nodes ?? null,
    threshold,
    rewriteShare(loc, n, NODES_REWRITE_SHARE),
    function* () {
      return wholeWrite(nodesBatch(snapshot, checksums, null, identityOf(n)), identityOf(n));
    },
    (places) => {
      // Ids from oldN on are new: no row yet.
      const before = new Int32Array(n);
      before.set(places.ordinals.subarray(0, oldN));
      before.fill(-1, oldN);
      const sumsBefore = prev!.checksums.nodes;
      const changed =
        touched.nodes === null ? changedEntries(checksums.nodes, sumsBefore, n, oldN) : changedAmong(touched.nodes, checksums.nodes, sumsBefore, oldN, n, n);
      return { changed, before };
    },
    function* (changed) {
      return nodesBatch(snapshot, checksums, changed);
    },
  );

  const connections = yield* planDatasetWrite(
    loc,
    CONNECTIONS_DATASET,
    prev?.connections ?? null,
    threshold,
    rewriteShare(loc, numLists, LISTS_REWRITE_SHARE),
    function* () {
      // Row k is list k (layout.ts): layer-0 lists of ids 0 … n−1, then the upper lists in list order.
      const batches = yield* connectionsBatches(snapshot, checksums, starts, null, pacer, identityOf(n));
      return { ...wholeWrite(batches, identityOf(numLists)), pageByteLength: linksPageBytes(n, snapshot.config.M) };
    },
    (places) => {
      // Old upper lists sit at n + start, new layer-0 lists push them up by n − oldN: re-index.
      const before = reindexLists(places.ordinals, 1, oldN, n, numLists, -1);
      const old = prev!.checksums.lists;
      if (touched.lists === null) return { changed: changedListEntries(checksums.lists, reindexLists(old, 2, oldN, n, numLists, 0), n, oldN, starts), before };
      // Upper lists of new ids start at n + starts[oldN].
      return { changed: changedAmong(touched.lists, checksums.lists, old, oldN, n, n + starts[oldN]!), before };
    },
    function* (changed) {
      return (yield* connectionsBatches(snapshot, checksums, starts, changed, pacer, undefined, touched.rows ?? null))[0]!;
    },
  );
  // The rows gathered for the checksums, unless the append writes from them: their buffer is the next save's.
  if (touched.rows !== undefined && connections?.mode !== 'append') giveBackLinks(touched.rows.links);
  // A metadata dataset of an earlier build (no checksum column) is rewritten, not appended to.
  // One holding MAX_FRAGMENTS_PER_PART fragments (a row each) is rewritten with its rows in one: a
  // load reads every fragment of it (it checks each one's row count), ~0.2 ms per tiny file.
  const metadataMode =
    prev === null || prev.metadataRows >= METADATA_MAX_ROWS || !prev.metadataChecksummed
      ? 'overwrite'
      : (metadata.latest?.numFragments ?? 0) >= MAX_FRAGMENTS_PER_PART
        ? 'compact'
        : 'append';
  return { loc, snapshot, checksums, prev, nodes, connections, metadataMode };
}

/** Changed list indices: lists of ids ≥ oldN are always new; others compare checksums. */
function changedListEntries(now: Uint32Array, before: Uint32Array, n: number, oldN: number, starts: Int32Array): Int32Array {
  const numLists = n + starts[n]!;
  // Lists [oldN, n) (layer 0 of new ids) and [n + starts[oldN], numLists) (upper lists of new ids) are new.
  const firstNewUpper = n + starts[oldN]!;
  const out = new Int32Array(numLists);
  let k = 0;
  for (let i = 0; i < numLists; i++) {
    if ((i >= oldN && i < n) || i >= firstNewUpper || now[2 * i] !== before[2 * i] || now[2 * i + 1] !== before[2 * i + 1]) out[k++] = i;
  }
  return out.subarray(0, k);
}

function metadataBatch(plan: SavePlan, nodes: PartState, connections: PartState): RecordBatch {
  const s = plan.snapshot;
  const live = plan.checksums.live;
  const row: MetadataRow = {
    format_version: LANCE_FORMAT_VERSION,
    nodes_version: nodes.dataset.version,
    connections_version: connections.dataset.version,
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
  row.checksum = metadataChecksum(row as unknown as Record<string, unknown>);
  return metadataRowBatch(row as unknown as Record<string, unknown>);
}

/**
 * The one-row batch of `row` (a metadata row, every field of METADATA_SCHEMA set), its columns
 * built straight from the values: the same batch `recordBatchFromRows` builds, without its
 * per-field builders (a tenth of a millisecond and more per save).
 */
function metadataRowBatch(row: Readonly<Record<string, unknown>>): RecordBatch {
  const columns = METADATA_SCHEMA.fields.map((f) => {
    const v = row[f.name];
    const id = f.type.typeId;
    if (id === TypeId.Int32) return vectorFromTypedArray(Int32Array.of(v as number));
    if (id === TypeId.Float64) return vectorFromTypedArray(Float64Array.of(v as number));
    if (id === TypeId.Int64) return vectorFromTypedArray(BigInt64Array.of(v as bigint));
    if (id === TypeId.Utf8) {
      const bytes = utf8.encode(v as string);
      return makeVector(makeData({ type: f.type, length: 1, valueOffsets: Int32Array.of(0, bytes.length), values: bytes }));
    }
    throw new InternalError(`metadata field '${f.name}' has a type this save does not build`);
  });
  return new RecordBatch(METADATA_SCHEMA, columns);
}

/** Creates the index folder (an object store needs none: keys have no folders). */
function ensureRoot(loc: IndexLocation): void {
  if (loc.store !== null) return;
  try {
    fs.mkdirSync(loc.root, { recursive: true });
  } catch (cause) {
    throw new InvalidArgumentError(`cannot create the index directory '${loc.root}': ${(cause as Error).message}`, { cause });
  }
}

/**
 * What the index remembers of a dataset once `w` is committed as `ds`: for an append, the places
 * of the appended rows (O(rows appended + fragments), see `positions.ts`).
 */
function committedPart(path: string, ds: Dataset, w: DatasetWrite): PartState {
  const rows = ds.countRows();
  if (rows !== w.rowsAfter) throw new InternalError(`saving '${path}': expected ${w.rowsAfter} live rows after version ${ds.version}, found ${rows}`);
  if (w.mode === 'overwrite') return partState(ds, rows, w.positions);
  return { dataset: ds, rows, physicalRows: physicalRowsOf(ds), places: placesAfterAppend(w.places!, w.positions, w.changed!, ds) };
}

/**
 * Commits one dataset's part of a save: an overwrite, or the changed rows appended and the rows
 * they supersede deleted in one commit (@vego/io's `appendAndDelete`, the version after the one
 * this index last saved or loaded; LanceDB honours the deletions too). When another writer
 * committed that version first, the commit fails with ConflictError and writes nothing.
 */
function* commitPart(loc: IndexLocation, name: string, w: DatasetWrite | null, schema: Schema, prev: PartState | undefined, durable: boolean, guard: SaveGuard | undefined): Steps<PartState> {
  if (w === null) return prev!;
  const path = partPath(loc, name);
  if (w.mode === 'overwrite') {
    const written = yield* perform(createStep(loc, name, w.batch, commitOptions(w.mode, schema, durable, w.pageByteLength, guard)));
    try {
      return committedPart(path, written, w);
    } finally {
      yield* perform(closeStep(written));
    }
  }
  const base = w.base!;
  let ds: Dataset | null = null;
  try {
    try {
      ds = yield* perform(appendAndDeleteStep(base, w.batch as RecordBatch, w.superseded, { schema, durable, fileOptions: DATA_FILE_OPTIONS, ...guardOption(guard) }));
    } catch (e) {
      if (e instanceof ConflictError) {
        throw new ConflictError(`cannot save to '${path}': another writer committed version ${prev!.dataset.version + 1} first; the previous save stays committed, save again`, { cause: e });
      }
      throw e;
    }
    return committedPart(path, ds, w);
  } finally {
    // The dataset objects may hold data files open (the delete checks them): close what we opened.
    yield* perform(closeStep(base, ds));
  }
}

/** The whole save, as steps (see the top of this file). */
function* saveSteps(
  snapshot: HnswSnapshot,
  loc: IndexLocation,
  threshold: number,
  options: SaveRunOptions,
  state: SavedState | null,
  vectorsChanged: ReadonlySet<number> | null,
  listsChanged: Uint8Array | null,
): Steps<SaveOutcome> {
  // metadata.lance at the version the last save committed, opened once when planning (to check
  // nobody saved since) and appended to by this save's commit row: the version after it, or ConflictError.
  const metadataAt: { latest: Dataset | null } = { latest: null };
  try {
    return yield* planAndCommit(snapshot, loc, threshold, options, state, vectorsChanged, listsChanged, metadataAt);
  } finally {
    yield* perform(closeStep(metadataAt.latest));
  }
}

/** {@link saveSteps} once `metadata.lance` may be open (in `metadataAt`). */
function* planAndCommit(
  snapshot: HnswSnapshot,
  loc: IndexLocation,
  threshold: number,
  options: SaveRunOptions,
  state: SavedState | null,
  vectorsChanged: ReadonlySet<number> | null,
  listsChanged: Uint8Array | null,
  metadataAt: { latest: Dataset | null },
): Steps<SaveOutcome> {
  const plan = yield* planSave(state, snapshot, vectorsChanged, listsChanged, loc, threshold, options, metadataAt);
  // Planning (checksums, change detection, the batches) and encoding the rows are the two long
  // synchronous pieces of a save (30–60 ms each for a full 100K × 128 one): an async save lets the
  // event loop run between them.
  yield* perform(EVENT_LOOP_TURN);
  ensureRoot(loc);
  const { prev } = plan;
  const durable = options.durable !== false;
  // The two parts are independent until the metadata row names them: an async save commits them
  // at once (their writes, fsyncs or uploads overlap); a sync one in turn.
  let parts: [PartState, PartState];
  try {
    parts = yield* perform(
      bothSteps(
        commitPart(loc, NODES_DATASET, plan.nodes, nodesSchema(plan.snapshot.config.dimension, plan.snapshot.config.distance), prev?.nodes, durable, options.guard),
        commitPart(loc, CONNECTIONS_DATASET, plan.connections, connectionsSchema(plan.snapshot.config.M), prev?.connections, durable, options.guard),
      ),
    );
  } finally {
    // Both commits settled (bothSteps waits for both): the links are written, their buffer is the next save's.
    const batch = plan.connections?.batch;
    if (batch !== undefined) for (const b of Array.isArray(batch) ? (batch as readonly RecordBatch[]) : [batch as RecordBatch]) releaseLinks(b);
  }
  const [nodes, connections] = parts;
  const meta = metadataBatch(plan, nodes, connections);
  const latest = metadataAt.latest;
  // The guard once more before the commit row: it also covers the rows planning read (checksums
  // that decided a part was unchanged and wrote nothing for it). A new or rewritten metadata.lance
  // is Lance 2.0, as the other parts: for one row of 17 small columns, 2.1's structural pages cost
  // more to encode than the rest of its commit (~0.5 of ~2 ms); appends keep the dataset's version.
  const guarded = guardOption(options.guard);
  let rows: RecordBatch | RecordBatch[] = meta;
  if (plan.metadataMode === 'compact' && latest !== null) {
    // The rows so far (the save history cleanupOldVersions reads), checked against the manifest's count as a load checks them.
    const kept = yield* perform(tableStep(latest, {}));
    if (kept.numRows !== latest.countRows()) throw corrupt(loc.root, `${METADATA_DATASET} version ${latest.version}`, `${latest.countRows()} rows (from its manifest)`, kept.numRows);
    rows = [...kept.batches, meta];
  }
  const metadata =
    plan.metadataMode === 'append' && latest !== null
      ? yield* perform(appendAndDeleteStep(latest, meta, NO_ROWS, { schema: METADATA_SCHEMA, durable, ...guarded }))
      : yield* perform(createStep(loc, METADATA_DATASET, rows, { mode: 'overwrite', schema: METADATA_SCHEMA, storageVersion: '2.0', durable, ...guarded }));
  try {
    return finishSave(plan, nodes, connections, metadata);
  } finally {
    yield* perform(closeStep(metadata));
  }
}

/**
 * Saves the index whose state is `snapshot` (views of its memory may do: nothing here yields
 * before the data is written) under `dir`, a local folder (see the top of this file). Synchronous.
 * @param state - what the index remembers of its last save or load (null: none), for an
 *   incremental save; the returned `state` replaces it
 * @param vectorsChanged - ids whose vector changed since `state` (null: unknown, every vector is hashed)
 * @param listsChanged - the graph's dirty marks: 1 at each id any of whose link lists was written
 *   since `state` (null: unknown, every list is hashed)
 * @throws InvalidArgumentError for a bad `dir` or option; NotSupportedError for a URI (save those
 *   with {@link saveIndexToLance}); ConflictError when another writer commits to the directory
 *   during the save; IoError from @vego/io
 */
export function saveIndexToLanceSync(
  snapshot: HnswSnapshot,
  dir: string,
  options: LanceSaveOptions,
  state: SavedState | null,
  vectorsChanged: ReadonlySet<number> | null = null,
  listsChanged: Uint8Array | null = null,
): SaveOutcome {
  requireLocal(dir, 'saveToLanceSync()');
  const { loc, threshold } = checkSaveOptions(dir, options);
  return runStepsSync(saveSteps(snapshot, loc, threshold, options, state, vectorsChanged, listsChanged));
}

/**
 * Asynchronous form of {@link saveIndexToLanceSync}, which also saves to an object store
 * (`s3://bucket/prefix` with `storageOptions`; each part commits by a conditional put, the
 * metadata row last). `snapshot` must be a copy (the index may change while this waits), or views
 * of the index's memory with a `guard` that throws once the index changed: it runs before each
 * part's manifest is published, after that part's rows were read and written, so a part whose
 * rows may mix two states of the index is never committed (the save fails with the guard's error
 * and its files are removed; a part committed before is left as a crashed save leaves it).
 * @throws NotSupportedError for a read-only location (`http(s)://`) or a store without conditional puts
 */
export async function saveIndexToLance(
  snapshot: HnswSnapshot,
  dir: string,
  options: LanceSaveOptions,
  state: SavedState | null,
  vectorsChanged: ReadonlySet<number> | null = null,
  listsChanged: Uint8Array | null = null,
  guard: SaveGuard | null = null,
): Promise<SaveOutcome> {
  const { loc, threshold } = checkSaveOptions(dir, options);
  const run: SaveRunOptions = guard === null ? options : { ...options, guard };
  return runStepsAsync(saveSteps(snapshot, loc, threshold, run, state, vectorsChanged, listsChanged));
}

/** Rows a planned write writes (0 for none). */
function rowsIn(w: DatasetWrite | null): number {
  if (w === null) return 0;
  if (!Array.isArray(w.batch)) return (w.batch as RecordBatch).numRows;
  let rows = 0;
  for (const b of w.batch as readonly RecordBatch[]) rows += b.numRows;
  return rows;
}

/** The result of a committed save, and the state the next save builds on. */
function finishSave(plan: SavePlan, nodes: PartState, connections: PartState, metadata: Dataset): SaveOutcome {
  const result: LanceSaveResult = {
    nodesVersion: nodes.dataset.version,
    connectionsVersion: connections.dataset.version,
    metadataVersion: metadata.version,
    nodeRowsWritten: rowsIn(plan.nodes),
    connectionRowsWritten: rowsIn(plan.connections),
    nodeRowsDeleted: plan.nodes?.superseded.length ?? 0,
    connectionRowsDeleted: plan.connections?.superseded.length ?? 0,
    nodesRewritten: plan.nodes?.mode === 'overwrite',
    connectionsRewritten: plan.connections?.mode === 'overwrite',
  };
  const state: SavedState = {
    root: plan.loc.root,
    metadata,
    metadataRows: metadata.countRows(),
    metadataChecksummed: true,
    nodes,
    connections,
    checksums: plan.checksums,
  };
  return { result, state };
}

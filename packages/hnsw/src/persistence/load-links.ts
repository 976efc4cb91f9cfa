/**
 * Loading `connections.lance`: every link list read straight into the new index's link arrays and
 * checked once on the way (node ids and layers in range, list lengths, every neighbour an id whose
 * level reaches the layer, a list for every node and layer), then the stored list checksums
 * verified against what was read.
 *
 * Format version 3 (fixed-width `links` rows, `layout.ts`): the small columns (`node`, `layer`,
 * `checksum`) are scanned first; when they show a whole save (one fragment, no deletions, row k
 * = list k) in a local folder, the `links` rows of layer 0 are read by @vego/format straight from
 * the data file into the index's layer-0 memory (no decoded copy, no per-row work but the check),
 * and the few rows of higher layers through one 64 KiB scratch array, a chunk at a time. Otherwise
 * (after incremental saves, on an object store) the `links` column is scanned in batches and each
 * row copied to its place. Versions 1 and 2 (`list<int32>` rows) are read row by row ({@link readConnectionsV2}).
 */
import { type CorruptDataError, type Dataset, FileSource, type FixedSizeListVector, type Int32, type Int32Vector, LanceFileReader, type ListVector, type RecordBatch, type ScanOptions } from '@vego/io';
import type { RestoreTarget } from '../internal/restore-target';
import { checksumHex, firstLinkRowMismatch, firstListMismatch, listHashOf } from './checksums';
import { corrupt } from './directory';
import { CONNECTIONS_DATASET, connectionsSchema } from './layout';
import type { OpenedParts } from './open';
import { RowLedger, checkedBatch } from './row-ledger';
import { type Step, type Steps, perform } from './steps';

/** Columns of `connections.lance` (format versions 1 and 2), in the order a load reads them. */
const CONNECTION_COLUMNS = ['node', 'layer', 'neighbours', 'checksum'] as const;
/** Columns of `connections.lance` (format version 3) scanned first; `links` is read on its own. */
const LINK_ROW_COLUMNS = ['node', 'layer', 'checksum'] as const;
/**
 * Bytes of the one scratch array the rows of higher layers of a whole save are read through, a
 * chunk at a time (496 rows at M = 16): reading them all at once took ~870 KB at 100K nodes, M = 16,
 * malloc'd memory that glibc keeps after the load once its thresholds have risen.
 */
export const UPPER_CHUNK_BYTES = 64 * 1024;
/** Rows per batch when the `links` column is scanned (about 8 MiB of rows at M = 16, not the whole column at once). */
const LINKS_BATCH_ROWS = 65536;

/**
 * The columns of `connections.lance` a load scans with the node rows, for a save of format
 * version `formatVersion`: every column for versions 1 and 2, all but `links` for version 3.
 */
export function connectionScanColumns(formatVersion: number): readonly string[] {
  return formatVersion >= 3 ? LINK_ROW_COLUMNS : CONNECTION_COLUMNS;
}

/** The link lists of a saved index as read: checksums and rows, per list. */
export interface ListArrays {
  sums: Uint32Array;
  /** Live row position of each list's row; null when some list has several rows (fresh). */
  positions: Int32Array | null;
  /** Row of each list's (last) row, for error messages. */
  rowOf: Int32Array;
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
 * Reads the connection rows (`batches`: the columns {@link connectionScanColumns} names, in row
 * order) and the link lists straight into the index's link arrays (later rows of a (node, layer)
 * win), checking each once: node ids and layers in range, list lengths within `M` / `2M`, every
 * neighbour an id below `num_ids` whose level reaches the layer, padding words of higher layers
 * zero (version 3), and a list for every (node, layer). Returns the list checksums and where each
 * list's row is (null when a list has several rows), fresh. As steps: a version-3 dataset that is
 * not a whole save in a local folder has its `links` column scanned.
 */
export function* readConnections(
  parts: OpenedParts,
  levels: Uint8Array,
  starts: Int32Array,
  target: RestoreTarget<unknown>,
  batches: readonly RecordBatch[],
): Steps<ListArrays> {
  if (parts.row.format_version < 3) return readConnectionsV2(parts, levels, starts, target, batches);
  return yield* readConnectionsV3(parts, levels, starts, target, batches);
}

/** {@link readConnections} for format versions 1 and 2 (`neighbours list<int32>`, every column in `batches`). */
function readConnectionsV2(
  parts: OpenedParts,
  levels: Uint8Array,
  starts: Int32Array,
  target: RestoreTarget<unknown>,
  batches: readonly RecordBatch[],
): ListArrays {
  const { root, row, config } = parts;
  const n = row.num_ids;
  const M = config.M;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  const numLists = n + starts[n]!;
  const upperOffsets = target.upperOffsets;
  const links0 = target.links0;
  const upperLinks = target.upperLinks;
  const ledger = new RowLedger(numLists);
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    const { words, offset: co } = checkedBatch(root, CONNECTIONS_DATASET, batch, CONNECTION_COLUMNS);
    const nv = batch.columnAt(0) as Int32Vector;
    const lv = batch.columnAt(1) as Int32Vector;
    const kv = batch.columnAt(2) as ListVector<Int32>;
    const nodes = nv.values;
    const no = nv.offset;
    const layers = lv.values;
    const lo = lv.offset;
    const offs = kv.valueOffsets;
    const ko = kv.offset;
    const items = kv.values as Int32Array;
    const io = rows === 0 ? 0 : kv.valueOffset(0) - offs[ko]!;
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
      ledger.note(layer === 0 ? node : n + starts[node]! + layer - 1, rowBase + r, words, co + r);
    }
    rowBase += rows;
  }
  const listsSeen = ledger.countSeen();
  if (listsSeen !== numLists) {
    throw corrupt(root, `${CONNECTIONS_DATASET} version ${row.connections_version}`, `all ${numLists} link lists`, `${listsSeen}`);
  }
  return { sums: ledger.sums, positions: ledger.livePositions(), rowOf: ledger.positions };
}

/**
 * Verifies the checksum stored with every link-list row against the list as loaded.
 * @throws CorruptDataError naming the dataset, the row, node and layer, and the stored vs computed checksum
 */
export function verifyListChecksums(parts: OpenedParts, levels: Uint8Array, starts: Int32Array, lists: ListArrays, target: RestoreTarget<unknown>): void {
  const n = parts.row.num_ids;
  const found = new Uint32Array(2);
  const verify = listHashOf(parts.row.format_version) === 2 ? firstLinkRowMismatch : firstListMismatch;
  const bad = verify(target.links0, target.upperLinks, target.upperOffsets, parts.config.M, levels, starts, lists.sums, n, found);
  if (bad >= 0) {
    let node = bad;
    let layer = 0;
    if (bad >= n) {
      // Upper list: the node whose block of upper lists holds it.
      const u = bad - n;
      node = 0;
      while (!(starts[node]! <= u && u < starts[node]! + levels[node]!)) node++;
      layer = u - starts[node]! + 1;
    }
    throw corrupt(
      parts.root,
      `${CONNECTIONS_DATASET} version ${parts.row.connections_version} row ${lists.rowOf[bad]} (node ${node}, layer ${layer}) checksum`,
      checksumHex(lists.sums, bad),
      `${checksumHex(found, 0)} computed from the row's ${listHashOf(parts.row.format_version) === 2 ? 'links' : 'neighbours'}`,
    );
  }
}

/**
 * {@link readConnections} for format version 3: `batches` hold `node`, `layer` and `checksum`;
 * the `links` rows are read straight into the link arrays when the dataset is a whole save in a
 * local folder, else scanned.
 */
function* readConnectionsV3(parts: OpenedParts, levels: Uint8Array, starts: Int32Array, target: RestoreTarget<unknown>, batches: readonly RecordBatch[]): Steps<ListArrays> {
  const { root, row } = parts;
  const n = row.num_ids;
  const numLists = n + starts[n]!;
  const ledger = new RowLedger(numLists);
  // The list of every row, in row order; `inOrder` while row k is list k (a whole save).
  const rowLists = new Int32Array(row.connections_rows);
  let inOrder = row.connections_rows === numLists;
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    if (rowBase + rows > rowLists.length) throw corrupt(root, CONNECTIONS_DATASET, `${rowLists.length} rows`, 'more');
    const { words, offset: co } = checkedBatch(root, CONNECTIONS_DATASET, batch, LINK_ROW_COLUMNS);
    const nv = batch.columnAt(0) as Int32Vector;
    const lv = batch.columnAt(1) as Int32Vector;
    const bad = noteLinkRows(nv.values, nv.offset, lv.values, lv.offset, rows, rowBase, n, levels, starts, rowLists, ledger, words, co);
    if (bad >= 0) {
      const node = nv.values[nv.offset + bad]!;
      const layer = lv.values[lv.offset + bad]!;
      if (node < 0 || node >= n) throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowBase + bad} node`, `an id below num_ids = ${n}`, node);
      throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowBase + bad} layer`, `0 to the level ${levels[node]} of node ${node}`, layer);
    }
    if (inOrder) inOrder = isIdentityRun(rowLists, rowBase, rows);
    rowBase += rows;
  }
  const listsSeen = ledger.countSeen();
  if (listsSeen !== numLists) {
    throw corrupt(root, `${CONNECTIONS_DATASET} version ${row.connections_version}`, `all ${numLists} link lists`, `${listsSeen}`);
  }
  if (!(inOrder && readLinksDirect(parts, starts, target))) {
    let at = 0;
    // Batch by batch: only one batch of decoded rows is alive at a time.
    yield* perform(
      forEachLinksBatch(parts.connections, (b) => {
        const v = b.columnAt(0) as FixedSizeListVector;
        if (v.nullCount !== 0 || (b.numRows > 0 && v.child.nullCount !== 0)) throw corrupt(root, `${CONNECTIONS_DATASET} column 'links'`, 'no nulls', `${v.nullCount} null lists`);
        if (at + b.numRows > rowLists.length) throw corrupt(root, CONNECTIONS_DATASET, `${rowLists.length} rows`, 'more');
        if (b.numRows > 0) placeLinkRows(parts, starts, target, v.values as Int32Array, v.valueOffset(0), rowLists, at, b.numRows);
        at += b.numRows;
      }),
    );
    if (at !== rowLists.length) throw corrupt(root, `${CONNECTIONS_DATASET} column 'links'`, `${rowLists.length} rows`, at);
  }
  checkLinks(parts, levels, starts, target, ledger.positions);
  return { sums: ledger.sums, positions: ledger.livePositions(), rowOf: ledger.positions };
}

/** True when `rowLists[from + r] = from + r` for every r below `count` (a plain function: inside a generator V8 would not optimise the loop). */
function isIdentityRun(rowLists: Int32Array, from: number, count: number): boolean {
  for (let r = from; r < from + count; r++) if (rowLists[r] !== r) return false;
  return true;
}

/**
 * Notes rows `rowBase …` (node and layer columns at `nodes[no …]`, `layers[lo …]`) in `ledger` and
 * `rowLists`; returns the first row (within the batch) whose node or layer is out of range, or −1.
 */
function noteLinkRows(
  nodes: Int32Array,
  no: number,
  layers: Int32Array,
  lo: number,
  rows: number,
  rowBase: number,
  n: number,
  levels: Uint8Array,
  starts: Int32Array,
  rowLists: Int32Array,
  ledger: RowLedger,
  words: Uint32Array,
  co: number,
): number {
  for (let r = 0; r < rows; r++) {
    const node = nodes[no + r]!;
    const layer = layers[lo + r]!;
    if (node >>> 0 >= n || layer < 0 || layer > levels[node]!) return r;
    const list = layer === 0 ? node : n + starts[node]! + layer - 1;
    rowLists[rowBase + r] = list;
    ledger.note(list, rowBase + r, words, co + r);
  }
  return -1;
}

/**
 * Reads the `links` rows of a whole save (row k = list k) straight from its one data file: rows
 * 0 … n−1 into the layer-0 memory, the rest through one scratch array into their upper slots.
 * False, having read nothing into place, when the layout does not allow it (object store, several
 * fragments or files, deletions, pages that are not plain); the caller scans instead.
 */
function readLinksDirect(parts: OpenedParts, starts: Int32Array, target: RestoreTarget<unknown>): boolean {
  if (parts.location.store !== null) return false;
  const n = parts.row.num_ids;
  const numLists = n + starts[n]!;
  if (numLists === 0) return true;
  const fragments = parts.connections.fragmentFiles();
  if (fragments.length !== 1) return false;
  const fragment = fragments[0]!;
  if (fragment.hasDeletions || fragment.paths.length !== 1 || fragment.physicalRows !== numLists) return false;
  const M = parts.config.M;
  const width = 1 + 2 * M;
  const source = FileSource.openSync(fragment.paths[0]!);
  try {
    const reader = LanceFileReader.openSync(source);
    const field = reader.schema.field('links');
    if (reader.numRows !== numLists || field === null || !field.type.equals(connectionsSchema(M).fields[2]!.type)) return false;
    if (n > 0 && !reader.readFixedSizeListRowsIntoSync('links', 0, n, target.links0, 0)) return false;
    const upper = numLists - n;
    const chunkRows = Math.max(1, Math.floor(UPPER_CHUNK_BYTES / (4 * width)));
    const rows = new Int32Array(Math.min(chunkRows, upper) * width);
    let node = 0;
    for (let first = 0; first < upper; first += chunkRows) {
      const count = Math.min(chunkRows, upper - first);
      if (!reader.readFixedSizeListRowsIntoSync('links', n + first, count, rows, 0)) return false;
      node = placeUpperRows(parts, starts, target, rows, first, count, node);
    }
    return true;
  } finally {
    source.close();
  }
}

/**
 * Copies upper rows `first … first + count − 1` of a whole save (list `n + u` for row `u`; `rows`
 * holds them from word 0, `1 + 2M` words each) to their slots; padding words must be zero. Rows
 * come in list order, so the node of each is found by walking on from `node` (that of row
 * `first`, or before it); returns the node of the last row, where the next chunk's walk starts.
 */
function placeUpperRows(parts: OpenedParts, starts: Int32Array, target: RestoreTarget<unknown>, rows: Int32Array, first: number, count: number, node: number): number {
  const n = parts.row.num_ids;
  const M = parts.config.M;
  const width = 1 + 2 * M;
  const strideUp = 1 + M;
  const { upperLinks, upperOffsets } = target;
  let i = node;
  for (let r = 0; r < count; r++) {
    const u = first + r;
    // Node i's upper lists are u = starts[i] … starts[i + 1] − 1 (none for a node of level 0).
    while (starts[i + 1]! <= u) i++;
    const layer = u - starts[i]! + 1;
    const from = r * width;
    const to = upperOffsets[i]! + (layer - 1) * strideUp;
    for (let j = 0; j < strideUp; j++) upperLinks[to + j] = rows[from + j]!;
    if (!zeroFrom(rows, from + strideUp, from + width)) throw badPadding(parts, n + u, i, layer);
  }
  return i;
}

/** Copies scanned `links` rows (`count` rows from `values[begin]`, rows `at …` of the dataset) to the slots of their lists (`rowLists`). */
function placeLinkRows(parts: OpenedParts, starts: Int32Array, target: RestoreTarget<unknown>, values: Int32Array, begin: number, rowLists: Int32Array, at: number, count: number): void {
  const n = parts.row.num_ids;
  const M = parts.config.M;
  const width = 1 + 2 * M;
  const strideUp = 1 + M;
  const { links0, upperLinks, upperOffsets } = target;
  for (let r = 0; r < count; r++) {
    const list = rowLists[at + r]!;
    const from = begin + r * width;
    if (list < n) {
      const to = list * width;
      for (let j = 0; j < width; j++) links0[to + j] = values[from + j]!;
      continue;
    }
    const node = upperNodeAt(starts, n, list);
    const layer = list - n - starts[node]! + 1;
    const to = upperOffsets[node]! + (layer - 1) * strideUp;
    for (let j = 0; j < strideUp; j++) upperLinks[to + j] = values[from + j]!;
    if (!zeroFrom(values, from + strideUp, from + width)) throw badPadding(parts, at + r, node, layer);
  }
}

/** The node of upper list `list` (≥ n; its layer is `list − n − starts[node] + 1`), by binary search in `starts`: the last node starting at or before it. */
function upperNodeAt(starts: Int32Array, n: number, list: number): number {
  const u = list - n;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= u) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function zeroFrom(words: Int32Array, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (words[j] !== 0) return false;
  return true;
}

function badPadding(parts: OpenedParts, row: number, node: number, layer: number): CorruptDataError {
  return corrupt(parts.root, `${CONNECTIONS_DATASET} row ${row} (node ${node}, layer ${layer}) links`, `zeros after word ${1 + parts.config.M}`, 'a non-zero word');
}

/**
 * Checks every list now in the link arrays (format version 3): counts within `2M` (layer 0) or
 * `M`, every neighbour an id below `num_ids` whose level reaches the layer. `rowOf` names rows in errors.
 */
function checkLinks(parts: OpenedParts, levels: Uint8Array, starts: Int32Array, target: RestoreTarget<unknown>, rowOf: Int32Array): void {
  const { root } = parts;
  const n = parts.row.num_ids;
  const M = parts.config.M;
  const width = 1 + 2 * M;
  const strideUp = 1 + M;
  const { links0, upperLinks, upperOffsets } = target;
  const bad0 = firstBadList0(links0, n, width, 2 * M);
  if (bad0 >= 0) {
    const base = bad0 * width;
    const count = links0[base]!;
    if (count < 0 || count > 2 * M) throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowOf[bad0]} links`, `a count of at most ${2 * M} ids`, count);
    let j = 0;
    while (links0[base + 1 + j]! >>> 0 < n) j++;
    throw badNeighbour(parts, rowOf[bad0]!, j, links0[base + 1 + j]!, 0, levels);
  }
  for (let i = 0; i < n; i++) {
    const level = levels[i]!;
    for (let l = 1; l <= level; l++) {
      const base = upperOffsets[i]! + (l - 1) * strideUp;
      const list = n + starts[i]! + l - 1;
      const count = upperLinks[base]!;
      if (count < 0 || count > M) throw corrupt(root, `${CONNECTIONS_DATASET} row ${rowOf[list]} links`, `a count of at most ${M} ids`, count);
      for (let j = 0; j < count; j++) {
        const nb = upperLinks[base + 1 + j]!;
        if (nb >>> 0 >= n || levels[nb]! < l) throw badNeighbour(parts, rowOf[list]!, j, nb, l, levels);
      }
    }
  }
}

/** The first layer-0 row (`width` words each) whose count is outside `[0, cap]` or whose ids are not all below `n`, or −1. */
function firstBadList0(links0: Int32Array, n: number, width: number, cap: number): number {
  for (let i = 0; i < n; i++) {
    const base = i * width;
    const count = links0[base]!;
    if (count >>> 0 > cap) return i;
    const end = base + 1 + count;
    for (let j = base + 1; j < end; j++) if (links0[j]! >>> 0 >= n) return i;
  }
  return -1;
}

/** Scans the `links` column of `ds` in batches of {@link LINKS_BATCH_ROWS} rows, calling `each` on every batch in row order. */
function forEachLinksBatch(ds: Dataset, each: (batch: RecordBatch) => void): Step<void> {
  const scan: ScanOptions = { columns: ['links'], batchSize: LINKS_BATCH_ROWS };
  return {
    sync: () => {
      for (const b of ds.scanSync(scan)) each(b);
    },
    async: async () => {
      for await (const b of ds.scan(scan)) each(b);
    },
  };
}

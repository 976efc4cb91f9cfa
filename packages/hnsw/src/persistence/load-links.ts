/**
 * Loading `connections.lance`: every link list read straight into the new index's link arrays and
 * checked once on the way (node ids and layers in range, list lengths, every neighbour an id whose
 * level reaches the layer, a list for every node and layer), then the stored list checksums
 * verified against what was read.
 */
import type { CorruptDataError, Int32, Int32Vector, ListVector, RecordBatch } from '@vego/io';
import type { RestoreTarget } from '../internal/restore-target';
import { checksumHex, firstListMismatch } from './checksums';
import { corrupt } from './directory';
import { CONNECTIONS_DATASET } from './layout';
import type { OpenedParts } from './open';
import { RowLedger, checkedBatch } from './row-ledger';

/** Columns of `connections.lance`, in the order a load reads them. */
const CONNECTION_COLUMNS = ['node', 'layer', 'neighbours', 'checksum'] as const;

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
 * Reads the connection rows straight into the index's link arrays (later rows of a (node, layer)
 * win), checking each once: node ids and layers in range, list lengths within `M` / `2M`, every
 * neighbour an id below `num_ids` whose level reaches the layer, and a list for every (node, layer).
 * Returns the list checksums and where each list's row is (null when a list has several rows), fresh.
 */
export function readConnections(
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
  const bad = firstListMismatch(target.links0, target.upperLinks, target.upperOffsets, parts.config.M, levels, starts, lists.sums, n, found);
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
      `${checksumHex(found, 0)} computed from the row's neighbours`,
    );
  }
}

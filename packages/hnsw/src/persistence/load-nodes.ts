/**
 * Loading `nodes.lance`: the node rows (ids, levels, tombstones, checksums) checked once on the way
 * into the new index's arrays, then the vectors straight into its memory, checked finite, and the
 * stored node checksums verified against what was read.
 */
import { type BoolVector, FileSource, type FixedSizeListVector, type Int32Vector, LanceFileReader, type RecordBatch } from '@vego/io';
import { vectorWords } from '../config';
import { isBinaryMetric } from '../distance';
import { MAX_LEVEL } from '../internal/graph';
import type { RestoreTarget } from '../internal/restore-target';
import { IN_MEMORY_MIN_STRIDE, checksumHex, firstNodeMismatch, firstRowSumMismatchInMemory } from './checksums';
import { corrupt } from './directory';
import { NODES_DATASET, nodesSchema } from './layout';
import { type OpenedParts, noNulls } from './open';
import { RowLedger, checkedBatch } from './row-ledger';

/** True when `ids[io …io + rows)` are consecutive integers. */
export function isRun(ids: Int32Array, io: number, rows: number): boolean {
  const first = ids[io]!;
  for (let r = 1; r < rows; r++) if (ids[io + r] !== first + r) return false;
  return true;
}

/** Columns of `nodes.lance` read as rows (the vectors are read on their own). */
export const NODE_ROW_COLUMNS = ['id', 'level', 'deleted', 'checksum'] as const;

/** The node rows of a saved index, per id. */
export interface NodeArrays {
  levels: Uint8Array;
  deleted: Uint8Array;
  sums: Uint32Array;
  /** The id of every row, in row order (copy). */
  rowIds: Int32Array;
  /** True when the rows are exactly ids 0 … n−1 in order (a whole save). */
  inOrder: boolean;
  /** Live row position of each id's row; null when some id has several rows (fresh). */
  positions: Int32Array | null;
  /** Row of each id's (last) row, for error messages (the same array as `positions` when that is set). */
  rowOf: Int32Array;
}

/**
 * Reads and checks the node rows (columns {@link NODE_ROW_COLUMNS}; later rows of an id win): ids
 * below `num_ids`, levels 0 to 63 and equal across rows of an id, a row for every id, the live
 * count. Notes where each id's row is, for the next save. Fresh arrays.
 */
export function readNodeRows(parts: OpenedParts, batches: readonly RecordBatch[]): NodeArrays {
  const { root, row } = parts;
  const n = row.num_ids;
  const levels = new Uint8Array(n);
  const deleted = new Uint8Array(n);
  const ledger = new RowLedger(n);
  const rowIds = new Int32Array(row.nodes_rows);
  let inOrder = row.nodes_rows === n;
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    if (rowBase + rows > rowIds.length) throw corrupt(root, NODES_DATASET, `${rowIds.length} rows`, `more`);
    const { words, offset: co } = checkedBatch(root, NODES_DATASET, batch, NODE_ROW_COLUMNS);
    const idv = batch.columnAt(0) as Int32Vector;
    const lv = batch.columnAt(1) as Int32Vector;
    const dv = batch.columnAt(2) as BoolVector;
    const ids = idv.values;
    const io = idv.offset;
    const lvals = lv.values;
    const lo = lv.offset;
    const bits = dv.values;
    const bo = dv.offset;
    if (inOrder && rowBase + rows <= n && isRun(ids, io, rows) && (rows === 0 || ids[io] === rowBase)) {
      // Ids rowBase … rowBase + rows − 1, none seen before (every earlier row was in order too):
      // whole-column copies, levels checked in one small loop.
      const bad = firstOutside(lvals, lo, lo + rows, MAX_LEVEL);
      if (bad >= 0) throw corrupt(root, `${NODES_DATASET} row ${rowBase + bad - lo} level`, `0 to ${MAX_LEVEL}`, lvals[bad]);
      levels.set(lvals.subarray(lo, lo + rows), rowBase);
      rowIds.set(ids.subarray(io, io + rows), rowBase);
      ledger.noteRun(rowBase, rowBase, rows, words, co);
      unpackBools(bits, bo, rows, deleted, rowBase);
      rowBase += rows;
      continue;
    }
    for (let r = 0; r < rows; r++) {
      const id = ids[io + r]!;
      if (id < 0 || id >= n) throw corrupt(root, `${NODES_DATASET} row ${rowBase + r} id`, `an id below num_ids = ${n}`, id);
      const level = lvals[lo + r]!;
      if (level < 0 || level > MAX_LEVEL) throw corrupt(root, `${NODES_DATASET} row ${rowBase + r} level`, `0 to ${MAX_LEVEL}`, level);
      if (ledger.has(id) && levels[id] !== level) {
        throw corrupt(root, `${NODES_DATASET} row ${rowBase + r} level of id ${id}`, `${levels[id]} (as in its earlier row)`, level);
      }
      if (id !== rowBase + r) inOrder = false;
      rowIds[rowBase + r] = id;
      ledger.note(id, rowBase + r, words, co + r);
      levels[id] = level;
      const b = bo + r;
      deleted[id] = (bits[b >> 3]! >> (b & 7)) & 1;
    }
    rowBase += rows;
  }
  if (rowBase !== rowIds.length) throw corrupt(root, NODES_DATASET, `${rowIds.length} rows`, rowBase);
  const seen = ledger.seenFlags;
  let numSeen = 0;
  let live = 0;
  for (let i = 0; i < n; i++) {
    numSeen += seen[i]!;
    live += seen[i]! & (deleted[i]! ^ 1);
  }
  if (numSeen !== n) throw corrupt(root, `${NODES_DATASET} version ${row.nodes_version}`, `rows for all ${n} ids`, `rows for ${numSeen}`);
  if (live !== row.num_live) throw corrupt(root, 'live nodes', `${row.num_live} (from metadata)`, live);
  return { levels, deleted, sums: ledger.sums, rowIds, inOrder, positions: ledger.livePositions(), rowOf: ledger.positions };
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
export function copyVectors(parts: OpenedParts, batches: readonly RecordBatch[], rowIds: Int32Array, target: RestoreTarget<unknown>): void {
  if (isBinaryMetric(parts.config.distance)) {
    copyBinaryVectors(parts, batches, rowIds, target);
    return;
  }
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
 * {@link copyVectors} for binary vectors: the `dimension / 8` bytes of each row to the start of its
 * slot in the index memory (the slot's padding stays zero).
 */
function copyBinaryVectors(parts: OpenedParts, batches: readonly RecordBatch[], rowIds: Int32Array, target: RestoreTarget<unknown>): void {
  const bytes = parts.config.dimension / 8;
  const slotBytes = target.stride * 4;
  const out = new Uint8Array(target.vectors.buffer, target.vectors.byteOffset, target.vectors.byteLength);
  let rowBase = 0;
  for (const batch of batches) {
    const rows = batch.numRows;
    const vv = batch.columnAt(0) as FixedSizeListVector;
    noNulls(parts.root, NODES_DATASET, 'vector', vv.nullCount);
    if (rows === 0) continue;
    const values = vv.values as unknown as Uint8Array;
    const vo = vv.valueOffset(0);
    for (let r = 0; r < rows; r++) {
      const at = vo + r * bytes;
      out.set(values.subarray(at, at + bytes), (rowIds[rowBase + r]! + 1) * slotBytes);
    }
    rowBase += rows;
  }
}

/**
 * Vector bytes read per chunk by {@link readVectorsDirect}: small enough that the chunk is still in
 * the CPU's cache (L2) when it is checked right after the read, large enough that the reads' own
 * cost (one positioned read per chunk) stays small.
 */
const DIRECT_CHUNK_BYTES = 512 * 1024;

/**
 * Checks the vectors of ids `[from, to)` now in the index memory (checksums, or finite only; see
 * {@link vectorCheck}); throws the load's CorruptDataError.
 */
export type VectorCheck = (from: number, to: number) => void;

/**
 * The vectors read straight from the data files into the index memory by @vego/format (no
 * intermediate buffer for plain pages), when the layout allows it: rows in id order (checked by the
 * caller: a whole save, or one followed by incremental saves that only added ids), every fragment
 * without deletions (its pages would hold the deleted rows too) and in one data file, a dimension
 * that needs no padding. Fragment `k`'s rows are then the ids that follow fragment `k − 1`'s. Plain
 * pages are read a chunk of rows at a time ({@link DIRECT_CHUNK_BYTES}) and `check` runs on each
 * chunk right after its read, while its bytes are still in the CPU cache: hashing them then costs
 * no second trip through memory. Other page layouts are decoded a fragment at a time, then checked.
 * Every file is opened and its schema checked before anything is read: false, having read and
 * checked nothing, when any of that does not hold; the caller then scans the column.
 */
export function readVectorsDirect(parts: OpenedParts, target: RestoreTarget<unknown>, check: VectorCheck): boolean {
  const n = parts.row.num_ids;
  const dim = parts.config.dimension;
  const stride = target.stride;
  if (stride !== dim || n === 0 || isBinaryMetric(parts.config.distance)) return false;
  const fragments = parts.nodes.fragmentFiles();
  let total = 0;
  for (const f of fragments) {
    if (f.hasDeletions || f.paths.length !== 1) return false;
    total += f.physicalRows;
  }
  if (total !== n) return false;
  const sources: FileSource[] = [];
  try {
    const readers: LanceFileReader[] = [];
    const vectorType = nodesSchema(dim).fields[1]!.type;
    for (const f of fragments) {
      const source = FileSource.openSync(f.paths[0]!);
      sources.push(source);
      const reader = LanceFileReader.openSync(source);
      const field = reader.schema.field('vector');
      if (reader.numRows !== f.physicalRows || field === null || !field.type.equals(vectorType)) return false;
      readers.push(reader);
    }
    // Slot 0 is the query: id i goes to slot i + 1.
    const rowsPerChunk = Math.max(1, Math.floor(DIRECT_CHUNK_BYTES / (4 * dim)));
    let first = 0;
    for (const reader of readers) {
      const rows = reader.numRows;
      for (let at = 0; at < rows; at += rowsPerChunk) {
        const chunk = Math.min(rowsPerChunk, rows - at);
        if (!reader.readFixedSizeListRowsIntoSync('vector', at, chunk, target.vectors, (first + at + 1) * stride)) {
          // Not plain pages (the answer is the same for every range of a file, so this is its first
          // chunk): the fragment decoded whole, checked whole.
          reader.readFixedSizeListIntoSync('vector', target.vectors, (first + 1) * stride);
          check(first, first + rows);
          break;
        }
        check(first + at, first + at + chunk);
      }
      first += rows;
    }
    return true;
  } finally {
    for (const source of sources) source.close();
  }
}

/**
 * The check a load makes of the vectors of ids `[from, to)` in the index memory: with `verify`,
 * their node checksums under node hash `hash` (which checks that they are finite in the same
 * pass: {@link verifyNodeChecksums}); else that they are finite ({@link checkVectors}).
 */
export function vectorCheck(parts: OpenedParts, nodes: NodeArrays, target: RestoreTarget<unknown>, verify: boolean, hash: 1 | 2): VectorCheck {
  return verify ? (from, to) => verifyNodeChecksums(parts, nodes, target, hash, from, to) : (from, to) => checkVectors(parts, target, from, to);
}

/**
 * Checks that every stored vector component of ids `from` … `to − 1` (default: all) is finite
 * (padding is zero). (A load that verifies checksums does this in the same pass:
 * {@link verifyNodeChecksums}.)
 */
export function checkVectors(parts: OpenedParts, target: RestoreTarget<unknown>, from = 0, to = parts.row.num_ids): void {
  if (isBinaryMetric(parts.config.distance)) return; // bits, not numbers: every pattern is valid
  const stride = target.stride;
  const v = target.vectors;
  const bits = new Int32Array(v.buffer, v.byteOffset, v.length);
  const bad = firstNonFinite(bits, stride * (from + 1), stride * (to + 1));
  if (bad >= 0) throw nonFinite(parts, target, bad);
}

/** The CorruptDataError of the non-finite component at `at` of the index memory. */
function nonFinite(parts: OpenedParts, target: RestoreTarget<unknown>, at: number): Error {
  const stride = target.stride;
  const id = Math.floor(at / stride) - 1;
  return corrupt(parts.root, `${NODES_DATASET} vector of id ${id} component ${at - (id + 1) * stride}`, 'a finite number', target.vectors[at]);
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
 * Verifies the checksum stored with the node row of every id `from` … `to − 1` (default: all)
 * against the row as loaded, computed with node hash `hash` (`checksums.ts`'s `nodeHashOf` of the
 * saved format version) from the vector bits as now in the index memory, level, tombstone): a
 * changed byte anywhere in a row is damage, never data. Checks in the same pass that every vector
 * component is finite (as {@link checkVectors}).
 * @throws CorruptDataError naming the dataset, the row and id, and the stored vs computed checksum;
 *   or the id and component of a non-finite value
 */
export function verifyNodeChecksums(parts: OpenedParts, nodes: NodeArrays, target: RestoreTarget<unknown>, hash: 1 | 2, from = 0, to = parts.row.num_ids): void {
  const v = target.vectors;
  const bits = new Int32Array(v.buffer, v.byteOffset, v.length);
  const found = new Uint32Array(3);
  const stride = target.stride;
  const dim = vectorWords(parts.config);
  const finite = !isBinaryMetric(parts.config.distance);
  const memory = target.memory ?? null;
  let bad = -2;
  if (hash === 2 && memory !== null && v.buffer === memory.buffer && stride === dim && stride >= IN_MEMORY_MIN_STRIDE) {
    // Hashed where the rows lie, the raw words in slot 0 (the query slot), zeroed again after.
    try {
      bad = firstRowSumMismatchInMemory(memory, v.byteOffset, bits, stride, nodes.levels, nodes.deleted, nodes.sums, from, to, found, finite);
    } finally {
      v.fill(0, 0, stride);
    }
  }
  if (bad === -2) bad = firstNodeMismatch(hash, bits, stride, dim, nodes.levels, nodes.deleted, nodes.sums, to, found, finite, from);
  if (bad >= 0 && found[2] !== 0) throw nonFinite(parts, target, firstNonFinite(bits, (bad + 1) * stride, (bad + 2) * stride));
  if (bad >= 0) {
    throw corrupt(
      parts.root,
      `${NODES_DATASET} version ${parts.row.nodes_version} row ${nodes.rowOf[bad]} (id ${bad}) checksum`,
      checksumHex(nodes.sums, bad),
      `${checksumHex(found, 0)} computed from the row's vector, level and tombstone`,
    );
  }
}

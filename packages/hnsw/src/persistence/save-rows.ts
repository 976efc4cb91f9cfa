/**
 * The record batches a save writes: node rows and connection (link-list) rows of a snapshot, all
 * of them for a rewrite or only the changed ones for an incremental save, each with its checksum
 * (connections in format version 3's fixed-width layout, `layout.ts`).
 */
import { Bool, Field, FixedSizeList, Int32, InternalError, RecordBatch, Uint8, type Vector, fixedSizeListFromFloat32, makeData, makeVector, vectorFromTypedArray } from '@vego/io';
import { vectorWords } from '../config';
import { isBinaryMetric } from '../distance';
import type { HnswSnapshot } from '../snapshot';
import type { GatheredLists, IndexChecksums } from './checksums';
import { connectionsSchema, nodesSchema } from './layout';
import { identityPositions } from './positions';
import { type Steps, pace } from './steps';
import { giveBackLinks, takeLinks } from './links-buffer';
import type { Pacer } from '../internal/pacer';

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

/**
 * The `fixed_size_list<uint8>[bits / 8]` column of the binary vectors of `snapshot` with ids in
 * `ids` (all when null): each row's bytes without the snapshot row's padding.
 */
function binaryVectorColumn(snapshot: HnswSnapshot, ids: Int32Array | null): Vector {
  const bytes = snapshot.config.dimension / 8;
  const rowBytes = vectorWords(snapshot.config) * 4;
  const count = ids === null ? snapshot.numIds : ids.length;
  const src = new Uint8Array(snapshot.vectors.buffer, snapshot.vectors.byteOffset, snapshot.vectors.byteLength);
  const out = new Uint8Array(count * bytes);
  for (let r = 0; r < count; r++) {
    const from = (ids === null ? r : ids[r]!) * rowBytes;
    out.set(src.subarray(from, from + bytes), r * bytes);
  }
  const type = new FixedSizeList(new Field('item', new Uint8(), true), bytes);
  return makeVector(makeData({ type, length: count, children: [makeData({ type: type.child.type, length: out.length, values: out })] }));
}

/**
 * The level column of a whole save, per copy of the levels a checksum state keeps: that copy is
 * shared by every state of the same ids (levels never change), so saves after the first reuse the
 * column (never written: a column is only read).
 */
const levelColumns = new WeakMap<Uint8Array, Int32Array>();
/** The tombstone bitmap of a whole save, per copy of the tombstones a checksum state keeps (shared while none changes). */
const deletedColumns = new WeakMap<Uint8Array, Uint8Array>();

/** The level and tombstone columns of a whole save (row i = id i), from the copies in `checksums` (made once per copy). */
function wholeNodeColumns(checksums: IndexChecksums): { levelCol: Int32Array; deletedBits: Uint8Array } {
  const { levels, deleted, numIds: n } = checksums;
  let levelCol = levelColumns.get(levels);
  if (levelCol === undefined) {
    levelCol = new Int32Array(n);
    levelCol.set(levels.subarray(0, n));
    levelColumns.set(levels, levelCol);
  }
  let deletedBits = deletedColumns.get(deleted);
  if (deletedBits === undefined) {
    deletedBits = new Uint8Array((n + 7) >> 3);
    // No tombstone (the live count says so): the bitmap stays zero, no pass over the ids.
    if (checksums.live !== n) for (let i = 0; i < n; i++) if (deleted[i] !== 0) deletedBits[i >> 3] |= 1 << (i & 7);
    deletedColumns.set(deleted, deletedBits);
  }
  return { levelCol, deletedBits };
}

/**
 * Copies the vectors (`dim` floats each) of ids `ids` from `src` into consecutive rows
 * of `out`: each run of consecutive ids in one block copy (the ids an add appends are one run).
 */
function copyVectorRuns(src: Float32Array, ids: Int32Array, dim: number, out: Float32Array): void {
  for (let r = 0; r < ids.length; ) {
    let end = r + 1;
    while (end < ids.length && ids[end] === ids[end - 1]! + 1) end++;
    const first = ids[r]!;
    const words = (end - r) * dim;
    // A short run (an updated or deleted id: most are one row) by an element loop: a subarray per run would allocate.
    if (words <= SHORT_RUN_WORDS) {
      const from = first * dim;
      const at = r * dim;
      for (let j = 0; j < words; j++) out[at + j] = src[from + j]!;
    } else out.set(src.subarray(first * dim, first * dim + words), r * dim);
    r = end;
  }
}

/** Words up to which {@link copyVectorRuns} copies a run by an element loop. */
const SHORT_RUN_WORDS = 1024;

/**
 * The node rows with ids in `ids` (all when null). A whole save passes `identity` (0, 1, 2, …, at
 * least `numIds` long, shared read-only with its other whole columns and positions) as the id column.
 */
export function nodesBatch(snapshot: HnswSnapshot, checksums: IndexChecksums, ids: Int32Array | null, identity?: Int32Array): RecordBatch {
  const n = snapshot.numIds;
  const dim = snapshot.config.dimension;
  const binary = isBinaryMetric(snapshot.config.distance);
  const count = ids === null ? n : ids.length;
  // A whole save's id column is 0 … n − 1: the shared identity array when given, else a fresh one.
  const idCol = ids !== null ? new Int32Array(count) : identity === undefined ? identityPositions(n) : identity.subarray(0, n);
  // checksums.levels / deleted are copies of the snapshot's (checksums.ts), so the same columns.
  const whole = ids === null ? wholeNodeColumns(checksums) : null;
  const levelCol = whole?.levelCol ?? new Int32Array(count);
  const deletedBits = whole?.deletedBits ?? new Uint8Array((count + 7) >> 3);
  const src = snapshot.vectors;
  const vectors = ids === null || binary ? src : new Float32Array(count * dim);
  if (ids !== null) {
    for (let r = 0; r < count; r++) {
      const id = ids[r]!;
      idCol[r] = id;
      levelCol[r] = snapshot.levels[id]!;
      if (snapshot.deleted[id] !== 0) deletedBits[r >> 3] |= 1 << (r & 7);
    }
    if (!binary) copyVectorRuns(src, ids, dim, vectors);
  }
  return new RecordBatch(nodesSchema(dim, snapshot.config.distance), [
    vectorFromTypedArray(idCol),
    binary ? binaryVectorColumn(snapshot, ids) : fixedSizeListFromFloat32(vectors, dim),
    vectorFromTypedArray(levelCol),
    makeVector(makeData({ type: new Bool(), length: count, values: deletedBits })),
    vectorFromTypedArray(checksumColumn(checksums.nodes, ids)),
  ]);
}

/** Lists handled between two looks at the pacer (a plain function per chunk: V8 optimises it, where a long loop inside a generator stays slow). */
const CHUNK = 4096;

/** The `links` column (`fixed_size_list<int32>[width]`) over `values` (a view when given one: no copy). */
function linksColumn(values: Int32Array, width: number, rows: number): Vector {
  const type = new FixedSizeList(new Field('item', new Int32(), true), width);
  return makeVector(makeData({ type, length: rows, children: [makeData({ type: type.child.type, length: values.length, values })] }));
}

/** Int64 view of checksum words `[2·from, 2·(from + count))` (no copy). */
function checksumView(sums: Uint32Array, from: number, count: number): BigInt64Array {
  return new BigInt64Array(sums.buffer, sums.byteOffset + 8 * from, count);
}

/**
 * The connection rows (format version 3, `layout.ts`) of the lists in `lists` (list indices as in
 * checksums.ts, ascending), or of every list when null; as steps that let the event loop turn when
 * `pacer` is due (an async save). A whole write is two batches: the layer-0 lists of ids 0 … n−1,
 * whose `links` column is a view of the snapshot's layer-0 memory (nothing built per row), then
 * the lists of higher layers in list order, copied and padded to the same width.
 */
export function* connectionsBatches(
  snapshot: HnswSnapshot,
  checksums: IndexChecksums,
  starts: Int32Array,
  lists: Int32Array | null,
  pacer: Pacer,
  identity?: Int32Array,
  gathered: GatheredLists | null = null,
): Steps<RecordBatch[]> {
  const n = snapshot.numIds;
  const M = snapshot.config.M;
  const width = 1 + 2 * M;
  const schema = connectionsSchema(M);
  if (lists === null) {
    // Layer-0 row i is node i: the shared identity array when given (a plain function fills it
    // otherwise: inside this generator V8 would not optimise the loop).
    const nodeCol = identity === undefined ? identityPositions(n) : identity.subarray(0, n);
    const layer0 = new RecordBatch(schema, [
      vectorFromTypedArray(nodeCol),
      vectorFromTypedArray(sharedZeros(n)),
      linksColumn(snapshot.links0.subarray(0, n * width), width, n),
      vectorFromTypedArray(checksumView(checksums.lists, 0, n)),
    ]);
    yield* pace(pacer);
    const upper = starts[n]!;
    const { upIds, upNodes, upLayers } = upperColumns(checksums);
    // Not zeroed (the kept buffer of an earlier save, given back once committed): upperRows writes every word.
    const upLinks = upper > 0 ? takeLinks(upper * width) : new Int32Array(0);
    for (let at = 0; at < upIds.length; at += CHUNK) {
      upperRows(snapshot, starts, upIds, upLinks, at, Math.min(upIds.length, at + CHUNK));
      yield* pace(pacer);
    }
    const batches = [layer0];
    if (upper > 0) {
      batches.push(
        new RecordBatch(schema, [vectorFromTypedArray(upNodes), vectorFromTypedArray(upLayers), linksColumn(upLinks, width, upper), vectorFromTypedArray(checksumView(checksums.lists, n, upper))]),
      );
    }
    return batches;
  }
  const total = lists.length;
  if (gathered !== null) return [gatheredBatch(gathered, lists, width, schema, checksums)];
  const nodeCol = new Int32Array(total);
  const layerCol = new Int32Array(total);
  // Every word of it is written below (upper rows padded with zeros explicitly).
  const links = takeLinks(total * width);
  for (let at = 0; at < total; at += CHUNK) {
    listRows(snapshot, starts, lists, nodeCol, layerCol, links, at, Math.min(total, at + CHUNK));
    yield* pace(pacer);
  }
  return [new RecordBatch(schema, [vectorFromTypedArray(nodeCol), vectorFromTypedArray(layerCol), linksColumn(links, width, total), vectorFromTypedArray(checksumColumn(checksums.lists, lists))])];
}

/**
 * The connection rows of the lists `lists` (ascending, all among `gathered.lists`) from the rows
 * the checksums gathered: those rows moved down over the rows of lists left out (in place, native
 * moves; nothing copied from the index again), so row k is list `lists[k]`.
 */
function gatheredBatch(gathered: GatheredLists, lists: Int32Array, width: number, schema: ReturnType<typeof connectionsSchema>, checksums: IndexChecksums): RecordBatch {
  const { nodes, layers, links } = gathered;
  const all = gathered.lists;
  const total = lists.length;
  let j = 0;
  for (let k = 0; k < total; k++, j++) {
    const list = lists[k]!;
    while (j < all.length && all[j] !== list) j++;
    if (j === all.length) throw new InternalError(`list ${list} was not among the lists the save hashed`);
    if (j === k) continue;
    links.copyWithin(k * width, j * width, (j + 1) * width);
    nodes[k] = nodes[j]!;
    layers[k] = layers[j]!;
  }
  return new RecordBatch(schema, [
    vectorFromTypedArray(nodes.subarray(0, total)),
    vectorFromTypedArray(layers.subarray(0, total)),
    linksColumn(links.subarray(0, total * width), width, total),
    vectorFromTypedArray(checksumColumn(checksums.lists, lists)),
  ]);
}

/**
 * Gives back the `links` column of a connections batch ({@link connectionsBatches}: an incremental
 * save's rows, or a whole save's upper-layer rows) once its save no longer reads it (committed or
 * failed), for the next save to reuse (`links-buffer.ts`). Any other batch is ignored (a whole
 * save's layer-0 rows are a view of the index memory).
 */
export function releaseLinks(batch: RecordBatch): void {
  const values = batch.columns[2]?.data.children[0]?.values;
  if (values instanceof Int32Array) giveBackLinks(values);
}

/** What the upper-layer rows of a whole save hold besides their links: ids with upper lists, and each row's node and layer. */
interface UpperColumns {
  /** Ids whose level is at least 1, ascending. */
  upIds: Int32Array;
  /** Node and layer of upper row `r` (list `n + r`). */
  upNodes: Int32Array;
  upLayers: Int32Array;
}

/**
 * The upper-row columns of a whole save, per copy of the levels a checksum state keeps: they
 * depend on the levels only, which never change for an id, and that copy is shared by every state
 * of the same ids, so saves after the first reuse them (never written: columns are only read).
 */
const upperColumnsOf = new WeakMap<Uint8Array, UpperColumns>();

function upperColumns(checksums: IndexChecksums): UpperColumns {
  const { levels, starts, numIds: n } = checksums;
  let cols = upperColumnsOf.get(levels);
  if (cols !== undefined) return cols;
  const upper = starts[n]!;
  const upNodes = new Int32Array(upper);
  const upLayers = new Int32Array(upper);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const level = levels[i]!;
    if (level === 0) continue;
    count++;
    for (let l = 1, r = starts[i]!; l <= level; l++, r++) {
      upNodes[r] = i;
      upLayers[r] = l;
    }
  }
  const upIds = new Int32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (levels[i] !== 0) upIds[k++] = i;
  cols = { upIds, upNodes, upLayers };
  upperColumnsOf.set(levels, cols);
  return cols;
}

/**
 * The `links` of the upper-layer rows of ids `upIds[from … to)` (node i's layer l at row
 * `starts[i] + l − 1`), each `1 + M` words padded with zeros to `1 + 2M` (every word of those rows written).
 */
function upperRows(snapshot: HnswSnapshot, starts: Int32Array, upIds: Int32Array, links: Int32Array, from: number, to: number): void {
  const M = snapshot.config.M;
  const width = 1 + 2 * M;
  const strideUp = 1 + M;
  const { levels, upperLinks, upperOffsets } = snapshot;
  for (let k = from; k < to; k++) {
    const i = upIds[k]!;
    const level = levels[i]!;
    const src = upperOffsets[i]!;
    const first = starts[i]!;
    for (let l = 0; l < level; l++) {
      const at = (first + l) * width;
      const from = src + l * strideUp;
      for (let j = 0; j < strideUp; j++) links[at + j] = upperLinks[from + j]!;
      for (let j = strideUp; j < width; j++) links[at + j] = 0;
    }
  }
}

/** The longest zero array {@link sharedZeros} made so far. */
let zeros: Int32Array = new Int32Array(0);

/** `count` zeros, a view of one array shared by every whole save (the layer column of layer-0 rows; never written). */
function sharedZeros(count: number): Int32Array {
  if (zeros.length < count) zeros = new Int32Array(Math.max(count, Math.ceil(zeros.length * 1.25)));
  return zeros.subarray(0, count);
}

/** Rows `[from, to)` of the lists `lists` (list index → node and layer; upper lists by binary search in `starts`), each list's row copied (upper ones zero-padded: every word of `links` in those rows is written). */
function listRows(snapshot: HnswSnapshot, starts: Int32Array, lists: Int32Array, nodeCol: Int32Array, layerCol: Int32Array, links: Int32Array, from: number, to: number): void {
  const n = snapshot.numIds;
  const M = snapshot.config.M;
  const width = 1 + 2 * M;
  const strideUp = 1 + M;
  const { links0, upperLinks, upperOffsets } = snapshot;
  for (let k = from; k < to; k++) {
    const list = lists[k]!;
    let node = list;
    let layer = 0;
    if (list >= n) {
      const u = list - n;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= u) lo = mid;
        else hi = mid - 1;
      }
      // Several nodes may share a start (level 0 nodes): the last one with room at u.
      node = lo;
      layer = u - starts[lo]! + 1;
    }
    nodeCol[k] = node;
    layerCol[k] = layer;
    // Two loops, not one helper for both: the two sources are arrays of different kinds (layer 0
    // may be a view of the index's WebAssembly memory), and one copy loop for both ran slower.
    const at = k * width;
    if (layer === 0) {
      const from = node * width;
      for (let j = 0; j < width; j++) links[at + j] = links0[from + j]!;
    } else {
      const from = upperOffsets[node]! + (layer - 1) * strideUp;
      for (let j = 0; j < strideUp; j++) links[at + j] = upperLinks[from + j]!;
      for (let j = at + strideUp; j < at + width; j++) links[j] = 0;
    }
  }
}

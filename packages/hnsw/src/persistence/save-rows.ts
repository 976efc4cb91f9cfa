/**
 * The record batches a save writes: node rows and connection (link-list) rows of a snapshot, all
 * of them for a rewrite or only the changed ones for an incremental save, each with its checksum.
 */
import { Bool, Field, FixedSizeList, Int32, type List, RecordBatch, Uint8, type Vector, fixedSizeListFromFloat32, makeData, makeVector, vectorFromTypedArray } from '@vego/io';
import { vectorWords } from '../config';
import { isBinaryMetric } from '../distance';
import type { HnswSnapshot } from '../snapshot';
import type { IndexChecksums } from './checksums';
import { CONNECTIONS_SCHEMA, nodesSchema } from './layout';
import { type Steps, pace } from './steps';
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

/** The node rows with ids in `ids` (all when null). */
export function nodesBatch(snapshot: HnswSnapshot, checksums: IndexChecksums, ids: Int32Array | null): RecordBatch {
  const n = snapshot.numIds;
  const dim = snapshot.config.dimension;
  const binary = isBinaryMetric(snapshot.config.distance);
  const count = ids === null ? n : ids.length;
  const idCol = new Int32Array(count);
  const levelCol = new Int32Array(count);
  const deletedBits = new Uint8Array((count + 7) >> 3);
  const src = snapshot.vectors;
  const vectors = ids === null || binary ? src : new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const id = ids === null ? r : ids[r]!;
    idCol[r] = id;
    levelCol[r] = snapshot.levels[id]!;
    if (snapshot.deleted[id] !== 0) deletedBits[r >> 3] |= 1 << (r & 7);
    if (ids !== null && !binary) vectors.set(src.subarray(id * dim, (id + 1) * dim), r * dim);
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

/**
 * The connection rows of the lists in `lists` (list indices as in checksums.ts), or
 * of every list when null; as steps that let the event loop turn when `pacer` is due (an async save).
 */
export function* connectionsBatch(snapshot: HnswSnapshot, checksums: IndexChecksums, starts: Int32Array, lists: Int32Array | null, pacer: Pacer): Steps<RecordBatch> {
  const n = snapshot.numIds;
  const total = lists === null ? n + starts[n]! : lists.length;
  const nodeCol = new Int32Array(total);
  const layerCol = new Int32Array(total);
  const offsets = new Int32Array(total + 1);
  // Pass 1: which (node, layer) each row is, and where its neighbours start.
  if (lists === null) {
    // Every list in id order: node i's layers 0 … level are rows i + starts[i] onwards.
    for (let at = 0; at < n; at += CHUNK) {
      allRows(snapshot, starts, nodeCol, layerCol, offsets, at, Math.min(n, at + CHUNK));
      yield* pace(pacer);
    }
  } else {
    for (let at = 0; at < total; at += CHUNK) {
      listRows(snapshot, starts, lists, nodeCol, layerCol, offsets, at, Math.min(total, at + CHUNK));
      yield* pace(pacer);
    }
  }
  // Pass 2: the neighbour ids, flat (an element loop: a `subarray` per list would allocate per row).
  const items = offsets[total]!;
  const values = new Int32Array(items);
  for (let at = 0; at < total; at += CHUNK) {
    gatherNeighbours(snapshot, nodeCol, layerCol, offsets, values, at, Math.min(total, at + CHUNK));
    yield* pace(pacer);
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

/** Rows of every list of ids `[from, to)` (a whole save: row of node i's layer l is i + starts[i] + l); `offsets[0]` is 0. */
function allRows(snapshot: HnswSnapshot, starts: Int32Array, nodeCol: Int32Array, layerCol: Int32Array, offsets: Int32Array, from: number, to: number): void {
  const stride0 = 1 + 2 * snapshot.config.M;
  const strideUp = 1 + snapshot.config.M;
  const { links0, upperLinks, upperOffsets, levels } = snapshot;
  let r = from + starts[from]!;
  let items = offsets[r]!;
  for (let i = from; i < to; i++) {
    nodeCol[r] = i;
    layerCol[r] = 0;
    items += links0[i * stride0]!;
    offsets[++r] = items;
    const level = levels[i]!;
    const up = upperOffsets[i]!;
    for (let l = 1; l <= level; l++) {
      nodeCol[r] = i;
      layerCol[r] = l;
      items += upperLinks[up + (l - 1) * strideUp]!;
      offsets[++r] = items;
    }
  }
}

/** Rows `[from, to)` of the lists `lists` (list index → node and layer; upper lists by binary search in `starts`). */
function listRows(snapshot: HnswSnapshot, starts: Int32Array, lists: Int32Array, nodeCol: Int32Array, layerCol: Int32Array, offsets: Int32Array, from: number, to: number): void {
  const n = snapshot.numIds;
  const stride0 = 1 + 2 * snapshot.config.M;
  const strideUp = 1 + snapshot.config.M;
  const { links0, upperLinks, upperOffsets } = snapshot;
  let items = offsets[from]!;
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
    items += layer === 0 ? links0[node * stride0]! : upperLinks[upperOffsets[node]! + (layer - 1) * strideUp]!;
    offsets[k + 1] = items;
  }
}

/** The neighbour ids of rows `[from, to)` into `values` at their offsets. */
function gatherNeighbours(snapshot: HnswSnapshot, nodeCol: Int32Array, layerCol: Int32Array, offsets: Int32Array, values: Int32Array, from: number, to: number): void {
  const stride0 = 1 + 2 * snapshot.config.M;
  const strideUp = 1 + snapshot.config.M;
  const { links0, upperLinks, upperOffsets } = snapshot;
  for (let k = from; k < to; k++) {
    const node = nodeCol[k]!;
    const layer = layerCol[k]!;
    const src = layer === 0 ? links0 : upperLinks;
    const base = layer === 0 ? node * stride0 : upperOffsets[node]! + (layer - 1) * strideUp;
    const end = base + 1 + src[base]!;
    let at = offsets[k]!;
    for (let j = base + 1; j < end; j++) values[at++] = src[j]!;
  }
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

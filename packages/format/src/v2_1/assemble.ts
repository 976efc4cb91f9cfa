/**
 * From repetition/definition levels to Arrow structure (Lance 2.1/2.2 structural encoding).
 *
 * Layers are listed innermost first, one per nesting step of the column's path (the leaf, then each
 * enclosing list or struct). Definition codes are handed out from the innermost layer outwards, starting
 * at 1: a nullable item or list takes one code (null), an emptyable list one (empty), a list with both
 * two (null, then empty); all-valid layers take none; 0 means "valid all the way down". Repetition:
 * a level with `rep >= r` starts a new list at the list layer numbered `r` (innermost list = 1); the
 * outermost list's number starts a new row. Null and empty lists have a level but no value; null items
 * (and children of null structs) have a value slot.
 *
 * Example: `[[1, 2], null, []]` as `List<Int64>` (layers [ALL_VALID_ITEM, NULL_AND_EMPTY_LIST]) has levels
 * rep `1 0 1 1`, def `0 0 1 2` and values `1 2`.
 */
import { ArrayData, checkDecodeLimits, CorruptDataError, makeData, NotSupportedError, TypeId } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import { makeNullData } from '../internal/concat';
import { RepDefLayer } from './layout';
import type { PageLevels } from './levels';
import { definitionCodes, isListLayer as isList } from './levels';

/** One layer of a shredded column, outermost first. */
export interface LayerInfo {
  length: number;
  validity: Uint8Array | null;
  /** Child offsets (length + 1) for list layers. */
  offsets: Int32Array | null;
}

/** A column's levels turned into per-layer validity and offsets. */
export interface Shredded {
  layers: LayerInfo[];
  values: Block;
  dictionary: Block | null;
}

/**
 * Turns a column's levels into per-layer structure.
 * @throws CorruptDataError when the levels do not describe `numRows` rows and the page's values.
 */
export function shred(p: PageLevels, where: string): Shredded {
  const layers = p.layers;
  const L = layers.length;
  if (L === 0) throw new CorruptDataError(`${where}: page has no repetition/definition layers`);
  const { nullCode, emptyCode, count: next } = definitionCodes(layers);
  const firstCode = new Float64Array(L + 1);
  const repIndex = new Int32Array(L);
  let lists = 0;
  for (let j = 0; j < L; j++) {
    if (isList(layers[j]!)) lists++;
    repIndex[j] = lists;
  }
  if (isList(layers[0]!)) throw new CorruptDataError(`${where}: innermost layer is a list`);
  firstCode[L] = Infinity;
  for (let j = L - 1; j >= 0; j--) {
    const lo = nullCode[j]! > 0 ? nullCode[j]! : emptyCode[j]! > 0 ? emptyCode[j]! : 0;
    firstCode[j] = lo > 0 ? lo : firstCode[j + 1]!;
  }
  const rep = p.rep;
  const def = p.def;
  if (lists > 0 && rep === null) throw new CorruptDataError(`${where}: list layers without repetition levels`);
  const M = rep !== null || def !== null ? p.numLevels : p.values.numValues;
  if (def !== null) {
    for (let i = 0; i < M; i++) if (def[i]! >= next) throw new CorruptDataError(`${where}: definition level ${def[i]} at ${i}, the layers allow 0..${next - 1}`);
  }
  if (rep === null) return shredWithoutLists(p, layers, firstCode, M, where);
  let starts: Int32Array;
  let ends: Int32Array;
  if (rep !== null) {
    let rows = 0;
    for (let i = 0; i < M; i++) if (rep[i] === lists) rows++;
    if (M > 0 && rep[0] !== lists) throw new CorruptDataError(`${where}: first repetition level is ${rep[0]}, expected ${lists}`);
    starts = new Int32Array(rows);
    ends = new Int32Array(rows);
    let k = 0;
    for (let i = 0; i < M; i++) {
      if (rep[i]! > lists) throw new CorruptDataError(`${where}: repetition level ${rep[i]} at ${i}, at most ${lists}`);
      if (rep[i] === lists) {
        if (k > 0) ends[k - 1] = i;
        starts[k++] = i;
      }
    }
    if (k > 0) ends[k - 1] = M;
  } else {
    starts = new Int32Array(M);
    ends = new Int32Array(M);
    for (let i = 0; i < M; i++) {
      starts[i] = i;
      ends[i] = i + 1;
    }
  }
  if (starts.length !== p.numRows) throw new CorruptDataError(`${where}: levels describe ${starts.length} rows, the page has ${p.numRows}`);
  const out: LayerInfo[] = [];
  for (let j = L - 1; j >= 0; j--) {
    const n = starts.length;
    const fc = firstCode[j]!;
    let validity: Uint8Array | null = null;
    const setNull = (k: number): void => {
      if (validity === null) validity = new Uint8Array(((n + 63) >>> 6) << 3).fill(255);
      validity[k >>> 3]! &= ~(1 << (k & 7));
    };
    if (!isList(layers[j]!)) {
      if (def !== null) for (let k = 0; k < n; k++) if (def[starts[k]!]! >= fc) setNull(k);
      out.push({ length: n, validity, offsets: null });
      continue;
    }
    const r = repIndex[j]!;
    const ec = emptyCode[j]!;
    const offsets = new Int32Array(n + 1);
    let children = 0;
    for (let k = 0; k < n; k++) {
      const s = starts[k]!;
      const d = def === null ? 0 : def[s]!;
      if (d < fc) {
        for (let i = s; i < ends[k]!; i++) if (i === s || rep![i]! >= r - 1) children++;
      } else if (d !== ec) setNull(k);
      offsets[k + 1] = children;
    }
    const cs = new Int32Array(children);
    const ce = new Int32Array(children);
    let c = 0;
    for (let k = 0; k < n; k++) {
      const s = starts[k]!;
      const d = def === null ? 0 : def[s]!;
      if (d >= fc) continue;
      const first = c;
      for (let i = s; i < ends[k]!; i++) {
        if (i === s || rep![i]! >= r - 1) {
          if (c > first) ce[c - 1] = i;
          cs[c++] = i;
        }
      }
      ce[c - 1] = ends[k]!;
    }
    out.push({ length: n, validity, offsets });
    starts = cs;
    ends = ce;
  }
  if (starts.length !== p.values.numValues) {
    throw new CorruptDataError(`${where}: levels describe ${starts.length} leaf values, the page holds ${p.values.numValues}`);
  }
  return { layers: out, values: p.values, dictionary: p.dictionary };
}

/**
 * {@link shred} of a column without list layers (no repetition levels): one level and one value slot per
 * row, so row `k`'s level is level `k` and no per-row start/end arrays are needed. Each layer, outermost
 * first, is null where the row's definition level reaches that layer's first code.
 */
function shredWithoutLists(p: PageLevels, layers: readonly RepDefLayer[], firstCode: Float64Array, n: number, where: string): Shredded {
  if (n !== p.numRows) throw new CorruptDataError(`${where}: levels describe ${n} rows, the page has ${p.numRows}`);
  const def = p.def;
  const out: LayerInfo[] = [];
  for (let j = layers.length - 1; j >= 0; j--) {
    const fc = firstCode[j]!;
    let validity: Uint8Array | null = null;
    if (def !== null) {
      for (let k = 0; k < n; k++) {
        if (def[k]! >= fc) {
          if (validity === null) validity = new Uint8Array(((n + 63) >>> 6) << 3).fill(255);
          validity[k >>> 3]! &= ~(1 << (k & 7));
        }
      }
    }
    out.push({ length: n, validity, offsets: null });
  }
  if (n !== p.values.numValues) throw new CorruptDataError(`${where}: levels describe ${n} leaf values, the page holds ${p.values.numValues}`);
  return { layers: out, values: p.values, dictionary: p.dictionary };
}

/**
 * Pages of one column ready to be joined: when there are several, each dictionary page is replaced by its
 * values (its indices gathered from its own dictionary, a copy), since every page has a dictionary of its own
 * (LanceDB writes one per page). A single page keeps its dictionary (the leaf gathers it).
 */
export function expandPageDictionaries(pages: PageLevels[], where: string): PageLevels[] {
  if (pages.length < 2) return pages;
  return pages.map((p, i) => {
    if (p.dictionary === null) return p;
    const v = p.values;
    // An all-null page holds no indices (0-bit block): there is nothing to gather.
    const values = v.kind === 'fixed' && v.bitsPerValue === 0 ? v : gather(p.dictionary, v, v.numValues, `${where}, page ${i}`);
    return { ...p, values, dictionary: null };
  });
}

function gather(dict: Block, indices: Block, n: number, where: string): Block {
  if (indices.kind !== 'fixed') throw new CorruptDataError(`${where}: dictionary indices are variable-width`);
  const ib = indices.bitsPerValue;
  if (ib !== 8 && ib !== 16 && ib !== 32 && ib !== 64) throw new CorruptDataError(`${where}: ${ib}-bit dictionary indices`);
  const idx = new Uint32Array(n);
  const b = indices.bytes;
  const w = ib >>> 3;
  if (b.length < n * w) throw new CorruptDataError(`${where}: ${b.length} bytes of dictionary indices for ${n} values`);
  for (let i = 0; i < n; i++) {
    const at = i * w;
    // The low 32 bits (a larger index is beyond any dictionary anyway, and fails below).
    const v = w === 1 ? b[at]! : w === 2 ? b[at]! | (b[at + 1]! << 8) : (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
    if (v >= dict.numValues || (w === 8 && (b[at + 4]! | b[at + 5]! | b[at + 6]! | b[at + 7]!) !== 0)) {
      // Null slots may hold any index; clamp them to 0 when the dictionary is not empty.
      if (dict.numValues === 0) throw new CorruptDataError(`${where}: dictionary index ${v} at ${i} into an empty dictionary`);
      throw new CorruptDataError(`${where}: dictionary index ${v} at ${i} is beyond the ${dict.numValues} items`);
    }
    idx[i] = v;
  }
  if (dict.kind === 'fixed') {
    const dw = dict.bitsPerValue >>> 3;
    // A few index bytes can repeat a wide item: bound the expansion before allocating.
    checkDecodeLimits(`${where}: dictionary expansion`, n, dw);
    const out = new Uint8Array(n * dw);
    const src = dict.bytes;
    for (let i = 0; i < n; i++) {
      const s = idx[i]! * dw;
      const d = i * dw;
      for (let k = 0; k < dw; k++) out[d + k] = src[s + k]!;
    }
    return { kind: 'fixed', bitsPerValue: dict.bitsPerValue, numValues: n, bytes: out, itemValidity: null };
  }
  // One pass for the output offsets, one to copy item bytes (a byte loop for short items).
  const dOff = dict.offsets;
  const src = dict.bytes;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    total += dOff[k + 1]! - dOff[k]!;
    if (total > 0x7fffffff) throw new CorruptDataError(`${where}: dictionary page expands beyond 2 GiB`);
    offsets[i + 1] = total;
  }
  checkDecodeLimits(`${where}: dictionary expansion to ${total} bytes`, total, 1);
  const out = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    const s = dOff[k]!;
    const e = dOff[k + 1]!;
    let d = offsets[i]!;
    if (e - s <= 32) for (let j = s; j < e; j++) out[d++] = src[j]!;
    else out.set(src.subarray(s, e), d);
  }
  return { kind: 'variable', numValues: n, offsets, bytes: out };
}

/** Builds the leaf array of `type` from values and the leaf layer's validity. */
export function leafData(type: DataType, info: LayerInfo, col: Shredded, where: string): ArrayData {
  let values = col.values;
  const n = info.length;
  if (values.kind === 'fixed' && values.bitsPerValue === 0) {
    // Values whose items are all null (see `full-zip.ts`): zero items of the type's width, item validity kept.
    if (values.itemValidity !== null && type.typeId === TypeId.FixedSizeList && type.child.type.typeId >= TypeId.Int8 && type.child.type.typeId <= TypeId.Float64) {
      const bits = (type.child.type as { bitWidth: number }).bitWidth * type.listSize;
      checkDecodeLimits(`${n} values of ${bits} bits with null items`, n, bits / 8);
      values = { ...values, bitsPerValue: bits, bytes: new Uint8Array((n * bits) >>> 3) };
    } else return makeNullData(type, n);
  }
  if (col.dictionary !== null) values = gather(col.dictionary, values, n, where);
  const id = type.typeId;
  const validity = info.validity;
  if (id === TypeId.Bool) {
    // **(found)** LanceDB 0.39 (2.2) writes a bool column of one value as a constant page whose inline value
    // is one byte (0 or 1), which the constant decoder repeats per row: back to bits.
    if (values.kind === 'fixed' && values.bitsPerValue === 8) values = bytesToBits(values, where);
    if (values.kind !== 'fixed' || values.bitsPerValue !== 1) throw new CorruptDataError(`${where}: bool column stored as ${values.kind} ${values.kind === 'fixed' ? values.bitsPerValue : ''}`);
    const bits = new Uint8Array(((n + 63) >>> 6) << 3);
    bits.set(values.bytes.subarray(0, Math.min(values.bytes.length, bits.length)));
    return makeData({ type, length: n, validity, values: bits });
  }
  if (id >= TypeId.Int8 && id <= TypeId.Float64) {
    const bw = (type as { bitWidth: number }).bitWidth;
    if (values.kind !== 'fixed' || values.bitsPerValue !== bw) throw new CorruptDataError(`${where}: ${type.toString()} column holds ${values.kind === 'fixed' ? `${values.bitsPerValue}-bit` : 'variable-width'} values`);
    return makeData({ type, length: n, validity, values: values.bytes.subarray(0, (n * bw) >>> 3) });
  }
  if (id === TypeId.Utf8 || id === TypeId.Binary) {
    if (values.kind !== 'variable') throw new CorruptDataError(`${where}: ${type.toString()} column holds fixed-width values`);
    return makeData({ type, length: n, validity, values: values.bytes, valueOffsets: values.offsets });
  }
  if (id === TypeId.FixedSizeList) {
    const child = type.child.type;
    const cid = child.typeId;
    if (!(cid >= TypeId.Int8 && cid <= TypeId.Float64)) throw new NotSupportedError(`${where}: Lance 2.1 ${type.toString()} is not supported by this reader`);
    const bw = (child as { bitWidth: number }).bitWidth;
    const d = type.listSize;
    if (values.kind !== 'fixed' || values.bitsPerValue !== bw * d) throw new CorruptDataError(`${where}: ${type.toString()} column holds ${values.kind === 'fixed' ? `${values.bitsPerValue}-bit` : 'variable-width'} values`);
    let itemValidity: Uint8Array | null = null;
    if (values.itemValidity !== null) {
      itemValidity = new Uint8Array(((n * d + 63) >>> 6) << 3);
      itemValidity.set(values.itemValidity.subarray(0, Math.min(values.itemValidity.length, itemValidity.length)));
      let all = true;
      for (let i = 0; i < n * d && all; i++) if (!((itemValidity[i >>> 3]! >>> (i & 7)) & 1)) all = false;
      if (all) itemValidity = null;
    }
    const items = makeData({ type: child, length: n * d, validity: itemValidity, values: values.bytes.subarray(0, (n * d * bw) >>> 3) });
    return makeData({ type, length: n, validity, children: [items] });
  }
  throw new NotSupportedError(`${where}: Lance 2.1 columns of ${type.toString()} are not supported by this reader`);
}

/** Fixed 8-bit bool values (each 0 or 1) as a bitmap block. */
function bytesToBits(v: Extract<Block, { kind: 'fixed' }>, where: string): Block {
  const n = v.numValues;
  const bits = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) {
    const x = v.bytes[i]!;
    if (x > 1) throw new CorruptDataError(`${where}: bool value byte ${x} at ${i}, expected 0 or 1`);
    if (x === 1) bits[i >>> 3]! |= 1 << (i & 7);
  }
  return { kind: 'fixed', bitsPerValue: 1, numValues: n, bytes: bits, itemValidity: null };
}

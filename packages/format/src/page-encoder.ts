/**
 * Encodes ArrayData into Lance 2.0 pages: an encoding tree plus the page buffers, in buffer-index order.
 *
 * Layouts written (the ones LanceDB's own 2.0 writer uses, so every Lance 2.0 reader accepts them):
 * - fixed width: `nullable { no_nulls { flat(bits) } }`, or `some_nulls { validity: flat(1), values: flat(bits) }`
 *   (buffers: validity, then values; null slots zeroed), or `all_nulls {}` (no buffers);
 * - Utf8/Binary: `binary { indices: nullable { no_nulls { flat(64) } }, bytes: flat(8), null_adjustment }`
 *   with u64 end offsets (no leading 0) and null rows stored as previous end + null_adjustment (= bytes + 1);
 * - FixedSizeList<fixed width>: `nullable { … values: fixed_size_list { dimension, items: nullable { … flat } } }`;
 * - List: `list { offsets: nullable { no_nulls { flat(64) } }, null_offset_adjustment = items + 1, num_items }`,
 *   page-relative ends, null rows + adjustment; Struct: `struct {}` with no buffers.
 *
 * Never `bitpacked`: LanceDB 0.39's 2.0 `bitpacked` decoder misreads range reads (issue 11 item 2, FORMAT.md).
 *
 * Example: Int32 [7, null] → buffers `01` (validity) and `07 00 00 00 00 00 00 00`, encoding
 * `nullable { some_nulls { validity: flat { 1, buffer 0 }, values: flat { 32, buffer 1 } } }`.
 */
import { ArrayData, buildVariableDictionary, concatData, DICTIONARY_NULL_INDEX, InternalError, InvalidArgumentError, isFixedBinary, makeNullData, NotSupportedError, TypeId } from '@vego/encoding';
import type { DataType, Dictionary, VariableWidthValues } from '@vego/encoding';
import type { ArrayEncoding, CompressionSpec } from './array-encoding';
import { copyBits } from './internal/bits';
import type { BufferCodec } from './page-decoder';

/** An encoded page: its tree and its buffers (index i of the tree = buffers[i]). */
export interface EncodedPage {
  encoding: ArrayEncoding;
  buffers: Uint8Array[];
  length: number;
}

/** Options for leaf page encoding. */
export interface PageEncodeOptions {
  /** Compress flat value buffers of fixed-width columns with this codec (see FORMAT.md for what LanceDB reads). */
  compression?: { codec: BufferCodec; level?: number } | undefined;
  /** Dictionary-encode Utf8 pages of at least `minRows` rows with fewer than `maxItems` distinct values. */
  dictionary?: { minRows: number; maxItems: number } | undefined;
}

class Buffers {
  readonly list: Uint8Array[] = [];
  add(b: Uint8Array): number {
    this.list.push(b);
    return this.list.length - 1;
  }
}

function flat(bits: number, bufs: Buffers, bytes: Uint8Array, opts?: PageEncodeOptions): ArrayEncoding {
  if (opts?.compression !== undefined && bits >= 8) {
    const c = opts.compression;
    const compression: CompressionSpec = c.level === undefined ? { scheme: c.codec.scheme } : { scheme: c.codec.scheme, level: c.level };
    return { kind: 'flat', bitsPerValue: bits, buffer: { index: bufs.add(c.codec.compress(bytes, c.level)), location: 'page' }, compression };
  }
  return { kind: 'flat', bitsPerValue: bits, buffer: { index: bufs.add(bytes), location: 'page' } };
}

/**
 * The fixed-width values of rows [offset, offset+n) as bytes, null slots zeroed: a VIEW of the
 * array's own memory when there is no null (no copy: the writer hands page buffers straight to its
 * ByteSink, whose `write` copies or writes them before returning, as every sink here does), else a copy.
 */
function fixedValueBytes(d: ArrayData, n: number): Uint8Array {
  const bw = (d.type as { bitWidth: number }).bitWidth;
  if (bw === 1) return copyBits(d.values as Uint8Array, d.offset, n);
  const bpe = bw >>> 3;
  const v = d.values!;
  const src = new Uint8Array(v.buffer, v.byteOffset + d.offset * bpe, n * bpe);
  if (d.nullCount === 0) return src;
  const out = src.slice();
  if (d.nullCount > 0) {
    for (let i = 0; i < n; i++) if (!d.isValid(i)) out.fill(0, i * bpe, (i + 1) * bpe);
  }
  return out;
}

function validityBytes(d: ArrayData): Uint8Array {
  return copyBits(d.validity!, d.offset, d.length);
}

/** Encodes a fixed-width array (values plus nulls), `d` holding exactly the page rows. */
function encodeFixed(d: ArrayData, bufs: Buffers, opts?: PageEncodeOptions): ArrayEncoding {
  const n = d.length;
  const bits = (d.type as { bitWidth: number }).bitWidth;
  if (n > 0 && d.nullCount === n) return { kind: 'nullable', nulls: 'all' };
  if (d.nullCount === 0) return { kind: 'nullable', nulls: 'none', values: flat(bits, bufs, fixedValueBytes(d, n), opts) };
  const validity = flat(1, bufs, validityBytes(d));
  return { kind: 'nullable', nulls: 'some', validity, values: flat(bits, bufs, fixedValueBytes(d, n), opts) };
}

function encodeFixedSizeList(d: ArrayData, bufs: Buffers, opts?: PageEncodeOptions): ArrayEncoding {
  const n = d.length;
  const type = d.type as Extract<DataType, { typeId: typeof TypeId.FixedSizeList }>;
  const dim = type.listSize;
  if (n > 0 && d.nullCount === n) return { kind: 'nullable', nulls: 'all' };
  const validity = d.nullCount > 0 ? flat(1, bufs, validityBytes(d)) : null;
  const items = d.children[0]!.slice(d.offset * dim, (d.offset + n) * dim);
  const itemsEnc = encodeFixed(items, bufs, opts);
  const fsl: ArrayEncoding = { kind: 'fixedSizeList', dimension: dim, hasValidity: false, items: itemsEnc };
  return validity === null ? { kind: 'nullable', nulls: 'none', values: fsl } : { kind: 'nullable', nulls: 'some', validity, values: fsl };
}

function u64Bytes(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    dv.setUint32(i * 8, v % 4294967296, true);
    dv.setUint32(i * 8 + 4, Math.floor(v / 4294967296), true);
  }
  return out;
}

/** True when this host stores numbers little-endian (every supported engine does). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `o[from + 1 … from + n] − base` as little-endian u64 (32-bit offsets: the high words are 0). */
function u64Ends(o: Int32Array, from: number, n: number, base: number): Uint8Array {
  const out = new Uint8Array(n * 8);
  if (HOST_LITTLE_ENDIAN) {
    const w = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) w[2 * i] = o[from + i + 1]! - base;
  } else {
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) dv.setUint32(i * 8, o[from + i + 1]! - base, true);
  }
  return out;
}

function encodeBinary(d: ArrayData, bufs: Buffers): ArrayEncoding {
  const n = d.length;
  const o = d.valueOffsets!;
  const base = o[d.offset]!;
  // Bytes of valid rows only: null rows contribute nothing.
  const allValid = d.nullCount === 0;
  const src = d.values as Uint8Array;
  if (allValid) {
    // Every row valid: the bytes are one run of the column's (a view; the page is written from it
    // before the caller gets control back), the end offsets the column's rebased.
    const end = o[d.offset + n]!;
    const ends = u64Ends(o, d.offset, n, base);
    const indices: ArrayEncoding = { kind: 'nullable', nulls: 'none', values: flat(64, bufs, ends) };
    return { kind: 'binary', indices, bytes: flat(8, bufs, src.subarray(base, end)), nullAdjustment: end - base + 1 };
  }
  let total = 0;
  for (let i = 0; i < n; i++) if (d.isValid(i)) total += o[d.offset + i + 1]! - o[d.offset + i]!;
  const bytes = new Uint8Array(total);
  const ends = new Float64Array(n);
  const adj = total + 1;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (d.isValid(i)) {
      const s = o[d.offset + i]!;
      const e = o[d.offset + i + 1]!;
      if (e - s <= 32) for (let k = s; k < e; k++) bytes[pos++] = src[k]!;
      else {
        bytes.set(src.subarray(s, e), pos);
        pos += e - s;
      }
      ends[i] = pos;
    } else ends[i] = pos + adj;
  }
  const indices: ArrayEncoding = { kind: 'nullable', nulls: 'none', values: flat(64, bufs, u64Bytes(ends)) };
  const bytesEnc = flat(8, bufs, bytes);
  return { kind: 'binary', indices, bytes: bytesEnc, nullAdjustment: adj };
}

/**
 * Dictionary page of strings, as LanceDB's 2.0 writer makes them:
 * `dictionary { indices: flat(8), items: binary { … }, num_dictionary_items }` (at most 255 items), buffers: indices,
 * item end offsets, item bytes. Indices are 1-based; 0 is a null row. Items are in first-seen order.
 * Example: ["a", null, "a", "b"] → indices `01 00 01 02`, items "a", "b".
 * @returns null when the page has `maxItems` or more distinct values (the caller then writes plain binary).
 */
function encodeDictionary(d: ArrayData, bufs: Buffers, maxItems: number): ArrayEncoding | null {
  const n = d.length;
  const off = d.offset;
  // The same hashing as the 2.1/2.2 page dictionaries (@vego/encoding), over a view of the page's rows.
  const view: VariableWidthValues = {
    kind: 'variable',
    count: n,
    offsets: d.valueOffsets!.subarray(off, off + n + 1),
    bytes: d.values as Uint8Array,
    validity: d.nullCount > 0 ? d.validity : null,
    validityOffset: off,
  };
  const dict = buildVariableDictionary(view, Math.min(maxItems - 1, 255));
  if (dict === null) return null;
  const numItems = dict.numItems;
  // u8 indices only: LanceDB 0.39 misreads u16 dictionary indices (found: rows past item 255 came back null).
  const indices = new Uint8Array(n);
  const idx = dict.indices;
  for (let i = 0; i < n; i++) indices[i] = idx[i] === DICTIONARY_NULL_INDEX ? 0 : idx[i]! + 1;
  const ends = new Float64Array(numItems);
  for (let k = 0; k < numItems; k++) ends[k] = dict.itemOffsets[k + 1]!;
  const total = dict.itemOffsets[numItems]!;
  const indicesEnc = flat(8, bufs, indices);
  const items: ArrayEncoding = {
    kind: 'binary',
    indices: { kind: 'nullable', nulls: 'none', values: flat(64, bufs, u64Bytes(ends)) },
    bytes: flat(8, bufs, dict.itemBytes.subarray(0, total)),
    nullAdjustment: total + 1,
  };
  return { kind: 'dictionary', indices: indicesEnc, items, numDictionaryItems: numItems };
}

/**
 * Decimal128/256 and FixedSizeBinary as LanceDB's 2.0 writer stores them: one flat value of `8 × byteWidth`
 * bits per row under the usual `nullable` wrapper (null slots zeroed).
 */
function encodeFixedBinary(d: ArrayData, bufs: Buffers): ArrayEncoding {
  const n = d.length;
  const w = (d.type as { byteWidth: number }).byteWidth;
  if (n > 0 && d.nullCount === n) return { kind: 'nullable', nulls: 'all' };
  const src = d.values as Uint8Array;
  const out = src.slice(d.offset * w, (d.offset + n) * w);
  if (d.nullCount > 0) for (let i = 0; i < n; i++) if (!d.isValid(i)) out.fill(0, i * w, (i + 1) * w);
  const values = flat(w * 8, bufs, out);
  if (d.nullCount === 0) return { kind: 'nullable', nulls: 'none', values };
  return { kind: 'nullable', nulls: 'some', validity: flat(1, bufs, validityBytes(d)), values };
}

/**
 * An Arrow dictionary column's page as LanceDB's 2.0 writer stores `dict:` fields:
 * `dictionary { indices: nullable { no_nulls { flat(index bits) } }, items: <the dictionary values>, num_dictionary_items }`
 * with 0-based indices; when rows are null, a null item is appended and null rows point at it.
 * Example: dictionary ["a", "b"], indices [1, null, 0] (int32) → indices `01 00 00 00 02 00 00 00 00 00 00 00`, items "a", "b", null.
 * @throws NotSupportedError when the null item's index does not fit the index type; InvalidArgumentError for an
 *   index outside the dictionary.
 */
function encodeArrowDictionary(d: ArrayData, bufs: Buffers, opts?: PageEncodeOptions): ArrayEncoding {
  const type = d.type as Dictionary;
  const n = d.length;
  const dict = d.children[0]!;
  const k = dict.length;
  const hasNulls = d.nullCount > 0;
  const bits = type.indexType.bitWidth;
  const signed = type.indexType.typeId <= TypeId.Int64;
  if (hasNulls && k >= 2 ** (signed ? bits - 1 : bits)) {
    throw new NotSupportedError(`${type.toString()}: a page of ${k} dictionary values and null rows cannot be written in Lance 2.0 (the null item's index ${k} does not fit ${type.indexType.toString()})`);
  }
  const bytes = new Uint8Array(n * (bits >>> 3));
  const dv = new DataView(bytes.buffer);
  const src = d.values as unknown as ArrayLike<number | bigint>;
  for (let i = 0; i < n; i++) {
    const idx = d.isValid(i) ? Number(src[d.offset + i]!) : k;
    if (!(idx >= 0 && idx <= k) || (idx === k && d.isValid(i))) {
      throw new InvalidArgumentError(`${type.toString()} row ${i} has index ${idx}, the dictionary holds ${k} values`);
    }
    const at = i * (bits >>> 3);
    if (bits === 8) bytes[at] = idx;
    else if (bits === 16) dv.setUint16(at, idx, true);
    else if (bits === 32) dv.setUint32(at, idx, true);
    else {
      dv.setUint32(at, idx % 4294967296, true);
      dv.setUint32(at + 4, Math.floor(idx / 4294967296), true);
    }
  }
  const indices: ArrayEncoding = { kind: 'nullable', nulls: 'none', values: flat(bits, bufs, bytes) };
  const itemsData = hasNulls ? concatData(type.valueType, [dict, makeNullData(type.valueType, 1)]) : dict;
  const vt = type.valueType.typeId;
  let items: ArrayEncoding;
  if (vt === TypeId.Utf8 || vt === TypeId.Binary) items = encodeBinary(itemsData, bufs);
  else if (vt >= TypeId.Bool && vt <= TypeId.Float64) items = encodeFixed(itemsData, bufs, opts);
  else throw new NotSupportedError(`${type.toString()}: dictionaries of ${type.valueType.toString()} values are not written here`);
  return { kind: 'dictionary', indices, items, numDictionaryItems: itemsData.length };
}

/**
 * Encodes one leaf column page (fixed width, bool, Utf8/Binary, FixedSizeList of fixed width, decimal,
 * fixed-size binary or Arrow dictionary).
 * @param d the page rows (any offset; buffers are copied).
 */
export function encodeLeafPage(d: ArrayData, opts?: PageEncodeOptions): EncodedPage {
  const bufs = new Buffers();
  const id = d.type.typeId;
  let encoding: ArrayEncoding;
  if (id >= TypeId.Bool && id <= TypeId.Float64) {
    encoding = encodeFixed(d, bufs, opts);
  }
  else if (id === TypeId.Utf8 || id === TypeId.Binary) {
    const dict = opts?.dictionary;
    // LanceDB 0.39 decodes dictionary items as Utf8 (found: Binary items with non-UTF-8 bytes fail there), so Utf8 only.
    const asDict = dict !== undefined && id === TypeId.Utf8 && d.length >= dict.minRows && d.nullCount < d.length ? encodeDictionary(d, bufs, dict.maxItems) : null;
    encoding = asDict ?? encodeBinary(d, bufs);
  }
  else if (id === TypeId.FixedSizeList) encoding = encodeFixedSizeList(d, bufs, opts);
  else if (isFixedBinary(d.type)) encoding = encodeFixedBinary(d, bufs);
  else if (id === TypeId.Dictionary) encoding = encodeArrowDictionary(d, bufs, opts);
  else throw new InternalError(`encodeLeafPage: ${d.type.toString()} is not a leaf type`);
  return { encoding, buffers: bufs.list, length: d.length };
}

/**
 * Encodes the offsets page of a list column: page-relative item ends, null rows + adjustment.
 * @returns the page and the item range `[itemBegin, itemEnd)` of the child array it covers.
 */
export function encodeListPage(d: ArrayData): { page: EncodedPage; itemBegin: number; itemEnd: number } {
  const n = d.length;
  const o = d.valueOffsets!;
  const itemBegin = o[d.offset]!;
  const itemEnd = o[d.offset + n]!;
  const numItems = itemEnd - itemBegin;
  const adj = numItems + 1;
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = o[d.offset + i + 1]! - itemBegin;
    ends[i] = d.isValid(i) ? e : e + adj;
  }
  const bufs = new Buffers();
  const offsets: ArrayEncoding = { kind: 'nullable', nulls: 'none', values: flat(64, bufs, u64Bytes(ends)) };
  return { page: { encoding: { kind: 'list', offsets, nullOffsetAdjustment: adj, numItems }, buffers: bufs.list, length: n }, itemBegin, itemEnd };
}

/** The (buffer-less) page of a struct header column. */
export function encodeStructPage(n: number): EncodedPage {
  return { encoding: { kind: 'struct' }, buffers: [], length: n };
}

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
import { ArrayData, InternalError, TypeId } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
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

function encodeBinary(d: ArrayData, bufs: Buffers): ArrayEncoding {
  const n = d.length;
  const o = d.valueOffsets!;
  const base = o[d.offset]!;
  // Bytes of valid rows only: null rows contribute nothing.
  let total = 0;
  for (let i = 0; i < n; i++) if (d.isValid(i)) total += o[d.offset + i + 1]! - o[d.offset + i]!;
  const bytes = new Uint8Array(total);
  const ends = new Float64Array(n);
  const adj = total + 1;
  const src = d.values as Uint8Array;
  let pos = 0;
  const allValid = d.nullCount === 0;
  if (allValid) {
    bytes.set(src.subarray(base, o[d.offset + n]!));
    for (let i = 0; i < n; i++) ends[i] = o[d.offset + i + 1]! - base;
  } else {
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
  const o = d.valueOffsets!;
  const src = d.values as Uint8Array;
  const off = d.offset;
  const limit = Math.min(maxItems - 1, 255);
  // Open-addressing hash table over the item bytes (no string per row): slot → item index + 1.
  const SLOTS = 1024;
  const MASK = SLOTS - 1;
  const slots = new Int32Array(SLOTS);
  const itemRows = new Int32Array(256);
  const indices = new Uint8Array(n);
  const validity = d.nullCount > 0 ? d.validity : null;
  let numItems = 0;
  for (let i = 0; i < n; i++) {
    if (validity !== null && ((validity[(off + i) >>> 3]! >>> ((off + i) & 7)) & 1) === 0) continue;
    const s = o[off + i]!;
    const e = o[off + i + 1]!;
    let h = 0x811c9dc5 ^ (e - s);
    for (let k = s; k < e; k++) h = Math.imul(h ^ src[k]!, 0x01000193);
    let slot = (h ^ (h >>> 15)) & MASK;
    let idx = 0;
    for (;;) {
      const item = slots[slot]!;
      if (item === 0) break;
      const r = itemRows[item - 1]! + off;
      const rs = o[r]!;
      const re = o[r + 1]!;
      if (re - rs === e - s) {
        let same = true;
        for (let k = 0; k < e - s; k++) {
          if (src[rs + k] !== src[s + k]) {
            same = false;
            break;
          }
        }
        if (same) {
          idx = item;
          break;
        }
      }
      slot = (slot + 1) & MASK;
    }
    if (idx === 0) {
      if (numItems >= limit) return null;
      itemRows[numItems] = i;
      idx = ++numItems;
      slots[slot] = idx;
    }
    indices[i] = idx;
  }
  // u8 indices only: LanceDB 0.39 misreads u16 dictionary indices (found: rows past item 255 came back null).
  let total = 0;
  for (let k = 0; k < numItems; k++) total += o[itemRows[k]! + off + 1]! - o[itemRows[k]! + off]!;
  const bytes = new Uint8Array(total);
  const ends = new Float64Array(numItems);
  let pos = 0;
  for (let k = 0; k < numItems; k++) {
    const r = itemRows[k]! + off;
    bytes.set(src.subarray(o[r]!, o[r + 1]!), pos);
    pos += o[r + 1]! - o[r]!;
    ends[k] = pos;
  }
  const indicesEnc = flat(8, bufs, indices);
  const items: ArrayEncoding = {
    kind: 'binary',
    indices: { kind: 'nullable', nulls: 'none', values: flat(64, bufs, u64Bytes(ends)) },
    bytes: flat(8, bufs, bytes),
    nullAdjustment: total + 1,
  };
  return { kind: 'dictionary', indices: indicesEnc, items, numDictionaryItems: numItems };
}

/**
 * Encodes one leaf column page (fixed width, bool, Utf8/Binary or FixedSizeList of fixed width).
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

/**
 * Encodes one shredded leaf column page (see `./repdef.ts`) as a Lance 2.1/2.2 page: its `PageLayout`
 * bytes and its buffers, in buffer order.
 *
 * **Mini-block** (everything but wide fixed-width values). Buffers: 0 = chunk metadata, 1 = chunks,
 * then (when there are repetition levels) the repetition index. Metadata per chunk: u16 (2.1) or u32
 * (2.2, `has_large_chunk`) = `(chunk bytes / 8 − 1) << 4 | log2(values)` (0 for the last chunk). Chunk:
 * `u16 levels, [u16 rep bytes], [u16 def bytes], u16|u32 bytes of each value buffer`, padding to 8
 * (`FE`, as LanceDB), then rep, def and each value buffer, each padded to 8. Levels are
 * `out_of_line_bitpacking(16, flat(W))`, W the page's widest level. A chunk's levels end at its last
 * value's level (the last chunk: at the page's end), so null and empty lists before a value travel with
 * it. Repetition index: per chunk two u64, rows ended in the chunk and the levels of an unfinished last
 * row. Values: the encoder the registry in `@vego/encoding` picks from the page's statistics. Strings of few
 * distinct values get a page dictionary (buffer 2, before the repetition index): the chunks then hold
 * 0-based u32 indices (bit-packed by the registry), the dictionary one `variable` block. Other string pages
 * are FSST-compressed when that makes them smaller (`fsst { symbol_table, variable }`: the chunks hold the
 * codes, the 2,312-byte symbol table travels in the layout).
 *
 * **Full-zip** (fixed-width values of ≥ 256 bytes without repetition, e.g. 128-d vectors). One buffer: per
 * item `ceil(W / 8)` bytes of definition level when the page has nulls, `ceil(d / 8)` bytes of item
 * validity when a vector's items have nulls, then the value bytes (zeros for null rows). In 2.1 files, also
 * string and binary pages with a value of ≥ 256 bytes (`./full-zip-variable.ts`).
 *
 * Example (2.1, Int8 `[1, 2, 3]`, no nulls): layout `mini_block { flat(8), [ALL_VALID_ITEM], 1 buffer,
 * 3 items }`, metadata `10 00` (one 16-byte chunk, last), chunk `00 00 03 00 FE FE FE FE 01 02 03 FE FE FE FE FE`.
 */
import { ArrayData, buildVariableDictionary, chooseMiniBlockEncoder, inlineBitpackedPageBytes, encodeOutOfLineBitpacked, fsstPageIfSmaller, encodeVariableBlock, InternalError, isFixedBinary, MINI_BLOCK_ENCODERS, MINI_BLOCK_TARGET_BYTES, NotSupportedError, TypeId } from '@vego/encoding';
import type { DataType, FixedWidthValues, LanceValueCompression, MiniBlockEncoder, PageValues, VariableDictionary, VariableWidthValues } from '@vego/encoding';
import { FULL_ZIP_MIN_VALUE_BYTES, encodeFullZipVariable, longestValue } from './full-zip-variable';
import { fullZipLayoutBytes, miniBlockLayoutBytes } from './page-layout-proto';
import { hasIdentitySlots, levelBitWidth } from './repdef';
import type { ShreddedLeaf } from './repdef';
import { storageForWrite } from '../logical-types';

/** LargeUtf8/LargeBinary: written with 64-bit offsets and never as page dictionaries (LanceDB reads them so). */
function isLargeBinary(type: DataType): boolean {
  return type.typeId === TypeId.LargeUtf8 || type.typeId === TypeId.LargeBinary;
}

/** Options of one 2.1/2.2 page. */
export interface StructuralPageOptions {
  /** 2.2 writes u32 chunk metadata and buffer sizes (`has_large_chunk`). */
  largeChunks: boolean;
  /** Let the registry bit-pack integers (default true). */
  bitPacking: boolean;
  /** Dictionary-encode strings of few distinct values (default true; never for LargeUtf8/LargeBinary leaves). */
  dictionary: boolean;
  /** FSST-compress string/binary pages when it makes them smaller (default true; also 64-bit offset pages). */
  fsst: boolean;
}

/** Most distinct values of a page dictionary. */
const MAX_DICTIONARY_ITEMS = 4096;

/**
 * The page dictionary of variable-width values when it pays: at most half as many distinct values as
 * slots (and {@link MAX_DICTIONARY_ITEMS}), and dictionary + packed indices under 80 % of the plain chunks.
 */
function dictionaryFor(v: VariableWidthValues): { dict: VariableDictionary; indices: FixedWidthValues } | null {
  const n = v.count;
  if (n < 16) return null;
  const dict = buildVariableDictionary(v, Math.min(MAX_DICTIONARY_ITEMS, n >>> 1));
  if (dict === null) return null;
  const k = dict.numItems;
  const indexBits = Math.max(1, 32 - Math.clz32(k - 1));
  const dictBytes = 8 + 4 * (k + 1) + dict.itemOffsets[k]!;
  const packed = Math.ceil(n / 1024) * (4 + 128 * indexBits);
  const plain = 4 * (n + 1) + v.offsets[n]! - v.offsets[0]!;
  if (dictBytes + packed >= plain * 0.8) return null;
  const indices: FixedWidthValues = { kind: 'fixed', bitsPerValue: 32, count: n, bytes: new Uint8Array(dict.indices.buffer, dict.indices.byteOffset, n * 4), integer: true };
  return { dict, indices };
}

/** An encoded page. */
export interface StructuralPage {
  layout: Uint8Array;
  buffers: Uint8Array[];
  numRows: number;
  /** True when every buffer is a new array of the encoder's (none is a view of the column's data). */
  owned: boolean;
}

/** Values of ≥ this many bits go to full-zip pages (as LanceDB 0.39 decides: 256 bytes). */
const FULL_ZIP_MIN_BITS = 256 * 8;
const PAD = 0xfe;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** Item validity (d bits per value) of FixedSizeList value slots, or null when the items have no nulls. */
function fslItemValidity(leaf: ArrayData, col: ShreddedLeaf): Uint8Array | null {
  const child = leaf.children[0]!;
  const dim = (leaf.type as { listSize: number }).listSize;
  if (child.nullCount === 0) return null;
  const out = new Uint8Array(Math.ceil((col.numValues * dim) / 8));
  for (let k = 0; k < col.numValues; k++) {
    if (col.valueValid[k] === 0) continue;
    const base = (leaf.offset + col.valueIndex[k]!) * dim;
    for (let j = 0; j < dim; j++) if (child.isValid(base + j)) out[(k * dim + j) >>> 3]! |= 1 << ((k * dim + j) & 7);
  }
  return out;
}

/**
 * A dictionary leaf whose rows are valid only where the page stores a value. Rows under a null struct are
 * placeholders that Arrow leaves undefined: their index may address nothing (our builders write 0 into an
 * empty dictionary), so looking their values up would refuse valid data.
 */
function onlyStoredRows(col: ShreddedLeaf): ArrayData {
  const leaf = col.leaf;
  const bits = new Uint8Array(Math.ceil((leaf.offset + leaf.length) / 8));
  for (let k = 0; k < col.numValues; k++) {
    const i = col.valueIndex[k]!;
    if (col.valueValid[k] === 0 || !leaf.isValid(i)) continue;
    const j = leaf.offset + i;
    bits[j >>> 3]! |= 1 << (j & 7);
  }
  return new ArrayData(leaf.type, leaf.length, leaf.offset, -1, bits, leaf.values, leaf.valueOffsets, leaf.children);
}

/** Gathers the value slots into page values (copy): null slots zero-filled (fixed) or empty (variable). */
function gatherValues(col: ShreddedLeaf): { values: PageValues; compression: (c: LanceValueCompression) => LanceValueCompression; itemValidity: Uint8Array | null; itemsPerValue: number } {
  // Temporal leaves are gathered as their integers, LargeUtf8/LargeBinary as Utf8/Binary with 64-bit
  // offsets in the page (LanceDB fails 32-bit offset chunks for them: "expected 64-bit offsets").
  const largeOffsets = isLargeBinary(col.leaf.type);
  const leaf = storageForWrite(col.leaf.type.typeId === TypeId.Dictionary ? onlyStoredRows(col) : col.leaf);
  const t = leaf.type;
  const n = col.numValues;
  const idx = col.valueIndex;
  const ok = col.valueValid;
  const id = t.typeId;
  // Slots 0 … n−1, all valid: no need to look at them one by one.
  const identity = hasIdentitySlots(col) && n === leaf.length;
  if (id === TypeId.Utf8 || id === TypeId.Binary) {
    const o = leaf.valueOffsets!;
    const src = leaf.values as Uint8Array;
    let offsets: Int32Array;
    let contiguous = n === leaf.length && leaf.nullCount === 0;
    for (let k = 0; contiguous && !identity && k < n; k++) if (idx[k] !== k) contiguous = false;
    let bytes: Uint8Array;
    if (contiguous) {
      // Every row a valid value slot in order: views of the column's offsets and bytes, not rebased (the
      // encoders only read page values, and index the bytes by the offsets as they are).
      offsets = o.subarray(leaf.offset, leaf.offset + n + 1);
      bytes = src.subarray(0, o[leaf.offset + n]!);
    } else {
      offsets = new Int32Array(n + 1);
      let total = 0;
      for (let k = 0; k < n; k++) if (ok[k] === 1) total += o[leaf.offset + idx[k]! + 1]! - o[leaf.offset + idx[k]!]!;
      bytes = new Uint8Array(total);
      let pos = 0;
      for (let k = 0; k < n; k++) {
        if (ok[k] === 1) {
          const s = o[leaf.offset + idx[k]!]!;
          const e = o[leaf.offset + idx[k]! + 1]!;
          // A byte loop for short values (no subarray per row), one `set` for long ones.
          if (e - s <= 32) for (let b = s; b < e; b++) bytes[pos++] = src[b]!;
          else {
            bytes.set(src.subarray(s, e), pos);
            pos += e - s;
          }
        }
        offsets[k + 1] = pos;
      }
    }
    const v: VariableWidthValues = { kind: 'variable', count: n, offsets, bytes, validity: null, validityOffset: 0, offsetBits: largeOffsets ? 64 : 32 };
    return { values: v, compression: (c) => c, itemValidity: null, itemsPerValue: 1 };
  }
  if (id === TypeId.Bool) {
    const src = leaf.values as Uint8Array;
    if (identity && (leaf.offset & 7) === 0 && leaf.nullCount === 0) {
      // Whole bytes of the column's bits; the bits past the last row cleared, as the loop below leaves them.
      const bytes = src.slice(leaf.offset >>> 3, (leaf.offset >>> 3) + Math.ceil(n / 8));
      if ((n & 7) !== 0) bytes[bytes.length - 1]! &= (1 << (n & 7)) - 1;
      return { values: { kind: 'fixed', bitsPerValue: 1, count: n, bytes, integer: false }, compression: (c) => c, itemValidity: null, itemsPerValue: 1 };
    }
    const bytes = new Uint8Array(Math.ceil(n / 8));
    for (let k = 0; k < n; k++) {
      if (ok[k] === 0) continue;
      const j = leaf.offset + idx[k]!;
      if ((src[j >>> 3]! >>> (j & 7)) & 1) bytes[k >>> 3]! |= 1 << (k & 7);
    }
    return { values: { kind: 'fixed', bitsPerValue: 1, count: n, bytes, integer: false }, compression: (c) => c, itemValidity: null, itemsPerValue: 1 };
  }
  let dim = 1;
  let bits: number;
  let src: Uint8Array;
  let base: number;
  let integer: boolean;
  if (id === TypeId.FixedSizeList) {
    dim = t.listSize;
    const child = leaf.children[0]!;
    bits = (child.type as { bitWidth: number }).bitWidth;
    const cv = child.values!;
    src = new Uint8Array(cv.buffer, cv.byteOffset, cv.byteLength);
    base = child.offset;
    integer = false;
  } else {
    // Decimals and fixed-size binary: one flat value of 8 × byteWidth bits (as LanceDB writes them).
    bits = isFixedBinary(t) ? t.byteWidth * 8 : (t as { bitWidth: number }).bitWidth;
    const v = leaf.values!;
    src = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    base = 0;
    integer = id >= TypeId.Int8 && id <= TypeId.Uint64;
  }
  const w = (bits >>> 3) * dim;
  let contiguous = n === leaf.length && n > 0 && leaf.nullCount === 0;
  for (let k = 0; contiguous && !identity && k < n; k++) if (idx[k] !== k) contiguous = false;
  const start = (base + leaf.offset * dim) * (bits >>> 3);
  // Every row a valid value slot in order: a view of the value bytes (the encoders only read them).
  const bytes = contiguous ? src.subarray(start, start + n * w) : new Uint8Array(n * w);
  for (let k = 0; !contiguous && k < n; k++) {
    if (ok[k] === 0) continue;
    const from = (base + (leaf.offset + idx[k]!) * dim) * (bits >>> 3);
    if (w <= 16) for (let b = 0; b < w; b++) bytes[k * w + b] = src[from + b]!;
    else bytes.set(src.subarray(from, from + w), k * w);
  }
  const values: FixedWidthValues = { kind: 'fixed', bitsPerValue: w * 8, count: n, bytes, integer: integer && dim === 1 };
  if (id !== TypeId.FixedSizeList) return { values, compression: (c) => c, itemValidity: null, itemsPerValue: 1 };
  const itemValidity = fslItemValidity(leaf, col);
  return {
    values,
    compression: () => ({ kind: 'fixedSizeList', itemsPerValue: dim, hasValidity: itemValidity !== null, values: { kind: 'flat', bitsPerValue: bits } }),
    itemValidity,
    itemsPerValue: dim,
  };
}

/** Copies bits `[from, from + n)` into a new bitmap. */
function bitsOf(src: Uint8Array, from: number, n: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) if ((src[(from + i) >>> 3]! >>> ((from + i) & 7)) & 1) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}

/**
 * Encodes a page.
 * @throws NotSupportedError when a Lance 2.1 chunk would pass the format's 32 KiB limit (2.2 has none that matters here).
 */
export function encodeStructuralPage(col: ShreddedLeaf, opts: StructuralPageOptions, where: string): StructuralPage {
  const g = gatherValues(col);
  const v = g.values;
  if (v.kind === 'fixed' && v.bitsPerValue >= FULL_ZIP_MIN_BITS && col.rep === null) return encodeFullZip(col, v, g.itemValidity, g.itemsPerValue, g.compression);
  // Arrow dictionary columns always get a page dictionary, with indices as wide as their key type: LanceDB
  // refuses `dict:` pages of plain values and indices of another width.
  if (col.leaf.type.typeId === TypeId.Dictionary) {
    const a = arrowDictionaryPage(v, col.leaf.type.indexType.bitWidth);
    return encodeMiniBlock(col, a.indices, null, 1, (c) => c, opts, where, a.dictionary);
  }
  const d = v.kind === 'variable' && opts.dictionary && !isLargeBinary(col.leaf.type) ? dictionaryFor(v) : null;
  if (d !== null) return encodeMiniBlock(col, d.indices, null, 1, (c) => c, opts, where, pageDictionary(d.dict, null));
  const f = v.kind === 'variable' && opts.fsst ? fsstPageIfSmaller(v) : null;
  // Lance 2.1: strings or binaries of which one reaches 256 bytes are zipped whole (each FSST-compressed
  // when that pays), as LanceDB writes them; their 32 KiB mini-block chunks cannot hold two values of
  // 16 KiB. 2.2 chunks have no such limit.
  if (v.kind === 'variable' && !opts.largeChunks && longestValue(v) >= FULL_ZIP_MIN_VALUE_BYTES) {
    const z = f === null ? encodeFullZipVariable(col, v, null) : encodeFullZipVariable(col, f.values, f.symbolTable);
    return { layout: z.layout, buffers: z.buffers, numRows: col.numRows, owned: true };
  }
  if (f !== null) {
    const symbolTable = f.symbolTable;
    return encodeMiniBlock(col, f.values, null, 1, (c) => ({ kind: 'fsst', symbolTable, values: c }), opts, where, null);
  }
  return encodeMiniBlock(col, v, g.itemValidity, g.itemsPerValue, g.compression, opts, where, null);
}

/** A page dictionary as written: buffer 2's bytes, its description in the layout, its item count. */
interface PageDictionary {
  bytes: Uint8Array;
  compression: LanceValueCompression;
  numItems: number;
}

/** A dictionary of variable-width items (`variable` block) or of fixed-width items of `itemBits` (raw `flat` values). */
function pageDictionary(d: VariableDictionary, itemBits: number | null): PageDictionary {
  if (itemBits === null) return { bytes: encodeVariableBlock(d.itemOffsets, d.itemBytes, d.numItems), compression: { kind: 'variable', offsetBits: 32 }, numItems: d.numItems };
  return { bytes: d.itemBytes.slice(0, d.itemOffsets[d.numItems]!), compression: { kind: 'flat', bitsPerValue: itemBits }, numItems: d.numItems };
}

/**
 * The page dictionary of an Arrow dictionary column's values (the page's distinct values in first-seen
 * order; fixed-width values are hashed as byte strings of their width) and the indices at `indexBits`.
 * @returns the arguments of {@link encodeMiniBlock} after the column.
 */
function arrowDictionaryPage(v: PageValues, indexBits: number): { indices: FixedWidthValues; dictionary: PageDictionary } {
  const n = v.count;
  let view: VariableWidthValues;
  let itemBits: number | null = null;
  if (v.kind === 'variable') view = v;
  else {
    const w = v.bitsPerValue >>> 3;
    if (v.bitsPerValue < 8 || (v.bitsPerValue & 7) !== 0) throw new NotSupportedError(`dictionaries of ${v.bitsPerValue}-bit values cannot be written to Lance 2.1/2.2 files here`);
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = i * w;
    view = { kind: 'variable', count: n, offsets, bytes: v.bytes, validity: null, validityOffset: 0 };
    itemBits = v.bitsPerValue;
  }
  // Every distinct value fits: a page holds at most as many distinct values as the Arrow dictionary, whose indices fit the key type.
  // A page without values (only null or empty lists) gets a dictionary of one unused zero item: LanceDB
  // fails an empty one of fixed-width items ("Misaligned buffers[0] in array of type Int32").
  const d = n === 0 ? oneZeroItem(itemBits) : buildVariableDictionary(view, Math.max(1, n))!;
  const w = indexBits >>> 3;
  const bytes = new Uint8Array(n * w);
  const idx = d.indices;
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    const at = i * w;
    bytes[at] = k & 255;
    if (w >= 2) bytes[at + 1] = (k >>> 8) & 255;
    if (w >= 4) {
      bytes[at + 2] = (k >>> 16) & 255;
      bytes[at + 3] = k >>> 24;
    }
  }
  return { indices: { kind: 'fixed', bitsPerValue: indexBits, count: n, bytes, integer: true }, dictionary: pageDictionary(d, itemBits) };
}

/** A dictionary of one item of zero bytes: `itemBits` wide, or empty for variable-width items (null). */
function oneZeroItem(itemBits: number | null): VariableDictionary {
  const w = itemBits === null ? 0 : itemBits >>> 3;
  return { numItems: 1, itemOffsets: Int32Array.of(0, w), itemBytes: new Uint8Array(w), indices: new Uint32Array(0) };
}

function encodeFullZip(
  col: ShreddedLeaf,
  v: FixedWidthValues,
  itemValidity: Uint8Array | null,
  dim: number,
  compression: (c: LanceValueCompression) => LanceValueCompression,
): StructuralPage {
  const n = col.numValues;
  const w = v.bitsPerValue >>> 3;
  const defBits = levelBitWidth(col.def);
  const cw = Math.ceil(defBits / 8);
  if (cw > 2) throw new InternalError('full-zip definition levels wider than 16 bits');
  const vb = itemValidity === null ? 0 : Math.ceil(dim / 8);
  let data: Uint8Array;
  if (cw === 0 && vb === 0) data = v.bytes;
  else {
    const stride = cw + vb + w;
    data = new Uint8Array(n * stride);
    const def = col.def;
    for (let k = 0; k < n; k++) {
      let at = k * stride;
      if (cw > 0) {
        const d = def![col.valueLevel[k]!]!;
        data[at] = d & 0xff;
        if (cw === 2) data[at + 1] = d >>> 8;
        at += cw;
      }
      if (vb > 0) {
        for (let j = 0; j < dim; j++) {
          const b = k * dim + j;
          if ((itemValidity![b >>> 3]! >>> (b & 7)) & 1) data[at + (j >>> 3)]! |= 1 << (j & 7);
        }
        at += vb;
      }
      data.set(v.bytes.subarray(k * w, (k + 1) * w), at);
    }
  }
  const values = compression({ kind: 'flat', bitsPerValue: v.bitsPerValue });
  const layout = fullZipLayoutBytes({ bitsDef: defBits, bitsPerValue: v.bitsPerValue + vb * 8, numItems: n, values, layers: col.layers });
  return { layout, buffers: [data], numRows: col.numRows, owned: data !== v.bytes };
}

/** A buffer written front to back whose capacity doubles when a reservation does not fit. */
class ChunkBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(64, capacity));
  }

  /** Room for `n` more bytes (zeros); returns where they start. */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(at + n, 2 * this.bytes.length));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    this.length = at + n;
    return at;
  }
}

/**
 * About the bytes of a page's chunks under encoder `enc`: its values as written (plain, or bit-packed per
 * 1024-value block), levels at 16 bits, and 1/32 for chunk headers and padding. An estimate: the buffer
 * grows when it falls short, and a large one costs zeroing and memory the page does not use.
 */
function estimateChunkBytes(enc: MiniBlockEncoder, v: PageValues, n: number, numLevels: number): number {
  let values: number;
  if (v.kind === 'variable') values = ((v.offsetBits ?? 32) >>> 3) * (n + 1) + (v.offsets[n]! - v.offsets[0]!);
  else if (enc.name === 'inline_bitpacking') values = inlineBitpackedPageBytes(v);
  else values = Math.ceil((n * v.bitsPerValue) / 8);
  const raw = values + 4 * numLevels;
  return raw + (raw >>> 5) + 256;
}

function encodeMiniBlock(
  col: ShreddedLeaf,
  v: PageValues,
  itemValidity: Uint8Array | null,
  dim: number,
  compression: (c: LanceValueCompression) => LanceValueCompression,
  opts: StructuralPageOptions,
  where: string,
  dictionary: PageDictionary | null,
): StructuralPage {
  const enc: MiniBlockEncoder =
    itemValidity !== null || dim > 1 || (v.kind === 'fixed' && v.count === 0) ? MINI_BLOCK_ENCODERS.get('flat')! : chooseMiniBlockEncoder(v, { bitPacking: opts.bitPacking });
  const n = col.numValues;
  const rep = col.rep;
  const def = col.def;
  const repW = rep === null ? null : Math.max(1, levelBitWidth(rep));
  const defW = def === null ? null : Math.max(1, levelBitWidth(def));
  const large = opts.largeChunks;
  const sizeBytes = large ? 4 : 2;
  const numBuffers = itemValidity !== null || enc.name === 'rle' ? 2 : 1;
  const headerBytes = pad8(2 + (rep !== null ? 2 : 0) + (def !== null ? 2 : 0) + numBuffers * sizeBytes);
  // Chunks are written one after another into one buffer, grown (doubled) when the estimate falls short.
  const out = new ChunkBuffer(estimateChunkBytes(enc, v, n, col.numLevels));
  const meta: number[] = [];
  const repIndex: number[] = [];
  let at = 0;
  let levelAt = 0;
  let unfinished = false;
  let maxRep = 0;
  if (rep !== null) for (let l = 0; l < rep.length; l++) if (rep[l]! > maxRep) maxRep = rep[l]!;
  for (;;) {
    const left = n - at;
    let count = left === 0 ? 0 : enc.chunkValues(v, at, MINI_BLOCK_TARGET_BYTES);
    if (count < left && count < 2) count = Math.min(2, left);
    const last = at + count === n;
    if (!last && (count & (count - 1)) !== 0) throw new InternalError(`chunk of ${count} values is not a power of two`);
    const levelEnd = col.numLevels === 0 ? 0 : last ? col.numLevels : col.valueLevel[at + count - 1]! + 1;
    const numLevels = levelEnd - levelAt;
    if (numLevels > 0xffff) throw new NotSupportedError(`${where}: a chunk of ${numLevels} repetition/definition levels (more than 65,535) cannot be written`);
    // A page without values (every list null or empty) still has one chunk: its levels, and for
    // variable width the single offset LanceDB expects.
    const valueBufs: Uint8Array[] = enc.encodeChunk(v, at, count);
    if (itemValidity !== null) valueBufs.unshift(bitsOf(itemValidity, at * dim, count * dim));
    const repBytes = rep === null ? null : encodeOutOfLineBitpacked(Uint32Array.from(rep.subarray(levelAt, levelEnd)), 0, numLevels, 16, repW!);
    const defBytes = def === null ? null : encodeOutOfLineBitpacked(Uint32Array.from(def.subarray(levelAt, levelEnd)), 0, numLevels, 16, defW!);
    let total = headerBytes;
    if (repBytes !== null) total += pad8(repBytes.length);
    if (defBytes !== null) total += pad8(defBytes.length);
    for (const b of valueBufs) total += pad8(b.length);
    const limit = large ? 0xffffffff : 0xffff;
    if ((repBytes?.length ?? 0) > 0xffff || (defBytes?.length ?? 0) > 0xffff || valueBufs.some((b) => b.length > limit) || (!large && total > 32768)) {
      throw new NotSupportedError(`${where}: a mini-block chunk of ${total} bytes passes Lance 2.1's 32 KiB chunk limit (values too large); write Lance 2.2`);
    }
    const chunkAt = out.reserve(total);
    const chunk = out.bytes.subarray(chunkAt, chunkAt + total);
    chunk.fill(PAD, 0, headerBytes);
    const dv = new DataView(out.bytes.buffer, chunkAt, total);
    let h = 0;
    dv.setUint16(h, rep !== null || def !== null ? numLevels : 0, true);
    h += 2;
    if (repBytes !== null) {
      dv.setUint16(h, repBytes.length, true);
      h += 2;
    }
    if (defBytes !== null) {
      dv.setUint16(h, defBytes.length, true);
      h += 2;
    }
    for (const b of valueBufs) {
      if (large) dv.setUint32(h, b.length, true);
      else dv.setUint16(h, b.length, true);
      h += sizeBytes;
    }
    let p = headerBytes;
    const put = (b: Uint8Array | null): void => {
      if (b === null) return;
      chunk.set(b, p);
      chunk.fill(PAD, p + b.length, pad8(p + b.length));
      p = pad8(p + b.length);
    };
    put(repBytes);
    put(defBytes);
    for (const b of valueBufs) put(b);
    if (p !== total) throw new InternalError('chunk size mismatch');
    const words = total / 8 - 1;
    const log = last ? 0 : Math.log2(count);
    meta.push(words * 16 + log);
    if (rep !== null) {
      // Rows ended in this chunk, and the levels of a row still open at its end.
      let starts = 0;
      let sinceStart = 0;
      for (let l = levelAt; l < levelEnd; l++) {
        if (rep[l] === maxRep) {
          starts++;
          sinceStart = 0;
        }
        sinceStart++;
      }
      const openAtEnd = !last && levelEnd < col.numLevels && rep[levelEnd] !== maxRep;
      const ended = starts + (unfinished ? 1 : 0) - (openAtEnd ? 1 : 0);
      repIndex.push(ended, openAtEnd ? sinceStart : 0);
      unfinished = openAtEnd;
    }
    at += count;
    levelAt = levelEnd;
    if (last) break;
  }
  const metaBytes = new Uint8Array(meta.length * sizeBytes);
  const mdv = new DataView(metaBytes.buffer);
  for (let c = 0; c < meta.length; c++) {
    if (!large && meta[c]! > 0xffff) throw new InternalError('2.1 chunk metadata overflow');
    if (large) mdv.setUint32(c * 4, meta[c]!, true);
    else mdv.setUint16(c * 2, meta[c]!, true);
  }
  const chunkBytes = out.bytes.subarray(0, out.length);
  const buffers: Uint8Array[] = [metaBytes, chunkBytes];
  if (dictionary !== null) buffers.push(dictionary.bytes);
  if (rep !== null) {
    const ri = new Uint8Array(repIndex.length * 8);
    const rdv = new DataView(ri.buffer);
    for (let i = 0; i < repIndex.length; i++) {
      rdv.setUint32(i * 8, repIndex[i]! % 4294967296, true);
      rdv.setUint32(i * 8 + 4, Math.floor(repIndex[i]! / 4294967296), true);
    }
    buffers.push(ri);
  }
  const values = compression(enc.compression(v));
  const layout = miniBlockLayoutBytes({
    repBitWidth: repW,
    defBitWidth: defW,
    values,
    layers: col.layers,
    numBuffers,
    repetitionIndexDepth: rep === null ? 0 : 1,
    numItems: n,
    hasLargeChunk: large,
    dictionary: dictionary === null ? null : { compression: dictionary.compression, numItems: dictionary.numItems },
  });
  // Chunk metadata, chunks, dictionary and repetition index are all new arrays.
  return { layout, buffers, numRows: col.numRows, owned: true };
}

/**
 * Decodes one Lance 2.0 page (its encoding tree and buffers) into Arrow-layout ArrayData.
 *
 * Handled: `nullable` (none/some/all), `flat` (any fixed width, bool as 1 bit, optional zstd when a
 * codec is registered), `fixed_size_list`, `binary` (u64 end offsets, nulls as end + null_adjustment),
 * `dictionary` (1-based indices, 0 = null, items a binary array), `constant`, `bitpacked`, and `list`
 * offsets pages. Every length is checked against the buffer that holds it before anything is
 * allocated, so hostile pages give CorruptDataError, never a huge allocation. Pages whose output is not
 * backed by bytes (constant, all-null, bit width 0, dictionary expansion, zstd) are also checked against
 * the output limits ({@link PageContext.limits}, default @vego/encoding's module-level
 * `maxOutputBytes`, 256 MiB per page) before allocating.
 *
 * Worked example: a `binary` page of ["ab", null, ""] has indices (u64) `[2, 5, 2]` (null_adjustment
 * 3 = bytes + 1; the null stores 2 + 3) and bytes `61 62`.
 */
import { ArrayData, checkDecodeLimits, CorruptDataError, corruptData, decodeBitPacked, decodeBitPacked64, expandLanceDictionary, makeData, NotSupportedError, TypeId } from '@vego/encoding';
import type { Dictionary, DataType, DecodeLimits } from '@vego/encoding';
import type { ArrayEncoding, BufferRef, CompressionSpec } from './array-encoding';
import { describeArrayEncoding } from './array-encoding';
import { copyBits } from './internal/bits';
import { makeNullData } from './internal/concat';

/** A general-purpose block codec (e.g. zstd) usable for `flat` buffers with `compression`. */
export interface BufferCodec {
  /** Scheme name as stored in `Compression.scheme` (e.g. `zstd`). */
  readonly scheme: string;
  /** Compresses (copy). */
  compress(bytes: Uint8Array, level?: number): Uint8Array;
  /** Decompresses (copy); `maxByteLength` bounds the output. */
  decompress(bytes: Uint8Array, maxByteLength: number): Uint8Array;
}

/** What the page decoder needs besides the encoding tree. */
export interface PageContext {
  /** Resolves a buffer reference (page, column or file buffer). */
  buffer(ref: BufferRef): Uint8Array;
  /** Codecs by scheme name. */
  codecs: ReadonlyMap<string, BufferCodec>;
  /** For error messages. */
  where: string;
  /** Output bounds per decoded page; missing means @vego/encoding's module default (`setDefaultDecodeLimits`). */
  limits?: DecodeLimits;
}

/** Throws CorruptDataError unless a page output of `n` values of `bytesPerValue` bytes fits the limits. */
function checkOutput(ctx: PageContext, what: string, n: number, bytesPerValue: number): void {
  try {
    checkDecodeLimits(what, n, bytesPerValue, ctx.limits);
  } catch (e) {
    if (e instanceof CorruptDataError) throw corruptData(ctx.where, e.message);
    throw e;
  }
}

/** Bytes per row a decoded value of `type` takes (offsets count 4, bits 1/8), for output bounds. */
function rowBytes(type: DataType): number {
  const id = type.typeId;
  if (id === TypeId.Bool) return 0.25;
  if (id >= TypeId.Int8 && id <= TypeId.Float64) return ((type as { bitWidth: number }).bitWidth >>> 3) + 0.125;
  if (id === TypeId.FixedSizeList) return type.listSize * rowBytes(type.child.type) + 0.125;
  if (id === TypeId.Struct) return type.children.reduce((sum, f) => sum + rowBytes(f.type), 0.125);
  if (id === TypeId.Utf8 || id === TypeId.Binary || id === TypeId.List) return 4.125;
  // Other types (temporal, decimal, large offsets, dictionaries): at most 16 bytes a row, so never underestimated.
  return 16.125;
}

/** Collects every buffer a tree references (to fetch them before decoding). */
export function collectBufferRefs(e: ArrayEncoding, out: BufferRef[] = []): BufferRef[] {
  switch (e.kind) {
    case 'flat':
    case 'bitpacked':
      out.push(e.buffer);
      break;
    case 'nullable':
      if (e.nulls === 'some') collectBufferRefs(e.validity, out);
      if (e.nulls !== 'all') collectBufferRefs(e.values, out);
      break;
    case 'fixedSizeList':
      collectBufferRefs(e.items, out);
      break;
    case 'list':
      collectBufferRefs(e.offsets, out);
      break;
    case 'binary':
      collectBufferRefs(e.indices, out);
      collectBufferRefs(e.bytes, out);
      break;
    case 'dictionary':
      collectBufferRefs(e.indices, out);
      collectBufferRefs(e.items, out);
      break;
    case 'fixedSizeBinary':
      collectBufferRefs(e.bytes, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * Whether a flat buffer's `Compression` compresses it: not when absent, nor for the scheme `""` or
 * **(found)** `"none"`, which LanceDB 0.39 writes in 2.0 files for a field whose metadata sets
 * `lance-encoding:compression` to `none` (refused as an unknown codec before).
 */
export function isCompressed(c: CompressionSpec | undefined): c is CompressionSpec {
  return c !== undefined && c.scheme !== '' && c.scheme !== 'none';
}

/** Raw bytes of a flat buffer, decompressed if needed, checked to hold `n` values of `bits` bits. */
function flatBytes(e: Extract<ArrayEncoding, { kind: 'flat' }>, n: number, ctx: PageContext): Uint8Array {
  const need = Math.ceil((n * e.bitsPerValue) / 8);
  let bytes = ctx.buffer(e.buffer);
  if (isCompressed(e.compression)) {
    const codec = ctx.codecs.get(e.compression.scheme);
    if (codec === undefined) throw new NotSupportedError(`${ctx.where}: buffer compressed with "${e.compression.scheme}", no codec registered`);
    checkOutput(ctx, `compressed flat buffer of ${n} values`, need, 1);
    bytes = codec.decompress(bytes, need);
  }
  if (bytes.length < need) throw corruptData(ctx.where, `flat buffer holds ${bytes.length} bytes, expected ${need} for ${n} values of ${e.bitsPerValue} bits`);
  return bytes;
}

/** Validity bitmap (copy, bit 0 = row 0) from a validity sub-encoding. */
function decodeBitmap(e: ArrayEncoding, n: number, ctx: PageContext): Uint8Array {
  if (e.kind === 'flat' && e.bitsPerValue === 1) return copyBits(flatBytes(e, n, ctx), 0, n);
  if (e.kind === 'constant') {
    if (n > MAX_UNBACKED_VALUES) throw corruptData(ctx.where, `constant validity of ${n} rows; more than the ${MAX_UNBACKED_VALUES}-row limit`);
    checkOutput(ctx, `constant validity of ${n} rows`, n, 0.125);
    const one = e.value.length > 0 && e.value[0] !== 0;
    const out = new Uint8Array(((n + 63) >>> 6) << 3);
    if (one) out.fill(255);
    return out;
  }
  if (e.kind === 'nullable' && e.nulls === 'none') return decodeBitmap(e.values, n, ctx);
  throw new NotSupportedError(`${ctx.where}: validity encoded as ${describeArrayEncoding(e)} is not supported`);
}

/**
 * Unsigned integers (offsets, dictionary indices) as a Float64Array (copy): exact below 2^53.
 */
export function decodeUnsigned(e: ArrayEncoding, n: number, ctx: PageContext): Float64Array {
  if (e.kind === 'nullable') {
    if (e.nulls === 'none') return decodeUnsigned(e.values, n, ctx);
    throw new NotSupportedError(`${ctx.where}: nullable integer indices are not supported`);
  }
  if (e.kind === 'flat') {
    const bits = e.bitsPerValue;
    const bytes = flatBytes(e, n, ctx);
    checkOutput(ctx, `${n} integers`, n, 8);
    const out = new Float64Array(n);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bits === 8) for (let i = 0; i < n; i++) out[i] = bytes[i]!;
    else if (bits === 16) for (let i = 0; i < n; i++) out[i] = dv.getUint16(i * 2, true);
    else if (bits === 32) for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true);
    else if (bits === 64 && (bytes.byteOffset & 3) === 0) {
      // Aligned: read the two u32 halves through a Uint32Array view.
      const w = new Uint32Array(bytes.buffer, bytes.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        const hi = w[i * 2 + 1]!;
        if (hi >= 0x200000) throw corruptData(ctx.where, `integer at ${i} is beyond 2^53`);
        out[i] = hi * 4294967296 + w[i * 2]!;
      }
    } else if (bits === 64) {
      for (let i = 0; i < n; i++) {
        const hi = dv.getUint32(i * 8 + 4, true);
        if (hi >= 0x200000) throw corruptData(ctx.where, `integer at ${i} is beyond 2^53`);
        out[i] = hi * 4294967296 + dv.getUint32(i * 8, true);
      }
    } else throw new NotSupportedError(`${ctx.where}: ${bits}-bit flat integers are not supported`);
    return out;
  }
  if (e.kind === 'bitpacked') {
    checkBitpackedBytes(e, n, ctx);
    // Bit width 0 needs no bytes: only the limits bound it.
    checkOutput(ctx, `${n} bit-packed integers`, n, 8);
    const out = new Float64Array(n);
    unpackBits(e, n, ctx, out);
    return out;
  }
  throw new NotSupportedError(`${ctx.where}: integers encoded as ${describeArrayEncoding(e)} are not supported`);
}

/** LSB-first bit-unpacking of `compressedBitsPerValue`-bit values (sign-extended when `signed`). */
function checkBitpackedBytes(e: Extract<ArrayEncoding, { kind: 'bitpacked' }>, n: number, ctx: PageContext): void {
  const need = Math.ceil((n * e.compressedBitsPerValue) / 8);
  if (ctx.buffer(e.buffer).length < need) throw corruptData(ctx.where, `bit-packed buffer holds ${ctx.buffer(e.buffer).length} bytes, expected ${need}`);
}

/**
 * Most values a page may produce without any buffer backing them (all-null and constant pages):
 * a hostile page length must not make the reader allocate without bound.
 */
export const MAX_UNBACKED_VALUES = 1 << 25;

function checkUnbacked(type: DataType, n: number, ctx: PageContext): void {
  const width = type.typeId === TypeId.FixedSizeList ? Math.max(1, type.listSize) : 1;
  if (n * width > MAX_UNBACKED_VALUES) {
    throw corruptData(ctx.where, `page claims ${n} rows of ${type.toString()} without data buffers; more than the ${MAX_UNBACKED_VALUES}-value limit`);
  }
  checkOutput(ctx, `${n} rows of ${type.toString()} without data buffers`, n, rowBytes(type));
}

function unpackBits(e: Extract<ArrayEncoding, { kind: 'bitpacked' }>, n: number, ctx: PageContext, out: Float64Array): void {
  const w = e.compressedBitsPerValue;
  if (w > 52 || w < 0) throw new NotSupportedError(`${ctx.where}: bit-packing width ${w} is not supported`);
  const bytes = ctx.buffer(e.buffer);
  const need = Math.ceil((n * w) / 8);
  if (bytes.length < need) throw corruptData(ctx.where, `bit-packed buffer holds ${bytes.length} bytes, expected ${need}`);
  // Lance 2.0's bit-packing is the same LSB-first stream as @vego/encoding's, so its word-at-a-time
  // unpackers do the work; only the sign extension is ours.
  if (w <= 32) {
    const u = decodeBitPacked(bytes, n, w, undefined, ctx.limits);
    if (e.signed && w > 0) {
      const shift = 32 - w;
      for (let i = 0; i < n; i++) out[i] = (u[i]! << shift) >> shift;
    } else {
      for (let i = 0; i < n; i++) out[i] = u[i]!;
    }
    return;
  }
  const words = decodeBitPacked64(bytes, n, w, undefined, ctx.limits);
  const half = 2 ** (w - 1);
  const full = 2 ** w;
  for (let i = 0; i < n; i++) {
    const v = words[2 * i + 1]! * 4294967296 + words[2 * i]!;
    out[i] = e.signed && v >= half ? v - full : v;
  }
}

/** Unpacks straight into a 32-bit-or-narrower integer array of the column's type (no float detour). */
function unpackBitsInto(e: Extract<ArrayEncoding, { kind: 'bitpacked' }>, n: number, ctx: PageContext, out: Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array): void {
  const w = e.compressedBitsPerValue;
  if (w > 32 || w < 0) throw new NotSupportedError(`${ctx.where}: bit-packing width ${w} for a 32-bit column is not supported`);
  const u = decodeBitPacked(ctx.buffer(e.buffer), n, w, undefined, ctx.limits);
  if (e.signed && w > 0) {
    const shift = 32 - w;
    for (let i = 0; i < n; i++) out[i] = (u[i]! << shift) >> shift;
  } else {
    out.set(u.subarray(0, n));
  }
}

/**
 * Decodes a page (or sub-tree) holding `n` rows of Arrow type `type`.
 * @throws CorruptDataError for inconsistent buffers; NotSupportedError for encodings this build cannot read.
 */
export function decodeArray(e: ArrayEncoding, type: DataType, n: number, ctx: PageContext): ArrayData {
  switch (e.kind) {
    case 'nullable': {
      if (e.nulls === 'all') {
        checkUnbacked(type, n, ctx);
        return makeNullData(type, n);
      }
      if (e.nulls === 'none') return decodeArray(e.values, type, n, ctx);
      const validity = decodeBitmap(e.validity, n, ctx);
      const inner = decodeArray(e.values, type, n, ctx);
      return withValidity(inner, validity);
    }
    case 'flat':
      return decodeFlat(e, type, n, ctx);
    case 'constant':
      checkUnbacked(type, n, ctx);
      return decodeConstant(e.value, type, n, ctx);
    case 'bitpacked': {
      checkBitpackedBytes(e, n, ctx);
      if (!(type.typeId >= TypeId.Int8 && type.typeId <= TypeId.Uint32) || (type as { bitWidth: number }).bitWidth > 32) throw new NotSupportedError(`${ctx.where}: bit-packed ${type.toString()} is not supported`);
      const t = type as { ArrayType: new (n: number) => Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array };
      checkOutput(ctx, `${n} bit-packed ${type.toString()} values`, n, (type as { bitWidth: number }).bitWidth >>> 3);
      const values = new t.ArrayType(n);
      unpackBitsInto(e, n, ctx, values);
      return makeData({ type, length: n, values });
    }
    case 'fixedSizeList': {
      if (type.typeId !== TypeId.FixedSizeList || type.listSize !== e.dimension) {
        throw corruptData(ctx.where, `fixed_size_list of dimension ${e.dimension} where the schema says ${type.toString()}`);
      }
      const items = decodeArray(e.items, type.child.type, n * e.dimension, ctx);
      return makeData({ type, length: n, children: [items] });
    }
    case 'binary':
      return decodeBinary(e, type, n, ctx);
    case 'dictionary':
      if (type.typeId === TypeId.Dictionary) return decodeArrowDictionary(e, type, n, ctx);
      return decodeDictionary(e, type, n, ctx);
    default:
      throw new NotSupportedError(`${ctx.where}: encoding ${describeArrayEncoding(e)} for ${type.toString()} is not supported`);
  }
}

function withValidity(d: ArrayData, validity: Uint8Array): ArrayData {
  // d comes from a page decoder, so its offset is 0 (or its buffers are fresh).
  const init = {
    type: d.type,
    length: d.length,
    offset: d.offset,
    validity: d.offset === 0 ? validity : shiftBits(validity, d.offset, d.length),
    values: d.values,
    valueOffsets: d.valueOffsets,
    children: d.children,
  };
  return makeData(init);
}

function shiftBits(v: Uint8Array, offset: number, n: number): Uint8Array {
  const out = new Uint8Array(((offset + n + 63) >>> 6) << 3);
  for (let i = 0; i < n; i++) if ((v[i >>> 3]! >>> (i & 7)) & 1) out[(offset + i) >>> 3]! |= 1 << ((offset + i) & 7);
  return out;
}

function decodeFlat(e: Extract<ArrayEncoding, { kind: 'flat' }>, type: DataType, n: number, ctx: PageContext): ArrayData {
  const id = type.typeId;
  if (id === TypeId.Bool) {
    if (e.bitsPerValue !== 1) throw corruptData(ctx.where, `bool stored with ${e.bitsPerValue} bits per value, expected 1`);
    return makeData({ type, length: n, values: copyBits(flatBytes(e, n, ctx), 0, n) });
  }
  if (id >= TypeId.Int8 && id <= TypeId.Float64) {
    const bw = (type as { bitWidth: number }).bitWidth;
    if (e.bitsPerValue !== bw) throw corruptData(ctx.where, `${type.toString()} stored with ${e.bitsPerValue} bits per value, expected ${bw}`);
    const bytes = flatBytes(e, n, ctx);
    // makeData views aligned bytes without copying and copies unaligned ones.
    return makeData({ type, length: n, values: bytes.subarray(0, (n * bw) >>> 3) });
  }
  if (id === TypeId.FixedSizeBinary || id === TypeId.Decimal128 || id === TypeId.Decimal256) {
    // byteWidth bytes per value, stored as one wide flat value (LanceDB 2.0).
    const bits = type.byteWidth * 8;
    if (e.bitsPerValue !== bits) throw corruptData(ctx.where, `${type.toString()} stored with ${e.bitsPerValue} bits per value, expected ${bits}`);
    return makeData({ type, length: n, values: flatBytes(e, n, ctx).subarray(0, n * type.byteWidth) });
  }
  throw corruptData(ctx.where, `flat encoding where the schema says ${type.toString()}`);
}

/**
 * A dictionary page of an Arrow dictionary column (LanceDB 2.0 `dict:` fields) as Dictionary data: unlike the
 * pages LanceDB writes for plain low-cardinality strings (1-based indices, 0 = null), the indices are 0-based
 * and a null row points at a null item. Example: items `["a", "b", null]`, indices `0 2 1` → `a, null, b`.
 */
function decodeArrowDictionary(e: Extract<ArrayEncoding, { kind: 'dictionary' }>, type: Dictionary, n: number, ctx: PageContext): ArrayData {
  const vt = type.valueType;
  if (vt.typeId !== TypeId.Utf8 && vt.typeId !== TypeId.Binary && !(vt.typeId >= TypeId.Int8 && vt.typeId <= TypeId.Float64)) {
    throw new NotSupportedError(`${ctx.where}: dictionary pages of ${type.toString()} are not supported`);
  }
  const numItems = e.numDictionaryItems;
  if (numItems > 0x7fffffff) throw corruptData(ctx.where, `dictionary claims ${numItems} items`);
  const items = decodeArray(e.items, vt, numItems, ctx);
  const raw = decodeUnsigned(e.indices, n, ctx);
  const ArrayType = type.indexType.ArrayType as unknown as new (n: number) => (number | bigint)[];
  const indices = new ArrayType(n);
  const big = type.indexType.bitWidth === 64;
  let validity: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const k = raw[i]!;
    if (!(k < numItems)) throw corruptData(ctx.where, `dictionary index ${k} at row ${i}, the dictionary holds ${numItems} items`);
    indices[i] = big ? BigInt(k) : k;
    if (!items.isValid(k)) {
      if (validity === null) validity = new Uint8Array(((n + 63) >>> 6) << 3).fill(255);
      validity[i >>> 3]! &= ~(1 << (i & 7));
    }
  }
  return makeData({ type, length: n, validity, values: indices as unknown as ArrayBufferView, children: [items] });
}

function decodeConstant(value: Uint8Array, type: DataType, n: number, ctx: PageContext): ArrayData {
  const id = type.typeId;
  if (value.length > 1 << 20) throw corruptData(ctx.where, `constant value of ${value.length} bytes`);
  if (value.length === 0) return makeNullData(type, n);
  // A constant is a few bytes claiming n rows: bound the expansion (strings also get int32 offsets).
  const isString = id === TypeId.Utf8 || id === TypeId.Binary;
  checkOutput(ctx, `constant page of ${n} rows of ${value.length} bytes`, n, isString ? value.length + 4 : value.length);
  if (id === TypeId.Bool) {
    const out = new Uint8Array(((n + 63) >>> 6) << 3);
    if (value[0] !== 0) out.fill(255);
    return makeData({ type, length: n, values: out });
  }
  if (id >= TypeId.Int8 && id <= TypeId.Float64) {
    const bytesPer = (type as { bitWidth: number }).bitWidth >>> 3;
    if (value.length !== bytesPer) throw corruptData(ctx.where, `constant of ${value.length} bytes for ${type.toString()}, expected ${bytesPer}`);
    const out = new Uint8Array(n * bytesPer);
    for (let i = 0; i < n; i++) out.set(value, i * bytesPer);
    return makeData({ type, length: n, values: out });
  }
  if (id === TypeId.Utf8 || id === TypeId.Binary) {
    if (value.length * n > 0x7fffffff) throw corruptData(ctx.where, 'constant string page too large');
    const out = new Uint8Array(n * value.length);
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      out.set(value, i * value.length);
      offsets[i + 1] = (i + 1) * value.length;
    }
    return makeData({ type, length: n, values: out, valueOffsets: offsets });
  }
  throw new NotSupportedError(`${ctx.where}: constant pages of ${type.toString()} are not supported`);
}

function decodeBinary(e: Extract<ArrayEncoding, { kind: 'binary' }>, type: DataType, n: number, ctx: PageContext): ArrayData {
  if (type.typeId !== TypeId.Utf8 && type.typeId !== TypeId.Binary) throw corruptData(ctx.where, `binary encoding where the schema says ${type.toString()}`);
  const raw = decodeUnsigned(e.indices, n, ctx);
  const adj = e.nullAdjustment;
  const offsets = new Int32Array(n + 1);
  let validity: Uint8Array | null = null;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    let end = raw[i]!;
    if (adj > 0 && end >= adj) {
      if (validity === null) {
        validity = new Uint8Array(((n + 63) >>> 6) << 3).fill(255);
      }
      validity[i >>> 3]! &= ~(1 << (i & 7));
      end -= adj;
    }
    if (end < prev || end > 0x7fffffff) throw corruptData(ctx.where, `binary offsets go from ${prev} to ${end} at row ${i}`);
    offsets[i + 1] = end;
    prev = end;
  }
  let bytes: Uint8Array;
  if (prev === 0 && e.bytes.kind === 'flat' && e.bytes.compression === undefined) {
    bytes = new Uint8Array(0);
  } else {
    if (e.bytes.kind !== 'flat' || e.bytes.bitsPerValue !== 8) throw new NotSupportedError(`${ctx.where}: string bytes encoded as ${describeArrayEncoding(e.bytes)} are not supported`);
    bytes = flatBytes(e.bytes, prev, ctx).subarray(0, prev);
  }
  return makeData({ type, length: n, validity, values: bytes, valueOffsets: offsets });
}

/** Dictionary indices: a view of the bytes for plain u8 indices (LanceDB's and our writer's choice), else a copy. */
function decodeIndices(e: ArrayEncoding, n: number, ctx: PageContext): Uint8Array | Float64Array {
  if (e.kind === 'flat' && e.bitsPerValue === 8 && !isCompressed(e.compression)) return flatBytes(e, n, ctx);
  return decodeUnsigned(e, n, ctx);
}

/**
 * A dictionary page as plain strings (copy): the indices and items are decoded here, the expansion is
 * @vego/encoding's `expandLanceDictionary` (1-based indices, 0 = null).
 * Worked example: items ["a", "bc"], indices `02 00 01` (1-based, 0 = null) → offsets 0 2 2 3, bytes "bca".
 */
function decodeDictionary(e: Extract<ArrayEncoding, { kind: 'dictionary' }>, type: DataType, n: number, ctx: PageContext): ArrayData {
  if (type.typeId !== TypeId.Utf8 && type.typeId !== TypeId.Binary) throw new NotSupportedError(`${ctx.where}: dictionary pages of ${type.toString()} are not supported`);
  const numItems = e.numDictionaryItems;
  const indices = decodeIndices(e.indices, n, ctx);
  // Items are read only as far as the buffers allow: decodeArray checks the lengths.
  if (numItems > 0x7fffffff) throw corruptData(ctx.where, `dictionary claims ${numItems} items`);
  const items = decodeArray(e.items, type, numItems, ctx);
  const out = expandLanceDictionary(indices, n, numItems, items.valueOffsets!, items.offset, items.values as Uint8Array, ctx.where, ctx.limits);
  return makeData({ type, length: n, validity: out.nullCount > 0 ? out.validity : null, nullCount: out.nullCount, values: out.bytes, valueOffsets: out.offsets });
}

/** A decoded `list` offsets page: page-relative item ends and validity. */
export interface ListPage {
  /** Item end (exclusive, page-relative) of each row; row i spans [ends[i-1] (0 for i = 0), ends[i]). */
  ends: Float64Array;
  /** Validity bitmap (copy) or null when no row is null. */
  validity: Uint8Array | null;
  /** Items referenced by the page. */
  numItems: number;
}

/** Decodes a `list` page's offsets (see encodings_v2_0.proto `List`). */
export function decodeListPage(e: ArrayEncoding, n: number, ctx: PageContext): ListPage {
  if (e.kind === 'nullable' && e.nulls === 'all') {
    if (n > MAX_UNBACKED_VALUES) throw corruptData(ctx.where, `list page claims ${n} null rows; more than the ${MAX_UNBACKED_VALUES}-row limit`);
    checkOutput(ctx, `list page of ${n} null rows`, n, 8.125);
    return { ends: new Float64Array(n), validity: new Uint8Array(((n + 63) >>> 6) << 3), numItems: 0 };
  }
  if (e.kind !== 'list') throw new NotSupportedError(`${ctx.where}: list column page encoded as ${describeArrayEncoding(e)} is not supported`);
  const raw = decodeUnsigned(e.offsets, n, ctx);
  const adj = e.nullOffsetAdjustment;
  let validity: Uint8Array | null = null;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    let end = raw[i]!;
    if (adj > 0 && end >= adj) {
      if (validity === null) validity = new Uint8Array(((n + 63) >>> 6) << 3).fill(255);
      validity[i >>> 3]! &= ~(1 << (i & 7));
      end -= adj;
    }
    if (end < prev) throw corruptData(ctx.where, `list offsets go back from ${prev} to ${end} at row ${i}`);
    raw[i] = end;
    prev = end;
  }
  if (prev > e.numItems) throw corruptData(ctx.where, `list offsets reach ${prev}, beyond the page's ${e.numItems} items`);
  return { ends: raw, validity, numItems: e.numItems };
}

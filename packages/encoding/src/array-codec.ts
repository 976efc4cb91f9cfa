/**
 * The array-level API: `encodeArray(data, options?)` → {@link EncodedArray} (a JSON-serialisable
 * {@link EncodingDescription} plus buffers) and `decodeArray(encoded, type)` → ArrayData.
 *
 * Buffers: `[validity, ...payload]`. Validity is an LSB-first bitmap of `ceil(length / 8)` bytes
 * starting at bit 0 (1 = valid), or empty when `nullCount` is 0. Payload layouts are listed on
 * {@link EncodingDescription}; each low-level codec's file documents its bytes.
 *
 * Worked example: Int32 `[3, 4, 5]`, no nulls, forced `bitpacked` →
 * `{ encoding: { kind: 'bitpacked', bitWidth: 2, reference: '3' }, buffers: [<>, <24>], length: 3, nullCount: 0 }`
 * (deltas 0, 1, 2 at 2 bits each: `0b100100` = 0x24).
 */
import { copyBits, CorruptDataError, corruptData, NotSupportedError, TypeId, isVegoError, makeData } from '@vego/arrow';
import type { ArrayData, DataType, TypedArray } from '@vego/arrow';
import {
  bitPackedByteLength, bitWidth32, decodeBitPacked, decodeBitPacked64, encodeBitPacked, encodeBitPacked64,
  frameOfReference32, frameOfReference64, undoFrameOfReference32, undoFrameOfReference64,
} from './bit-packing';
import type { Int32Like } from './bit-packing';
import { decodeByteStreamSplit, encodeByteStreamSplit } from './byte-stream-split';
import { chooseEncoding } from './choose-encoding';
import type { EncodeOptions } from './choose-encoding';
import {
  applyDictionary32, applyDictionary64, applyDictionaryBinary, buildDictionary32, buildDictionary64, buildDictionaryBinary,
} from './dictionary';
import type { EncodedArray, EncodingDescription, IndexEncoding } from './encoding-description';
import { checkDecodeLimits } from './decode-limits';
import type { DecodeLimits } from './decode-limits';
import { bytesOf } from './internal/bytes';
import { byteWidthOf, isBinaryType, isIntegerType, isSignedType, lanesOf, valueBytes } from './internal/lanes';
import { countRuns, decodeRle, encodeRle } from './rle';
import { checkZstdLevel, ZSTD_DEFAULT_LEVEL, zstdCompress, zstdDecompress } from './zstd';

const MAX_LENGTH = 0x7fffffff;

/**
 * Encodes an array; the encoding is chosen by {@link chooseEncoding} unless `options.encoding` forces one.
 * @param data - Bool, integer, float, Utf8 or Binary data (slices with any offset are fine).
 * @param options - force an encoding, a ZSTD level or an index encoding.
 * @returns the description and buffers (copies).
 * @throws InvalidArgumentError for an encoding that does not apply; NotSupportedError for nested types;
 *   ZstdNotInitializedError for ZSTD encodings before `initZstd()`.
 * @example
 * ```ts
 * await initZstd();
 * const enc = encodeArray(data);              // adaptive
 * const back = decodeArray(enc, data.type);   // equal to data
 * ```
 */
export function encodeArray(data: ArrayData, options: EncodeOptions = {}): EncodedArray {
  const type = data.type;
  if (!isSupported(type)) throw new NotSupportedError(`encodeArray does not support ${type.toString()} (encode nested children separately)`);
  const level = options.zstdLevel ?? ZSTD_DEFAULT_LEVEL;
  checkZstdLevel(level);
  const kind = chooseEncoding(data, options).encoding;
  const n = data.length;
  const validity = data.nullCount > 0 && data.validity !== null ? copyBits(data.validity, data.offset, n, 1) : new Uint8Array(0);
  const base = { length: n, nullCount: data.nullCount };
  switch (kind) {
    case 'plain':
      return { ...base, encoding: { kind }, buffers: [validity, ...plainBuffers(data)] };
    case 'zstd':
      return { ...base, encoding: { kind, level }, buffers: [validity, ...plainBuffers(data).map((b) => zstdCompress(b, level))] };
    case 'bss':
      return { ...base, encoding: { kind }, buffers: [validity, encodeByteStreamSplit(valueBytes(data).slice(), byteWidthOf(type))] };
    case 'bss-zstd':
      return { ...base, encoding: { kind, level }, buffers: [validity, zstdCompress(encodeByteStreamSplit(valueBytes(data).slice(), byteWidthOf(type)), level)] };
    case 'rle':
      return { ...base, encoding: { kind }, buffers: [validity, encodeRle(type.typeId === TypeId.Bool ? boolBytes(data) : rleInput(data))] };
    case 'bitpacked':
      return encodeBitPackedArray(data, validity);
    case 'dictionary':
      return encodeDictionaryArray(data, validity, options.indexEncoding);
  }
}

function isSupported(type: DataType): boolean {
  return type.typeId === TypeId.Bool || isBinaryType(type) || byteWidthOf(type) > 0;
}

function plainBuffers(data: ArrayData): Uint8Array[] {
  const type = data.type;
  const n = data.length;
  if (type.typeId === TypeId.Bool) return [copyBits(data.values as Uint8Array, data.offset, n, 1)];
  if (isBinaryType(type)) {
    const src = data.valueOffsets!;
    const offsets = new Int32Array(n + 1);
    const start = n === 0 ? 0 : src[data.offset]!;
    for (let i = 0; i <= n && n > 0; i++) offsets[i] = src[data.offset + i]! - start;
    const bytes = (data.values as Uint8Array).slice(start, start + offsets[n]!);
    return [bytesOf(offsets), bytes];
  }
  return [valueBytes(data).slice()];
}

function rleInput(data: ArrayData): Uint8Array | Uint16Array | Uint32Array | BigUint64Array {
  if (byteWidthOf(data.type) === 8) return new BigUint64Array(valueBytes(data).slice().buffer);
  return lanesOf(data);
}

function boolBytes(data: ArrayData): Uint8Array {
  const bits = data.values as Uint8Array;
  const n = data.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = data.offset + i;
    out[i] = (bits[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}

function encodeBitPackedArray(data: ArrayData, validity: Uint8Array): EncodedArray {
  const w = byteWidthOf(data.type);
  const base = { length: data.length, nullCount: data.nullCount };
  if (w === 8) {
    const f = frameOfReference64(lanesOf(data) as Uint32Array, isSignedType(data.type));
    const ref = (BigInt(f.referenceHi) << 32n) | BigInt(f.referenceLo);
    const reference = (isSignedType(data.type) ? BigInt.asIntN(64, ref) : ref).toString();
    return { ...base, encoding: { kind: 'bitpacked', bitWidth: f.bitWidth, reference }, buffers: [validity, encodeBitPacked64(f.deltas, f.bitWidth)] };
  }
  const v = data.values as Int32Like;
  const f = frameOfReference32(v.subarray(data.offset, data.offset + data.length) as Int32Like);
  return {
    ...base,
    encoding: { kind: 'bitpacked', bitWidth: f.bitWidth, reference: String(f.reference) },
    buffers: [validity, encodeBitPacked(f.deltas, f.bitWidth)],
  };
}

function encodeIndices(indices: Uint32Array, dictionaryLength: number, forced: IndexEncoding | undefined): { kind: IndexEncoding; bitWidth: number; bytes: Uint8Array } {
  const bitWidth = bitWidth32(Math.max(0, dictionaryLength - 1));
  const packedBytes = bitPackedByteLength(indices.length, bitWidth);
  const rleBytes = 4 + countRuns(indices) * 8;
  const kind: IndexEncoding = forced ?? (rleBytes < packedBytes ? 'rle' : 'bitpacked');
  return { kind, bitWidth, bytes: kind === 'rle' ? encodeRle(indices) : encodeBitPacked(indices, bitWidth) };
}

function encodeDictionaryArray(data: ArrayData, validity: Uint8Array, forced: IndexEncoding | undefined): EncodedArray {
  const base = { length: data.length, nullCount: data.nullCount };
  if (isBinaryType(data.type)) {
    const d = buildDictionaryBinary(data.values as Uint8Array, data.valueOffsets!, data.offset, data.length);
    const dictionaryLength = d.offsets.length - 1;
    const idx = encodeIndices(d.indices, dictionaryLength, forced);
    return {
      ...base,
      encoding: { kind: 'dictionary', dictionaryLength, indices: idx.kind, indexBitWidth: idx.bitWidth },
      buffers: [validity, bytesOf(d.offsets), d.bytes, idx.bytes],
    };
  }
  const w = byteWidthOf(data.type);
  const lanes = lanesOf(data);
  let dictBytes: Uint8Array;
  let indices: Uint32Array;
  let dictionaryLength: number;
  if (w === 8) {
    const d = buildDictionary64(lanes as Uint32Array);
    dictBytes = bytesOf(d.dictionary);
    indices = d.indices;
    dictionaryLength = d.dictionary.length >>> 1;
  } else {
    const d = buildDictionary32(lanes instanceof Uint32Array ? lanes : Uint32Array.from(lanes));
    indices = d.indices;
    dictionaryLength = d.dictionary.length;
    dictBytes = w === 4 ? bytesOf(d.dictionary) : bytesOf(w === 2 ? Uint16Array.from(d.dictionary) : Uint8Array.from(d.dictionary));
  }
  const idx = encodeIndices(indices, dictionaryLength, forced);
  return {
    ...base,
    encoding: { kind: 'dictionary', dictionaryLength, indices: idx.kind, indexBitWidth: idx.bitWidth },
    buffers: [validity, dictBytes, idx.bytes],
  };
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decodes an {@link EncodedArray} back into ArrayData of `type` (offset 0, new buffers: copies).
 * @param encoded - description and buffers, possibly from untrusted storage.
 * @param type - the data type the array was encoded from.
 * @param limits - output bounds (`maxValues`, `maxOutputBytes`; default the module's `maxOutputBytes`):
 *   the description's `length` is checked against them before anything is decoded, and every codec
 *   below gets them too (RLE, bit width 0 and dictionaries can claim far more than their bytes hold).
 * @throws CorruptDataError (code `VEGO_CORRUPT_DATA`) on any inconsistency between the description, the
 *   buffers and the type, or output over the limits; InvalidArgumentError on malformed limits;
 *   ZstdNotInitializedError for ZSTD encodings before `initZstd()`.
 */
export function decodeArray(encoded: EncodedArray, type: DataType, limits?: DecodeLimits): ArrayData {
  if (!isSupported(type)) throw new NotSupportedError(`decodeArray does not support ${type.toString()}`);
  try {
    return decodeUnchecked(encoded, type, limits);
  } catch (e) {
    if (isVegoError(e)) {
      if (e.code === 'VEGO_CORRUPT_DATA' || e.code === 'VEGO_NOT_SUPPORTED') throw e;
      // A malformed caller limit stays the caller's error, not the data's.
      if (e.code === 'VEGO_INVALID_ARGUMENT' && /`max(Values|OutputBytes)`|`limits`/.test(e.message)) throw e;
      throw new CorruptDataError(`encoded ${type.toString()} array is inconsistent: ${e.message}`, { cause: e });
    }
    if (e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError) {
      throw new CorruptDataError(`encoded ${type.toString()} array is malformed: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

function decodeUnchecked(encoded: EncodedArray, type: DataType, limits: DecodeLimits | undefined): ArrayData {
  if (typeof encoded !== 'object' || encoded === null) throw new CorruptDataError('encoded array: expected an object');
  const n = encoded.length;
  const nullCount = encoded.nullCount;
  if (!Number.isInteger(n) || n < 0 || n > MAX_LENGTH) throw corruptData('encoded array length', `0..${MAX_LENGTH}`, String(n));
  if (!Number.isInteger(nullCount) || nullCount < 0 || nullCount > n) throw corruptData('encoded array nullCount', `0..${n}`, String(nullCount));
  // Output bytes per value: the values (a bit for Bool, an int32 offset for Utf8/Binary, whose bytes are
  // bounded again where they are produced) plus nothing for validity, which must be stored in full.
  checkDecodeLimits(`encoded ${type.toString()} array`, n, type.typeId === TypeId.Bool ? 1 / 8 : byteWidthOf(type) || 4, limits);
  const buffers = encoded.buffers;
  if (!Array.isArray(buffers) || buffers.length < 1) throw corruptData('encoded array buffers', 'at least the validity buffer', String(buffers));
  for (let i = 0; i < buffers.length; i++) {
    if (!(buffers[i] instanceof Uint8Array)) throw corruptData(`encoded array buffer ${i}`, 'a Uint8Array', typeof buffers[i]);
  }
  const enc = encoded.encoding;
  if (typeof enc !== 'object' || enc === null) throw corruptData('encoding description', 'an object', String(enc));
  const validity = decodeValidity(buffers[0]!, n, nullCount);
  const payload = buffers.slice(1);
  const w = byteWidthOf(type);
  const isBool = type.typeId === TypeId.Bool;
  const binary = isBinaryType(type);
  let values: ArrayBufferView;
  let valueOffsets: Int32Array | null = null;
  const expectBuffers = (count: number): void => {
    if (payload.length !== count) throw corruptData(`${enc.kind} payload`, `${count} buffers`, String(payload.length));
  };
  switch (enc.kind) {
    case 'plain':
    case 'zstd': {
      let level = 0;
      if (enc.kind === 'zstd') {
        level = enc.level;
        if (!Number.isInteger(level) || level < 1 || level > 19) throw corruptData('zstd level', '1..19', String(level));
      }
      const unpack = (bytes: Uint8Array, byteLength: number, what: string): Uint8Array => {
        if (enc.kind === 'zstd') return zstdDecompress(bytes, byteLength, limits);
        if (bytes.length !== byteLength) throw corruptData(`plain ${what}`, `${byteLength} bytes`, String(bytes.length));
        return bytes;
      };
      if (binary) {
        expectBuffers(2);
        const ob = unpack(payload[0]!, 4 * (n + 1), 'offsets');
        valueOffsets = new Int32Array(n + 1);
        bytesOf(valueOffsets).set(ob.subarray(0, 4 * (n + 1)));
        checkOffsets(valueOffsets);
        values = unpack(payload[1]!, valueOffsets[n]!, 'bytes').slice();
      } else {
        expectBuffers(1);
        const byteLength = isBool ? (n + 7) >>> 3 : n * w;
        values = unpack(payload[0]!, byteLength, 'values').slice();
      }
      break;
    }
    case 'bss':
    case 'bss-zstd': {
      if (w === 0) throw corruptData('encoding kind', 'one that applies to ' + type.toString(), enc.kind);
      expectBuffers(1);
      const split = enc.kind === 'bss' ? payload[0]! : zstdDecompress(payload[0]!, n * w, limits);
      if (split.length !== n * w) throw corruptData('byte-stream-split values', `${n * w} bytes`, String(split.length));
      values = decodeByteStreamSplit(split, n, w, undefined, limits);
      break;
    }
    case 'rle': {
      expectBuffers(1);
      if (isBool) {
        const bytes = decodeRle(payload[0]!, n, 1, limits);
        const bits = new Uint8Array((n + 7) >>> 3);
        for (let i = 0; i < n; i++) {
          const b = bytes[i]!;
          if (b > 1) throw corruptData(`RLE boolean ${i}`, '0 or 1', String(b));
          bits[i >> 3]! |= b << (i & 7);
        }
        values = bits;
      } else {
        if (w === 0) throw corruptData('encoding kind', 'one that applies to ' + type.toString(), enc.kind);
        values = decodeRle(payload[0]!, n, w, limits);
      }
      break;
    }
    case 'bitpacked': {
      if (!isIntegerType(type)) throw corruptData('encoding kind', 'one that applies to ' + type.toString(), enc.kind);
      expectBuffers(1);
      values = decodeBitPackedValues(payload[0]!, n, type, enc.bitWidth, enc.reference, limits);
      break;
    }
    case 'dictionary': {
      const size = enc.dictionaryLength;
      if (!Number.isInteger(size) || size < 0 || size > Math.max(n, 0)) throw corruptData('dictionaryLength', `0..${n}`, String(size));
      if (n > 0 && size === 0) throw corruptData('dictionaryLength', `1..${n}`, '0');
      if (enc.indices !== 'bitpacked' && enc.indices !== 'rle') throw corruptData('dictionary index encoding', "'bitpacked' or 'rle'", String(enc.indices));
      const indexBitWidth = enc.indexBitWidth;
      if (!Number.isInteger(indexBitWidth) || indexBitWidth < 0 || indexBitWidth > 32) throw corruptData('indexBitWidth', '0..32', String(indexBitWidth));
      const decodeIdx = (bytes: Uint8Array): Uint32Array =>
        enc.indices === 'rle' ? new Uint32Array(decodeRle(bytes, n, 4, limits).buffer, 0, n) : decodeBitPacked(bytes, n, indexBitWidth, undefined, limits);
      if (binary) {
        expectBuffers(3);
        if (payload[0]!.length !== 4 * (size + 1)) throw corruptData('dictionary offsets', `${4 * (size + 1)} bytes`, String(payload[0]!.length));
        const dOffsets = new Int32Array(size + 1);
        bytesOf(dOffsets).set(payload[0]!);
        const r = applyDictionaryBinary(dOffsets, payload[1]!, decodeIdx(payload[2]!), limits);
        valueOffsets = r.offsets;
        values = r.bytes;
      } else {
        if (w === 0) throw corruptData('encoding kind', 'one that applies to ' + type.toString(), enc.kind);
        expectBuffers(2);
        if (payload[0]!.length !== size * w) throw corruptData('dictionary values', `${size * w} bytes`, String(payload[0]!.length));
        const indices = decodeIdx(payload[1]!);
        const buffer = new ArrayBuffer(Math.ceil((n * w) / 8) * 8);
        if (w === 8) {
          const dict = new Uint32Array(size * 2);
          bytesOf(dict).set(payload[0]!);
          applyDictionary64(dict, indices, new Uint32Array(buffer, 0, n * 2));
        } else {
          const dict = new Uint32Array(size);
          const raw = payload[0]!;
          for (let k = 0; k < size; k++) {
            dict[k] = w === 4 ? (raw[4 * k]! | (raw[4 * k + 1]! << 8) | (raw[4 * k + 2]! << 16) | (raw[4 * k + 3]! << 24)) >>> 0
              : w === 2 ? raw[2 * k]! | (raw[2 * k + 1]! << 8) : raw[k]!;
          }
          const wide = applyDictionary32(dict, indices, new Uint32Array(n));
          if (w === 4) new Uint32Array(buffer, 0, n).set(wide);
          else if (w === 2) new Uint16Array(buffer, 0, n).set(wide);
          else new Uint8Array(buffer, 0, n).set(wide);
        }
        values = new Uint8Array(buffer, 0, n * w);
      }
      break;
    }
    default:
      throw corruptData('encoding kind', 'one of plain, zstd, bitpacked, rle, bss, bss-zstd, dictionary', String((enc as { kind: unknown }).kind));
  }
  return makeData({
    type,
    length: n,
    nullCount,
    validity,
    values: isBool || binary ? values : asTyped(values as Uint8Array, type),
    valueOffsets,
  });
}

function asTyped(bytes: Uint8Array, type: DataType): TypedArray {
  const Ctor = (type as { ArrayType: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray }).ArrayType;
  const w = byteWidthOf(type);
  const aligned = (bytes.byteOffset % w) === 0 ? bytes : bytes.slice();
  return new Ctor(aligned.buffer, aligned.byteOffset, aligned.length / w);
}

function decodeValidity(bytes: Uint8Array, n: number, nullCount: number): Uint8Array | null {
  if (nullCount === 0) {
    if (bytes.length !== 0) throw corruptData('validity buffer', '0 bytes when nullCount is 0', String(bytes.length));
    return null;
  }
  const need = (n + 7) >>> 3;
  if (bytes.length !== need) throw corruptData('validity buffer', `${need} bytes`, String(bytes.length));
  let valid = 0;
  for (let i = 0; i < n; i++) valid += (bytes[i >> 3]! >> (i & 7)) & 1;
  if (n - valid !== nullCount) throw corruptData('validity buffer', `${nullCount} nulls`, String(n - valid));
  return bytes.slice();
}

function checkOffsets(offsets: Int32Array): void {
  if (offsets[0] !== 0) throw corruptData('offsets[0]', '0', String(offsets[0]));
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!) throw corruptData(`offsets[${i}]`, `at least ${offsets[i - 1]}`, String(offsets[i]));
  }
}

function decodeBitPackedValues(bytes: Uint8Array, n: number, type: DataType, bitWidth: number, reference: string, limits: DecodeLimits | undefined): Uint8Array {
  const w = byteWidthOf(type);
  if (!Number.isInteger(bitWidth) || bitWidth < 0 || bitWidth > w * 8) throw corruptData('bitWidth', `0..${w * 8}`, String(bitWidth));
  if (bytes.length !== bitPackedByteLength(n, bitWidth)) throw corruptData('bit-packed values', `${bitPackedByteLength(n, bitWidth)} bytes`, String(bytes.length));
  if (typeof reference !== 'string' || !/^-?\d{1,20}$/.test(reference)) throw corruptData('bit-packing reference', 'a decimal integer string', String(reference));
  if (w === 8) {
    const signed = isSignedType(type);
    const ref = BigInt(reference);
    if (signed ? BigInt.asIntN(64, ref) !== ref : BigInt.asUintN(64, ref) !== ref) throw corruptData('bit-packing reference', `a ${type.toString()}`, reference);
    const u = BigInt.asUintN(64, ref);
    const words = decodeBitPacked64(bytes, n, bitWidth, undefined, limits);
    undoFrameOfReference64(words, Number(u & 0xffffffffn), Number(u >> 32n));
    return new Uint8Array(words.buffer, words.byteOffset, n * 8);
  }
  const ref = Number(reference);
  const Ctor = (type as { ArrayType: new (length: number) => Int32Like }).ArrayType;
  const probe = new Ctor(1);
  probe[0] = ref;
  if (probe[0] !== ref) throw corruptData('bit-packing reference', `a ${type.toString()}`, reference);
  const deltas = decodeBitPacked(bytes, n, bitWidth, undefined, limits);
  const out = new Ctor(n);
  undoFrameOfReference32(deltas, ref, out);
  return bytesOf(out);
}

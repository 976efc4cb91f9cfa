/**
 * Bit-packing: unsigned integers of a fixed `bitWidth` (0..64) laid end to end in one bit stream.
 *
 * Byte layout (LSB-first, the same bit order as Arrow validity bitmaps and Parquet's bit-packed runs):
 * value `i` occupies stream bits `[i * bitWidth, (i + 1) * bitWidth)`, where stream bit `k` is
 * `(bytes[k >> 3] >> (k & 7)) & 1`, and the least significant bit of the value comes first.
 * The stream is `ceil(count * bitWidth / 8)` bytes; unused high bits of the last byte are zero.
 * No header: the caller keeps `count` and `bitWidth` (the array-level API stores them in the
 * encoding description). Width 0 means every value is 0 and takes no bytes.
 *
 * 64-bit values are handled as two 32-bit halves (`[lo0, hi0, lo1, hi1, ...]`, i.e. a BigUint64Array
 * viewed as a Uint32Array on a little-endian host), so no BigInt is used inside the loops.
 *
 * Worked example: values `[1, 2, 3, 4, 5]`, bitWidth 3 → 15 bits → 2 bytes:
 * ```
 * bits  0-2 = 001 (1), 3-5 = 010 (2), 6-8 = 011 (3), 9-11 = 100 (4), 12-14 = 101 (5)
 * byte 0 = 1 | 2<<3 | (3&3)<<6          = 0xD1
 * byte 1 = 3>>2 | 4<<1 | 5<<4            = 0x58
 * ```
 *
 * Frame of reference ({@link frameOfReference32} / {@link frameOfReference64}) subtracts the minimum
 * first, so negative numbers and offset ranges (timestamps, ids starting at 10^9) pack into the width
 * of `max - min` instead of the full type width.
 */
import { InvalidArgumentError } from '@vego/arrow';
import { checkDecodeLimits } from './decode-limits';
import type { DecodeLimits } from './decode-limits';
import { checkInt, need, outBytes, wordsOf } from './internal/bytes';

/** Bytes taken by `count` values of `bitWidth` bits: `ceil(count * bitWidth / 8)`. */
export function bitPackedByteLength(count: number, bitWidth: number): number {
  return Math.ceil((count * bitWidth) / 8);
}

/** Number of bits needed for the unsigned 32-bit value `v` (0 for 0). */
export function bitWidth32(v: number): number {
  return 32 - Math.clz32(v);
}

/**
 * Packs the low `bitWidth` bits (0..32) of each value.
 * @param values - unsigned values; bits above `bitWidth` are ignored.
 * @param bitWidth - bits per value, 0..32.
 * @param out - optional output of at least {@link bitPackedByteLength} bytes (any byte offset).
 * @returns the packed bytes: a view of `out` when given (its first `bitPackedByteLength` bytes), otherwise a new array (copy).
 * @throws InvalidArgumentError when `bitWidth` is outside 0..32 or `out` is too small.
 * @example
 * ```ts
 * encodeBitPacked(new Uint32Array([1, 2, 3, 4, 5]), 3); // Uint8Array [0xd1, 0x58]
 * ```
 */
export function encodeBitPacked(values: Uint32Array, bitWidth: number, out?: Uint8Array): Uint8Array {
  checkInt('bitWidth', bitWidth, 0, 32);
  const n = values.length;
  const byteLength = bitPackedByteLength(n, bitWidth);
  const target = outBytes(out, byteLength, 'out');
  if (byteLength === 0) return target.subarray(0, 0);
  const words = new Uint32Array((byteLength + 3) >>> 2);
  packWords(values, 0, 1, n, bitWidth, words, 0);
  target.set(new Uint8Array(words.buffer, 0, byteLength));
  return target.subarray(0, byteLength);
}

/**
 * Unpacks `count` values of `bitWidth` bits (0..32).
 * @param bytes - the bit stream; must hold at least {@link bitPackedByteLength} bytes (extra bytes are ignored).
 * @param count - number of values.
 * @param bitWidth - bits per value, 0..32.
 * @param out - optional output with room for `count` values (then no limit applies: nothing is allocated).
 * @param limits - output bounds when `out` is not given; width 0 takes no input bytes, so only these
 *   bound it (default: {@link DecodeLimits} `maxOutputBytes` of the module, 4 bytes per value).
 * @returns `out` (or a new Uint32Array) holding the values: a view of length `count`.
 * @throws CorruptDataError when `bytes` is too short or `count` exceeds the limits; InvalidArgumentError
 *   on bad `bitWidth`/`count`/limits.
 */
export function decodeBitPacked(bytes: Uint8Array, count: number, bitWidth: number, out?: Uint32Array, limits?: DecodeLimits): Uint32Array {
  checkInt('bitWidth', bitWidth, 0, 32);
  checkInt('count', count, 0, 2 ** 32);
  const byteLength = bitPackedByteLength(count, bitWidth);
  need(bytes, 0, byteLength, 'bit-packed values');
  if (out === undefined) checkDecodeLimits(`${count} bit-packed values of width ${bitWidth}`, count, 4, limits);
  const target = out ?? new Uint32Array(count);
  if (target.length < count) throw new InvalidArgumentError(`\`out\` holds ${target.length} values, ${count} needed`);
  if (bitWidth === 0) {
    target.fill(0, 0, count);
    return target.subarray(0, count);
  }
  const words = wordsOf(bytes.subarray(0, byteLength), 1);
  unpackWords(words, 0, count, bitWidth, target, 0, 1);
  return target.subarray(0, count);
}

/**
 * Packs 64-bit unsigned values given as 32-bit halves with `bitWidth` 0..64 bits each.
 * @param words - `[lo0, hi0, lo1, hi1, …]` (a BigUint64Array or BigInt64Array viewed as Uint32Array).
 * @param bitWidth - bits per value, 0..64.
 * @param out - optional output of at least `bitPackedByteLength(words.length / 2, bitWidth)` bytes.
 * @returns the packed bytes: a view of `out` when given, otherwise a new array (copy).
 * @throws InvalidArgumentError on an odd `words.length` or a bad `bitWidth`.
 */
export function encodeBitPacked64(words: Uint32Array, bitWidth: number, out?: Uint8Array): Uint8Array {
  checkInt('bitWidth', bitWidth, 0, 64);
  if ((words.length & 1) !== 0) throw new InvalidArgumentError('`words` must hold two 32-bit halves per value');
  const n = words.length >>> 1;
  const byteLength = bitPackedByteLength(n, bitWidth);
  const target = outBytes(out, byteLength, 'out');
  if (byteLength === 0) return target.subarray(0, 0);
  const packed = new Uint32Array((byteLength + 3) >>> 2);
  if (bitWidth <= 32) {
    packWords(words, 0, 2, n, bitWidth, packed, 0);
  } else {
    pack64(words, n, bitWidth, packed);
  }
  target.set(new Uint8Array(packed.buffer, 0, byteLength));
  return target.subarray(0, byteLength);
}

/**
 * Unpacks `count` values of `bitWidth` (0..64) bits into 32-bit halves `[lo0, hi0, …]`.
 * @param out - optional output with room for `2 * count` words (view it as BigUint64Array on LE hosts).
 * @param limits - output bounds when `out` is not given (8 bytes per value); see {@link decodeBitPacked}.
 * @returns `out` (or a new Uint32Array of `2 * count` words): a view.
 * @throws CorruptDataError when `bytes` is too short or `count` exceeds the limits; InvalidArgumentError on bad arguments.
 */
export function decodeBitPacked64(bytes: Uint8Array, count: number, bitWidth: number, out?: Uint32Array, limits?: DecodeLimits): Uint32Array {
  checkInt('bitWidth', bitWidth, 0, 64);
  checkInt('count', count, 0, 2 ** 31);
  const byteLength = bitPackedByteLength(count, bitWidth);
  need(bytes, 0, byteLength, 'bit-packed 64-bit values');
  if (out === undefined) checkDecodeLimits(`${count} bit-packed 64-bit values of width ${bitWidth}`, count, 8, limits);
  const target = out ?? new Uint32Array(count * 2);
  if (target.length < count * 2) throw new InvalidArgumentError(`\`out\` holds ${target.length} words, ${count * 2} needed`);
  target.fill(0, 0, count * 2);
  if (bitWidth === 0) return target.subarray(0, count * 2);
  const words = wordsOf(bytes.subarray(0, byteLength), 2);
  if (bitWidth <= 32) {
    unpackWords(words, 0, count, bitWidth, target, 0, 2);
  } else {
    unpack64(words, count, bitWidth, target);
  }
  return target.subarray(0, count * 2);
}

// ---- loops (monomorphic: Uint32Array in, Uint32Array out) ----

function packWords(src: Uint32Array, start: number, stride: number, n: number, bitWidth: number, dst: Uint32Array, bitStart: number): void {
  const mask = bitWidth === 32 ? 0xffffffff : ((1 << bitWidth) >>> 0) - 1;
  let word = bitStart >>> 5;
  let shift = bitStart & 31;
  let acc = dst[word]! | 0;
  for (let i = 0, j = start; i < n; i++, j += stride) {
    const v = (src[j]! & mask) >>> 0;
    acc |= v << shift;
    shift += bitWidth;
    if (shift >= 32) {
      dst[word++] = acc;
      shift -= 32;
      acc = shift === 0 ? 0 : v >>> (bitWidth - shift);
    }
  }
  if (shift !== 0) dst[word] = acc;
}

function unpackWords(src: Uint32Array, bitStart: number, n: number, bitWidth: number, dst: Uint32Array, dstStart: number, stride: number): void {
  const mask = bitWidth === 32 ? 0xffffffff : ((1 << bitWidth) >>> 0) - 1;
  let word = bitStart >>> 5;
  let shift = bitStart & 31;
  for (let i = 0, j = dstStart; i < n; i++, j += stride) {
    let v = src[word]! >>> shift;
    const end = shift + bitWidth;
    if (end > 32) v |= src[word + 1]! << (32 - shift);
    dst[j] = (v & mask) >>> 0;
    shift = end;
    if (shift >= 32) {
      word++;
      shift -= 32;
    }
  }
}

function pack64(src: Uint32Array, n: number, bitWidth: number, dst: Uint32Array): void {
  const hiWidth = bitWidth - 32;
  const hiMask = hiWidth === 32 ? 0xffffffff : ((1 << hiWidth) >>> 0) - 1;
  let word = 0;
  let shift = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const lo = src[2 * i]! >>> 0;
    // low 32 bits: always spans the current word and (unless shift = 0) the next one
    acc |= lo << shift;
    dst[word++] = acc;
    acc = shift === 0 ? 0 : lo >>> (32 - shift);
    const hi = (src[2 * i + 1]! & hiMask) >>> 0;
    acc |= hi << shift;
    shift += hiWidth;
    if (shift >= 32) {
      dst[word++] = acc;
      shift -= 32;
      acc = shift === 0 ? 0 : hi >>> (hiWidth - shift);
    }
  }
  if (shift !== 0 && word < dst.length) dst[word] = acc;
}

function unpack64(src: Uint32Array, n: number, bitWidth: number, dst: Uint32Array): void {
  const hiWidth = bitWidth - 32;
  const hiMask = hiWidth === 32 ? 0xffffffff : ((1 << hiWidth) >>> 0) - 1;
  let word = 0;
  let shift = 0;
  for (let i = 0; i < n; i++) {
    let lo = src[word]! >>> shift;
    if (shift !== 0) lo |= src[word + 1]! << (32 - shift);
    dst[2 * i] = lo >>> 0;
    word++;
    let hi = src[word]! >>> shift;
    const end = shift + hiWidth;
    if (end > 32) hi |= src[word + 1]! << (32 - shift);
    dst[2 * i + 1] = (hi & hiMask) >>> 0;
    shift = end;
    if (shift >= 32) {
      word++;
      shift -= 32;
    }
  }
}

// ---- frame of reference ----

/** Integer TypedArrays of at most 32 bits per value. */
export type Int32Like = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Result of {@link frameOfReference32}. */
export interface FrameOfReference32 {
  /** The minimum value (a plain number; 0 for an empty input). */
  readonly reference: number;
  /** Bits needed for `max - min`, 0..32. */
  readonly bitWidth: number;
  /** `values[i] - reference` as unsigned 32-bit numbers (new array, copy). */
  readonly deltas: Uint32Array;
}

/**
 * Subtracts the minimum from every value so that the deltas fit in `bitWidth(max - min)` bits.
 * @param values - integers of at most 32 bits.
 * @returns reference, bit width and deltas (copy).
 */
export function frameOfReference32(values: Int32Like): FrameOfReference32 {
  const n = values.length;
  let min = n > 0 ? values[0]! : 0;
  let max = min;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  const deltas = new Uint32Array(n);
  for (let i = 0; i < n; i++) deltas[i] = values[i]! - min;
  return { reference: min, bitWidth: bitWidth32((max - min) >>> 0), deltas };
}

/**
 * Adds `reference` back: `out[i] = reference + deltas[i]` (wrapping to the width of `out`).
 * @returns `out` (view).
 */
export function undoFrameOfReference32<T extends Int32Like>(deltas: Uint32Array, reference: number, out: T): T {
  const n = Math.min(deltas.length, out.length);
  for (let i = 0; i < n; i++) out[i] = reference + deltas[i]!;
  return out;
}

/** Result of {@link frameOfReference64}. */
export interface FrameOfReference64 {
  /** Low 32 bits of the minimum. */
  readonly referenceLo: number;
  /** High 32 bits of the minimum (unsigned). */
  readonly referenceHi: number;
  /** Bits needed for `max - min`, 0..64. */
  readonly bitWidth: number;
  /** Deltas as `[lo0, hi0, lo1, hi1, …]` (new array, copy). */
  readonly deltas: Uint32Array;
}

/**
 * 64-bit frame of reference over 32-bit halves, without BigInt.
 * @param words - `[lo0, hi0, …]` (a BigInt64Array/BigUint64Array viewed as Uint32Array).
 * @param signed - compare the values as signed (Int64) or unsigned (Uint64).
 */
export function frameOfReference64(words: Uint32Array, signed: boolean): FrameOfReference64 {
  const n = words.length >>> 1;
  const flip = signed ? 0x80000000 : 0;
  const { minLo, minHi, bitWidth } = minMax64(words, signed);
  const refHi = (minHi ^ flip) >>> 0;
  const deltas = new Uint32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]! >>> 0;
    const borrow = lo < minLo ? 1 : 0;
    deltas[2 * i] = lo - minLo;
    deltas[2 * i + 1] = words[2 * i + 1]! - refHi - borrow;
  }
  return { referenceLo: minLo, referenceHi: refHi, bitWidth, deltas };
}

/** Result of {@link minMax64}. */
export interface MinMax64 {
  /** Low 32 bits of the minimum. */
  readonly minLo: number;
  /** High 32 bits of the minimum, with the sign bit flipped when signed (so unsigned comparison orders signed values). */
  readonly minHi: number;
  /** Low 32 bits of the maximum. */
  readonly maxLo: number;
  /** High 32 bits of the maximum, flipped like {@link MinMax64.minHi}. */
  readonly maxHi: number;
  /** Bits needed for `max - min`, 0..64. */
  readonly bitWidth: number;
}

/**
 * The one 64-bit min/max scan of the package (frame of reference and statistics both use it): one pass over
 * `[lo0, hi0, …]` halves, without BigInt, comparing as signed (Int64) or unsigned (Uint64). All zeros (and a
 * width of 0) when there are no values.
 */
export function minMax64(words: Uint32Array, signed: boolean): MinMax64 {
  const n = words.length >>> 1;
  const flip = signed ? 0x80000000 : 0;
  let minLo = 0;
  let minHi = 0; // stored with the sign bit flipped so that unsigned comparison orders signed values
  let maxLo = 0;
  let maxHi = 0;
  if (n > 0) {
    minLo = maxLo = words[0]! >>> 0;
    minHi = maxHi = (words[1]! ^ flip) >>> 0;
  }
  for (let i = 1; i < n; i++) {
    const lo = words[2 * i]! >>> 0;
    const hi = (words[2 * i + 1]! ^ flip) >>> 0;
    if (hi < minHi || (hi === minHi && lo < minLo)) {
      minHi = hi;
      minLo = lo;
    }
    if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxHi = hi;
      maxLo = lo;
    }
  }
  const rangeBorrow = maxLo < minLo ? 1 : 0;
  const rangeLo = (maxLo - minLo) >>> 0;
  const rangeHi = (maxHi - minHi - rangeBorrow) >>> 0;
  const bitWidth = rangeHi !== 0 ? 32 + bitWidth32(rangeHi) : bitWidth32(rangeLo);
  return { minLo, minHi, maxLo, maxHi, bitWidth };
}

/**
 * Adds a 64-bit reference back to 64-bit deltas, in place over `[lo, hi]` halves.
 * @returns `words` (view).
 */
export function undoFrameOfReference64(words: Uint32Array, referenceLo: number, referenceHi: number): Uint32Array {
  const n = words.length >>> 1;
  const rLo = referenceLo >>> 0;
  const rHi = referenceHi >>> 0;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]! + rLo;
    const carry = lo > 0xffffffff ? 1 : 0;
    words[2 * i] = lo;
    words[2 * i + 1] = words[2 * i + 1]! + rHi + carry;
  }
  return words;
}

/**
 * Unpacking of FastLanes bit-packed blocks, the layout Lance 2.1 uses for `inline_bitpacking` and
 * `out_of_line_bitpacking`: the decoder twin of `../fastlanes.ts` (same value order, `../fastlanes-order.ts`).
 *
 * A block holds 1024 values of a `T`-bit unsigned type (T = 8, 16, 32 or 64) packed to `W` bits each, as
 * `1024 * W / T` little-endian words of T bits. There are `LANES = 1024 / T` lanes; lane `l` owns words
 * `l, LANES + l, 2 * LANES + l, …` and, read as one LSB-first bit stream, holds the values of rows
 * `r = 0 … T-1` in order, W bits each. Row `r` of lane `l` is value number
 * `FL_ORDER[r >> 3] * 16 + (r & 7) * 128 + l`, with `FL_ORDER = [0, 4, 2, 6, 1, 5, 3, 7]`.
 *
 * Worked example (T = 16, W = 1): word 0 (bytes 0–1) is lane 0: its bits are the values
 * 0, 128, 256, …, 896 (rows 0–7) then 64, 192, …, 960 (rows 8–15). Definition levels "null every 7th
 * row" therefore start `81 08 …`.
 */
import { CorruptDataError } from '@vego/arrow';
import { FL_ORDER } from '../fastlanes-order';

/**
 * Unpacks one block of 1024 values (T ≤ 32) into `out[outAt …]`, writing only the first `count` values.
 * @param bytes - the packed block (at least `128 * bitWidth` bytes from `byteOffset`).
 */
export function unpackFastLanes32(
  bytes: Uint8Array,
  byteOffset: number,
  typeBits: number,
  bitWidth: number,
  count: number,
  out: Uint32Array,
  outAt: number,
): void {
  if (bitWidth === 0) {
    out.fill(0, outAt, outAt + count);
    return;
  }
  if (bitWidth > typeBits) throw new CorruptDataError(`bit-packed block of width ${bitWidth} for ${typeBits}-bit values`);
  if (byteOffset + bitWidth * 128 > bytes.length) {
    throw new CorruptDataError(`bit-packed block needs ${bitWidth * 128} bytes at ${byteOffset}, buffer has ${bytes.length}`);
  }
  const lanes = 1024 / typeBits;
  const wordBytes = typeBits >>> 3;
  // Bytes from one word of a lane to its next word.
  const laneStride = lanes * wordBytes;
  // A value spans at most two words of its lane (W ≤ T): read whole words, not bit by bit.
  const mask = bitWidth === 32 ? -1 : (1 << bitWidth) - 1;
  for (let row = 0; row < typeBits; row++) {
    const first = FL_ORDER[row >>> 3]! * 16 + (row & 7) * 128;
    if (first >= count) continue;
    const bit = row * bitWidth;
    const word = (bit / typeBits) | 0;
    const shift = bit - word * typeBits;
    const spills = shift + bitWidth > typeBits;
    const rowAt = byteOffset + word * laneStride;
    const end = first + lanes <= count ? lanes : count - first;
    for (let lane = 0; lane < end; lane++) {
      const at = rowAt + lane * wordBytes;
      let v = wordAt(bytes, at, wordBytes) >>> shift;
      if (spills) v |= wordAt(bytes, at + laneStride, wordBytes) << (typeBits - shift);
      out[outAt + first + lane] = (v & mask) >>> 0;
    }
  }
}

/** The little-endian word of `wordBytes` bytes (1, 2 or 4) at `at`, as an unsigned number. */
function wordAt(bytes: Uint8Array, at: number, wordBytes: number): number {
  if (wordBytes === 4) return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  if (wordBytes === 2) return bytes[at]! | (bytes[at + 1]! << 8);
  return bytes[at]!;
}

/**
 * Unpacks one block of 1024 64-bit values into `out` as (lo, hi) 32-bit pairs, writing the first `count` values
 * at pair index `outAt`.
 */
export function unpackFastLanes64(bytes: Uint8Array, byteOffset: number, bitWidth: number, count: number, out: Uint32Array, outAt: number): void {
  if (bitWidth === 0) {
    out.fill(0, outAt * 2, (outAt + count) * 2);
    return;
  }
  if (bitWidth > 64) throw new CorruptDataError(`bit-packed block of width ${bitWidth} for 64-bit values`);
  if (byteOffset + bitWidth * 128 > bytes.length) {
    throw new CorruptDataError(`bit-packed block needs ${bitWidth * 128} bytes at ${byteOffset}, buffer has ${bytes.length}`);
  }
  const lanes = 16;
  const laneStride = lanes * 8;
  const loMask = bitWidth >= 32 ? -1 : (1 << bitWidth) - 1;
  const hiMask = bitWidth >= 64 ? -1 : bitWidth <= 32 ? 0 : (1 << (bitWidth - 32)) - 1;
  for (let row = 0; row < 64; row++) {
    const first = FL_ORDER[row >>> 3]! * 16 + (row & 7) * 128;
    if (first >= count) continue;
    const bit = row * bitWidth;
    const word = bit >>> 6;
    const shift = bit & 63;
    const spills = shift + bitWidth > 64;
    const rowAt = byteOffset + word * laneStride;
    const end = first + lanes <= count ? lanes : count - first;
    for (let lane = 0; lane < end; lane++) {
      const at = rowAt + lane * 8;
      // The value is bits [shift, shift + W) of this word and, when it spills, the next word of the lane.
      const a0 = wordAt(bytes, at, 4);
      const a1 = wordAt(bytes, at + 4, 4);
      const b0 = spills ? wordAt(bytes, at + laneStride, 4) : 0;
      const b1 = spills ? wordAt(bytes, at + laneStride + 4, 4) : 0;
      let lo: number;
      let hi: number;
      if (shift === 0) {
        lo = a0;
        hi = a1;
      } else if (shift < 32) {
        lo = (a0 >>> shift) | (a1 << (32 - shift));
        hi = (a1 >>> shift) | (b0 << (32 - shift));
      } else if (shift === 32) {
        lo = a1;
        hi = b0;
      } else {
        const s2 = shift - 32;
        lo = (a1 >>> s2) | (b0 << (32 - s2));
        hi = (b0 >>> s2) | (b1 << (32 - s2));
      }
      const index = (outAt + first + lane) * 2;
      out[index] = (lo & loMask) >>> 0;
      out[index + 1] = (hi & hiMask) >>> 0;
    }
  }
}

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
  for (let lane = 0; lane < lanes; lane++) {
    for (let row = 0; row < typeBits; row++) {
      const index = FL_ORDER[row >>> 3]! * 16 + (row & 7) * 128 + lane;
      if (index >= count) continue;
      let v = 0;
      let got = 0;
      let bit = row * bitWidth;
      while (got < bitWidth) {
        const word = (bit / typeBits) | 0;
        const inWord = bit - word * typeBits;
        const byteAt = byteOffset + (word * lanes + lane) * wordBytes + (inWord >>> 3);
        const shift = inWord & 7;
        let take = 8 - shift;
        if (take > bitWidth - got) take = bitWidth - got;
        const piece = (bytes[byteAt]! >>> shift) & ((1 << take) - 1);
        v += piece * 2 ** got;
        got += take;
        bit += take;
      }
      out[outAt + index] = v;
    }
  }
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
  for (let lane = 0; lane < lanes; lane++) {
    for (let row = 0; row < 64; row++) {
      const index = FL_ORDER[row >>> 3]! * 16 + (row & 7) * 128 + lane;
      if (index >= count) continue;
      let lo = 0;
      let hi = 0;
      let got = 0;
      let bit = row * bitWidth;
      while (got < bitWidth) {
        const word = bit >>> 6;
        const inWord = bit & 63;
        const byteAt = byteOffset + (word * lanes + lane) * 8 + (inWord >>> 3);
        const shift = inWord & 7;
        let take = 8 - shift;
        if (take > bitWidth - got) take = bitWidth - got;
        const piece = (bytes[byteAt]! >>> shift) & ((1 << take) - 1);
        // Place the piece bit by bit: it may straddle bit 32 of the value.
        for (let b = 0; b < take; b++) {
          if ((piece >>> b) & 1) {
            const at = got + b;
            if (at < 32) lo = (lo | (1 << at)) >>> 0;
            else hi = (hi | (1 << (at - 32))) >>> 0;
          }
        }
        got += take;
        bit += take;
      }
      out[(outAt + index) * 2] = lo;
      out[(outAt + index) * 2 + 1] = hi;
    }
  }
}

/**
 * FastLanes bit-packing of one block of 1024 unsigned values, the block Lance 2.1/2.2 uses inside
 * `inline_bitpacking` and `out_of_line_bitpacking`.
 *
 * A block holds 1024 values of a `T`-bit type (T = 8, 16, 32 or 64) packed to `W` bits each, as
 * `1024 * W / T` little-endian T-bit words (`128 * W` bytes). There are `LANES = 1024 / T` lanes; lane
 * `l` owns words `l, LANES + l, 2 * LANES + l, …` and, read as one LSB-first bit stream, holds rows
 * `r = 0 … T-1` in order, W bits each. Row `r` of lane `l` is value number
 * `FL_ORDER[r >> 3] * 16 + (r & 7) * 128 + l`, with `FL_ORDER = [0, 4, 2, 6, 1, 5, 3, 7]`.
 * A block of fewer than 1024 values is padded with zeros.
 *
 * Worked example (T = 16, W = 1, values 1 at 0 and 128, 0 elsewhere): lane 0's rows 0 and 1 are values
 * 0 and 128, so word 0 is `0b11` → bytes `03 00`, and all other bytes are 0.
 *
 * The decoder twin is `decode/fastlanes.ts`; both take the value order from `fastlanes-order.ts`.
 */
import { InvalidArgumentError } from '@vego/arrow';
import { FL_ORDER } from './fastlanes-order';
import { HOST_LITTLE_ENDIAN } from '../internal/bytes';

/** Bytes of one packed block of 1024 values of `bitWidth` bits. */
export function fastLanesBlockByteLength(bitWidth: number): number {
  return bitWidth * 128;
}

/**
 * Packs values `[at, at + count)` (count ≤ 1024, the rest of the block is zero) of `lo` (and, for
 * T = 64, their high halves `hi`) into `out` from `outAt`: `128 * bitWidth` bytes, which must be zero
 * on entry (a fresh array is). Bits above `bitWidth` are ignored.
 * @param lo - values (T ≤ 32) or their low 32 bits (T = 64).
 * @param hi - high 32 bits of each value when T = 64, else null.
 * @throws InvalidArgumentError for a bad type width, bit width or count.
 */
export function packFastLanesBlock(
  lo: Uint32Array,
  hi: Uint32Array | null,
  at: number,
  count: number,
  typeBits: number,
  bitWidth: number,
  out: Uint8Array,
  outAt: number,
): void {
  if (typeBits !== 8 && typeBits !== 16 && typeBits !== 32 && typeBits !== 64) throw new InvalidArgumentError(`\`typeBits\` must be 8, 16, 32 or 64, got ${typeBits}`);
  if (!(bitWidth >= 0 && bitWidth <= typeBits)) throw new InvalidArgumentError(`\`bitWidth\` must be within 0..${typeBits}, got ${bitWidth}`);
  if (!(count >= 0 && count <= 1024)) throw new InvalidArgumentError(`\`count\` must be within 0..1024, got ${count}`);
  if ((typeBits === 64) !== (hi !== null)) throw new InvalidArgumentError('`hi` must be given exactly for 64-bit values');
  if (bitWidth === 0) return;
  if ((typeBits === 32 || typeBits === 64) && bitWidth <= 32 && HOST_LITTLE_ENDIAN && ((out.byteOffset + outAt) & 3) === 0) {
    packWords(lo, at, count, typeBits, bitWidth, new Uint32Array(out.buffer, out.byteOffset + outAt, 32 * bitWidth));
    return;
  }
  const lanes = 1024 / typeBits;
  const wordBytes = typeBits >>> 3;
  for (let lane = 0; lane < lanes; lane++) {
    for (let row = 0; row < typeBits; row++) {
      const index = FL_ORDER[row >>> 3]! * 16 + (row & 7) * 128 + lane;
      if (index >= count) continue;
      const vlo = lo[at + index]!;
      const vhi = hi === null ? 0 : hi[at + index]!;
      let put = 0;
      let bit = row * bitWidth;
      while (put < bitWidth) {
        const word = (bit / typeBits) | 0;
        const inWord = bit - word * typeBits;
        const byteAt = outAt + (word * lanes + lane) * wordBytes + (inWord >>> 3);
        const shift = inWord & 7;
        let take = 8 - shift;
        if (take > bitWidth - put) take = bitWidth - put;
        // Bits [put, put + take) of the value; they may straddle bit 32 when T = 64.
        let piece: number;
        if (put + take <= 32) piece = (vlo >>> put) & ((1 << take) - 1);
        else if (put >= 32) piece = (vhi >>> (put - 32)) & ((1 << take) - 1);
        else piece = ((vlo >>> put) | (vhi << (32 - put))) & ((1 << take) - 1);
        out[byteAt] = out[byteAt]! | (piece << shift);
        put += take;
        bit += take;
      }
    }
  }
}

/**
 * {@link packFastLanesBlock} for 32- and 64-bit types packed to at most 32 bits, on a little-endian host:
 * the same bits, written as u32 words (a value lands in at most two) instead of byte by byte. A T-bit word
 * of lane `l` is u32 words `(word * lanes + l) * T/32 …`, low half first; only `lo` matters (W ≤ 32).
 */
function packWords(lo: Uint32Array, at: number, count: number, typeBits: number, bitWidth: number, out32: Uint32Array): void {
  const lanes = 1024 / typeBits;
  const halves = typeBits >>> 5;
  const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
  for (let lane = 0; lane < lanes; lane++) {
    for (let row = 0; row < typeBits; row++) {
      const index = FL_ORDER[row >>> 3]! * 16 + (row & 7) * 128 + lane;
      if (index >= count) continue;
      const v = (lo[at + index]! & mask) >>> 0;
      const bit = row * bitWidth;
      // Bit `bit` of the lane's stream: its T-bit word, then the u32 half and the shift within it.
      const word = (bit / typeBits) | 0;
      const inWord = bit - word * typeBits;
      const u = (word * lanes + lane) * halves + (inWord >>> 5);
      const shift = inWord & 31;
      out32[u] = (out32[u]! | (v << shift)) >>> 0;
      if (shift + bitWidth > 32) {
        // The rest spills into the next u32 of the stream: the high half of this word, or the next word's low half.
        const next = (inWord >>> 5) + 1 < halves ? u + 1 : ((word + 1) * lanes + lane) * halves;
        out32[next] = (out32[next]! | (v >>> (32 - shift))) >>> 0;
      }
    }
  }
}

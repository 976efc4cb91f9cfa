/**
 * Lance 2.1 `inline_bitpacking(T)`: the values of one mini-block chunk (at most 1024) as one FastLanes
 * block packed to the chunk's own bit width `W`, preceded by W as a little-endian T-bit word. A chunk of
 * fewer than 1024 values is padded to a whole block (what LanceDB 0.39 writes for the last chunk).
 *
 * ```text
 * [W: T/8 bytes, little-endian][128 * W bytes: FastLanes block]
 * ```
 * Worked example (T = 32, values 0…1023): W = 10 → `0A 00 00 00` then 1280 packed bytes; 1284 bytes.
 *
 * Values are unsigned: a negative two's-complement value needs the full width T.
 */
import { InvalidArgumentError } from '@vego/arrow';
import { fastLanesBlockByteLength, packFastLanesBlock } from './fastlanes';

/** Bits needed by the widest of values `[at, at + count)` (`hi` = high halves for T = 64, else null). */
export function maxBitWidth(lo: Uint32Array, hi: Uint32Array | null, at: number, count: number): number {
  let orLo = 0;
  let orHi = 0;
  for (let i = at; i < at + count; i++) orLo |= lo[i]!;
  if (hi !== null) for (let i = at; i < at + count; i++) orHi |= hi[i]!;
  return orHi !== 0 ? 64 - Math.clz32(orHi) : 32 - Math.clz32(orLo);
}

/** Bytes of a chunk of values packed to `bitWidth` as T-bit values. */
export function inlineBitpackedByteLength(typeBits: number, bitWidth: number): number {
  return typeBits / 8 + fastLanesBlockByteLength(bitWidth);
}

/**
 * Encodes values `[at, at + count)` (count ≤ 1024) as one inline bit-packed chunk buffer (new array).
 * @throws InvalidArgumentError for a bad type width or count.
 */
export function encodeInlineBitpacked(lo: Uint32Array, hi: Uint32Array | null, at: number, count: number, typeBits: number): Uint8Array {
  if (!(count >= 1 && count <= 1024)) throw new InvalidArgumentError(`\`count\` must be within 1..1024, got ${count}`);
  const width = maxBitWidth(lo, hi, at, count);
  const out = new Uint8Array(inlineBitpackedByteLength(typeBits, width));
  out[0] = width;
  packFastLanesBlock(lo, hi, at, count, typeBits, width, out, typeBits / 8);
  return out;
}

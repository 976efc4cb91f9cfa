/**
 * Unsigned little-endian integers of 1, 2, 4 or 8 bytes inside Lance 2.1/2.2 page buffers (full-zip
 * control words, value lengths and repetition index entries), read from bytes whose bounds the caller
 * has checked. Example: `readUintLE(Uint8Array.of(0x15, 0x00), 0, 2)` is 21.
 */

/**
 * The `width`-byte (1, 2, 4 or 8) little-endian unsigned integer at `at` of `b`. An 8-byte one is exact
 * below 2^53 and at least 2^32 whenever its high word is not 0, so it still fails every bound check of a
 * length or a position in a buffer.
 */
export function readUintLE(b: Uint8Array, at: number, width: number): number {
  if (width === 1) return b[at]!;
  if (width === 2) return b[at]! | (b[at + 1]! << 8);
  const lo = (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  if (width === 4) return lo;
  return ((b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24)) >>> 0) * 2 ** 32 + lo;
}

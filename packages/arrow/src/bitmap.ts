/**
 * LSB-first bitmaps as Arrow uses them for validity and Bool values: bit `i` is
 * `(bytes[i >> 3] >> (i & 7)) & 1`.
 */

const POPCOUNT8 = /* @__PURE__ */ (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** Bytes needed for `numBits` bits. */
export function bitmapByteLength(numBits: number): number {
  return (numBits + 7) >>> 3;
}

/** Reads bit `i` (no bounds check beyond the typed array's own). */
export function getBit(bytes: Uint8Array, i: number): boolean {
  return ((bytes[i >> 3]! >> (i & 7)) & 1) === 1;
}

/** Sets bit `i` to `value` in place. */
export function setBit(bytes: Uint8Array, i: number, value: boolean): void {
  if (value) bytes[i >> 3]! |= 1 << (i & 7);
  else bytes[i >> 3]! &= ~(1 << (i & 7));
}

/** Number of set bits in `[begin, end)`. */
export function countSetBits(bytes: Uint8Array, begin: number, end: number): number {
  let count = 0;
  let i = begin | 0;
  const stop = end | 0;
  // Leading bits up to a byte boundary.
  while (i < stop && (i & 7) !== 0) {
    count += (bytes[i >> 3]! >> (i & 7)) & 1;
    i++;
  }
  // Whole bytes.
  const fullEnd = stop & ~7;
  const table = POPCOUNT8;
  for (let b = i >> 3, e = fullEnd >> 3; b < e; b++) count += table[bytes[b]!]!;
  if (fullEnd > i) i = fullEnd;
  // Trailing bits.
  while (i < stop) {
    count += (bytes[i >> 3]! >> (i & 7)) & 1;
    i++;
  }
  return count;
}

/**
 * Copies bits `[bitOffset, bitOffset + numBits)` of `bytes` into a new bitmap starting at bit 0 (copy).
 * Use it to re-base a bitmap whose offset is not a multiple of 8. The one bit copy of the codebase: callers
 * pick the padding of the output.
 * @param padBytes - the output's length is a multiple of this many bytes: 64 (default, Arrow's alignment),
 *   8 (whole 64-bit words, as Lance pages and @vego/format use) or 1 (exactly `ceil(numBits / 8)` bytes, as
 *   @vego/encoding's buffers use). Bits past `numBits` are zero.
 */
export function copyBits(bytes: Uint8Array, bitOffset: number, numBits: number, padBytes: 1 | 8 | 64 = 64): Uint8Array {
  const out = new Uint8Array(Math.ceil(((numBits + 7) >>> 3) / padBytes) * padBytes);
  if ((bitOffset & 7) === 0) {
    out.set(bytes.subarray(bitOffset >> 3, (bitOffset >> 3) + ((numBits + 7) >>> 3)));
    const tail = numBits & 7;
    if (tail !== 0) out[numBits >> 3]! &= (1 << tail) - 1;
    return out;
  }
  for (let k = 0; k < numBits; k++) {
    const j = bitOffset + k;
    if ((bytes[j >> 3]! >> (j & 7)) & 1) out[k >> 3]! |= 1 << (k & 7);
  }
  return out;
}

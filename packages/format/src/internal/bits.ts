/** Bit helpers over LSB-first bitmaps (Arrow and Lance validity). */

/** Copies bits `[srcBit, srcBit + n)` of `src` into a new bitmap starting at bit 0 (copy, 8-byte padded). */
export function copyBits(src: Uint8Array, srcBit: number, n: number): Uint8Array {
  const out = new Uint8Array(((n + 63) >>> 6) << 3);
  if ((srcBit & 7) === 0) {
    const start = srcBit >>> 3;
    const bytes = (n + 7) >>> 3;
    out.set(src.subarray(start, start + bytes));
    const rem = n & 7;
    if (rem !== 0) out[bytes - 1]! &= (1 << rem) - 1;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const j = srcBit + i;
    if ((src[j >>> 3]! >>> (j & 7)) & 1) out[i >>> 3]! |= 1 << (i & 7);
  }
  return out;
}

/** Writes bits `[srcBit, srcBit + n)` of `src` into `dst` at bit `dstBit` (dst must be zeroed there). */
export function orBitsInto(dst: Uint8Array, dstBit: number, src: Uint8Array, srcBit: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const j = srcBit + i;
    if ((src[j >>> 3]! >>> (j & 7)) & 1) {
      const k = dstBit + i;
      dst[k >>> 3]! |= 1 << (k & 7);
    }
  }
}

/** Sets bits `[dstBit, dstBit + n)` to 1. */
export function setBitsRange(dst: Uint8Array, dstBit: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const k = dstBit + i;
    dst[k >>> 3]! |= 1 << (k & 7);
  }
}

/** Bytes needed for `n` bits. */
export function bitBytes(n: number): number {
  return (n + 7) >>> 3;
}

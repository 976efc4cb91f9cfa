/** Bit helpers over LSB-first bitmaps (Arrow and Lance validity). */
import { copyBits as copyBitsPadded } from '@vego/encoding';

/**
 * Copies bits `[srcBit, srcBit + n)` of `src` into a new bitmap starting at bit 0 (copy, 8-byte padded, as
 * Lance pages are). The bit copy itself is @vego/arrow's `copyBits`, the one in the codebase.
 */
export function copyBits(src: Uint8Array, srcBit: number, n: number): Uint8Array {
  return copyBitsPadded(src, srcBit, n, 8);
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

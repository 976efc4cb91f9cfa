/**
 * Finding the few set or changed bytes of long byte arrays (a save's dirty marks and tombstones,
 * one byte per id): a block at a time compared natively (`Buffer#equals`, a memcmp), and only the
 * blocks that differ scanned byte by byte. A save of an index with no or few changes spends
 * microseconds here, where a byte loop over 100K ids took a few hundred (it runs once per save, so
 * it seldom gets optimised).
 */

/** Bytes compared natively at a time. */
const BLOCK = 4096;

/** BLOCK zero bytes. */
const ZEROS = Buffer.alloc(BLOCK);

/** A Buffer over `a[from … to)` (no copy). */
function bytesOf(a: Uint8Array, from: number, to: number): Buffer {
  return Buffer.from(a.buffer, a.byteOffset + from, to - from);
}

/** Appends to `out` the indices `i < to` (ascending) where `bytes[i]` is not 0. */
export function pushNonZero(bytes: Uint8Array, to: number, out: number[]): void {
  for (let at = 0; at < to; at += BLOCK) {
    const end = Math.min(to, at + BLOCK);
    if (bytesOf(bytes, at, end).equals(end - at === BLOCK ? ZEROS : ZEROS.subarray(0, end - at))) continue;
    for (let i = at; i < end; i++) if (bytes[i] !== 0) out.push(i);
  }
}

/** Appends to `out` the indices `i < to` (ascending) where `a[i]` and `b[i]` differ. */
export function pushDiffering(a: Uint8Array, b: Uint8Array, to: number, out: number[]): void {
  for (let at = 0; at < to; at += BLOCK) {
    const end = Math.min(to, at + BLOCK);
    if (bytesOf(a, at, end).equals(bytesOf(b, at, end))) continue;
    for (let i = at; i < end; i++) if (a[i] !== b[i]) out.push(i);
  }
}

/**
 * Finding the few set or changed bytes of long byte arrays (a save's dirty marks and tombstones,
 * one byte per id): a block at a time compared natively (`Buffer#equals`, a memcmp), and only the
 * blocks that differ scanned byte by byte. A save of an index with no or few changes spends
 * microseconds here, where a byte loop over 100K ids took a few hundred (it runs once per save, so
 * it seldom gets optimised). A browser build (no Buffer; this module is in its load path, so it
 * must not touch Buffer when evaluated) compares byte by byte.
 */

/** Bytes compared natively at a time. */
const BLOCK = 4096;

/** The subset of Node's `Buffer` used here; undefined in a browser build (loads run there too). */
interface NodeBytes extends Uint8Array {
  equals(other: Uint8Array): boolean;
}
const NodeBuffer = (globalThis as { Buffer?: { alloc(n: number): NodeBytes; from(b: ArrayBufferLike, at: number, n: number): NodeBytes } }).Buffer;

/** BLOCK zero bytes (Node only). */
const ZEROS = NodeBuffer === undefined ? null : NodeBuffer.alloc(BLOCK);

/** True when `a[from … to)` and `b[from … to)` (or zeros when `b` is null) are equal: natively under Node, else byte by byte. */
function sameBlock(a: Uint8Array, b: Uint8Array | null, from: number, to: number): boolean {
  if (NodeBuffer !== undefined) {
    const x = NodeBuffer.from(a.buffer, a.byteOffset + from, to - from);
    return x.equals(b === null ? (to - from === BLOCK ? ZEROS! : ZEROS!.subarray(0, to - from)) : NodeBuffer.from(b.buffer, b.byteOffset + from, to - from));
  }
  if (b === null) {
    for (let i = from; i < to; i++) if (a[i] !== 0) return false;
  } else {
    for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  }
  return true;
}

/** Appends to `out` the indices `i < to` (ascending) where `bytes[i]` is not 0. */
export function pushNonZero(bytes: Uint8Array, to: number, out: number[]): void {
  for (let at = 0; at < to; at += BLOCK) {
    const end = Math.min(to, at + BLOCK);
    if (sameBlock(bytes, null, at, end)) continue;
    for (let i = at; i < end; i++) if (bytes[i] !== 0) out.push(i);
  }
}

/** Appends to `out` the indices `i < to` (ascending) where `a[i]` and `b[i]` differ. */
export function pushDiffering(a: Uint8Array, b: Uint8Array, to: number, out: number[]): void {
  for (let at = 0; at < to; at += BLOCK) {
    const end = Math.min(to, at + BLOCK);
    if (sameBlock(a, b, at, end)) continue;
    for (let i = at; i < end; i++) if (a[i] !== b[i]) out.push(i);
  }
}

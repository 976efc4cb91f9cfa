/** Integer hashing shared by dictionary building and statistics. Never exported from the package. */

/** murmur3 32-bit finaliser: a good avalanche for integer keys. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a 64-bit value given as halves. */
export function mix64(lo: number, hi: number): number {
  return mix32(lo ^ Math.imul(mix32(hi), 0x9e3779b1));
}

/** FNV-1a over `bytes[start, end)`, then mixed. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return mix32(h ^ (end - start));
}

/**
 * A 53-bit hash of a string's UTF-16 code units (two 32-bit multiply-xorshift lanes with different
 * seeds, 21 bits of one and 32 of the other), exact as a float64. The text index keeps it per
 * document so that, after a crash, it can tell which stored documents' text changed without
 * storing the text (a change goes unnoticed with probability about 2^-53).
 */
export function textHash(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // Mix in the length so that strings differing only by trailing code units of value 0 differ.
  h2 = Math.imul(h2 ^ s.length, 0x9e3779b1);
  return (h2 & 0x1fffff) * 4294967296 + (h1 >>> 0);
}

/** UTF-8 encode/decode with an allocation-light ASCII fast path for short strings. */

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** Decodes `bytes[begin, end)` to a string (the string is new; the bytes are only read). */
export function decodeUtf8(bytes: Uint8Array, begin: number, end: number): string {
  const n = end - begin;
  if (n <= 8) {
    let ascii = true;
    for (let k = begin; k < end; k++) if (bytes[k]! >= 0x80) { ascii = false; break; }
    if (ascii) {
      let s = '';
      for (let k = begin; k < end; k++) s += String.fromCharCode(bytes[k]!);
      return s;
    }
  }
  return decoder.decode(bytes.subarray(begin, end));
}

/**
 * Writes the UTF-8 encoding of `s` into `out` at `at`; the caller guarantees `3 * s.length` bytes
 * of room. Returns the number of bytes written.
 */
export function encodeUtf8Into(s: string, out: Uint8Array, at: number): number {
  const n = s.length;
  if (n <= 32) {
    let k = 0;
    for (; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) break;
      out[at + k] = c;
    }
    if (k === n) return n;
  }
  return encoder.encodeInto(s, out.subarray(at)).written;
}

/** UTF-8 bytes of `s` (copy). */
export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}

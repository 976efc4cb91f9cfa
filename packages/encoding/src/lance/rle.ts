/**
 * Lance 2.1 mini-block `rle(flat(bits), flat(8))`: the values of one chunk as runs, in two buffers: each
 * run's value (original width, little-endian), then each run's length as a u8 (runs longer than 255
 * are split: 1000 equal values → lengths 255 255 255 235).
 *
 * Worked example (u16 `[7, 7, 7, 9]`): values `07 00 09 00`, lengths `03 01`.
 */
import { InvalidArgumentError } from '@vego/arrow';

/**
 * Runs (each at most 255 long) of values `[at, at + count)` of `byteWidth` bytes in `bytes`. With `limit`,
 * counting stops as soon as the runs pass it and `limit + 1` is returned (a chooser that only asks "at most
 * `limit` runs?" need not read the whole page of values that do not repeat).
 */
export function countRleRuns(bytes: Uint8Array, byteWidth: number, at: number, count: number, limit = Infinity): number {
  if (count === 0) return 0;
  // 2-, 4- and 8-byte values compare as whole words when the bytes are aligned to them (typed arrays' are).
  const words = byteWidth === 8 ? 2 : 1;
  const unit = byteWidth === 8 ? 4 : byteWidth;
  if ((unit === 2 || unit === 4) && (bytes.byteOffset & (unit - 1)) === 0 && bytes.byteLength % unit === 0) {
    const w = unit === 4 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2) : new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 1);
    return countWordRuns(w, words, at, count, limit);
  }
  let runs = 1;
  let len = 1;
  for (let i = at + 1; i < at + count; i++) {
    let same = len < 255;
    for (let b = 0; same && b < byteWidth; b++) if (bytes[i * byteWidth + b] !== bytes[(i - 1) * byteWidth + b]) same = false;
    if (same) len++;
    else {
      if (++runs > limit) return runs;
      len = 1;
    }
  }
  return runs;
}

/** {@link countRleRuns} over values of `words` consecutive words each of `w`. */
function countWordRuns(w: Uint32Array | Uint16Array, words: number, at: number, count: number, limit: number): number {
  let runs = 1;
  let len = 1;
  const end = at + count;
  if (words === 1) {
    let prev = w[at]!;
    for (let i = at + 1; i < end; i++) {
      const x = w[i]!;
      if (x === prev && len < 255) len++;
      else {
        if (++runs > limit) return runs;
        len = 1;
        prev = x;
      }
    }
    return runs;
  }
  let pLo = w[2 * at]!;
  let pHi = w[2 * at + 1]!;
  for (let i = at + 1; i < end; i++) {
    const lo = w[2 * i]!;
    const hi = w[2 * i + 1]!;
    if (lo === pLo && hi === pHi && len < 255) len++;
    else {
      if (++runs > limit) return runs;
      len = 1;
      pLo = lo;
      pHi = hi;
    }
  }
  return runs;
}

/**
 * Encodes values `[at, at + count)` as `[run values, run lengths]` (new arrays).
 * @throws InvalidArgumentError for a byte width other than 1, 2, 4 or 8.
 */
export function encodeRleChunk(bytes: Uint8Array, byteWidth: number, at: number, count: number): [Uint8Array, Uint8Array] {
  if (byteWidth !== 1 && byteWidth !== 2 && byteWidth !== 4 && byteWidth !== 8) throw new InvalidArgumentError(`\`byteWidth\` must be 1, 2, 4 or 8, got ${byteWidth}`);
  const runs = countRleRuns(bytes, byteWidth, at, count);
  const values = new Uint8Array(runs * byteWidth);
  const lengths = new Uint8Array(runs);
  let r = -1;
  for (let i = at; i < at + count; i++) {
    let same = r >= 0 && lengths[r]! < 255;
    for (let b = 0; same && b < byteWidth; b++) if (bytes[i * byteWidth + b] !== bytes[(i - 1) * byteWidth + b]) same = false;
    if (same) lengths[r]!++;
    else {
      r++;
      lengths[r] = 1;
      for (let b = 0; b < byteWidth; b++) values[r * byteWidth + b] = bytes[i * byteWidth + b]!;
    }
  }
  return [values, lengths];
}

/**
 * Run-length encoding (RLE) of fixed-width values: integers, floats (compared by bit pattern, so NaN
 * payloads and −0 survive), booleans expanded to one byte each, dictionary indices.
 *
 * Byte layout (all little-endian):
 * ```
 * u32                     numRuns
 * numRuns × u32           runLength   (each ≥ 1; they sum to the value count)
 * numRuns × byteWidth     runValue    (the value's own little-endian bytes, byteWidth = 1, 2, 4 or 8)
 * ```
 * The value count and byte width are not stored: the caller keeps them (the array-level API stores them
 * in the encoding description). An empty input is `00 00 00 00`.
 *
 * Worked example: Uint8 values `[7, 7, 7, 9, 9]` (byteWidth 1) → 14 bytes:
 * ```
 * 02 00 00 00 | 03 00 00 00 02 00 00 00 | 07 09
 * ```
 */
import { corruptData, InvalidArgumentError } from '@vego/arrow';
import { checkDecodeLimits } from './decode-limits';
import type { DecodeLimits } from './decode-limits';
import { checkInt, need, readU32, writeU32 } from './internal/bytes';

/** TypedArrays that {@link encodeRle} accepts. */
export type RleInput =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** Number of runs of equal values (by bit pattern) in `values`. */
export function countRuns(values: RleInput): number {
  const w = values.BYTES_PER_ELEMENT;
  if (w === 1) return runs8(new Uint8Array(values.buffer, values.byteOffset, values.length));
  if (w === 2) return runs16(new Uint16Array(values.buffer, values.byteOffset, values.length));
  if (w === 4) return runs32(new Uint32Array(values.buffer, values.byteOffset, values.length));
  return runs64(new Uint32Array(values.buffer, values.byteOffset, values.length * 2));
}

/**
 * Run-length encodes `values` (compared by bit pattern).
 * @returns the encoded bytes (new array, copy), `4 + numRuns * (4 + byteWidth)` bytes.
 * @example
 * ```ts
 * encodeRle(new Uint8Array([7, 7, 7, 9, 9])); // 02 00 00 00 03 00 00 00 02 00 00 00 07 09
 * ```
 */
export function encodeRle(values: RleInput): Uint8Array {
  const w = values.BYTES_PER_ELEMENT;
  const n = values.length;
  const numRuns = countRuns(values);
  const out = new Uint8Array(4 + numRuns * (4 + w));
  writeU32(out, 0, numRuns);
  if (n === 0) return out;
  const valueStart = 4 + numRuns * 4;
  if (w === 1) encode8(new Uint8Array(values.buffer, values.byteOffset, n), out, valueStart);
  else if (w === 2) encode16(new Uint16Array(values.buffer, values.byteOffset, n), out, valueStart);
  else if (w === 4) encode32(new Uint32Array(values.buffer, values.byteOffset, n), out, valueStart);
  else encode64(new Uint32Array(values.buffer, values.byteOffset, n * 2), out, valueStart);
  return out;
}

/**
 * Decodes `count` values of `byteWidth` bytes.
 * @param bytes - the RLE stream (extra trailing bytes are ignored).
 * @param count - number of values expected.
 * @param byteWidth - 1, 2, 4 or 8.
 * @param limits - output bounds: a few bytes of runs can claim 2^32 values, so the run lengths are summed
 *   and checked against `count` and these limits (default: the module's `maxOutputBytes`) before allocating.
 * @returns `count * byteWidth` bytes in a new 8-byte-aligned buffer (copy): view it as the element type.
 * @throws CorruptDataError when the run count or lengths disagree with `count` or the bytes, or the
 *   output exceeds the limits; InvalidArgumentError on bad arguments.
 */
export function decodeRle(bytes: Uint8Array, count: number, byteWidth: number, limits?: DecodeLimits): Uint8Array {
  checkInt('count', count, 0, 2 ** 31);
  if (byteWidth !== 1 && byteWidth !== 2 && byteWidth !== 4 && byteWidth !== 8) {
    throw new InvalidArgumentError(`\`byteWidth\` must be 1, 2, 4 or 8, got ${String(byteWidth)}`);
  }
  const numRuns = readU32(bytes, 0, 'RLE run count');
  if (numRuns > count || (count > 0 && numRuns === 0)) {
    throw corruptData('RLE run count', count === 0 ? '0' : `1..${count}`, String(numRuns));
  }
  need(bytes, 4, numRuns * (4 + byteWidth), 'RLE runs');
  // The runs must cover exactly `count` values: check that from the run lengths before allocating.
  let covered = 0;
  for (let r = 0; r < numRuns; r++) covered += readU32(bytes, 4 + 4 * r, 'RLE run length');
  if (covered !== count) throw corruptData('RLE run lengths', `a total of ${count}`, String(covered));
  checkDecodeLimits(`${count} RLE values`, count, byteWidth, limits);
  const buffer = new ArrayBuffer(Math.ceil((count * byteWidth) / 8) * 8);
  const valueStart = 4 + numRuns * 4;
  let pos = 0;
  if (byteWidth === 1) {
    const out = new Uint8Array(buffer, 0, count);
    for (let r = 0; r < numRuns; r++) {
      const len = runLength(bytes, r, pos, count);
      out.fill(bytes[valueStart + r]!, pos, pos + len);
      pos += len;
    }
  } else if (byteWidth === 2) {
    const out = new Uint16Array(buffer, 0, count);
    for (let r = 0; r < numRuns; r++) {
      const len = runLength(bytes, r, pos, count);
      const p = valueStart + 2 * r;
      out.fill(bytes[p]! | (bytes[p + 1]! << 8), pos, pos + len);
      pos += len;
    }
  } else if (byteWidth === 4) {
    const out = new Uint32Array(buffer, 0, count);
    for (let r = 0; r < numRuns; r++) {
      const len = runLength(bytes, r, pos, count);
      out.fill(readU32(bytes, valueStart + 4 * r, 'RLE value'), pos, pos + len);
      pos += len;
    }
  } else {
    const out = new Uint32Array(buffer, 0, count * 2);
    for (let r = 0; r < numRuns; r++) {
      const len = runLength(bytes, r, pos, count);
      const lo = readU32(bytes, valueStart + 8 * r, 'RLE value');
      const hi = readU32(bytes, valueStart + 8 * r + 4, 'RLE value');
      const end = 2 * (pos + len);
      for (let j = 2 * pos; j < end; j += 2) {
        out[j] = lo;
        out[j + 1] = hi;
      }
      pos += len;
    }
  }
  if (pos !== count) throw corruptData('RLE run lengths', `a total of ${count}`, String(pos));
  return new Uint8Array(buffer, 0, count * byteWidth);
}

function runLength(bytes: Uint8Array, r: number, pos: number, count: number): number {
  const len = readU32(bytes, 4 + 4 * r, 'RLE run length');
  if (len === 0 || len > count - pos) throw corruptData(`RLE run ${r} length`, `1..${count - pos}`, String(len));
  return len;
}

function runs8(v: Uint8Array): number {
  const n = v.length;
  if (n === 0) return 0;
  let runs = 1;
  let prev = v[0]!;
  for (let i = 1; i < n; i++) {
    const x = v[i]!;
    if (x !== prev) {
      runs++;
      prev = x;
    }
  }
  return runs;
}

function runs16(v: Uint16Array): number {
  const n = v.length;
  if (n === 0) return 0;
  let runs = 1;
  let prev = v[0]!;
  for (let i = 1; i < n; i++) {
    const x = v[i]!;
    if (x !== prev) {
      runs++;
      prev = x;
    }
  }
  return runs;
}

function runs32(v: Uint32Array): number {
  const n = v.length;
  if (n === 0) return 0;
  let runs = 1;
  let prev = v[0]!;
  for (let i = 1; i < n; i++) {
    const x = v[i]!;
    if (x !== prev) {
      runs++;
      prev = x;
    }
  }
  return runs;
}

function runs64(v: Uint32Array): number {
  const n = v.length >>> 1;
  if (n === 0) return 0;
  let runs = 1;
  let lo = v[0]!;
  let hi = v[1]!;
  for (let i = 1; i < n; i++) {
    const a = v[2 * i]!;
    const b = v[2 * i + 1]!;
    if (a !== lo || b !== hi) {
      runs++;
      lo = a;
      hi = b;
    }
  }
  return runs;
}

function encode8(v: Uint8Array, out: Uint8Array, valueStart: number): void {
  const n = v.length;
  let r = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || v[i] !== v[start]) {
      writeU32(out, 4 + 4 * r, i - start);
      out[valueStart + r] = v[start]!;
      r++;
      start = i;
    }
  }
}

function encode16(v: Uint16Array, out: Uint8Array, valueStart: number): void {
  const n = v.length;
  let r = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || v[i] !== v[start]) {
      writeU32(out, 4 + 4 * r, i - start);
      const x = v[start]!;
      out[valueStart + 2 * r] = x & 0xff;
      out[valueStart + 2 * r + 1] = x >>> 8;
      r++;
      start = i;
    }
  }
}

function encode32(v: Uint32Array, out: Uint8Array, valueStart: number): void {
  const n = v.length;
  let r = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || v[i] !== v[start]) {
      writeU32(out, 4 + 4 * r, i - start);
      writeU32(out, valueStart + 4 * r, v[start]!);
      r++;
      start = i;
    }
  }
}

function encode64(v: Uint32Array, out: Uint8Array, valueStart: number): void {
  const n = v.length >>> 1;
  let r = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || v[2 * i] !== v[2 * start] || v[2 * i + 1] !== v[2 * start + 1]) {
      writeU32(out, 4 + 4 * r, i - start);
      writeU32(out, valueStart + 8 * r, v[2 * start]!);
      writeU32(out, valueStart + 8 * r + 4, v[2 * start + 1]!);
      r++;
      start = i;
    }
  }
}

/**
 * Byte-stream split (BSS): the bytes of fixed-width values regrouped by significance, so that the
 * slowly varying sign/exponent bytes of floats sit together and a general compressor (ZSTD) finds
 * them. The same transform as Parquet's BYTE_STREAM_SPLIT.
 *
 * Byte layout, for `count` values of `byteWidth` bytes (4 for float32, 8 for float64):
 * ```
 * stream 0: byte 0 of value 0, byte 0 of value 1, … byte 0 of value count−1
 * stream 1: byte 1 of every value
 * …
 * stream byteWidth−1
 * ```
 * i.e. `out[k * count + i] = in[i * byteWidth + k]`, `count * byteWidth` bytes, no header.
 *
 * Worked example: float32 `[1.0, 2.0]` (little-endian bytes `00 00 80 3F`, `00 00 00 40`) →
 * ```
 * 00 00 | 00 00 | 80 00 | 3F 40
 * ```
 */
import { InvalidArgumentError } from '@vego/arrow';
import { checkDecodeLimits } from './decode-limits';
import type { DecodeLimits } from './decode-limits';
import { bytesOf, checkInt, need, outBytes } from './internal/bytes';

/**
 * Splits fixed-width values into byte streams.
 * @param values - the values (any TypedArray; e.g. Float32Array with byteWidth 4), or their raw bytes.
 * @param byteWidth - bytes per value (1..16); defaults to `values.BYTES_PER_ELEMENT`.
 * @param out - optional output of at least `values.byteLength` bytes.
 * @returns the split bytes: a view of `out` when given, otherwise a new array (copy).
 * @example
 * ```ts
 * encodeByteStreamSplit(new Float32Array([1, 2])); // 00 00 00 00 80 00 3f 40
 * ```
 */
export function encodeByteStreamSplit(
  values: Float32Array | Float64Array | Uint8Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array,
  byteWidth: number = values.BYTES_PER_ELEMENT,
  out?: Uint8Array,
): Uint8Array {
  checkInt('byteWidth', byteWidth, 1, 16);
  const src = bytesOf(values);
  if (src.length % byteWidth !== 0) {
    throw new InvalidArgumentError(`\`values\` holds ${src.length} bytes, not a multiple of \`byteWidth\` ${byteWidth}`);
  }
  const n = src.length / byteWidth;
  const dst = outBytes(out, src.length, 'out');
  if (byteWidth === 4) split4(src, dst, n);
  else if (byteWidth === 8) split8(src, dst, n);
  else {
    for (let k = 0; k < byteWidth; k++) {
      const base = k * n;
      for (let i = 0, j = k; i < n; i++, j += byteWidth) dst[base + i] = src[j]!;
    }
  }
  return dst.subarray(0, src.length);
}

/**
 * Joins byte streams back into `count` values of `byteWidth` bytes.
 * @param bytes - at least `count * byteWidth` bytes (extra bytes are ignored).
 * @param out - optional output of at least `count * byteWidth` bytes.
 * @param limits - output bounds when `out` is not given (the output is never larger than the input).
 * @returns the value bytes: a view of `out` when given, otherwise a new 8-byte-aligned array (copy) to view as the element type.
 * @throws CorruptDataError when `bytes` is too short or the output exceeds the limits.
 */
export function decodeByteStreamSplit(bytes: Uint8Array, count: number, byteWidth: number, out?: Uint8Array, limits?: DecodeLimits): Uint8Array {
  checkInt('byteWidth', byteWidth, 1, 16);
  checkInt('count', count, 0, 2 ** 32);
  const byteLength = count * byteWidth;
  need(bytes, 0, byteLength, 'byte-stream-split values');
  if (out === undefined) checkDecodeLimits(`${count} byte-stream-split values`, count, byteWidth, limits);
  const dst = out === undefined ? new Uint8Array(new ArrayBuffer(Math.ceil(byteLength / 8) * 8), 0, byteLength) : outBytes(out, byteLength, 'out');
  const n = count;
  if (byteWidth === 4) join4(bytes, dst, n);
  else if (byteWidth === 8) join8(bytes, dst, n);
  else {
    for (let k = 0; k < byteWidth; k++) {
      const base = k * n;
      for (let i = 0, j = k; i < n; i++, j += byteWidth) dst[j] = bytes[base + i]!;
    }
  }
  return dst.subarray(0, byteLength);
}

function split4(src: Uint8Array, dst: Uint8Array, n: number): void {
  const n2 = 2 * n;
  const n3 = 3 * n;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    dst[i] = src[j]!;
    dst[n + i] = src[j + 1]!;
    dst[n2 + i] = src[j + 2]!;
    dst[n3 + i] = src[j + 3]!;
  }
}

function join4(src: Uint8Array, dst: Uint8Array, n: number): void {
  const n2 = 2 * n;
  const n3 = 3 * n;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    dst[j] = src[i]!;
    dst[j + 1] = src[n + i]!;
    dst[j + 2] = src[n2 + i]!;
    dst[j + 3] = src[n3 + i]!;
  }
}

function split8(src: Uint8Array, dst: Uint8Array, n: number): void {
  for (let i = 0, j = 0; i < n; i++, j += 8) {
    dst[i] = src[j]!;
    dst[n + i] = src[j + 1]!;
    dst[2 * n + i] = src[j + 2]!;
    dst[3 * n + i] = src[j + 3]!;
    dst[4 * n + i] = src[j + 4]!;
    dst[5 * n + i] = src[j + 5]!;
    dst[6 * n + i] = src[j + 6]!;
    dst[7 * n + i] = src[j + 7]!;
  }
}

function join8(src: Uint8Array, dst: Uint8Array, n: number): void {
  for (let i = 0, j = 0; i < n; i++, j += 8) {
    dst[j] = src[i]!;
    dst[j + 1] = src[n + i]!;
    dst[j + 2] = src[2 * n + i]!;
    dst[j + 3] = src[3 * n + i]!;
    dst[j + 4] = src[4 * n + i]!;
    dst[j + 5] = src[5 * n + i]!;
    dst[j + 6] = src[6 * n + i]!;
    dst[j + 7] = src[7 * n + i]!;
  }
}

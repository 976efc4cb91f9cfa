/**
 * Bounds-checked byte helpers shared by every decoder. Never exported from the package.
 * Every length read from untrusted bytes goes through {@link need} before it is used to slice or
 * allocate, so a hostile length can never make a decoder allocate more than the input allows.
 */
import { corruptData, InvalidArgumentError } from '@vego/arrow';

/** True when this host stores multi-byte numbers little-endian (every supported engine does). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Throws CorruptDataError unless `byteLength` bytes remain after `byteOffset` in `bytes`. */
export function need(bytes: Uint8Array, byteOffset: number, byteLength: number, where: string): void {
  if (!(byteLength >= 0) || byteOffset + byteLength > bytes.length) {
    throw corruptData(where, `${byteLength} bytes at byte ${byteOffset}`, `${Math.max(0, bytes.length - byteOffset)} remaining`);
  }
}

/** Reads a little-endian u32 after checking that 4 bytes remain. */
export function readU32(bytes: Uint8Array, byteOffset: number, where: string): number {
  need(bytes, byteOffset, 4, where);
  return (bytes[byteOffset]! | (bytes[byteOffset + 1]! << 8) | (bytes[byteOffset + 2]! << 16) | (bytes[byteOffset + 3]! << 24)) >>> 0;
}

/** Writes a little-endian u32. */
export function writeU32(bytes: Uint8Array, byteOffset: number, value: number): void {
  bytes[byteOffset] = value & 0xff;
  bytes[byteOffset + 1] = (value >>> 8) & 0xff;
  bytes[byteOffset + 2] = (value >>> 16) & 0xff;
  bytes[byteOffset + 3] = (value >>> 24) & 0xff;
}

/** Checks that `value` is an integer in [min, max]; the message names the parameter. */
export function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`\`${name}\` must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
}

/** Returns `out` when it is given and large enough, otherwise a new zeroed Uint8Array. */
export function outBytes(out: Uint8Array | undefined, byteLength: number, name: string): Uint8Array {
  if (out === undefined) return new Uint8Array(byteLength);
  if (out.length < byteLength) {
    throw new InvalidArgumentError(`\`${name}\` holds ${out.length} bytes, ${byteLength} needed`);
  }
  return out;
}

/** A Uint8Array view over the bytes of any typed array (view, no copy). */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Uint32 words holding `bytes` (LE), padded with zero words: a view when the bytes are 4-aligned and
 * `bytes.length` is a multiple of 4 and no padding is asked for, otherwise a copy.
 */
export function wordsOf(bytes: Uint8Array, padWords: number): Uint32Array {
  if (padWords === 0 && (bytes.byteOffset & 3) === 0 && (bytes.length & 3) === 0) {
    return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  }
  const words = new Uint32Array(((bytes.length + 3) >>> 2) + padWords);
  new Uint8Array(words.buffer).set(bytes);
  return words;
}

/**
 * Buffer allocation following the Arrow recommendation: every buffer starts at byte 0 of its own
 * ArrayBuffer and its byteLength is a multiple of 64, so SIMD-friendly readers and IPC writers can
 * take it as is. (JavaScript cannot choose the memory address of an ArrayBuffer; engines align
 * backing stores to at least 8 bytes, so "64-byte aligned" here means "offset 0, padded to 64".)
 */
import type { TypedArray, TypedArrayConstructor } from './type';
import { InvalidArgumentError } from './errors';

/** Alignment and padding of allocated buffers, in bytes. */
export const BUFFER_ALIGNMENT = 64;

/** Largest buffer we agree to allocate, in bytes (2 GiB − 64). */
export const MAX_BUFFER_BYTES = 0x7fffffc0;

/** `byteLength` rounded up to a multiple of 64. */
export function paddedByteLength(byteLength: number): number {
  return Math.ceil(byteLength / BUFFER_ALIGNMENT) * BUFFER_ALIGNMENT;
}

/**
 * Allocates a zero-filled typed array of at least `length` elements whose byteLength is a multiple
 * of 64, at byte offset 0 of a fresh ArrayBuffer (copy semantics: new memory).
 * @throws InvalidArgumentError when the size is negative, not an integer or above {@link MAX_BUFFER_BYTES}.
 */
export function allocateAligned<A extends TypedArray>(ArrayType: TypedArrayConstructor<A>, length: number): A {
  const bytes = length * ArrayType.BYTES_PER_ELEMENT;
  if (!Number.isInteger(length) || length < 0 || bytes > MAX_BUFFER_BYTES) {
    throw new InvalidArgumentError(`\`length\` must be an integer in [0, ${MAX_BUFFER_BYTES / ArrayType.BYTES_PER_ELEMENT}], got ${String(length)}`);
  }
  const padded = paddedByteLength(bytes);
  return new ArrayType(new ArrayBuffer(padded), 0, padded / ArrayType.BYTES_PER_ELEMENT);
}

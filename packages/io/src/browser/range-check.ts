/**
 * Browser stand-in for `../internal/range-check` (see `node-only.ts`): the same checks without
 * `node:buffer`, so that the object-store read path (`ObjectSource`, `HttpStore`, `S3Store`) bundles
 * for browsers. The one-read limit is V8's typed-array limit on 64-bit (2^32 bytes, which is also
 * Node 20's `buffer.constants.MAX_LENGTH`); other engines may allow less and fail the allocation.
 */
import { CorruptDataError, InvalidArgumentError, NotSupportedError } from '@vego/format';

/** Longest range one read returns in a browser. */
export const MAX_READ_BYTES: number = 2 ** 32;

/** As the Node module's `checkRange`: offsets and lengths checked before anything is allocated. */
export function checkRange(byteOffset: number, byteLength: number, fileByteLength: number, path: string): void {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw new InvalidArgumentError(`\`byteOffset\` must be a non-negative integer, got ${byteOffset} (reading '${path}')`);
  }
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) {
    throw new InvalidArgumentError(`\`byteLength\` must be a non-negative integer, got ${byteLength} (reading '${path}')`);
  }
  if (byteOffset + byteLength > fileByteLength) {
    throw new CorruptDataError(`read past the end of '${path}': expected ${byteLength} bytes at offset ${byteOffset}, found a file of ${fileByteLength} bytes`);
  }
  if (byteLength > MAX_READ_BYTES) {
    throw new NotSupportedError(`cannot read ${byteLength} bytes at offset ${byteOffset} of '${path}' in one piece: the limit in a browser is ${MAX_READ_BYTES} bytes`);
  }
}

/** As the Node module's `unexpectedEof`. */
export function unexpectedEof(path: string, position: number, missing: number): CorruptDataError {
  return new CorruptDataError(`unexpected end of '${path}' at offset ${position}: ${missing} more bytes expected (was the file truncated while open?)`);
}

/** A byte array of its own (zeroed: browsers have no uninitialised allocation). */
export function allocBytes(byteLength: number): Uint8Array {
  return new Uint8Array(byteLength);
}

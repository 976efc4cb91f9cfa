/**
 * Browser stand-in for `../internal/range-check` (see `node-only.ts`): the same checks without
 * `node:buffer`, so that the object-store read path (`ObjectSource`, `HttpStore`, `S3Store`) bundles
 * for browsers. The one-read limit is V8's typed-array limit on 64-bit (2^32 bytes, which is also
 * Node 20's `buffer.constants.MAX_LENGTH`); other engines may allow less and fail the allocation.
 */
import { checkRangeWithin, unexpectedEof } from '../internal/range-bounds';

/** Longest range one read returns in a browser. */
export const MAX_READ_BYTES: number = 2 ** 32;

/** As the Node module's `checkRange`: offsets and lengths checked before anything is allocated. */
export function checkRange(byteOffset: number, byteLength: number, fileByteLength: number, path: string): void {
  checkRangeWithin(byteOffset, byteLength, fileByteLength, path, MAX_READ_BYTES, `the limit in a browser is ${MAX_READ_BYTES} bytes`);
}

export { unexpectedEof };

/** A byte array of its own (zeroed: browsers have no uninitialised allocation). */
export function allocBytes(byteLength: number): Uint8Array {
  return new Uint8Array(byteLength);
}

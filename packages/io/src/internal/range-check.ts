/** Argument and bounds checks shared by the file sources. */
import { constants as bufferConstants } from 'node:buffer';
import { checkRangeWithin, unexpectedEof } from './range-bounds';

/** Longest range one read returns: the largest buffer Node can allocate (4 GiB on 64-bit Node 20). */
export const MAX_READ_BYTES: number = bufferConstants.MAX_LENGTH;

const NODE_LIMIT_TEXT = `the limit is ${MAX_READ_BYTES} bytes (the largest buffer Node can allocate, buffer.constants.MAX_LENGTH)`;

/**
 * Checks a requested byte range against the file length.
 * @throws InvalidArgumentError for a negative or non-integer offset or length.
 * @throws CorruptDataError when the range runs past the end of the file: offsets come from file
 *   metadata, so a range beyond the end means the metadata and the file disagree.
 * @throws NotSupportedError for a range inside the file but longer than {@link MAX_READ_BYTES}
 *   (one buffer cannot hold it), before anything is allocated.
 */
export function checkRange(byteOffset: number, byteLength: number, fileByteLength: number, path: string): void {
  checkRangeWithin(byteOffset, byteLength, fileByteLength, path, MAX_READ_BYTES, NODE_LIMIT_TEXT);
}

export { unexpectedEof };

/** An uninitialised byte array of its own (not from Node's shared pool), as a plain Uint8Array. */
export function allocBytes(byteLength: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(byteLength);
  return new Uint8Array(b.buffer, b.byteOffset, byteLength);
}

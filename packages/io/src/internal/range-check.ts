/** Argument and bounds checks shared by the file sources. */
import { constants as bufferConstants } from 'node:buffer';
import { CorruptDataError, InvalidArgumentError, NotSupportedError } from '@vego/format';

/** Longest range one read returns: the largest buffer Node can allocate (4 GiB on 64-bit Node 20). */
export const MAX_READ_BYTES: number = bufferConstants.MAX_LENGTH;

/**
 * Checks a requested byte range against the file length.
 * @throws InvalidArgumentError for a negative or non-integer offset or length.
 * @throws CorruptDataError when the range runs past the end of the file: offsets come from file
 *   metadata, so a range beyond the end means the metadata and the file disagree.
 * @throws NotSupportedError for a range inside the file but longer than {@link MAX_READ_BYTES}
 *   (one buffer cannot hold it), before anything is allocated.
 */
export function checkRange(byteOffset: number, byteLength: number, fileByteLength: number, path: string): void {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) {
    throw new InvalidArgumentError(`\`byteOffset\` must be a non-negative integer, got ${byteOffset} (reading '${path}')`);
  }
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) {
    throw new InvalidArgumentError(`\`byteLength\` must be a non-negative integer, got ${byteLength} (reading '${path}')`);
  }
  if (byteOffset + byteLength > fileByteLength) {
    throw new CorruptDataError(
      `read past the end of '${path}': expected ${byteLength} bytes at offset ${byteOffset}, found a file of ${fileByteLength} bytes`,
    );
  }
  if (byteLength > MAX_READ_BYTES) {
    throw new NotSupportedError(
      `cannot read ${byteLength} bytes at offset ${byteOffset} of '${path}' in one piece: the limit is ${MAX_READ_BYTES} bytes (the largest buffer Node can allocate, buffer.constants.MAX_LENGTH)`,
    );
  }
}

/** The error raised when the file ends before a read is satisfied (it shrank after opening). */
export function unexpectedEof(path: string, position: number, missing: number): CorruptDataError {
  return new CorruptDataError(
    `unexpected end of '${path}' at offset ${position}: ${missing} more bytes expected (was the file truncated while open?)`,
  );
}

/** An uninitialised byte array of its own (not from Node's shared pool), as a plain Uint8Array. */
export function allocBytes(byteLength: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(byteLength);
  return new Uint8Array(b.buffer, b.byteOffset, byteLength);
}

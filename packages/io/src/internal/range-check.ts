/** Argument and bounds checks shared by the file sources. */
import { CorruptDataError, InvalidArgumentError } from '@vego/format';

/**
 * Checks a requested byte range against the file length.
 * @throws InvalidArgumentError for a negative or non-integer offset or length.
 * @throws CorruptDataError when the range runs past the end of the file: offsets come from file
 *   metadata, so a range beyond the end means the metadata and the file disagree.
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

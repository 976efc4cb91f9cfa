/**
 * The byte-range checks every source makes before it allocates, written once for Node and the
 * browser build: the two `range-check` modules differ only in the one-read limit and how they
 * allocate, so they pass their limit (and the words that explain it) in here.
 */
import { CorruptDataError, InvalidArgumentError, NotSupportedError } from '@vego/format';

/**
 * Checks a requested byte range against the file length and a one-read limit.
 * @param limitText how an error names the limit (e.g. `the limit is 4294967296 bytes (…)`).
 * @throws InvalidArgumentError for a negative or non-integer offset or length.
 * @throws CorruptDataError when the range runs past the end of the file.
 * @throws NotSupportedError for a range longer than `maxReadBytes`, before anything is allocated.
 */
export function checkRangeWithin(
  byteOffset: number,
  byteLength: number,
  fileByteLength: number,
  path: string,
  maxReadBytes: number,
  limitText: string,
): void {
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
  if (byteLength > maxReadBytes) {
    throw new NotSupportedError(`cannot read ${byteLength} bytes at offset ${byteOffset} of '${path}' in one piece: ${limitText}`);
  }
}

/** The error raised when the file ends before a read is satisfied (it shrank after opening). */
export function unexpectedEof(path: string, position: number, missing: number): CorruptDataError {
  return new CorruptDataError(
    `unexpected end of '${path}' at offset ${position}: ${missing} more bytes expected (was the file truncated while open?)`,
  );
}

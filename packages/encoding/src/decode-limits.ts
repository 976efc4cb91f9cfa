/**
 * Output bounds for every decoder: how much a decoder may allocate for one call, before it allocates.
 *
 * Every decoder in @vego/encoding (and every page decoder in @vego/format) first checks that its input
 * can hold what its header claims (a bit-packed stream of width W holds at most `8 * bytes / W` values,
 * RLE's run lengths must sum to the count, a ZSTD frame declares its content size, …). Some inputs can
 * claim an output with almost no bytes: bit width 0, a constant, one RLE run of 2^32 values, a ZSTD
 * frame of RLE blocks. For those the caller's limit is what stops a hostile header:
 *
 * - per call: `{ maxValues, maxOutputBytes }` ({@link DecodeLimits}) on the decoder's options;
 * - otherwise the module-level default, {@link DEFAULT_MAX_OUTPUT_BYTES} (256 MiB) per decoded buffer,
 *   which {@link setDefaultDecodeLimits} changes for the whole process (e.g. a server that reads
 *   trusted multi-GiB pages raises it; a sandbox that reads untrusted files lowers it).
 *
 * A claim over the limit is refused with CorruptDataError (the data asks for more than the reader
 * allows) before anything is allocated; a malformed limit is an InvalidArgumentError.
 */
import { CorruptDataError, InvalidArgumentError } from '@vego/arrow';

/** Caller-set bounds on one decode call's output. Both apply when both are given. */
export interface DecodeLimits {
  /** Most values (elements) the call may produce. */
  readonly maxValues?: number;
  /** Most bytes the call may allocate for its output. Defaults to {@link getDefaultDecodeLimits}. */
  readonly maxOutputBytes?: number;
}

/** The module-level default output bound per decoded buffer: 256 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Largest limit that can be set: 2^53 − 1 (the largest exact integer). */
const MAX_LIMIT = Number.MAX_SAFE_INTEGER;

let defaultMaxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_LIMIT) {
    throw new InvalidArgumentError(`\`${name}\` must be an integer in [0, 2^53 - 1], got ${String(value)}`);
  }
}

/**
 * Sets the process-wide default output bound used when a decode call passes no `maxOutputBytes`.
 * @param limits - `maxOutputBytes` (bytes, a non-negative integer); `maxValues` is per call only.
 * @throws InvalidArgumentError on a negative, fractional or absurd limit, or a `maxValues` here.
 * @example
 * ```ts
 * setDefaultDecodeLimits({ maxOutputBytes: 2 ** 31 }); // trusted data, pages of up to 2 GiB
 * ```
 */
export function setDefaultDecodeLimits(limits: { readonly maxOutputBytes: number }): void {
  if (typeof limits !== 'object' || limits === null) throw new InvalidArgumentError('`limits` must be an object');
  if ((limits as DecodeLimits).maxValues !== undefined) {
    throw new InvalidArgumentError('`maxValues` is a per-call limit; the default bound is `maxOutputBytes`');
  }
  checkLimit('maxOutputBytes', limits.maxOutputBytes);
  defaultMaxOutputBytes = limits.maxOutputBytes;
}

/** The current process-wide default bounds (a copy). */
export function getDefaultDecodeLimits(): { readonly maxOutputBytes: number } {
  return { maxOutputBytes: defaultMaxOutputBytes };
}

/**
 * Throws unless `numValues` values of `bytesPerValue` bytes fit the limits (call before allocating).
 * @param where - what is being decoded, for the message.
 * @param numValues - values the input claims.
 * @param bytesPerValue - output bytes per value (fractions allowed: 1/8 for bits).
 * @param limits - the caller's limits; missing fields fall back to the module default.
 * @throws CorruptDataError when the claim exceeds a limit; InvalidArgumentError on a malformed limit.
 */
export function checkDecodeLimits(where: string, numValues: number, bytesPerValue: number, limits?: DecodeLimits): void {
  let maxBytes = defaultMaxOutputBytes;
  if (limits !== undefined) {
    if (typeof limits !== 'object' || limits === null) throw new InvalidArgumentError('`limits` must be an object');
    if (limits.maxValues !== undefined) {
      checkLimit('maxValues', limits.maxValues);
      if (numValues > limits.maxValues) {
        throw new CorruptDataError(`${where}: claims ${numValues} values, more than the caller's limit \`maxValues\` = ${limits.maxValues}`);
      }
    }
    if (limits.maxOutputBytes !== undefined) {
      checkLimit('maxOutputBytes', limits.maxOutputBytes);
      maxBytes = limits.maxOutputBytes;
    }
  }
  const bytes = Math.ceil(numValues * bytesPerValue);
  if (bytes > maxBytes) {
    const source = limits?.maxOutputBytes !== undefined ? 'the caller\'s limit `maxOutputBytes`' : 'the default limit (setDefaultDecodeLimits)';
    throw new CorruptDataError(`${where}: claims ${numValues} values = ${bytes} bytes of output, more than ${source} of ${maxBytes} bytes`);
  }
}

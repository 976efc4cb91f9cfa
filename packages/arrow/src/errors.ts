/**
 * The one error family of every @vego package. Each error carries a stable string `code` that
 * programs can switch on; messages are for people and may change. Errors are recognised across
 * copies of the library through a registered symbol, not `instanceof`, because two bundled copies
 * of @vego/arrow would otherwise disagree about their own classes.
 */

const VEGO_ERROR = Symbol.for('@vego/error');

/** Stable error codes. Add new ones; never rename or reuse one. */
export const ErrorCode = {
  INVALID_ARGUMENT: 'VEGO_INVALID_ARGUMENT',
  LENGTH_MISMATCH: 'VEGO_LENGTH_MISMATCH',
  TYPE_MISMATCH: 'VEGO_TYPE_MISMATCH',
  OUT_OF_RANGE: 'VEGO_OUT_OF_RANGE',
  CORRUPT_DATA: 'VEGO_CORRUPT_DATA',
  UNSUPPORTED_VERSION: 'VEGO_UNSUPPORTED_VERSION',
  NOT_SUPPORTED: 'VEGO_NOT_SUPPORTED',
  IO: 'VEGO_IO',
  NOT_FOUND: 'VEGO_NOT_FOUND',
  CONFLICT: 'VEGO_CONFLICT',
  RESOURCE_EXHAUSTED: 'VEGO_RESOURCE_EXHAUSTED',
  INTERNAL: 'VEGO_INTERNAL',
} as const;

/** One of the values of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options every Vego error accepts. */
export interface VegoErrorOptions {
  /** The underlying error, kept as `error.cause`. */
  cause?: unknown;
}

/**
 * Base class of every error thrown by a `@vego` package.
 * @example
 * ```ts
 * try { batch.column('nope'); } catch (e) { if (isVegoError(e)) console.log(e.code); }
 * ```
 */
export class VegoError extends Error {
  /** Stable machine-readable code, one of {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: VegoErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, VEGO_ERROR, { value: true, enumerable: false });
  }
}

/** True for any error thrown by any copy of a `@vego` package. */
export function isVegoError(value: unknown): value is VegoError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[VEGO_ERROR] === true;
}

/** A caller passed a value that cannot be used; the message names the parameter in backticks. */
export class InvalidArgumentError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.INVALID_ARGUMENT, message, options);
  }
}

/** Two lengths that must agree do not (columns of a batch, values and offsets, dimensions). */
export class LengthMismatchError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.LENGTH_MISMATCH, message, options);
  }
}

/** A value or array has a different data type than the one required. */
export class TypeMismatchError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.TYPE_MISMATCH, message, options);
  }
}

/** An index or range lies outside the valid bounds. */
export class OutOfRangeError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.OUT_OF_RANGE, message, options);
  }
}

/** Bytes that do not decode: bad magic, length, offset or checksum. Says expected vs found, and where. */
export class CorruptDataError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.CORRUPT_DATA, message, options);
  }
}

/**
 * The one builder of CorruptDataError messages for readers and decoders, in two forms:
 * `corruptData(where, detail)` gives `<where>: <detail>`; `corruptData(where, expected, found, at?)` gives
 * `<where>: expected <expected>, found <found>` and, with `at`, ` at byte <at>`.
 * @example
 * ```ts
 * throw corruptData('deletion file 3.arrow', 'magic ARROW1', 'ARROW2', 0); // "...: expected magic ARROW1, found ARROW2 at byte 0"
 * ```
 */
export function corruptData(where: string, detail: string): CorruptDataError;
export function corruptData(where: string, expected: string, found: unknown, at?: number): CorruptDataError;
export function corruptData(where: string, expectedOrDetail: string, ...rest: unknown[]): CorruptDataError {
  if (rest.length === 0) return new CorruptDataError(`${where}: ${expectedOrDetail}`);
  const at = rest[1];
  return new CorruptDataError(`${where}: expected ${expectedOrDetail}, found ${String(rest[0])}${at === undefined ? '' : ` at byte ${at}`}`);
}

/** A file or structure declares a format version this build cannot read. */
export class UnsupportedVersionError extends VegoError {
  readonly major: number;
  readonly minor: number;
  constructor(message: string, major: number, minor: number, options?: VegoErrorOptions) {
    super(ErrorCode.UNSUPPORTED_VERSION, message, options);
    this.major = major;
    this.minor = minor;
  }
}

/** A valid request for something this build does not implement (yet). */
export class NotSupportedError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.NOT_SUPPORTED, message, options);
  }
}

/** A file-system operation failed; carries the path. */
export class IoError extends VegoError {
  readonly path: string;
  constructor(message: string, path: string, options?: VegoErrorOptions) {
    super(ErrorCode.IO, message, options);
    this.path = path;
  }
}

/** Something looked up by name, id or version does not exist. */
export class NotFoundError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.NOT_FOUND, message, options);
  }
}

/** A concurrent writer won the race (for example both committed the same dataset version). */
export class ConflictError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.CONFLICT, message, options);
  }
}

/**
 * A valid request that needs more memory than a hard limit allows or than could be had (for example
 * the 4 GiB of a WebAssembly memory, or an allocation the runtime refused); says what was needed and the limit.
 */
export class ResourceExhaustedError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.RESOURCE_EXHAUSTED, message, options);
  }
}

/** A broken invariant inside Vego itself: a bug to report. */
export class InternalError extends VegoError {
  constructor(message: string, options?: VegoErrorOptions) {
    super(ErrorCode.INTERNAL, message, options);
  }
}

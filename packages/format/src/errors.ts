/**
 * The error family alone (`@vego/format/errors`), passed on by name from `@vego/encoding/errors`: for code
 * that needs only the error classes, such as a worker thread of @vego/hnsw, without loading the
 * whole package (its face, `src/index.ts`, exports the same classes).
 */
export {
  ErrorCode,
  VegoError,
  isVegoError,
  InvalidArgumentError,
  LengthMismatchError,
  TypeMismatchError,
  OutOfRangeError,
  CorruptDataError,
  corruptData,
  UnsupportedVersionError,
  NotSupportedError,
  IoError,
  NotFoundError,
  ConflictError,
  ResourceExhaustedError,
  InternalError,
} from '@vego/encoding/errors';
export type { VegoErrorOptions } from '@vego/encoding/errors';

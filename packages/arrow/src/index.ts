/**
 * @vego/arrow: Arrow-layout columnar memory in pure TypeScript.
 * @packageDocumentation
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
  UnsupportedVersionError,
  NotSupportedError,
  IoError,
  NotFoundError,
  ConflictError,
  InternalError,
} from './errors';
export type { VegoErrorOptions } from './errors';

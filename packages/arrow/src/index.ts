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
  corruptData,
  UnsupportedVersionError,
  NotSupportedError,
  IoError,
  NotFoundError,
  ConflictError,
  ResourceExhaustedError,
  InternalError,
} from './errors';
export type { VegoErrorOptions } from './errors';

export {
  TypeId,
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Float16,
  Float32,
  Float64,
  Utf8,
  Binary,
  FixedSizeList,
  List,
  Struct,
  Field,
  Schema,
  isNumeric,
  isFixedWidth,
  isDataType,
  isTemporal,
  isPrimitive,
  isFixedBinary,
  isVariableBinary,
} from './type';
export type { DataType, NumericType, PrimitiveType, FixedWidthType, TypedArray, TypedArrayConstructor } from './type';
export type { TypeLike } from './type-id';
export { Date32, Date64, Timestamp, Time32, Time64, Duration } from './temporal-types';
export type { TimeUnit, TemporalType, Temporal32Type, Temporal64Type } from './temporal-types';
export { FixedSizeBinary, Decimal128, Decimal256, LargeUtf8, LargeBinary, decimalToString } from './binary-types';
export type { FixedBinaryType } from './binary-types';
export { Dictionary } from './type';
export type { DictionaryIndexType } from './type';

export { ArrayData, makeData, checkData } from './data';
export type { DataInit } from './data';

export { bitmapByteLength, getBit, setBit, countSetBits, copyBits } from './bitmap';
export { BUFFER_ALIGNMENT, MAX_BUFFER_BYTES, paddedByteLength, allocateAligned } from './buffer';

export {
  Vector,
  BoolVector,
  Int8Vector,
  Int16Vector,
  Int32Vector,
  Int64Vector,
  Uint8Vector,
  Uint16Vector,
  Uint32Vector,
  Uint64Vector,
  Float16Vector,
  Float32Vector,
  Float64Vector,
  Utf8Vector,
  BinaryVector,
  FixedSizeListVector,
  ListVector,
  StructVector,
  Temporal32Vector,
  Temporal64Vector,
  FixedSizeBinaryVector,
  DecimalVector,
  LargeUtf8Vector,
  LargeBinaryVector,
  DictionaryVector,
  makeVector,
} from './vector';
export type { VectorOf, ArrayOf, ListItem } from './vector';

export { vectorFromTypedArray, fixedSizeListFromFloat32, utf8FromStrings, vectorFrom, typeForTypedArray } from './vector-from';
export type { VectorForArray } from './vector-from';

export { Builder } from './builder/builder';
export type { BuilderOptions } from './builder/builder';
export { NumberBuilder, BigIntBuilder, Float16Builder } from './builder/primitive-builder';
export type { NumberType, BigIntType } from './builder/primitive-builder';
export { BoolBuilder } from './builder/bool-builder';
export { Utf8Builder, BinaryBuilder, FixedSizeBinaryBuilder, DecimalBuilder } from './builder/binary-builder';
export { DictionaryBuilder } from './builder/dictionary-builder';
export { ListBuilder, FixedSizeListBuilder, StructBuilder } from './builder/nested-builder';
export { makeBuilder } from './builder/make-builder';
export type { BuilderOf } from './builder/make-builder';

export { RecordBatch } from './record-batch';
export { Table } from './table';

/**
 * Take (gather) rows by index for every type: `takeData`, `takeVector`, `takeBatch` (copy, or a
 * zero-copy slice for one contiguous ascending run).
 * @example
 * ```ts
 * takeVector(utf8FromStrings(['a', 'b', null]), [2, 0, 0]).toArray(); // [null, 'a', 'a']
 * ```
 */
export { takeData, takeVector, takeBatch } from './take';
export type { TakeIndices } from './take';

/** Joining arrays of one type (copy) and all-null arrays of any type. */
export { concatData, makeNullData } from './concat';

export { float16ToNumber, numberToFloat16 } from './internal/float16';

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
} from './type';
export type { DataType, NumericType, FixedWidthType, TypedArray, TypedArrayConstructor } from './type';

export { ArrayData, makeData } from './data';
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
  makeVector,
} from './vector';
export type { VectorOf, ArrayOf, ListItem } from './vector';

export { vectorFromTypedArray, fixedSizeListFromFloat32, utf8FromStrings, vectorFrom, typeForTypedArray } from './vector-from';
export type { VectorForArray } from './vector-from';

export { Builder } from './builder/builder';
export type { BuilderOptions } from './builder/builder';
export { NumberBuilder, BigIntBuilder, Float16Builder } from './builder/primitive-builder';
export type { NumberType } from './builder/primitive-builder';
export { BoolBuilder } from './builder/bool-builder';
export { Utf8Builder, BinaryBuilder } from './builder/binary-builder';
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

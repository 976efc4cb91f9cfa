/**
 * The numeric type ids and the TypedArray shapes every data type refers to. Kept apart from the type
 * classes so that the type modules (type.ts, temporal-types.ts, binary-types.ts) all depend on this one
 * file and never on each other.
 */
/** Numeric identifiers of the supported types. Stable: never renumber. */
export const TypeId = {
  Bool: 1,
  Int8: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  Uint8: 6,
  Uint16: 7,
  Uint32: 8,
  Uint64: 9,
  Float16: 10,
  Float32: 11,
  Float64: 12,
  Utf8: 13,
  Binary: 14,
  FixedSizeList: 15,
  List: 16,
  Struct: 17,
  Date32: 18,
  Date64: 19,
  Timestamp: 20,
  Time32: 21,
  Time64: 22,
  Duration: 23,
  Decimal128: 24,
  Decimal256: 25,
  FixedSizeBinary: 26,
  LargeUtf8: 27,
  LargeBinary: 28,
  Dictionary: 29,
} as const;

/** One of the values of {@link TypeId}. */
export type TypeId = (typeof TypeId)[keyof typeof TypeId];

/** Every TypedArray that can hold Arrow fixed-width values. */
export type TypedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** A TypedArray constructor, as exposed by `type.ArrayType`. */
export interface TypedArrayConstructor<A extends TypedArray = TypedArray> {
  new (length: number): A;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): A;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/**
 * The least a type's `equals` needs of the other side: its type id. Once the ids match, the other side
 * is known to be the same class and its fields are compared.
 */
export interface TypeLike {
  readonly typeId: number;
}

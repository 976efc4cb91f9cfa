/** Vectors straight from existing TypedArrays (no copy) or from JS values (copy, via builders). */
import { InvalidArgumentError, LengthMismatchError } from './errors';
import { makeData } from './data';
import {
  Field, FixedSizeList, Float32, Float64, Int16, Int32, Int64, Int8, Uint16, Uint32, Uint64, Uint8, Utf8,
} from './type';
import type { DataType, NumericType, TypedArray } from './type';
import { makeVector } from './vector';
import type {
  FixedSizeListVector, Float32Vector, Float64Vector, Int16Vector, Int32Vector, Int64Vector, Int8Vector,
  Uint16Vector, Uint32Vector, Uint64Vector, Uint8Vector, Utf8Vector, VectorOf,
} from './vector';
import { makeBuilder } from './builder/make-builder';

/** The vector class {@link vectorFromTypedArray} returns for a TypedArray class. */
export type VectorForArray<A extends TypedArray> =
  A extends Float32Array ? Float32Vector
  : A extends Float64Array ? Float64Vector
  : A extends Int8Array ? Int8Vector
  : A extends Int16Array ? Int16Vector
  : A extends Int32Array ? Int32Vector
  : A extends BigInt64Array ? Int64Vector
  : A extends Uint8Array ? Uint8Vector
  : A extends Uint16Array ? Uint16Vector
  : A extends Uint32Array ? Uint32Vector
  : A extends BigUint64Array ? Uint64Vector
  : never;

/**
 * The Arrow type stored in a TypedArray class (`Uint16Array` gives Uint16; use Float16 explicitly with makeData).
 * @throws InvalidArgumentError for anything else.
 */
export function typeForTypedArray(values: ArrayBufferView): NumericType {
  const tag = ArrayBuffer.isView(values) ? (values as unknown as Record<symbol, string | undefined>)[Symbol.toStringTag] : undefined;
  switch (tag) {
    case 'Int8Array': return new Int8();
    case 'Int16Array': return new Int16();
    case 'Int32Array': return new Int32();
    case 'BigInt64Array': return new Int64();
    case 'Uint8Array': return new Uint8();
    case 'Uint16Array': return new Uint16();
    case 'Uint32Array': return new Uint32();
    case 'BigUint64Array': return new Uint64();
    case 'Float32Array': return new Float32();
    case 'Float64Array': return new Float64();
    default: throw new InvalidArgumentError(`\`values\` must be an integer or float TypedArray, got ${tag ?? typeof values}`);
  }
}

/**
 * Wraps a TypedArray as a vector without copying: `vector.values === values`.
 * @param values The values (the element type picks the Arrow type).
 * @param validity Optional LSB-first validity bitmap (used as is, no copy).
 * @throws InvalidArgumentError for a non-numeric TypedArray or a too-short bitmap.
 * @example
 * ```ts
 * const v = vectorFromTypedArray(new Float32Array([1, 2, 3])); // Float32Vector, shares memory
 * ```
 */
export function vectorFromTypedArray<A extends TypedArray>(values: A, validity?: Uint8Array | null): VectorForArray<A> {
  const type = typeForTypedArray(values);
  return makeVector(makeData({ type, length: values.length, values, validity })) as unknown as VectorForArray<A>;
}

/**
 * Wraps a flat Float32Array of `n * dimension` floats as a FixedSizeList<Float32>[dimension] vector of
 * `n` embeddings without copying (the item field is `item: Float32`, nullable).
 * @throws InvalidArgumentError when `dimension` is not a positive integer; LengthMismatchError when
 * `values.length` is not a multiple of `dimension`.
 * @example
 * ```ts
 * const vectors = fixedSizeListFromFloat32(new Float32Array(4 * 128), 128); // 4 rows
 * vectors.get(0); // Float32Array(128), a view
 * ```
 */
export function fixedSizeListFromFloat32(values: Float32Array, dimension: number, validity?: Uint8Array | null): FixedSizeListVector<Float32> {
  if (!(values instanceof Float32Array)) throw new InvalidArgumentError('`values` must be a Float32Array');
  if (!Number.isInteger(dimension) || dimension <= 0) {
    throw new InvalidArgumentError(`\`dimension\` must be a positive integer, got ${String(dimension)}`);
  }
  if (values.length % dimension !== 0) {
    throw new LengthMismatchError(`\`values\` has ${values.length} floats, not a multiple of dimension ${dimension}`);
  }
  const type = new FixedSizeList(new Field('item', new Float32()), dimension);
  const child = makeData({ type: type.child.type, length: values.length, values });
  return makeVector(makeData({ type, length: values.length / dimension, validity, children: [child] }));
}

/**
 * Encodes strings into a Utf8 vector (copy: strings are encoded to UTF-8 bytes).
 * @example
 * ```ts
 * utf8FromStrings(['a', null, 'ß']).get(2); // 'ß'
 * ```
 */
export function utf8FromStrings(strings: readonly (string | null | undefined)[]): Utf8Vector {
  if (!Array.isArray(strings)) throw new InvalidArgumentError('`strings` must be an array');
  return makeBuilder(new Utf8(), { initialCapacity: strings.length }).appendMany(strings).finish();
}

/**
 * Builds a vector of `type` from JS values (copy, via {@link makeBuilder}); nulls and undefined become nulls.
 * @example
 * ```ts
 * vectorFrom(new List(new Field('item', new Int32())), [[1, 2], null, []]);
 * ```
 */
export function vectorFrom<T extends DataType>(type: T, values: ArrayLike<unknown> | Iterable<unknown>): VectorOf<T> {
  const b = makeBuilder(type) as unknown as { appendMany(v: unknown): unknown; finish(): VectorOf<T> };
  b.appendMany(values);
  return b.finish();
}

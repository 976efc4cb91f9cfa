/**
 * Builder base: length, null count and a validity bitmap that is only allocated once the first null
 * arrives (so arrays without nulls have no bitmap). Buffers grow by doubling and are always a multiple
 * of 64 bytes at offset 0 of their own ArrayBuffer.
 */
import { InvalidArgumentError, OutOfRangeError } from '../errors';
import { bitmapByteLength } from '../bitmap';
import { MAX_BUFFER_BYTES, paddedByteLength } from '../buffer';
import type { ArrayData } from '../data';
import type { DataType, TypedArray, TypedArrayConstructor } from '../type';
import { makeVector } from '../vector';
import type { VectorOf } from '../vector';

/** Options of {@link makeBuilder}. */
export interface BuilderOptions {
  /** Whether `appendNull` is allowed (default true). */
  nullable?: boolean | undefined;
  /** Elements to reserve room for up front (default 0: grow on demand). */
  initialCapacity?: number | undefined;
}

/** Grows `array` (copy into a new buffer) so it holds at least `minLength` elements; doubles. @internal */
export function grow<A extends TypedArray>(array: A, minLength: number): A {
  const Ctor = array.constructor as TypedArrayConstructor<A>;
  const bpe = Ctor.BYTES_PER_ELEMENT;
  if (minLength * bpe > MAX_BUFFER_BYTES) {
    throw new OutOfRangeError(`builder buffer would exceed ${MAX_BUFFER_BYTES} bytes (${minLength} elements of ${bpe} bytes)`);
  }
  let bytes = Math.max(array.byteLength * 2, 64);
  while (bytes < minLength * bpe) bytes *= 2;
  bytes = Math.min(paddedByteLength(bytes), MAX_BUFFER_BYTES);
  const next = new Ctor(new ArrayBuffer(bytes), 0, bytes / bpe);
  next.set(array as never);
  return next;
}

/** A view of the first `length` elements of `array` padded up to a multiple of 64 bytes (view). @internal */
export function paddedView<A extends TypedArray>(array: A, length: number): A {
  const bpe = (array.constructor as TypedArrayConstructor<A>).BYTES_PER_ELEMENT;
  const padded = paddedByteLength(length * bpe) / bpe;
  return array.subarray(0, padded) as A;
}

/** Creates an empty array of `ArrayType` with room for `capacity` elements (64-byte padded). @internal */
export function allocate<A extends TypedArray>(ArrayType: TypedArrayConstructor<A>, capacity: number): A {
  const bytes = paddedByteLength(Math.max(capacity, 0) * ArrayType.BYTES_PER_ELEMENT);
  return new ArrayType(new ArrayBuffer(bytes), 0, bytes / ArrayType.BYTES_PER_ELEMENT);
}

/**
 * Base class of all builders: `append`, `appendNull`, `appendMany`, `finish`.
 * @typeParam V the value `append` accepts.
 */
export abstract class Builder<T extends DataType = DataType, V = unknown> {
  /** The type being built. */
  readonly type: T;
  /** Whether nulls are allowed. */
  readonly nullable: boolean;
  protected _length = 0;
  protected _nullCount = 0;
  protected _validity: Uint8Array | null = null;

  constructor(type: T, options: BuilderOptions = {}) {
    this.type = type;
    this.nullable = options.nullable ?? true;
  }

  /** Elements appended so far. */
  get length(): number {
    return this._length;
  }

  /** Nulls appended so far. */
  get nullCount(): number {
    return this._nullCount;
  }

  /**
   * Appends one value (`null`/`undefined` append a null).
   * @throws TypeMismatchError or OutOfRangeError when the value does not fit the type;
   * InvalidArgumentError for a null in a non-nullable builder.
   */
  append(value: V | null | undefined): this {
    if (value === null || value === undefined) return this.appendNull();
    const i = this._length;
    this.write(value);
    const v = this._validity;
    if (v !== null) {
      if ((i >> 3) >= v.length) this.growValidity(i + 1);
      this._validity![i >> 3]! |= 1 << (i & 7);
    }
    this._length = i + 1;
    return this;
  }

  /** Appends a null. @throws InvalidArgumentError when the builder is not nullable. */
  appendNull(): this {
    if (!this.nullable) throw new InvalidArgumentError(`cannot append a null to a non-nullable ${this.type.toString()} builder`);
    const i = this._length;
    this.growValidity(i + 1);
    this.writePlaceholder();
    this._nullCount++;
    this._length = i + 1;
    return this;
  }

  /**
   * Appends a valid placeholder (zero, empty string, empty list): used for child slots under a null
   * parent (struct or fixed-size list), where Arrow still requires the slot to exist.
   */
  appendPlaceholder(): this {
    const i = this._length;
    this.writePlaceholder();
    const v = this._validity;
    if (v !== null) {
      if ((i >> 3) >= v.length) this.growValidity(i + 1);
      this._validity![i >> 3]! |= 1 << (i & 7);
    }
    this._length = i + 1;
    return this;
  }

  /** Appends every value of `values` in order (subclasses take TypedArrays in bulk). */
  appendMany(values: ArrayLike<V | null | undefined> | Iterable<V | null | undefined>): this {
    if (typeof (values as ArrayLike<V>).length === 'number') {
      const a = values as ArrayLike<V | null | undefined>;
      for (let k = 0; k < a.length; k++) this.append(a[k]);
    } else if (values != null && typeof (values as Iterable<V>)[Symbol.iterator] === 'function') {
      for (const x of values as Iterable<V | null | undefined>) this.append(x);
    } else {
      throw new InvalidArgumentError('`values` must be array-like or iterable');
    }
    return this;
  }

  /** Finishes the array as a vector and resets the builder (the vector owns the buffers). */
  finish(): VectorOf<T> {
    return makeVector(this.finishData());
  }

  /** Finishes the array as ArrayData and resets the builder. */
  finishData(): ArrayData<T> {
    const length = this._length;
    const validity = this._nullCount === 0 || this._validity === null ? null : paddedView(this._validity, bitmapByteLength(length));
    const data = this.finishBuffers(validity);
    this._length = 0;
    this._nullCount = 0;
    this._validity = null;
    return data;
  }

  /** Writes `value` at index `this._length` (the base class bumps the length and validity). */
  protected abstract write(value: V): void;
  /** Writes a zero/empty value at index `this._length`. */
  protected abstract writePlaceholder(): void;
  /** Builds the ArrayData from the buffers and resets them. */
  protected abstract finishBuffers(validity: Uint8Array | null): ArrayData<T>;

  /** Makes sure the validity bitmap exists and holds `numBits` bits; the first allocation marks earlier slots valid. */
  protected growValidity(numBits: number): void {
    const need = bitmapByteLength(numBits);
    const v = this._validity;
    if (v === null) {
      const bitmap = grow(new Uint8Array(0), need);
      const n = this._length;
      bitmap.fill(0xff, 0, n >> 3);
      for (let k = n & ~7; k < n; k++) bitmap[k >> 3]! |= 1 << (k & 7);
      this._validity = bitmap;
    } else if (v.length < need) {
      this._validity = grow(v, need);
    }
  }

  /** Marks `[begin, end)` valid when a bitmap exists (after bulk appends). */
  protected markValid(begin: number, end: number): void {
    if (this._validity === null) return;
    this.growValidity(end);
    const bitmap = this._validity!;
    for (let k = begin; k < end; k++) bitmap[k >> 3]! |= 1 << (k & 7);
  }
}

/** Reserves `initialCapacity` when given. @internal */
export function initialCapacity(options: BuilderOptions | undefined): number {
  const c = options?.initialCapacity;
  if (c === undefined) return 0;
  if (!Number.isInteger(c) || c < 0 || c > MAX_BUFFER_BYTES) {
    throw new InvalidArgumentError(`\`initialCapacity\` must be a non-negative integer, got ${String(c)}`);
  }
  return c;
}

/** Builders for numeric types: plain numbers, 64-bit integers (bigint) and Float16 (raw bits). */
import { OutOfRangeError, TypeMismatchError } from '../errors';
import { ArrayData } from '../data';
import { TypeId } from '../type';
import type { Float16, Int64, NumericType, TypedArray, TypedArrayConstructor, Uint64 } from '../type';
import type { Date32, Date64, Duration, Time32, Time64, Timestamp } from '../temporal-types';
import type { ArrayOf } from '../vector';
import { numberToFloat16 } from '../internal/float16';
import { Builder, allocate, grow, initialCapacity, paddedView } from './builder';
import type { BuilderOptions } from './builder';

/** Types whose values are JS numbers: numeric types but Int64/Uint64/Float16, and Date32/Time32. */
export type NumberType = Exclude<NumericType, Int64 | Uint64 | Float16> | Date32 | Time32;

/** Types whose values are bigints: Int64, Uint64 and the 64-bit temporal types. */
export type BigIntType = Int64 | Uint64 | Date64 | Timestamp | Time64 | Duration;

function tagOf(value: unknown): string | undefined {
  return ArrayBuffer.isView(value) ? (value as unknown as Record<symbol, string | undefined>)[Symbol.toStringTag] : undefined;
}

const INT_RANGE: Partial<Record<number, [number, number]>> = {
  [TypeId.Int8]: [-128, 127],
  [TypeId.Int16]: [-32768, 32767],
  [TypeId.Int32]: [-2147483648, 2147483647],
  [TypeId.Uint8]: [0, 255],
  [TypeId.Uint16]: [0, 65535],
  [TypeId.Uint32]: [0, 4294967295],
  [TypeId.Date32]: [-2147483648, 2147483647],
  [TypeId.Time32]: [-2147483648, 2147483647],
};

/** Builder for Int8/16/32, Uint8/16/32, Float32/64, Date32 and Time32: `append(number)`, `appendMany(TypedArray)` (bulk copy). */
export class NumberBuilder<T extends NumberType = NumberType> extends Builder<T, number> {
  private values: ArrayOf<T>;
  private readonly min: number;
  private readonly max: number;
  private readonly isInt: boolean;
  constructor(type: T, options?: BuilderOptions) {
    super(type, options);
    this.values = allocate(type.ArrayType as TypedArrayConstructor, initialCapacity(options)) as ArrayOf<T>;
    const range = INT_RANGE[type.typeId];
    this.isInt = range !== undefined;
    this.min = range === undefined ? -Infinity : range[0];
    this.max = range === undefined ? Infinity : range[1];
  }
  override append(value: number | null | undefined): this {
    // Fast path: a valid number, no bitmap yet, room left.
    if (typeof value === 'number' && this._validity === null && this._length < this.values.length &&
        (!this.isInt || (value >= this.min && value <= this.max && Math.floor(value) === value))) {
      this.values[this._length++] = value;
      return this;
    }
    return super.append(value);
  }
  protected write(value: number): void {
    if (typeof value !== 'number') throw new TypeMismatchError(`${this.type.toString()} builder expects a number, got ${typeof value}`);
    if (this.isInt && !(value >= this.min && value <= this.max && Math.floor(value) === value)) {
      throw new OutOfRangeError(`${String(value)} is not a ${this.type.toString()} integer in [${this.min}, ${this.max}]`);
    }
    const i = this._length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = value;
  }
  protected writePlaceholder(): void {
    const i = this._length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = 0;
  }
  /** Appends many values; a TypedArray of this type's `ArrayType` is copied in bulk (no per-value checks needed). */
  override appendMany(values: ArrayLike<number | null | undefined> | Iterable<number | null | undefined>): this {
    if (tagOf(values) === this.type.ArrayType.name) {
      const src = values as ArrayOf<T>;
      const begin = this._length;
      const end = begin + src.length;
      if (end > this.values.length) this.values = grow(this.values, end);
      (this.values as TypedArray).set(src as never, begin);
      this._length = end;
      this.markValid(begin, end);
      return this;
    }
    return super.appendMany(values);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<T> {
    const values = paddedView(this.values, this._length);
    this.values = allocate(this.type.ArrayType as TypedArrayConstructor, 0) as ArrayOf<T>;
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, values, null, []);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Builder for Int64/Uint64 and the 64-bit temporal types (Date64, Timestamp, Time64, Duration):
 * `append(bigint | safe integer number)`, `appendMany(BigInt64Array | BigUint64Array)`.
 */
export class BigIntBuilder<T extends BigIntType = BigIntType> extends Builder<T, bigint | number> {
  private values: ArrayOf<T>;
  private readonly min: bigint;
  private readonly max: bigint;
  constructor(type: T, options?: BuilderOptions) {
    super(type, options);
    this.values = allocate(type.ArrayType as TypedArrayConstructor, initialCapacity(options)) as ArrayOf<T>;
    this.min = type.typeId === TypeId.Uint64 ? 0n : INT64_MIN;
    this.max = type.typeId === TypeId.Uint64 ? UINT64_MAX : INT64_MAX;
  }
  protected write(value: bigint | number): void {
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
    else throw new TypeMismatchError(`${this.type.toString()} builder expects a bigint or a safe integer, got ${String(value)}`);
    if (v < this.min || v > this.max) throw new OutOfRangeError(`${v} does not fit ${this.type.toString()}`);
    const i = this._length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = v;
  }
  protected writePlaceholder(): void {
    const i = this._length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = 0n;
  }
  /** Appends many values; a BigInt64Array/BigUint64Array matching the type is copied in bulk. */
  override appendMany(values: ArrayLike<bigint | number | null | undefined> | Iterable<bigint | number | null | undefined>): this {
    if (tagOf(values) === this.type.ArrayType.name) {
      const src = values as ArrayOf<T>;
      const begin = this._length;
      const end = begin + src.length;
      if (end > this.values.length) this.values = grow(this.values, end);
      (this.values as TypedArray).set(src as never, begin);
      this._length = end;
      this.markValid(begin, end);
      return this;
    }
    return super.appendMany(values);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<T> {
    const values = paddedView(this.values, this._length);
    this.values = allocate(this.type.ArrayType as TypedArrayConstructor, 0) as ArrayOf<T>;
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, values, null, []);
  }
}

/** Builder for Float16: `append(number)` rounds to half precision; `appendMany(Uint16Array)` takes raw bits in bulk. */
export class Float16Builder extends Builder<Float16, number> {
  private values: Uint16Array;
  constructor(type: Float16, options?: BuilderOptions) {
    super(type, options);
    this.values = allocate(Uint16Array, initialCapacity(options));
  }
  protected write(value: number): void {
    if (typeof value !== 'number') throw new TypeMismatchError(`Float16 builder expects a number, got ${typeof value}`);
    this.put(numberToFloat16(value));
  }
  /** Appends raw half-float bits. */
  appendBits(bits: number): this {
    const i = this._length;
    this.put(bits & 0xffff);
    this.markValid(i, i + 1);
    this._length = i + 1;
    return this;
  }
  protected writePlaceholder(): void {
    this.put(0);
  }
  private put(bits: number): void {
    const i = this._length;
    if (i >= this.values.length) this.values = grow(this.values, i + 1);
    this.values[i] = bits;
  }
  /** Appends many values; a Uint16Array is taken as raw half-float bits and copied in bulk. */
  override appendMany(values: ArrayLike<number | null | undefined> | Iterable<number | null | undefined>): this {
    if (tagOf(values) === 'Uint16Array') {
      const src = values as Uint16Array;
      const begin = this._length;
      const end = begin + src.length;
      if (end > this.values.length) this.values = grow(this.values, end);
      this.values.set(src, begin);
      this._length = end;
      this.markValid(begin, end);
      return this;
    }
    return super.appendMany(values);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<Float16> {
    const values = paddedView(this.values, this._length);
    this.values = allocate(Uint16Array, 0);
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, values, null, []);
  }
}

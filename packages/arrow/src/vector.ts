/**
 * Vectors: typed element access over {@link ArrayData}, one specialised class per value kind so each
 * `get` stays monomorphic. `get(i)` on numeric vectors returns a number (bigint for 64-bit integers)
 * and allocates nothing; nested vectors return views. For hot loops read the raw `values` buffer at
 * `valueOffset(i)` instead of calling `get`.
 */
import { OutOfRangeError } from './errors';
import { ArrayData } from './data';
import { TypeId } from './type';
import type {
  Binary, Bool, DataType, FixedSizeList, Float16, Float32, Float64, Int16, Int32, Int64, Int8, List, NumericType, Struct,
  TypedArray, TypedArrayConstructor, Uint16, Uint32, Uint64, Uint8, Utf8,
} from './type';
import type { Date32, Date64, Duration, Time32, Time64, Timestamp } from './temporal-types';
import type { Decimal128, Decimal256, FixedSizeBinary, LargeBinary, LargeUtf8 } from './binary-types';
import { decimalToString, readDecimal } from './binary-types';
import type { Dictionary } from './type';
import { decodeUtf8 } from './internal/utf8';
import { float16ToNumber } from './internal/float16';

function indexError(i: number, length: number): OutOfRangeError {
  return new OutOfRangeError(`index ${String(i)} is out of range [0, ${length})`);
}

/** The TypedArray class holding values of numeric type `T`. */
export type ArrayOf<T extends DataType> = T extends { ArrayType: TypedArrayConstructor<infer A> } ? A : never;

/** What a List/FixedSizeList `get(i)` returns for item type `C`: a TypedArray view for numeric items, else a Vector slice. */
export type ListItem<C extends DataType> = C extends NumericType ? ArrayOf<C> : VectorOf<C>;

/**
 * Base class of every vector: a typed view over one {@link ArrayData}.
 * @typeParam T the data type; `V` the (non-null) value returned by `get`.
 */
export abstract class Vector<T extends DataType = DataType, V = unknown> {
  /** The underlying buffers. */
  readonly data: ArrayData<T>;
  /** Data type. */
  readonly type: T;
  /** Number of elements. */
  readonly length: number;
  /** Element offset into the buffers (from `data.offset`). */
  readonly offset: number;
  /** LSB-first validity bitmap (view, bit `offset + i`), or null when there are no nulls. */
  readonly validity: Uint8Array | null;

  constructor(data: ArrayData<T>) {
    this.data = data;
    this.type = data.type;
    this.length = data.length;
    this.offset = data.offset;
    this.validity = data.validity;
  }

  /** Number of nulls. */
  get nullCount(): number {
    return this.data.nullCount;
  }

  /** True when element `i` is not null. @throws OutOfRangeError when `i` is not in `[0, length)`. */
  isValid(i: number): boolean {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const v = this.validity;
    if (v === null) return true;
    const j = this.offset + i;
    return ((v[j >> 3]! >> (j & 7)) & 1) === 1;
  }

  /** Element `i`, or null when it is null. @throws OutOfRangeError when `i` is not in `[0, length)`. */
  abstract get(i: number): V | null;

  /** Zero-copy slice `[begin, end)` (view; `Array.prototype.slice` argument rules). */
  slice(begin?: number, end?: number): this {
    return makeVector(this.data.slice(begin, end)) as unknown as this;
  }

  /** All elements as a plain array (copy; nulls as null). */
  toArray(): (V | null)[] {
    const out = new Array<V | null>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<V | null> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }

  toString(): string {
    return `${this.type.toString()}[${this.length}]`;
  }
}

/** Int8 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Int8Vector extends Vector<Int8, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Int8Array;
  constructor(data: ArrayData<Int8>) {
    super(data);
    this.values = data.values as Int8Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Int8Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Int8Array (copy; null slots hold unspecified values). */
  toTypedArray(): Int8Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Int16 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Int16Vector extends Vector<Int16, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Int16Array;
  constructor(data: ArrayData<Int16>) {
    super(data);
    this.values = data.values as Int16Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Int16Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Int16Array (copy; null slots hold unspecified values). */
  toTypedArray(): Int16Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Int32 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Int32Vector extends Vector<Int32, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Int32Array;
  constructor(data: ArrayData<Int32>) {
    super(data);
    this.values = data.values as Int32Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Int32Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Int32Array (copy; null slots hold unspecified values). */
  toTypedArray(): Int32Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Int64 vector: `get(i)` returns a bigint read straight from `values`. */
export class Int64Vector extends Vector<Int64, bigint> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: BigInt64Array;
  constructor(data: ArrayData<Int64>) {
    super(data);
    this.values = data.values as BigInt64Array;
  }
  get(i: number): bigint | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): BigInt64Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new BigInt64Array (copy; null slots hold unspecified values). */
  toTypedArray(): BigInt64Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Uint8 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Uint8Vector extends Vector<Uint8, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Uint8Array;
  constructor(data: ArrayData<Uint8>) {
    super(data);
    this.values = data.values as Uint8Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Uint8Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Uint8Array (copy; null slots hold unspecified values). */
  toTypedArray(): Uint8Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Uint16 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Uint16Vector extends Vector<Uint16, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Uint16Array;
  constructor(data: ArrayData<Uint16>) {
    super(data);
    this.values = data.values as Uint16Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Uint16Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Uint16Array (copy; null slots hold unspecified values). */
  toTypedArray(): Uint16Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Uint32 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Uint32Vector extends Vector<Uint32, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Uint32Array;
  constructor(data: ArrayData<Uint32>) {
    super(data);
    this.values = data.values as Uint32Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Uint32Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Uint32Array (copy; null slots hold unspecified values). */
  toTypedArray(): Uint32Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Uint64 vector: `get(i)` returns a bigint read straight from `values`. */
export class Uint64Vector extends Vector<Uint64, bigint> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: BigUint64Array;
  constructor(data: ArrayData<Uint64>) {
    super(data);
    this.values = data.values as BigUint64Array;
  }
  get(i: number): bigint | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): BigUint64Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new BigUint64Array (copy; null slots hold unspecified values). */
  toTypedArray(): BigUint64Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Float32 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Float32Vector extends Vector<Float32, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Float32Array;
  constructor(data: ArrayData<Float32>) {
    super(data);
    this.values = data.values as Float32Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Float32Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Float32Array (copy; null slots hold unspecified values). */
  toTypedArray(): Float32Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Float64 vector: `get(i)` returns a number read straight from `values` (no allocation). */
export class Float64Vector extends Vector<Float64, number> {
  /** Raw values buffer (view); element `i` is `values[offset + i]` = `values[valueOffset(i)]`. */
  readonly values: Float64Array;
  constructor(data: ArrayData<Float64>) {
    super(data);
    this.values = data.values as Float64Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical values `[offset, offset + length)` as a subarray (view; null slots hold unspecified values). */
  view(): Float64Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical values as a new Float64Array (copy; null slots hold unspecified values). */
  toTypedArray(): Float64Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Float16 vector: raw half-float bits in a Uint16Array; `get(i)` decodes to a number (no allocation). */
export class Float16Vector extends Vector<Float16, number> {
  /** Raw half-float bits (view); element `i` is `values[offset + i]`. */
  readonly values: Uint16Array;
  constructor(data: ArrayData<Float16>) {
    super(data);
    this.values = data.values as Uint16Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return float16ToNumber(this.values[j]!);
  }
  /** Raw half-float bits of element `i` (ignores validity). @throws OutOfRangeError */
  getBits(i: number): number {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    return this.values[this.offset + i]!;
  }
  /** Index of element `i` in `values`. */
  valueOffset(i: number): number {
    return this.offset + i;
  }
  /** The logical raw bits as a subarray (view). */
  view(): Uint16Array {
    return this.values.subarray(this.offset, this.offset + this.length);
  }
  /** The logical raw bits (copy). */
  toTypedArray(): Uint16Array {
    return this.values.slice(this.offset, this.offset + this.length);
  }
}

/** Bool vector: values are bits of an LSB-first bitmap; `get(i)` returns a boolean. */
export class BoolVector extends Vector<Bool, boolean> {
  /** The value bitmap (view); element `i` is bit `offset + i`. */
  readonly values: Uint8Array;
  constructor(data: ArrayData<Bool>) {
    super(data);
    this.values = data.values as Uint8Array;
  }
  get(i: number): boolean | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return ((this.values[j >> 3]! >> (j & 7)) & 1) === 1;
  }
  /** Bit index of element `i` in `values`. */
  valueOffset(i: number): number {
    return this.offset + i;
  }
}

/** Utf8 vector: `get(i)` decodes a string (allocates the string); `getBytes(i)` returns a byte view. */
export class Utf8Vector extends Vector<Utf8, string> {
  /** All string bytes (view); element `i` is `values[valueOffset(i) .. valueEnd(i))`. */
  readonly values: Uint8Array;
  /** Int32 offsets (view); element `i` spans `[valueOffsets[offset + i], valueOffsets[offset + i + 1])`. */
  readonly valueOffsets: Int32Array;
  constructor(data: ArrayData<Utf8>) {
    super(data);
    this.values = data.values as Uint8Array;
    this.valueOffsets = data.valueOffsets!;
  }
  get(i: number): string | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return decodeUtf8(this.values, this.valueOffsets[j]!, this.valueOffsets[j + 1]!);
  }
  /** UTF-8 bytes of element `i` (view into `values`), or null. @throws OutOfRangeError */
  getBytes(i: number): Uint8Array | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values.subarray(this.valueOffsets[j]!, this.valueOffsets[j + 1]!);
  }
  /** First byte of element `i` in `values` (no allocation, no bounds check). */
  valueOffset(i: number): number {
    return this.valueOffsets[this.offset + i]!;
  }
  /** One past the last byte of element `i` in `values` (no allocation, no bounds check). */
  valueEnd(i: number): number {
    return this.valueOffsets[this.offset + i + 1]!;
  }
}

/** Binary vector: `get(i)` returns the bytes as a view into `values` (no copy). */
export class BinaryVector extends Vector<Binary, Uint8Array> {
  /** All bytes (view); element `i` is `values[valueOffset(i) .. valueEnd(i))`. */
  readonly values: Uint8Array;
  /** Int32 offsets (view). */
  readonly valueOffsets: Int32Array;
  constructor(data: ArrayData<Binary>) {
    super(data);
    this.values = data.values as Uint8Array;
    this.valueOffsets = data.valueOffsets!;
  }
  /** Bytes of element `i` (view into `values`; allocates only the view object), or null. */
  get(i: number): Uint8Array | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values.subarray(this.valueOffsets[j]!, this.valueOffsets[j + 1]!);
  }
  /** First byte of element `i` in `values`. */
  valueOffset(i: number): number {
    return this.valueOffsets[this.offset + i]!;
  }
  /** One past the last byte of element `i` in `values`. */
  valueEnd(i: number): number {
    return this.valueOffsets[this.offset + i + 1]!;
  }
}

function numericChildValues(child: ArrayData): TypedArray | null {
  const id = child.type.typeId;
  return id >= TypeId.Int8 && id <= TypeId.Float64 ? child.values : null;
}

/**
 * FixedSizeList vector (the embedding type). `get(i)` returns element `i` as a subarray view of the
 * child's values when the item type is numeric (for example a Float32Array of `listSize` floats that
 * shares memory with the column; item nulls are not reflected in it), otherwise a Vector slice of the
 * child. For hot loops use `values[valueOffset(i) + k]`, which allocates nothing.
 */
export class FixedSizeListVector<C extends DataType = DataType> extends Vector<FixedSizeList<C>, ListItem<C>> {
  /** Items per list. */
  readonly listSize: number;
  /** The item vector (all of it, unsliced). */
  readonly child: VectorOf<C>;
  /** The item values buffer (view) when items are numeric, else null; element `i` starts at `valueOffset(i)`. */
  readonly values: ArrayOf<C> | null;
  private readonly childOffset: number;
  constructor(data: ArrayData<FixedSizeList<C>>) {
    super(data);
    this.listSize = data.type.listSize;
    const childData = data.children[0] as ArrayData<C>;
    this.child = makeVector(childData);
    this.childOffset = childData.offset;
    this.values = numericChildValues(childData) as ArrayOf<C> | null;
  }
  get(i: number): ListItem<C> | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    const size = this.listSize;
    const values = this.values;
    if (values !== null) {
      const begin = this.childOffset + j * size;
      return values.subarray(begin, begin + size) as ListItem<C>;
    }
    return (this.child as Vector).slice(j * size, j * size + size) as ListItem<C>;
  }
  /** Index in `values` (or in the child's own buffers) of the first item of element `i`; no allocation. */
  valueOffset(i: number): number {
    return this.childOffset + (this.offset + i) * this.listSize;
  }
}

/**
 * List vector. `get(i)` returns a subarray view of the child's values for numeric items, otherwise a
 * Vector slice of the child (for example a Utf8Vector for List<Utf8>). The numeric view carries no
 * validity: when the items themselves can be null (`child.nullCount > 0`), a null item reads as the
 * value stored in its slot (0 from our builders); check `child.isValid(valueOffset(i) + k - child.offset)`
 * or read through `child` in that case.
 */
export class ListVector<C extends DataType = DataType> extends Vector<List<C>, ListItem<C>> {
  /** The item vector (all of it, unsliced). */
  readonly child: VectorOf<C>;
  /** Int32 offsets (view) into the child. */
  readonly valueOffsets: Int32Array;
  /** The item values buffer (view) when items are numeric, else null. */
  readonly values: ArrayOf<C> | null;
  private readonly childOffset: number;
  constructor(data: ArrayData<List<C>>) {
    super(data);
    const childData = data.children[0] as ArrayData<C>;
    this.child = makeVector(childData);
    this.childOffset = childData.offset;
    this.valueOffsets = data.valueOffsets!;
    this.values = numericChildValues(childData) as ArrayOf<C> | null;
  }
  get(i: number): ListItem<C> | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    const begin = this.valueOffsets[j]!;
    const end = this.valueOffsets[j + 1]!;
    const values = this.values;
    if (values !== null) return values.subarray(this.childOffset + begin, this.childOffset + end) as ListItem<C>;
    return (this.child as Vector).slice(begin, end) as ListItem<C>;
  }
  /** Index in `values` (or in the child's own buffers) of the first item of element `i`. */
  valueOffset(i: number): number {
    return this.childOffset + this.valueOffsets[this.offset + i]!;
  }
  /** One past the last item of element `i`, same indexing as {@link valueOffset}. */
  valueEnd(i: number): number {
    return this.childOffset + this.valueOffsets[this.offset + i + 1]!;
  }
}

/** Struct vector. `get(i)` returns a new plain object `{ field: value }` (allocates). */
export class StructVector extends Vector<Struct, Record<string, unknown>> {
  /** Child vectors in field order, unsliced: row `i` of the struct is element `offset + i` of each. */
  readonly children: readonly Vector[];
  constructor(data: ArrayData<Struct>) {
    super(data);
    this.children = data.children.map((c) => makeVector(c) as Vector);
  }
  get(i: number): Record<string, unknown> | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    const out: Record<string, unknown> = {};
    const fields = this.type.children;
    for (let k = 0; k < fields.length; k++) out[fields[k]!.name] = this.children[k]!.get(j);
    return out;
  }
  /** Child `k` aligned with this vector's rows (zero-copy slice). @throws OutOfRangeError */
  childAt(k: number): Vector {
    const c = this.children[k];
    if (c === undefined) throw indexError(k, this.children.length);
    return c.slice(this.offset, this.offset + this.length);
  }
  /** The child named `name` aligned with this vector's rows (zero-copy slice), or null. */
  child(name: string): Vector | null {
    const fields = this.type.children;
    for (let k = 0; k < fields.length; k++) if (fields[k]!.name === name) return this.childAt(k);
    return null;
  }
}

/**
 * Vector of a 32-bit temporal type (Date32: days since the epoch; Time32: seconds or milliseconds since
 * midnight): `get(i)` returns the stored number (no allocation).
 */
export class Temporal32Vector<T extends Date32 | Time32 = Date32 | Time32> extends Vector<T, number> {
  /** Raw values (view); element `i` is `values[offset + i]`. */
  readonly values: Int32Array;
  constructor(data: ArrayData<T>) {
    super(data);
    this.values = data.values as Int32Array;
  }
  get(i: number): number | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values`. */
  valueOffset(i: number): number {
    return this.offset + i;
  }
}

/**
 * Vector of a 64-bit temporal type (Date64 in ms, Timestamp, Time64, Duration in their unit): `get(i)`
 * returns the stored bigint, exactly (a `Date` would lose microseconds and nanoseconds).
 */
export class Temporal64Vector<T extends Date64 | Timestamp | Time64 | Duration = Date64 | Timestamp | Time64 | Duration> extends Vector<T, bigint> {
  /** Raw values (view); element `i` is `values[offset + i]`. */
  readonly values: BigInt64Array;
  constructor(data: ArrayData<T>) {
    super(data);
    this.values = data.values as BigInt64Array;
  }
  get(i: number): bigint | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values[j]!;
  }
  /** Index of element `i` in `values`. */
  valueOffset(i: number): number {
    return this.offset + i;
  }
}

/** FixedSizeBinary vector: `get(i)` returns the value's `byteWidth` bytes as a view into `values`. */
export class FixedSizeBinaryVector extends Vector<FixedSizeBinary, Uint8Array> {
  /** All bytes (view); element `i` is `values[(offset + i) * byteWidth ..)`. */
  readonly values: Uint8Array;
  constructor(data: ArrayData<FixedSizeBinary>) {
    super(data);
    this.values = data.values as Uint8Array;
  }
  get(i: number): Uint8Array | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    const w = this.type.byteWidth;
    return this.values.subarray(j * w, (j + 1) * w);
  }
}

/**
 * Decimal128/Decimal256 vector: `get(i)` returns the unscaled value as an exact bigint (the value is
 * `get(i) / 10^scale`); `getString(i)` returns it as a decimal string such as `"-12.05"`.
 */
export class DecimalVector<T extends Decimal128 | Decimal256 = Decimal128 | Decimal256> extends Vector<T, bigint> {
  /** All bytes (view); element `i` is the little-endian two's-complement integer at `(offset + i) * byteWidth`. */
  readonly values: Uint8Array;
  constructor(data: ArrayData<T>) {
    super(data);
    this.values = data.values as Uint8Array;
  }
  get(i: number): bigint | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return readDecimal(this.values, j * this.type.byteWidth, this.type.byteWidth);
  }
  /** Element `i` as a decimal string with `scale` digits after the point (exact), or null. */
  getString(i: number): string | null {
    const x = this.get(i);
    return x === null ? null : decimalToString(x, this.type.scale);
  }
}

/** LargeUtf8 vector: as {@link Utf8Vector} (Int32 offsets in memory). */
export class LargeUtf8Vector extends Vector<LargeUtf8, string> {
  /** All string bytes (view). */
  readonly values: Uint8Array;
  /** Int32 offsets (view). */
  readonly valueOffsets: Int32Array;
  constructor(data: ArrayData<LargeUtf8>) {
    super(data);
    this.values = data.values as Uint8Array;
    this.valueOffsets = data.valueOffsets!;
  }
  get(i: number): string | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return decodeUtf8(this.values, this.valueOffsets[j]!, this.valueOffsets[j + 1]!);
  }
}

/** LargeBinary vector: as {@link BinaryVector} (Int32 offsets in memory); `get(i)` is a view. */
export class LargeBinaryVector extends Vector<LargeBinary, Uint8Array> {
  /** All bytes (view). */
  readonly values: Uint8Array;
  /** Int32 offsets (view). */
  readonly valueOffsets: Int32Array;
  constructor(data: ArrayData<LargeBinary>) {
    super(data);
    this.values = data.values as Uint8Array;
    this.valueOffsets = data.valueOffsets!;
  }
  get(i: number): Uint8Array | null {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return this.values.subarray(this.valueOffsets[j]!, this.valueOffsets[j + 1]!);
  }
}

/** Dictionary vector: `get(i)` returns the dictionary value row `i` points at (as the dictionary's vector returns it). */
export class DictionaryVector<V extends DataType = DataType> extends Vector<Dictionary<V>, unknown> {
  /** Indices (view); row `i` is `dictionary.get(Number(indices[offset + i]))`. */
  readonly indices: TypedArray;
  /** The dictionary values. */
  readonly dictionary: VectorOf<V>;
  constructor(data: ArrayData<Dictionary<V>>) {
    super(data);
    this.indices = data.values!;
    this.dictionary = makeVector(data.children[0] as ArrayData<V>);
  }
  get(i: number): unknown {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    const j = this.offset + i;
    const v = this.validity;
    if (v !== null && ((v[j >> 3]! >> (j & 7)) & 1) === 0) return null;
    return (this.dictionary as Vector).get(Number(this.indices[j]!));
  }
  /** The dictionary index of row `i` (ignores validity). @throws OutOfRangeError */
  getIndex(i: number): number {
    if ((i >>> 0) !== i || i >= this.length) throw indexError(i, this.length);
    return Number(this.indices[this.offset + i]!);
  }
}

/** The vector class `makeVector` returns for data type `T`. */
export type VectorOf<T extends DataType> =
  T extends Bool ? BoolVector
  : T extends Int8 ? Int8Vector
  : T extends Int16 ? Int16Vector
  : T extends Int32 ? Int32Vector
  : T extends Int64 ? Int64Vector
  : T extends Uint8 ? Uint8Vector
  : T extends Uint16 ? Uint16Vector
  : T extends Uint32 ? Uint32Vector
  : T extends Uint64 ? Uint64Vector
  : T extends Float16 ? Float16Vector
  : T extends Float32 ? Float32Vector
  : T extends Float64 ? Float64Vector
  : T extends Utf8 ? Utf8Vector
  : T extends Binary ? BinaryVector
  : T extends FixedSizeList<infer C> ? FixedSizeListVector<C>
  : T extends List<infer C> ? ListVector<C>
  : T extends Struct ? StructVector
  : T extends Date32 | Time32 ? Temporal32Vector<T>
  : T extends Date64 | Timestamp | Time64 | Duration ? Temporal64Vector<T>
  : T extends FixedSizeBinary ? FixedSizeBinaryVector
  : T extends Decimal128 | Decimal256 ? DecimalVector<T>
  : T extends LargeUtf8 ? LargeUtf8Vector
  : T extends LargeBinary ? LargeBinaryVector
  : T extends Dictionary<infer V> ? DictionaryVector<V>
  : Vector<T>;

/**
 * Wraps `data` in the vector class specialised for its type (no copy).
 * @example
 * ```ts
 * const v = makeVector(makeData({ type: new Int32(), length: 2, values: new Int32Array([7, 8]) }));
 * v.get(1); // 8
 * ```
 */
export function makeVector<T extends DataType>(data: ArrayData<T>): VectorOf<T> {
  const d = data as ArrayData<never>;
  let v: Vector;
  switch (data.type.typeId) {
    case TypeId.Bool: v = new BoolVector(d); break;
    case TypeId.Int8: v = new Int8Vector(d); break;
    case TypeId.Int16: v = new Int16Vector(d); break;
    case TypeId.Int32: v = new Int32Vector(d); break;
    case TypeId.Int64: v = new Int64Vector(d); break;
    case TypeId.Uint8: v = new Uint8Vector(d); break;
    case TypeId.Uint16: v = new Uint16Vector(d); break;
    case TypeId.Uint32: v = new Uint32Vector(d); break;
    case TypeId.Uint64: v = new Uint64Vector(d); break;
    case TypeId.Float16: v = new Float16Vector(d); break;
    case TypeId.Float32: v = new Float32Vector(d); break;
    case TypeId.Float64: v = new Float64Vector(d); break;
    case TypeId.Utf8: v = new Utf8Vector(d); break;
    case TypeId.Binary: v = new BinaryVector(d); break;
    case TypeId.FixedSizeList: v = new FixedSizeListVector(d); break;
    case TypeId.List: v = new ListVector(d); break;
    case TypeId.Struct: v = new StructVector(d); break;
    case TypeId.Date32:
    case TypeId.Time32: v = new Temporal32Vector(d); break;
    case TypeId.Date64:
    case TypeId.Timestamp:
    case TypeId.Time64:
    case TypeId.Duration: v = new Temporal64Vector(d); break;
    case TypeId.FixedSizeBinary: v = new FixedSizeBinaryVector(d); break;
    case TypeId.Decimal128:
    case TypeId.Decimal256: v = new DecimalVector(d); break;
    case TypeId.LargeUtf8: v = new LargeUtf8Vector(d); break;
    case TypeId.LargeBinary: v = new LargeBinaryVector(d); break;
    case TypeId.Dictionary: v = new DictionaryVector(d); break;
  }
  return v as VectorOf<T>;
}

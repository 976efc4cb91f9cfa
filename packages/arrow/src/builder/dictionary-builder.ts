/** Builder for Dictionary columns: appends values, keeping one dictionary entry per distinct value. */
import { NotSupportedError, OutOfRangeError } from '../errors';
import { ArrayData } from '../data';
import type { DataType, TypedArrayConstructor } from '../type';
import type { Dictionary } from '../type';
import { Builder, allocate, grow, initialCapacity, paddedView } from './builder';
import type { BuilderOptions } from './builder';

/** The largest index each index type can hold (a dictionary must not outgrow it). */
const INDEX_LIMIT: Record<string, number> = {
  Int8Array: 127, Uint8Array: 255, Int16Array: 32767, Uint16Array: 65535,
  Int32Array: 0x7fffffff, Uint32Array: 0x7fffffff, BigInt64Array: 0x7fffffff, BigUint64Array: 0x7fffffff,
};

/** The dictionary key of -0 (a Map would file it under 0). */
const NEGATIVE_ZERO = Symbol('-0');

/**
 * Builder for `Dictionary<V, I>`: `append(value)` with a value of the value type (a string, number or
 * bigint: values are told apart by `Map` key equality, except that -0 is not 0; every NaN is one value,
 * as JS numbers do not keep NaN payloads); each distinct value goes to the dictionary once.
 */
export class DictionaryBuilder<V extends DataType = DataType> extends Builder<Dictionary<V>, unknown> {
  /** The dictionary values' builder. */
  readonly values: Builder<V>;
  private indices: Int32Array;
  private readonly seen = new Map<unknown, number>();
  private readonly limit: number;
  constructor(type: Dictionary<V>, values: Builder<V>, options?: BuilderOptions) {
    super(type, options);
    this.values = values;
    this.indices = allocate(Int32Array, initialCapacity(options));
    this.limit = INDEX_LIMIT[type.indexType.ArrayType.name] ?? 0x7fffffff;
  }
  private room(): void {
    if (this._length >= this.indices.length) this.indices = grow(this.indices, this._length + 1);
  }
  protected write(value: unknown): void {
    const t = typeof value;
    if (t !== 'string' && t !== 'number' && t !== 'bigint') {
      throw new NotSupportedError(`${this.type.toString()} builder takes strings, numbers or bigints, got ${t}`);
    }
    // Map keys compare as SameValueZero, which takes -0 for 0: -0 gets a key of its own.
    const key = value === 0 && Object.is(value, -0) ? NEGATIVE_ZERO : value;
    let k = this.seen.get(key);
    if (k === undefined) {
      k = this.seen.size;
      if (k > this.limit) throw new OutOfRangeError(`${this.type.toString()}: more than ${this.limit + 1} distinct values`);
      (this.values as Builder<V, unknown>).append(value);
      this.seen.set(key, k);
    }
    this.room();
    this.indices[this._length] = k;
  }
  protected writePlaceholder(): void {
    this.room();
    this.indices[this._length] = 0;
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<Dictionary<V>> {
    const n = this._length;
    const ArrayType = this.type.indexType.ArrayType as TypedArrayConstructor;
    const out = allocate(ArrayType, n);
    const big = ArrayType.BYTES_PER_ELEMENT === 8;
    for (let i = 0; i < n; i++) (out as unknown as (number | bigint)[])[i] = big ? BigInt(this.indices[i]!) : this.indices[i]!;
    this.indices = allocate(Int32Array, 0);
    this.seen.clear();
    const dictionary = this.values.finishData();
    return new ArrayData(this.type, n, 0, this._nullCount, validity, paddedView(out, n), null, [dictionary]);
  }
}

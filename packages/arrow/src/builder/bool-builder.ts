/** Builder for Bool: values packed into an LSB-first bitmap. */
import { TypeMismatchError } from '../errors';
import { ArrayData } from '../data';
import { bitmapByteLength } from '../bitmap';
import type { Bool } from '../type';
import { Builder, allocate, grow, initialCapacity, paddedView } from './builder';
import type { BuilderOptions } from './builder';

/** Builder for Bool: `append(boolean)`; `appendMany` takes booleans or a Uint8Array of 0/1 bytes. */
export class BoolBuilder extends Builder<Bool, boolean> {
  private bits: Uint8Array;
  constructor(type: Bool, options?: BuilderOptions) {
    super(type, options);
    this.bits = allocate(Uint8Array, bitmapByteLength(initialCapacity(options)));
  }
  protected write(value: boolean): void {
    if (typeof value !== 'boolean') throw new TypeMismatchError(`Bool builder expects a boolean, got ${typeof value}`);
    this.put(value);
  }
  protected writePlaceholder(): void {
    this.put(false);
  }
  private put(value: boolean): void {
    const i = this._length;
    if ((i >> 3) >= this.bits.length) this.bits = grow(this.bits, (i >> 3) + 1);
    if (value) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.bits[i >> 3]! &= ~(1 << (i & 7));
  }
  /** Appends many values; a Uint8Array is read as one byte per value (non-zero = true). */
  override appendMany(values: Uint8Array | ArrayLike<boolean | null | undefined> | Iterable<boolean | null | undefined>): this {
    if (values instanceof Uint8Array) {
      const begin = this._length;
      const end = begin + values.length;
      for (let k = 0; k < values.length; k++) {
        this._length = begin + k;
        this.put(values[k] !== 0);
      }
      this._length = end;
      this.markValid(begin, end);
      return this;
    }
    return super.appendMany(values);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<Bool> {
    const values = paddedView(this.bits, bitmapByteLength(this._length));
    this.bits = allocate(Uint8Array, 0);
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, values, null, []);
  }
}

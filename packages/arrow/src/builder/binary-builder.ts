/** Builders for Utf8, Binary, LargeUtf8 and LargeBinary (int32 offsets plus a growing byte buffer), and FixedSizeBinary/decimals. */
import { OutOfRangeError, TypeMismatchError } from '../errors';
import { ArrayData } from '../data';
import type { Binary, Utf8 } from '../type';
import type { Decimal128, Decimal256, FixedSizeBinary, LargeBinary, LargeUtf8 } from '../binary-types';
import { writeDecimal } from '../binary-types';
import { encodeUtf8Into } from '../internal/utf8';
import { Builder, allocate, grow, initialCapacity, paddedView } from './builder';
import type { BuilderOptions } from './builder';

const MAX_OFFSET = 0x7fffffff;

abstract class VarBinaryBuilder<T extends Utf8 | Binary | LargeUtf8 | LargeBinary, V> extends Builder<T, V> {
  protected bytes: Uint8Array;
  protected offsets: Int32Array;
  protected byteLength = 0;
  constructor(type: T, options?: BuilderOptions) {
    super(type, options);
    const capacity = initialCapacity(options);
    this.offsets = allocate(Int32Array, capacity + 1);
    this.bytes = allocate(Uint8Array, capacity * 8);
  }
  /** Makes room for `extra` more bytes and one more offset. */
  protected reserve(extra: number): void {
    const needBytes = this.byteLength + extra;
    if (needBytes > MAX_OFFSET) throw new OutOfRangeError(`${this.type.toString()} data would exceed ${MAX_OFFSET} bytes (int32 offsets)`);
    if (needBytes > this.bytes.length) this.bytes = grow(this.bytes, needBytes);
    if (this._length + 2 > this.offsets.length) this.offsets = grow(this.offsets, this._length + 2);
  }
  protected writePlaceholder(): void {
    this.reserve(0);
    this.offsets[this._length + 1] = this.byteLength;
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<T> {
    if (this.offsets.length < this._length + 1) this.offsets = grow(this.offsets, this._length + 1);
    const offsets = paddedView(this.offsets, this._length + 1);
    const bytes = paddedView(this.bytes, this.byteLength);
    this.offsets = allocate(Int32Array, 1);
    this.bytes = allocate(Uint8Array, 0);
    this.byteLength = 0;
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, bytes, offsets, []);
  }
}

/** Builder for Utf8 (and LargeUtf8): `append(string)` encodes to UTF-8. */
export class Utf8Builder<T extends Utf8 | LargeUtf8 = Utf8> extends VarBinaryBuilder<T, string> {
  protected write(value: string): void {
    if (typeof value !== 'string') throw new TypeMismatchError(`Utf8 builder expects a string, got ${typeof value}`);
    this.reserve(value.length * 3);
    this.byteLength += encodeUtf8Into(value, this.bytes, this.byteLength);
    this.offsets[this._length + 1] = this.byteLength;
  }
}

/** Builder for Binary (and LargeBinary): `append(Uint8Array)` copies the bytes. */
export class BinaryBuilder<T extends Binary | LargeBinary = Binary> extends VarBinaryBuilder<T, Uint8Array> {
  protected write(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new TypeMismatchError(`Binary builder expects a Uint8Array, got ${typeof value}`);
    this.reserve(value.length);
    this.bytes.set(value, this.byteLength);
    this.byteLength += value.length;
    this.offsets[this._length + 1] = this.byteLength;
  }
}

/** Builder for FixedSizeBinary: `append(Uint8Array)` of exactly `byteWidth` bytes (copied). */
export class FixedSizeBinaryBuilder extends Builder<FixedSizeBinary, Uint8Array> {
  private bytes: Uint8Array;
  constructor(type: FixedSizeBinary, options?: BuilderOptions) {
    super(type, options);
    this.bytes = allocate(Uint8Array, initialCapacity(options) * type.byteWidth);
  }
  private room(): number {
    const w = this.type.byteWidth;
    const need = (this._length + 1) * w;
    if (need > MAX_OFFSET) throw new OutOfRangeError(`${this.type.toString()} data would exceed ${MAX_OFFSET} bytes`);
    if (need > this.bytes.length) this.bytes = grow(this.bytes, need);
    return this._length * w;
  }
  protected write(value: Uint8Array): void {
    if (!(value instanceof Uint8Array) || value.length !== this.type.byteWidth) {
      throw new TypeMismatchError(`${this.type.toString()} builder expects a Uint8Array of ${this.type.byteWidth} bytes`);
    }
    const at = this.room();
    this.bytes.set(value, at);
  }
  protected writePlaceholder(): void {
    const at = this.room();
    this.bytes.fill(0, at, at + this.type.byteWidth);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<FixedSizeBinary> {
    const bytes = paddedView(this.bytes, this._length * this.type.byteWidth);
    this.bytes = allocate(Uint8Array, 0);
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, bytes, null, []);
  }
}

/** Builder for Decimal128/Decimal256: `append(bigint)` of the unscaled value (value × 10^scale), exactly. */
export class DecimalBuilder<T extends Decimal128 | Decimal256 = Decimal128 | Decimal256> extends Builder<T, bigint> {
  private bytes: Uint8Array;
  constructor(type: T, options?: BuilderOptions) {
    super(type, options);
    this.bytes = allocate(Uint8Array, initialCapacity(options) * type.byteWidth);
  }
  private room(): number {
    const need = (this._length + 1) * this.type.byteWidth;
    if (need > MAX_OFFSET) throw new OutOfRangeError(`${this.type.toString()} data would exceed ${MAX_OFFSET} bytes`);
    if (need > this.bytes.length) this.bytes = grow(this.bytes, need);
    return this._length * this.type.byteWidth;
  }
  protected write(value: bigint): void {
    if (typeof value !== 'bigint') throw new TypeMismatchError(`${this.type.toString()} builder expects a bigint (the unscaled value), got ${typeof value}`);
    const at = this.room();
    try {
      writeDecimal(this.bytes, at, this.type.byteWidth, value);
    } catch {
      throw new OutOfRangeError(`${value} does not fit ${this.type.toString()}`);
    }
  }
  protected writePlaceholder(): void {
    const at = this.room();
    this.bytes.fill(0, at, at + this.type.byteWidth);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<T> {
    const bytes = paddedView(this.bytes, this._length * this.type.byteWidth);
    this.bytes = allocate(Uint8Array, 0);
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, bytes, null, []);
  }
}

/** Builders for Utf8 and Binary: int32 offsets plus a growing byte buffer. */
import { OutOfRangeError, TypeMismatchError } from '../errors';
import { ArrayData } from '../data';
import type { Binary, Utf8 } from '../type';
import { encodeUtf8Into } from '../internal/utf8';
import { Builder, allocate, grow, initialCapacity, paddedView } from './builder';
import type { BuilderOptions } from './builder';

const MAX_OFFSET = 0x7fffffff;

abstract class VarBinaryBuilder<T extends Utf8 | Binary, V> extends Builder<T, V> {
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

/** Builder for Utf8: `append(string)` encodes to UTF-8. */
export class Utf8Builder extends VarBinaryBuilder<Utf8, string> {
  protected write(value: string): void {
    if (typeof value !== 'string') throw new TypeMismatchError(`Utf8 builder expects a string, got ${typeof value}`);
    this.reserve(value.length * 3);
    this.byteLength += encodeUtf8Into(value, this.bytes, this.byteLength);
    this.offsets[this._length + 1] = this.byteLength;
  }
}

/** Builder for Binary: `append(Uint8Array)` copies the bytes. */
export class BinaryBuilder extends VarBinaryBuilder<Binary, Uint8Array> {
  protected write(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new TypeMismatchError(`Binary builder expects a Uint8Array, got ${typeof value}`);
    this.reserve(value.length);
    this.bytes.set(value, this.byteLength);
    this.byteLength += value.length;
    this.offsets[this._length + 1] = this.byteLength;
  }
}

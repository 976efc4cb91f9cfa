/** Builders for List, FixedSizeList and Struct, each driving child builders. */
import { InvalidArgumentError, LengthMismatchError, TypeMismatchError } from '../errors';
import { ArrayData } from '../data';
import type { DataType, FixedSizeList, List, Struct } from '../type';
import { Builder, allocate, grow, paddedView } from './builder';
import type { BuilderOptions } from './builder';

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (Array.isArray(value) || ArrayBuffer.isView(value)) && typeof (value as ArrayLike<unknown>).length === 'number';
}

/** Builder for List<C>: `append(items)` with an array or TypedArray of items (TypedArrays go in bulk). */
export class ListBuilder<C extends DataType = DataType> extends Builder<List<C>, ArrayLike<unknown>> {
  /** The item builder. */
  readonly child: Builder<C>;
  private offsets: Int32Array;
  constructor(type: List<C>, child: Builder<C>, options?: BuilderOptions) {
    super(type, options);
    this.child = child;
    this.offsets = allocate(Int32Array, 1);
  }
  protected write(value: ArrayLike<unknown>): void {
    if (!isArrayLike(value)) throw new TypeMismatchError(`${this.type.toString()} builder expects an array or TypedArray`);
    this.child.appendMany(value as ArrayLike<never>);
    this.setEnd();
  }
  protected writePlaceholder(): void {
    this.setEnd();
  }
  private setEnd(): void {
    const i = this._length;
    if (i + 2 > this.offsets.length) this.offsets = grow(this.offsets, i + 2);
    this.offsets[i + 1] = this.child.length;
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<List<C>> {
    const offsets = paddedView(this.offsets, this._length + 1);
    this.offsets = allocate(Int32Array, 1);
    const child = this.child.finishData();
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, null, offsets, [child]);
  }
}

/**
 * Builder for FixedSizeList<C>: `append(items)` with exactly `listSize` items; `appendMany(flat)`
 * with a flat TypedArray of `n * listSize` items appends `n` lists in one bulk copy.
 */
export class FixedSizeListBuilder<C extends DataType = DataType> extends Builder<FixedSizeList<C>, ArrayLike<unknown>> {
  /** The item builder. */
  readonly child: Builder<C>;
  constructor(type: FixedSizeList<C>, child: Builder<C>, options?: BuilderOptions) {
    super(type, options);
    this.child = child;
  }
  protected write(value: ArrayLike<unknown>): void {
    if (!isArrayLike(value)) throw new TypeMismatchError(`${this.type.toString()} builder expects an array or TypedArray`);
    if (value.length !== this.type.listSize) {
      throw new LengthMismatchError(`${this.type.toString()} builder expects ${this.type.listSize} items, got ${value.length}`);
    }
    this.child.appendMany(value as ArrayLike<never>);
  }
  protected writePlaceholder(): void {
    for (let k = 0; k < this.type.listSize; k++) this.child.appendPlaceholder();
  }
  /** Appends rows, or a flat TypedArray of `n · listSize` items as `n` rows (one bulk copy). */
  override appendMany(
    values: ArrayLike<number> | ArrayLike<ArrayLike<unknown> | null | undefined> | Iterable<ArrayLike<unknown> | null | undefined>,
  ): this {
    if (ArrayBuffer.isView(values)) {
      const flat = values as unknown as ArrayLike<unknown>;
      const size = this.type.listSize;
      if (size === 0 || flat.length % size !== 0) {
        throw new LengthMismatchError(`flat \`values\` of length ${flat.length} is not a multiple of listSize ${size}`);
      }
      const begin = this._length;
      this.child.appendMany(flat as ArrayLike<never>);
      this._length = begin + flat.length / size;
      this.markValid(begin, this._length);
      return this;
    }
    // Not a flat TypedArray, so a sequence of rows.
    return super.appendMany(values as ArrayLike<ArrayLike<unknown> | null | undefined> | Iterable<ArrayLike<unknown> | null | undefined>);
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<FixedSizeList<C>> {
    const child = this.child.finishData();
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, null, null, [child]);
  }
}

/** Builder for Struct: `append({ field: value, ... })`; a missing field appends a null to that child. */
export class StructBuilder extends Builder<Struct, Record<string, unknown>> {
  /** One builder per field, in order. */
  readonly children: readonly Builder[];
  constructor(type: Struct, children: readonly Builder[], options?: BuilderOptions) {
    super(type, options);
    if (children.length !== type.children.length) {
      throw new LengthMismatchError(`${type.toString()} needs ${type.children.length} child builders, got ${children.length}`);
    }
    this.children = children;
  }
  protected write(value: Record<string, unknown>): void {
    if (typeof value !== 'object') throw new TypeMismatchError(`${this.type.toString()} builder expects an object, got ${typeof value}`);
    const fields = this.type.children;
    // Check before appending anything, so a rejected row leaves the builder unchanged.
    for (let k = 0; k < fields.length; k++) {
      if (value[fields[k]!.name] == null && !this.children[k]!.nullable) {
        throw new InvalidArgumentError(`field "${fields[k]!.name}" of ${this.type.toString()} is not nullable but the value has none`);
      }
    }
    for (let k = 0; k < fields.length; k++) this.children[k]!.append(value[fields[k]!.name]);
  }
  protected writePlaceholder(): void {
    for (const c of this.children) c.appendPlaceholder();
  }
  protected finishBuffers(validity: Uint8Array | null): ArrayData<Struct> {
    const children = this.children.map((c) => c.finishData());
    return new ArrayData(this.type, this._length, 0, this._nullCount, validity, null, null, children);
  }
}

/**
 * ArrayData: one Arrow array as its raw buffers, byte for byte the Arrow columnar layout, so the very
 * same typed arrays can be handed to apache-arrow (or any Arrow reader) without copying.
 *
 * Layout per type (index `j = offset + i` for logical element `i`):
 * - numeric: `values[j]` (Int64/Uint64 in BigInt64Array/BigUint64Array, Float16 as raw Uint16 bits);
 * - Bool: bit `j` of the LSB-first `values` bitmap;
 * - Utf8/Binary (and LargeUtf8/LargeBinary, with Int32 offsets here too): bytes `values[valueOffsets[j] .. valueOffsets[j + 1])`;
 * - temporal types: `values[j]` of `type.ArrayType` (Int32Array or BigInt64Array);
 * - FixedSizeBinary/Decimal128/Decimal256: bytes `values[j * byteWidth .. (j + 1) * byteWidth)`;
 * - Dictionary: index `values[j]` into the dictionary `children[0]`;
 * - List: child elements `[valueOffsets[j], valueOffsets[j + 1])` of `children[0]`;
 * - FixedSizeList: child elements `[j * listSize, (j + 1) * listSize)` of `children[0]`;
 * - Struct: element `j` of each of `children`.
 * Validity is an LSB-first bitmap (bit `j` set = valid), or null when there are no nulls.
 */
import { InvalidArgumentError, LengthMismatchError, TypeMismatchError } from './errors';
import { bitmapByteLength, countSetBits } from './bitmap';
import { isDataType, isPrimitive, TypeId } from './type';
import type { DataType, TypedArray, TypedArrayConstructor } from './type';

const MAX_LENGTH = 0x7fffffff;

/** The buffers and metadata of one array. Build instances with {@link makeData} (which validates). */
export class ArrayData<T extends DataType = DataType> {
  /** Data type. */
  readonly type: T;
  /** Number of logical elements. */
  readonly length: number;
  /** Element offset into the buffers (non-zero for slices, which share buffers). */
  readonly offset: number;
  /** LSB-first validity bitmap covering bits `[offset, offset + length)` (view), or null when there are no nulls. */
  readonly validity: Uint8Array | null;
  /** Values buffer (view): numeric values, the Bool bitmap, or Utf8/Binary bytes; null for nested types. */
  readonly values: TypedArray | null;
  /** Int32 offsets (view) for Utf8, Binary and List; null otherwise. */
  readonly valueOffsets: Int32Array | null;
  /** Child arrays: `[items]` for List/FixedSizeList, one per field for Struct; empty otherwise. */
  readonly children: readonly ArrayData[];
  private _nullCount: number;

  /**
   * Unchecked constructor; prefer {@link makeData}. `nullCount` of -1 means "count lazily".
   * @internal
   */
  constructor(
    type: T,
    length: number,
    offset: number,
    nullCount: number,
    validity: Uint8Array | null,
    values: TypedArray | null,
    valueOffsets: Int32Array | null,
    children: readonly ArrayData[],
  ) {
    this.type = type;
    this.length = length;
    this.offset = offset;
    this._nullCount = validity === null ? 0 : nullCount;
    this.validity = validity;
    this.values = values;
    this.valueOffsets = valueOffsets;
    this.children = children;
  }

  /** Number of null elements (counted from the bitmap on first use for slices). */
  get nullCount(): number {
    if (this._nullCount < 0) {
      this._nullCount = this.length - countSetBits(this.validity!, this.offset, this.offset + this.length);
    }
    return this._nullCount;
  }

  /** True when element `i` is not null (no bounds check). */
  isValid(i: number): boolean {
    const v = this.validity;
    if (v === null) return true;
    const j = this.offset + i;
    return ((v[j >> 3]! >> (j & 7)) & 1) === 1;
  }

  /**
   * Zero-copy slice `[begin, end)` sharing every buffer (view). Arguments follow
   * `Array.prototype.slice`: negative values count from the end, and both are clamped to the length.
   * @throws InvalidArgumentError when `begin` or `end` is not an integer.
   */
  slice(begin = 0, end: number = this.length): ArrayData<T> {
    const [b, e] = clampRange(begin, end, this.length);
    if (b === 0 && e === this.length) return this;
    const nullCount = this._nullCount === 0 ? 0 : -1;
    return new ArrayData(this.type, e - b, this.offset + b, nullCount, this.validity, this.values, this.valueOffsets, this.children);
  }
}

/** Normalises `[begin, end)` like `Array.prototype.slice`. @internal */
export function clampRange(begin: number, end: number, length: number): [number, number] {
  if (!Number.isInteger(begin)) throw new InvalidArgumentError(`\`begin\` must be an integer, got ${String(begin)}`);
  if (!Number.isInteger(end)) throw new InvalidArgumentError(`\`end\` must be an integer, got ${String(end)}`);
  let b = begin < 0 ? Math.max(length + begin, 0) : Math.min(begin, length);
  let e = end < 0 ? Math.max(length + end, 0) : Math.min(end, length);
  if (e < b) e = b;
  return [b, e];
}

/** What {@link makeData} accepts. Buffers are used as given (zero-copy) whenever their type and alignment allow. */
export interface DataInit<T extends DataType = DataType> {
  type: T;
  /** Logical element count. */
  length: number;
  /** Element offset into the buffers (default 0). */
  offset?: number | undefined;
  /** Null count; counted from `validity` when omitted. */
  nullCount?: number | undefined;
  /** LSB-first validity bitmap; null/omitted (or empty, with no nulls) means no nulls. */
  validity?: Uint8Array | null | undefined;
  /**
   * Values: a TypedArray of `type.ArrayType` for numeric types, a Uint8Array bitmap for Bool, the
   * bytes (Uint8Array) for Utf8/Binary. For numeric types a byte view (Uint8Array, Int8Array or
   * DataView) is reinterpreted without copying when its byteOffset is aligned, and copied otherwise.
   */
  values?: ArrayBufferView | null | undefined;
  /** Int32 offsets for Utf8, Binary and List (`offset + length + 1` entries at least). */
  valueOffsets?: Int32Array | null | undefined;
  /** Child arrays for List/FixedSizeList (one) and Struct (one per field). */
  children?: readonly ArrayData[] | undefined;
}

function tagOf(value: unknown): string | undefined {
  return ArrayBuffer.isView(value) ? (value as unknown as Record<symbol, string | undefined>)[Symbol.toStringTag] ?? 'DataView' : undefined;
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_LENGTH) {
    throw new InvalidArgumentError(`\`${name}\` must be an integer in [0, ${MAX_LENGTH}], got ${String(value)}`);
  }
  return value;
}

/** Views `value` as `ArrayType` (zero-copy when the types match or a byte view is aligned; copy otherwise). */
function asTyped<A extends TypedArray>(ArrayType: TypedArrayConstructor<A>, value: ArrayBufferView, what: string): A {
  const tag = tagOf(value);
  if (tag === ArrayType.name) return value as unknown as A;
  if (tag !== 'Uint8Array' && tag !== 'Int8Array' && tag !== 'Uint8ClampedArray' && tag !== 'DataView') {
    throw new TypeMismatchError(`\`${what}\` must be a ${ArrayType.name} (or a byte view of one), got ${tag ?? typeof value}`);
  }
  const bpe = ArrayType.BYTES_PER_ELEMENT;
  const count = Math.floor(value.byteLength / bpe);
  if (value.byteOffset % bpe === 0) return new ArrayType(value.buffer, value.byteOffset, count);
  const copy = new ArrayType(count);
  new Uint8Array(copy.buffer).set(new Uint8Array(value.buffer, value.byteOffset, count * bpe));
  return copy;
}

function asBytes(value: ArrayBufferView, what: string): Uint8Array {
  const tag = tagOf(value);
  if (tag === 'Uint8Array') return value as Uint8Array;
  if (tag === 'Int8Array' || tag === 'Uint8ClampedArray' || tag === 'DataView') {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeMismatchError(`\`${what}\` must be a Uint8Array, got ${tag ?? typeof value}`);
}

function tooShort(what: string, type: DataType, need: number, have: number, unit: string): InvalidArgumentError {
  return new InvalidArgumentError(`\`${what}\` of ${type.toString()} data too short: need ${need} ${unit}, got ${have}`);
}

function checkOffsets(offsets: Int32Array, begin: number, end: number, limit: number, type: DataType, limitName: string): void {
  let prev = offsets[begin]!;
  if (prev < 0) throw new InvalidArgumentError(`\`valueOffsets\` of ${type.toString()} data: offset ${prev} at index ${begin} is negative`);
  for (let k = begin + 1; k <= end; k++) {
    const cur = offsets[k]!;
    if (cur < prev) {
      throw new InvalidArgumentError(`\`valueOffsets\` of ${type.toString()} data decrease at index ${k}: ${prev} then ${cur}`);
    }
    prev = cur;
  }
  if (prev > limit) {
    throw new InvalidArgumentError(`\`valueOffsets\` of ${type.toString()} data end at ${prev}, beyond the ${limit} ${limitName}`);
  }
}

function noBuffer(init: DataInit, key: 'values' | 'valueOffsets', type: DataType): void {
  if (init[key] != null) throw new InvalidArgumentError(`\`${key}\` is not used by ${type.toString()} data`);
}

function childOf(init: DataInit, type: DataType, expected: DataType, k: number): ArrayData {
  const children = init.children ?? [];
  const child = children[k];
  if (!(child instanceof Object) || !isDataType((child as ArrayData).type)) {
    throw new InvalidArgumentError(`\`children[${k}]\` of ${type.toString()} data must be an ArrayData`);
  }
  if (!expected.equals(child.type)) {
    throw new TypeMismatchError(`\`children[${k}]\` of ${type.toString()} data has type ${child.type.toString()}, expected ${expected.toString()}`);
  }
  return child;
}

/**
 * Builds validated ArrayData from raw buffers without copying them (except unaligned byte views, see
 * {@link DataInit.values}). Counts nulls from the bitmap when `nullCount` is omitted and drops the
 * bitmap when there are none.
 * @throws InvalidArgumentError for buffers that are missing, too short, or have bad offsets;
 * TypeMismatchError for buffers or children of the wrong type.
 * @example
 * ```ts
 * const data = makeData({ type: new Float32(), length: 3, values: new Float32Array([1, 2, 3]) });
 * ```
 */
export function makeData<T extends DataType>(init: DataInit<T>): ArrayData<T> {
  if (typeof init !== 'object' || init === null) throw new InvalidArgumentError('`init` must be an object');
  const type = init.type;
  if (!isDataType(type)) throw new InvalidArgumentError('`type` must be a data type');
  const length = checkCount('length', init.length);
  const offset = init.offset === undefined ? 0 : checkCount('offset', init.offset);
  const end = offset + length;
  if (end > MAX_LENGTH) throw new InvalidArgumentError(`\`offset + length\` exceeds ${MAX_LENGTH}`);

  // Validity.
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  // An empty bitmap with no nulls is how some writers (apache-arrow among them) say "no nulls".
  const emptyBitmap = init.validity != null && init.validity.byteLength === 0 && !init.nullCount;
  if (init.validity != null && !emptyBitmap) {
    validity = asBytes(init.validity, 'validity');
    const need = bitmapByteLength(end);
    if (validity.byteLength < need) throw tooShort('validity', type, need, validity.byteLength, 'bytes');
    if (init.nullCount === undefined) nullCount = length - countSetBits(validity, offset, end);
    else {
      nullCount = checkCount('nullCount', init.nullCount);
      if (nullCount > length) throw new InvalidArgumentError(`\`nullCount\` ${nullCount} exceeds \`length\` ${length}`);
    }
    if (nullCount === 0) validity = null;
  } else if (init.nullCount !== undefined && init.nullCount !== 0) {
    throw new InvalidArgumentError(`\`nullCount\` is ${String(init.nullCount)} but no \`validity\` bitmap was given`);
  }

  let values: TypedArray | null = null;
  let valueOffsets: Int32Array | null = null;
  let children: readonly ArrayData[] = [];

  if (isPrimitive(type)) {
    noBuffer(init, 'valueOffsets', type);
    if (init.values == null) {
      if (end !== 0) throw new InvalidArgumentError(`\`values\` is required for ${type.toString()} data of length ${length}`);
      values = new type.ArrayType(0);
    } else {
      values = asTyped(type.ArrayType as TypedArrayConstructor, init.values, 'values');
      if (values.length < end) throw tooShort('values', type, end, values.length, 'elements');
    }
  } else {
    switch (type.typeId) {
      case TypeId.Bool: {
        noBuffer(init, 'valueOffsets', type);
        values = init.values == null ? new Uint8Array(0) : asBytes(init.values, 'values');
        const need = bitmapByteLength(end);
        if (values.byteLength < need) throw tooShort('values', type, need, values.byteLength, 'bytes');
        break;
      }
      case TypeId.Utf8:
      case TypeId.Binary:
      case TypeId.LargeUtf8:
      case TypeId.LargeBinary: {
        const bytes = init.values == null ? new Uint8Array(0) : asBytes(init.values, 'values');
        valueOffsets = offsetsOf(init, type, end);
        checkOffsets(valueOffsets, offset, end, bytes.length, type, 'bytes of `values`');
        values = bytes;
        break;
      }
      case TypeId.List: {
        noBuffer(init, 'values', type);
        valueOffsets = offsetsOf(init, type, end);
        const child = childOf(init, type, type.child.type, 0);
        checkOffsets(valueOffsets, offset, end, child.length, type, 'child elements');
        children = [child];
        break;
      }
      case TypeId.FixedSizeList: {
        noBuffer(init, 'values', type);
        noBuffer(init, 'valueOffsets', type);
        const child = childOf(init, type, type.child.type, 0);
        const need = end * type.listSize;
        if (child.length < need) throw tooShort('children[0]', type, need, child.length, 'elements');
        children = [child];
        break;
      }
      case TypeId.Struct: {
        noBuffer(init, 'values', type);
        noBuffer(init, 'valueOffsets', type);
        const given = init.children ?? [];
        if (given.length !== type.children.length) {
          throw new LengthMismatchError(`${type.toString()} data needs ${type.children.length} children, got ${given.length}`);
        }
        const out: ArrayData[] = [];
        for (let k = 0; k < given.length; k++) {
          const child = childOf(init, type, type.children[k]!.type, k);
          if (child.length < end) throw tooShort(`children[${k}]`, type, end, child.length, 'elements');
          out.push(child);
        }
        children = out;
        break;
      }
      case TypeId.FixedSizeBinary:
      case TypeId.Decimal128:
      case TypeId.Decimal256: {
        noBuffer(init, 'valueOffsets', type);
        values = init.values == null ? new Uint8Array(0) : asBytes(init.values, 'values');
        const need = end * type.byteWidth;
        if (values.byteLength < need) throw tooShort('values', type, need, values.byteLength, 'bytes');
        break;
      }
      case TypeId.Dictionary: {
        noBuffer(init, 'valueOffsets', type);
        const ArrayType = type.indexType.ArrayType as TypedArrayConstructor;
        const indices = init.values == null ? new ArrayType(0) : asTyped(ArrayType, init.values, 'values');
        if (indices.length < end) throw tooShort('values', type, end, indices.length, 'indices');
        const dict = childOf(init, type, type.valueType, 0);
        checkIndices(indices, offset, end, validity, dict.length, type);
        values = indices;
        children = [dict];
        break;
      }
      default:
        throw new InvalidArgumentError(`unknown type id ${String((type as { typeId: unknown }).typeId)}`);
    }
  }
  return new ArrayData(type, length, offset, nullCount, validity, values, valueOffsets, children);
}

/**
 * Checks `data` again as {@link makeData} checked it when it was made, children included. Its
 * buffers are the caller's memory, never copied, so they may have changed since (offsets, dictionary
 * indices, the validity bitmap): a writer calls this before it trusts them, so that a changed buffer
 * fails here, typed, instead of being written into a file that then reads wrong or not at all.
 * Dictionary rows no one can read (under a null struct or fixed-size list row, where builders leave
 * placeholder indices) may address anything. Costs one pass over offsets, dictionary indices and
 * validity bitmaps; none over fixed-width values.
 * @throws InvalidArgumentError / TypeMismatchError / LengthMismatchError as {@link makeData}, and
 *   InvalidArgumentError when the validity bitmap no longer holds the null count recorded.
 */
export function checkData(data: ArrayData): void {
  if (!(data instanceof ArrayData)) throw new InvalidArgumentError('`data` must be an ArrayData');
  checkReachable(data, null);
}

/**
 * {@link checkData} of `data` whose row `i` can be read only when `reach[i]` is 1 (null: every row):
 * its parent rows are valid.
 */
function checkReachable(data: ArrayData, reach: Uint8Array | null): void {
  const { type, offset, length } = data;
  let validity = data.validity;
  if (type.typeId === TypeId.Dictionary && reach !== null) {
    // Only rows both valid and reachable must address the dictionary.
    const masked = new Uint8Array(bitmapByteLength(offset + length));
    for (let i = 0; i < length; i++) if (reach[i] === 1 && data.isValid(i)) masked[(offset + i) >> 3]! |= 1 << ((offset + i) & 7);
    validity = masked;
  }
  makeData({ type, length, offset, validity, values: data.values ?? undefined, valueOffsets: data.valueOffsets ?? undefined, children: data.children } as DataInit);
  if (data.validity !== null) {
    const nulls = length - countSetBits(data.validity, offset, offset + length);
    if (nulls !== data.nullCount) {
      throw new InvalidArgumentError(`validity bitmap of ${type.toString()} data holds ${nulls} nulls, but ${data.nullCount} were counted when it was made (the bitmap changed since)`);
    }
  }
  const hidden = data.nullCount > 0 || reach !== null;
  if (type.typeId === TypeId.Struct) {
    for (const child of data.children) checkReachable(child, hidden ? childReach(data, reach, child.length, 1) : null);
  } else if (type.typeId === TypeId.FixedSizeList) {
    const child = data.children[0]!;
    checkReachable(child, hidden ? childReach(data, reach, child.length, type.listSize) : null);
  } else {
    // List items are reached through offsets (a null list's are normally empty); a dictionary's values are all readable.
    for (const child of data.children) checkReachable(child, null);
  }
}

/** Which of a struct's (`per` 1) or fixed-size list's child elements can be read: those of its readable valid rows. */
function childReach(data: ArrayData, reach: Uint8Array | null, childLength: number, per: number): Uint8Array {
  const out = new Uint8Array(childLength);
  for (let i = 0; i < data.length; i++) {
    if ((reach !== null && reach[i] !== 1) || !data.isValid(i)) continue;
    const from = (data.offset + i) * per;
    out.fill(1, from, Math.min(childLength, from + per));
  }
  return out;
}

/** Every index of a valid row must address the dictionary (null rows may hold anything). */
function checkIndices(indices: TypedArray, begin: number, end: number, validity: Uint8Array | null, size: number, type: DataType): void {
  for (let j = begin; j < end; j++) {
    if (validity !== null && ((validity[j >> 3]! >> (j & 7)) & 1) === 0) continue;
    const k = Number(indices[j]!);
    if (!(k >= 0 && k < size)) throw new InvalidArgumentError(`\`values\` of ${type.toString()} data: index ${k} at ${j} is outside the ${size}-value dictionary`);
  }
}

function offsetsOf(init: DataInit, type: DataType, end: number): Int32Array {
  if (init.valueOffsets == null) {
    if (end !== 0) throw new InvalidArgumentError(`\`valueOffsets\` is required for ${type.toString()} data of length ${init.length}`);
    return new Int32Array(1);
  }
  const offsets = asTyped(Int32Array, init.valueOffsets, 'valueOffsets');
  if (offsets.length < end + 1) throw tooShort('valueOffsets', type, end + 1, offsets.length, 'entries');
  return offsets;
}

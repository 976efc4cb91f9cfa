/**
 * Arrow logical types, fields and schemas. Types are told apart by their numeric `typeId`, never by
 * `instanceof`, so two bundled copies of @vego/arrow still agree about each other's types.
 */
import { InvalidArgumentError, NotFoundError } from './errors';
import type { Date32, Date64, Duration, Time32, Time64, Timestamp } from './temporal-types';
import type { Decimal128, Decimal256, FixedSizeBinary, LargeBinary, LargeUtf8 } from './binary-types';

import { TypeId } from './type-id';
import type { TypedArrayConstructor } from './type-id';
export { TypeId } from './type-id';
export type { TypedArray, TypedArrayConstructor } from './type-id';

function sameTypeId(a: { readonly typeId: number }, b: { readonly typeId: number } | null | undefined): boolean {
  return b != null && a.typeId === b.typeId;
}

/** Boolean, stored as an LSB-first bitmap (one bit per value). */
export class Bool {
  readonly typeId = TypeId.Bool;
  /** Bits per value. */
  readonly bitWidth = 1;
  /** Storage of the bitmap bytes. */
  readonly ArrayType = Uint8Array;
  toString(): string { return 'Bool'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Signed 8-bit integer (Int8Array storage). */
export class Int8 {
  readonly typeId = TypeId.Int8;
  readonly bitWidth = 8;
  readonly signed = true;
  readonly ArrayType: TypedArrayConstructor<Int8Array> = Int8Array;
  toString(): string { return 'Int8'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Signed 16-bit integer (Int16Array storage). */
export class Int16 {
  readonly typeId = TypeId.Int16;
  readonly bitWidth = 16;
  readonly signed = true;
  readonly ArrayType: TypedArrayConstructor<Int16Array> = Int16Array;
  toString(): string { return 'Int16'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Signed 32-bit integer (Int32Array storage). */
export class Int32 {
  readonly typeId = TypeId.Int32;
  readonly bitWidth = 32;
  readonly signed = true;
  readonly ArrayType: TypedArrayConstructor<Int32Array> = Int32Array;
  toString(): string { return 'Int32'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Signed 64-bit integer (BigInt64Array storage; elements read as `bigint`). */
export class Int64 {
  readonly typeId = TypeId.Int64;
  readonly bitWidth = 64;
  readonly signed = true;
  readonly ArrayType: TypedArrayConstructor<BigInt64Array> = BigInt64Array;
  toString(): string { return 'Int64'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Unsigned 8-bit integer (Uint8Array storage). */
export class Uint8 {
  readonly typeId = TypeId.Uint8;
  readonly bitWidth = 8;
  readonly signed = false;
  readonly ArrayType: TypedArrayConstructor<Uint8Array> = Uint8Array;
  toString(): string { return 'Uint8'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Unsigned 16-bit integer (Uint16Array storage). */
export class Uint16 {
  readonly typeId = TypeId.Uint16;
  readonly bitWidth = 16;
  readonly signed = false;
  readonly ArrayType: TypedArrayConstructor<Uint16Array> = Uint16Array;
  toString(): string { return 'Uint16'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Unsigned 32-bit integer (Uint32Array storage). */
export class Uint32 {
  readonly typeId = TypeId.Uint32;
  readonly bitWidth = 32;
  readonly signed = false;
  readonly ArrayType: TypedArrayConstructor<Uint32Array> = Uint32Array;
  toString(): string { return 'Uint32'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Unsigned 64-bit integer (BigUint64Array storage; elements read as `bigint`). */
export class Uint64 {
  readonly typeId = TypeId.Uint64;
  readonly bitWidth = 64;
  readonly signed = false;
  readonly ArrayType: TypedArrayConstructor<BigUint64Array> = BigUint64Array;
  toString(): string { return 'Uint64'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** IEEE half-precision float, stored as raw bits in a Uint16Array. */
export class Float16 {
  readonly typeId = TypeId.Float16;
  readonly bitWidth = 16;
  readonly ArrayType: TypedArrayConstructor<Uint16Array> = Uint16Array;
  toString(): string { return 'Float16'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** IEEE single-precision float (Float32Array storage). */
export class Float32 {
  readonly typeId = TypeId.Float32;
  readonly bitWidth = 32;
  readonly ArrayType: TypedArrayConstructor<Float32Array> = Float32Array;
  toString(): string { return 'Float32'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** IEEE double-precision float (Float64Array storage). */
export class Float64 {
  readonly typeId = TypeId.Float64;
  readonly bitWidth = 64;
  readonly ArrayType: TypedArrayConstructor<Float64Array> = Float64Array;
  toString(): string { return 'Float64'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** UTF-8 strings: int32 offsets plus a byte buffer. */
export class Utf8 {
  readonly typeId = TypeId.Utf8;
  toString(): string { return 'Utf8'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/** Variable-length bytes: int32 offsets plus a byte buffer. */
export class Binary {
  readonly typeId = TypeId.Binary;
  toString(): string { return 'Binary'; }
  equals(other: DataType | null | undefined): boolean { return sameTypeId(this, other); }
}

/**
 * Lists of exactly `listSize` items each (the vector type: `FixedSizeList<Float32>[128]`).
 * Equality compares `listSize` and the item type, not the item field's name or nullability.
 */
export class FixedSizeList<C extends DataType = DataType> {
  readonly typeId = TypeId.FixedSizeList;
  /** The item field. */
  readonly child: Field<C>;
  /** Items per list. */
  readonly listSize: number;
  /**
   * @param child The item field (for example `new Field('item', new Float32())`).
   * @param listSize Items per list, a non-negative integer.
   * @throws InvalidArgumentError when `listSize` is not a non-negative integer or `child` is not a Field.
   */
  constructor(child: Field<C>, listSize: number) {
    if (!Number.isInteger(listSize) || listSize < 0 || listSize > 0x7fffffff) {
      throw new InvalidArgumentError(`\`listSize\` must be a non-negative integer, got ${String(listSize)}`);
    }
    assertField(child, 'child');
    this.child = child;
    this.listSize = listSize;
  }
  /** The item type. */
  get valueType(): C { return this.child.type; }
  toString(): string { return `FixedSizeList<${this.child.type.toString()}>[${this.listSize}]`; }
  equals(other: DataType | null | undefined): boolean {
    return other != null && other.typeId === TypeId.FixedSizeList && other.listSize === this.listSize &&
      this.child.type.equals(other.child.type);
  }
}

/** Variable-length lists: int32 offsets into an item array. Equality compares the item type only. */
export class List<C extends DataType = DataType> {
  readonly typeId = TypeId.List;
  /** The item field. */
  readonly child: Field<C>;
  /** @throws InvalidArgumentError when `child` is not a Field. */
  constructor(child: Field<C>) {
    assertField(child, 'child');
    this.child = child;
  }
  /** The item type. */
  get valueType(): C { return this.child.type; }
  toString(): string { return `List<${this.child.type.toString()}>`; }
  equals(other: DataType | null | undefined): boolean {
    return other != null && other.typeId === TypeId.List && this.child.type.equals(other.child.type);
  }
}

/** A struct: one child array per field. Equality compares field names and types, in order. */
export class Struct {
  readonly typeId = TypeId.Struct;
  /** The member fields, in order. */
  readonly children: readonly Field[];
  /** @throws InvalidArgumentError when `children` is not an array of Fields. */
  constructor(children: readonly Field[]) {
    if (!Array.isArray(children)) throw new InvalidArgumentError('`children` must be an array of Field');
    for (let i = 0; i < children.length; i++) assertField(children[i], `children[${i}]`);
    this.children = Object.freeze(children.slice());
  }
  toString(): string {
    return `Struct<{${this.children.map((f) => `${f.name}: ${f.type.toString()}`).join(', ')}}>`;
  }
  equals(other: DataType | null | undefined): boolean {
    if (other == null || other.typeId !== TypeId.Struct || other.children.length !== this.children.length) return false;
    for (let i = 0; i < this.children.length; i++) {
      const a = this.children[i]!;
      const b = other.children[i]!;
      if (a.name !== b.name || !a.type.equals(b.type)) return false;
    }
    return true;
  }
}

/** Any supported data type; narrow by `type.typeId`. */
export type DataType =
  | Bool | Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64
  | Float16 | Float32 | Float64 | Utf8 | Binary | FixedSizeList | List | Struct
  | Date32 | Date64 | Timestamp | Time32 | Time64 | Duration
  | Decimal128 | Decimal256 | FixedSizeBinary | LargeUtf8 | LargeBinary | Dictionary;

/** Fixed-width numeric types (values in a TypedArray, one element per value). */
export type NumericType = Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64 | Float16 | Float32 | Float64;

/** Types with a fixed number of bits per value (the numeric types and Bool). */
export type FixedWidthType = NumericType | Bool;

/** True for the numeric types (Int*, Uint*, Float*), whose values live in `type.ArrayType`. */
export function isNumeric(type: DataType): type is NumericType {
  const id = type.typeId;
  return id >= TypeId.Int8 && id <= TypeId.Float64;
}

/** Types whose values are one element of `type.ArrayType` each: the numeric and the temporal types. */
export type PrimitiveType = NumericType | Date32 | Date64 | Timestamp | Time32 | Time64 | Duration;

/** True for the temporal types (Date32/64, Timestamp, Time32/64, Duration), stored as Int32 or Int64. */
export function isTemporal(type: DataType): type is Date32 | Date64 | Timestamp | Time32 | Time64 | Duration {
  const id = type.typeId;
  return id >= TypeId.Date32 && id <= TypeId.Duration;
}

/** True when values are one element of `type.ArrayType` each (numeric and temporal types). */
export function isPrimitive(type: DataType): type is PrimitiveType {
  return isNumeric(type) || isTemporal(type);
}

/** True for FixedSizeBinary, Decimal128 and Decimal256: `byteWidth` bytes per value in a Uint8Array. */
export function isFixedBinary(type: DataType): type is Decimal128 | Decimal256 | FixedSizeBinary {
  const id = type.typeId;
  return id === TypeId.Decimal128 || id === TypeId.Decimal256 || id === TypeId.FixedSizeBinary;
}

/** True for the offsets-and-bytes types: Utf8, Binary, LargeUtf8, LargeBinary. */
export function isVariableBinary(type: DataType): type is Utf8 | Binary | LargeUtf8 | LargeBinary {
  const id = type.typeId;
  return id === TypeId.Utf8 || id === TypeId.Binary || id === TypeId.LargeUtf8 || id === TypeId.LargeBinary;
}

/** True for fixed-width types: the numeric ones and Bool. */
export function isFixedWidth(type: DataType): type is FixedWidthType {
  const id = type.typeId;
  return id >= TypeId.Bool && id <= TypeId.Float64;
}

/** True when `value` looks like a @vego/arrow data type (checked by shape, not `instanceof`). */
export function isDataType(value: unknown): value is DataType {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { typeId?: unknown; equals?: unknown };
  return typeof v.typeId === 'number' && v.typeId >= TypeId.Bool && v.typeId <= TypeId.Dictionary && typeof v.equals === 'function';
}

function assertField(value: unknown, name: string): void {
  const f = value as Field | null;
  if (typeof f !== 'object' || f === null || typeof f.name !== 'string' || !isDataType(f.type)) {
    throw new InvalidArgumentError(`\`${name}\` must be a Field`);
  }
}

function metadataEquals(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** A named, typed column: name, type, nullability and string metadata. */
export class Field<T extends DataType = DataType> {
  readonly name: string;
  readonly type: T;
  readonly nullable: boolean;
  readonly metadata: ReadonlyMap<string, string>;
  /**
   * @param name Column name.
   * @param type Data type.
   * @param nullable Whether the column may hold nulls (default true).
   * @param metadata String key/value pairs (copied).
   * @throws InvalidArgumentError when `name` is not a string or `type` is not a data type.
   */
  constructor(name: string, type: T, nullable = true, metadata: ReadonlyMap<string, string> = new Map()) {
    if (typeof name !== 'string') throw new InvalidArgumentError('`name` must be a string');
    if (!isDataType(type)) throw new InvalidArgumentError(`\`type\` of field "${name}" must be a data type`);
    this.name = name;
    this.type = type;
    this.nullable = nullable;
    this.metadata = new Map(metadata);
  }
  /** True when name, type, nullability and metadata all match. */
  equals(other: Field | null | undefined): boolean {
    return other != null && this.name === other.name && this.nullable === other.nullable &&
      this.type.equals(other.type) && metadataEquals(this.metadata, other.metadata);
  }
  toString(): string { return `${this.name}: ${this.type.toString()}${this.nullable ? '' : ' not null'}`; }
}

/** An ordered list of uniquely named fields plus string metadata. */
export class Schema {
  readonly fields: readonly Field[];
  readonly metadata: ReadonlyMap<string, string>;
  private readonly byName: Map<string, number>;
  /**
   * @throws InvalidArgumentError when `fields` is not an array of Fields or two fields share a name.
   */
  constructor(fields: readonly Field[], metadata: ReadonlyMap<string, string> = new Map()) {
    if (!Array.isArray(fields)) throw new InvalidArgumentError('`fields` must be an array of Field');
    this.byName = new Map();
    for (let i = 0; i < fields.length; i++) {
      assertField(fields[i], `fields[${i}]`);
      const name = fields[i]!.name;
      if (this.byName.has(name)) throw new InvalidArgumentError(`\`fields\` has two fields named "${name}"`);
      this.byName.set(name, i);
    }
    this.fields = Object.freeze(fields.slice());
    this.metadata = new Map(metadata);
  }
  /** Number of fields. */
  get numFields(): number { return this.fields.length; }
  /** The field named `name`, or null. */
  field(name: string): Field | null {
    const i = this.byName.get(name);
    return i === undefined ? null : this.fields[i]!;
  }
  /** Position of the field named `name`, or -1. */
  fieldIndex(name: string): number {
    const i = this.byName.get(name);
    return i === undefined ? -1 : i;
  }
  /** A schema with only the named fields, in the order given. @throws NotFoundError for an unknown name. */
  select(names: readonly string[]): Schema {
    const out: Field[] = [];
    for (const n of names) {
      const f = this.field(n);
      if (f === null) throw new NotFoundError(`no field named "${n}" in schema (${this.fields.map((x) => x.name).join(', ')})`);
      out.push(f);
    }
    return new Schema(out, this.metadata);
  }
  /** True when the fields (name, type, nullability, metadata) and the schema metadata all match. */
  equals(other: Schema | null | undefined): boolean {
    if (other == null || other.fields.length !== this.fields.length) return false;
    for (let i = 0; i < this.fields.length; i++) if (!this.fields[i]!.equals(other.fields[i])) return false;
    return metadataEquals(this.metadata, other.metadata);
  }
  toString(): string { return `Schema<{${this.fields.map((f) => f.toString()).join(', ')}}>`; }
}

/** Integer types a dictionary may be indexed by. */
export type DictionaryIndexType = Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64;

/** `Dictionary<valueType, indexType>`: rows are indices into a dictionary of `valueType` values. */
export class Dictionary<V extends DataType = DataType> {
  readonly typeId = TypeId.Dictionary;
  /** Type of the dictionary's values (what a row reads as). */
  readonly valueType: V;
  /** Integer type of the indices. */
  readonly indexType: DictionaryIndexType;
  /** Whether the dictionary's order is meaningful (Arrow's `ordered`). */
  readonly ordered: boolean;
  /** @throws InvalidArgumentError when `indexType` is not an integer type or `valueType` not a data type. */
  constructor(valueType: V, indexType: DictionaryIndexType, ordered = false) {
    if (!isDataType(valueType)) throw new InvalidArgumentError('`valueType` of Dictionary must be a data type');
    const id = (indexType as { typeId?: number } | null)?.typeId;
    if (id === undefined || id < TypeId.Int8 || id > TypeId.Uint64) {
      throw new InvalidArgumentError(`\`indexType\` of Dictionary must be an integer type, got ${String((indexType as { toString?: () => string })?.toString?.())}`);
    }
    this.valueType = valueType;
    this.indexType = indexType;
    this.ordered = ordered === true;
  }
  toString(): string { return `Dictionary<${this.valueType.toString()}, ${this.indexType.toString()}>`; }
  equals(other: DataType | null | undefined): boolean {
    return other != null && other.typeId === this.typeId && this.valueType.equals(other.valueType) &&
      this.indexType.typeId === other.indexType.typeId && this.ordered === other.ordered;
  }
}

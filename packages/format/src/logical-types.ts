/**
 * The one table of Lance logical type names of leaf types, read and written through the same functions
 * ({@link parseLogicalType} and {@link writableLogicalType}), and how the non-primitive ones are stored:
 * each is decoded as a storage type the page decoders already know, then re-typed without copying (or, for
 * dictionaries, encoded once more as a dictionary).
 *
 * ```text
 * bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 halffloat float double string binary
 * date32:day  date64:ms  timestamp:<s|ms|us|ns>:<time zone or ->  time32:<s|ms>  time64:<us|ns>  duration:<unit>
 * decimal:128:<precision>:<scale>  decimal:256:<precision>:<scale>  fixed_size_binary:<bytes>
 * large_string  large_binary  dict:<value type>:<index type>:<ordered>
 * ```
 * Example: LanceDB writes an arrow `Timestamp(MICROSECOND, "UTC")` column as `timestamp:us:UTC` and stores
 * its values as 64-bit integers; it is read as Int64 and re-typed `Timestamp<us, UTC>`.
 */
import {
  Binary, Bool, CorruptDataError, InvalidArgumentError, Date32, Float16, Float32, Float64, Date64, Decimal128, Decimal256, Dictionary, Duration, FixedSizeBinary, FixedSizeList, Field, Int16, Int32, Int64,
  Int8, LargeBinary, LargeUtf8, Time32, Time64, Timestamp, TypeId, Uint16, Uint32, Uint64, Uint8, Utf8, ArrayData, concatData, makeData, makeNullData, takeData,
} from '@vego/encoding';
import type { DataType, DictionaryIndexType, TimeUnit, TypedArray } from '@vego/encoding';

const UNITS = ['s', 'ms', 'us', 'ns'];

/** Lance names of the primitive types, with a constructor each: used in both directions. */
const PRIMITIVES: ReadonlyArray<readonly [TypeId, string, () => DataType]> = [
  [TypeId.Bool, 'bool', () => new Bool()],
  [TypeId.Int8, 'int8', () => new Int8()],
  [TypeId.Int16, 'int16', () => new Int16()],
  [TypeId.Int32, 'int32', () => new Int32()],
  [TypeId.Int64, 'int64', () => new Int64()],
  [TypeId.Uint8, 'uint8', () => new Uint8()],
  [TypeId.Uint16, 'uint16', () => new Uint16()],
  [TypeId.Uint32, 'uint32', () => new Uint32()],
  [TypeId.Uint64, 'uint64', () => new Uint64()],
  [TypeId.Float16, 'halffloat', () => new Float16()],
  [TypeId.Float32, 'float', () => new Float32()],
  [TypeId.Float64, 'double', () => new Float64()],
  [TypeId.Utf8, 'string', () => new Utf8()],
  [TypeId.Binary, 'binary', () => new Binary()],
];

/** The Lance logical type name of a primitive (fixed-width, Utf8 or Binary) type, or undefined. */
export function primitiveLogicalType(type: DataType): string | undefined {
  for (const [id, name] of PRIMITIVES) if (id === type.typeId) return name;
  return undefined;
}

/** The primitive type of a Lance logical type name (`int32`, `string`, …), or undefined. */
export function primitiveFromName(name: string): DataType | undefined {
  for (const [, n, make] of PRIMITIVES) if (n === name) return make();
  return undefined;
}

function indexTypeOf(name: string): DictionaryIndexType | undefined {
  const t = primitiveFromName(name);
  return t !== undefined && t.typeId >= TypeId.Int8 && t.typeId <= TypeId.Uint64 ? (t as DictionaryIndexType) : undefined;
}

/** The type of a Lance logical type name of a leaf (the primitives and the kinds above), or undefined for other names. */
export function parseLogicalType(lt: string): DataType | undefined {
  const prim = primitiveFromName(lt);
  if (prim !== undefined) return prim;
  if (lt === 'date32:day') return new Date32();
  if (lt === 'date64:ms') return new Date64();
  if (lt === 'large_string') return new LargeUtf8();
  if (lt === 'large_binary') return new LargeBinary();
  const parts = lt.split(':');
  const head = parts[0];
  if (head === 'timestamp' && parts.length >= 3 && UNITS.includes(parts[1]!)) {
    const tz = parts.slice(2).join(':');
    return new Timestamp(parts[1] as TimeUnit, tz === '-' ? null : tz);
  }
  if (head === 'time32' && parts.length === 2 && (parts[1] === 's' || parts[1] === 'ms')) return new Time32(parts[1]);
  if (head === 'time64' && parts.length === 2 && (parts[1] === 'us' || parts[1] === 'ns')) return new Time64(parts[1]);
  if (head === 'duration' && parts.length === 2 && UNITS.includes(parts[1]!)) return new Duration(parts[1] as TimeUnit);
  if (head === 'decimal' && parts.length === 4) {
    const p = Number(parts[2]);
    const s = Number(parts[3]);
    if (!Number.isInteger(p) || !Number.isInteger(s)) return undefined;
    try {
      if (parts[1] === '128') return new Decimal128(p, s);
      if (parts[1] === '256') return new Decimal256(p, s);
    } catch {
      return undefined;
    }
    return undefined;
  }
  if (head === 'fixed_size_binary' && parts.length === 2) {
    const w = Number(parts[1]);
    if (!Number.isInteger(w) || w < 1 || w > 0x7fffffff) return undefined;
    return new FixedSizeBinary(w);
  }
  if (head === 'dict' && parts.length === 4) {
    const value = parseLogicalType(parts[1]!);
    const index = indexTypeOf(parts[2]!);
    if (value === undefined || index === undefined || value.typeId === TypeId.Dictionary) return undefined;
    return new Dictionary(value, index, parts[3] === 'true');
  }
  return undefined;
}

/**
 * True for the logical types of fields that hold no values of their own: `struct` and the lists (`list`,
 * `large_list`, and `list.struct` / `large_list.struct`, Lance's names for lists of structs).
 */
export function isNestedLogicalType(lt: string): boolean {
  return lt === 'struct' || lt === 'list' || lt === 'large_list' || lt === 'list.struct' || lt === 'large_list.struct';
}

/** True for the types of this module (all stored as one leaf column). */
export function isLogicalLeaf(type: DataType): boolean {
  const id = type.typeId;
  return id >= TypeId.Date32 && id <= TypeId.Dictionary;
}

/**
 * The type a 2.0 page of `type` is decoded as: the type itself for FixedSizeBinary and decimals (one wide
 * flat value) and for a dictionary stored as a dictionary page (`dictionaryPage`), else {@link storageType}.
 */
export function storageType2_0(type: DataType, dictionaryPage: boolean): DataType {
  const id = type.typeId;
  if (id === TypeId.FixedSizeBinary || id === TypeId.Decimal128 || id === TypeId.Decimal256) return type;
  if (id === TypeId.Dictionary) return dictionaryPage ? type : storageType2_0(type.valueType, false);
  return storageType(type);
}

/** The type a 2.1/2.2 column of `type` is decoded as before {@link fromStorage} re-types it. */
export function storageType(type: DataType): DataType {
  switch (type.typeId) {
    case TypeId.Date32:
    case TypeId.Time32: return new Int32();
    case TypeId.Date64:
    case TypeId.Timestamp:
    case TypeId.Time64:
    case TypeId.Duration: return new Int64();
    case TypeId.FixedSizeBinary:
    case TypeId.Decimal128:
    case TypeId.Decimal256: return new FixedSizeList(new Field('item', new Uint8(), false), type.byteWidth);
    case TypeId.LargeUtf8: return new Utf8();
    case TypeId.LargeBinary: return new Binary();
    case TypeId.Dictionary: return storageType(type.valueType);
    default: return type;
  }
}

/**
 * Re-types `data` (decoded as `storageType(type)`) as `type`: the same buffers for the temporal, large and
 * fixed-width binary types (a view); for a dictionary, the distinct values once and an index per row (copy).
 * @throws CorruptDataError when the decoded data cannot be `type` (for example too many distinct values for the index type).
 */
export function fromStorage(data: ArrayData, type: DataType): ArrayData {
  const id = type.typeId;
  if (!isLogicalLeaf(type) || data.type.equals(type)) return data;
  if (id === TypeId.FixedSizeBinary || id === TypeId.Decimal128 || id === TypeId.Decimal256) {
    const w = type.byteWidth;
    const child = data.children[0]!;
    const bytes = (child.values as Uint8Array).subarray((child.offset + data.offset * w), child.offset + (data.offset + data.length) * w);
    return makeData({ type, length: data.length, validity: data.validity === null ? null : sliceBits(data.validity, data.offset, data.length), values: bytes });
  }
  if (id === TypeId.Dictionary) return dictionaryEncode(fromStorage(data, type.valueType), type);
  return new ArrayData(type, data.length, data.offset, data.validity === null ? 0 : -1, data.validity, data.values, data.valueOffsets, data.children);
}

function sliceBits(bits: Uint8Array, offset: number, n: number): Uint8Array {
  if (offset === 0) return bits;
  const out = new Uint8Array(((n + 63) >>> 6) << 3);
  for (let i = 0; i < n; i++) {
    const j = offset + i;
    if ((bits[j >>> 3]! >>> (j & 7)) & 1) out[i >>> 3]! |= 1 << (i & 7);
  }
  return out;
}

/** Values → (distinct values, index per row); keys are the values' bytes or numbers. */
function dictionaryEncode(values: ArrayData, type: Dictionary): ArrayData {
  const n = values.length;
  const index = new Map<string | number | bigint, number>();
  const firstRow: number[] = [];
  const idx = new Float64Array(n);
  const o = values.valueOffsets;
  // Fixed-width values are told apart by their bits, never as JS numbers: a Map would merge every NaN
  // (whatever its payload) into one entry and -0 with 0, and the column would read back other floats.
  const bits = values.values === null || o !== null ? values.values : integerView(values.values);
  for (let i = 0; i < n; i++) {
    if (!values.isValid(i)) continue;
    const j = values.offset + i;
    let key: string | number | bigint;
    if (o !== null) key = latin1(bits as Uint8Array, o[j]!, o[j + 1]!);
    else key = (bits as BigInt64Array | Int32Array)[j]!;
    let k = index.get(key);
    if (k === undefined) {
      k = firstRow.length;
      index.set(key, k);
      firstRow.push(i);
    }
    idx[i] = k;
  }
  const limit = type.indexType.typeId === TypeId.Int8 ? 128 : type.indexType.typeId === TypeId.Uint8 ? 256 : type.indexType.typeId === TypeId.Int16 ? 32768 : type.indexType.typeId === TypeId.Uint16 ? 65536 : 0x7fffffff;
  if (firstRow.length > limit) throw new CorruptDataError(`${type.toString()} column holds ${firstRow.length} distinct values, more than its index type can address`);
  // The dictionary: the first row of each distinct value, in order of appearance.
  const rows = firstRow.map((r) => values.slice(r, r + 1));
  const dictionary = rows.length === 0 ? concatData(values.type, [values.slice(0, 0)]) : concatData(values.type, rows);
  const ArrayType = type.indexType.ArrayType as unknown as new (n: number) => (number | bigint)[];
  const indices = new ArrayType(n);
  const big = type.indexType.bitWidth === 64;
  for (let i = 0; i < n; i++) indices[i] = big ? BigInt(idx[i]!) : idx[i]!;
  const validity = values.validity === null ? null : sliceBits(values.validity, values.offset, n);
  return makeData({ type, length: n, validity, values: indices as unknown as ArrayBufferView, children: [dictionary] });
}

/** The same bytes as integers of the same width (the bit patterns of floats, as map keys). */
function integerView(v: TypedArray): TypedArray {
  const n = v.length;
  switch (v.BYTES_PER_ELEMENT) {
    case 8: return new BigInt64Array(v.buffer, v.byteOffset, n);
    case 4: return new Int32Array(v.buffer, v.byteOffset, n);
    case 2: return new Uint16Array(v.buffer, v.byteOffset, n);
    default: return v;
  }
}

/** The bytes `[begin, end)` as a string of one char per byte (a map key; not text). */
function latin1(bytes: Uint8Array, begin: number, end: number): string {
  let s = '';
  for (let k = begin; k < end; k++) s += String.fromCharCode(bytes[k]!);
  return s;
}

/**
 * The Lance logical type name this library writes for a leaf `type` (the inverse of {@link parseLogicalType}),
 * or undefined for a type that is not a leaf written here (lists, structs and fixed-size lists are named by
 * `lance-schema.ts`): the primitives; the temporal types (stored as their 32/64-bit integers);
 * LargeUtf8/LargeBinary; decimals and fixed-size binary (one `8 × byteWidth`-bit flat value, as LanceDB
 * stores them); dictionaries of primitive values (`dict:<value>:<index>:<ordered>`).
 */
export function writableLogicalType(type: DataType): string | undefined {
  const prim = primitiveLogicalType(type);
  if (prim !== undefined) return prim;
  switch (type.typeId) {
    case TypeId.Date32: return 'date32:day';
    case TypeId.Date64: return 'date64:ms';
    case TypeId.Timestamp: return `timestamp:${type.unit}:${type.timezone ?? '-'}`;
    case TypeId.Time32: return `time32:${type.unit}`;
    case TypeId.Time64: return `time64:${type.unit}`;
    case TypeId.Duration: return `duration:${type.unit}`;
    case TypeId.LargeUtf8: return 'large_string';
    case TypeId.LargeBinary: return 'large_binary';
    case TypeId.Decimal128: return `decimal:128:${type.precision}:${type.scale}`;
    case TypeId.Decimal256: return `decimal:256:${type.precision}:${type.scale}`;
    case TypeId.FixedSizeBinary: return `fixed_size_binary:${type.byteWidth}`;
    case TypeId.Dictionary: {
      // Values of whole bytes (2.1/2.2 page dictionaries hash values as byte strings): not bools.
      const value = type.valueType.typeId === TypeId.Bool ? undefined : primitiveLogicalType(type.valueType);
      return value === undefined ? undefined : `dict:${value}:${primitiveLogicalType(type.indexType)!}:${String(type.ordered)}`;
    }
    default: return undefined;
  }
}

/**
 * `data` re-typed as what its pages hold: Int32/Int64 for the temporal types and Utf8/Binary for the large
 * ones (a view: the same buffers); for a dictionary, each row's value (a copy, see
 * {@link dictionaryValues}). Other data (primitives, decimals and fixed-size binary) is returned as is.
 */
export function storageForWrite(data: ArrayData): ArrayData {
  const type = data.type;
  const id = type.typeId;
  if (id === TypeId.Dictionary) return storageForWrite(dictionaryValues(data));
  if (!isLogicalLeaf(type) || id === TypeId.FixedSizeBinary || id === TypeId.Decimal128 || id === TypeId.Decimal256) return data;
  const st = storageType(type);
  return new ArrayData(st, data.length, data.offset, data.validity === null ? 0 : -1, data.validity, data.values, data.valueOffsets, data.children);
}

/**
 * The value of each row of dictionary `data` (a copy of the value type): null where the row or its
 * dictionary value is null.
 * @throws InvalidArgumentError for an index outside the dictionary (the data to write is malformed).
 */
export function dictionaryValues(data: ArrayData): ArrayData {
  const type = data.type as Dictionary;
  const n = data.length;
  const dict = data.children[0]!;
  const src = data.values as unknown as ArrayLike<number | bigint>;
  const idx = new Int32Array(n);
  const rowValid = new Uint8Array(((n + 63) >>> 6) << 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (!data.isValid(i)) {
      nulls++;
      continue;
    }
    const k = Number(src[data.offset + i]!);
    if (!(k >= 0 && k < dict.length)) throw new InvalidArgumentError(`${type.toString()} row ${i} has index ${k}, the dictionary holds ${dict.length} values`);
    idx[i] = k;
    rowValid[i >>> 3]! |= 1 << (i & 7);
  }
  if (nulls === n) return makeNullData(type.valueType, n);
  // Null rows take value 0 (any valid index), then are masked by the row validity.
  const taken = takeData(dict, idx);
  if (nulls === 0) return taken;
  // The take may be a zero-copy slice (offset > 0): the validity is laid out from its offset.
  const off = taken.offset;
  const validity = new Uint8Array(((off + n + 63) >>> 6) << 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (((rowValid[i >>> 3]! >>> (i & 7)) & 1) === 1 && taken.isValid(i)) validity[(off + i) >>> 3]! |= 1 << ((off + i) & 7);
    else nullCount++;
  }
  return new ArrayData(taken.type, n, off, nullCount, validity, taken.values, taken.valueOffsets, taken.children);
}

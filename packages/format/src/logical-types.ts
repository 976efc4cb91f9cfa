/**
 * Lance logical type names of the temporal, decimal, binary and dictionary types, and how they are read:
 * each such type is decoded as a storage type the page decoders already know, then re-typed without copying
 * (or, for dictionaries, encoded once more as a dictionary).
 *
 * ```text
 * date32:day  date64:ms  timestamp:<s|ms|us|ns>:<time zone or ->  time32:<s|ms>  time64:<us|ns>  duration:<unit>
 * decimal:128:<precision>:<scale>  decimal:256:<precision>:<scale>  fixed_size_binary:<bytes>
 * large_string  large_binary  dict:<value type>:<index type>:<ordered>
 * ```
 * Example: LanceDB writes an arrow `Timestamp(MICROSECOND, "UTC")` column as `timestamp:us:UTC` and stores
 * its values as 64-bit integers; it is read as Int64 and re-typed `Timestamp<us, UTC>`.
 */
import {
  Binary, CorruptDataError, Date32, Date64, Decimal128, Decimal256, Dictionary, Duration, FixedSizeBinary, FixedSizeList, Field, Int16, Int32, Int64,
  Int8, LargeBinary, LargeUtf8, Time32, Time64, Timestamp, TypeId, Uint16, Uint32, Uint64, Uint8, Utf8, ArrayData, concatData, makeData,
} from '@vego/encoding';
import type { DataType, DictionaryIndexType, TimeUnit } from '@vego/encoding';

const UNITS = ['s', 'ms', 'us', 'ns'];

function indexTypeOf(name: string): DictionaryIndexType | undefined {
  switch (name) {
    case 'int8': return new Int8();
    case 'int16': return new Int16();
    case 'int32': return new Int32();
    case 'int64': return new Int64();
    case 'uint8': return new Uint8();
    case 'uint16': return new Uint16();
    case 'uint32': return new Uint32();
    case 'uint64': return new Uint64();
    default: return undefined;
  }
}

/**
 * The type of a Lance logical type name of the kinds above, or undefined for other names.
 * @param primitive - parses the value type name of a `dict:` type (`string`, `int32`, …).
 */
export function parseLogicalType(lt: string, primitive: (name: string) => DataType | undefined): DataType | undefined {
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
    const value = primitive(parts[1]!) ?? parseLogicalType(parts[1]!, primitive);
    const index = indexTypeOf(parts[2]!);
    if (value === undefined || index === undefined || value.typeId === TypeId.Dictionary) return undefined;
    return new Dictionary(value, index, parts[3] === 'true');
  }
  return undefined;
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
  const v = values.values;
  const o = values.valueOffsets;
  const width = v === null ? 0 : v.BYTES_PER_ELEMENT;
  for (let i = 0; i < n; i++) {
    if (!values.isValid(i)) continue;
    const j = values.offset + i;
    let key: string | number | bigint;
    if (o !== null) key = latin1(v as Uint8Array, o[j]!, o[j + 1]!);
    else if (width === 8) key = (v as BigInt64Array)[j]!;
    else key = Number((v as Int32Array)[j]!);
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

/** The bytes `[begin, end)` as a string of one char per byte (a map key; not text). */
function latin1(bytes: Uint8Array, begin: number, end: number): string {
  let s = '';
  for (let k = begin; k < end; k++) s += String.fromCharCode(bytes[k]!);
  return s;
}

/**
 * The Lance logical type name this library writes for `type` in 2.0 files, or undefined when it does not
 * write it: the temporal types (as their 32/64-bit integers) and LargeUtf8/LargeBinary (as binary pages,
 * whose 2.0 offsets are 64-bit anyway). Decimals, fixed-size binary and dictionaries are not written.
 */
export function writableLogicalType(type: DataType): string | undefined {
  switch (type.typeId) {
    case TypeId.Date32: return 'date32:day';
    case TypeId.Date64: return 'date64:ms';
    case TypeId.Timestamp: return `timestamp:${type.unit}:${type.timezone ?? '-'}`;
    case TypeId.Time32: return `time32:${type.unit}`;
    case TypeId.Time64: return `time64:${type.unit}`;
    case TypeId.Duration: return `duration:${type.unit}`;
    case TypeId.LargeUtf8: return 'large_string';
    case TypeId.LargeBinary: return 'large_binary';
    default: return undefined;
  }
}

/**
 * `data` of a {@link writableLogicalType} re-typed as what its 2.0 pages hold (a view: the same buffers):
 * Int32/Int64 for the temporal types, Utf8/Binary for the large ones. Other data is returned as is.
 */
export function storageForWrite(data: ArrayData): ArrayData {
  const type = data.type;
  if (writableLogicalType(type) === undefined) return data;
  const st = storageType(type);
  return new ArrayData(st, data.length, data.offset, data.validity === null ? 0 : -1, data.validity, data.values, data.valueOffsets, data.children);
}

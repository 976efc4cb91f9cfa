/** Views over ArrayData values as raw lanes. Never exported from the package. */
import { NotSupportedError, TypeId } from '@vego/arrow';
import type { ArrayData, DataType } from '@vego/arrow';

/** Byte width of a fixed-width numeric type (0 for Bool, Utf8, Binary and nested types). */
export function byteWidthOf(type: DataType): number {
  switch (type.typeId) {
    case TypeId.Int8: case TypeId.Uint8: return 1;
    case TypeId.Int16: case TypeId.Uint16: case TypeId.Float16: return 2;
    case TypeId.Int32: case TypeId.Uint32: case TypeId.Float32: return 4;
    case TypeId.Int64: case TypeId.Uint64: case TypeId.Float64: return 8;
    default: return 0;
  }
}

/** True for the integer types (bit-packing applies). */
export function isIntegerType(type: DataType): boolean {
  const t = type.typeId;
  return t >= TypeId.Int8 && t <= TypeId.Uint64;
}

/** True for Int8/16/32/64. */
export function isSignedType(type: DataType): boolean {
  const t = type.typeId;
  return t >= TypeId.Int8 && t <= TypeId.Int64;
}

/** True for Float16/32/64. */
export function isFloatType(type: DataType): boolean {
  const t = type.typeId;
  return t === TypeId.Float16 || t === TypeId.Float32 || t === TypeId.Float64;
}

/** True for Utf8 and Binary. */
export function isBinaryType(type: DataType): boolean {
  return type.typeId === TypeId.Utf8 || type.typeId === TypeId.Binary;
}

/** The bytes of elements `[offset, offset + length)` of fixed-width `data` (view). */
export function valueBytes(data: ArrayData): Uint8Array {
  const w = byteWidthOf(data.type);
  const v = data.values;
  if (w === 0 || v === null) throw new NotSupportedError(`no fixed-width values for ${data.type.toString()}`);
  return new Uint8Array(v.buffer, v.byteOffset + data.offset * w, data.length * w);
}

/** Elements of fixed-width `data` as unsigned lanes of their own width (view): Uint8/16/32, or Uint32 pairs for 64-bit. */
export function lanesOf(data: ArrayData): Uint8Array | Uint16Array | Uint32Array {
  const w = byteWidthOf(data.type);
  const b = valueBytes(data);
  if (w === 1) return b;
  if (w === 2) return new Uint16Array(b.buffer, b.byteOffset, data.length);
  if (w === 4) return new Uint32Array(b.buffer, b.byteOffset, data.length);
  return new Uint32Array(b.buffer, b.byteOffset, data.length * 2);
}

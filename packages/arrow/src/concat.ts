/**
 * Concatenation of ArrayData chunks of one type into a single ArrayData (copy), and all-null arrays of
 * any type. The Lance writer joins small batches into one page with it, the reader joins pages, and a
 * dataset take joins the runs of rows it read before gathering them.
 */
import { ArrayData, makeData } from './data';
import { InternalError, OutOfRangeError } from './errors';
import { takeData } from './take';
import { isPrimitive, TypeId } from './type';
import type { DataType, Dictionary } from './type';

/** Writes bits `[srcBit, srcBit + n)` of `src` into `dst` at bit `dstBit` (dst must be zeroed there). */
function orBitsInto(dst: Uint8Array, dstBit: number, src: Uint8Array, srcBit: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const j = srcBit + i;
    if ((src[j >>> 3]! >>> (j & 7)) & 1) {
      const k = dstBit + i;
      dst[k >>> 3]! |= 1 << (k & 7);
    }
  }
}

/** Sets bits `[dstBit, dstBit + n)` to 1. */
function setBitsRange(dst: Uint8Array, dstBit: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const k = dstBit + i;
    dst[k >>> 3]! |= 1 << (k & 7);
  }
}

/**
 * Joins `chunks` (all of type `type`) into one array (copy; a single chunk is returned as is).
 * @throws InvalidArgumentError (from `makeData`) when a chunk's buffers do not fit its type.
 */
export function concatData(type: DataType, chunks: readonly ArrayData[]): ArrayData {
  if (chunks.length === 1) return chunks[0]!;
  let length = 0;
  let nulls = 0;
  for (const c of chunks) {
    length += c.length;
    nulls += c.nullCount;
  }
  let validity: Uint8Array | null = null;
  if (nulls > 0) {
    validity = new Uint8Array(((length + 63) >>> 6) << 3);
    let at = 0;
    for (const c of chunks) {
      if (c.validity === null) setBitsRange(validity, at, c.length);
      else orBitsInto(validity, at, c.validity, c.offset, c.length);
      at += c.length;
    }
  }
  const id = type.typeId;
  if (id === TypeId.Bool) {
    const values = new Uint8Array(((length + 63) >>> 6) << 3);
    let at = 0;
    for (const c of chunks) {
      orBitsInto(values, at, c.values as Uint8Array, c.offset, c.length);
      at += c.length;
    }
    return makeData({ type, length, validity, nullCount: nulls, values });
  }
  if (isPrimitive(type)) {
    const t = type as { ArrayType: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } };
    const values = new t.ArrayType(length);
    let at = 0;
    for (const c of chunks) {
      const v = c.values as unknown as { subarray(b: number, e: number): ArrayLike<unknown> };
      values.set(v.subarray(c.offset, c.offset + c.length), at);
      at += c.length;
    }
    return makeData({ type, length, validity, nullCount: nulls, values: values as unknown as ArrayBufferView });
  }
  if (id === TypeId.FixedSizeBinary || id === TypeId.Decimal128 || id === TypeId.Decimal256) {
    const w = type.byteWidth;
    const bytes = new Uint8Array(length * w);
    let at = 0;
    for (const c of chunks) {
      bytes.set((c.values as Uint8Array).subarray(c.offset * w, (c.offset + c.length) * w), at * w);
      at += c.length;
    }
    return makeData({ type, length, validity, nullCount: nulls, values: bytes });
  }
  if (id === TypeId.Dictionary) return concatDictionaries(type, chunks, length, validity, nulls);
  if (id === TypeId.Utf8 || id === TypeId.Binary || id === TypeId.LargeUtf8 || id === TypeId.LargeBinary) {
    let total = 0;
    for (const c of chunks) total += c.valueOffsets![c.offset + c.length]! - c.valueOffsets![c.offset]!;
    const bytes = new Uint8Array(total);
    const offsets = new Int32Array(length + 1);
    let at = 0;
    let pos = 0;
    for (const c of chunks) {
      const o = c.valueOffsets!;
      const base = o[c.offset]!;
      const end = o[c.offset + c.length]!;
      bytes.set((c.values as Uint8Array).subarray(base, end), pos);
      for (let i = 0; i < c.length; i++) offsets[at + i + 1] = pos + o[c.offset + i + 1]! - base;
      pos += end - base;
      at += c.length;
    }
    return makeData({ type, length, validity, nullCount: nulls, values: bytes, valueOffsets: offsets });
  }
  if (id === TypeId.FixedSizeList) {
    const d = type.listSize;
    const kids = chunks.map((c) => c.children[0]!.slice(c.offset * d, (c.offset + c.length) * d));
    return makeData({ type, length, validity, nullCount: nulls, children: [concatData(type.child.type, kids)] });
  }
  if (id === TypeId.List) {
    const offsets = new Int32Array(length + 1);
    const kids: ArrayData[] = [];
    let at = 0;
    let pos = 0;
    for (const c of chunks) {
      const o = c.valueOffsets!;
      const base = o[c.offset]!;
      const end = o[c.offset + c.length]!;
      kids.push(c.children[0]!.slice(base, end));
      for (let i = 0; i < c.length; i++) offsets[at + i + 1] = pos + o[c.offset + i + 1]! - base;
      pos += end - base;
      at += c.length;
    }
    return makeData({ type, length, validity, nullCount: nulls, valueOffsets: offsets, children: [concatData(type.child.type, kids)] });
  }
  if (id === TypeId.Struct) {
    const children = type.children.map((f, k) => concatData(f.type, chunks.map((c) => c.children[k]!.slice(c.offset, c.offset + c.length))));
    return makeData({ type, length, validity, nullCount: nulls, children });
  }
  throw new InternalError(`concatData: unhandled type ${(type as DataType).toString()}`);
}

/** An array of `length` nulls of `type` (zeroed buffers, a new array). */
export function makeNullData(type: DataType, length: number): ArrayData {
  const validity = new Uint8Array(((length + 63) >>> 6) << 3);
  const nullCount = length;
  const id = type.typeId;
  if (id === TypeId.Bool) return makeData({ type, length, validity, nullCount, values: new Uint8Array(validity.length) });
  if (isPrimitive(type)) {
    const t = type as { ArrayType: new (n: number) => ArrayBufferView };
    return makeData({ type, length, validity, nullCount, values: new t.ArrayType(length) });
  }
  if (id === TypeId.FixedSizeBinary || id === TypeId.Decimal128 || id === TypeId.Decimal256) {
    return makeData({ type, length, validity, nullCount, values: new Uint8Array(length * type.byteWidth) });
  }
  if (id === TypeId.Dictionary) {
    const ArrayType = type.indexType.ArrayType as unknown as new (n: number) => ArrayBufferView;
    return makeData({ type, length, validity, nullCount, values: new ArrayType(length), children: [makeNullData(type.valueType, 0)] });
  }
  if (id === TypeId.Utf8 || id === TypeId.Binary || id === TypeId.LargeUtf8 || id === TypeId.LargeBinary) return makeData({ type, length, validity, nullCount, values: new Uint8Array(0), valueOffsets: new Int32Array(length + 1) });
  if (id === TypeId.FixedSizeList) return makeData({ type, length, validity, nullCount, children: [makeNullData(type.child.type, length * type.listSize)] });
  if (id === TypeId.List) return makeData({ type, length, validity, nullCount, valueOffsets: new Int32Array(length + 1), children: [makeNullData(type.child.type, 0)] });
  if (id === TypeId.Struct) return makeData({ type, length, validity, nullCount, children: type.children.map((f) => makeNullData(f.type, length)) });
  throw new InternalError(`makeNullData: unhandled type ${(type as DataType).toString()}`);
}

/** How many dictionary values an index type addresses (only the non-negative keys of a signed type). */
function indexCapacity(type: Dictionary): number {
  switch (type.indexType.typeId) {
    case TypeId.Int8: return 128;
    case TypeId.Uint8: return 256;
    case TypeId.Int16: return 32768;
    case TypeId.Uint16: return 65536;
    default: return 0x7fffffff;
  }
}

/**
 * Joins dictionary chunks. When their dictionaries, end to end, fit the index type, they are (each
 * chunk's indices shifted by where its dictionary starts); otherwise (chunks of several fragments or
 * pages, each with its own dictionary) the dictionary holds each value used by a valid row once, told
 * apart by its bytes, since shifted indices would wrap around the index type and name other values.
 * @throws OutOfRangeError when the rows use more distinct values than the index type addresses.
 */
function concatDictionaries(type: Dictionary, chunks: readonly ArrayData[], length: number, validity: Uint8Array | null, nulls: number): ArrayData {
  let total = 0;
  for (const c of chunks) total += c.children[0]!.length;
  const ArrayType = type.indexType.ArrayType as unknown as new (n: number) => (number | bigint)[];
  const indices = new ArrayType(length);
  const big = type.indexType.bitWidth === 64;
  const all = concatData(type.valueType, chunks.map((c) => c.children[0]!));
  if (total <= indexCapacity(type)) {
    let at = 0;
    let base = 0;
    for (const c of chunks) {
      const src = c.values as unknown as ArrayLike<number | bigint>;
      for (let i = 0; i < c.length; i++) {
        const k = Number(src[c.offset + i]!) + base;
        indices[at + i] = big ? BigInt(k) : k;
      }
      at += c.length;
      base += c.children[0]!.length;
    }
    return makeData({ type, length, validity, nullCount: nulls, values: indices as unknown as ArrayBufferView, children: [all] });
  }
  const unique = new Map<string, number>();
  const picked: number[] = [];
  let at = 0;
  let base = 0;
  for (const c of chunks) {
    const src = c.values as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < c.length; i++) {
      if (!c.isValid(i)) continue;
      const k = Number(src[c.offset + i]!) + base;
      const key = valueKey(all, k);
      let u = unique.get(key);
      if (u === undefined) {
        u = picked.length;
        if (u >= indexCapacity(type)) throw new OutOfRangeError(`${type.toString()}: the chunks joined use more than ${u} distinct values, more than its index type addresses`);
        unique.set(key, u);
        picked.push(k);
      }
      indices[at + i] = big ? BigInt(u) : u;
    }
    at += c.length;
    base += c.children[0]!.length;
  }
  return makeData({ type, length, validity, nullCount: nulls, values: indices as unknown as ArrayBufferView, children: [takeData(all, Int32Array.from(picked))] });
}

/** Value `j` of `d` as a map key: its bytes (floats by their bits, so NaN payloads and -0 stay apart), or null. */
function valueKey(d: ArrayData, j: number): string {
  if (!d.isValid(j)) return 'null';
  const k = d.offset + j;
  const v = d.values!;
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let from: number;
  let to: number;
  if (d.valueOffsets !== null) [from, to] = [d.valueOffsets[k]!, d.valueOffsets[k + 1]!];
  else if (d.type.typeId === TypeId.Bool) return (bytes[k >>> 3]! >>> (k & 7)) & 1 ? 'true' : 'false';
  else {
    const w = (d.type as { byteWidth?: number }).byteWidth ?? v.BYTES_PER_ELEMENT;
    [from, to] = [k * w, (k + 1) * w];
  }
  let s = 'v';
  for (let x = from; x < to; x++) s += String.fromCharCode(bytes[x]!);
  return s;
}

import {
  Binary, Bool, Float16, Float32, Float64, Int16, Int32, Int64, Int8, Uint16, Uint32, Uint64, Uint8, Utf8, makeData,
} from '@vego/encoding';
import type { ArrayData, DataType } from '@vego/encoding';

export { seededRandom as rng } from '../../../test-support/random';

export const ALL_TYPES: DataType[] = [
  new Bool(), new Int8(), new Int16(), new Int32(), new Int64(), new Uint8(), new Uint16(), new Uint32(), new Uint64(),
  new Float16(), new Float32(), new Float64(), new Utf8(), new Binary(),
];

/** Random data of `type`; `style` picks the value distribution so every encoding gets exercised. */
export function randomData(type: DataType, n: number, r: () => number, withNulls: boolean, style: 'random' | 'runs' | 'few' = 'random'): ArrayData {
  let validity: Uint8Array | null = null;
  if (withNulls) {
    validity = new Uint8Array((n + 7) >>> 3);
    for (let i = 0; i < n; i++) if (r() < 0.8) validity[i >> 3]! |= 1 << (i & 7);
  }
  const pick = (i: number, prev: number): number => {
    if (style === 'runs') return r() < 0.9 && i > 0 ? prev : r();
    if (style === 'few') return Math.floor(r() * 5) / 5;
    return r();
  };
  if (type.typeId === new Bool().typeId) {
    const bits = new Uint8Array((n + 7) >>> 3);
    let p = 0;
    for (let i = 0; i < n; i++) {
      p = pick(i, p);
      if (p < 0.5) bits[i >> 3]! |= 1 << (i & 7);
    }
    return makeData({ type, length: n, validity, values: bits });
  }
  if (type.typeId === new Utf8().typeId || type.typeId === new Binary().typeId) {
    const offsets = new Int32Array(n + 1);
    const parts: number[] = [];
    let p = 0;
    for (let i = 0; i < n; i++) {
      p = pick(i, p);
      const len = Math.floor(p * 12);
      const seed = Math.floor(p * 1e6);
      for (let k = 0; k < len; k++) parts.push(97 + ((seed + k * 7) % 26));
      offsets[i + 1] = parts.length;
    }
    return makeData({ type, length: n, validity, values: Uint8Array.from(parts), valueOffsets: offsets });
  }
  const Ctor = (type as unknown as { ArrayType: new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint } }).ArrayType;
  const values = new Ctor(n);
  const bits = (type as unknown as { bitWidth: number }).bitWidth;
  const big = bits === 64;
  const isFloat = type.typeId === new Float32().typeId || type.typeId === new Float64().typeId;
  let p = 0;
  for (let i = 0; i < n; i++) {
    p = pick(i, p);
    if (isFloat) values[i] = (p - 0.5) * 1e6;
    else if (big) values[i] = BigInt.asIntN(64, BigInt(Math.floor(p * 2 ** 52)) * 4099n - 2n ** 62n) & (type.typeId === new Uint64().typeId ? 0xffffffffffffffffn : -1n);
    else values[i] = Math.floor(p * 2 ** bits) - (type.typeId === new Int32().typeId ? 2 ** 31 : 0);
  }
  return makeData({ type, length: n, validity, values: values as unknown as ArrayBufferView });
}

/** Asserts two arrays hold the same valid elements, bit for bit, and the same validity. */
export function expectSameData(a: ArrayData, b: ArrayData): void {
  expect(b.length).toBe(a.length);
  expect(b.nullCount).toBe(a.nullCount);
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const va = a.isValid(i);
    if (va !== b.isValid(i)) throw new Error(`validity differs at ${i}`);
    if (!va) continue;
    if (!sameElement(a, b, i)) throw new Error(`element ${i} differs`);
  }
}

function sameElement(a: ArrayData, b: ArrayData, i: number): boolean {
  const t = a.type.typeId;
  if (t === new Bool().typeId) {
    const ja = a.offset + i;
    const jb = b.offset + i;
    const x = ((a.values as Uint8Array)[ja >> 3]! >> (ja & 7)) & 1;
    const y = ((b.values as Uint8Array)[jb >> 3]! >> (jb & 7)) & 1;
    return x === y;
  }
  if (a.valueOffsets !== null) {
    const ao = a.valueOffsets;
    const bo = b.valueOffsets!;
    const sa = (a.values as Uint8Array).subarray(ao[a.offset + i]!, ao[a.offset + i + 1]!);
    const sb = (b.values as Uint8Array).subarray(bo[b.offset + i]!, bo[b.offset + i + 1]!);
    return sa.length === sb.length && sa.every((x, k) => x === sb[k]);
  }
  const w = a.values!.BYTES_PER_ELEMENT;
  const ba = new Uint8Array(a.values!.buffer, a.values!.byteOffset + (a.offset + i) * w, w);
  const bb = new Uint8Array(b.values!.buffer, b.values!.byteOffset + (b.offset + i) * w, w);
  return ba.every((x, k) => x === bb[k]);
}

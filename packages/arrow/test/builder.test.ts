import {
  Bool, Field, FixedSizeList, Float16, Float32, Int16, Int32, Int64, Int8, List, Struct, Uint32, Uint64, Uint8, Utf8,
  makeBuilder, float16ToNumber,
} from '@vego/arrow';
import { seededRandom } from '@vego/test-support';

const code = (c: string) => expect.objectContaining({ code: c });

describe('builders', () => {
  it('grow across many appends with nulls and 64-byte padded buffers', () => {
    const r = seededRandom(3);
    const b = makeBuilder(new Float32());
    const expected: (number | null)[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (i % 97 === 5) { b.appendNull(); expected.push(null); } else { const x = Math.fround(r()); b.append(x); expected.push(x); }
    }
    expect(b.length).toBe(100_000);
    const v = b.finish();
    expect(v.length).toBe(100_000);
    expect(v.nullCount).toBe(expected.filter((x) => x === null).length);
    expect(v.toArray()).toEqual(expected);
    expect(v.values.byteOffset).toBe(0);
    expect(v.values.byteLength % 64).toBe(0);
    expect(v.validity!.byteLength % 64).toBe(0);
    expect(b.length).toBe(0);
  });

  it('leave the validity bitmap out when there are no nulls', () => {
    const v = makeBuilder(new Int32()).append(1).append(2).finish();
    expect(v.validity).toBeNull();
    expect(v.data.validity).toBeNull();
    expect(v.nullCount).toBe(0);
  });

  it('marks earlier values valid when the first null comes late', () => {
    const b = makeBuilder(new Int16());
    for (let i = 0; i < 21; i++) b.append(i);
    b.appendNull().append(7);
    const v = b.finish();
    expect(v.toArray()).toEqual([...Array.from({ length: 21 }, (_, i) => i), null, 7]);
  });

  it('appendMany copies TypedArrays in bulk and mixes with single appends', () => {
    const b = makeBuilder(new Int32());
    b.append(1).appendNull();
    b.appendMany(new Int32Array(1000).map((_, i) => i * 2));
    b.appendMany([5, null, 6]);
    const v = b.finish();
    expect(v.length).toBe(1005);
    expect(v.get(2)).toBe(0);
    expect(v.get(1001)).toBe(1998);
    expect(v.toArray().slice(-3)).toEqual([5, null, 6]);
    expect(v.nullCount).toBe(2);
  });

  it('builds 64-bit integers from bigints, safe integers and BigInt64Arrays', () => {
    const b = makeBuilder(new Int64());
    b.append(-(2n ** 63n)).append(42).appendNull().appendMany(new BigInt64Array([2n ** 63n - 1n]));
    expect(b.finish().toArray()).toEqual([-(2n ** 63n), 42n, null, 2n ** 63n - 1n]);
    expect(() => makeBuilder(new Int64()).append(2n ** 63n)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => makeBuilder(new Uint64()).append(-1n)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => makeBuilder(new Int64()).append(1.5)).toThrow(code('VEGO_TYPE_MISMATCH'));
    expect(makeBuilder(new Uint64()).appendMany(new BigUint64Array([2n ** 64n - 1n])).finish().get(0)).toBe(2n ** 64n - 1n);
  });

  it('rejects values that do not fit the type', () => {
    expect(() => makeBuilder(new Int8()).append(128)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => makeBuilder(new Uint8()).append(-1)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => makeBuilder(new Uint32()).append(1.5)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => makeBuilder(new Float32()).append('1' as never)).toThrow(code('VEGO_TYPE_MISMATCH'));
    expect(() => makeBuilder(new Utf8()).append(1 as never)).toThrow(code('VEGO_TYPE_MISMATCH'));
    expect(() => makeBuilder(new Bool()).append(1 as never)).toThrow(code('VEGO_TYPE_MISMATCH'));
    expect(() => makeBuilder(new Int32(), { nullable: false }).appendNull()).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeBuilder({ typeId: 99 } as never)).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });

  it('builds Bool from booleans and 0/1 bytes', () => {
    const b = makeBuilder(new Bool());
    b.append(true).appendNull().appendMany(new Uint8Array([0, 1, 2, 0, 1, 1, 0, 1, 1]));
    expect(b.finish().toArray()).toEqual([true, null, false, true, true, false, true, true, false, true, true]);
  });

  it('builds Utf8 with growth past many strings and non-ASCII text', () => {
    const b = makeBuilder(new Utf8());
    const expected: (string | null)[] = [];
    for (let i = 0; i < 5000; i++) {
      const s = i % 11 === 0 ? null : i % 3 === 0 ? `ünïcode-${i}-😀` : `s${i}`;
      b.append(s);
      expected.push(s);
    }
    const v = b.finish();
    expect(v.toArray()).toEqual(expected);
    expect(v.valueOffsets.byteLength % 64).toBe(0);
    expect(v.values.byteLength % 64).toBe(0);
  });

  it('builds Float16 from numbers and raw bits', () => {
    const b = makeBuilder(new Float16());
    b.append(1.5).appendNull().appendMany(new Uint16Array([0x3c00, 0x7c00]));
    b.appendBits(0xc000);
    const v = b.finish();
    expect(v.toArray()).toEqual([1.5, null, 1, Infinity, -2]);
    expect(float16ToNumber(v.values[0]!)).toBe(1.5);
  });

  it('builds FixedSizeList rows one by one and from a flat TypedArray', () => {
    const b = makeBuilder(new FixedSizeList(new Field('item', new Float32()), 3));
    b.append([1, 2, 3]).appendNull().appendMany(new Float32Array([4, 5, 6, 7, 8, 9]));
    const v = b.finish();
    expect(v.length).toBe(4);
    expect(v.data.children[0]!.length).toBe(12);
    expect(v.get(1)).toBeNull();
    expect(Array.from(v.get(3)!)).toEqual([7, 8, 9]);
    expect(() => makeBuilder(new FixedSizeList(new Field('item', new Float32()), 3)).append([1, 2])).toThrow(code('VEGO_LENGTH_MISMATCH'));
    expect(() => makeBuilder(new FixedSizeList(new Field('item', new Float32()), 3)).appendMany(new Float32Array(4))).toThrow(code('VEGO_LENGTH_MISMATCH'));
  });

  it('builds Lists and Structs with nulls at both levels', () => {
    const lb = makeBuilder(new List(new Field('item', new Int32())));
    lb.append([1, null, 3]).appendNull().append(new Int32Array([4, 5])).append([]);
    const l = lb.finish();
    expect(l.child.toArray()).toEqual([1, null, 3, 4, 5]);
    expect(Array.from(l.data.valueOffsets!.subarray(0, 5))).toEqual([0, 3, 3, 5, 5]);
    const sb = makeBuilder(new Struct([new Field('a', new Int32(), false), new Field('b', new Utf8())]));
    sb.append({ a: 1, b: 'x' }).appendNull().append({ a: 2 });
    expect(() => sb.append({ b: 'no a' })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(sb.length).toBe(3);
    const s = sb.finish();
    expect(s.toArray()).toEqual([{ a: 1, b: 'x' }, null, { a: 2, b: null }]);
  });

  it('can be reused after finish without sharing buffers', () => {
    const b = makeBuilder(new Int32());
    const first = b.append(1).finish();
    const second = b.append(2).finish();
    expect(first.get(0)).toBe(1);
    expect(second.get(0)).toBe(2);
    expect(first.values.buffer).not.toBe(second.values.buffer);
  });
});

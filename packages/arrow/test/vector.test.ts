import {
  Binary, Bool, Field, FixedSizeList, Float16, Float32, Float64, Int32, Int64, List, Struct, Uint64, Utf8,
  fixedSizeListFromFloat32, makeData, makeVector, utf8FromStrings, vectorFrom, vectorFromTypedArray, numberToFloat16, float16ToNumber,
} from '@vego/arrow';

const code = (c: string) => expect.objectContaining({ code: c });

describe('numeric vectors', () => {
  it('wrap TypedArrays without copying and read numbers, bigints and nulls', () => {
    const values = new Float32Array([1.5, NaN, -0, Infinity, -Infinity]);
    const v = vectorFromTypedArray(values, new Uint8Array([0b11101]));
    expect(v.values).toBe(values);
    expect(v.type.toString()).toBe('Float32');
    expect(v.get(0)).toBe(1.5);
    expect(v.get(1)).toBeNull();
    expect(Object.is(v.get(2), -0)).toBe(true);
    expect(v.get(3)).toBe(Infinity);
    expect(v.get(4)).toBe(-Infinity);
    expect(v.isValid(1)).toBe(false);
    expect(v.nullCount).toBe(1);
    const big = vectorFromTypedArray(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]));
    expect(big.type.equals(new Int64())).toBe(true);
    expect(big.get(0)).toBe(-(2n ** 63n));
    expect(vectorFromTypedArray(new BigUint64Array([2n ** 64n - 1n])).get(0)).toBe(2n ** 64n - 1n);
    expect(vectorFromTypedArray(new BigUint64Array(1)).type.equals(new Uint64())).toBe(true);
  });

  it('throws OutOfRangeError for indices outside [0, length)', () => {
    const v = vectorFromTypedArray(new Int32Array([1, 2, 3])).slice(1);
    expect(v.get(1)).toBe(3);
    for (const i of [-1, 2, 1.5, NaN]) expect(() => v.get(i)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => v.isValid(5)).toThrow(code('VEGO_OUT_OF_RANGE'));
  });

  it('exposes valueOffset, view and toTypedArray over a slice of a slice', () => {
    const v = vectorFromTypedArray(new Float64Array([0, 1, 2, 3, 4, 5, 6, 7]));
    const s = v.slice(2, 7).slice(1, 4);
    expect(s.length).toBe(3);
    expect(s.valueOffset(0)).toBe(3);
    expect(s.values[s.valueOffset(2)]).toBe(5);
    const view = s.view();
    expect(view.buffer).toBe(v.values.buffer);
    expect(Array.from(view)).toEqual([3, 4, 5]);
    const copy = s.toTypedArray();
    copy[0] = 99;
    expect(s.get(0)).toBe(3);
    expect(s.toArray()).toEqual([3, 4, 5]);
    expect([...s]).toEqual([3, 4, 5]);
  });

  it('decodes Float16 bits and rounds numbers to half precision', () => {
    const samples = [0, -0, 1, -2, 0.5, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, 1 / 3, 1e6, 1e-9];
    const bits = Uint16Array.from(samples, numberToFloat16);
    const v = makeVector(makeData({ type: new Float16(), length: bits.length, values: bits }));
    expect(v.get(0)).toBe(0);
    expect(Object.is(v.get(1), -0)).toBe(true);
    expect(v.get(5)).toBe(65504);
    expect(v.get(6)).toBe(2 ** -24);
    expect(v.get(8)).toBe(Infinity);
    expect(v.get(10)).toBeCloseTo(1 / 3, 3);
    expect(v.get(11)).toBe(Infinity);
    expect(v.get(12)).toBe(0);
    expect(float16ToNumber(numberToFloat16(NaN))).toBeNaN();
    // Every finite half value survives a round trip through numbers.
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      expect(numberToFloat16(float16ToNumber(h))).toBe(h);
    }
  });
});

describe('Bool, Utf8 and Binary vectors', () => {
  it('read bits with an offset', () => {
    const v = makeVector(makeData({ type: new Bool(), length: 10, values: new Uint8Array([0b10100101, 0b10]) }));
    expect(v.toArray()).toEqual([true, false, true, false, false, true, false, true, false, true]);
    expect(v.slice(5).toArray()).toEqual([true, false, true, false, true]);
  });

  it('decode strings and expose byte views', () => {
    const v = utf8FromStrings(['', 'abc', null, 'héllo', '日本', '🎉']);
    expect(v.toArray()).toEqual(['', 'abc', null, 'héllo', '日本', '🎉']);
    expect(v.getBytes(1)!.buffer).toBe(v.values.buffer);
    expect(Array.from(v.getBytes(1)!)).toEqual([97, 98, 99]);
    expect(v.valueEnd(3) - v.valueOffset(3)).toBe(6);
    const s = v.slice(3).slice(1);
    expect(s.toArray()).toEqual(['日本', '🎉']);
    expect(s.getBytes(0)!.length).toBe(6);
  });

  it('returns Binary elements as views', () => {
    const v = vectorFrom(new Binary(), [new Uint8Array([1, 2]), null, new Uint8Array(0)]);
    expect(v.get(0)!.buffer).toBe(v.values.buffer);
    expect(Array.from(v.get(0)!)).toEqual([1, 2]);
    expect(v.get(1)).toBeNull();
    expect(v.get(2)!.length).toBe(0);
  });
});

describe('nested vectors', () => {
  it('return FixedSizeList rows as subarray views of the flat values', () => {
    const flat = new Float32Array(12).map((_, i) => i);
    const v = fixedSizeListFromFloat32(flat, 4);
    expect(v.length).toBe(3);
    expect(v.values).toBe(flat);
    const row = v.get(1)!;
    expect(row.buffer).toBe(flat.buffer);
    expect(Array.from(row)).toEqual([4, 5, 6, 7]);
    const s = v.slice(1).slice(1);
    expect(Array.from(s.get(0)!)).toEqual([8, 9, 10, 11]);
    expect(s.values![s.valueOffset(0) + 3]).toBe(11);
    expect(() => fixedSizeListFromFloat32(flat, 5)).toThrow(code('VEGO_LENGTH_MISMATCH'));
    expect(() => fixedSizeListFromFloat32(flat, 0)).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });

  it('honour the child offset of a FixedSizeList over a sliced child', () => {
    const child = makeData({ type: new Float32(), length: 6, values: new Float32Array([9, 9, 1, 2, 3, 4]) }).slice(2);
    const v = makeVector(makeData({ type: new FixedSizeList(new Field('item', new Float32()), 2), length: 2, children: [child] }));
    expect(Array.from(v.get(1)!)).toEqual([3, 4]);
    expect(v.valueOffset(1)).toBe(4);
  });

  it('read List<Int32> as views and List<Utf8> as vector slices', () => {
    const ints = vectorFrom(new List(new Field('item', new Int32())), [[1, 2, 3], null, [], [4]]);
    expect(Array.from(ints.get(0)!)).toEqual([1, 2, 3]);
    expect(ints.get(1)).toBeNull();
    expect(ints.get(2)!.length).toBe(0);
    expect(Array.from(ints.slice(3).get(0)!)).toEqual([4]);
    expect(ints.valueEnd(0) - ints.valueOffset(0)).toBe(3);
    const strs = vectorFrom(new List(new Field('item', new Utf8())), [['a', null], ['b']]);
    expect(strs.get(0)!.toArray()).toEqual(['a', null]);
    expect(strs.slice(1).get(0)!.toArray()).toEqual(['b']);
  });

  it('read Struct rows as objects and children aligned with sliced rows', () => {
    const type = new Struct([new Field('x', new Float64()), new Field('tag', new Utf8())]);
    const v = vectorFrom(type, [{ x: 1, tag: 'a' }, null, { x: -0, tag: null }, { x: 4, tag: 'd' }]);
    expect(v.get(0)).toEqual({ x: 1, tag: 'a' });
    expect(v.get(1)).toBeNull();
    expect(v.nullCount).toBe(1);
    const s = v.slice(2);
    expect(s.get(1)).toEqual({ x: 4, tag: 'd' });
    expect(s.child('tag')!.toArray()).toEqual([null, 'd']);
    expect(s.childAt(0).length).toBe(2);
    expect(s.child('nope')).toBeNull();
    expect(() => s.childAt(5)).toThrow(code('VEGO_OUT_OF_RANGE'));
  });
});

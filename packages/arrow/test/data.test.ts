import {
  Binary, Bool, Field, FixedSizeList, Float32, Float64, Int32, Int64, List, Struct, Utf8, makeData, makeVector, countSetBits,
  copyBits, paddedByteLength, allocateAligned,
} from '@vego/arrow';

const code = (c: string) => expect.objectContaining({ code: c });

describe('makeData', () => {
  it('counts nulls from the bitmap and drops an all-valid bitmap', () => {
    const values = new Int32Array([1, 2, 3, 4, 5]);
    const d = makeData({ type: new Int32(), length: 5, values, validity: new Uint8Array([0b10101]) });
    expect(d.nullCount).toBe(2);
    expect(d.values).toBe(values);
    const all = makeData({ type: new Int32(), length: 5, values, validity: new Uint8Array([0xff]) });
    expect(all.nullCount).toBe(0);
    expect(all.validity).toBeNull();
  });

  it('rejects buffers that are too short with InvalidArgumentError', () => {
    expect(() => makeData({ type: new Float32(), length: 4, values: new Float32Array(3) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Float32(), length: 2, offset: 1, values: new Float32Array(2) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Int32(), length: 9, values: new Int32Array(9), validity: new Uint8Array(1), nullCount: 1 })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Utf8(), length: 3, values: new Uint8Array(3), valueOffsets: new Int32Array([0, 1, 2]) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Utf8(), length: 2, values: new Uint8Array(3), valueOffsets: new Int32Array([0, 1, 9]) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Bool(), length: 9, values: new Uint8Array(1) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Float64(), length: 1 })).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });

  it('rejects decreasing or negative offsets', () => {
    expect(() => makeData({ type: new Binary(), length: 2, values: new Uint8Array(4), valueOffsets: new Int32Array([0, 3, 2]) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Binary(), length: 1, values: new Uint8Array(4), valueOffsets: new Int32Array([-1, 2]) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });

  it('rejects wrong buffer types and child types with TypeMismatchError', () => {
    expect(() => makeData({ type: new Int64(), length: 2, values: new Int32Array(4) })).toThrow(code('VEGO_TYPE_MISMATCH'));
    const ints = makeData({ type: new Int32(), length: 2, values: new Int32Array(2) });
    expect(() => makeData({ type: new FixedSizeList(new Field('item', new Float32()), 2), length: 1, children: [ints] })).toThrow(code('VEGO_TYPE_MISMATCH'));
  });

  it('rejects bad lengths, counts and child counts', () => {
    expect(() => makeData({ type: new Int32(), length: -1, values: new Int32Array(0) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Int32(), length: 1.5, values: new Int32Array(2) })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Int32(), length: 2, values: new Int32Array(2), nullCount: 1 })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData({ type: new Struct([new Field('a', new Int32())]), length: 0, children: [] })).toThrow(code('VEGO_LENGTH_MISMATCH'));
    const short = makeData({ type: new Int32(), length: 1, values: new Int32Array(1) });
    expect(() => makeData({ type: new List(new Field('item', new Int32())), length: 1, valueOffsets: new Int32Array([0, 2]), children: [short] })).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => makeData(null as never)).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });

  it('reinterprets an aligned byte view without copying and copies an unaligned one', () => {
    const buf = new ArrayBuffer(20);
    new Float32Array(buf, 4, 2).set([1.5, -2]);
    const aligned = makeData({ type: new Float32(), length: 2, values: new Uint8Array(buf, 4, 8) });
    expect(aligned.values!.buffer).toBe(buf);
    expect(Array.from(aligned.values as Float32Array)).toEqual([1.5, -2]);
    const bytes = new Uint8Array(13);
    bytes.set(new Uint8Array(new Float32Array([3.25, 7]).buffer), 1);
    const unaligned = makeData({ type: new Float32(), length: 2, values: bytes.subarray(1, 9) });
    expect(unaligned.values!.buffer).not.toBe(bytes.buffer);
    expect(Array.from(unaligned.values as Float32Array)).toEqual([3.25, 7]);
  });

  it('accepts empty arrays without buffers', () => {
    for (const type of [new Int32(), new Utf8(), new Bool(), new List(new Field('item', new Int32()))]) {
      expect(makeData({ type, length: 0, children: type.typeId === 16 ? [makeData({ type: new Int32(), length: 0 })] : undefined }).length).toBe(0);
    }
  });
});

describe('ArrayData.slice', () => {
  it('shares buffers, moves the offset and recounts nulls lazily', () => {
    const values = new Int32Array(20).map((_, i) => i);
    const validity = new Uint8Array([0b11110000, 0xff, 0b00001111]);
    const d = makeData({ type: new Int32(), length: 20, values, validity });
    expect(d.nullCount).toBe(4);
    const s = d.slice(2, 12);
    expect(s.values).toBe(values);
    expect(s.offset).toBe(2);
    expect(s.length).toBe(10);
    expect(s.nullCount).toBe(2);
    const ss = s.slice(3, -2);
    expect(ss.offset).toBe(5);
    expect(ss.length).toBe(5);
    expect(ss.nullCount).toBe(0);
    expect(makeVector(ss).toArray()).toEqual([5, 6, 7, 8, 9]);
    expect(d.slice(-3).offset).toBe(17);
    expect(d.slice(30, 40).length).toBe(0);
    expect(() => d.slice(0.5)).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });
});

describe('bitmaps and buffers', () => {
  it('counts set bits over unaligned ranges', () => {
    const bits = new Uint8Array([0xff, 0x0f, 0xf0, 0x01]);
    expect(countSetBits(bits, 0, 32)).toBe(17);
    expect(countSetBits(bits, 3, 13)).toBe(9);
    expect(countSetBits(bits, 12, 20)).toBe(0);
    expect(countSetBits(bits, 12, 24)).toBe(4);
    expect(countSetBits(bits, 5, 5)).toBe(0);
  });

  it('copies bits to a new bitmap starting at bit 0', () => {
    const bits = new Uint8Array([0b10110100, 0b00000011]);
    const out = copyBits(bits, 2, 9);
    expect(out.byteLength).toBe(64);
    expect(out[0]).toBe(0b11101101);
    expect(out[1]).toBe(0b0);
    expect(copyBits(bits, 8, 1)[0]).toBe(1);
  });

  it('pads the copy to the asked multiple of bytes (64 by default, 8 for Lance pages, 1 for exact), zeros past the bits', () => {
    const bits = new Uint8Array([0xff, 0xff, 0xff]);
    for (const [pad, aligned, shifted] of [[64, 64, 64], [8, 8, 8], [1, 2, 2]] as const) {
      const a = copyBits(bits, 8, 9, pad);
      expect([pad, a.byteLength]).toEqual([pad, aligned]);
      expect(Array.from(a.subarray(0, 2))).toEqual([0xff, 1]);
      const b = copyBits(bits, 3, 9, pad);
      expect([pad, b.byteLength]).toEqual([pad, shifted]);
      expect(Array.from(b.subarray(0, 2))).toEqual([0xff, 1]);
    }
    expect(copyBits(bits, 0, 0, 1).byteLength).toBe(0);
    expect(copyBits(new Uint8Array(16), 0, 65, 8).byteLength).toBe(16);
  });

  it('pads allocations to 64 bytes at offset 0', () => {
    expect(paddedByteLength(0)).toBe(0);
    expect(paddedByteLength(1)).toBe(64);
    expect(paddedByteLength(65)).toBe(128);
    const a = allocateAligned(Float64Array, 9);
    expect(a.byteOffset).toBe(0);
    expect(a.byteLength).toBe(128);
    expect(() => allocateAligned(Float64Array, -1)).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });
});

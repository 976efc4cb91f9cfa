/**
 * Every decoder bounds its output by what its input can hold and by the caller's limits, and refuses
 * before allocating (issue 12 item 3: `decodeBitPacked(bytes, 2 ** 31, 0)` allocated 8 GiB).
 * Each hostile case must throw at once: none of them may allocate what the header claims.
 */
import {
  CorruptDataError, DEFAULT_MAX_OUTPUT_BYTES, InvalidArgumentError, Int32, Int64, Uint8, Utf8,
  applyDictionaryBinary, decodeArray, decodeBitPacked, decodeBitPacked64, decodeByteStreamSplit, decodeRle,
  encodeRle, getDefaultDecodeLimits, setDefaultDecodeLimits,
} from '@vego/encoding';
import type { EncodedArray } from '@vego/encoding';

const u32le = (...values: number[]): Uint8Array => {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(i * 4, v, true));
  return out;
};

describe('decodeBitPacked limits', () => {
  it('refuses bit width 0 with 2^31 values under the default limit (regression: 8 GiB allocation)', () => {
    expect(() => decodeBitPacked(new Uint8Array(0), 2 ** 31, 0)).toThrow(CorruptDataError);
    expect(() => decodeBitPacked(new Uint8Array(0), 2 ** 32, 0)).toThrow(/default limit/);
    expect(() => decodeBitPacked64(new Uint8Array(0), 2 ** 31, 0)).toThrow(CorruptDataError);
  });

  it('honours maxValues and maxOutputBytes, and decodes up to them', () => {
    expect(Array.from(decodeBitPacked(new Uint8Array(0), 5, 0, undefined, { maxValues: 5 }))).toEqual([0, 0, 0, 0, 0]);
    expect(() => decodeBitPacked(new Uint8Array(0), 6, 0, undefined, { maxValues: 5 })).toThrow(/maxValues/);
    expect(() => decodeBitPacked(new Uint8Array(4), 4, 8, undefined, { maxOutputBytes: 15 })).toThrow(/maxOutputBytes/);
    expect(decodeBitPacked(new Uint8Array(4), 4, 8, undefined, { maxOutputBytes: 16 }).length).toBe(4);
    expect(() => decodeBitPacked64(new Uint8Array(0), 3, 0, undefined, { maxOutputBytes: 23 })).toThrow(CorruptDataError);
  });

  it('needs no limit when the caller supplies the output', () => {
    const out = new Uint32Array(3).fill(7);
    expect(Array.from(decodeBitPacked(new Uint8Array(0), 3, 0, out, { maxValues: 0 }))).toEqual([0, 0, 0]);
  });

  it('rejects malformed limits with InvalidArgumentError', () => {
    expect(() => decodeBitPacked(new Uint8Array(0), 1, 0, undefined, { maxValues: -1 })).toThrow(InvalidArgumentError);
    expect(() => decodeBitPacked(new Uint8Array(0), 1, 0, undefined, { maxOutputBytes: 1.5 })).toThrow(InvalidArgumentError);
  });
});

describe('decodeRle limits', () => {
  it('refuses one run claiming 2^31 values before allocating', () => {
    const hostile = new Uint8Array([...u32le(1, 2 ** 31), 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => decodeRle(hostile, 2 ** 31, 8)).toThrow(CorruptDataError);
    expect(() => decodeRle(hostile, 2 ** 31, 1, { maxValues: 1000 })).toThrow(/maxValues/);
  });

  it('checks the run lengths against the count before allocating', () => {
    // count 2^31 (what a hostile description says), runs cover only 5.
    const runs = new Uint8Array([...u32le(1, 5), 9]);
    expect(() => decodeRle(runs, 2 ** 31 - 1, 1)).toThrow(/RLE run lengths/);
    // Runs that overflow 32 bits when summed.
    const many = new Uint8Array([...u32le(2, 0xffffffff, 0xffffffff), 1, 2]);
    expect(() => decodeRle(many, 10, 1)).toThrow(CorruptDataError);
  });

  it('still decodes within the limits', () => {
    const enc = encodeRle(new Uint8Array([7, 7, 7, 9, 9]));
    expect(Array.from(decodeRle(enc, 5, 1, { maxValues: 5 }))).toEqual([7, 7, 7, 9, 9]);
    expect(() => decodeRle(enc, 5, 1, { maxValues: 4 })).toThrow(CorruptDataError);
  });
});

describe('decodeByteStreamSplit and applyDictionaryBinary limits', () => {
  it('byte-stream split answers to maxOutputBytes', () => {
    expect(() => decodeByteStreamSplit(new Uint8Array(16), 4, 4, undefined, { maxOutputBytes: 8 })).toThrow(CorruptDataError);
    expect(decodeByteStreamSplit(new Uint8Array(16), 4, 4, undefined, { maxOutputBytes: 16 }).length).toBe(16);
  });

  it('refuses a dictionary expansion over the limit before allocating the bytes', () => {
    // One 1 MiB entry referenced 300 times would expand to 300 MiB, over the 256 MiB default.
    const entry = 1 << 20;
    const dictOffsets = new Int32Array([0, entry]);
    const dictBytes = new Uint8Array(entry);
    expect(() => applyDictionaryBinary(dictOffsets, dictBytes, new Uint32Array(300))).toThrow(/default limit/);
    expect(() => applyDictionaryBinary(dictOffsets, dictBytes, new Uint32Array(3), { maxOutputBytes: 2 * entry })).toThrow(CorruptDataError);
    expect(applyDictionaryBinary(dictOffsets, dictBytes, new Uint32Array(2), { maxOutputBytes: 2 * entry }).bytes.length).toBe(2 * entry);
  });
});

describe('decodeArray limits', () => {
  const hostile = (encoding: EncodedArray['encoding'], buffers: Uint8Array[], length = 2 ** 31 - 1): EncodedArray =>
    ({ encoding, buffers: [new Uint8Array(0), ...buffers], length, nullCount: 0 });

  it('refuses hostile lengths of RLE, bit width 0 and dictionary arrays', () => {
    const oneRun = new Uint8Array([...u32le(1, 2 ** 31 - 1), 0, 0, 0, 0]);
    expect(() => decodeArray(hostile({ kind: 'rle' }, [oneRun]), new Int32())).toThrow(CorruptDataError);
    expect(() => decodeArray(hostile({ kind: 'bitpacked', bitWidth: 0, reference: '5' }, [new Uint8Array(0)]), new Int64())).toThrow(CorruptDataError);
    expect(() => decodeArray(hostile({ kind: 'dictionary', dictionaryLength: 1, indices: 'bitpacked', indexBitWidth: 0 }, [new Uint8Array(1), new Uint8Array(0)]), new Uint8())).toThrow(CorruptDataError);
    // 1000 strings of one 1 MiB dictionary entry: 4 KB of offsets pass, the 1 GiB of bytes does not.
    const entry = 1 << 20;
    expect(() => decodeArray(hostile({ kind: 'dictionary', dictionaryLength: 1, indices: 'bitpacked', indexBitWidth: 0 }, [u32le(0, entry), new Uint8Array(entry), new Uint8Array(0)], 1000), new Utf8())).toThrow(/dictionary expansion/);
  });

  it('applies the caller limits and keeps malformed limits as InvalidArgumentError', () => {
    const small = hostile({ kind: 'bitpacked', bitWidth: 0, reference: '5' }, [new Uint8Array(0)], 10);
    expect(Array.from(decodeArray(small, new Int32(), { maxValues: 10 }).values as Int32Array)).toEqual(new Array(10).fill(5));
    expect(() => decodeArray(small, new Int32(), { maxValues: 9 })).toThrow(CorruptDataError);
    expect(() => decodeArray(small, new Int32(), { maxValues: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('the module-level default', () => {
  it('is 256 MiB, can be changed and is validated', () => {
    expect(getDefaultDecodeLimits().maxOutputBytes).toBe(DEFAULT_MAX_OUTPUT_BYTES);
    expect(DEFAULT_MAX_OUTPUT_BYTES).toBe(256 * 1024 * 1024);
    try {
      setDefaultDecodeLimits({ maxOutputBytes: 64 });
      expect(() => decodeBitPacked(new Uint8Array(0), 17, 0)).toThrow(CorruptDataError);
      expect(decodeBitPacked(new Uint8Array(0), 16, 0).length).toBe(16);
      expect(() => setDefaultDecodeLimits({ maxOutputBytes: -5 })).toThrow(InvalidArgumentError);
      expect(() => setDefaultDecodeLimits({ maxOutputBytes: 5, maxValues: 3 } as never)).toThrow(InvalidArgumentError);
    } finally {
      setDefaultDecodeLimits({ maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES });
    }
  });
});

import {
  CorruptDataError, applyDictionary32, buildDictionary32, buildDictionary64, buildDictionaryBinary, applyDictionaryBinary,
  decodeBitPacked, decodeBitPacked64, decodeByteStreamSplit, decodeRle, encodeBitPacked, encodeBitPacked64,
  encodeByteStreamSplit, encodeRle, frameOfReference32, frameOfReference64, undoFrameOfReference32, undoFrameOfReference64,
  InvalidArgumentError,
} from '@vego/encoding';
import { rng } from './helpers';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('bit-packing', () => {
  it('matches the worked example bytes', () => {
    expect(hex(encodeBitPacked(new Uint32Array([1, 2, 3, 4, 5]), 3))).toBe('d1 58');
    expect(Array.from(decodeBitPacked(new Uint8Array([0xd1, 0x58]), 5, 3))).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([0, 1, 2, 7, 8, 13, 31, 32])('round-trips width %i at block edges', (w) => {
    const r = rng(w + 1);
    for (const n of [0, 1, 1023, 1024, 1025, 3000]) {
      const v = new Uint32Array(n);
      for (let i = 0; i < n; i++) v[i] = Math.floor(r() * 2 ** 32) & (w === 32 ? 0xffffffff : (2 ** w - 1));
      const packed = encodeBitPacked(v, w);
      expect(packed.length).toBe(Math.ceil((n * w) / 8));
      expect(decodeBitPacked(packed, n, w)).toEqual(v);
    }
  });

  it.each([0, 1, 31, 32, 33, 40, 63, 64])('round-trips 64-bit width %i', (w) => {
    const r = rng(100 + w);
    for (const n of [0, 1, 1024, 1025]) {
      const words = new Uint32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const lo = Math.floor(r() * 2 ** 32);
        const hi = Math.floor(r() * 2 ** 32);
        words[2 * i] = w >= 32 ? lo : lo & (2 ** w - 1);
        words[2 * i + 1] = w > 32 ? (w === 64 ? hi : hi & (2 ** (w - 32) - 1)) : 0;
      }
      expect(decodeBitPacked64(encodeBitPacked64(words, w), n, w)).toEqual(words);
    }
  });

  it('writes into a caller buffer at an unaligned offset and reads from one', () => {
    const v = new Uint32Array([5, 6, 7, 1000]);
    const backing = new Uint8Array(20);
    const out = backing.subarray(3);
    const view = encodeBitPacked(v, 11, out);
    expect(view.byteOffset).toBe(3);
    expect(decodeBitPacked(backing.subarray(3, 3 + view.length), 4, 11)).toEqual(v);
  });

  it('throws CorruptDataError on short input and InvalidArgumentError on a bad width', () => {
    expect(() => decodeBitPacked(new Uint8Array(1), 5, 3)).toThrow(CorruptDataError);
    expect(() => encodeBitPacked(new Uint32Array(1), 33)).toThrow(InvalidArgumentError);
    expect(() => decodeBitPacked64(new Uint8Array(7), 1, 64)).toThrow(CorruptDataError);
  });

  it('packs negative and offset ranges through a frame of reference', () => {
    const v = new Int32Array([-5, -3, 2, 10]);
    const f = frameOfReference32(v);
    expect(f.reference).toBe(-5);
    expect(f.bitWidth).toBe(4);
    const back = undoFrameOfReference32(decodeBitPacked(encodeBitPacked(f.deltas, f.bitWidth), 4, f.bitWidth), f.reference, new Int32Array(4));
    expect(back).toEqual(v);
    const full = new Int32Array([-(2 ** 31), 2 ** 31 - 1]);
    expect(frameOfReference32(full).bitWidth).toBe(32);
  });

  it('handles 64-bit frames of reference across the sign and carry boundaries', () => {
    const big = new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 4294967295n, 4294967296n]);
    const words = new Uint32Array(big.buffer);
    const f = frameOfReference64(words, true);
    expect(f.bitWidth).toBe(64);
    const packed = encodeBitPacked64(f.deltas, f.bitWidth);
    const out = undoFrameOfReference64(decodeBitPacked64(packed, big.length, f.bitWidth), f.referenceLo, f.referenceHi);
    expect(new BigInt64Array(out.buffer)).toEqual(big);
    const ts = new BigInt64Array([1700000000000000n, 1700000000000999n, 1700000000000500n]);
    const g = frameOfReference64(new Uint32Array(ts.buffer), true);
    expect(g.bitWidth).toBe(10);
    const back = undoFrameOfReference64(decodeBitPacked64(encodeBitPacked64(g.deltas, 10), 3, 10), g.referenceLo, g.referenceHi);
    expect(new BigInt64Array(back.buffer)).toEqual(ts);
  });
});

describe('rle', () => {
  it('matches the worked example bytes', () => {
    expect(hex(encodeRle(new Uint8Array([7, 7, 7, 9, 9])))).toBe('02 00 00 00 03 00 00 00 02 00 00 00 07 09');
    expect(hex(encodeRle(new Uint8Array(0)))).toBe('00 00 00 00');
  });

  it('round-trips every width including NaN payloads and -0', () => {
    const f = new Float64Array([NaN, NaN, -0, -0, 0, Infinity, -Infinity, -Infinity]);
    const back = new Float64Array(decodeRle(encodeRle(f), f.length, 8).buffer);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(f.buffer));
    const r = rng(7);
    for (const T of [Int8Array, Uint16Array, Int32Array, Float32Array]) {
      const v = new T(2049);
      for (let i = 0; i < v.length; i++) v[i] = i > 0 && r() < 0.8 ? v[i - 1]! : Math.floor(r() * 100);
      const d = decodeRle(encodeRle(v), v.length, v.BYTES_PER_ELEMENT);
      expect(new T(d.buffer as ArrayBuffer, 0, v.length)).toEqual(v);
    }
  });

  it('rejects runs that do not add up', () => {
    const enc = encodeRle(new Uint8Array([1, 1, 2]));
    expect(() => decodeRle(enc, 4, 1)).toThrow(CorruptDataError);
    expect(() => decodeRle(enc, 2, 1)).toThrow(CorruptDataError);
    const zero = enc.slice();
    zero[4] = 0;
    expect(() => decodeRle(zero, 3, 1)).toThrow(CorruptDataError);
    expect(() => decodeRle(enc.subarray(0, 10), 3, 1)).toThrow(CorruptDataError);
  });
});

describe('byte-stream split', () => {
  it('matches the worked example bytes', () => {
    expect(hex(encodeByteStreamSplit(new Float32Array([1, 2])))).toBe('00 00 00 00 80 00 3f 40');
  });

  it('round-trips float32 and float64 with specials and odd widths', () => {
    const f32 = new Float32Array([NaN, -0, 0, Infinity, -Infinity, 1.5, -3.25e-30]);
    expect(new Float32Array(decodeByteStreamSplit(encodeByteStreamSplit(f32), f32.length, 4).buffer, 0, f32.length)).toEqual(f32);
    const f64 = new Float64Array([NaN, -0, 1e300, -Infinity]);
    const back = decodeByteStreamSplit(encodeByteStreamSplit(f64), 4, 8);
    expect(Array.from(back)).toEqual(Array.from(new Uint8Array(f64.buffer)));
    const raw = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(decodeByteStreamSplit(encodeByteStreamSplit(raw, 3), 2, 3)).toEqual(raw);
    expect(() => decodeByteStreamSplit(new Uint8Array(7), 2, 4)).toThrow(CorruptDataError);
  });
});

describe('dictionary', () => {
  it('builds the worked example', () => {
    const d = buildDictionary32(new Uint32Array([5, 5, 9, 5]));
    expect(Array.from(d.dictionary)).toEqual([5, 9]);
    expect(Array.from(d.indices)).toEqual([0, 0, 1, 0]);
    expect(hex(encodeBitPacked(d.indices, 1))).toBe('04');
  });

  it('handles many distinct values (table growth) and 64-bit and binary values', () => {
    const v = new Uint32Array(50000);
    for (let i = 0; i < v.length; i++) v[i] = (i * 7919) % 20011;
    const d = buildDictionary32(v);
    expect(d.dictionary.length).toBe(20011);
    expect(applyDictionary32(d.dictionary, d.indices, new Uint32Array(v.length))).toEqual(v);
    const w = new Uint32Array([1, 2, 1, 3, 1, 2]);
    expect(Array.from(buildDictionary64(w).indices)).toEqual([0, 1, 0]);
    const bytes = new TextEncoder().encode('abcabxab');
    const offs = new Int32Array([0, 3, 6, 6, 8]);
    const b = buildDictionaryBinary(bytes, offs, 0, 4);
    expect(Array.from(b.indices)).toEqual([0, 1, 2, 3]);
    const bin = buildDictionaryBinary(new TextEncoder().encode('xyxyxy'), new Int32Array([0, 2, 4, 6]), 0, 3);
    expect(Array.from(bin.indices)).toEqual([0, 0, 0]);
    const e = applyDictionaryBinary(bin.offsets, bin.bytes, bin.indices);
    expect(new TextDecoder().decode(e.bytes)).toBe('xyxyxy');
  });

  it('rejects out-of-range indices', () => {
    expect(() => applyDictionary32(new Uint32Array([1]), new Uint32Array([1]), new Uint32Array(1))).toThrow(CorruptDataError);
  });
});

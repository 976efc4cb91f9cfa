import {
  CorruptDataError, Float32, Float64, Int32, Int64, InvalidArgumentError, Utf8, applicableEncodings, chooseEncoding,
  computeStatistics, decodeArray, encodeArray, encodedByteLength, initZstd, makeData, ZstdNotInitializedError,
} from '@vego/encoding';
import type { EncodingKind } from '@vego/encoding';
import { ALL_TYPES, expectSameData, randomData, rng } from './helpers';

beforeAll(async () => {
  await initZstd();
});

describe('encodeArray / decodeArray', () => {
  it('round-trips every type with every applicable encoding (seeded, 0..100k values, with and without nulls)', () => {
    const r = rng(42);
    const sizes = [0, 1, 2, 1023, 1024, 1025, 5000];
    let cases = 0;
    for (const type of ALL_TYPES) {
      for (const kind of applicableEncodings(type)) {
        for (const n of sizes) {
          for (const withNulls of [false, true]) {
            const style = (['random', 'runs', 'few'] as const)[cases % 3]!;
            const data = randomData(type, n, r, withNulls, style);
            const enc = encodeArray(data, { encoding: kind, zstdLevel: 1 + (cases % 19) });
            expect(enc.encoding.kind).toBe(kind);
            expect(JSON.parse(JSON.stringify(enc.encoding))).toEqual(enc.encoding);
            expectSameData(data, decodeArray(enc, type));
            cases++;
          }
        }
      }
    }
    // one large array per type through the adaptive choice
    for (const type of ALL_TYPES) {
      const data = randomData(type, 100000, r, true, 'runs');
      expectSameData(data, decodeArray(encodeArray(data), type));
    }
    expect(cases).toBeGreaterThan(500);
  });

  it('encodes slices with unaligned offsets', () => {
    const r = rng(5);
    for (const type of ALL_TYPES) {
      const data = randomData(type, 3001, r, true, 'few').slice(13, 2990);
      for (const kind of applicableEncodings(type)) expectSameData(data, decodeArray(encodeArray(data, { encoding: kind }), type));
    }
  });

  it('keeps NaN, -0 and infinities bit-exact', () => {
    const v = new Float64Array([NaN, -0, 0, Infinity, -Infinity, -0, NaN, 1]);
    const data = makeData({ type: new Float64(), length: v.length, values: v });
    for (const kind of applicableEncodings(data.type)) {
      const back = decodeArray(encodeArray(data, { encoding: kind }), data.type);
      expect(new Uint8Array((back.values as Float64Array).buffer, (back.values as Float64Array).byteOffset, 64)).toEqual(new Uint8Array(v.buffer));
    }
  });

  it('writes the worked bit-packed example', () => {
    const data = makeData({ type: new Int32(), length: 3, values: new Int32Array([3, 4, 5]) });
    const enc = encodeArray(data, { encoding: 'bitpacked' });
    expect(enc.encoding).toEqual({ kind: 'bitpacked', bitWidth: 2, reference: '3' });
    expect(Array.from(enc.buffers[1]!)).toEqual([0x24]);
    expect(enc.buffers[0]!.length).toBe(0);
  });

  it('really emits byte-stream split before ZSTD (bytes differ from plain ZSTD, and decode)', () => {
    const r = rng(9);
    const v = new Float32Array(20000);
    let x = 100;
    for (let i = 0; i < v.length; i++) v[i] = x += r() - 0.5;
    const data = makeData({ type: new Float32(), length: v.length, values: v });
    const z = encodeArray(data, { encoding: 'zstd' });
    const b = encodeArray(data, { encoding: 'bss-zstd' });
    expect(b.buffers[1]).not.toEqual(z.buffers[1]);
    expect(encodedByteLength(b)).toBeLessThan(encodedByteLength(z));
    expectSameData(data, decodeArray(b, data.type));
  });

  it('rejects encodings that do not apply to the type', () => {
    const data = makeData({ type: new Float32(), length: 1, values: new Float32Array([1]) });
    expect(() => encodeArray(data, { encoding: 'bitpacked' })).toThrow(InvalidArgumentError);
    expect(() => encodeArray(data, { encoding: 'zstd', zstdLevel: 20 })).toThrow(InvalidArgumentError);
  });
});

describe('computeStatistics', () => {
  it('measures min, max, bit width, runs and distinct counts', () => {
    const v = new Int32Array(10000);
    for (let i = 0; i < v.length; i++) v[i] = 1000 + Math.floor(i / 100);
    const s = computeStatistics(makeData({ type: new Int32(), length: v.length, values: v }));
    expect(s.min).toBe(1000);
    expect(s.max).toBe(1099);
    expect(s.bitWidth).toBe(7);
    expect(s.runCount).toBe(100);
    expect(s.distinctCount).toBe(100);
    expect(s.distinctExact).toBe(true);
    const big = new BigInt64Array(200000);
    for (let i = 0; i < big.length; i++) big[i] = BigInt(i) * 3n - 5n;
    const t = computeStatistics(makeData({ type: new Int64(), length: big.length, values: big }));
    expect(t.min).toBe(-5n);
    expect(t.distinctExact).toBe(false);
    expect(Math.abs(t.distinctCount - 200000) / 200000).toBeLessThan(0.06);
  });
});

describe('chooseEncoding', () => {
  const pick = (data: ReturnType<typeof makeData>): EncodingKind => chooseEncoding(data).encoding;
  it('picks rle for long runs, bitpacked for narrow ranges, dictionary for few strings, bss-zstd for smooth floats', () => {
    const runs = new Int32Array(10000).map((_, i) => Math.floor(i / 1000));
    expect(pick(makeData({ type: new Int32(), length: runs.length, values: runs }))).toBe('rle');
    const r = rng(1);
    const narrow = new Int32Array(10000).map(() => 5000 + Math.floor(r() * 1000));
    const c = chooseEncoding(makeData({ type: new Int32(), length: narrow.length, values: narrow }));
    expect(c.encoding).toBe('bitpacked');
    expect(c.reason).toContain('10 bits');
    const words = ['red', 'green', 'blue'];
    const strs = Array.from({ length: 5000 }, () => words[Math.floor(r() * 3)]!);
    const enc = new TextEncoder();
    const parts = strs.map((s) => enc.encode(s));
    const offsets = new Int32Array(strs.length + 1);
    parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
    const bytes = new Uint8Array(offsets[strs.length]!);
    parts.forEach((p, i) => bytes.set(p, offsets[i]!));
    expect(pick(makeData({ type: new Utf8(), length: strs.length, values: bytes, valueOffsets: offsets }))).toBe('dictionary');
    const smooth = new Float32Array(10000);
    let x = 0;
    for (let i = 0; i < smooth.length; i++) smooth[i] = x += r() - 0.5;
    expect(pick(makeData({ type: new Float32(), length: smooth.length, values: smooth }))).toBe('bss-zstd');
  });

  it('honours a forced encoding and says why', () => {
    const data = makeData({ type: new Int32(), length: 2, values: new Int32Array([1, 2]) });
    const c = chooseEncoding(data, { encoding: 'dictionary' });
    expect(c.encoding).toBe('dictionary');
    expect(c.reason).toContain('forced');
    expect(chooseEncoding(data, { allowZstd: false }).encoding).not.toMatch(/zstd/);
  });

  it('never offers a ZSTD encoding that is unavailable in decodeArray error paths', () => {
    expect(new ZstdNotInitializedError().code).toBe('VEGO_NOT_SUPPORTED');
    expect(() => decodeArray({ encoding: { kind: 'plain' }, buffers: [], length: 0, nullCount: 0 }, new Int32())).toThrow(CorruptDataError);
  });
});

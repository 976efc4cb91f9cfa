import {
  CorruptDataError, ZSTD_FRAME_BYTES, ZstdNotInitializedError, initZstd, isZstdReady, zstdCompress, zstdDecompress,
} from '@vego/encoding';
import { rng } from './helpers';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('zstd', () => {
  it('throws a typed error when used before initZstd()', () => {
    expect(isZstdReady()).toBe(false);
    expect(() => zstdCompress(new Uint8Array(3))).toThrow(ZstdNotInitializedError);
    try {
      zstdDecompress(new Uint8Array(0), 0);
    } catch (e) {
      expect((e as ZstdNotInitializedError).code).toBe('VEGO_NOT_SUPPORTED');
    }
  });

  it('initialises once and matches the worked example bytes', async () => {
    await Promise.all([initZstd(), initZstd()]);
    expect(isZstdReady()).toBe(true);
    const c = zstdCompress(new Uint8Array([1, 2, 3]), 3);
    expect(hex(c)).toBe('28 b5 2f fd 20 03 19 00 00 01 02 03');
    expect(Array.from(zstdDecompress(c, 3))).toEqual([1, 2, 3]);
  });

  it('round-trips every level, empty input and multi-frame input', async () => {
    await initZstd();
    const r = rng(3);
    const data = new Uint8Array(20000);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 16);
    for (let level = 1; level <= 19; level++) expect(zstdDecompress(zstdCompress(data, level), data.length)).toEqual(data);
    expect(zstdCompress(new Uint8Array(0)).length).toBe(0);
    expect(zstdDecompress(new Uint8Array(0), 0).length).toBe(0);
    const big = new Uint8Array(ZSTD_FRAME_BYTES * 2 + 17);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(r() * 256);
    const c = zstdCompress(big, 19);
    expect(zstdDecompress(c, big.length)).toEqual(big);
  });

  it('rejects wrong lengths, bad magic, truncation and trailing garbage with CorruptDataError', async () => {
    await initZstd();
    const data = new Uint8Array(5000).map((_, i) => i % 7);
    const c = zstdCompress(data, 5);
    expect(() => zstdDecompress(c, 4999)).toThrow(CorruptDataError);
    const bad = c.slice();
    bad[0] = 0;
    expect(() => zstdDecompress(bad, 5000)).toThrow(CorruptDataError);
    for (let cut = 1; cut < c.length; cut++) expect(() => zstdDecompress(c.subarray(0, cut), 5000)).toThrow(CorruptDataError);
    const extra = new Uint8Array(c.length + 2);
    extra.set(c);
    expect(() => zstdDecompress(extra, 5000)).toThrow(CorruptDataError);
  });
});

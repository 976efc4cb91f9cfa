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
    // 0x24: the checksum bit is set; the last 4 bytes are the low half of XXH64(01 02 03).
    expect(hex(c.subarray(0, 12))).toBe('28 b5 2f fd 24 03 19 00 00 01 02 03');
    expect(c.length).toBe(16);
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

  it('writes a content checksum in every frame', async () => {
    await initZstd();
    const r = rng(8);
    const big = new Uint8Array(ZSTD_FRAME_BYTES + 1000).map(() => Math.floor(r() * 4));
    const c = zstdCompress(big, 3);
    // Walk the frames by their magic: each descriptor has bit 2 (Content_Checksum_flag) set.
    let frames = 0;
    for (let p = 0; p + 4 < c.length; p++) {
      if (c[p] === 0x28 && c[p + 1] === 0xb5 && c[p + 2] === 0x2f && c[p + 3] === 0xfd) {
        expect(c[p + 4]! & 0x04).toBe(0x04);
        frames++;
      }
    }
    expect(frames).toBeGreaterThanOrEqual(2);
  });

  it('gives CorruptDataError, not garbage, when a payload byte or a checksum byte is flipped', async () => {
    await initZstd();
    const r = rng(9);
    // Incompressible bytes keep a raw block, so a payload flip decodes "fine" and only the checksum catches it.
    const data = new Uint8Array(3000).map(() => Math.floor(r() * 256));
    const c = zstdCompress(data, 3);
    expect(zstdDecompress(c, data.length)).toEqual(data);
    const payload = c.slice();
    payload[20]! ^= 0x10;
    expect(() => zstdDecompress(payload, data.length)).toThrow(CorruptDataError);
    for (let k = 1; k <= 4; k++) {
      const sum = c.slice();
      sum[sum.length - k]! ^= 0x01;
      expect(() => zstdDecompress(sum, data.length)).toThrow(CorruptDataError);
    }
    // A compressible input (compressed blocks) with a flipped checksum as well.
    const text = new Uint8Array(4000).map((_, i) => (i * 7) % 13);
    const t = zstdCompress(text, 9).slice();
    t[t.length - 2]! ^= 0x80;
    expect(() => zstdDecompress(t, text.length)).toThrow(CorruptDataError);
  });

  it('reads frames without a checksum (as LanceDB writes them)', async () => {
    await initZstd();
    // The worked example without the checksum: descriptor 0x20, no trailing 4 bytes.
    const plain = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, 0x19, 0x00, 0x00, 0x01, 0x02, 0x03]);
    expect(Array.from(zstdDecompress(plain, 3))).toEqual([1, 2, 3]);
    // Strip the checksum from a real compressed frame: it still reads.
    const data = new Uint8Array(5000).map((_, i) => i % 11);
    const c = zstdCompress(data, 5);
    const stripped = c.slice(0, c.length - 4);
    stripped[4] = stripped[4]! & ~0x04;
    expect(zstdDecompress(stripped, data.length)).toEqual(data);
  });

  it('refuses a declared length over the limits before decompressing', async () => {
    await initZstd();
    const data = new Uint8Array(5000);
    const c = zstdCompress(data, 3);
    expect(() => zstdDecompress(c, data.length, { maxOutputBytes: 4999 })).toThrow(CorruptDataError);
    expect(zstdDecompress(c, data.length, { maxOutputBytes: 5000 }).length).toBe(5000);
    expect(() => zstdDecompress(c, 2 ** 32)).toThrow(/default limit/);
  });
});

/**
 * Lance 2.1/2.2 decoders (moved here from @vego/format with their tests): output bounds (module default and
 * per call), hostile LZ4/FSST input, and FastLanes round trips through the encoder twin.
 */
import * as F from '@vego/encoding';
import {
  decompressBlock,
  decompressMiniBlock,
  expandLanceDictionary,
  fsstDecompress,
  lz4DecompressBlock,
  packFastLanesBlock,
  parseFsstTable,
  unpackFastLanes32,
  unpackFastLanes64,
} from '@vego/encoding';
import { rng as seededRandom } from './helpers';

describe('Lance 2.1/2.2 decoder limits', () => {
  const restore = F.getDefaultDecodeLimits();
  afterEach(() => F.setDefaultDecodeLimits(restore));

  it('refuses width-0 inline and out-of-line bit-packing claiming more than the limit', () => {
    // Inline: each 1024-value block costs one width byte; a width-0 block holds 1024 zeros.
    const inline = new Uint8Array(4096); // 4096 blocks of width 0 → 4M values = 16 MiB as u32
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 20 });
    expect(() => decompressBlock({ kind: 'inlineBitpacking', uncompressedBitsPerValue: 8, compression: 'none' }, inline, 4096 * 1024, 'levels')).toThrow(F.CorruptDataError);
    const outOfLine = { kind: 'outOfLineBitpacking', uncompressedBitsPerValue: 32, values: { kind: 'flat', bitsPerValue: 0, compression: 'none' } } as const;
    expect(() => decompressBlock(outOfLine, new Uint8Array(0), 1 << 26, 'dictionary')).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(decompressBlock(outOfLine, new Uint8Array(0), 2048, 'dictionary').numValues).toBe(2048);
  });

  it('refuses general-compression lengths and LZ4 claims over the bounds', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 16 });
    const claim = new Uint8Array([0, 0, 2, 0, 0x10, 0]); // u32 length 131072, then a tiny LZ4 body
    expect(() => decompressMiniBlock({ kind: 'flat', bitsPerValue: 8, compression: 'lz4' }, [claim], 131072, 'chunk')).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(() => lz4DecompressBlock(new Uint8Array(2), 1 << 30)).toThrow(/claims/);
  });

  it('bounds FSST expansion by the limit', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1000 });
    // One symbol of 8 bytes; 200 codes → 1600 bytes.
    const table = new Uint8Array(8 + 9);
    new DataView(table.buffer).setUint32(4, 0x46535354, true);
    new DataView(table.buffer).setUint32(0, (1 << 24) | 1, true);
    table[16] = 8;
    const codes = new Uint8Array(200);
    expect(() => fsstDecompress(parseFsstTable(table), codes, new Int32Array([0, 200]), 1)).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(fsstDecompress(parseFsstTable(table), codes, new Int32Array([0, 200]), 1).bytes.length).toBe(1600);
  });

  it('refuses mini-block chunks whose counts their bytes cannot hold', () => {
    // A mini-block chunk claiming 2^31 values of a flat 32-bit buffer of 16 bytes.
    expect(() => decompressMiniBlock({ kind: 'flat', bitsPerValue: 32, compression: 'none' }, [new Uint8Array(16)], 2 ** 31, 'chunk')).toThrow(F.CorruptDataError);
    // Width-0 inline bit-packing in a chunk: 4 header bytes claim 4 blocks, but the chunk says 2^22 values.
    expect(() => decompressMiniBlock({ kind: 'inlineBitpacking', uncompressedBitsPerValue: 32, compression: 'none' }, [new Uint8Array(16)], 1 << 22, 'chunk')).toThrow(F.CorruptDataError);
  });

  it('takes per-call limits on top of the module default', () => {
    const outOfLine = { kind: 'outOfLineBitpacking', uncompressedBitsPerValue: 32, values: { kind: 'flat', bitsPerValue: 0, compression: 'none' } } as const;
    expect(() => decompressBlock(outOfLine, new Uint8Array(0), 2048, 'dictionary', { maxValues: 2047 })).toThrow(/maxValues/);
    expect(decompressBlock(outOfLine, new Uint8Array(0), 2048, 'dictionary', { maxValues: 2048 }).numValues).toBe(2048);
    expect(() => decompressMiniBlock({ kind: 'rle', values: { kind: 'flat', bitsPerValue: 8, compression: 'none' }, runLengths: { kind: 'flat', bitsPerValue: 8, compression: 'none' } }, [Uint8Array.of(7), Uint8Array.of(200)], 200, 'chunk', { maxOutputBytes: 199 })).toThrow(/maxOutputBytes/);
    expect(() => lz4DecompressBlock(Uint8Array.of(0x14, 0x41, 0x01, 0x00, 0x00), 9, { maxOutputBytes: 8 })).toThrow(F.CorruptDataError);
    const table = new Uint8Array(8 + 9);
    new DataView(table.buffer).setUint32(4, 0x46535354, true);
    new DataView(table.buffer).setUint32(0, (1 << 24) | 1, true);
    table[16] = 8;
    expect(() => fsstDecompress(parseFsstTable(table), new Uint8Array(2), new Int32Array([0, 2]), 1, { maxOutputBytes: 15 })).toThrow(/maxOutputBytes/);
    expect(fsstDecompress(parseFsstTable(table), new Uint8Array(2), new Int32Array([0, 2]), 1, { maxOutputBytes: 16 }).bytes.length).toBe(16);
  });
});

describe('LZ4 block decoder on hostile input', () => {
  it('rejects LZ4 blocks that lie about their size or point before the output', () => {
    expect(() => lz4DecompressBlock(Uint8Array.of(0x10, 0x41), 2)).toThrow(F.CorruptDataError);
    expect(() => lz4DecompressBlock(Uint8Array.of(0x14, 0x41, 0x05, 0x00), 9)).toThrow(/offset/);
    expect(lz4DecompressBlock(Uint8Array.of(0x14, 0x41, 0x01, 0x00, 0x00), 9)).toEqual(new Uint8Array(9).fill(0x41));
  });
});

describe('FastLanes unpacking (decoder twin of packFastLanesBlock)', () => {
  it('gives back what the encoder packed, for every type width and every bit width, whole and partial blocks, at any offset', () => {
    const rand = seededRandom(1313);
    for (const t of [8, 16, 32]) {
      for (let w = 0; w <= t; w++) {
        for (const [count, at, outAt] of [[1024, 0, 0], [1000, 3, 5], [1, 1, 0], [129, 2, 7]] as const) {
          const v = Uint32Array.from({ length: 1024 }, (_, i) => (i < count ? Math.floor(rand() * 2 ** w) : 0));
          const packed = new Uint8Array(at + 128 * w);
          packFastLanesBlock(v, null, 0, count, t, w, packed, at);
          const out = new Uint32Array(outAt + 1024).fill(0xdeadbeef);
          unpackFastLanes32(packed, at, t, w, count, out, outAt);
          expect(Array.from(out.subarray(outAt, outAt + count))).toEqual(Array.from(v.subarray(0, count)));
          // Nothing written past the count.
          expect(out.subarray(outAt + count).every((x) => x === 0xdeadbeef)).toBe(true);
        }
      }
    }
  });

  it('round-trips 64-bit values of every bit width across bit 32, whole and partial blocks, at any offset', () => {
    const rand = seededRandom(64);
    for (let w = 0; w <= 64; w++) {
      for (const [count, at, outAt] of [[1024, 0, 0], [700, 5, 3]] as const) {
        const lo = Uint32Array.from({ length: 1024 }, (_, i) => (i < count ? Math.floor(rand() * 2 ** Math.min(32, w)) >>> 0 : 0));
        const hi = Uint32Array.from({ length: 1024 }, (_, i) => (i < count && w > 32 ? Math.floor(rand() * 2 ** (w - 32)) >>> 0 : 0));
        const packed = new Uint8Array(at + 128 * w);
        packFastLanesBlock(lo, hi, 0, count, 64, w, packed, at);
        const pairs = new Uint32Array(2 * (outAt + 1024)).fill(0xdeadbeef);
        unpackFastLanes64(packed, at, w, count, pairs, outAt);
        for (let i = 0; i < count; i++) {
          if (pairs[2 * (outAt + i)] !== lo[i] || pairs[2 * (outAt + i) + 1] !== hi[i]) {
            throw new Error(`width ${w}, count ${count}: value ${i} is (${pairs[2 * (outAt + i)]}, ${pairs[2 * (outAt + i) + 1]}), packed (${lo[i]}, ${hi[i]})`);
          }
        }
        expect(pairs.subarray(2 * (outAt + count)).every((x) => x === 0xdeadbeef)).toBe(true);
      }
    }
  });

  it('refuses a block shorter than its width needs', () => {
    expect(() => unpackFastLanes32(new Uint8Array(127), 0, 16, 1, 1024, new Uint32Array(1024), 0)).toThrow(F.CorruptDataError);
  });
});

describe('expandLanceDictionary (Lance 2.0 dictionary pages)', () => {
  const items = new TextEncoder().encode('abc');
  const itemOffsets = Int32Array.of(0, 1, 3); // "a", "bc"

  it('expands 1-based indices with 0 as null, from u8 and wider indices alike', () => {
    for (const indices of [Uint8Array.of(2, 0, 1), Float64Array.of(2, 0, 1)]) {
      const out = expandLanceDictionary(indices, 3, 2, itemOffsets, 0, items, 'page');
      expect(Array.from(out.offsets)).toEqual([0, 2, 2, 3]);
      expect(new TextDecoder().decode(out.bytes)).toBe('bca');
      expect(out.nullCount).toBe(1);
      expect(out.validity[0]! & 7).toBe(0b101);
    }
  });

  it('refuses an index beyond the items and an expansion beyond the limits', () => {
    expect(() => expandLanceDictionary(Uint8Array.of(3), 1, 2, itemOffsets, 0, items, 'page')).toThrow(/page: dictionary index 3 at row 0 is beyond the 2 items/);
    expect(() => expandLanceDictionary(Float64Array.of(2, 2), 2, 2, itemOffsets, 0, items, 'page', { maxOutputBytes: 3 })).toThrow(/maxOutputBytes/);
    expect(expandLanceDictionary(Float64Array.of(2, 2), 2, 2, itemOffsets, 0, items, 'page', { maxOutputBytes: 4 }).bytes.length).toBe(4);
  });
});

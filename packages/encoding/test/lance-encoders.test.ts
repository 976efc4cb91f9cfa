/**
 * Lance 2.1 physical encoders (FastLanes bit-packing, inline and out-of-line bit-packing, variable chunks)
 * and the mini-block registry: fixed expected bytes, block edges, the raw-tail rule. Round trips through
 * the decoders are in packages/format/test/write-v2-1.test.ts.
 */
import {
  buildVariableDictionary,
  chooseMiniBlockEncoder,
  DICTIONARY_NULL_INDEX,
  countRleRuns,
  encodeRleChunk,
  encodeInlineBitpacked,
  encodeOutOfLineBitpacked,
  encodeVariableChunk,
  InvalidArgumentError,
  MINI_BLOCK_ENCODERS,
  outOfLineTailIsRaw,
  packFastLanesBlock,
} from '@vego/encoding';
import type { FixedWidthValues } from '@vego/encoding';

describe('packFastLanesBlock', () => {
  it('puts value 0 and 128 in lane 0 rows 0 and 1 (T = 16, W = 1)', () => {
    const v = new Uint32Array(1024);
    v[0] = 1;
    v[128] = 1;
    const out = new Uint8Array(128);
    packFastLanesBlock(v, null, 0, 1024, 16, 1, out, 0);
    expect(out[0]).toBe(3);
    expect(out.subarray(1).every((b) => b === 0)).toBe(true);
  });

  it('spreads value 1 of a block over lane 1 (T = 32, W = 32: the identity layout per lane word)', () => {
    const v = Uint32Array.from({ length: 1024 }, (_, i) => i);
    const out = new Uint8Array(4096);
    packFastLanesBlock(v, null, 0, 1024, 32, 32, out, 0);
    const words = new Uint32Array(out.buffer);
    // Word (row r, lane l) = value FL_ORDER[r >> 3] * 16 + (r & 7) * 128 + l; row 0 → values 0..31, row 1 → 128..159.
    expect(Array.from(words.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(words.subarray(32, 34))).toEqual([128, 129]);
  });

  it('refuses a bit width wider than the type', () => {
    expect(() => packFastLanesBlock(new Uint32Array(4), null, 0, 4, 8, 9, new Uint8Array(2048), 0)).toThrow(InvalidArgumentError);
  });
});

describe('encodeInlineBitpacked', () => {
  it('writes the chunk width as a T-bit word, then one 1024-value block (padded)', () => {
    const v = Uint32Array.from({ length: 1024 }, (_, i) => i);
    const out = encodeInlineBitpacked(v, null, 0, 1024, 32);
    expect(out.length).toBe(4 + 1280);
    expect(Array.from(out.subarray(0, 4))).toEqual([10, 0, 0, 0]);
    const short = encodeInlineBitpacked(v, null, 0, 3, 32); // values 0, 1, 2 → width 2, still a whole block
    expect(short.length).toBe(4 + 256);
  });

  it('takes 64-bit values as halves', () => {
    const lo = new Uint32Array(2);
    const hi = Uint32Array.from([1, 0]);
    const out = encodeInlineBitpacked(lo, hi, 0, 2, 64);
    expect(out[0]).toBe(33);
    expect(out.length).toBe(8 + 33 * 128);
  });
});

describe('encodeOutOfLineBitpacked', () => {
  it('stores a short tail raw and a long one packed, as readers expect from the length', () => {
    expect(outOfLineTailIsRaw(16, 16, 1)).toBe(true);
    expect(outOfLineTailIsRaw(64, 16, 1)).toBe(true);
    expect(outOfLineTailIsRaw(65, 16, 1)).toBe(false);
    const levels = new Uint32Array(1040).fill(1);
    expect(encodeOutOfLineBitpacked(levels, 0, 1040, 16, 1).length).toBe(128 + 32);
    expect(encodeOutOfLineBitpacked(levels, 0, 1100, 16, 1).length).toBe(256);
    expect(encodeOutOfLineBitpacked(levels, 0, 0, 16, 1).length).toBe(0);
  });

  it('refuses a level wider than the width', () => {
    expect(() => encodeOutOfLineBitpacked(Uint32Array.from([4]), 0, 1, 16, 2)).toThrow(InvalidArgumentError);
  });
});

describe('encodeVariableChunk', () => {
  it('writes offsets from the buffer start, the bytes, zeros to a multiple of 4, and empties invalid rows', () => {
    const bytes = new TextEncoder().encode('abzc');
    const offsets = Int32Array.from([0, 2, 3, 4]);
    const out = encodeVariableChunk(offsets, bytes, Uint8Array.from([0b101]), 0, 0, 3);
    expect(Array.from(out)).toEqual([16, 0, 0, 0, 18, 0, 0, 0, 18, 0, 0, 0, 19, 0, 0, 0, 0x61, 0x62, 0x63, 0]);
  });

  it('writes u64 offsets padded to 8 bytes for large strings', () => {
    const out = encodeVariableChunk(Int32Array.from([0, 2]), new TextEncoder().encode('ab'), null, 0, 0, 1, 64);
    expect(Array.from(out)).toEqual([16, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0, 0, 0]);
  });
});

describe('encodeRleChunk', () => {
  it('writes run values at their width and u8 lengths, splitting runs over 255', () => {
    const v = new Uint8Array(new Uint16Array([7, 7, 7, 9]).buffer);
    const [values, lengths] = encodeRleChunk(v, 2, 0, 4);
    expect(Array.from(values)).toEqual([7, 0, 9, 0]);
    expect(Array.from(lengths)).toEqual([3, 1]);
    const long = new Uint8Array(1000).fill(5);
    expect(Array.from(encodeRleChunk(long, 1, 0, 1000)[1])).toEqual([255, 255, 255, 235]);
    expect(countRleRuns(long, 1, 0, 1000)).toBe(4);
  });
});

describe('mini-block registry', () => {
  const ints = (values: number[]): FixedWidthValues => ({ kind: 'fixed', bitsPerValue: 32, count: values.length, bytes: new Uint8Array(Int32Array.from(values).buffer), integer: true });

  it('bit-packs narrow integers and keeps wide or float values flat', () => {
    expect(chooseMiniBlockEncoder(ints(Array.from({ length: 3000 }, (_, i) => i))).name).toBe('inline_bitpacking');
    expect(chooseMiniBlockEncoder(ints(Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? i : -i)))).name).toBe('flat'); // negatives in every chunk need 32 bits
    expect(chooseMiniBlockEncoder(ints([1, 2, 3]), { bitPacking: false }).name).toBe('flat');
    expect(chooseMiniBlockEncoder({ ...ints([1, 2, 3]), integer: false }).name).toBe('flat');
    expect(chooseMiniBlockEncoder(ints(Array.from({ length: 3000 }, (_, i) => Math.floor(i / 100)))).name).toBe('rle');
    expect(chooseMiniBlockEncoder(ints(Array.from({ length: 3000 }, (_, i) => Math.floor(i / 100))), { rle: false }).name).toBe('inline_bitpacking');
  });

  it('cuts flat chunks at powers of two of at most 4 KiB and bit-packed ones at 1024 values', () => {
    const f64: FixedWidthValues = { kind: 'fixed', bitsPerValue: 64, count: 3000, bytes: new Uint8Array(24000), integer: false };
    const flat = MINI_BLOCK_ENCODERS.get('flat')!;
    expect(flat.chunkValues(f64, 0, 4096)).toBe(512);
    expect(flat.chunkValues(f64, 2560, 4096)).toBe(440);
    expect(MINI_BLOCK_ENCODERS.get('inline_bitpacking')!.chunkValues(ints(Array.from({ length: 3000 }, (_, i) => i)), 2048, 4096)).toBe(952);
  });
});

describe('buildVariableDictionary', () => {
  const enc = new TextEncoder();
  const strings = ['b', 'a', 'b', 'skip', '', 'a', 'c'];
  const parts = strings.map((s) => enc.encode(s));
  // A leading value outside the view (offsets need not start at 0).
  const offsets = new Int32Array(parts.length + 2);
  offsets[1] = 3;
  parts.forEach((p, i) => (offsets[i + 2] = offsets[i + 1]! + p.length));
  const bytes = new Uint8Array(offsets[parts.length + 1]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i + 1]!));
  const view = offsets.subarray(1);

  it('gives first-seen items and 0-based indices, from any offset', () => {
    const d = buildVariableDictionary({ kind: 'variable', count: strings.length, offsets: view, bytes, validity: null, validityOffset: 0 }, 10)!;
    expect(d.numItems).toBe(5);
    expect(new TextDecoder().decode(d.itemBytes)).toBe('baskipc');
    expect(Array.from(d.itemOffsets)).toEqual([0, 1, 2, 6, 6, 7]);
    expect(Array.from(d.indices)).toEqual([0, 1, 0, 2, 3, 1, 4]);
  });

  it('leaves slots whose validity bit is 0 out (DICTIONARY_NULL_INDEX), honouring the validity offset', () => {
    // Bits from offset 3: rows 3 ("skip") and 4 ("") are null.
    const validity = Uint8Array.of(0b00111000, 0b00000011);
    const d = buildVariableDictionary({ kind: 'variable', count: strings.length, offsets: view, bytes, validity, validityOffset: 3 }, 10)!;
    expect(d.numItems).toBe(3);
    expect(new TextDecoder().decode(d.itemBytes)).toBe('bac');
    expect(Array.from(d.indices)).toEqual([0, 1, 0, DICTIONARY_NULL_INDEX, DICTIONARY_NULL_INDEX, 1, 2]);
  });

  it('returns null past maxItems distinct values', () => {
    expect(buildVariableDictionary({ kind: 'variable', count: strings.length, offsets: view, bytes, validity: null, validityOffset: 0 }, 4)).toBeNull();
  });
});

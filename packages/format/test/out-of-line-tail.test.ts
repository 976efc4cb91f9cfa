/**
 * Out-of-line bit-packed level buffers (`out_of_line_bitpacking(16, flat(W))`) whose value count is not a
 * multiple of 1024: the tail is either one more packed block padded to 1024 values or raw u16 values, told
 * apart by the buffer's length. Fixed bytes built here by hand (width 1: lane l of a 16-bit block holds
 * values l, 128 + l, … as described in packages/encoding/src/lance/fastlanes.ts).
 */
import * as F from '@vego/format';
import { decodeLevels } from '../src/v2_1/levels';
import type { Compressive } from '../src/v2_1/layout';

const W1: Compressive = { kind: 'outOfLineBitpacking', uncompressedBitsPerValue: 16, values: { kind: 'flat', bitsPerValue: 1, compression: 'none' } };

/** Packs 1024 values of 0/1 as one width-1 FastLanes block of u16 (128 bytes). */
function packWidth1(values: ArrayLike<number>): Uint8Array {
  const order = [0, 4, 2, 6, 1, 5, 3, 7];
  const out = new Uint8Array(128);
  for (let lane = 0; lane < 64; lane++) {
    for (let row = 0; row < 16; row++) {
      const index = order[row >>> 3]! * 16 + (row & 7) * 128 + lane;
      if ((values[index] ?? 0) & 1) out[lane * 2 + (row >>> 3)]! |= 1 << (row & 7);
    }
  }
  return out;
}

function levels(n: number): Uint16Array {
  return Uint16Array.from({ length: n }, (_, i) => (i % 3 === 0 || i % 7 === 5 ? 1 : 0));
}

describe('out-of-line bit-packed levels', () => {
  it('reads a raw u16 tail after whole blocks (1040 levels in 160 bytes)', () => {
    const want = levels(1040);
    const bytes = new Uint8Array(160);
    bytes.set(packWidth1(want.subarray(0, 1024)), 0);
    bytes.set(new Uint8Array(want.slice(1024).buffer), 128);
    expect(Array.from(decodeLevels(W1, bytes, 1040, 'c'))).toEqual(Array.from(want));
  });

  it('reads a buffer that is only a raw tail (24 levels in 48 bytes)', () => {
    const want = Uint16Array.from([1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1]);
    expect(Array.from(decodeLevels(W1, new Uint8Array(want.buffer), 24, 'c'))).toEqual(Array.from(want));
  });

  it('reads a padded packed tail (1200 levels in 256 bytes)', () => {
    const want = levels(1200);
    const bytes = new Uint8Array(256);
    bytes.set(packWidth1(want.subarray(0, 1024)), 0);
    bytes.set(packWidth1(want.subarray(1024)), 128);
    expect(Array.from(decodeLevels(W1, bytes, 1200, 'c'))).toEqual(Array.from(want));
  });

  it('throws CorruptDataError when the buffer fits neither tail layout', () => {
    expect(() => decodeLevels(W1, new Uint8Array(150), 1040, 'c')).toThrow(F.CorruptDataError);
    expect(() => decodeLevels(W1, new Uint8Array(128), 1040, 'c')).toThrow(/expected 256 \(or 160 with a raw tail of 16 values\)/);
  });
});

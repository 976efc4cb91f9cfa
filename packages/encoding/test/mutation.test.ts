import { CorruptDataError, applicableEncodings, decodeArray, encodeArray, initZstd, isVegoError } from '@vego/encoding';
import type { EncodedArray } from '@vego/encoding';
import { ALL_TYPES, randomData, rng } from './helpers';

beforeAll(async () => {
  await initZstd();
});

/** Decoding must either succeed with the declared length or throw a typed Vego error; nothing else. */
function tryDecode(enc: EncodedArray, type: Parameters<typeof decodeArray>[1]): void {
  try {
    const out = decodeArray(enc, type);
    expect(out.length).toBe(enc.length);
  } catch (e) {
    if (!isVegoError(e)) throw e;
    expect(e.code).toBe('VEGO_CORRUPT_DATA');
  }
}

describe('hostile encoded arrays', () => {
  it('flipped bytes, truncated and extended buffers give a typed error or a correct-length decode', () => {
    const r = rng(77);
    let trials = 0;
    for (const type of ALL_TYPES) {
      for (const kind of applicableEncodings(type)) {
        for (const withNulls of [false, true]) {
          const enc = encodeArray(randomData(type, 300, r, withNulls, 'few'), { encoding: kind });
          for (let t = 0; t < 12; t++) {
            const bi = Math.floor(r() * enc.buffers.length);
            const buffers = enc.buffers.map((b) => b.slice());
            const b = buffers[bi]!;
            const mode = t % 3;
            if (mode === 0 && b.length > 0) b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8);
            else if (mode === 1) buffers[bi] = b.subarray(0, Math.floor(r() * b.length));
            else buffers[bi] = Uint8Array.from([...b, 0xff, 0x7f]);
            tryDecode({ ...enc, buffers }, type);
            trials++;
          }
          // hostile descriptions
          tryDecode({ ...enc, length: enc.length + 1 }, type);
          tryDecode({ ...enc, length: 2 ** 31 }, type);
          tryDecode({ ...enc, nullCount: enc.length + 1 }, type);
          tryDecode({ ...enc, encoding: { ...enc.encoding, bitWidth: 99, dictionaryLength: 1e9, level: 0, reference: 'x' } as never }, type);
          tryDecode({ ...enc, encoding: { kind: 'nope' } as never }, type);
        }
      }
    }
    expect(trials).toBeGreaterThan(1000);
  });

  it('reports corruption as CorruptDataError with code VEGO_CORRUPT_DATA', () => {
    const r = rng(1);
    const type = ALL_TYPES[3]!;
    const enc = encodeArray(randomData(type, 100, r, false), { encoding: 'plain' });
    const cut = { ...enc, buffers: [enc.buffers[0]!, enc.buffers[1]!.subarray(0, 7)] };
    expect(() => decodeArray(cut, type)).toThrow(CorruptDataError);
  });
});

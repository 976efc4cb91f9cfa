/**
 * Deletion-set arithmetic of @vego/io (the deletion-file codecs themselves are tested in
 * packages/format/test/deletion-codecs.test.ts).
 */
import { liveToPhysical, unionSorted } from '../src/internal/deletions';

describe('deletion set helpers', () => {
  it('maps live positions to physical ones and unions sorted sets', () => {
    const del = Uint32Array.from([0, 1, 4, 7]);
    // live rows: 2, 3, 5, 6, 8, 9
    expect([0, 1, 2, 3, 4, 5].map((l) => liveToPhysical(del, l))).toEqual([2, 3, 5, 6, 8, 9]);
    expect(liveToPhysical(new Uint32Array(0), 5)).toBe(5);
    expect(Array.from(unionSorted(Uint32Array.from([1, 3, 5]), Uint32Array.from([2, 3, 6])))).toEqual([1, 2, 3, 5, 6]);
  });
});

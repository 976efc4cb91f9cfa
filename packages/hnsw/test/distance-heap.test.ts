import { seededRandom } from '@vego/test-support';
import { DistanceHeap } from '../src/internal/heap';

// `offer` as the layer walk uses it: a pair is offered only while the set holds fewer than `cap`
// or when it is closer than the farthest kept; the set must then hold the `cap` nearest pairs.
function keepNearest(dists: number[], cap: number): { ids: number[]; dists: number[] } {
  const heap = DistanceHeap.farthestFirst(4);
  for (let id = 0; id < dists.length; id++) {
    const d = dists[id]!;
    if (heap.length < cap || d < heap.topDistance()) heap.offer(d, id, cap);
  }
  expect(heap.length).toBe(Math.min(cap, dists.length));
  const outIds = new Int32Array(cap);
  const outDists = new Float64Array(cap);
  const n = heap.drainSmallest(cap, outIds, outDists);
  return { ids: Array.from(outIds.subarray(0, n)), dists: Array.from(outDists.subarray(0, n)) };
}

describe('DistanceHeap.offer', () => {
  it('keeps the cap nearest pairs of a stream, as a sort does (ties by ascending id)', () => {
    const random = seededRandom(2612);
    for (const [count, cap] of [[1, 1], [5, 10], [200, 1], [200, 7], [1000, 64], [1000, 999]] as const) {
      // Distances drawn from 50 values, so ties are common.
      const dists = Array.from({ length: count }, () => Math.floor(random() * 50) / 7);
      const expected = dists.map((d, id) => ({ d, id })).sort((a, b) => a.d - b.d || a.id - b.id).slice(0, cap);
      const got = keepNearest(dists, cap);
      expect(got.dists).toEqual(expected.map((e) => e.d));
      // Among equal distances at the cut the heap may keep any of them; below it, exactly these ids.
      const cut = expected[expected.length - 1]!.d;
      expect(got.ids.filter((_, i) => got.dists[i]! < cut)).toEqual(expected.filter((e) => e.d < cut).map((e) => e.id));
    }
  });

  it('replaces the farthest pair once full', () => {
    const heap = DistanceHeap.farthestFirst(4);
    heap.offer(3, 30, 2);
    heap.offer(1, 10, 2);
    expect(heap.length).toBe(2);
    heap.offer(2, 20, 2);
    expect(heap.length).toBe(2);
    expect(heap.topDistance()).toBe(2);
    expect(heap.ids[0]).toBe(20);
  });

  it('warmUp changes no heap and can run again', () => {
    const heap = DistanceHeap.farthestFirst(4);
    heap.offer(5, 1, 3);
    DistanceHeap.warmUp();
    DistanceHeap.warmUp();
    expect(heap.length).toBe(1);
    expect(heap.topDistance()).toBe(5);
    expect(heap.ids[0]).toBe(1);
  });
});

describe('DistanceHeap.start', () => {
  it('empties the heap and leaves the one pair a push onto an empty heap would, for both orders', () => {
    for (const make of [DistanceHeap.closestFirst, DistanceHeap.farthestFirst]) {
      const started = make(4);
      const pushed = make(4);
      for (const [d, id] of [[3, 1], [-0.5, 2], [7, 3], [1, 4], [2, 5]] as const) started.push(d, id);
      started.start(2.5, 9);
      pushed.push(2.5, 9);
      expect(started.length).toBe(1);
      expect(started.topDistance()).toBe(2.5);
      expect(started.ids[0]).toBe(9);
      expect(started.keys[0]).toBe(pushed.keys[0]);
      // Later pushes and pops order it exactly as the pushed heap.
      for (const [d, id] of [[1, 10], [4, 11], [2.5, 12], [0, 13]] as const) {
        started.push(d, id);
        pushed.push(d, id);
      }
      while (pushed.length > 0) {
        expect([started.topDistance(), started.ids[0]]).toEqual([pushed.topDistance(), pushed.ids[0]]);
        started.pop();
        pushed.pop();
      }
      expect(started.length).toBe(0);
    }
  });
});

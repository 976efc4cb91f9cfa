/**
 * Binary heaps of (distance, id) pairs over preallocated typed arrays: no allocation per push once
 * the capacity is reached. `MinHeap` serves the candidate queue (closest first), `MaxHeap` the
 * bounded result set (farthest on top, so it is the one evicted).
 */

/** Closest-first heap. */
export class MinHeap {
  dists: Float64Array;
  ids: Int32Array;
  length: number;

  constructor(capacity: number) {
    this.dists = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.length = 0;
  }

  private grow(): void {
    const dists = new Float64Array(this.dists.length * 2);
    dists.set(this.dists);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.dists = dists;
    this.ids = ids;
  }

  push(dist: number, id: number): void {
    if (this.length === this.dists.length) this.grow();
    const dists = this.dists;
    const ids = this.ids;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = dists[parent]!;
      if (pd <= dist) break;
      dists[i] = pd;
      ids[i] = ids[parent]!;
      i = parent;
    }
    dists[i] = dist;
    ids[i] = id;
  }

  /** Removes the top (the caller reads `ids[0]` / `dists[0]` first). */
  pop(): void {
    const n = --this.length;
    if (n <= 0) return;
    const dists = this.dists;
    const ids = this.ids;
    const dist = dists[n]!;
    const id = ids[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cd = dists[child]!;
      const right = child + 1;
      if (right < n) {
        const rd = dists[right]!;
        if (rd < cd) {
          child = right;
          cd = rd;
        }
      }
      if (cd >= dist) break;
      dists[i] = cd;
      ids[i] = ids[child]!;
      i = child;
    }
    dists[i] = dist;
    ids[i] = id;
  }
}

/** Farthest-first heap. */
export class MaxHeap {
  dists: Float64Array;
  ids: Int32Array;
  length: number;

  constructor(capacity: number) {
    this.dists = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.length = 0;
  }

  private grow(): void {
    const dists = new Float64Array(this.dists.length * 2);
    dists.set(this.dists);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.dists = dists;
    this.ids = ids;
  }

  push(dist: number, id: number): void {
    if (this.length === this.dists.length) this.grow();
    const dists = this.dists;
    const ids = this.ids;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pd = dists[parent]!;
      if (pd >= dist) break;
      dists[i] = pd;
      ids[i] = ids[parent]!;
      i = parent;
    }
    dists[i] = dist;
    ids[i] = id;
  }

  /** Removes the top (the caller reads `ids[0]` / `dists[0]` first). */
  pop(): void {
    const n = --this.length;
    if (n <= 0) return;
    const dists = this.dists;
    const ids = this.ids;
    const dist = dists[n]!;
    const id = ids[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cd = dists[child]!;
      const right = child + 1;
      if (right < n) {
        const rd = dists[right]!;
        if (rd > cd) {
          child = right;
          cd = rd;
        }
      }
      if (cd <= dist) break;
      dists[i] = cd;
      ids[i] = ids[child]!;
      i = child;
    }
    dists[i] = dist;
    ids[i] = id;
  }

  /**
   * Empties the heap into `outIds` / `outDists` in ascending distance order; returns the count.
   * The outputs must hold at least `length` entries.
   */
  drainAscending(outIds: Int32Array, outDists: Float64Array): number {
    const n = this.length;
    for (let i = n - 1; i >= 0; i--) {
      outIds[i] = this.ids[0]!;
      outDists[i] = this.dists[0]!;
      this.pop();
    }
    return n;
  }
}

/** Rounds of {@link DistanceHeap.warmUp}: enough calls for V8 to give the methods feedback vectors. */
const WARM_UP_ROUNDS = 256;
let warmedUp = false;

/**
 * One binary heap of (distance, id) pairs over preallocated typed arrays, for both orders the
 * graph needs: closest-first (the candidate queue, the repair pool) and farthest-first (the
 * bounded result set, whose top is the one evicted). No allocation per push once the capacity is
 * reached.
 *
 * One implementation serves both: it keeps the largest key on top, and the key is the distance
 * times `sign` (+1 farthest-first, −1 closest-first). Negation is exact, so a closest-first heap
 * orders and breaks ties exactly as a separate min-heap would. Read distances through
 * {@link DistanceHeap.topDistance} / {@link DistanceHeap.distanceAt}, never from `keys`.
 */
export class DistanceHeap {
  /** Stored keys: `sign · distance`. */
  keys: Float64Array;
  ids: Int32Array;
  length: number;
  /** +1: farthest first; −1: closest first. */
  readonly sign: number;

  private constructor(capacity: number, sign: number) {
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.length = 0;
    this.sign = sign;
  }

  /** A heap whose top is the closest pair (candidate queues). */
  static closestFirst(capacity: number): DistanceHeap {
    return new DistanceHeap(capacity, -1);
  }

  /** A heap whose top is the farthest pair (bounded result sets). */
  static farthestFirst(capacity: number): DistanceHeap {
    return new DistanceHeap(capacity, 1);
  }

  /** Distance of the top pair (undefined contents when empty). */
  topDistance(): number {
    return this.keys[0]! * this.sign;
  }

  /** Distance of the pair in slot `i` (heap order, not sorted). */
  distanceAt(i: number): number {
    return this.keys[i]! * this.sign;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.keys = keys;
    this.ids = ids;
  }

  /** Makes room for `capacity` pairs (contents kept). */
  reserve(capacity: number): void {
    while (this.keys.length < capacity) this.grow();
  }

  /**
   * Empties the heap and makes (`dist`, `id`) its one pair: what a {@link push} onto an empty heap
   * does, without its sift loop. A walk starts both its heaps this way, so V8 inlines two fewer
   * sift loops into the walk when it optimises it, and the compile needs less memory (see
   * `Graph#walkLayer`).
   */
  start(dist: number, id: number): void {
    this.keys[0] = dist * this.sign;
    this.ids[0] = id;
    this.length = 1;
  }

  push(dist: number, id: number): void {
    if (this.length === this.keys.length) this.grow();
    const keys = this.keys;
    const ids = this.ids;
    const key = dist * this.sign;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent]!;
      if (pk >= key) break;
      keys[i] = pk;
      ids[i] = ids[parent]!;
      i = parent;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /**
   * Adds (`dist`, `id`) to a bounded farthest-first set of at most `cap` pairs: a push while it
   * holds fewer, else it replaces the top (the caller has checked that `dist` is below it).
   */
  offer(dist: number, id: number, cap: number): void {
    if (this.length < cap) this.push(dist, id);
    else this.replaceTop(dist, id);
  }

  /**
   * Runs both paths of {@link offer} and every branch of {@link replaceTop}'s sift-down a few
   * hundred times on a scratch heap, once per thread (microseconds). V8 keeps type feedback per
   * function, not per heap: without this, the first walks of a build (layers smaller than ef, so
   * the result set never fills) leave the replacing path without feedback when V8 optimises the
   * walk, and its first use deoptimises it (see `Graph#walkLayer`).
   */
  static warmUp(): void {
    if (warmedUp) return;
    warmedUp = true;
    const h = DistanceHeap.farthestFirst(4);
    for (let i = 0; i < WARM_UP_ROUNDS; i++) {
      // [3, 2, 1] then 0.5 replaces the top moving down the left child; [3, 1, 2], the right one.
      h.offer(3, 0, 3);
      h.offer(2, 1, 3);
      h.offer(1, 2, 3);
      h.offer(0.5, 3, 3);
      h.length = 0;
      h.offer(3, 0, 3);
      h.offer(1, 1, 3);
      h.offer(2, 2, 3);
      h.offer(0.5, 3, 3);
      h.length = 0;
    }
  }

  /**
   * Replaces the top pair by (`dist`, `id`) and restores the heap order: one sift-down, where a
   * push then a pop of a full bounded result set would cost two.
   */
  replaceTop(dist: number, id: number): void {
    const keys = this.keys;
    const ids = this.ids;
    const n = this.length;
    const key = dist * this.sign;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = keys[child]!;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right]!;
        if (rk > ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck <= key) break;
      keys[i] = ck;
      ids[i] = ids[child]!;
      i = child;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /**
   * {@link offer} for a set kept in (distance, id) order, the order of a sort by distance then id:
   * of two pairs at the same distance the one with the larger id counts as the farther, so the top
   * is always the farthest pair with the largest id, and the set keeps exactly the `cap` first
   * pairs of that order whatever order they come in (plain {@link offer} may keep any of the pairs
   * tied at the cut). A push while it holds fewer than `cap`, else the top is replaced in one
   * sift-down (the caller has checked that (`dist`, `id`) comes before the top pair). Only for
   * farthest-first heaps; drain with {@link drainAscendingById}. Costs one extra comparison, on
   * equal distances only.
   */
  offerById(dist: number, id: number, cap: number): void {
    if (this.length < cap) {
      if (this.length === this.keys.length) this.grow();
      const keys = this.keys;
      const ids = this.ids;
      let i = this.length++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const pk = keys[parent]!;
        if (pk > dist || (pk === dist && ids[parent]! > id)) break;
        keys[i] = pk;
        ids[i] = ids[parent]!;
        i = parent;
      }
      keys[i] = dist;
      ids[i] = id;
      return;
    }
    this.siftDownById(this.length, dist, id);
  }

  /** Puts (`key`, `id`) at the root of the first `n` slots and sifts it down in (key, id) order. */
  private siftDownById(n: number, key: number, id: number): void {
    const keys = this.keys;
    const ids = this.ids;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = keys[child]!;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right]!;
        if (rk > ck || (rk === ck && ids[right]! > ids[child]!)) {
          child = right;
          ck = rk;
        }
      }
      if (ck < key || (ck === key && ids[child]! < id)) break;
      keys[i] = ck;
      ids[i] = ids[child]!;
      i = child;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /**
   * Empties a heap filled by {@link offerById} into `outIds` / `outDists`, ascending by distance
   * and, at equal distances, by id (the top goes to the last slot). Returns the count; the outputs
   * must hold at least `length` entries.
   */
  drainAscendingById(outIds: Int32Array, outDists: Float64Array): number {
    const n = this.length;
    const keys = this.keys;
    const ids = this.ids;
    for (let last = n - 1; last >= 0; last--) {
      outIds[last] = ids[0]!;
      outDists[last] = keys[0]!;
      if (last > 0) this.siftDownById(last, keys[last]!, ids[last]!);
    }
    this.length = 0;
    return n;
  }

  /**
   * The `k` smallest distances of a farthest-first heap, ascending, into `outIds` / `outDists`
   * (equal distances by ascending id, so the answer does not depend on heap order); the heap is
   * emptied. An insertion into a sorted run of `k` per entry,
   * which for `k` much below `length` costs far less than popping `length − k` times (a search
   * at ef 320 keeps 10 of 320). Returns the count.
   */
  drainSmallest(k: number, outIds: Int32Array, outDists: Float64Array): number {
    const n = this.length;
    const keys = this.keys;
    const ids = this.ids;
    const sign = this.sign;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const d = keys[i]! * sign;
      const id = ids[i]!;
      if (m === k) {
        const last = outDists[m - 1]!;
        if (d > last || (d === last && id > outIds[m - 1]!)) continue;
      }
      let p = m < k ? m++ : m - 1;
      while (p > 0 && (outDists[p - 1]! > d || (outDists[p - 1] === d && outIds[p - 1]! > id))) {
        outDists[p] = outDists[p - 1]!;
        outIds[p] = outIds[p - 1]!;
        p--;
      }
      outDists[p] = d;
      outIds[p] = id;
    }
    this.length = 0;
    return m;
  }

  /** Removes the top (the caller reads `ids[0]` / {@link topDistance} first). */
  pop(): void {
    const n = --this.length;
    if (n <= 0) return;
    const keys = this.keys;
    const ids = this.ids;
    const key = keys[n]!;
    const id = ids[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let ck = keys[child]!;
      const right = child + 1;
      if (right < n) {
        const rk = keys[right]!;
        if (rk > ck) {
          child = right;
          ck = rk;
        }
      }
      if (ck <= key) break;
      keys[i] = ck;
      ids[i] = ids[child]!;
      i = child;
    }
    keys[i] = key;
    ids[i] = id;
  }

  /**
   * Empties the heap into `outIds` / `outDists`, top first into the last slot: ascending distance
   * order for a farthest-first heap (descending for a closest-first one). Returns the count; the
   * outputs must hold at least `length` entries.
   */
  drainAscending(outIds: Int32Array, outDists: Float64Array): number {
    const n = this.length;
    const sign = this.sign;
    for (let i = n - 1; i >= 0; i--) {
      outIds[i] = this.ids[0]!;
      outDists[i] = this.keys[0]! * sign;
      this.pop();
    }
    return n;
  }
}

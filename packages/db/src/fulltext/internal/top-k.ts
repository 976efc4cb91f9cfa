/**
 * The k best (score, id) pairs of a stream, in a bounded min-heap over two preallocated typed
 * arrays: the worst kept pair sits on top and is the one evicted. Order: higher score first, then
 * lower id (so ties rank deterministically). (@vego/hnsw has distance heaps of its own, but keeps
 * them internal to its package.)
 */

/** A bounded heap keeping the `capacity` best pairs pushed. */
export class TopK {
  readonly scores: Float64Array;
  readonly ids: Int32Array;
  length: number;
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.scores = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.length = 0;
  }

  /** True when (s1, id1) ranks below (s2, id2). */
  private static worse(s1: number, id1: number, s2: number, id2: number): boolean {
    return s1 < s2 || (s1 === s2 && id1 > id2);
  }

  /** Offers a pair; kept when the heap has room or it beats the worst kept pair. */
  push(score: number, id: number): void {
    const scores = this.scores;
    const ids = this.ids;
    if (this.length < this.capacity) {
      let i = this.length++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!TopK.worse(score, id, scores[parent]!, ids[parent]!)) break;
        scores[i] = scores[parent]!;
        ids[i] = ids[parent]!;
        i = parent;
      }
      scores[i] = score;
      ids[i] = id;
      return;
    }
    if (this.capacity === 0 || !TopK.worse(scores[0]!, ids[0]!, score, id)) return;
    this.siftDown(score, id, this.length);
  }

  /** Places (score, id) at the root and sifts it down within the first `n` slots. */
  private siftDown(score: number, id: number, n: number): void {
    const scores = this.scores;
    const ids = this.ids;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && TopK.worse(scores[right]!, ids[right]!, scores[child]!, ids[child]!)) child = right;
      if (!TopK.worse(scores[child]!, ids[child]!, score, id)) break;
      scores[i] = scores[child]!;
      ids[i] = ids[child]!;
      i = child;
    }
    scores[i] = score;
    ids[i] = id;
  }

  /** Empties the heap into best-first order; returns the count (the pairs are `ids`/`scores[0..count)`). */
  drainSorted(): number {
    const n = this.length;
    const scores = this.scores;
    const ids = this.ids;
    // Heap sort in place: repeatedly move the worst to the end of the shrinking heap.
    for (let end = n - 1; end > 0; end--) {
      const s = scores[end]!;
      const id = ids[end]!;
      scores[end] = scores[0]!;
      ids[end] = ids[0]!;
      this.siftDown(s, id, end);
    }
    this.length = 0;
    return n;
  }
}

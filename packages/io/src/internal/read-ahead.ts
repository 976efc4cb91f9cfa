/**
 * Scan ranges pulled lazily from a plan, and read-ahead over them.
 *
 * A scan plan is a generator of ranges `[fragment, physical offset, rows]`: nothing is built per
 * batch up front, so a manifest claiming 2^40 rows costs nothing until its fragment is read (and
 * that read checks the claim against the data file, see `Dataset`). {@link RangeQueue} pulls ranges
 * only as far as a reader looks ahead and forgets the ones consumed.
 */

/** One scan range: fragment index, first physical row, physical row count. */
export type ScanRange = readonly [fragment: number, offset: number, rows: number];

/** Most ranges {@link readAhead} keeps in flight. */
export const MAX_READ_AHEAD = 16;

/** The ranges of a lazy plan by index, pulled on demand; ranges before {@link RangeQueue.drop}'s index are forgotten. */
export class RangeQueue {
  private readonly source: Iterator<ScanRange>;
  private buffered: ScanRange[] = [];
  /** Index of `buffered[0]`. */
  private base = 0;
  private ended = false;

  constructor(ranges: Iterable<ScanRange>) {
    this.source = ranges[Symbol.iterator]();
  }

  /** Range `k` (pulling the plan as far as needed), or undefined past the end. `k` must not be dropped. */
  at(k: number): ScanRange | undefined {
    while (!this.ended && k - this.base >= this.buffered.length) {
      const next = this.source.next();
      if (next.done === true) this.ended = true;
      else this.buffered.push(next.value);
    }
    return this.buffered[k - this.base];
  }

  /** Forgets the ranges before `k`. */
  drop(k: number): void {
    if (k <= this.base) return;
    this.buffered = this.buffered.slice(Math.min(k - this.base, this.buffered.length));
    this.base = k;
  }
}

/**
 * Read-ahead over the ranges of `queue`: returns a function giving the read of each range in order
 * (call it once per range, only for ranges that exist). Besides the range asked for, the next one
 * is always in flight, and further ones while their rows add up to at most `budget` (at most
 * {@link MAX_READ_AHEAD}), so a scan over many small fragments opens and reads several at once
 * (each open is a few thread-pool round trips) while holding no more rows than about two batches,
 * as with large fragments.
 */
export function readAhead<T>(queue: RangeQueue, budget: number, read: (fragment: number, offset: number, rows: number) => Promise<T>): () => Promise<T> {
  const ahead: Promise<T>[] = [];
  let queued = 0;
  let taken = 0;
  let aheadRows = 0;
  const fill = (): void => {
    for (;;) {
      const range = queue.at(queued);
      if (range === undefined) return;
      if (ahead.length > 0 && (ahead.length >= MAX_READ_AHEAD || aheadRows + range[2] > budget)) return;
      queued++;
      const p = read(range[0], range[1], range[2]);
      // Observed here too, so that a read-ahead abandoned by a caller who stops early is no unhandled rejection.
      p.catch(() => undefined);
      aheadRows += range[2];
      ahead.push(p);
    }
  };
  return () => {
    fill();
    const current = ahead.shift()!;
    aheadRows -= queue.at(taken++)![2];
    fill();
    return current;
  };
}

/**
 * A visited set over node ids that is never cleared, only re-stamped: each search bumps `epoch`,
 * and a node is visited when its tag equals the current epoch. The tags are wiped only when the
 * 16-bit epoch wraps (once every 65,535 searches).
 */
export class VisitedSet {
  tags: Uint16Array;
  epoch: number;

  constructor(capacity: number) {
    this.tags = new Uint16Array(capacity);
    this.epoch = 1;
  }

  /** Starts a new search; makes room for `capacity` ids (reallocating only when it grows). */
  reset(capacity: number): number {
    if (this.tags.length < capacity) {
      this.tags = new Uint16Array(Math.max(capacity, this.tags.length * 2));
      this.epoch = 0;
    }
    let e = this.epoch + 1;
    if (e > 0xffff) {
      this.tags.fill(0);
      e = 1;
    }
    this.epoch = e;
    return e;
  }
}

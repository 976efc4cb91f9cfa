/**
 * Progress for long runs: a redrawn bar on a terminal, and a plain line every few seconds when
 * stderr is a pipe or a CI log (where carriage returns only make noise).
 */

/** Writes progress for `total` units of work to a stream. */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastDrawn = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Reports that `done` units are finished. Cheap to call often: it redraws at most 10 times a second. */
  update(done: number): void {
    const now = Date.now();
    const tty = this.out.isTTY === true;
    if (done === this.lastDrawn) return;
    if (done < this.total && now - this.lastDraw < (tty ? 100 : 5000)) return;
    this.lastDraw = now;
    this.lastDrawn = done;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const text = `${this.label} ${done}/${this.total} (${(fraction * 100).toFixed(0)}%, ${rate}/s)`;
    if (tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
    } else {
      this.out.write(`${text}\n`);
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    this.update(this.total);
    if (this.out.isTTY === true) this.out.write('\n');
  }
}

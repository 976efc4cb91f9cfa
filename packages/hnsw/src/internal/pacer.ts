/**
 * Keeps long work from blocking the event loop: the work asks {@link Pacer.due} every few hundred
 * items and, when it has run {@link SLICE_MS} since the last turn, lets the event loop run once
 * (`setImmediate`) before going on. An async save of a 100K × 128 index would otherwise hold the
 * loop for ~100 ms at a time (copy, checksums, rows); issue 14 asks for at most ~50 ms.
 */

/** Longest synchronous stretch of paced work, in milliseconds (well under the 50 ms asked, to leave room for the step that follows). */
export const SLICE_MS = 12;

/** Tracks the time since the last event-loop turn of one piece of paced work. */
export class Pacer {
  private last = performance.now();

  /** True when the work has run {@link SLICE_MS} since its last turn. */
  due(): boolean {
    return performance.now() - this.last >= SLICE_MS;
  }

  /** Lets the event loop run once, then restarts the clock. */
  async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.restart();
  }

  /** Restarts the clock (after a turn taken elsewhere). */
  restart(): void {
    this.last = performance.now();
  }
}

/** Elements copied between two checks of the clock (~1 ms of copying). */
const COPY_CHUNK = 1 << 18;

/**
 * Copies `src[from .. from + dst.length)` into `dst` a chunk at a time, yielding (for an
 * event-loop turn, see {@link runPaced}) when `pacer` is due.
 */
export function* copyInSlices<T extends Int32Array | Float32Array>(dst: T, src: T, from: number, pacer: Pacer): Generator<void, void, void> {
  for (let at = 0; at < dst.length; at += COPY_CHUNK) {
    const end = Math.min(dst.length, at + COPY_CHUNK);
    dst.set(src.subarray(from + at, from + end), at);
    if (pacer.due()) yield;
  }
}

/**
 * Runs paced work: synchronously up to its first yield, so work that fits in one slice is done
 * before this returns (no promise); from there on with an event-loop turn at each yield.
 */
export function runPaced<T>(work: Generator<void, T, void>, pacer: Pacer): T | Promise<T> {
  const first = work.next();
  if (first.done === true) return first.value;
  return (async () => {
    let step: IteratorResult<void, T> = first;
    while (step.done !== true) {
      await pacer.turn();
      step = work.next();
    }
    return step.value;
  })();
}

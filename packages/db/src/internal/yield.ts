/**
 * Giving the event loop a turn between slices of long work (inserts, batches of searches), so no
 * single slice blocks it for long. Works in Node (setImmediate) and browsers (setTimeout).
 */

/** Target length of one slice of synchronous work, in milliseconds. */
export const SLICE_MS = 10;

/** Resolves on a later turn of the event loop. */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Milliseconds from a monotonic clock. */
export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Next slice size: aim for about half of SLICE_MS per slice. */
export function adaptStep(step: number, ms: number): number {
  if (ms < SLICE_MS / 4) return Math.min(step * 2, 65536);
  if (ms > SLICE_MS) return Math.max(1, step >> 1);
  return step;
}

/**
 * Runs `work(0)` … `work(n − 1)` in order, in slices of about half of {@link SLICE_MS} (sized from
 * the last slice's time, starting at `step` items) with an event-loop turn between slices.
 */
export async function inSlices(n: number, work: (j: number) => void, step = 32): Promise<void> {
  let j = 0;
  while (j < n) {
    const end = Math.min(n, j + step);
    const t0 = now();
    for (; j < end; j++) work(j);
    step = adaptStep(step, now() - t0);
    if (j < n) await yieldToEventLoop();
  }
}

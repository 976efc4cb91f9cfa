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

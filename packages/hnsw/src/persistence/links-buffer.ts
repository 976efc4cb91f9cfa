/**
 * The one buffer a save's copied link-list rows go into (an incremental save's `links` column, a
 * whole save's upper-layer rows), kept between saves: a fresh buffer of a few MiB per save costs a
 * page fault per 4 KiB on first write and garbage to collect, about as much as copying the rows
 * into it. A save takes it (no other save gets it until it is given back) and gives it back once
 * its commit no longer reads it.
 */

/**
 * Words of the largest buffer kept between saves (16 MiB); larger ones are left to the garbage
 * collector.
 */
const MAX_KEPT_LINK_WORDS = 4 * 1024 * 1024;

/** The kept buffer (null while a save holds it). */
let keptLinks: Int32Array | null = null;

/** Buffers {@link takeLinks} handed out: only those are ever kept (never a view of an index's memory). */
const issuedLinks = new WeakSet<ArrayBufferLike>();

/** A buffer of `words` words: the kept one (taken) when long enough, else a fresh one. Not zeroed. */
export function takeLinks(words: number): Int32Array {
  const kept = keptLinks;
  if (kept !== null && kept.length >= words) {
    keptLinks = null;
    return kept.subarray(0, words);
  }
  const fresh = new Int32Array(words);
  issuedLinks.add(fresh.buffer);
  return fresh;
}

/**
 * Gives back a buffer (any view of it) that {@link takeLinks} handed out, once nothing reads it, for
 * the next save to reuse; any other array is ignored.
 */
export function giveBackLinks(values: Int32Array): void {
  if (!issuedLinks.has(values.buffer) || values.buffer.byteLength > 4 * MAX_KEPT_LINK_WORDS) return;
  const whole = new Int32Array(values.buffer);
  if (keptLinks === null || keptLinks.length < whole.length) keptLinks = whole;
}

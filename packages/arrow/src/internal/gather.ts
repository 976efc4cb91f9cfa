/**
 * The copy loops behind `take.ts`. Each one walks a list of *runs* of source rows, in output order,
 * and copies them into a new buffer the caller allocated:
 *
 *   run k = source rows [base + starts[k] * width, base + ends[k] * width),
 *           with ends[k] = starts[k] + 1 when `ends` is null.
 *
 * A plain index list is `starts = indices, ends = null, base = offset, width = 1`; a FixedSizeList's
 * items are the same starts with `width = listSize`, so nested takes reuse the caller's index array
 * instead of expanding it. Values are moved as unsigned integer words (never through bigints, and
 * through floats only with the NaN check of `gatherFloat64`), so NaN payloads, -0 and 64-bit
 * integers come out bit for bit.
 *
 * Worked example: Int64 values are gathered as Uint32 word pairs, so `base = 2 * offset`,
 * `width = 2`; taking indices [3, 0] of an Int64 array at offset 1 copies words 8..9 then 2..3.
 */
import { OutOfRangeError } from '../errors';

/** Word views the fixed-width loops copy (8-byte values travel as two Uint32 words). */
export type Words = Uint8Array | Uint16Array | Uint32Array;

/**
 * Runs of at least this many words are copied with one `set(subarray)` (a memcpy, but one view
 * object per run); shorter ones element by element, which is cheaper than creating the view.
 */
const SET_MIN_WORDS = 32;

/** Largest int32 offset: the end of a Utf8/Binary/List array's bytes or items. */
const MAX_OFFSET = 0x7fffffff;

function offsetOverflow(total: number): OutOfRangeError {
  return new OutOfRangeError(`take result would hold ${total} bytes or items, beyond the int32 offset limit ${MAX_OFFSET}`);
}

/**
 * Copies the selected runs of `src` words into `out` from index 0 (`out` must hold them all).
 * Monomorphic fast loops for one and two words per row (index lists of 1-, 2-, 4- and 8-byte values).
 */
export function gatherWords<W extends Words>(
  src: W, base: number, width: number, starts: Int32Array, ends: Int32Array | null, out: W,
): void {
  const numRuns = starts.length;
  const from = src as Words;
  const to = out as Words;
  if (ends === null) {
    if (width === 1) {
      for (let k = 0; k < numRuns; k++) to[k] = from[base + starts[k]!]!;
    } else if (width === 2) {
      for (let k = 0, p = 0; k < numRuns; k++, p += 2) {
        const j = base + 2 * starts[k]!;
        to[p] = from[j]!;
        to[p + 1] = from[j + 1]!;
      }
    } else if (width < SET_MIN_WORDS) {
      for (let k = 0, p = 0; k < numRuns; k++) {
        const j = base + width * starts[k]!;
        for (let t = 0; t < width; t++) to[p++] = from[j + t]!;
      }
    } else {
      for (let k = 0, p = 0; k < numRuns; k++, p += width) {
        const j = base + width * starts[k]!;
        to.set(from.subarray(j, j + width), p);
      }
    }
    return;
  }
  for (let k = 0, p = 0; k < numRuns; k++) {
    const j = base + width * starts[k]!;
    const e = base + width * ends[k]!;
    if (e - j < SET_MIN_WORDS) {
      for (let t = j; t < e; t++) to[p++] = from[t]!;
    } else {
      to.set(from.subarray(j, e), p);
      p += e - j;
    }
  }
}

/**
 * Index-list gather of 8-byte values (Float64, Int64, Uint64) through Float64Array: one load and one
 * store per value, the fastest such loop in V8. Only NaN bit patterns can change on the way (an
 * engine may canonicalise a NaN it loads, which would also garble Int64 values such as -1n that
 * share those patterns), so every value that reads as NaN is copied again as two exact Uint32 words.
 */
export function gatherFloat64(src: Float64Array, base: number, starts: Int32Array, out: Float64Array): void {
  const n = starts.length;
  const srcWords = new Uint32Array(src.buffer, src.byteOffset, src.length * 2);
  const outWords = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  for (let k = 0; k < n; k++) {
    const j = base + starts[k]!;
    const x = src[j]!;
    out[k] = x;
    if (x !== x) {
      outWords[2 * k] = srcWords[2 * j]!;
      outWords[2 * k + 1] = srcWords[2 * j + 1]!;
    }
  }
}

/**
 * Copies the selected runs of bits of the LSB-first bitmap `src` into `out` from bit 0 (whole
 * bytes are written, so bits past the last one stay 0). Returns the number of set bits copied,
 * which gives a validity bitmap's exact null count for free.
 */
export function gatherBits(src: Uint8Array, base: number, width: number, starts: Int32Array, ends: Int32Array | null, out: Uint8Array): number {
  const numRuns = starts.length;
  let acc = 0;
  let p = 0;
  let set = 0;
  for (let k = 0; k < numRuns; k++) {
    const b = base + width * starts[k]!;
    const e = ends === null ? b + width : base + width * ends[k]!;
    for (let j = b; j < e; j++) {
      const bit = (src[j >> 3]! >> (j & 7)) & 1;
      acc |= bit << (p & 7);
      set += bit;
      if ((++p & 7) === 0) {
        out[(p >> 3) - 1] = acc;
        acc = 0;
      }
    }
  }
  if ((p & 7) !== 0) out[p >> 3] = acc;
  return set;
}

/**
 * First pass of a variable-width take (Utf8, Binary, List): writes the output offsets of the
 * selected rows into `outOffsets` (starting at 0) and the source span each run covers (bytes, or
 * child items) into `spanStarts`/`spanEnds`, merging spans that touch and dropping empty ones, so
 * the second pass can copy whole spans. Returns the number of spans; the total size is the last
 * offset written.
 * @throws OutOfRangeError when the total would not fit an int32 offset (rows taken many times).
 */
export function gatherOffsets(
  valueOffsets: Int32Array, base: number, width: number, starts: Int32Array, ends: Int32Array | null,
  outOffsets: Int32Array, spanStarts: Int32Array, spanEnds: Int32Array,
): number {
  const numRuns = starts.length;
  let q = 0;
  let total = 0;
  let numSpans = 0;
  outOffsets[0] = 0;
  for (let k = 0; k < numRuns; k++) {
    const b = base + width * starts[k]!;
    const e = ends === null ? b + width : base + width * ends[k]!;
    const first = valueOffsets[b]!;
    const last = valueOffsets[e]!;
    if (total + (last - first) > MAX_OFFSET) throw offsetOverflow(total + (last - first));
    const delta = total - first;
    for (let j = b + 1; j <= e; j++) outOffsets[++q] = valueOffsets[j]! + delta;
    total += last - first;
    if (last === first) continue;
    if (numSpans > 0 && spanEnds[numSpans - 1] === first) {
      spanEnds[numSpans - 1] = last;
    } else {
      spanStarts[numSpans] = first;
      spanEnds[numSpans] = last;
      numSpans++;
    }
  }
  return numSpans;
}

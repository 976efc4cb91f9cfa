// Table data and timing shared by the @vego/io suites (io.mjs, object-store.mjs): seeded Float64
// columns named c0, c1, … as @vego/io record batches, and the median-of-runs timer.
import * as v from '@vego/io';
import { seededRandom } from './data.mjs';

/** `cols` Float64Arrays of `rows` values uniform in [0, 1000), drawn column after column from `seed`. */
export function float64Columns(rows, cols, seed) {
  const rnd = seededRandom(seed);
  const out = [];
  for (let c = 0; c < cols; c++) {
    const a = new Float64Array(rows);
    for (let i = 0; i < rows; i++) a[i] = rnd() * 1000;
    out.push(a);
  }
  return out;
}

/** A record batch of the columns as nullable Float64 fields `c0`, `c1`, … (vectors are views). */
export function float64Batch(cols) {
  const fields = cols.map((_, c) => new v.Field(`c${c}`, new v.Float64(), true));
  return new v.RecordBatch(new v.Schema(fields), cols.map((a) => v.vectorFromTypedArray(a)));
}

/** The middle value (upper middle for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median time in ms of `fn` (awaited) over `reps` runs after `warm` warm-up runs. */
export async function medianTime(fn, reps, warm) {
  for (let i = 0; i < warm; i++) await fn();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

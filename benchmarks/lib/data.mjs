// Data shared by the benchmark suites: one seeded generator and one reader of the TEXMEX files,
// so every suite draws the same numbers the same way.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The SIFT-9k folder in ../shared beside the checkout. */
export const SIFT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'datasets', 'sift-9k');

/** mulberry32: a seeded generator of floats in [0, 1). */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a generator of `seededRandom`. */
export function gaussian(rand) {
  let u = rand();
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Reads a `.fvecs` (or, with `Int32Array`, `.ivecs`) file: `{ dimension, length, data }` with the
 * records' values in one flat array.
 */
export function readVecs(file, ArrayType = Float32Array) {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimension = view.getInt32(0, true);
  const record = 4 + 4 * dimension;
  if (bytes.byteLength % record !== 0) throw new Error(`${file}: not a whole number of ${record}-byte records`);
  const length = bytes.byteLength / record;
  const data = new ArrayType(length * dimension);
  const isFloat = ArrayType === Float32Array;
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < dimension; j++) {
      const at = i * record + 4 + 4 * j;
      data[i * dimension + j] = isFloat ? view.getFloat32(at, true) : view.getInt32(at, true);
    }
  }
  return { dimension, length, data };
}

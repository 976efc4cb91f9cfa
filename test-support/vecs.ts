/**
 * The one reader of TEXMEX vector files (`.fvecs`, `.ivecs`) for the tests, benchmarks and
 * examples. Each record is an int32 dimension followed by that many float32 (`.fvecs`) or int32
 * (`.ivecs`) values, little-endian. (The `vego` command has its own user-facing reader with
 * typed errors, `parseVecs` in @vego/cli; this one is for the SIFT files we ship with the tests.)
 */
import { readFileSync } from 'node:fs';

/** A vector file's records as one flat array. */
export interface VecsFile<A extends Float32Array | Int32Array> {
  dimension: number;
  /** Number of records. */
  length: number;
  /** `length · dimension` values, row-major (a fresh array). */
  data: A;
}

/**
 * Reads a `.fvecs` file (or, with `Int32Array`, an `.ivecs` file).
 * @throws Error when the file is not a whole number of records of its first record's dimension
 */
export function readVecs(file: string): VecsFile<Float32Array>;
export function readVecs(file: string, ArrayType: Float32ArrayConstructor): VecsFile<Float32Array>;
export function readVecs(file: string, ArrayType: Int32ArrayConstructor): VecsFile<Int32Array>;
export function readVecs(file: string, ArrayType: Float32ArrayConstructor | Int32ArrayConstructor = Float32Array): VecsFile<Float32Array | Int32Array> {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimension = bytes.byteLength === 0 ? 0 : view.getInt32(0, true);
  const record = 4 + 4 * dimension;
  if (dimension < 0 || bytes.byteLength % record !== 0) throw new Error(`${file}: not a whole number of ${record}-byte records`);
  const length = bytes.byteLength / record;
  const data = new ArrayType(length * dimension);
  const isFloat = ArrayType === Float32Array;
  for (let i = 0; i < length; i++) {
    if (view.getInt32(i * record, true) !== dimension) throw new Error(`${file}: record ${i} does not have dimension ${dimension}`);
    for (let j = 0; j < dimension; j++) {
      const at = i * record + 4 + 4 * j;
      data[i * dimension + j] = isFloat ? view.getFloat32(at, true) : view.getInt32(at, true);
    }
  }
  return { dimension, length, data };
}

/** Reads a `.fvecs` file: {@link readVecs} with float32 values. */
export function readFvecs(file: string): VecsFile<Float32Array> {
  return readVecs(file, Float32Array);
}

/**
 * The bytes of a TEXMEX vector file holding `data` as records of `dimension` values: `.fvecs` for a
 * Float32Array, `.ivecs` for an Int32Array (what {@link readVecs} reads back). A new array.
 */
export function vecsBytes(data: Float32Array | Int32Array, dimension: number): Uint8Array {
  const length = dimension === 0 ? 0 : data.length / dimension;
  const record = 4 + 4 * dimension;
  const view = new DataView(new ArrayBuffer(length * record));
  const isFloat = data instanceof Float32Array;
  for (let i = 0; i < length; i++) {
    view.setInt32(i * record, dimension, true);
    for (let j = 0; j < dimension; j++) {
      const at = i * record + 4 + 4 * j;
      if (isFloat) view.setFloat32(at, data[i * dimension + j]!, true);
      else view.setInt32(at, data[i * dimension + j]!, true);
    }
  }
  return new Uint8Array(view.buffer);
}

/**
 * Readers for the vector files people already have: TEXMEX `.fvecs` (`.ivecs` ground truth is read by
 * `ground-truth.ts`), NumPy `.npy` (2-D float32/float64, C order), JSON lines (`[..]` or
 * `{"vector": [..]}` per line) and `.json` files holding one array of such rows.
 * Every length is checked against the bytes present before anything is allocated.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { CorruptDataError, InvalidArgumentError, IoError, NotSupportedError } from '@vego/db';

/** Vectors as one flat row-major array. */
export interface VectorSet {
  /** `count · dimension` values, row-major (a copy owned by the caller). */
  vectors: Float32Array;
  dimension: number;
  count: number;
}

/** Largest dimension accepted from a file; beyond it a header is almost surely corrupt. */
const MAX_DIMENSION = 1 << 16;

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new IoError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
}

/**
 * Reads `.fvecs` (int32 dimension, then that many float32, per record) or `.ivecs` as float32.
 * @throws CorruptDataError on a truncated record or a dimension that changes between records.
 */
export function parseVecs(bytes: Uint8Array, path: string, elementKind: 'float32' | 'int32' = 'float32'): VectorSet {
  if (bytes.byteLength === 0) return { vectors: new Float32Array(0), dimension: 0, count: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw new CorruptDataError(`${path}: truncated at offset 0: expected a 4-byte dimension, found ${bytes.byteLength} bytes`);
  const dimension = view.getInt32(0, true);
  if (dimension <= 0 || dimension > MAX_DIMENSION) {
    throw new CorruptDataError(`${path}: offset 0: expected a dimension from 1 to ${MAX_DIMENSION}, found ${dimension}`);
  }
  const recordBytes = 4 + 4 * dimension;
  if (bytes.byteLength % recordBytes !== 0) {
    throw new CorruptDataError(
      `${path}: ${bytes.byteLength} bytes is not a whole number of ${recordBytes}-byte records (dimension ${dimension}); the file is truncated or not ${extname(path) || 'vecs'}`,
    );
  }
  const count = bytes.byteLength / recordBytes;
  const vectors = new Float32Array(count * dimension);
  for (let r = 0; r < count; r++) {
    const at = r * recordBytes;
    const d = view.getInt32(at, true);
    if (d !== dimension) throw new CorruptDataError(`${path}: record ${r} at offset ${at}: expected dimension ${dimension}, found ${d}`);
    const base = r * dimension;
    for (let j = 0; j < dimension; j++) {
      const off = at + 4 + 4 * j;
      vectors[base + j] = elementKind === 'float32' ? view.getFloat32(off, true) : view.getInt32(off, true);
    }
  }
  return { vectors, dimension, count };
}

/**
 * Reads a NumPy `.npy` file holding a 2-D little-endian float32 or float64 array in C order.
 * @throws CorruptDataError on bad magic or a header that disagrees with the file size;
 *   NotSupportedError for other dtypes or Fortran order.
 */
export function parseNpy(bytes: Uint8Array, path: string): VectorSet {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.byteLength < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new CorruptDataError(`${path}: offset 0: expected the NumPy magic \\x93NUMPY, found something else`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.byteLength < 12) throw new CorruptDataError(`${path}: truncated NumPy header`);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new NotSupportedError(`${path}: NumPy format version ${major} is not supported (1, 2 and 3 are)`);
  }
  if (headerStart + headerLength > bytes.byteLength) {
    throw new CorruptDataError(`${path}: NumPy header of ${headerLength} bytes runs past the end of the file (${bytes.byteLength} bytes)`);
  }
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new CorruptDataError(`${path}: NumPy header lacks descr, fortran_order or shape: ${header.trim()}`);
  }
  if (fortran === 'True') throw new NotSupportedError(`${path}: Fortran-order arrays are not supported; save with C order`);
  const elementBytes = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (elementBytes === 0) throw new NotSupportedError(`${path}: dtype ${descr} is not supported (use float32 '<f4' or float64 '<f8')`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  if (shape.length !== 2 || shape.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new NotSupportedError(`${path}: expected a 2-D array (rows, dimension), found shape (${shapeText})`);
  }
  const [count, dimension] = shape as [number, number];
  const dataStart = headerStart + headerLength;
  const expected = count * dimension * elementBytes;
  if (bytes.byteLength - dataStart !== expected) {
    throw new CorruptDataError(`${path}: shape (${count}, ${dimension}) needs ${expected} data bytes, found ${bytes.byteLength - dataStart}`);
  }
  const vectors = new Float32Array(count * dimension);
  for (let i = 0; i < vectors.length; i++) {
    vectors[i] = elementBytes === 4 ? view.getFloat32(dataStart + 4 * i, true) : view.getFloat64(dataStart + 8 * i, true);
  }
  return { vectors, dimension, count };
}

/**
 * Reads JSON lines: each non-empty line is an array of numbers or an object with a `vector` array.
 * @throws CorruptDataError naming the line for bad JSON, a missing vector or a changed dimension.
 */
export function parseJsonLines(text: string, path: string): VectorSet {
  const rows: number[][] = [];
  let dimension = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new CorruptDataError(`${path}: line ${i + 1} is not JSON: ${(e as Error).message}`, { cause: e });
    }
    const vec = Array.isArray(value) ? value : (value as { vector?: unknown } | null)?.vector;
    if (!Array.isArray(vec) || vec.length === 0 || vec.some((x) => typeof x !== 'number')) {
      throw new CorruptDataError(`${path}: line ${i + 1}: expected an array of numbers or {"vector": [...]}`);
    }
    if (dimension === 0) dimension = vec.length;
    else if (vec.length !== dimension) throw new CorruptDataError(`${path}: line ${i + 1}: expected dimension ${dimension}, found ${vec.length}`);
    rows.push(vec as number[]);
  }
  const vectors = new Float32Array(rows.length * dimension);
  rows.forEach((r, i) => vectors.set(r, i * dimension));
  return { vectors, dimension, count: rows.length };
}

/** The vector file extensions {@link readVectorFile} accepts, for messages. */
export const VECTOR_FILE_FORMATS = '.fvecs, .npy, .json (an array of rows), .jsonl or .ndjson (one row per line)';

/**
 * Reads a vector file, choosing the parser by extension (`.fvecs`, `.npy`, `.json`, `.jsonl`/`.ndjson`).
 * @throws InvalidArgumentError for an unknown extension, and for `.ivecs` (integer ground truth, not
 *   vectors: `vego search --recall <file.ivecs>` takes it); IoError when the file cannot be read.
 */
export function readVectorFile(path: string): VectorSet {
  const ext = extname(path).toLowerCase();
  switch (ext) {
    case '.fvecs':
      return parseVecs(readBytes(path), path, 'float32');
    case '.ivecs':
      throw new InvalidArgumentError(
        `${path} is an .ivecs file (integer neighbour ids, i.e. ground truth), not vectors: give vectors as ${VECTOR_FILE_FORMATS}, and the ground truth to \`vego search --recall <file.ivecs>\``,
      );
    case '.npy':
      return parseNpy(readBytes(path), path);
    case '.json':
      return parseJsonFile(new TextDecoder().decode(readBytes(path)), path);
    case '.jsonl':
    case '.ndjson':
      return parseJsonLines(new TextDecoder().decode(readBytes(path)), path);
    default:
      throw new InvalidArgumentError(`${path}: vector files must be ${VECTOR_FILE_FORMATS}, got '${ext || 'no extension'}'`);
  }
}

/**
 * Reads a `.json` file: one JSON array whose elements are rows (`[..]` or `{"vector": [..]}`), e.g.
 * `[[0.1, 0.2], [0.3, 0.4]]`; a file that is not one such array is read as JSON lines.
 * @throws CorruptDataError naming the bad element (or line).
 */
export function parseJsonFile(text: string, path: string): VectorSet {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined; // several JSON values, one per line: JSON lines below
    }
    if (Array.isArray(value) && value.length > 0 && typeof value[0] !== 'number') return parseJsonArray(value, path);
  }
  return parseJsonLines(text, path);
}

/**
 * Rows from an already parsed JSON array: each element an array of numbers or `{"vector": [...]}`.
 * @throws CorruptDataError naming the element for a missing vector or a changed dimension.
 */
export function parseJsonArray(rows: readonly unknown[], path: string): VectorSet {
  let dimension = 0;
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i];
    const vec = Array.isArray(value) ? value : (value as { vector?: unknown } | null)?.vector;
    if (!Array.isArray(vec) || vec.length === 0 || vec.some((x) => typeof x !== 'number')) {
      throw new CorruptDataError(`${path}: element ${i}: expected an array of numbers or {"vector": [...]}`);
    }
    if (dimension === 0) dimension = vec.length;
    else if (vec.length !== dimension) throw new CorruptDataError(`${path}: element ${i}: expected dimension ${dimension}, found ${vec.length}`);
  }
  const vectors = new Float32Array(rows.length * dimension);
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i];
    vectors.set((Array.isArray(value) ? value : (value as { vector: number[] }).vector) as number[], i * dimension);
  }
  return { vectors, dimension, count: rows.length };
}

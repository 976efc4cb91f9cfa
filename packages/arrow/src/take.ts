/**
 * Take (gather): a new array holding the rows at the given indices, in the order given, for every
 * type of the package. Values are copied buffer to buffer (no per-row boxing or builder calls);
 * nested types recurse into their children with run lists (see `internal/gather.ts`), so a
 * `List<Utf8>` copies whole spans of string bytes and a `FixedSizeList<Float32>[128]` whole 512-byte
 * blocks of its child's values buffer.
 *
 * Memory: the result is a copy in fresh 64-byte padded buffers at offset 0, except when the indices
 * are one ascending contiguous run `[a, a + 1, …, a + n - 1]` (or empty): then it is a zero-copy
 * slice (view) of the input. Either way it has a validity bitmap only when a taken row is null.
 */
import { InvalidArgumentError, OutOfRangeError } from './errors';
import { ArrayData } from './data';
import { bitmapByteLength } from './bitmap';
import { MAX_BUFFER_BYTES, allocateAligned } from './buffer';
import { isDataType, TypeId } from './type';
import type { DataType, FixedSizeList, PrimitiveType, TypedArray, TypedArrayConstructor } from './type';
import type { Dictionary } from './type';
import { makeVector } from './vector';
import type { Vector } from './vector';
import { RecordBatch } from './record-batch';
import { gatherBits, gatherFloat64, gatherOffsets, gatherWords } from './internal/gather';
import type { Words } from './internal/gather';

/** Row indices accepted by {@link takeData}, {@link takeVector} and {@link takeBatch}. */
export type TakeIndices = Int32Array | Uint32Array | readonly number[];

/**
 * Index lists whose average contiguous run is at least this long are copied run by run (one
 * `set` per long run), as when a scan skips a few deleted rows; shorter runs row by row.
 */
const MIN_AVERAGE_RUN = 8;

/** Most rows (and FixedSizeList items) one array may hold, as in `makeData`. */
const MAX_LENGTH = 0x7fffffff;

/** The TypedArray class name of `value` (read from its tag, so arrays from another realm count too), or its typeof. */
function kindOf(value: unknown): string {
  return ArrayBuffer.isView(value) ? String((value as unknown as Record<symbol, unknown>)[Symbol.toStringTag]) : typeof value;
}

function notIndices(indices: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`\`indices\` must be an Int32Array, a Uint32Array or an array of numbers, got ${kindOf(indices)}`);
}

function notInteger(k: number, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`\`indices[${k}]\` must be an integer, got ${typeof value === 'number' ? String(value) : typeof value}`);
}

function outOfRange(k: number, value: number, length: number): OutOfRangeError {
  return new OutOfRangeError(`\`indices[${k}]\` = ${value} is out of range [0, ${length})`);
}

function tooLarge(type: DataType, count: number, unit: string, limit: number): OutOfRangeError {
  return new OutOfRangeError(`take result of ${type.toString()} would hold ${count} ${unit}, beyond the limit of ${limit}`);
}

/** Checked indices as an Int32Array (a view of the caller's memory for typed arrays) and their number of contiguous runs. */
interface Selection {
  readonly indices: Int32Array;
  readonly numRuns: number;
}

/** Source rows of one take, as the run list described in `internal/gather.ts`. */
interface Runs {
  readonly starts: Int32Array;
  readonly ends: Int32Array | null;
  readonly base: number;
  readonly width: number;
  /** Rows selected in all (the output length). */
  readonly length: number;
}

function checkInt32(indices: Int32Array, length: number): number {
  let numRuns = indices.length === 0 ? 0 : 1;
  let prev = -2;
  for (let k = 0; k < indices.length; k++) {
    const x = indices[k]!;
    if (x < 0 || x >= length) throw outOfRange(k, x, length);
    if (k > 0 && x !== prev + 1) numRuns++;
    prev = x;
  }
  return numRuns;
}

function checkUint32(indices: Uint32Array, length: number): number {
  let numRuns = indices.length === 0 ? 0 : 1;
  let prev = -2;
  for (let k = 0; k < indices.length; k++) {
    const x = indices[k]!;
    if (x >= length) throw outOfRange(k, x, length);
    if (k > 0 && x !== prev + 1) numRuns++;
    prev = x;
  }
  return numRuns;
}

function checkNumbers(indices: readonly number[], length: number): number {
  let numRuns = indices.length === 0 ? 0 : 1;
  let prev = -2;
  for (let k = 0; k < indices.length; k++) {
    const x = indices[k];
    if (typeof x !== 'number' || !Number.isInteger(x)) throw notInteger(k, x);
    if (x < 0 || x >= length) throw outOfRange(k, x, length);
    if (k > 0 && x !== prev + 1) numRuns++;
    prev = x;
  }
  return numRuns;
}

/** Validates every index against `length` before anything is allocated. */
function select(indices: TakeIndices, length: number): Selection {
  if (typeof indices === 'object' && indices !== null && indices.length > MAX_LENGTH) {
    throw new OutOfRangeError(`\`indices\` holds ${indices.length} rows, more than one array may hold (${MAX_LENGTH})`);
  }
  const kind = kindOf(indices);
  if (kind === 'Int32Array') return { indices: indices as Int32Array, numRuns: checkInt32(indices as Int32Array, length) };
  if (kind === 'Uint32Array') {
    const numRuns = checkUint32(indices as Uint32Array, length);
    // Every index is below length <= 2^31 - 1, so the same bits read as int32 are the same numbers.
    const u = indices as Uint32Array;
    return { indices: new Int32Array(u.buffer, u.byteOffset, u.length), numRuns };
  }
  if (!Array.isArray(indices)) throw notIndices(indices);
  const numRuns = checkNumbers(indices, length);
  return { indices: Int32Array.from(indices), numRuns };
}

/** One run per index, or, when the indices form long ascending stretches, one run per stretch. */
function runsOf(selection: Selection): Runs {
  const { indices, numRuns } = selection;
  const n = indices.length;
  if (numRuns * MIN_AVERAGE_RUN > n) return { starts: indices, ends: null, base: 0, width: 1, length: n };
  const starts = new Int32Array(numRuns);
  const ends = new Int32Array(numRuns);
  let r = 0;
  starts[0] = indices[0]!;
  for (let k = 1; k < n; k++) {
    const x = indices[k]!;
    if (x !== indices[k - 1]! + 1) {
      ends[r] = indices[k - 1]! + 1;
      starts[++r] = x;
    }
  }
  ends[r] = indices[n - 1]! + 1;
  return { starts, ends, base: 0, width: 1, length: n };
}

/** Allocates a 64-byte padded output buffer, with a take-specific error past the buffer limit. */
function allocateOut<A extends TypedArray>(ArrayType: TypedArrayConstructor<A>, count: number, type: DataType): A {
  const bytes = count * ArrayType.BYTES_PER_ELEMENT;
  if (bytes > MAX_BUFFER_BYTES) throw tooLarge(type, bytes, 'bytes in one buffer', MAX_BUFFER_BYTES);
  return allocateAligned(ArrayType, count);
}

/** A view of a numeric values buffer as unsigned words of its element size (8-byte values as Uint32 pairs). */
function wordsOf(values: TypedArray): Words {
  const bytes = values.BYTES_PER_ELEMENT;
  if (bytes === 1) return new Uint8Array(values.buffer, values.byteOffset, values.length);
  if (bytes === 2) return new Uint16Array(values.buffer, values.byteOffset, values.length);
  return new Uint32Array(values.buffer, values.byteOffset, values.byteLength >>> 2);
}

function takeNumeric(data: ArrayData, runs: Runs, validity: Uint8Array | null, nullCount: number): ArrayData {
  const type = data.type as PrimitiveType;
  const ArrayType = type.ArrayType as TypedArrayConstructor;
  const bytes = ArrayType.BYTES_PER_ELEMENT;
  const n = runs.length;
  const values = data.values!;
  let buffer: ArrayBufferLike;
  if (bytes === 8 && runs.ends === null && runs.width === 1) {
    const out = allocateOut(Float64Array, n, type);
    gatherFloat64(new Float64Array(values.buffer, values.byteOffset, values.length), data.offset + runs.base, runs.starts, out);
    buffer = out.buffer;
  } else {
    const perValue = bytes === 8 ? 2 : 1;
    const src = wordsOf(values);
    const out = allocateOut(src.constructor as TypedArrayConstructor<Words>, n * perValue, type);
    gatherWords(src, (data.offset + runs.base) * perValue, runs.width * perValue, runs.starts, runs.ends, out);
    buffer = out.buffer;
  }
  return new ArrayData(type, n, 0, nullCount, validity, new ArrayType(buffer, 0, buffer.byteLength / bytes), null, []);
}

/**
 * Output offsets of the taken rows of a Utf8/Binary/List array plus the runs of source bytes or child
 * items they cover (the second pass copies those).
 */
function takeOffsets(data: ArrayData, runs: Runs): { offsets: Int32Array; spans: Runs } {
  const numRuns = runs.starts.length;
  const offsets = allocateOut(Int32Array, runs.length + 1, data.type);
  const spanStarts = new Int32Array(numRuns);
  const spanEnds = new Int32Array(numRuns);
  const numSpans = gatherOffsets(data.valueOffsets!, data.offset + runs.base, runs.width, runs.starts, runs.ends, offsets, spanStarts, spanEnds);
  const spans = {
    starts: spanStarts.subarray(0, numSpans),
    ends: spanEnds.subarray(0, numSpans),
    base: 0,
    width: 1,
    length: offsets[runs.length]!,
  };
  return { offsets, spans };
}

/** The rows `runs` selects from `data`, copied (the recursive kernel behind every public function). */
function takeRuns(data: ArrayData, runs: Runs): ArrayData {
  const n = runs.length;
  const type = data.type;
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  if (data.validity !== null && data.nullCount !== 0) {
    const bits = allocateOut(Uint8Array, bitmapByteLength(n), type);
    const valid = gatherBits(data.validity, data.offset + runs.base, runs.width, runs.starts, runs.ends, bits);
    if (valid !== n) {
      validity = bits;
      nullCount = n - valid;
    }
  }
  switch (type.typeId) {
    case TypeId.Bool: {
      const bits = allocateOut(Uint8Array, bitmapByteLength(n), type);
      gatherBits(data.values as Uint8Array, data.offset + runs.base, runs.width, runs.starts, runs.ends, bits);
      return new ArrayData(type, n, 0, nullCount, validity, bits, null, []);
    }
    case TypeId.Utf8:
    case TypeId.Binary:
    case TypeId.LargeUtf8:
    case TypeId.LargeBinary: {
      const { offsets, spans } = takeOffsets(data, runs);
      const bytes = allocateOut(Uint8Array, spans.length, type);
      gatherWords(data.values as Uint8Array, 0, 1, spans.starts, spans.ends, bytes);
      return new ArrayData(type, n, 0, nullCount, validity, bytes, offsets, []);
    }
    case TypeId.List: {
      const { offsets, spans } = takeOffsets(data, runs);
      return new ArrayData(type, n, 0, nullCount, validity, null, offsets, [takeRuns(data.children[0]!, spans)]);
    }
    case TypeId.FixedSizeList: {
      // Row r owns child rows [(offset + r) * listSize, …): the same starts, scaled. For numeric
      // items this lands in gatherWords as blocks of listSize values of the child's buffer.
      const size = (type as FixedSizeList).listSize;
      if (n * size > MAX_LENGTH) throw tooLarge(type, n * size, 'items', MAX_LENGTH);
      const items: Runs = { starts: runs.starts, ends: runs.ends, base: (data.offset + runs.base) * size, width: runs.width * size, length: n * size };
      return new ArrayData(type, n, 0, nullCount, validity, null, null, [takeRuns(data.children[0]!, items)]);
    }
    case TypeId.Struct: {
      const rows: Runs = { starts: runs.starts, ends: runs.ends, base: data.offset + runs.base, width: runs.width, length: n };
      const children = data.children.map((child) => takeRuns(child, rows));
      return new ArrayData(type, n, 0, nullCount, validity, null, null, children);
    }
    case TypeId.FixedSizeBinary:
    case TypeId.Decimal128:
    case TypeId.Decimal256: {
      // byteWidth bytes per row: the row runs scaled to bytes.
      const w = type.byteWidth;
      const bytes = allocateOut(Uint8Array, n * w, type);
      gatherWords(data.values as Uint8Array, (data.offset + runs.base) * w, runs.width * w, runs.starts, runs.ends, bytes);
      return new ArrayData(type, n, 0, nullCount, validity, bytes, null, []);
    }
    case TypeId.Dictionary: {
      // The indices are taken like any integers; the dictionary is shared (not copied).
      const dict = type as Dictionary;
      const indices = new ArrayData(dict.indexType, data.length, data.offset, 0, null, data.values, null, []);
      const taken = takeNumeric(indices, runs, null, 0);
      return new ArrayData(type, n, 0, nullCount, validity, taken.values, null, data.children);
    }
    default:
      return takeNumeric(data, runs, validity, nullCount);
  }
}

/** The rows of `selection`: a zero-copy slice for a single run (without a bitmap when it has no nulls), else a copy. */
function takeSelected<T extends DataType>(data: ArrayData<T>, selection: Selection): ArrayData<T> {
  if (selection.numRuns > 1) return takeRuns(data, runsOf(selection)) as ArrayData<T>;
  const n = selection.indices.length;
  const begin = n === 0 ? 0 : selection.indices[0]!;
  const s = data.slice(begin, begin + n);
  if (s.validity === null || s.nullCount !== 0) return s;
  return new ArrayData(s.type, s.length, s.offset, 0, null, s.values, s.valueOffsets, s.children);
}

function checkData(data: ArrayData, name: string): void {
  if (typeof data !== 'object' || data === null || !isDataType(data.type) || typeof data.length !== 'number') {
    throw new InvalidArgumentError(`\`${name}\` must be an ArrayData`);
  }
}

/**
 * The rows of `data` at `indices`, in that order (repeats and any order allowed), as new ArrayData
 * of the same type. Every index is checked before anything is allocated.
 *
 * Memory: a copy into fresh 64-byte padded buffers at offset 0; a zero-copy slice (view) when the
 * indices are one ascending contiguous run or empty. The result has a validity bitmap only when a
 * taken row is null, with the exact `nullCount`.
 * @param data The source array (may be a slice: its `offset` is honoured).
 * @param indices Row indices in `[0, data.length)`.
 * @throws InvalidArgumentError when `indices` is not an Int32Array, Uint32Array or array, or holds a
 * non-integer; OutOfRangeError for an index outside `[0, data.length)`, or when the result would not
 * fit int32 offsets or a 2 GiB buffer.
 * @example
 * ```ts
 * const data = makeData({ type: new Int32(), length: 4, values: new Int32Array([10, 11, 12, 13]) });
 * makeVector(takeData(data, [3, 0, 3])).toArray(); // [13, 10, 13]
 * ```
 */
export function takeData<T extends DataType>(data: ArrayData<T>, indices: TakeIndices): ArrayData<T> {
  checkData(data, 'data');
  return takeSelected(data, select(indices, data.length));
}

/**
 * The elements of `vector` at `indices`, in that order, as a vector of the same class
 * (see {@link takeData} for memory and null handling).
 * @throws InvalidArgumentError or OutOfRangeError as {@link takeData}.
 * @example
 * ```ts
 * const names = utf8FromStrings(['a', 'b', null, 'd']);
 * takeVector(names, new Int32Array([3, 2, 0])).toArray(); // ['d', null, 'a']
 * ```
 */
export function takeVector<V extends Vector>(vector: V, indices: TakeIndices): V {
  if (typeof vector !== 'object' || vector === null) throw new InvalidArgumentError('`vector` must be a Vector');
  checkData(vector.data, 'vector.data');
  return makeVector(takeSelected(vector.data, select(indices, vector.length))) as unknown as V;
}

/**
 * The rows of `batch` at `indices`, in that order, with the same schema; the indices are checked
 * once for all columns (see {@link takeData} for memory and null handling).
 * @throws InvalidArgumentError or OutOfRangeError as {@link takeData}.
 * @example
 * ```ts
 * const batch = RecordBatch.from({ id: vectorFromTypedArray(new Int32Array([1, 2, 3])) });
 * takeBatch(batch, [2, 0]).column('id').toArray(); // [3, 1]
 * ```
 */
export function takeBatch(batch: RecordBatch, indices: TakeIndices): RecordBatch {
  if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.columns) || typeof batch.numRows !== 'number') {
    throw new InvalidArgumentError('`batch` must be a RecordBatch');
  }
  const selection = select(indices, batch.numRows);
  return new RecordBatch(batch.schema, batch.columns.map((c) => makeVector(takeSelected(c.data, selection)) as Vector));
}

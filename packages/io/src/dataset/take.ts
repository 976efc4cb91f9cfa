/**
 * Takes: rows at live positions, in the order asked. Positions map to fragments and physical
 * offsets through the live row counts (./live-rows), sorted positions group into runs of nearby
 * rows, each run is read once, and the rows are gathered in the order asked. Written once as a task
 * (@vego/format's effects.ts): blocking, the runs are read one after another; asynchronously, all at
 * once, so an object store's source coalesces them.
 */
import {
  InvalidArgumentError,
  OutOfRangeError,
  RecordBatch,
  allEffects,
  concatData,
  makeVector,
  perform,
  takeData,
  TypeId,
  type ArrayData,
  type DataType,
  type Schema,
  type Task,
  type Vector,
} from '@vego/format';
import { DEFAULT_BATCH_SIZE } from './options';
import type { DatasetView } from './view';

/** 2³²: a row address is fragment id · 2³² + physical offset (Lance's `_rowaddr`). */
export const ROW_ADDRESS_FRAGMENT = 0x100000000;

/** Row addresses of the rows at live positions `rowIndices` of `view` (see `Dataset#rowAddresses`). */
export function rowAddressesOf(view: DatasetView, rowIndices: ArrayLike<number>): Float64Array {
  if (rowIndices === null || typeof rowIndices !== 'object' || typeof rowIndices.length !== 'number') {
    throw new InvalidArgumentError('`rowIndices` must be an array of row positions');
  }
  // No sort (unlike a take's plan): each position on its own, by binary search over the fragments' live starts.
  const starts = view.live.starts();
  const total = starts[starts.length - 1]!;
  const fragments = view.fragments;
  const out = new Float64Array(rowIndices.length);
  for (let k = 0; k < out.length; k++) {
    const r = rowIndices[k]!;
    if (!Number.isSafeInteger(r) || r < 0 || r >= total) {
      throw new OutOfRangeError(`\`rowIndices[${k}]\` = ${r} is outside the ${total} rows of '${view.path}' version ${view.version}`);
    }
    let lo = 0;
    let hi = fragments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    out[k] = fragments[lo]!.id * ROW_ADDRESS_FRAGMENT + view.live.physicalOf(lo, r - starts[lo]!);
  }
  return out;
}

/** For each requested position: its fragment and physical offset there; `order` sorts the requests by position. */
export interface TakePlan {
  order: Int32Array;
  fragOf: Int32Array;
  local: Float64Array;
}

/** A run of nearby physical rows of one fragment, read at once. */
interface Run {
  fragment: number;
  offset: number;
  length: number;
}

/**
 * Maps `rowIndices` (live positions; any order, repeats allowed) to fragments and physical offsets.
 * @throws InvalidArgumentError when `rowIndices` is not array-like; OutOfRangeError for a position outside the version.
 */
export function planTake(view: DatasetView, rowIndices: ArrayLike<number>): TakePlan {
  if (rowIndices === null || typeof rowIndices !== 'object' || typeof rowIndices.length !== 'number') {
    throw new InvalidArgumentError('`rowIndices` must be an array of row positions');
  }
  const n = rowIndices.length;
  const starts = view.live.starts();
  const total = starts[starts.length - 1]!;
  const order = new Int32Array(n);
  const fragOf = new Int32Array(n);
  const local = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = rowIndices[k]!;
    if (!Number.isSafeInteger(r) || r < 0 || r >= total) {
      throw new OutOfRangeError(`\`rowIndices[${k}]\` = ${r} is outside the ${total} rows of '${view.path}' version ${view.version}`);
    }
    order[k] = k;
    // Binary search of the fragment holding live row r (the last one starting at or before r).
    let lo = 0;
    let hi = view.fragments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    fragOf[k] = lo;
    local[k] = view.live.physicalOf(lo, r - starts[lo]!);
  }
  order.sort((a, b) => rowIndices[a]! - rowIndices[b]!);
  return { order, fragOf, local };
}

/**
 * The fragments whose row counts a plan's positions were mapped through: every fragment up to the
 * last one holding a requested row (none for an empty plan).
 */
export function fragmentsThrough(plan: TakePlan): number[] {
  const last = plan.order.length === 0 ? -1 : maxOf(plan.fragOf);
  return Array.from({ length: last + 1 }, (_, f) => f);
}

/**
 * The rows at `rowIndices`, in that order, as one batch (a copy). The data files of every fragment
 * up to the last one read are opened first: positions were mapped through their row counts, and
 * opening checks those claims (a fragment claiming 0 rows included).
 */
export function* takeRows(view: DatasetView, rowIndices: ArrayLike<number>, options: { columns?: readonly string[] }): Task<RecordBatch> {
  const columns = view.resolveColumns(options.columns);
  const plan = planTake(view, rowIndices);
  yield* perform(allEffects(fragmentsThrough(plan).map((f) => view.files.openFragmentEffect(f))));
  const schema = view.projectedSchema(columns);
  // Columns of different widths are read over runs of their own: a narrow column reads through
  // gaps a wide one splits at, so it is decoded in a few long runs instead of one short run per
  // row (a 4-byte id beside a 512-byte vector: 1,000 scattered rows took 16.5 ms in shared runs,
  // 10.4 ms in runs of their own). All runs of all groups are read at once (one effect batch).
  const groups = columnGroups(schema).map((at) => {
    const names = at.length === columns.length ? columns : at.map((c) => columns[c]!);
    const groupSchema = at.length === columns.length ? schema : view.projectedSchema(names);
    return { at, names, schema: groupSchema, runs: takeRuns(plan, gapRows(groupSchema)) };
  });
  const batches = yield* perform(allEffects(groups.flatMap((g) => g.runs.map((run) => view.files.readRangeEffect(run.fragment, g.names, g.schema, run.offset, run.length)))));
  const out: Vector[] = new Array<Vector>(columns.length);
  let first = 0;
  for (const g of groups) {
    const taken = gather(g.schema, plan, g.runs, batches.slice(first, first + g.runs.length));
    first += g.runs.length;
    for (let j = 0; j < g.at.length; j++) out[g.at[j]!] = taken.columnAt(j);
  }
  return new RecordBatch(schema, out);
}

/** Indices of the columns of `schema` grouped by the gap a run reads through for each alone ({@link gapRowsFor}), in first-seen order. */
function columnGroups(schema: Schema): number[][] {
  const byGap = new Map<number, number[]>();
  for (let c = 0; c < schema.fields.length; c++) {
    const gap = gapRowsFor(valueBytes(schema.fields[c]!.type));
    const group = byGap.get(gap);
    if (group === undefined) byGap.set(gap, [c]);
    else group.push(c);
  }
  return [...byGap.values()];
}

/**
 * Bytes of unwanted rows a run reads through rather than starting a new run: a run is one decode,
 * so a small gap is cheaper read than split, but a wide one is paid in bytes read and decoded (on
 * a 128-float vector column, 1,024 rows of gap were 512 KB per pair of scattered rows).
 */
const GAP_BYTES = 16 * 1024;
/** Most rows of gap read through, whatever the width (narrow columns). */
const MAX_GAP_ROWS = 1024;
/** Width assumed for a variable-width value (strings, lists), whose size the schema does not say. */
const VARIABLE_VALUE_BYTES = 32;

/** Estimated bytes per row of a projected schema, from its types. */
function rowBytes(schema: Schema): number {
  let bytes = 0;
  for (const field of schema.fields) bytes += valueBytes(field.type);
  return bytes;
}

function valueBytes(type: Schema['fields'][number]['type']): number {
  const t = type as { bitWidth?: unknown; byteWidth?: unknown; listSize?: unknown; children?: readonly { type: unknown }[]; child?: { type: unknown } };
  if (typeof t.bitWidth === 'number') return t.bitWidth / 8;
  if (typeof t.byteWidth === 'number') return t.byteWidth;
  if (typeof t.listSize === 'number' && t.child !== undefined) return t.listSize * valueBytes(t.child.type as typeof type);
  if (Array.isArray(t.children)) {
    let sum = 0;
    for (const c of t.children) sum += valueBytes(c.type as typeof type);
    return sum;
  }
  return VARIABLE_VALUE_BYTES;
}

/** Rows of gap a run reads through for this schema: {@link GAP_BYTES} worth, 1 to {@link MAX_GAP_ROWS}. */
function gapRows(schema: Schema): number {
  return gapRowsFor(rowBytes(schema));
}

/** {@link gapRows} for rows of `bytes` bytes. */
function gapRowsFor(bytes: number): number {
  return Math.max(1, Math.min(MAX_GAP_ROWS, Math.floor(GAP_BYTES / Math.max(1, bytes))));
}

/** Groups sorted positions into runs of nearby rows within one fragment (gaps of fewer than `gap` rows read through). */
function takeRuns({ order, fragOf, local }: TakePlan, gap: number): Run[] {
  const runs: Run[] = [];
  for (let j = 0; j < order.length; j++) {
    const k = order[j]!;
    const f = fragOf[k]!;
    const at = local[k]!;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.fragment === f && at < last.offset + last.length + gap && at - last.offset < DEFAULT_BATCH_SIZE) {
      last.length = Math.max(last.length, at - last.offset + 1);
    } else {
      runs.push({ fragment: f, offset: at, length: 1 });
    }
  }
  return runs;
}

/** The requested rows out of the runs' batches, in the order asked. */
function gather(schema: Schema, { order, fragOf, local }: TakePlan, runs: readonly Run[], batches: readonly RecordBatch[]): RecordBatch {
  const n = order.length;
  // For each output row: which run batch, and which row inside it.
  const batchOf = new Int32Array(n);
  const rowOf = new Int32Array(n);
  let run = 0;
  for (let j = 0; j < n; j++) {
    const k = order[j]!;
    const f = fragOf[k]!;
    const at = local[k]!;
    while (!(runs[run]!.fragment === f && at >= runs[run]!.offset && at < runs[run]!.offset + runs[run]!.length)) run++;
    batchOf[k] = run;
    rowOf[k] = at - runs[run]!.offset;
  }
  // Rows of the runs joined end to end: output row k is row `base[batchOf[k]] + rowOf[k]` of them.
  const base = new Int32Array(batches.length + 1);
  for (let b = 0; b < batches.length; b++) base[b + 1] = base[b]! + batches[b]!.numRows;
  const at = new Int32Array(n);
  for (let k = 0; k < n; k++) at[k] = base[batchOf[k]!]! + rowOf[k]!;
  const out: Vector[] = [];
  for (let c = 0; c < schema.fields.length; c++) {
    const type = schema.fields[c]!.type;
    if (holdsDictionary(type)) {
      out.push(makeVector(takeJoiningSelected(type, batches.map((b) => b.columnAt(c).data), batchOf, rowOf)) as Vector);
      continue;
    }
    const joined = concatData(type, batches.map((b) => b.columnAt(c).data));
    out.push(makeVector(takeData(joined, at)) as Vector);
  }
  return new RecordBatch(schema, out);
}

/** Whether `type` is or holds (in lists, structs) a dictionary. */
function holdsDictionary(type: DataType): boolean {
  if (type.typeId === TypeId.Dictionary) return true;
  if (type.typeId === TypeId.List || type.typeId === TypeId.FixedSizeList) return holdsDictionary(type.child.type);
  if (type.typeId === TypeId.Struct) return type.children.some((f) => holdsDictionary(f.type));
  return false;
}

/**
 * Output row k is row `rowOf[k]` of chunk `batchOf[k]`: each chunk's requested rows are taken first, then
 * joined and put in order. For dictionary columns: each fragment has its own dictionary, and the runs'
 * whole dictionaries joined could outgrow the index type where the requested rows' values do not.
 */
function takeJoiningSelected(type: DataType, chunks: readonly ArrayData[], batchOf: Int32Array, rowOf: Int32Array): ArrayData {
  const n = batchOf.length;
  const rows: number[][] = chunks.map(() => []);
  const within = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows[batchOf[k]!]!;
    within[k] = r.length;
    r.push(rowOf[k]!);
  }
  const pieces = chunks.map((d, b) => takeData(d, Int32Array.from(rows[b]!)));
  const start = new Int32Array(chunks.length + 1);
  for (let b = 0; b < chunks.length; b++) start[b + 1] = start[b]! + rows[b]!.length;
  const at = new Int32Array(n);
  for (let k = 0; k < n; k++) at[k] = start[batchOf[k]!]! + within[k]!;
  return takeData(concatData(type, pieces), at);
}

/** Largest value of `a`, or −1 when it is empty. */
export function maxOf(a: Int32Array): number {
  let m = -1;
  for (let k = 0; k < a.length; k++) if (a[k]! > m) m = a[k]!;
  return m;
}

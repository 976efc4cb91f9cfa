/**
 * Saving a {@link TextIndex} as Lance datasets (layout in `persistence-layout.ts`) and loading it.
 *
 * Commit protocol (as @vego/hnsw's): a save first commits new versions of `terms.lance` and
 * `docs.lance` (each atomic on its own, see @vego/io), then appends one row to `commits.lance`
 * naming those versions. That row is the commit point: a loader reads the last commit row and
 * opens the other two at exactly the versions it names, so a save killed at any moment leaves the
 * previous save loadable and whatever an unfinished save wrote is ignored.
 *
 * Incremental saves: the index records the documents added, updated or removed since its last save
 * or load (`TextIndex.changedDocs`), and the dictionary only grows. The next save to the same
 * directory appends the new terms, deletes the `docs` rows of the changed documents (their live
 * positions found by scanning the `doc_id` column), then appends the rows of those still present.
 * The dataset is rewritten whole instead (an `overwrite` version) on the first save to a
 * directory, when a dataset moved on since our last save (a crashed save, another writer), with
 * `full`, or when the rows deleted so far would exceed `compactionThreshold` of the rows stored.
 *
 * Every step is written once, as a generator of I/O operations; one driver runs it synchronously,
 * the other with @vego/io's asynchronous calls.
 */
import {
  CorruptDataError,
  checkEntryInside,
  corruptData,
  Dataset,
  type Float64Vector,
  Int32,
  type Int32Vector,
  InvalidArgumentError,
  List,
  type ListVector,
  NotFoundError,
  RecordBatch,
  type Table,
  UnsupportedVersionError,
  type Utf8Vector,
  makeData,
  makeVector,
  recordBatchFromRows,
  utf8FromStrings,
  vectorFromTypedArray,
} from '@vego/hnsw';
import {
  TEXT_COMMITS_DATASET,
  TEXT_COMMITS_SCHEMA,
  type TextCommitRow,
  TEXT_DOCS_DATASET,
  TEXT_DOCS_SCHEMA,
  TEXT_TERMS_DATASET,
  TEXT_TERMS_SCHEMA,
  TEXT_INDEX_FORMAT_VERSION,
} from './persistence-layout';
import { MAX_DOC_ID, TextIndex } from './text-index';
import { type Tokenizer, createTokenizer, isTokenizer, tokenizerOptionsOf } from './tokenizer';

/** Options of {@link saveTextIndex} / {@link saveTextIndexSync}. */
export interface TextSaveOptions {
  /** Rewrite both datasets whole, whatever changed. Default false. */
  full?: boolean;
  /**
   * Rewrite `docs.lance` whole instead of deleting and appending when the rows it would then hold
   * deleted (kept on disk until a rewrite) exceed this share of all its stored rows. 0 to 1; default 0.5.
   */
  compactionThreshold?: number;
}

/** What a save wrote. */
export interface TextSaveResult {
  /** Versions of the datasets that make up this save. */
  termsVersion: number;
  docsVersion: number;
  commitsVersion: number;
  /** Rows appended to `terms.lance` / `docs.lance` (0 when unchanged). */
  termRowsWritten: number;
  docRowsWritten: number;
  /** Rows of earlier saves deleted from `docs.lance` (updated and removed documents). */
  docRowsDeleted: number;
  /** True when the datasets were rewritten whole. */
  rewritten: boolean;
}

/** Options of {@link loadTextIndex} / {@link loadTextIndexSync}. */
export interface TextLoadOptions {
  /**
   * The tokenizer to use. Required when the index was saved with a custom tokenizer (its `id` must
   * equal the saved one); otherwise the saved options recreate the default tokenizer.
   */
  tokenizer?: Tokenizer;
  /**
   * Largest document id the loaded index may hold (default {@link MAX_DOC_ID}). The index sizes
   * its per-document arrays by its largest id, so a damaged `doc_id` (1e8 in a file of a few rows)
   * would allocate gigabytes before anything else could notice; a caller that knows its id space
   * (a collection: its documents' ids) passes it, and a larger id is refused as damage first.
   */
  maxDocId?: number;
}

/** Default {@link TextSaveOptions.compactionThreshold}. */
export const DEFAULT_TEXT_COMPACTION_THRESHOLD = 0.5;
/** `commits.lance` is rewritten with only the newest row once it holds this many. */
const COMMITS_MAX_ROWS = 256;

/** What the index remembers of its last save or load. */
interface SavedState {
  root: string;
  termsVersion: number;
  docsVersion: number;
  commitsVersion: number;
  commitsRows: number;
  numTerms: number;
  /** Rows stored in the fragments of `docs` at `docsVersion`, deleted ones included. */
  docsPhysicalRows: number;
  docsLiveRows: number;
}

const savedStates = new WeakMap<TextIndex, SavedState>();

// ----------------------------------------------------------------------- the two I/O drivers

/** One I/O operation, runnable either way. */
interface Op {
  sync(): unknown;
  async(): Promise<unknown>;
}
type Steps<R> = Generator<Op, R, unknown>;

// A failed operation is thrown into the generator at its `yield`, so its try/catch blocks see it.
function runSteps<R>(steps: Steps<R>): R {
  let r = steps.next();
  while (r.done !== true) {
    let value: unknown;
    try {
      value = r.value.sync();
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}

async function runStepsAsync<R>(steps: Steps<R>): Promise<R> {
  let r = steps.next();
  while (r.done !== true) {
    let value: unknown;
    try {
      value = await r.value.async();
    } catch (e) {
      r = steps.throw(e);
      continue;
    }
    r = steps.next(value);
  }
  return r.value;
}

function writeOp(path: string, batch: RecordBatch, mode: 'append' | 'overwrite' | 'create', schema: RecordBatch['schema']): Op {
  const options = { mode, schema };
  return { sync: () => Dataset.createSync(path, batch, options), async: () => Dataset.create(path, batch, options) };
}

/** Reads `ds` whole, then closes the files the read opened (the dataset stays usable). */
function readOp(ds: Dataset, columns?: readonly string[]): Op {
  const options = columns === undefined ? {} : { columns };
  return {
    sync: () => {
      try {
        return ds.toTableSync(options);
      } finally {
        ds.closeSync();
      }
    },
    async: async () => {
      try {
        return await ds.toTable(options);
      } finally {
        await ds.close();
      }
    },
  };
}

/** Deletes rows of `ds` (a new version), then closes the files `ds` opened. */
function deleteOp(ds: Dataset, positions: Int32Array): Op {
  return {
    sync: () => {
      try {
        return ds.deleteRowsSync(positions);
      } finally {
        ds.closeSync();
      }
    },
    async: async () => {
      try {
        return await ds.deleteRows(positions);
      } finally {
        await ds.close();
      }
    },
  };
}

function openOp(path: string, version?: number): Op {
  const options = version === undefined ? {} : { version };
  return { sync: () => Dataset.openSync(path, options), async: () => Dataset.open(path, options) };
}

// ----------------------------------------------------------------------------- helpers

function corrupt(root: string, what: string, expected: string, found: unknown): CorruptDataError {
  return corruptData(`saved text index '${root}': ${what}`, expected, found);
}

/**
 * The index folder `dir` without trailing separators, after checking that none of its three
 * datasets is a symlink pointing out of it (their reads, saves and compactions would happen there).
 * @throws InvalidArgumentError for a bad `dir`; CorruptDataError for a part linked outside it
 */
function checkDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError(`\`dir\` must be a non-empty path, got ${String(dir)}`);
  const root = dir.replace(/[\\/]+$/, '') || dir;
  for (const part of [TEXT_TERMS_DATASET, TEXT_DOCS_DATASET, TEXT_COMMITS_DATASET]) checkEntryInside(root, part, `saved text index '${root}': part ${part}`);
  return root;
}

function join(root: string, name: string): string {
  return `${root}/${name}`;
}

/** Latest committed version of a dataset, or −1 when there is none. */
function latestVersion(path: string): number {
  try {
    return Dataset.openSync(path).version;
  } catch (e) {
    if (e instanceof NotFoundError) return -1;
    throw e;
  }
}

function physicalRows(ds: Dataset): number {
  let n = 0;
  for (const f of ds.fragmentFiles()) n += f.physicalRows;
  return n;
}

/** The rows of `docs.lance` for the documents `ids` (ascending), from their forward lists. */
function docsBatch(index: TextIndex, ids: Int32Array): RecordBatch {
  const count = ids.length;
  const offsets = new Int32Array(count + 1);
  for (let r = 0; r < count; r++) offsets[r + 1] = offsets[r]! + (index.forwardList(ids[r]!)!.length >> 1);
  const items = offsets[count]!;
  const termIds = new Int32Array(items);
  const tfs = new Int32Array(items);
  const hashes = new Float64Array(count);
  const posOffsets = new Int32Array(count + 1);
  for (let r = 0; r < count; r++) {
    const pos = index.positionList(ids[r]!);
    posOffsets[r + 1] = posOffsets[r]! + (pos === null ? 0 : pos.length);
  }
  const posValues = new Int32Array(posOffsets[count]!);
  for (let r = 0; r < count; r++) {
    const pos = index.positionList(ids[r]!);
    if (pos !== null) posValues.set(pos, posOffsets[r]!);
    hashes[r] = index.textHashOf(ids[r]!);
    const fwd = index.forwardList(ids[r]!)!;
    let o = offsets[r]!;
    for (let i = 0; i < fwd.length; i += 2, o++) {
      termIds[o] = fwd[i]!;
      tfs[o] = fwd[i + 1]!;
    }
  }
  const listType = TEXT_DOCS_SCHEMA.fields[1]!.type as List<Int32>;
  const list = (values: Int32Array, valueOffsets: Int32Array) =>
    makeVector(makeData({ type: listType, length: count, valueOffsets, children: [makeData({ type: new Int32(), length: values.length, values })] }));
  return new RecordBatch(TEXT_DOCS_SCHEMA, [
    vectorFromTypedArray(ids),
    list(termIds, offsets),
    list(tfs, offsets),
    vectorFromTypedArray(hashes),
    list(posValues, posOffsets),
  ]);
}

/** The rows of `terms.lance` for term ids `[from, to)`. */
function termsBatch(index: TextIndex, from: number, to: number): RecordBatch {
  const ids = new Int32Array(to - from);
  for (let i = 0; i < ids.length; i++) ids[i] = from + i;
  return new RecordBatch(TEXT_TERMS_SCHEMA, [vectorFromTypedArray(ids), utf8FromStrings(index.termsById().slice(from, to))]);
}

/** Ids of the live documents, ascending. */
function liveDocIds(index: TextIndex): Int32Array {
  const out = new Int32Array(index.size);
  let k = 0;
  const bound = index.docIdBound;
  for (let id = 0; id < bound; id++) if (index.has(id)) out[k++] = id;
  return out;
}

// ------------------------------------------------------------------------------------ saving

function* saveSteps(index: TextIndex, dir: string, options: TextSaveOptions): Steps<TextSaveResult> {
  if (!(index instanceof TextIndex)) throw new InvalidArgumentError('`index` must be a TextIndex');
  const root = checkDir(dir);
  const full = options.full ?? false;
  const threshold = options.compactionThreshold ?? DEFAULT_TEXT_COMPACTION_THRESHOLD;
  if (typeof full !== 'boolean') throw new InvalidArgumentError(`\`full\` must be a boolean, got ${String(full)}`);
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidArgumentError(`\`compactionThreshold\` must be a number from 0 to 1, got ${String(threshold)}`);
  }
  const termsPath = join(root, TEXT_TERMS_DATASET);
  const docsPath = join(root, TEXT_DOCS_DATASET);
  const commitsPath = join(root, TEXT_COMMITS_DATASET);
  const prev = savedStates.get(index);
  const incremental =
    prev !== undefined &&
    prev.root === root &&
    !full &&
    latestVersion(termsPath) === prev.termsVersion &&
    latestVersion(docsPath) === prev.docsVersion &&
    latestVersion(commitsPath) === prev.commitsVersion;
  const numTerms = index.numTerms;
  const changed = index.changedDocs;

  if (incremental && numTerms === prev.numTerms && changed.size === 0) {
    return {
      termsVersion: prev.termsVersion,
      docsVersion: prev.docsVersion,
      commitsVersion: prev.commitsVersion,
      termRowsWritten: 0,
      docRowsWritten: 0,
      docRowsDeleted: 0,
      rewritten: false,
    };
  }

  let terms: Dataset;
  let docs: Dataset;
  let termRowsWritten: number;
  let docRowsWritten: number;
  let docRowsDeleted = 0;
  let docsPhysical: number;
  let rewritten = !incremental;
  // Ascending ids of the changed documents still present (their rows are (re)written).
  const present = incremental ? Int32Array.from([...changed].filter((id) => index.has(id))).sort() : null;
  if (incremental && present !== null) {
    // Terms: append the new ones (ids only grow).
    termRowsWritten = numTerms - prev.numTerms;
    terms = (termRowsWritten > 0 ? yield writeOp(termsPath, termsBatch(index, prev.numTerms, numTerms), 'append', TEXT_TERMS_SCHEMA) : yield openOp(termsPath, prev.termsVersion)) as Dataset;
    // Docs: positions of the rows that changed documents had at the last save.
    let current = (yield openOp(docsPath, prev.docsVersion)) as Dataset;
    const ids = (yield readOp(current, ['doc_id'])) as Table;
    const positions: number[] = [];
    let pos = 0;
    for (const batch of ids.batches) {
      const col = batch.columnAt(0) as Int32Vector;
      const values = col.values;
      const off = col.offset;
      for (let r = 0; r < batch.numRows; r++, pos++) if (changed.has(values[off + r]!)) positions.push(pos);
    }
    const deletedAfter = prev.docsPhysicalRows - prev.docsLiveRows + positions.length;
    if (deletedAfter > threshold * (prev.docsPhysicalRows + present.length)) {
      const all = liveDocIds(index);
      docs = (yield writeOp(docsPath, docsBatch(index, all), 'overwrite', TEXT_DOCS_SCHEMA)) as Dataset;
      docRowsWritten = all.length;
      docsPhysical = all.length;
      rewritten = true;
    } else {
      if (positions.length > 0) current = (yield deleteOp(current, Int32Array.from(positions))) as Dataset;
      docRowsDeleted = positions.length;
      if (present.length > 0) current = (yield writeOp(docsPath, docsBatch(index, present), 'append', TEXT_DOCS_SCHEMA)) as Dataset;
      docs = current;
      docRowsWritten = present.length;
      docsPhysical = prev.docsPhysicalRows + present.length;
    }
  } else {
    termRowsWritten = numTerms;
    terms = (yield writeOp(termsPath, termsBatch(index, 0, numTerms), 'overwrite', TEXT_TERMS_SCHEMA)) as Dataset;
    const all = liveDocIds(index);
    docs = (yield writeOp(docsPath, docsBatch(index, all), 'overwrite', TEXT_DOCS_SCHEMA)) as Dataset;
    docRowsWritten = all.length;
    docsPhysical = all.length;
  }

  // The commit point.
  const opts = tokenizerOptionsOf(index.tokenizer);
  const row: TextCommitRow = {
    format_version: TEXT_INDEX_FORMAT_VERSION,
    terms_version: terms.version,
    docs_version: docs.version,
    num_terms: numTerms,
    num_docs: index.size,
    total_length: index.totalDocLength,
    k1: index.params.k1,
    b: index.params.b,
    positions: index.positions,
    tokenizer: index.tokenizer.id,
    tokenizer_options: opts === null ? '' : JSON.stringify(opts),
    saved_at: Date.now(),
  };
  const commitsLatest = latestVersion(commitsPath);
  const commitsRowsBefore = commitsLatest < 0 ? 0 : incremental ? prev.commitsRows : Dataset.openSync(commitsPath).countRows();
  const commitMode = commitsLatest < 0 ? 'create' : commitsRowsBefore >= COMMITS_MAX_ROWS ? 'overwrite' : 'append';
  const batch = recordBatchFromRows([row as unknown as Record<string, unknown>], TEXT_COMMITS_SCHEMA);
  const commits = (yield writeOp(commitsPath, batch, commitMode, TEXT_COMMITS_SCHEMA)) as Dataset;

  changed.clear();
  savedStates.set(index, {
    root,
    termsVersion: terms.version,
    docsVersion: docs.version,
    commitsVersion: commits.version,
    commitsRows: commitMode === 'overwrite' ? 1 : commitsRowsBefore + 1,
    numTerms,
    docsPhysicalRows: docsPhysical,
    docsLiveRows: index.size,
  });
  return {
    termsVersion: terms.version,
    docsVersion: docs.version,
    commitsVersion: commits.version,
    termRowsWritten,
    docRowsWritten,
    docRowsDeleted,
    rewritten,
  };
}

/**
 * Saves `index` into the directory `dir` (three Lance datasets; LanceDB opens them as tables), or
 * updates an earlier save of the same index there incrementally. Crash-safe: until the commit row
 * is written, a loader sees the previous save. Blocks the thread; {@link saveTextIndex} does the
 * I/O off the event loop.
 * @throws InvalidArgumentError for bad arguments; IoError and ConflictError from @vego/io (another
 *   writer committed first: nothing of ours is committed; save again).
 * @example
 * ```ts
 * saveTextIndexSync(index, './my-collection/_text');
 * const again = loadTextIndexSync('./my-collection/_text');
 * ```
 */
export function saveTextIndexSync(index: TextIndex, dir: string, options: TextSaveOptions = {}): TextSaveResult {
  return runSteps(saveSteps(index, dir, options));
}

/** Asynchronous form of {@link saveTextIndexSync} (the same steps through @vego/io's async calls). */
export function saveTextIndex(index: TextIndex, dir: string, options: TextSaveOptions = {}): Promise<TextSaveResult> {
  return runStepsAsync(saveSteps(index, dir, options));
}

// ----------------------------------------------------------------------------------- loading

function readCommitRow(root: string, commits: Table): TextCommitRow {
  for (const field of TEXT_COMMITS_SCHEMA.fields) {
    const found = commits.schema.fields.find((f) => f.name === field.name);
    if (found === undefined || !found.type.equals(field.type)) {
      if (field.name !== 'format_version') {
        // A later layout may change the columns; check the version first so it says so.
        const v = commits.schema.fields.find((f) => f.name === 'format_version');
        if (v !== undefined && commits.numRows > 0) {
          const last = commits.batches[commits.batches.length - 1]!;
          const fv = last.column('format_version').get(last.numRows - 1);
          if (typeof fv === 'number' && fv > TEXT_INDEX_FORMAT_VERSION) throw unsupported(root, fv);
        }
      }
      throw corrupt(root, `${TEXT_COMMITS_DATASET} column '${field.name}'`, String(field.type), found === undefined ? 'no such column' : String(found.type));
    }
  }
  if (commits.numRows === 0) throw corrupt(root, TEXT_COMMITS_DATASET, 'at least one row', 'none');
  const last = commits.batches.filter((b) => b.numRows > 0).pop()!;
  const row: Record<string, unknown> = {};
  for (const field of TEXT_COMMITS_SCHEMA.fields) {
    const v = last.column(field.name).get(last.numRows - 1);
    if (v === null) throw corrupt(root, `${TEXT_COMMITS_DATASET} column '${field.name}'`, 'a value', 'null');
    row[field.name] = v;
  }
  const r = row as unknown as TextCommitRow;
  if (r.format_version > TEXT_INDEX_FORMAT_VERSION) throw unsupported(root, r.format_version);
  if (r.format_version < 1) throw corrupt(root, 'format_version', 'a positive integer', r.format_version);
  return r;
}

function unsupported(root: string, version: number): UnsupportedVersionError {
  return new UnsupportedVersionError(
    `saved text index '${root}' has format version ${version}; this build reads versions 1 to ${TEXT_INDEX_FORMAT_VERSION}`,
    version,
    0,
  );
}

function checkSchema(root: string, name: string, ds: Dataset, want: RecordBatch['schema']): void {
  for (const field of want.fields) {
    const found = ds.schema.fields.find((f) => f.name === field.name);
    if (found === undefined || !found.type.equals(field.type)) {
      throw corrupt(root, `${name} column '${field.name}'`, String(field.type), found === undefined ? 'no such column' : String(found.type));
    }
  }
}

function tokenizerFor(root: string, row: TextCommitRow, given: Tokenizer | undefined): Tokenizer {
  if (given !== undefined) {
    if (!isTokenizer(given)) throw new InvalidArgumentError('`tokenizer` must be a Tokenizer (an object with `id` and `tokenize`)');
    if (given.id !== row.tokenizer) {
      throw new InvalidArgumentError(`\`tokenizer\` has id '${given.id}', but the index at '${root}' was saved with '${row.tokenizer}'`);
    }
    return given;
  }
  if (row.tokenizer_options === '') {
    throw new InvalidArgumentError(`the index at '${root}' was saved with the custom tokenizer '${row.tokenizer}': pass it as \`tokenizer\``);
  }
  let made: Tokenizer;
  try {
    made = createTokenizer(JSON.parse(row.tokenizer_options) as object);
  } catch (cause) {
    throw new CorruptDataError(`saved text index '${root}': commit \`tokenizer_options\` is invalid: ${(cause as Error).message}`, { cause });
  }
  if (made.id !== row.tokenizer) throw corrupt(root, 'commit `tokenizer`', `'${made.id}' (from tokenizer_options)`, `'${row.tokenizer}'`);
  return made;
}

function* loadSteps(dir: string, options: TextLoadOptions): Steps<TextIndex> {
  const root = checkDir(dir);
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object');
  const maxDocId = options.maxDocId ?? MAX_DOC_ID;
  if (!Number.isInteger(maxDocId) || maxDocId < 0 || maxDocId > MAX_DOC_ID) {
    throw new InvalidArgumentError(`\`maxDocId\` must be an integer from 0 to ${MAX_DOC_ID}, got ${String(maxDocId)}`);
  }
  let commitsDs: Dataset;
  try {
    commitsDs = Dataset.openSync(join(root, TEXT_COMMITS_DATASET));
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError(`'${root}' holds no saved text index: ${TEXT_COMMITS_DATASET} is missing (${e.message})`, { cause: e });
    throw e;
  }
  const row = readCommitRow(root, (yield readOp(commitsDs)) as Table);
  const tokenizer = tokenizerFor(root, row, options.tokenizer);
  let index: TextIndex;
  try {
    index = new TextIndex({ tokenizer, k1: row.k1, b: row.b, positions: row.positions });
  } catch (cause) {
    throw new CorruptDataError(`saved text index '${root}': commit k1/b invalid: ${(cause as Error).message}`, { cause });
  }
  const open = function* (name: string, version: number): Steps<Dataset> {
    try {
      return (yield openOp(join(root, name), version)) as Dataset;
    } catch (e) {
      if (e instanceof NotFoundError) {
        throw new NotFoundError(`saved text index '${root}': the last commit names ${name} version ${version}, which cannot be opened: ${e.message}`, { cause: e });
      }
      throw e;
    }
  };
  const termsDs = yield* open(TEXT_TERMS_DATASET, row.terms_version);
  const docsDs = yield* open(TEXT_DOCS_DATASET, row.docs_version);
  checkSchema(root, TEXT_TERMS_DATASET, termsDs, TEXT_TERMS_SCHEMA);
  checkSchema(root, TEXT_DOCS_DATASET, docsDs, TEXT_DOCS_SCHEMA);

  // Terms, in id order.
  const terms = (yield readOp(termsDs, ['term_id', 'term'])) as Table;
  if (terms.numRows !== row.num_terms) throw corrupt(root, `${TEXT_TERMS_DATASET} version ${row.terms_version}`, `${row.num_terms} rows (from the commit)`, terms.numRows);
  let t = 0;
  for (const batch of terms.batches) {
    const idCol = batch.columnAt(0) as Int32Vector;
    const termCol = batch.columnAt(1) as Utf8Vector;
    if (idCol.nullCount !== 0 || termCol.nullCount !== 0) throw corrupt(root, `${TEXT_TERMS_DATASET}`, 'no nulls', 'nulls');
    for (let r = 0; r < batch.numRows; r++, t++) {
      const id = idCol.values[idCol.offset + r]!;
      if (id !== t) throw corrupt(root, `${TEXT_TERMS_DATASET} row ${t} term_id`, String(t), id);
      const term = termCol.get(r)!;
      try {
        index.restoreTerm(term);
      } catch (cause) {
        throw new CorruptDataError(`saved text index '${root}': ${TEXT_TERMS_DATASET} row ${t}: ${(cause as Error).message}`, { cause });
      }
    }
  }

  // Documents: check each forward list, then invert it.
  const docs = (yield readOp(docsDs, ['doc_id', 'term_ids', 'tfs', 'text_hash', 'positions'])) as Table;
  if (docs.numRows !== row.num_docs) throw corrupt(root, `${TEXT_DOCS_DATASET} version ${row.docs_version}`, `${row.num_docs} rows (from the commit)`, docs.numRows);
  const numTerms = row.num_terms;
  const seen = new Int32Array(numTerms).fill(-1);
  let rowNo = 0;
  for (const batch of docs.batches) {
    const idCol = batch.columnAt(0) as Int32Vector;
    const termCol = batch.columnAt(1) as ListVector<Int32>;
    const tfCol = batch.columnAt(2) as ListVector<Int32>;
    const hashCol = batch.columnAt(3) as Float64Vector;
    const posCol = batch.columnAt(4) as ListVector<Int32>;
    if (idCol.nullCount + termCol.nullCount + tfCol.nullCount + hashCol.nullCount + posCol.nullCount + posCol.child.nullCount !== 0 || termCol.child.nullCount + tfCol.child.nullCount !== 0) {
      throw corrupt(root, TEXT_DOCS_DATASET, 'no nulls', 'nulls');
    }
    const termValues = termCol.values!;
    const tfValues = tfCol.values!;
    for (let r = 0; r < batch.numRows; r++, rowNo++) {
      const docId = idCol.values[idCol.offset + r]!;
      const where = `${TEXT_DOCS_DATASET} row ${rowNo} (doc ${docId})`;
      // Before restoreDoc sizes anything by it (see TextLoadOptions.maxDocId).
      if (!(docId >= 0 && docId <= maxDocId)) throw corrupt(root, `${where} doc_id`, `0 to ${maxDocId}`, docId);
      const ts = termCol.valueOffset(r);
      const te = termCol.valueEnd(r);
      const fs = tfCol.valueOffset(r);
      if (tfCol.valueEnd(r) - fs !== te - ts) throw corrupt(root, where, `${te - ts} tfs (one per term)`, tfCol.valueEnd(r) - fs);
      const fwd = new Int32Array(2 * (te - ts));
      for (let i = 0; i < te - ts; i++) {
        const term = termValues[ts + i]!;
        const tf = tfValues[fs + i]!;
        if (!(term >= 0 && term < numTerms)) throw corrupt(root, `${where} term id`, `0 to ${numTerms - 1}`, term);
        if (seen[term] === rowNo) throw corrupt(root, `${where} term id ${term}`, 'distinct term ids', 'a repeat');
        if (!(tf >= 1)) throw corrupt(root, `${where} tf`, 'a count ≥ 1', tf);
        seen[term] = rowNo;
        fwd[2 * i] = term;
        fwd[2 * i + 1] = tf;
      }
      try {
        const ps = posCol.valueOffset(r);
        const pe = posCol.valueEnd(r);
        const positions = row.positions ? posCol.values!.slice(ps, pe) : null;
        if (!row.positions && pe !== ps) throw corrupt(root, `${where} positions`, 'none (the commit says the index keeps none)', pe - ps);
        index.restoreDoc(docId, fwd, hashCol.values[hashCol.offset + r]!, positions);
      } catch (cause) {
        throw new CorruptDataError(`saved text index '${root}': ${where}: ${(cause as Error).message}`, { cause });
      }
    }
  }
  const total = index.totalDocLength;
  if (total !== row.total_length) throw corrupt(root, 'total document length', `${row.total_length} (from the commit)`, total);
  index.changedDocs.clear();
  savedStates.set(index, {
    root,
    termsVersion: row.terms_version,
    docsVersion: row.docs_version,
    commitsVersion: commitsDs.version,
    commitsRows: commitsDs.countRows(),
    numTerms,
    docsPhysicalRows: physicalRows(docsDs),
    docsLiveRows: docs.numRows,
  });
  return index;
}

/**
 * Loads the text index saved in `dir` by {@link saveTextIndexSync} (the state of its last
 * completed save). Everything read is checked: term ids in order, each document's term ids in
 * range and distinct, counts positive, row counts and total length equal to the commit's.
 * @throws NotFoundError when `dir` holds no saved text index; CorruptDataError for inconsistent
 *   data; UnsupportedVersionError for a newer layout; InvalidArgumentError when a custom tokenizer is
 *   needed or the given one has another id.
 */
export function loadTextIndexSync(dir: string, options: TextLoadOptions = {}): TextIndex {
  return runSteps(loadSteps(dir, options));
}

/** Asynchronous form of {@link loadTextIndexSync}. */
export function loadTextIndex(dir: string, options: TextLoadOptions = {}): Promise<TextIndex> {
  return runStepsAsync(loadSteps(dir, options));
}

/**
 * The commit row of the text index saved in `dir` (its settings and counts), or null when `dir`
 * holds none. Reads only `commits.lance`.
 * @throws CorruptDataError / UnsupportedVersionError as {@link loadTextIndexSync}.
 */
export function readTextIndexCommitSync(dir: string): TextCommitRow | null {
  const root = checkDir(dir);
  let commits: Dataset;
  try {
    commits = Dataset.openSync(join(root, TEXT_COMMITS_DATASET));
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
  try {
    return readCommitRow(root, commits.toTableSync());
  } finally {
    commits.closeSync();
  }
}

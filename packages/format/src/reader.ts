/**
 * LanceFileReader: reads Lance 2.0, 2.1 and 2.2 files through a SyncByteSource or AsyncByteSource
 * (2.1/2.2 pages are decoded by the modules in `src/v2_1/`).
 *
 * Opening reads only the 40-byte footer, the two offset tables and global buffer 0 (the schema and
 * row count). A read then fetches the metadata of the projected columns only, and of their pages only
 * those that hold the requested rows. The I/O is written once, as a generator that yields the byte
 * ranges it needs, and driven either synchronously (`readSync`) or asynchronously (`read`). The fields
 * of a read run in lock step ({@link parallelIo}): one I/O round fetches the metadata of every projected
 * column, the next the page buffers of all of them (lists of 2.0 files and chunk selection of 2.1 row
 * ranges add a round).
 */
import {
  ArrayData,
  CorruptDataError,
  ErrorCode,
  Field,
  initZstd,
  isVegoError,
  isZstdReady,
  InvalidArgumentError,
  makeData,
  makeVector,
  NotFoundError,
  NotSupportedError,
  OutOfRangeError,
  RecordBatch,
  Schema,
  TypeId,
  ZstdNotInitializedError,
} from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import type { ArrayEncoding, BufferRef } from './array-encoding';
import type { Column21, ColumnInfo, PageInfo } from './column-metadata';
import { decodeColumnMetadata, decodeColumnMetadata21 } from './column-metadata';
import { decodeFooter, decodeOffsetTable, FOOTER_BYTES } from './footer';
import type { LanceFooter } from './footer';
import { concatData } from './internal/concat';
import { checked, parallelIo, sourceTask } from './internal/io';
import { runTaskAsync, runTaskSync } from './effects';
import type { Io, Ranges } from './internal/io';
import { decodeFileDescriptor, isLeafType, isPackedLanceStruct, lanceFieldsToSchemaLenient } from './lance-schema';
import type { LanceField, UnsupportedField } from './lance-schema';
import { fromStorage, storageType2_0 } from './logical-types';
import { checkFieldColumns, defaultNodeColumns, fieldNodes, leafColumns, nodeCount } from './field-columns';
import type { FieldColumns } from './field-columns';
import { collectBufferRefs, decodeArray, decodeListPage, isCompressed } from './page-decoder';
import type { BufferCodec, PageContext } from './page-decoder';
import type { AsyncByteSource, SyncByteSource } from './source';
import { columnCount } from './writer';
import { ZSTD_BUFFER_CODEC } from './zstd-codec';
import { LZ4_BUFFER_CODEC } from './lz4-codec';
import type { Shredded } from './v2_1/assemble';
import { describePageLayout } from './v2_1/layout';
import { describeArrayEncoding } from './array-encoding';
import { flatColumnValueBytes, readFlatColumn } from './v2_1/flat-chunks';
import { buildField21, canReadRowRange, columnCount21, decodeColumn21, pageRanges, readColumnRows21 } from './v2_1/read';

function isV21(footer: LanceFooter): boolean {
  return footer.major === 2;
}


/** The codecs of compressed `flat` buffers a reader knows unless told otherwise (Lance 2.0's zstd and LZ4). */
const DEFAULT_CODECS: ReadonlyMap<string, BufferCodec> = new Map([
  [ZSTD_BUFFER_CODEC.scheme, ZSTD_BUFFER_CODEC],
  [LZ4_BUFFER_CODEC.scheme, LZ4_BUFFER_CODEC],
]);

/** Options of {@link LanceFileReader.readSync} and {@link LanceFileReader.read}. */
export interface ReadOptions {
  /** Top-level column names to read, in the order wanted (default: all). */
  columns?: readonly string[];
  /**
   * Instead of `columns`: the fields to read by column index, as a dataset maps its fields to a data file
   * (Lance's `DataFile.fields` / `column_indices`), under the names and types given. Each node's column
   * must hold the same type in the file (names and nullability may differ, as after a rename).
   */
  fields?: readonly FieldColumns[];
  /** First row (default 0). */
  offset?: number;
  /** Most rows to read (default: to the end). */
  limit?: number;
}

/** Options of {@link LanceFileReader.openSync} / {@link LanceFileReader.open}. */
export interface OpenOptions {
  /** Codecs for compressed `flat` buffers, by scheme name (e.g. `zstd`). */
  codecs?: ReadonlyMap<string, BufferCodec>;
}

/** Runs a read against a synchronous source (the package's one effect type, see ./effects). */
function runSync<T>(gen: Io<T>, source: SyncByteSource): T {
  return runTaskSync(sourceTask(gen, source));
}

/** Runs a read against an asynchronous source: each step's ranges are read together. */
function runAsync<T>(gen: Io<T>, source: AsyncByteSource): Promise<T> {
  return runTaskAsync(sourceTask(gen, source));
}

function isSync(s: unknown): s is SyncByteSource {
  return typeof (s as SyncByteSource).readSync === 'function';
}

function isAsync(s: unknown): s is AsyncByteSource {
  return typeof (s as AsyncByteSource).read === 'function';
}

function checkSource(source: unknown): void {
  if (source === null || typeof source !== 'object' || (!isSync(source) && !isAsync(source))) {
    throw new InvalidArgumentError('`source` must be a SyncByteSource or AsyncByteSource');
  }
  const n = (source as SyncByteSource).byteLength;
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`\`source.byteLength\` must be a non-negative integer, got ${String(n)}`);
}

interface OpenState {
  footer: LanceFooter;
  columnPositions: number[];
  columnSizes: number[];
  globalPositions: number[];
  globalSizes: number[];
  fields: LanceField[];
  schema: Schema;
  numRows: number;
  /** Top-level fields of types this reader cannot represent (left out of `schema`). */
  unsupported: UnsupportedField[];
  /** Column of each node of each field of `schema`, depth first (-1 for structs and lists of 2.1 files). */
  fieldColumns: number[][];
  /** The file's node type at each column (null for columns of unsupported fields). */
  columnNodes: (DataType | null)[];
}

/**
 * Columns a Lance field subtree takes when its type is not supported: every node (2.0), or every leaf (2.1);
 * a packed struct is one column in both (its children are stored together).
 */
function lanceColumnCount(fields: readonly LanceField[], top: LanceField, v21: boolean): number {
  let n = 0;
  const visit = (f: LanceField, depth: number): void => {
    if (isPackedLanceStruct(f)) {
      n++;
      return;
    }
    const kids = depth > 64 ? [] : fields.filter((x) => x.parentId === f.id);
    if (!v21 || kids.length === 0) n++;
    for (const k of kids) visit(k, depth + 1);
  };
  visit(top, 0);
  return n;
}

function* openIo(fileByteLength: number): Io<OpenState> {
  if (fileByteLength < FOOTER_BYTES) {
    throw new CorruptDataError(`Lance file: ${fileByteLength} bytes is too short for the ${FOOTER_BYTES}-byte footer`);
  }
  const [footerBytes] = yield [[fileByteLength - FOOTER_BYTES, FOOTER_BYTES]];
  const footer = decodeFooter(footerBytes!, fileByteLength);
  const limit = fileByteLength - FOOTER_BYTES;
  const [cmoBytes, gboBytes] = yield [
    [footer.cmoTablePosition, footer.numColumns * 16],
    [footer.gboTablePosition, footer.numGlobalBuffers * 16],
  ];
  const cmo = decodeOffsetTable(cmoBytes!, footer.numColumns, limit, 'column metadata offset table');
  const gbo = decodeOffsetTable(gboBytes!, footer.numGlobalBuffers, limit, 'global buffer offset table');
  const [descBytes] = yield [[gbo.positions[0]!, gbo.sizes[0]!]];
  const desc = decodeFileDescriptor(descBytes!);
  const { schema, unsupported, topIds } = lanceFieldsToSchemaLenient(desc.fields, desc.schemaMetadata);
  const v21 = isV21(footer);
  const fieldColumns: number[][] = [];
  const columnNodes: (DataType | null)[] = [];
  let needed = 0;
  for (const top of desc.fields) {
    if (top.parentId !== -1) continue;
    const k = topIds.indexOf(top.id);
    if (k < 0) {
      const n = lanceColumnCount(desc.fields, top, v21);
      for (let c = 0; c < n; c++) columnNodes.push(null);
      needed += n;
      continue;
    }
    const type = schema.fields[k]!.type;
    const cols = defaultNodeColumns(type, needed, v21);
    const nodes = fieldNodes(type);
    for (let j = 0; j < nodes.length; j++) if (cols[j]! >= 0) columnNodes.push(nodes[j]!);
    fieldColumns.push(cols);
    needed += (v21 ? columnCount21 : columnCount)(type);
  }
  if (needed !== footer.numColumns) {
    if (unsupported.length > 0) {
      throw new NotSupportedError(`Lance file: cannot locate its ${footer.numColumns} columns because of fields of unsupported types (${unsupported.map((u) => `${u.name}: ${u.logicalType}`).join(', ')})`);
    }
    throw new CorruptDataError(`Lance file: the schema needs ${needed} columns, the footer says ${footer.numColumns}`);
  }
  return {
    unsupported,
    fieldColumns,
    columnNodes,
    footer,
    columnPositions: cmo.positions,
    columnSizes: cmo.sizes,
    globalPositions: gbo.positions,
    globalSizes: gbo.sizes,
    fields: desc.fields,
    schema,
    numRows: desc.numRows,
  };
}

/**
 * Reads a Lance 2.0, 2.1 or 2.2 file. Open with {@link LanceFileReader.openSync} (sync source) or
 * {@link LanceFileReader.open} (async or sync source).
 * @example
 * ```ts
 * const reader = LanceFileReader.openSync(new MemorySource(bytes));
 * console.log(reader.schema.toString(), reader.numRows);
 * const batch = reader.readSync({ columns: ['id', 'vector'], offset: 100, limit: 10 });
 * ```
 */
export class LanceFileReader {
  /** The file's Arrow schema. */
  readonly schema: Schema;
  /** Rows in the file (from the file descriptor). */
  readonly numRows: number;
  /** The flattened Lance fields as stored. */
  readonly lanceFields: readonly LanceField[];
  /** On-disk version pair (0, 3 for 2.0; 2, 1 and 2, 2 for 2.1 and 2.2). */
  readonly version: { major: number; minor: number };
  /**
   * Top-level fields of types this reader cannot represent: they are not in `schema`, reading them
   * throws NotSupportedError, and reads of the other fields work.
   */
  readonly unsupportedFields: readonly UnsupportedField[];
  private readonly source: SyncByteSource | AsyncByteSource;
  private readonly state: OpenState;
  private readonly columnCache: Map<number, ColumnInfo>;
  private readonly codecs: ReadonlyMap<string, BufferCodec>;
  private readonly columnCache21: Map<number, Column21>;
  /** Per column read by {@link readFixedSizeListRowsIntoSync}: its plain pages (null: not plain) and item type. */
  private readonly rowPlans: Map<string, { dim: number; itemBytes: number; pages: number[] | null; arrayType: unknown }>;

  private constructor(source: SyncByteSource | AsyncByteSource, state: OpenState, options: OpenOptions) {
    this.source = source;
    this.state = state;
    this.schema = state.schema;
    this.numRows = state.numRows;
    this.lanceFields = state.fields;
    this.version = { major: state.footer.major, minor: state.footer.minor };
    this.unsupportedFields = state.unsupported;
    this.columnCache = new Map();
    this.codecs = options.codecs ?? DEFAULT_CODECS;
    this.columnCache21 = new Map();
    this.rowPlans = new Map();
  }

  /**
   * Opens a file from a synchronous source, reading the footer, offset tables and schema only.
   * @throws CorruptDataError for a damaged file; UnsupportedVersionError for anything but Lance 2.0, 2.1 and 2.2.
   */
  static openSync(source: SyncByteSource, options: OpenOptions = {}): LanceFileReader {
    checkSource(source);
    if (!isSync(source)) throw new InvalidArgumentError('`source` must have `readSync`; use `LanceFileReader.open` for async sources');
    return new LanceFileReader(source, runSync(openIo(source.byteLength), source), options);
  }

  /**
   * Opens a file from an asynchronous (or synchronous) source.
   * @throws CorruptDataError for a damaged file; UnsupportedVersionError for anything but Lance 2.0, 2.1 and 2.2.
   */
  static async open(source: AsyncByteSource | SyncByteSource, options: OpenOptions = {}): Promise<LanceFileReader> {
    checkSource(source);
    const state = isAsync(source) ? await runAsync(openIo(source.byteLength), source) : runSync(openIo(source.byteLength), source as SyncByteSource);
    return new LanceFileReader(source, state, options);
  }

  /**
   * Reads rows `[offset, offset + limit)` of the chosen columns (copies; fixed-width values may be views of the source's bytes).
   * @throws NotFoundError for an unknown column; OutOfRangeError for a bad row range; CorruptDataError for damaged pages.
   */
  readSync(options: ReadOptions = {}): RecordBatch {
    if (!isSync(this.source)) throw new InvalidArgumentError('this reader was opened on an async source: use `read`');
    return runSync(this.readIo(options), this.source);
  }

  /**
   * Async form of {@link LanceFileReader.readSync}. Pages compressed with ZSTD (LanceDB compresses
   * values over 32 KiB so, and fields whose metadata asks for it) need the codec, which loads
   * asynchronously: a read that meets one before `initZstd()` loads it and reads again (once per
   * process), where `readSync` throws ZstdNotInitializedError.
   */
  async read(options: ReadOptions = {}): Promise<RecordBatch> {
    const run = (): Promise<RecordBatch> | RecordBatch => (isAsync(this.source) ? runAsync(this.readIo(options), this.source) : runSync(this.readIo(options), this.source as SyncByteSource));
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof ZstdNotInitializedError) || isZstdReady()) throw e;
      await initZstd();
      return run();
    }
  }

  /**
   * The column of each node of field `name`, depth first (the form `ReadOptions.fields` takes; -1 for
   * structs and lists of 2.1/2.2 files, which have no column).
   * @throws NotFoundError for a name that is not a field of `schema`.
   */
  nodeColumns(name: string): number[] {
    const idx = this.schema.fieldIndex(name);
    if (idx < 0) throw new NotFoundError(`no column named "${name}" in the file (${this.schema.fields.map((f) => f.name).join(', ')})`);
    return this.state.fieldColumns[idx]!.slice();
  }

  /**
   * Pages, page bytes and encodings of column `column`, for any file version (loads its metadata): for
   * tools such as `vego inspect`. Encodings are described as `describeArrayEncoding` (2.0) or as the page
   * layout and its compression (2.1/2.2) describe them.
   * @throws OutOfRangeError for a column that is not in the file; CorruptDataError for damaged metadata.
   */
  columnSummarySync(column: number): { pages: number; bytes: number; encodings: string[] } {
    if (!isSync(this.source)) throw new InvalidArgumentError('this reader was opened on an async source');
    if (!Number.isInteger(column) || column < 0 || column >= this.state.footer.numColumns) {
      throw new OutOfRangeError(`\`column\` ${String(column)} is not in [0, ${this.state.footer.numColumns})`);
    }
    const encodings = new Set<string>();
    let bytes = 0;
    let pages = 0;
    if (isV21(this.state.footer)) {
      const info = runSync(this.loadColumns21([column]), this.source)[0]!;
      for (const p of info.pages) {
        pages++;
        for (const b of p.bufferSizes) bytes += b;
        encodings.add(describePageLayout(p.layout));
      }
    } else {
      const info = runSync(this.loadColumns([column]), this.source)[0]!;
      for (const p of info.pages) {
        pages++;
        for (const b of p.bufferSizes) bytes += b;
        encodings.add(describeArrayEncoding(p.encoding));
      }
    }
    return { pages, bytes, encodings: [...encodings] };
  }

  /** Pages per column index (loads the column metadata when needed): for tests and tools. */
  columnMetadataSync(column: number): ColumnInfo {
    if (!isSync(this.source)) throw new InvalidArgumentError('this reader was opened on an async source');
    return runSync(this.loadColumns([column]), this.source)[0]!;
  }

  /**
   * Reads every row of the fixed-size-list column `column` (numeric items, no nulls) into the
   * caller's `target`, from element `targetOffset` on, row after row: `numRows · listSize` values,
   * nothing returned but the count. Lance 2.0 pages of plain uncompressed items and 2.1/2.2 full-zip
   * pages of plain items without levels are read from the source straight into `target` (no
   * intermediate buffer when the source has `readIntoSync`); any other layout (mini-block pages,
   * nullable vectors, compression, bit-packing) is decoded and copied once.
   * @param target - a typed array of the item type (Float32Array for float32 items)
   * @returns the number of values written (`numRows · listSize`)
   * @throws NotFoundError for an unknown column; InvalidArgumentError when the column is not a
   *   fixed-size list of numbers, `target` has the wrong element type or too little room after
   *   `targetOffset`; CorruptDataError for damaged pages or a null list or item
   * @example
   * ```ts
   * const vectors = new Float32Array(reader.numRows * 128);
   * reader.readFixedSizeListIntoSync('vector', vectors);
   * ```
   */
  readFixedSizeListIntoSync(column: string, target: ArrayBufferView & ArrayLike<number>, targetOffset = 0): number {
    const source = this.source;
    if (!isSync(source)) throw new InvalidArgumentError('this reader was opened on an async source');
    const { dim, bitWidth, col } = this.fixedSizeListColumn(column, target);
    const count = this.numRows * dim;
    if (!Number.isSafeInteger(targetOffset) || targetOffset < 0 || targetOffset + count > target.length) {
      throw new InvalidArgumentError(`\`target\` must hold ${count} values from \`targetOffset\` ${String(targetOffset)}, it has ${target.length} in all`);
    }
    const itemBytes = bitWidth >>> 3;
    const bytes = new Uint8Array(target.buffer, target.byteOffset + targetOffset * itemBytes, count * itemBytes);
    const plan = dim === 0 ? null : isV21(this.state.footer) ? this.plainPages21(col, dim, bitWidth) : this.plainPages(col, dim, bitWidth);
    if (plan !== null) {
      for (let i = 0; i < plan.length; i += 3) {
        const dst = bytes.subarray(plan[i + 1]!, plan[i + 1]! + plan[i + 2]!);
        if (source.readIntoSync !== undefined) source.readIntoSync(plan[i]!, dst);
        else dst.set(checked(source.readSync(plan[i]!, dst.length), plan[i]!, dst.length));
      }
      return count;
    }
    const vector = this.readSync({ columns: [column] }).columnAt(0) as unknown as {
      nullCount: number;
      child: { nullCount: number };
      values: ArrayLike<number> | null;
      valueOffset(i: number): number;
    };
    if (vector.nullCount !== 0 || vector.child.nullCount !== 0 || vector.values === null) {
      throw new CorruptDataError(`column "${column}": ${vector.nullCount} null lists and ${vector.child.nullCount} null items, expected none`);
    }
    const begin = vector.valueOffset(0);
    const values = vector.values as unknown as { subarray(a: number, b: number): ArrayLike<number> };
    (target as unknown as { set(a: ArrayLike<number>, o: number): void }).set(values.subarray(begin, begin + count), targetOffset);
    return count;
  }

  /**
   * Reads rows `[firstRow, firstRow + numRows)` of the fixed-size-list column `column` straight
   * from the source into `target` (from element `targetOffset` on), when every page of the column
   * is plain items back to back (see {@link readFixedSizeListIntoSync}): a row's bytes are then at a
   * position computed from the page metadata, so a few rows cost one positioned read each page and
   * no buffer besides `target`. The page plan is worked out once per column and kept.
   * @returns false, having read nothing, when the column's pages are not plain (compressed,
   *   mini-block, nullable vectors) or the source cannot read into a caller's buffer: decode instead
   * @throws NotFoundError for an unknown column; InvalidArgumentError when the column is not a
   *   fixed-size list of numbers, `target` has the wrong element type or too little room, or the rows
   *   are outside the file; CorruptDataError when the file ends early; IoError on a failed read
   * @example
   * ```ts
   * const row = new Float32Array(128);
   * if (!reader.readFixedSizeListRowsIntoSync('vector', 42, 1, row)) row.set(...); // decode instead
   * ```
   */
  readFixedSizeListRowsIntoSync(column: string, firstRow: number, numRows: number, target: ArrayBufferView & ArrayLike<number>, targetOffset = 0): boolean {
    const source = this.source;
    if (!isSync(source)) throw new InvalidArgumentError('this reader was opened on an async source');
    let plan = this.rowPlans.get(column);
    if (plan === undefined) {
      const { dim, bitWidth, col } = this.fixedSizeListColumn(column, target);
      const pages = dim === 0 || source.readIntoSync === undefined ? null : isV21(this.state.footer) ? this.plainPages21(col, dim, bitWidth) : this.plainPages(col, dim, bitWidth);
      plan = { dim, itemBytes: bitWidth >>> 3, pages, arrayType: target.constructor };
      this.rowPlans.set(column, plan);
    }
    if (target === null || typeof target !== 'object' || target.constructor !== plan.arrayType) {
      this.fixedSizeListColumn(column, target); // throws the typed error for a wrong target
    }
    if (!Number.isSafeInteger(firstRow) || !Number.isSafeInteger(numRows) || firstRow < 0 || numRows < 0 || firstRow + numRows > this.numRows) {
      throw new InvalidArgumentError(`rows ${String(firstRow)} + ${String(numRows)} must lie within the ${this.numRows} rows of the file`);
    }
    const count = numRows * plan.dim;
    if (!Number.isSafeInteger(targetOffset) || targetOffset < 0 || targetOffset + count > target.length) {
      throw new InvalidArgumentError(`\`target\` must hold ${count} values from \`targetOffset\` ${String(targetOffset)}, it has ${target.length} in all`);
    }
    const pages = plan.pages;
    if (pages === null) return false;
    const rowBytes = plan.dim * plan.itemBytes;
    // Pages are triples (file position, byte offset of the page's first row in the column, byte length).
    let at = target.byteOffset + targetOffset * plan.itemBytes;
    let from = firstRow * rowBytes;
    const end = from + count * plan.itemBytes;
    for (let i = 0; i < pages.length && from < end; i += 3) {
      const pageStart = pages[i + 1]!;
      const pageEnd = pageStart + pages[i + 2]!;
      if (from >= pageEnd) continue;
      const len = Math.min(end, pageEnd) - from;
      source.readIntoSync!(pages[i]! + (from - pageStart), new Uint8Array(target.buffer, at, len));
      at += len;
      from += len;
    }
    return true;
  }

  /** The checks of a fixed-size-list read into `target`: its column index, list size and item width. */
  private fixedSizeListColumn(column: string, target: ArrayBufferView & ArrayLike<number>): { dim: number; bitWidth: number; col: number } {
    const idx = this.schema.fieldIndex(column);
    if (idx < 0) throw new NotFoundError(`no column named "${column}" in the file (${this.schema.fields.map((f) => f.name).join(', ')})`);
    const type = this.schema.fields[idx]!.type;
    const itemType = type.typeId === TypeId.FixedSizeList ? type.child.type : null;
    const ArrayType = itemType !== null && 'ArrayType' in itemType ? (itemType.ArrayType as unknown) : null;
    const bitWidth = itemType !== null && 'bitWidth' in itemType ? itemType.bitWidth : 0;
    if (type.typeId !== TypeId.FixedSizeList || ArrayType === null || itemType === null || bitWidth <= 0 || (bitWidth & 7) !== 0) {
      throw new InvalidArgumentError(`\`column\` "${column}" must be a fixed-size list of numbers, found ${type.toString()}`);
    }
    if (target === null || typeof target !== 'object' || target.constructor !== ArrayType) {
      throw new InvalidArgumentError(`\`target\` must be a ${(ArrayType as { name: string }).name} for the ${itemType.toString()} items of "${column}"`);
    }
    return { dim: type.listSize, bitWidth, col: this.state.fieldColumns[idx]![0]! };
  }

  /**
   * For a 2.0 fixed-size-list column whose every page is plain uncompressed items in one page
   * buffer (the whole column, `numRows` rows): triples (file position, byte offset in the output,
   * byte length) per page; else null (the caller decodes instead).
   */
  private plainPages(col: number, dim: number, bitWidth: number): number[] | null {
    const info = this.columnMetadataSync(col);
    const rowBytes = dim * (bitWidth >>> 3);
    const out: number[] = [];
    let row = 0;
    for (const page of info.pages) {
      let enc = page.encoding;
      if (enc.kind === 'nullable' && enc.nulls === 'none') enc = enc.values;
      if (enc.kind !== 'fixedSizeList' || enc.dimension !== dim || enc.hasValidity) return null;
      let items = enc.items;
      if (items.kind === 'nullable' && items.nulls === 'none') items = items.values;
      if (items.kind !== 'flat' || items.bitsPerValue !== bitWidth || items.compression !== undefined || items.buffer.location !== 'page') return null;
      const k = items.buffer.index;
      const byteLength = page.length * rowBytes;
      if (k >= page.bufferOffsets.length || page.bufferSizes[k] !== byteLength || row + page.length > this.numRows) return null;
      out.push(page.bufferOffsets[k]!, row * rowBytes, byteLength);
      row += page.length;
    }
    return row === this.numRows ? out : null;
  }

  /**
   * {@link plainPages} for 2.1/2.2: every page a full-zip page without levels whose values are plain
   * uncompressed fixed-size lists without item validity (what both writers produce for non-null vectors of
   * 256 bytes or more), so that buffer 0 is the rows' items back to back; else null.
   */
  private plainPages21(col: number, dim: number, bitWidth: number): number[] | null {
    const info = runSync(this.loadColumns21([col]), this.source as SyncByteSource)[0]!;
    const rowBytes = dim * (bitWidth >>> 3);
    const out: number[] = [];
    let row = 0;
    for (const page of info.pages) {
      const l = page.layout;
      if (l.kind !== 'fullZip' || l.bitsRep !== 0 || l.bitsDef !== 0 || l.bitsPerOffset !== 0 || l.bitsPerValue !== dim * bitWidth || l.numItems !== page.length) return null;
      const v = l.values;
      if (v.kind !== 'fixedSizeList' || v.itemsPerValue !== dim || v.hasValidity) return null;
      if (v.values.kind !== 'flat' || v.values.bitsPerValue !== bitWidth || v.values.compression !== 'none') return null;
      const byteLength = page.length * rowBytes;
      if (page.bufferOffsets.length < 1 || page.bufferSizes[0]! < byteLength || row + page.length > this.numRows) return null;
      out.push(page.bufferOffsets[0]!, row * rowBytes, byteLength);
      row += page.length;
    }
    return row === this.numRows ? out : null;
  }

  private *loadColumns21(cols: number[]): Io<Column21[]> {
    const missing = cols.filter((c) => !this.columnCache21.has(c));
    if (missing.length > 0) {
      const bufs = yield missing.map((c) => [this.state.columnPositions[c]!, this.state.columnSizes[c]!] as [number, number]);
      const fileLimit = this.source.byteLength - FOOTER_BYTES;
      for (let i = 0; i < missing.length; i++) this.columnCache21.set(missing[i]!, decodeColumnMetadata21(bufs[i]!, missing[i]!, fileLimit));
    }
    return cols.map((c) => this.columnCache21.get(c)!);
  }

  private *loadColumns(cols: number[]): Io<ColumnInfo[]> {
    const missing = cols.filter((c) => !this.columnCache.has(c));
    if (missing.length > 0) {
      const bufs = yield missing.map((c) => [this.state.columnPositions[c]!, this.state.columnSizes[c]!] as [number, number]);
      const fileLimit = this.source.byteLength - FOOTER_BYTES;
      for (let i = 0; i < missing.length; i++) this.columnCache.set(missing[i]!, decodeColumnMetadata(bufs[i]!, missing[i]!, fileLimit));
    }
    return cols.map((c) => this.columnCache.get(c)!);
  }

  private *readIo(options: ReadOptions): Io<RecordBatch> {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('`options` must be an object');
    const plan = this.planFields(options);
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidArgumentError(`\`offset\` must be a non-negative integer, got ${String(offset)}`);
    if (offset > this.numRows) throw new OutOfRangeError(`\`offset\` ${offset} is beyond the ${this.numRows} rows of the file`);
    const limit = options.limit ?? this.numRows - offset;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError(`\`limit\` must be a non-negative integer, got ${String(limit)}`);
    const begin = offset;
    const end = Math.min(this.numRows, offset + limit);
    const fields: Field[] = [];
    const readers: Array<Io<ArrayData>> = [];
    const v21 = isV21(this.state.footer);
    for (const { field, columns } of plan) {
      fields.push(field);
      readers.push(v21 ? this.readField21(field.type, leafColumns(field.type, columns), begin, end, field.name) : this.readTopField(field, columns, begin, end));
    }
    // All fields in lock step: their metadata reads form one round, their page reads the next.
    const columns = yield* parallelIo(readers);
    const schema = new Schema(fields, this.schema.metadata);
    try {
      return new RecordBatch(schema, columns.map((d) => makeVector(d)));
    } catch (e) {
      // The batch checks the data against the file's own schema (e.g. nulls in a non-nullable
      // column): a disagreement there is damage in the file, not a bad argument.
      if (e instanceof InvalidArgumentError) throw new CorruptDataError(`file data disagrees with its schema: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** The fields of a read with the column of each of their nodes, checked against the file. */
  private planFields(options: ReadOptions): FieldColumns[] {
    const v21 = isV21(this.state.footer);
    if (options.fields !== undefined) {
      if (options.columns !== undefined) throw new InvalidArgumentError('give `columns` or `fields`, not both');
      if (!Array.isArray(options.fields)) throw new InvalidArgumentError('`fields` must be an array');
      for (const fc of options.fields) {
        if (fc === null || typeof fc !== 'object' || !(fc.field instanceof Field)) throw new InvalidArgumentError('`fields` entries must be { field: Field, columns: number[] }');
        checkFieldColumns(fc, this.state.columnNodes, v21);
      }
      return options.fields.slice();
    }
    if (options.columns === undefined && this.unsupportedFields.length > 0) throw unsupportedError(this.unsupportedFields[0]!);
    const names = options.columns ?? this.schema.fields.map((f) => f.name);
    if (!Array.isArray(names)) throw new InvalidArgumentError('`columns` must be an array of names');
    return names.map((name) => {
      const idx = this.schema.fieldIndex(name);
      if (idx < 0) {
        const u = this.unsupportedFields.find((x) => x.name === name);
        if (u !== undefined) throw unsupportedError(u);
        throw new NotFoundError(`no column named "${name}" in the file (${this.schema.fields.map((f) => f.name).join(', ')})`);
      }
      return { field: this.schema.fields[idx]!, columns: this.state.fieldColumns[idx]! };
    });
  }

  private *readTopField(field: Field, cols: readonly number[], begin: number, end: number): Io<ArrayData> {
    yield* this.loadColumns(cols.slice());
    return yield* this.readField(field.type, cols, begin, end, this.numRows, field.name);
  }

  /**
   * Lance 2.1/2.2: reads rows [begin, end) of the field's leaf columns. Fields without lists read only the
   * pages, chunks or items holding the rows; others decode whole columns and slice.
   */
  private *readField21(type: DataType, cols: number[], begin: number, end: number, name: string): Io<ArrayData> {
    yield* this.loadColumns21(cols);
    const whole = begin === 0 && end === this.numRows;
    let ranged = !whole;
    for (const c of cols) if (!canReadRowRange(this.columnCache21.get(c)!)) ranged = false;
    const readers = cols.map((c) => this.readColumn21(c, ranged ? begin : 0, ranged ? end : this.numRows, name));
    const shredded = yield* parallelIo(readers);
    let data: ArrayData;
    try {
      data = buildField21(type, 0, shredded, `column ${cols[0]} ("${name}")`);
    } catch (e) {
      if (isVegoError(e) && (e.code === ErrorCode.INVALID_ARGUMENT || e.code === ErrorCode.LENGTH_MISMATCH || e.code === ErrorCode.TYPE_MISMATCH)) {
        throw new CorruptDataError(`column ${cols[0]} ("${name}"): ${e.message}`, { cause: e });
      }
      throw e;
    }
    if (ranged) {
      if (data.length !== end - begin) throw new CorruptDataError(`column ${cols[0]} ("${name}"): ${data.length} rows, ${end - begin} were read`);
      return data;
    }
    if (data.length !== this.numRows) throw new CorruptDataError(`column ${cols[0]} ("${name}"): ${data.length} rows, the file has ${this.numRows}`);
    return whole ? data : data.slice(begin, end);
  }

  /** Rows [begin, end) of one 2.1 column (the whole column when they are all rows). */
  private *readColumn21(c: number, begin: number, end: number, name: string): Io<Shredded> {
    const info = this.columnCache21.get(c)!;
    try {
      if (begin === 0 && end === this.numRows) {
        // Plain fixed-width pages are read by scatter straight into the column's buffer.
        if (flatColumnValueBytes(info) > 0) return yield* readFlatColumn(info, this.numRows, c);
        return decodeColumn21(info, yield pageRanges(info), this.numRows, c);
      }
      return yield* readColumnRows21(info, begin, end, this.numRows, c);
    } catch (e) {
      if (isVegoError(e) && (e.code === ErrorCode.INVALID_ARGUMENT || e.code === ErrorCode.LENGTH_MISMATCH || e.code === ErrorCode.TYPE_MISMATCH)) {
        throw new CorruptDataError(`column ${c} ("${name}"): ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Reads rows [begin, end) of a field whose nodes are in columns `cols` (depth first); `total` is the rows
   * the column must hold.
   */
  private *readField(type: DataType, cols: readonly number[], begin: number, end: number, total: number, name: string): Io<ArrayData> {
    const col = cols[0]!;
    const info = this.columnCache.get(col)!;
    if (isLeafType(type)) {
      const parts: ArrayData[] = [];
      const pages = yield* this.fetchPages(info, col, begin, end, total);
      for (const p of pages) {
        let data: ArrayData;
        try {
          data = fromStorage(decodeArray(p.page.encoding, storageType2_0(type, isDictionaryPage(p.page.encoding)), p.length, p.ctx), type);
        } catch (e) {
          // Arrow's own validation (offsets, lengths) failing on page contents means a corrupt page.
          if (isVegoError(e) && (e.code === ErrorCode.INVALID_ARGUMENT || e.code === ErrorCode.LENGTH_MISMATCH || e.code === ErrorCode.TYPE_MISMATCH)) {
            throw new CorruptDataError(`${p.ctx.where}: ${e.message}`, { cause: e });
          }
          throw e;
        }
        parts.push(p.from === 0 && p.to === p.length ? data : data.slice(p.from, p.to));
      }
      return parts.length === 0 ? emptyData(type) : concatData(type, parts);
    }
    if (type.typeId === TypeId.Struct) {
      checkTotal(info, total, col);
      let next = 1;
      const readers: Array<Io<ArrayData>> = [];
      for (const c of type.children) {
        const k = nodeCount(c.type);
        readers.push(this.readField(c.type, cols.slice(next, next + k), begin, end, total, `${name}.${c.name}`));
        next += k;
      }
      const children = yield* parallelIo(readers);
      return makeData({ type, length: end - begin, children });
    }
    if (type.typeId === TypeId.List) {
      const pages = yield* this.fetchPages(info, col, begin, end, total);
      // Global item index where each page's items start.
      const itemBase: number[] = [];
      let items = 0;
      for (const pg of info.pages) {
        itemBase.push(items);
        items += pg.encoding.kind === 'list' ? pg.encoding.numItems : 0;
      }
      const n = end - begin;
      const offsets = new Int32Array(n + 1);
      let validity: Uint8Array | null = null;
      let firstItem = -1;
      let lastItem = 0;
      let row = 0;
      for (const p of pages) {
        const lp = decodeListPage(p.page.encoding, p.page.length, p.ctx);
        const base = itemBase[p.index]!;
        for (let r = p.from; r < p.to; r++) {
          const start = base + (r === 0 ? 0 : lp.ends[r - 1]!);
          const stop = base + lp.ends[r]!;
          if (firstItem < 0) firstItem = start;
          if (start - firstItem > 0x7fffffff || stop - firstItem > 0x7fffffff) throw new CorruptDataError(`column ${col}: list items exceed 2^31`);
          offsets[row] = start - firstItem;
          offsets[row + 1] = stop - firstItem;
          if (lp.validity !== null && ((lp.validity[r >>> 3]! >>> (r & 7)) & 1) === 0) {
            if (validity === null) validity = new Uint8Array(((n + 63) >>> 6) << 3).fill(255);
            validity[row >>> 3]! &= ~(1 << (row & 7));
          }
          lastItem = stop;
          row++;
        }
      }
      if (firstItem < 0) firstItem = 0;
      const child = yield* this.readField(type.child.type, cols.slice(1), firstItem, Math.max(firstItem, lastItem), items, `${name}.${type.child.name}`);
      return makeData({ type, length: n, validity, valueOffsets: offsets, children: [child] });
    }
    throw new CorruptDataError(`column ${col} ("${name}"): type ${type.toString()} cannot be read`);
  }

  /** Fetches the buffers of the pages of `info` overlapping rows [begin, end). */
  private *fetchPages(info: ColumnInfo, col: number, begin: number, end: number, total: number): Io<FetchedPage[]> {
    checkTotal(info, total, col);
    const chosen: Array<{ page: PageInfo; index: number; from: number; to: number; refs: BufferRef[] }> = [];
    let start = 0;
    for (let i = 0; i < info.pages.length; i++) {
      const page = info.pages[i]!;
      const stop = start + page.length;
      if (stop > begin && start < end) {
        chosen.push({ page, index: i, from: Math.max(begin, start) - start, to: Math.min(end, stop) - start, refs: collectBufferRefs(page.encoding) });
      }
      start = stop;
      if (start >= end) break;
    }
    // One range per page buffer referenced (page, column or file buffer). A page of fixed-width values
    // in one uncompressed buffer is read only over the rows wanted, and decoded as a page of those rows.
    const ranges: Ranges = [];
    const keys: string[][] = [];
    const lengths: number[] = [];
    for (const c of chosen) {
      const k: string[] = [];
      const bytesPerRow = c.from === 0 && c.to === c.page.length ? 0 : fixedRowBytes(c.page.encoding);
      if (bytesPerRow > 0) {
        const [pos, size] = this.bufferRange(c.refs[0]!, c.page, col, c.index);
        if (c.to * bytesPerRow <= size) {
          ranges.push([pos + c.from * bytesPerRow, (c.to - c.from) * bytesPerRow]);
          keys.push([`${c.refs[0]!.location}:${c.refs[0]!.index}`]);
          lengths.push(c.to - c.from);
          c.to -= c.from;
          c.from = 0;
          continue;
        }
      }
      lengths.push(c.page.length);
      for (const ref of c.refs) {
        const key = `${ref.location}:${ref.index}`;
        if (k.includes(key)) continue;
        const [pos, size] = this.bufferRange(ref, c.page, col, c.index);
        ranges.push([pos, size]);
        k.push(key);
      }
      keys.push(k);
    }
    const bufs = yield ranges;
    const out: FetchedPage[] = [];
    let at = 0;
    for (let i = 0; i < chosen.length; i++) {
      const c = chosen[i]!;
      const map = new Map<string, Uint8Array>();
      for (const key of keys[i]!) map.set(key, bufs[at++]!);
      const where = `column ${col}, page ${c.index}`;
      const ctx: PageContext = {
        where,
        codecs: this.codecs,
        buffer: (ref) => {
          const b = map.get(`${ref.location}:${ref.index}`);
          if (b === undefined) throw new CorruptDataError(`${where}: buffer ${ref.location}:${ref.index} was not fetched`);
          return b;
        },
      };
      out.push({ page: c.page, index: c.index, length: lengths[i]!, from: c.from, to: c.to, ctx });
    }
    return out;
  }

  private bufferRange(ref: BufferRef, page: PageInfo, col: number, pageIndex: number): [number, number] {
    let positions: number[];
    let sizes: number[];
    if (ref.location === 'page') {
      positions = page.bufferOffsets;
      sizes = page.bufferSizes;
    } else if (ref.location === 'column') {
      const info = this.columnCache.get(col)!;
      positions = info.bufferOffsets;
      sizes = info.bufferSizes;
    } else {
      positions = this.state.globalPositions;
      sizes = this.state.globalSizes;
    }
    if (ref.index >= positions.length) {
      throw new CorruptDataError(`column ${col}, page ${pageIndex}: encoding names ${ref.location} buffer ${ref.index}, but there are ${positions.length}`);
    }
    return [positions[ref.index]!, sizes[ref.index]!];
  }
}

function unsupportedError(u: UnsupportedField): NotSupportedError {
  return new NotSupportedError(`column "${u.name}" has type ${u.logicalType}, which this reader cannot read (${u.reason}); read the other columns by name`);
}

interface FetchedPage {
  page: PageInfo;
  index: number;
  /** Rows the fetched buffers hold: the page's, or `to - from` when only the rows wanted were read. */
  length: number;
  from: number;
  to: number;
  ctx: PageContext;
}

/**
 * Bytes per row when a page is fixed-width values in exactly one uncompressed buffer (flat of whole
 * bytes, possibly without nulls or as a fixed-size list of them), so rows can be read by offset; else 0.
 */
function fixedRowBytes(e: ArrayEncoding): number {
  let perRow = 1;
  let node = e;
  for (;;) {
    if (node.kind === 'nullable' && node.nulls === 'none') node = node.values;
    else if (node.kind === 'fixedSizeList' && !node.hasValidity && node.dimension > 0) {
      perRow *= node.dimension;
      node = node.items;
    } else break;
  }
  if (node.kind !== 'flat' || isCompressed(node.compression)) return 0;
  if (node.bitsPerValue <= 0 || (node.bitsPerValue & 7) !== 0) return 0;
  return perRow * (node.bitsPerValue >>> 3);
}

/**
 * Whether a 2.0 page is a dictionary page (possibly under a nullable wrapper): then a `dict:` column is
 * decoded as Arrow-dictionary pages (0-based indices), never as the 1-based pages of plain strings.
 */
function isDictionaryPage(e: ArrayEncoding): boolean {
  let node = e;
  while (node.kind === 'nullable' && node.nulls !== 'all') node = node.values;
  return node.kind === 'dictionary';
}

function checkTotal(info: ColumnInfo, total: number, col: number): void {
  let sum = 0;
  for (const p of info.pages) {
    if (p.length > 0x7fffffff) throw new CorruptDataError(`column ${col}: a page claims ${p.length} rows`);
    sum += p.length;
  }
  if (sum !== total && !(sum === 0 && total === 0)) {
    throw new CorruptDataError(`column ${col}: pages hold ${sum} rows, expected ${total}`);
  }
}

function emptyData(type: DataType): ArrayData {
  return concatData(type, []);
}

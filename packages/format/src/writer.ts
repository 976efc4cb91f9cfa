/**
 * LanceFileWriter: writes a Lance 2.0, 2.1 or 2.2 file to a ByteSink (2.1/2.2 pages: `src/write/`).
 *
 * File layout written (every buffer starts on a 64-byte boundary):
 * ```text
 * data pages (per page: its buffers, in buffer-index order)
 * global buffer 0: FileDescriptor { schema, rows }              (64-byte aligned)
 * column metadata 0 … n-1                                       (packed, no padding from here on)
 * column-metadata offset table (n × u64 position, u64 size)
 * global-buffer offset table (1 × u64 position, u64 size)
 * 40-byte footer ending 00 00 03 00 "LANC" (major 0, minor 3 = Lance 2.0)
 * ```
 * Columns: one per leaf field (fixed width, Utf8, Binary, FixedSizeList of fixed width); a List adds
 * a column of offsets before its item column(s); a Struct adds a buffer-less header column before its
 * children, holding exactly one page for all rows (LanceDB rejects struct columns of several pages). Rows of each top-level field are gathered until `pageByteLength` is reached and then
 * written as one page per column.
 */
import { ArrayData, InvalidArgumentError, checkData, isFixedBinary, NotSupportedError, RecordBatch, Schema, TypeId } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import type { ColumnInfo } from './column-metadata';
import { encodeColumnMetadata, encodeColumnMetadata21 } from './column-metadata';
import type { PageInfo21 } from './column-metadata';
import { leafPaths, shredLeaf } from './write/repdef';
import { encodeStructuralPage } from './write/structural-page';
import type { StructuralPageOptions } from './write/structural-page';
import { encodeFooter, encodeOffsetTable, LANCE_2_0_VERSION } from './footer';
import { concatData } from './internal/concat';
import { encodeFileDescriptor, isLeafType, schemaToLanceFields } from './lance-schema';
import { storageForWrite } from './logical-types';
import type { BufferCodec } from './page-decoder';
import { encodeLeafPage, encodeListPage, encodeStructPage } from './page-encoder';
import type { EncodedPage, PageEncodeOptions } from './page-encoder';
import type { ByteSink } from './source';

/** Options of {@link LanceFileWriter}. */
export interface LanceFileWriterOptions {
  /** Target bytes per page (default 8 MiB, what Lance uses). Smaller values give more, smaller pages. */
  pageByteLength?: number;
  /**
   * Compress the value buffers of fixed-width columns with this codec (`flat` + `Compression`).
   * Off by default: see FORMAT.md for which Lance readers accept it.
   */
  compression?: { codec: BufferCodec; level?: number };
  /**
   * Dictionary-encode Utf8 pages of low cardinality (LanceDB's 2.0 `dictionary` layout, which
   * LanceDB reads: see FORMAT.md). `true` (the default) uses LanceDB's own rule: pages of at least 100
   * rows with fewer than 100 distinct values; `maxItems` may go up to 256 (u8 indices); `false` always writes plain `binary` pages.
   */
  dictionary?: boolean | { minRows?: number; maxItems?: number };
  /**
   * 2.1/2.2 files: let integer pages be bit-packed (`inline_bitpacking`) when it saves space (default true).
   * Ignored in Lance 2.0 files: their integer pages are always `flat`, because LanceDB 0.39's 2.0
   * `bitpacked` decoder returns wrong values for range reads (after deletions or with filters) once a
   * read skips into the middle of a range (see FORMAT.md).
   */
  bitPacking?: boolean;
  /**
   * 2.1/2.2 files: FSST-compress Utf8/Binary pages when the page's statistics say it makes them smaller
   * (default true; pages of ≥ 8 KiB of values, longest ≥ 5 bytes; LargeUtf8/LargeBinary too, with 64-bit offsets). Ignored in 2.0 files.
   */
  fsst?: boolean;
  /**
   * Lance file version to write: `'2.0'` (default here; `@vego/io` datasets choose their own default),
   * `'2.1'` or `'2.2'` (LanceDB 0.39's default). 2.1/2.2 files hold one column per leaf, structural
   * mini-block and full-zip pages with repetition/definition levels (see `src/write/`), and accept null
   * structs. Temporal columns are written as their 32/64-bit integers, LargeUtf8/LargeBinary with 64-bit
   * offsets and no page dictionary, decimals and fixed-size binary as one `8 × byteWidth`-bit value, and
   * Arrow dictionary columns as dictionary pages (2.0) or with a page dictionary in every page whatever
   * `dictionary` says (2.1/2.2: LanceDB reads `dict:` columns only so), as LanceDB reads them in every
   * version. Not written in 2.1/2.2: fixed-size lists of bools, nested fixed-size lists;
   * in no version: dictionaries of non-primitive or bool values (NotSupportedError).
   */
  version?: LanceFileVersion;
  /**
   * The caller keeps every written batch's buffers unchanged until the sink has written them out (an
   * asynchronous dataset commit's input, until the commit settles): pages that are views of the input go
   * to the sink's `writeOwned` as they are, like the pages the writer allocates, so a sink that queues
   * writes does not copy them first. Default false: such pages go to `write`, which may copy. Sinks
   * without `writeOwned` are unaffected.
   */
  inputStable?: boolean;
}

/** A Lance data file version this writer can produce. */
export type LanceFileVersion = '2.0' | '2.1' | '2.2';

/** Footer version numbers of each writable file version. */
const FOOTER_VERSIONS: Record<LanceFileVersion, { major: number; minor: number }> = {
  '2.0': LANCE_2_0_VERSION,
  '2.1': { major: 2, minor: 1 },
  '2.2': { major: 2, minor: 2 },
};

/** What {@link LanceFileWriter.finish} reports. */
export interface FileSummary {
  numRows: number;
  byteLength: number;
  numColumns: number;
  numPages: number;
}

const ALIGN = 64;
const DEFAULT_PAGE_BYTES = 8 * 1024 * 1024;

/** Number of Lance columns a field of `type` occupies. */
export function columnCount(type: DataType): number {
  if (isLeafType(type)) return 1;
  if (type.typeId === TypeId.List) return 1 + columnCount(type.child.type);
  if (type.typeId === TypeId.Struct) {
    let n = 1;
    for (const c of type.children) n += columnCount(c.type);
    return n;
  }
  throw new NotSupportedError(`type ${type.toString()} cannot be stored in a Lance 2.0 file here`);
}

/** Rough encoded size of `d` (for page splitting only). */
function estimateByteLength(data: ArrayData): number {
  // A dictionary column: its indices plus the average dictionary value per row (2.1/2.2 pages hold the values),
  // without materialising the values only to size a page.
  if (data.type.typeId === TypeId.Dictionary) {
    const dict = data.children[0]!;
    const perValue = dict.length === 0 ? 0 : estimateByteLength(dict) / dict.length;
    return Math.ceil(data.length * ((data.type.indexType.bitWidth >>> 3) + perValue));
  }
  const d = storageForWrite(data);
  const t = d.type;
  const n = d.length;
  if (t.typeId === TypeId.Bool) return (n + 7) >>> 3;
  if (isFixedBinary(t)) return n * t.byteWidth;
  if (t.typeId >= TypeId.Int8 && t.typeId <= TypeId.Float64) return (n * (t as { bitWidth: number }).bitWidth) >>> 3;
  if (t.typeId === TypeId.Utf8 || t.typeId === TypeId.Binary) {
    const o = d.valueOffsets!;
    return 8 * n + o[d.offset + n]! - o[d.offset]!;
  }
  if (t.typeId === TypeId.FixedSizeList) return n * t.listSize * (((t.child.type as { bitWidth?: number }).bitWidth ?? 8) / 8);
  if (t.typeId === TypeId.List) {
    const o = d.valueOffsets!;
    return 8 * n + estimateByteLength(d.children[0]!.slice(o[d.offset]!, o[d.offset + n]!));
  }
  if (t.typeId === TypeId.Struct) {
    let s = 0;
    for (const c of d.children) s += estimateByteLength(c.slice(d.offset, d.offset + n));
    return s;
  }
  return n;
}

interface FieldState {
  firstColumn: number;
  /** Leaf paths of the field (2.1/2.2 files: one column each). */
  leaves: number[][];
  type: DataType;
  name: string;
  /** The schema field's nullability (nested columns' layers follow it). */
  nullable: boolean;
  pending: ArrayData[];
  pendingBytes: number;
  /** Whether an Arrow dictionary type lies in the field (see `add`). */
  hasDictionary: boolean;
}

/** Whether `type` is or holds (in lists, structs, fixed-size lists) an Arrow dictionary. */
function containsDictionary(type: DataType): boolean {
  if (type.typeId === TypeId.Dictionary) return true;
  if (type.typeId === TypeId.List || type.typeId === TypeId.FixedSizeList) return containsDictionary(type.child.type);
  if (type.typeId === TypeId.Struct) return type.children.some((c) => containsDictionary(c.type));
  return false;
}

/**
 * Writes one Lance 2.0, 2.1 or 2.2 file (schema, record batches) to a sink.
 * @example
 * ```ts
 * const sink = new MemorySink();
 * const writer = new LanceFileWriter(sink, batch.schema);
 * writer.write(batch);
 * const { numRows, byteLength } = writer.finish();
 * const bytes = sink.toBytes();
 * ```
 */
export class LanceFileWriter {
  readonly schema: Schema;
  private readonly sink: ByteSink;
  private readonly pageByteLength: number;
  private readonly pageOptions: PageEncodeOptions;
  private readonly fields: FieldState[];
  private readonly columns: ColumnInfo[];
  private position: number;
  private numRows: number;
  private numPages: number;
  private finished: boolean;
  private readonly structRows: Map<number, number>;
  private readonly version: LanceFileVersion;
  private readonly columns21: PageInfo21[][];
  private readonly columnRows: number[];
  private readonly structuralOptions: StructuralPageOptions;
  /** {@link LanceFileWriterOptions.inputStable}. */
  private readonly inputStable: boolean;

  /**
   * @param sink an empty sink (positions in the file are absolute).
   * @param schema the file's schema; every batch written must match it.
   * @throws InvalidArgumentError for a non-empty sink or a bad option; NotSupportedError for a type Lance 2.0 cannot hold here.
   */
  constructor(sink: ByteSink, schema: Schema, options: LanceFileWriterOptions = {}) {
    if (sink === null || typeof sink !== 'object' || typeof sink.write !== 'function') throw new InvalidArgumentError('`sink` must be a ByteSink');
    if (sink.byteLength !== 0) throw new InvalidArgumentError(`\`sink\` must be empty, it already holds ${sink.byteLength} bytes`);
    if (schema === null || typeof schema !== 'object' || !Array.isArray(schema.fields)) throw new InvalidArgumentError('`schema` must be a Schema');
    const pageBytes = options.pageByteLength ?? DEFAULT_PAGE_BYTES;
    if (!Number.isInteger(pageBytes) || pageBytes < 1) throw new InvalidArgumentError(`\`pageByteLength\` must be a positive integer, got ${String(pageBytes)}`);
    const version = options.version ?? '2.0';
    if (version !== '2.0' && version !== '2.1' && version !== '2.2') throw new InvalidArgumentError(`\`version\` must be '2.0', '2.1' or '2.2', got ${String(version)}`);
    this.version = version;
    schemaToLanceFields(schema); // throws NotSupportedError early for unsupported types
    this.sink = sink;
    this.schema = schema;
    this.pageByteLength = pageBytes;
    const dict = options.dictionary ?? true;
    const dictionary = dict === false ? undefined : { minRows: dict === true ? 100 : (dict.minRows ?? 100), maxItems: dict === true ? 100 : (dict.maxItems ?? 100) };
    if (dictionary !== undefined && (!(dictionary.maxItems >= 2 && dictionary.maxItems <= 256) || !(dictionary.minRows >= 0))) {
      throw new InvalidArgumentError('`dictionary.maxItems` must be within 2..256 (u8 indices: LanceDB misreads wider ones) and `dictionary.minRows` non-negative');
    }
    this.pageOptions = { compression: options.compression, dictionary };
    this.inputStable = options.inputStable === true;
    this.fields = [];
    let col = 0;
    for (const f of schema.fields) {
      const leaves = version === '2.0' ? [] : leafPaths(f.type);
      this.fields.push({ firstColumn: col, leaves, type: f.type, name: f.name, nullable: f.nullable, pending: [], pendingBytes: 0, hasDictionary: containsDictionary(f.type) });
      col += version === '2.0' ? columnCount(f.type) : leaves.length;
    }
    this.columns21 = [];
    this.columnRows = [];
    for (let i = 0; i < col && version !== '2.0'; i++) {
      this.columns21.push([]);
      this.columnRows.push(0);
    }
    this.structuralOptions = { largeChunks: version === '2.2', bitPacking: options.bitPacking !== false, dictionary: options.dictionary !== false, fsst: options.fsst !== false };
    this.columns = [];
    for (let i = 0; i < col; i++) this.columns.push({ pages: [], bufferOffsets: [], bufferSizes: [] });
    this.position = 0;
    this.numRows = 0;
    this.numPages = 0;
    this.finished = false;
    this.structRows = new Map();
  }

  /**
   * Appends a batch. Pages are written once a field has gathered `pageByteLength` bytes.
   * @throws InvalidArgumentError when the batch's schema does not match or a column's buffers no
   *   longer pass the checks of `makeData` (changed since); NotSupportedError for null structs.
   */
  write(batch: RecordBatch): void {
    if (this.finished) throw new InvalidArgumentError('cannot `write` after `finish`');
    if (batch === null || typeof batch !== 'object' || !Array.isArray(batch.columns)) throw new InvalidArgumentError('`batch` must be a RecordBatch');
    if (batch.columns.length !== this.fields.length) {
      throw new InvalidArgumentError(`\`batch\` has ${batch.columns.length} columns, the file schema has ${this.fields.length}`);
    }
    for (let k = 0; k < this.fields.length; k++) {
      const st = this.fields[k]!;
      const data = batch.columns[k]!.data as ArrayData;
      if (!st.type.equals(data.type)) {
        throw new InvalidArgumentError(`\`batch\` column "${st.name}" has type ${data.type.toString()}, the file schema says ${st.type.toString()}`);
      }
      // The buffers are the caller's: checked again here, since a change after makeData (offsets,
      // dictionary indices, validity) would otherwise be written into the file as it is.
      try {
        checkData(data);
      } catch (e) {
        throw new InvalidArgumentError(`\`batch\` column "${st.name}": ${(e as Error).message}`, { cause: e });
      }
    }
    for (let k = 0; k < this.fields.length; k++) {
      const st = this.fields[k]!;
      const data = batch.columns[k]!.data as ArrayData;
      this.add(st, data);
    }
    this.numRows += batch.numRows;
  }

  private add(st: FieldState, data: ArrayData): void {
    const n = data.length;
    if (n === 0) return;
    const bytes = estimateByteLength(data);
    const target = this.pageByteLength;
    // Fields with an Arrow dictionary inside are one page per file (2.0 dictionary pages as 2.1/2.2 page
    // dictionaries): LanceDB 0.39 joins the dictionaries of the pages a read batch spans into one, and
    // fails ("Dictionary key bigger than the key type") once they hold more entries than the key type
    // counts (e.g. 100 values in 64-row pages of int8 keys). Their pages hold key-width indices, so one
    // page stays small.
    if (st.pendingBytes + bytes < target || st.hasDictionary) {
      st.pending.push(data);
      st.pendingBytes += bytes;
      return;
    }
    // Split into page-sized runs of rows.
    const bytesPerRow = Math.max(bytes / n, 1e-9);
    let begin = 0;
    // Fill the current pending page first.
    const firstRows = Math.max(1, Math.min(n, Math.floor((target - st.pendingBytes) / bytesPerRow)));
    st.pending.push(data.slice(0, firstRows));
    this.flushField(st);
    begin = firstRows;
    const rowsPerPage = Math.max(1, Math.floor(target / bytesPerRow));
    while (n - begin >= rowsPerPage) {
      st.pending.push(data.slice(begin, begin + rowsPerPage));
      this.flushField(st);
      begin += rowsPerPage;
    }
    if (begin < n) {
      const rest = data.slice(begin, n);
      st.pending.push(rest);
      st.pendingBytes = estimateByteLength(rest);
    }
  }

  private flushField(st: FieldState): void {
    if (st.pending.length === 0) return;
    const data = concatData(st.type, st.pending);
    st.pending = [];
    st.pendingBytes = 0;
    if (this.version === '2.0') this.emit(st.name, data, st.firstColumn);
    else this.emit21(st, data);
  }

  /**
   * Writes one page per leaf column of a field's rows (Lance 2.1/2.2). Each page that has a page dictionary
   * has its own (as LanceDB writes them), so dictionaries span as many pages as the column does.
   */
  private emit21(st: FieldState, data: ArrayData): void {
    const base = this.structuralOptions;
    for (let k = 0; k < st.leaves.length; k++) {
      const col = st.firstColumn + k;
      const where = `field "${st.name}", column ${col}`;
      const page = encodeStructuralPage(shredLeaf(data, st.leaves[k]!, st.nullable), base, where);
      const offsets: number[] = [];
      const sizes: number[] = [];
      for (const b of page.buffers) {
        offsets.push(this.writeAligned(b, page.owned || this.inputStable));
        sizes.push(b.length);
      }
      this.columns21[col]!.push({ bufferOffsets: offsets, bufferSizes: sizes, length: page.numRows, layout: page.layout, priority: this.columnRows[col]! });
      this.columnRows[col]! += page.numRows;
      this.numPages++;
    }
  }

  /** Writes the pages of `data` (a field's rows) into its columns, starting at `col`. Returns the next column. */
  private emit(name: string, data: ArrayData, col: number): number {
    const type = data.type;
    if (isLeafType(type)) {
      // Temporal and large types are written as their storage (see logical-types.ts); large strings never as
      // dictionaries; Arrow dictionaries as dictionary pages (as LanceDB writes `dict:` fields).
      const large = type.typeId === TypeId.LargeUtf8 || type.typeId === TypeId.LargeBinary;
      const stored = type.typeId === TypeId.Dictionary ? data : storageForWrite(data);
      this.writePage(col, encodeLeafPage(stored, large ? { ...this.pageOptions, dictionary: undefined } : this.pageOptions));
      return col + 1;
    }
    if (type.typeId === TypeId.Struct) {
      if (data.nullCount > 0) {
        throw new NotSupportedError(`field "${name}": Lance 2.0 files cannot store null structs (${data.nullCount} nulls); Lance 2.1 can`);
      }
      // LanceDB reads struct header columns of exactly one page: count rows now, write the page at finish.
      this.structRows.set(col, (this.structRows.get(col) ?? 0) + data.length);
      let next = col + 1;
      for (let k = 0; k < type.children.length; k++) {
        next = this.emit(`${name}.${type.children[k]!.name}`, data.children[k]!.slice(data.offset, data.offset + data.length), next);
      }
      return next;
    }
    if (type.typeId === TypeId.List) {
      const { page, itemBegin, itemEnd } = encodeListPage(data);
      this.writePage(col, page);
      const items = data.children[0]!.slice(itemBegin, itemEnd);
      // No items: leaf columns below may go without pages, but LanceDB 0.39 panics reading a struct below
      // a list without its one header page (it writes one of 0 rows), so structs still get theirs.
      if (items.length === 0 && type.child.type.typeId !== TypeId.Struct) return col + 1 + columnCount(type.child.type);
      return this.emit(`${name}.${type.child.name}`, items, col + 1);
    }
    throw new NotSupportedError(`field "${name}": type ${type.toString()} is not supported`);
  }

  /** Writes `bytes` right after what is there (metadata and tables: Lance reads them as one contiguous region). */
  private writePacked(bytes: Uint8Array): number {
    const at = this.position;
    if (bytes.length > 0) this.sink.write(bytes);
    this.position += bytes.length;
    return at;
  }

  /** Writes `bytes` at the next aligned position; `owned`: they are new arrays the sink may keep as they are. */
  private writeAligned(bytes: Uint8Array, owned = false): number {
    const pad = (ALIGN - (this.position % ALIGN)) % ALIGN;
    if (pad > 0) {
      this.sink.write(new Uint8Array(pad));
      this.position += pad;
    }
    const at = this.position;
    if (bytes.length > 0) {
      if (owned && this.sink.writeOwned !== undefined) this.sink.writeOwned(bytes);
      else this.sink.write(bytes);
    }
    this.position += bytes.length;
    return at;
  }

  private writePage(col: number, page: EncodedPage): void {
    const offsets: number[] = [];
    const sizes: number[] = [];
    // Lance 2.0 page buffers are views of the input or arrays the encoder allocated for this page.
    for (const b of page.buffers) {
      offsets.push(this.writeAligned(b, this.inputStable));
      sizes.push(b.length);
    }
    this.columns[col]!.pages.push({ bufferOffsets: offsets, bufferSizes: sizes, length: page.length, encoding: page.encoding, priority: 0 });
    this.numPages++;
  }

  /**
   * Writes the remaining pages, the schema, the column metadata and the footer.
   * @returns rows, bytes, columns and pages written.
   */
  finish(): FileSummary {
    if (this.finished) throw new InvalidArgumentError('`finish` was already called');
    for (const st of this.fields) this.flushField(st);
    this.finished = true;
    if (this.version === '2.0') for (const [col, rows] of this.structRows) this.writePage(col, encodeStructPage(rows));
    const descriptor = encodeFileDescriptor({
      fields: schemaToLanceFields(this.schema),
      schemaMetadata: new Map([...this.schema.metadata].map(([k, v]) => [k, new TextEncoder().encode(v)])),
      numRows: this.numRows,
    });
    const gb0 = this.writeAligned(descriptor);
    const cmoPositions: number[] = [];
    const cmoSizes: number[] = [];
    const numColumns = this.version === '2.0' ? this.columns.length : this.columns21.length;
    for (let c = 0; c < numColumns; c++) {
      const bytes = this.version === '2.0' ? encodeColumnMetadata(this.columns[c]!) : encodeColumnMetadata21(this.columns21[c]!);
      cmoPositions.push(this.writePacked(bytes));
      cmoSizes.push(bytes.length);
    }
    const columnMeta0 = cmoPositions.length > 0 ? cmoPositions[0]! : this.position;
    const cmoTable = this.writePacked(encodeOffsetTable(cmoPositions, cmoSizes));
    const gboTable = this.writePacked(encodeOffsetTable([gb0], [descriptor.length]));
    const footer = encodeFooter({
      columnMeta0Position: columnMeta0,
      cmoTablePosition: cmoTable,
      gboTablePosition: gboTable,
      numGlobalBuffers: 1,
      numColumns,
      major: FOOTER_VERSIONS[this.version].major,
      minor: FOOTER_VERSIONS[this.version].minor,
    });
    this.sink.write(footer);
    this.position += footer.length;
    return { numRows: this.numRows, byteLength: this.position, numColumns, numPages: this.numPages };
  }
}

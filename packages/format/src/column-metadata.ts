/**
 * `lance.file.v2.ColumnMetadata`, the per-column block of a Lance v2 file:
 *
 * ```text
 * ColumnMetadata { encoding 1 (Encoding), pages 2 (repeated Page), buffer_offsets 3, buffer_sizes 4 (packed u64) }
 * Page { buffer_offsets 1, buffer_sizes 2 (packed u64), length 3 (rows), encoding 4 (Encoding), priority 5 }
 * Encoding oneof { indirect 1, direct 2 { bytes encoding 1 }, none 3 }
 * direct bytes = google.protobuf.Any { type_url 1, value 2 }:
 *   page:   "/lance.encodings.ArrayEncoding" + ArrayEncoding bytes (2.0)
 *           "/lance.encodings21.PageLayout" + PageLayout bytes (2.1/2.2)
 *   column: "/lance.encodings.ColumnEncoding" + ColumnEncoding { values 1 (Empty) }
 * ```
 *
 * One decoder reads both versions ({@link decodeColumnMetadata} for 2.0, {@link decodeColumnMetadata21} for
 * 2.1/2.2): the page walk and buffer checks are shared, only the page encoding differs. 2.1 readers ignore
 * the column encoding and column buffers (Lance 2.1 keeps no column-level buffers for the types read here).
 */
import { CorruptDataError, NotSupportedError } from '@vego/encoding';
import { ArrayEncoding, decodeArrayEncoding, encodeArrayEncoding } from './array-encoding';
import { ProtoMessage, ProtoWriter } from './internal/protobuf';
import type { PageLayout } from './v2_1/layout';
import { decodePageLayout } from './v2_1/layout';

/** `type_url` of a 2.0 page encoding. */
export const ARRAY_ENCODING_TYPE_URL = '/lance.encodings.ArrayEncoding';
/** `type_url` of a 2.0 column encoding. */
export const COLUMN_ENCODING_TYPE_URL = '/lance.encodings.ColumnEncoding';
/** `type_url` of a 2.1+ page layout. */
export const PAGE_LAYOUT_21_TYPE_URL = '/lance.encodings21.PageLayout';

/** One page of a column. */
export interface PageInfo {
  bufferOffsets: number[];
  bufferSizes: number[];
  /** Rows in the page. */
  length: number;
  encoding: ArrayEncoding;
  priority: number;
}

/** A decoded column metadata block. */
export interface ColumnInfo {
  pages: PageInfo[];
  bufferOffsets: number[];
  bufferSizes: number[];
}

/** One 2.1 page. */
export interface Page21 {
  bufferOffsets: number[];
  bufferSizes: number[];
  /** Rows in the page. */
  length: number;
  layout: PageLayout;
}

/** A decoded 2.1 column metadata block. */
export interface Column21 {
  pages: Page21[];
}

function wrapAny(typeUrl: string, value: Uint8Array): ProtoWriter {
  // Encoding { direct = 2: DirectEncoding { encoding = 1: Any bytes } }
  const any = new ProtoWriter(value.length + 48).string(1, typeUrl).bytesField(2, value);
  return new ProtoWriter(value.length + 64).message(2, new ProtoWriter(value.length + 56).message(1, any));
}

/** Encodes a ColumnMetadata block (a new array). */
export function encodeColumnMetadata(column: ColumnInfo): Uint8Array {
  const w = new ProtoWriter(256);
  // ColumnEncoding { values = 1: Empty {} }
  w.message(1, wrapAny(COLUMN_ENCODING_TYPE_URL, new ProtoWriter(4).message(1, new Uint8Array(0)).finish()));
  for (const p of column.pages) {
    const pw = new ProtoWriter(128)
      .packedUints(1, p.bufferOffsets)
      .packedUints(2, p.bufferSizes)
      .uintIfSet(3, p.length)
      .message(4, wrapAny(ARRAY_ENCODING_TYPE_URL, encodeArrayEncoding(p.encoding)))
      .uintIfSet(5, p.priority);
    w.message(2, pw);
  }
  w.packedUints(3, column.bufferOffsets).packedUints(4, column.bufferSizes);
  return w.finish().slice();
}

/**
 * The bytes of a direct encoding of type `expectedUrl`; undefined for a missing encoding or (2.0) encoding
 * `none`. A 2.1 page encoding must be direct.
 */
function unwrapDirect(enc: ProtoMessage | undefined, expectedUrl: string, owner: string, version: FileVersion): Uint8Array | undefined {
  if (enc === undefined) return undefined;
  if (enc.has(1)) throw new NotSupportedError(`${owner}: indirect encodings are not supported`);
  const direct = enc.message(2, 'direct');
  if (direct === undefined) {
    if (version === '2.1') throw new CorruptDataError(`${owner}: page encoding is neither direct nor indirect`);
    return undefined; // none
  }
  const anyBytes = direct.bytesField(1) ?? new Uint8Array(0);
  const any = ProtoMessage.decode(anyBytes, `${owner} encoding Any`);
  const url = any.string(1);
  if (url !== expectedUrl) {
    if (version === '2.0' && url.startsWith('/lance.encodings21.')) {
      throw new CorruptDataError(`${owner}: found a Lance 2.1+ encoding (${url}) in a file whose footer says 2.0`);
    }
    throw new CorruptDataError(`${owner}: expected encoding type ${expectedUrl}, found "${url}"`);
  }
  return any.bytesField(2) ?? new Uint8Array(0);
}

/** One page of a Lance 2.1/2.2 column, as the writer produces it. */
export interface PageInfo21 {
  bufferOffsets: number[];
  bufferSizes: number[];
  /** Rows in the page. */
  length: number;
  /** `lance.encodings21.PageLayout` bytes. */
  layout: Uint8Array;
  priority: number;
}

/**
 * Encodes the ColumnMetadata block of a Lance 2.1/2.2 column (a new array): the same message as 2.0, with
 * the same column encoding LanceDB 0.39 writes (`ColumnEncoding { values {} }`), and each page's encoding
 * an `Any` of type `/lance.encodings21.PageLayout`.
 */
export function encodeColumnMetadata21(pages: readonly PageInfo21[]): Uint8Array {
  const w = new ProtoWriter(256);
  w.message(1, wrapAny(COLUMN_ENCODING_TYPE_URL, new ProtoWriter(4).message(1, new Uint8Array(0)).finish()));
  for (const p of pages) {
    const pw = new ProtoWriter(128)
      .packedUints(1, p.bufferOffsets)
      .packedUints(2, p.bufferSizes)
      .uintIfSet(3, p.length)
      .message(4, wrapAny(PAGE_LAYOUT_21_TYPE_URL, p.layout))
      .uintIfSet(5, p.priority);
    w.message(2, pw);
  }
  return w.finish().slice();
}

/** Which page encodings a column holds: 2.0 `ArrayEncoding`s or 2.1/2.2 `PageLayout`s. */
type FileVersion = '2.0' | '2.1';

/** One page message before its encoding is decoded. */
interface RawPage {
  bufferOffsets: number[];
  bufferSizes: number[];
  /** The page's `Any` value: ArrayEncoding (2.0) or PageLayout (2.1) bytes. */
  encoding: Uint8Array;
  message: ProtoMessage;
  owner: string;
}

/**
 * The one ColumnMetadata walk of both versions: checks every buffer lies in `[0, fileLimit)` and unwraps
 * each page's encoding; `page` decodes it. 2.0 also checks the column encoding and the column buffers.
 */
function decodeColumnPages<P>(bytes: Uint8Array, columnIndex: number, fileLimit: number, version: FileVersion, page: (raw: RawPage) => P): { pages: P[]; bufferOffsets: number[]; bufferSizes: number[] } {
  const what = `ColumnMetadata of column ${columnIndex}`;
  const m = ProtoMessage.decode(bytes, what);
  if (version === '2.0') unwrapDirect(m.message(1, 'encoding'), COLUMN_ENCODING_TYPE_URL, what, version);
  const pages: P[] = [];
  const pageMsgs = m.messages(2, 'page');
  const pageUrl = version === '2.0' ? ARRAY_ENCODING_TYPE_URL : PAGE_LAYOUT_21_TYPE_URL;
  for (let i = 0; i < pageMsgs.length; i++) {
    const pm = pageMsgs[i]!;
    const owner = `${what}, page ${i}`;
    const bufferOffsets = pm.uints(1);
    const bufferSizes = pm.uints(2);
    checkBuffers(bufferOffsets, bufferSizes, fileLimit, owner);
    const encoding = unwrapDirect(pm.message(4, 'encoding'), pageUrl, owner, version);
    if (encoding === undefined) throw new CorruptDataError(`${owner}: missing page encoding`);
    pages.push(page({ bufferOffsets, bufferSizes, encoding, message: pm, owner }));
  }
  if (version === '2.1') return { pages, bufferOffsets: [], bufferSizes: [] };
  const bufferOffsets = m.uints(3);
  const bufferSizes = m.uints(4);
  checkBuffers(bufferOffsets, bufferSizes, fileLimit, what);
  return { pages, bufferOffsets, bufferSizes };
}

/**
 * Decodes a 2.0 ColumnMetadata block, checking every buffer lies in `[0, fileLimit)`.
 * @throws CorruptDataError on malformed bytes or out-of-range buffers.
 */
export function decodeColumnMetadata(bytes: Uint8Array, columnIndex: number, fileLimit: number): ColumnInfo {
  return decodeColumnPages(bytes, columnIndex, fileLimit, '2.0', (p) => ({
    bufferOffsets: p.bufferOffsets,
    bufferSizes: p.bufferSizes,
    length: p.message.uint(3),
    encoding: decodeArrayEncoding(p.encoding, `${p.owner} ArrayEncoding`),
    priority: p.message.uint(5),
  }));
}

/**
 * Decodes a 2.1/2.2 ColumnMetadata block, checking each page buffer lies in `[0, fileLimit)`.
 * @throws CorruptDataError on malformed bytes or out-of-range buffers.
 */
export function decodeColumnMetadata21(bytes: Uint8Array, columnIndex: number, fileLimit: number): Column21 {
  const { pages } = decodeColumnPages(bytes, columnIndex, fileLimit, '2.1', (p) => {
    const length = p.message.uint(3);
    if (length > 0x7fffffff) throw new CorruptDataError(`${p.owner}: page claims ${length} rows`);
    return { bufferOffsets: p.bufferOffsets, bufferSizes: p.bufferSizes, length, layout: decodePageLayout(p.encoding, `${p.owner} PageLayout`) };
  });
  return { pages };
}

function checkBuffers(offsets: number[], sizes: number[], limit: number, owner: string): void {
  if (offsets.length !== sizes.length) {
    throw new CorruptDataError(`${owner}: ${offsets.length} buffer offsets but ${sizes.length} buffer sizes`);
  }
  for (let i = 0; i < offsets.length; i++) {
    if (offsets[i]! + sizes[i]! > limit) {
      throw new CorruptDataError(`${owner}: buffer ${i} (position ${offsets[i]}, ${sizes[i]} bytes) lies outside the ${limit} bytes before the footer`);
    }
  }
}

/**
 * Column metadata of Lance 2.1/2.2 files: the same `lance.file.v2.ColumnMetadata` message as 2.0, but each
 * page's encoding is a `google.protobuf.Any` of type `/lance.encodings21.PageLayout`.
 */
import { CorruptDataError, NotSupportedError } from '@vego/encoding';
import { ProtoMessage } from '../internal/protobuf';
import type { PageLayout } from './layout';
import { decodePageLayout } from './layout';

/** `type_url` of a 2.1+ page layout. */
export const PAGE_LAYOUT_TYPE_URL = '/lance.encodings21.PageLayout';

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

/**
 * Decodes a 2.1 ColumnMetadata block, checking each page buffer lies in `[0, fileLimit)`.
 * @throws CorruptDataError on malformed bytes or out-of-range buffers.
 */
export function decodeColumnMetadata21(bytes: Uint8Array, columnIndex: number, fileLimit: number): Column21 {
  const what = `ColumnMetadata of column ${columnIndex}`;
  const m = ProtoMessage.decode(bytes, what);
  const pages: Page21[] = [];
  const pageMsgs = m.messages(2, 'page');
  for (let i = 0; i < pageMsgs.length; i++) {
    const pm = pageMsgs[i]!;
    const owner = `${what}, page ${i}`;
    const bufferOffsets = pm.uints(1);
    const bufferSizes = pm.uints(2);
    if (bufferOffsets.length !== bufferSizes.length) throw new CorruptDataError(`${owner}: ${bufferOffsets.length} buffer offsets but ${bufferSizes.length} buffer sizes`);
    for (let b = 0; b < bufferOffsets.length; b++) {
      if (bufferOffsets[b]! + bufferSizes[b]! > fileLimit) {
        throw new CorruptDataError(`${owner}: buffer ${b} (position ${bufferOffsets[b]}, ${bufferSizes[b]} bytes) lies outside the ${fileLimit} bytes before the footer`);
      }
    }
    const enc = pm.message(4, 'encoding');
    if (enc === undefined) throw new CorruptDataError(`${owner}: missing page encoding`);
    if (enc.has(1)) throw new NotSupportedError(`${owner}: indirect encodings are not supported`);
    const direct = enc.message(2, 'direct');
    if (direct === undefined) throw new CorruptDataError(`${owner}: page encoding is neither direct nor indirect`);
    const any = ProtoMessage.decode(direct.bytesField(1) ?? new Uint8Array(0), `${owner} encoding Any`);
    const url = any.string(1);
    if (url !== PAGE_LAYOUT_TYPE_URL) throw new CorruptDataError(`${owner}: expected encoding type ${PAGE_LAYOUT_TYPE_URL}, found "${url}"`);
    const length = pm.uint(3);
    if (length > 0x7fffffff) throw new CorruptDataError(`${owner}: page claims ${length} rows`);
    pages.push({ bufferOffsets, bufferSizes, length, layout: decodePageLayout(any.bytesField(2) ?? new Uint8Array(0), `${owner} PageLayout`) });
  }
  return { pages };
}


/**
 * One Lance 2.1/2.2 page of any layout: {@link decodePage} decodes a whole page from its buffers,
 * {@link readPageRows} reads only the rows asked for. Each layout lives in its own file (`mini-block.ts`,
 * `full-zip.ts`, `constant.ts`); this module only picks the layout. Calls go one way:
 * `read.ts` → this module → the layouts → `page-rows.ts` / `levels.ts` → `blocks.ts`.
 */
import { NotSupportedError } from '@vego/encoding';
import type { Page21 } from '../column-metadata';
import type { Io, Ranges } from '../internal/io';
import { decodeConstantPage } from './constant';
import { decodeFullZipPage, fullZipIndexWidth, fullZipStride, readFullZipIndexedRows, readFullZipRows } from './full-zip';
import type { PageLayout } from './layout';
import type { PageLevels } from './levels';
import { decodeMiniBlockPage, readMiniBlockListRows, readMiniBlockRows } from './mini-block';
import { sliceRows } from './page-rows';

/**
 * Decodes one page.
 * @param buffers - the page's buffers, in order.
 * @throws CorruptDataError for inconsistent pages; NotSupportedError for layouts or encodings not read here.
 */
export function decodePage(layout: PageLayout, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  switch (layout.kind) {
    case 'miniBlock':
      return decodeMiniBlockPage(layout, buffers, numRows, where);
    case 'constant':
      return decodeConstantPage(layout, buffers, numRows, where);
    case 'fullZip':
      return decodeFullZipPage(layout, buffers, numRows, where);
    default:
      throw new NotSupportedError(`${where}: Lance 2.1 page layout ${layout.name} is not supported by this reader`);
  }
}

/** Every buffer of a page, as byte ranges. */
export function pageBuffers(p: Page21): Ranges {
  const out: Ranges = [];
  for (let b = 0; b < p.bufferOffsets.length; b++) out.push([p.bufferOffsets[b]!, p.bufferSizes[b]!]);
  return out;
}

/**
 * Reads page-relative rows `[x, y)` of one page of a column for which `canReadRowRange` (read.ts) holds:
 * of a mini-block page only the chunks holding the rows, of a fixed-width full-zip page only their items, of
 * a full-zip page with a repetition index (long strings, lists) only the bytes between the rows' two entries;
 * other pages whole, then cut.
 * @throws CorruptDataError for damaged pages; NotSupportedError for encodings not read here.
 */
export function* readPageRows(p: Page21, x: number, y: number, where: string): Io<PageLevels> {
  const l = p.layout;
  if (x === 0 && y === p.length) return decodePage(l, yield pageBuffers(p), p.length, where);
  if (l.kind === 'miniBlock' && l.rep !== null) return yield* readMiniBlockListRows(p, l, x, y, where);
  if (l.kind === 'miniBlock' && p.bufferOffsets.length >= (l.dictionary !== null ? 3 : 2)) return yield* readMiniBlockRows(p, l, x, y, where);
  if (l.kind === 'fullZip' && p.bufferOffsets.length >= 1 && fullZipStride(l) > 0) return yield* readFullZipRows(p, l, x, y, where);
  if (l.kind === 'fullZip' && fullZipIndexWidth(p, l) > 0) return yield* readFullZipIndexedRows(p, l, x, y, where);
  return sliceRows(decodePage(l, yield pageBuffers(p), p.length, where), x, y, where);
}

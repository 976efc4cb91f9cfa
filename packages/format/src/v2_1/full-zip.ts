/**
 * The full-zip page layout of Lance 2.1/2.2 (values too wide for mini-block chunks, e.g. vectors).
 * Buffer 0 holds, per item, a control word (`ceil(bits_def / 8)` bytes: the definition level) when there
 * are levels, then the item's bytes: for a fixed-size list with item validity, `ceil(d / 8)` validity bytes
 * first, then the values. **(found)** Null fixed-width items keep their (zero) value bytes. Without levels
 * the buffer is simply the flat values, so item i lies at a fixed stride and a row range is one byte range.
 */
import { CorruptDataError, NotSupportedError } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import type { Page21 } from '../column-metadata';
import type { Io } from '../internal/io';
import type { Compressive, PageLayout } from './layout';
import { describeCompressive } from './layout';
import type { PageLevels } from './levels';

interface ZipShape {
  /** Value bits without item validity. */
  bits: number;
  /** Items per value and bytes of item validity before each value (0 when none). */
  items: number;
  validityBytes: number;
}

function zipShape(c: Compressive, where: string): ZipShape {
  if (c.kind === 'flat' && c.compression === 'none') return { bits: c.bitsPerValue, items: 1, validityBytes: 0 };
  if (c.kind === 'fixedSizeList') {
    const inner = zipShape(c.values, where);
    if (inner.items === 1 && inner.validityBytes === 0) {
      return { bits: c.itemsPerValue * inner.bits, items: c.itemsPerValue, validityBytes: c.hasValidity ? Math.ceil(c.itemsPerValue / 8) : 0 };
    }
  }
  throw new NotSupportedError(`${where}: full-zip values encoded as ${describeCompressive(c)} are not supported by this reader`);
}

/**
 * Bytes per item of a fixed-width full-zip page without repetition levels (control word, item validity,
 * value): item i then lies at `i * stride` of buffer 0. 0 when the page cannot be read by stride.
 */
export function fullZipStride(layout: Extract<PageLayout, { kind: 'fullZip' }>): number {
  if (layout.bitsPerOffset !== 0 || layout.bitsPerValue === 0 || layout.bitsPerValue % 8 !== 0 || layout.bitsRep !== 0) return 0;
  const cwBytes = Math.ceil(layout.bitsDef / 8);
  if (cwBytes > 2) return 0;
  return cwBytes + layout.bitsPerValue / 8;
}

/**
 * Decodes a fixed-width full-zip page without repetition levels.
 * @throws CorruptDataError for inconsistent pages; NotSupportedError for variable-width or list pages.
 */
export function decodeFullZipPage(layout: Extract<PageLayout, { kind: 'fullZip' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  if (buffers.length < 1) throw new CorruptDataError(`${where}: full-zip page has no buffers`);
  const data = buffers[0]!;
  if (layout.bitsPerOffset !== 0 || layout.bitsPerValue === 0) {
    throw new NotSupportedError(`${where}: variable-width full-zip pages are not supported by this reader`);
  }
  if (layout.bitsRep !== 0) throw new NotSupportedError(`${where}: full-zip pages with repetition levels are not supported by this reader`);
  const shape = zipShape(layout.values, where);
  const bits = shape.bits;
  if (bits % 8 !== 0 || bits === 0 || bits + shape.validityBytes * 8 !== layout.bitsPerValue) {
    throw new CorruptDataError(`${where}: full-zip value width ${layout.bitsPerValue} bits, encoding says ${bits} + ${shape.validityBytes * 8}`);
  }
  const width = bits >>> 3;
  const vb = shape.validityBytes;
  const stride = width + vb;
  const n = layout.numItems;
  if (n !== numRows) throw new CorruptDataError(`${where}: full-zip page has ${n} items for ${numRows} rows`);
  const cwBytes = Math.ceil(layout.bitsDef / 8);
  if (cwBytes > 2) throw new NotSupportedError(`${where}: ${layout.bitsDef}-bit full-zip definition levels are not supported by this reader`);
  if (cwBytes === 0 && vb === 0) {
    if (data.length < n * width) throw new CorruptDataError(`${where}: full-zip data holds ${data.length} bytes, expected ${n * width}`);
    return { numRows, numLevels: 0, rep: null, def: null, layers: layout.layers, values: { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: data.subarray(0, n * width), itemValidity: null }, dictionary: null };
  }
  if (data.length < n * (cwBytes + stride)) throw new CorruptDataError(`${where}: full-zip data holds ${data.length} bytes, expected ${n * (cwBytes + stride)} for ${n} items`);
  const def = cwBytes > 0 ? new Uint16Array(n) : null;
  const out = new Uint8Array(n * width);
  const items = shape.items;
  const itemValidity = vb > 0 ? new Uint8Array(Math.ceil((n * items) / 8)) : null;
  let at = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    if (cwBytes > 0) {
      if (at + cwBytes > data.length) throw new CorruptDataError(`${where}: full-zip data ends at item ${i}`);
      d = cwBytes === 1 ? data[at]! : data[at]! | (data[at + 1]! << 8);
      at += cwBytes;
      def![i] = d;
    }
    // Fixed-width items keep their value bytes even when null (LanceDB 0.39 writes zeros there).
    if (at + stride > data.length) throw new CorruptDataError(`${where}: full-zip value ${i} runs past the data`);
    if (d === 0) {
      if (itemValidity !== null) {
        for (let k = 0; k < items; k++) {
          if ((data[at + (k >>> 3)]! >>> (k & 7)) & 1) itemValidity[(i * items + k) >>> 3]! |= 1 << ((i * items + k) & 7);
        }
      }
      // A byte loop for narrow values; one `set` for wide ones (e.g. 512-byte vectors), where it amortises.
      if (width < 64) {
        const d = i * width;
        const from = at + vb;
        for (let k = 0; k < width; k++) out[d + k] = data[from + k]!;
      } else out.set(data.subarray(at + vb, at + stride), i * width);
    }
    at += stride;
  }
  const values: Block = itemValidity === null
    ? { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: out, itemValidity: null }
    : { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: out, itemValidity, itemsPerValue: items };
  return { numRows, numLevels: def === null ? 0 : n, rep: null, def, layers: layout.layers, values, dictionary: null };
}

/**
 * Reads page-relative rows `[x, y)` of a full-zip page for which {@link fullZipStride} is not 0: only the
 * items' bytes, at a fixed stride.
 * @throws CorruptDataError when the page's buffer is too small for its rows.
 */
export function* readFullZipRows(p: Page21, l: Extract<PageLayout, { kind: 'fullZip' }>, x: number, y: number, where: string): Io<PageLevels> {
  const stride = fullZipStride(l);
  if (l.numItems !== p.length || p.bufferSizes[0]! < p.length * stride) {
    throw new CorruptDataError(`${where}: full-zip page of ${p.length} rows holds ${p.bufferSizes[0]} bytes, expected ${p.length * stride} (${l.numItems} items)`);
  }
  const [data] = yield [[p.bufferOffsets[0]! + x * stride, (y - x) * stride]];
  return decodeFullZipPage({ ...l, numItems: y - x }, [data!], y - x, where);
}

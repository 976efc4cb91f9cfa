/**
 * The full-zip page layout of Lance 2.1/2.2: values too wide for mini-block chunks (vectors, and strings or
 * binaries of which one value in the page reaches 256 bytes), each value stored whole and "zipped" with its
 * levels. Buffer 0 holds, per item (level), a control word when the page has levels, then the item's bytes:
 *
 * - control word: `bits_rep + bits_def` bits in 1, 2 or 4 little-endian bytes (0 bytes when both are 0),
 *   repetition level in the high bits (`word >>> bits_def`), definition level in the low `bits_def` bits.
 * - a level whose definition level marks a null or empty list (see `listCodes`) has no bytes after its
 *   control word (an invisible item).
 * - fixed width (`bits_per_value`): every visible item has `bits_per_value / 8` bytes, null items too
 *   (LanceDB 0.39 writes zeros there); for a fixed-size list with item validity, `ceil(d / 8)` validity
 *   bytes come first.
 * - variable width (`bits_per_offset`): a visible valid item (definition level 0) has its length in
 *   `bits_per_offset / 8` little-endian bytes, then that many bytes, compressed per value (`variable` =
 *   as is, `fsst` = FSST codes); a null item has nothing.
 *
 * **(found)** Buffer 1, when present, is the repetition index: `num_rows + 1` unsigned little-endian byte
 * positions into buffer 0, one per row start plus the end, each `size / (num_rows + 1)` bytes wide
 * (2 in LanceDB 0.39's 200-row pages of ≤ 64 KiB we inspected): a row range reads two entries, then only the
 * bytes between them ({@link readFullZipIndexedRows}). Fixed-width pages without levels have none: item i lies at `i × stride`.
 *
 * Example (2.1, a nullable string column, row 0 null, row 1 fifteen FSST codes): buffer 0 starts
 * `01 | 00 0F 00 00 00 <15 bytes> | …`, buffer 1 starts `00 00 01 00 15 00` (rows start at 0, 1, 21).
 */
import { CorruptDataError, fsstDecompress, NotSupportedError, parseFsstTable } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import type { Page21 } from '../column-metadata';
import type { Io } from '../internal/io';
import type { Compressive, CompressionScheme, PageLayout } from './layout';
import { describeCompressive } from './layout';
import { decompressPerValue } from './full-zip-general';
import type { PageLevels } from './levels';
import { listCodes } from './levels';
import { readUintLE } from './little-endian';

type FullZip = Extract<PageLayout, { kind: 'fullZip' }>;

interface ZipShape {
  /** Value bits without item validity (0 when every item is null: see {@link zipShape}). */
  bits: number;
  /** Items per value and bytes of item validity before each value (0 when none). */
  items: number;
  validityBytes: number;
}

function zipShape(c: Compressive, where: string): ZipShape {
  if (c.kind === 'flat' && c.compression === 'none') return { bits: c.bitsPerValue, items: 1, validityBytes: 0 };
  if (c.kind === 'fixedSizeList') {
    // **(found)** LanceDB 2.1/2.2 stores a page of vectors whose every item is null (the vectors
    // themselves valid) as `fixedSizeList(d, validity, constant(no value))`: each value is its item
    // validity bytes only. The items' width is the column type's; the block says 0 bits, with the
    // item validity, and assembly widens it to zeros of that width (`assemble.ts`, `page-rows.ts`).
    if (c.hasValidity && c.values.kind === 'constant' && c.values.value.length === 0) return { bits: 0, items: c.itemsPerValue, validityBytes: Math.ceil(c.itemsPerValue / 8) };
    const inner = zipShape(c.values, where);
    if (inner.items === 1 && inner.validityBytes === 0) {
      return { bits: c.itemsPerValue * inner.bits, items: c.itemsPerValue, validityBytes: c.hasValidity ? Math.ceil(c.itemsPerValue / 8) : 0 };
    }
  }
  throw new NotSupportedError(`${where}: full-zip values encoded as ${describeCompressive(c)} are not supported by this reader`);
}

/** Bytes of a control word for `bitsRep + bitsDef` bits: 0, 1, 2 or 4. */
function controlWordBytes(l: FullZip, where: string): number {
  const bits = l.bitsRep + l.bitsDef;
  if (l.bitsRep > 16 || l.bitsDef > 16) throw new CorruptDataError(`${where}: full-zip levels of ${l.bitsRep} + ${l.bitsDef} bits, at most 16 each`);
  return bits === 0 ? 0 : bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
}

/**
 * Bytes per item of a fixed-width full-zip page without repetition levels (control word, item validity,
 * value): item i then lies at `i * stride` of buffer 0. 0 when the page cannot be read by stride.
 */
export function fullZipStride(layout: FullZip): number {
  if (layout.bitsPerOffset !== 0 || layout.bitsPerValue === 0 || layout.bitsPerValue % 8 !== 0 || layout.bitsRep !== 0 || layout.bitsDef > 16) return 0;
  const cwBytes = layout.bitsDef === 0 ? 0 : layout.bitsDef <= 8 ? 1 : 2;
  return cwBytes + layout.bitsPerValue / 8;
}

/** Bytes of a variable-width item's length (`bits_per_offset` of 8, 16, 32 or 64). */
function lengthBytes(l: FullZip, where: string): number {
  const bpo = l.bitsPerOffset;
  if (bpo !== 8 && bpo !== 16 && bpo !== 32 && bpo !== 64) throw new CorruptDataError(`${where}: full-zip lengths of ${bpo} bits, expected 8, 16, 32 or 64`);
  return bpo >>> 3;
}

/**
 * Where the bytes of visible item `i` end, its control word (definition level `d`) read and `at` just
 * past it: `stride` bytes for a fixed-width item; for a variable-width one its `lenBytes`-byte length and
 * that many bytes when valid, nothing when null. Every length is checked against the data first.
 */
function itemEnd(data: Uint8Array, at: number, d: number, stride: number, lenBytes: number, i: number, where: string): number {
  const len = data.length;
  if (stride > 0) {
    const end = at + stride;
    if (end > len) throw new CorruptDataError(`${where}: full-zip value ${i} ends at byte ${end}, the data holds ${len}`);
    return end;
  }
  if (d !== 0) return at;
  if (at + lenBytes > len) throw new CorruptDataError(`${where}: full-zip length of item ${i} at byte ${at} runs past the ${len} bytes of data`);
  const l = readUintLE(data, at, lenBytes);
  const from = at + lenBytes;
  if (l > len - from) throw new CorruptDataError(`${where}: full-zip item ${i} claims ${l} bytes at byte ${from}, ${len - from} are left`);
  return from + l;
}

/** Levels of a full-zip page and what its walk over buffer 0 found. */
interface Walk {
  rep: Uint16Array | null;
  def: Uint16Array | null;
  /** Items with value bytes (levels below the first list code), null items included. */
  visible: number;
  /** Variable width: the sum of the valid items' lengths. */
  valueBytes: number;
  /** Definition levels at or above this mark null or empty lists (no value). */
  firstListCode: number;
}

/**
 * Pass 1 over buffer 0: each item's control word into `rep`/`def`, every length checked against the data
 * before use. `stride` is the bytes of a visible fixed-width item, or 0 for variable width with `lenBytes`
 * bytes of length before a valid item's bytes.
 */
function walk(layout: FullZip, data: Uint8Array, cwBytes: number, n: number, stride: number, lenBytes: number, where: string): Walk {
  const { lists, firstListCode } = listCodes(layout.layers);
  if (lists > 0 && layout.bitsRep === 0) throw new CorruptDataError(`${where}: full-zip page with list layers has no repetition levels`);
  if (lists === 0 && layout.bitsRep !== 0) throw new CorruptDataError(`${where}: full-zip page has ${layout.bitsRep}-bit repetition levels but no list layer`);
  // Every item takes at least one byte (its control word, its length or its value): `n` is bounded by the data.
  if (n > data.length && (cwBytes > 0 || stride > 0 || lenBytes > 0)) throw new CorruptDataError(`${where}: full-zip page claims ${n} items in ${data.length} bytes`);
  const bitsDef = layout.bitsDef;
  const defMask = (1 << bitsDef) - 1;
  const rep = layout.bitsRep > 0 ? new Uint16Array(n) : null;
  const def = bitsDef > 0 ? new Uint16Array(n) : null;
  const len = data.length;
  let at = 0;
  let visible = 0;
  let valueBytes = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    if (cwBytes > 0) {
      if (at + cwBytes > len) throw new CorruptDataError(`${where}: full-zip control word of item ${i} at byte ${at} runs past the ${len} bytes of data`);
      const w = readUintLE(data, at, cwBytes);
      at += cwBytes;
      d = w & defMask;
      const r = w >>> bitsDef;
      if (r > 0xffff) throw new CorruptDataError(`${where}: full-zip item ${i} has repetition level ${r}, at most 65535`);
      if (def !== null) def[i] = d;
      if (rep !== null) rep[i] = r;
    }
    if (d >= firstListCode) continue;
    visible++;
    const end = itemEnd(data, at, d, stride, lenBytes, i, where);
    if (stride === 0 && d === 0) valueBytes += end - at - lenBytes;
    at = end;
  }
  if (at !== len) throw new CorruptDataError(`${where}: full-zip items end at byte ${at}, the data holds ${len}`);
  if (rep !== null && n > 0 && rep[0] !== lists) throw new CorruptDataError(`${where}: full-zip page starts with repetition level ${rep[0]}, expected ${lists} (a row start)`);
  return { rep, def, visible, valueBytes, firstListCode };
}

/**
 * Decodes a full-zip page: fixed or variable width, with or without repetition and definition levels.
 * @throws CorruptDataError for inconsistent pages; NotSupportedError for value compressions not read here.
 */
export function decodeFullZipPage(layout: FullZip, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  if (buffers.length < 1) throw new CorruptDataError(`${where}: full-zip page has no buffers`);
  const data = buffers[0]!;
  const n = layout.numItems;
  if (layout.bitsRep === 0 ? n !== numRows : n < numRows) throw new CorruptDataError(`${where}: full-zip page has ${n} items for ${numRows} rows`);
  const cwBytes = controlWordBytes(layout, where);
  if (layout.bitsPerValue === 0) return decodeVariable(layout, data, cwBytes, numRows, where);
  if (layout.bitsPerOffset !== 0) throw new CorruptDataError(`${where}: full-zip page has both bits_per_value and bits_per_offset`);
  const shape = zipShape(layout.values, where);
  const bits = shape.bits;
  const nullItems = bits === 0 && shape.validityBytes > 0;
  if (bits % 8 !== 0 || (bits === 0 && !nullItems) || bits + shape.validityBytes * 8 !== layout.bitsPerValue) {
    throw new CorruptDataError(`${where}: full-zip value width ${layout.bitsPerValue} bits, encoding says ${bits} + ${shape.validityBytes * 8}`);
  }
  const width = bits >>> 3;
  const vb = shape.validityBytes;
  const stride = width + vb;
  if (cwBytes === 0 && vb === 0) {
    if (data.length < n * width) throw new CorruptDataError(`${where}: full-zip data holds ${data.length} bytes, expected ${n * width}`);
    return { numRows, numLevels: 0, rep: null, def: null, layers: layout.layers, values: { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: data.subarray(0, n * width), itemValidity: null }, dictionary: null };
  }
  if (cwBytes === 0 && data.length < n * stride) throw new CorruptDataError(`${where}: full-zip data holds ${data.length} bytes, expected ${n * stride} for ${n} items`);
  const { rep, def, visible, firstListCode } = walk(layout, cwBytes === 0 ? data.subarray(0, n * stride) : data, cwBytes, n, stride, 0, where);
  // `visible × stride` bytes were walked over: the output is bounded by the data.
  const out = new Uint8Array(visible * width);
  const items = shape.items;
  const itemValidity = vb > 0 ? new Uint8Array(Math.ceil((visible * items) / 8)) : null;
  let at = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    at += cwBytes;
    const d = def === null ? 0 : def[i]!;
    if (d >= firstListCode) continue;
    // Null items keep (zero) value bytes in the data; here they stay zeros and invalid.
    if (d === 0) {
      if (itemValidity !== null) {
        for (let k = 0; k < items; k++) {
          if ((data[at + (k >>> 3)]! >>> (k & 7)) & 1) itemValidity[(v * items + k) >>> 3]! |= 1 << ((v * items + k) & 7);
        }
      }
      // A byte loop for narrow values; one `set` for wide ones (e.g. 512-byte vectors), where it amortises.
      if (width < 64) {
        const o = v * width;
        const from = at + vb;
        for (let k = 0; k < width; k++) out[o + k] = data[from + k]!;
      } else out.set(data.subarray(at + vb, at + stride), v * width);
    }
    at += stride;
    v++;
  }
  if (nullItems && itemValidity!.some((x) => x !== 0)) {
    throw new CorruptDataError(`${where}: full-zip items marked valid, but their encoding (a constant without a value) holds no value`);
  }
  const values: Block = itemValidity === null
    ? { kind: 'fixed', bitsPerValue: bits, numValues: visible, bytes: out, itemValidity: null }
    : { kind: 'fixed', bitsPerValue: bits, numValues: visible, bytes: out, itemValidity, itemsPerValue: items };
  return { numRows, numLevels: rep === null && def === null ? 0 : n, rep, def, layers: layout.layers, values, dictionary: null };
}

/** How each value of a variable-width full-zip page is compressed. */
type PerValue =
  | { kind: 'none' }
  | { kind: 'fsst'; symbolTable: Uint8Array }
  | { kind: 'general'; scheme: Exclude<CompressionScheme, 'none'> };

/** The per-value compression of a variable-width full-zip page: bytes as they are, FSST codes, or one general-compressed buffer per value. */
function variableCompression(c: Compressive, where: string): PerValue {
  if (c.kind === 'variable' && c.compression === 'none') return { kind: 'none' };
  if (c.kind === 'fsst' && c.values.kind === 'variable' && c.values.compression === 'none') return { kind: 'fsst', symbolTable: c.symbolTable };
  if (c.kind === 'general' && c.compression !== 'none' && c.values.kind === 'variable' && c.values.compression === 'none') return { kind: 'general', scheme: c.compression };
  throw new NotSupportedError(`${where}: variable-width full-zip values encoded as ${describeCompressive(c)} are not supported by this reader`);
}

function decodeVariable(layout: FullZip, data: Uint8Array, cwBytes: number, numRows: number, where: string): PageLevels {
  const lenBytes = lengthBytes(layout, where);
  const perValue = variableCompression(layout.values, where);
  const n = layout.numItems;
  const { rep, def, visible, valueBytes, firstListCode } = walk(layout, data, cwBytes, n, 0, lenBytes, where);
  // Both are bounded by the data the walk went over.
  const offsets = new Int32Array(visible + 1);
  const bytes = new Uint8Array(valueBytes);
  let at = 0;
  let v = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    at += cwBytes;
    const d = def === null ? 0 : def[i]!;
    if (d >= firstListCode) continue;
    if (d === 0) {
      const l = readUintLE(data, at, lenBytes);
      at += lenBytes;
      if (l <= 32) for (let k = 0; k < l; k++) bytes[o + k] = data[at + k]!;
      else bytes.set(data.subarray(at, at + l), o);
      at += l;
      o += l;
    }
    offsets[++v] = o;
  }
  let values: Block = { kind: 'variable', numValues: visible, offsets, bytes };
  if (perValue.kind !== 'none') {
    const out = perValue.kind === 'fsst' ? fsstDecompress(parseFsstTable(perValue.symbolTable), bytes, offsets, visible) : decompressPerValue(perValue.scheme, bytes, offsets, visible, where);
    values = { kind: 'variable', numValues: visible, offsets: out.offsets, bytes: out.bytes };
  }
  return { numRows, numLevels: rep === null && def === null ? 0 : n, rep, def, layers: layout.layers, values, dictionary: null };
}

/**
 * Items (levels) in `data`, a run of whole items (a slice of buffer 0 between two repetition index entries):
 * walks control words and lengths, each checked against the bytes left.
 */
function countItems(l: FullZip, data: Uint8Array, where: string): number {
  const cwBytes = controlWordBytes(l, where);
  const { firstListCode } = listCodes(l.layers);
  let stride = 0;
  let lenBytes = 0;
  if (l.bitsPerValue !== 0) {
    if (l.bitsPerValue % 8 !== 0) throw new CorruptDataError(`${where}: full-zip value width ${l.bitsPerValue} bits is not whole bytes`);
    stride = l.bitsPerValue >>> 3;
  } else lenBytes = lengthBytes(l, where);
  if (cwBytes === 0 && stride === 0 && lenBytes === 0) throw new CorruptDataError(`${where}: full-zip items of no bytes`);
  const defMask = (1 << l.bitsDef) - 1;
  const len = data.length;
  let at = 0;
  let n = 0;
  while (at < len) {
    let d = 0;
    if (cwBytes > 0) {
      if (at + cwBytes > len) throw new CorruptDataError(`${where}: full-zip control word of item ${n} at byte ${at} runs past the ${len} bytes read`);
      d = readUintLE(data, at, cwBytes) & defMask;
      at += cwBytes;
    }
    n++;
    // Each step stays within `len` (itemEnd checks it), so the loop ends exactly at the end of the bytes.
    if (d < firstListCode) at = itemEnd(data, at, d, stride, lenBytes, n - 1, where);
  }
  return n;
}

/** Bytes per entry of a full-zip page's repetition index (buffer 1), or 0 when it has none this reader can use. */
export function fullZipIndexWidth(p: Page21, l: FullZip): number {
  if (p.bufferSizes.length < 2 || fullZipStride(l) > 0) return 0;
  const size = p.bufferSizes[1]!;
  const w = size / (p.length + 1);
  return w === 1 || w === 2 || w === 4 || w === 8 ? w : 0;
}

/**
 * Reads page-relative rows `[x, y)` of a full-zip page with a repetition index ({@link fullZipIndexWidth} not
 * 0: variable width, or levels with lists): two index entries give the rows' byte range in buffer 0, and only
 * those bytes are read and decoded.
 * @throws CorruptDataError when the index entries are out of order or beyond buffer 0, or the bytes between
 *   them are not whole items.
 */
export function* readFullZipIndexedRows(p: Page21, l: FullZip, x: number, y: number, where: string): Io<PageLevels> {
  const w = fullZipIndexWidth(p, l);
  const at = p.bufferOffsets[1]!;
  const [a, b] = yield [[at + x * w, w], [at + y * w, w]];
  if (a === undefined || b === undefined || a.length < w || b.length < w) throw new CorruptDataError(`${where}: full-zip repetition index entries ${x} and ${y} could not be read`);
  const start = readUintLE(a, 0, w);
  const end = readUintLE(b, 0, w);
  const size = p.bufferSizes[0]!;
  if (start > end || end > size) throw new CorruptDataError(`${where}: full-zip repetition index puts rows ${x}..${y} at bytes ${start}..${end}, buffer 0 holds ${size}`);
  const [data] = yield [[p.bufferOffsets[0]! + start, end - start]];
  const bytes = data!;
  const n = countItems(l, bytes, where);
  return decodeFullZipPage({ ...l, numItems: n }, [bytes], y - x, where);
}

/**
 * Reads page-relative rows `[x, y)` of a full-zip page for which {@link fullZipStride} is not 0: only the
 * items' bytes, at a fixed stride.
 * @throws CorruptDataError when the page's buffer is too small for its rows.
 */
export function* readFullZipRows(p: Page21, l: FullZip, x: number, y: number, where: string): Io<PageLevels> {
  const stride = fullZipStride(l);
  if (l.numItems !== p.length || p.bufferSizes[0]! < p.length * stride) {
    throw new CorruptDataError(`${where}: full-zip page of ${p.length} rows holds ${p.bufferSizes[0]} bytes, expected ${p.length * stride} (${l.numItems} items)`);
  }
  const [data] = yield [[p.bufferOffsets[0]! + x * stride, (y - x) * stride]];
  return decodeFullZipPage({ ...l, numItems: y - x }, [data!], y - x, where);
}

/**
 * Decoding of one Lance 2.1/2.2 page into levels and values ({@link PageLevels}), for the three layouts
 * LanceDB writes: mini-block, constant (all null, or one inline value) and full-zip.
 *
 * Mini-block page buffers: 0 = chunk metadata, 1 = chunks, 2 = dictionary (when the layout has one),
 * then the repetition index. Metadata per chunk is a u16 (u32 when `has_large_chunk`, Lance 2.2):
 * low 4 bits = log2 of the chunk's values (0 for the last chunk, whose count is what is left of
 * `num_items`), the rest = chunk size in 8-byte words minus one. A chunk is
 * `u16 num_levels, [u16 rep bytes], [u16 def bytes], u16|u32 size of each value buffer`, zero to seven
 * bytes of padding to a multiple of 8, then rep, def and each value buffer, each padded to 8 bytes.
 * Example (2.1, 3000 int32 ids 0…2999): metadata `1A 0A 1A 0B 10 0C` = chunks of 162, 178 and 194 words with
 * 1024, 1024 and 952 values; chunk 0 starts `00 00 04 05 FE FE FE FE 0A 00 00 00 …` (no levels, one
 * 1284-byte buffer, padding, bit width 10, packed values).
 *
 * Full-zip page buffer 0 holds, per item, a control word (`ceil(bits_def / 8)` bytes: the definition
 * level) when there are levels, then the item's bytes: for a fixed-size list with item validity,
 * `ceil(d / 8)` validity bytes first, then the values. **(found)** Null fixed-width items keep their (zero)
 * value bytes. Without levels the buffer is simply the flat values.
 */
import { CorruptDataError, NotSupportedError } from '@vego/encoding';
import type { Block } from './blocks';
import { decodeLevels, decompressBlock, decompressMiniBlock, MAX_CHUNK_VALUES, MAX_DECOMPRESSED_BYTES } from './blocks';
import type { Compressive, PageLayout } from './layout';
import { describeCompressive, RepDefLayer } from './layout';

/** Levels and values of a page (or of several pages joined). */
export interface PageLevels {
  numRows: number;
  /** Entries in `rep`/`def` (0 when the page has neither). */
  numLevels: number;
  rep: Uint16Array | null;
  def: Uint16Array | null;
  layers: RepDefLayer[];
  values: Block;
  /** Decoded dictionary when `values` are indices into it. */
  dictionary: Block | null;
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

function u16(b: Uint8Array, at: number, where: string): number {
  if (at + 2 > b.length) throw new CorruptDataError(`${where}: chunk header runs past the chunk (${b.length} bytes)`);
  return b[at]! | (b[at + 1]! << 8);
}

function u32(b: Uint8Array, at: number, where: string): number {
  if (at + 4 > b.length) throw new CorruptDataError(`${where}: header runs past its buffer (${b.length} bytes)`);
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Joins blocks of one kind (copy). */
export function concatBlocks(blocks: Block[], where: string): Block {
  if (blocks.length === 1) return blocks[0]!;
  if (blocks.length === 0) return { kind: 'fixed', bitsPerValue: 8, numValues: 0, bytes: new Uint8Array(0), itemValidity: null };
  const k = blocks[0]!;
  let n = 0;
  let bytes = 0;
  for (const b of blocks) {
    if (b.kind !== k.kind || (b.kind === 'fixed' && k.kind === 'fixed' && b.bitsPerValue !== k.bitsPerValue)) {
      throw new CorruptDataError(`${where}: pages or chunks of one column decode to different value kinds`);
    }
    n += b.numValues;
    bytes += b.kind === 'fixed' ? b.bytes.length : b.offsets[b.numValues]!;
  }
  if (bytes > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: column decodes to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
  const out = new Uint8Array(bytes);
  if (k.kind === 'fixed') {
    let at = 0;
    const anyValidity = blocks.some((b) => b.kind === 'fixed' && b.itemValidity !== null);
    const d = anyValidity ? ((blocks.find((b) => b.kind === 'fixed' && b.itemValidity !== null) as { itemsPerValue?: number }).itemsPerValue ?? 1) : 1;
    const validity = anyValidity ? new Uint8Array(Math.ceil((n * d) / 8)) : null;
    let item = 0;
    for (const b of blocks as Array<Extract<Block, { kind: 'fixed' }>>) {
      out.set(b.bytes, at);
      at += b.bytes.length;
      if (validity !== null) {
        const m = b.numValues * d;
        const src = b.itemValidity;
        for (let i = 0; i < m; i++) {
          if (src === null || (src[i >>> 3]! >>> (i & 7)) & 1) validity[(item + i) >>> 3]! |= 1 << ((item + i) & 7);
        }
        item += m;
      }
    }
    if (validity !== null) return { kind: 'fixed', bitsPerValue: k.bitsPerValue, numValues: n, bytes: out, itemValidity: validity, itemsPerValue: d };
    return { kind: 'fixed', bitsPerValue: k.bitsPerValue, numValues: n, bytes: out, itemValidity: null };
  }
  const offsets = new Int32Array(n + 1);
  let at = 0;
  let i = 0;
  for (const b of blocks as Array<Extract<Block, { kind: 'variable' }>>) {
    for (let j = 0; j < b.numValues; j++) offsets[i + j + 1] = at + b.offsets[j + 1]!;
    out.set(b.bytes.subarray(0, b.offsets[b.numValues]!), at);
    at += b.offsets[b.numValues]!;
    i += b.numValues;
  }
  return { kind: 'variable', numValues: n, offsets, bytes: out };
}

function concatLevels(parts: Array<Uint16Array | null>, counts: number[]): Uint16Array | null {
  if (parts.every((p) => p === null)) return null;
  let n = 0;
  for (const c of counts) n += c;
  const out = new Uint16Array(n);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== null) out.set(parts[i]!, at);
    at += counts[i]!;
  }
  return out;
}

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

function decodeMiniBlockPage(layout: Extract<PageLayout, { kind: 'miniBlock' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  const need = layout.dictionary !== null ? 3 : 2;
  if (buffers.length < need) throw new CorruptDataError(`${where}: mini-block page has ${buffers.length} buffers, expected at least ${need}`);
  if (layout.numBuffers < 1 || layout.numBuffers > 16) throw new CorruptDataError(`${where}: mini-block layout says ${layout.numBuffers} buffers per chunk`);
  const meta = buffers[0]!;
  const data = buffers[1]!;
  const metaWidth = layout.hasLargeChunk ? 4 : 2;
  if (meta.length % metaWidth !== 0) throw new CorruptDataError(`${where}: chunk metadata of ${meta.length} bytes is not a multiple of ${metaWidth}`);
  const numChunks = meta.length / metaWidth;
  const totalValues = layout.numItems;
  const hasRep = layout.rep !== null;
  const hasDef = layout.def !== null;
  const blocks: Block[] = [];
  const reps: Array<Uint16Array | null> = [];
  const defs: Array<Uint16Array | null> = [];
  const levelCounts: number[] = [];
  let pos = 0;
  let valuesSoFar = 0;
  for (let c = 0; c < numChunks; c++) {
    const cw = `${where}, chunk ${c}`;
    const word = metaWidth === 2 ? meta[c * 2]! | (meta[c * 2 + 1]! << 8) : u32(meta, c * 4, cw);
    const log = word & 15;
    const bytes = (Math.floor(word / 16) + 1) * 8;
    const n = log > 0 ? 2 ** log : totalValues - valuesSoFar;
    if (n > MAX_CHUNK_VALUES) throw new CorruptDataError(`${cw}: chunk of ${n} values; Lance chunks hold at most ${MAX_CHUNK_VALUES}`);
    if (n < 0 || valuesSoFar + n > totalValues) throw new CorruptDataError(`${cw}: chunks hold more than the page's ${totalValues} values`);
    if (pos + bytes > data.length) throw new CorruptDataError(`${cw}: chunk of ${bytes} bytes at ${pos} runs past the ${data.length}-byte chunk buffer`);
    const chunk = data.subarray(pos, pos + bytes);
    pos += bytes;
    let at = 0;
    const numLevels = u16(chunk, at, cw);
    at += 2;
    let repBytes = 0;
    let defBytes = 0;
    if (hasRep) {
      repBytes = u16(chunk, at, cw);
      at += 2;
    }
    if (hasDef) {
      defBytes = u16(chunk, at, cw);
      at += 2;
    }
    const sizes: number[] = [];
    for (let b = 0; b < layout.numBuffers; b++) {
      sizes.push(layout.hasLargeChunk ? u32(chunk, at, cw) : u16(chunk, at, cw));
      at += metaWidth;
    }
    at = pad8(at);
    const take = (len: number): Uint8Array => {
      if (at + len > chunk.length) throw new CorruptDataError(`${cw}: buffer of ${len} bytes at ${at} runs past the ${chunk.length}-byte chunk`);
      const out = chunk.subarray(at, at + len);
      at = pad8(at + len);
      return out;
    };
    const repBuf = hasRep ? take(repBytes) : null;
    const defBuf = hasDef ? take(defBytes) : null;
    const valueBufs: Uint8Array[] = [];
    for (const s of sizes) valueBufs.push(take(s));
    const levels = hasRep || hasDef ? numLevels : 0;
    if ((hasRep || hasDef) && levels < n) throw new CorruptDataError(`${cw}: ${levels} levels for ${n} values`);
    reps.push(repBuf === null ? null : decodeLevels(layout.rep!, repBuf, levels, `${cw} repetition`));
    defs.push(defBuf === null ? null : decodeLevels(layout.def!, defBuf, levels, `${cw} definition`));
    levelCounts.push(levels);
    blocks.push(decompressMiniBlock(layout.values, valueBufs, n, cw));
    valuesSoFar += n;
  }
  if (valuesSoFar !== totalValues) throw new CorruptDataError(`${where}: chunks hold ${valuesSoFar} values, the layout says ${totalValues}`);
  let dictionary: Block | null = null;
  if (layout.dictionary !== null) {
    if (layout.numDictionaryItems > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: dictionary of ${layout.numDictionaryItems} items`);
    dictionary = decompressBlock(layout.dictionary, buffers[2]!, layout.numDictionaryItems, `${where} dictionary`);
  }
  let numLevels = 0;
  for (const l of levelCounts) numLevels += l;
  return {
    numRows,
    numLevels,
    rep: concatLevels(reps, levelCounts),
    def: concatLevels(defs, levelCounts),
    layers: layout.layers,
    values: concatBlocks(blocks, where),
    dictionary,
  };
}

function decodeConstantPage(layout: Extract<PageLayout, { kind: 'constant' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  if (layout.numRepValues > 0 || layout.numDefValues > 0 || buffers.length > 0) {
    throw new NotSupportedError(`${where}: constant page layout with repetition/definition buffers is not supported by this reader`);
  }
  if (numRows > 1 << 25) throw new CorruptDataError(`${where}: constant page of ${numRows} rows; more than the ${1 << 25}-row limit`);
  const layers = layout.layers;
  if (layout.inlineValue === null) {
    // All null: one definition level per row saying "null at the outermost nullable layer".
    if (layers.length !== 1 || (layers[0] !== RepDefLayer.NullableItem && layers[0] !== RepDefLayer.NullableList)) {
      throw new NotSupportedError(`${where}: all-null constant page with layers [${layers.join(', ')}] is not supported by this reader`);
    }
    const def = new Uint16Array(numRows).fill(1);
    return { numRows, numLevels: numRows, rep: null, def, layers, values: { kind: 'fixed', bitsPerValue: 0, numValues: numRows, bytes: new Uint8Array(0), itemValidity: null }, dictionary: null };
  }
  const v = layout.inlineValue;
  if (v.length === 0 || v.length > 32) throw new CorruptDataError(`${where}: constant inline value of ${v.length} bytes, expected 1..32`);
  if (layers.some((l) => l !== RepDefLayer.AllValidItem)) throw new NotSupportedError(`${where}: constant page with layers [${layers.join(', ')}] is not supported by this reader`);
  const out = new Uint8Array(numRows * v.length);
  for (let i = 0; i < numRows; i++) out.set(v, i * v.length);
  return { numRows, numLevels: 0, rep: null, def: null, layers, values: { kind: 'fixed', bitsPerValue: v.length * 8, numValues: numRows, bytes: out, itemValidity: null }, dictionary: null };
}

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

function decodeFullZipPage(layout: Extract<PageLayout, { kind: 'fullZip' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
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
      out.set(data.subarray(at + vb, at + stride), i * width);
    }
    at += stride;
  }
  const values: Block = itemValidity === null
    ? { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: out, itemValidity: null }
    : { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: out, itemValidity, itemsPerValue: items };
  return { numRows, numLevels: def === null ? 0 : n, rep: null, def, layers: layout.layers, values, dictionary: null };
}

/** Joins the decoded pages of one column (copy). */
export function concatPages(pages: PageLevels[], where: string): PageLevels {
  if (pages.length === 1) return pages[0]!;
  let rows = 0;
  const counts: number[] = [];
  for (const p of pages) {
    rows += p.numRows;
    counts.push(p.rep !== null || p.def !== null ? p.numLevels : p.numRows);
  }
  const anyLevels = pages.some((p) => p.rep !== null || p.def !== null);
  const layers = pages.find((p) => p.def !== null || p.rep !== null)?.layers ?? pages[0]!.layers;
  for (const p of pages) {
    if (p.layers.length !== layers.length) throw new CorruptDataError(`${where}: pages disagree on the number of repetition/definition layers`);
    if (p.dictionary !== null) throw new NotSupportedError(`${where}: dictionary pages in a multi-page column are not supported by this reader`);
  }
  let numLevels = 0;
  for (const c of counts) numLevels += c;
  const fillLevels = (pick: (p: PageLevels) => Uint16Array | null): Uint16Array | null => {
    if (!anyLevels || pages.every((p) => pick(p) === null)) return null;
    return concatLevels(pages.map((p) => pick(p) ?? new Uint16Array(0)), counts);
  };
  // Pages without levels have one value per row and levels of 0, which concatLevels leaves as zeros;
  // a page without a repetition buffer in a list column would be wrong, so require agreement.
  if (pages.some((p) => (p.rep === null) !== (pages[0]!.rep === null))) throw new NotSupportedError(`${where}: list pages with and without repetition levels are not supported by this reader`);
  const blocks = pages.map((p) => p.values);
  const nonEmpty = blocks.filter((b) => b.numValues > 0 && !(b.kind === 'fixed' && b.bitsPerValue === 0));
  // All pages all-null: keep one 0-bit block (the leaf becomes all nulls); otherwise widen the all-null pages.
  const values: Block = nonEmpty.length === 0
    ? { kind: 'fixed', bitsPerValue: 0, numValues: rows, bytes: new Uint8Array(0), itemValidity: null }
    : concatBlocks(expandNullBlocks(blocks, nonEmpty[0]!), where);
  return { numRows: rows, numLevels: anyLevels ? numLevels : 0, rep: fillLevels((p) => p.rep), def: fillLevels((p) => p.def), layers, values, dictionary: null };
}

/** Replaces 0-bit all-null blocks by zero-filled blocks of the shape of `like`. */
function expandNullBlocks(blocks: Block[], like: Block): Block[] {
  return blocks.map((b) => {
    if (!(b.kind === 'fixed' && b.bitsPerValue === 0)) return b;
    if (like.kind === 'variable') return { kind: 'variable', numValues: b.numValues, offsets: new Int32Array(b.numValues + 1), bytes: new Uint8Array(0) };
    return { kind: 'fixed', bitsPerValue: like.bitsPerValue, numValues: b.numValues, bytes: new Uint8Array((b.numValues * like.bitsPerValue) >>> 3), itemValidity: null };
  }) as Block[];
}

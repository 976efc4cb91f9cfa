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
import { checkDecodeLimits, CorruptDataError, NotSupportedError } from '@vego/encoding';
import { copyBits } from '../internal/bits';
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

/** Where each chunk of a mini-block page lies in buffer 1 and how many values it holds. */
export interface ChunkTable {
  numChunks: number;
  /** Byte position of chunk c in the chunk buffer (numChunks + 1 entries; the last is the end). */
  bytePositions: Float64Array;
  /** First value of chunk c (numChunks + 1 entries; the last is the page's value count). */
  firstValues: Float64Array;
}

/**
 * Reads the chunk metadata (buffer 0) of a mini-block page, checking every chunk against the size of the
 * chunk buffer (`chunkBufferByteLength`) and the page's value count.
 * @throws CorruptDataError for inconsistent metadata.
 */
export function parseChunkTable(layout: Extract<PageLayout, { kind: 'miniBlock' }>, meta: Uint8Array, chunkBufferByteLength: number, where: string): ChunkTable {
  if (layout.numBuffers < 1 || layout.numBuffers > 16) throw new CorruptDataError(`${where}: mini-block layout says ${layout.numBuffers} buffers per chunk`);
  const metaWidth = layout.hasLargeChunk ? 4 : 2;
  if (meta.length % metaWidth !== 0) throw new CorruptDataError(`${where}: chunk metadata of ${meta.length} bytes is not a multiple of ${metaWidth}`);
  const numChunks = meta.length / metaWidth;
  const totalValues = layout.numItems;
  const bytePositions = new Float64Array(numChunks + 1);
  const firstValues = new Float64Array(numChunks + 1);
  let pos = 0;
  let valuesSoFar = 0;
  for (let c = 0; c < numChunks; c++) {
    const word = metaWidth === 2 ? meta[c * 2]! | (meta[c * 2 + 1]! << 8) : u32(meta, c * 4, where);
    const log = word & 15;
    const bytes = (Math.floor(word / 16) + 1) * 8;
    const n = log > 0 ? 2 ** log : totalValues - valuesSoFar;
    if (n > MAX_CHUNK_VALUES) throw new CorruptDataError(`${where}, chunk ${c}: chunk of ${n} values; Lance chunks hold at most ${MAX_CHUNK_VALUES}`);
    if (n < 0 || valuesSoFar + n > totalValues) throw new CorruptDataError(`${where}, chunk ${c}: chunks hold more than the page's ${totalValues} values`);
    if (pos + bytes > chunkBufferByteLength) throw new CorruptDataError(`${where}, chunk ${c}: chunk of ${bytes} bytes at ${pos} runs past the ${chunkBufferByteLength}-byte chunk buffer`);
    pos += bytes;
    valuesSoFar += n;
    bytePositions[c + 1] = pos;
    firstValues[c + 1] = valuesSoFar;
  }
  if (valuesSoFar !== totalValues) throw new CorruptDataError(`${where}: chunks hold ${valuesSoFar} values, the layout says ${totalValues}`);
  return { numChunks, bytePositions, firstValues };
}

/**
 * Decodes chunks `[c0, c1)` of a mini-block page. `data` holds the chunk buffer from the byte position of
 * chunk `c0` on (the whole buffer when `c0` is 0); `dictionaryBytes` is buffer 2 when the layout has a dictionary.
 * @throws CorruptDataError for inconsistent chunks; NotSupportedError for encodings not read here.
 */
export function decodeMiniBlockChunks(
  layout: Extract<PageLayout, { kind: 'miniBlock' }>,
  table: ChunkTable,
  data: Uint8Array,
  c0: number,
  c1: number,
  dictionaryBytes: Uint8Array | null,
  where: string,
): PageLevels {
  const metaWidth = layout.hasLargeChunk ? 4 : 2;
  const hasRep = layout.rep !== null;
  const hasDef = layout.def !== null;
  const blocks: Block[] = [];
  const reps: Array<Uint16Array | null> = [];
  const defs: Array<Uint16Array | null> = [];
  const levelCounts: number[] = [];
  const base = table.bytePositions[c0]!;
  if (table.bytePositions[c1]! - base > data.length) throw new CorruptDataError(`${where}: chunks ${c0}..${c1} need ${table.bytePositions[c1]! - base} bytes, ${data.length} were read`);
  const sizes: number[] = new Array<number>(layout.numBuffers);
  const valueBufs: Uint8Array[] = new Array<Uint8Array>(layout.numBuffers);
  for (let c = c0; c < c1; c++) {
    const cw = `${where}, chunk ${c}`;
    const n = table.firstValues[c + 1]! - table.firstValues[c]!;
    const chunk = data.subarray(table.bytePositions[c]! - base, table.bytePositions[c + 1]! - base);
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
    for (let b = 0; b < layout.numBuffers; b++) {
      sizes[b] = layout.hasLargeChunk ? u32(chunk, at, cw) : u16(chunk, at, cw);
      at += metaWidth;
    }
    at = pad8(at);
    let repBuf: Uint8Array | null = null;
    let defBuf: Uint8Array | null = null;
    if (hasRep) {
      repBuf = takeChunkBytes(chunk, at, repBytes, cw);
      at = pad8(at + repBytes);
    }
    if (hasDef) {
      defBuf = takeChunkBytes(chunk, at, defBytes, cw);
      at = pad8(at + defBytes);
    }
    for (let b = 0; b < layout.numBuffers; b++) {
      valueBufs[b] = takeChunkBytes(chunk, at, sizes[b]!, cw);
      at = pad8(at + sizes[b]!);
    }
    const levels = hasRep || hasDef ? numLevels : 0;
    if ((hasRep || hasDef) && levels < n) throw new CorruptDataError(`${cw}: ${levels} levels for ${n} values`);
    reps.push(repBuf === null ? null : decodeLevels(layout.rep!, repBuf, levels, `${cw} repetition`));
    defs.push(defBuf === null ? null : decodeLevels(layout.def!, defBuf, levels, `${cw} definition`));
    levelCounts.push(levels);
    blocks.push(decompressMiniBlock(layout.values, valueBufs, n, cw));
  }
  let dictionary: Block | null = null;
  if (layout.dictionary !== null) {
    if (dictionaryBytes === null) throw new CorruptDataError(`${where}: mini-block page has no dictionary buffer`);
    if (layout.numDictionaryItems > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: dictionary of ${layout.numDictionaryItems} items`);
    dictionary = decompressBlock(layout.dictionary, dictionaryBytes, layout.numDictionaryItems, `${where} dictionary`);
  }
  let numLevels = 0;
  for (const l of levelCounts) numLevels += l;
  return {
    numRows: table.firstValues[c1]! - table.firstValues[c0]!,
    numLevels,
    rep: concatLevels(reps, levelCounts),
    def: concatLevels(defs, levelCounts),
    layers: layout.layers,
    values: concatBlocks(blocks, where),
    dictionary,
  };
}

function takeChunkBytes(chunk: Uint8Array, at: number, len: number, where: string): Uint8Array {
  if (at + len > chunk.length) throw new CorruptDataError(`${where}: buffer of ${len} bytes at ${at} runs past the ${chunk.length}-byte chunk`);
  return chunk.subarray(at, at + len);
}

function decodeMiniBlockPage(layout: Extract<PageLayout, { kind: 'miniBlock' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  const need = layout.dictionary !== null ? 3 : 2;
  if (buffers.length < need) throw new CorruptDataError(`${where}: mini-block page has ${buffers.length} buffers, expected at least ${need}`);
  const data = buffers[1]!;
  const table = parseChunkTable(layout, buffers[0]!, data.length, where);
  const p = decodeMiniBlockChunks(layout, table, data, 0, table.numChunks, layout.dictionary !== null ? buffers[2]! : null, where);
  p.numRows = numRows;
  return p;
}

function decodeConstantPage(layout: Extract<PageLayout, { kind: 'constant' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  if (buffers.length > 0) return decodeConstantPageWithLevels(layout, buffers, numRows, where);
  if (layout.numRepValues > 0 || layout.numDefValues > 0) {
    throw new CorruptDataError(`${where}: constant page says it has ${layout.numRepValues} repetition and ${layout.numDefValues} definition levels but has no buffers`);
  }
  if (numRows > 1 << 25) throw new CorruptDataError(`${where}: constant page of ${numRows} rows; more than the ${1 << 25}-row limit`);
  // A constant is a few bytes claiming numRows rows: bound the expansion (levels are 2 bytes a row).
  checkDecodeLimits(`${where}: constant page of ${numRows} rows`, numRows, layout.inlineValue === null ? 2 : layout.inlineValue.length);
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
  return { numRows, numLevels: 0, rep: null, def: null, layers, values: repeatFixed(v, numRows), dictionary: null };
}

/** `n` copies of the variable-width value `v` (callers bound `n * v.length`). */
function repeatVariable(v: Uint8Array, n: number): Block {
  const w = v.length;
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(w * n);
  for (let i = 0; i < n; i++) {
    bytes.set(v, i * w);
    offsets[i + 1] = (i + 1) * w;
  }
  return { kind: 'variable', numValues: n, offsets, bytes };
}

function repeatFixed(v: Uint8Array, n: number): Block {
  const out = new Uint8Array(n * v.length);
  for (let i = 0; i < n; i++) out.set(v, i * v.length);
  return { kind: 'fixed', bitsPerValue: v.length * 8, numValues: n, bytes: out, itemValidity: null };
}

/** Raw u16 levels (no compression given) or levels decoded by their compression; null for an empty buffer. */
function constantLevels(c: Compressive | null, bytes: Uint8Array, count: number, where: string): Uint16Array | null {
  if (bytes.length === 0) return null;
  if (c !== null) {
    if (count > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${count} levels`);
    return decodeLevels(c, bytes, count, where);
  }
  if (bytes.length % 2 !== 0) throw new CorruptDataError(`${where}: ${bytes.length} bytes of raw 16-bit levels`);
  const out = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/**
 * A constant page with levels (LanceDB 0.39, 2.2): every visible value is the same (or none is), and the
 * nulls, empty lists and list boundaries are in repetition/definition buffers, raw u16 unless the layout
 * names their compression. Buffers: `[rep, def]`, or `[value, rep, def]` when the value is not inline
 * (variable-width): then the value buffer is `u32 buffer count (2)`, and per buffer `u32 byte length` and the
 * bytes: a u64 holding the value's byte length, then the value's bytes. **(found)** Example: a struct child
 * `b` of `['x', (struct null), null]` is `02000000 08000000 0100000000000000 01000000 78`, no rep levels,
 * def levels `0 2 1`.
 */
function decodeConstantPageWithLevels(layout: Extract<PageLayout, { kind: 'constant' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  const layers = layout.layers;
  let value: Block | null = null;
  let rest = buffers;
  if (buffers.length === 3 || buffers.length === 1) {
    if (layout.inlineValue !== null) throw new CorruptDataError(`${where}: constant page has both an inline value and a value buffer`);
    const b = buffers[0]!;
    if (b.length < 4 || u32(b, 0, where) !== 2) throw new NotSupportedError(`${where}: constant value buffer of ${b.length} bytes is not a 2-buffer variable-width value`);
    const lenA = u32(b, 4, where);
    if (lenA !== 8 || b.length < 8 + lenA + 4) throw new CorruptDataError(`${where}: constant value buffer: first part of ${lenA} bytes, expected 8`);
    const size = u32(b, 8, where);
    if (u32(b, 12, where) !== 0) throw new CorruptDataError(`${where}: constant value longer than 2^32 bytes`);
    const lenB = u32(b, 16, where);
    if (lenB !== size || 20 + lenB !== b.length) throw new CorruptDataError(`${where}: constant value of ${size} bytes in a ${lenB}-byte part of a ${b.length}-byte buffer`);
    value = { kind: 'variable', numValues: 1, offsets: Int32Array.of(0, size), bytes: b.subarray(20, 20 + size) };
    rest = buffers.slice(1);
  } else if (buffers.length !== 2) {
    throw new NotSupportedError(`${where}: constant page with ${buffers.length} buffers is not supported by this reader`);
  }
  if (rest.length === 0) {
    // **(found)** Only the value buffer (LanceDB 0.39, 2.2: a variable-width constant without nulls, such as a
    // one-row append of a string to a nullable column): every row is the value, no levels.
    if (layers.some((l) => l !== RepDefLayer.AllValidItem)) throw new NotSupportedError(`${where}: constant value page without levels and layers [${layers.join(', ')}] is not supported by this reader`);
    if (layout.numRepValues > 0 || layout.numDefValues > 0) throw new CorruptDataError(`${where}: constant page says it has levels but has only a value buffer`);
    if (numRows > 1 << 25) throw new CorruptDataError(`${where}: constant page of ${numRows} rows; more than the ${1 << 25}-row limit`);
    const v = value!;
    const w = v.kind === 'variable' ? v.offsets[1]! : 0;
    checkDecodeLimits(`${where}: constant page of ${numRows} rows`, numRows, w + 4);
    return { numRows, numLevels: 0, rep: null, def: null, layers, values: repeatVariable(v.kind === 'variable' ? v.bytes : new Uint8Array(0), numRows), dictionary: null };
  }
  const rep = constantLevels(layout.rep, rest[0]!, layout.numRepValues, `${where} repetition`);
  const def = constantLevels(layout.def, rest[1]!, layout.numDefValues, `${where} definition`);
  const numLevels = rep !== null ? rep.length : def !== null ? def.length : 0;
  if (rep !== null && def !== null && rep.length !== def.length) throw new CorruptDataError(`${where}: ${rep.length} repetition but ${def.length} definition levels`);
  if (numLevels === 0 && numRows > 0) throw new CorruptDataError(`${where}: constant page of ${numRows} rows has level buffers but no levels`);
  if (numLevels > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${numLevels} levels`);
  // Value slots: every level but null or empty lists (definition codes from the innermost list's first code on).
  let next = 1;
  let listCode = Infinity;
  for (const l of layers) {
    const isList = l === RepDefLayer.AllValidList || l === RepDefLayer.NullableList || l === RepDefLayer.EmptyableList || l === RepDefLayer.NullAndEmptyList;
    if (isList && listCode === Infinity) listCode = next;
    if (l === RepDefLayer.NullableItem || l === RepDefLayer.NullableList || l === RepDefLayer.EmptyableList) next++;
    else if (l === RepDefLayer.NullAndEmptyList) next += 2;
  }
  let slots = numLevels;
  if (def !== null && listCode !== Infinity) {
    slots = 0;
    for (let i = 0; i < numLevels; i++) if (def[i]! < listCode) slots++;
  }
  let values: Block;
  if (value !== null) {
    const w = value.kind === 'variable' ? value.offsets[1]! : 0;
    if (w * slots > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: constant page expands to ${w * slots} bytes`);
    values = repeatVariable(value.kind === 'variable' ? value.bytes : new Uint8Array(0), slots);
  } else if (layout.inlineValue !== null) {
    const v = layout.inlineValue;
    if (v.length === 0 || v.length > 32) throw new CorruptDataError(`${where}: constant inline value of ${v.length} bytes, expected 1..32`);
    values = repeatFixed(v, slots);
  } else {
    values = { kind: 'fixed', bitsPerValue: 0, numValues: slots, bytes: new Uint8Array(0), itemValidity: null };
  }
  return { numRows, numLevels, rep, def, layers, values, dictionary: null };
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
 * Cuts rows `[begin, end)` out of decoded levels of a page without repetition levels (one level and one
 * value per row). Views where the bytes allow, copies for bit-packed values and variable-width offsets.
 * @throws CorruptDataError when the levels and values disagree with the row count.
 */
export function sliceRows(p: PageLevels, begin: number, end: number, where: string): PageLevels {
  if (begin === 0 && end === p.numRows) return p;
  if (p.rep !== null) throw new CorruptDataError(`${where}: cannot cut rows out of a page with repetition levels`);
  if (end > p.numRows || begin > end || p.values.numValues !== p.numRows || (p.def !== null && p.numLevels !== p.numRows)) {
    throw new CorruptDataError(`${where}: page of ${p.numRows} rows holds ${p.values.numValues} values and ${p.numLevels} levels, rows ${begin}..${end} wanted`);
  }
  const def = p.def === null ? null : p.def.subarray(begin, end);
  return { numRows: end - begin, numLevels: def === null ? 0 : end - begin, rep: null, def, layers: p.layers, values: sliceBlock(p.values, begin, end, where), dictionary: p.dictionary };
}

/** Cuts values `[begin, end)` out of a block: views where the bytes allow, copies for bits and offsets. */
function sliceBlock(v: Block, begin: number, end: number, where: string): Block {
  const n = end - begin;
  let values: Block;
  if (v.kind === 'variable') {
    const offsets = new Int32Array(n + 1);
    const src = v.offsets;
    const base = src[begin]!;
    for (let i = 1; i <= n; i++) offsets[i] = src[begin + i]! - base;
    values = { kind: 'variable', numValues: n, offsets, bytes: v.bytes.subarray(base, src[end]!) };
  } else {
    const bits = v.bitsPerValue;
    let bytes: Uint8Array;
    if (bits === 0) bytes = v.bytes;
    else if (bits === 1) bytes = copyBits(v.bytes, begin, n);
    else if (bits % 8 === 0) bytes = v.bytes.subarray((begin * bits) >>> 3, (end * bits) >>> 3);
    else throw new CorruptDataError(`${where}: ${bits}-bit values cannot be cut by row`);
    if (v.itemValidity !== null) {
      const d = v.itemsPerValue ?? 1;
      values = { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes, itemValidity: copyBits(v.itemValidity, begin * d, n * d), itemsPerValue: d };
    } else values = { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes, itemValidity: null };
  }
  return values;
}

/**
 * Cuts `count` rows out of decoded mini-block chunks of a page with repetition levels, skipping first the
 * levels that continue a row begun in an earlier chunk (the "preamble": levels before the first row start),
 * then `skip` whole rows. A level carries a value unless it is a null or empty list (definition code at or
 * above the innermost list layer's first code). Levels are views; values as {@link sliceBlock}.
 * @throws CorruptDataError when the levels hold fewer rows than asked for or disagree with the values.
 */
export function sliceListRows(p: PageLevels, skip: number, count: number, where: string): PageLevels {
  const rep = p.rep;
  if (rep === null) throw new CorruptDataError(`${where}: list page without repetition levels`);
  const layers = p.layers;
  let lists = 0;
  let next = 1;
  let valueLimit = Infinity;
  for (let j = 0; j < layers.length; j++) {
    const l = layers[j]!;
    const isList = l === RepDefLayer.AllValidList || l === RepDefLayer.NullableList || l === RepDefLayer.EmptyableList || l === RepDefLayer.NullAndEmptyList;
    if (isList && lists === 0) valueLimit = next;
    if (isList) lists++;
    if (l === RepDefLayer.NullableItem || l === RepDefLayer.NullableList || l === RepDefLayer.EmptyableList) next++;
    else if (l === RepDefLayer.NullAndEmptyList) next += 2;
  }
  if (lists === 0) throw new CorruptDataError(`${where}: repetition levels without list layers`);
  const M = p.numLevels;
  const def = p.def;
  // Find the level where row `skip` starts (l0) and where row `skip + count` starts (l1, or the end).
  let rows = -1;
  let l0 = -1;
  let l1 = M;
  for (let i = 0; i < M; i++) {
    if (rep[i] !== lists) continue;
    rows++;
    if (rows === skip) l0 = i;
    if (rows === skip + count) {
      l1 = i;
      break;
    }
  }
  if (count === 0) {
    if (l0 < 0) l0 = l1 = M;
    else l1 = l0;
  }
  if (l0 < 0 || (l1 === M && rows + 1 < skip + count)) throw new CorruptDataError(`${where}: chunks hold ${rows + 1} row starts, rows ${skip}..${skip + count} wanted`);
  let v0 = 0;
  let v1 = 0;
  if (def === null) {
    v0 = l0;
    v1 = l1;
  } else {
    for (let i = 0; i < l1; i++) {
      if (def[i]! < valueLimit) {
        if (i < l0) v0++;
        v1++;
      }
    }
  }
  if (v1 > p.values.numValues) throw new CorruptDataError(`${where}: levels need ${v1} values, the chunks hold ${p.values.numValues}`);
  return {
    numRows: count,
    numLevels: l1 - l0,
    rep: rep.subarray(l0, l1),
    def: def === null ? null : def.subarray(l0, l1),
    layers,
    values: sliceBlock(p.values, v0, v1, where),
    dictionary: p.dictionary,
  };
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
    // An all-null page claims rows without bytes; widened to a wide type (e.g. 4096-float vectors) it must stay bounded.
    checkDecodeLimits(`all-null page of ${b.numValues} values of ${like.bitsPerValue} bits`, b.numValues, like.bitsPerValue / 8);
    return { kind: 'fixed', bitsPerValue: like.bitsPerValue, numValues: b.numValues, bytes: new Uint8Array((b.numValues * like.bitsPerValue) >>> 3), itemValidity: null };
  }) as Block[];
}

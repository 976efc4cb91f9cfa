/**
 * The mini-block page layout of Lance 2.1/2.2: values cut into small chunks (at most 32 KiB), each with its
 * own repetition/definition levels, so a read fetches only the chunks that hold its rows.
 *
 * Page buffers: 0 = chunk metadata, 1 = chunks, 2 = dictionary (when the layout has one), then the
 * repetition index. Metadata per chunk is a u16 (u32 when `has_large_chunk`, Lance 2.2):
 * low 4 bits = log2 of the chunk's values (0 for the last chunk, whose count is what is left of
 * `num_items`), the rest = chunk size in 8-byte words minus one. A chunk is
 * `u16 num_levels, [u16 rep bytes], [u16 def bytes], u16|u32 size of each value buffer`, zero to seven
 * bytes of padding to a multiple of 8, then rep, def and each value buffer, each padded to 8 bytes.
 * Example (2.1, 3000 int32 ids 0…2999): metadata `1A 0A 1A 0B 10 0C` = chunks of 162, 178 and 194 words with
 * 1024, 1024 and 952 values; chunk 0 starts `00 00 04 05 FE FE FE FE 0A 00 00 00 …` (no levels, one
 * 1284-byte buffer, padding, bit width 10, packed values).
 *
 * The repetition index (depth 1) holds per chunk two u64: the rows that end in the chunk and the items
 * left over after the last row end, from which the first row starting in each chunk follows.
 */
import { CorruptDataError } from '@vego/encoding';
import { decompressBlock, decompressMiniBlock, LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import type { Page21 } from '../column-metadata';
import type { Io, Ranges } from '../internal/io';
import type { PageLevels } from './levels';
import { concatLevels, decodeLevels } from './levels';
import { concatBlocks, sliceListRows, sliceRows } from './page-rows';
import { chunkTables, parseChunkTable, u32 } from './chunk-table';
import type { ChunkTable } from './chunk-table';
import { flatValueBytes, readFlatChunks, uninitializedBytes } from './flat-chunks';

import type { MiniBlockLayout } from './chunk-table';

function pad8(n: number): number {
  return (n + 7) & ~7;
}

function u16(b: Uint8Array, at: number, where: string): number {
  if (at + 2 > b.length) throw new CorruptDataError(`${where}: chunk header runs past the chunk (${b.length} bytes)`);
  return b[at]! | (b[at + 1]! << 8);
}


/**
 * Decodes chunks `[c0, c1)` of a mini-block page. `data` holds the chunk buffer from the byte position of
 * chunk `c0` on (the whole buffer when `c0` is 0); `dictionaryBytes` is buffer 2 when the layout has a dictionary.
 * @throws CorruptDataError for inconsistent chunks; NotSupportedError for encodings not read here.
 */
export function decodeMiniBlockChunks(
  layout: MiniBlockLayout,
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
  const v = layout.values;
  if (!hasRep && !hasDef && layout.dictionary === null && layout.numBuffers === 1 && v.kind === 'flat' && v.compression === 'none' && (v.bitsPerValue & 7) === 0 && v.bitsPerValue > 0 && c1 - c0 > 1) {
    return decodeFlatChunks(layout, table, data, c0, c1, v.bitsPerValue >>> 3, where);
  }
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

/**
 * {@link decodeMiniBlockChunks} of the commonest page: fixed-width values of whole bytes, uncompressed, no
 * levels and no dictionary (e.g. non-null floats). Each chunk's values are copied straight into one buffer
 * for the column, without a decoded block per chunk and a second copy to join them. The same checks as the
 * general path: the chunk's header and its value buffer lie inside the chunk and hold the chunk's values.
 */
function decodeFlatChunks(layout: MiniBlockLayout, table: ChunkTable, data: Uint8Array, c0: number, c1: number, w: number, where: string): PageLevels {
  const base = table.bytePositions[c0]!;
  if (table.bytePositions[c1]! - base > data.length) throw new CorruptDataError(`${where}: chunks ${c0}..${c1} need ${table.bytePositions[c1]! - base} bytes, ${data.length} were read`);
  const numValues = table.firstValues[c1]! - table.firstValues[c0]!;
  if (numValues * w > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: column decodes to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
  // Every byte of `out` is written below, so it need not be zeroed first.
  const out = uninitializedBytes(numValues * w);
  const large = layout.hasLargeChunk;
  const headerBytes = pad8(2 + (large ? 4 : 2));
  let pos = 0;
  for (let c = c0; c < c1; c++) {
    const from = table.bytePositions[c]! - base;
    const to = table.bytePositions[c + 1]! - base;
    const need = (table.firstValues[c + 1]! - table.firstValues[c]!) * w;
    if (to - from < headerBytes) throw new CorruptDataError(`${where}, chunk ${c}: chunk of ${to - from} bytes has no room for its header`);
    const size = large ? u32(data, from + 2, where) : u16(data, from + 2, where);
    if (headerBytes + size > to - from) throw new CorruptDataError(`${where}, chunk ${c}: buffer of ${size} bytes at ${headerBytes} runs past the ${to - from}-byte chunk`);
    if (size < need) throw new CorruptDataError(`${where}, chunk ${c}: flat buffer holds ${size} bytes, expected ${need} for ${need / w} values of ${w * 8} bits`);
    out.set(data.subarray(from + headerBytes, from + headerBytes + need), pos);
    pos += need;
  }
  return { numRows: numValues, numLevels: 0, rep: null, def: null, layers: layout.layers, values: { kind: 'fixed', bitsPerValue: w * 8, numValues, bytes: out, itemValidity: null }, dictionary: null };
}

function takeChunkBytes(chunk: Uint8Array, at: number, len: number, where: string): Uint8Array {
  if (at + len > chunk.length) throw new CorruptDataError(`${where}: buffer of ${len} bytes at ${at} runs past the ${chunk.length}-byte chunk`);
  return chunk.subarray(at, at + len);
}

/**
 * Decodes a whole mini-block page.
 * @throws CorruptDataError for inconsistent pages; NotSupportedError for encodings not read here.
 */
export function decodeMiniBlockPage(layout: MiniBlockLayout, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  const need = layout.dictionary !== null ? 3 : 2;
  if (buffers.length < need) throw new CorruptDataError(`${where}: mini-block page has ${buffers.length} buffers, expected at least ${need}`);
  const data = buffers[1]!;
  const table = parseChunkTable(layout, buffers[0]!, data.length, where);
  const p = decodeMiniBlockChunks(layout, table, data, 0, table.numChunks, layout.dictionary !== null ? buffers[2]! : null, where);
  p.numRows = numRows;
  return p;
}

/**
 * Reads page-relative rows `[x, y)` of a mini-block page without repetition levels (one level and one value
 * per row): chunk metadata and dictionary first, then only the chunks holding the rows.
 * @throws CorruptDataError for inconsistent pages.
 */
export function* readMiniBlockRows(p: Page21, l: MiniBlockLayout, x: number, y: number, where: string): Io<PageLevels> {
  const dictRange: Ranges = l.dictionary !== null ? [[p.bufferOffsets[2]!, p.bufferSizes[2]!]] : [];
  let table = chunkTables.get(p);
  let dict: Uint8Array | undefined;
  if (table === undefined) {
    const [meta, d] = yield [[p.bufferOffsets[0]!, p.bufferSizes[0]!], ...dictRange];
    table = parseChunkTable(l, meta!, p.bufferSizes[1]!, where);
    if (table.firstValues[table.numChunks] !== p.length) throw new CorruptDataError(`${where}: chunks hold ${table.firstValues[table.numChunks]} values for ${p.length} rows`);
    chunkTables.set(p, table);
    dict = d;
  } else if (dictRange.length > 0) {
    [dict] = yield dictRange;
  }
  // Chunks [c0, c1) hold rows [x, y): c0 is the last chunk starting at or before x, c1 the first
  // from c0 on starting at or after y.
  const fv = table.firstValues;
  const c0 = lastAtOrBefore(fv, 0, table.numChunks - 1, x);
  let c1 = firstAtOrAfter(fv, c0, table.numChunks, y);
  if (c1 === c0 && c1 < table.numChunks) c1++;
  const first = fv[c0]!;
  const w = flatValueBytes(l);
  // Plain fixed-width values: read the chunks' values straight into one buffer (no chunk bytes kept).
  if (w > 0) return sliceRows(yield* readFlatChunks(p, l, table, c0, c1, w, where), x - first, y - first, where);
  const from = table.bytePositions[c0]!;
  const [data] = yield [[p.bufferOffsets[1]! + from, table.bytePositions[c1]! - from]];
  const levels = decodeMiniBlockChunks(l, table, data!, c0, c1, dict ?? null, where);
  return sliceRows(levels, x - first, y - first, where);
}

/** Chunk and row tables of the list pages read so far, parsed once per page (as {@link chunkTables}). */
const listTables = new WeakMap<Page21, { table: ChunkTable; rows: RowTable }>();

/** Largest index i in [lo, hi] with `sorted[i] <= value`, or `lo` when there is none (`sorted` non-decreasing). */
function lastAtOrBefore(sorted: Float64Array, lo: number, hi: number, value: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b + 1) >>> 1;
    if (sorted[mid]! <= value) a = mid;
    else b = mid - 1;
  }
  return a;
}

/** Smallest index i in [lo, hi] with `sorted[i] >= value`, or `hi` when there is none (`sorted` non-decreasing). */
function firstAtOrAfter(sorted: Float64Array, lo: number, hi: number, value: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (sorted[mid]! >= value) b = mid;
    else a = mid + 1;
  }
  return a;
}

/** Where each chunk's rows start, from a depth-1 repetition index (u64 pairs per chunk: rows ended, leftover items). */
interface RowTable {
  /** First row starting in chunk c (numChunks + 1 entries; the last is the page's rows). */
  firstRows: Float64Array;
  /** Whether chunk c ends inside a row that continues in chunk c + 1. */
  trailers: Uint8Array;
}

function parseRepetitionIndex(bytes: Uint8Array, numChunks: number, numRows: number, where: string): RowTable {
  if (bytes.length < numChunks * 16) throw new CorruptDataError(`${where}: repetition index of ${bytes.length} bytes, expected ${numChunks * 16} for ${numChunks} chunks`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const firstRows = new Float64Array(numChunks + 1);
  const trailers = new Uint8Array(numChunks);
  let preamble = 0;
  let row = 0;
  for (let c = 0; c < numChunks; c++) {
    if (dv.getUint32(c * 16 + 4, true) !== 0 || dv.getUint32(c * 16 + 12, true) !== 0) throw new CorruptDataError(`${where}, chunk ${c}: repetition index entry beyond 2^32`);
    const ended = dv.getUint32(c * 16, true);
    const trailer = dv.getUint32(c * 16 + 8, true) > 0 ? 1 : 0;
    // Rows starting here: the rows ended here, plus the unfinished last one, minus the one carried in.
    const starts = ended + trailer - preamble;
    if (starts < 0) throw new CorruptDataError(`${where}, chunk ${c}: repetition index says ${ended} rows end in a chunk that continues the previous row`);
    trailers[c] = trailer;
    preamble = trailer;
    row += starts;
    firstRows[c + 1] = row;
  }
  if (row !== numRows || preamble !== 0) throw new CorruptDataError(`${where}: repetition index covers ${row} rows${preamble ? ' and ends inside a row' : ''}, the page has ${numRows}`);
  return { firstRows, trailers };
}

/**
 * Reads page-relative rows [x, y) of a mini-block page with repetition levels: chunk metadata, dictionary and
 * repetition index first, then only the chunks from the one where row x starts to the one where row y - 1 ends.
 */
export function* readMiniBlockListRows(p: Page21, l: MiniBlockLayout, x: number, y: number, where: string): Io<PageLevels> {
  const hasDict = l.dictionary !== null;
  const ri = hasDict ? 3 : 2;
  const extra: Ranges = hasDict ? [[p.bufferOffsets[2]!, p.bufferSizes[2]!]] : [];
  let tables = listTables.get(p);
  let dict: Uint8Array | undefined;
  if (tables === undefined) {
    const got = yield [[p.bufferOffsets[0]!, p.bufferSizes[0]!], [p.bufferOffsets[ri]!, p.bufferSizes[ri]!], ...extra];
    const chunks = parseChunkTable(l, got[0]!, p.bufferSizes[1]!, where);
    tables = { table: chunks, rows: parseRepetitionIndex(got[1]!, chunks.numChunks, p.length, where) };
    listTables.set(p, tables);
    dict = got[2];
  } else if (hasDict) {
    [dict] = yield extra;
  }
  const { table, rows } = tables;
  const n = table.numChunks;
  if (n === 0) throw new CorruptDataError(`${where}: list page of ${p.length} rows has no chunks`);
  const fr = rows.firstRows;
  // Chunk where row x starts (the last chunk for an empty range at the end).
  let c0 = 0;
  while (c0 < n - 1 && fr[c0 + 1]! <= x) c0++;
  let c1 = c0 + 1;
  if (y > x) {
    // Chunk where row y - 1 starts, then on through the chunks its levels continue into.
    let cl = c0;
    while (cl < n - 1 && fr[cl + 1]! <= y - 1) cl++;
    c1 = cl + 1;
    while (c1 < n && rows.trailers[c1 - 1] === 1 && fr[c1] === y) c1++;
  }
  const from = table.bytePositions[c0]!;
  const [data] = yield [[p.bufferOffsets[1]! + from, table.bytePositions[c1]! - from]];
  const levels = decodeMiniBlockChunks(l, table, data!, c0, c1, hasDict ? dict! : null, where);
  return sliceListRows(levels, x - fr[c0]!, y - x, where);
}


/**
 * Mini-block pages of plain fixed-width values (whole bytes, uncompressed, no levels, no dictionary: e.g.
 * non-null floats) read into the column's own buffer: the chunk bytes are read straight into the buffer
 * that becomes the column (a scatter range with one target, so the source fills the caller's memory
 * instead of a buffer of its own), then each chunk's header is checked as `decodeMiniBlockChunks` checks
 * it and its values are moved to the front, next to the previous chunk's. That costs one `memmove` of the
 * column within memory just written, instead of a second buffer (fresh pages to fault in) and a copy.
 * Sources without scatter reads get the range read and copied once (see ../internal/io).
 *
 * A chunk here is `u16 num_levels, u16|u32 value bytes` padded to 8 bytes, then the values: with the
 * header at [0, 8) and `n` values of `w` bytes at [8, 8 + n·w). Chunks of 1024 float64s (8200 bytes
 * each) read into `out` leave chunk c's values at `out[8200c + 8…]`; they move to `out[8192c…]`.
 */
import { CorruptDataError } from '@vego/encoding';
import { LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from '@vego/encoding';
import type { Column21, Page21 } from '../column-metadata';
import type { Io, Ranges, ScatterRange } from '../internal/io';
import type { Shredded } from './assemble';
import { shred } from './assemble';
import { chunkTables, parseChunkTable, u32 } from './chunk-table';
import type { ChunkTable, MiniBlockLayout } from './chunk-table';
import type { PageLevels } from './levels';

/** Header bytes of a flat chunk: u16 level count and one u16 (u32 with large chunks) buffer size, padded to 8. */
const HEADER_BYTES = 8;

/**
 * Bytes per value when a mini-block page holds plain fixed-width values of whole bytes (uncompressed,
 * one value buffer, no repetition or definition levels, no dictionary); otherwise 0.
 */
export function flatValueBytes(l: MiniBlockLayout): number {
  const v = l.values;
  if (l.rep !== null || l.def !== null || l.dictionary !== null || l.numBuffers !== 1) return 0;
  if (v.kind !== 'flat' || v.compression !== 'none' || v.bitsPerValue <= 0 || (v.bitsPerValue & 7) !== 0) return 0;
  return v.bitsPerValue >>> 3;
}

/** Node's `Buffer`, where there is one (not in browsers). */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer;

/**
 * A new array of `n` bytes whose contents are not zeroed (Node: `Buffer.allocUnsafeSlow`, whose memory the
 * allocator may reuse warm instead of mapping fresh zero pages; elsewhere a plain zeroed array). The caller
 * must write every byte before anyone reads it.
 */
export function uninitializedBytes(n: number): Uint8Array {
  if (NodeBuffer === undefined || n < 4096) return new Uint8Array(n);
  const b = NodeBuffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/**
 * The byte range of chunks `[c0, c1)` of page `p` in the file, read into `out` from byte `at` on (a view of
 * `out` as the one target of a scatter range).
 * @throws CorruptDataError when a chunk cannot hold its header and values.
 */
function chunkRange(p: Page21, table: ChunkTable, c0: number, c1: number, w: number, out: Uint8Array, at: number, where: string): ScatterRange {
  const bp = table.bytePositions;
  const fv = table.firstValues;
  for (let c = c0; c < c1; c++) {
    const len = bp[c + 1]! - bp[c]!;
    const need = (fv[c + 1]! - fv[c]!) * w;
    if (len < HEADER_BYTES + need) throw new CorruptDataError(`${where}, chunk ${c}: chunk of ${len} bytes cannot hold its header and ${need / w} values of ${w * 8} bits`);
  }
  const from = bp[c0]!;
  const n = bp[c1]! - from;
  return [p.bufferOffsets[1]! + from, n, [out.subarray(at, at + n)]];
}

/**
 * Checks the chunks `[c0, c1)` that were read into `out` from byte `at` on, as the general decoder does
 * (each chunk's value buffer lies inside the chunk and holds the chunk's values), and moves their values
 * together to `out[to…]` (`to <= at`), chunk after chunk: each chunk's header is read before its values
 * move over it, and values only ever move towards the front, never over a chunk not yet read.
 * @returns the byte after the last value moved.
 * @throws CorruptDataError otherwise.
 */
function compactFlatChunks(l: MiniBlockLayout, table: ChunkTable, c0: number, c1: number, w: number, out: Uint8Array, at: number, to: number, where: string): number {
  const bp = table.bytePositions;
  const fv = table.firstValues;
  const large = l.hasLargeChunk;
  const base = bp[c0]!;
  let dst = to;
  for (let c = c0; c < c1; c++) {
    const src = at + bp[c]! - base;
    const len = bp[c + 1]! - bp[c]!;
    const need = (fv[c + 1]! - fv[c]!) * w;
    const size = large ? u32(out, src + 2, where) : out[src + 2]! | (out[src + 3]! << 8);
    if (HEADER_BYTES + size > len) throw new CorruptDataError(`${where}, chunk ${c}: buffer of ${size} bytes at ${HEADER_BYTES} runs past the ${len}-byte chunk`);
    if (size < need) throw new CorruptDataError(`${where}, chunk ${c}: flat buffer holds ${size} bytes, expected ${need} for ${need / w} values of ${w * 8} bits`);
    out.copyWithin(dst, src + HEADER_BYTES, src + HEADER_BYTES + need);
    dst += need;
  }
  return dst;
}

/** Levels of `numValues` plain values in `bytes` (no levels, no dictionary). */
function flatLevels(l: MiniBlockLayout, w: number, numValues: number, bytes: Uint8Array): PageLevels {
  return { numRows: numValues, numLevels: 0, rep: null, def: null, layers: l.layers, values: { kind: 'fixed', bitsPerValue: w * 8, numValues, bytes, itemValidity: null }, dictionary: null };
}

function checkBytes(numValues: number, w: number, where: string): void {
  if (numValues * w > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: column decodes to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
}

/**
 * Reads chunks `[c0, c1)` of a flat mini-block page (see {@link flatValueBytes}) into one new buffer of their
 * values, by scatter.
 * @throws CorruptDataError for damaged chunks.
 */
export function* readFlatChunks(p: Page21, l: MiniBlockLayout, table: ChunkTable, c0: number, c1: number, w: number, where: string): Io<PageLevels> {
  const numValues = table.firstValues[c1]! - table.firstValues[c0]!;
  checkBytes(numValues, w, where);
  const out = uninitializedBytes(table.bytePositions[c1]! - table.bytePositions[c0]!);
  yield [chunkRange(p, table, c0, c1, w, out, 0, where)];
  const end = compactFlatChunks(l, table, c0, c1, w, out, 0, 0, where);
  return flatLevels(l, w, numValues, out.subarray(0, end));
}

/**
 * Bytes per value when every page of a 2.1/2.2 column is a flat mini-block page ({@link flatValueBytes}) of
 * the same value width and layers, so the whole column can be read by {@link readFlatColumn}; otherwise 0.
 */
export function flatColumnValueBytes(col: Column21): number {
  const first = col.pages[0];
  if (first === undefined || first.layout.kind !== 'miniBlock') return 0;
  const w = flatValueBytes(first.layout);
  const layers = first.layout.layers;
  for (const p of col.pages) {
    const l = p.layout;
    if (l.kind !== 'miniBlock' || flatValueBytes(l) !== w || p.bufferOffsets.length < 2 || l.layers.length !== layers.length) return 0;
    for (let i = 0; i < layers.length; i++) if (l.layers[i] !== layers[i]) return 0;
  }
  return w;
}

/**
 * Reads a whole column of flat mini-block pages ({@link flatColumnValueBytes} > 0) into one buffer: the chunk
 * tables not yet known in one round, then every page's chunks in one round of scatter reads straight into
 * the column's buffer (no per-page buffers, no copy to join the pages).
 * @throws CorruptDataError for damaged pages or a row count other than `numRows`.
 */
export function* readFlatColumn(col: Column21, numRows: number, columnIndex: number): Io<Shredded> {
  const where = `column ${columnIndex}`;
  const pages = col.pages;
  const w = flatColumnValueBytes(col);
  if (w === 0) throw new CorruptDataError(`${where}: not a column of flat mini-block pages`);
  const missing: Ranges = [];
  const missingPages: number[] = [];
  for (let i = 0; i < pages.length; i++) {
    if (chunkTables.has(pages[i]!)) continue;
    missing.push([pages[i]!.bufferOffsets[0]!, pages[i]!.bufferSizes[0]!]);
    missingPages.push(i);
  }
  if (missing.length > 0) {
    const metas = yield missing;
    for (let k = 0; k < missingPages.length; k++) {
      const i = missingPages[k]!;
      const p = pages[i]!;
      const pw = `${where}, page ${i}`;
      const table = parseChunkTable(p.layout as MiniBlockLayout, metas[k]!, p.bufferSizes[1]!, pw);
      if (table.firstValues[table.numChunks] !== p.length) throw new CorruptDataError(`${pw}: chunks hold ${table.firstValues[table.numChunks]} values for ${p.length} rows`);
      chunkTables.set(p, table);
    }
  }
  let total = 0;
  for (const p of pages) total += p.length;
  if (total !== numRows) throw new CorruptDataError(`${where}: pages hold ${total} rows, expected ${numRows}`);
  checkBytes(total, w, where);
  let bytes = 0;
  for (const p of pages) bytes += chunkTables.get(p)!.bytePositions[chunkTables.get(p)!.numChunks]!;
  // One buffer holds every page's chunks as read; their values are then moved together at its front.
  const out = uninitializedBytes(bytes);
  const ranges: Ranges = [];
  let at = 0;
  for (let i = 0; i < pages.length; i++) {
    const table = chunkTables.get(pages[i]!)!;
    ranges.push(chunkRange(pages[i]!, table, 0, table.numChunks, w, out, at, `${where}, page ${i}`));
    at += table.bytePositions[table.numChunks]!;
  }
  yield ranges;
  at = 0;
  let end = 0;
  for (let i = 0; i < pages.length; i++) {
    const table = chunkTables.get(pages[i]!)!;
    end = compactFlatChunks(pages[i]!.layout as MiniBlockLayout, table, 0, table.numChunks, w, out, at, end, `${where}, page ${i}`);
    at += table.bytePositions[table.numChunks]!;
  }
  return shred(flatLevels(pages[0]!.layout as MiniBlockLayout, w, total, out.subarray(0, end)), where);
}

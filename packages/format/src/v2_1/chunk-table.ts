/**
 * The chunk table of a Lance 2.1/2.2 mini-block page (buffer 0, see `mini-block.ts`): where each chunk lies in
 * the chunk buffer and how many values it holds, parsed once per page and kept while the page's metadata lives.
 */
import { CorruptDataError } from '@vego/encoding';
import { LANCE_MAX_CHUNK_VALUES as MAX_CHUNK_VALUES } from '@vego/encoding';
import type { Page21 } from '../column-metadata';
import type { PageLayout } from './layout';

/** The layout of a mini-block page. */
export type MiniBlockLayout = Extract<PageLayout, { kind: 'miniBlock' }>;

/** A little-endian u32 at `at` of `b`. @throws CorruptDataError when it runs past `b`. */
export function u32(b: Uint8Array, at: number, where: string): number {
  if (at + 4 > b.length) throw new CorruptDataError(`${where}: header runs past its buffer (${b.length} bytes)`);
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
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
export function parseChunkTable(layout: MiniBlockLayout, meta: Uint8Array, chunkBufferByteLength: number, where: string): ChunkTable {
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
 * Chunk tables of the pages read so far, parsed once per page: a take reads a few rows in many
 * places of one page, and parsing its whole table (thousands of chunks) for each of them was most
 * of a 2.2 take's time. Keyed by the page's metadata object, which lives as long as its file's reader.
 */
export const chunkTables = new WeakMap<Page21, ChunkTable>();


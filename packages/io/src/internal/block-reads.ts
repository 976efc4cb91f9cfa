/**
 * Reads through a {@link BlockCache}: a byte range is mapped onto aligned blocks, missing blocks are
 * fetched in contiguous runs (one read per run, sliced into block views without copying), and the
 * result is a view whenever the blocks are adjacent views of one buffer, which is the case for
 * blocks fetched by one run or by coalesced neighbouring runs. Otherwise the blocks are copied once
 * into one new buffer that replaces them in the cache ("consolidation"), so later reads of the same
 * range are views again instead of a copy every time.
 */
import type { BlockCache } from '../block-cache';
import { allocBytes } from './range-check';

/**
 * A view of `[byteOffset, byteOffset + byteLength)` when `blocks` (consecutive, starting at block
 * `firstBlock`) lie back to back in one ArrayBuffer; otherwise null.
 */
export function contiguousView(
  blocks: readonly Uint8Array[],
  firstBlock: number,
  blockBytes: number,
  byteOffset: number,
  byteLength: number,
): Uint8Array | null {
  const head = blocks[0]!;
  const start = byteOffset - firstBlock * blockBytes;
  if (blocks.length === 1) return head.subarray(start, start + byteLength);
  const buffer = head.buffer;
  let expected = head.byteOffset + head.byteLength;
  for (let i = 1; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.buffer !== buffer || b.byteOffset !== expected) return null;
    expected += b.byteLength;
  }
  return new Uint8Array(buffer, head.byteOffset + start, byteLength);
}

/** Most bytes one consolidation copies (the cache's quarter is the other bound). */
const MAX_CONSOLIDATED_BYTES = 32 * 1024 * 1024;

/**
 * The range as a view of `blocks` when they are adjacent in memory. Otherwise the blocks are copied
 * into one new buffer that replaces them in the cache, together with the cached neighbours that are
 * adjacent in memory to the first and last block (so two ranges sharing a boundary block end up in
 * one buffer instead of taking that block from each other on every read), and the result is a view
 * of the copy. When the blocks alone exceed the bound, only the range is copied.
 */
export function assemble(
  blocks: readonly Uint8Array[],
  firstBlock: number,
  byteOffset: number,
  byteLength: number,
  cache: BlockCache,
  sourceKey: number,
): Uint8Array {
  const B = cache.blockBytes;
  const view = contiguousView(blocks, firstBlock, B, byteOffset, byteLength);
  if (view !== null) return view;
  const limit = Math.min(cache.capacityBytes / 4, MAX_CONSOLIDATED_BYTES);
  let total = 0;
  for (let i = 0; i < blocks.length; i++) total += blocks[i]!.byteLength;
  if (total > limit) return copyRange(blocks, byteOffset - firstBlock * B, byteLength);
  const left: Uint8Array[] = [];
  let edge = blocks[0]!;
  for (let b = firstBlock - 1; b >= 0; b--) {
    const p = cache.peek(sourceKey, b);
    if (p === undefined || p.buffer !== edge.buffer || p.byteOffset + p.byteLength !== edge.byteOffset || total + p.byteLength > limit) break;
    left.push(p);
    total += p.byteLength;
    edge = p;
  }
  const right: Uint8Array[] = [];
  edge = blocks[blocks.length - 1]!;
  for (let b = firstBlock + blocks.length; edge.byteLength === B; b++) {
    const p = cache.peek(sourceKey, b);
    if (p === undefined || p.buffer !== edge.buffer || edge.byteOffset + edge.byteLength !== p.byteOffset || total + p.byteLength > limit) break;
    right.push(p);
    total += p.byteLength;
    edge = p;
  }
  const out = allocBytes(total);
  let at = 0;
  let index = firstBlock - left.length;
  const put = (block: Uint8Array): void => {
    out.set(block, at);
    cache.set(sourceKey, index++, out.subarray(at, at + block.byteLength));
    at += block.byteLength;
  };
  for (let i = left.length - 1; i >= 0; i--) put(left[i]!);
  let start = 0;
  for (let i = 0; i < blocks.length; i++) {
    if (i === 0) start = at + (byteOffset - firstBlock * B);
    put(blocks[i]!);
  }
  for (let i = 0; i < right.length; i++) put(right[i]!);
  return out.subarray(start, start + byteLength);
}

/** One copy of `byteLength` bytes starting `start` bytes into the first of consecutive blocks. */
function copyRange(blocks: readonly Uint8Array[], start: number, byteLength: number): Uint8Array {
  const out = allocBytes(byteLength);
  let written = 0;
  let inBlock = start;
  for (let i = 0; i < blocks.length && written < byteLength; i++) {
    const block = blocks[i]!;
    const take = Math.min(block.byteLength - inBlock, byteLength - written);
    out.set(block.subarray(inBlock, inBlock + take), written);
    written += take;
    inBlock = 0;
  }
  return out;
}

/** Synchronous read through the cache; `fetch(position, length)` returns a fresh buffer of the run. */
export function readThroughCacheSync(
  cache: BlockCache,
  sourceKey: number,
  byteOffset: number,
  byteLength: number,
  fileByteLength: number,
  fetch: (position: number, length: number) => Uint8Array,
): Uint8Array {
  const B = cache.blockBytes;
  const first = Math.floor(byteOffset / B);
  const last = Math.floor((byteOffset + byteLength - 1) / B);
  const blocks: Uint8Array[] = new Array(last - first + 1);
  let runStart = -1;
  for (let b = first; b <= last + 1; b++) {
    const hit = b <= last ? cache.get(sourceKey, b) : undefined;
    if (b <= last && hit === undefined) {
      if (runStart < 0) runStart = b;
      continue;
    }
    if (runStart >= 0) {
      const pos = runStart * B;
      const end = Math.min(b * B, fileByteLength);
      const run = fetch(pos, end - pos);
      for (let r = runStart; r < b; r++) {
        const view = run.subarray((r - runStart) * B, Math.min((r - runStart + 1) * B, run.byteLength));
        cache.set(sourceKey, r, view);
        blocks[r - first] = view;
      }
      runStart = -1;
    }
    if (hit !== undefined) blocks[b - first] = hit;
  }
  return assemble(blocks, first, byteOffset, byteLength, cache, sourceKey);
}

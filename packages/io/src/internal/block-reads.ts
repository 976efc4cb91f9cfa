/**
 * Reads through a {@link BlockCache}: a byte range is mapped onto aligned blocks, missing blocks are
 * fetched in contiguous runs (one read per run, sliced into block views without copying), and the
 * result is a view whenever the blocks are adjacent views of one buffer, which is the case for
 * blocks fetched by one run or by coalesced neighbouring runs. Otherwise the blocks are copied once
 * into one new buffer that replaces them in the cache ("consolidation"), so later reads of the same
 * range are views again instead of a copy every time. Reads larger than a fraction of the cache
 * bypass it ({@link cacheBypassBytes}).
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

/** Most bytes a read may span to go through the cache (the cache's eighth is the other bound). */
const MAX_CACHED_READ_BYTES = 32 * 1024 * 1024;

/**
 * Reads longer than this bypass the cache: they are read straight from the file into one buffer, as
 * without a cache, so that a large read neither evicts the working set nor gets copied block by block.
 */
export function cacheBypassBytes(cache: BlockCache): number {
  return Math.min(Math.floor(cache.capacityBytes / 8), MAX_CACHED_READ_BYTES);
}

/**
 * Buffers made by consolidation, with the blocks they hold a copy of: `[sourceKey, firstBlock,
 * endBlock)`, the buffer starting at `firstBlock`'s first byte. File bytes never change, so such a
 * buffer answers any range inside its blocks even when the cache now maps an edge block elsewhere.
 */
const spans = new WeakMap<ArrayBufferLike, { sourceKey: number; firstBlock: number; endBlock: number }>();

/** A view of the range in a consolidated buffer, held by one of `blocks`, that covers every block; else null. */
function spannedView(blocks: readonly Uint8Array[], firstBlock: number, blockBytes: number, byteOffset: number, byteLength: number, sourceKey: number): Uint8Array | null {
  const endBlock = firstBlock + blocks.length;
  let seen: ArrayBufferLike | null = null;
  for (let i = 0; i < blocks.length; i++) {
    const buffer = blocks[i]!.buffer;
    if (buffer === seen) continue;
    seen = buffer;
    const span = spans.get(buffer);
    if (span !== undefined && span.sourceKey === sourceKey && span.firstBlock <= firstBlock && span.endBlock >= endBlock) {
      return new Uint8Array(buffer, byteOffset - span.firstBlock * blockBytes, byteLength);
    }
  }
  return null;
}

/**
 * The range as a view of `blocks` when they are adjacent in memory, or of a consolidated buffer that
 * holds all of them. Otherwise the blocks are copied once into one new buffer (a copy) that replaces
 * them in the cache and is remembered as holding all of them, even after a neighbouring range takes a
 * shared edge block into its own buffer, so every later read of the range is a view (no ping-pong of
 * edge blocks between neighbouring ranges). When the blocks exceed a quarter of the cache, only the
 * range is copied.
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
  const spanned = spannedView(blocks, firstBlock, B, byteOffset, byteLength, sourceKey);
  if (spanned !== null) return spanned;
  let total = 0;
  for (let i = 0; i < blocks.length; i++) total += blocks[i]!.byteLength;
  if (total > cache.capacityBytes / 4) return copyRange(blocks, byteOffset - firstBlock * B, byteLength);
  const out = allocBytes(total);
  spans.set(out.buffer, { sourceKey, firstBlock, endBlock: firstBlock + blocks.length });
  let at = 0;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    out.set(block, at);
    cache.set(sourceKey, firstBlock + i, out.subarray(at, at + block.byteLength));
    at += block.byteLength;
  }
  const start = byteOffset - firstBlock * B;
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

/**
 * Synchronous read through the cache; `fetch(position, length)` returns a fresh buffer of the run.
 * Reads longer than {@link cacheBypassBytes} are one `fetch` of the range (a copy), not cached.
 */
export function readThroughCacheSync(
  cache: BlockCache,
  sourceKey: number,
  byteOffset: number,
  byteLength: number,
  fileByteLength: number,
  fetch: (position: number, length: number) => Uint8Array,
): Uint8Array {
  if (byteLength > cacheBypassBytes(cache)) return fetch(byteOffset, byteLength);
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

/**
 * Reads through a {@link BlockCache}: a byte range is mapped onto aligned blocks, missing blocks are
 * fetched in contiguous runs (one read per run, sliced into block views without copying), and the
 * result is a view of one block when the range fits inside it, otherwise one copy assembled from the
 * blocks.
 */
import type { BlockCache } from '../block-cache';
import { allocBytes } from './range-check';

/** Copies `[byteOffset, byteOffset + byteLength)` out of consecutive blocks starting at `firstBlock`. */
export function assemble(
  blocks: readonly Uint8Array[],
  firstBlock: number,
  blockBytes: number,
  byteOffset: number,
  byteLength: number,
): Uint8Array {
  const start = byteOffset - firstBlock * blockBytes;
  if (blocks.length === 1) return blocks[0]!.subarray(start, start + byteLength);
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
  return assemble(blocks, first, B, byteOffset, byteLength);
}

/**
 * Decompression of Lance 2.1 data blocks: the values of a mini-block chunk, the page dictionary and the
 * repetition/definition level buffers, dispatched node by node through {@link LANCE_ENCODINGS} (one entry
 * per physical encoding; each decoder's file describes its byte layout). Byte layouts (all little-endian),
 * as written by LanceDB 0.39:
 *
 * ```text
 * flat(bits)                  raw values, n * bits / 8 bytes
 * inline_bitpacking(T)        per 1024 values: one T-bit word holding the bit width W, then 128 * W bytes of
 *                             FastLanes-packed values (the last block is padded to 1024 values)
 * out_of_line_bitpacking(T, flat(W))   FastLanes blocks of 128 * W bytes, no header; a partial last block
 *                             is either padded to 1024 values and packed, or stored raw (T/8 bytes per value)
 * variable (mini-block)       u32 offsets[n + 1] measured from the start of the buffer, then the bytes
 * variable (block)            bits per offset, byte position of the data (both u32 for 32-bit offsets, u64 for
 *                             64-bit ones, e.g. large_string dictionaries), offsets[n + 1], bytes
 * rle(values, run_lengths)    buffer 0: one value per run; buffer 1: u8 run lengths (mini-block); as one block
 *                             (levels, 2.2): u64 byte length of the values, the values, then the run lengths
 * fixed_size_list(d, values)  with has_validity: buffer 0 = item validity bitmap, then the values buffers
 * general(lz4 | zstd, inner)  u32 uncompressed byte length, then one LZ4 block or zstd frame; inner applies after
 * ```
 *
 * Every entry takes optional {@link DecodeLimits} (default: the module-level bound) on top of
 * {@link LANCE_MAX_DECOMPRESSED_BYTES}, and refuses a claimed output beyond them before allocating.
 */
import { CorruptDataError } from '@vego/arrow';
import type { DecodeLimits } from '../../decode-limits';
import { LANCE_ENCODINGS } from '../registry';
import type { LanceEncodingKind } from '../registry';
import type { CompressiveEncoding as Compressive, DecodedBlock as Block } from './compressive';
import { compressiveNotSupported, LANCE_MAX_CHUNK_VALUES as MAX_CHUNK_VALUES } from './compressive';
import type { BlockDecodeContext, BlockFraming } from './frame';

/**
 * Decompresses the value buffers of one mini-block chunk holding `n` values.
 * @throws CorruptDataError on inconsistent buffers; NotSupportedError for encodings not read here.
 */
export function decompressMiniBlock(c: Compressive, buffers: Uint8Array[], n: number, where: string, limits?: DecodeLimits): Block {
  return decompress(c, buffers, n, where, 'chunk', limits);
}

/**
 * Decompresses a whole-buffer block of `n` values (page dictionary, repetition/definition levels).
 * @throws CorruptDataError on inconsistent bytes; NotSupportedError for encodings not read here.
 */
export function decompressBlock(c: Compressive, bytes: Uint8Array, n: number, where: string, limits?: DecodeLimits): Block {
  return decompress(c, [bytes], n, where, 'block', limits);
}

/** Looks up the node's registry entry and runs its decoder; inner nodes come back here through the context. */
function decompress(c: Compressive, buffers: Uint8Array[], n: number, where: string, framing: BlockFraming, limits: DecodeLimits | undefined): Block {
  if (framing === 'chunk' && n > MAX_CHUNK_VALUES * 64) throw new CorruptDataError(`${where}: chunk of ${n} values`);
  // `unsupported` (a node the parser did not know) has no entry, so it ends in the NotSupportedError below.
  const entry = LANCE_ENCODINGS.get(c.kind as LanceEncodingKind);
  const ctx: BlockDecodeContext = { where, framing, limits, decompress: (inner, bufs, count) => decompress(inner, bufs, count, where, framing, limits) };
  // The registry types each decoder by its kind; the entry found is the one for `c.kind`.
  const out = entry?.decode?.(c as never, buffers, n, ctx) ?? null;
  if (out !== null) return out;
  throw compressiveNotSupported(where, c, framing === 'chunk' ? 'mini-block values' : 'block');
}

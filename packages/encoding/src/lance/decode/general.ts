/**
 * General-purpose buffer compression of Lance 2.1/2.2 (`general(lz4 | zstd, inner)` and the `compression`
 * of flat, variable and inline bit-packed buffers): a u32 uncompressed byte length, then one LZ4 block or
 * zstd frame.
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';
import { zstdDecompress } from '../../zstd';
import type { BufferCompressionScheme as CompressionScheme } from './compressive';
import { LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from './compressive';
import type { BlockDecoder } from './frame';
import { lz4DecompressBlock } from './lz4';

/** Undoes `[u32 length][LZ4 block | zstd frame]` general compression (copy). */
export function decompressGeneralBuffer(scheme: CompressionScheme, bytes: Uint8Array, where: string, limits?: DecodeLimits): Uint8Array {
  if (scheme === 'none') return bytes;
  if (bytes.length < 4) throw new CorruptDataError(`${where}: ${scheme} buffer of ${bytes.length} bytes has no length prefix`);
  const n = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  if (n > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${scheme} buffer claims ${n} uncompressed bytes`);
  checkDecodeLimits(`${where}: ${scheme} buffer`, n, 1, limits);
  const body = bytes.subarray(4);
  if (scheme === 'lz4') {
    // An LZ4 sequence expands at most ~255-fold: a larger claim is a lie, not a reason to allocate.
    if (n > body.length * 255 + 64) throw new CorruptDataError(`${where}: lz4 buffer of ${body.length} bytes claims ${n} uncompressed bytes`);
    return lz4DecompressBlock(body, n, limits);
  }
  const out = zstdDecompress(body, n);
  if (out.length !== n) throw new CorruptDataError(`${where}: zstd buffer gave ${out.length} bytes, expected ${n}`);
  return out;
}

/** `general(scheme, inner)`: decompresses every buffer, then decodes the inner node. */
export const decodeGeneral: BlockDecoder<'general'> = (c, buffers, n, ctx) => {
  const bufs = buffers.map((b) => decompressGeneralBuffer(c.compression, b, ctx.where, ctx.limits));
  return ctx.decompress(c.values, bufs, n);
};

/**
 * General-purpose buffer compression of Lance 2.1/2.2 (`general(lz4 | zstd, inner)` and the `compression`
 * of flat, variable and inline bit-packed buffers), one compressed buffer framed as the upstream buffer
 * compressors frame it:
 *
 * - LZ4: a u32 little-endian uncompressed byte length, then one raw LZ4 *block* (no LZ4 frame).
 * - zstd: **(found, LanceDB 0.39)** a u64 little-endian uncompressed byte length, then one zstd frame
 *   (`05 00 00 00 00 00 00 00 | 28 B5 2F FD 20 05 29 00 00 68 65 6C 6C 6F` = "hello"). Older Lance writers
 *   stored the zstd frame alone; a buffer that starts with the zstd magic is read that way, its size taken
 *   from the frame header (a u64 prefix whose low half were the magic would claim ≥ 4 GiB, refused anyway).
 *
 * The same framing holds for a whole mini-block buffer and for each value of a full-zip page compressed
 * per value (`general(zstd, variable(flat(32|64)))`, see @vego/format's `v2_1/full-zip-general.ts`).
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';
import { zstdContentSize, zstdDecompress } from '../../zstd';
import type { BufferCompressionScheme as CompressionScheme } from './compressive';
import { LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from './compressive';
import type { BlockDecoder } from './frame';
import { lz4DecompressBlock } from './lz4';

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** How a general-compressed buffer splits: its claimed uncompressed size and where the compressed body starts. */
interface GeneralHeader {
  /** Uncompressed bytes the header claims, at most {@link MAX_DECOMPRESSED_BYTES}. */
  size: number;
  /** Bytes of length prefix before the LZ4 block or zstd frame (0 for a bare zstd frame). */
  prefix: number;
}

/** Whether `bytes` begin with the zstd frame magic (a bare frame, no length prefix). */
export function startsWithZstdMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ZSTD_MAGIC.every((m, k) => bytes[k] === m);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Reads and bounds a buffer's header (nothing is allocated). @throws CorruptDataError for a short or oversized header. */
function readHeader(scheme: Exclude<CompressionScheme, 'none'>, bytes: Uint8Array, where: string): GeneralHeader {
  if (scheme === 'zstd' && startsWithZstdMagic(bytes)) return { size: checkSize(scheme, zstdContentSize(bytes), where), prefix: 0 };
  const prefix = scheme === 'lz4' ? 4 : 8;
  if (bytes.length < prefix) throw new CorruptDataError(`${where}: ${scheme} buffer of ${bytes.length} bytes has no ${prefix}-byte length prefix`);
  // A u64's high half must be 0: anything above 4 GiB is beyond every bound below.
  if (prefix === 8 && u32(bytes, 4) !== 0) throw new CorruptDataError(`${where}: zstd buffer claims ${u32(bytes, 4)} × 2^32 + ${u32(bytes, 0)} uncompressed bytes`);
  return { size: checkSize(scheme, u32(bytes, 0), where), prefix };
}

function checkSize(scheme: string, n: number, where: string): number {
  if (n > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${scheme} buffer claims ${n} uncompressed bytes, at most ${MAX_DECOMPRESSED_BYTES}`);
  return n;
}

/**
 * The uncompressed size a general-compressed buffer's header claims, checked against the 128 MiB bound
 * but not decompressed: lets a caller bound (and allocate once for) many buffers before decompressing any.
 * @throws CorruptDataError for a missing, malformed or oversized header.
 */
export function generalBufferSize(scheme: CompressionScheme, bytes: Uint8Array, where: string): number {
  if (scheme === 'none') return bytes.length;
  return readHeader(scheme, bytes, where).size;
}

/**
 * Undoes general compression of one buffer (`[u32 length][LZ4 block]`, `[u64 length][zstd frame]` or a
 * bare zstd frame; see the file comment), returning a copy (`bytes` itself for `none`).
 * @throws CorruptDataError for a malformed buffer, a size over the bounds or the limits, or one that does not
 *   decompress to the size it claims; ZstdNotInitializedError for zstd before `initZstd()`.
 */
export function decompressGeneralBuffer(scheme: CompressionScheme, bytes: Uint8Array, where: string, limits?: DecodeLimits): Uint8Array {
  if (scheme === 'none') return bytes;
  const { size: n, prefix } = readHeader(scheme, bytes, where);
  checkDecodeLimits(`${where}: ${scheme} buffer`, n, 1, limits);
  const body = bytes.subarray(prefix);
  if (scheme === 'lz4') {
    // An LZ4 sequence expands at most ~255-fold: a larger claim is a lie, not a reason to allocate.
    if (n > body.length * 255 + 64) throw new CorruptDataError(`${where}: lz4 buffer of ${body.length} bytes claims ${n} uncompressed bytes`);
    return lz4DecompressBlock(body, n, limits);
  }
  const out = zstdDecompress(body, n, limits);
  if (out.length !== n) throw new CorruptDataError(`${where}: zstd buffer gave ${out.length} bytes, expected ${n}`);
  return out;
}

/** `general(scheme, inner)`: decompresses every buffer, then decodes the inner node. */
export const decodeGeneral: BlockDecoder<'general'> = (c, buffers, n, ctx) => {
  const bufs = buffers.map((b) => decompressGeneralBuffer(c.compression, b, ctx.where, ctx.limits));
  return ctx.decompress(c.values, bufs, n);
};

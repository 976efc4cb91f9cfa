/**
 * The zstd {@link BufferCodec} for Lance 2.0 `flat` buffers with `Compression { scheme: "zstd" }`, over
 * @vego/encoding's zstd (call `await initZstd()` first).
 *
 * Two framings are read:
 * - **(found, LanceDB 0.39)** a u64 little-endian uncompressed length, then one zstd frame: what LanceDB
 *   writes for the bytes of a string or binary column whose field metadata sets `lance-encoding:compression`
 *   = `zstd` in a 2.0 table (the framing of Lance's general compression, `@vego/encoding`'s
 *   `decompressGeneralBuffer`);
 * - one or more zstd frames and nothing else, starting with the zstd magic: what this writer writes when
 *   asked (`compression` option), and what LanceDB 0.39 reads too (checked up to several frames per page).
 *
 * The writer uses it only when asked: it needs the async `initZstd()` first. Readers use it by default.
 */
import { CorruptDataError, decompressGeneralBuffer, zstdCompress, zstdDecompress, ZSTD_DEFAULT_LEVEL } from '@vego/encoding';
import type { BufferCodec } from './page-decoder';

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd] as const;

/**
 * Undoes a general compression framed with a length prefix (`decompressGeneralBuffer`), refusing a claim
 * above `maxByteLength` (what the page needs) before anything is allocated.
 */
export function decompressPrefixed(scheme: 'zstd' | 'lz4', bytes: Uint8Array, maxByteLength: number): Uint8Array {
  const where = `${scheme} buffer`;
  const prefix = scheme === 'lz4' ? 4 : 8;
  if (bytes.length >= prefix) {
    const claimed = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
    const high = prefix === 8 ? (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0 : 0;
    if (high !== 0 || claimed > maxByteLength) {
      throw new CorruptDataError(`${where} claims ${high === 0 ? claimed : `${high} × 2^32 + ${claimed}`} uncompressed bytes, the page needs ${maxByteLength}`);
    }
  }
  return decompressGeneralBuffer(scheme, bytes, where);
}

/** A zstd BufferCodec (copies in and out). */
export const ZSTD_BUFFER_CODEC: BufferCodec = {
  scheme: 'zstd',
  compress: (bytes: Uint8Array, level?: number) => zstdCompress(bytes, level ?? ZSTD_DEFAULT_LEVEL),
  decompress: (bytes: Uint8Array, maxByteLength: number) =>
    bytes.length >= 4 && ZSTD_MAGIC.every((m, k) => bytes[k] === m) ? zstdDecompress(bytes, maxByteLength) : decompressPrefixed('zstd', bytes, maxByteLength),
};

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
import { CorruptDataError, decompressGeneralBuffer, generalBufferSize, startsWithZstdMagic, zstdCompress, zstdDecompress, ZSTD_DEFAULT_LEVEL } from '@vego/encoding';
import type { BufferCodec } from './page-decoder';

/**
 * Undoes a general compression framed with a length prefix (`decompressGeneralBuffer`), refusing a claim
 * above `maxByteLength` (what the page needs) before anything is allocated.
 */
export function decompressPrefixed(scheme: 'zstd' | 'lz4', bytes: Uint8Array, maxByteLength: number): Uint8Array {
  const where = `${scheme} buffer`;
  const claimed = generalBufferSize(scheme, bytes, where);
  if (claimed > maxByteLength) throw new CorruptDataError(`${where} claims ${claimed} uncompressed bytes, the page needs ${maxByteLength}`);
  return decompressGeneralBuffer(scheme, bytes, where);
}

/** A zstd BufferCodec (copies in and out). */
export const ZSTD_BUFFER_CODEC: BufferCodec = {
  scheme: 'zstd',
  compress: (bytes: Uint8Array, level?: number) => zstdCompress(bytes, level ?? ZSTD_DEFAULT_LEVEL),
  decompress: (bytes: Uint8Array, maxByteLength: number) =>
    startsWithZstdMagic(bytes) ? zstdDecompress(bytes, maxByteLength) : decompressPrefixed('zstd', bytes, maxByteLength),
};

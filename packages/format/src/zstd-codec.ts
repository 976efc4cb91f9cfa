/**
 * The zstd {@link BufferCodec} for `flat` buffers with `Compression { scheme: "zstd" }`, over
 * @vego/encoding's zstd (call `await initZstd()` first).
 *
 * Oracle finding (see FORMAT.md): LanceDB 0.39 reads flat buffers holding concatenated zstd frames
 * (checked up to several frames per page). The writer still uses it only when asked (`compression`
 * option): it needs the async `initZstd()` first. Readers use it by default.
 */
import { zstdCompress, zstdDecompress, ZSTD_DEFAULT_LEVEL } from '@vego/encoding';
import type { BufferCodec } from './page-decoder';

/** A zstd BufferCodec (copies in and out). */
export const ZSTD_BUFFER_CODEC: BufferCodec = {
  scheme: 'zstd',
  compress: (bytes: Uint8Array, level?: number) => zstdCompress(bytes, level ?? ZSTD_DEFAULT_LEVEL),
  decompress: (bytes: Uint8Array, maxByteLength: number) => zstdDecompress(bytes, maxByteLength),
};

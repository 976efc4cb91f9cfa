/**
 * The LZ4 {@link BufferCodec} for Lance 2.0 `flat` buffers with `Compression { scheme: "lz4" }`: **(found,
 * LanceDB 0.39)** a u32 little-endian uncompressed length, then one raw LZ4 block, which LanceDB writes for
 * the bytes of a string or binary column whose field metadata sets `lance-encoding:compression` = `lz4` in a
 * 2.0 table (the framing of Lance's general compression). Read only: this writer compresses with zstd when
 * asked, never with LZ4.
 */
import { NotSupportedError } from '@vego/encoding';
import type { BufferCodec } from './page-decoder';
import { decompressPrefixed } from './zstd-codec';

/** An LZ4 BufferCodec that decompresses (copy); compressing throws NotSupportedError. */
export const LZ4_BUFFER_CODEC: BufferCodec = {
  scheme: 'lz4',
  compress: () => {
    throw new NotSupportedError('LZ4 compression is read, not written: use ZSTD_BUFFER_CODEC');
  },
  decompress: (bytes: Uint8Array, maxByteLength: number) => decompressPrefixed('lz4', bytes, maxByteLength),
};

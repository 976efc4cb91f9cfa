/**
 * `byte_stream_split(flat(32 | 64))` of Lance 2.1/2.2 mini-block chunks: each chunk's `n` values of `w`
 * bytes (4 or 8) stored as `w` streams of `n` bytes, stream `j` holding byte `j` of every value in order
 * (`[b0 of v0, b0 of v1, …, b1 of v0, …]`), so that general compression around it (LanceDB writes
 * `general(zstd | lz4, byte_stream_split(flat(…)))`, e.g. for integer or float columns whose field
 * metadata sets `lance-encoding:compression`) finds the repetitive high bytes together. The streams are
 * per chunk: a chunk's streams start at `j · n` of its own buffer.
 */
import { decodeByteStreamSplit as joinStreams } from '../../byte-stream-split';
import { compressiveNotSupported } from './compressive';
import type { BlockDecoder } from './frame';

/** Joins the byte streams of the inner `flat` values back into values (a copy). */
export const decodeByteStreamSplit: BlockDecoder<'byteStreamSplit'> = (c, buffers, n, ctx) => {
  const inner = ctx.decompress(c.values, buffers, n);
  if (inner.kind !== 'fixed' || inner.itemValidity !== null || (inner.bitsPerValue !== 32 && inner.bitsPerValue !== 64)) {
    throw compressiveNotSupported(ctx.where, c, 'byte-stream-split values');
  }
  return { ...inner, bytes: joinStreams(inner.bytes, n, inner.bitsPerValue / 8, undefined, ctx.limits) };
};

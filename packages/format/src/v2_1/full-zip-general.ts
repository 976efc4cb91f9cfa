/**
 * Variable-width full-zip values compressed one by one with a general compressor (Lance 2.1/2.2
 * `value_compression` = `general(zstd | lz4, variable(flat(32 | 64)))`).
 *
 * **(found)** LanceDB 0.39 writes this, always with zstd, for a page of utf8, large_utf8, binary or large_binary
 * values whose longest value exceeds 32 KiB (instead of FSST or plain bytes), and for every full-zip page of 32 KiB
 * or more of a field whose metadata sets `lance-encoding:compression` (`zstd`, and also `lz4`, which still gives
 * zstd here). In the page each valid item's length (`bits_per_offset` bits) counts the compressed bytes that follow;
 * those bytes are one general-compressed buffer as `@vego/encoding`'s `decompressGeneralBuffer` reads it: a u64
 * uncompressed length, then one zstd frame. Empty strings are compressed too (17 bytes); nulls have no bytes.
 * Example, "hello": `16 00 00 00 | 05 00 00 00 00 00 00 00 | 28 B5 2F FD 20 05 29 00 00 68 65 6C 6C 6F`.
 */
import { checkDecodeLimits, CorruptDataError, decompressGeneralBuffer, generalBufferSize } from '@vego/encoding';
import type { BufferCompressionScheme } from '@vego/encoding';

/** Largest total an Int32 offset can address. */
const MAX_OFFSET = 0x7fffffff;

/**
 * Decompresses `n` values, value i being `bytes[offsets[i] .. offsets[i + 1])`, into new offsets and bytes.
 * Every value's claimed size is read and bounded (128 MiB each, the decode limits for their sum) before the
 * output is allocated; each value must then decompress to exactly its claim. A value of no bytes stays empty:
 * null items have none (a valid item always has at least its length prefix; the upstream zstd reader also
 * takes no bytes as an empty value).
 * @throws CorruptDataError for a truncated, malformed or oversized value; ZstdNotInitializedError for zstd
 *   before `initZstd()`; NotSupportedError for one zstd frame over 4 MiB (the WebAssembly codec's bound).
 */
export function decompressPerValue(scheme: Exclude<BufferCompressionScheme, 'none'>, bytes: Uint8Array, offsets: Int32Array, n: number, where: string): { offsets: Int32Array; bytes: Uint8Array } {
  const value = (i: number): Uint8Array => bytes.subarray(offsets[i]!, offsets[i + 1]!);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (v.length === 0) continue;
    total += generalBufferSize(scheme, v, `${where}: value ${i}`);
    if (total > MAX_OFFSET) throw new CorruptDataError(`${where}: ${scheme} values claim more than ${MAX_OFFSET} uncompressed bytes by value ${i}`);
  }
  checkDecodeLimits(`${where}: ${scheme} values`, total, 1);
  const out = new Uint8Array(total);
  const outOffsets = new Int32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (v.length > 0) {
      const part = decompressGeneralBuffer(scheme, v, `${where}: value ${i}`);
      // The claims were summed above; a value giving more than it claimed would overrun the others.
      if (part.length > total - o) throw new CorruptDataError(`${where}: value ${i} decompressed to ${part.length} bytes, more than claimed`);
      out.set(part, o);
      o += part.length;
    }
    outOffsets[i + 1] = o;
  }
  if (o !== total) throw new CorruptDataError(`${where}: ${scheme} values decompressed to ${o} bytes, their headers claim ${total}`);
  return { offsets: outOffsets, bytes: out };
}

/**
 * Run-length encoding of Lance 2.1/2.2 (`rle(values, run_lengths)`): one value per run and u8 run lengths,
 * as two buffers of a mini-block chunk, or as one block (levels, 2.2): u64 byte length of the values, the
 * values, then the run lengths.
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';
import type { CompressiveEncoding as Compressive, DecodedBlock as Block } from './compressive';
import { compressiveNotSupported, LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from './compressive';
import type { BlockDecoder } from './frame';
import { firstBuffer, u32At } from './frame';
import { decompressGeneralBuffer } from './general';

/** `rle(values, run_lengths)` in either framing. */
export const decodeRle: BlockDecoder<'rle'> = (c, buffers, n, { where, framing, limits }) => {
  if (framing === 'chunk') {
    if (buffers.length < 2) throw new CorruptDataError(`${where}: RLE chunk needs 2 buffers, found ${buffers.length}`);
    return expandRle(c, buffers[0]!, buffers[1]!, n, where, limits);
  }
  // Block frame: u64 byte length of the values, the values, then the run lengths.
  const bytes = firstBuffer(c, buffers, where);
  if (bytes.length < 8) throw new CorruptDataError(`${where}: RLE block of ${bytes.length} bytes has no header`);
  const size = u32At(bytes, 0);
  if (u32At(bytes, 4) !== 0 || 8 + size > bytes.length) throw new CorruptDataError(`${where}: RLE block says ${size} value bytes, the block holds ${bytes.length - 8}`);
  return expandRle(c, bytes.subarray(8, 8 + size), bytes.subarray(8 + size), n, where, limits);
};

/** Expands RLE runs (one value per run in `valueBytes`, u8 run lengths in `runBytes`) to `n` values (copy). */
function expandRle(c: Extract<Compressive, { kind: 'rle' }>, valueBytes: Uint8Array, runBytes: Uint8Array, n: number, where: string, limits: DecodeLimits | undefined): Block {
  if (c.values.kind !== 'flat' || c.runLengths.kind !== 'flat' || c.runLengths.bitsPerValue !== 8 || c.values.bitsPerValue % 8 !== 0 || c.values.bitsPerValue === 0) {
    throw compressiveNotSupported(where, c, 'RLE values');
  }
  const width = c.values.bitsPerValue >>> 3;
  const runs = decompressGeneralBuffer(c.runLengths.compression, runBytes, where, limits);
  const vals = decompressGeneralBuffer(c.values.compression, valueBytes, where, limits);
  if (vals.length < runs.length * width) throw new CorruptDataError(`${where}: RLE has ${runs.length} runs but ${vals.length} value bytes`);
  if (n * width > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: RLE of ${n} values`);
  checkDecodeLimits(`${where}: RLE of ${n} values`, n, width, limits);
  const out = new Uint8Array(n * width);
  let at = 0;
  for (let r = 0; r < runs.length && at < n; r++) {
    const len = runs[r]!;
    if (at + len > n) throw new CorruptDataError(`${where}: RLE runs exceed the ${n} values`);
    const from = r * width;
    for (let k = 0; k < len; k++) {
      const d = (at + k) * width;
      for (let j = 0; j < width; j++) out[d + j] = vals[from + j]!;
    }
    at += len;
  }
  if (at !== n) throw new CorruptDataError(`${where}: RLE runs cover ${at} values, expected ${n}`);
  return { kind: 'fixed', bitsPerValue: width * 8, numValues: n, bytes: out, itemValidity: null };
}

/**
 * FastLanes bit-packing of Lance 2.1/2.2, inline (per 1024 values a T-bit width word, then `128 * W` bytes of
 * packed values; the last block padded to 1024 values) and out of line (blocks of `128 * W` bytes, no
 * header, a partial last block padded or stored raw), as block decoders.
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';
import { fastLanesBlockByteLength as fastLanesBlockBytes } from '../fastlanes';
import { compressiveNotSupported } from './compressive';
import type { BlockDecoder } from './frame';
import { firstBuffer } from './frame';
import { unpackFastLanes32, unpackFastLanes64 } from './fastlanes';
import { decompressGeneralBuffer } from './general';

/**
 * Unpacks `n` out-of-line bit-packed values of `typeBits` bits into bytes (copy): whole FastLanes blocks of
 * 1024 values (`128 * width` bytes each, no headers), then, when `n` is not a multiple of 1024, a tail of
 * `n % 1024` values stored either as one more packed block padded to 1024 values or **raw** (`typeBits / 8`
 * bytes per value, little-endian). The writer picks raw when padding would cost more bits than packing the
 * tail saves; the reader tells the two apart by the buffer's length, raw when it is exactly
 * `whole blocks + tail * typeBits / 8` bytes.
 *
 * Example (u16 repetition levels, width 1, 1040 levels): 128 bytes for levels 0–1023, then 16 raw u16
 * levels = 160 bytes, where a padded tail would take 256.
 */
function unpackOutOfLine(bytes: Uint8Array, typeBits: number, width: number, n: number, where: string, limits: DecodeLimits | undefined): Uint8Array {
  if (typeBits !== 8 && typeBits !== 16 && typeBits !== 32 && typeBits !== 64) throw new CorruptDataError(`${where}: bit-packing of ${typeBits}-bit values`);
  if (width > typeBits) throw new CorruptDataError(`${where}: bit-packing width ${width} for ${typeBits}-bit values`);
  const valueBytes = typeBits >>> 3;
  const per = fastLanesBlockBytes(width);
  const whole = Math.floor(n / 1024);
  const tail = n - whole * 1024;
  const wholeBytes = whole * per;
  const rawTailBytes = wholeBytes + tail * valueBytes;
  // Upstream compares the buffer's length in whole T-bit words, so trailing bytes short of a word do not count.
  const lengthInWords = Math.floor(bytes.length / valueBytes) * valueBytes;
  if (tail > 0 && lengthInWords === rawTailBytes) {
    const out = new Uint8Array(n * valueBytes);
    if (whole > 0) out.set(unpackBlocks(bytes, typeBits, whole * 1024, where, limits, (b) => [b * per, width]), 0);
    out.set(bytes.subarray(wholeBytes, rawTailBytes), whole * 1024 * valueBytes);
    return out;
  }
  const blocks = Math.ceil(n / 1024);
  if (bytes.length < blocks * per) {
    const raw = tail > 0 ? ` (or ${rawTailBytes} with a raw tail of ${tail} values)` : '';
    throw new CorruptDataError(`${where}: bit-packed buffer holds ${bytes.length} bytes, expected ${blocks * per}${raw}`);
  }
  return unpackBlocks(bytes, typeBits, n, where, limits, (b) => [b * per, width]);
}

function unpackBlocks(bytes: Uint8Array, typeBits: number, n: number, where: string, limits: DecodeLimits | undefined, locate: (block: number) => [number, number]): Uint8Array {
  // Width-0 blocks take no bytes, so only the limits bound `n` here.
  checkDecodeLimits(`${where}: ${n} bit-packed values`, n, typeBits === 64 ? 8 : 4, limits);
  const blocks = Math.ceil(n / 1024);
  if (typeBits === 64) {
    const words = new Uint32Array(n * 2);
    for (let b = 0; b < blocks; b++) {
      const [at, w] = locate(b);
      unpackFastLanes64(bytes, at, w, Math.min(1024, n - b * 1024), words, b * 1024);
    }
    return new Uint8Array(words.buffer);
  }
  if (typeBits !== 8 && typeBits !== 16 && typeBits !== 32) throw new CorruptDataError(`${where}: bit-packing of ${typeBits}-bit values`);
  const vals = new Uint32Array(n);
  for (let b = 0; b < blocks; b++) {
    const [at, w] = locate(b);
    unpackFastLanes32(bytes, at, typeBits, w, Math.min(1024, n - b * 1024), vals, b * 1024);
  }
  if (typeBits === 32) return new Uint8Array(vals.buffer);
  if (typeBits === 16) return new Uint8Array(Uint16Array.from(vals).buffer);
  return Uint8Array.from(vals);
}

/** Inline bit-packing: per 1024-value block a T-bit width word then the packed block. */
function unpackInline(bytes: Uint8Array, typeBits: number, n: number, where: string, limits: DecodeLimits | undefined): Uint8Array {
  const wordBytes = typeBits >>> 3;
  let at = 0;
  return unpackBlocks(bytes, typeBits, n, where, limits, () => {
    if (at + wordBytes > bytes.length) throw new CorruptDataError(`${where}: inline bit-packed buffer ends at ${bytes.length} before a block header at ${at}`);
    const w = bytes[at]!;
    for (let k = 1; k < wordBytes; k++) if (bytes[at + k] !== 0) throw new CorruptDataError(`${where}: inline bit-packing width word at ${at} is not a small number`);
    if (w > typeBits) throw new CorruptDataError(`${where}: inline bit-packing width ${w} for ${typeBits}-bit values`);
    const start = at + wordBytes;
    at = start + fastLanesBlockBytes(w);
    return [start, w];
  });
}

/** `inline_bitpacking(T)`: chunks check T; whole buffers (levels) check it while unpacking. */
export const decodeInlineBitpacking: BlockDecoder<'inlineBitpacking'> = (c, buffers, n, { where, framing, limits }) => {
  const t = c.uncompressedBitsPerValue;
  if (framing === 'chunk' && t !== 8 && t !== 16 && t !== 32 && t !== 64) throw new CorruptDataError(`${where}: inline bit-packing of ${t}-bit values`);
  const bytes = unpackInline(decompressGeneralBuffer(c.compression, firstBuffer(c, buffers, where), where, limits), t, n, where, limits);
  return { kind: 'fixed', bitsPerValue: t, numValues: n, bytes, itemValidity: null };
};

/** `out_of_line_bitpacking(T, flat(W))`: whole buffers only (levels, dictionaries). */
export const decodeOutOfLineBitpacking: BlockDecoder<'outOfLineBitpacking'> = (c, buffers, n, { where, framing, limits }) => {
  if (framing === 'chunk') return null;
  if (c.values.kind !== 'flat' || c.values.compression !== 'none') throw compressiveNotSupported(where, c, 'block');
  const t = c.uncompressedBitsPerValue;
  const out = unpackOutOfLine(firstBuffer(c, buffers, where), t, c.values.bitsPerValue, n, where, limits);
  return { kind: 'fixed', bitsPerValue: t, numValues: n, bytes: out, itemValidity: null };
};

/**
 * LZ4 block decompression (the raw block format, no frame), as used by Lance 2.2's general compression
 * with the uncompressed length prepended as a u32 (`[u32 length][lz4 block]`).
 *
 * A block is a series of sequences: a token byte (high nibble = literal length, low nibble = match
 * length − 4; 15 means "more length bytes follow", each added until one is below 255), the literals,
 * then a u16 little-endian match offset (1 … 65535 back) and the match, which may overlap its output.
 * The last sequence has literals only. Example: `62 20 00 00 00 18 00 01 00 …` = 6 literals
 * `20 00 00 00 18 00`, then 6 bytes copied from offset 1 (six zeros).
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';

/**
 * Decompresses one LZ4 block into exactly `byteLength` bytes (copy).
 * @param limits - output bounds; missing means the module default (`setDefaultDecodeLimits`).
 * @throws CorruptDataError when the block is malformed, does not produce `byteLength` bytes, or
 * `byteLength` exceeds the limits.
 */
export function lz4DecompressBlock(src: Uint8Array, byteLength: number, limits?: DecodeLimits): Uint8Array {
  // A sequence expands at most ~255-fold: a larger claim is a lie, not a reason to allocate.
  if (!Number.isInteger(byteLength) || byteLength < 0 || byteLength > src.length * 255 + 64) {
    throw new CorruptDataError(`LZ4 block of ${src.length} bytes claims ${byteLength} uncompressed bytes`);
  }
  checkDecodeLimits('LZ4 block', byteLength, 1, limits);
  const out = new Uint8Array(byteLength);
  const n = src.length;
  let ip = 0;
  let op = 0;
  while (ip < n) {
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= n) throw new CorruptDataError('LZ4 block: literal length runs past the input');
        b = src[ip++]!;
        lit += b;
      }
    }
    if (ip + lit > n || op + lit > byteLength) throw new CorruptDataError(`LZ4 block: ${lit} literals at input ${ip} overflow (output ${op} of ${byteLength})`);
    out.set(src.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= n) break;
    if (ip + 2 > n) throw new CorruptDataError('LZ4 block: truncated match offset');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw new CorruptDataError(`LZ4 block: match offset ${offset} at output ${op}`);
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= n) throw new CorruptDataError('LZ4 block: match length runs past the input');
        b = src[ip++]!;
        len += b;
      }
    }
    if (op + len > byteLength) throw new CorruptDataError(`LZ4 block: match of ${len} bytes overflows the ${byteLength}-byte output`);
    let from = op - offset;
    for (let k = 0; k < len; k++) out[op++] = out[from++]!;
  }
  if (op !== byteLength) throw new CorruptDataError(`LZ4 block: produced ${op} bytes, expected ${byteLength}`);
  return out;
}

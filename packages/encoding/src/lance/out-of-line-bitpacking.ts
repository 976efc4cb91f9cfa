/**
 * Lance 2.1 `out_of_line_bitpacking(T, flat(W))` of repetition/definition levels: FastLanes blocks of
 * 1024 values packed to the page-wide width `W` (given in the encoding description, not in the bytes),
 * no headers. When `n` is not a multiple of 1024, the `r = n % 1024` tail values are stored either as one
 * more block padded to 1024 values or **raw** (T/8 bytes each, little-endian): raw exactly when
 * `r * T <= 1024 * W` (padding would cost at least what packing saves). Readers (LanceDB's and ours) tell
 * the two apart by the buffer's length, so the rule must be followed exactly.
 *
 * Worked example (u16 levels, W = 1, 1040 levels): one packed block (128 bytes) + 16 raw u16 = 160 bytes.
 */
import { InvalidArgumentError } from '@vego/arrow';
import { fastLanesBlockByteLength, packFastLanesBlock } from './fastlanes';

/** True when a tail of `tail` values is stored raw rather than packed. */
export function outOfLineTailIsRaw(tail: number, typeBits: number, bitWidth: number): boolean {
  return tail > 0 && tail * typeBits <= 1024 * bitWidth;
}

/**
 * Encodes `values[at, at + count)` of `typeBits` (8, 16 or 32) bits packed to `bitWidth` (new array).
 * @throws InvalidArgumentError when a value does not fit `bitWidth` or on bad arguments.
 */
export function encodeOutOfLineBitpacked(values: Uint32Array, at: number, count: number, typeBits: number, bitWidth: number): Uint8Array {
  if (typeBits !== 8 && typeBits !== 16 && typeBits !== 32) throw new InvalidArgumentError(`\`typeBits\` must be 8, 16 or 32, got ${typeBits}`);
  if (!(bitWidth >= 0 && bitWidth <= typeBits)) throw new InvalidArgumentError(`\`bitWidth\` must be within 0..${typeBits}, got ${bitWidth}`);
  const limit = bitWidth === 32 ? 0xffffffff : 2 ** bitWidth - 1;
  for (let i = at; i < at + count; i++) if (values[i]! > limit) throw new InvalidArgumentError(`value ${values[i]} at ${i} does not fit ${bitWidth} bits`);
  const whole = Math.floor(count / 1024);
  const tail = count - whole * 1024;
  const per = fastLanesBlockByteLength(bitWidth);
  const raw = outOfLineTailIsRaw(tail, typeBits, bitWidth);
  const wordBytes = typeBits >>> 3;
  const byteLength = whole * per + (tail === 0 ? 0 : raw ? tail * wordBytes : per);
  const out = new Uint8Array(byteLength);
  for (let b = 0; b < whole; b++) packFastLanesBlock(values, null, at + b * 1024, 1024, typeBits, bitWidth, out, b * per);
  if (tail > 0) {
    const from = at + whole * 1024;
    if (raw) {
      let p = whole * per;
      for (let i = 0; i < tail; i++) {
        const v = values[from + i]!;
        for (let k = 0; k < wordBytes; k++) out[p++] = (v >>> (8 * k)) & 0xff;
      }
    } else packFastLanesBlock(values, null, from, tail, typeBits, bitWidth, out, whole * per);
  }
  return out;
}

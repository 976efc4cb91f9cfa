/**
 * Fixed-width block decoders of Lance 2.1/2.2: `flat(bits)` (raw values, `n * bits / 8` bytes), `constant`
 * (one value repeated, whole buffers only) and `fixed_size_list(d, values)` (mini-block chunks only; with
 * `has_validity`, buffer 0 is the item validity bitmap, then the values' buffers).
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import { compressiveNotSupported, LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from './compressive';
import type { BlockDecoder } from './frame';
import { firstBuffer, fixedValues } from './frame';
import { decompressGeneralBuffer } from './general';

/** `flat(bits)`, optionally with a general-compressed buffer. */
export const decodeFlat: BlockDecoder<'flat'> = (c, buffers, n, { where, limits }) =>
  fixedValues(c.bitsPerValue, n, decompressGeneralBuffer(c.compression, firstBuffer(c, buffers, where), where, limits), where);

/** `constant(value)`: whole buffers only. */
export const decodeConstant: BlockDecoder<'constant'> = (c, _buffers, n, { where, framing, limits }) => {
  if (framing === 'chunk') return null;
  const w = c.value.length;
  if (w === 0 || n * w > MAX_DECOMPRESSED_BYTES || n > 1 << 25) throw new CorruptDataError(`${where}: constant block of ${w}-byte value × ${n}`);
  checkDecodeLimits(`${where}: constant block`, n, w, limits);
  const out = new Uint8Array(n * w);
  for (let i = 0; i < n; i++) out.set(c.value, i * w);
  return { kind: 'fixed', bitsPerValue: w * 8, numValues: n, bytes: out, itemValidity: null };
};

/** `fixed_size_list(d, values)`: mini-block chunks only. */
export const decodeFixedSizeList: BlockDecoder<'fixedSizeList'> = (c, buffers, n, ctx) => {
  const { where } = ctx;
  if (ctx.framing !== 'chunk') return null;
  const d = c.itemsPerValue;
  if (d < 1 || d * n > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: fixed_size_list of ${d} items per value`);
  let rest = buffers;
  let validity: Uint8Array | null = null;
  if (c.hasValidity) {
    const v = firstBuffer(c, buffers, where);
    if (v.length < Math.ceil((n * d) / 8)) throw new CorruptDataError(`${where}: item validity holds ${v.length} bytes for ${n * d} items`);
    validity = v;
    rest = buffers.slice(1);
  }
  const inner = ctx.decompress(c.values, rest, n * d);
  if (inner.kind !== 'fixed') throw compressiveNotSupported(where, c, 'fixed-size-list items');
  return { kind: 'fixed', bitsPerValue: inner.bitsPerValue * d, numValues: n, bytes: inner.bytes, itemValidity: validity, itemsPerValue: d };
};

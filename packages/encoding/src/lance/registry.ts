/**
 * The one registry of Lance 2.1/2.2 physical encodings: one entry per kind of `CompressiveEncoding` node,
 * holding Lance's name of it, its decoder (how `@vego/format`'s reader turns a node and its buffers into
 * values) and, where Vego writes it as mini-block values, its encoder (what `@vego/format`'s writer picks
 * with {@link chooseMiniBlockEncoder}).
 *
 * | kind | Lance name | decoded in | written |
 * |---|---|---|---|
 * | `flat` | `flat` | chunks, blocks | mini-block values (encoder), raw dictionaries |
 * | `variable` | `variable` | chunks, blocks | mini-block values (encoder), dictionaries (`encodeVariableBlock`) |
 * | `constant` | `constant` | blocks | no |
 * | `outOfLineBitpacking` | `out_of_line_bitpacking` | blocks (inner `flat` only) | levels (`encodeOutOfLineBitpacked`) |
 * | `inlineBitpacking` | `inline_bitpacking` | chunks, blocks | mini-block values (encoder) |
 * | `fsst` | `fsst` | chunks, blocks | string pages (`fsstPageIfSmaller`) |
 * | `dictionary` | `dictionary` | no (page dictionaries are read by the page layout) | no |
 * | `rle` | `rle` | chunks, blocks | mini-block values (encoder) |
 * | `byteStreamSplit` | `byte_stream_split` | chunks, blocks (inner `flat` of 32 or 64 bits) | no |
 * | `general` | `general` | chunks, blocks | no |
 * | `fixedSizeList` | `fixed_size_list` | chunks | fixed-size-list pages (wraps another encoder) |
 *
 * A node outside the registry, or one whose decoder does not read it in its framing, is a NotSupportedError.
 */
import { NotSupportedError } from '@vego/arrow';
import { countRleRuns } from './rle';
import type { CompressiveEncoding } from './decode/compressive';
import { decodeInlineBitpacking, decodeOutOfLineBitpacking } from './decode/bitpacking';
import { decodeByteStreamSplit } from './decode/byte-stream-split';
import { decodeConstant, decodeFixedSizeList, decodeFlat } from './decode/fixed';
import type { BlockDecoder } from './decode/frame';
import { decodeFsst } from './decode/fsst';
import { decodeGeneral } from './decode/general';
import { decodeRle } from './decode/rle';
import { decodeVariable } from './decode/variable';
import { flatEncoder, inlineBitpackedPageBytes, inlineBitpackingEncoder, rleEncoder, variableEncoder } from './mini-block-encoders';
import type { LanceValueCompression, MiniBlockEncoder, PageValues } from './mini-block-encoders';

// The page-value types live beside the encoders; sources that took them from here still can.
export type { FixedWidthValues, LanceValueCompression, MiniBlockEncoder, PageValues, VariableWidthValues } from './mini-block-encoders';

/** The kinds of compression-tree node the registry knows (every `CompressiveEncoding` but the parse placeholder). */
export type LanceEncodingKind = Exclude<CompressiveEncoding['kind'], 'unsupported'>;

/** One physical encoding of Lance 2.1/2.2 (see the registry table). */
export interface LanceEncoding<K extends LanceEncodingKind = LanceEncodingKind> {
  readonly kind: K;
  /** Lance's name of the encoding (the `CompressiveEncoding` oneof member). */
  readonly name: string;
  /** Its decoder, or null when this reader does not read it. */
  readonly decode: BlockDecoder<K> | null;
  /** Its mini-block value encoder, or null when Vego does not write it as mini-block values. */
  readonly encoder: MiniBlockEncoder | null;
}

function entry<K extends LanceEncodingKind>(kind: K, name: string, decode: BlockDecoder<K> | null, encoder: MiniBlockEncoder | null = null): LanceEncoding<K> {
  return { kind, name, decode, encoder };
}

/** Every Lance 2.1/2.2 physical encoding, by `CompressiveEncoding` kind. */
export const LANCE_ENCODINGS: ReadonlyMap<LanceEncodingKind, LanceEncoding> = new Map<LanceEncodingKind, LanceEncoding>([
  ['flat', entry('flat', 'flat', decodeFlat, flatEncoder)],
  ['variable', entry('variable', 'variable', decodeVariable, variableEncoder)],
  ['constant', entry('constant', 'constant', decodeConstant)],
  ['outOfLineBitpacking', entry('outOfLineBitpacking', 'out_of_line_bitpacking', decodeOutOfLineBitpacking)],
  ['inlineBitpacking', entry('inlineBitpacking', 'inline_bitpacking', decodeInlineBitpacking, inlineBitpackingEncoder)],
  ['fsst', entry('fsst', 'fsst', decodeFsst)],
  ['dictionary', entry('dictionary', 'dictionary', null)],
  ['rle', entry('rle', 'rle', decodeRle, rleEncoder)],
  ['byteStreamSplit', entry('byteStreamSplit', 'byte_stream_split', decodeByteStreamSplit)],
  ['general', entry('general', 'general', decodeGeneral)],
  ['fixedSizeList', entry('fixedSizeList', 'fixed_size_list', decodeFixedSizeList)],
] as [LanceEncodingKind, LanceEncoding][]);

/**
 * The registry entry of `kind`.
 * @throws NotSupportedError for a kind the registry does not hold.
 */
export function lanceEncoding(kind: string): LanceEncoding {
  const e = LANCE_ENCODINGS.get(kind as LanceEncodingKind);
  if (e === undefined) throw new NotSupportedError(`Lance encoding '${kind}' is not supported`);
  return e;
}

/** Every mini-block value encoder, by Lance name (the registry entries that have one). */
export const MINI_BLOCK_ENCODERS: ReadonlyMap<MiniBlockEncoder['name'], MiniBlockEncoder> = new Map(
  [...LANCE_ENCODINGS.values()].flatMap((e) => (e.encoder === null ? [] : [[e.encoder.name, e.encoder] as const])),
);

function encoderOf(kind: LanceEncodingKind): MiniBlockEncoder {
  return LANCE_ENCODINGS.get(kind)!.encoder!;
}

/**
 * Picks the encoder of a page from its statistics, among the registry's encoders: `variable` for variable
 * width; `rle` when runs are at most half the values and take ≤ 60 % of the plain bytes; for 16/32/64-bit
 * integers `inline_bitpacking` when packing each 1024-value chunk at its own width saves at least 10 % over
 * `flat`; `flat` otherwise.
 */
export function chooseMiniBlockEncoder(values: PageValues, options: { bitPacking?: boolean; rle?: boolean } = {}): MiniBlockEncoder {
  if (values.kind === 'variable') return encoderOf('variable');
  const t = values.bitsPerValue;
  if (values.count === 0) return encoderOf('flat');
  const plainBytes = (values.count * t) / 8;
  // Runs: at most half as many as values and ≤ 60 % of the plain bytes (LanceDB picks RLE below 50 % runs).
  if (options.rle !== false && (t === 8 || t === 16 || t === 32 || t === 64)) {
    // Counting stops past the most runs either condition allows (random values: after about half the page).
    const limit = Math.floor(Math.min(values.count / 2, (plainBytes * 0.6) / (t / 8 + 1)));
    const runs = countRleRuns(values.bytes, t >>> 3, 0, values.count, limit);
    if (runs * 2 <= values.count && runs * (t / 8 + 1) <= plainBytes * 0.6) return encoderOf('rle');
  }
  if (options.bitPacking === false || !values.integer || (t !== 16 && t !== 32 && t !== 64)) return encoderOf('flat');
  return inlineBitpackedPageBytes(values) <= plainBytes * 0.9 ? encoderOf('inlineBitpacking') : encoderOf('flat');
}

function flatNode(bitsPerValue: number): CompressiveEncoding {
  return { kind: 'flat', bitsPerValue, compression: 'none' };
}

/**
 * The compression tree a reader parses from what the writer describes (`LanceValueCompression` is the
 * subset Vego writes; `@vego/format` serialises it as the same `CompressiveEncoding` message).
 */
export function toCompressiveEncoding(c: LanceValueCompression): CompressiveEncoding {
  switch (c.kind) {
    case 'flat':
      return flatNode(c.bitsPerValue);
    case 'inlineBitpacking':
      return { kind: 'inlineBitpacking', uncompressedBitsPerValue: c.uncompressedBitsPerValue, compression: 'none' };
    case 'rle':
      return { kind: 'rle', values: flatNode(c.bitsPerValue), runLengths: flatNode(8) };
    case 'variable':
      return { kind: 'variable', offsets: flatNode(c.offsetBits), compression: 'none' };
    case 'fsst':
      return { kind: 'fsst', symbolTable: c.symbolTable, values: toCompressiveEncoding(c.values) };
    case 'fixedSizeList':
      return { kind: 'fixedSizeList', itemsPerValue: c.itemsPerValue, hasValidity: c.hasValidity, values: toCompressiveEncoding(c.values) };
  }
}

/**
 * The plain-data form of a Lance 2.1/2.2 compression tree (`lance.encodings21.CompressiveEncoding`, parsed by
 * `@vego/format` from a page layout) and of what its decoders produce. Field numbers and byte layouts are
 * described where they are read: `@vego/format`'s `src/v2_1/layout.ts` (protobuf) and `blocks.ts` (bytes).
 */
import { NotSupportedError } from '@vego/arrow';

/** General-purpose compression of a buffer. */
export type BufferCompressionScheme = 'lz4' | 'zstd' | 'none';

/** One node of a Lance 2.1/2.2 compression tree (`lance.encodings21.CompressiveEncoding`), as plain data. */
export type CompressiveEncoding =
  | { kind: 'flat'; bitsPerValue: number; compression: BufferCompressionScheme }
  | { kind: 'variable'; offsets: CompressiveEncoding; compression: BufferCompressionScheme }
  | { kind: 'constant'; value: Uint8Array }
  | { kind: 'outOfLineBitpacking'; uncompressedBitsPerValue: number; values: CompressiveEncoding }
  | { kind: 'inlineBitpacking'; uncompressedBitsPerValue: number; compression: BufferCompressionScheme }
  | { kind: 'fsst'; symbolTable: Uint8Array; values: CompressiveEncoding }
  | { kind: 'dictionary'; indices: CompressiveEncoding; items: CompressiveEncoding; numDictionaryItems: number }
  | { kind: 'rle'; values: CompressiveEncoding; runLengths: CompressiveEncoding }
  | { kind: 'byteStreamSplit'; values: CompressiveEncoding }
  | { kind: 'general'; compression: BufferCompressionScheme; values: CompressiveEncoding }
  | { kind: 'fixedSizeList'; itemsPerValue: number; hasValidity: boolean; values: CompressiveEncoding }
  | { kind: 'unsupported'; name: string };

/** Decoded values: fixed-width (bits per value) or variable-width (offsets + bytes). */
export type DecodedBlock =
  | { kind: 'fixed'; bitsPerValue: number; numValues: number; bytes: Uint8Array; itemValidity: Uint8Array | null; itemsPerValue?: number }
  | { kind: 'variable'; numValues: number; offsets: Int32Array; bytes: Uint8Array };

/**
 * Largest decompressed Lance 2.1/2.2 buffer accepted (a hostile length must not allocate without bound).
 * The module-level output limit (`setDefaultDecodeLimits`, 256 MiB by default) and a call's own
 * `DecodeLimits` apply as well, so a caller can lower the bound further.
 */
export const LANCE_MAX_DECOMPRESSED_BYTES = 1 << 27;

/** Most values one Lance 2.1/2.2 mini-block chunk may hold (Lance writes at most 32768). */
export const LANCE_MAX_CHUNK_VALUES = 1 << 16;

/** Short description of a compression tree, e.g. `general(lz4, variable(flat(32)))`. */
export function describeCompressiveEncoding(c: CompressiveEncoding): string {
  switch (c.kind) {
    case 'flat':
      return `flat(${c.bitsPerValue}${c.compression === 'none' ? '' : `, ${c.compression}`})`;
    case 'variable':
      return `variable(${describeCompressiveEncoding(c.offsets)})`;
    case 'outOfLineBitpacking':
      return `out_of_line_bitpacking(${c.uncompressedBitsPerValue}, ${describeCompressiveEncoding(c.values)})`;
    case 'inlineBitpacking':
      return `inline_bitpacking(${c.uncompressedBitsPerValue})`;
    case 'fsst':
      return `fsst(${describeCompressiveEncoding(c.values)})`;
    case 'dictionary':
      return `dictionary(${describeCompressiveEncoding(c.indices)}, ${describeCompressiveEncoding(c.items)})`;
    case 'rle':
      return `rle(${describeCompressiveEncoding(c.values)}, ${describeCompressiveEncoding(c.runLengths)})`;
    case 'byteStreamSplit':
      return `byte_stream_split(${describeCompressiveEncoding(c.values)})`;
    case 'general':
      return `general(${c.compression}, ${describeCompressiveEncoding(c.values)})`;
    case 'fixedSizeList':
      return `fixed_size_list(${c.itemsPerValue}, ${describeCompressiveEncoding(c.values)})`;
    case 'unsupported':
      return c.name;
    default:
      return c.kind;
  }
}


/** The NotSupportedError for an encoding `c` met where this reader does not read it. */
export function compressiveNotSupported(where: string, c: CompressiveEncoding, context: string): NotSupportedError {
  return new NotSupportedError(`${where}: ${context} encoded as ${describeCompressiveEncoding(c)} is not supported by this reader`);
}

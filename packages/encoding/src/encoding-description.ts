/**
 * The self-describing, JSON-serialisable description of how an array was encoded, and the
 * {@link EncodedArray} that carries it with the bytes. See the package README for each layout.
 */

/** Every encoding the array-level API can write. */
export const ENCODING_KINDS = ['plain', 'zstd', 'bitpacked', 'rle', 'bss', 'bss-zstd', 'dictionary'] as const;

/** One of {@link ENCODING_KINDS}. */
export type EncodingKind = (typeof ENCODING_KINDS)[number];

/** How dictionary indices are stored. */
export type IndexEncoding = 'bitpacked' | 'rle';

/**
 * Encoding plus its parameters; plain JSON (no bigint: 64-bit references are decimal strings).
 * Buffer 0 of every {@link EncodedArray} is the validity bitmap; the payload buffers follow:
 * - `plain`: fixed width `[values LE]`; Bool `[bitmap]`; Utf8/Binary `[offsets i32 LE (length+1, from 0), bytes]`.
 * - `zstd`: the plain payload buffers, each compressed with {@link zstdCompress} at `level`.
 * - `bitpacked` (integers): `[bit-packed (value − reference) with bitWidth]`.
 * - `rle` (fixed width; Bool as one byte per value): `[RLE stream]`.
 * - `bss` (fixed width): `[byte-stream-split values]`; `bss-zstd`: `[zstdCompress(bss values)]`.
 * - `dictionary`: fixed width `[dictionary values LE, indices]`; Utf8/Binary `[dictionary offsets i32 LE, dictionary bytes, indices]`,
 *   indices bit-packed with `indexBitWidth` or RLE over u32.
 */
export type EncodingDescription =
  | { readonly kind: 'plain' }
  | { readonly kind: 'zstd'; readonly level: number }
  | { readonly kind: 'bitpacked'; readonly bitWidth: number; readonly reference: string }
  | { readonly kind: 'rle' }
  | { readonly kind: 'bss' }
  | { readonly kind: 'bss-zstd'; readonly level: number }
  | {
      readonly kind: 'dictionary';
      readonly dictionaryLength: number;
      readonly indices: IndexEncoding;
      readonly indexBitWidth: number;
    };

/** An encoded array: description plus buffers. Buffer 0 is the validity bitmap (empty when `nullCount` is 0). */
export interface EncodedArray {
  readonly encoding: EncodingDescription;
  /** `[validity, ...payload]`; each a copy owned by the EncodedArray. */
  readonly buffers: Uint8Array[];
  /** Elements. */
  readonly length: number;
  /** Null elements. */
  readonly nullCount: number;
}

/** Total bytes of an encoded array's buffers. */
export function encodedByteLength(encoded: EncodedArray): number {
  let total = 0;
  for (const b of encoded.buffers) total += b.length;
  return total;
}

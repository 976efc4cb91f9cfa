/**
 * Serialises Lance 2.1/2.2 page descriptions (`lance.encodings21.PageLayout`) to protobuf bytes. Field
 * numbers are those read by `../v2_1/layout.ts` (from upstream `encodings_v2_1.proto`).
 *
 * Example: a non-null int32 page of 3000 values, bit-packed →
 * `0A 0E 1A 04 2A 02 08 20 32 01 01 38 01 48 B8 17`
 * = mini_block { value_compression: inline_bitpacking { 32 }, layers: [ALL_VALID_ITEM], num_buffers: 1, num_items: 3000 }.
 */
import type { LanceValueCompression } from '@vego/encoding';
import { ProtoWriter } from '../internal/protobuf';
import type { RepDefLayer } from '../v2_1/layout';

/** `Flat { bits_per_value = 1 }` inside `CompressiveEncoding.flat = 1`. */
function flat(bits: number): ProtoWriter {
  return new ProtoWriter(8).message(1, new ProtoWriter(8).uint(1, bits));
}

/** A `CompressiveEncoding` message for a value compression. */
export function compressiveBytes(c: LanceValueCompression): ProtoWriter {
  switch (c.kind) {
    case 'flat':
      return flat(c.bitsPerValue);
    case 'inlineBitpacking':
      return new ProtoWriter(8).message(5, new ProtoWriter(8).uint(1, c.uncompressedBitsPerValue));
    case 'variable':
      return new ProtoWriter(16).message(2, new ProtoWriter(16).message(1, flat(c.offsetBits)));
    case 'fsst':
      // Fsst { symbol_table = 1, values = 2 }
      return new ProtoWriter(c.symbolTable.length + 32).message(6, new ProtoWriter(c.symbolTable.length + 32).bytesField(1, c.symbolTable).message(2, compressiveBytes(c.values)));
    case 'rle':
      // Rle { values = 1, run_lengths = 2 }
      return new ProtoWriter(16).message(8, new ProtoWriter(16).message(1, flat(c.bitsPerValue)).message(2, flat(8)));
    case 'fixedSizeList':
      return new ProtoWriter(32).message(
        11,
        new ProtoWriter(32).uint(1, c.itemsPerValue).message(2, compressiveBytes(c.values)).boolIfSet(3, c.hasValidity),
      );
  }
}

/** `out_of_line_bitpacking(16, flat(W))` of repetition/definition levels. */
export function levelCompressionBytes(bitWidth: number): ProtoWriter {
  return new ProtoWriter(16).message(4, new ProtoWriter(16).uint(1, 16).message(3, flat(bitWidth)));
}

/** What a mini-block page layout says. */
export interface MiniBlockLayoutInit {
  repBitWidth: number | null;
  defBitWidth: number | null;
  values: LanceValueCompression;
  layers: readonly RepDefLayer[];
  numBuffers: number;
  repetitionIndexDepth: number;
  numItems: number;
  hasLargeChunk: boolean;
  /** The page dictionary in buffer 2 (a `variable(flat(32))` block or raw `flat` values) and its items, or null. */
  dictionary: { compression: LanceValueCompression; numItems: number } | null;
}

/** `PageLayout { mini_block_layout = 1 }` bytes. */
export function miniBlockLayoutBytes(m: MiniBlockLayoutInit): Uint8Array {
  const b = new ProtoWriter(64);
  if (m.repBitWidth !== null) b.message(1, levelCompressionBytes(m.repBitWidth));
  if (m.defBitWidth !== null) b.message(2, levelCompressionBytes(m.defBitWidth));
  b.message(3, compressiveBytes(m.values));
  if (m.dictionary !== null) {
    b.message(4, compressiveBytes(m.dictionary.compression));
    b.uintIfSet(5, m.dictionary.numItems);
  }
  b.packedUints(6, m.layers);
  b.uintIfSet(7, m.numBuffers);
  b.uintIfSet(8, m.repetitionIndexDepth);
  b.uintIfSet(9, m.numItems);
  b.boolIfSet(10, m.hasLargeChunk);
  return new ProtoWriter(96).message(1, b).finish().slice();
}

/**
 * What a full-zip page layout says: fixed-width values (`bitsPerValue`) or variable-width ones
 * (`bitsPerOffset`: the width of each value's length), with their levels' widths and item counts
 * (`numVisibleItems`: items that carry a value or a null, not null or empty lists; all items when absent).
 */
export interface FullZipLayoutInit {
  bitsRep?: number;
  bitsDef: number;
  bitsPerValue?: number;
  bitsPerOffset?: number;
  numItems: number;
  numVisibleItems?: number;
  values: LanceValueCompression;
  layers: readonly RepDefLayer[];
}

/** `PageLayout { full_zip_layout = 3 }` bytes: `FullZipLayout { bits_rep = 1, bits_def = 2, bits_per_value = 3 | bits_per_offset = 4, num_items = 5, num_visible_items = 6, value_compression = 7, layers = 8 }`. */
export function fullZipLayoutBytes(z: FullZipLayoutInit): Uint8Array {
  const b = new ProtoWriter(64).uintIfSet(1, z.bitsRep ?? 0).uintIfSet(2, z.bitsDef);
  if (z.bitsPerOffset !== undefined) b.uint(4, z.bitsPerOffset);
  else b.uint(3, z.bitsPerValue!);
  b.uintIfSet(5, z.numItems)
    .uintIfSet(6, z.numVisibleItems ?? z.numItems)
    .message(7, compressiveBytes(z.values))
    .packedUints(8, z.layers);
  return new ProtoWriter(96).message(3, b).finish().slice();
}

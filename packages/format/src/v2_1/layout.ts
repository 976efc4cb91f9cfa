/**
 * `lance.encodings21.PageLayout` and `CompressiveEncoding` (Lance 2.1/2.2 page descriptions) as plain
 * objects, decoded defensively. Field numbers are those of the upstream `encodings_v2_1.proto`:
 *
 * ```text
 * PageLayout oneof: mini_block_layout 1, constant_layout 2, full_zip_layout 3, blob_layout 4, sparse_layout 5
 * MiniBlockLayout { rep_compression 1, def_compression 2, value_compression 3, dictionary 4,
 *   num_dictionary_items 5, layers 6 (packed enum), num_buffers 7, repetition_index_depth 8, num_items 9, has_large_chunk 10 }
 * ConstantLayout { layers 5, inline_value 6, rep_compression 7, def_compression 8, num_rep_values 9, num_def_values 10 }
 * FullZipLayout { bits_rep 1, bits_def 2, oneof { bits_per_value 3, bits_per_offset 4 }, num_items 5,
 *   num_visible_items 6, value_compression 7, layers 8 }
 * CompressiveEncoding oneof: flat 1 { bits_per_value 1, data 2 (BufferCompression) }, variable 2 { offsets 1, values 2 },
 *   constant 3 { value 1 }, out_of_line_bitpacking 4 { uncompressed_bits_per_value 1, values 3 },
 *   inline_bitpacking 5 { uncompressed_bits_per_value 1, values 2 }, fsst 6 { symbol_table 1, values 2 },
 *   dictionary 7 { indices 1, items 2, num_dictionary_items 3 }, rle 8 { values 1, run_lengths 2 },
 *   byte_stream_split 9 { values 1 }, general 10 { compression 1, values 3 },
 *   fixed_size_list 11 { items_per_value 1, values 2, has_validity 3 }, packed_struct 12, variable_packed_struct 13,
 *   range 14, delta 15
 * BufferCompression { scheme 1 (0 unspecified, 1 LZ4, 2 ZSTD), level 2 }
 * RepDefLayer: 1 ALL_VALID_ITEM, 2 ALL_VALID_LIST, 3 NULLABLE_ITEM, 4 NULLABLE_LIST, 5 EMPTYABLE_LIST, 6 NULL_AND_EMPTY_LIST
 * ```
 * Example (a non-null int32 page written by LanceDB 0.39 as 2.1):
 * `0A 0E 1A 04 2A 02 08 20 32 01 01 38 01 48 B8 17` = mini_block { value_compression: inline_bitpacking { 32 },
 * layers: [ALL_VALID_ITEM], num_buffers: 1, num_items: 3000 }.
 */
import { CorruptDataError, describeCompressiveEncoding as describeCompressive } from '@vego/encoding';
import type { BufferCompressionScheme as CompressionScheme, CompressiveEncoding as Compressive } from '@vego/encoding';
import { ProtoMessage } from '../internal/protobuf';

/** Meaning of one repetition/definition layer (innermost first in a page). */
export const enum RepDefLayer {
  AllValidItem = 1,
  AllValidList = 2,
  NullableItem = 3,
  NullableList = 4,
  EmptyableList = 5,
  NullAndEmptyList = 6,
}

/**
 * The compression tree of a 2.1 page, as plain data; its type and decoders live in @vego/encoding
 * (`src/lance/decode/`), which format parses into (named here as before).
 */
export type { CompressiveEncoding as Compressive, BufferCompressionScheme as CompressionScheme } from '@vego/encoding';
export { describeCompressiveEncoding as describeCompressive } from '@vego/encoding';

/** A decoded 2.1 page layout. */
export type PageLayout =
  | {
      kind: 'miniBlock';
      rep: Compressive | null;
      def: Compressive | null;
      values: Compressive;
      dictionary: Compressive | null;
      numDictionaryItems: number;
      layers: RepDefLayer[];
      numBuffers: number;
      repetitionIndexDepth: number;
      numItems: number;
      hasLargeChunk: boolean;
    }
  | {
      kind: 'constant';
      layers: RepDefLayer[];
      inlineValue: Uint8Array | null;
      rep: Compressive | null;
      def: Compressive | null;
      numRepValues: number;
      numDefValues: number;
    }
  | {
      kind: 'fullZip';
      bitsRep: number;
      bitsDef: number;
      bitsPerValue: number;
      bitsPerOffset: number;
      numItems: number;
      numVisibleItems: number;
      values: Compressive;
      layers: RepDefLayer[];
    }
  | { kind: 'unsupported'; name: string };

const MAX_DEPTH = 32;
const COMPRESSIVE_NAMES: Record<number, string> = {
  12: 'packed_struct',
  13: 'variable_packed_struct',
  14: 'range',
  15: 'delta',
};

function scheme(m: ProtoMessage | undefined): CompressionScheme {
  if (m === undefined) return 'none';
  const s = m.uint(1);
  if (s === 0) return 'none';
  if (s === 1) return 'lz4';
  if (s === 2) return 'zstd';
  throw new CorruptDataError(`${m.what}: unknown compression scheme ${s}, expected 0, 1 (LZ4) or 2 (ZSTD)`);
}

function need(m: ProtoMessage, field: number, name: string, depth: number): Compressive {
  const c = m.message(field, name);
  if (c === undefined) throw new CorruptDataError(`${m.what}: missing ${name}`);
  return readCompressive(c, depth + 1);
}

function optional(m: ProtoMessage, field: number, name: string, depth: number): Compressive | null {
  const c = m.message(field, name);
  return c === undefined ? null : readCompressive(c, depth + 1);
}

function readCompressive(m: ProtoMessage, depth: number): Compressive {
  if (depth > MAX_DEPTH) throw new CorruptDataError(`${m.what}: compression tree deeper than ${MAX_DEPTH} levels`);
  const present = m.fieldNumbers();
  if (present.length === 0) throw new CorruptDataError(`${m.what}: empty CompressiveEncoding (no oneof member set)`);
  const which = present[present.length - 1]!;
  const body = (name: string): ProtoMessage => m.message(which, name)!;
  switch (which) {
    case 1: {
      const f = body('flat');
      return { kind: 'flat', bitsPerValue: f.uint(1), compression: scheme(f.message(2, 'data')) };
    }
    case 2: {
      const v = body('variable');
      return { kind: 'variable', offsets: need(v, 1, 'offsets', depth), compression: scheme(v.message(2, 'values')) };
    }
    case 3:
      return { kind: 'constant', value: body('constant').bytesField(1) ?? new Uint8Array(0) };
    case 4: {
      const b = body('out_of_line_bitpacking');
      return { kind: 'outOfLineBitpacking', uncompressedBitsPerValue: b.uint(1), values: need(b, 3, 'values', depth) };
    }
    case 5: {
      const b = body('inline_bitpacking');
      return { kind: 'inlineBitpacking', uncompressedBitsPerValue: b.uint(1), compression: scheme(b.message(2, 'values')) };
    }
    case 6: {
      const f = body('fsst');
      return { kind: 'fsst', symbolTable: f.bytesField(1) ?? new Uint8Array(0), values: need(f, 2, 'values', depth) };
    }
    case 7: {
      const d = body('dictionary');
      return { kind: 'dictionary', indices: need(d, 1, 'indices', depth), items: need(d, 2, 'items', depth), numDictionaryItems: d.uint(3) };
    }
    case 8: {
      const r = body('rle');
      return { kind: 'rle', values: need(r, 1, 'values', depth), runLengths: need(r, 2, 'run_lengths', depth) };
    }
    case 9:
      return { kind: 'byteStreamSplit', values: need(body('byte_stream_split'), 1, 'values', depth) };
    case 10: {
      const g = body('general');
      return { kind: 'general', compression: scheme(g.message(1, 'compression')), values: need(g, 3, 'values', depth) };
    }
    case 11: {
      const f = body('fixed_size_list');
      return { kind: 'fixedSizeList', itemsPerValue: f.uint(1), hasValidity: f.bool(3), values: need(f, 2, 'values', depth) };
    }
    default:
      return { kind: 'unsupported', name: COMPRESSIVE_NAMES[which] ?? `compressive encoding #${which}` };
  }
}

function layers(m: ProtoMessage, field: number): RepDefLayer[] {
  const out = m.uints(field);
  for (const l of out) {
    if (l < 1 || l > 6) throw new CorruptDataError(`${m.what}: unknown repetition/definition layer ${l}, expected 1..6`);
  }
  return out as RepDefLayer[];
}

/**
 * Decodes `PageLayout` protobuf bytes.
 * @throws CorruptDataError on malformed bytes.
 */
export function decodePageLayout(bytes: Uint8Array, what = 'PageLayout'): PageLayout {
  const m = ProtoMessage.decode(bytes, what);
  const present = m.fieldNumbers();
  if (present.length === 0) throw new CorruptDataError(`${what}: empty PageLayout (no oneof member set)`);
  const which = present[present.length - 1]!;
  switch (which) {
    case 1: {
      const b = m.message(1, 'mini_block_layout')!;
      const values = b.message(3, 'value_compression');
      if (values === undefined) throw new CorruptDataError(`${b.what}: missing value_compression`);
      return {
        kind: 'miniBlock',
        rep: optional(b, 1, 'rep_compression', 0),
        def: optional(b, 2, 'def_compression', 0),
        values: readCompressive(values, 1),
        dictionary: optional(b, 4, 'dictionary', 0),
        numDictionaryItems: b.uint(5),
        layers: layers(b, 6),
        numBuffers: b.uint(7),
        repetitionIndexDepth: b.uint(8),
        numItems: b.uint(9),
        hasLargeChunk: b.bool(10),
      };
    }
    case 2: {
      const c = m.message(2, 'constant_layout')!;
      return {
        kind: 'constant',
        layers: layers(c, 5),
        inlineValue: c.has(6) ? (c.bytesField(6) ?? new Uint8Array(0)) : null,
        rep: optional(c, 7, 'rep_compression', 0),
        def: optional(c, 8, 'def_compression', 0),
        numRepValues: c.uint(9),
        numDefValues: c.uint(10),
      };
    }
    case 3: {
      const z = m.message(3, 'full_zip_layout')!;
      const values = z.message(7, 'value_compression');
      if (values === undefined) throw new CorruptDataError(`${z.what}: missing value_compression`);
      return {
        kind: 'fullZip',
        bitsRep: z.uint(1),
        bitsDef: z.uint(2),
        bitsPerValue: z.uint(3),
        bitsPerOffset: z.uint(4),
        numItems: z.uint(5),
        numVisibleItems: z.uint(6),
        values: readCompressive(values, 1),
        layers: layers(z, 8),
      };
    }
    case 4:
      return { kind: 'unsupported', name: 'blob_layout' };
    case 5:
      return { kind: 'unsupported', name: 'sparse_layout' };
    default:
      return { kind: 'unsupported', name: `page layout #${which}` };
  }
}

/** Short description of a page layout, e.g. `mini_block(inline_bitpacking(32), def: flat(16))`. */
export function describePageLayout(l: PageLayout): string {
  switch (l.kind) {
    case 'miniBlock': {
      const parts = [describeCompressive(l.values)];
      if (l.dictionary !== null) parts.push(`dictionary: ${describeCompressive(l.dictionary)}`);
      if (l.rep !== null) parts.push(`rep: ${describeCompressive(l.rep)}`);
      if (l.def !== null) parts.push(`def: ${describeCompressive(l.def)}`);
      return `mini_block(${parts.join(', ')})`;
    }
    case 'fullZip':
      return `full_zip(${describeCompressive(l.values)}${l.bitsRep > 0 ? `, rep ${l.bitsRep} bits` : ''}${l.bitsDef > 0 ? `, def ${l.bitsDef} bits` : ''})`;
    case 'constant':
      return l.inlineValue === null ? 'constant(all null)' : `constant(${l.inlineValue.length} bytes)`;
    default:
      return l.name;
  }
}

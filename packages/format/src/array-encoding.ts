/**
 * `lance.encodings.ArrayEncoding` (Lance 2.0) as plain objects, with its protobuf encoder and a
 * defensive decoder. Field numbers are those of the upstream `encodings_v2_0.proto`:
 *
 * ```text
 * ArrayEncoding oneof: flat 1, nullable 2, fixed_size_list 3, list 4, struct 5, binary 6, dictionary 7,
 *   fsst 8, packed_struct 9, bitpacked 10, fixed_size_binary 11, bitpacked_for_non_neg 12, constant 13, …
 * Flat { bits_per_value 1, buffer 2 (Buffer { buffer_index 1, buffer_type 2 }), compression 3 ({ scheme 1, level 2 }) }
 * Nullable oneof { no_nulls 1 { values 1 }, some_nulls 2 { validity 1, values 2 }, all_nulls 3 {} }
 * FixedSizeList { dimension 1, items 2, has_validity 3 }   List { offsets 1, null_offset_adjustment 2, num_items 3 }
 * Binary { indices 1, bytes 2, null_adjustment 3 }        Dictionary { indices 1, items 2, num_dictionary_items 3 }
 * Constant { value 1 }   Bitpacked { compressed_bits_per_value 1, uncompressed_bits_per_value 2, buffer 3, signed 4 }
 * FixedSizeBinary { bytes 1, byte_width 2 }
 * ```
 * Example: a non-null int32 page is `nullable { no_nulls { values: flat { bits_per_value: 32, buffer {} } } }`,
 * on the wire `12 0A 0A 08 0A 06 0A 04 08 20 12 00` (the empty `buffer {}` is written, as Lance does).
 */
import { CorruptDataError } from '@vego/encoding';
import { ProtoMessage, ProtoWriter } from './internal/protobuf';

/** Where a buffer lives: in the page (0), the column metadata (1) or the file's global buffers (2). */
export type BufferLocation = 'page' | 'column' | 'file';

/** A reference to one buffer. */
export interface BufferRef {
  index: number;
  location: BufferLocation;
}

/** Optional general-purpose compression of a flat buffer. */
export interface CompressionSpec {
  scheme: string;
  level?: number;
}

/** One node of a Lance 2.0 page encoding tree. */
export type ArrayEncoding =
  | { kind: 'flat'; bitsPerValue: number; buffer: BufferRef; compression?: CompressionSpec }
  | { kind: 'nullable'; nulls: 'none'; values: ArrayEncoding }
  | { kind: 'nullable'; nulls: 'some'; validity: ArrayEncoding; values: ArrayEncoding }
  | { kind: 'nullable'; nulls: 'all' }
  | { kind: 'fixedSizeList'; dimension: number; hasValidity: boolean; items: ArrayEncoding }
  | { kind: 'list'; offsets: ArrayEncoding; nullOffsetAdjustment: number; numItems: number }
  | { kind: 'struct' }
  | { kind: 'binary'; indices: ArrayEncoding; bytes: ArrayEncoding; nullAdjustment: number }
  | { kind: 'dictionary'; indices: ArrayEncoding; items: ArrayEncoding; numDictionaryItems: number }
  | { kind: 'constant'; value: Uint8Array }
  | { kind: 'bitpacked'; compressedBitsPerValue: number; uncompressedBitsPerValue: number; buffer: BufferRef; signed: boolean }
  | { kind: 'fixedSizeBinary'; bytes: ArrayEncoding; byteWidth: number }
  | { kind: 'unknown'; fieldNumber: number };

/** Deepest encoding tree the decoder follows (hostile input could nest without end). */
const MAX_DEPTH = 32;
const LOCATIONS: BufferLocation[] = ['page', 'column', 'file'];

function writeBuffer(b: BufferRef): ProtoWriter {
  const w = new ProtoWriter(8).uintIfSet(1, b.index);
  const loc = LOCATIONS.indexOf(b.location);
  return w.uintIfSet(2, loc);
}

/** Serialises an encoding tree to `ArrayEncoding` protobuf bytes (a new array). */
export function encodeArrayEncoding(e: ArrayEncoding): Uint8Array {
  return arrayEncodingWriter(e).finish();
}

function arrayEncodingWriter(e: ArrayEncoding): ProtoWriter {
  const w = new ProtoWriter(32);
  switch (e.kind) {
    case 'flat': {
      const f = new ProtoWriter(16).uintIfSet(1, e.bitsPerValue).message(2, writeBuffer(e.buffer));
      if (e.compression !== undefined) {
        const c = new ProtoWriter(16).string(1, e.compression.scheme);
        if (e.compression.level !== undefined) c.int(2, e.compression.level);
        f.message(3, c);
      }
      return w.message(1, f);
    }
    case 'nullable': {
      const n = new ProtoWriter(32);
      if (e.nulls === 'none') n.message(1, new ProtoWriter().message(1, arrayEncodingWriter(e.values)));
      else if (e.nulls === 'some') n.message(2, new ProtoWriter().message(1, arrayEncodingWriter(e.validity)).message(2, arrayEncodingWriter(e.values)));
      else n.message(3, new Uint8Array(0));
      return w.message(2, n);
    }
    case 'fixedSizeList':
      return w.message(3, new ProtoWriter().uintIfSet(1, e.dimension).message(2, arrayEncodingWriter(e.items)).boolIfSet(3, e.hasValidity));
    case 'list':
      return w.message(4, new ProtoWriter().message(1, arrayEncodingWriter(e.offsets)).uintIfSet(2, e.nullOffsetAdjustment).uintIfSet(3, e.numItems));
    case 'struct':
      return w.message(5, new Uint8Array(0));
    case 'binary':
      return w.message(6, new ProtoWriter().message(1, arrayEncodingWriter(e.indices)).message(2, arrayEncodingWriter(e.bytes)).uintIfSet(3, e.nullAdjustment));
    case 'dictionary':
      return w.message(7, new ProtoWriter().message(1, arrayEncodingWriter(e.indices)).message(2, arrayEncodingWriter(e.items)).uintIfSet(3, e.numDictionaryItems));
    case 'constant':
      return w.message(13, new ProtoWriter().bytesField(1, e.value));
    case 'bitpacked':
      return w.message(
        10,
        new ProtoWriter().uintIfSet(1, e.compressedBitsPerValue).uintIfSet(2, e.uncompressedBitsPerValue).message(3, writeBuffer(e.buffer)).boolIfSet(4, e.signed),
      );
    case 'fixedSizeBinary':
      return w.message(11, new ProtoWriter().message(1, arrayEncodingWriter(e.bytes)).uintIfSet(2, e.byteWidth));
    case 'unknown':
      throw new CorruptDataError(`cannot encode an unknown array encoding (field ${e.fieldNumber})`);
  }
}

function readBuffer(m: ProtoMessage | undefined): BufferRef {
  if (m === undefined) return { index: 0, location: 'page' };
  const t = m.uint(2);
  const location = LOCATIONS[t];
  if (location === undefined) throw new CorruptDataError(`${m.what}: unknown buffer type ${t}, expected 0 (page), 1 (column) or 2 (file)`);
  return { index: m.uint(1), location };
}

function required(m: ProtoMessage | undefined, owner: ProtoMessage, name: string): ProtoMessage {
  if (m === undefined) throw new CorruptDataError(`${owner.what}: missing ${name}`);
  return m;
}

/**
 * Decodes `ArrayEncoding` protobuf bytes into an encoding tree. Unknown oneof members come back as
 * `{ kind: 'unknown' }` so the page reader can say which encoding it does not support.
 * @throws CorruptDataError on malformed bytes or a tree deeper than 32 levels.
 */
export function decodeArrayEncoding(bytes: Uint8Array, what = 'ArrayEncoding'): ArrayEncoding {
  return readArrayEncoding(ProtoMessage.decode(bytes, what), 0);
}

function child(m: ProtoMessage, field: number, name: string, depth: number): ArrayEncoding {
  return readArrayEncoding(required(m.message(field, name), m, name), depth + 1);
}

function readArrayEncoding(m: ProtoMessage, depth: number): ArrayEncoding {
  if (depth > MAX_DEPTH) throw new CorruptDataError(`${m.what}: encoding tree deeper than ${MAX_DEPTH} levels`);
  const present = m.fieldNumbers();
  if (present.length === 0) throw new CorruptDataError(`${m.what}: empty ArrayEncoding (no oneof member set)`);
  const which = present[present.length - 1]!;
  switch (which) {
    case 1: {
      const f = required(m.message(1, 'flat'), m, 'flat');
      const c = f.message(3, 'compression');
      const out: ArrayEncoding = { kind: 'flat', bitsPerValue: f.uint(1), buffer: readBuffer(f.message(2, 'buffer')) };
      if (c !== undefined) {
        out.compression = c.has(2) ? { scheme: c.string(1), level: c.int32(2) } : { scheme: c.string(1) };
      }
      return out;
    }
    case 2: {
      const n = required(m.message(2, 'nullable'), m, 'nullable');
      const kinds = n.fieldNumbers();
      const k = kinds[kinds.length - 1];
      if (k === 1) {
        const nn = required(n.message(1, 'no_nulls'), n, 'no_nulls');
        return { kind: 'nullable', nulls: 'none', values: child(nn, 1, 'values', depth) };
      }
      if (k === 2) {
        const sn = required(n.message(2, 'some_nulls'), n, 'some_nulls');
        return { kind: 'nullable', nulls: 'some', validity: child(sn, 1, 'validity', depth), values: child(sn, 2, 'values', depth) };
      }
      if (k === 3) return { kind: 'nullable', nulls: 'all' };
      throw new CorruptDataError(`${n.what}: expected no_nulls (1), some_nulls (2) or all_nulls (3), found ${k ?? 'nothing'}`);
    }
    case 3: {
      const f = required(m.message(3, 'fixed_size_list'), m, 'fixed_size_list');
      return { kind: 'fixedSizeList', dimension: f.uint(1), hasValidity: f.bool(3), items: child(f, 2, 'items', depth) };
    }
    case 4: {
      const l = required(m.message(4, 'list'), m, 'list');
      return { kind: 'list', offsets: child(l, 1, 'offsets', depth), nullOffsetAdjustment: l.uint(2), numItems: l.uint(3) };
    }
    case 5:
      return { kind: 'struct' };
    case 6: {
      const b = required(m.message(6, 'binary'), m, 'binary');
      return { kind: 'binary', indices: child(b, 1, 'indices', depth), bytes: child(b, 2, 'bytes', depth), nullAdjustment: b.uint(3) };
    }
    case 7: {
      const d = required(m.message(7, 'dictionary'), m, 'dictionary');
      return { kind: 'dictionary', indices: child(d, 1, 'indices', depth), items: child(d, 2, 'items', depth), numDictionaryItems: d.uint(3) };
    }
    case 10: {
      const b = required(m.message(10, 'bitpacked'), m, 'bitpacked');
      return {
        kind: 'bitpacked',
        compressedBitsPerValue: b.uint(1),
        uncompressedBitsPerValue: b.uint(2),
        buffer: readBuffer(b.message(3, 'buffer')),
        signed: b.bool(4),
      };
    }
    case 11: {
      const f = required(m.message(11, 'fixed_size_binary'), m, 'fixed_size_binary');
      return { kind: 'fixedSizeBinary', bytes: child(f, 1, 'bytes', depth), byteWidth: f.uint(2) };
    }
    case 13: {
      const c = required(m.message(13, 'constant'), m, 'constant');
      return { kind: 'constant', value: c.bytesField(1) ?? new Uint8Array(0) };
    }
    default:
      return { kind: 'unknown', fieldNumber: which };
  }
}

/** Short human description of an encoding tree, e.g. `nullable(some, flat(1), flat(32))`. */
export function describeArrayEncoding(e: ArrayEncoding): string {
  switch (e.kind) {
    case 'flat':
      return `flat(${e.bitsPerValue}${e.compression ? `, ${e.compression.scheme}` : ''})`;
    case 'nullable':
      return e.nulls === 'none'
        ? `nullable(none, ${describeArrayEncoding(e.values)})`
        : e.nulls === 'some'
          ? `nullable(some, ${describeArrayEncoding(e.validity)}, ${describeArrayEncoding(e.values)})`
          : 'nullable(all)';
    case 'fixedSizeList':
      return `fixed_size_list(${e.dimension}, ${describeArrayEncoding(e.items)})`;
    case 'list':
      return `list(${describeArrayEncoding(e.offsets)})`;
    case 'binary':
      return `binary(${describeArrayEncoding(e.indices)}, ${describeArrayEncoding(e.bytes)})`;
    case 'dictionary':
      return `dictionary(${e.numDictionaryItems}, ${describeArrayEncoding(e.indices)}, ${describeArrayEncoding(e.items)})`;
    case 'bitpacked':
      return `bitpacked(${e.compressedBitsPerValue}/${e.uncompressedBitsPerValue})`;
    case 'fixedSizeBinary':
      return `fixed_size_binary(${e.byteWidth})`;
    case 'unknown':
      return `unknown(#${e.fieldNumber})`;
    default:
      return e.kind;
  }
}

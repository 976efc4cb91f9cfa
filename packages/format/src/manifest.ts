/**
 * The Lance table manifest (`_versions/*.manifest`) as bytes: encode and decode, no directories.
 *
 * Framing (little-endian):
 * ```text
 * [optional u32 len + IndexSection] [optional u32 len + Transaction]
 * u32 len, Manifest protobuf (len bytes)
 * i64 position of that u32 len   u16 0   u16 2   "LANC"          (16-byte trailer)
 * ```
 * `lance.table.Manifest` fields read and written: fields 1, fragments 2, version 3, version_aux_data 4,
 * schema_metadata 5, index_section 6, timestamp 7 ({seconds 1, nanos 2}), tag 8, reader_feature_flags 9,
 * writer_feature_flags 10, max_fragment_id 11, transaction_file 12, writer_version 13 ({library 1,
 * version 2, prerelease 3, build_metadata 4}), next_row_id 14, data_format 15 ({file_format 1,
 * version 2}), config 16, table_metadata 19, branch 20, transaction_section 21. Other fields are
 * skipped (their numbers are listed in `unknownFields`).
 * `DataFragment { id 1, files 2, deletion_file 3, physical_rows 4 }`;
 * `DataFile { path 1, fields 2, column_indices 3, file_major_version 4, file_minor_version 5, file_size_bytes 6, base_id 7 }`;
 * `DeletionFile { file_type 1 (ARROW_ARRAY 0, BITMAP 1), read_version 2, id 3, num_deleted_rows 4, base_id 7 }`.
 */
import { CorruptDataError, ErrorCode, InvalidArgumentError, Schema, TypeId, isVegoError } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import { MAGIC } from './footer';
import { ProtoMessage, ProtoWriter } from './internal/protobuf';
import { readLanceField, schemaToLanceFields, writeLanceField } from './lance-schema';
import type { LanceField } from './lance-schema';
import { isNestedLogicalType } from './logical-types';

/** `lance.table.DeletionFile`. */
export interface DeletionFile {
  fileType: 'arrow_array' | 'bitmap';
  readVersion: number;
  /** Random 64-bit id (as LanceDB writes it). */
  id: bigint;
  numDeletedRows: number;
  baseId?: number;
}

/** `lance.table.DataFile`: one data file of a fragment. */
export interface DataFile {
  /** Path relative to the table's `data/` directory. */
  path: string;
  /** Field ids stored in the file. */
  fields: number[];
  /** Column index of each field (-1 for fields without a top-level column). */
  columnIndices: number[];
  fileMajorVersion: number;
  fileMinorVersion: number;
  /** Size of the file (0 = unknown). */
  fileSizeBytes: number;
  baseId?: number;
  /** Field numbers present in the bytes that this decoder skipped (absent when none). */
  unknownFields?: number[];
}

/** `lance.table.DataFragment`. */
export interface DataFragment {
  id: number;
  files: DataFile[];
  deletionFile?: DeletionFile;
  /** Rows including deleted ones. */
  physicalRows: number;
  /**
   * Field numbers present in the bytes that this decoder skipped (absent when none): row-id and
   * row-version sequences, overlay files, later additions. {@link encodeManifest} does not write them.
   */
  unknownFields?: number[];
}

/** `lance.table.Manifest` (the fields this library understands). */
export interface Manifest {
  fields: LanceField[];
  schemaMetadata: Map<string, Uint8Array>;
  fragments: DataFragment[];
  version: number;
  writerVersion?: { library: string; version: string; prerelease?: string; buildMetadata?: string };
  /** Creation time, milliseconds since the epoch (from the protobuf Timestamp). */
  timestampMs?: number;
  tag: string;
  readerFeatureFlags: number;
  writerFeatureFlags: number;
  maxFragmentId?: number;
  transactionFile: string;
  nextRowId: number;
  dataFormat?: { fileFormat: string; version: string };
  config: Map<string, string>;
  tableMetadata: Map<string, string>;
  versionAuxData: number;
  indexSection?: number;
  transactionSection?: number;
  branch?: string;
  /** Field numbers present in the bytes that this decoder skipped. */
  unknownFields: number[];
}

const TRAILER_BYTES = 16;
const KNOWN = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21]);
const KNOWN_FRAGMENT = new Set([1, 2, 3, 4]);
const KNOWN_DATA_FILE = new Set([1, 2, 3, 4, 5, 6, 7]);

/** The field numbers of `m` not in `known`, or undefined when there are none. */
function unknownOf(m: ProtoMessage, known: ReadonlySet<number>): number[] | undefined {
  const out = m.fieldNumbers().filter((f) => !known.has(f));
  return out.length === 0 ? undefined : out;
}

function writeStringMap(w: ProtoWriter, field: number, m: Map<string, string>): void {
  for (const [k, v] of m) w.message(field, new ProtoWriter().string(1, k).string(2, v));
}

function readStringMap(m: ProtoMessage, field: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of m.messages(field, 'map entry')) out.set(e.string(1), e.string(2));
  return out;
}

function writeDataFile(f: DataFile): ProtoWriter {
  const w = new ProtoWriter()
    .string(1, f.path)
    .packedInts(2, f.fields)
    .packedInts(3, f.columnIndices)
    .uintIfSet(4, f.fileMajorVersion)
    .uintIfSet(5, f.fileMinorVersion)
    .uintIfSet(6, f.fileSizeBytes);
  if (f.baseId !== undefined) w.uint(7, f.baseId);
  return w;
}

/** A `DataFragment` message. @internal */
export function writeFragment(f: DataFragment): ProtoWriter {
  const w = new ProtoWriter().uint(1, f.id);
  for (const file of f.files) w.message(2, writeDataFile(file));
  if (f.deletionFile !== undefined) {
    const d = f.deletionFile;
    const dw = new ProtoWriter()
      .uintIfSet(1, d.fileType === 'bitmap' ? 1 : 0)
      .uintIfSet(2, d.readVersion)
      .uint64(3, d.id)
      .uintIfSet(4, d.numDeletedRows);
    if (d.baseId !== undefined) dw.uint(7, d.baseId);
    w.message(3, dw);
  }
  return w.uintIfSet(4, f.physicalRows);
}

/** Sections a manifest file holds beside the Manifest message. */
export interface ManifestSections {
  /**
   * An `IndexSection` message (no length prefix), written first in the file, as LanceDB does; the
   * manifest's `index_section` then names its position (0), whatever `manifest.indexSection` says.
   */
  indexSection?: Uint8Array;
  /**
   * A `Transaction` message (no length prefix; {@link encodeTransaction}), written after the index
   * section, as LanceDB does; the manifest's `transaction_section` then names its position. LanceDB
   * reads it to rebase a commit of its own that raced this one.
   */
  transactionSection?: Uint8Array;
}

/**
 * Encodes a manifest file: the Manifest protobuf with its length prefix and 16-byte trailer (a new
 * array), after the sections given.
 * @throws InvalidArgumentError for a malformed manifest object.
 */
export function encodeManifest(manifest: Manifest, sections: ManifestSections = {}): Uint8Array {
  if (manifest === null || typeof manifest !== 'object' || !Array.isArray(manifest.fields) || !Array.isArray(manifest.fragments)) {
    throw new InvalidArgumentError('`manifest` must be a Manifest object');
  }
  const w = new ProtoWriter(1024);
  for (const f of manifest.fields) w.message(1, writeLanceField(f));
  for (const f of manifest.fragments) w.message(2, writeFragment(f));
  w.uint(3, manifest.version);
  w.uintIfSet(4, manifest.versionAuxData);
  for (const [k, v] of manifest.schemaMetadata) w.message(5, new ProtoWriter().string(1, k).bytesField(2, v));
  const index = sections.indexSection;
  const txn = sections.transactionSection;
  const txnAt = index === undefined ? 0 : 4 + index.length;
  if (index !== undefined) w.uint(6, 0);
  else if (manifest.indexSection !== undefined) w.uint(6, manifest.indexSection);
  if (manifest.timestampMs !== undefined) {
    const seconds = Math.floor(manifest.timestampMs / 1000);
    const nanos = Math.round((manifest.timestampMs - seconds * 1000) * 1e6);
    w.message(7, new ProtoWriter().int(1, seconds).uintIfSet(2, nanos));
  }
  w.stringIfSet(8, manifest.tag);
  w.uintIfSet(9, manifest.readerFeatureFlags);
  w.uintIfSet(10, manifest.writerFeatureFlags);
  if (manifest.maxFragmentId !== undefined) w.uint(11, manifest.maxFragmentId);
  w.stringIfSet(12, manifest.transactionFile);
  if (manifest.writerVersion !== undefined) {
    const v = manifest.writerVersion;
    const vw = new ProtoWriter().string(1, v.library).string(2, v.version);
    if (v.prerelease !== undefined) vw.string(3, v.prerelease);
    if (v.buildMetadata !== undefined) vw.string(4, v.buildMetadata);
    w.message(13, vw);
  }
  w.uintIfSet(14, manifest.nextRowId);
  if (manifest.dataFormat !== undefined) w.message(15, new ProtoWriter().string(1, manifest.dataFormat.fileFormat).string(2, manifest.dataFormat.version));
  writeStringMap(w, 16, manifest.config);
  writeStringMap(w, 19, manifest.tableMetadata);
  if (manifest.branch !== undefined) w.string(20, manifest.branch);
  if (txn !== undefined) w.uint(21, txnAt);
  else if (manifest.transactionSection !== undefined) w.uint(21, manifest.transactionSection);
  const body = w.finish();
  const before = txnAt + (txn === undefined ? 0 : 4 + txn.length);
  const out = new Uint8Array(before + 4 + body.length + TRAILER_BYTES);
  const dv = new DataView(out.buffer);
  if (index !== undefined) {
    dv.setUint32(0, index.length, true);
    out.set(index, 4);
  }
  if (txn !== undefined) {
    dv.setUint32(txnAt, txn.length, true);
    out.set(txn, txnAt + 4);
  }
  dv.setUint32(before, body.length, true);
  out.set(body, before + 4);
  const t = before + 4 + body.length;
  dv.setBigInt64(t, BigInt(before), true);
  dv.setUint16(t + 8, 0, true);
  dv.setUint16(t + 10, 2, true);
  out.set(MAGIC, t + 12);
  return out;
}

/**
 * Decodes a manifest file (the whole `_versions/N.manifest` bytes).
 * @throws CorruptDataError for bad magic, lengths that disagree with the size, or malformed protobuf
 *   (naming the byte offset in the file): every failure caused by the bytes is CorruptDataError,
 *   except NotSupportedError / UnsupportedVersionError for well-formed content this build cannot read;
 *   InvalidArgumentError only when `bytes` is not a Uint8Array.
 */
export function decodeManifest(bytes: Uint8Array): Manifest {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('`bytes` must be a Uint8Array');
  try {
    return decodeManifestBytes(bytes);
  } catch (e) {
    throw asCorruptManifest(e);
  }
}

/**
 * Damage in a file is CorruptDataError: errors of other kinds raised while decoding its bytes (an
 * argument check deep in a constructor, a RangeError) are turned into one, the original as `cause`.
 */
function asCorruptManifest(e: unknown): unknown {
  if (isVegoError(e)) {
    if (e.code === ErrorCode.CORRUPT_DATA || e.code === ErrorCode.NOT_SUPPORTED || e.code === ErrorCode.UNSUPPORTED_VERSION) return e;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new CorruptDataError(`manifest: ${msg}`, { cause: e });
}

function decodeManifestBytes(bytes: Uint8Array): Manifest {
  const size = bytes.length;
  if (size < TRAILER_BYTES + 4) throw new CorruptDataError(`manifest: ${size} bytes is too short (at least ${TRAILER_BYTES + 4})`);
  for (let i = 0; i < 4; i++) {
    if (bytes[size - 4 + i] !== MAGIC[i]) throw new CorruptDataError(`manifest: expected magic "LANC" at byte ${size - 4}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, size);
  const pos = dv.getBigInt64(size - TRAILER_BYTES, true);
  const end = size - TRAILER_BYTES;
  if (pos < 0n || pos + 4n > BigInt(end)) throw new CorruptDataError(`manifest: metadata position ${pos} lies outside the ${end} bytes before the trailer`);
  const p = Number(pos);
  const len = dv.getUint32(p, true);
  if (p + 4 + len > end) throw new CorruptDataError(`manifest: message of ${len} bytes at ${p + 4} runs past the trailer at ${end}`);
  const m = ProtoMessage.decode(bytes.subarray(p + 4, p + 4 + len), 'Manifest', p + 4);
  const out: Manifest = {
    fields: m.messages(1, 'field').map(readLanceField),
    schemaMetadata: new Map(m.messages(5, 'schema_metadata').map((e) => [e.string(1), e.bytesField(2) ?? new Uint8Array(0)])),
    fragments: m.messages(2, 'fragment').map(readFragment),
    version: m.uint(3),
    tag: m.string(8),
    readerFeatureFlags: m.uint(9),
    writerFeatureFlags: m.uint(10),
    transactionFile: m.string(12),
    nextRowId: m.uint(14),
    config: readStringMap(m, 16),
    tableMetadata: readStringMap(m, 19),
    versionAuxData: m.uint(4),
    unknownFields: m.fieldNumbers().filter((f) => !KNOWN.has(f)),
  };
  if (m.has(6)) out.indexSection = m.uint(6);
  if (m.has(21)) out.transactionSection = m.uint(21);
  if (m.has(11)) out.maxFragmentId = m.uint(11);
  if (m.has(20)) out.branch = m.string(20);
  const ts = m.message(7, 'timestamp');
  if (ts !== undefined) out.timestampMs = ts.int64(1) * 1000 + Math.floor(ts.int32(2) / 1e6);
  const wv = m.message(13, 'writer_version');
  if (wv !== undefined) {
    const v: NonNullable<Manifest['writerVersion']> = { library: wv.string(1), version: wv.string(2) };
    if (wv.has(3)) v.prerelease = wv.string(3);
    if (wv.has(4)) v.buildMetadata = wv.string(4);
    out.writerVersion = v;
  }
  const df = m.message(15, 'data_format');
  if (df !== undefined) out.dataFormat = { fileFormat: df.string(1), version: df.string(2) };
  return out;
}

function readFragment(m: ProtoMessage): DataFragment {
  const f: DataFragment = {
    id: m.uint(1),
    files: m.messages(2, 'file').map((d) => {
      const file: DataFile = {
        path: d.string(1),
        fields: d.int32s(2),
        columnIndices: d.int32s(3),
        fileMajorVersion: d.uint(4),
        fileMinorVersion: d.uint(5),
        fileSizeBytes: d.uint(6),
      };
      if (d.has(7)) file.baseId = d.uint(7);
      const unknown = unknownOf(d, KNOWN_DATA_FILE);
      if (unknown !== undefined) file.unknownFields = unknown;
      return file;
    }),
    physicalRows: m.uint(4),
  };
  const unknown = unknownOf(m, KNOWN_FRAGMENT);
  if (unknown !== undefined) f.unknownFields = unknown;
  const del = m.message(3, 'deletion_file');
  if (del !== undefined) {
    const t = del.uint(1);
    if (t > 1) throw new CorruptDataError(`${del.what}: unknown deletion file type ${t} (message at byte ${del.baseOffset})`);
    const d: DeletionFile = { fileType: t === 1 ? 'bitmap' : 'arrow_array', readVersion: del.uint(2), id: del.uint64(3), numDeletedRows: del.uint(4) };
    if (del.has(7)) d.baseId = del.uint(7);
    f.deletionFile = d;
  }
  return f;
}

/** Column index of every Lance field of `schema` (depth first), as LanceDB writes `DataFile.column_indices`. */
export function columnIndicesFor(schema: Schema): number[] {
  const out: number[] = [];
  let col = 0;
  const visit = (type: DataType): void => {
    out.push(col++);
    if (type.typeId === TypeId.List) visit(type.child.type);
    else if (type.typeId === TypeId.Struct) for (const c of type.children) visit(c.type);
  };
  for (const f of schema.fields) visit(f.type);
  return out;
}

/**
 * `DataFile.fields` and `DataFile.column_indices` of a data file holding every field of `fields` (Lance
 * fields, depth first), as LanceDB writes them: in 2.0 files every field has a column (struct and list
 * headers too); in 2.1/2.2 files only leaves have one (a list's item field, not the list; no struct),
 * numbered in order.
 */
export function dataFileColumns(fields: readonly LanceField[], fileVersion: '2.0' | '2.1' | '2.2'): { fields: number[]; columnIndices: number[] } {
  if (fileVersion === '2.0') return { fields: fields.map((f) => f.id), columnIndices: fields.map((_, i) => i) };
  const leaves = fields.filter((f) => !isNestedLogicalType(f.logicalType));
  return { fields: leaves.map((f) => f.id), columnIndices: leaves.map((_, i) => i) };
}

/** A data file given to {@link manifestForFiles}. */
export interface ManifestFileInput {
  /** Path relative to `data/`, e.g. `part-0.lance`. */
  path: string;
  numRows: number;
  byteLength: number;
}

/**
 * A manifest for a table of Lance files sharing `schema`, one fragment per file.
 * @param version the table version (1 for the first).
 * @param fileVersion the files' Lance version, also declared as the table's data storage version (default 2.0).
 * @example
 * ```ts
 * const bytes = encodeManifest(manifestForFiles(schema, [{ path: 'a.lance', numRows, byteLength }]));
 * ```
 */
export function manifestForFiles(schema: Schema, files: readonly ManifestFileInput[], version = 1, timestampMs?: number, fileVersion: '2.0' | '2.1' | '2.2' = '2.0'): Manifest {
  const fields = schemaToLanceFields(schema);
  const { fields: ids, columnIndices } = fileVersion === '2.0' ? { fields: fields.map((f) => f.id), columnIndices: columnIndicesFor(schema) } : dataFileColumns(fields, fileVersion);
  const minor = fileVersion === '2.0' ? 0 : fileVersion === '2.1' ? 1 : 2;
  const m: Manifest = {
    fields,
    schemaMetadata: new Map([...schema.metadata].map(([k, v]) => [k, new TextEncoder().encode(v)])),
    fragments: files.map((f, i) => ({
      id: i,
      files: [{ path: f.path, fields: ids, columnIndices, fileMajorVersion: 2, fileMinorVersion: minor, fileSizeBytes: f.byteLength }],
      physicalRows: f.numRows,
    })),
    version,
    writerVersion: { library: 'vego', version: '0.1.0' },
    tag: '',
    readerFeatureFlags: 0,
    writerFeatureFlags: 0,
    transactionFile: '',
    nextRowId: 0,
    dataFormat: { fileFormat: 'lance', version: fileVersion },
    config: new Map(),
    tableMetadata: new Map(),
    versionAuxData: 0,
    unknownFields: [],
  };
  if (files.length > 0) m.maxFragmentId = files.length - 1;
  if (timestampMs !== undefined) m.timestampMs = timestampMs;
  return m;
}

/**
 * File name of a manifest version: `v2` naming (what LanceDB 0.39 writes) is `u64::MAX - version` as 20 digits,
 * `v1` naming is `<version>.manifest`.
 */
export function manifestFileName(version: number, naming: 'v1' | 'v2' = 'v2'): string {
  if (!Number.isSafeInteger(version) || version < 0) throw new InvalidArgumentError(`\`version\` must be a non-negative integer, got ${String(version)}`);
  if (naming === 'v1') return `${version}.manifest`;
  return `${(18446744073709551615n - BigInt(version)).toString().padStart(20, '0')}.manifest`;
}

/** The version a manifest file name stands for (either naming), or undefined when it is not one. */
export function parseManifestFileName(name: string): number | undefined {
  const m = /^(\d+)\.manifest$/.exec(name);
  if (m === null) return undefined;
  const digits = m[1]!;
  if (digits.length === 20) {
    const v = 18446744073709551615n - BigInt(digits);
    if (v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
    return undefined;
  }
  const v = Number(digits);
  return Number.isSafeInteger(v) ? v : undefined;
}

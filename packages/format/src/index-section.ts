/**
 * The index section of a Lance manifest file: the indices LanceDB built over a dataset version
 * (scalar, vector, full-text), as `lance.table.IndexSection { repeated IndexMetadata indices = 1 }`.
 *
 * The manifest's `index_section` field holds the file position of a `u32` length followed by that
 * message (LanceDB writes it first in the file, at position 0). This library builds no indices; it
 * reads the section so a dataset can say which indices it has, and carries its bytes unchanged into
 * versions whose commits leave every indexed row where it was (appends and deletes), as LanceDB does.
 *
 * `IndexMetadata { uuid 1 (UUID { bytes uuid 1 }), fields 2, name 3, dataset_version 4,
 * fragment_bitmap 5 (32-bit Roaring), index_details 6 (google.protobuf.Any { type_url 1, value 2 }),
 * index_version 7, created_at 8 (ms since the epoch), base_id 9, files 10, covering_fields 11 }`.
 */
import { CorruptDataError } from '@vego/encoding';
import { deserializeRoaring } from './deletion/roaring';
import { ProtoMessage } from './internal/protobuf';

/** One index of a dataset version, as its manifest describes it. */
export interface LanceIndexMetadata {
  /** The index's UUID (its files are in `_indices/<uuid>/`), in the usual 8-4-4-4-12 hex form. */
  uuid: string;
  /** Index name (unique within a version), e.g. `vector_idx`. */
  name: string;
  /** Lance field ids the index covers: the keyed ones first, then any it only carries. */
  fieldIds: number[];
  /** The version of the dataset the index was built from. */
  datasetVersion: number;
  /**
   * Ids of the fragments whose rows the index holds (ascending), or null when the manifest does not
   * say. Rows of other fragments (appended after the index was built) are not in it: LanceDB scans them.
   */
  fragmentIds: Uint32Array | null;
  /** Type URL of the index details, naming the kind of index (e.g. `/lance.table.BTreeIndexDetails`). */
  typeUrl: string;
  /** Index format version, when given. */
  indexVersion?: number;
  /** Creation time in ms since the epoch, when given. */
  createdAtMs?: number;
  /** Base path id of the index files, when they live outside the dataset (a shallow clone). */
  baseId?: number;
  /** The trailing `fieldIds` the index carries but is not keyed on (LanceDB's covering indices). */
  coveringFieldIds: number[];
}

/**
 * The bytes of the index section message in a manifest file (no length prefix), or undefined when
 * the manifest has none.
 * @param bytes - the whole manifest file.
 * @param position - the manifest's `index_section` field (the position of the section's `u32` length).
 * @throws CorruptDataError when the position or length leave the file.
 */
export function indexSectionBytes(bytes: Uint8Array, position: number | undefined): Uint8Array | undefined {
  if (position === undefined) return undefined;
  if (!Number.isSafeInteger(position) || position < 0 || position + 4 > bytes.length) {
    throw new CorruptDataError(`manifest: index section position ${position} lies outside the file's ${bytes.length} bytes`);
  }
  const len = new DataView(bytes.buffer, bytes.byteOffset + position, 4).getUint32(0, true);
  if (position + 4 + len > bytes.length) {
    throw new CorruptDataError(`manifest: index section of ${len} bytes at ${position + 4} runs past the file's ${bytes.length} bytes`);
  }
  return bytes.subarray(position + 4, position + 4 + len);
}

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` of 16 bytes. */
function uuidText(b: Uint8Array, what: string): string {
  if (b.length !== 16) throw new CorruptDataError(`${what}: a UUID has 16 bytes, got ${b.length}`);
  let hex = '';
  for (let i = 0; i < 16; i++) hex += b[i]!.toString(16).padStart(2, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Decodes an index section (the bytes {@link indexSectionBytes} returns).
 * @param maxFragmentId - the manifest's highest fragment id ever used (`max_fragment_id`): a bitmap
 *   naming a larger one is damaged (the bound also caps what a damaged bitmap can make us allocate).
 * @param baseOffset - the section's position in the manifest file, for error messages.
 * @throws CorruptDataError for malformed protobuf, a UUID that is not 16 bytes, or a damaged fragment bitmap.
 */
export function decodeIndexSection(section: Uint8Array, maxFragmentId: number, baseOffset = 0): LanceIndexMetadata[] {
  const m = ProtoMessage.decode(section, 'IndexSection', baseOffset);
  return m.messages(1, 'index').map((x) => {
    const what = x.what;
    const uuid = x.message(1, 'uuid')?.bytesField(1) ?? new Uint8Array(0);
    const bitmap = x.bytesField(5);
    const details = x.message(6, 'index_details');
    const fieldIds = x.int32s(2);
    const out: LanceIndexMetadata = {
      uuid: uuidText(uuid, what),
      name: x.string(3),
      fieldIds,
      datasetVersion: x.uint(4),
      fragmentIds: bitmap === undefined || bitmap.length === 0 ? null : deserializeRoaring(bitmap, `${what} fragment_bitmap`, maxFragmentId + 1),
      typeUrl: details?.string(1) ?? '',
      coveringFieldIds: x.int32s(11),
    };
    if (x.has(7)) out.indexVersion = x.int32(7);
    if (x.has(8)) out.createdAtMs = x.uint(8);
    if (x.has(9)) out.baseId = x.uint(9);
    return out;
  });
}

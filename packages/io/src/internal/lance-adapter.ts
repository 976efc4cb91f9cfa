/**
 * The bridge between the dataset layer and @vego/format's manifest codec: reading a manifest file
 * into {@link ManifestState}, and encoding the next version's manifest from the previous one.
 */
import {
  CorruptDataError,
  InternalError,
  NotSupportedError,
  columnIndicesFor,
  dataFileColumns,
  decodeManifest,
  UnsupportedVersionError,
  encodeManifest,
  encodeTransaction,
  indexSectionBytes,
  lanceFieldsToSchemaLenient,
  manifestForFiles,
} from '@vego/format';
import type { DataFragment, DeletionFile, LanceField, LanceFileVersion, LanceTransaction, Manifest, Schema, UnsupportedField } from '@vego/format';
import { fsError } from './fs-error';
import * as fs from './local-fs';
import { NEW_FRAGMENT_ID, type FragmentInfo } from './manifest-model';

/** A decoded manifest, as the dataset layer uses it. */
export interface ManifestState {
  version: number;
  /** The fields of supported types (see `unsupported`). */
  schema: Schema;
  /** Top-level fields of types this library cannot read: left out of `schema`. */
  unsupported: UnsupportedField[];
  /** Lance field id of each top-level field of `schema`. */
  topIds: number[];
  fields: LanceField[];
  fragments: FragmentInfo[];
  maxFragmentId: number;
  /**
   * The manifest's index section (the indices LanceDB built; no length prefix), a view of `bytes`, or
   * undefined when it has none: carried into versions that keep every indexed row in place.
   */
  indexSection: Uint8Array | undefined;
  /** The decoded manifest, carried into the next version so fields we do not model survive. */
  raw: Manifest;
  /** The manifest's bytes as read or published (what `Dataset#reopenIfLatest` compares the file with). */
  bytes: Uint8Array;
}

/** A data storage version new data files can be written in. */
export type StorageVersion = LanceFileVersion;

/**
 * The storage version of new datasets: 2.2, as LanceDB 0.39 creates; 2.0 and 2.1 on request
 * (`storageVersion`). A random `take` of 100 rows out of 20,000 from a 2.2 dataset on an object store reads
 * ~313 KB, within the 320 KB bound a 2.0 file meets (`test/object-store-dataset.test.ts`): mini-block reads
 * fetch only the chunks holding the rows, and the read scheduler no longer reads the gap between two
 * tiny chunk tables.
 */
export const DEFAULT_STORAGE_VERSION: StorageVersion = '2.2';

/**
 * The data storage version of a dataset: what its manifest declares (`data_format.version`), 2.0 when it
 * declares none (datasets written before storage versions were recorded).
 * @throws NotSupportedError for a version new files cannot be written in (legacy 0.1, future versions),
 *   naming the dataset and the action.
 */
export function datasetStorageVersion(prev: ManifestState, dir: string, action: string): StorageVersion {
  const declared = prev.raw.dataFormat?.version;
  if (declared === undefined || declared === '' || declared === '2.0') return '2.0';
  if (declared === '2.1' || declared === '2.2') return declared;
  throw new NotSupportedError(
    `cannot ${action} '${dir}': its data storage version is ${declared}; vego writes data files of versions 2.0, 2.1 and 2.2 only (overwrite it to choose one)`,
  );
}

/**
 * Refuses commits that would damage the dataset: any commit to a dataset with stable row ids (its
 * fragments carry row-id sequences this layer does not model, and a manifest without them makes LanceDB
 * fail with "All fragments must have row ids"), and commits adding data files (`addsFiles`: appends,
 * overwrites, compactions) to a dataset with columns vego cannot read (new files would lack them, a new
 * schema would drop them). Deletes of such a dataset work.
 * @throws NotSupportedError naming the dataset and the reason.
 */
export function checkWritable(prev: ManifestState, dir: string, action: string, addsFiles: boolean): void {
  if (((prev.raw.readerFeatureFlags | prev.raw.writerFeatureFlags) & FLAG_STABLE_ROW_IDS) !== 0) {
    throw new NotSupportedError(`cannot ${action} '${dir}': it uses stable row ids (LanceDB \`new_table_enable_stable_row_ids\`), whose row-id sequences vego does not maintain; read it, or write it with LanceDB`);
  }
  const flags = prev.raw.writerFeatureFlags & ~WRITER_FLAGS_UNDERSTOOD;
  if (flags !== 0) {
    throw new NotSupportedError(`cannot ${action} '${dir}': its manifest asks writers for features vego does not implement (writer feature flags ${flagList(flags)}); read it, or write it with LanceDB`);
  }
  // What the next manifest would leave out: LanceDB would lose it (base paths, row sequences, overlays, …).
  const dropped = droppedFields(prev.raw);
  if (dropped !== null) {
    throw new NotSupportedError(`cannot ${action} '${dir}': its manifest holds ${dropped}, which vego does not model and a new version would lose; read it, or write it with LanceDB`);
  }
  const u = prev.unsupported[0];
  if (addsFiles && u !== undefined) {
    throw new NotSupportedError(`cannot ${action} '${dir}': its column "${u.name}" has type ${u.logicalType}, which vego cannot read or rewrite (deletes work)`);
  }
}

/**
 * Reader feature flags (`reader_feature_flags`) whose datasets this layer reads correctly: deletion
 * files (1), stable row ids (2: the row ids are not read), the deprecated v2 marker (4), table config
 * (8), several base paths (16: a dataset whose files do live in another base is refused, see
 * {@link checkReadable}), transaction files disabled (32). Later flags (data overlay files 64, whose
 * values override the data files; covering indices 128; per-file versions 256) change what a reader
 * must do, so their datasets are refused rather than read with stale or wrong values.
 */
const READER_FLAGS_UNDERSTOOD = 1 | 2 | 4 | 8 | 16 | 32;
/** Writer feature flags commits honour: deletion files (1), the v2 marker (4), table config (8), no transaction files (32). */
const WRITER_FLAGS_UNDERSTOOD = 1 | 4 | 8 | 32;

/** `64 (1 << 6), 128 (1 << 7)` of the bits set in `flags`. */
function flagList(flags: number): string {
  const out: string[] = [];
  for (let b = 0; b < 53; b++) if (Math.floor(flags / 2 ** b) % 2 === 1) out.push(`${2 ** b} (1 << ${b})`);
  return out.join(', ');
}

/** What a manifest holds that {@link encodeNextManifest} would not write, described, or null. */
function droppedFields(m: Manifest): string | null {
  if (m.unknownFields.length > 0) return `manifest fields ${m.unknownFields.join(', ')}`;
  for (const f of m.fragments) {
    if (f.unknownFields !== undefined) return `fields ${f.unknownFields.join(', ')} of fragment ${f.id}`;
    for (const d of f.files) if (d.unknownFields !== undefined) return `fields ${d.unknownFields.join(', ')} of data file '${d.path}'`;
  }
  return null;
}

/**
 * Refuses datasets this layer would read wrongly: reader feature flags it does not implement, and
 * files in another base path (`base_id`: shallow clones and imported files live outside the dataset
 * folder, where a path taken from the manifest must never lead).
 * @throws NotSupportedError naming the manifest and the feature.
 */
function checkReadable(m: Manifest, path: string): void {
  const flags = m.readerFeatureFlags & ~READER_FLAGS_UNDERSTOOD;
  if (flags !== 0) {
    throw new NotSupportedError(`cannot read the dataset of manifest '${path}': it needs reader features vego does not implement (reader feature flags ${flagList(flags)}); read it with LanceDB`);
  }
  for (const f of m.fragments) {
    const other = f.files.find((d) => d.baseId !== undefined) ?? (f.deletionFile?.baseId !== undefined ? f.deletionFile : undefined);
    if (other !== undefined) {
      throw new NotSupportedError(`cannot read the dataset of manifest '${path}': fragment ${f.id} has files in another base path (base id ${other.baseId}: a shallow clone or imported files), which vego does not follow`);
    }
  }
}

/**
 * Reads and decodes one manifest file.
 * @throws NotFoundError/IoError when it cannot be read; CorruptDataError naming the path (and the
 *   byte offset, for malformed protobuf) when it does not decode; NotSupportedError /
 *   UnsupportedVersionError for well-formed content this build cannot read.
 */
export function readManifestFile(path: string): ManifestState {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw fsError(e, 'read manifest', path);
  }
  return decodeManifestBytes(bytes, path);
}

/**
 * Decodes the bytes of manifest `path` (read from a file or an object store).
 * @throws CorruptDataError / NotSupportedError / UnsupportedVersionError as {@link readManifestFile}.
 */
export function decodeManifestBytes(bytes: Uint8Array, path: string): ManifestState {
  let m: Manifest;
  let schema: Schema;
  let unsupported: UnsupportedField[];
  let topIds: number[];
  try {
    m = decodeManifest(bytes);
    ({ schema, unsupported, topIds } = lanceFieldsToSchemaLenient(m.fields, m.schemaMetadata));
  } catch (e) {
    // Damage in the file is CorruptDataError whatever check caught it (a bit flip that gives two
    // fields one name fails in Schema's argument check); only well-formed content this build cannot
    // read keeps its NotSupported / UnsupportedVersion error.
    if (e instanceof NotSupportedError || e instanceof UnsupportedVersionError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new CorruptDataError(`corrupted manifest '${path}': ${msg}`, { cause: e });
  }
  checkReadable(m, path);
  const fragments: FragmentInfo[] = m.fragments.map((f) => ({
    id: f.id,
    physicalRows: f.physicalRows,
    ...(f.deletionFile !== undefined && f.deletionFile !== null ? { deletionFile: f.deletionFile } : {}),
    files: f.files.map((d) => ({
      path: d.path,
      fieldIds: d.fields.slice(),
      columnIndices: d.columnIndices.slice(),
      fileMajorVersion: d.fileMajorVersion,
      fileMinorVersion: d.fileMinorVersion,
      fileSizeBytes: d.fileSizeBytes ?? 0,
    })),
  }));
  let maxId = m.maxFragmentId ?? 0;
  for (const f of fragments) if (f.id > maxId) maxId = f.id;
  let indexSection: Uint8Array | undefined;
  try {
    indexSection = indexSectionBytes(bytes, m.indexSection);
  } catch (e) {
    throw new CorruptDataError(`corrupted manifest '${path}': ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return { version: m.version, schema, unsupported, topIds, fields: m.fields.slice(), fragments, maxFragmentId: maxId, indexSection, raw: m, bytes };
}

/** What changes from one version to the next. */
export interface NextManifest {
  version: number;
  /** The schema of the new version (for appends, the previous one). */
  schema: Schema;
  /**
   * The new version's fragments in row order: fragments of the previous version (matched by id) and
   * newly written ones, whose id is {@link NEW_FRAGMENT_ID}. New ids are assigned here, in this
   * order, after the previous version's largest fragment id (so an id is never reused).
   */
  fragments: readonly FragmentInfo[];
  /**
   * Storage version of the newly written fragments' files. When every fragment is new it becomes the
   * declared data storage version; otherwise it must be the dataset's.
   */
  storageVersion?: StorageVersion;
  /** New deletion files of kept fragments, by fragment id (replacing any they had). */
  deletionFiles?: ReadonlyMap<number, DeletionFile>;
  /**
   * Kept fragments (without deletion files, whose names hold the fragment id) that take the next new
   * id in their turn, their files unchanged: a compaction gives them to the fragments after a
   * rewritten run so that ids keep rising in row order (see ../dataset/compaction).
   */
  renumbered?: ReadonlySet<number>;
  /**
   * What the commit does, in Lance's terms; recorded as the version's transaction (LanceDB reads it
   * to rebase a commit of its own that raced this one; see @vego/format's `transaction.ts`):
   * `append` (new fragments), `delete` (new deletion files, fragments gone), `update` (both at
   * once: rows replaced), `rewrite` (a compaction: the fragments gone become the new ones, same
   * rows), `overwrite` (everything replaced). Every kind but `overwrite` carries the previous
   * version's index section (LanceDB's indices) over as it is. That is exact because a fragment id
   * is never reused and a kept fragment keeps its rows at their offsets: an index answers only for
   * the fragments its bitmap lists, LanceDB skips their deleted rows and those no longer in the
   * manifest, and scans every other fragment (appended, rewritten or renumbered since, all with new
   * ids) without the index. An overwrite, or a commit with new fields, writes a version without
   * indices, as LanceDB's overwrite does.
   */
  operation: 'append' | 'delete' | 'update' | 'rewrite' | 'overwrite';
}

/** `FLAG_DELETION_FILES` of the manifest's reader and writer feature flags. */
const FLAG_DELETION_FILES = 1;
/** `FLAG_STABLE_ROW_IDS` (Lance's "move stable row ids") of the same flags. */
const FLAG_STABLE_ROW_IDS = 2;

/**
 * Encodes the manifest of the next version. Everything the previous manifest held that this layer
 * does not model (config, table metadata, feature flags, …) is carried over, and the index section
 * when {@link NextManifest.keepIndices} allows; the transaction section and file are not.
 */
export function encodeNextManifest(prev: ManifestState | null, next: NextManifest): Uint8Array {
  if (prev !== null && ((prev.raw.readerFeatureFlags | prev.raw.writerFeatureFlags) & FLAG_STABLE_ROW_IDS) !== 0) {
    // Its fragments carry row-id sequences this layer does not model; a manifest without them breaks the dataset for LanceDB.
    throw new NotSupportedError('cannot commit to this dataset: it uses stable row ids (LanceDB `new_table_enable_stable_row_ids`), whose row-id sequences vego does not maintain; read it, or write it with LanceDB');
  }
  // A backstop: the write paths call checkWritable before writing anything.
  if (prev !== null) checkWritable(prev, 'this dataset', 'commit to', next.fragments.some((f) => f.id === NEW_FRAGMENT_ID));
  const keepSchema = prev !== null && sameFields(prev, next.schema);
  const newVersion = next.storageVersion ?? '2.0';
  const base: Manifest = keepSchema ? { ...prev.raw } : manifestForFiles(next.schema, [], next.version, undefined, newVersion);
  if (prev !== null && !keepSchema) {
    base.config = prev.raw.config;
    base.tableMetadata = prev.raw.tableMetadata;
  }
  const { fields: fieldIds, columnIndices } = newVersion === '2.0' ? { fields: base.fields.map((f) => f.id), columnIndices: columnIndicesFor(next.schema) } : dataFileColumns(base.fields, newVersion);
  let maxId = prev === null ? -1 : prev.maxFragmentId;
  const previous = new Map((prev?.raw.fragments ?? []).map((r) => [r.id, r]));
  const fragments = next.fragments.map((f): DataFragment => {
    if (f.id !== NEW_FRAGMENT_ID) {
      const raw = previous.get(f.id);
      if (raw === undefined) throw new InternalError(`fragment ${f.id} is not in the previous version`);
      if (next.renumbered?.has(f.id) === true) {
        if (raw.deletionFile !== undefined && raw.deletionFile !== null) throw new InternalError(`fragment ${f.id} has a deletion file and cannot be renumbered`);
        return { ...raw, id: ++maxId };
      }
      const del = next.deletionFiles?.get(f.id);
      return del === undefined ? raw : { ...raw, deletionFile: del };
    }
    return {
      id: ++maxId,
      physicalRows: f.physicalRows,
      files: f.files.map((d) => ({
        path: d.path,
        fields: fieldIds,
        columnIndices,
        fileMajorVersion: d.fileMajorVersion,
        fileMinorVersion: d.fileMinorVersion,
        fileSizeBytes: d.fileSizeBytes,
      })),
    };
  });
  const manifest: Manifest = {
    ...base,
    fragments,
    version: next.version,
    writerVersion: { library: 'vego', version: '0.1.0' },
    timestampMs: Date.now(),
    transactionFile: '',
  };
  const addsFiles = next.fragments.some((f) => f.id === NEW_FRAGMENT_ID);
  // An overwrite (a create too) declares the version chosen for it even when it writes no file: later
  // appends, ours and LanceDB's, take the version from this declaration (an empty 2.2 create once declared 2.0).
  if (next.operation === 'overwrite' && next.storageVersion !== undefined) manifest.dataFormat = { fileFormat: 'lance', version: newVersion };
  else if (addsFiles) {
    if (next.fragments.every((f) => f.id === NEW_FRAGMENT_ID)) manifest.dataFormat = { fileFormat: 'lance', version: newVersion };
    else if (prev !== null && datasetStorageVersion(prev, 'this dataset', `add Lance ${newVersion} files to`) !== newVersion) {
      throw new InternalError(`Lance ${newVersion} files added to a dataset of storage version ${prev.raw.dataFormat?.version ?? '2.0'}`);
    }
  }
  if (fragments.some((f) => f.deletionFile !== undefined)) {
    manifest.readerFeatureFlags |= FLAG_DELETION_FILES;
    manifest.writerFeatureFlags |= FLAG_DELETION_FILES;
  }
  delete manifest.indexSection;
  delete manifest.transactionSection;
  if (maxId >= 0) manifest.maxFragmentId = maxId;
  const transactionSection = encodeTransaction(transactionOf(prev, next.operation, manifest));
  const indexSection = next.operation !== 'overwrite' && keepSchema ? prev.indexSection : undefined;
  return encodeManifest(manifest, indexSection === undefined ? { transactionSection } : { indexSection, transactionSection });
}

/**
 * The transaction of the commit from `prev` to `manifest` (its fragments with their final ids):
 * fragments whose id `prev` does not have are new, those `prev` has that are gone were deleted
 * or rewritten, and kept ones whose deletion file changed were updated.
 */
function transactionOf(prev: ManifestState | null, operation: NextManifest['operation'], manifest: Manifest): LanceTransaction {
  const before = new Map((prev?.raw.fragments ?? []).map((f) => [f.id, f]));
  const after = new Set(manifest.fragments.map((f) => f.id));
  const added = manifest.fragments.filter((f) => !before.has(f.id));
  const gone = [...before.values()].filter((f) => !after.has(f.id));
  const updated = manifest.fragments.filter((f) => {
    const old = before.get(f.id);
    return old !== undefined && old.deletionFile?.id !== f.deletionFile?.id;
  });
  const readVersion = prev?.version ?? 0;
  const uuid = globalThis.crypto.randomUUID();
  switch (operation) {
    case 'append':
      return { readVersion, uuid, operation: { kind: 'append', fragments: added } };
    case 'delete':
      return { readVersion, uuid, operation: { kind: 'delete', updatedFragments: updated, deletedFragmentIds: gone.map((f) => f.id), predicate: '' } };
    case 'update':
      return {
        readVersion,
        uuid,
        operation: { kind: 'update', removedFragmentIds: gone.map((f) => f.id), updatedFragments: updated, newFragments: added, fieldsModified: manifest.fields.map((f) => f.id) },
      };
    case 'rewrite':
      return { readVersion, uuid, operation: { kind: 'rewrite', groups: gone.length + added.length === 0 ? [] : [{ oldFragments: gone, newFragments: added }] } };
    default:
      return { readVersion, uuid, operation: { kind: 'overwrite', fragments: manifest.fragments, fields: manifest.fields, schemaMetadata: manifest.schemaMetadata } };
  }
}

/** True when the previous manifest's fields describe `schema` (so they, and their ids, are kept). */
function sameFields(prev: ManifestState, schema: Schema): boolean {
  const a = prev.schema.fields;
  const b = schema.fields;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || !a[i]!.type.equals(b[i]!.type)) return false;
  return true;
}

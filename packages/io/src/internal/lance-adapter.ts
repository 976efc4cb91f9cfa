/**
 * The bridge between the dataset layer and @vego/format's manifest codec: reading a manifest file
 * into {@link ManifestState}, and encoding the next version's manifest from the previous one.
 */
import * as fs from 'node:fs';
import {
  CorruptDataError,
  columnIndicesFor,
  decodeManifest,
  encodeManifest,
  isVegoError,
  lanceFieldsToSchema,
  manifestForFiles,
} from '@vego/format';
import type { DeletionFile, LanceField, Manifest, Schema } from '@vego/format';
import { fsError } from './fs-error';
import type { FragmentInfo } from './manifest-model';

/** A decoded manifest, as the dataset layer uses it. */
export interface ManifestState {
  version: number;
  schema: Schema;
  fields: LanceField[];
  fragments: FragmentInfo[];
  maxFragmentId: number;
  /** The decoded manifest, carried into the next version so fields we do not model survive. */
  raw: Manifest;
}

/**
 * Reads and decodes one manifest file.
 * @throws NotFoundError/IoError when it cannot be read; CorruptDataError naming the path when it does
 *   not decode.
 */
export function readManifestFile(path: string): ManifestState {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (e) {
    throw fsError(e, 'read manifest', path);
  }
  let m: Manifest;
  let schema: Schema;
  try {
    m = decodeManifest(bytes);
    schema = lanceFieldsToSchema(m.fields, m.schemaMetadata);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (isVegoError(e) && !(e instanceof CorruptDataError)) throw e;
    throw new CorruptDataError(`corrupted manifest '${path}': ${msg}`, { cause: e });
  }
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
  return { version: m.version, schema, fields: m.fields.slice(), fragments, maxFragmentId: maxId, raw: m };
}

/** What changes from one version to the next. */
export interface NextManifest {
  version: number;
  /** The schema of the new version (for appends, the previous one). */
  schema: Schema;
  /** Fragments carried over from the previous version. */
  keepFragments: readonly FragmentInfo[];
  /** Newly written fragments; their ids are assigned here. */
  newFragments: readonly FragmentInfo[];
  /** New deletion files of kept fragments, by fragment id (replacing any they had). */
  deletionFiles?: ReadonlyMap<number, DeletionFile>;
}

/** `FLAG_DELETION_FILES` of the manifest's reader and writer feature flags. */
const FLAG_DELETION_FILES = 1;

/**
 * Encodes the manifest of the next version. Everything the previous manifest held that this layer
 * does not model (config, table metadata, feature flags, …) is carried over; positions of sections
 * inside the old manifest file (index and transaction sections) and the transaction file are not.
 */
export function encodeNextManifest(prev: ManifestState | null, next: NextManifest): Uint8Array {
  const keepSchema = prev !== null && sameFields(prev, next.schema);
  const base: Manifest = keepSchema ? { ...prev.raw } : manifestForFiles(next.schema, [], next.version);
  if (prev !== null && !keepSchema) {
    base.config = prev.raw.config;
    base.tableMetadata = prev.raw.tableMetadata;
  }
  const fieldIds = base.fields.map((f) => f.id);
  const columnIndices = columnIndicesFor(next.schema);
  let maxId = prev === null ? -1 : prev.maxFragmentId;
  let nextId = maxId + 1;
  const fragments = next.keepFragments.map((f) => {
    const raw = prev!.raw.fragments.find((r) => r.id === f.id)!;
    const del = next.deletionFiles?.get(f.id);
    return del === undefined ? raw : { ...raw, deletionFile: del };
  });
  for (const f of next.newFragments) {
    const id = nextId++;
    maxId = id;
    fragments.push({
      id,
      physicalRows: f.physicalRows,
      files: f.files.map((d) => ({
        path: d.path,
        fields: fieldIds,
        columnIndices,
        fileMajorVersion: d.fileMajorVersion,
        fileMinorVersion: d.fileMinorVersion,
        fileSizeBytes: d.fileSizeBytes,
      })),
    });
  }
  const manifest: Manifest = {
    ...base,
    fragments,
    version: next.version,
    writerVersion: { library: 'vego', version: '0.1.0' },
    timestampMs: Date.now(),
    transactionFile: '',
  };
  if (fragments.some((f) => f.deletionFile !== undefined)) {
    manifest.readerFeatureFlags |= FLAG_DELETION_FILES;
    manifest.writerFeatureFlags |= FLAG_DELETION_FILES;
  }
  delete manifest.indexSection;
  delete manifest.transactionSection;
  if (maxId >= 0) manifest.maxFragmentId = maxId;
  return encodeManifest(manifest);
}

/** True when the previous manifest's fields describe `schema` (so they, and their ids, are kept). */
function sameFields(prev: ManifestState, schema: Schema): boolean {
  const a = prev.schema.fields;
  const b = schema.fields;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || !a[i]!.type.equals(b[i]!.type)) return false;
  return true;
}

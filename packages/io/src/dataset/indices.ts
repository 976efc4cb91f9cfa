/**
 * The indices a dataset version lists (LanceDB's `createIndex`: scalar, vector, full-text), read
 * from its manifest's index section. This library neither builds nor uses them; it lists them, and
 * its appends and deletes keep them (../internal/lance-adapter `keepIndices`), as LanceDB does.
 */
import { CorruptDataError, decodeIndexSection } from '@vego/format';
import type { LanceField, LanceIndexMetadata } from '@vego/format';
import type { ManifestState } from '../internal/lance-adapter';

/** One index of a dataset version, as `Dataset#indices` lists it. */
export interface DatasetIndex {
  /** Index name, unique within the version (LanceDB's default: `<column>_idx`). */
  name: string;
  /** The index's UUID: its files are in `_indices/<uuid>/`. */
  uuid: string;
  /** The columns it covers (nested fields as `parent.child`), keyed ones first. */
  columns: string[];
  /**
   * The kind of index, from its details' type URL: `BTree`, `Bitmap`, `LabelList`, `Inverted`
   * (full text), `NGram`, `ZoneMap`, `Vector` (IVF and HNSW variants), or whatever a newer LanceDB names.
   */
  kind: string;
  /** The details' type URL as stored (e.g. `/lance.table.BTreeIndexDetails`). */
  typeUrl: string;
  /** The dataset version the index was built from. */
  datasetVersion: number;
  /** Ids of the fragments the index holds, ascending; null when the manifest does not say. */
  fragmentIds: number[] | null;
  /** Live rows of this version in fragments the index holds (its deleted rows are skipped by LanceDB). */
  indexedRows: number;
  /** Live rows of this version in fragments it does not hold (appended later: LanceDB scans them). */
  unindexedRows: number;
  /** When the index was created, if recorded. */
  createdAt?: Date;
}

/** `parent.child` path of every field id. */
function fieldPaths(fields: readonly LanceField[]): Map<number, string> {
  const byId = new Map(fields.map((f) => [f.id, f]));
  const paths = new Map<number, string>();
  const pathOf = (id: number, depth: number): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const f = byId.get(id);
    if (f === undefined) return `<field ${id}>`;
    // A parent cycle is damage, but naming a column must not loop over it.
    const path = f.parentId < 0 || depth > fields.length ? f.name : `${pathOf(f.parentId, depth + 1)}.${f.name}`;
    paths.set(id, path);
    return path;
  };
  for (const f of fields) pathOf(f.id, 0);
  return paths;
}

/** `BTree` of `/lance.table.BTreeIndexDetails`. */
function kindOf(typeUrl: string): string {
  const last = typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
  return last.endsWith('IndexDetails') && last.length > 'IndexDetails'.length ? last.slice(0, -'IndexDetails'.length) : last;
}

/**
 * The index metadata `state`'s manifest lists, as stored, in its order (none when it has no index
 * section): what {@link datasetIndices} describes and cleanup reads the UUIDs of.
 * @param where - names the manifest in error messages.
 * @throws CorruptDataError when the index section does not decode.
 */
export function decodedIndices(state: ManifestState, where: string): LanceIndexMetadata[] {
  const section = state.indexSection;
  if (section === undefined) return [];
  try {
    return decodeIndexSection(section, state.maxFragmentId, section.byteOffset - state.bytes.byteOffset);
  } catch (e) {
    throw new CorruptDataError(`corrupted index section in manifest of ${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * The indices `state`'s manifest lists, in its order (none when it has no index section).
 * @param where - names the manifest in error messages.
 * @throws CorruptDataError when the index section does not decode.
 */
export function datasetIndices(state: ManifestState, where: string): DatasetIndex[] {
  const decoded = decodedIndices(state, where);
  if (decoded.length === 0) return [];
  const paths = fieldPaths(state.fields);
  const liveRows = new Map(state.fragments.map((f) => [f.id, f.physicalRows - (f.deletionFile?.numDeletedRows ?? 0)]));
  let allRows = 0;
  for (const rows of liveRows.values()) allRows += rows;
  return decoded.map((ix) => {
    let indexedRows = 0;
    if (ix.fragmentIds === null) indexedRows = allRows;
    else for (const id of ix.fragmentIds) indexedRows += liveRows.get(id) ?? 0;
    const out: DatasetIndex = {
      name: ix.name,
      uuid: ix.uuid,
      columns: ix.fieldIds.map((id) => paths.get(id) ?? `<field ${id}>`),
      kind: kindOf(ix.typeUrl),
      typeUrl: ix.typeUrl,
      datasetVersion: ix.datasetVersion,
      fragmentIds: ix.fragmentIds === null ? null : Array.from(ix.fragmentIds),
      indexedRows,
      unindexedRows: allRows - indexedRows,
    };
    if (ix.createdAtMs !== undefined) out.createdAt = new Date(ix.createdAtMs);
    return out;
  });
}

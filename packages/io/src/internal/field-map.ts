/**
 * Which data file of a fragment holds each dataset column, and in which of its columns: by field id, as
 * Lance does. A `DataFile` lists the field ids it stores (`fields`) and, beside each, its column index in
 * the file (`column_indices`); a later data file of the fragment overrides an earlier one for an id (as
 * `alterColumns` cast and `addColumns` add files). Dropped and renamed fields need nothing: a dropped id is
 * no longer asked for, a renamed field keeps its id. Ids below 0 mark tombstoned slots and are skipped.
 *
 * Example (LanceDB 2.2, `{ s: struct<a, b>, l: list<int32>, id }`, ids s 0, a 1, b 2, l 3, item 4, id 5):
 * the file says `fields [1, 2, 4, 5]`, `column_indices [0, 1, 2, 3]`: only leaves have columns, so
 * `s` reads from columns `[-1, 0, 1]`, `l` from `[-1, 2]` and `id` from `[3]`.
 */
import { CorruptDataError, NotSupportedError, TypeId } from '@vego/format';
import type { DataType, LanceField } from '@vego/format';
import type { FragmentInfo } from './manifest-model';

/** Where a fragment's columns are: per dataset column, the data file and the column of each node. */
export interface FragmentColumns {
  /** Data file index per dataset column (-1: no file holds it; it reads as nulls). */
  file: Int32Array;
  /**
   * Per dataset column, the file column of each node depth first (see `FieldColumns`), or null when the
   * manifest names no field ids and columns are matched by position in the file.
   */
  nodes: (number[] | null)[];
}

/**
 * Field ids of each top-level field's nodes, depth first, for the fields `topIds` names, walked along
 * their types (so the ids line up with `fieldNodes(type)`: a leaf's stray children, as a damaged manifest
 * may give it, are not nodes).
 * @throws CorruptDataError when a struct or list lacks the child fields its type has.
 */
export function nodeIdsOf(fields: readonly LanceField[], topIds: readonly number[], types: readonly DataType[], where: string): number[][] {
  const kids = new Map<number, LanceField[]>();
  for (const f of fields) {
    const list = kids.get(f.parentId) ?? [];
    list.push(f);
    kids.set(f.parentId, list);
  }
  return topIds.map((id, c) => {
    const out: number[] = [];
    const visit = (x: number, type: DataType, depth: number): void => {
      out.push(x);
      if (depth > 64) throw new CorruptDataError(`${where}: field ${x} nested deeper than 64 levels`);
      const children = type.typeId === TypeId.List ? [type.child] : type.typeId === TypeId.Struct ? type.children : [];
      const mine = kids.get(x) ?? [];
      if (mine.length < children.length) throw new CorruptDataError(`${where}: field ${x} (${type.toString()}) has ${mine.length} child fields`);
      for (let k = 0; k < children.length; k++) visit(mine[k]!.id, children[k]!.type, depth + 1);
    };
    visit(id, types[c]!, 0);
    return out;
  });
}

/**
 * Maps the dataset columns to fragment `f`'s data files.
 * @param nodeIds - {@link nodeIdsOf} of the dataset's top-level fields.
 * @throws CorruptDataError when a data file's `fields` and `column_indices` disagree in length;
 *   NotSupportedError when one column's nodes are spread over several files.
 */
export function mapFragmentColumns(f: FragmentInfo, nodeIds: readonly number[][], where: string): FragmentColumns {
  const numCols = nodeIds.length;
  const file = new Int32Array(numCols).fill(-1);
  const nodes: (number[] | null)[] = new Array<number[] | null>(numCols).fill(null);
  if (f.files.length === 1 && f.files[0]!.fieldIds.length === 0) {
    for (let c = 0; c < numCols; c++) file[c] = 0;
    return { file, nodes };
  }
  // Field id → [file, column], later files first to win.
  const at = new Map<number, [number, number]>();
  for (let j = 0; j < f.files.length; j++) {
    const d = f.files[j]!;
    const ids = d.fieldIds;
    const cols = d.columnIndices;
    if (cols.length !== 0 && cols.length !== ids.length) {
      throw new CorruptDataError(`${where}: data file '${d.path}' lists ${ids.length} field ids but ${cols.length} column indices`);
    }
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (id < 0) continue; // a tombstone: the column stays in the file, no field reads it
      // Without column indices (older writers) every listed field has a column, in order.
      const col = cols.length === 0 ? k : cols[k]!;
      at.set(id, [j, col]);
    }
  }
  for (let c = 0; c < numCols; c++) {
    const ids = nodeIds[c]!;
    let j = -1;
    for (const id of ids) {
      const hit = at.get(id);
      if (hit === undefined) continue;
      if (j >= 0 && hit[0] !== j) throw new NotSupportedError(`${where}: the parts of one column are spread over data files '${f.files[j]!.path}' and '${f.files[hit[0]]!.path}'`);
      j = hit[0];
    }
    if (j < 0) continue;
    file[c] = j;
    nodes[c] = ids.map((id) => {
      const hit = at.get(id);
      return hit === undefined || hit[0] !== j ? -1 : hit[1];
    });
  }
  return { file, nodes };
}

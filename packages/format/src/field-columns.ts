/**
 * Which columns of a Lance file hold which nodes of a field. Lance lists a field's nodes depth first
 * (a struct or list, then its children; a fixed-size list of a primitive is one node), and a dataset's
 * `DataFile` pairs each field id with a column index (`fields` / `column_indices`). In a 2.0 file every
 * node has a column (structs and lists hold their validity and offsets there); in 2.1/2.2 files only the
 * leaves do, and structs and lists come from the leaves' repetition and definition levels.
 *
 * Example: `{ s: struct<a: int32, b: utf8>, id: int32 }` has nodes `s, a, b, id`; a 2.0 file stores them
 * in columns `0, 1, 2, 3`, a 2.1 file stores `a, b, id` in columns `0, 1, 2` (`s` has none: -1).
 */
import { CorruptDataError, InvalidArgumentError, NotSupportedError, TypeId } from '@vego/encoding';
import type { DataType, Field } from '@vego/encoding';
import { isLeafType } from './lance-schema';

/** The nodes of `type` depth first: the type itself, then its children's nodes. */
export function fieldNodes(type: DataType, out: DataType[] = []): DataType[] {
  out.push(type);
  if (isLeafType(type)) return out;
  if (type.typeId === TypeId.List) fieldNodes(type.child.type, out);
  else if (type.typeId === TypeId.Struct) for (const c of type.children) fieldNodes(c.type, out);
  return out;
}

/** Number of nodes of `type` (the length of {@link fieldNodes}). */
export function nodeCount(type: DataType): number {
  if (isLeafType(type)) return 1;
  if (type.typeId === TypeId.List) return 1 + nodeCount(type.child.type);
  if (type.typeId === TypeId.Struct) {
    let n = 1;
    for (const c of type.children) n += nodeCount(c.type);
    return n;
  }
  return 1;
}

/**
 * The column of each node of a field stored from column `first` on, depth first: consecutive columns for
 * every node in a 2.0 file; consecutive columns for the leaves and -1 for structs and lists in 2.1/2.2.
 */
export function defaultNodeColumns(type: DataType, first: number, v21: boolean): number[] {
  const out: number[] = [];
  let col = first;
  for (const n of fieldNodes(type)) {
    if (v21 && !isLeafType(n)) out.push(-1);
    else out.push(col++);
  }
  return out;
}

/** The leaves' columns out of a node-column list (2.1/2.2 reads need only those). */
export function leafColumns(type: DataType, nodeColumns: readonly number[]): number[] {
  const nodes = fieldNodes(type);
  const out: number[] = [];
  for (let k = 0; k < nodes.length; k++) if (isLeafType(nodes[k]!)) out.push(nodeColumns[k]!);
  return out;
}

/** One field of a read by column (see `ReadOptions.fields`). */
export interface FieldColumns {
  /** The field to produce: its name, type and nullability (the names may differ from the file's). */
  field: Field;
  /**
   * The column of each node of `field.type`, depth first (as `DataFile.column_indices` pairs columns with
   * field ids): -1 for a struct or list node of a 2.1/2.2 file, which has no column of its own.
   */
  columns: readonly number[];
}

/** Same storage (type ids and widths, recursively), ignoring names and nullability. */
export function sameStorage(a: DataType, b: DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  if (a.typeId === TypeId.Struct) {
    const bs = b as typeof a;
    if (a.children.length !== bs.children.length) return false;
    for (let i = 0; i < a.children.length; i++) if (!sameStorage(a.children[i]!.type, bs.children[i]!.type)) return false;
    return true;
  }
  if (a.typeId === TypeId.List) return sameStorage(a.child.type, (b as typeof a).child.type);
  return a.equals(b);
}

/**
 * Checks a column list against the file: the right number of entries, columns in range, and each node's
 * column holding a node of the same type in the file (`columnNodes[c]`, null for a column of a field this
 * reader does not support).
 * @throws InvalidArgumentError for a malformed list (not an array, wrong length, not integers);
 *   NotSupportedError naming the field when a column belongs to an unsupported field or a leaf has no
 *   column; CorruptDataError when the list disagrees with the file (a column it does not have, a column
 *   for a 2.1 struct or list, another type stored there): the file or whoever mapped the columns (a
 *   manifest) is damaged.
 */
export function checkFieldColumns(fc: FieldColumns, columnNodes: readonly (DataType | null)[], v21: boolean): void {
  const name = fc.field.name;
  const nodes = fieldNodes(fc.field.type);
  if (!Array.isArray(fc.columns) || fc.columns.length !== nodes.length) {
    throw new InvalidArgumentError(`\`fields\`: "${name}" (${fc.field.type.toString()}) has ${nodes.length} nodes, ${Array.isArray(fc.columns) ? fc.columns.length : 'no'} columns were given`);
  }
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k]!;
    const c = fc.columns[k]!;
    const leaf = isLeafType(node);
    if (!Number.isInteger(c)) throw new InvalidArgumentError(`\`fields\`: column ${String(c)} of "${name}" is not an integer`);
    // From here on the column list is well-formed but disagrees with the file (e.g. a damaged manifest).
    if (c < -1 || c >= columnNodes.length) {
      throw new CorruptDataError(`field "${name}": column ${c} is not a column of the file (it has ${columnNodes.length})`);
    }
    if (c === -1) {
      if (leaf || !v21) throw new NotSupportedError(`field "${name}": the data file has no column for its ${node.toString()} part, which this reader cannot fill in`);
      continue;
    }
    if (v21 && !leaf) throw new CorruptDataError(`field "${name}": column ${c} given for its ${node.toString()} part; in a 2.1/2.2 file only leaves have columns`);
    const have = columnNodes[c];
    if (have === null || have === undefined) throw new NotSupportedError(`field "${name}": column ${c} belongs to a field of a type this reader does not support`);
    if (leaf ? !sameStorage(node, have) : node.typeId !== have.typeId) {
      throw new CorruptDataError(`field "${name}": the data file stores ${have.toString()} in column ${c}, where ${node.toString()} was expected`);
    }
  }
}

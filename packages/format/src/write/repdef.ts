/**
 * Shredding of one field's rows into Lance 2.1/2.2 leaf columns: for each leaf (a primitive, Utf8/Binary
 * or FixedSizeList of fixed width under any nesting of structs and lists), its repetition/definition
 * layers, levels and value slots. The inverse of `../v2_1/assemble.ts`.
 *
 * Layers are innermost first (leaf, then each enclosing struct or list). A layer is nullable (or
 * emptyable) only when the page has such rows, as LanceDB writes it. Definition codes are handed out from
 * the innermost layer outwards starting at 1 (a nullable item/struct/list: one code; an emptyable list:
 * one; a list with both: null, then empty); 0 = valid. A null is recorded at the outermost null layer.
 * Repetition: the outermost list's number (lists numbered from 1, innermost first) starts a row; the
 * second and later items of list `r` get `r - 1`. Null or empty lists have a level but no value slot;
 * null items and children of null structs keep a (zeroed) value slot.
 *
 * Example: `List<Int64>` rows `[[1, 2], null, []]` → layers `[ALL_VALID_ITEM, NULL_AND_EMPTY_LIST]`,
 * rep `1 0 1 1`, def `0 0 1 2`, value slots: items 0 and 1.
 */
import { ArrayData, InternalError, NotSupportedError, TypeId } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import { RepDefLayer } from '../v2_1/layout';
import { definitionCodes } from '../v2_1/levels';
import { writableLogicalType } from '../logical-types';

/** One leaf column of a page, shredded. Its arrays are read-only: pages without nulls share views of the same slot arrays. */
export interface ShreddedLeaf {
  /** The leaf array (values are gathered from it by logical index). */
  leaf: ArrayData;
  /** Layers, innermost first. */
  layers: RepDefLayer[];
  /** Rows of the page. */
  numRows: number;
  /** Levels (0 when the page has no repetition and no definition levels). */
  numLevels: number;
  rep: Uint16Array | null;
  def: Uint16Array | null;
  /** Logical index in `leaf` of each value slot. */
  valueIndex: Int32Array;
  /** Whether each value slot holds a valid value (null slots are written as zeros / empty). */
  valueValid: Uint8Array;
  /** Level index of each value slot (to cut chunks at values). */
  valueLevel: Int32Array;
  numValues: number;
}

/** Bits of the widest of `levels` (0 when there are none or all are 0). */
export function levelBitWidth(levels: Uint16Array | null): number {
  if (levels === null) return 0;
  let or = 0;
  for (let i = 0; i < levels.length; i++) or |= levels[i]!;
  return 32 - Math.clz32(or);
}

/** True for the types stored as one leaf column in 2.1/2.2 files written here. */
export function isLeaf21(type: DataType): boolean {
  const id = type.typeId;
  if ((id >= TypeId.Bool && id <= TypeId.Float64) || id === TypeId.Utf8 || id === TypeId.Binary) return true;
  // Temporal types (as their 32/64-bit integers) and LargeUtf8/LargeBinary (64-bit offsets): see logical-types.ts.
  if (writableLogicalType(type) !== undefined) return true;
  if (id === TypeId.FixedSizeList) {
    const c = type.child.type.typeId;
    return c >= TypeId.Bool && c <= TypeId.Float64 && c !== TypeId.Bool;
  }
  return false;
}

interface PathNode {
  data: ArrayData;
  kind: 'struct' | 'list' | 'leaf';
  /** Whether the node's field is nullable (the schema's word: see {@link shredLeaf}). */
  nullable: boolean;
  /** Index in the innermost-first layer list. */
  layer: number;
  /** List number (innermost list = 1) for lists. */
  listNumber: number;
  /** Which child of a struct comes next on the path. */
  childIndex: number;
}

/** Leaves of `type` (paths of child indices), depth first. */
export function leafPaths(type: DataType, prefix: number[] = [], out: number[][] = []): number[][] {
  if (isLeaf21(type)) out.push(prefix);
  else if (type.typeId === TypeId.Struct) {
    if (type.children.length === 0) throw new NotSupportedError('structs without fields cannot be written to Lance 2.1/2.2 files here');
    type.children.forEach((c, k) => leafPaths(c.type, [...prefix, k], out));
  } else if (type.typeId === TypeId.List) leafPaths(type.child.type, [...prefix, 0], out);
  else throw new NotSupportedError(`type ${type.toString()} cannot be written to Lance 2.1/2.2 files here`);
  return out;
}

/** Growable Uint16 / Int32 level and slot arrays (doubling, no per-item allocation). */
class Grow {
  rep: Uint16Array;
  def: Uint16Array;
  levels = 0;
  valueIndex: Int32Array;
  valueValid: Uint8Array;
  valueLevel: Int32Array;
  values = 0;
  constructor(n: number) {
    const c = Math.max(16, n);
    this.rep = new Uint16Array(c);
    this.def = new Uint16Array(c);
    this.valueIndex = new Int32Array(c);
    this.valueValid = new Uint8Array(c);
    this.valueLevel = new Int32Array(c);
  }
  level(rep: number, def: number): void {
    if (this.levels === this.rep.length) {
      const r = new Uint16Array(this.levels * 2);
      r.set(this.rep);
      this.rep = r;
      const d = new Uint16Array(this.levels * 2);
      d.set(this.def);
      this.def = d;
    }
    this.rep[this.levels] = rep;
    this.def[this.levels] = def;
    this.levels++;
  }
  value(index: number, valid: boolean): void {
    if (this.values === this.valueIndex.length) {
      const c = this.values * 2;
      const a = new Int32Array(c);
      a.set(this.valueIndex);
      this.valueIndex = a;
      const b = new Uint8Array(c);
      b.set(this.valueValid);
      this.valueValid = b;
      const l = new Int32Array(c);
      l.set(this.valueLevel);
      this.valueLevel = l;
    }
    this.valueIndex[this.values] = index;
    this.valueValid[this.values] = valid ? 1 : 0;
    this.valueLevel[this.values] = this.levels - 1;
    this.values++;
  }
}

/**
 * Shreds rows `[0, data.length)` of a field into the leaf column at `path` (child indices from the field).
 * Lists inside lists: an item continuing list number `m` (innermost = 1) gets repetition level `m − 1`,
 * a row's first item the number of lists, as LanceDB writes them. `nullable`: the field's own
 * nullability (nested fields' come from the type); a nested column's layers follow the schema.
 */
export function shredLeaf(data: ArrayData, path: readonly number[], nullable = true): ShreddedLeaf {
  // Build the node chain root → leaf, with each node's nullability from its field.
  const nodes: PathNode[] = [];
  let d = data;
  let step = 0;
  let fieldNullable = nullable;
  for (;;) {
    const t = d.type;
    if (isLeaf21(t)) {
      nodes.push({ data: d, kind: 'leaf', nullable: fieldNullable, layer: 0, listNumber: 0, childIndex: 0 });
      break;
    }
    const k = path[step++]!;
    if (t.typeId === TypeId.Struct) {
      nodes.push({ data: d, kind: 'struct', nullable: fieldNullable, layer: 0, listNumber: 0, childIndex: k });
      fieldNullable = t.children[k]!.nullable;
    } else if (t.typeId === TypeId.List) {
      nodes.push({ data: d, kind: 'list', nullable: fieldNullable, layer: 0, listNumber: 0, childIndex: 0 });
      fieldNullable = t.child.nullable;
    } else throw new InternalError(`shredLeaf: ${t.toString()} on a leaf path`);
    d = d.children[k]!;
  }
  const L = nodes.length;
  if (L === 1) return shredFlat(data);
  let lists = 0;
  for (let j = L - 1; j >= 0; j--) {
    nodes[j]!.layer = L - 1 - j;
    if (nodes[j]!.kind === 'list') nodes[j]!.listNumber = ++lists;
  }
  const n = data.length;
  // Layers come from the schema, as LanceDB's do, not from the page's rows: a nullable field's layer is
  // nullable and every list's emptyable in every page, even one without nulls or empty lists. With layers
  // decided page by page, LanceDB 0.39 failed to read a nullable struct holding a list once the column had
  // several pages ("Structural validity has 809 entries for an array with 766 values").
  const hasNull = new Uint8Array(L);
  for (const node of nodes) if (node.nullable) hasNull[node.layer] = 1;
  // Nulls in a field the schema calls non-nullable still get their code: only then are the rows scanned.
  if (nodes.some((node) => !node.nullable)) {
    const scan = (j: number, i: number): void => {
      const node = nodes[j]!;
      if (!node.data.isValid(i)) {
        hasNull[node.layer] = 1;
        return;
      }
      if (node.kind === 'leaf') return;
      if (node.kind === 'struct') return scan(j + 1, node.data.offset + i);
      const o = node.data.valueOffsets!;
      for (let k = o[node.data.offset + i]!; k < o[node.data.offset + i + 1]!; k++) scan(j + 1, k);
    };
    for (let i = 0; i < n; i++) scan(0, i);
  }
  // Layers and codes, innermost first.
  const layers: RepDefLayer[] = new Array<RepDefLayer>(L);
  for (let layer = 0; layer < L; layer++) {
    const node = nodes[L - 1 - layer]!;
    if (node.kind !== 'list') layers[layer] = hasNull[layer] ? RepDefLayer.NullableItem : RepDefLayer.AllValidItem;
    else layers[layer] = hasNull[layer] ? RepDefLayer.NullAndEmptyList : RepDefLayer.EmptyableList;
  }
  const { nullCode, emptyCode, count } = definitionCodes(layers);
  if (count > 0xffff) throw new InternalError('too many definition codes');
  // Pass 2: levels and value slots.
  const g = new Grow(n);
  const leafNode = nodes[L - 1]!;
  // Index of the leaf under a null struct: children of a struct are aligned with it.
  const emit = (j: number, i: number, rep: number): void => {
    const node = nodes[j]!;
    if (!node.data.isValid(i)) {
      g.level(rep, nullCode[node.layer]!);
      if (node.kind === 'leaf') g.value(i, false);
      else if (node.kind === 'struct') {
        // A null struct keeps a value slot unless a list lies below it.
        let k = j + 1;
        let idx = node.data.offset + i;
        while (k < L && nodes[k]!.kind === 'struct') {
          idx = nodes[k]!.data.offset + idx;
          k++;
        }
        if (k === L - 1 || (k < L && nodes[k]!.kind === 'leaf')) g.value(idx, false);
      }
      return;
    }
    if (node.kind === 'leaf') {
      g.level(rep, 0);
      g.value(i, true);
      return;
    }
    if (node.kind === 'struct') return emit(j + 1, node.data.offset + i, rep);
    const o = node.data.valueOffsets!;
    const s = o[node.data.offset + i]!;
    const e = o[node.data.offset + i + 1]!;
    if (e === s) {
      g.level(rep, emptyCode[node.layer]!);
      return;
    }
    emit(j + 1, s, rep);
    for (let k = s + 1; k < e; k++) emit(j + 1, k, node.listNumber - 1);
  };
  for (let i = 0; i < n; i++) emit(0, i, lists);
  const anyDef = count > 1;
  const hasLevels = lists > 0 || anyDef;
  return {
    leaf: leafNode.data,
    layers,
    numRows: n,
    numLevels: hasLevels ? g.levels : 0,
    rep: lists > 0 ? g.rep.subarray(0, g.levels) : null,
    def: anyDef ? g.def.subarray(0, g.levels) : null,
    valueIndex: g.valueIndex.subarray(0, g.values),
    valueValid: g.valueValid.subarray(0, g.values),
    valueLevel: g.valueLevel.subarray(0, g.values),
    numValues: g.values,
  };
}

/** Rows up to which {@link shredFlat} hands out views of shared arrays (0…n−1 and all ones): 8 MiB + 2 MiB kept. */
const SHARED_SLOTS_MAX = 1 << 21;
let sharedIndex = new Int32Array(0);
let sharedOnes = new Uint8Array(0);

/**
 * Value slots `0 … n−1`, all valid, of a page without nulls: views of arrays shared by every page (nothing
 * writes to a `ShreddedLeaf`'s arrays), so that a page of a million rows does not allocate 5 MB for them.
 */
function identitySlots(n: number): { index: Int32Array; ones: Uint8Array } {
  if (n > SHARED_SLOTS_MAX) {
    const index = new Int32Array(n);
    for (let i = 0; i < n; i++) index[i] = i;
    return { index, ones: new Uint8Array(n).fill(1) };
  }
  if (sharedIndex.length < n) {
    const size = Math.min(SHARED_SLOTS_MAX, Math.max(n, 2 * sharedIndex.length));
    sharedIndex = new Int32Array(size);
    for (let i = 0; i < size; i++) sharedIndex[i] = i;
    sharedOnes = new Uint8Array(size).fill(1);
  }
  return { index: sharedIndex.subarray(0, n), ones: sharedOnes.subarray(0, n) };
}

/** True when `col`'s value slots are known to be rows `0 … n−1` in order, all valid (a leaf without nulls shredded flat). */
export function hasIdentitySlots(col: ShreddedLeaf): boolean {
  return col.valueIndex.buffer === sharedIndex.buffer && col.valueIndex.byteOffset === 0 && col.valueValid.buffer === sharedOnes.buffer;
}

/** The common case of a top-level leaf: one level and one value slot per row, no repetition. */
function shredFlat(leaf: ArrayData): ShreddedLeaf {
  const n = leaf.length;
  const nulls = leaf.nullCount > 0;
  if (!nulls) {
    const { index, ones } = identitySlots(n);
    return { leaf, layers: [RepDefLayer.AllValidItem], numRows: n, numLevels: 0, rep: null, def: null, valueIndex: index, valueValid: ones, valueLevel: index, numValues: n };
  }
  const valueIndex = new Int32Array(n);
  const valueValid = new Uint8Array(n);
  for (let i = 0; i < n; i++) valueIndex[i] = i;
  let def: Uint16Array | null = null;
  if (nulls) {
    def = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const ok = leaf.isValid(i);
      valueValid[i] = ok ? 1 : 0;
      if (!ok) def[i] = 1;
    }
  } else valueValid.fill(1);
  return {
    leaf,
    layers: [nulls ? RepDefLayer.NullableItem : RepDefLayer.AllValidItem],
    numRows: n,
    numLevels: nulls ? n : 0,
    rep: null,
    def,
    valueIndex,
    valueValid,
    valueLevel: valueIndex,
    numValues: n,
  };
}

/**
 * The Lance schema (`lance.file.Field`, `lance.file.Schema`, `lance.file.FileDescriptor`) and its
 * mapping to @vego/arrow types.
 *
 * ```text
 * FileDescriptor { schema 1 (Schema), length 2 (rows) }      Schema { fields 1 (repeated Field), metadata 5 (map<string, bytes>) }
 * Field { type 1 (PARENT 0 / REPEATED 1 / LEAF 2), name 2, id 3, parent_id 4 (-1 at top level), logical_type 5,
 *         nullable 6, encoding 7 (PLAIN 1, VAR_BINARY 2), metadata 10 (map<string, bytes>) }
 * ```
 * Fields are flattened depth first: a struct or list field is followed by its children (`parent_id`
 * pointing at it); a fixed-size list of a primitive is a single field (`fixed_size_list:float:128`).
 * LanceDB's writer leaves `type` at 0 and derives everything from `logical_type`; so does this code.
 */
import { CorruptDataError, Field, FixedSizeList, List, NotSupportedError, Schema, Struct, TypeId } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import { decodeUtf8, encodeUtf8, ProtoMessage, ProtoWriter } from './internal/protobuf';
import { packedStructKey, unsupportedLayoutOf } from './layout-markers';
import { isLogicalLeaf, isNestedLogicalType, parseLogicalType, primitiveFromName, primitiveLogicalType, writableLogicalType } from './logical-types';

/** One flattened Lance field, as stored in the file descriptor and the manifest. */
export interface LanceField {
  name: string;
  id: number;
  /** -1 for top-level fields. */
  parentId: number;
  /** e.g. `int32`, `string`, `fixed_size_list:float:128`, `list`, `struct`. */
  logicalType: string;
  nullable: boolean;
  /** Legacy field encoding: 0 none, 1 PLAIN, 2 VAR_BINARY (ignored by 2.0 readers). */
  encoding: number;
  /** Field metadata, values as bytes. */
  metadata: Map<string, Uint8Array>;
  /** `Field.type` enum as stored (0 when the writer left it unset). */
  fieldType: number;
}

/**
 * True for the types stored as one leaf column (fixed-width, Utf8, Binary, FixedSizeList of fixed-width,
 * and the temporal, decimal, binary and dictionary types of `logical-types.ts`).
 */
export function isLeafType(type: DataType): boolean {
  if (primitiveLogicalType(type) !== undefined || isLogicalLeaf(type)) return true;
  return type.typeId === TypeId.FixedSizeList && isFixedWidthPrimitive(type.child.type);
}

function isFixedWidthPrimitive(type: DataType): boolean {
  return type.typeId >= TypeId.Bool && type.typeId <= TypeId.Float64;
}

function metadataToBytes(m: ReadonlyMap<string, string>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of m) out.set(k, encodeUtf8(v));
  return out;
}

function metadataToStrings(m: Map<string, Uint8Array>, what: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of m) out.set(k, decodeUtf8(v, `${what} metadata "${k}"`));
  return out;
}

/**
 * Refuses a timestamp (also as a dictionary's values) whose time zone holds a `:` (an offset such as
 * `+05:30`): the logical type `timestamp:<unit>:<zone>` is split at colons by LanceDB 0.39, which panics
 * reading such a field (and panics writing one too), so a file we wrote with it would not open there.
 * @throws NotSupportedError naming the field and zone.
 */
function refuseUnreadableTimezone(f: Field): void {
  const t = f.type.typeId === TypeId.Dictionary ? f.type.valueType : f.type;
  if (t.typeId === TypeId.Timestamp && t.timezone !== null && t.timezone.includes(':')) {
    throw new NotSupportedError(`field "${f.name}": time zone "${t.timezone}" holds a ':', which LanceDB cannot read in a Lance logical type; use a zone name (e.g. "Asia/Kolkata") or an offset without a colon ("+0530")`);
  }
}

/**
 * Flattens an Arrow schema into Lance fields, ids assigned depth first from `firstId`.
 * @throws NotSupportedError for types Lance 2.0 cannot hold here (e.g. fixed-size lists of nested types,
 *   decimals, fixed-size binary and dictionaries; the temporal and large types are written).
 */
export function schemaToLanceFields(schema: Schema, firstId = 0): LanceField[] {
  const out: LanceField[] = [];
  let next = firstId;
  const visit = (f: Field, parentId: number): void => {
    const id = next++;
    const type = f.type;
    const base = { name: f.name, id, parentId, nullable: f.nullable, metadata: metadataToBytes(f.metadata), fieldType: 0 };
    refuseUnreadableTimezone(f);
    const layout = unsupportedLayoutOf(type.typeId === TypeId.Struct, f.metadata);
    // LanceDB would read the field in that layout, not as written here.
    if (layout !== null) throw new NotSupportedError(`field "${f.name}": its metadata asks for a ${layout}, a layout this library does not write; remove that metadata to write the field plainly`);
    const logical = writableLogicalType(type);
    if (logical !== undefined) {
      // Field.encoding as LanceDB sets it: VAR_BINARY (2) for offsets-and-bytes types, DICTIONARY (3), else PLAIN (1).
      const id = type.typeId;
      const varBinary = id === TypeId.Utf8 || id === TypeId.Binary || id === TypeId.LargeUtf8 || id === TypeId.LargeBinary;
      out.push({ ...base, logicalType: logical, encoding: varBinary ? 2 : id === TypeId.Dictionary ? 3 : 1 });
      return;
    }
    switch (type.typeId) {
      case TypeId.FixedSizeList: {
        const inner = type.child.type;
        if (!isFixedWidthPrimitive(inner)) {
          throw new NotSupportedError(`field "${f.name}": a fixed-size list of ${inner.toString()} is not supported in Lance 2.0 files here (only of fixed-width types)`);
        }
        out.push({ ...base, logicalType: `fixed_size_list:${primitiveLogicalType(inner)!}:${type.listSize}`, encoding: 1 });
        return;
      }
      case TypeId.List:
        // Lance names a list of structs `list.struct` (LanceDB writes it so).
        out.push({ ...base, logicalType: type.child.type.typeId === TypeId.Struct ? 'list.struct' : 'list', encoding: 1 });
        visit(type.child, id);
        return;
      case TypeId.Struct:
        out.push({ ...base, logicalType: 'struct', encoding: 0 });
        for (const c of type.children) visit(c, id);
        return;
      default:
        throw new NotSupportedError(`field "${f.name}": type ${(type as DataType).toString()} is not supported`);
    }
  };
  for (const f of schema.fields) visit(f, -1);
  return out;
}

/**
 * Rebuilds an Arrow schema from flattened Lance fields.
 * @throws CorruptDataError for dangling parents or unknown logical types.
 */
export function lanceFieldsToSchema(fields: readonly LanceField[], metadata: Map<string, Uint8Array> = new Map()): Schema {
  const byParent = new Map<number, LanceField[]>();
  const ids = new Set<number>();
  for (const f of fields) {
    if (ids.has(f.id)) throw new CorruptDataError(`Lance schema: field id ${f.id} ("${f.name}") appears twice`);
    ids.add(f.id);
  }
  for (const f of fields) {
    if (f.parentId !== -1 && !ids.has(f.parentId)) {
      throw new CorruptDataError(`Lance schema: field "${f.name}" (id ${f.id}) names parent ${f.parentId}, which does not exist`);
    }
    const list = byParent.get(f.parentId) ?? [];
    list.push(f);
    byParent.set(f.parentId, list);
  }
  const build = (f: LanceField, depth: number): Field => {
    if (depth > 64) throw new CorruptDataError(`Lance schema: fields nested deeper than 64 levels at "${f.name}"`);
    const kids = byParent.get(f.id) ?? [];
    const type = lanceType(f, kids, depth, build);
    const metadata = metadataToStrings(f.metadata, `field "${f.name}"`);
    const layout = unsupportedLayoutOf(type.typeId === TypeId.Struct, metadata);
    if (layout !== null) throw new NotSupportedError(`Lance schema: field "${f.name}" is stored as a ${layout}, a layout this library does not read`);
    return new Field(f.name, type, f.nullable, metadata);
  };
  const top = (byParent.get(-1) ?? []).map((f) => build(f, 0));
  return new Schema(top, metadataToStrings(metadata, 'schema'));
}

/** A top-level Lance field whose type (or a child's type) this library cannot represent. */
export interface UnsupportedField {
  /** The top-level field's name. */
  name: string;
  /** Its Lance field id. */
  id: number;
  /** The logical type that is not supported (the field's own, or the first unsupported child's). */
  logicalType: string;
  /** Why: the message of the NotSupportedError raised for it. */
  reason: string;
}

/** What {@link lanceFieldsToSchemaLenient} returns. */
export interface LenientSchema {
  /** The supported top-level fields, in order. */
  schema: Schema;
  /** The top-level fields left out of `schema`, in order. */
  unsupported: UnsupportedField[];
  /** Lance field id of each top-level field of `schema`, in order. */
  topIds: number[];
}

/**
 * Like {@link lanceFieldsToSchema}, but a top-level field of a type this library cannot represent is
 * left out of the schema and listed in `unsupported` instead of failing the whole schema, so that
 * projections around it can still be read.
 * @throws CorruptDataError for dangling parents, repeated ids or malformed logical types.
 */
export function lanceFieldsToSchemaLenient(fields: readonly LanceField[], metadata: Map<string, Uint8Array> = new Map()): LenientSchema {
  const top = fields.filter((f) => f.parentId === -1);
  const unsupported: UnsupportedField[] = [];
  const byParent = new Map<number, LanceField[]>();
  for (const f of fields) {
    const list = byParent.get(f.parentId) ?? [];
    list.push(f);
    byParent.set(f.parentId, list);
  }
  const subtree = (f: LanceField, out: LanceField[], depth: number): void => {
    if (depth > 64) throw new CorruptDataError(`Lance schema: fields nested deeper than 64 levels at "${f.name}"`);
    out.push(f);
    for (const k of byParent.get(f.id) ?? []) subtree(k, out, depth + 1);
  };
  // Validate ids and parents once over all fields (the strict path throws CorruptDataError for them).
  const all = lanceFieldsToSchemaOrUnsupported(fields, metadata);
  if (all !== null) return { schema: all, unsupported: [], topIds: top.map((f) => f.id) };
  const topIds: number[] = [];
  const schemaFields: Field[] = [];
  for (const t of top) {
    const sub: LanceField[] = [];
    subtree(t, sub, 0);
    try {
      schemaFields.push(lanceFieldsToSchema(sub).fields[0]!);
      topIds.push(t.id);
    } catch (e) {
      if (!(e instanceof NotSupportedError)) throw e;
      const bad = sub.find((x) => /"([^"]*)" has logical type "([^"]*)"/.exec(e.message)?.[1] === x.name) ?? t;
      // A field stored in a layout of its own (packed struct, blob) names it beside its type.
      const laid = sub.map((x) => [x, lanceFieldLayout(x)] as const).find(([, l]) => l !== null);
      const logicalType = laid === undefined ? bad.logicalType : `${laid[0].logicalType} stored as a ${laid[1]!}${laid[0] === t ? '' : ` (field "${laid[0].name}")`}`;
      unsupported.push({ name: t.name, id: t.id, logicalType, reason: e.message });
    }
  }
  return { schema: new Schema(schemaFields, metadataToStrings(metadata, 'schema')), unsupported, topIds };
}

/** The layout of its own a Lance field's metadata asks for (packed struct, blob: `layout-markers.ts`), or null. */
function lanceFieldLayout(f: LanceField): string | null {
  return unsupportedLayoutOf(f.logicalType === 'struct', metadataToStrings(f.metadata, `field "${f.name}"`));
}

/** Whether a Lance field is a struct whose metadata asks for the packed layout (all its children in one column). */
export function isPackedLanceStruct(f: LanceField): boolean {
  return f.logicalType === 'struct' && packedStructKey(metadataToStrings(f.metadata, `field "${f.name}"`)) !== null;
}

/** The strict schema, or null when some field is not supported (CorruptDataError still thrown). */
function lanceFieldsToSchemaOrUnsupported(fields: readonly LanceField[], metadata: Map<string, Uint8Array>): Schema | null {
  try {
    return lanceFieldsToSchema(fields, metadata);
  } catch (e) {
    if (e instanceof NotSupportedError) return null;
    throw e;
  }
}

function lanceType(f: LanceField, kids: LanceField[], depth: number, build: (f: LanceField, depth: number) => Field): DataType {
  const lt = f.logicalType;
  const prim = parseLogicalType(lt);
  if (prim !== undefined) return prim;
  if (lt === 'struct') return new Struct(kids.map((k) => build(k, depth + 1)));
  // Lance names a list of structs `list.struct` (and `large_list.struct`).
  if (isNestedLogicalType(lt) && lt !== 'struct') {
    if (kids.length !== 1) throw new CorruptDataError(`Lance schema: list field "${f.name}" has ${kids.length} children, expected 1`);
    return new List(build(kids[0]!, depth + 1));
  }
  if (lt.startsWith('fixed_size_list:')) {
    const rest = lt.slice('fixed_size_list:'.length);
    const colon = rest.lastIndexOf(':');
    const inner = primitiveFromName(rest.slice(0, colon));
    const dim = Number(rest.slice(colon + 1));
    if (colon < 0 || inner === undefined || !isFixedWidthPrimitive(inner) || !Number.isInteger(dim) || dim < 0 || dim > 0x7fffffff) {
      throw new NotSupportedError(`Lance schema: field "${f.name}" has logical type "${lt}", which this reader does not support`);
    }
    return new FixedSizeList(new Field('item', inner, true), dim);
  }
  throw new NotSupportedError(`Lance schema: field "${f.name}" has logical type "${lt}", which this reader does not support`);
}

function writeMetadataMap(w: ProtoWriter, field: number, m: Map<string, Uint8Array>): void {
  for (const [k, v] of m) w.message(field, new ProtoWriter(k.length + v.length + 8).string(1, k).bytesField(2, v));
}

function readMetadataMap(m: ProtoMessage, field: number): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const e of m.messages(field, 'metadata entry')) out.set(e.string(1), e.bytesField(2) ?? new Uint8Array(0));
  return out;
}

/** Writes one `lance.file.Field`. */
export function writeLanceField(f: LanceField): ProtoWriter {
  const w = new ProtoWriter(64)
    .uintIfSet(1, f.fieldType)
    .string(2, f.name)
    .uintIfSet(3, f.id)
    .int(4, f.parentId)
    .string(5, f.logicalType)
    .boolIfSet(6, f.nullable)
    .uintIfSet(7, f.encoding);
  writeMetadataMap(w, 10, f.metadata);
  return w;
}

/** Reads one `lance.file.Field`. */
export function readLanceField(m: ProtoMessage): LanceField {
  return {
    name: m.string(2),
    id: m.int32(3),
    parentId: m.int32(4, 0),
    logicalType: m.string(5),
    nullable: m.bool(6),
    encoding: m.uint(7),
    metadata: readMetadataMap(m, 10),
    fieldType: m.uint(1),
  };
}

/** The decoded file descriptor (global buffer 0). */
export interface FileDescriptor {
  fields: LanceField[];
  schemaMetadata: Map<string, Uint8Array>;
  numRows: number;
}

/** Encodes a FileDescriptor (a new array). */
export function encodeFileDescriptor(d: FileDescriptor): Uint8Array {
  const schema = new ProtoWriter(256);
  for (const f of d.fields) schema.message(1, writeLanceField(f));
  writeMetadataMap(schema, 5, d.schemaMetadata);
  return new ProtoWriter(512).message(1, schema).uintIfSet(2, d.numRows).finish().slice();
}

/** Decodes a FileDescriptor. @throws CorruptDataError on malformed bytes. */
export function decodeFileDescriptor(bytes: Uint8Array): FileDescriptor {
  const m = ProtoMessage.decode(bytes, 'FileDescriptor');
  const schema = m.message(1, 'schema');
  if (schema === undefined) throw new CorruptDataError('FileDescriptor: missing schema');
  return {
    fields: schema.messages(1, 'field').map(readLanceField),
    schemaMetadata: readMetadataMap(schema, 5),
    numRows: m.uint(2),
  };
}

/**
 * How a collection is laid out as one Lance dataset (format version 2), so that LanceDB opens it as
 * an ordinary table:
 *
 * | column | type | |
 * |---|---|---|
 * | `key` | utf8, not null | the document's key |
 * | `vector` | fixed_size_list<float32>[dimension], not null | as given (not normalised) |
 * | `text` | utf8 | null when none |
 * | `_doc_id` | int32, not null | internal doc id (`internal/doc-ids.ts`), the HNSW node id |
 * | one per metadata field | see `schema.ts` | in field order |
 *
 * Versions: 2 stores `date` fields as timestamp[ms, UTC] (LanceDB shows and filters them as
 * timestamps); 1 stored them as int64 milliseconds. Format-1 collections open and read as before and
 * keep their int64 dates until a rewrite (adding a field rewrites the dataset, in format 2).
 *
 * The schema metadata entry `vego:collection` holds the collection's configuration as JSON
 * ({@link CollectionConfig}), so it commits atomically with the rows. One live row per key; a row
 * appended later for the same key supersedes earlier ones (a write killed between its append and
 * its delete leaves both, and opening keeps the later).
 */
import {
  Bool, CorruptDataError, Field, FixedSizeList, Float32, Float64, Int32, Int64, List, RecordBatch, Schema, Timestamp, Utf8,
  UnsupportedVersionError, makeBuilder, isDistanceMetric,
} from '@vego/hnsw';
import type {
  BoolVector, DataType, FixedSizeListVector, Float64Vector, Int32Vector, Int64Vector, ListVector, Utf8Vector, Vector,
} from '@vego/hnsw';
import type { DistanceName } from './collection-config';
import { PreparedBatch, type DocumentTable, type MetadataRecord } from './internal/documents';
import { isFieldType, type FieldType, type MetadataSchema } from './schema';

/** Layout version written in the config of new collections; readers refuse newer ones. */
export const COLLECTION_FORMAT_VERSION = 2;

/** The first layout version whose `date` fields are timestamp[ms, UTC] columns (int64 ms before). */
const TIMESTAMP_DATES_VERSION = 2;

/** The Arrow type of a `date` field in format 2: milliseconds since 1970 UTC, as a JS `Date` holds. */
const DATE_TYPE = new Timestamp('ms', 'UTC');

/** Largest |milliseconds| a JS `Date` holds (±100,000,000 days from 1970). */
const MAX_DATE_MS = 8.64e15;

/** Schema metadata key holding the configuration JSON. */
export const CONFIG_METADATA_KEY = 'vego:collection';

/** The persisted configuration of a collection. */
export interface CollectionConfig {
  formatVersion: number;
  dimension: number;
  distance: DistanceName;
  /** Metadata fields in order. */
  fields: [string, FieldType][];
  M: number;
  efConstruction: number;
  seed: number;
}

/** The Arrow type of a field of type `t` in layout version `formatVersion`. */
function arrowType(t: FieldType, formatVersion: number): DataType {
  switch (t) {
    case 'string': return new Utf8();
    case 'float': return new Float64();
    case 'date': return formatVersion >= TIMESTAMP_DATES_VERSION ? DATE_TYPE : new Int64();
    case 'integer': case 'bigint': return new Int64();
    case 'boolean': return new Bool();
    case 'tags': return new List(new Field('item', new Utf8(), true));
  }
}

/** The Arrow schema of a collection's dataset, with its configuration in the metadata. */
export function collectionSchema(config: CollectionConfig): Schema {
  const fields = [
    new Field('key', new Utf8(), false),
    new Field('vector', new FixedSizeList(new Field('item', new Float32(), true), config.dimension), false),
    new Field('text', new Utf8(), true),
    new Field('_doc_id', new Int32(), false),
    ...config.fields.map(([name, t]) => new Field(name, arrowType(t, config.formatVersion), true, new Map([['vego:type', t]]))),
  ];
  return new Schema(fields, new Map([[CONFIG_METADATA_KEY, JSON.stringify(config)]]));
}

/**
 * Reads the configuration back from a dataset schema and checks it against the columns.
 * @throws CorruptDataError / UnsupportedVersionError saying what is wrong.
 */
export function configFromSchema(schema: Schema, where: string): CollectionConfig {
  const raw = schema.metadata.get(CONFIG_METADATA_KEY);
  if (raw === undefined) throw new CorruptDataError(`${where}: not a @vego/db collection (no '${CONFIG_METADATA_KEY}' schema metadata)`);
  let c: CollectionConfig;
  try {
    c = JSON.parse(raw) as CollectionConfig;
  } catch (e) {
    throw new CorruptDataError(`${where}: configuration is not JSON`, { cause: e });
  }
  if (!Number.isInteger(c.formatVersion) || c.formatVersion < 1) throw new CorruptDataError(`${where}: configuration has no formatVersion`);
  if (c.formatVersion > COLLECTION_FORMAT_VERSION) {
    throw new UnsupportedVersionError(`${where}: collection format ${c.formatVersion} is newer than this library's ${COLLECTION_FORMAT_VERSION}`, c.formatVersion, 0);
  }
  if (!Number.isInteger(c.dimension) || c.dimension <= 0 || !isDistanceMetric(c.distance) || !Array.isArray(c.fields)) {
    throw new CorruptDataError(`${where}: configuration lacks a valid dimension, distance or field list`);
  }
  const expected = collectionSchema(c);
  for (const f of expected.fields) {
    const i = schema.fieldIndex(f.name);
    if (i < 0) throw new CorruptDataError(`${where}: column "${f.name}" is missing`);
    if (!schema.fields[i]!.type.equals(f.type)) {
      throw new CorruptDataError(`${where}: column "${f.name}" has type ${schema.fields[i]!.type.toString()}, expected ${f.type.toString()}`);
    }
  }
  for (const [name, t] of c.fields) if (!isFieldType(t)) throw new CorruptDataError(`${where}: field "${name}" has unknown type '${String(t)}'`);
  return c;
}

/**
 * Documents `from … to − 1` of `docs` (doc ids `ids[from …]`) as one record batch of `schema`.
 * Values are already checked; the vectors go in as one bulk copy.
 */
export function documentsToBatch(schema: Schema, config: CollectionConfig, docs: PreparedBatch, ids: ArrayLike<number>, from = 0, to = docs.length): RecordBatch {
  const n = to - from;
  const cols: Vector[] = [];
  const key = makeBuilder(new Utf8(), { nullable: false, initialCapacity: n });
  const text = makeBuilder(new Utf8(), { nullable: true, initialCapacity: n });
  const docId = makeBuilder(new Int32(), { nullable: false, initialCapacity: n });
  const vector = makeBuilder(schema.fields[1]!.type as FixedSizeList, { nullable: false, initialCapacity: n });
  for (let i = from; i < to; i++) {
    key.append(docs.keys[i]!);
    text.append(docs.texts[i]!);
    docId.append(ids[i]!);
  }
  vector.appendMany(docs.vectors.subarray(docs.vectorOffset(from), docs.vectorOffset(to)));
  cols.push(key.finish(), vector.finish(), text.finish(), docId.finish());
  for (const [name, t] of config.fields) {
    const b = makeBuilder(arrowType(t, config.formatVersion), { nullable: true, initialCapacity: n }) as { append(v: unknown): unknown; finish(): Vector };
    for (let i = from; i < to; i++) b.append(toStored(t, docs.metadata[i]![name]));
    cols.push(b.finish());
  }
  return new RecordBatch(schema, cols);
}

/**
 * Live documents of `table` at doc ids `order` as one record batch (for rewrites); their vectors
 * from `vectors` (flat, in `order`'s order) when given, else from the table.
 */
export function tableToBatch(schema: Schema, config: CollectionConfig, table: DocumentTable, order: ArrayLike<number>, vectors?: Float32Array): RecordBatch {
  const n = order.length;
  const d = table.dimension;
  const keys: string[] = new Array(n);
  const texts: (string | null)[] = new Array(n);
  const metadata: MetadataRecord[] = new Array(n);
  const flat = vectors ?? new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const id = order[i]!;
    keys[i] = table.keys[id]!;
    texts[i] = table.texts[id] ?? null;
    metadata[i] = table.metadataOf(id);
    if (vectors === undefined) flat.set(table.vectorView(id), i * d);
  }
  return documentsToBatch(schema, config, new PreparedBatch(d, keys, texts, flat, metadata), order);
}

function toStored(t: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (t === 'date') return BigInt((v as Date).getTime());
  if (t === 'integer') return BigInt(v as number);
  return v;
}

/** Rows read back from a dataset: the documents and the doc id of each. */
export interface StoredRows {
  docIds: Int32Array;
  docs: PreparedBatch;
}

/**
 * Decodes a batch of a collection's dataset into documents (vectors copied into one flat array).
 * @param maxDocIds - the first doc id the collection's index could not hold (`HNSW#maxIds` of @vego/hnsw)
 * @throws CorruptDataError for nulls where none can be, integers out of range, bad doc ids.
 */
export function batchToRows(batch: RecordBatch, config: CollectionConfig, where: string, maxDocIds: number): StoredRows {
  const s = batch.schema;
  const col = (name: string): Vector => batch.columns[s.fieldIndex(name)]!;
  const keyCol = col('key') as Utf8Vector;
  const vectorCol = col('vector') as FixedSizeListVector;
  const textCol = col('text') as Utf8Vector;
  const idCol = col('_doc_id') as Int32Vector;
  const meta = config.fields.map(([name, t]) => [name, t, s.fieldIndex(name) < 0 ? null : col(name)] as const);
  const n = batch.numRows;
  const d = config.dimension;
  const values = vectorCol.values as Float32Array;
  const docIds = new Int32Array(n);
  const keys: string[] = new Array(n);
  const texts: (string | null)[] = new Array(n);
  const metadata: MetadataRecord[] = new Array(n);
  const vectors = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const key = keyCol.get(r);
    const docId = idCol.get(r);
    if (key === null || docId === null || docId < 0) throw new CorruptDataError(`${where}: row ${r} of a batch has a null key or a bad _doc_id`);
    // Doc ids are dense and size every in-memory column and the index: an id no index of this
    // configuration could hold is damage, refused before anything is allocated for it.
    if (docId >= maxDocIds) {
      throw new CorruptDataError(`${where}: document '${key}' has _doc_id ${docId}; a collection of dimension ${config.dimension} holds ids below ${maxDocIds}`);
    }
    if (!vectorCol.isValid(r)) throw new CorruptDataError(`${where}: document '${key}' has a null vector`);
    const off = vectorCol.valueOffset(r);
    vectors.set(values.subarray(off, off + d), r * d);
    const row: Record<string, unknown> = {};
    for (const [name, t, v] of meta) {
      if (v === null || !v.isValid(r)) { row[name] = null; continue; }
      switch (t) {
        case 'float': row[name] = (v as Float64Vector).get(r); break;
        case 'integer': {
          const x = (v as Int64Vector).get(r)!;
          const num = Number(x);
          if (!Number.isSafeInteger(num)) throw new CorruptDataError(`${where}: document '${key}', field \`${name}\`: ${x} is not a safe integer`);
          row[name] = num;
          break;
        }
        case 'date': {
          // int64 ms (format 1) or timestamp[ms, UTC] (format 2): both hold milliseconds as bigint.
          const x = (v as Int64Vector).get(r)!;
          const num = Number(x);
          if (!Number.isSafeInteger(num) || Math.abs(num) > MAX_DATE_MS) {
            throw new CorruptDataError(`${where}: document '${key}', field \`${name}\`: ${x} ms is outside the range of a Date`);
          }
          row[name] = new Date(num);
          break;
        }
        case 'bigint': row[name] = (v as Int64Vector).get(r); break;
        case 'boolean': row[name] = (v as BoolVector).get(r); break;
        case 'string': row[name] = (v as Utf8Vector).get(r); break;
        case 'tags': {
          const lv = v as ListVector<Utf8>;
          const child = lv.child as Utf8Vector;
          const tags: string[] = [];
          const base = child.offset;
          for (let j = lv.valueOffset(r); j < lv.valueEnd(r); j++) {
            const tag = child.get(j - base);
            if (tag === null) throw new CorruptDataError(`${where}: document '${key}', field \`${name}\` holds a null tag`);
            tags.push(tag);
          }
          row[name] = tags;
          break;
        }
      }
    }
    docIds[r] = docId;
    keys[r] = key;
    texts[r] = textCol.get(r);
    metadata[r] = row as MetadataRecord;
  }
  return { docIds, docs: new PreparedBatch(d, keys, texts, vectors, metadata) };
}

/** Schema (field → type) of a configuration. */
export function schemaOfConfig(config: CollectionConfig): MetadataSchema {
  const out: MetadataSchema = {};
  for (const [n, t] of config.fields) out[n] = t;
  return out;
}

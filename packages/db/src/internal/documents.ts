/**
 * The in-memory state of a collection's documents, by internal doc id (`doc-ids.ts`): keys, texts,
 * original vectors (the HNSW index keeps cosine vectors normalised, and exact filtered scans and
 * `get` need the vectors as given), liveness and one typed column per metadata field.
 */
import type { FieldType, MetadataSchema, MetadataValue } from '../schema';
import { newColumn, growTyped, type Column } from './columns';
import { VectorChunks } from './vector-chunks';
import type { FilterSource } from '../filter/evaluate';

/** Metadata values of one document by field name (missing: null). */
export type MetadataRecord = Record<string, MetadataValue | undefined>;

/**
 * Checked documents, ready to be stored, column by column: document `i` has key `keys[i]`, text
 * `texts[i]`, metadata `metadata[i]` and the vector at `vectors[i · dimension …]`. One flat vector
 * array per batch instead of one Float32Array per document: a 100K insert then makes one
 * allocation, not 100K small buffers for the garbage collector to trace and free.
 */
export class PreparedBatch {
  constructor(
    readonly dimension: number,
    readonly keys: string[],
    readonly texts: (string | null)[],
    /** `keys.length · dimension` floats (copied, checked). */
    readonly vectors: Float32Array,
    readonly metadata: MetadataRecord[],
  ) {}

  /** Documents in the batch. */
  get length(): number {
    return this.keys.length;
  }

  /** Offset of document `i`'s vector in {@link vectors}. */
  vectorOffset(i: number): number {
    return i * this.dimension;
  }

  /** A view of document `i`'s vector. */
  vectorView(i: number): Float32Array {
    return this.vectors.subarray(i * this.dimension, (i + 1) * this.dimension);
  }
}

/** Documents of one collection, column by column. */
export class DocumentTable implements FilterSource {
  numIds = 0;
  alive = new Uint8Array(16);
  /** Vectors as given, by id, in chunks (growing never copies them). */
  readonly vectors: VectorChunks;
  /** Euclidean norm of each vector (float64), for cosine exact scans. */
  norms = new Float64Array(16);
  readonly keys: (string | undefined)[] = [];
  readonly texts: (string | null | undefined)[] = [];
  readonly keyToId = new Map<string, number>();
  /** Field order as declared or first seen. */
  readonly fields: string[] = [];
  readonly types = new Map<string, FieldType>();
  private readonly columns = new Map<string, Column>();
  liveCount = 0;

  constructor(readonly dimension: number, schema: MetadataSchema = {}) {
    this.vectors = new VectorChunks(dimension);
    this.vectors.reserve(this.alive.length);
    for (const [name, type] of Object.entries(schema)) this.addField(name, type);
  }

  /** The metadata schema now (field → type), in field order. */
  get schema(): MetadataSchema {
    const out: MetadataSchema = {};
    for (const f of this.fields) out[f] = this.types.get(f)!;
    return out;
  }

  fieldType(name: string): FieldType | undefined {
    return this.types.get(name);
  }

  column(name: string): Column {
    return this.columns.get(name)!;
  }

  /** Adds an all-null column. */
  addField(name: string, type: FieldType): void {
    if (this.types.has(name)) return;
    this.fields.push(name);
    this.types.set(name, type);
    this.columns.set(name, newColumn(type, Math.max(16, this.alive.length)));
  }

  /** Makes room for ids below `n`. */
  reserve(n: number): void {
    this.vectors.reserve(n); // by chunk, not doubling with the small arrays below
    if (this.alive.length >= n) return;
    this.alive = growTyped(this.alive, n);
    const cap = this.alive.length;
    this.norms = growTyped(this.norms, cap);
    for (const c of this.columns.values()) c.reserve(cap);
  }

  /** Stores document `i` of `batch` under `id` (not yet live; see {@link setAlive}). */
  put(id: number, batch: PreparedBatch, i: number): void {
    this.reserve(id + 1);
    if (id >= this.numIds) this.numIds = id + 1;
    this.keys[id] = batch.keys[i]!;
    this.texts[id] = batch.texts[i]!;
    this.norms[id] = this.vectors.set(id, batch.vectors, batch.vectorOffset(i));
    const metadata = batch.metadata[i]!;
    for (const f of this.fields) this.columns.get(f)!.set(id, metadata[f]);
  }

  /** Marks `id` live (and the owner of its key) or dead. */
  setAlive(id: number, live: boolean): void {
    const was = this.alive[id] === 1;
    if (was === live) return;
    this.alive[id] = live ? 1 : 0;
    this.liveCount += live ? 1 : -1;
    const key = this.keys[id]!;
    if (live) this.keyToId.set(key, id);
    else if (this.keyToId.get(key) === id) this.keyToId.delete(key);
  }

  /**
   * A new table holding the documents `oldIds` names (live ones), document `oldIds[j]` under id `j`:
   * keys, texts, vectors and every metadata field, all live; the same fields and types.
   */
  renumbered(oldIds: Int32Array): DocumentTable {
    const out = new DocumentTable(this.dimension, this.schema);
    const n = oldIds.length;
    out.reserve(n);
    out.numIds = n;
    const columns = this.fields.map((f) => [this.columns.get(f)!, out.columns.get(f)!] as const);
    for (let j = 0; j < n; j++) {
      const id = oldIds[j]!;
      out.keys[j] = this.keys[id];
      out.texts[j] = this.texts[id];
      out.norms[j] = out.vectors.set(j, this.vectors.view(id), 0);
      for (const [from, to] of columns) to.set(j, from.get(id));
      out.setAlive(j, true);
    }
    return out;
  }

  /** Copy of the vector of `id`, as given at insert. */
  vectorOf(id: number): Float32Array {
    return this.vectors.copy(id);
  }

  /** Metadata of `id` (only `fields` when given). */
  metadataOf(id: number, fields?: readonly string[]): Record<string, MetadataValue> {
    const out: Record<string, MetadataValue> = {};
    for (const f of fields ?? this.fields) {
      const c = this.columns.get(f);
      if (c !== undefined) out[f] = c.get(id);
    }
    return out;
  }

  /** Bytes held by the typed arrays (vectors, liveness, columns); strings not counted. */
  get byteLength(): number {
    let n = this.vectors.byteLength + this.alive.byteLength + this.norms.byteLength;
    for (const c of this.columns.values()) n += c.byteLength;
    return n;
  }
}

/**
 * The in-memory state of a collection's documents, by internal doc id (`doc-ids.ts`): keys, texts,
 * original vectors (the HNSW index keeps cosine vectors normalised, and exact filtered scans and
 * `get` need the vectors as given), liveness and one typed column per metadata field.
 */
import type { FieldType, MetadataSchema, MetadataValue } from '../schema';
import { newColumn, growTyped, type Column } from './columns';
import type { FilterSource } from '../filter/evaluate';

/** A checked document, ready to be stored. */
export interface PreparedDocument {
  key: string;
  vector: Float32Array;
  text: string | null;
  /** Values by field name (missing: null). */
  metadata: Record<string, MetadataValue | undefined>;
}

/** Documents of one collection, column by column. */
export class DocumentTable implements FilterSource {
  numIds = 0;
  alive = new Uint8Array(16);
  vectors: Float32Array;
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
    this.vectors = new Float32Array(16 * dimension);
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
    if (this.alive.length >= n) return;
    this.alive = growTyped(this.alive, n);
    const cap = this.alive.length;
    this.norms = growTyped(this.norms, cap);
    const v = new Float32Array(cap * this.dimension);
    v.set(this.vectors);
    this.vectors = v;
    for (const c of this.columns.values()) c.reserve(cap);
  }

  /** Stores `doc` under `id` (not yet live; see {@link setAlive}). */
  put(id: number, doc: PreparedDocument): void {
    this.reserve(id + 1);
    if (id >= this.numIds) this.numIds = id + 1;
    this.keys[id] = doc.key;
    this.texts[id] = doc.text;
    this.vectors.set(doc.vector, id * this.dimension);
    let ss = 0;
    const v = doc.vector;
    for (let j = 0; j < v.length; j++) ss += v[j]! * v[j]!;
    this.norms[id] = Math.sqrt(ss);
    for (const f of this.fields) this.columns.get(f)!.set(id, doc.metadata[f]);
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

  /** Copy of the vector of `id`, as given at insert. */
  vectorOf(id: number): Float32Array {
    const d = this.dimension;
    return this.vectors.slice(id * d, id * d + d);
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

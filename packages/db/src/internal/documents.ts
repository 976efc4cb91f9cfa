/**
 * The in-memory state of a collection's documents, by internal doc id (`doc-ids.ts`): keys, texts,
 * vectors, liveness and one typed column per metadata field. Vectors are held once: under l2 and
 * innerProduct the HNSW index stores each vector as given (bit for bit), so the table reads them
 * from the index ({@link DocumentTable.useIndexVectors}); under cosine the index holds them
 * normalised, so a persisted collection reads the given ones from its dataset when asked (`get`
 * with the vector, rewrites), and only an in-memory cosine collection keeps its own copy.
 */
import { InternalError, type VectorLike } from '@vego/hnsw';
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

/**
 * The index a table that keeps no copy of the vectors is paired with: it holds every live
 * document's vector under the document's id (@vego/hnsw's `HNSW`), as given under l2 and
 * innerProduct, normalised under cosine.
 */
export interface IndexVectors {
  /** A copy of the stored vector of `id`. */
  get(id: number): Float32Array;
  /** True when `vector`, prepared as the index stores vectors, is the stored vector of `id` bit for bit. */
  holds(id: number, vector: VectorLike): boolean;
}

/** Documents of one collection, column by column. */
export class DocumentTable implements FilterSource {
  numIds = 0;
  alive = new Uint8Array(16);
  /**
   * Vectors as given, by id, in chunks (growing never copies them); null once the table reads them
   * from the index instead ({@link useIndexVectors}).
   */
  vectors: VectorChunks | null;
  /** The index the table is paired with when {@link vectors} is null. */
  private indexVectors: IndexVectors | null = null;
  /** True when {@link indexVectors} stores the vectors as given (l2, innerProduct), so the table reads them there. */
  private indexHoldsGiven = false;
  readonly keys: (string | undefined)[] = [];
  readonly texts: (string | null | undefined)[] = [];
  readonly keyToId = new Map<string, number>();
  /** Field order as declared or first seen. */
  readonly fields: string[] = [];
  readonly types = new Map<string, FieldType>();
  private readonly columns = new Map<string, Column>();
  liveCount = 0;

  /**
   * @param ownVectors - keep a copy of the vectors put (default true); without it the table keeps
   *   none from the start (a persisted collection opening: its index and dataset hold them) and
   *   reads none until {@link useIndexVectors}
   */
  constructor(readonly dimension: number, schema: MetadataSchema = {}, ownVectors = true) {
    this.vectors = ownVectors ? new VectorChunks(dimension) : null;
    this.vectors?.reserve(this.alive.length);
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

  /**
   * Drops the table's own copy of the vectors: `index` holds every live document's vector under
   * its id and is told of every vector the table is given later (the collection adds, updates and
   * deletes alongside the table). With `given` (l2, innerProduct: the index stores vectors as
   * given) the table reads its vectors from `index`; without it (cosine: normalised) it cannot
   * read them at all ({@link readsVectors} false: the collection reads them from its dataset),
   * and {@link sameVector} compares directions.
   */
  useIndexVectors(index: IndexVectors, given: boolean): void {
    this.vectors = null;
    this.indexVectors = index;
    this.indexHoldsGiven = given;
  }

  /** True while the table keeps its own copy of the vectors. */
  get ownsVectors(): boolean {
    return this.vectors !== null;
  }

  /** True when {@link vectorOf} and {@link vectorView} can answer (own copy, or an index that stores vectors as given). */
  get readsVectors(): boolean {
    return this.vectors !== null || this.indexHoldsGiven;
  }

  /** Makes room for ids below `n`. */
  reserve(n: number): void {
    this.vectors?.reserve(n); // by chunk, not doubling with the small arrays below
    if (this.alive.length >= n) return;
    this.alive = growTyped(this.alive, n);
    const cap = this.alive.length;
    for (const c of this.columns.values()) c.reserve(cap);
  }

  /** Stores document `i` of `batch` under `id` (not yet live; see {@link setAlive}). */
  put(id: number, batch: PreparedBatch, i: number): void {
    this.reserve(id + 1);
    if (id >= this.numIds) this.numIds = id + 1;
    this.keys[id] = batch.keys[i]!;
    this.texts[id] = batch.texts[i]!;
    this.vectors?.set(id, batch.vectors, batch.vectorOffset(i));
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
   * keys, texts, vectors and every metadata field, all live; the same fields and types. A table
   * that reads its vectors from an index reads the new one's from `index` (which holds document
   * `oldIds[j]`'s vector under id `j`).
   */
  renumbered(oldIds: Int32Array, index: IndexVectors): DocumentTable {
    const out = new DocumentTable(this.dimension, this.schema);
    if (this.vectors === null) out.useIndexVectors(index, this.indexHoldsGiven);
    const n = oldIds.length;
    out.reserve(n);
    out.numIds = n;
    const columns = this.fields.map((f) => [this.columns.get(f)!, out.columns.get(f)!] as const);
    for (let j = 0; j < n; j++) {
      const id = oldIds[j]!;
      out.keys[j] = this.keys[id];
      out.texts[j] = this.texts[id];
      out.vectors?.set(j, this.vectorView(id), 0);
      for (const [from, to] of columns) to.set(j, from.get(id));
      out.setAlive(j, true);
    }
    return out;
  }

  /** Copy of the vector of `id`, as given at insert. @throws InternalError unless {@link readsVectors} */
  vectorOf(id: number): Float32Array {
    return this.vectors !== null ? this.vectors.copy(id) : this.givenFromIndex(id);
  }

  /**
   * The vector of `id` as given, to read at once (a view of the table's copy, or a copy read from
   * the index): not to be kept or changed. @throws InternalError unless {@link readsVectors}
   */
  vectorView(id: number): Float32Array {
    return this.vectors !== null ? this.vectors.view(id) : this.givenFromIndex(id);
  }

  private givenFromIndex(id: number): Float32Array {
    if (!this.indexHoldsGiven) throw new InternalError('this table keeps no vectors and its index holds them normalised: read them from the dataset');
    return this.indexVectors!.get(id);
  }

  /**
   * True when the vector of live `id` is `dimension` floats of `v` from `offset`, bit for bit; when
   * the table keeps no vectors and its index holds them normalised, when `v` normalised is the
   * stored vector (the same direction: nothing in the index changes).
   */
  sameVector(id: number, v: Float32Array, offset: number): boolean {
    if (this.vectors !== null) return this.vectors.equals(id, v, offset);
    return this.indexVectors!.holds(id, v.subarray(offset, offset + this.dimension));
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

  /** Bytes held by the typed arrays (own vectors, liveness, columns); strings not counted. */
  get byteLength(): number {
    let n = (this.vectors?.byteLength ?? 0) + this.alive.byteLength;
    for (const c of this.columns.values()) n += c.byteLength;
    return n;
  }
}

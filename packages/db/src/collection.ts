/**
 * A collection: documents with keys, vectors, optional text and typed metadata, an HNSW index over
 * the vectors, filters over the metadata, and (when its database has a folder) one Lance dataset
 * holding it all. Every disk operation is async; writes of one collection run one at a time.
 */
import {
  ConflictError, CorruptDataError, HNSW, InternalError, InvalidArgumentError, LengthMismatchError, NotFoundError, NotSupportedError,
  type FixedSizeListVector, type VectorLike,
} from '@vego/hnsw';
import type { CollectionConfig } from './collection-layout';
import { COLLECTION_FORMAT_VERSION, collectionSchema, documentsToBatch, schemaOfConfig, tableToBatch } from './collection-layout';
import type { CreateCollectionOptions, DistanceName, EmbedFunction } from './collection-config';
import { DuplicateKeyError, InvalidDocumentError } from './errors';
import { compileFilter, type Filter } from './filter/compile';
import { hasBit, newBitset, popcount } from './internal/bitset';
import { DocumentTable, PreparedBatch, type MetadataRecord } from './internal/documents';
import { adaptStep, inSlices, now, SLICE_MS, yieldToEventLoop } from './internal/yield';
import type { LanceStore } from './lance-store';
import { CollectionTextIndex, type FullTextOptions, fullTextOptionsOfCommit, textIndexOptionsOf } from './fulltext/collection-text-index';
import { checkHybridFusion, fuseHybrid, type HybridFusion } from './fulltext/hybrid';
import { readTextIndexCommitSync } from './fulltext/persistence';
import { checkFieldName, checkValue, inferFieldType, type FieldType, type MetadataValue } from './schema';

/** A document as given to `insert` / `upsert`. */
export interface DocumentInput {
  /** Your key; generated (random UUID) when missing. */
  key?: string;
  /** The vector; computed from `text` by the collection's embedder when missing. */
  vector?: VectorLike;
  /** Optional text (stored, returned, and embedded when there is no vector). */
  text?: string | null;
  /** Typed metadata (see `FieldType`); null or missing is null. */
  metadata?: Record<string, MetadataValue | undefined>;
}

/** A document as returned. `vector` only when selected; `text` unless a `select` leaves it out. */
export interface Document {
  key: string;
  text?: string | null;
  metadata: Record<string, MetadataValue>;
  vector?: Float32Array;
}

/** A search result: the document, its distance (null for text-only hits) and a score (higher is better). */
export interface SearchHit extends Document {
  /** As the index defines it (squared L2, `1 − cos`, `1 − a·b`); null for full-text hits. */
  distance: number | null;
  /** cosine / innerProduct: `1 − distance`; l2: `1 / (1 + distance)`; full text: the text score. */
  score: number;
}

/** What {@link Collection.optimize} did. */
export interface OptimizeResult {
  /** Dataset fragments rewritten, and written (0 in memory). */
  fragmentsRemoved: number;
  fragmentsAdded: number;
  /** Dataset versions deleted (0 in memory and on object stores). */
  versionsRemoved: number;
  /**
   * True when the live documents got new internal ids `0 … size − 1` (in their old order), giving
   * back the slots of dead ones in memory and, persisted, on disk (the dataset rewritten whole,
   * which drops any index LanceDB built on it).
   */
  docIdsRenumbered: boolean;
}

/** What `update` changes: only the parts given (a metadata field set to null is cleared). */
export interface DocumentPatch {
  vector?: VectorLike;
  text?: string | null;
  metadata?: Record<string, MetadataValue | undefined>;
}

/** Options of `insertMany` / `upsertMany`. */
export interface WriteOptions {
  /** Documents per commit (default 2,000: one commit's encoding stays a short event-loop block). */
  batchSize?: number;
  /** Called after each committed batch with the documents written so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Threads that link each committed batch's new vectors into the index (default 1: this thread,
   * in slices of a few milliseconds between event-loop turns, so searches of the collection run
   * between slices). With more, the batch is linked by that many worker threads sharing the
   * index's memory (hnsw's `addBatchAsync`) while the event loop stays free, about `threads` times
   * as fast on as many idle cores (bulk loads); searches of this collection issued meanwhile wait
   * until the batch is linked. The workers start on first use and stop when the collection closes.
   * In a browser build (no worker threads) this thread links the batch, in slices. Replacements with
   * a new vector are relinked on this thread, in slices (the graph's in-place update is
   * single-threaded); `threads` speeds up the documents with new keys.
   */
  threads?: number;
}

/** Projection: the fields to return. Default: text and every metadata field, no vector. */
export interface ReadOptions {
  /** Metadata field names, plus `'text'` and `'vector'`; the key is always returned. */
  select?: readonly string[];
}

/** Options of `query`. */
export interface QueryOptions extends ReadOptions {
  filter?: Filter;
  /** Most documents to return (default: all). */
  limit?: number;
  /** Matching documents to skip first (default 0). */
  offset?: number;
}

/** Options of `search` / `searchMany`. */
export interface SearchOptions extends ReadOptions {
  filter?: Filter;
  /** HNSW search list size (default `max(k, 64)`); filtered graph searches raise it by selectivity. */
  ef?: number;
  /**
   * A filtered search scans its matches exactly when there are at most this many (default
   * {@link EXACT_SCAN_MAX_MATCHES}, and always below {@link EXACT_SCAN_FRACTION} of the collection
   * unless this is given); above it, the filter runs during the graph walk. 0 forces the graph walk.
   */
  exactScanThreshold?: number;
  /**
   * Hybrid `{ vector, text }` queries: how the vector ranking and the full-text ranking fuse
   * (`'rrf'`, the default: reciprocal rank fusion with k = 60; `{ rrf: k }`; or `{ linear: w }`:
   * min-max normalised scores, `w` for the vector side and `1 − w` for the text side). Each side
   * contributes its best `max(2k, 20)` documents, both under `filter`.
   */
  fusion?: HybridFusion;
  /**
   * `searchMany` only: threads that answer its vector queries (default 1). With more, the
   * queries go to the index in batches of about 12 ms (hnsw's `searchMany` on the calling thread
   * plus `threads − 1` worker threads sharing the index's memory), with event-loop turns between
   * batches; the answers are those of one thread, filters included. The workers start on first
   * use, stay for later calls (never keeping the process alive) and stop when the collection
   * closes. In a browser build (no worker threads) one thread answers.
   */
  threads?: number;
}

/**
 * A search query: a vector, a text (embedded, or full-text when the collection has a text index),
 * or both (`{ vector, text }`: hybrid search over the vector index and the full-text index, fused).
 */
export type SearchQuery = VectorLike | string | { vector: VectorLike } | { text: string } | { vector: VectorLike; text: string };

/** The fields a search returns (see `select`). */
type Selection = { fields: readonly string[]; text: boolean; vector: boolean };

/** How a vector search runs (`Collection#searchPlan`). */
interface SearchPlan {
  kind: 'none' | 'unfiltered' | 'exact' | 'graph';
  baseEf: number;
  /** Candidates of the post-filtered unfiltered search tried first (0: none). */
  wide: number;
  filteredEf: number;
  scan: boolean;
}

/** True for a hybrid `{ vector, text }` query. */
function isHybridQuery(q: SearchQuery): q is { vector: VectorLike; text: string } {
  return typeof q === 'object' && q !== null && !ArrayBuffer.isView(q) && !Array.isArray(q) && 'vector' in q && 'text' in q;
}

/**
 * The hook through which a full-text index follows a collection (see `internal/doc-ids.ts`).
 * @internal
 */
export interface TextIndexHook {
  add(docId: number, text: string): void;
  remove(docId: number): void;
  search(query: string, k: number, filter: Uint32Array | null): { docId: number; score: number }[] | Promise<{ docId: number; score: number }[]>;
  /** Saves what changed; `force` false lets the index defer small changes (reconciled on open). */
  flush?(force?: boolean): Promise<void>;
}

/** Matches above this count (and above `EXACT_FRACTION` of the collection) take the graph path. */
export const EXACT_SCAN_MAX_MATCHES = 1024;
/** Matches below this fraction of the live documents are always scanned exactly. */
export const EXACT_SCAN_FRACTION = 0.02;
/** From this fraction of matching documents on, a filtered search post-filters a wider unfiltered one. */
const POSTFILTER_MIN_SELECTIVITY = 0.3;
/** Largest ef a filtered graph search raises to. */
const MAX_FILTERED_EF = 2048;
/**
 * Nodes a filtered graph walk visits per unit of ef and of 1 / selectivity (measured on clustered
 * 100K × 128 data, ef 64: ~2,000–4,000 at 10 %, 5,000–8,000 at 5 %, 16,000–20,000 at 2 %), and how
 * many matches an exact scan (index order, SIMD kernel) reads in the time the walk spends per
 * visit (same data: ~0.45 ms for the walk at 10 %, ~0.9 ms to scan its 10K matches; the scan is
 * bound by memory bandwidth, the walk by memory latency).
 */
const WALK_VISITS_PER_EF = 4;
const SCAN_COST_RATIO = 2.5;
const DEFAULT_BATCH = 2_000;
/** Default of `indexSaveEvery`. */
export const DEFAULT_INDEX_SAVE_EVERY = 1_000;
/**
 * Share of dead doc ids (of deleted and replaced documents) from which {@link Collection.optimize}
 * renumbers the live ones, giving back the memory and disk of the dead. Renumbering a persisted
 * collection rewrites every row, so it waits until that gives back at least a third of the live
 * documents' worth of slots.
 */
export const RENUMBER_DEAD_SHARE = 0.25;
const FLOAT32_MAX = 3.4028234663852886e38;

let keyCounter = 0;
/** A random UUID (v4 form) when the platform has one, else a time-and-counter key. */
function generateKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID !== undefined) return c.randomUUID();
  return `${Date.now().toString(36)}-${(keyCounter++).toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
}

/**
 * Rows whose vectors an opening collection reads from its dataset at once, to add or relink them
 * (4,096: 2 MiB at 128-d, 12 MiB at 768-d).
 */
const OPEN_READ_ROWS = 4096;

/**
 * What an opening collection learns of its saved index while it reads the rows: for each doc id
 * the index holds, whether the index's vector is the row's (`HNSW#holds`). The last row of an id
 * decides, as it does for the document. The rows' vectors are compared as they pass and dropped.
 */
class IndexCheck {
  /** 1 at each id whose last row's vector the index does not hold (one slot per id of the index). */
  private readonly stale: Uint8Array;

  constructor(private readonly index: HNSW | null, private readonly dimension: number) {
    this.stale = new Uint8Array(index?.numIds ?? 0);
  }

  /** Compares the vector of a row of `id` (`dimension` floats of `v` from `offset`) with the index's. */
  note(id: number, v: Float32Array, offset: number): void {
    const index = this.index;
    if (index === null || id >= this.stale.length || !index.has(id)) return;
    this.stale[id] = index.holds(id, v.subarray(offset, offset + this.dimension)) ? 0 : 1;
  }

  /** True when the index holds `id` with another vector than its last row's. */
  isStale(id: number): boolean {
    return id < this.stale.length && this.stale[id] === 1;
  }
}

/** Ids of documents in a dataset's live row order (persisted collections only). */
class RowOrder {
  ids = new Int32Array(64);
  length = 0;
  /** Position of each id (−1: none), built when first asked after a change ({@link positionOf}). */
  private positions: Int32Array | null = null;
  push(id: number): void {
    if (this.length === this.ids.length) {
      const next = new Int32Array(this.ids.length * 2);
      next.set(this.ids);
      this.ids = next;
    }
    if (this.positions !== null && id < this.positions.length) this.positions[id] = this.length;
    else this.positions = null;
    this.ids[this.length++] = id;
  }
  /**
   * The position of `id`'s row, −1 when it has none. When an id has several rows (superseded ones
   * left over plain HTTP, which cannot delete), the last: it wins, as on open.
   */
  positionOf(id: number): number {
    if (this.positions === null) {
      let max = -1;
      for (let p = 0; p < this.length; p++) if (this.ids[p]! > max) max = this.ids[p]!;
      const positions = new Int32Array(max + 1).fill(-1);
      for (let p = 0; p < this.length; p++) positions[this.ids[p]!] = p;
      this.positions = positions;
    }
    return id < this.positions.length ? this.positions[id]! : -1;
  }
  /** Positions of the ids marked in `marked` (ascending). */
  positionsOf(marked: Uint8Array): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.length; p++) if (marked[this.ids[p]!] === 1) out.push(p);
    return out;
  }
  /** Removes the given ascending positions. */
  remove(positions: readonly number[]): void {
    if (positions.length === 0) return;
    this.positions = null;
    let w = 0;
    let k = 0;
    for (let p = 0; p < this.length; p++) {
      if (k < positions.length && positions[k] === p) { k++; continue; }
      this.ids[w++] = this.ids[p]!;
    }
    this.length = w;
  }
  view(): Int32Array {
    return this.ids.subarray(0, this.length);
  }
}

/**
 * A collection of documents. Get one from `Database.createCollection` / `openCollection` /
 * `collection`.
 * @example
 * ```ts
 * const notes = await db.createCollection('notes', { dimension: 384 });
 * await notes.insert({ key: 'n1', vector, text: 'hello', metadata: { kind: 'note', year: 2024 } });
 * const hits = await notes.search(query, 5, { filter: "kind = 'note' AND year >= 2020" });
 * ```
 */
export class Collection {
  /** The collection's name. */
  readonly name: string;
  /** Vector length. */
  readonly dimension: number;
  /** Distance of the index. */
  readonly distance: DistanceName;
  private config: CollectionConfig;
  private table: DocumentTable;
  private index: HNSW;
  private readonly store: LanceStore | null;
  private order: RowOrder | null;
  private readonly embedFn: EmbedFunction | undefined;
  private textIndex: TextIndexHook | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Index changes (ids added or deleted) since the index was last saved. */
  private unsavedIndexChanges = 0;
  /**
   * While worker threads link a batch into the index (`WriteOptions.threads`): settles when they
   * are done (never rejects). The index refuses searches meanwhile, so searches wait for it.
   */
  private linking: Promise<void> | null = null;
  /** Save the index once this many changes are unsaved (see `indexSaveEvery`). */
  private indexSaveEvery = DEFAULT_INDEX_SAVE_EVERY;
  private closed = false;
  /**
   * Searches under way: they hold doc ids (filter bits, hits) across awaits, so a renumbering of
   * the ids ({@link compactDocIds}) swaps the table and index only once none is left, and new
   * searches wait for {@link renumbering} meanwhile.
   */
  private searching = 0;
  private searchesDone: (() => void) | null = null;
  private renumbering: Promise<void> | null = null;

  /** @internal Use the `Database` methods. */
  constructor(name: string, config: CollectionConfig, table: DocumentTable, index: HNSW, store: LanceStore | null, order: Int32Array | null, embed: EmbedFunction | undefined) {
    this.name = name;
    this.dimension = config.dimension;
    this.distance = config.distance;
    this.config = config;
    this.table = table;
    this.index = index;
    this.store = store;
    this.embedFn = embed;
    if (store !== null) {
      this.order = new RowOrder();
      if (order !== null) for (let i = 0; i < order.length; i++) this.order.push(order[i]!);
    } else {
      this.order = null;
    }
  }

  /** @internal A new empty collection (persisted when `store` is given). */
  static createNew(name: string, options: CreateCollectionOptions, store: LanceStore | null, config: CollectionConfig): Collection {
    const table = new DocumentTable(config.dimension, schemaOfConfig(config));
    const index = new HNSW({ dimension: config.dimension, distance: config.distance, M: config.M, efConstruction: config.efConstruction, seed: config.seed });
    const c = new Collection(name, config, table, index, store, new Int32Array(0), options.embed);
    c.setIndexSaveEvery(options.indexSaveEvery);
    c.shareVectorsWithIndex();
    return c;
  }

  private setIndexSaveEvery(n: number | undefined): void {
    if (n === undefined) return;
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`\`indexSaveEvery\` must be a positive integer, got ${n}`);
    this.indexSaveEvery = n;
  }

  /**
   * @internal Opens a persisted collection: loads the saved index, reads every live row into memory
   * but its vector (each is compared with the index's as it passes: {@link IndexCheck}), deletes
   * rows left superseded by a killed write, and reconciles the index with the documents (vectors
   * it lacks or holds stale are read from the dataset again, a chunk of rows at a time). The
   * vectors are never all in memory twice, not even while opening.
   */
  static async openStored(name: string, store: LanceStore, embed: EmbedFunction | undefined, indexSaveEvery?: number): Promise<Collection> {
    const config = store.config();
    const saved = await store.loadIndex();
    const loaded = saved !== null && saved.config.dimension === config.dimension && saved.config.distance === config.distance ? saved : null;
    const check = new IndexCheck(loaded, config.dimension);
    const table = new DocumentTable(config.dimension, schemaOfConfig(config), false);
    const order: number[] = [];
    const keyPos = new Map<string, number>();
    const stale: number[] = [];
    for await (const { docIds, docs } of store.rows(config)) {
      let t0 = now();
      for (let r = 0; r < docs.length; r++) {
        const docId = docIds[r]!;
        const key = docs.keys[r]!;
        const p = order.length;
        const prev = keyPos.get(key);
        if (prev !== undefined) {
          stale.push(prev);
          if (order[prev] !== docId) table.setAlive(order[prev]!, false);
        } else if (docId < table.numIds && table.alive[docId] === 1 && table.keys[docId] !== key) {
          throw new CorruptDataError(`${store.datasetDir}: _doc_id ${docId} is used by keys '${table.keys[docId]}' and '${key}'`);
        }
        table.put(docId, docs, r);
        table.setAlive(docId, true);
        check.note(docId, docs.vectors, docs.vectorOffset(r));
        keyPos.set(key, p);
        order.push(docId);
        if ((r & 1023) === 1023 && now() - t0 > SLICE_MS) {
          await yieldToEventLoop();
          t0 = now();
        }
      }
      await yieldToEventLoop();
    }
    stale.sort((a, b) => a - b);
    const c = new Collection(name, config, table, new HNSW({ dimension: config.dimension, distance: config.distance }), store, Int32Array.from(order), embed);
    c.setIndexSaveEvery(indexSaveEvery);
    // Over plain HTTP (read-only) superseded rows stay: they lose to the later rows on every open.
    if (stale.length > 0 && store.writable) {
      try {
        await store.deleteRows(stale);
        c.order!.remove(stale);
      } catch (e) {
        // Another writer committed meanwhile: the superseded rows stay (they lose to the later
        // rows on every open) and this collection's next write gets the ConflictError.
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    const ok = loaded !== null && (await c.reconcile(loaded, check));
    if (!ok) {
      // Rebuilt from the documents; its first save below rewrites the saved index whole.
      await c.rebuildIndex();
    }
    if (c.unsavedIndexChanges > 0) {
      await store.saveIndex(c.index);
      c.unsavedIndexChanges = 0;
    }
    c.shareVectorsWithIndex();
    return c;
  }

  /**
   * Holds the vectors once: under l2 and innerProduct the index stores each vector as given (bit
   * for bit), so the table drops its own copy and reads them from the index; under cosine the index
   * holds them normalised, so a persisted collection drops the table's copy and reads the given
   * vectors from its dataset when asked ({@link storedVectors}); an in-memory cosine collection
   * keeps it (nowhere else holds them). Called once the index holds every live document (a new
   * collection; an open after reconciling).
   */
  private shareVectorsWithIndex(): void {
    if (this.distance !== 'cosine') this.table.useIndexVectors(this.index, true);
    else if (this.store !== null) this.table.useIndexVectors(this.index, false);
  }

  /**
   * Makes `index` agree with the documents: live documents it lacks are added (ids past its end),
   * ids it holds that are not live are deleted, ids whose vector changed since it was saved (as
   * `check` found while the rows were read) are relinked. Returns false when it cannot (a live
   * document whose id the index deleted) or when more than a third of its nodes would be relinked
   * (a rebuild is cheaper), and the index is then rebuilt.
   */
  private async reconcile(index: HNSW, check: IndexCheck): Promise<boolean> {
    const table = this.table;
    const numIndex = index.numIds;
    // A replacement with a new vector keeps its doc id, so a live id the index holds may hold the
    // vector it had when the index was saved: those ids are relinked around the stored vector.
    const stale: number[] = [];
    let live = 0;
    for (let id = 0; id < numIndex && id < table.numIds; id++) {
      if (table.alive[id] !== 1) continue;
      if (!index.has(id)) return false;
      live++;
      if (check.isStale(id)) stale.push(id);
    }
    // A relink costs about 2.5 inserts (see upsert): past a third of the nodes, building anew is cheaper.
    if (stale.length * 3 > live) return false;
    for (let id = 0; id < numIndex; id++) {
      if (index.has(id) && (id >= table.numIds || table.alive[id] !== 1)) {
        index.delete(id);
        this.unsavedIndexChanges++;
      }
    }
    this.index = index;
    for (let from = 0; from < stale.length; from += OPEN_READ_ROWS) {
      const ids = stale.slice(from, from + OPEN_READ_ROWS);
      const vectors = await this.storedVectors(ids);
      const d = this.dimension;
      await inSlices(ids.length, (k) => index.update(ids[k]!, vectors.subarray(k * d, (k + 1) * d)));
    }
    this.unsavedIndexChanges += stale.length;
    if (table.numIds > numIndex) {
      await this.addRange(numIndex, table.numIds);
      this.unsavedIndexChanges += table.numIds - numIndex;
    } else if (numIndex > table.numIds) {
      table.reserve(numIndex);
      table.numIds = numIndex;
    }
    return true;
  }

  /**
   * Adds ids `from … to - 1` to the index in order (opening: their vectors read from the dataset
   * {@link OPEN_READ_ROWS} rows at a time), in slices with event-loop turns between them. Dead ids
   * are added with a unit filler and deleted at once, so index ids stay equal to doc ids.
   */
  private async addRange(from: number, to: number): Promise<void> {
    const table = this.table;
    const d = this.dimension;
    const filler = new Float32Array(d);
    filler[0] = 1;
    for (let start = from; start < to; start += OPEN_READ_ROWS) {
      const end = Math.min(to, start + OPEN_READ_ROWS);
      const live: number[] = [];
      for (let id = start; id < end; id++) if (table.alive[id] === 1) live.push(id);
      const vectors = await this.storedVectors(live);
      let k = 0;
      await inSlices(
        end - start,
        (j) => {
          const id = start + j;
          const alive = table.alive[id] === 1;
          let vector: Float32Array = filler;
          if (alive) {
            vector = vectors.subarray(k * d, (k + 1) * d);
            k++;
          }
          const got = this.index.add(vector);
          if (got !== id) throw new InternalError(`index id ${got} differs from doc id ${id}`);
          if (!alive) this.index.delete(id);
        },
        64,
      );
    }
  }

  private async rebuildIndex(): Promise<void> {
    const c = this.config;
    // The old index's worker threads (if any) hold its memory: stop them.
    await this.index.close();
    this.index = new HNSW({ dimension: c.dimension, distance: c.distance, M: c.M, efConstruction: c.efConstruction, seed: c.seed });
    await this.addRange(0, this.table.numIds);
    this.unsavedIndexChanges += Math.max(1, this.table.numIds);
  }

  /**
   * @internal Opens the collection's full-text index (`fulltext/collection-text-index.ts`), kept in
   * the store's text folder: with `fullText` settings when given; when opening without them, with
   * the settings a saved full-text index was made with (none saved: no full-text index).
   */
  async enableFullText(fullText: boolean | FullTextOptions | undefined, opening: boolean): Promise<void> {
    const dir = this.store === null ? null : this.store.textDir;
    let settings: true | FullTextOptions | null = fullText === undefined || fullText === false ? null : fullText;
    if (fullText === undefined && opening && dir !== null) {
      const saved = readTextIndexCommitSync(dir);
      if (saved !== null) {
        settings = fullTextOptionsOfCommit(saved, dir);
        if (settings === null) {
          throw new InvalidArgumentError(`collection '${this.name}' has a full-text index made with the custom tokenizer '${saved.tokenizer}': pass it again as \`fullText: { tokenizer }\``);
        }
      }
    }
    if (settings === null) return;
    const t = this.table;
    this.textIndex = await CollectionTextIndex.open(dir, textIndexOptionsOf(settings), t.numIds, (id) => (t.alive[id] === 1 ? t.texts[id] : null));
  }

  /** True when the collection has a full-text index (`fullText` when created or opened). */
  get hasFullText(): boolean {
    return this.textIndex !== null;
  }

  /** @internal Attaches a full-text index (see {@link TextIndexHook}); it receives every live text now. */
  attachTextIndex(hook: TextIndexHook | null): void {
    this.textIndex = hook;
    if (hook === null) return;
    const t = this.table;
    for (let id = 0; id < t.numIds; id++) {
      const text = t.texts[id];
      if (t.alive[id] === 1 && typeof text === 'string') hook.add(id, text);
    }
  }

  /**
   * @internal Where a persisted collection lives (null in memory): its dataset directory and its
   * HNSW index directory, both in the database folder; a text index can keep its files beside them.
   */
  get location(): { datasetDir: string; indexDir: string } | null {
    return this.store === null ? null : { datasetDir: this.store.datasetDir, indexDir: this.store.indexDir };
  }

  /** @internal The document table (for filters and text indexes of this package). */
  get documents(): DocumentTable {
    return this.table;
  }

  /** Live documents. */
  get size(): number {
    return this.table.liveCount;
  }

  /** The metadata schema now (field → type). */
  get schema(): Record<string, FieldType> {
    return this.table.schema;
  }

  /** Bytes held in memory by vectors, columns and the index (strings not counted). */
  get byteLength(): number {
    return this.table.byteLength + this.index.byteLength;
  }

  private checkOpen(): void {
    if (this.closed) throw new InvalidArgumentError(`collection '${this.name}' is closed`);
  }

  /** Runs `fn` after every write queued before it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ------------------------------------------------------------------ preparing documents

  private checkVector(v: unknown, key: string, field = 'vector'): Float32Array {
    const out = new Float32Array(this.dimension);
    this.checkVectorInto(v, key, field, out, 0);
    return out;
  }

  /** Checks a vector and copies it (as float32) into `out` at `offset`. */
  private checkVectorInto(v: unknown, key: string, field: string, out: Float32Array, offset: number): void {
    if (!(v instanceof Float32Array) && !(Array.isArray(v) || ArrayBuffer.isView(v))) {
      throw new InvalidDocumentError(key, field, 'expected a Float32Array or an array of numbers');
    }
    const a = v as ArrayLike<number>;
    if (a.length !== this.dimension) throw new InvalidDocumentError(key, field, `expected ${this.dimension} components, got ${a.length}`);
    let nonZero = false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX) {
        throw new InvalidDocumentError(key, field, `component ${i} is ${String(x)} (finite float32 values only)`);
      }
      out[offset + i] = x;
      if (out[offset + i] !== 0) nonZero = true;
    }
    if (!nonZero && this.distance === 'cosine') throw new InvalidDocumentError(key, field, 'a zero vector has no direction (cosine distance)');
  }

  /**
   * Checks a batch and turns it into prepared documents (vectors copied, embedded when missing),
   * plus the new fields it introduces. Nothing is stored.
   */
  private async prepare(inputs: readonly DocumentInput[], upsert: boolean): Promise<{ docs: PreparedBatch; newFields: Map<string, FieldType> }> {
    if (!Array.isArray(inputs)) throw new InvalidArgumentError('`documents` must be an array');
    const n = inputs.length;
    const d = this.dimension;
    const keys: string[] = new Array(n);
    const texts: (string | null)[] = new Array(n);
    const metadatas: MetadataRecord[] = new Array(n);
    const vectors = new Float32Array(n * d);
    const seen = new Set<string>();
    const toEmbed: number[] = [];
    const newFields = new Map<string, FieldType>();
    const pending = new Map<string, number>(); // fields seen only with nulls so far in this batch
    let t0 = now();
    for (let i = 0; i < inputs.length; i++) {
      if ((i & 255) === 255 && now() - t0 > SLICE_MS) {
        await yieldToEventLoop();
        t0 = now();
      }
      const input = inputs[i];
      if (typeof input !== 'object' || input === null) throw new InvalidDocumentError(`#${i}`, null, 'expected an object');
      let key = input.key;
      if (key === undefined) key = generateKey();
      else if (typeof key !== 'string' || key.length === 0) throw new InvalidDocumentError(`#${i}`, 'key', `expected a non-empty string, got ${String(key)}`);
      if (seen.has(key)) throw new DuplicateKeyError(key, 'twice in this batch');
      seen.add(key);
      if (!upsert && this.table.keyToId.has(key)) throw new DuplicateKeyError(key, `already in collection '${this.name}'`);
      const text = input.text ?? null;
      if (text !== null && typeof text !== 'string') throw new InvalidDocumentError(key, 'text', `expected a string or null, got ${typeof text}`);
      if (input.vector === undefined || input.vector === null) {
        if (text === null) throw new InvalidDocumentError(key, 'vector', 'missing (give a vector, or text and an embedder)');
        if (this.embedFn === undefined) throw new InvalidDocumentError(key, 'vector', `missing, and collection '${this.name}' has no embedder to compute it from the text`);
        toEmbed.push(i);
      } else {
        this.checkVectorInto(input.vector, key, 'vector', vectors, i * d);
      }
      const metadata = input.metadata ?? {};
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new InvalidDocumentError(key, 'metadata', 'expected an object');
      for (const [field, value] of Object.entries(metadata)) {
        let type = this.table.fieldType(field) ?? newFields.get(field);
        if (type === undefined) {
          checkFieldName(field, key);
          const inferred = inferFieldType(value, key, field);
          if (inferred === null) { pending.set(field, i); continue; }
          type = inferred;
          newFields.set(field, type);
        }
        checkValue(type, value, key, field);
      }
      keys[i] = key;
      texts[i] = text;
      metadatas[i] = metadata;
    }
    const docs = new PreparedBatch(d, keys, texts, vectors, metadatas);
    for (const [field, i] of pending) {
      if (this.table.fieldType(field) === undefined && !newFields.has(field)) {
        throw new InvalidDocumentError(keys[i]!, field, 'a new field whose values are all null: declare its type in the collection schema');
      }
    }
    if (toEmbed.length > 0) await this.embedInto(docs, toEmbed);
    return { docs, newFields };
  }

  private async embedInto(docs: PreparedBatch, which: number[]): Promise<void> {
    const texts = which.map((i) => docs.texts[i]!);
    const vectors = await this.embedFn!(texts);
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw new LengthMismatchError(`the embedder returned ${Array.isArray(vectors) ? vectors.length : typeof vectors} vectors for ${texts.length} texts`);
    }
    for (let j = 0; j < which.length; j++) {
      const i = which[j]!;
      this.checkVectorInto(vectors[j], docs.keys[i]!, 'vector (from the embedder)', docs.vectors, docs.vectorOffset(i));
    }
  }

  /** Adds fields to the schema; a persisted collection rewrites its dataset with the new (null) columns. */
  private async addFields(newFields: Map<string, FieldType>): Promise<void> {
    if (newFields.size === 0) return;
    // The rewrite below writes every row again, so a collection of an older layout moves to the
    // current one (format 1 → 2: date columns become timestamps).
    const config: CollectionConfig = {
      ...this.config,
      formatVersion: this.store !== null ? COLLECTION_FORMAT_VERSION : this.config.formatVersion,
      fields: [...this.config.fields, ...newFields],
    };
    if (this.store !== null) {
      const order = this.order!.view();
      await this.store.overwrite(tableToBatch(collectionSchema(config), config, this.table, order, this.table.readsVectors ? undefined : await this.storedVectors(order)));
    }
    for (const [f, t] of newFields) this.table.addField(f, t);
    this.config = config;
  }

  // ------------------------------------------------------------------ writes

  /**
   * Inserts one document. @returns its key.
   * @throws DuplicateKeyError when the key exists; InvalidDocumentError naming the key and field
   *   for a bad vector (dimension, NaN) or metadata value; ConflictError when another process
   *   wrote the collection since this one read it (reopen it).
   */
  async insert(doc: DocumentInput): Promise<string> {
    return (await this.insertMany([doc]))[0]!;
  }

  /**
   * Inserts documents in batches (one commit each; the whole input is checked first, so a bad
   * document inserts nothing). @returns their keys, in order.
   * @throws as {@link insert}.
   */
  async insertMany(docs: readonly DocumentInput[], options: WriteOptions = {}): Promise<string[]> {
    const write = checkWriteOptions(options);
    return this.exclusive(async () => {
      const { docs: prepared, newFields } = await this.prepare(docs, false);
      await this.addFields(newFields);
      await this.writeBatches(prepared, write);
      await this.afterWrite();
      return prepared.keys;
    });
  }

  /**
   * Inserts documents, replacing those whose key exists. A replacement keeps the document's
   * internal id and its place in {@link query}'s order: with the same vector (bit for bit) only
   * text and metadata change; a new vector relinks its node in the index in place (about 2.5
   * inserts' work on 128-d data), so re-embedding leaves nothing behind for {@link optimize}.
   */
  async upsert(doc: DocumentInput): Promise<string> {
    return (await this.upsertMany([doc]))[0]!;
  }

  /** Batch form of {@link upsert}. */
  async upsertMany(docs: readonly DocumentInput[], options: WriteOptions = {}): Promise<string[]> {
    const write = checkWriteOptions(options);
    return this.exclusive(async () => {
      const { docs: prepared, newFields } = await this.prepare(docs, true);
      await this.addFields(newFields);
      await this.writeBatches(prepared, write);
      await this.afterWrite();
      return prepared.keys;
    });
  }

  /**
   * Changes part of a document: metadata fields given are set (null clears), text and vector when
   * given. Without a new vector the graph is untouched.
   * @throws NotFoundError when there is no such key; InvalidDocumentError for bad values.
   */
  async update(key: string, patch: DocumentPatch): Promise<void> {
    if (typeof patch !== 'object' || patch === null) throw new InvalidArgumentError('`patch` must be an object');
    await this.exclusive(async () => {
      const id = this.table.keyToId.get(key);
      if (id === undefined) throw new NotFoundError(`no document '${key}' in collection '${this.name}'`);
      const input: DocumentInput = {
        key,
        vector: patch.vector ?? (this.table.readsVectors ? this.table.vectorOf(id) : await this.storedVectors([id])),
        text: patch.text === undefined ? this.table.texts[id] ?? null : patch.text,
        metadata: { ...this.table.metadataOf(id), ...(patch.metadata ?? {}) },
      };
      const { docs, newFields } = await this.prepare([input], true);
      await this.addFields(newFields);
      await this.writeBatches(docs, checkWriteOptions({}));
      await this.afterWrite();
    });
  }

  /** Writes prepared documents (new keys or replacements) in committed batches. */
  private async writeBatches(docs: PreparedBatch, { size, threads, onProgress }: CheckedWriteOptions): Promise<void> {
    const ids = new Int32Array(docs.length); // doc id of each document, set batch by batch
    for (let from = 0; from < docs.length; from += size) {
      const to = Math.min(docs.length, from + size);
      await this.writeBatch(docs, ids, from, to, threads);
      onProgress?.(to, docs.length);
    }
  }

  /** Writes documents `from … to − 1` of `docs` as one commit, setting their doc ids in `ids`. */
  private async writeBatch(docs: PreparedBatch, ids: Int32Array, from: number, to: number, threads: number): Promise<void> {
    const table = this.table;
    let replaced: Uint8Array | null = null; // ids whose dataset row this batch supersedes (made on the first)
    const moved: number[] = []; // batch positions of replacements with a new vector: same id, relinked
    let next = table.numIds;
    const fresh: number[] = []; // batch positions that get a new id
    for (let i = from; i < to; i++) {
      const old = table.keyToId.get(docs.keys[i]!);
      if (old !== undefined) {
        replaced ??= new Uint8Array(table.numIds);
        replaced[old] = 1;
        ids[i] = old;
        if (!table.sameVector(old, docs.vectors, docs.vectorOffset(i))) moved.push(i);
        continue;
      }
      ids[i] = next++;
      fresh.push(i);
    }
    // Commit: the new rows and the deletion of the rows they supersede in one version (one
    // manifest: a replacement is atomic, and costs one commit).
    if (this.store !== null) {
      const positions = replaced !== null ? this.order!.positionsOf(replaced) : [];
      const batch = documentsToBatch(collectionSchema(this.config), this.config, docs, ids, from, to);
      if (positions.length > 0) await this.store.appendAndDelete(batch, positions);
      else await this.store.append(batch);
      for (let i = from; i < to; i++) this.order!.push(ids[i]!);
      this.order!.remove(positions);
    }
    // Apply in memory: replacements with the same vector at once (text and metadata only), those
    // with a new vector and the new documents in slices (index work).
    let m = 0;
    for (let i = from; i < to; i++) {
      if (m < moved.length && moved[m] === i) {
        m++;
        continue;
      }
      const id = ids[i]!;
      if (id < table.numIds && table.alive[id] === 1) this.putInPlace(docs, i, id);
    }
    if (moved.length > 0) await this.relink(docs, ids, moved);
    if (fresh.length > 1 && threads > 1) await this.addFreshThreaded(docs, ids, fresh, threads);
    else if (fresh.length > 0) await this.addFresh(docs, ids, fresh);
    this.unsavedIndexChanges += moved.length + fresh.length;
  }

  /** Replaces live document `id` with document `i` of `docs` in the table and the text index. */
  private putInPlace(docs: PreparedBatch, i: number, id: number): void {
    const table = this.table;
    const before = table.texts[id];
    const text = docs.texts[i]!;
    table.put(id, docs, i);
    if (this.textIndex !== null && before !== text) {
      this.textIndex.remove(id);
      if (text !== null) this.textIndex.add(id, text);
    }
  }

  /**
   * Gives replaced documents their new vectors under the same doc id: each is put in the table and
   * its node relinked around the new vector (`HNSW#update`), one document at a time, in slices
   * with event-loop turns between them, so a search in between sees each document either wholly
   * as it was or wholly as it is now.
   */
  private async relink(docs: PreparedBatch, ids: Int32Array, moved: number[]): Promise<void> {
    await yieldToEventLoop();
    await inSlices(moved.length, (j) => {
      const i = moved[j]!;
      const id = ids[i]!;
      this.putInPlace(docs, i, id);
      this.index.update(id, docs.vectorView(i));
    });
  }

  /** Stores and indexes the documents that got new ids, yielding to the event loop between slices. */
  private async addFresh(docs: PreparedBatch, ids: Int32Array, fresh: number[]): Promise<void> {
    const table = this.table;
    // This runs as the commit's I/O completes (the poll phase of the event loop); a slice here and
    // the slice after an immediate yield (the check phase of the same turn) would run back to back
    // with no timer in between. Yield first, so each turn runs one slice.
    await yieldToEventLoop();
    for (const i of fresh) table.put(ids[i]!, docs, i);
    await inSlices(fresh.length, (j) => {
      const i = fresh[j]!;
      const id = ids[i]!;
      const got = this.index.add(docs.vectorView(i));
      if (got !== id) throw new InternalError(`index id ${got} differs from doc id ${id}`);
      table.setAlive(id, true);
      const text = docs.texts[i]!;
      if (text !== null) this.textIndex?.add(id, text);
    });
  }

  /**
   * {@link addFresh} on `threads` threads: the documents are stored, their vectors linked into the
   * index by worker threads (hnsw's `addBatchAsync`, the event loop free meanwhile), then they
   * become live and go into the text index, as one slice would make them.
   */
  private async addFreshThreaded(docs: PreparedBatch, ids: Int32Array, fresh: number[], threads: number): Promise<void> {
    const table = this.table;
    await yieldToEventLoop();
    const vectors: Float32Array[] = [];
    for (const i of fresh) {
      table.put(ids[i]!, docs, i);
      vectors.push(docs.vectorView(i));
    }
    const linked = this.index.addBatchAsync(vectors, { threads });
    this.linking = linked.then(
      () => undefined,
      () => undefined,
    );
    let got: number[];
    try {
      got = await linked;
    } finally {
      this.linking = null;
    }
    for (let j = 0; j < fresh.length; j++) {
      const i = fresh[j]!;
      const id = ids[i]!;
      if (got[j] !== id) throw new InternalError(`index id ${got[j]} differs from doc id ${id}`);
      table.setAlive(id, true);
      const text = docs.texts[i]!;
      if (text !== null) this.textIndex?.add(id, text);
    }
  }

  /** Waits while worker threads link a batch into the index (see {@link linking}). */
  private async indexReady(): Promise<void> {
    while (this.linking !== null) await this.linking;
  }

  /**
   * After a write: saves the index when `indexSaveEvery` changes are unsaved (always with
   * `force`), and flushes the text index.
   */
  private async afterWrite(force = false): Promise<void> {
    const unsaved = this.unsavedIndexChanges;
    if (this.store !== null && unsaved > 0 && (force || unsaved >= this.indexSaveEvery)) {
      await this.store.saveIndex(this.index);
      this.unsavedIndexChanges -= unsaved;
    }
    // The text index saves every so many changed documents, and always on flush/close; what it has
    // not saved is reconciled with the documents when the collection opens.
    if (this.textIndex?.flush !== undefined) await this.textIndex.flush(force);
  }

  /**
   * Deletes documents by key. Keys not present are ignored. @returns how many were deleted.
   * @throws ConflictError when another process wrote the collection since this one read it.
   */
  async delete(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    if (!Array.isArray(list)) throw new InvalidArgumentError('`keys` must be a string or an array of strings');
    return this.exclusive(async () => {
      const ids: number[] = [];
      for (const k of list) {
        const id = this.table.keyToId.get(k);
        if (id !== undefined && !ids.includes(id)) ids.push(id);
      }
      return this.deleteIds(ids);
    });
  }

  /** Deletes every document matching `filter`. @returns how many were deleted. */
  async deleteWhere(filter: Filter): Promise<number> {
    return this.exclusive(async () => {
      const bits = compileFilter(filter, this.table).evaluate();
      const ids: number[] = [];
      for (let id = 0; id < this.table.numIds; id++) if (hasBit(bits, id)) ids.push(id);
      return this.deleteIds(ids);
    });
  }

  private async deleteIds(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    if (this.store !== null) {
      const marked = new Uint8Array(this.table.numIds);
      for (const id of ids) marked[id] = 1;
      const positions = this.order!.positionsOf(marked);
      await this.store.deleteRows(positions);
      this.order!.remove(positions);
    }
    for (const id of ids) {
      this.table.setAlive(id, false);
      this.index.delete(id);
      this.textIndex?.remove(id);
    }
    this.unsavedIndexChanges += ids.length;
    await this.afterWrite();
    return ids.length;
  }

  // ------------------------------------------------------------------ reads

  private fieldsOf(select: readonly string[] | undefined): { fields: readonly string[]; text: boolean; vector: boolean } {
    if (select === undefined) return { fields: this.table.fields, text: true, vector: false };
    if (!Array.isArray(select)) throw new InvalidArgumentError('`select` must be an array of field names');
    const fields: string[] = [];
    let text = false;
    let vector = false;
    for (const s of select) {
      if (s === 'text') text = true;
      else if (s === 'vector') vector = true;
      else if (s === 'key') continue;
      else if (this.table.fieldType(s) === undefined) throw new InvalidArgumentError(`\`select\`: collection '${this.name}' has no field \`${s}\``);
      else fields.push(s);
    }
    return { fields, text, vector };
  }

  private documentOf(id: number, sel: { fields: readonly string[]; text: boolean; vector: boolean }): Document {
    const doc: Document = { key: this.table.keys[id]!, metadata: this.table.metadataOf(id, sel.fields) };
    if (sel.text) doc.text = this.table.texts[id] ?? null;
    // Vectors only the dataset holds are read after (withStoredVectors), one read for all documents.
    if (sel.vector && this.table.readsVectors) doc.vector = this.table.vectorOf(id);
    return doc;
  }

  /** The document with this key, or null. */
  async get(key: string, options: ReadOptions = {}): Promise<Document | null> {
    return (await this.getMany([key], options))[0]!;
  }

  /** Documents by key, in order (null for keys not present). */
  async getMany(keys: readonly string[], options: ReadOptions = {}): Promise<(Document | null)[]> {
    this.checkOpen();
    const sel = this.fieldsOf(options.select);
    const read = (): (Document | null)[] =>
      keys.map((k) => {
        const id = this.table.keyToId.get(k);
        return id === undefined ? null : this.documentOf(id, sel);
      });
    if (!this.vectorsFromDataset(sel)) return read();
    return this.exclusive(async () => this.withStoredVectors(read()));
  }

  /** True when a document has this key. */
  has(key: string): boolean {
    return this.table.keyToId.has(key);
  }

  /** Live documents, or those matching `filter`. */
  async count(filter?: Filter): Promise<number> {
    this.checkOpen();
    if (filter === undefined) return this.table.liveCount;
    return popcount(compileFilter(filter, this.table).evaluate());
  }

  /** Bitset of the live documents (all of them, or those matching `filter`). */
  private matches(filter: Filter | undefined): Uint32Array {
    if (filter !== undefined) return compileFilter(filter, this.table).evaluate();
    const t = this.table;
    const bits = newBitset(t.numIds);
    for (let id = 0; id < t.numIds; id++) if (t.alive[id] === 1) bits[id >>> 5]! |= 1 << (id & 31);
    return bits;
  }

  /**
   * Documents matching `filter` (all when none), in internal id order (the order their keys were
   * first inserted; a replaced document keeps its place), after `offset`, at most `limit`.
   */
  async query(options: QueryOptions = {}): Promise<Document[]> {
    this.checkOpen();
    const sel = this.fieldsOf(options.select);
    const offset = options.offset ?? 0;
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError(`\`offset\` must be a non-negative integer, got ${offset}`);
    if (!Number.isInteger(limit) || limit < 0) throw new InvalidArgumentError(`\`limit\` must be a non-negative integer, got ${limit}`);
    const read = (): Document[] => {
      const bits = this.matches(options.filter);
      const out: Document[] = [];
      let skipped = 0;
      for (let id = 0; id < this.table.numIds && out.length < limit; id++) {
        if (!hasBit(bits, id)) continue;
        if (skipped < offset) { skipped++; continue; }
        out.push(this.documentOf(id, sel));
      }
      return out;
    };
    if (!this.vectorsFromDataset(sel)) return read();
    return this.exclusive(async () => this.withStoredVectors(read()));
  }

  /**
   * True when `sel` asks for vectors that only the dataset holds (a persisted cosine collection).
   * Such a read runs as a write does, after the writes queued before it and before those after:
   * the documents it found are then still at the rows it reads their vectors from.
   */
  private vectorsFromDataset(sel: Selection): boolean {
    return sel.vector && !this.table.readsVectors;
  }

  /** Sets the `vector` of every document of `docs` (live ones, by key) from the dataset, in one read. */
  private async withStoredVectors<T extends Document | null>(docs: T[]): Promise<T[]> {
    const ids: number[] = [];
    for (const doc of docs) if (doc !== null) ids.push(this.table.keyToId.get(doc.key)!);
    const flat = await this.storedVectors(ids);
    const d = this.dimension;
    let j = 0;
    for (const doc of docs) {
      if (doc === null) continue;
      doc.vector = flat.slice(j * d, (j + 1) * d);
      j++;
    }
    return docs;
  }

  /**
   * The vectors as given of live doc ids `ids`, read from the dataset (where a persisted cosine
   * collection keeps them; its index holds them normalised), flat, `ids.length · dimension`
   * floats in `ids`' order. Run with no write under way (inside {@link exclusive}): each id is
   * read at its row of the version this process holds, and the row's `_doc_id` must be the id.
   * @throws CorruptDataError when a row holds another doc id or a null vector
   */
  private async storedVectors(ids: ArrayLike<number>): Promise<Float32Array> {
    const d = this.dimension;
    const out = new Float32Array(ids.length * d);
    if (ids.length === 0) return out;
    const order = this.order!;
    const positions = new Array<number>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const p = order.positionOf(ids[i]!);
      if (p < 0) throw new InternalError(`doc id ${ids[i]} has no row in the dataset`);
      positions[i] = p;
    }
    const batch = await this.store!.take(positions, ['_doc_id', 'vector']);
    const idCol = batch.columnAt(0);
    const vectorCol = batch.columnAt(1) as FixedSizeListVector;
    const values = vectorCol.values as Float32Array;
    for (let i = 0; i < ids.length; i++) {
      const found = idCol.get(i);
      if (found !== ids[i]) throw new CorruptDataError(`${this.store!.datasetDir}: row ${positions[i]} holds _doc_id ${String(found)} where doc id ${ids[i]} was read`);
      if (!vectorCol.isValid(i)) throw new CorruptDataError(`${this.store!.datasetDir}: row ${positions[i]} (doc id ${ids[i]}) has a null vector`);
      const off = vectorCol.valueOffset(i);
      out.set(values.subarray(off, off + d), i * d);
    }
    return out;
  }

  /**
   * The `k` documents nearest to `query` (a vector, or a text: embedded by the collection's
   * embedder, or searched in its full-text index as `{ text }`), best first, with distance and
   * score. With a `filter`, only matching documents: when few match (at most
   * `EXACT_SCAN_MAX_MATCHES`, or under `EXACT_SCAN_FRACTION` of the collection) they are scanned
   * exactly; when most match (30 % or more) a wider unfiltered search (2k / selectivity
   * candidates) is post-filtered; otherwise, and whenever that leaves fewer than k, the cheaper of
   * an exact scan of the matches over the index's vectors and a graph walk with the filter bitset
   * (by their estimated costs; under inner product the walk's `ef` is raised by 1 / √selectivity;
   * HNSW falls back to an exact scan when the walk cannot fill k).
   * @throws InvalidArgumentError for bad `k`, `ef`, filter or query; InvalidDocumentError-style
   *   messages name `query` for a vector of the wrong dimension.
   */
  async search(query: SearchQuery, k: number, options: SearchOptions = {}): Promise<SearchHit[]> {
    this.checkOpen();
    checkK(k);
    if (this.vectorsFromDataset(this.fieldsOf(options.select))) return this.exclusive(async () => this.withStoredVectors(await this.searchNow(query, k, options)));
    await this.enterSearch();
    try {
      return await this.searchNow(query, k, options);
    } finally {
      this.leaveSearch();
    }
  }

  /** Waits while doc ids are renumbered, then counts a search under way (see {@link searching}). */
  private async enterSearch(): Promise<void> {
    while (this.renumbering !== null) await this.renumbering;
    this.searching++;
  }

  private leaveSearch(): void {
    if (--this.searching === 0 && this.searchesDone !== null) this.searchesDone();
  }

  private async searchNow(query: SearchQuery, k: number, options: SearchOptions): Promise<SearchHit[]> {
    const sel = this.fieldsOf(options.select);
    const bits = options.filter === undefined ? null : compileFilter(options.filter, this.table).evaluate();
    if (isHybridQuery(query)) return this.hybridSearch(query, k, options, bits, sel);
    const resolved = await this.resolveQuery(query);
    if (typeof resolved === 'string') return this.textSearch(resolved, k, bits, sel);
    await this.indexReady();
    return this.vectorSearch(resolved, k, options, bits, sel);
  }

  /**
   * Hybrid search: the vector side and the full-text side each find their best `max(2k, 20)`
   * documents under the same filter bits, fused by `options.fusion` (keyed by document key).
   * A hit's `distance` is the vector side's (null when only the text side found it).
   */
  private async hybridSearch(
    query: { vector: VectorLike; text: string },
    k: number,
    options: SearchOptions,
    bits: Uint32Array | null,
    sel: { fields: readonly string[]; text: boolean; vector: boolean },
  ): Promise<SearchHit[]> {
    if (typeof query.text !== 'string') throw new InvalidArgumentError(`\`query.text\` must be a string, got ${typeof query.text}`);
    const fusion = checkHybridFusion(options.fusion ?? 'rrf');
    if (this.textIndex === null) {
      throw new NotSupportedError(`collection '${this.name}' has no full-text index for hybrid \`{ vector, text }\` queries (create or open it with \`fullText\`)`);
    }
    const vector = this.checkVector(query.vector, 'query', 'query.vector');
    const pool = Math.max(2 * k, 20);
    await this.indexReady();
    const vectorHits = this.vectorSearch(vector, pool, options, bits, sel);
    const table = this.table;
    const textHits = (await this.textIndex.search(query.text, pool, bits)).filter((h) => table.alive[h.docId] === 1);
    const fused = fuseHybrid(
      vectorHits.map((h) => ({ id: h.key, distance: h.distance! })),
      textHits.map((h) => ({ id: table.keys[h.docId]!, score: h.score })),
      k,
      fusion,
    );
    const vectorDoc = new Map(vectorHits.map((h) => [h.key, h]));
    const textDoc = new Map(textHits.map((h) => [table.keys[h.docId]!, h.docId]));
    return fused.map((f) => {
      const v = vectorDoc.get(f.id);
      const doc = v ?? this.documentOf(textDoc.get(f.id)!, sel);
      return { ...doc, distance: f.distance, score: f.score };
    });
  }

  /**
   * Several searches with one filter (compiled once), yielding to the event loop between slices.
   * With `threads` > 1 the vector queries are answered in batches on that many threads (see
   * {@link SearchOptions.threads}), with the same answers.
   * @returns one hit list per query, in order.
   * @throws InvalidArgumentError as {@link search}, and for `threads` not a positive integer
   */
  async searchMany(queries: readonly SearchQuery[], k: number, options: SearchOptions = {}): Promise<SearchHit[][]> {
    this.checkOpen();
    checkK(k);
    if (!Array.isArray(queries)) throw new InvalidArgumentError('`queries` must be an array');
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError(`\`threads\` must be a positive integer, got ${threads}`);
    if (this.vectorsFromDataset(this.fieldsOf(options.select))) {
      return this.exclusive(async () => {
        const lists = await this.searchManyNow(queries, k, options, threads);
        await this.withStoredVectors(lists.flat());
        return lists;
      });
    }
    await this.enterSearch();
    try {
      return await this.searchManyNow(queries, k, options, threads);
    } finally {
      this.leaveSearch();
    }
  }

  private async searchManyNow(queries: readonly SearchQuery[], k: number, options: SearchOptions, threads: number): Promise<SearchHit[][]> {
    const sel = this.fieldsOf(options.select);
    const bits = options.filter === undefined ? null : compileFilter(options.filter, this.table).evaluate();
    const strings = queries.filter((q): q is string => typeof q === 'string');
    const embedded = strings.length > 0 && this.embedFn !== undefined ? await this.embedQueries(strings) : null;
    if (threads > 1) return this.searchManyThreaded(queries, k, options, bits, sel, embedded, threads);
    const out: SearchHit[][] = [];
    let s = 0;
    let t0 = now();
    for (const q of queries) {
      if (isHybridQuery(q)) {
        out.push(await this.hybridSearch(q, k, options, bits, sel));
        continue;
      }
      let r: Float32Array | string;
      if (typeof q === 'string' && embedded !== null) r = embedded[s++]!;
      else r = await this.resolveQuery(q);
      if (typeof r === 'string') out.push(await this.textSearch(r, k, bits, sel));
      else {
        await this.indexReady();
        out.push(this.vectorSearch(r, k, options, bits, sel));
      }
      if (now() - t0 > SLICE_MS) {
        await yieldToEventLoop();
        t0 = now();
      }
    }
    return out;
  }

  /**
   * {@link searchMany} with `threads` > 1: text and hybrid queries as one thread runs them, then the
   * vector queries in batches ({@link vectorSearchMany}) sized to about half of `SLICE_MS`, with an
   * event-loop turn between batches (the index is never read across a turn, so writes in
   * between are never refused).
   */
  private async searchManyThreaded(queries: readonly SearchQuery[], k: number, options: SearchOptions, bits: Uint32Array | null, sel: Selection, embedded: Float32Array[] | null, threads: number): Promise<SearchHit[][]> {
    const out = new Array<SearchHit[]>(queries.length);
    const vectors: Float32Array[] = [];
    const at: number[] = [];
    let s = 0;
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      if (isHybridQuery(q)) {
        out[i] = await this.hybridSearch(q, k, options, bits, sel);
        continue;
      }
      const r = typeof q === 'string' && embedded !== null ? embedded[s++]! : await this.resolveQuery(q);
      if (typeof r === 'string') {
        out[i] = await this.textSearch(r, k, bits, sel);
      } else {
        vectors.push(r);
        at.push(i);
      }
    }
    let step = 8 * threads;
    for (let from = 0; from < vectors.length; ) {
      const to = Math.min(vectors.length, from + step);
      await this.indexReady();
      const t0 = now();
      const lists = this.vectorSearchMany(vectors.slice(from, to), k, options, bits, sel, threads);
      for (let j = 0; j < lists.length; j++) out[at[from + j]!] = lists[j]!;
      step = Math.max(threads, adaptStep(step, now() - t0));
      from = to;
      if (from < vectors.length) await yieldToEventLoop();
    }
    return out;
  }

  private async embedQueries(texts: string[]): Promise<Float32Array[]> {
    const vs = await this.embedFn!(texts);
    if (!Array.isArray(vs) || vs.length !== texts.length) throw new LengthMismatchError(`the embedder returned ${Array.isArray(vs) ? vs.length : typeof vs} vectors for ${texts.length} texts`);
    return vs.map((v) => this.checkVector(v, 'query', 'vector (from the embedder)'));
  }

  /** A vector, or a string for the text index. */
  private async resolveQuery(q: SearchQuery): Promise<Float32Array | string> {
    if (typeof q === 'string') {
      if (this.embedFn !== undefined) return (await this.embedQueries([q]))[0]!;
      if (this.textIndex !== null) return q;
      throw new InvalidArgumentError(`\`query\` is a text but collection '${this.name}' has no embedder (pass \`embed\` when creating or opening it)`);
    }
    if (typeof q === 'object' && q !== null && !ArrayBuffer.isView(q) && !Array.isArray(q)) {
      if ('text' in q && typeof q.text === 'string') {
        if (this.textIndex !== null) return q.text;
        if (this.embedFn !== undefined) return (await this.embedQueries([q.text]))[0]!;
        throw new NotSupportedError(`collection '${this.name}' has neither a full-text index nor an embedder for \`{ text }\` queries`);
      }
      if ('vector' in q) return this.checkVector(q.vector, 'query', 'query');
      throw new InvalidArgumentError('`query` must be a vector, a string, { vector } or { text }');
    }
    return this.checkVector(q, 'query', 'query');
  }

  private async textSearch(text: string, k: number, bits: Uint32Array | null, sel: { fields: readonly string[]; text: boolean; vector: boolean }): Promise<SearchHit[]> {
    const hits = await this.textIndex!.search(text, k, bits);
    return hits.filter((h) => this.table.alive[h.docId] === 1).map((h) => ({ ...this.documentOf(h.docId, sel), distance: null, score: h.score }));
  }

  /**
   * How a vector search with these options and filter bits runs (the same for every query, so a
   * batch of queries can run each step for all of them at once): no match, an unfiltered graph
   * search, an exact scan of the matches, or a graph search with the filter (first as a wider
   * unfiltered search, post-filtered, when `wide` is set; then by an exact scan of the matches
   * over the index's vectors when `scan`, else a walk with the filter bits at `filteredEf`).
   */
  private searchPlan(k: number, options: SearchOptions, bits: Uint32Array | null): SearchPlan {
    const { ef, exactScanThreshold } = options;
    if (ef !== undefined && (!Number.isInteger(ef) || ef <= 0)) throw new InvalidArgumentError(`\`ef\` must be a positive integer, got ${ef}`);
    if (exactScanThreshold !== undefined && (!Number.isInteger(exactScanThreshold) || exactScanThreshold < 0)) {
      throw new InvalidArgumentError(`\`exactScanThreshold\` must be a non-negative integer, got ${exactScanThreshold}`);
    }
    const baseEf = Math.max(ef ?? 64, k);
    const plan: SearchPlan = { kind: 'unfiltered', baseEf, wide: 0, filteredEf: baseEf, scan: false };
    if (bits === null) return plan;
    const m = popcount(bits);
    const live = this.table.liveCount;
    if (m === 0) {
      plan.kind = 'none';
      return plan;
    }
    const exact = exactScanThreshold === undefined ? m <= EXACT_SCAN_MAX_MATCHES || m < live * EXACT_SCAN_FRACTION : m <= exactScanThreshold;
    if (exact || m <= k) {
      plan.kind = 'exact';
      return plan;
    }
    plan.kind = 'graph';
    const selectivity = m / Math.max(1, live);
    // Not under inner product: its deeper unfiltered candidates are less reliable than a
    // filtered walk (measured: 0.92 vs 0.97 recall@10 at 30 % on clustered data).
    if (selectivity >= POSTFILTER_MIN_SELECTIVITY && this.distance !== 'innerProduct') {
      // Most documents match: an unfiltered search for k / selectivity · 2 candidates holds
      // the filtered top k, and walks the graph without rejecting nodes.
      plan.wide = Math.min(live, Math.ceil((2 * k) / selectivity));
    }
    // Under inner product (not a metric: its graph is weaker) ef is raised by
    // 1 / √selectivity. Under L2 and cosine the walk keeps `ef`: the walk with ef 64
    // already returned the exact filtered top 10 at 10 % on 100K × 128 clustered data, and
    // raising it to 203 made it 9× slower (the walk must collect ef accepted nodes).
    plan.filteredEf = this.distance === 'innerProduct' ? Math.min(MAX_FILTERED_EF, Math.max(baseEf, Math.ceil(baseEf / Math.sqrt(selectivity)))) : baseEf;
    // A filtered walk visits about WALK_VISITS_PER_EF · ef / selectivity nodes, each a
    // random read of a vector; an exact scan of the matches (SIMD kernel, index order)
    // reads them front to back, SCAN_COST_RATIO times cheaper each: scan when that is cheaper.
    const walkCost = (WALK_VISITS_PER_EF * plan.filteredEf) / selectivity;
    plan.scan = exactScanThreshold === undefined && m <= SCAN_COST_RATIO * walkCost;
    return plan;
  }

  private vectorSearch(q: Float32Array, k: number, options: SearchOptions, bits: Uint32Array | null, sel: Selection): SearchHit[] {
    const plan = this.searchPlan(k, options, bits);
    switch (plan.kind) {
      case 'none':
        return [];
      case 'unfiltered':
        return this.hitsOf(this.index.search(q, k, plan.baseEf), sel);
      case 'exact':
        return this.exactHits(q, k, bits!, sel);
    }
    let r: { id: number; distance: number }[] | null = null;
    if (plan.wide > 0) {
      const kept = this.postFiltered(this.index.search(q, plan.wide, Math.max(plan.baseEf, plan.wide)), bits!);
      if (kept.length >= k) r = kept.slice(0, k);
    }
    r ??= plan.scan ? this.index.searchExact(q, k, { filterBits: bits! }) : this.index.search(q, k, { ef: plan.filteredEf, filterBits: bits! });
    return this.hitsOf(r, sel);
  }

  /**
   * {@link vectorSearch} for a batch of queries, each step for all of them at once on `threads`
   * threads (hnsw's blocking `searchMany`: the calling thread and `threads − 1` workers of the
   * index's pool). Answers are those of {@link vectorSearch}, query by query.
   */
  private vectorSearchMany(qs: Float32Array[], k: number, options: SearchOptions, bits: Uint32Array | null, sel: Selection, threads: number): SearchHit[][] {
    const plan = this.searchPlan(k, options, bits);
    switch (plan.kind) {
      case 'none':
        return qs.map(() => []);
      case 'unfiltered':
        return this.index.searchMany(qs, k, { ef: plan.baseEf, threads }).map((r) => this.hitsOf(r, sel));
      case 'exact':
        // Few matches: a scan each, on the calling thread (cheaper than sending the queries out).
        return qs.map((q) => this.exactHits(q, k, bits!, sel));
    }
    const lists: ({ id: number; distance: number }[] | null)[] = qs.map(() => null);
    if (plan.wide > 0) {
      const wide = this.index.searchMany(qs, plan.wide, { ef: Math.max(plan.baseEf, plan.wide), threads });
      for (let i = 0; i < qs.length; i++) {
        const kept = this.postFiltered(wide[i]!, bits!);
        if (kept.length >= k) lists[i] = kept.slice(0, k);
      }
    }
    const rest: number[] = [];
    for (let i = 0; i < qs.length; i++) if (lists[i] === null) rest.push(i);
    if (rest.length > 0) {
      if (plan.scan) {
        for (const i of rest) lists[i] = this.index.searchExact(qs[i]!, k, { filterBits: bits! });
      } else {
        const walked = this.index.searchMany(rest.map((i) => qs[i]!), k, { ef: plan.filteredEf, filterBits: bits!, threads });
        for (let j = 0; j < rest.length; j++) lists[rest[j]!] = walked[j]!;
      }
    }
    return lists.map((r) => this.hitsOf(r!, sel));
  }

  /** The hits of `r` that match `bits`, in order. */
  private postFiltered(r: { id: number; distance: number }[], bits: Uint32Array): { id: number; distance: number }[] {
    return r.filter((h) => ((bits[h.id >>> 5]! >>> (h.id & 31)) & 1) === 1);
  }

  /**
   * Exact scan of the documents matching `bits` over the index's vectors (its SIMD kernel, only the
   * set bits visited): the distances a graph walk gives, for the same vectors.
   */
  private exactHits(q: Float32Array, k: number, bits: Uint32Array, sel: Selection): SearchHit[] {
    return this.hitsOf(this.index.searchExact(q, k, { filterBits: bits }), sel);
  }

  private hitsOf(r: { id: number; distance: number }[], sel: Selection): SearchHit[] {
    const out: SearchHit[] = new Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = this.hitOf(r[i]!.id, r[i]!.distance, sel);
    return out;
  }

  private hitOf(id: number, dist: number, sel: Selection): SearchHit {
    return { ...this.documentOf(id, sel), distance: dist, score: this.distance === 'l2' ? 1 / (1 + dist) : 1 - dist };
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Gives back what replaced and deleted documents left behind. When at least a quarter of the
   * internal doc ids are dead ({@link RENUMBER_DEAD_SHARE}), the live documents are renumbered
   * (memory, index and, persisted, a rewrite of the dataset in one version: see `docIdsRenumbered`),
   * in memory as on disk; query order stays insertion order. Persisted collections: the dataset is
   * compacted (each small write added a fragment; each replaced or deleted document left a deleted
   * row) into full fragments in the same row order, then dataset versions older than
   * `cleanupOlderThanMs` (default 7 days, as LanceDB; 0: all but the latest) are deleted with the
   * files only they used, and the index is saved.
   * @returns what was rewritten and removed.
   * @throws ConflictError when another process wrote the collection since this one read it.
   */
  async optimize(options: { cleanupOlderThanMs?: number } = {}): Promise<OptimizeResult> {
    const olderThan = options.cleanupOlderThanMs ?? 7 * 24 * 60 * 60 * 1000;
    if (!Number.isFinite(olderThan) || olderThan < 0) throw new InvalidArgumentError(`\`cleanupOlderThanMs\` must be a non-negative number, got ${olderThan}`);
    return this.exclusive(async () => {
      const fragmentsBefore = this.numFragments;
      const renumbered = await this.compactDocIds();
      if (this.store === null) return { fragmentsRemoved: 0, fragmentsAdded: 0, versionsRemoved: 0, docIdsRenumbered: renumbered };
      // A renumbering rewrote every fragment (then there is nothing left to compact): counted as one compaction.
      const rewritten = renumbered ? { removed: fragmentsBefore, added: this.numFragments } : { removed: 0, added: 0 };
      const r = await this.store.optimize(olderThan);
      await this.afterWrite(true);
      return { fragmentsRemoved: r.fragmentsRemoved + rewritten.removed, fragmentsAdded: r.fragmentsAdded + rewritten.added, versionsRemoved: r.versionsRemoved, docIdsRenumbered: renumbered };
    });
  }

  /**
   * Gives back the memory of dead doc ids when they are at least {@link RENUMBER_DEAD_SHARE} of all
   * ids: doc ids are never reused (`internal/doc-ids.ts`), so a collection whose documents are
   * replaced or deleted for a long time (an agent's memory re-embedded again and again) would
   * otherwise keep a slot per id it ever handed out in every column and in the index, in memory and
   * on disk. The live documents get ids `0 … size − 1` in their old order, the index the same graph
   * (`HNSW#compactIds`), the full-text index is rebuilt, and a persisted collection rewrites its
   * dataset in one version with the new ids. Order of the steps, for a process killed anywhere:
   * the saved index is removed first (an open without one rebuilds it from the documents), then the
   * dataset is overwritten (one atomic version), then the new index is saved; a saved full-text index
   * left from before is reconciled with the documents by doc id and text hash when the collection opens.
   * @returns whether ids were renumbered.
   */
  private async compactDocIds(): Promise<boolean> {
    const old = this.table;
    const dead = old.numIds - old.liveCount;
    if (dead === 0 || dead < RENUMBER_DEAD_SHARE * old.numIds) return false;
    if (this.store !== null && !this.store.writable) return false;
    await this.indexReady();
    const { index, oldIds } = this.index.compactIds();
    let j = 0;
    for (let id = 0; id < old.numIds; id++) {
      if (old.alive[id] !== 1) continue;
      if (oldIds[j] !== id) throw new InternalError(`the index's live id ${oldIds[j]} differs from the collection's ${id}`);
      j++;
    }
    if (j !== oldIds.length) throw new InternalError(`the index holds ${oldIds.length} live ids, the collection ${j}`);
    const table = old.renumbered(oldIds, index);
    let config = this.config;
    if (this.store !== null) {
      // The rewrite writes every row again, so a collection of an older layout moves to the current one.
      config = { ...config, formatVersion: COLLECTION_FORMAT_VERSION };
      await this.store.dropIndex();
      // From here until the new index is saved, a reopen rebuilds the index from the documents.
      this.unsavedIndexChanges = Math.max(1, this.unsavedIndexChanges);
      try {
        const vectors = table.readsVectors ? undefined : await this.storedVectors(oldIds);
        await this.store.overwrite(tableToBatch(collectionSchema(config), config, table, Int32Array.from({ length: table.numIds }, (_, i) => i), vectors));
      } catch (e) {
        // Nothing changed (another writer committed first, a disk error): the index of the ids that
        // stay is saved again, whole, where the removed one was. A failure there is the next open's
        // to repair (it rebuilds a missing index); the caller gets the first error.
        await this.store.saveIndex(this.index, true).catch(() => undefined);
        throw e;
      }
    }
    const hook = this.textIndex;
    const text = hook instanceof CollectionTextIndex ? hook.rebuiltFor(table.numIds, (id) => table.texts[id]) : hook;
    // Searches hold doc ids across awaits: swap only once none is under way, new ones waiting.
    let release!: () => void;
    this.renumbering = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.searching > 0) await new Promise<void>((resolve) => (this.searchesDone = resolve));
      this.searchesDone = null;
      const previous = this.index;
      this.table = table;
      this.index = index;
      this.config = config;
      if (this.order !== null) {
        this.order = new RowOrder();
        for (let id = 0; id < table.numIds; id++) this.order.push(id);
      }
      if (text !== null && text === hook) {
        // A hook of another kind: told of every document again under its new id.
        for (let id = 0; id < old.numIds; id++) if (old.alive[id] === 1 && typeof old.texts[id] === 'string') text.remove(id);
        this.attachTextIndex(text);
      } else this.textIndex = text;
      this.unsavedIndexChanges = Math.max(1, table.numIds);
      await previous.close();
    } finally {
      this.renumbering = null;
      release();
    }
    return true;
  }

  /** Fragments of the collection's dataset (0 in memory): grows by one per write until {@link optimize}. */
  get numFragments(): number {
    return this.store === null ? 0 : this.store.numFragments;
  }

  /** Saves the index if documents changed since it was last saved (persisted collections). */
  async flush(): Promise<void> {
    await this.exclusive(() => this.afterWrite(true));
  }

  /** Flushes and closes the collection's files; later calls throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    // The worker threads of threaded searches (if any were started).
    await this.index.close();
    await this.store?.close();
  }
}

/** {@link WriteOptions} checked, with their defaults. */
interface CheckedWriteOptions {
  size: number;
  threads: number;
  onProgress: ((done: number, total: number) => void) | undefined;
}

/** The batch size, thread count and progress callback of `options`, checked before anything is written. */
function checkWriteOptions(options: WriteOptions): CheckedWriteOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`\`options\` must be an object, got ${String(options)}`);
  const size = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(size) || size <= 0) throw new InvalidArgumentError(`\`batchSize\` must be a positive integer, got ${size}`);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new InvalidArgumentError(`\`threads\` must be a positive integer, got ${threads}`);
  return { size, threads, onProgress: options.onProgress };
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new InvalidArgumentError(`\`k\` must be a positive integer, got ${k}`);
}


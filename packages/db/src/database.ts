/**
 * A database: a folder of collections (each one Lance dataset plus its saved index), the same on an
 * object store (`s3://bucket/prefix`; read-only over `http(s)://`), or an in-memory set of
 * collections (`Database.memory()`, also the mode that works in browsers).
 */
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  type ObjectStore,
  type StorageOptions,
  isDistanceMetric,
  DEFAULT_M,
  DEFAULT_EF_CONSTRUCTION,
  DEFAULT_SEED,
} from '@vego/hnsw';
import { COLLECTION_FORMAT_VERSION, type CollectionConfig } from './collection-layout';
import type { CreateCollectionOptions, OpenCollectionOptions } from './collection-config';
import { Collection } from './collection';
import { type DatabaseLocation, LanceStore, checkCollectionName, dropCollectionFiles, listCollectionNames, openDatabaseLocation } from './lance-store';
import { checkSchema } from './schema';

/** Options of {@link Database.open} for a database on an object store. */
export interface DatabaseOpenOptions {
  /**
   * For `s3://` (or `http(s)://`): storage options named as LanceDB's (`aws_endpoint`,
   * `aws_region`, `aws_access_key_id`, `aws_secret_access_key`, `allow_http`, …; missing ones from
   * the AWS_* environment variables).
   */
  storageOptions?: StorageOptions;
  /** For `s3://` or `http(s)://`: one store to go through (its root must contain the URI). */
  store?: ObjectStore;
}

/**
 * Collections by name, in a folder, on an object store, or in memory.
 * @example
 * ```ts
 * const db = await Database.open('./data');
 * const notes = await db.collection('notes', { dimension: 3 });   // opens, or creates when missing
 * await notes.insert({ key: 'a', vector: [1, 0, 0], metadata: { kind: 'note' } });
 * await db.close();
 * ```
 */
export class Database {
  /** The folder (as given) or URI, or null for an in-memory database. */
  readonly path: string | null;
  private readonly location: DatabaseLocation | null;
  private readonly open_ = new Map<string, Collection>();
  private closed = false;

  private constructor(path: string | null, location: DatabaseLocation | null) {
    this.path = path;
    this.location = location;
  }

  /**
   * Opens (creating when missing) the database folder `path`, or the database under an
   * `s3://bucket/prefix` URI (with `storageOptions`), or read-only under an `http(s)://` URL whose
   * server answers Range requests (open collections by name; writes throw NotSupportedError). Needs Node.
   * @throws InvalidArgumentError for an empty path or bad storage options
   * @example
   * ```ts
   * const db = await Database.open('s3://bucket/app', { storageOptions: { aws_region: 'eu-west-1' } });
   * ```
   */
  static async open(path: string, options: DatabaseOpenOptions = {}): Promise<Database> {
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('`path` must be a non-empty string');
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object');
    return new Database(path, await openDatabaseLocation(path, options.storageOptions, options.store));
  }

  /** An in-memory database: nothing touches a disk, everything is lost when it goes away. */
  static memory(): Database {
    return new Database(null, null);
  }

  private checkOpen(): void {
    if (this.closed) throw new InvalidArgumentError('the database is closed');
  }

  /**
   * Creates a collection.
   * @throws ConflictError when it exists; InvalidArgumentError for bad options.
   */
  async createCollection(name: string, options: CreateCollectionOptions): Promise<Collection> {
    this.checkOpen();
    checkCollectionName(name);
    const config = configOf(options);
    if (this.open_.has(name)) throw new ConflictError(`collection '${name}' already exists`);
    let store: LanceStore | null = null;
    if (this.location !== null) store = await LanceStore.create(this.location, name, config);
    const c = Collection.createNew(name, options, store, config);
    if (options.fullText !== undefined && options.fullText !== false) await c.enableFullText(options.fullText, false);
    this.open_.set(name, c);
    return c;
  }

  /**
   * Opens an existing collection (the same object when already open in this database).
   * @throws NotFoundError when there is none of that name.
   */
  async openCollection(name: string, options: OpenCollectionOptions = {}): Promise<Collection> {
    this.checkOpen();
    checkCollectionName(name);
    const had = this.open_.get(name);
    if (had !== undefined) return had;
    if (this.location === null) throw new NotFoundError(`no collection '${name}' in this in-memory database`);
    const c = await Collection.openStored(name, await LanceStore.open(this.location, name), options.embed, options.indexSaveEvery);
    await c.enableFullText(options.fullText, true);
    this.open_.set(name, c);
    return c;
  }

  /** Opens the collection, or creates it with `options` when missing. */
  async collection(name: string, options: CreateCollectionOptions): Promise<Collection> {
    try {
      const c = await this.openCollection(name, {
        ...(options.embed === undefined ? {} : { embed: options.embed }),
        ...(options.indexSaveEvery === undefined ? {} : { indexSaveEvery: options.indexSaveEvery }),
        ...(options.fullText === undefined ? {} : { fullText: options.fullText }),
      });
      if (c.dimension !== options.dimension) {
        throw new InvalidArgumentError(`collection '${name}' has dimension ${c.dimension}, not ${options.dimension}`);
      }
      return c;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return this.createCollection(name, options);
    }
  }

  /** Names of the collections, sorted. */
  async listCollections(): Promise<string[]> {
    this.checkOpen();
    if (this.location === null) return [...this.open_.keys()].sort();
    return listCollectionNames(this.location);
  }

  /** Deletes a collection and its files. @returns false when there was none. */
  async dropCollection(name: string): Promise<boolean> {
    this.checkOpen();
    checkCollectionName(name);
    const c = this.open_.get(name);
    this.open_.delete(name);
    if (c !== undefined) await c.close();
    if (this.location === null) return c !== undefined;
    return dropCollectionFiles(this.location, name);
  }

  /** Flushes and closes every open collection. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const c of this.open_.values()) await c.close();
    this.open_.clear();
    this.closed = true;
  }
}

function configOf(options: CreateCollectionOptions): CollectionConfig {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object with a `dimension`');
  const { dimension } = options;
  if (!Number.isInteger(dimension) || dimension <= 0) throw new InvalidArgumentError(`\`dimension\` must be a positive integer, got ${String(dimension)}`);
  const distance = options.distance ?? 'cosine';
  if (!isDistanceMetric(distance)) throw new InvalidArgumentError(`\`distance\` must be 'l2', 'cosine' or 'innerProduct', got ${String(distance)}`);
  if (options.embed !== undefined && typeof options.embed !== 'function') throw new InvalidArgumentError('`embed` must be a function');
  const schema = options.schema === undefined ? {} : checkSchema(options.schema);
  const every = options.indexSaveEvery;
  if (every !== undefined && (!Number.isInteger(every) || every <= 0)) throw new InvalidArgumentError(`\`indexSaveEvery\` must be a positive integer, got ${every}`);
  return {
    formatVersion: COLLECTION_FORMAT_VERSION,
    dimension,
    distance,
    fields: Object.entries(schema),
    M: options.M ?? DEFAULT_M,
    efConstruction: options.efConstruction ?? DEFAULT_EF_CONSTRUCTION,
    seed: options.seed ?? DEFAULT_SEED,
  };
}

/**
 * The file side of a persisted collection (Node only; `src/browser/lance-store.ts` stands in for it
 * in browser bundles): a database folder holds, per collection `name`,
 * - `name.lance/`: the documents, one Lance dataset (`collection-layout.ts`), LanceDB's table `name`;
 * - `name.hnsw/`: the HNSW index, saved with @vego/hnsw's incremental Lance persistence;
 * - `name.text/`: the full-text index, when the collection has one (`fulltext/persistence.ts`).
 *
 * The dataset is the source of truth and commits first; the index is saved after it and reconciled
 * against it when the collection opens (see `collection.ts`), so a process killed between the two
 * leaves them consistent once reopened. Every dataset commit is a compare-and-swap on the version
 * this process last saw (`expectedVersion`), so a second writer gets ConflictError instead of
 * writing over state it has not read.
 *
 * On an object store (`s3://bucket/prefix`, or read-only `http(s)://…`) the same layout lives under
 * the prefix, reached through one @vego/io store shared by every dataset of the database: dataset
 * commits are conditional puts, index saves go through @vego/hnsw's object-store persistence. Not
 * there: the full-text folder (a collection's full-text index lives in memory, rebuilt from the
 * documents when opened with `fullText`), and removing old versions in `optimize()`. Over plain
 * HTTP the database is read-only: opening and reading work; the index, if it has to be rebuilt, is
 * kept in memory; every write throws NotSupportedError.
 */
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import {
  ConflictError,
  CorruptDataError,
  Dataset,
  HNSW,
  HttpStore,
  InvalidArgumentError,
  NotFoundError,
  NotSupportedError,
  type ObjectStore,
  type RecordBatch,
  S3Store,
  type StorageOptions,
  checkEntryInside,
  dotSegmentOf,
  isObjectStoreUri,
} from '@vego/hnsw';
import { batchToRows, collectionSchema, configFromSchema, type CollectionConfig, type StoredRows } from './collection-layout';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Checks a collection name (one path segment, no `..`). @throws InvalidArgumentError */
export function checkCollectionName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..') || name.length > 200) {
    throw new InvalidArgumentError(`collection name \`${String(name)}\` must be letters, digits, _, . and - (not starting with . or -)`);
  }
}

/** Where a database lives: a folder, or a prefix of an object store. */
export interface DatabaseLocation {
  /** Absolute folder, or the URI without a trailing slash. */
  readonly root: string;
  /** The store serving `root`, or null for a folder. */
  readonly store: ObjectStore | null;
}

/**
 * The location of a database: a folder (created when missing), or the store serving an `s3://` /
 * `http(s)://` URI (made from `storageOptions`, or `store` as given).
 * @throws InvalidArgumentError for bad options or a `store` given with a folder
 */
export async function openDatabaseLocation(path: string, storageOptions: StorageOptions | undefined, store: ObjectStore | undefined): Promise<DatabaseLocation> {
  if (!isObjectStoreUri(path)) {
    if (store !== undefined) throw new InvalidArgumentError(`\`store\` was given for '${path}', which is not an s3:// or http(s):// URI`);
    await fs.mkdir(path, { recursive: true });
    return { root: nodePath.resolve(path), store: null };
  }
  const root = path.replace(/\/+$/, '');
  if (store !== undefined) {
    if (root !== store.url && !root.startsWith(`${store.url}/`)) throw new InvalidArgumentError(`'${path}' does not lie under the store's root '${store.url}'`);
    return { root, store };
  }
  return { root, store: /^s3:/i.test(root) ? S3Store.open(root, storageOptions) : HttpStore.open(root, storageOptions) };
}

/** Path or URI of `name` in the database. */
function inDatabase(loc: DatabaseLocation, name: string): string {
  return loc.store === null ? nodePath.join(loc.root, name) : `${loc.root}/${name}`;
}

/**
 * Refuses a collection whose folders (`name.lance`, `name.hnsw`, `name.text`) are symlinks pointing
 * out of the database folder: the dataset's and the index's own checks are relative to their real
 * folders, so such a link would take the collection's writes, compactions and cleanups into
 * whatever it names. Three `lstat`s per open or create; nothing on an object store.
 * @throws CorruptDataError for a folder linked outside the database folder
 */
function checkCollectionFolders(loc: DatabaseLocation, name: string): void {
  if (loc.store !== null) return;
  for (const suffix of ['.lance', '.hnsw', '.text']) checkEntryInside(loc.root, `${name}${suffix}`, `database '${loc.root}', collection '${name}'`);
}

/** `{ store }` for datasets and indexes on an object store, else nothing. */
function storeOption(loc: DatabaseLocation): { store?: ObjectStore } {
  return loc.store === null ? {} : { store: loc.store };
}

/** Dataset and index of one collection on disk or on an object store. */
export class LanceStore {
  /** The full-text index's folder (`name.text/`, see `fulltext/persistence.ts`); null on an object store (kept in memory). */
  readonly textDir: string | null;
  /** False over plain HTTP: reads only, and an index that had to be rebuilt stays in memory. */
  readonly writable: boolean;

  private constructor(
    private readonly location: DatabaseLocation,
    readonly datasetDir: string,
    readonly indexDir: string,
    private dataset: Dataset,
  ) {
    this.textDir = location.store === null ? indexDir.replace(/\.hnsw$/, '.text') : null;
    this.writable = location.store === null || location.store.writable;
  }

  /** Creates an empty collection. @throws ConflictError when it exists. */
  static async create(loc: DatabaseLocation, name: string, config: CollectionConfig): Promise<LanceStore> {
    checkCollectionFolders(loc, name);
    const dir = inDatabase(loc, `${name}.lance`);
    const ds = await Dataset.create(dir, [], { schema: collectionSchema(config), mode: 'create', ...storeOption(loc) });
    return new LanceStore(loc, dir, inDatabase(loc, `${name}.hnsw`), ds);
  }

  /** Opens an existing collection. @throws NotFoundError when there is none of that name. */
  static async open(loc: DatabaseLocation, name: string): Promise<LanceStore> {
    checkCollectionFolders(loc, name);
    const dir = inDatabase(loc, `${name}.lance`);
    let ds: Dataset;
    try {
      ds = await Dataset.open(dir, storeOption(loc));
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`no collection '${name}' in '${loc.root}'`, { cause: e });
      throw e;
    }
    return new LanceStore(loc, dir, inDatabase(loc, `${name}.hnsw`), ds);
  }

  /** The version this process last read or wrote. */
  get version(): number {
    return this.dataset.version;
  }

  /** The configuration stored with the rows. */
  config(): CollectionConfig {
    return configFromSchema(this.dataset.schema, this.datasetDir);
  }

  /** Live rows in dataset order, batch by batch (vectors copied out of each batch). */
  async *rows(config: CollectionConfig): AsyncIterableIterator<StoredRows> {
    // 2,048 rows a batch: decoding one (a JS object per row for its metadata) stays a short block.
    const { dimension, distance, M, efConstruction } = config;
    const maxDocIds = new HNSW({ dimension, distance, M, efConstruction }).maxIds;
    for await (const batch of this.dataset.scan({ batchSize: 2048 })) yield batchToRows(batch, config, this.datasetDir, maxDocIds);
  }

  private async replace(next: Dataset): Promise<void> {
    const old = this.dataset;
    this.dataset = next;
    if (old !== next) await old.close();
  }

  /** Appends rows on top of exactly the version last seen. @throws ConflictError */
  async append(batch: RecordBatch): Promise<void> {
    await this.replace(await Dataset.create(this.datasetDir, batch, { mode: 'append', expectedVersion: this.dataset.version, ...storeOption(this.location) }));
  }

  /**
   * Appends rows and deletes rows by live position (of the version last seen) in one commit: a
   * replacement is then atomic, and costs one commit instead of two.
   * @throws ConflictError when another writer committed since (nothing is written).
   */
  async appendAndDelete(batch: RecordBatch, positions: ArrayLike<number>): Promise<void> {
    await this.replace(await this.dataset.appendAndDelete(batch, positions));
  }

  /** Deletes rows by live position. @throws ConflictError when another writer committed since. */
  async deleteRows(positions: ArrayLike<number>): Promise<void> {
    if (positions.length === 0) return;
    await this.replace(await this.dataset.deleteRows(positions));
  }

  /**
   * The rows at live positions `positions` (of the version last seen; any order), in that order,
   * `columns` only: the one read a collection makes of rows it keeps in memory only in part (the
   * vectors as given of a cosine collection).
   */
  async take(positions: ArrayLike<number>, columns: readonly string[]): Promise<RecordBatch> {
    return this.dataset.take(positions, { columns });
  }

  /** Replaces every row (and the schema) in one version. @throws ConflictError */
  async overwrite(batch: RecordBatch): Promise<void> {
    await this.replace(await Dataset.create(this.datasetDir, batch, { mode: 'overwrite', expectedVersion: this.dataset.version, ...storeOption(this.location) }));
  }

  /**
   * Rewrites small fragments (one per small write) and fragments with many deleted rows into full
   * ones (row order kept, so row positions do not move), then deletes versions older than
   * `cleanupOlderThanMs` (the latest always stays) and the files only they used. On an object
   * store old versions stay (@vego/io cannot remove them there yet): `versionsRemoved` is 0.
   * @throws ConflictError when another writer committed since this process last did.
   */
  async optimize(cleanupOlderThanMs: number): Promise<{ fragmentsRemoved: number; fragmentsAdded: number; versionsRemoved: number }> {
    const r = await this.dataset.compact();
    await this.replace(r.dataset);
    if (this.location.store !== null) return { fragmentsRemoved: r.fragmentsRemoved, fragmentsAdded: r.fragmentsAdded, versionsRemoved: 0 };
    const c = this.dataset.cleanupOldVersions({ olderThan: cleanupOlderThanMs });
    return { fragmentsRemoved: r.fragmentsRemoved, fragmentsAdded: r.fragmentsAdded, versionsRemoved: c.removedVersions.length };
  }

  /** Fragments of the dataset version this process holds. */
  get numFragments(): number {
    return this.dataset.numFragments;
  }

  /**
   * The saved index, or null when there is none or it cannot be read. An unreadable index is left in
   * place, never removed here: another process may be saving into the same folder at this moment, and
   * removing it under that process would fail its save. The caller rebuilds the index from the dataset;
   * the rebuilt index's first save rewrites each part whole (an overwrite version), which replaces the
   * unreadable one.
   */
  async loadIndex(): Promise<HNSW | null> {
    if (this.location.store === null) {
      try {
        await fs.access(nodePath.join(this.indexDir, 'metadata.lance'));
      } catch {
        return null;
      }
    }
    try {
      return await HNSW.loadFromLance(this.indexDir, storeOption(this.location));
    } catch {
      return null;
    }
  }

  /** Removes the saved index (before saving one that does not continue it). */
  async dropIndex(): Promise<void> {
    if (this.location.store === null) await fs.rm(this.indexDir, { recursive: true, force: true });
    else await removePrefix(this.location, `${this.indexDir.slice(this.location.root.length + 1)}/`);
  }

  /**
   * Saves the index incrementally (whole with `full`). A ConflictError (another process saving at the same moment) is
   * ignored: the dataset is the source of truth and the next open reconciles the index with it.
   */
  async saveIndex(index: HNSW, full = false): Promise<void> {
    // Over plain HTTP nothing can be saved: the index stays in memory (the dataset is the truth).
    if (!this.writable) return;
    try {
      await index.saveToLance(this.indexDir, { full, ...storeOption(this.location) });
    } catch (e) {
      if (e instanceof ConflictError) return;
      if (!(e instanceof CorruptDataError)) throw e;
      // The folder holds an index this process cannot build on (damaged, or of another build): the
      // dataset is the source of truth, so replace the folder with this index, saved whole.
      await this.dropIndex();
      try {
        await index.saveToLance(this.indexDir, { full: true, ...storeOption(this.location) });
      } catch (e2) {
        if (!(e2 instanceof ConflictError)) throw e2;
      }
    }
  }

  /** Closes the data files. */
  async close(): Promise<void> {
    await this.dataset.close();
  }
}

/**
 * Deletes every object whose key (relative to the store's root) starts with the database-relative
 * `prefix`. The keys come from the store's listing, so from whoever wrote the bucket: one with a
 * `.` or `..` segment (`app/notes.hnsw/../../victim`) would be sent, resolved by the URL, as a
 * delete of an object outside the database; such a listing is refused before anything is deleted.
 * @throws CorruptDataError for a listed key with a `.` or `..` segment
 */
async function removePrefix(loc: DatabaseLocation, prefix: string): Promise<boolean> {
  const store = loc.store!;
  const base = loc.root === store.url ? '' : `${loc.root.slice(store.url.length + 1)}/`;
  const objects = await store.list(base + prefix);
  for (const o of objects) {
    const dot = dotSegmentOf(o.key);
    if (dot !== null) {
      throw new CorruptDataError(`'${loc.root}': the object ${JSON.stringify(o.key)} listed under '${base + prefix}' has a '${dot}' segment (expected plain segments: a URL would resolve it to an object outside the database); nothing under it was deleted`);
    }
  }
  for (const o of objects) await store.delete(o.key);
  return objects.length > 0;
}

/**
 * Names of the collections of a database: folders (or prefixes) `name.lance` holding a manifest.
 * @throws NotSupportedError over plain HTTP (no listing: open collections by name)
 */
export async function listCollectionNames(loc: DatabaseLocation): Promise<string[]> {
  const store = loc.store;
  if (store !== null) {
    if (!store.canList) throw new NotSupportedError(`listing the collections of '${loc.root}' needs a store that lists (plain HTTP has no listing): open collections by name`);
    const base = loc.root === store.url ? '' : `${loc.root.slice(store.url.length + 1)}/`;
    const names = new Set<string>();
    for (const o of await store.list(base)) {
      const m = /^([^/]+)\.lance\/_versions\/[^/]+$/.exec(o.key.slice(base.length));
      if (m !== null) names.add(m[1]!);
    }
    return [...names].sort();
  }
  const dbDir = loc.root;
  const out: string[] = [];
  for (const e of await fs.readdir(dbDir, { withFileTypes: true })) {
    if (!e.isDirectory() || !e.name.endsWith('.lance')) continue;
    try {
      await fs.access(nodePath.join(dbDir, e.name, '_versions'));
      out.push(e.name.slice(0, -'.lance'.length));
    } catch {
      // not a dataset
    }
  }
  return out.sort();
}

/**
 * Deletes a collection's dataset and index. Returns false when it did not exist.
 * @throws NotSupportedError over plain HTTP (read-only)
 */
export async function dropCollectionFiles(loc: DatabaseLocation, name: string): Promise<boolean> {
  const store = loc.store;
  if (store !== null) {
    if (!store.writable) throw new NotSupportedError(`cannot drop collection '${name}' of '${loc.root}': it is read-only`);
    // The dataset's manifests go before its data, so that a crash midway leaves no listed
    // collection whose files are missing (the index goes first: a collection rebuilds a lost one).
    await removePrefix(loc, `${name}.hnsw/`);
    const existed = await removePrefix(loc, `${name}.lance/_versions/`);
    await removePrefix(loc, `${name}.lance/`);
    return existed;
  }
  const dbDir = loc.root;
  const dir = nodePath.join(dbDir, `${name}.lance`);
  let existed = true;
  try {
    await fs.access(dir);
  } catch {
    existed = false;
  }
  await fs.rm(nodePath.join(dbDir, `${name}.hnsw`), { recursive: true, force: true });
  await fs.rm(nodePath.join(dbDir, `${name}.text`), { recursive: true, force: true });
  // A recursive removal killed half way could leave `_versions/` naming data files already gone:
  // a listed collection that cannot be opened, nor created again. The folder is first renamed
  // (atomically) to a name no collection can have, which is then removed; one left by an earlier
  // killed drop goes first (a rename onto a non-empty folder fails).
  const doomed = nodePath.join(dbDir, `.${name}.lance.dropped`);
  await fs.rm(doomed, { recursive: true, force: true });
  try {
    await fs.rename(dir, doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return false;
  }
  await fs.rm(doomed, { recursive: true, force: true });
  return existed;
}

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
 */
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { ConflictError, CorruptDataError, Dataset, HNSW, InvalidArgumentError, NotFoundError, type RecordBatch } from '@vego/hnsw';
import { batchToRows, collectionSchema, configFromSchema, type CollectionConfig, type StoredRow } from './collection-layout';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Checks a collection name (one path segment, no `..`). @throws InvalidArgumentError */
export function checkCollectionName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..') || name.length > 200) {
    throw new InvalidArgumentError(`collection name \`${String(name)}\` must be letters, digits, _, . and - (not starting with . or -)`);
  }
}

/** Dataset and index of one collection on disk. */
export class LanceStore {
  /** The full-text index's folder (`name.text/`, see `fulltext/persistence.ts`). */
  readonly textDir: string;

  private constructor(readonly datasetDir: string, readonly indexDir: string, private dataset: Dataset) {
    this.textDir = indexDir.replace(/\.hnsw$/, '.text');
  }

  /** Creates an empty collection. @throws ConflictError when it exists. */
  static async create(dbDir: string, name: string, config: CollectionConfig): Promise<LanceStore> {
    const dir = nodePath.join(dbDir, `${name}.lance`);
    const ds = await Dataset.create(dir, [], { schema: collectionSchema(config), mode: 'create' });
    return new LanceStore(dir, nodePath.join(dbDir, `${name}.hnsw`), ds);
  }

  /** Opens an existing collection. @throws NotFoundError when there is none of that name. */
  static async open(dbDir: string, name: string): Promise<LanceStore> {
    const dir = nodePath.join(dbDir, `${name}.lance`);
    let ds: Dataset;
    try {
      ds = await Dataset.open(dir);
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`no collection '${name}' in '${dbDir}'`, { cause: e });
      throw e;
    }
    return new LanceStore(dir, nodePath.join(dbDir, `${name}.hnsw`), ds);
  }

  /** The version this process last read or wrote. */
  get version(): number {
    return this.dataset.version;
  }

  /** The configuration stored with the rows. */
  config(): CollectionConfig {
    return configFromSchema(this.dataset.schema, this.datasetDir);
  }

  /** Live rows in dataset order, batch by batch (vectors are views into each batch). */
  async *rows(config: CollectionConfig): AsyncIterableIterator<StoredRow[]> {
    for await (const batch of this.dataset.scan({ batchSize: 8192 })) yield batchToRows(batch, config, this.datasetDir);
  }

  private async replace(next: Dataset): Promise<void> {
    const old = this.dataset;
    this.dataset = next;
    if (old !== next) await old.close();
  }

  /** Appends rows on top of exactly the version last seen. @throws ConflictError */
  async append(batch: RecordBatch): Promise<void> {
    await this.replace(await Dataset.create(this.datasetDir, batch, { mode: 'append', expectedVersion: this.dataset.version }));
  }

  /** Deletes rows by live position. @throws ConflictError when another writer committed since. */
  async deleteRows(positions: ArrayLike<number>): Promise<void> {
    if (positions.length === 0) return;
    await this.replace(await this.dataset.deleteRows(positions));
  }

  /** Replaces every row (and the schema) in one version. @throws ConflictError */
  async overwrite(batch: RecordBatch): Promise<void> {
    await this.replace(await Dataset.create(this.datasetDir, batch, { mode: 'overwrite', expectedVersion: this.dataset.version }));
  }

  /**
   * Rewrites small fragments (one per small write) and fragments with many deleted rows into full
   * ones (row order kept, so row positions do not move), then deletes versions older than
   * `cleanupOlderThanMs` (the latest always stays) and the files only they used.
   * @throws ConflictError when another writer committed since this process last did.
   */
  async optimize(cleanupOlderThanMs: number): Promise<{ fragmentsRemoved: number; fragmentsAdded: number; versionsRemoved: number }> {
    const r = await this.dataset.compact();
    await this.replace(r.dataset);
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
    try {
      await fs.access(nodePath.join(this.indexDir, 'metadata.lance'));
    } catch {
      return null;
    }
    try {
      return await HNSW.loadFromLance(this.indexDir);
    } catch {
      return null;
    }
  }

  /** Removes the saved index (before saving one that does not continue it). */
  async dropIndex(): Promise<void> {
    await fs.rm(this.indexDir, { recursive: true, force: true });
  }

  /**
   * Saves the index incrementally. A ConflictError (another process saving at the same moment) is
   * ignored: the dataset is the source of truth and the next open reconciles the index with it.
   */
  async saveIndex(index: HNSW): Promise<void> {
    try {
      await index.saveToLance(this.indexDir);
    } catch (e) {
      if (e instanceof ConflictError) return;
      if (!(e instanceof CorruptDataError)) throw e;
      // The folder holds an index this process cannot build on (damaged, or of another build): the
      // dataset is the source of truth, so replace the folder with this index, saved whole.
      await this.dropIndex();
      try {
        await index.saveToLance(this.indexDir, { full: true });
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

/** Creates the database folder when missing. */
export async function ensureDatabaseDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
}

/** Names of the collections in a database folder (directories `name.lance` with a manifest). */
export async function listCollectionNames(dbDir: string): Promise<string[]> {
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

/** Deletes a collection's dataset and index. Returns false when it did not exist. */
export async function dropCollectionFiles(dbDir: string, name: string): Promise<boolean> {
  const dir = nodePath.join(dbDir, `${name}.lance`);
  let existed = true;
  try {
    await fs.access(dir);
  } catch {
    existed = false;
  }
  await fs.rm(nodePath.join(dbDir, `${name}.hnsw`), { recursive: true, force: true });
  await fs.rm(nodePath.join(dbDir, `${name}.text`), { recursive: true, force: true });
  await fs.rm(dir, { recursive: true, force: true });
  return existed;
}

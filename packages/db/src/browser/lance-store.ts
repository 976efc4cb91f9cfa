/**
 * Browser stand-in for `../lance-store`: the package.json `browser` field swaps it in when a bundler
 * builds for browsers, so `@vego/db` bundles without Node's file system. In-memory databases
 * (`Database.memory()`) work; anything that would touch a folder throws {@link NotSupportedError}.
 * Never used under Node. Exports every name of the module it replaces.
 */
import { InvalidArgumentError, NotSupportedError, type HNSW, type ObjectStore, type RecordBatch, type StorageOptions } from '@vego/hnsw';
import type { CollectionConfig, StoredRows } from '../collection-layout';

function needsNode(what: string): NotSupportedError {
  return new NotSupportedError(`${what} needs Node (file system), which this browser build does not have: use Database.memory()`);
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Same checks as the Node module. */
export function checkCollectionName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..') || name.length > 200) {
    throw new InvalidArgumentError(`collection name \`${String(name)}\` must be letters, digits, _, . and - (not starting with . or -)`);
  }
}

/** Needs Node: every static throws NotSupportedError in a browser build. */
export class LanceStore {
  readonly datasetDir = '';
  readonly indexDir = '';
  readonly textDir: string | null = null;
  readonly writable = false;
  private constructor() {
    throw needsNode('a persisted collection');
  }
  static async create(_loc: DatabaseLocation, _name: string, _config: CollectionConfig): Promise<LanceStore> {
    throw needsNode('Database.open(path)');
  }
  static async open(_loc: DatabaseLocation, _name: string): Promise<LanceStore> {
    throw needsNode('Database.open(path)');
  }
  get version(): number { throw needsNode('a persisted collection'); }
  config(): CollectionConfig { throw needsNode('a persisted collection'); }
  async *rows(_config: CollectionConfig): AsyncIterableIterator<StoredRows> { throw needsNode('a persisted collection'); }
  async append(_batch: RecordBatch): Promise<void> { throw needsNode('a persisted collection'); }
  async deleteRows(_positions: ArrayLike<number>): Promise<void> { throw needsNode('a persisted collection'); }
  async appendAndDelete(_batch: RecordBatch, _positions: ArrayLike<number>): Promise<void> { throw needsNode('a persisted collection'); }
  async overwrite(_batch: RecordBatch): Promise<void> { throw needsNode('a persisted collection'); }
  async take(_positions: ArrayLike<number>, _columns: readonly string[]): Promise<RecordBatch> { throw needsNode('a persisted collection'); }
  async loadIndex(): Promise<HNSW | null> { throw needsNode('a persisted collection'); }
  async saveIndex(_index: HNSW, _full = false): Promise<void> { throw needsNode('a persisted collection'); }
  async dropIndex(): Promise<void> { throw needsNode('a persisted collection'); }
  async optimize(_cleanupOlderThanMs: number): Promise<{ fragmentsRemoved: number; fragmentsAdded: number; versionsRemoved: number }> {
    throw needsNode('a persisted collection');
  }
  get numFragments(): number { throw needsNode('a persisted collection'); }
  async close(): Promise<void> {}
}

/** Same shape as the Node module's. */
export interface DatabaseLocation {
  readonly root: string;
  readonly store: ObjectStore | null;
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function openDatabaseLocation(_path: string, _storageOptions: StorageOptions | undefined, _store: ObjectStore | undefined): Promise<DatabaseLocation> {
  throw needsNode('Database.open(path)');
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function listCollectionNames(_loc: DatabaseLocation): Promise<string[]> {
  throw needsNode('listCollections() of a database folder');
}

/** Needs Node: rejects with NotSupportedError in a browser build. */
export async function dropCollectionFiles(_loc: DatabaseLocation, _name: string): Promise<boolean> {
  throw needsNode('dropCollection() of a database folder');
}

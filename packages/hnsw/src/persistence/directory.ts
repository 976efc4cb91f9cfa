/**
 * Where a saved index lives: a local folder, or a prefix on an object store (`s3://bucket/prefix`,
 * read-only `http(s)://host/path`) reached through @vego/io's public store API. Here: checking the
 * location a caller gives, the path of each part, the dataset steps (open, create, delete rows,
 * close, latest version) in their blocking and asynchronous forms, and the one error builder for
 * damage found in a saved index.
 *
 * On an object store every part is a Lance dataset under the prefix (`<prefix>/nodes.lance/…`),
 * committed as @vego/io commits any dataset there (data under fresh names, the manifest by a
 * conditional put), so the metadata row stays the commit point of a whole save. Object stores are
 * asynchronous only: the `…Sync` forms refuse them with NotSupportedError.
 */
import {
  CorruptDataError,
  corruptData,
  Dataset,
  type DatasetWriteOptions,
  HttpStore,
  InvalidArgumentError,
  NotFoundError,
  NotSupportedError,
  type ObjectStore,
  type RecordBatch,
  S3Store,
  type StorageOptions,
  checkEntryInside,
  isObjectStoreUri,
} from '@vego/io';
import { CONNECTIONS_DATASET, METADATA_DATASET, NODES_DATASET } from './layout';
import { joinLocal, resolveLocal } from './local-paths';
import type { Step } from './steps';

/** A CorruptDataError that names the saved index, what was checked, and expected vs found. */
export function corrupt(root: string, what: string, expected: string, found: unknown): CorruptDataError {
  return corruptData(`saved index '${root}': ${what}`, expected, found);
}

/** Options naming how to reach an index on an object store (ignored for a local folder). */
export interface IndexStoreOptions {
  /**
   * For an `s3://` (or `http(s)://`) location: storage options named as Lance and LanceDB name them
   * (`aws_endpoint`, `aws_region`, `aws_access_key_id`, `aws_secret_access_key`, `allow_http`, …;
   * missing ones from the AWS_* environment variables). See @vego/io's `resolveS3Options`.
   */
  storageOptions?: StorageOptions;
  /** For an `s3://` or `http(s)://` location: a store to go through (its root must contain the location). */
  store?: ObjectStore;
}

/** The three datasets of a saved index. */
const PARTS = [NODES_DATASET, CONNECTIONS_DATASET, METADATA_DATASET] as const;

/** A checked index location. */
export interface IndexLocation {
  /** Absolute folder, or the URI without a trailing slash. */
  root: string;
  /** The store serving `root`, or null for a local folder. */
  store: ObjectStore | null;
}

/**
 * The location of an index: an absolute folder for a path, or the store serving an `s3://` /
 * `http(s)://` URI (a new {@link S3Store} / {@link HttpStore} from `storageOptions`, unless a
 * `store` is given).
 * @throws InvalidArgumentError when `dir` is not a non-empty string, options are not an object, a
 *   `store` is given for a local path, or the storage options are bad
 */
export function resolveLocation(dir: unknown, options: IndexStoreOptions): IndexLocation {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidArgumentError(`\`dir\` must be a non-empty path or URI, got ${String(dir)}`);
  const { storageOptions, store } = options;
  if (storageOptions !== undefined && (typeof storageOptions !== 'object' || storageOptions === null)) {
    throw new InvalidArgumentError(`\`storageOptions\` must be an object of strings, got ${String(storageOptions)}`);
  }
  if (!isObjectStoreUri(dir)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) throw new NotSupportedError(`'${dir}': only local folders, s3:// and http(s):// URIs are supported`);
    if (store !== undefined) throw new InvalidArgumentError(`\`store\` was given for '${dir}', which is not an s3:// or http(s):// URI`);
    const root = resolveLocal(dir);
    // A part folder that is a symlink pointing out of the index folder would take its reads,
    // commits and cleanups there (@vego/io confines paths to each part's own real folder).
    for (const part of PARTS) checkEntryInside(root, part, `saved index '${root}': part ${part}`);
    return { root, store: null };
  }
  const root = dir.replace(/\/+$/, '');
  if (store !== undefined) {
    if (root !== store.url && !root.startsWith(`${store.url}/`)) throw new InvalidArgumentError(`'${dir}' does not lie under the store's root '${store.url}'`);
    return { root, store };
  }
  return { root, store: /^s3:/i.test(root) ? S3Store.open(root, storageOptions) : HttpStore.open(root, storageOptions) };
}

/**
 * Refuses an object-store URI in a synchronous call (checked before any store is made).
 * @throws NotSupportedError when `dir` is an `s3://` or `http(s)://` URI (`what` is the call)
 */
export function requireLocal(dir: unknown, what: string): void {
  if (typeof dir === 'string' && isObjectStoreUri(dir)) {
    throw new NotSupportedError(`${what} of '${dir}': an index on an object store is saved and loaded asynchronously; use saveToLance / loadFromLance`);
  }
}

/** @throws NotSupportedError when `loc` cannot be written (plain HTTP, or a store without conditional puts). */
export function requireWritable(loc: IndexLocation): void {
  const store = loc.store;
  if (store === null) return;
  if (!store.writable) throw new NotSupportedError(`cannot save to '${loc.root}': ${store.url} is read-only (indexes served over HTTP(S) can be loaded, not saved)`);
  if (!store.conditionalPut) {
    throw new NotSupportedError(`cannot save to '${loc.root}': the store cannot do conditional puts, so a save could silently overwrite another writer's commit`);
  }
}

/** Path (or URI) of the part `name` of the index. */
export function partPath(loc: IndexLocation, name: string): string {
  return loc.store === null ? joinLocal(loc.root, name) : `${loc.root}/${name}`;
}

/** Opens part `name` (at `version`, or its latest). */
export function openStep(loc: IndexLocation, name: string, version?: number): Step<Dataset> {
  const path = partPath(loc, name);
  const options = { ...(version === undefined ? {} : { version }), ...(loc.store === null ? {} : { store: loc.store }) };
  return { sync: () => Dataset.openSync(path, options), async: () => Dataset.open(path, options) };
}

/** Commits `batch` to part `name` as a new version. */
export function createStep(loc: IndexLocation, name: string, batch: RecordBatch | readonly RecordBatch[], options: DatasetWriteOptions): Step<Dataset> {
  const path = partPath(loc, name);
  const withStore = loc.store === null ? options : { ...options, store: loc.store };
  return { sync: () => Dataset.createSync(path, batch, withStore), async: () => Dataset.create(path, batch, withStore) };
}

/**
 * Appends `batch` to `ds` and deletes the rows at row addresses `addresses` (@vego/io's
 * `rowAddresses`), in one commit (the version after `ds`'s; a ConflictError, with nothing
 * written, when that version exists already).
 */
export function appendAndDeleteStep(ds: Dataset, batch: RecordBatch, addresses: Float64Array, options: DatasetWriteOptions): Step<Dataset> {
  const withAddresses = { ...options, rowAddresses: true };
  return { sync: () => ds.appendAndDeleteSync(batch, addresses, withAddresses), async: () => ds.appendAndDelete(batch, addresses, withAddresses) };
}

/** Closes the datasets given (null entries skipped; the same one twice closed once). */
export function closeStep(...datasets: (Dataset | null)[]): Step<void> {
  const distinct = [...new Set(datasets.filter((d): d is Dataset => d !== null))];
  return {
    sync: () => {
      for (const d of distinct) d.closeSync();
    },
    async: async () => {
      await Promise.all(distinct.map((d) => d.close()));
    },
  };
}

/** Part `name` at its latest committed version, or null when there is none (close it when done). */
export function openLatestStep(loc: IndexLocation, name: string): Step<Dataset | null> {
  const open = openStep(loc, name);
  const missing = (e: unknown): null => {
    if (e instanceof NotFoundError) return null;
    throw e;
  };
  return {
    sync: () => {
      try {
        return open.sync();
      } catch (e) {
        return missing(e);
      }
    },
    async: () => open.async().catch(missing),
  };
}

/**
 * `ds` (part `name` as the last save or load left it) again, with files of its own, when it is
 * still that part's latest version, read from the very manifest read or committed then; null
 * otherwise (close it when done). In a local folder @vego/io's `Dataset#reopenIfLatest` (no listing
 * of `_versions/`); on an object store the latest version is opened through this save's store (its
 * credentials may have changed since) and compared with `ds` by `Dataset#hasSameManifest`.
 */
export function reopenIfLatestStep(loc: IndexLocation, name: string, ds: Dataset): Step<Dataset | null> {
  if (loc.store === null) return { sync: () => ds.reopenIfLatestSync(), async: () => ds.reopenIfLatest() };
  const latest = openLatestStep(loc, name);
  return {
    sync: () => {
      const d = latest.sync();
      if (d === null || d.hasSameManifest(ds)) return d;
      d.closeSync();
      return null;
    },
    async: async () => {
      const d = await latest.async();
      if (d === null || d.hasSameManifest(ds)) return d;
      await d.close();
      return null;
    },
  };
}

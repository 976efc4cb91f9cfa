/**
 * The pieces of a dataset on an {@link ObjectStore} (`s3://…`, `https://…`) that differ from a
 * folder: which store serves a URI, finding versions without a directory listing, reading manifests
 * and deletion files by key, and the commit's I/O as effects (@vego/format's effects.ts) whose asynchronous form
 * talks to the store. Their synchronous form throws NotSupportedError: requests are asynchronous, so
 * datasets on object stores are used through the async methods (`Dataset.open`, `create`, `scan`, …).
 *
 * A commit on a store writes each data and deletion file under a fresh, random name (a PUT, or a
 * multipart upload for data files larger than a part: ../store/object-sink), then
 * publishes the manifest with a conditional PUT (`If-None-Match: *`): the service creates it only
 * when no object has that name, atomically, so of two writers of one version exactly one wins and a
 * reader sees a version whole or not at all. A store that cannot do that refuses writes.
 */
import { ConflictError, CorruptDataError, InvalidArgumentError, NotFoundError, NotSupportedError, decodeDeletionFile, deletionFileName } from '@vego/format';
import type { DeletionFile } from '@vego/format';
import { HttpStore } from '../store/http-store';
import { isObjectStoreUri, type ObjectStore } from '../store/object-store';
import { ObjectSink } from '../store/object-sink';
import { S3Store } from '../store/s3-store';
import type { StorageOptions } from '../store/storage-options';
import { DELETIONS_DIR } from './deletions';
import type { Effect } from '@vego/format';
import { decodeManifestBytes, type ManifestState } from './lance-adapter';
import { manifestFileName, parseManifestFileName, type VersionFile } from './manifest-names';

/** Where a dataset's files live and how to reach them, as the options of open/create give it. */
export interface StoreChoice {
  /** A store to use as it is (shared counters and connection bounds). */
  store?: ObjectStore | undefined;
  /** Lance-named options to build one from (`aws_endpoint`, `aws_region`, credentials, `allow_http`, …). */
  storageOptions?: StorageOptions | undefined;
}

/**
 * The store serving `dir`: `choice.store` when given (its root must contain `dir`), a new
 * {@link S3Store} for `s3://`, a new {@link HttpStore} for `http(s)://`, null for a local path.
 * @throws InvalidArgumentError for a store whose root does not contain `dir`, a store given for a local path, or bad options.
 */
export function storeFor(dir: string, choice: StoreChoice): ObjectStore | null {
  if (/^(s3|https?|gs|az|abfss?):\/(?!\/)/i.test(dir)) {
    // `path.join('s3://b/x', 'y')` gives 's3:/b/x/y': writing that as a local folder would look like
    // success while nothing reaches the store.
    throw new InvalidArgumentError(`'${dir}' looks like a storage URI whose '//' a path join collapsed; pass 's3://…' / 'https://…' URIs joined with '/'`);
  }
  if (!isObjectStoreUri(dir)) {
    if (choice.store !== undefined) throw new InvalidArgumentError(`\`store\` was given for '${dir}', which is not an s3:// or http(s):// URI`);
    return null;
  }
  if (choice.store !== undefined) {
    keyOf(choice.store, dir);
    return choice.store;
  }
  return /^s3:/i.test(dir) ? S3Store.open(dir, choice.storageOptions) : HttpStore.open(dir, choice.storageOptions);
}

/** The key of `path` (a URI under the store's root) inside `store` ('' for the root itself). */
export function keyOf(store: ObjectStore, path: string): string {
  const root = store.url;
  const p = path.replace(/\/+$/, '');
  if (p === root) return '';
  if (!p.startsWith(`${root}/`)) throw new InvalidArgumentError(`'${path}' does not lie under the store's root '${root}'`);
  return p.slice(root.length + 1);
}

/** `base/_versions/name` as a key. */
function versionsKey(base: string, name: string): string {
  return base === '' ? `_versions/${name}` : `${base}/_versions/${name}`;
}

/** Refuses writes a store cannot commit safely. */
export function checkWritable(store: ObjectStore, dir: string): void {
  if (!store.writable) throw new NotSupportedError(`'${dir}' is read-only (${store.url}): datasets served over HTTP(S) can be opened and read, not written`);
  if (!store.conditionalPut) {
    throw new NotSupportedError(
      `'${dir}' is on a store without conditional puts: a commit could silently overwrite another writer's version, so writes are refused`,
    );
  }
}

/**
 * Every committed version of the dataset at `dir`, oldest first, from a listing of `_versions/`.
 * Without a listing (plain HTTP): the version asked for, or the latest found by probing.
 * @throws NotFoundError when there is no manifest; CorruptDataError for two manifests of one version.
 */
export async function remoteVersions(store: ObjectStore, dir: string, version?: number): Promise<VersionFile[]> {
  if (!store.canList) return [version === undefined ? await probeLatest(store, dir) : await findVersion(store, dir, version)];
  return (await listedVersions(store, dir)).map((v) => v.file);
}

/**
 * Every committed version of the dataset at `dir` from a listing of `_versions/`, oldest first, with
 * each manifest object's modification time (null when the store does not say).
 * @throws NotSupportedError for a store that cannot list; CorruptDataError for two manifests of one version.
 */
export async function listedVersions(store: ObjectStore, dir: string): Promise<{ file: VersionFile; lastModified: Date | null }[]> {
  if (!store.canList) throw new NotSupportedError(`'${dir}' is on a store that cannot list objects (${store.url}): its versions cannot be enumerated`);
  const prefix = versionsKey(keyOf(store, dir), '');
  const out: { file: VersionFile; lastModified: Date | null }[] = [];
  for (const o of await store.list(prefix)) {
    const name = o.key.slice(prefix.length);
    if (name.includes('/')) continue;
    const parsed = parseManifestFileName(name);
    if (parsed !== null) out.push({ file: parsed, lastModified: o.lastModified });
  }
  out.sort((a, b) => a.file.version - b.file.version);
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.file.version === out[i - 1]!.file.version) {
      throw new CorruptDataError(`'${dir}/_versions' holds two manifests of version ${out[i]!.file.version}: '${out[i - 1]!.file.fileName}' and '${out[i]!.file.fileName}'`);
    }
  }
  return out;
}

/** The manifest of `version` found by HEAD requests (V2 name first, LanceDB's default), or null. */
async function headVersion(store: ObjectStore, base: string, version: number, naming?: 'v1' | 'v2'): Promise<VersionFile | null> {
  for (const n of naming === undefined ? (['v2', 'v1'] as const) : [naming]) {
    const fileName = manifestFileName(version, n);
    if ((await store.head(versionsKey(base, fileName))) !== null) return { version, fileName, naming: n };
  }
  return null;
}

async function findVersion(store: ObjectStore, dir: string, version: number): Promise<VersionFile> {
  const found = await headVersion(store, keyOf(store, dir), version);
  if (found === null) throw new NotFoundError(`version ${version} of '${dir}' does not exist (no manifest under either naming)`);
  return found;
}

/**
 * The latest version over a store without listing: version 1 must exist (it fixes the naming), then
 * HEADs at 2, 4, 8, … until one is missing, then a binary search between the last two (about
 * 2·log2(latest) HEADs). Assumes versions from 1 to the latest all exist, as every commit adds the
 * next one; after `cleanupOldVersions` removed version 1, open with `{ version }`.
 */
async function probeLatest(store: ObjectStore, dir: string): Promise<VersionFile> {
  const base = keyOf(store, dir);
  const first = await headVersion(store, base, 1);
  if (first === null) {
    throw new NotFoundError(
      `'${dir}' has no manifest of version 1: over plain HTTP (no listing) the latest version is found by probing from version 1; open it with { version } instead`,
    );
  }
  let lo = first;
  let hi = 2;
  for (;;) {
    const at = await headVersion(store, base, hi, first.naming);
    if (at === null) break;
    lo = at;
    hi *= 2;
  }
  // lo exists, hi does not: the latest lies in [lo, hi).
  let a = lo.version;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    const at = await headVersion(store, base, mid, first.naming);
    if (at === null) b = mid;
    else {
      a = mid;
      lo = at;
    }
  }
  return lo;
}

/**
 * The manifest `Dataset.open` reads: of `version`, or of the latest version, checked against its name.
 * @returns the dataset root (no trailing slash), the decoded manifest and the dataset's naming (its latest manifest's).
 * @throws NotFoundError when there is no such version; CorruptDataError when the manifest says another version.
 */
export async function openRemoteVersion(store: ObjectStore, dir: string, version: number | undefined): Promise<{ root: string; state: ManifestState; naming: 'v1' | 'v2' }> {
  const root = dir.replace(/\/+$/, '');
  const files = await remoteVersions(store, root, version);
  if (files.length === 0) throw new NotFoundError(`'${root}' holds no committed version (no manifest under _versions/)`);
  const file = version === undefined ? files[files.length - 1]! : files.find((f) => f.version === version);
  if (file === undefined) throw new NotFoundError(`version ${version} of '${root}' does not exist (versions: ${files.map((f) => f.version).join(', ')})`);
  const state = await readRemoteManifest(store, root, file.fileName);
  if (state.version !== file.version) {
    throw new CorruptDataError(`manifest '${root}/_versions/${file.fileName}': expected version ${file.version} (from its name), found ${state.version}`);
  }
  return { root, state, naming: files[files.length - 1]!.naming };
}

/**
 * Whether `state` (a version of the dataset `dir` on `store`) is still its latest, with the same
 * manifest bytes: the latest found as {@link openRemoteVersion} finds it, compared byte for byte.
 */
export async function isRemoteLatest(store: ObjectStore, dir: string, state: ManifestState): Promise<boolean> {
  let latest: { state: ManifestState };
  try {
    latest = await openRemoteVersion(store, dir, undefined);
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
  return latest.state.version === state.version && sameBytes(latest.state.bytes, state.bytes);
}

/** Reads and decodes manifest `fileName` of `dir`. */
export async function readRemoteManifest(store: ObjectStore, dir: string, fileName: string): Promise<ManifestState> {
  const key = versionsKey(keyOf(store, dir), fileName);
  return decodeManifestBytes(await store.get(key), `${store.url}/${key}`);
}

/** Reads and decodes the deletion file of a fragment. */
export async function readRemoteDeletionFile(store: ObjectStore, dir: string, fragmentId: number, d: DeletionFile, physicalRows: number): Promise<Uint32Array> {
  if (d.baseId !== undefined && d.baseId !== 0) throw new NotSupportedError(`fragment ${fragmentId}: deletion file in another base (base id ${d.baseId})`);
  const base = keyOf(store, dir);
  const name = `${DELETIONS_DIR}/${deletionFileName(fragmentId, d)}`;
  const key = base === '' ? name : `${base}/${name}`;
  return decodeDeletionFile(await store.get(key), d, `deletion file '${store.url}/${key}'`, physicalRows);
}

/** The error of a synchronous call on a dataset held by an object store. */
export function needsAsync(what: string, path: string): NotSupportedError {
  return new NotSupportedError(`${what} of '${path}': datasets on object stores are read and written asynchronously; use the async form (Dataset.open, create, append, scan, take, toTable, delete, compact)`);
}

function remote<T>(what: string, path: string, run: () => Promise<T>): Effect<T> {
  return {
    sync: () => {
      throw needsAsync(what, path);
    },
    async: run,
  };
}

/** Creates an {@link ObjectSink} for `path`. */
export function objectSinkEffect(store: ObjectStore, path: string): Effect<ObjectSink> {
  return remote('write', path, async () => new ObjectSink(store, keyOf(store, path)));
}

/** Finishes an {@link ObjectSink}: its last part, and the object made visible. */
export function uploadSinkEffect(sink: ObjectSink): Effect<void> {
  return remote('write', `${sink.store.url}/${sink.key}`, () => sink.finish());
}

/** Waits until at most `byteLength` bytes of the sink are being uploaded. */
export function drainedObjectSinkEffect(sink: ObjectSink, byteLength: number): Effect<void> {
  return remote('write', `${sink.store.url}/${sink.key}`, () => sink.drained(byteLength));
}

/** Drops an unfinished {@link ObjectSink} (its multipart upload, if any); never fails. */
export function abortObjectSinkEffect(sink: ObjectSink): Effect<void> {
  return { sync: () => undefined, async: () => sink.abort() };
}

/** Writes a whole object (a deletion file: a fresh name, nothing to race). */
export function putEffect(store: ObjectStore, path: string, bytes: Uint8Array): Effect<void> {
  return remote('write', path, () => store.put(keyOf(store, path), bytes));
}

/**
 * Publishes a manifest: created only when absent (ConflictError when another writer was first).
 * When the put is refused, the object is read back: if it holds exactly our bytes, our own put went
 * through and only its reply was lost (the retry was the one refused), so the commit succeeded.
 */
export function publishObjectEffect(store: ObjectStore, path: string, bytes: Uint8Array): Effect<void> {
  return remote('commit', path, async () => {
    const key = keyOf(store, path);
    try {
      await store.put(key, bytes, { ifAbsent: true });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      const there = await store.get(key).catch(() => null);
      if (there !== null && sameBytes(there, bytes)) return;
      throw new ConflictError(`'${path}' already exists`, { cause: e });
    }
  });
}

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Deletes an object. */
export function deleteObjectEffect(store: ObjectStore, path: string): Effect<void> {
  return remote('delete', path, () => store.delete(keyOf(store, path)));
}

/**
 * What a dataset needs from a storage service, as one small interface: ranged and whole reads,
 * metadata, a listing of a prefix, plain and conditional writes, deletes. Implemented over HTTP by
 * {@link S3Store} (S3-compatible services) and {@link HttpStore} (any static HTTP(S) server,
 * read-only). Both use only `fetch`, so they work in browsers too.
 *
 * Keys are relative to the store's root (`url`): a store opened at `s3://bucket/tables/people`
 * reads `_versions/…` as the object `tables/people/_versions/…` of `bucket`.
 */

/** One object, as {@link ObjectStore.head} and {@link ObjectStore.list} describe it. */
export interface ObjectInfo {
  /** Key relative to the store's root. */
  key: string;
  byteLength: number;
  /** When the object was written, when the service says so. */
  lastModified: Date | null;
}

/** Options of {@link ObjectStore.put}. */
export interface PutOptions {
  /**
   * Write only when no object has this key (`If-None-Match: *`): an existing one makes the put
   * fail with ConflictError and stay as it is. Stores without {@link ObjectStore.conditionalPut}
   * refuse the put with NotSupportedError instead of writing unconditionally.
   */
  ifAbsent?: boolean;
}

/** Request counters of a store (what a read or a commit cost). */
export interface ObjectStoreStats {
  /** Requests sent, retries included. */
  requests: number;
  /** Of those, GETs (whole or ranged). */
  gets: number;
  /** Of those, HEADs. */
  heads: number;
  /** Of those, PUTs. */
  puts: number;
  /** Of those, listing requests. */
  lists: number;
  /** Of those, DELETEs. */
  deletes: number;
  /** Requests sent again after a throttling answer, a 5xx or a network failure. */
  retries: number;
  /** Body bytes received by GETs. */
  bytesRead: number;
  /** Body bytes sent by PUTs. */
  bytesWritten: number;
}

/** A storage service holding the files of one dataset (or more) under a root URI. */
export interface ObjectStore {
  /** Root URI, without a trailing slash (`s3://bucket/prefix`, `https://host/path`). */
  readonly url: string;
  /** False for read-only stores (plain HTTP): every write throws NotSupportedError. */
  readonly writable: boolean;
  /** True when {@link put} with `ifAbsent` is atomic (the service honours `If-None-Match: *`). */
  readonly conditionalPut: boolean;
  /** True when {@link list} works (plain HTTP has no listing). */
  readonly canList: boolean;
  /** Size and time of `key`, or null when there is no such object. */
  head(key: string): Promise<ObjectInfo | null>;
  /** The whole object. @throws NotFoundError when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /**
   * Fills `target` with the bytes of `key` from `byteOffset` (exactly `target.byteLength` bytes).
   * @throws NotFoundError when the object does not exist; CorruptDataError when it is shorter.
   */
  readInto(key: string, target: Uint8Array, byteOffset: number): Promise<void>;
  /** Every object whose key starts with `prefix` (e.g. `_versions/`), in no particular order. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Writes the object (replacing it unless `ifAbsent`). */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<void>;
  /** Deletes the object; deleting a missing object succeeds. */
  delete(key: string): Promise<void>;
  /** A snapshot of the request counters. */
  stats(): ObjectStoreStats;
}

/**
 * A store that can assemble one object from parts uploaded separately (S3's multipart upload), so
 * a large data file is sent while it is being written, with bounded memory, and may exceed the
 * 5 GiB of one PUT. Parts but the last must be at least 5 MiB.
 */
export interface MultipartStore extends ObjectStore {
  /** Starts an upload of `key`; returns its id. */
  createMultipart(key: string): Promise<string>;
  /** Uploads part `partNumber` (from 1); returns its ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, bytes: Uint8Array): Promise<string>;
  /** Makes the object from the parts, in order (their ETags). */
  completeMultipart(key: string, uploadId: string, etags: readonly string[]): Promise<void>;
  /** Drops an unfinished upload and its parts. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/** True when `store` implements {@link MultipartStore}. */
export function isMultipartStore(store: ObjectStore): store is MultipartStore {
  return typeof (store as Partial<MultipartStore>).createMultipart === 'function';
}

/** Fresh zeroed counters. */
export function emptyStoreStats(): ObjectStoreStats {
  return { requests: 0, gets: 0, heads: 0, puts: 0, lists: 0, deletes: 0, retries: 0, bytesRead: 0, bytesWritten: 0 };
}

/** True for `s3://`, `http://` and `https://` URIs (the locations an {@link ObjectStore} serves). */
export function isObjectStoreUri(path: string): boolean {
  return /^(s3|https?):\/\//i.test(path);
}

/** `root/segments…` for a URI (always `/`-separated, no normalisation of the segments). */
export function joinUri(root: string, ...segments: string[]): string {
  let out = root.endsWith('/') ? root.slice(0, -1) : root;
  for (const s of segments) if (s.length > 0) out += `/${s}`;
  return out;
}

/**
 * A read-only store over plain HTTP(S): any static file server or CDN that answers `Range`
 * requests (`206 Partial Content`). Reads are ranged GETs through `fetch` (so a browser page can
 * search a dataset a static site serves); there is no listing and no writing. Dataset finds the
 * latest version by probing manifest names (see ../internal/remote-versions).
 */
import { CorruptDataError, InvalidArgumentError, IoError, NotFoundError, NotSupportedError } from '@vego/format';
import { HttpClient, responseBytes } from './http-client';
import { checkAddressableKey } from './object-key';
import { emptyStoreStats, type ObjectInfo, type ObjectStore, type ObjectStoreStats } from './object-store';
import { resolveClientOptions, type StorageOptions } from './storage-options';

/** Each path segment percent-encoded, slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * Files under an `http(s)://` URL, read-only.
 * @example
 * ```ts
 * const ds = await Dataset.open('https://example.org/data/people.lance'); // read-only
 * ```
 */
export class HttpStore implements ObjectStore {
  readonly url: string;
  readonly writable = false;
  readonly conditionalPut = false;
  readonly canList = false;
  private readonly client: HttpClient;
  private readonly counters = emptyStoreStats();
  private readonly headers: Record<string, string>;

  private constructor(url: string, storageOptions: StorageOptions) {
    if (!/^https?:\/\/[^/]+/i.test(url)) throw new InvalidArgumentError(`not an http(s):// URL: '${url}'`);
    this.url = url.replace(/\/+$/, '');
    this.client = new HttpClient((u, init) => fetch(u, init), resolveClientOptions(storageOptions), this.counters);
    // An optional bearer token for servers that want one (not a Lance option; Vego's own).
    const token = storageOptions['bearer_token'];
    this.headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  /**
   * A read-only store rooted at `url`. Options: `client_max_retries`, `client_retry_timeout`,
   * `max_in_flight` (as for S3), and `bearer_token` (sent as `Authorization: Bearer …`).
   */
  static open(url: string, storageOptions: StorageOptions = {}): HttpStore {
    return new HttpStore(url, storageOptions);
  }

  private objectUrl(key: string): string {
    checkAddressableKey(key, this.url);
    return `${this.url}/${encodeKey(key)}`;
  }

  private fail(response: Response, what: string, key: string): never {
    const where = this.objectUrl(key);
    void response.body?.cancel().catch(() => undefined);
    if (response.status === 404 || response.status === 410) throw new NotFoundError(`${what} '${where}': not found (HTTP ${response.status})`);
    if (response.status === 416) throw new CorruptDataError(`${what} '${where}': the file is shorter than the range asked for (HTTP 416)`);
    throw new IoError(`${what} '${where}' failed: HTTP ${response.status}`, where);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    return this.client.request('heads', 'HEAD', this.objectUrl(key), { headers: this.headers }, async (r) => {
      if (r.status === 404 || r.status === 410) return null;
      if (!r.ok) return this.fail(r, 'HEAD', key);
      const length = r.headers.get('content-length');
      if (length === null) throw new NotSupportedError(`HEAD '${this.objectUrl(key)}' gave no Content-Length: the server must state object sizes`);
      const modified = r.headers.get('last-modified');
      return { key, byteLength: Number(length), lastModified: modified === null ? null : new Date(modified) };
    });
  }

  async get(key: string): Promise<Uint8Array> {
    return this.client.request('gets', 'GET', this.objectUrl(key), { headers: this.headers }, async (r) => {
      if (!r.ok) return this.fail(r, 'GET', key);
      const bytes = await responseBytes(r);
      this.counters.bytesRead += bytes.byteLength;
      return bytes;
    });
  }

  async readInto(key: string, target: Uint8Array, byteOffset: number): Promise<void> {
    const n = target.byteLength;
    if (n === 0) return;
    const range = `bytes=${byteOffset}-${byteOffset + n - 1}`;
    await this.client.request('gets', 'GET', this.objectUrl(key), { headers: { ...this.headers, range } }, async (r) => {
      if (!r.ok) return this.fail(r, `GET ${range} of`, key);
      if (r.status !== 206) {
        // A server that ignores Range would send the whole file for every page: refuse rather than crawl.
        void r.body?.cancel().catch(() => undefined);
        throw new NotSupportedError(`'${this.objectUrl(key)}' answered a Range request with HTTP ${r.status}, not 206: the server must support range requests`);
      }
      const bytes = await responseBytes(r);
      this.counters.bytesRead += bytes.byteLength;
      if (bytes.byteLength !== n) {
        throw new CorruptDataError(`'${this.objectUrl(key)}': expected ${n} bytes at offset ${byteOffset}, the server returned ${bytes.byteLength}`);
      }
      target.set(bytes);
    });
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return Promise.reject(new NotSupportedError(`cannot list '${this.url}/${prefix}': plain HTTP has no listing`));
  }

  /** Refused: HTTP(S) datasets are read-only (NotSupportedError). */
  put(key: string, _bytes?: Uint8Array): Promise<void> {
    return Promise.reject(new NotSupportedError(`cannot write '${this.url}/${key}': HTTP(S) datasets are read-only (use s3:// or a local folder to write)`));
  }

  delete(key: string): Promise<void> {
    return Promise.reject(new NotSupportedError(`cannot delete '${this.url}/${key}': HTTP(S) datasets are read-only`));
  }

  stats(): ObjectStoreStats {
    return { ...this.counters };
  }
}

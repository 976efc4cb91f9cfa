/**
 * An S3-compatible object store over `fetch`, requests signed (SigV4) by aws4fetch. Path-style
 * URLs (`endpoint/bucket/key`) by default, as Lance's object_store uses for a custom endpoint;
 * virtual-hosted style with `aws_virtual_hosted_style_request`. Listing is ListObjectsV2.
 * Conditional writes send `If-None-Match: *`; S3 answers 412 when the key exists (and 409 when a
 * concurrent conditional write of the same key is in progress): both become ConflictError.
 */
import { AwsClient } from 'aws4fetch';
import { ConflictError, CorruptDataError, InvalidArgumentError, IoError, NotFoundError, NotSupportedError } from '@vego/format';
import { HttpClient, responseBytes, type Fetcher } from './http-client';
import { checkAddressableKey } from './object-key';
import { emptyStoreStats, type MultipartStore, type ObjectInfo, type ObjectStoreStats, type PutOptions } from './object-store';
import { resolveS3Options, type ResolvedS3Options, type StorageOptions } from './storage-options';

/** `s3://bucket/prefix` split into bucket and key prefix (no leading or trailing slash). */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(uri);
  if (m === null || m[1]!.length === 0) throw new InvalidArgumentError(`not an s3:// URI with a bucket: '${uri}'`);
  const prefix = m[2]!.replace(/\/+$/, '');
  for (const s of prefix.split('/')) {
    if (prefix.length > 0 && (s === '' || s === '.' || s === '..')) throw new InvalidArgumentError(`s3 URI '${uri}' has an empty, '.' or '..' path segment`);
  }
  return { bucket: m[1]!, prefix };
}

/** Each path segment percent-encoded (RFC 3986), slashes kept. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec !== undefined) return String.fromCodePoint(Number(dec));
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name]!;
  });
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m === null ? undefined : decodeXml(m[1]!);
}

/**
 * A bucket (or a prefix of one) of an S3-compatible service.
 * @example
 * ```ts
 * const store = S3Store.open('s3://my-bucket/tables', { aws_endpoint: 'http://127.0.0.1:9000', allow_http: 'true' });
 * const ds = await Dataset.open('s3://my-bucket/tables/people', { store });
 * ```
 */
export class S3Store implements MultipartStore {
  readonly url: string;
  readonly writable = true;
  readonly conditionalPut: boolean;
  readonly canList = true;
  /** The bucket. */
  readonly bucket: string;
  /** Key prefix of the root inside the bucket ('' for the whole bucket). */
  readonly prefix: string;
  private readonly options: ResolvedS3Options;
  private readonly client: HttpClient;
  private readonly counters = emptyStoreStats();

  private constructor(url: string, options: ResolvedS3Options) {
    const { bucket, prefix } = parseS3Uri(url);
    this.url = `s3://${bucket}${prefix.length > 0 ? `/${prefix}` : ''}`;
    this.bucket = bucket;
    this.prefix = prefix;
    this.options = options;
    this.conditionalPut = options.conditionalPut;
    let fetcher: Fetcher = (u, init) => fetch(u, init);
    if (!options.skipSignature) {
      if (options.accessKeyId === undefined || options.secretAccessKey === undefined) {
        throw new InvalidArgumentError(
          `no credentials for '${url}': pass storage options \`aws_access_key_id\` and \`aws_secret_access_key\` (or set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or \`aws_skip_signature: 'true'\` for a public bucket`,
        );
      }
      const aws = new AwsClient({
        accessKeyId: options.accessKeyId,
        secretAccessKey: options.secretAccessKey,
        ...(options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }),
        service: 's3',
        region: options.region,
        retries: 0, // HttpClient retries
      });
      fetcher = async (u, init) => fetch(await aws.sign(u, init));
    }
    this.client = new HttpClient(fetcher, options, this.counters);
  }

  /**
   * A store rooted at `uri` (`s3://bucket[/prefix]`) with Lance-named storage options (see
   * {@link @vego/io!resolveS3Options}; missing ones from the AWS_* environment variables).
   * @throws InvalidArgumentError for a malformed URI or options, or missing credentials.
   */
  static open(uri: string, storageOptions: StorageOptions = {}): S3Store {
    return new S3Store(uri, resolveS3Options(storageOptions));
  }

  /** The object's URL (or the bucket's, for `key` undefined). */
  private objectUrl(key: string | undefined, query = ''): string {
    if (key !== undefined) checkAddressableKey(key, this.url);
    const full = key === undefined ? '' : this.prefix.length > 0 ? `${this.prefix}/${key}` : key;
    const { endpoint, region, virtualHostedStyle } = this.options;
    let base: string;
    if (virtualHostedStyle) {
      const host = endpoint ?? `https://s3.${region}.amazonaws.com`;
      base = host.replace(/^(https?:\/\/)/i, `$1${this.bucket}.`);
    } else {
      base = `${endpoint ?? `https://s3.${region}.amazonaws.com`}/${encodeURIComponent(this.bucket)}`;
    }
    return `${base}/${encodeKey(full)}${query}`;
  }

  private async fail(response: Response, what: string, key: string): Promise<never> {
    const body = await response.text().catch(() => '');
    const code = tag(body, 'Code') ?? '';
    const where = `${this.url}/${key}`;
    if (response.status === 404) throw new NotFoundError(`${what} '${where}': no such object (${code || 404})`);
    // A range the object does not hold: the manifest or footer that gave it disagrees with the object.
    if (response.status === 416) throw new CorruptDataError(`${what} '${where}': the object is shorter than the range asked for (HTTP 416)`);
    throw new IoError(`${what} '${where}' failed: HTTP ${response.status} ${code} ${tag(body, 'Message') ?? ''}`.trim(), where);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    return this.client.request('heads', 'HEAD', this.objectUrl(key), {}, async (r) => {
      if (r.status === 404) return null;
      if (!r.ok) return this.fail(r, 'HEAD', key);
      const modified = r.headers.get('last-modified');
      return { key, byteLength: Number(r.headers.get('content-length') ?? '0'), lastModified: modified === null ? null : new Date(modified) };
    });
  }

  async get(key: string): Promise<Uint8Array> {
    return this.client.request('gets', 'GET', this.objectUrl(key), {}, async (r) => {
      if (!r.ok) return this.fail(r, 'GET', key);
      const bytes = await responseBytes(r);
      this.counters.bytesRead += bytes.byteLength;
      return bytes;
    });
  }

  async readInto(key: string, target: Uint8Array, byteOffset: number): Promise<void> {
    const n = target.byteLength;
    if (n === 0) return;
    const headers = { range: `bytes=${byteOffset}-${byteOffset + n - 1}` };
    await this.client.request('gets', 'GET', this.objectUrl(key), { headers }, async (r) => {
      if (!r.ok) return this.fail(r, `GET ${headers.range} of`, key);
      const bytes = await responseBytes(r);
      this.counters.bytesRead += bytes.byteLength;
      // A 200 means the service ignored the range and sent the whole object.
      const got = r.status === 206 ? bytes : bytes.subarray(byteOffset, byteOffset + n);
      if (got.byteLength !== n) {
        throw new CorruptDataError(`'${this.url}/${key}': expected ${n} bytes at offset ${byteOffset}, the service returned ${got.byteLength}`);
      }
      target.set(got);
    });
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const full = this.prefix.length > 0 ? `${this.prefix}/${prefix}` : prefix;
    const strip = this.prefix.length > 0 ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      let query = `?list-type=2&prefix=${encodeURIComponent(full)}`;
      if (token !== undefined) query += `&continuation-token=${encodeURIComponent(token)}`;
      const xml = await this.client.request('lists', 'GET', this.objectUrl(undefined, query), {}, async (r) => {
        if (!r.ok) return this.fail(r, 'LIST', prefix);
        return r.text();
      });
      for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = tag(m[1]!, 'Key');
        if (key === undefined || !key.startsWith(full)) continue;
        const modified = tag(m[1]!, 'LastModified');
        out.push({ key: key.slice(strip), byteLength: Number(tag(m[1]!, 'Size') ?? '0'), lastModified: modified === undefined ? null : new Date(modified) });
      }
      token = tag(xml, 'IsTruncated') === 'true' ? tag(xml, 'NextContinuationToken') : undefined;
    } while (token !== undefined);
    return out;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (options.ifAbsent === true && !this.conditionalPut) {
      throw new NotSupportedError(`'${this.url}' is configured without conditional puts (conditional_put = disabled): cannot publish '${key}' atomically, so the write is refused`);
    }
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (options.ifAbsent === true) headers['if-none-match'] = '*';
    this.counters.bytesWritten += bytes.byteLength;
    await this.client.request('puts', 'PUT', this.objectUrl(key), { headers, body: bytes }, async (r) => {
      if (options.ifAbsent === true && (r.status === 412 || r.status === 409)) {
        await r.body?.cancel().catch(() => undefined);
        throw new ConflictError(`'${this.url}/${key}' already exists (conditional put refused with HTTP ${r.status})`);
      }
      if (!r.ok) return this.fail(r, 'PUT', key);
      await r.body?.cancel().catch(() => undefined);
    });
  }

  async createMultipart(key: string): Promise<string> {
    const xml = await this.client.request('puts', 'POST', this.objectUrl(key, '?uploads'), { headers: { 'content-type': 'application/octet-stream' } }, async (r) => {
      if (!r.ok) return this.fail(r, 'CreateMultipartUpload', key);
      return r.text();
    });
    const id = tag(xml, 'UploadId');
    if (id === undefined) throw new IoError(`CreateMultipartUpload '${this.url}/${key}': no UploadId in the answer`, `${this.url}/${key}`);
    return id;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, bytes: Uint8Array): Promise<string> {
    this.counters.bytesWritten += bytes.byteLength;
    const query = `?partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`;
    return this.client.request('puts', 'PUT', this.objectUrl(key, query), { body: bytes }, async (r) => {
      if (!r.ok) return this.fail(r, `UploadPart ${partNumber} of`, key);
      await r.body?.cancel().catch(() => undefined);
      const etag = r.headers.get('etag');
      if (etag === null) throw new IoError(`UploadPart ${partNumber} of '${this.url}/${key}': no ETag in the answer`, `${this.url}/${key}`);
      return etag;
    });
  }

  async completeMultipart(key: string, uploadId: string, etags: readonly string[]): Promise<void> {
    const esc = (v: string): string => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const body = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${esc(e)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const query = `?uploadId=${encodeURIComponent(uploadId)}`;
    await this.client.request('puts', 'POST', this.objectUrl(key, query), { headers: { 'content-type': 'application/xml' }, body }, async (r) => {
      if (!r.ok) return this.fail(r, 'CompleteMultipartUpload', key);
      // S3 may answer 200 and still report an error in the body.
      const text = await r.text();
      if (/<Error>/.test(text)) throw new IoError(`CompleteMultipartUpload '${this.url}/${key}' failed: ${tag(text, 'Code') ?? ''} ${tag(text, 'Message') ?? ''}`.trim(), `${this.url}/${key}`);
    });
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.client.request('deletes', 'DELETE', this.objectUrl(key, `?uploadId=${encodeURIComponent(uploadId)}`), {}, async (r) => {
      if (!r.ok && r.status !== 404) return this.fail(r, 'AbortMultipartUpload', key);
      await r.body?.cancel().catch(() => undefined);
    });
  }

  async delete(key: string): Promise<void> {
    await this.client.request('deletes', 'DELETE', this.objectUrl(key), {}, async (r) => {
      if (!r.ok && r.status !== 404) return this.fail(r, 'DELETE', key);
      await r.body?.cancel().catch(() => undefined);
    });
  }

  stats(): ObjectStoreStats {
    return { ...this.counters };
  }
}

/**
 * The object stores on their own: storage options (Lance's names, aliases, environment), keys with
 * characters that need encoding, listing, conditional puts, ranged reads coalesced by ObjectSource
 * through a block cache, and HTTP servers that ignore Range.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlockCache, ConflictError, CorruptDataError, HttpStore, InvalidArgumentError, IoError, NotFoundError, NotSupportedError, ObjectSource, S3Store, resolveS3Options } from '@vego/io';
import { startS3Server, type S3TestServer } from './support/s3-server';
import { randomBytes, sameBytes } from './fixtures/helpers';

let server: S3TestServer;
let opts: Record<string, string>;
beforeAll(async () => {
  server = await startS3Server();
  opts = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'k', aws_secret_access_key: 's' };
});
afterAll(() => server.close());

describe('resolveS3Options', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('takes Lance names and aliases first, then the AWS_* environment, then defaults', () => {
    process.env['AWS_REGION'] = 'eu-west-3';
    process.env['AWS_ACCESS_KEY_ID'] = 'env-key';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'env-secret';
    process.env['AWS_ENDPOINT_URL'] = 'https://minio.internal:9000/';
    const r = resolveS3Options({ access_key_id: 'opt-key', client_max_retries: '3', client_retry_timeout: '500ms' });
    expect(r).toMatchObject({ region: 'eu-west-3', accessKeyId: 'opt-key', secretAccessKey: 'env-secret', endpoint: 'https://minio.internal:9000', maxRetries: 3, retryTimeoutMs: 500, conditionalPut: true, virtualHostedStyle: false });
    delete process.env['AWS_REGION'];
    expect(resolveS3Options({ region: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(resolveS3Options({}).region).toBe('us-east-1');
    expect(resolveS3Options({ conditional_put: 'disabled' }).conditionalPut).toBe(false);
  });

  it('refuses plain http without allow_http, malformed flags and durations', () => {
    delete process.env['AWS_ENDPOINT_URL'];
    delete process.env['AWS_ALLOW_HTTP'];
    expect(() => resolveS3Options({ aws_endpoint: 'http://127.0.0.1:1' })).toThrow(InvalidArgumentError);
    expect(resolveS3Options({ aws_endpoint: 'http://127.0.0.1:1', allow_http: 'true' }).allowHttp).toBe(true);
    expect(() => resolveS3Options({ allow_http: 'maybe' })).toThrow(InvalidArgumentError);
    expect(() => resolveS3Options({ client_retry_timeout: 'soon' })).toThrow(InvalidArgumentError);
    expect(() => resolveS3Options({ aws_endpoint: 'ftp://x' })).toThrow(InvalidArgumentError);
    // an S3 endpoint in the environment does not concern plain HTTP stores
    process.env['AWS_ENDPOINT_URL'] = 'http://127.0.0.1:1';
    expect(HttpStore.open('https://example.org/data', { client_max_retries: '2' }).url).toBe('https://example.org/data');
    expect(() => HttpStore.open('https://example.org/data', { client_max_retries: 'many' })).toThrow(InvalidArgumentError);
  });

  it('S3Store needs credentials unless aws_skip_signature, and a bucket in the URI', () => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete process.env[k];
    expect(() => S3Store.open('s3://b', { aws_endpoint: server.endpoint, allow_http: 'true' })).toThrow(InvalidArgumentError);
    expect(S3Store.open('s3://b/p/', { aws_endpoint: server.endpoint, allow_http: 'true', aws_skip_signature: 'true' }).url).toBe('s3://b/p');
    expect(() => S3Store.open('s3:///x', opts)).toThrow(InvalidArgumentError);
    expect(() => S3Store.open('s3://b/a/../c', opts)).toThrow(InvalidArgumentError);
  });
});

describe('S3Store', () => {
  it('puts, heads, gets, reads ranges, lists and deletes keys that need encoding', async () => {
    const store = S3Store.open('s3://enc/root dir+x', opts);
    const bytes = randomBytes(5000, 1);
    const key = 'a b/ü+%&=?#.bin';
    await store.put(key, bytes);
    expect([...server.objects('enc').keys()]).toEqual([`root dir+x/${key}`]);
    expect((await store.head(key))?.byteLength).toBe(5000);
    expect(await store.head('missing')).toBeNull();
    expect(sameBytes(await store.get(key), bytes)).toBe(true);
    const part = new Uint8Array(100);
    await store.readInto(key, part, 4900);
    expect(sameBytes(part, bytes.subarray(4900))).toBe(true);
    await expect(store.readInto(key, new Uint8Array(10), 4995)).rejects.toBeInstanceOf(CorruptDataError);
    await expect(store.get('missing')).rejects.toBeInstanceOf(NotFoundError);
    expect((await store.list('a b/')).map((o) => [o.key, o.byteLength])).toEqual([[key, 5000]]);
    await expect(store.put(key, bytes, { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
    await store.delete(key);
    await store.delete(key); // deleting a missing key succeeds
    expect(await store.list('')).toEqual([]);
  });

  it('lists past one page (continuation tokens)', async () => {
    const paged = await startS3Server({ pageKeys: 10 });
    try {
      const store = S3Store.open('s3://many', { ...opts, aws_endpoint: paged.endpoint });
      await Promise.all(Array.from({ length: 23 }, (_, i) => store.put(`k/${String(i).padStart(5, '0')}`, new Uint8Array([i & 255]))));
      await store.put('other', new Uint8Array(1));
      const keys = (await store.list('k/')).map((o) => o.key);
      expect(keys).toEqual(Array.from({ length: 23 }, (_, i) => `k/${String(i).padStart(5, '0')}`));
      expect(store.stats().lists).toBe(3);
    } finally {
      await paged.close();
    }
  });

  it('ObjectSource coalesces concurrent ranged reads into one GET and serves repeats from the block cache', async () => {
    const store = S3Store.open('s3://src', opts);
    const bytes = randomBytes(300_000, 2);
    await store.put('f', bytes);
    const cache = new BlockCache({ capacityBytes: 4 << 20, blockBytes: 16 << 10 });
    const src = await ObjectSource.open(store, 'f', { cache });
    expect(src.byteLength).toBe(300_000);
    const gets = store.stats().gets;
    const parts = await Promise.all([src.read(0, 100), src.read(50_000, 1000), src.read(120_000, 10)]);
    expect(store.stats().gets - gets).toBe(1);
    expect(sameBytes(parts[1]!, bytes.subarray(50_000, 51_000))).toBe(true);
    await src.read(50_100, 200);
    expect(store.stats().gets - gets).toBe(1);
    await expect(src.read(299_990, 20)).rejects.toBeInstanceOf(CorruptDataError);
    await src.close();
    await expect(src.read(0, 1)).rejects.toThrow(/closed/);
    await expect(ObjectSource.open(store, 'none')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('HttpStore', () => {
  it('gives up on a stalled server after client_timeout per try (headers or body never finish): IoError, no hang', async () => {
    let hits = 0;
    const srv = http.createServer((req, res) => {
      hits++;
      if (req.url?.endsWith('/body')) {
        res.writeHead(206, { 'content-length': '10', 'content-range': 'bytes 0-9/10' });
        res.write(Buffer.alloc(3)); // and never the rest
      } // else: never answer at all
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const store = HttpStore.open(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`, { client_timeout: '200ms', client_max_retries: '1' });
      await expect(store.head('silent')).rejects.toThrow(/timed out/);
      await expect(store.readInto('body', new Uint8Array(10), 0)).rejects.toBeInstanceOf(IoError);
      expect(hits).toBe(4); // each tried twice
      expect(store.stats().retries).toBe(2);
    } finally {
      srv.closeAllConnections();
      await new Promise((resolve) => srv.close(resolve));
    }
  });

  it('refuses a server that ignores Range instead of downloading whole files per read', async () => {
    const body = Buffer.alloc(1000, 1);
    const srv = http.createServer((req, res) => {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const store = HttpStore.open(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/x`);
      expect((await store.head('f'))?.byteLength).toBe(1000);
      await expect(store.readInto('f', new Uint8Array(10), 5)).rejects.toBeInstanceOf(NotSupportedError);
      await expect(store.put('f', new Uint8Array(1))).rejects.toBeInstanceOf(NotSupportedError);
    } finally {
      srv.closeAllConnections();
      await new Promise((resolve) => srv.close(resolve));
    }
  });
});

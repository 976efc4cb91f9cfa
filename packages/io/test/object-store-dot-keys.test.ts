/**
 * Object keys with `.` or `..` segments: a URL resolves them before the request is sent, so
 * `S3Store.delete('app/t/../../victim')` would delete `victim` (outside the prefix the key came
 * from). The stores refuse such keys instead of addressing another object.
 */
import { HttpStore, InvalidArgumentError, S3Store } from '@vego/io';
import { useS3Server } from './fixtures/s3-suite';

const s3 = useS3Server();

const object = (text: string): { bytes: Buffer; etag: string; lastModified: Date } => ({ bytes: Buffer.from(text), etag: '"x"', lastModified: new Date() });

describe('object keys with dot segments', () => {
  it('S3Store refuses them for every request, and the objects they would resolve to stay untouched', async () => {
    const objects = s3.server.objects('bucket');
    objects.set('victim', object('keep me'));
    objects.set('app/x', object('x'));
    const store = S3Store.open('s3://bucket/app', s3.options);
    const before = s3.server.requests.DELETE + s3.server.requests.GET + s3.server.requests.PUT + s3.server.requests.HEAD;
    for (const key of ['../victim', 't/../../victim', './x', 't/./x', '..']) {
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.put(key, new Uint8Array(1))).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.readInto(key, new Uint8Array(1), 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(s3.server.requests.DELETE + s3.server.requests.GET + s3.server.requests.PUT + s3.server.requests.HEAD).toBe(before);
    expect(objects.get('victim')?.bytes.toString()).toBe('keep me');
    // Dots inside a segment, and encoded-looking names, are ordinary keys (percent-encoded on the wire).
    for (const key of ['a..b', '...', '%2e%2e', '.hidden']) {
      await store.put(key, new Uint8Array([1]));
      expect(objects.has(`app/${key}`)).toBe(true);
      await store.delete(key);
    }
    expect(objects.get('victim')?.bytes.toString()).toBe('keep me');
  });

  it('HttpStore refuses them before any request', async () => {
    const store = HttpStore.open(`${s3.server.endpoint}/bucket/app`);
    await expect(store.get('../victim')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.head('t/../../victim')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.readInto('./x', new Uint8Array(1), 0)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

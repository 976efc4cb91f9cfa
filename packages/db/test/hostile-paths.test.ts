/**
 * Paths and keys that a hostile database folder or bucket could use to make @vego/db touch
 * something outside the database: object keys with `..` segments (a URL resolves them to another
 * key), and collection folders that are symlinks pointing out of the database folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptDataError, Database, type StorageOptions } from '@vego/db';
import { startS3Server, type S3TestServer } from '../../io/test/support/s3-server';

const DIM = 4;
const doc = (i: number): { key: string; vector: number[] } => ({ key: `k${i}`, vector: [i, 1, 0, 0] });

let server: S3TestServer;
let options: StorageOptions;
let tmp: string;

beforeAll(async () => {
  server = await startS3Server();
  options = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'test', aws_secret_access_key: 'secret', aws_region: 'us-east-1' };
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-hostile-paths-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const object = (bytes: string): { bytes: Buffer; etag: string; lastModified: Date } => ({ bytes: Buffer.from(bytes), etag: '"x"', lastModified: new Date() });

describe('hostile keys on an object store', () => {
  it('dropCollection refuses a listed key with `..` segments and deletes nothing outside the database prefix', async () => {
    const db = await Database.open('s3://bucket/app', { storageOptions: options });
    const c = await db.createCollection('notes', { dimension: DIM });
    await c.insert(doc(1));
    await db.close();
    const objects = server.objects('bucket');
    objects.set('victim', object('keep me'));
    objects.set('other-app/secret', object('keep me too'));
    // Keys under the collection's prefix that a URL resolves to `victim` and `other-app/secret`.
    objects.set('app/notes.hnsw/../../victim', object('bait'));
    objects.set('app/notes.lance/x/../../../other-app/secret', object('bait'));
    const db2 = await Database.open('s3://bucket/app', { storageOptions: options });
    await db2.dropCollection("notes").catch(() => undefined);
    expect(objects.get('victim')?.bytes.toString()).toBe('keep me');
    expect(objects.get('other-app/secret')?.bytes.toString()).toBe('keep me too');
    await db2.close();
  });
});

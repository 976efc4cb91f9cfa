/**
 * Databases on object storage: `Database.open('s3://…')` on the loopback S3 server of @vego/io's
 * tests (create, insert, update, delete, reopen with the saved index and no rebuild, list, drop,
 * LanceDB reading the same table), and `Database.open('http://…')` read-only over a static Range
 * server (open and search; writes refused).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Database, HNSW, NotSupportedError, type MetadataValue, type StorageOptions } from '@vego/db';
import { seededRandom } from '../../../test-support/random';
import { startS3Server, type S3TestServer } from '../../io/test/support/s3-server';
import { startStaticServer } from '../../io/test/support/static-server';

const DIM = 8;

function docs(n: number, seed: number, offset = 0): { key: string; vector: Float32Array; text: string; metadata: Record<string, MetadataValue> }[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, j) => {
    const i = j + offset;
    return {
      key: `doc-${i}`,
      vector: Float32Array.from({ length: DIM }, () => rnd() * 2 - 1),
      text: `document ${i}`,
      metadata: { kind: ['task', 'note', 'memo'][i % 3]!, year: 2000 + (i % 30) },
    };
  });
}

let server: S3TestServer;
let options: StorageOptions;
let tmp: string;

beforeAll(async () => {
  server = await startS3Server();
  options = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'test', aws_secret_access_key: 'secret', aws_region: 'us-east-1' };
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-object-store-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const hitsOf = (hits: readonly { key: string; distance: number | null }[]): string[] => hits.map((h) => `${h.key}:${String(h.distance)}`);

describe('Database on S3', () => {
  it('creates, writes, reopens with the saved index (no rebuild, no write), lists and drops collections', async () => {
    const uri = 's3://bucket/app';
    const db = await Database.open(uri, { storageOptions: options });
    const c = await db.createCollection('notes', { dimension: DIM, distance: 'cosine' });
    await c.insertMany(docs(300, 1), { batchSize: 100 });
    await c.update('doc-5', { metadata: { kind: 'changed' } });
    await c.delete(['doc-7', 'doc-8']);
    const q = docs(1, 77)[0]!.vector;
    const hitsBefore = await c.search(q, 10, { filter: "kind = 'task'" });
    const plainBefore = await c.search(q, 10);
    await db.close();
    const keys = [...server.objects('bucket').keys()];
    expect(keys.some((k) => k.startsWith('app/notes.lance/_versions/'))).toBe(true);
    expect(keys.some((k) => k.startsWith('app/notes.hnsw/metadata.lance/_versions/'))).toBe(true);
    expect(fs.existsSync('s3:')).toBe(false);

    const adds = jest.spyOn(HNSW.prototype, 'add');
    server.resetCounters();
    const db2 = await Database.open(uri, { storageOptions: options });
    expect(await db2.listCollections()).toEqual(['notes']);
    const c2 = await db2.openCollection('notes');
    expect(adds).not.toHaveBeenCalled();
    adds.mockRestore();
    expect(server.requests.PUT).toBe(0);
    expect(await c2.count()).toBe(298);
    expect((await c2.get('doc-5'))?.metadata.kind).toBe('changed');
    expect(await c2.get('doc-7')).toBeNull();
    // A persisted cosine collection reads vectors as given from the dataset (a take from the bucket).
    const given = docs(300, 1);
    const got = await c2.getMany(['doc-5', 'doc-250', 'doc-9'], { select: ['vector'] });
    expect(got.map((d) => Array.from(d!.vector!))).toEqual([5, 250, 9].map((i) => Array.from(given[i]!.vector)));
    expect(hitsOf(await c2.search(q, 10, { filter: "kind = 'task'" }))).toEqual(hitsOf(hitsBefore));
    expect(hitsOf(await c2.search(q, 10))).toEqual(hitsOf(plainBefore));

    // Writes after reopening: appended and deleted on S3, seen by a third open.
    await c2.insertMany(docs(20, 2, 300));
    await c2.delete('doc-0');
    const plainAfter = await c2.search(q, 10);
    await db2.close();
    const db3 = await Database.open(uri, { storageOptions: options });
    const c3 = await db3.openCollection('notes');
    expect(await c3.count()).toBe(317);
    expect(hitsOf(await c3.search(q, 10))).toEqual(hitsOf(plainAfter));

    // LanceDB reads the same table through its storage options.
    const ldb = await lancedb.connect(uri, { storageOptions: options as Record<string, string> });
    try {
      const t = await ldb.openTable('notes');
      expect(await t.countRows()).toBe(317);
      expect(await t.countRows("key = 'doc-5'")).toBe(1);
    } finally {
      ldb.close();
    }

    await db3.createCollection('other', { dimension: 2 });
    expect(await db3.listCollections()).toEqual(['notes', 'other']);
    expect(await db3.dropCollection('notes')).toBe(true);
    expect(await db3.listCollections()).toEqual(['other']);
    expect([...server.objects('bucket').keys()].filter((k) => k.startsWith('app/notes.'))).toEqual([]);
    expect(await db3.dropCollection('notes')).toBe(false);
    await db3.close();
  });

  it('renumbers the doc ids of a churned collection in optimize() on S3: the saved index is the renumbered one, the answers stay', async () => {
    const uri = 's3://bucket/churn';
    const db = await Database.open(uri, { storageOptions: options });
    const c = await db.createCollection('c', { dimension: DIM, distance: 'l2', fullText: true });
    await c.insertMany(docs(100, 4));
    // Deleted and inserted again: each round retires 100 doc ids (an upsert would keep them).
    for (let r = 0; r < 3; r++) {
      await c.delete(docs(100, 10 + r).map((d) => d.key));
      await c.insertMany(docs(100, 10 + r));
    }
    const q = docs(1, 78)[0]!.vector;
    const before = [hitsOf(await c.search(q, 10)), hitsOf(await c.search(q, 5, { filter: "kind = 'memo'" })), hitsOf(await c.search({ text: 'document 42' }, 3))];
    expect(c.documents.numIds).toBe(400);
    const r = await c.optimize();
    expect(r.docIdsRenumbered).toBe(true);
    expect(c.documents.numIds).toBe(100);
    expect([hitsOf(await c.search(q, 10)), hitsOf(await c.search(q, 5, { filter: "kind = 'memo'" })), hitsOf(await c.search({ text: 'document 42' }, 3))]).toEqual(before);
    await db.close();
    // The index saved on the store is the renumbered one (the one of 400 ids was removed first).
    const saved = await HNSW.loadFromLance('s3://bucket/churn/c.hnsw', { storageOptions: options });
    expect([saved.numIds, saved.size]).toEqual([100, 100]);
    const db2 = await Database.open(uri, { storageOptions: options });
    const c2 = await db2.openCollection('c', { fullText: true });
    expect(c2.documents.numIds).toBe(100);
    expect([hitsOf(await c2.search(q, 10)), hitsOf(await c2.search(q, 5, { filter: "kind = 'memo'" })), hitsOf(await c2.search({ text: 'document 42' }, 3))]).toEqual(before);
    await db2.close();
  });

  it('keeps a full-text index in memory on S3 (rebuilt from the documents when opened with fullText)', async () => {
    const uri = 's3://bucket/text';
    const db = await Database.open(uri, { storageOptions: options });
    const c = await db.createCollection('t', { dimension: DIM, fullText: true });
    await c.insertMany(docs(50, 3));
    const hits = await c.search({ text: 'document 17' }, 3);
    expect(hits[0]!.key).toBe('doc-17');
    await db.close();
    expect([...server.objects('bucket').keys()].some((k) => k.startsWith('text/t.text/'))).toBe(false);
    const db2 = await Database.open(uri, { storageOptions: options });
    const c2 = await db2.openCollection('t', { fullText: true });
    expect((await c2.search({ text: 'document 17' }, 3))[0]!.key).toBe('doc-17');
    await db2.close();
  });
});

describe('Database over plain HTTP (read-only)', () => {
  it('opens and searches a database served by a static server, and refuses writes', async () => {
    const dir = path.join(tmp, 'served');
    const db = await Database.open(dir);
    const c = await db.createCollection('notes', { dimension: DIM });
    await c.insertMany(docs(200, 4));
    const q = docs(1, 78)[0]!.vector;
    const before = await c.search(q, 10, { filter: 'year >= 2010' });
    await db.close();
    const http = await startStaticServer(tmp);
    try {
      const remote = await Database.open(`${http.url}/served`);
      const rc = await remote.openCollection('notes');
      expect(await rc.count()).toBe(200);
      expect(hitsOf(await rc.search(q, 10, { filter: 'year >= 2010' }))).toEqual(hitsOf(before));
      // Cosine (the default): the vectors as given are read from the served dataset (range reads).
      const given = docs(200, 4);
      const got = await rc.getMany(['doc-3', 'doc-150'], { select: ['vector'] });
      expect(got.map((d) => Array.from(d!.vector!))).toEqual([3, 150].map((i) => Array.from(given[i]!.vector)));
      await expect(rc.insert(docs(1, 5, 500)[0]!)).rejects.toBeInstanceOf(NotSupportedError);
      await expect(remote.listCollections()).rejects.toBeInstanceOf(NotSupportedError);
      await expect(remote.dropCollection('notes')).rejects.toBeInstanceOf(NotSupportedError);
      await remote.close();
    } finally {
      await http.close();
    }
  });
});

/**
 * Saved indexes on object storage: saved to and loaded from `s3://…` on the loopback S3 server of
 * @vego/io's tests (conditional puts), loaded read-only from `http://…` (a static Range server),
 * identical after the round trip (graph bit for bit, same search answers), incremental on S3,
 * atomic when a save dies at any request or races another save, and opened by LanceDB through its
 * storage options. The `…Sync` forms refuse URIs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { ConflictError, HNSW, NotSupportedError, S3Store, type StorageOptions } from '@vego/hnsw';
import { startS3Server, type S3TestServer } from '../../io/test/support/s3-server';
import { startStaticServer } from '../../io/test/support/static-server';
import { clustered } from './fixtures/data';
import { answerDifferences, graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

const DIM = 8;

let server: S3TestServer;
let options: StorageOptions;
let tmp: string;

beforeAll(async () => {
  server = await startS3Server();
  options = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'test', aws_secret_access_key: 'secret', aws_region: 'us-east-1', client_max_retries: '0' };
  tmp = makeTempDir('object-store');
});
afterAll(async () => {
  await server.close();
  removeDir(tmp);
});

function rows(data: Float32Array): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length / DIM; i++) out.push(data.subarray(i * DIM, (i + 1) * DIM));
  return out;
}

function build(n: number, seed: number): { index: HNSW; pool: Float32Array } {
  const pool = clustered(n + 100, DIM, 5, seed);
  const index = new HNSW({ dimension: DIM, M: 6, efConstruction: 32, seed });
  index.addBatch(pool.subarray(0, n * DIM));
  return { index, pool };
}

const queries = rows(clustered(20, DIM, 5, 99));

function keysUnder(bucket: string, prefix: string): string[] {
  return [...server.objects(bucket).keys()].filter((k) => k.startsWith(prefix)).sort();
}

describe('HNSW on S3', () => {
  it('checks and commits an incremental save through the store of its own call, not the one of the save before', async () => {
    // Credentials can change between saves: the index remembers the versions it saved, not the store.
    const { index, pool } = build(200, 3);
    const uri = 's3://bucket/indexes/stores';
    const first = S3Store.open('s3://bucket/indexes', options);
    await index.saveToLance(uri, { store: first });
    index.addBatch(pool.subarray(200 * DIM, 205 * DIM));
    const before = first.stats().requests;
    const second = S3Store.open('s3://bucket/indexes', options);
    const r = await index.saveToLance(uri, { store: second });
    expect(r).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 5 });
    expect(first.stats().requests).toBe(before);
    expect(second.stats().requests).toBeGreaterThan(0);
    expect(graphDifferences(index, await HNSW.loadFromLance(uri, { storageOptions: options }))).toEqual([]);
  });

  it('saves to s3:// and loads back identically; an incremental save writes only the changes', async () => {
    const { index, pool } = build(300, 1);
    index.delete(7);
    const uri = 's3://bucket/indexes/basic';
    const first = await index.saveToLance(uri, { storageOptions: options });
    expect(first).toMatchObject({ nodesRewritten: true, connectionsRewritten: true, nodeRowsWritten: 300 });
    const keys = keysUnder('bucket', 'indexes/basic/');
    for (const part of ['nodes', 'connections', 'metadata']) {
      expect(keys.some((k) => k.startsWith(`indexes/basic/${part}.lance/_versions/`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`indexes/basic/${part}.lance/data/`))).toBe(true);
    }
    const loaded = await HNSW.loadFromLance(uri, { storageOptions: options });
    expect(graphDifferences(index, loaded)).toEqual([]);
    expect(answerDifferences(index, loaded, queries, 10, 50)).toEqual([]);
    // Nothing was written locally (no folder named after the URI).
    expect(fs.existsSync('s3:')).toBe(false);

    // 1 % changes, saved from the loaded index: appended rows and a delete, not a rewrite.
    loaded.update(3, pool.subarray(300 * DIM, 301 * DIM));
    loaded.add(pool.subarray(301 * DIM, 302 * DIM));
    loaded.add(pool.subarray(302 * DIM, 303 * DIM));
    const second = await loaded.saveToLance(uri, { storageOptions: options });
    expect(second).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 3 });
    expect(second.nodeRowsDeleted).toBe(1);
    const again = await HNSW.loadFromLance(uri, { storageOptions: options });
    expect(again.size).toBe(loaded.size);
    expect(graphDifferences(loaded, again)).toEqual([]);
    expect(answerDifferences(loaded, again, queries, 10, 50)).toEqual([]);
  });

  it('refuses URIs in the synchronous forms with NotSupportedError, before any request', async () => {
    const { index } = build(20, 2);
    server.resetCounters();
    expect(() => index.saveToLanceSync('s3://bucket/indexes/sync', { storageOptions: options })).toThrow(NotSupportedError);
    expect(() => index.saveToLanceSync('s3://bucket/idx')).toThrow(NotSupportedError);
    expect(() => HNSW.loadFromLanceSync('https://example.org/idx')).toThrow(NotSupportedError);
    expect(Object.values(server.requests).reduce((a, b) => a + b, 0)).toBe(0);
    expect(fs.existsSync('s3:')).toBe(false);
    // An unknown scheme is not taken for a folder either.
    await expect(index.saveToLance('gs://bucket/idx')).rejects.toBeInstanceOf(NotSupportedError);
    expect(fs.existsSync('gs:')).toBe(false);
  });

  it('keeps the previous save loadable when a save dies at any request (dropped connection)', async () => {
    const { index, pool } = build(200, 3);
    const uri = 's3://bucket/indexes/dies';
    await index.saveToLance(uri, { storageOptions: options });
    const committed = await HNSW.loadFromLance(uri, { storageOptions: options });
    index.update(5, pool.subarray(200 * DIM, 201 * DIM));
    index.add(pool.subarray(201 * DIM, 202 * DIM));
    // Count the PUTs of one whole save, then let saves die at each of them in turn.
    let puts = 0;
    server.onRequest = (method) => {
      if (method === 'PUT') puts++;
    };
    const probe = build(200, 3).index;
    probe.update(5, pool.subarray(200 * DIM, 201 * DIM));
    probe.add(pool.subarray(201 * DIM, 202 * DIM));
    await probe.saveToLance('s3://bucket/indexes/probe', { storageOptions: options });
    server.onRequest = null;
    expect(puts).toBeGreaterThanOrEqual(6);
    for (let dieAt = 1; dieAt <= puts; dieAt++) {
      let seen = 0;
      server.onRequest = (method) => (method === 'PUT' && ++seen === dieAt ? 'drop' : undefined);
      const fresh = await HNSW.loadFromLance(uri, { storageOptions: options });
      fresh.update(5, pool.subarray(200 * DIM, 201 * DIM));
      fresh.add(pool.subarray(201 * DIM, 202 * DIM));
      await expect(fresh.saveToLance(uri, { storageOptions: options })).rejects.toThrow();
      server.onRequest = null;
      const after = await HNSW.loadFromLance(uri, { storageOptions: options });
      expect(graphDifferences(committed, after)).toEqual([]);
    }
    // The next save goes through and is the one loaded.
    await index.saveToLance(uri, { storageOptions: options });
    expect(graphDifferences(index, await HNSW.loadFromLance(uri, { storageOptions: options }))).toEqual([]);
  });

  // Two uncoordinated writers (other processes, as far as the store can tell) race on one prefix.
  // Each save commits two datasets, then the metadata row; each can lose the race for a different
  // dataset, so both may get ConflictError. The contract, whatever the interleaving: a save either
  // commits whole or fails with ConflictError, and what loads afterwards is the last save that
  // committed, or the previous save when neither did (never a mix of the two); the prefix is never
  // left unusable: the next save commits.
  it('racing saves: each commits whole or gets ConflictError; the load is the last winner or the previous save, never a mix', async () => {
    const uri = 's3://bucket/indexes/race';
    const previous = build(120, 3).index;
    await previous.saveToLance(uri, { storageOptions: options });
    const a = build(150, 4).index;
    const b = build(180, 5).index;
    const [ra, rb] = await Promise.allSettled([a.saveToLance(uri, { storageOptions: options }), b.saveToLance(uri, { storageOptions: options })]);
    for (const r of [ra, rb]) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    const committed: { index: HNSW; metadataVersion: number }[] = [];
    if (ra.status === 'fulfilled') committed.push({ index: a, metadataVersion: ra.value.metadataVersion });
    if (rb.status === 'fulfilled') committed.push({ index: b, metadataVersion: rb.value.metadataVersion });
    committed.sort((x, y) => x.metadataVersion - y.metadataVersion);
    const expected = committed.length === 0 ? previous : committed[committed.length - 1]!.index;
    const loaded = await HNSW.loadFromLance(uri, { storageOptions: options });
    // The commit point names whole versions: the load is exactly one index, the expected one.
    expect(graphDifferences(expected, loaded)).toEqual([]);
    // Whoever lost, the prefix takes the next save.
    const next = build(130, 6).index;
    await next.saveToLance(uri, { storageOptions: options });
    expect(graphDifferences(next, await HNSW.loadFromLance(uri, { storageOptions: options }))).toEqual([]);
  });

  it('opens in LanceDB through its storage options (tables nodes, connections, metadata)', async () => {
    const { index } = build(120, 6);
    const uri = 's3://lance/indexes/oracle';
    await index.saveToLance(uri, { storageOptions: options });
    const db = await lancedb.connect(uri, { storageOptions: options as Record<string, string> });
    try {
      expect((await db.tableNames()).sort()).toEqual(['connections', 'metadata', 'nodes']);
      const nodes = await db.openTable('nodes');
      expect(await nodes.countRows()).toBe(120);
      const row = (await nodes.query().where('id = 42').toArray())[0];
      expect(Array.from(row.vector as ArrayLike<number>)).toEqual(Array.from(index.get(42)));
      const snap = index.toSnapshot();
      let lists = 0;
      for (let i = 0; i < 120; i++) lists += snap.levels[i]! + 1;
      expect(await (await db.openTable('connections')).countRows()).toBe(lists);
      // LanceDB's own vector search over the stored vectors finds a stored vector first.
      const hit = (await nodes.search(Array.from(index.get(17))).limit(1).toArray())[0];
      expect(hit.id).toBe(17);
    } finally {
      db.close();
    }
  });
});

describe('HNSW over plain HTTP (read-only)', () => {
  it('loads a saved index from an http:// URL by range GETs, identically, and refuses to save there', async () => {
    const { index } = build(250, 7);
    index.delete(11);
    const dir = path.join(tmp, 'served');
    index.saveToLanceSync(dir);
    // A second save, so the latest versions are found by probing past version 1.
    index.delete(12);
    index.saveToLanceSync(dir);
    const http = await startStaticServer(tmp);
    try {
      const url = `${http.url}/served`;
      const loaded = await HNSW.loadFromLance(url);
      expect(graphDifferences(index, loaded)).toEqual([]);
      expect(answerDifferences(index, loaded, queries, 10, 50)).toEqual([]);
      expect(http.requests.GET).toBeGreaterThan(0);
      await expect(loaded.saveToLance(url)).rejects.toBeInstanceOf(NotSupportedError);
      await expect(HNSW.loadFromLance(`${http.url}/missing`)).rejects.toThrow(/no saved index|no manifest|does not exist/);
    } finally {
      await http.close();
    }
  });
});

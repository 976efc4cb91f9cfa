/**
 * HNSW.cleanupOldVersions: the old versions every save leaves in a saved index's three datasets are
 * removed in a folder and on S3, except what a reader may still open: the commit that was the latest
 * at the cutoff, later ones, what they name, and what a save in progress wrote. The index loads back
 * identically afterwards; an HTTP location and bad options are refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, HNSW, InvalidArgumentError, NotSupportedError, type StorageOptions } from '@vego/hnsw';
import { startS3Server, type S3TestServer } from '../../io/test/support/s3-server';
import { startStaticServer } from '../../io/test/support/static-server';
import { clustered } from './fixtures/data';
import { answerDifferences, graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

const DIM = 8;
const PARTS = ['metadata.lance', 'nodes.lance', 'connections.lance'] as const;

let server: S3TestServer;
let options: StorageOptions;
let tmp: string;

beforeAll(async () => {
  server = await startS3Server();
  options = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'test', aws_secret_access_key: 'secret', aws_region: 'us-east-1' };
  tmp = makeTempDir('cleanup');
});
afterAll(async () => {
  await server.close();
  removeDir(tmp);
});

const queries = Array.from({ length: 10 }, (_, i) => clustered(10, DIM, 5, 99).subarray(i * DIM, (i + 1) * DIM));

/** An index saved three times to `dir` (each save adds 20 vectors and deletes one). */
async function savedThrice(dir: string, storeOptions: { storageOptions?: StorageOptions } = {}, between?: () => Promise<void>): Promise<HNSW> {
  const pool = clustered(400, DIM, 5, 3);
  const index = new HNSW({ dimension: DIM, M: 6, efConstruction: 32, seed: 3 });
  index.addBatch(pool.subarray(0, 300 * DIM));
  for (let s = 0; s < 3; s++) {
    if (s > 0) {
      index.addBatch(pool.subarray((300 + (s - 1) * 20) * DIM, (300 + s * 20) * DIM));
      index.delete(s);
      await between?.();
    }
    await index.saveToLance(dir, storeOptions);
  }
  return index;
}

/** Version numbers of each part of a saved index in a folder. */
function localVersions(dir: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const p of PARTS) {
    const ds = Dataset.openSync(path.join(dir, p));
    out[p] = ds.versions().map((v) => v.version);
    ds.closeSync();
  }
  return out;
}

describe('HNSW.cleanupOldVersions', () => {
  it('keeps everything young by default; olderThan 0 leaves only the last commit, which loads identically', async () => {
    const dir = path.join(tmp, 'folder');
    const index = await savedThrice(dir);
    const before = localVersions(dir);
    for (const p of PARTS) expect(before[p]!.length).toBeGreaterThan(1);
    const none = await HNSW.cleanupOldVersions(dir);
    for (const p of ['metadata', 'nodes', 'connections'] as const) expect(none[p].removedVersions).toEqual([]);
    expect(localVersions(dir)).toEqual(before);

    const result = await HNSW.cleanupOldVersions(dir, { olderThan: 0 });
    const after = localVersions(dir);
    for (const p of PARTS) expect(after[p]).toEqual([before[p]!.at(-1)]);
    expect(result.metadata.removedVersions).toEqual(before['metadata.lance']!.slice(0, -1));
    expect(result.nodes.removedVersions).toEqual(before['nodes.lance']!.slice(0, -1));
    // Data files only old versions used are gone: what is left is what the latest versions use.
    for (const p of PARTS) {
      const ds = Dataset.openSync(path.join(dir, p));
      const used = new Set(ds.fragmentFiles().flatMap((f) => f.paths.map((x) => path.basename(x))));
      ds.closeSync();
      expect(new Set(fs.readdirSync(path.join(dir, p, 'data')))).toEqual(used);
    }
    const loaded = await HNSW.loadFromLance(dir);
    expect(graphDifferences(index, loaded)).toEqual([]);
    expect(answerDifferences(index, loaded, queries, 10, 40)).toEqual([]);
    // Saving on after a cleanup still works incrementally.
    loaded.delete(50);
    await loaded.saveToLance(dir);
    expect(graphDifferences(loaded, await HNSW.loadFromLance(dir))).toEqual([]);
  });

  it('keeps the commit that was the latest at the cutoff, and what it names', async () => {
    const dir = path.join(tmp, 'cutoff');
    let cutoff: Date | null = null;
    let saves = 0;
    // The cutoff falls after the second save has committed, before the third begins.
    await savedThrice(dir, {}, async () => {
      saves++;
      await new Promise((r) => setTimeout(r, 5));
      if (saves === 2) cutoff = new Date();
      await new Promise((r) => setTimeout(r, 5));
    });
    const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
    const named = (await meta.toTable({ columns: ['nodes_version', 'connections_version'] })).batches.flatMap((b) =>
      Array.from({ length: b.numRows }, (_, i) => [b.column('nodes_version').get(i) as number, b.column('connections_version').get(i) as number]),
    );
    await meta.close();
    expect(named).toHaveLength(3);
    const before = localVersions(dir);
    await HNSW.cleanupOldVersions(dir, { olderThan: cutoff! });
    const after = localVersions(dir);
    // Metadata: the second and third commits stay.
    expect(after['metadata.lance']).toEqual(before['metadata.lance']!.slice(-2));
    // The second commit still opens whole: its metadata version and the versions its row names.
    const second = Dataset.openSync(path.join(dir, 'metadata.lance'), { version: after['metadata.lance']![0]! });
    expect(second.countRows()).toBe(2);
    second.closeSync();
    expect(after['nodes.lance']).toEqual(before['nodes.lance']!.filter((v) => v >= named[1]![0]!));
    expect(after['connections.lance']).toEqual(before['connections.lance']!.filter((v) => v >= named[1]![1]!));
    for (const [part, version] of [['nodes.lance', named[1]![0]!], ['connections.lance', named[1]![1]!]] as const) {
      const ds = Dataset.openSync(path.join(dir, part), { version });
      expect(ds.countRows()).toBeGreaterThan(0);
      ds.closeSync();
    }
    // Something older was removed.
    expect(after['metadata.lance']!.length).toBeLessThan(before['metadata.lance']!.length);
  });

  it('keeps versions a save in progress wrote past the last commit', async () => {
    const dir = path.join(tmp, 'in-progress');
    const index = await savedThrice(dir);
    // A nodes version no metadata row names yet (as a save that died before its commit leaves).
    const nodes = Dataset.openSync(path.join(dir, 'nodes.lance'));
    const changed = nodes.deleteRowsSync([0]);
    const uncommitted = changed.version;
    changed.closeSync();
    nodes.closeSync();
    await HNSW.cleanupOldVersions(dir, { olderThan: 0 });
    const left = localVersions(dir)['nodes.lance']!;
    expect(left).toContain(uncommitted);
    expect(left).toHaveLength(2);
    expect(graphDifferences(index, await HNSW.loadFromLance(dir))).toEqual([]);
  });

  it('cleans an index on S3 and refuses an HTTP location and bad options', async () => {
    const uri = 's3://bucket/indexes/cleanup';
    const index = await savedThrice(uri, { storageOptions: options });
    const manifests = (): string[] => [...server.objects('bucket').keys()].filter((k) => k.startsWith('indexes/cleanup/') && k.includes('/_versions/')).sort();
    const before = manifests();
    expect(before.length).toBeGreaterThan(3);
    const result = await HNSW.cleanupOldVersions(uri, { storageOptions: options, olderThan: 0 });
    expect(manifests()).toHaveLength(3);
    expect(result.metadata.removedVersions.length + result.nodes.removedVersions.length + result.connections.removedVersions.length).toBe(before.length - 3);
    const loaded = await HNSW.loadFromLance(uri, { storageOptions: options });
    expect(graphDifferences(index, loaded)).toEqual([]);
    expect(answerDifferences(index, loaded, queries, 10, 40)).toEqual([]);

    const dir = path.join(tmp, 'served');
    await savedThrice(dir);
    const web = await startStaticServer(tmp);
    try {
      await expect(HNSW.cleanupOldVersions(`${web.url}/served`)).rejects.toThrow(NotSupportedError);
    } finally {
      await web.close();
    }
    await expect(HNSW.cleanupOldVersions(dir, { olderThan: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(HNSW.cleanupOldVersions(dir, { olderThan: new Date(Number.NaN) })).rejects.toThrow(InvalidArgumentError);
    expect(localVersions(dir)['metadata.lance']).toHaveLength(3);
  });
});

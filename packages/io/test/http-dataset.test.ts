/**
 * Read-only datasets over plain HTTP (a static file server on loopback with Range support, no
 * listing): the latest version found by probing manifest names, time travel, take, deletions, and
 * every write refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, HttpStore, NotFoundError, NotSupportedError, initZstd } from '@vego/io';
import { startStaticServer, type StaticTestServer } from './support/static-server';
import { makeTempDir, removeDir } from './fixtures/helpers';

let root: string;
let server: StaticTestServer;

const rows = (from: number, to: number): { id: number; name: string }[] =>
  Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}` }));

async function ids(ds: Dataset): Promise<number[]> {
  const out: number[] = [];
  for await (const b of ds.scan({ columns: ['id'] })) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

beforeAll(async () => {
  await initZstd();
  root = makeTempDir('http');
  // v1..v6 (V2 naming) and a V1-named one with 3 versions
  let ds = Dataset.createSync(path.join(root, 'people'), rows(0, 100), { maxRowsPerFile: 40 });
  for (let v = 2; v <= 5; v++) ds = ds.appendSync(rows(v * 100, v * 100 + 10));
  ds.deleteRowsSync([0, 1, 2]);
  let v1 = Dataset.createSync(path.join(root, 'old naming'), rows(0, 5), { manifestNaming: 'v1' });
  v1 = v1.appendSync(rows(5, 10));
  v1.appendSync(rows(10, 15));
  server = await startStaticServer(root);
});
afterAll(async () => {
  await server.close();
  removeDir(root);
});

describe('Dataset over HTTP', () => {
  it('opens the latest version by probing, reads, takes and travels in time', async () => {
    const url = `${server.url}/people`;
    const ds = await Dataset.open(url);
    expect(ds.version).toBe(6);
    const local = Dataset.openSync(path.join(root, 'people'));
    expect(await ids(ds)).toEqual([...local.scanSync({ columns: ['id'] })].flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.column('id').get(i))));
    expect(ds.countRows()).toBe(137);
    const taken = await ds.take([0, 136]);
    expect([taken.column('name').get(0), taken.column('name').get(1)]).toEqual(['n3', 'n509']);
    expect(await ids(await Dataset.open(url, { version: 1 }))).toEqual(rows(0, 100).map((r) => r.id));
  });

  it('finds the latest version of V1-named manifests, and a URL-encoded folder name', async () => {
    const ds = await Dataset.open(`${server.url}/old naming`);
    expect(ds.version).toBe(3);
    expect(ds.manifestNaming).toBe('v1');
    expect(await ids(ds)).toEqual(rows(0, 15).map((r) => r.id));
  });

  it('refuses writes, missing datasets and versions', async () => {
    const url = `${server.url}/people`;
    const ds = await Dataset.open(url);
    await expect(ds.append(rows(0, 1))).rejects.toBeInstanceOf(NotSupportedError);
    await expect(ds.deleteRows([0])).rejects.toBeInstanceOf(NotSupportedError);
    await expect(Dataset.create(`${server.url}/new`, rows(0, 1))).rejects.toBeInstanceOf(NotSupportedError);
    await expect(Dataset.open(`${server.url}/missing`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(Dataset.open(url, { version: 99 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(HttpStore.open(server.url).list('people/')).rejects.toBeInstanceOf(NotSupportedError);
  });

  it('refuses cleanup of a read-only dataset with a typed error and removes nothing', async () => {
    const ds = await Dataset.open(`${server.url}/people`);
    const files = fs.readdirSync(path.join(root, 'people', '_versions')).sort();
    const e = await ds.cleanupOldVersionsAsync({ olderThan: 0 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(NotSupportedError);
    expect((e as Error).message).toMatch(/read-only/);
    expect(() => ds.cleanupOldVersions({ olderThan: 0 })).toThrow(NotSupportedError);
    expect(fs.readdirSync(path.join(root, 'people', '_versions')).sort()).toEqual(files);
    expect((await Dataset.open(`${server.url}/people`, { version: 1 })).countRows()).toBe(100);
  });
});

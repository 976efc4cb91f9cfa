/**
 * LanceDB 0.39 as the oracle on S3: it opens, through its storage options (endpoint = the loopback
 * S3 server, allow_http, fake credentials), a dataset written here and reads the same rows; it
 * writes a dataset there (Lance 2.0 files, appends, a delete) that we read back exactly; and it
 * appends to ours (its conditional-put commit on top of ours).
 */
import * as lancedb from '@lancedb/lancedb';
import { Dataset, type StorageOptions } from '@vego/io';
import { startS3Server, type S3TestServer } from './support/s3-server';

let server: S3TestServer;
let options: StorageOptions;
let db: lancedb.Connection;

beforeAll(async () => {
  server = await startS3Server();
  options = { aws_endpoint: server.endpoint, allow_http: 'true', aws_access_key_id: 'test', aws_secret_access_key: 'secret', aws_region: 'us-east-1' };
  db = await lancedb.connect('s3://oracle/db', { storageOptions: options as Record<string, string> });
});
afterAll(async () => {
  db.close();
  await server.close();
});

const rows = (from: number, to: number): { id: number; name: string; vec: number[] }[] =>
  Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${(from + k) % 7}`, vec: [from + k, (from + k) / 2, -(from + k)] }));

async function ours(uri: string, version?: number): Promise<Record<string, unknown>[]> {
  const ds = await Dataset.open(uri, version === undefined ? { storageOptions: options } : { storageOptions: options, version });
  const out: Record<string, unknown>[] = [];
  for await (const b of ds.scan()) {
    for (let i = 0; i < b.numRows; i++) {
      const v = b.column('vec').get(i) as Float32Array;
      out.push({ id: b.column('id').get(i), name: b.column('name').get(i), vec: Array.from(v) });
    }
  }
  return out;
}

function theirs(rowsOut: Record<string, unknown>[]): Record<string, unknown>[] {
  return rowsOut
    .map((r) => ({ id: r.id, name: r.name, vec: Array.from(r.vec as ArrayLike<number>) }))
    .sort((a, b) => (a.id as number) - (b.id as number));
}

describe('LanceDB on the S3 server', () => {
  it('reads the dataset we wrote on S3, and appends to it', async () => {
    const uri = 's3://oracle/db/ours.lance';
    const v1 = await Dataset.create(uri, rows(0, 500), { storageOptions: options, maxRowsPerFile: 200 });
    await v1.append(rows(500, 600));
    const t = await db.openTable('ours');
    expect(await t.countRows()).toBe(600);
    expect(theirs(await t.query().toArray())).toEqual(rows(0, 600));
    expect(await t.countRows('id >= 550')).toBe(50);
    server.resetCounters();
    await t.add(rows(600, 610));
    // LanceDB publishes its manifest with the same conditional put as we do, so the two writers exclude each other.
    expect(server.log.filter((l) => l.startsWith('PUT /oracle/db/ours.lance/_versions/'))).toEqual(['PUT /oracle/db/ours.lance/_versions/18446744073709551612.manifest if-none-match:*']);
    expect(await ours(uri)).toEqual(rows(0, 610));
    expect((await Dataset.open(uri, { storageOptions: options })).version).toBe(3);
  });

  it('we read what LanceDB wrote on S3 (2.0 files, append, delete), at each version', async () => {
    const t = await db.createTable('written', rows(0, 300), { storageOptions: { new_table_data_storage_version: '2.0' } });
    await t.add(rows(300, 400));
    await t.delete('id % 4 = 0');
    const uri = 's3://oracle/db/written.lance';
    const keys = [...server.objects('oracle').keys()].filter((k) => k.startsWith('db/written.lance/_versions/'));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(await ours(uri)).toEqual(rows(0, 400).filter((r) => r.id % 4 !== 0));
    expect(await ours(uri, 1)).toEqual(rows(0, 300));
    const ds = await Dataset.open(uri, { storageOptions: options });
    expect(ds.countRows()).toBe(300);
    expect((await ds.take([0, 1, 2])).column('id').get(2)).toBe(3);
  });
});

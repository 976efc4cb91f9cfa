/**
 * Datasets on an S3-compatible store (the loopback server of ./support/s3-server.js) through the
 * public API: create, append, scan, take, delete, compact, time travel, conflicts, retries, and
 * stores that cannot commit safely.
 */
import {
  ConflictError,
  CorruptDataError,
  Dataset,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  RecordBatch,
  Schema,
  vectorFromTypedArray,
  InvalidArgumentError,
  NotFoundError,
  NotSupportedError,
  S3Store,
  type StorageOptions,
} from '@vego/io';
import { useS3Server } from './fixtures/s3-suite';
import { seededRandom } from './fixtures/helpers';

const s3 = useS3Server();

const rows = (from: number, to: number): { id: number; name: string }[] => {
  const out = [];
  for (let i = from; i < to; i++) out.push({ id: i, name: `n${i}` });
  return out;
};

async function ids(ds: Dataset): Promise<number[]> {
  const t = await ds.toTable({ columns: ['id'] });
  const out: number[] = [];
  for (const b of t.batches) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

describe('Dataset on S3', () => {
  it('creates, appends, scans, takes and travels in time', async () => {
    const uri = 's3://bucket/tables/basic';
    const v1 = await Dataset.create(uri, rows(0, 1000), { storageOptions: s3.options, maxRowsPerFile: 400 });
    expect(v1.version).toBe(1);
    expect(v1.numFragments).toBe(3);
    const keys = [...s3.server.objects('bucket').keys()].filter((k) => k.startsWith('tables/basic/'));
    expect(keys.filter((k) => k.startsWith('tables/basic/_versions/'))).toEqual(['tables/basic/_versions/18446744073709551614.manifest']);
    expect(keys.filter((k) => k.startsWith('tables/basic/data/') && k.endsWith('.lance'))).toHaveLength(3);
    const v2 = await v1.append(rows(1000, 1100));
    expect(v2.version).toBe(2);
    const latest = await Dataset.open(uri, { storageOptions: s3.options });
    expect(latest.version).toBe(2);
    expect(latest.countRows()).toBe(1100);
    expect(await ids(latest)).toEqual(rows(0, 1100).map((r) => r.id));
    const taken = await latest.take([1099, 0, 401, 401]);
    expect([0, 1, 2, 3].map((i) => taken.column('name').get(i))).toEqual(['n1099', 'n0', 'n401', 'n401']);
    const old = await Dataset.open(uri, { storageOptions: s3.options, version: 1 });
    expect(old.countRows()).toBe(1000);
  });

  it('deletes and compacts, and a reopened reader sees the deletions', async () => {
    const uri = 's3://bucket/tables/deletes';
    const ds = await Dataset.create(uri, rows(0, 300), { storageOptions: s3.options, maxRowsPerFile: 100 });
    const v2 = await ds.delete((r) => (r.id as number) % 3 === 0, { columns: ['id'] });
    expect(v2.countRows()).toBe(200);
    const reread = await Dataset.open(uri, { storageOptions: s3.options });
    expect(await ids(reread)).toEqual(rows(0, 300).map((r) => r.id).filter((i) => i % 3 !== 0));
    const { dataset: v3, fragmentsRemoved } = await reread.compact({ targetRowsPerFragment: 1000 });
    expect(fragmentsRemoved).toBe(3);
    expect(v3.numFragments).toBe(1);
    expect(await ids(await Dataset.open(uri, { storageOptions: s3.options }))).toEqual(await ids(reread));
  });

  it('gives ConflictError to the second writer of a version (conditional put), and appends re-base with conflictRetries', async () => {
    const uri = 's3://bucket/tables/race';
    const base = await Dataset.create(uri, rows(0, 10), { storageOptions: s3.options });
    const a = Dataset.create(uri, rows(10, 20), { storageOptions: s3.options, mode: 'append' });
    const b = Dataset.create(uri, rows(20, 30), { storageOptions: s3.options, mode: 'append' });
    const results = await Promise.allSettled([a, b]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    // the loser removed its data file: only base + winner's files remain
    const dataFiles = [...s3.server.objects('bucket').keys()].filter((k) => k.startsWith('tables/race/data/'));
    expect(dataFiles).toHaveLength(2);
    // a delete of an old version conflicts too
    await expect(base.deleteRows([0])).rejects.toBeInstanceOf(ConflictError);
    // with retries both appends land
    const c = Dataset.create(uri, rows(30, 40), { storageOptions: s3.options, mode: 'append', conflictRetries: 3 });
    const d = Dataset.create(uri, rows(40, 50), { storageOptions: s3.options, mode: 'append', conflictRetries: 3 });
    await Promise.all([c, d]);
    const latest = await Dataset.open(uri, { storageOptions: s3.options });
    expect(latest.version).toBe(4);
    expect(latest.countRows()).toBe(40);
  });

  it('counts a commit as done when the reply to its conditional put was lost and the retry is refused', async () => {
    const uri = 's3://bucket/tables/lost-reply';
    let lost = 0;
    s3.server.onRequest = (method, at) => {
      if (method === 'PUT' && at.startsWith('bucket/tables/lost-reply/_versions/') && lost++ === 0) return 'apply-then-drop';
      return undefined;
    };
    try {
      const ds = await Dataset.create(uri, rows(0, 10), { storageOptions: s3.options });
      expect(ds.version).toBe(1);
      expect(lost).toBe(2); // the first put took effect without a reply; its retry was refused (412)
    } finally {
      s3.server.onRequest = null;
    }
    expect((await Dataset.open(uri, { storageOptions: s3.options })).countRows()).toBe(10);
  });

  it('retries throttled and failed requests with backoff', async () => {
    const uri = 's3://bucket/tables/retry';
    await Dataset.create(uri, rows(0, 50), { storageOptions: s3.options });
    const store = S3Store.open('s3://bucket', s3.options);
    s3.server.failNext(3, 503);
    const ds = await Dataset.open(uri, { store });
    expect(await ids(ds)).toHaveLength(50);
    expect(store.stats().retries).toBe(3);
    s3.server.failNext(2, 500);
    expect((await ds.take([7])).column('id').get(0)).toBe(7);
  });

  it('refuses synchronous calls, missing datasets, bad s3.options and stores without conditional puts', async () => {
    const uri = 's3://bucket/tables/refusals';
    await Dataset.create(uri, rows(0, 5), { storageOptions: s3.options });
    expect(() => Dataset.openSync(uri, { storageOptions: s3.options })).toThrow(NotSupportedError);
    expect(() => Dataset.createSync(uri, rows(0, 1), { storageOptions: s3.options, mode: 'append' })).toThrow(NotSupportedError);
    const ds = await Dataset.open(uri, { storageOptions: s3.options });
    expect(() => ds.toTableSync()).toThrow(NotSupportedError);
    await expect(Dataset.open('s3://bucket/tables/none', { storageOptions: s3.options })).rejects.toBeInstanceOf(NotFoundError);
    // a URI mangled by path.join ('s3:/…') is refused rather than written as a local folder
    expect(() => Dataset.createSync('s3:/bucket/tables/mangled', rows(0, 1))).toThrow(InvalidArgumentError);
    await expect(Dataset.open('https:/host/x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Dataset.open(uri, { storageOptions: s3.options, version: 9 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(Dataset.open(uri, { storageOptions: { aws_endpoint: s3.server.endpoint } })).rejects.toBeInstanceOf(InvalidArgumentError); // http without allow_http
    const noConditional = { ...s3.options, conditional_put: 'disabled' };
    const before = s3.server.objects('bucket').size;
    await expect(Dataset.create(uri, rows(5, 6), { mode: 'append', storageOptions: noConditional })).rejects.toBeInstanceOf(NotSupportedError);
    expect(s3.server.objects('bucket').size).toBe(before); // refused before writing anything
    expect((await Dataset.open(uri, { storageOptions: s3.options })).version).toBe(1);
  });

  it('uploads a data file larger than a part as a multipart upload while writing it, and aborts it on failure', async () => {
    const uri = 's3://bucket/tables/multipart';
    const n = 1_300_000; // 10.4 MB of Float64: two 8 MiB parts
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = i * 0.25;
    const batch = new RecordBatch(new Schema([new Field('v', new Float64(), false)]), [vectorFromTypedArray(v)]);
    s3.server.resetCounters();
    await Dataset.create(uri, batch, { storageOptions: s3.options });
    const log = s3.server.log.filter((l) => l.includes('/tables/multipart/data/'));
    expect(log.filter((l) => l.startsWith('POST') && l.includes('?uploads'))).toHaveLength(1);
    expect(log.filter((l) => l.startsWith('PUT') && l.includes('partNumber='))).toHaveLength(2);
    expect(log.filter((l) => l.startsWith('POST') && l.includes('uploadId='))).toHaveLength(1);
    const ds = await Dataset.open(uri, { storageOptions: s3.options });
    let count = 0;
    let wrong = 0;
    for (const b of (await ds.toTable()).batches) {
      const col = b.column('v');
      for (let i = 0; i < b.numRows; i++, count++) if (col.get(i) !== count * 0.25) wrong++;
    }
    expect([count, wrong]).toEqual([n, 0]);
    // a part refused for good: the write fails, the upload is aborted, nothing is committed
    let parts = 0;
    s3.server.onRequest = (method, at) => (method === 'PUT' && at.includes('/tables/multipart2/') && at.includes('/data/') && ++parts === 2 ? 'drop' : undefined);
    try {
      await expect(Dataset.create('s3://bucket/tables/multipart2', batch, { storageOptions: { ...s3.options, client_max_retries: '0' } })).rejects.toThrow();
    } finally {
      s3.server.onRequest = null;
    }
    expect([...s3.server.objects('bucket').keys()].filter((k) => k.startsWith('tables/multipart2/'))).toEqual([]);
    expect(s3.server.log.some((l) => l.startsWith('DELETE') && l.includes('/tables/multipart2/data/') && l.includes('uploadId='))).toBe(true);
  });

  it('reports a data object shorter than its manifest says as CorruptDataError', async () => {
    const uri = 's3://bucket/tables/damaged';
    await Dataset.create(uri, rows(0, 100), { storageOptions: s3.options });
    const objects = s3.server.objects('bucket');
    const key = [...objects.keys()].find((k) => k.startsWith('tables/damaged/data/'))!;
    const o = objects.get(key)!;
    objects.set(key, { ...o, bytes: o.bytes.subarray(0, 100) });
    const ds = await Dataset.open(uri, { storageOptions: s3.options });
    await expect(ds.toTable()).rejects.toBeInstanceOf(CorruptDataError);
  });

  it('reads the bytes of a seeded random take only around the rows asked for', async () => {
    const uri = 's3://bucket/tables/take';
    const n = 20_000;
    const data = Array.from({ length: n }, (_, i) => ({ id: i, v: i * 0.5 }));
    await Dataset.create(uri, data, { storageOptions: s3.options });
    const store = S3Store.open('s3://bucket', s3.options);
    const ds = await Dataset.open(uri, { store });
    const random = seededRandom(17);
    const want = Array.from({ length: 100 }, () => Math.floor(random() * n));
    const before = store.stats();
    const got = await ds.take(want);
    const after = store.stats();
    for (let k = 0; k < want.length; k++) expect(got.column('v').get(k)).toBe(want[k]! * 0.5);
    // the file holds 320 KB of column data; a take reads its footer and the rows' pages' parts only
    expect(after.bytesRead - before.bytesRead).toBeLessThan(320_000);
  });

  it.each(['2.0', '2.2'])('reads only near the rows asked for on a wide vector column (scattered take, Lance %s)', async (version) => {
    const uri = `s3://bucket/tables/wide-take-${version}`;
    const n = 5_000;
    const dim = 128;
    const schema = new Schema([new Field('id', new Float64()), new Field('vector', new FixedSizeList(new Field('item', new Float32(), true), dim))]);
    const data = Array.from({ length: n }, (_, i) => ({ id: i, vector: Array.from({ length: dim }, (_, j) => i + j / 1000) }));
    await Dataset.create(uri, data, { schema, storageVersion: version as '2.0' | '2.2', storageOptions: s3.options });
    const store = S3Store.open('s3://bucket', s3.options);
    const ds = await Dataset.open(uri, { store });
    const random = seededRandom(29);
    const want = Array.from({ length: 64 }, () => Math.floor(random() * n));
    const before = store.stats();
    const got = await ds.take(want, { columns: ['vector'] });
    const after = store.stats();
    for (let k = 0; k < want.length; k++) {
      const v = got.column('vector').get(k) as Float32Array;
      expect(v[0]).toBe(want[k]!);
      expect(v[dim - 1]).toBe(Math.fround(want[k]! + (dim - 1) / 1000));
    }
    // 2.56 MB of vectors; 64 rows of 512 bytes each. Reading through gaps of up to 1,024 rows read
    // nearly the whole column; gaps are now bounded in bytes (16 KiB a gap).
    expect(after.bytesRead - before.bytesRead).toBeLessThan(64 * 24 * 1024);
  });
});

/**
 * The asynchronous write paths (`Dataset.create`, `append`, `delete`, `deleteRows`): the same
 * datasets as the blocking forms, byte for byte; the event loop keeps running while they write;
 * racing writers in one process; clean-up when a write fails; LanceDB reads what they wrote.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import {
  ConflictError,
  Dataset,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  InvalidArgumentError,
  IoError,
  RecordBatch,
  Schema,
  Table,
  Utf8,
  recordBatchFromRows,
  vectorFromTypedArray,
} from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';

const schema = new Schema([new Field('id', new Float64()), new Field('name', new Utf8()), new Field('score', new Float64())]);
const rows = (from: number, to: number): { id: number; name: string | null; score: number | null }[] =>
  Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return { id: i, name: i % 11 === 0 ? null : `n${i % 97}`, score: i % 7 === 0 ? null : i / 4 };
  });

const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/** What must agree between a dataset written synchronously and one written asynchronously. */
function describeDataset(ds: Dataset): unknown {
  const data: unknown[] = [];
  for (const b of ds.scanSync({ batchSize: 4096 })) {
    for (let i = 0; i < b.numRows; i++) data.push(b.schema.fields.map((f) => b.column(f.name).get(i)));
  }
  const deletions = path.join(ds.path, '_deletions');
  return {
    version: ds.version,
    rows: ds.countRows(),
    data,
    // Data files have random names but must hold the same bytes, fragment by fragment.
    fragments: ds.fragmentFiles().map((f) => ({ rows: f.physicalRows, hasDeletions: f.hasDeletions, files: f.paths.map(sha) })),
    deletionFiles: fs.existsSync(deletions) ? fs.readdirSync(deletions).map((n) => sha(path.join(deletions, n))).sort() : [],
  };
}

/** Counts event-loop turns (setImmediate callbacks) until `stop()`. */
function tickCounter(): { stop: () => number } {
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    ticks++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      running = false;
      return ticks;
    },
  };
}

function bigBatch(n: number, seed: number): RecordBatch {
  const rnd = seededRandom(seed);
  const cols: Record<string, ReturnType<typeof vectorFromTypedArray>> = {};
  for (let c = 0; c < 4; c++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rnd();
    cols[`c${c}`] = vectorFromTypedArray(v);
  }
  return RecordBatch.from(cols);
}

describe('Dataset asynchronous writes', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('ds-async');
  });
  afterAll(() => removeDir(root));

  it('create, append, delete and deleteRows give the same datasets as their Sync forms, byte for byte', async () => {
    const syncDir = path.join(root, 'same-sync');
    const asyncDir = path.join(root, 'same-async');
    const table = new Table(schema, [recordBatchFromRows(rows(0, 2500), schema), recordBatchFromRows(rows(2500, 2600), schema), recordBatchFromRows(rows(2600, 9000), schema)]);
    const options = { maxRowsPerFile: 3000, fileOptions: { pageByteLength: 16 * 1024 } };
    const steps: [string, (ds: Dataset | null, dir: string) => Dataset | Promise<Dataset>, (ds: Dataset | null, dir: string) => Dataset | Promise<Dataset>][] = [
      ['create from a Table', (_, d) => Dataset.createSync(d, table, options), (_, d) => Dataset.create(d, table, options)],
      ['append plain rows', (ds) => ds!.appendSync(rows(9000, 9100)), (ds) => ds!.append(rows(9000, 9100))],
      ['delete by predicate (.arrow)', (ds) => ds!.deleteSync((r) => (r.id as number) % 5 === 0, { columns: ['id'] }), (ds) => ds!.delete((r) => (r.id as number) % 5 === 0, { columns: ['id'] })],
      ['delete 6,000 rows (Roaring .bin)', (ds) => ds!.deleteRowsSync(Array.from({ length: 6000 }, (_, i) => i)), (ds) => ds!.deleteRows(Array.from({ length: 6000 }, (_, i) => i))],
      ['delete every row of the last fragment', (ds) => ds!.deleteSync((r) => (r.id as number) >= 9000), (ds) => ds!.delete((r) => (r.id as number) >= 9000)],
      ['overwrite', (_, d) => Dataset.createSync(d, rows(0, 10), { mode: 'overwrite' }), (_, d) => Dataset.create(d, rows(0, 10), { mode: 'overwrite' })],
    ];
    let a: Dataset | null = null;
    let b: Dataset | null = null;
    for (const [what, syncStep, asyncStep] of steps) {
      const [prevA, prevB] = [a, b];
      a = await syncStep(a, syncDir);
      b = await asyncStep(b, asyncDir);
      expect([what, describeDataset(b)]).toEqual([what, describeDataset(a)]);
      await prevA?.close(); // the data files a delete read
      await prevB?.close();
    }
    expect(b!.version).toBe(6);
    expect(b!.versions().map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
    // Nothing matched / nothing to delete: the same object, no new version.
    expect(await b!.delete(() => false)).toBe(b);
    expect(b!.latestVersion()).toBe(6);
    await a!.close();
    await b!.close();
  });

  it('keeps the event loop running during an async create, unlike createSync', async () => {
    const batch = bigBatch(150_000, 1); // 4.8 MB of doubles
    const ticks = tickCounter();
    const ds = await Dataset.create(path.join(root, 'loop-async'), batch, { maxRowsPerFile: 50_000 });
    const asyncTicks = ticks.stop();
    expect(ds.countRows()).toBe(150_000);
    expect(ds.numFragments).toBe(3);
    expect(asyncTicks).toBeGreaterThan(0);

    const blocked = tickCounter();
    Dataset.createSync(path.join(root, 'loop-sync'), batch, { maxRowsPerFile: 50_000 });
    expect(blocked.stop()).toBe(0);
  });

  it('lets exactly one of two racing async writers commit a version; conflictRetries commits both', async () => {
    const dir = path.join(root, 'race');
    await Dataset.create(dir, rows(0, 10));
    const outcomes = await Promise.allSettled([Dataset.create(dir, rows(100, 110), { mode: 'append' }), Dataset.create(dir, rows(200, 220), { mode: 'append' })]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    let latest = Dataset.openSync(dir);
    expect(latest.version).toBe(2);
    // The loser removed its data files.
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(latest.numFragments);

    const both = await Promise.all([
      Dataset.create(dir, rows(300, 301), { mode: 'append', conflictRetries: 1 }),
      Dataset.create(dir, rows(400, 402), { mode: 'append', conflictRetries: 1 }),
    ]);
    expect(both.map((d) => d.version).sort()).toEqual([3, 4]);
    latest = Dataset.openSync(dir);
    expect(latest.countRows()).toBe(Dataset.openSync(dir, { version: 2 }).countRows() + 3);

    // A blocking commit that lands while an async append is in flight: the async one conflicts, or re-bases with retries.
    const pending = Dataset.create(dir, rows(500, 505), { mode: 'append' });
    const pendingRetry = Dataset.create(dir, rows(600, 606), { mode: 'append', conflictRetries: 2 });
    Dataset.createSync(dir, rows(700, 701), { mode: 'append' });
    await expect(pending).rejects.toThrow(ConflictError);
    expect((await pendingRetry).version).toBe(6);
    expect(Dataset.openSync(dir).countRows()).toBe(latest.countRows() + 7);

    // Two async deletes from the same version: one commits, the other conflicts and leaves no deletion file.
    const base = Dataset.openSync(dir);
    const dels = await Promise.allSettled([base.deleteRows([0]), base.deleteRows([1, 2])]);
    expect(dels.filter((o) => o.status === 'fulfilled').length).toBe(1);
    expect(dels.filter((o) => o.status === 'rejected' && o.reason instanceof ConflictError).length).toBe(1);
    expect(fs.readdirSync(path.join(dir, '_deletions')).length).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(Dataset.openSync(dir).numFragments);
    // The deletes read data files through \`base\`'s async readers: closed here, not by the garbage collector.
    for (const d of dels) if (d.status === 'fulfilled') await d.value.close();
    await base.close();
  });

  it('rejects (never throws) with the same error types as the Sync forms', async () => {
    const dir = path.join(root, 'errors');
    const created = Dataset.create('', rows(0, 1));
    await expect(created).rejects.toThrow(InvalidArgumentError);
    await expect(Dataset.create(dir, rows(0, 1), { mode: 'nope' as 'create' })).rejects.toThrow(InvalidArgumentError);
    await Dataset.create(dir, rows(0, 3));
    await expect(Dataset.create(dir, rows(0, 1))).rejects.toThrow(ConflictError);
    const ds = await Dataset.open(dir);
    await expect(ds.delete('x' as unknown as () => boolean)).rejects.toThrow(InvalidArgumentError);
    await expect(ds.append([{ other: 1 }])).rejects.toThrow(/other|columns|schema/i);
    await expect(ds.deleteRows([3])).rejects.toThrow(/outside/);
    await expect(ds.delete(() => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(ds.latestVersion()).toBe(1);
    await ds.close();
  });

  it('removes its data files and commits nothing when a write fails', async () => {
    const dir = path.join(root, 'fail');
    await Dataset.create(dir, bigBatch(5, 3));
    const probe = await fsp.open(path.join(root, '.probe'), 'w');
    await probe.close();
    const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<unknown> };
    const realWrite = proto.write;
    let calls = 0;
    const failing = jest.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (++calls === 6) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      return realWrite.apply(this, args);
    });
    try {
      const err = await Dataset.create(dir, bigBatch(200_000, 2), { mode: 'append', maxRowsPerFile: 100_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IoError);
      expect((err as IoError).path).toMatch(/[/\\]data[/\\][0-9a-f-]+\.lance$/);
    } finally {
      failing.mockRestore();
    }
    expect(calls).toBeGreaterThanOrEqual(6); // the first data file was complete: it is removed too
    const latest = Dataset.openSync(dir);
    expect(latest.version).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(latest.numFragments);
    expect(fs.readdirSync(path.join(dir, '_versions')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes datasets LanceDB reads (async create, append and delete)', async () => {
    const dir = path.join(root, 'oracle.lance');
    const vschema = new Schema([new Field('id', new Float64()), new Field('label', new Utf8()), new Field('vector', new FixedSizeList(new Field('item', new Float32(), true), 4))]);
    const data = Array.from({ length: 600 }, (_, i) => ({ id: i, label: i % 2 ? 'odd' : null, vector: [i, i + 1, i + 2, i + 3] }));
    await Dataset.create(dir, data.slice(0, 500), { schema: vschema, maxRowsPerFile: 200 });
    const appended = await Dataset.create(dir, data.slice(500), { mode: 'append' });
    const deleted = await appended.delete((r) => (r.id as number) % 10 === 0, { columns: ['id'] });
    await appended.close();
    expect(deleted.version).toBe(3);
    const t = await (await lancedb.connect(root)).openTable('oracle');
    expect(await t.version()).toBe(3);
    expect(await t.countRows()).toBe(540);
    expect(await t.countRows('id >= 500')).toBe(90);
    expect(await t.countRows('label IS NULL')).toBe(240);
    const hits = await t.search([101, 102, 103, 104]).limit(1).toArray();
    expect(hits[0].id).toBe(101);
  });
});

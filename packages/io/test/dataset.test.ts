import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BlockCache,
  ConflictError,
  CorruptDataError,
  Dataset,
  Field,
  Float64,
  InvalidArgumentError,
  NotFoundError,
  OutOfRangeError,
  RecordBatch,
  Schema,
  Table,
  TypeMismatchError,
  Uint64,
  Utf8,
  recordBatchFromRows,
} from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';

const rows = (from: number, to: number): { id: number; name: string; score: number | null }[] => {
  const out = [];
  for (let i = from; i < to; i++) out.push({ id: i, name: `n${i}`, score: i % 7 === 0 ? null : i / 2 });
  return out;
};

function ids(batches: Iterable<RecordBatch> | RecordBatch[]): number[] {
  const out: number[] = [];
  for (const b of batches) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('Dataset', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('ds');
  });
  afterAll(() => removeDir(root));

  it('creates from plain rows and reads them back by scan, projection, offset/limit, take and toTable', async () => {
    const dir = path.join(root, 'basic');
    const ds = Dataset.createSync(dir, rows(0, 1000), { maxRowsPerFile: 300 });
    expect(ds.version).toBe(1);
    expect(ds.countRows()).toBe(1000);
    expect(ds.numFragments).toBe(4);
    expect(ds.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'score']);
    expect(fs.readdirSync(path.join(dir, 'data')).filter((n) => n.endsWith('.lance')).length).toBe(4);
    expect(fs.readdirSync(path.join(dir, '_versions'))).toEqual(['18446744073709551614.manifest']);

    const batches = [...ds.scanSync({ batchSize: 128 })];
    expect(batches.every((b) => b.numRows <= 128)).toBe(true);
    expect(ids(batches)).toEqual(range(0, 1000));
    const b0 = batches[0]!;
    expect(b0.column('name').get(5)).toBe('n5');
    expect(b0.column('score').get(7)).toBeNull();
    expect(b0.column('score').get(3)).toBe(1.5);

    const proj = [...ds.scanSync({ columns: ['name', 'id'], offset: 250, limit: 400, batchSize: 1000 })];
    expect(proj[0]!.schema.fields.map((f) => f.name)).toEqual(['name', 'id']);
    expect(ids(proj)).toEqual(range(250, 650));

    const asyncIds: number[] = [];
    for await (const b of ds.scan({ offset: 990, batchSize: 4 })) asyncIds.push(...ids([b]));
    expect(asyncIds).toEqual(range(990, 1000));
    expect(ids(ds.scanSync({ offset: 1000 }))).toEqual([]);
    expect(ids(ds.scanSync({ limit: 0 }))).toEqual([]);

    const rnd = seededRandom(9);
    const want = Array.from({ length: 200 }, () => Math.floor(rnd() * 1000));
    want.push(want[0]!, 0, 999);
    const taken = ds.takeSync(want);
    expect(ids([taken])).toEqual(want);
    for (let i = 0; i < want.length; i++) expect(taken.column('name').get(i)).toBe(`n${want[i]}`);
    const takenAsync = await ds.take(want, { columns: ['id'] });
    expect(ids([takenAsync])).toEqual(want);
    expect(takenAsync.numCols).toBe(1);
    expect(() => ds.takeSync([1000])).toThrow(OutOfRangeError);
    expect(() => ds.takeSync([-1])).toThrow(OutOfRangeError);

    const table = ds.toTableSync({ columns: ['id'] });
    expect(table).toBeInstanceOf(Table);
    expect(table.numRows).toBe(1000);
    expect((await ds.toTable()).numRows).toBe(1000);
    expect(() => [...ds.scanSync({ columns: ['nope'] })]).toThrow(/"nope"/);
    expect(() => [...ds.scanSync({ batchSize: 0 })]).toThrow(InvalidArgumentError);
    await ds.close();
  });

  it('appends a new version without rewriting anything, keeps old versions readable, and overwrites', async () => {
    const dir = path.join(root, 'versions');
    const v1 = await Dataset.create(dir, rows(0, 100));
    const before = new Map(fs.readdirSync(path.join(dir, 'data')).map((n) => [n, fs.statSync(path.join(dir, 'data', n))]));
    const v1Manifest = fs.readFileSync(path.join(dir, '_versions', '18446744073709551614.manifest'));
    const v2 = await v1.append(rows(100, 150));
    expect(v2.version).toBe(2);
    expect(v2.countRows()).toBe(150);
    for (const [n, st] of before) {
      const now = fs.statSync(path.join(dir, 'data', n));
      expect([now.size, now.mtimeMs, now.ino]).toEqual([st.size, st.mtimeMs, st.ino]);
    }
    expect(fs.readFileSync(path.join(dir, '_versions', '18446744073709551614.manifest')).equals(v1Manifest)).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(before.size + 1);

    expect(() => Dataset.createSync(dir, rows(0, 1))).toThrow(ConflictError);
    expect(() => Dataset.createSync(dir, [{ other: 'x' }], { mode: 'append' })).toThrow(/id/);
    const wrongBatch = recordBatchFromRows([{ id: 'x', name: 'y', score: 1 }]);
    expect(() => Dataset.createSync(dir, wrongBatch, { mode: 'append' })).toThrow(TypeMismatchError);

    const v3 = Dataset.createSync(dir, rows(500, 510), { mode: 'overwrite' });
    expect(v3.version).toBe(3);
    expect(ids(v3.scanSync())).toEqual(range(500, 510));
    expect(Dataset.openSync(dir).version).toBe(3);
    expect(ids(Dataset.openSync(dir, { version: 1 }).scanSync())).toEqual(range(0, 100));
    expect(ids(Dataset.openSync(dir, { version: 2 }).scanSync())).toEqual(range(0, 150));
    expect(v3.versions().map((v) => v.version)).toEqual([1, 2, 3]);
    expect(v3.latestVersion()).toBe(3);
    expect(() => Dataset.openSync(dir, { version: 7 })).toThrow(NotFoundError);

    // Cleanup keeps the latest and deletes files only the removed versions used.
    const res = v3.cleanupOldVersions({ keep: 2, olderThan: 0 });
    expect(res.removedVersions).toEqual([1]);
    expect(res.removedDataFiles).toEqual([]); // v2 still uses v1's file
    expect(v3.cleanupOldVersions({ olderThan: new Date(0) }).removedVersions).toEqual([]);
    const res2 = v3.cleanupOldVersions({ olderThan: 0 });
    expect(res2.removedVersions).toEqual([2]);
    expect(res2.removedDataFiles.length).toBe(2);
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(1);
    expect(() => Dataset.openSync(dir, { version: 1 })).toThrow(NotFoundError);
    expect(ids(Dataset.openSync(dir).scanSync())).toEqual(range(500, 510));
    expect(() => v3.cleanupOldVersions({ keep: 0 })).toThrow(InvalidArgumentError);
  });

  it('scans many small fragments with read-ahead in order, around deleted rows, and stops early cleanly', async () => {
    const dir = path.join(root, 'many-fragments');
    Dataset.createSync(dir, rows(0, 7));
    for (let f = 1; f < 40; f++) Dataset.createSync(dir, rows(f * 7, f * 7 + 7), { mode: 'append' });
    const ds = Dataset.openSync(dir).deleteSync((r) => (r.id as number) % 5 === 0, { columns: ['id'] });
    const expected = range(0, 280).filter((i) => i % 5 !== 0);
    for (const batchSize of [1, 3, 25, 1000]) {
      const got: RecordBatch[] = [];
      for await (const b of ds.scan({ batchSize })) got.push(b);
      expect(ids(got)).toEqual(expected);
      expect(ids(ds.scanSync({ batchSize }))).toEqual(expected);
    }
    // Stopping after the first batch leaves the read-ahead to finish on its own, without errors.
    for await (const b of ds.scan({ batchSize: 25 })) {
      expect(b.numRows).toBeGreaterThan(0);
      break;
    }
    await ds.close();
  });

  it('accepts record batches and Tables, an explicit schema, and creates empty datasets', () => {
    const schema = new Schema([new Field('id', new Float64()), new Field('name', new Utf8())]);
    const b1 = recordBatchFromRows([{ id: 1, name: 'a' }], schema);
    const b2 = recordBatchFromRows([{ id: 2, name: 'b' }, { id: 3, name: 'c' }], schema);
    const dsA = Dataset.createSync(path.join(root, 'batches'), [b1, b2]);
    expect(ids(dsA.scanSync())).toEqual([1, 2, 3]);
    const dsB = Dataset.createSync(path.join(root, 'table'), new Table(schema, [b2, b1]));
    expect(ids(dsB.scanSync())).toEqual([2, 3, 1]);
    const empty = Dataset.createSync(path.join(root, 'empty'), [], { schema });
    expect(empty.countRows()).toBe(0);
    expect([...empty.scanSync()]).toEqual([]);
    expect(empty.toTableSync().numRows).toBe(0);
    const filled = empty.appendSync([{ id: 4, name: 'd' }]);
    expect(ids(filled.scanSync())).toEqual([4]);
    expect(() => Dataset.createSync(path.join(root, 'nothing'), [])).toThrow(/schema/);
    expect(() => Dataset.createSync(path.join(root, 'bad'), rows(0, 1), { mode: 'upsert' as 'create' })).toThrow(InvalidArgumentError);
  });

  it('reads through a shared block cache', async () => {
    const dir = path.join(root, 'cached');
    Dataset.createSync(dir, rows(0, 5000));
    const cache = new BlockCache({ capacityBytes: 8 << 20 });
    const ds = Dataset.openSync(dir, { cache });
    expect(ids(ds.scanSync())).toEqual(range(0, 5000));
    const misses = cache.stats().misses;
    const again = Dataset.openSync(dir, { cache });
    expect(ids(ds.scanSync())).toEqual(range(0, 5000));
    expect(cache.stats().misses).toBe(misses);
    expect(cache.stats().hits).toBeGreaterThan(0);
    expect(ids([await again.take([4999, 0])])).toEqual([4999, 0]);
    await ds.close();
    await again.close();
  });

  describe('errors name the path', () => {
    it('throws NotFoundError for a missing directory or a directory that is not a dataset', () => {
      const missing = path.join(root, 'missing');
      expect(() => Dataset.openSync(missing)).toThrow(NotFoundError);
      expect(() => Dataset.openSync(missing)).toThrow(missing);
      expect(() => Dataset.openSync(root)).toThrow(/not a Lance dataset/);
    });

    it('throws CorruptDataError for a corrupted manifest', () => {
      const dir = path.join(root, 'corrupt-manifest');
      Dataset.createSync(dir, rows(0, 10));
      const m = path.join(dir, '_versions', '18446744073709551614.manifest');
      const bytes = fs.readFileSync(m);
      bytes[bytes.length - 1] ^= 0xff; // magic
      fs.writeFileSync(m, bytes);
      expect(() => Dataset.openSync(dir)).toThrow(CorruptDataError);
      expect(() => Dataset.openSync(dir)).toThrow(m);
      fs.writeFileSync(m, bytes.subarray(0, 7));
      expect(() => Dataset.openSync(dir)).toThrow(CorruptDataError);
    });

    it('throws CorruptDataError when a data file does not match its manifest (size or schema)', async () => {
      const dir = path.join(root, 'mismatch');
      Dataset.createSync(dir, [{ a: 1 }, { a: 2 }]);
      const other = path.join(root, 'mismatch-other');
      Dataset.createSync(other, [{ b: 1n }, { b: 2n }], { schema: new Schema([new Field('b', new Uint64())]) });
      const [file] = fs.readdirSync(path.join(dir, 'data'));
      const [otherFile] = fs.readdirSync(path.join(other, 'data'));
      const p = path.join(dir, 'data', file!);
      const original = fs.readFileSync(p);
      fs.copyFileSync(path.join(other, 'data', otherFile!), p); // another column type (columns are matched by field id, not name)
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(/stores Uint64 in column 0, where Float64 was expected/);
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(p);
      fs.writeFileSync(p, original.subarray(0, original.length - 10));
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(CorruptDataError);
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(/expected \d+ bytes/);
      await expect(Dataset.openSync(dir).take([0])).rejects.toThrow(CorruptDataError);
      fs.unlinkSync(p);
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(NotFoundError);
      expect(() => [...Dataset.openSync(dir).scanSync()]).toThrow(p);
    });
  });
});

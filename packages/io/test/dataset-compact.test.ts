/**
 * Compaction (`Dataset.compactSync` / `compact`): small fragments merged and deleted rows dropped
 * with every row kept in order; old versions readable until `cleanupOldVersions`; options; no-op;
 * races; the sync and async forms byte for byte; LanceDB reads (and appends to, and compacts) what
 * we compact, and we compact what LanceDB wrote.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { ConflictError, Dataset, Field, FixedSizeList, Float32, Float64, InvalidArgumentError, NotSupportedError, Schema, Utf8, decodeManifest } from '@vego/io';
import type { Manifest } from '@vego/format';
import { planCompaction } from '../src/internal/compaction-plan';
import { makeTempDir, removeDir } from './fixtures/helpers';

const V2_OPTS = { storageOptions: { new_table_data_storage_version: '2.0' } };

const schema = new Schema([
  new Field('id', new Float64()),
  new Field('name', new Utf8()),
  new Field('vector', new FixedSizeList(new Field('item', new Float32(), true), 3)),
]);
type TestRow = { id: number; name: string | null; vector: number[] };
const rows = (from: number, to: number): TestRow[] =>
  Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return { id: i, name: i % 13 === 0 ? null : `n${i % 50}`, vector: [i, -i, i / 2] };
  });

/** Every live row as plain values, in scan order. */
function readAll(ds: Dataset): unknown[][] {
  const out: unknown[][] = [];
  for (const b of ds.scanSync({ batchSize: 1000 })) {
    for (let i = 0; i < b.numRows; i++) {
      out.push(b.schema.fields.map((f) => {
        const v = b.column(f.name).get(i);
        return v instanceof Float32Array ? Array.from(v) : v;
      }));
    }
  }
  return out;
}

function manifestOf(ds: Dataset, version = ds.version): Manifest {
  const file = ds.versions().find((v) => v.version === version)!.manifestFile;
  return decodeManifest(fs.readFileSync(path.join(ds.path, '_versions', file)));
}

/** Data and deletion files that some committed version references. */
function referencedFiles(ds: Dataset): Set<string> {
  const out = new Set<string>();
  for (const v of ds.versions()) {
    for (const f of manifestOf(ds, v.version).fragments) {
      for (const file of f.files) out.add(path.join('data', file.path));
      if (f.deletionFile !== undefined) out.add(path.join('_deletions', `${f.id}-${f.deletionFile.readVersion}-${f.deletionFile.id}.${f.deletionFile.fileType === 'bitmap' ? 'bin' : 'arrow'}`));
    }
  }
  return out;
}

function filesOnDisk(dir: string): Set<string> {
  const out = new Set<string>();
  for (const sub of ['data', '_deletions']) {
    const d = path.join(dir, sub);
    if (fs.existsSync(d)) for (const n of fs.readdirSync(d)) out.add(path.join(sub, n));
  }
  return out;
}

/**
 * 25 fragments (10 of 400 rows from create, 15 appends of 100 to 300 rows), then deletes: every
 * seventh row, 100 scattered rows by position, and every row of the last fragment (dropped, so the
 * largest fragment id in use is below the manifest's `max_fragment_id`).
 */
function buildFragmented(dir: string): Dataset {
  let ds = Dataset.createSync(dir, rows(0, 4000), { schema, maxRowsPerFile: 400 });
  let next = 4000;
  for (let k = 0; k < 15; k++) {
    const n = 100 + (k % 3) * 100;
    ds = ds.appendSync(rows(next, next + n));
    next += n;
  }
  ds = ds.deleteSync((r) => (r.id as number) % 7 === 3, { columns: ['id'] }); // ~14% of every fragment
  ds = ds.deleteRowsSync(Array.from({ length: 100 }, (_, k) => 500 + 2 * k));
  return ds.deleteSync((r) => (r.id as number) >= 6700, { columns: ['id'] });
}

describe('planCompaction', () => {
  const sizes = (pairs: [number, number][]): { liveRows: number; physicalRows: number }[] => pairs.map(([liveRows, physicalRows]) => ({ liveRows, physicalRows }));

  it('rewrites runs of candidates that shrink or pass the deletion threshold (the worked example)', () => {
    const fragments = sizes([[40, 40], [100, 100], [30, 30], [20, 20], [95, 100], [100, 100], [60, 100]]);
    expect(planCompaction(fragments, 100, 0.1)).toEqual([{ first: 2, end: 5 }, { first: 6, end: 7 }]);
    expect(planCompaction(fragments, 100, null)).toEqual([{ first: 2, end: 5 }]);
    expect(planCompaction(fragments, 1000, null)).toEqual([{ first: 0, end: 7 }]);
  });

  it('drops fragments whose rows are all deleted, and leaves single or already full fragments alone', () => {
    expect(planCompaction(sizes([[100, 100], [0, 50], [100, 100]]), 100, null)).toEqual([{ first: 1, end: 2 }]);
    expect(planCompaction(sizes([[10, 10]]), 100, 0.1)).toEqual([]);
    expect(planCompaction(sizes([[100, 110], [90, 100]]), 100, 0.1)).toEqual([]); // 9.1% and 10%: not above
    expect(planCompaction(sizes([[60, 60], [60, 60]]), 100, 0.1)).toEqual([]); // still two fragments
    expect(planCompaction([], 100, 0.1)).toEqual([]);
  });
});

const sha = (p: string): string => createHash('sha256').update(fs.readFileSync(p)).digest('hex');

describe('Dataset.compact', () => {
  let root = '';
  beforeAll(() => (root = makeTempDir('compact')));
  afterAll(() => removeDir(root));

  it('merges small appends and drops deleted rows, keeping every row in order; old versions stay readable until cleanup', () => {
    const dir = path.join(root, 'basic');
    const before = buildFragmented(dir);
    const beforeRows = readAll(before);
    const beforeVersion = before.version;
    expect(before.numFragments).toBe(24);
    expect(before.fragmentFiles().filter((f) => f.hasDeletions)).toHaveLength(24);
    const oldMax = manifestOf(before).maxFragmentId!;
    const oldIds = manifestOf(before).fragments.map((f) => f.id);

    const result = before.compactSync({ targetRowsPerFragment: 1200 });
    const after = result.dataset;
    expect(after.version).toBe(beforeVersion + 1);
    expect(after.latestVersion()).toBe(beforeVersion + 1);
    expect(readAll(after)).toEqual(beforeRows);
    expect(after.countRows()).toBe(before.countRows());
    // Every fragment was small: all rewritten, as full fragments of 1200 rows then the rest.
    expect(beforeRows.length).toBe(7000 - 1000 - 100 - 257);
    expect(after.fragmentFiles().map((f) => f.physicalRows)).toEqual([1200, 1200, 1200, 1200, beforeRows.length - 4800]);
    expect(after.fragmentFiles().every((f) => !f.hasDeletions && f.paths.length === 1)).toBe(true);
    expect(result).toMatchObject({ fragmentsRemoved: 24, fragmentsAdded: 5, rowsRewritten: beforeRows.length });
    const m = manifestOf(after);
    expect(result.deletedRowsRemoved).toBe(manifestOf(before).fragments.reduce((s, f) => s + f.physicalRows, 0) - beforeRows.length);
    // New fragment ids continue after the largest id ever used (24, whose fragment a delete dropped).
    expect([oldMax, Math.max(...oldIds)]).toEqual([24, 23]);
    expect(m.fragments.map((f) => f.id)).toEqual([25, 26, 27, 28, 29]);
    expect(m.maxFragmentId).toBe(oldMax + 5);
    expect(m.fragments.every((f) => f.deletionFile === undefined)).toBe(true);
    // Every column in schema order, with the schema's field ids.
    expect(m.fragments[0]!.files[0]!.fields).toEqual(m.fields.map((f) => f.id));
    // Positions are unchanged: take and offset/limit give the same rows.
    const picked = [beforeRows.length - 1, 0, 777, 4321];
    const taken = after.takeSync(picked, { columns: ['id'] });
    expect(picked.map((_, k) => taken.column('id').get(k))).toEqual(picked.map((p) => beforeRows[p]![0]));

    // Time travel: the old version still has its files and rows.
    expect(readAll(Dataset.openSync(dir, { version: beforeVersion }))).toEqual(beforeRows);
    expect(readAll(Dataset.openSync(dir, { version: 1 }))).toHaveLength(4000);

    // Nothing more to do: the same object, no version committed.
    const again = after.compactSync({ targetRowsPerFragment: 1200 });
    expect(again).toEqual({ dataset: after, fragmentsRemoved: 0, fragmentsAdded: 0, rowsRewritten: 0, deletedRowsRemoved: 0 });
    expect(again.dataset).toBe(after);
    expect(after.latestVersion()).toBe(beforeVersion + 1);

    // cleanupOldVersions deletes the superseded data and deletion files; what is left is exactly what the latest version uses.
    const superseded = [...filesOnDisk(dir)].filter((p) => !after.fragmentFiles().some((f) => f.paths.includes(path.join(dir, p))));
    const cleaned = after.cleanupOldVersions({ keep: 1, olderThan: 0 });
    expect(cleaned.removedVersions).toHaveLength(beforeVersion);
    expect(cleaned.removedDataFiles.length).toBe(superseded.length);
    expect([...filesOnDisk(dir)].sort()).toEqual(after.fragmentFiles().map((f) => path.relative(dir, f.paths[0]!)).sort());
    expect(fs.readdirSync(path.join(dir, '_deletions'))).toEqual([]);
    expect(readAll(Dataset.openSync(dir))).toEqual(beforeRows);
  });

  it('gives the same dataset, byte for byte, from compactSync and compact', async () => {
    const a = buildFragmented(path.join(root, 'same-sync'));
    const b = buildFragmented(path.join(root, 'same-async'));
    const options = { targetRowsPerFragment: 2500, fileOptions: { pageByteLength: 8 * 1024 } };
    const ra = a.compactSync(options);
    const rb = await b.compact(options);
    const describe = (ds: Dataset): unknown => ({
      version: ds.version,
      rows: readAll(ds),
      fragments: ds.fragmentFiles().map((f) => ({ rows: f.physicalRows, deletions: f.hasDeletions, files: f.paths.map(sha) })),
      ids: manifestOf(ds).fragments.map((f) => f.id),
    });
    expect(describe(rb.dataset)).toEqual(describe(ra.dataset));
    expect({ ...rb, dataset: null }).toEqual({ ...ra, dataset: null });
    expect((await rb.dataset.compact(options)).dataset).toBe(rb.dataset);
    await Promise.all([a.close(), b.close(), rb.dataset.close()]);
  });

  it('rewrites only small or much-deleted runs, keeping the other fragments in place and fragment ids rising in row order', () => {
    // Fragments 0..4 of 1000 rows, then deletes: 5% of fragment 1, 20% of fragment 2, 5% of fragment 4.
    const deleted = (name: string): Dataset => Dataset.createSync(path.join(root, name), rows(0, 5000), { schema, maxRowsPerFile: 1000 }).deleteSync((r) => {
      const id = r.id as number;
      return (id >= 1000 && id < 1050) || (id >= 2000 && id < 2200) || (id >= 4000 && id < 4050);
    }, { columns: ['id'] });
    const ds = deleted('options');
    const all = readAll(ds);
    const ids = (d: Dataset): number[] => manifestOf(d).fragments.map((f) => f.id);
    expect(ids(ds)).toEqual([0, 1, 2, 3, 4]);

    // Target 1000: 1, 2 and 4 are small, but 1 and 2 (950 + 800 rows) still need two fragments; only 2 passes 10%.
    // The fragments after the run take new ids so ids keep rising in row order (LanceDB sorts by id):
    // 3 keeps its file under id 7; 4, whose deletion file is named by its id, is rewritten as 8.
    const r1 = ds.compactSync({ targetRowsPerFragment: 1000 });
    expect(r1).toMatchObject({ fragmentsRemoved: 3, fragmentsAdded: 3, rowsRewritten: 2700, deletedRowsRemoved: 300 });
    expect(ids(r1.dataset)).toEqual([0, 5, 6, 7, 8]);
    expect(r1.dataset.fragmentFiles().map((f) => [f.physicalRows, f.hasDeletions])).toEqual([[1000, false], [1000, false], [750, false], [1000, false], [950, false]]);
    expect(r1.dataset.fragmentFiles()[3]!.paths).toEqual(ds.fragmentFiles()[3]!.paths);
    expect(readAll(r1.dataset)).toEqual(all);
    // Without materialising deletions, or with a threshold above 20%: nothing qualifies.
    expect(ds.compactSync({ targetRowsPerFragment: 1000, materializeDeletions: false }).dataset).toBe(ds);
    expect(ds.compactSync({ targetRowsPerFragment: 1000, materializeDeletionsThreshold: 0.25 }).dataset).toBe(ds);
    expect(ds.latestVersion()).toBe(3);
    // Threshold 0: any deleted row qualifies; a target of 500 leaves every fragment "big"
    // (the rewritten fragments are split into fragments of at most 500 rows; 3 is renumbered).
    const r2 = deleted('options-2').compactSync({ targetRowsPerFragment: 500, materializeDeletionsThreshold: 0 });
    expect(ids(r2.dataset)).toEqual([0, 5, 6, 7, 8, 9, 10, 11]);
    expect(r2.dataset.fragmentFiles().map((f) => f.physicalRows)).toEqual([1000, 500, 500, 500, 250, 1000, 500, 450]);
    expect(readAll(r2.dataset)).toEqual(all);
    // A bigger target merges everything; a smaller one splits into full fragments then the rest.
    const r3 = r2.dataset.compactSync({ targetRowsPerFragment: 2000 });
    expect(r3.dataset.fragmentFiles().map((f) => f.physicalRows)).toEqual([2000, 2000, 700]);
    expect(readAll(r3.dataset)).toEqual(all);

    for (const bad of [{ targetRowsPerFragment: 0 }, { targetRowsPerFragment: 1.5 }, { materializeDeletionsThreshold: 1.1 }, { materializeDeletionsThreshold: Number.NaN }, { materializeDeletions: 'yes' as unknown as boolean }]) {
      expect(() => r3.dataset.compactSync(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('merges many single-row appends into one fragment, closing every file it read', async () => {
    const dir = path.join(root, 'tiny');
    let ds = await Dataset.create(dir, rows(0, 1), { schema });
    for (let i = 1; i < 60; i++) ds = await ds.append(rows(i, i + 1));
    const openFiles = (): number => fs.readdirSync('/proc/self/fd').length;
    const before = openFiles();
    const { dataset, fragmentsRemoved, fragmentsAdded } = await ds.compact();
    expect(openFiles()).toBe(before);
    expect([fragmentsRemoved, fragmentsAdded, dataset.numFragments]).toEqual([60, 1, 1]);
    expect(readAll(dataset)).toEqual(readAll(ds));
    const fromSync = Dataset.openSync(dir, { version: ds.version });
    const opened = openFiles();
    expect(() => fromSync.compactSync()).toThrow(ConflictError); // it read all 60 fragments, then lost the race
    expect(openFiles()).toBe(opened);
    await Promise.all([ds.close(), dataset.close()]);
  });

  it('gives ConflictError and leaves no new file when another commit lands first (sync and async)', async () => {
    const dir = path.join(root, 'race');
    const ds = Dataset.createSync(dir, rows(0, 600), { schema, maxRowsPerFile: 100 });
    ds.appendSync(rows(600, 650)); // version 2, committed after ds was opened
    expect(() => ds.compactSync()).toThrow(ConflictError);
    expect(() => ds.compactSync()).toThrow(/version 2 .*already exists.*compact again/);
    await expect(ds.compact()).rejects.toThrow(ConflictError);
    expect([...filesOnDisk(dir)].sort()).toEqual([...referencedFiles(ds)].sort());
    expect(ds.latestVersion()).toBe(2);

    // Two async compactions of the same version: one commits, the other conflicts and removes its files.
    const latest = Dataset.openSync(dir);
    const outcomes = await Promise.allSettled([latest.compact(), latest.compact()]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ConflictError)).toHaveLength(1);
    const now = Dataset.openSync(dir);
    expect(now.version).toBe(3);
    expect(now.numFragments).toBe(1);
    expect(readAll(now)).toEqual(readAll(latest));
    expect([...filesOnDisk(dir)].sort()).toEqual([...referencedFiles(now)].sort());
    await Promise.all([ds.close(), latest.close()]);
  });

  describe('LanceDB oracle', () => {
    let db: lancedb.Connection;
    beforeAll(async () => {
      db = await lancedb.connect(root);
    });

    async function theirRows(t: lancedb.Table): Promise<unknown[][]> {
      const got = await t.query().toArray();
      return got
        .map((r) => [r.id, r.name, Array.from(r.vector as ArrayLike<number>)])
        .sort((x, y) => (x[0] as number) - (y[0] as number));
    }

    it('compact-middle-run-keeps-order-under-lancedb: a run rewritten between kept fragments keeps its rows in place after LanceDB commits', async () => {
      // Found by the dataset model test: the run's new fragments (the largest ids) sat before kept
      // fragments of smaller ids, and LanceDB, which sorts fragments by id on every commit, moved
      // them to the end at its next add: every position after the run shifted.
      const dir = path.join(root, 'middle.lance');
      let ds = Dataset.createSync(dir, rows(0, 300), { schema, maxRowsPerFile: 100 });
      ds = ds.deleteRowsSync(Array.from({ length: 60 }, (_, k) => 100 + k)); // fragment 1: 40 of 100 rows left
      ds = ds.appendSync(rows(300, 310));
      const { dataset } = ds.compactSync({ targetRowsPerFragment: 100 });
      const ids = manifestOf(dataset).fragments.map((f) => f.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const t = await db.openTable('middle');
      await t.add([{ id: 99_999, name: 'lancedb', vector: [1, 2, 3] }]);
      const after = await Dataset.open(dir);
      expect(readAll(after)).toEqual([...readAll(dataset), [99_999, 'lancedb', [1, 2, 3]]]);
      expect(readAll(await Dataset.open(dir, { version: dataset.version }))).toEqual(readAll(ds));
      t.close();
    });

    it('opens what we compacted, reads the same rows, appends to it and compacts it again', async () => {
      const dir = path.join(root, 'ours.lance');
      const before = buildFragmented(dir);
      const { dataset } = await before.compact({ targetRowsPerFragment: 2048 });
      const t = await db.openTable('ours');
      expect(await t.version()).toBe(dataset.version);
      expect(await t.countRows()).toBe(dataset.countRows());
      expect(await theirRows(t)).toEqual(readAll(dataset));
      expect(await t.countRows('id % 7 = 3')).toBe(0);
      await t.checkout(before.version);
      expect(await t.countRows()).toBe(before.countRows());
      await t.checkoutLatest();

      await t.add([{ id: 99_999, name: 'lancedb', vector: [1, 2, 3] }]);
      const appended = await Dataset.open(dir);
      expect(appended.version).toBe(dataset.version + 1);
      expect(readAll(appended)).toEqual([...readAll(dataset), [99_999, 'lancedb', [1, 2, 3]]]);
      // LanceDB's own compaction runs over our fragments; we read its result.
      await t.optimize();
      const optimized = await Dataset.open(dir);
      expect(readAll(optimized).map((r) => r[0]).sort((x, y) => (x as number) - (y as number))).toEqual(readAll(appended).map((r) => r[0]));
      await Promise.all([before.close(), dataset.close(), appended.close(), optimized.close()]);
    });

    it('compacts a dataset LanceDB wrote (appends, deletes, an added column) and LanceDB still reads it', async () => {
      const t = await db.createTable('theirs', rows(0, 2000), V2_OPTS);
      for (let k = 0; k < 8; k++) await t.add(rows(2000 + k * 150, 2150 + k * 150));
      await t.delete('id % 5 = 2');
      await t.delete('id >= 500 AND id < 1500');
      await t.addColumns([{ name: 'doubled', valueSql: 'id * 2' }]); // a second data file per fragment
      const dir = path.join(root, 'theirs.lance');
      const ds = await Dataset.open(dir);
      expect(ds.numFragments).toBe(9);
      expect(ds.fragmentFiles().every((f) => f.paths.length === 2)).toBe(true);
      const before = readAll(ds);
      const { dataset, fragmentsRemoved, fragmentsAdded } = await ds.compact({ targetRowsPerFragment: 1000 });
      expect([fragmentsRemoved, fragmentsAdded]).toEqual([9, 2]);
      // Multi-file fragments become single files holding every column, in schema order.
      expect(dataset.fragmentFiles().map((f) => f.paths.length)).toEqual([1, 1]);
      expect(dataset.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'vector', 'doubled']);
      expect(readAll(dataset)).toEqual(before);
      expect(before.every((r) => Number(r[3]) === 2 * (r[0] as number))).toBe(true);

      await t.checkoutLatest();
      expect(await t.version()).toBe(dataset.version);
      expect(await t.countRows()).toBe(before.length);
      expect(await t.countRows('doubled = id * 2')).toBe(before.length);
      expect(await theirRows(t)).toEqual(before.map((r) => r.slice(0, 3)));
      await t.add([{ id: 50_000, name: 'x', vector: [0, 0, 0], doubled: 100_000 }]);
      expect((await Dataset.open(dir)).countRows()).toBe(before.length + 1);
      await Promise.all([ds.close(), dataset.close()]);
    });

    it('appends to and compacts a dataset of LanceDB\'s default storage version (2.2) with 2.2 files LanceDB reads exactly', async () => {
      // LanceDB's part without nulls: its 2.2 null levels are RLE-compressed, which this branch's reader does not decode.
      const noNulls = (from: number, to: number): TestRow[] => rows(from, to).map((r) => ({ ...r, name: `n${r.id}` }));
      const t = await db.createTable('default-version', noNulls(0, 100));
      await t.add(noNulls(100, 150));
      const dir = path.join(root, 'default-version.lance');
      const ds = await Dataset.open(dir);
      // An explicit other version is refused before anything is written: appends keep the dataset's.
      const files = [...filesOnDisk(dir)];
      expect(() => Dataset.createSync(dir, rows(150, 151), { mode: 'append', storageVersion: '2.0' })).toThrow(InvalidArgumentError);
      expect([...filesOnDisk(dir)]).toEqual(files);
      const appended = await ds.append(rows(150, 400));
      expect(appended.fragmentFiles().length).toBe(3);
      const compacted = (await appended.compact()).dataset;
      expect(compacted.fragmentFiles().length).toBe(1);
      const want = [...noNulls(0, 150), ...rows(150, 400)].map((r) => [r.id, r.name, r.vector]);
      expect(readAll(compacted)).toEqual(want);
      await t.checkoutLatest();
      expect(await theirRows(t)).toEqual(want);
      // Every data file of the compacted version is a 2.2 file, as the manifest declares.
      for (const f of compacted.fragmentFiles()) for (const p of f.paths) expect(Array.from(fs.readFileSync(p).subarray(-8, -4))).toEqual([2, 0, 2, 0]);
      // An overwrite keeps the version unless told otherwise.
      const over = Dataset.createSync(dir, rows(0, 10), { mode: 'overwrite', storageVersion: '2.0' });
      await t.checkoutLatest();
      expect(await theirRows(t)).toEqual(rows(0, 10).map((r) => [r.id, r.name, r.vector]));
      await Promise.all([ds.close(), appended.close(), compacted.close(), over.close()]);
    });
  });
});

/**
 * Incremental saves delete the rows they supersede, so every saved version holds one live row per
 * id and per link list, as LanceDB sees it too (its counts and vector search), and loads and
 * later saves keep working on top of the deletions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { ConflictError, Dataset, HNSW, type HnswConfig, LanceFileReader, type LanceSaveResult } from '@vego/hnsw';
import { type RowPlaces, livePositions, placesAfterAppend, planAppend } from '../src/persistence/positions';
import { bruteForce, clustered, seeded } from './fixtures/data';
import { answerDifferences, graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'saved-v1');

let root: string;
beforeAll(() => {
  root = makeTempDir('superseded');
});
afterAll(() => removeDir(root));

function rows(data: Float32Array, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length / dim; i++) out.push(data.subarray(i * dim, (i + 1) * dim));
  return out;
}

/** An index of the first `n` vectors of a clustered pool of `poolSize`, saved whole under `root/name`. */
function savedIndex(name: string, config: HnswConfig, n: number, poolSize: number, seed: number): { index: HNSW; pool: Float32Array; dir: string } {
  const dim = config.dimension;
  const pool = clustered(poolSize, dim, 4, seed);
  const index = new HNSW(config);
  index.addBatch(pool.subarray(0, n * dim));
  const dir = path.join(root, name);
  index.saveToLanceSync(dir);
  return { index, pool, dir };
}

function numLists(index: HNSW): number {
  const { levels, numIds } = index.toSnapshot();
  let lists = 0;
  for (let i = 0; i < numIds; i++) lists += levels[i]! + 1;
  return lists;
}

/**
 * What LanceDB sees in `dir` must be `index`: one `nodes` row per id (holding its current vector),
 * one `connections` row per list, and a vector search over the live nodes equal to brute force.
 */
async function expectLanceDbSees(dir: string, index: HNSW, queries: readonly Float32Array[]): Promise<void> {
  const db = await lancedb.connect(dir);
  const nodes = await db.openTable('nodes');
  const n = index.numIds;
  expect(await nodes.countRows()).toBe(n);
  expect(await nodes.countRows('deleted')).toBe(n - index.size);
  const all = await nodes.query().select(['id', 'vector']).toArray();
  expect(new Set(all.map((r: { id: number }) => r.id)).size).toBe(n);
  for (const r of all as { id: number; vector: ArrayLike<number> }[]) {
    if (r.id % 37 === 0) expect(Array.from(r.vector)).toEqual(Array.from(index.get(r.id)));
  }
  const connections = await db.openTable('connections');
  const lists = numLists(index);
  expect(await connections.countRows()).toBe(lists);
  const keys = (await connections.query().select(['node', 'layer']).toArray()).map((r: { node: number; layer: number }) => r.node * 64 + r.layer);
  expect(new Set(keys).size).toBe(lists);
  // The live row of a list holds the list as the index has it (format 3: count, ids, zero padding).
  const snap = index.toSnapshot();
  const stride0 = 1 + 2 * index.config.M;
  const sample = await connections.query().where('layer = 0 AND node % 23 = 0').select(['node', 'links']).toArray();
  expect(sample.length).toBe(Math.ceil(n / 23));
  for (const r of sample as { node: number; links: ArrayLike<number> }[]) {
    expect(Array.from(r.links)).toEqual(Array.from(snap.links0.subarray(r.node * stride0, (r.node + 1) * stride0)));
  }

  const dim = index.config.dimension;
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) if (index.has(i)) vectors.set(index.get(i), i * dim);
  for (const q of queries) {
    const theirs = await nodes.vectorSearch(Array.from(q)).distanceType('l2').where('NOT deleted').limit(10).toArray();
    const exact = bruteForce('l2', vectors, dim, q, 10, (id) => index.has(id));
    expect(theirs.map((r: { id: number }) => r.id)).toEqual(exact.map((r) => r.id));
    for (let i = 0; i < 10; i++) expect(theirs[i]._distance).toBeCloseTo(exact[i]!.distance, 3);
  }
}

describe('incremental saves delete the rows they supersede', () => {
  it('leave one row per id and per list for LanceDB after adds, updates and deletes (sync and async), and load back equal', async () => {
    const dim = 16;
    const { index, pool, dir } = savedIndex('mixed', { dimension: dim, M: 6, efConstruction: 32, seed: 4 }, 400, 700, 41);
    const queries = rows(clustered(4, dim, 4, 42), dim);
    const rnd = seeded(43);
    let next = 400;
    for (let round = 0; round < 3; round++) {
      const oldIds = index.numIds;
      const listsBefore = numLists(index);
      index.addBatch(pool.subarray(next * dim, (next + 20) * dim));
      next += 20;
      const touched = new Set<number>();
      for (let k = 0; k < 8; k++) {
        const id = Math.floor(rnd() * oldIds);
        if (!index.has(id)) continue;
        index.update(id, pool.subarray(next * dim, (next + 1) * dim));
        next++;
        touched.add(id);
      }
      for (let k = 0; k < 6; k++) {
        const id = Math.floor(rnd() * oldIds);
        if (!index.has(id)) continue;
        index.delete(id);
        touched.add(id);
      }
      const r: LanceSaveResult = round === 1 ? await index.saveToLance(dir) : index.saveToLanceSync(dir);
      expect(r).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 20 + touched.size, nodeRowsDeleted: touched.size });
      expect(r.connectionRowsDeleted).toBeGreaterThan(0);
      // Lists written = new nodes' lists + relinked old lists; the old ones' rows are deleted.
      expect(r.connectionRowsWritten - r.connectionRowsDeleted).toBe(numLists(index) - listsBefore);
      await expectLanceDbSees(dir, index, queries);
    }
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    const loaded = await HNSW.loadFromLance(dir);
    expect(graphDifferences(index, loaded)).toEqual([]);
    expect(answerDifferences(index, loaded, queries, 10, 32)).toEqual([]);

    // A save after the load builds on the positions it read: still small, still one row per id.
    for (const id of [3, 100, 250]) if (loaded.has(id)) loaded.update(id, pool.subarray((600 + id % 50) * dim, (601 + id % 50) * dim));
    loaded.addBatch(pool.subarray(650 * dim, 655 * dim));
    const changed = [3, 100, 250].filter((id) => loaded.has(id)).length;
    // Threshold 1: by now about half of the stored connection rows are deleted ones, and a
    // rewrite is not what this checks.
    const r = loaded.saveToLanceSync(dir, { compactionThreshold: 1 });
    expect(r).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 5 + changed, nodeRowsDeleted: changed });
    await expectLanceDbSees(dir, loaded, queries);
    expect(graphDifferences(loaded, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });

  it('write whole saves row k = entry k (ids, layer-0 nodes), and the positions they keep survive incremental saves to two directories', async () => {
    // A whole save numbers rows 0, 1, 2, … with one array shared by its id column, its layer-0 node
    // column and both datasets' positions: nothing a later save does may write into it.
    const dim = 8;
    const { index, pool, dir } = savedIndex('identity', { dimension: dim, M: 4, efConstruction: 24, seed: 9 }, 300, 400, 19);
    const other = path.join(root, 'identity-other');
    const queries = rows(clustered(3, dim, 4, 20), dim);
    // Two incremental saves to `dir`, then a whole save to `other` (a new directory) and two there;
    // the save right after each whole save only updates (same ids, same lists: nothing re-indexed).
    for (const [round, target] of [dir, dir, other, other, other].entries()) {
      if (round !== 0 && round !== 3) index.addBatch(pool.subarray((300 + 10 * round) * dim, (310 + 10 * round) * dim));
      index.update(7, pool.subarray((350 + round) * dim, (351 + round) * dim));
      const r = index.saveToLanceSync(target);
      const whole = round === 2;
      expect(r).toMatchObject({ nodesRewritten: whole, connectionsRewritten: whole, nodeRowsDeleted: whole ? 0 : 1 });
      await expectLanceDbSees(target, index, queries);
    }
    for (const target of [dir, other]) {
      const nodes = Dataset.openSync(path.join(target, 'nodes.lance'), { version: 1 }).toTableSync();
      const n = nodes.numRows;
      expect(nodes.column('id').flatMap((v) => v.toArray())).toEqual(Array.from({ length: n }, (_, i) => i));
      const conns = Dataset.openSync(path.join(target, 'connections.lance'), { version: 1 }).toTableSync();
      const node = conns.column('node').flatMap((v) => v.toArray());
      const layer = conns.column('layer').flatMap((v) => v.toArray());
      for (let i = 0; i < n; i++) {
        expect(node[i]).toBe(i);
        expect(layer[i]).toBe(0);
      }
    }
    expect(graphDifferences(index, HNSW.loadFromLanceSync(other))).toEqual([]);
  });

  it('rewrites once a directory saved by an earlier build (several rows per id), then saves incrementally', async () => {
    const dir = path.join(root, 'from-v1');
    fs.cpSync(FIXTURE, dir, { recursive: true });
    // The fixture keeps superseded rows live: 180 + 20 new + 4 rewritten (2 deletes, 2 updates) for 200 ids.
    expect(Dataset.openSync(path.join(dir, 'nodes.lance')).countRows()).toBe(204);
    const index = HNSW.loadFromLanceSync(dir);
    const queries = rows(clustered(3, 8, 4, 102), 8);
    const first = index.saveToLanceSync(dir);
    expect(first).toMatchObject({ nodesRewritten: true, connectionsRewritten: true, nodeRowsWritten: 200 });
    await expectLanceDbSees(dir, index, queries);
    index.update(42, clustered(1, 8, 4, 5));
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false, nodeRowsWritten: 1, nodeRowsDeleted: 1 });
    await expectLanceDbSees(dir, index, queries);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });

  it('reads vectors straight from the data file only when the nodes fragment has no deletions', () => {
    const dim = 8;
    const { index, pool, dir } = savedIndex('direct', { dimension: dim, M: 4, efConstruction: 16 }, 64, 130, 44);
    const directReads = (): { columns: number[]; loaded: HNSW } => {
      const spy = jest.spyOn(LanceFileReader.prototype, 'columnMetadataSync');
      try {
        const loaded = HNSW.loadFromLanceSync(dir);
        return { columns: spy.mock.calls.map((call) => call[0]), loaded };
      } finally {
        spy.mockRestore();
      }
    };
    // Some rows superseded: the first fragment has deletions, the vectors are scanned.
    for (let id = 0; id < 10; id++) index.update(id, pool.subarray((64 + id) * dim, (65 + id) * dim));
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false, nodeRowsDeleted: 10 });
    let read = directReads();
    expect(read.columns).toEqual([]);
    expect(graphDifferences(index, read.loaded)).toEqual([]);
    // Every row superseded: the old fragments are dropped, one fragment in id order is left.
    for (let id = 0; id < 64; id++) index.update(id, pool.subarray((66 + id) * dim, (67 + id) * dim));
    const r = index.saveToLanceSync(dir, { compactionThreshold: 1 });
    expect(r).toMatchObject({ nodesRewritten: false, nodeRowsWritten: 64, nodeRowsDeleted: 64 });
    const files = Dataset.openSync(path.join(dir, 'nodes.lance'), { version: r.nodesVersion }).fragmentFiles();
    expect(files.map((f) => [f.physicalRows, f.hasDeletions])).toEqual([[64, false]]);
    read = directReads();
    expect(read.columns).toEqual([1]);
    expect(graphDifferences(index, read.loaded)).toEqual([]);
  });

  it('rehashes only the vectors update() rewrote, and an update made during an async save is saved by the next save', async () => {
    const dim = 4;
    const { index, pool, dir } = savedIndex('tracked-updates', { dimension: dim, M: 4, efConstruction: 16 }, 120, 140, 46);
    // Updated before the save: written by it.
    index.update(4, pool.subarray(120 * dim, 121 * dim));
    const first = index.saveToLanceSync(dir);
    expect(first.nodesRewritten).toBe(false);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // Updated after the async save took its snapshot: not in that save, so the next one writes it.
    // The save copies a small index before it first waits, unless the copy outlasts the pacer's
    // time slice (a loaded machine): then it copies again after the update, which is then in the
    // directory already. Either way the directory ends up holding the update.
    const saving = index.saveToLance(dir);
    index.update(9, pool.subarray(121 * dim, 122 * dim));
    await saving;
    const inFirst = graphDifferences(index, HNSW.loadFromLanceSync(dir)).length === 0;
    const second = index.saveToLanceSync(dir);
    if (!inFirst) expect(second.nodeRowsWritten).toBeGreaterThanOrEqual(1);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // A save that fails keeps its changes for the next one.
    index.update(11, pool.subarray(122 * dim, 123 * dim));
    await expect(index.saveToLance(dir, { compactionThreshold: 2 })).rejects.toThrow(/compactionThreshold/);
    index.saveToLanceSync(dir);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });

  it('rehashes every vector once more ids were updated than it tracks, and saves them all', () => {
    const dim = 2;
    const { index, dir } = savedIndex('many-updates', { dimension: dim, M: 4, efConstruction: 8 }, 1100, 1100, 47);
    const loaded = HNSW.loadFromLanceSync(dir);
    for (let id = 0; id < 1050; id++) loaded.update(id, [id % 7, id % 11]);
    const r = loaded.saveToLanceSync(dir);
    expect(r.nodeRowsWritten + (r.nodesRewritten ? 0 : 0)).toBeGreaterThanOrEqual(1000);
    expect(graphDifferences(loaded, HNSW.loadFromLanceSync(dir))).toEqual([]);
    expect(graphDifferences(loaded, index)).not.toEqual([]);
  });

  it('refuses to delete when another writer commits before the append (ConflictError), and the previous save stays loadable', async () => {
    const dim = 4;
    const { index, pool, dir } = savedIndex('conflict', { dimension: dim, M: 4, efConstruction: 16 }, 80, 90, 45);
    const saved = HNSW.loadFromLanceSync(dir);
    index.update(1, pool.subarray(80 * dim, 81 * dim));
    index.addBatch(pool.subarray(81 * dim, 90 * dim));
    const nodesPath = path.join(dir, 'nodes.lance');
    const original = Dataset.createSync;
    const stray = (): void => {
      original.call(Dataset, nodesPath, [{ id: 0, vector: [0, 0, 0, 0], level: 0, deleted: false, checksum: 0n }], { mode: 'append' });
    };
    // Another writer appends after the async save planned and before it writes (io's own check:
    // the save's one commit, an append with deletions, must be the version after the one planned on).
    const originalAppend = Dataset.prototype.appendAndDelete;
    const asyncSpy = jest.spyOn(Dataset.prototype, 'appendAndDelete').mockImplementation(function (this: Dataset, data, positions, options) {
      if (this.path === nodesPath) stray();
      return originalAppend.call(this, data, positions, options);
    });
    try {
      await expect(index.saveToLance(dir)).rejects.toThrow(ConflictError);
    } finally {
      asyncSpy.mockRestore();
    }
    expect(graphDifferences(saved, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // The directory moved on: the next save rewrites, and the stray row is gone.
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true });
    const savedAgain = HNSW.loadFromLanceSync(dir);

    // Another writer appends just before our commit: ours must neither land on top of it nor delete.
    index.update(2, pool.subarray(0, dim));
    const originalAppendSync = Dataset.prototype.appendAndDeleteSync;
    const spy = jest.spyOn(Dataset.prototype, 'appendAndDeleteSync').mockImplementation(function (this: Dataset, data, positions, options) {
      if (this.path === nodesPath) stray();
      return originalAppendSync.call(this, data, positions, options);
    });
    try {
      expect(() => index.saveToLanceSync(dir)).toThrow(/another writer committed version \d+ first/);
    } finally {
      spy.mockRestore();
    }
    expect(graphDifferences(savedAgain, HNSW.loadFromLanceSync(dir))).toEqual([]);
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true });
    await expectLanceDbSees(dir, index, rows(pool.subarray(0, 2 * dim), dim));
  });
});

/** A stand-in dataset version whose fragments are `[id, physicalRows]` pairs (all `placesAfterAppend` reads). */
function fragmentsOf(...fragments: [number, number][]): Dataset {
  return { fragments: () => fragments.map(([id, physicalRows]) => ({ id, physicalRows, hasDeletions: false })) } as unknown as Dataset;
}

const F = 2 ** 32;

describe('row places', () => {
  it('supersede the rows of the changed entries by address and place the appended ones after the last ordinal (worked example)', () => {
    const places: RowPlaces = { ordinals: Int32Array.of(0, 1, 2, 3, 4), fragmentIds: [0], bases: [0], fragmentRows: [5], nextOrdinal: 5 };
    const before = Int32Array.of(0, 1, 2, 3, 4, -1);
    const changed = Int32Array.of(1, 3, 5);
    const plan = planAppend(places, changed, before, 5)!;
    expect(Array.from(plan.superseded)).toEqual([1, 3]);
    const after = placesAfterAppend(places, before, changed, fragmentsOf([0, 5], [1, 3]));
    expect(Array.from(after.ordinals)).toEqual([0, 5, 2, 6, 4, 7]);
    expect(after).toMatchObject({ fragmentIds: [0, 1], bases: [0, 5], fragmentRows: [5, 3], nextOrdinal: 8 });
    // Live positions are the ordinals' ranks once rows 1 and 3 are gone.
    expect(Array.from(livePositions(after, 6))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('name rows of later fragments by their own id, keep bases when a fragment is dropped, and refuse plans without one row per entry', () => {
    // Fragment 7 (ordinals 0-3) and fragment 9 (ordinals 4-5); entry 2 sits in fragment 9 at offset 1.
    const places: RowPlaces = { ordinals: Int32Array.of(3, 0, 5, 1), fragmentIds: [7, 9], bases: [0, 4], fragmentRows: [4, 2], nextOrdinal: 6 };
    const before = places.ordinals.slice();
    const changed = Int32Array.of(0, 2);
    expect(Array.from(planAppend(places, changed, before, 4)!.superseded)).toEqual([7 * F + 3, 9 * F + 1]);
    // Fragment 9 lost its last live row... and was dropped; the new fragment 10 starts at ordinal 6.
    const after = placesAfterAppend(places, before, changed, fragmentsOf([7, 4], [10, 2]));
    expect(Array.from(after.ordinals)).toEqual([6, 0, 7, 1]);
    expect(after).toMatchObject({ fragmentIds: [7, 10], bases: [0, 6], nextOrdinal: 8 });
    // A changed old entry without a row (no entry is new here), more live rows than entries, an ordinal no fragment holds, or the same row twice.
    expect(planAppend(places, Int32Array.of(1), Int32Array.of(3, -1, 5, 1), 4)).toBeNull();
    expect(planAppend(places, Int32Array.of(1), before, 5)).toBeNull();
    expect(planAppend(places, Int32Array.of(1), Int32Array.of(3, 6, 5, 1), 4)).toBeNull();
    expect(planAppend(places, Int32Array.of(0, 1), Int32Array.of(2, 2, 5, 1), 4)).toBeNull();
  });
});

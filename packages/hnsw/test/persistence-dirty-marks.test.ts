/**
 * Dirty marks: every writer of a link list marks its node (inserts, back-links, list repairs after
 * deletes and updates, the repair pass unlinking tombstones, worker threads of a parallel build),
 * and an incremental save hashes only the lists of marked nodes. If a writer forgot its mark, the
 * save would miss a changed list: each test counts the rows that really differ between the saved
 * state and the new one and expects the save to write exactly those, and the loaded index to equal
 * the saved one.
 */
import * as path from 'node:path';
import { HNSW, type HnswSnapshot, type LanceSaveResult } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import * as rowHash from '../src/internal/row-hash';

let root: string;
beforeAll(() => {
  root = makeTempDir('dirty-marks');
});
afterAll(() => removeDir(root));

const DIM = 8;
const CONFIG = { dimension: DIM, M: 6, efConstruction: 32, seed: 5 };

/**
 * Node `i`'s list on `layer` in a snapshot, as a string: its whole row as format version 3 stores
 * it (the count, the ids and the unused words after them, which a list that shrank still holds).
 */
function listOf(s: HnswSnapshot, i: number, layer: number): string {
  const M = s.config.M;
  const links = layer === 0 ? s.links0 : s.upperLinks;
  const width = layer === 0 ? 1 + 2 * M : 1 + M;
  const base = layer === 0 ? i * width : s.upperOffsets[i]! + (layer - 1) * width;
  return Array.from(links.subarray(base, base + width)).join(',');
}

/** Node rows and link lists that differ between two states of one index (new ids count as differing). */
function differences(before: HnswSnapshot, after: HnswSnapshot): { nodes: number; lists: number } {
  let nodes = 0;
  let lists = 0;
  for (let i = 0; i < after.numIds; i++) {
    const old = i < before.numIds;
    let same = old && before.deleted[i] === after.deleted[i];
    for (let j = 0; same && j < DIM; j++) if (!Object.is(before.vectors[i * DIM + j], after.vectors[i * DIM + j])) same = false;
    if (!same) nodes++;
    for (let l = 0; l <= after.levels[i]!; l++) if (!old || listOf(before, i, l) !== listOf(after, i, l)) lists++;
  }
  return { nodes, lists };
}

/** An index of 600 clustered vectors saved under `root/name`, and 200 more to add. */
function saved(name: string): { index: HNSW; dir: string; pool: Float32Array } {
  const pool = clustered(800, DIM, 6, 91);
  const index = new HNSW(CONFIG);
  index.addBatch(pool.subarray(0, 600 * DIM));
  const dir = path.join(root, name);
  index.saveToLanceSync(dir);
  return { index, dir, pool };
}

/** Saves incrementally and checks the save wrote exactly the rows that differ, and loads back equal. */
function expectExactSave(index: HNSW, dir: string, before: HnswSnapshot, result: LanceSaveResult): void {
  const want = differences(before, index.toSnapshot());
  expect(result.nodesRewritten || result.connectionsRewritten).toBe(false);
  expect({ nodes: result.nodeRowsWritten, lists: result.connectionRowsWritten }).toEqual(want);
  expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
}

describe('dirty marks drive incremental saves', () => {
  it('after inserts (own lists and back-links), the save writes exactly the changed rows', () => {
    const { index, dir, pool } = saved('insert');
    const before = index.toSnapshot();
    index.addBatch(pool.subarray(600 * DIM, 620 * DIM));
    const want = differences(before, index.toSnapshot());
    // The new nodes' lists and more: back-links changed old nodes' lists.
    expect(want.lists).toBeGreaterThan(20);
    expectExactSave(index, dir, before, index.saveToLanceSync(dir));
    // Nothing changed since: nothing is written.
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodeRowsWritten: 0, connectionRowsWritten: 0 });
  });

  it('after updates (in-link repair, relinking), the save writes exactly the changed rows', () => {
    const { index, dir, pool } = saved('update');
    const before = index.toSnapshot();
    for (const id of [3, 150, 420]) index.update(id, pool.subarray((700 + id % 50) * DIM, (701 + id % 50) * DIM));
    expectExactSave(index, dir, before, index.saveToLanceSync(dir));
  });

  it('after deletes and the repair pass (list repairs, tombstones unlinked), the save writes exactly the changed rows', () => {
    const { index, dir } = saved('delete');
    const before = index.toSnapshot();
    for (let id = 0; id < 600; id += 9) index.delete(id);
    const { repairedLists } = index.compact();
    expect(repairedLists).toBeGreaterThan(0);
    expectExactSave(index, dir, before, index.saveToLanceSync(dir));
  });

  it('after a parallel build on two threads (marks set by the worker, on shared memory), the save writes exactly the changed rows', () => {
    const { index, dir } = saved('parallel');
    const before = index.toSnapshot();
    // Enough inserts that the worker thread, once started, links a good share of them.
    const more = clustered(6000, DIM, 6, 92);
    index.addBatch(more, { threads: 2 });
    const graph = (index as unknown as { graph: { dirty: Uint8Array; links0: Int32Array } }).graph;
    expect(graph.links0.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(graph.dirty.buffer).toBeInstanceOf(SharedArrayBuffer);
    expectExactSave(index, dir, before, index.saveToLanceSync(dir));
  });

  it('keeps the marks of lists changed during an async save, and of a save that failed, for the next save', async () => {
    const { index, dir, pool } = saved('async');
    let before = index.toSnapshot();
    index.addBatch(pool.subarray(600 * DIM, 610 * DIM));
    const saving = index.saveToLance(dir);
    // Lands after the snapshot was taken: not in that save.
    index.addBatch(pool.subarray(610 * DIM, 620 * DIM));
    await saving;
    const during = HNSW.loadFromLanceSync(dir);
    expect(during.numIds).toBe(610);
    before = during.toSnapshot();
    expectExactSave(index, dir, before, index.saveToLanceSync(dir));
    // A failed save (bad option, found after the snapshot and its marks were taken) loses nothing.
    before = index.toSnapshot();
    index.addBatch(pool.subarray(620 * DIM, 630 * DIM));
    await expect(index.saveToLance(dir, { compactionThreshold: 3 })).rejects.toThrow(/compactionThreshold/);
    expectExactSave(index, dir, before, index.saveToLanceSync(dir));
  });
});

describe('checksums carried over by a whole save', () => {
  it('a first save to another directory hashes only the vectors changed since the last save or load, and loads back equal', () => {
    const { dir, pool } = saved('carry-source');
    const index = HNSW.loadFromLanceSync(dir);
    index.update(42, pool.subarray(790 * DIM, 791 * DIM));
    index.delete(7);
    index.addBatch(pool.subarray(600 * DIM, 610 * DIM));
    // Rows are hashed through the copying path or where they lie in the index memory (same arguments from the fourth on),
    // or gathered from scattered places (count fourth, row length fifth).
    const hashed = jest.spyOn(rowHash, 'hashRows');
    const inPlace = jest.spyOn(rowHash, 'hashRowsInPlace');
    const gathered = jest.spyOn(rowHash, 'hashRowsGathered');
    try {
      const result = index.saveToLanceSync(path.join(root, 'carry-copy'));
      expect(result).toMatchObject({ nodesRewritten: true, connectionsRewritten: true, nodeRowsWritten: 610 });
      // Rows hashed: the updated vector, the tombstoned node (its checksum covers the flag) and the 10 new ones.
      // Calls for vectors (rows of DIM words; link lists are rows of 1 + 2M or 1 + M words).
      let rows = 0;
      for (const call of [...hashed.mock.calls, ...inPlace.mock.calls]) if (call[3] === DIM) rows += call[4];
      for (const call of gathered.mock.calls) if (call[4] === DIM) rows += call[3];
      expect(rows).toBe(12);
    } finally {
      hashed.mockRestore();
      inPlace.mockRestore();
      gathered.mockRestore();
    }
    // Had a stale checksum been carried over, verification would refuse this load.
    expect(graphDifferences(index, HNSW.loadFromLanceSync(path.join(root, 'carry-copy')))).toEqual([]);
    // `full: true` to the same directory carries them over too, and so does the save after it.
    index.update(99, pool.subarray(791 * DIM, 792 * DIM));
    expect(index.saveToLanceSync(path.join(root, 'carry-copy'), { full: true })).toMatchObject({ nodesRewritten: true });
    index.update(100, pool.subarray(792 * DIM, 793 * DIM));
    expect(index.saveToLanceSync(path.join(root, 'carry-copy'))).toMatchObject({ nodesRewritten: false, nodeRowsWritten: 1 });
    expect(graphDifferences(index, HNSW.loadFromLanceSync(path.join(root, 'carry-copy')))).toEqual([]);
  });
});

describe('saves that overlap', () => {
  it('a save made while an async save is under way misses no change (it hashes every row), nor do later saves', async () => {
    const { dir, pool } = saved('overlap');
    const index = HNSW.loadFromLanceSync(dir);
    const v42 = pool.subarray(780 * DIM, 781 * DIM);
    const v43 = pool.subarray(781 * DIM, 782 * DIM);
    index.update(42, v42);
    // The async save takes its snapshot and the change records (id 42, dirty lists) at the call
    // (a small index is copied before the first await), then writes while the sync save runs.
    const other = path.join(root, 'overlap-async');
    const pending = index.saveToLance(other);
    index.update(43, v43);
    index.saveToLanceSync(dir);
    await pending;
    const back = HNSW.loadFromLanceSync(dir);
    expect(Array.from(back.get(42))).toEqual(Array.from(v42));
    expect(graphDifferences(index, back)).toEqual([]);
    const copy = HNSW.loadFromLanceSync(other);
    expect(Array.from(copy.get(42))).toEqual(Array.from(v42));
    // The async save finished last: the next saves (to either directory) must still be exact.
    index.update(44, pool.subarray(782 * DIM, 783 * DIM));
    index.saveToLanceSync(dir);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    index.update(45, pool.subarray(783 * DIM, 784 * DIM));
    index.saveToLanceSync(other);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(other))).toEqual([]);
  });
});

/**
 * What an incremental save carries over from the last save or load instead of recomputing it over
 * every id: the upper-list starts, the copy of the levels, the live-id count, and `metadata.lance`
 * opened once (checked when planning, appended to by the commit row). Each must stay exact through
 * every way the saved state moves on: adds, updates, deletes, a repair (`compact`), a save that
 * fails part-way, a save to another directory, a load, and another writer saving meanwhile. A wrong
 * carried value shows: a load checks the commit row's `num_live` against the tombstones and every
 * list's checksum against its row (upper lists are placed by their starts).
 */
import * as path from 'node:path';
import { ConflictError, Dataset, HNSW } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import { computeChecksums } from '../src/persistence/checksums';
import { connectionsBatches, releaseLinks } from '../src/persistence/save-rows';
import { Pacer } from '../src/internal/pacer';
import { runStepsSync } from '../src/persistence/steps';

let root: string;
beforeAll(() => {
  root = makeTempDir('carried-state');
});
afterAll(() => removeDir(root));

const DIM = 6;
const CONFIG = { dimension: DIM, M: 4, efConstruction: 24, seed: 13 };

/** The commit row of the latest save in `dir`: its live count and ids. */
function commitRow(dir: string): { live: number; ids: number } {
  const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
  try {
    const row = meta.takeSync([meta.countRows() - 1]);
    return { live: row.column('num_live').get(0) as number, ids: row.column('num_ids').get(0) as number };
  } finally {
    meta.closeSync();
  }
}

/** Loads `dir` (which checks the live count and every checksum) and expects it to be `index`, live count included. */
function expectSaved(index: HNSW, dir: string): void {
  const loaded = HNSW.loadFromLanceSync(dir);
  expect(graphDifferences(index, loaded)).toEqual([]);
  expect(commitRow(dir)).toEqual({ live: index.size, ids: index.numIds });
  expect(loaded.size).toBe(index.size);
}

describe('state carried from the last save or load', () => {
  it('stays exact through adds, updates, deletes, compact, a failed save, a save elsewhere and a load', () => {
    const pool = clustered(600, DIM, 5, 71);
    const vec = (i: number): Float32Array => pool.subarray(i * DIM, (i + 1) * DIM);
    const index = new HNSW(CONFIG);
    index.addBatch(pool.subarray(0, 300 * DIM));
    const dir = path.join(root, 'sequence');
    index.saveToLanceSync(dir);
    expectSaved(index, dir);

    // Tombstones only: the live count falls by the ids deleted, nothing else moves.
    for (const id of [3, 17, 40, 41, 299]) index.delete(id);
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false, nodeRowsWritten: 5 });
    expectSaved(index, dir);

    // New ids (some with upper layers: their starts extend the carried ones), an update, a delete of a new id.
    index.addBatch(pool.subarray(300 * DIM, 360 * DIM));
    index.update(5, vec(500));
    index.delete(310);
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false, connectionsRewritten: false });
    expectSaved(index, dir);
    expect(index.toSnapshot().levels.subarray(300, 360).some((l) => l > 0)).toBe(true);

    // A save that fails after committing nodes.lance (connections fail): the index keeps its last
    // state, and the next save (the nodes dataset moved on: rewritten whole) is exact.
    index.delete(7);
    index.addBatch(pool.subarray(360 * DIM, 370 * DIM));
    const connectionsPath = path.join(dir, 'connections.lance');
    const original = Dataset.prototype.appendAndDeleteSync;
    const failing = jest.spyOn(Dataset.prototype, 'appendAndDeleteSync').mockImplementation(function (this: Dataset, data, rows, options) {
      if (this.path === connectionsPath) throw new Error('disk full');
      return original.call(this, data, rows, options);
    });
    try {
      expect(() => index.saveToLanceSync(dir)).toThrow('disk full');
    } finally {
      failing.mockRestore();
    }
    expect(commitRow(dir).ids).toBe(360);
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true, connectionsRewritten: false });
    expectSaved(index, dir);

    // A save that fails at the commit row (both parts committed, metadata not): still exact after.
    index.delete(8);
    const metadataPath = path.join(dir, 'metadata.lance');
    const failingMeta = jest.spyOn(Dataset.prototype, 'appendAndDeleteSync').mockImplementation(function (this: Dataset, data, rows, options) {
      if (this.path === metadataPath) throw new Error('power cut');
      return original.call(this, data, rows, options);
    });
    try {
      expect(() => index.saveToLanceSync(dir)).toThrow('power cut');
    } finally {
      failingMeta.mockRestore();
    }
    expect(commitRow(dir).live).toBe(index.size + 1);
    index.update(9, vec(501));
    index.saveToLanceSync(dir);
    expectSaved(index, dir);

    // A save to another directory (a whole save there, checksums carried), then back here (whole
    // again: the state now names the other directory), each exact.
    const elsewhere = path.join(root, 'elsewhere');
    index.addBatch(pool.subarray(370 * DIM, 380 * DIM));
    index.delete(11);
    expect(index.saveToLanceSync(elsewhere)).toMatchObject({ nodesRewritten: true });
    expectSaved(index, elsewhere);
    index.delete(12);
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true, connectionsRewritten: true });
    expectSaved(index, dir);

    // The deferred repair run by compact() relinks around the tombstones: an incremental save after it.
    index.compact();
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false });
    expectSaved(index, dir);

    // A loaded index starts from the loaded state (its starts, levels and the commit row's live count).
    const loaded = HNSW.loadFromLanceSync(dir);
    loaded.delete(20);
    loaded.addBatch(pool.subarray(380 * DIM, 420 * DIM));
    loaded.delete(400);
    loaded.update(21, vec(502));
    expect(loaded.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false, connectionsRewritten: false });
    expectSaved(loaded, dir);
    // Deletes only, ids unchanged (the carried tombstone copy is replaced, the levels shared).
    loaded.delete(22);
    loaded.saveToLanceSync(dir);
    expectSaved(loaded, dir);
    // Nothing changed at all: the carried copies are reused as they are.
    loaded.saveToLanceSync(dir);
    expectSaved(loaded, dir);
  });

  it('refuses the commit row when another save committed since this one planned (ConflictError), leaving that save loadable', () => {
    const pool = clustered(300, DIM, 4, 72);
    const index = new HNSW(CONFIG);
    index.addBatch(pool.subarray(0, 200 * DIM));
    const dir = path.join(root, 'racing-commit-row');
    index.saveToLanceSync(dir);
    // Another index saves a whole save here between our planning and our commit row.
    const other = HNSW.loadFromLanceSync(dir);
    other.addBatch(pool.subarray(200 * DIM, 210 * DIM));
    index.delete(4);
    const metadataPath = path.join(dir, 'metadata.lance');
    const original = Dataset.prototype.appendAndDeleteSync;
    let interposed = false;
    const spy = jest.spyOn(Dataset.prototype, 'appendAndDeleteSync').mockImplementation(function (this: Dataset, data, rows, options) {
      if (this.path === metadataPath && !interposed) {
        interposed = true;
        other.saveToLanceSync(dir, { full: true });
      }
      return original.call(this, data, rows, options);
    });
    try {
      expect(() => index.saveToLanceSync(dir)).toThrow(ConflictError);
    } finally {
      spy.mockRestore();
    }
    expect(interposed).toBe(true);
    expectSaved(other, dir);
    // Ours saves again (whole: the directory moved on) and is then the latest.
    expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true, connectionsRewritten: true });
    expectSaved(index, dir);
  });

  it('reuses the links buffer of the last incremental save: upper rows written over layer-0 rows are zero-padded, and index memory is never kept', () => {
    const pool = clustered(900, DIM, 6, 73);
    const index = new HNSW(CONFIG);
    index.addBatch(pool.subarray(0, 400 * DIM));
    const dir = path.join(root, 'links-reuse');
    index.saveToLanceSync(dir);
    // A large append (many relinked layer-0 lists: full rows), then smaller ones whose upper rows
    // land where those layer-0 rows were: a non-zero padding word fails the load.
    index.addBatch(pool.subarray(400 * DIM, 700 * DIM));
    const big = index.saveToLanceSync(dir);
    expectSaved(index, dir);
    for (let round = 0; round < 4; round++) {
      index.addBatch(pool.subarray((700 + 10 * round) * DIM, (710 + 10 * round) * DIM));
      index.update(round, pool.subarray((880 + round) * DIM, (881 + round) * DIM));
      const r = index.saveToLanceSync(dir);
      expect(r.connectionRowsWritten).toBeLessThan(big.connectionRowsWritten);
      expectSaved(index, dir);
    }

    // The whole batch's layer-0 links are a view of the snapshot's memory: releasing it keeps
    // nothing, so an incremental batch never writes into it.
    const snapshot = index.toSnapshot();
    const sums = computeChecksums(snapshot);
    const starts = sums.starts;
    // (A one-list batch first takes the buffer the saves above kept, and is not given back.)
    runStepsSync(connectionsBatches(snapshot, sums, starts, Int32Array.of(0), new Pacer()));
    const whole = runStepsSync(connectionsBatches(snapshot, sums, starts, null, new Pacer()));
    for (const b of whole) releaseLinks(b);
    const links0 = snapshot.links0.slice();
    const some = Int32Array.from({ length: 50 }, (_, k) => k * 3);
    const part = runStepsSync(connectionsBatches(snapshot, sums, starts, some, new Pacer()))[0]!;
    expect(part.columns[2]!.data.children[0]!.values!.buffer).not.toBe(snapshot.links0.buffer);
    expect(snapshot.links0).toEqual(links0);
    releaseLinks(part);
    // Given back, it serves the next batch that fits (the same buffer), every word rewritten.
    const again = runStepsSync(connectionsBatches(snapshot, sums, starts, some.subarray(0, 20), new Pacer()))[0]!;
    expect(again.columns[2]!.data.children[0]!.values!.buffer).toBe(part.columns[2]!.data.children[0]!.values!.buffer);
    const width = 1 + 2 * CONFIG.M;
    const values = again.columns[2]!.data.children[0]!.values as Int32Array;
    for (let r = 0; r < 20; r++) expect(Array.from(values.subarray(r * width, (r + 1) * width))).toEqual(Array.from(snapshot.links0.subarray(some[r]! * width, (some[r]! + 1) * width)));
    releaseLinks(again);
  });
});

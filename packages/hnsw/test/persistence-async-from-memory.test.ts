/**
 * An async save of an in-memory index writes straight from the index's memory: no copy of the
 * vectors and links before it starts, none in the data files' background writes. Whatever the index
 * does while the save waits, the save holds the state of its call (the first change copies the
 * index for it), never a mix of two states, and the next save writes the rest. A save whose rows
 * may have changed under it commits nothing (its guard refuses each commit).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HNSW } from '@vego/hnsw';
import { saveIndexToLance } from '../src/persistence/save';
import { Pacer } from '../src/internal/pacer';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('from-memory');
});
afterAll(() => removeDir(root));

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type Internals = { stateCopy(): unknown; snapshotInSlices(): unknown; liveSnapshot(): unknown };
const proto = HNSW.prototype as unknown as Internals;

/** Every file under a saved index's three datasets. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

describe('an async save from the index memory', () => {
  it.each([8, 6])('copies nothing when the index does not change (dimension %i), and loads back equal', async (dim) => {
    const pool = clustered(700, dim, 4, 11);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 1 });
    index.addBatch(pool.subarray(0, 600 * dim));
    const copies = jest.spyOn(proto, 'stateCopy');
    const slices = jest.spyOn(proto, 'snapshotInSlices');
    try {
      const dir = `${root}/unchanged-${dim}`;
      await index.saveToLance(dir);
      index.delete(3);
      index.addBatch(pool.subarray(600 * dim, 700 * dim));
      // The changes above came between saves, not during one.
      await index.saveToLance(dir);
      expect(copies).not.toHaveBeenCalled();
      expect(slices).not.toHaveBeenCalled();
      expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    } finally {
      copies.mockRestore();
      slices.mockRestore();
    }
  });

  // Each kind of change, made after t event-loop turns of the save (every pacing check asks for a
  // turn, so the save waits between all of its steps): the save holds the state of its call.
  const changes: [string, (index: HNSW, pool: Float32Array, dim: number) => void][] = [
    ['add', (index, pool, dim) => void index.add(pool.subarray(900 * dim, 901 * dim))],
    // 500 more than the 600 saved: the memory grows and the link regions move up.
    ['addBatch that grows the memory', (index, pool, dim) => void index.addBatch(pool.subarray(400 * dim, 900 * dim))],
    ['update', (index, pool, dim) => index.update(17, pool.subarray(901 * dim, 902 * dim))],
    ['delete and compact', (index) => {
      for (let id = 0; id < 60; id += 3) index.delete(id);
      index.compact();
    }],
  ];
  it.each(changes)('saves the state of its call after a change (%s) at any point, and the next save the rest', async (_, change) => {
    const dim = 8;
    const pool = clustered(1000, dim, 5, 12);
    const due = jest.spyOn(Pacer.prototype, 'due').mockReturnValue(true);
    // Changes made while the save still ran (the rest came after it).
    let during = 0;
    try {
      for (const turns of [0, 1, 2, 3, 5, 8, 13, 21, 40]) {
        const index = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 2 });
        index.addBatch(pool.subarray(0, 600 * dim));
        const dir = `${root}/changed-${_.replace(/ /g, '-')}-${turns}`;
        index.saveToLanceSync(dir);
        index.update(5, pool.subarray(950 * dim, 951 * dim));
        const before = HNSW.fromSnapshot(index.toSnapshot());
        let running = true;
        const saving = index.saveToLance(dir).finally(() => (running = false));
        for (let t = 0; t < turns; t++) await turn();
        if (running) during++;
        change(index, pool, dim);
        await saving;
        expect(graphDifferences(before, HNSW.loadFromLanceSync(dir))).toEqual([]);
        index.saveToLanceSync(dir);
        expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
      }
    } finally {
      due.mockRestore();
    }
    expect(during).toBeGreaterThanOrEqual(5);
  });

  it('lets searches run during the save without a copy: a repair due after deletes waits for the save', async () => {
    const dim = 8;
    const pool = clustered(700, dim, 4, 13);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 3, repair: 'deferred', repairThreshold: 0.01 });
    index.addBatch(pool.subarray(0, 600 * dim));
    for (let id = 0; id < 100; id += 2) index.delete(id);
    const dir = `${root}/searches`;
    const before = HNSW.fromSnapshot(index.toSnapshot());
    const copies = jest.spyOn(proto, 'stateCopy');
    const due = jest.spyOn(Pacer.prototype, 'due').mockReturnValue(true);
    try {
      const saving = index.saveToLance(dir);
      let done = false;
      void saving.then(() => (done = true));
      let searches = 0;
      while (!done) {
        index.search(pool.subarray(650 * dim, 651 * dim), 5);
        searches++;
        await turn();
      }
      await saving;
      expect(searches).toBeGreaterThan(3);
      expect(copies).not.toHaveBeenCalled();
    } finally {
      copies.mockRestore();
      due.mockRestore();
    }
    expect(graphDifferences(before, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // The repair waited during the save, and starts with the next call after it.
    const repair = (): { repairPass: unknown; pendingDeletes: number } => index as unknown as { repairPass: unknown; pendingDeletes: number };
    expect(repair().repairPass).toBeNull();
    expect(repair().pendingDeletes).toBe(50);
    index.search(pool.subarray(650 * dim, 651 * dim), 5);
    expect(repair().repairPass !== null || repair().pendingDeletes < 50).toBe(true);
  });

  it('a save whose guard refuses commits no part and leaves no file behind', async () => {
    const dim = 8;
    const pool = clustered(300, dim, 3, 14);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 4 });
    index.addBatch(pool.subarray(0, 200 * dim));
    const snapshot = index.toSnapshot();
    class Refused extends Error {}
    let calls = 0;
    const refuse = (): void => {
      calls++;
      throw new Refused();
    };
    // A first save refused: no dataset gets a version or a data file.
    const fresh = `${root}/refused-first`;
    await expect(saveIndexToLance(snapshot, fresh, {}, null, null, null, refuse)).rejects.toBeInstanceOf(Refused);
    expect(filesOf(fresh).filter((f) => !f.includes(`${path.sep}_versions${path.sep}`) && f.includes(`${path.sep}data${path.sep}`))).toEqual([]);
    expect(filesOf(fresh).filter((f) => f.includes('_versions'))).toEqual([]);
    // After a committed save, a refused one (whole or incremental) leaves every file as it was.
    const dir = `${root}/refused-later`;
    index.saveToLanceSync(dir);
    const files = filesOf(dir);
    index.addBatch(pool.subarray(200 * dim, 300 * dim));
    for (const full of [false, true]) {
      calls = 0;
      await expect(saveIndexToLance(index.toSnapshot(), dir, { full }, null, null, null, refuse)).rejects.toBeInstanceOf(Refused);
      expect(calls).toBeGreaterThan(0);
      expect(filesOf(dir)).toEqual(files);
    }
    expect(HNSW.loadFromLanceSync(dir).numIds).toBe(200);
  });
});

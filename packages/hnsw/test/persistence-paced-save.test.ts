/**
 * An async save does its long work in slices with event-loop turns between them (issue 14: no
 * long block of the event loop). Whatever the index does during those turns, the save must write
 * the state of its call, whole, and the next save must carry whatever it missed.
 */
import { HNSW } from '@vego/hnsw';
import { Pacer } from '../src/internal/pacer';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('paced');
});
afterAll(() => removeDir(root));

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a paced async save', () => {
  it('saves one whole state of an index changed between its slices, and the next save carries the rest', async () => {
    const dim = 8;
    const pool = clustered(260, dim, 3, 71);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 24, seed: 2 });
    index.addBatch(pool.subarray(0, 200 * dim));
    const dir = `${root}/changed-during`;
    index.saveToLanceSync(dir);
    // Every pacing check asks for a turn, so the index can change between any two slices.
    const due = jest.spyOn(Pacer.prototype, 'due').mockReturnValue(true);
    try {
      for (let round = 0; round < 4; round++) {
        index.update(3 + round, pool.subarray((200 + round) * dim, (201 + round) * dim));
        const saving = index.saveToLance(dir);
        // Change the index after `round` turns: while copying (early rounds) or while planning and writing.
        for (let t = 0; t < round * 2; t++) await turn();
        const before = index.numIds;
        index.update(10 + round, pool.subarray((210 + round) * dim, (211 + round) * dim));
        index.add(pool.subarray((220 + round) * dim, (221 + round) * dim));
        index.delete(20 + round);
        await saving;
        const loaded = HNSW.loadFromLanceSync(dir);
        // The state of the save's call, whenever the changes came (the first one copied the index for the save).
        expect(loaded.numIds).toBe(before);
        expect(Array.from(loaded.get(3 + round))).toEqual(Array.from(index.get(3 + round)));
        expect(loaded.has(20 + round)).toBe(true);
        // The next save (synchronous, nothing in between) writes what the last one missed.
        index.saveToLanceSync(dir);
        expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
        expect(graphDifferences(index, await HNSW.loadFromLance(dir))).toEqual([]);
      }
    } finally {
      due.mockRestore();
    }
  });

  it('of a codes-only index (copied in slices): with changes between slices, saves one whole state, and the next save the rest', async () => {
    // A codes-only SQ8 index has no float vectors in memory to save from: its save copies the index
    // in slices first, and a change between two slices makes it copy again in one go.
    const dim = 8;
    const pool = clustered(400, dim, 3, 73);
    const built = new HNSW({ dimension: dim, M: 6, efConstruction: 24, seed: 4, quantization: 'sq8' });
    built.addBatch(pool.subarray(0, 300 * dim));
    const dir = `${root}/codes-only`;
    built.saveToLanceSync(dir);
    const slices = jest.spyOn(HNSW.prototype as unknown as { snapshotInSlices(): unknown }, 'snapshotInSlices');
    const due = jest.spyOn(Pacer.prototype, 'due').mockReturnValue(true);
    try {
      for (let round = 0; round < 3; round++) {
        const index = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
        const before = index.numIds;
        const saving = index.saveToLance(dir);
        for (let t = 0; t < round; t++) await turn();
        index.add(pool.subarray((300 + round) * dim, (301 + round) * dim));
        index.delete(10 + round);
        await saving;
        const loaded = HNSW.loadFromLanceSync(dir);
        // One whole state: before both changes, or after both.
        expect([before, before + 1]).toContain(loaded.numIds);
        expect(loaded.has(10 + round)).toBe(loaded.numIds === before);
        index.saveToLanceSync(dir);
        const again = HNSW.loadFromLanceSync(dir);
        expect(again.numIds).toBe(before + 1);
        expect(again.has(10 + round)).toBe(false);
      }
      expect(slices).toHaveBeenCalled();
    } finally {
      due.mockRestore();
      slices.mockRestore();
    }
  });

  it('with a change during the save, saves the state of its call; the next save writes the change', async () => {
    const dim = 8;
    const pool = clustered(120, dim, 3, 72);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 24, seed: 3 });
    index.addBatch(pool.subarray(0, 100 * dim));
    const dir = `${root}/copy-restarts`;
    index.saveToLanceSync(dir);
    const before = HNSW.fromSnapshot(index.toSnapshot());
    const due = jest.spyOn(Pacer.prototype, 'due').mockReturnValue(true);
    try {
      const saving = index.saveToLance(dir);
      // One turn: the save has started and waits; the update lands before it finishes.
      await turn();
      index.update(5, pool.subarray(110 * dim, 111 * dim));
      await saving;
    } finally {
      due.mockRestore();
    }
    const loaded = HNSW.loadFromLanceSync(dir);
    expect(Array.from(loaded.get(5))).toEqual(Array.from(before.get(5)));
    expect(graphDifferences(before, loaded)).toEqual([]);
    // The update's vector change and relinked lists were kept for the next save.
    index.saveToLanceSync(dir);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });
});

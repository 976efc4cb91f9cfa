/**
 * `HNSW#compactIds`: an index updated and deleted from for a long time keeps a slot for every id it
 * ever handed out; compactIds gives a new index of the live ids only, renumbered in ascending order,
 * on the same graph: every search answers the same nodes (through `oldIds`) at the same distances,
 * for float metrics and binary ones, and the new index keeps taking adds, deletes and saves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HNSW, NotSupportedError } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { clusteredBinary } from './binary-support';

const DIM = 24;

/** Every search of `queries` on `a` equals the one on `b`, ids of `b` mapped through `oldIds`. */
function sameAnswers(a: HNSW, b: HNSW, oldIds: Int32Array, queries: Float32Array | Uint8Array[], k: number, ef: number): void {
  const n = Array.isArray(queries) ? queries.length : queries.length / DIM;
  for (let q = 0; q < n; q++) {
    const query = Array.isArray(queries) ? queries[q]! : queries.subarray(q * DIM, (q + 1) * DIM);
    const want = a.search(query, k, { ef });
    const got = b.search(query, k, { ef });
    expect(got.map((h) => [oldIds[h.id], h.distance])).toEqual(want.map((h) => [h.id, h.distance]));
  }
}

describe('HNSW#compactIds', () => {
  it.each(['l2', 'cosine', 'innerProduct'] as const)('drops the slots of deleted and updated ids and answers as before (%s)', (distance) => {
    const data = clustered(3000, DIM, 30, 7);
    const index = new HNSW({ dimension: DIM, distance, M: 8, efConstruction: 64, seed: 3 });
    index.addBatch(data.subarray(0, 2000 * DIM));
    // Churn: updates as a collection makes them (delete, add the new vector), and plain deletes.
    for (let i = 0; i < 1000; i++) {
      index.delete(i);
      index.add(data.subarray((2000 + i) * DIM, (2001 + i) * DIM));
    }
    for (let i = 1000; i < 1500; i += 2) index.delete(i);
    const live = index.size;
    const before = index.byteLength;
    const { index: fresh, oldIds } = index.compactIds();
    expect(fresh.numIds).toBe(live);
    expect(fresh.size).toBe(live);
    expect(oldIds.length).toBe(live);
    for (let j = 1; j < live; j++) expect(oldIds[j]!).toBeGreaterThan(oldIds[j - 1]!);
    for (let j = 0; j < live; j += 97) {
      expect(index.has(oldIds[j]!)).toBe(true);
      expect(fresh.get(j)).toEqual(index.get(oldIds[j]!));
    }
    expect(fresh.byteLength).toBeLessThan(before);
    const queries = clustered(60, DIM, 30, 99);
    sameAnswers(index, fresh, oldIds, queries, 10, 40);
    sameAnswers(index, fresh, oldIds, queries, 1, 10);
    // The new index goes on: adds take the next ids, deletes and saves work.
    const next = fresh.add(data.subarray(0, DIM));
    expect(next).toBe(live);
    fresh.delete(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-compact-ids-'));
    try {
      fresh.saveToLanceSync(dir);
      const loaded = HNSW.loadFromLanceSync(dir);
      expect(loaded.numIds).toBe(live + 1);
      sameAnswers(fresh, loaded, Int32Array.from({ length: live + 1 }, (_, i) => i), queries, 10, 40);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works for binary metrics and for an index with nothing deleted, and empties an index whose ids are all deleted', () => {
    const rows = clusteredBinary(800, 256, 8, 0.1, 0.5, 5);
    const index = new HNSW({ dimension: 256, distance: 'hamming', M: 8, efConstruction: 64, seed: 1 });
    index.addBatch(rows.slice(0, 600));
    for (let i = 0; i < 600; i += 3) index.delete(i);
    const { index: fresh, oldIds } = index.compactIds();
    expect(fresh.numIds).toBe(400);
    for (let j = 0; j < 400; j += 37) expect(fresh.getBinary(j)).toEqual(index.getBinary(oldIds[j]!));
    sameAnswers(index, fresh, oldIds, rows.slice(600, 640), 5, 32);

    const whole = new HNSW({ dimension: DIM, seed: 2 });
    whole.addBatch(clustered(100, DIM, 4, 1));
    const same = whole.compactIds();
    expect(Array.from(same.oldIds)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    sameAnswers(whole, same.index, same.oldIds, clustered(10, DIM, 4, 2), 5, 20);

    const gone = new HNSW({ dimension: DIM });
    gone.addBatch(clustered(20, DIM, 2, 3));
    for (let i = 0; i < 20; i++) gone.delete(i);
    const empty = gone.compactIds();
    expect([empty.index.numIds, empty.index.size, empty.oldIds.length]).toEqual([0, 0, 0]);
    expect(empty.index.search(new Float32Array(DIM).fill(1), 3)).toEqual([]);
    expect(empty.index.add(new Float32Array(DIM).fill(1))).toBe(0);
  });

  it('is refused for an index whose vectors stay on disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-compact-ids-disk-'));
    try {
      const index = new HNSW({ dimension: DIM, quantization: 'sq8', seed: 4 });
      index.addBatch(clustered(200, DIM, 4, 4));
      index.saveToLanceSync(dir);
      const disk = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
      expect(() => disk.compactIds()).toThrow(NotSupportedError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

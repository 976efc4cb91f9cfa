/**
 * Re-embedding in place: a document whose vector changes keeps its doc id (the index relinks the
 * node, `HNSW#update`), so churn by upsert leaves no dead ids behind. The saved index can then be
 * older than a vector under a live id (saved every `indexSaveEvery` changes; a crash loses the
 * rest): opening relinks every id whose saved vector differs from the dataset's, so no search
 * ranks a document by a vector it no longer has.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

const DIM = 8;

function vectors(n: number, seed: number): Float32Array[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: DIM }, () => r() * 2 - 1));
}

describe('re-embedding keeps the doc id', () => {
  let root: string;
  beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-reembed-'))));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('upserts with new vectors relink in place: no id dies, every document is found at its new vector', async () => {
    const c = await Database.memory().createCollection('m', { dimension: DIM, distance: 'cosine', fullText: true });
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    await c.insertMany(vectors(200, 1).map((vector, i) => ({ key: keys[i]!, vector, text: `doc ${i}` })));
    for (let r = 0; r < 3; r++) await c.upsertMany(vectors(200, 10 + r).map((vector, i) => ({ key: keys[i]!, vector, text: `doc ${i} round ${r}` })));
    expect([c.documents.numIds, c.size]).toEqual([200, 200]);
    expect((await c.optimize()).docIdsRenumbered).toBe(false);
    const now = vectors(200, 12);
    for (let i = 0; i < 200; i += 7) expect((await c.search(now[i]!, 1, { ef: 100 }))[0]!.key).toBe(keys[i]);
    expect((await c.get('k5'))!.text).toBe('doc 5 round 2');
    expect((await c.search({ text: 'round' }, 300)).length).toBe(200);
  });

  it.each([
    ['relinks', 40],
    ['rebuilds the index (more than a third moved)', 150],
  ])('opening %s when saved vectors are older than the dataset (a crash before the index save): %i of 300 moved', async (_what, count) => {
    const dir = path.join(root, `stale-${count}`);
    const db = await Database.open(dir);
    const c = await db.createCollection('p', { dimension: DIM, distance: 'l2', indexSaveEvery: 100_000 });
    const first = vectors(300, 2);
    await c.insertMany(first.map((vector, i) => ({ key: `k${i}`, vector })));
    await c.flush(); // the index is saved here, with the first vectors
    const moved = vectors(count, 3);
    await c.upsertMany(moved.map((vector, i) => ({ key: `k${i * 2}`, vector })));
    // Not closed (a crash): the saved index still holds the first vectors under those ids.
    const db2 = await Database.open(dir);
    const c2 = await db2.openCollection('p');
    expect(c2.documents.numIds).toBe(300);
    for (let i = 0; i < count; i++) {
      expect((await c2.search(moved[i]!, 1, { ef: 200 }))[0]).toMatchObject({ key: `k${i * 2}`, distance: 0 });
      // The old vector is gone: its nearest document is not the one that had it (at distance 0).
      expect((await c2.search(first[i * 2]!, 1, { ef: 200 }))[0]!.distance).toBeGreaterThan(0);
    }
    for (let i = 1; i < 300; i += 6) expect((await c2.search(first[i]!, 1, { ef: 200 }))[0]).toMatchObject({ key: `k${i}`, distance: 0 });
    await db2.close();
    await db.close();
  });
});

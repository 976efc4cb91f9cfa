/**
 * A saved index committed to the repository (format version 1, written by
 * fixtures/make-saved-v1.cjs): later builds must keep loading it and answering as it did.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, HNSW, loadHNSWFromLance } from '@vego/hnsw';
import { clustered } from './fixtures/data';

const FIXTURE = path.join(__dirname, 'fixtures', 'saved-v1');
const expected = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'saved-v1-expected.json'), 'utf8')) as {
  numIds: number;
  size: number;
  answers: { id: number; distance: number }[][];
};

describe('saved index fixture, format version 1', () => {
  it('loads and answers the recorded queries exactly', async () => {
    const index = await loadHNSWFromLance(FIXTURE);
    const meta = Dataset.openSync(path.join(FIXTURE, 'metadata.lance'));
    expect(meta.countRows()).toBe(2);
    expect(meta.takeSync([1]).column('format_version').get(0)).toBe(1);
    expect(index.numIds).toBe(200);
    expect([index.numIds, index.size]).toEqual([expected.numIds, expected.size]);
    expect(index.config).toMatchObject({ dimension: 8, M: 8, efConstruction: 40, distance: 'l2', seed: 3 });
    const queries = clustered(5, 8, 4, 102);
    for (let q = 0; q < 5; q++) expect(index.search(queries.subarray(q * 8, (q + 1) * 8), 10, 32)).toEqual(expected.answers[q]);
    // Deleted ids stay deleted; updated ids hold their new vector; the others their original one.
    const pool = clustered(205, 8, 4, 101);
    expect([5, 77, 190].map((id) => index.has(id))).toEqual([false, false, false]);
    expect(Array.from(index.get(10))).toEqual(Array.from(pool.subarray(200 * 8, 201 * 8)));
    expect(Array.from(index.get(150))).toEqual(Array.from(pool.subarray(201 * 8, 202 * 8)));
    for (const id of [0, 42, 199]) expect(Array.from(index.get(id))).toEqual(Array.from(pool.subarray(id * 8, (id + 1) * 8)));
    // The first save of the fixture is still readable too (time travel on each dataset).
    expect(Dataset.openSync(path.join(FIXTURE, 'nodes.lance'), { version: 1 }).countRows()).toBe(180);
    expect(HNSW.loadFromLanceSync(FIXTURE).search(queries.subarray(0, 8), 10, 32)).toEqual(expected.answers[0]);
  });
});

/**
 * An incremental save builds on the versions the index last saved or loaded. Before it appends, it
 * makes sure the directory still holds exactly those versions: not only the same version numbers
 * (a folder removed and saved again by another index counts its versions up from 1 as well) but
 * the same manifests. Otherwise it writes whole, on top of whatever is there, and never mixes its
 * rows into another index's datasets.
 */
import * as fs from 'node:fs';
import { HNSW } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('replaced');
});
afterAll(() => removeDir(root));

const dim = 8;

/** An index of `n` vectors of `pool` from `from`, saved to `dir` whole and then once more after `extra` adds. */
function savedTwice(pool: Float32Array, from: number, n: number, extra: number, dir: string, seed: number): HNSW {
  const index = new HNSW({ dimension: dim, M: 6, efConstruction: 24, seed });
  index.addBatch(pool.subarray(from * dim, (from + n) * dim));
  index.saveToLanceSync(dir, { durable: false });
  index.addBatch(pool.subarray((from + n) * dim, (from + n + extra) * dim));
  const r = index.saveToLanceSync(dir, { durable: false });
  expect(r.nodesRewritten).toBe(false); // incremental: version 2 of every part
  expect([r.nodesVersion, r.connectionsVersion, r.metadataVersion]).toEqual([2, 2, 2]);
  return index;
}

describe.each([
  ['saveToLanceSync', 'as many', false, 300, 20],
  ['saveToLance', 'as many', true, 300, 20],
  ['saveToLanceSync', 'more', false, 320, 25],
  ['saveToLance', 'more', true, 320, 25],
])('a directory replaced under a loaded index (%s, the other index has %s ids)', (_, _ids, async, theirN, theirExtra) => {
  it('is written whole on top of the other index, not appended to', async () => {
    const pool = clustered(1200, dim, 5, 17);
    const dir = `${root}/dir-${String(async)}-${theirN}`;
    savedTwice(pool, 0, 300, 20, dir, 3);
    const mine = HNSW.loadFromLanceSync(dir);
    // Another index takes the folder: removed and saved twice, the same version numbers as ours.
    fs.rmSync(dir, { recursive: true });
    const theirs = savedTwice(pool, 500, theirN, theirExtra, dir, 9);
    expect(graphDifferences(theirs, HNSW.loadFromLanceSync(dir))).toEqual([]);

    mine.addBatch(pool.subarray(1000 * dim, 1010 * dim));
    const r = async ? await mine.saveToLance(dir, { durable: false }) : mine.saveToLanceSync(dir, { durable: false });
    expect(r.nodesRewritten).toBe(true);
    expect(r.connectionsRewritten).toBe(true);
    expect([r.nodesVersion, r.connectionsVersion, r.metadataVersion]).toEqual([3, 3, 3]);
    expect(graphDifferences(mine, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // And the next save builds on that one incrementally again.
    mine.addBatch(pool.subarray(1010 * dim, 1012 * dim));
    const next = mine.saveToLanceSync(dir, { durable: false });
    expect(next.nodesRewritten).toBe(false);
    expect(next.metadataVersion).toBe(4);
    expect(graphDifferences(mine, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });
});

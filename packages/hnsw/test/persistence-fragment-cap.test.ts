/**
 * Incremental saves append a fragment to each dataset they change; left alone, a long-running index
 * saved often would end with thousands of fragments (every open and save reading a manifest that
 * lists them, every load opening a file per fragment). nodes.lance or connections.lance about to pass
 * MAX_FRAGMENTS_PER_PART fragments is rewritten whole instead; metadata.lance (one row and fragment
 * per save) is rewritten with all its rows in one fragment, so the save history stays.
 */
import * as path from 'node:path';
import { Dataset } from '@vego/io';
import { HNSW } from '@vego/hnsw';
import { MAX_FRAGMENTS_PER_PART } from '../src/persistence/save';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('fragments');
});
afterAll(() => removeDir(root));

const fragmentsOf = (dir: string, name: string): number => {
  const ds = Dataset.openSync(path.join(dir, name));
  try {
    return ds.numFragments;
  } finally {
    ds.closeSync();
  }
};

describe('fragments of a saved index', () => {
  it('stay at most MAX_FRAGMENTS_PER_PART per dataset over many small incremental saves, the save history kept', async () => {
    const dim = 8;
    const saves = MAX_FRAGMENTS_PER_PART + 10;
    const pool = clustered(400 + saves, dim, 4, 31);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 24, seed: 6 });
    index.addBatch(pool.subarray(0, 400 * dim));
    const dir = `${root}/many-saves`;
    index.saveToLanceSync(dir, { durable: false });
    let most = { nodes: 0, connections: 0, metadata: 0 };
    let rewritten = 0;
    for (let s = 0; s < saves; s++) {
      // One vector added per save: a few rows of each part, nothing superseded in nodes.lance.
      index.add(pool.subarray((400 + s) * dim, (401 + s) * dim));
      const r = index.saveToLanceSync(dir, { durable: false });
      if (r.nodesRewritten) rewritten++;
      most = {
        nodes: Math.max(most.nodes, fragmentsOf(dir, 'nodes.lance')),
        connections: Math.max(most.connections, fragmentsOf(dir, 'connections.lance')),
        metadata: Math.max(most.metadata, fragmentsOf(dir, 'metadata.lance')),
      };
    }
    expect(most.nodes).toBeLessThanOrEqual(MAX_FRAGMENTS_PER_PART);
    expect(most.connections).toBeLessThanOrEqual(MAX_FRAGMENTS_PER_PART);
    expect(most.metadata).toBeLessThanOrEqual(MAX_FRAGMENTS_PER_PART);
    // Every save's commit row is still there (the first save's and one per incremental save), in order.
    const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
    try {
      expect(meta.countRows()).toBe(saves + 1);
      const table = meta.toTableSync({ columns: ['num_ids'] });
      const ids: number[] = [];
      for (const b of table.batches) for (let i = 0; i < b.numRows; i++) ids.push(b.column('num_ids').get(i) as number);
      expect(ids).toEqual(Array.from({ length: saves + 1 }, (_, i) => 400 + i));
    } finally {
      meta.closeSync();
    }
    // The cap, not the compaction threshold, rewrote nodes.lance (adds supersede no node row).
    expect(rewritten).toBeGreaterThanOrEqual(1);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // The cleanup reads that history: with everything older than now removed, the last save still loads.
    const removed = await HNSW.cleanupOldVersions(dir, { olderThan: 0 });
    expect(removed.metadata.removedVersions.length).toBe(saves);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });
});

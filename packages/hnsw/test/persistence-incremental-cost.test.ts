/**
 * An incremental save costs in proportion to the change, not to the index: the checksums it
 * reuses are not visited (only new ids, ids whose vector or tombstone changed, and ids with a
 * dirty mark are hashed, and only those are compared), and the superseded rows are deleted by row
 * address without opening the data files already saved. Counted here by what is visited and what
 * is opened, not by timers (speed is measured in `benchmarks/suites/hnsw-persistence.mjs`).
 */
import * as path from 'node:path';
import { HNSW, type HnswSnapshot } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import { type TouchedEntries, checksumSteps, computeChecksums, upperStarts } from '../src/persistence/checksums';
import { Pacer } from '../src/internal/pacer';
import { runStepsSync } from '../src/persistence/steps';

// The module object itself (an `import *` namespace only re-exports it through getters).
const nodeFs = require('node:fs') as typeof import('node:fs');

let root: string;
beforeAll(() => {
  root = makeTempDir('incremental-cost');
});
afterAll(() => removeDir(root));

const DIM = 8;
const CONFIG = { dimension: DIM, M: 6, efConstruction: 32, seed: 9 };

/** Node `i`'s list on `layer` as a string. */
function listOf(s: HnswSnapshot, i: number, layer: number): string {
  const M = s.config.M;
  const links = layer === 0 ? s.links0 : s.upperLinks;
  const base = layer === 0 ? i * (1 + 2 * M) : s.upperOffsets[i]! + (layer - 1) * (1 + M);
  return Array.from(links.subarray(base, base + 1 + links[base]!)).join(',');
}

describe('incremental save cost', () => {
  it('hashes and lists only new, updated, deleted and dirty entries; every other checksum is carried over unvisited', () => {
    const pool = clustered(330, DIM, 5, 17);
    const index = new HNSW(CONFIG);
    index.addBatch(pool.subarray(0, 300 * DIM));
    const before = index.toSnapshot();
    const sums = computeChecksums(before);
    index.addBatch(pool.subarray(300 * DIM, 303 * DIM));
    index.update(7, pool.subarray(320 * DIM, 321 * DIM));
    index.delete(11);
    const after = index.toSnapshot();
    const n = after.numIds;
    // The dirty marks a save gets: old ids any of whose lists changed.
    const marks = new Uint8Array(n);
    const dirty: number[] = [];
    for (let i = 0; i < 300; i++) {
      let same = true;
      for (let l = 0; l <= after.levels[i]!; l++) if (listOf(before, i, l) !== listOf(after, i, l)) same = false;
      if (!same) {
        marks[i] = 1;
        dirty.push(i);
      }
    }
    expect(dirty.length).toBeGreaterThan(0);
    expect(dirty.length).toBeLessThan(100);
    // A list and a vector that changed behind the marks' back: a save that visited every entry
    // would see them; one that visits only the changed ones carries their old checksums over.
    const hidden = [...Array(300).keys()].find((i) => marks[i] === 0 && i !== 7 && i !== 11 && after.links0[i * (1 + 2 * CONFIG.M)]! > 1)!;
    const stride0 = 1 + 2 * CONFIG.M;
    const links0 = after.links0.slice();
    [links0[hidden * stride0 + 1], links0[hidden * stride0 + 2]] = [links0[hidden * stride0 + 2]!, links0[hidden * stride0 + 1]!];
    const vectors = after.vectors.slice();
    vectors[hidden * DIM] = vectors[hidden * DIM]! + 1;
    const tampered: HnswSnapshot = { ...after, links0, vectors };
    const touched: TouchedEntries = { nodes: null, lists: null };
    const sparse = runStepsSync(checksumSteps(tampered, { before: sums, vectorsChanged: new Set([7]), listsChanged: marks }, new Pacer(), touched));
    const full = computeChecksums(tampered);

    // Nodes hashed: the updated id, the deleted one (its tombstone is in its checksum) and the 3 new ones.
    expect(Array.from(touched.nodes!)).toEqual([7, 11, 300, 301, 302]);
    // Lists hashed: every list of the dirty and new ids, layer 0 first.
    const starts = upperStarts(after.levels, n);
    const ids = [...dirty, 300, 301, 302];
    const upper = ids.flatMap((i) => Array.from({ length: after.levels[i]! }, (_, l) => n + starts[i]! + l));
    expect(Array.from(touched.lists!)).toEqual([...ids, ...upper]);
    // The entries visited have their true checksums; the hidden changes were not looked at.
    for (const i of touched.nodes!) expect([sparse.nodes[2 * i], sparse.nodes[2 * i + 1]]).toEqual([full.nodes[2 * i], full.nodes[2 * i + 1]]);
    for (const k of touched.lists!) expect([sparse.lists[2 * k], sparse.lists[2 * k + 1]]).toEqual([full.lists[2 * k], full.lists[2 * k + 1]]);
    expect([sparse.nodes[2 * hidden], sparse.nodes[2 * hidden + 1]]).toEqual([sums.nodes[2 * hidden], sums.nodes[2 * hidden + 1]]);
    expect([sparse.lists[2 * hidden], sparse.lists[2 * hidden + 1]]).toEqual([sums.lists[2 * hidden], sums.lists[2 * hidden + 1]]);
    expect(full.nodes[2 * hidden]).not.toBe(sums.nodes[2 * hidden]);
    expect(full.lists[2 * hidden]).not.toBe(sums.lists[2 * hidden]);
    // Without marks or change records, every entry is hashed again (and nothing is listed as touched).
    const all = runStepsSync(checksumSteps(tampered, { before: sums, vectorsChanged: null, listsChanged: null }, new Pacer(), touched));
    expect(touched).toEqual({ nodes: null, lists: null });
    expect(all).toEqual(full);
  });

  it('deletes the superseded rows without opening the data files saved before, and loads back equal', () => {
    const pool = clustered(1300, DIM, 6, 23);
    const index = new HNSW(CONFIG);
    index.addBatch(pool.subarray(0, 1200 * DIM));
    const dir = path.join(root, 'no-opens');
    index.saveToLanceSync(dir);
    index.addBatch(pool.subarray(1200 * DIM, 1212 * DIM));
    index.saveToLanceSync(dir);
    // Two saves in: each dataset has the whole save's fragment and the first append's.
    const dataFiles = (name: string): string[] => nodeFs.readdirSync(path.join(dir, name, 'data')).map((f) => path.join(dir, name, 'data', f));
    const saved = new Set([...dataFiles('nodes.lance'), ...dataFiles('connections.lance')]);
    expect(saved.size).toBe(4);
    index.addBatch(pool.subarray(1212 * DIM, 1224 * DIM));
    index.update(5, pool.subarray(1250 * DIM, 1251 * DIM));
    const open = jest.spyOn(nodeFs, 'openSync');
    let result;
    try {
      result = index.saveToLanceSync(dir);
      const opened = open.mock.calls.map((c) => String(c[0]));
      expect(opened.filter((p) => saved.has(p))).toEqual([]);
    } finally {
      open.mockRestore();
    }
    expect(result).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 13, nodeRowsDeleted: 1 });
    expect(result.connectionRowsDeleted).toBeGreaterThan(0);
    // The spy does see those files opened when they are read: by a load.
    const reads = jest.spyOn(nodeFs, 'openSync');
    try {
      expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
      expect(reads.mock.calls.map((c) => String(c[0])).filter((p) => saved.has(p)).length).toBeGreaterThan(0);
    } finally {
      reads.mockRestore();
    }
  });
});

/**
 * Vector row sums kept by the index (`HNSW#rowSums`): the raw row-hash words of each vector,
 * computed as `add`, `addBatch` and `update` write it, so the first save of an index never saved or
 * loaded copies them instead of hashing every vector. A stale word would be a wrong checksum on
 * disk: each test compares the kept words with a fresh hash of the snapshot's rows (same words
 * for every id), checks that a save uses them only when they cover every id, and loads what
 * was saved with verification on (which recomputes every checksum from the rows read).
 */
import * as path from 'node:path';
import { HNSW, type HnswConfig, type HnswSnapshot } from '@vego/hnsw';
import { seededRandom } from '@vego/test-support';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import * as rowHash from '../src/internal/row-hash';
import { computeChecksums } from '../src/persistence/checksums';
import { vectorWords } from '../src/config';

let root: string;
beforeAll(() => {
  root = makeTempDir('vector-sums');
});
afterAll(() => removeDir(root));

/** The index's private sums, as the save sees them. */
interface Kept {
  rowSums: Uint32Array;
  rowSumsCount: number;
}
const kept = (index: HNSW): Kept => index as unknown as Kept;

/** Ids whose kept words differ from a fresh hash of the snapshot's row (every id below the kept count). */
function staleIds(index: HNSW): number[] {
  const { rowSums, rowSumsCount } = kept(index);
  const s = index.toSnapshot();
  const words = vectorWords(s.config);
  const bits = new Int32Array(s.vectors.buffer, s.vectors.byteOffset, s.vectors.length);
  const fresh = new Uint32Array(2 * s.numIds);
  rowHash.hashRowsTwin(bits, 0, words, words, s.numIds, fresh, 0);
  const out: number[] = [];
  for (let i = 0; i < rowSumsCount; i++) if (rowSums[2 * i] !== fresh[2 * i] || rowSums[2 * i + 1] !== fresh[2 * i + 1]) out.push(i);
  return out;
}

/** Vector rows (rows of `words` words) hashed while `run` runs, by either hashing path. */
function vectorRowsHashed(words: number, run: () => void): number {
  const copied = jest.spyOn(rowHash, 'hashRows');
  const inPlace = jest.spyOn(rowHash, 'hashRowsInPlace');
  try {
    run();
    let rows = 0;
    for (const call of [...copied.mock.calls, ...inPlace.mock.calls]) if (call[3] === words) rows += call[4];
    return rows;
  } finally {
    copied.mockRestore();
    inPlace.mockRestore();
  }
}

/** Checksums of a snapshot computed with the index's sums and without: every node's must agree. */
function expectSameChecksums(s: HnswSnapshot, sums: Uint32Array): void {
  const plain = computeChecksums(s);
  const withSums = computeChecksums({ ...s, vectorSums: sums });
  expect(Array.from(withSums.nodes)).toEqual(Array.from(plain.nodes));
  expect(Array.from(withSums.lists)).toEqual(Array.from(plain.lists));
}

const CASES: readonly [string, HnswConfig][] = [
  ['l2, dimension 16 (rows back to back in the vector memory)', { dimension: 16, M: 6, efConstruction: 32, seed: 3 }],
  ['cosine, dimension 12 (padded slots: rows hashed strided)', { dimension: 12, M: 6, efConstruction: 32, seed: 4, distance: 'cosine' }],
  ['sq8 in memory, dimension 24', { dimension: 24, M: 6, efConstruction: 32, seed: 5, quantization: 'sq8' }],
];

describe('vector row sums kept by the index', () => {
  it.each(CASES)('%s: add, addBatch, update and delete keep the words of every id; the first save hashes no vector and loads back', (name, config) => {
    const dim = config.dimension;
    const pool = clustered(900, dim, 6, 11);
    const index = new HNSW(config);
    for (let i = 0; i < 40; i++) index.add(pool.subarray(i * dim, (i + 1) * dim));
    index.addBatch(pool.subarray(40 * dim, 400 * dim));
    index.addBatch(pool.subarray(400 * dim, 600 * dim), { threads: 2 });
    const random = seededRandom(9);
    for (let k = 0; k < 30; k++) index.update(Math.floor(random() * 600), pool.subarray((600 + k) * dim, (601 + k) * dim));
    for (let k = 0; k < 20; k++) index.delete(k * 29);
    index.compact();
    expect(kept(index).rowSumsCount).toBe(600);
    expect(staleIds(index)).toEqual([]);
    expectSameChecksums(index.toSnapshot(), kept(index).rowSums);
    const dir = path.join(root, `built-${name.split(',')[0]}`);
    expect(vectorRowsHashed(vectorWords(index.toSnapshot().config), () => index.saveToLanceSync(dir))).toBe(0);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });

  it('binary vectors (hamming): the words of the packed rows, and the saved index loads back', async () => {
    const index = new HNSW({ dimension: 72, M: 6, efConstruction: 32, seed: 8, distance: 'hamming' });
    const random = seededRandom(21);
    const rows = Array.from({ length: 300 }, () => Uint8Array.from({ length: 9 }, () => Math.floor(random() * 256)));
    index.addBatch(rows.slice(0, 250));
    for (let i = 250; i < 300; i++) index.add(rows[i]!);
    index.update(17, rows[3]!);
    expect(kept(index).rowSumsCount).toBe(300);
    expect(staleIds(index)).toEqual([]);
    expectSameChecksums(index.toSnapshot(), kept(index).rowSums);
    const dir = path.join(root, 'binary');
    await index.saveToLance(dir);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });

  it('a batch refused halfway counts no row; adds after it keep the prefix', () => {
    const dim = 8;
    const pool = clustered(200, dim, 4, 12);
    const index = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 1 });
    index.addBatch(pool.subarray(0, 100 * dim));
    const bad = pool.slice(100 * dim, 180 * dim);
    bad[70 * dim + 3] = Number.NaN; // row 70 of the batch: rows 0–69 were prepared (and hashed) first
    expect(() => index.addBatch(bad)).toThrow(/vectors\[70\]/);
    expect(kept(index).rowSumsCount).toBe(100);
    index.addBatch(pool.subarray(100 * dim, 150 * dim));
    index.add(pool.subarray(150 * dim, 151 * dim));
    expect(kept(index).rowSumsCount).toBe(151);
    expect(staleIds(index)).toEqual([]);
  });

  it('an index restored or loaded keeps none (its saves hash every vector), and updates to it keep none', async () => {
    const dim = 8;
    const pool = clustered(300, dim, 4, 13);
    const built = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 2 });
    built.addBatch(pool.subarray(0, 200 * dim));
    const restored = HNSW.fromSnapshot(built.toSnapshot());
    restored.addBatch(pool.subarray(200 * dim, 250 * dim));
    restored.update(5, pool.subarray(260 * dim, 261 * dim));
    expect(kept(restored).rowSumsCount).toBe(0);
    const dir = path.join(root, 'restored');
    expect(vectorRowsHashed(dim, () => restored.saveToLanceSync(dir))).toBe(250);
    const loaded = HNSW.loadFromLanceSync(dir);
    expect(graphDifferences(restored, loaded)).toEqual([]);
    loaded.add(pool.subarray(270 * dim, 271 * dim));
    expect(kept(loaded).rowSumsCount).toBe(0);
    // An async whole save of a built index takes the words with its snapshot, updated while it waits.
    const again = path.join(root, 'built-async');
    const saving = built.saveToLance(again);
    built.update(7, pool.subarray(280 * dim, 281 * dim));
    await saving;
    expect(staleIds(built)).toEqual([]);
    const back = HNSW.loadFromLanceSync(again);
    expect(back.numIds).toBe(200);
    built.saveToLanceSync(again);
    expect(graphDifferences(built, HNSW.loadFromLanceSync(again))).toEqual([]);
  });
});

describe('rows hashed where they lie', () => {
  it('a synchronous save hashes layer-0 lists in the index memory, also after another thread grew it, with the checksums of a copy', () => {
    const dim = 16;
    const M = 6;
    const pool = clustered(1500, dim, 6, 14);
    const index = new HNSW({ dimension: dim, M, efConstruction: 32, seed: 6 });
    index.addBatch(pool, { threads: 2 });
    // As a worker thread reserving its search area does: the memory grows, the graph's views stay on the old buffer object.
    const graph = (index as unknown as { graph: { memory: { grow(pages: number): number; buffer: ArrayBufferLike }; links0: Int32Array } }).graph;
    graph.memory.grow(1);
    expect(graph.links0.buffer).not.toBe(graph.memory.buffer);
    const inPlace = jest.spyOn(rowHash, 'hashRowsInPlace');
    try {
      index.saveToLanceSync(path.join(root, 'in-place'));
      let rows = 0;
      for (const [place, words, , width, count] of inPlace.mock.calls) if (width === 1 + 2 * M && place !== null && words.buffer === place.memory.buffer) rows += count;
      expect(rows).toBe(1500);
    } finally {
      inPlace.mockRestore();
    }
    // The saved checksums are those of the snapshot's copies (the load verifies every one).
    const plain = computeChecksums(index.toSnapshot());
    const loaded = HNSW.loadFromLanceSync(path.join(root, 'in-place'));
    expect(graphDifferences(index, loaded)).toEqual([]);
    expect(Array.from(computeChecksums(loaded.toSnapshot()).lists)).toEqual(Array.from(plain.lists));
  });

  it('leaves the scratch region (visited tags, query slot) as it found it: searches after a save answer as before', () => {
    const dim = 32;
    const pool = clustered(2500, dim, 8, 15);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 40, seed: 7 });
    index.addBatch(pool.subarray(0, 2000 * dim));
    const queries = Array.from({ length: 20 }, (_, q) => pool.subarray((2000 + q) * dim, (2001 + q) * dim));
    const answers = (): string => JSON.stringify(queries.map((q) => index.search(q, 10, 50)));
    const before = answers();
    const graph = (index as unknown as { graph: { ownScratch(): { at: number; bytes: number } | null; memory: { buffer: ArrayBufferLike } } }).graph;
    const scratch = graph.ownScratch()!;
    expect(scratch.bytes).toBeGreaterThanOrEqual(16 * 8);
    const region = (): number[] => Array.from(new Uint8Array(graph.memory.buffer, scratch.at, scratch.bytes));
    const bytes = region();
    expect(bytes.some((b) => b !== 0)).toBe(true); // epoch stamps of the searches above
    const spy = jest.spyOn(rowHash, 'hashRowsInPlace');
    try {
      index.saveToLanceSync(path.join(root, 'scratch-kept'));
      // The save did hash in place, through this region.
      expect(spy.mock.calls.some(([place, , , , count]) => place !== null && place.at === scratch.at && count >= 16)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(region()).toEqual(bytes);
    expect(answers()).toBe(before);
  });
});

/**
 * A load reads the vectors straight from nodes.lance's data files into the index memory (checking
 * each chunk as it lands) whenever the rows are in id order: a whole save, and also a whole save
 * followed by incremental saves that only added ids (one fragment per save, each holding the next
 * ids). Only then: a dataset with deleted rows (updates) is scanned and copied as before. Either
 * way a changed byte in any fragment is caught, and named by its id.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, Dataset, HNSW } from '@vego/hnsw';
import * as loadNodes from '../src/persistence/load-nodes';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

const dim = 16;
let root: string;
beforeAll(() => {
  root = makeTempDir('direct-fragments');
});
afterAll(() => removeDir(root));
afterEach(() => jest.restoreAllMocks());

/** An index of 300 vectors saved whole, then three times more after 20 adds each: four fragments, no deletions. */
function savedInFragments(dir: string): HNSW {
  const pool = clustered(360, dim, 6, 5);
  const index = new HNSW({ dimension: dim, M: 6, efConstruction: 32, seed: 8 });
  index.addBatch(pool.subarray(0, 300 * dim));
  index.saveToLanceSync(dir, { durable: false });
  for (let s = 0; s < 3; s++) {
    index.addBatch(pool.subarray((300 + 20 * s) * dim, (320 + 20 * s) * dim));
    expect(index.saveToLanceSync(dir, { durable: false }).nodesRewritten).toBe(false);
  }
  return index;
}

/** The data files of nodes.lance at its latest version, in fragment order. */
function nodeFiles(dir: string): { path: string; hasDeletions: boolean }[] {
  const ds = Dataset.openSync(path.join(dir, 'nodes.lance'));
  try {
    return ds.fragmentFiles().map((f) => ({ path: f.paths[0]!, hasDeletions: f.hasDeletions }));
  } finally {
    ds.closeSync();
  }
}

describe('vectors read straight from several fragments', () => {
  it('loads an index saved whole and then after adds without scanning the vector column, sync and async', async () => {
    const dir = path.join(root, 'adds');
    const index = savedInFragments(dir);
    const files = nodeFiles(dir);
    expect(files.length).toBe(4);
    expect(files.some((f) => f.hasDeletions)).toBe(false);
    const copy = jest.spyOn(loadNodes, 'copyVectors');
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    expect(graphDifferences(index, await HNSW.loadFromLance(dir))).toEqual([]);
    expect(copy).not.toHaveBeenCalled();
  });

  it('scans and copies when a fragment has deleted rows (an update supersedes a node row)', () => {
    const dir = path.join(root, 'update');
    const index = savedInFragments(dir);
    index.update(5, clustered(1, dim, 1, 77));
    index.saveToLanceSync(dir, { durable: false });
    expect(nodeFiles(dir).some((f) => f.hasDeletions)).toBe(true);
    const copy = jest.spyOn(loadNodes, 'copyVectors');
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    expect(copy).toHaveBeenCalled();
  });

  it.each([
    ['the first fragment', 0, 123],
    ['a later fragment', 2, 331],
  ])('names the id of a changed vector byte in %s', (_, fragment, id) => {
    const dir = path.join(root, `corrupt-${fragment}`);
    const index = savedInFragments(dir);
    const file = nodeFiles(dir)[fragment]!.path;
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(Buffer.from(index.get(id).buffer));
    expect(at).toBeGreaterThan(0);
    bytes[at + 4 * 3 + 1]! ^= 0x20; // a low mantissa byte of component 3: still finite
    fs.writeFileSync(file, bytes);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(new RegExp(`\\(id ${id}\\) checksum`));
    // A non-finite component is refused even when checksums are not verified.
    bytes.writeFloatLE(Number.NaN, at + 4 * 5);
    fs.writeFileSync(file, bytes);
    expect(() => HNSW.loadFromLanceSync(dir, { verifyChecksums: false })).toThrow(new RegExp(`vector of id ${id} component 5: expected a finite number`));
  });
});

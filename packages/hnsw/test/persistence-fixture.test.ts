/**
 * Saved indexes committed to the repository (format versions 1, 2 and 3, written by
 * fixtures/make-saved-v1.cjs, make-saved-v2.cjs and make-saved-v3.cjs from the same history): later
 * builds must keep loading them, verifying each with its own checksums, and answering as they did.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, Dataset, HNSW, LANCE_FORMAT_VERSION, loadHNSWFromLance } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

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

  it('verifies its version 1 node checksums: a changed byte in a stored vector is CorruptDataError', () => {
    const root = makeTempDir('fixture-v1');
    try {
      const dir = path.join(root, 'copy');
      fs.cpSync(FIXTURE, dir, { recursive: true });
      // Id 42's vector as stored (never updated): find its bytes in the nodes data files and change one.
      const pool = clustered(205, 8, 4, 101);
      const needle = Buffer.from(pool.buffer, pool.byteOffset + 42 * 8 * 4, 8 * 4);
      const dataDir = path.join(dir, 'nodes.lance', 'data');
      let changed = 0;
      for (const name of fs.readdirSync(dataDir)) {
        const file = path.join(dataDir, name);
        const bytes = fs.readFileSync(file);
        const at = bytes.indexOf(needle);
        if (at < 0) continue;
        bytes[at + 13] ^= 0x04;
        fs.writeFileSync(file, bytes);
        changed++;
      }
      expect(changed).toBe(1);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/nodes\.lance .*id 42\) checksum/);
    } finally {
      removeDir(root);
    }
  });

  it('is saved whole in the current format version by the first save of an index loaded from it', () => {
    const root = makeTempDir('fixture-v1-save');
    try {
      const dir = path.join(root, 'copy');
      fs.cpSync(FIXTURE, dir, { recursive: true });
      const index = HNSW.loadFromLanceSync(dir);
      index.delete(3);
      const result = index.saveToLanceSync(dir);
      expect(result).toMatchObject({ nodesRewritten: true, connectionsRewritten: true, nodeRowsWritten: 200 });
      const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
      expect(meta.takeSync([meta.countRows() - 1]).column('format_version').get(0)).toBe(LANCE_FORMAT_VERSION);
      expect(LANCE_FORMAT_VERSION).toBe(3);
      const back = HNSW.loadFromLanceSync(dir);
      expect(graphDifferences(index, back)).toEqual([]);
      // And the next save is incremental again (checksums of the current version).
      back.delete(4);
      expect(back.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false, nodeRowsWritten: 1 });
      expect(graphDifferences(back, HNSW.loadFromLanceSync(dir))).toEqual([]);
    } finally {
      removeDir(root);
    }
  });
});

describe('saved index fixture, format version 2', () => {
  const fixture = path.join(__dirname, 'fixtures', 'saved-v2');
  const expectedV2 = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'saved-v2-expected.json'), 'utf8')) as typeof expected;

  it('loads and answers the recorded queries exactly (as the version 1 fixture of the same history does)', () => {
    const index = HNSW.loadFromLanceSync(fixture);
    const meta = Dataset.openSync(path.join(fixture, 'metadata.lance'));
    expect(meta.takeSync([meta.countRows() - 1]).column('format_version').get(0)).toBe(2);
    expect([index.numIds, index.size]).toEqual([expectedV2.numIds, expectedV2.size]);
    expect(expectedV2.answers).toEqual(expected.answers);
    const queries = clustered(5, 8, 4, 102);
    for (let q = 0; q < 5; q++) expect(index.search(queries.subarray(q * 8, (q + 1) * 8), 10, 32)).toEqual(expectedV2.answers[q]);
  });

  it('verifies its version 2 node checksums: a changed byte in a stored vector is CorruptDataError', () => {
    const root = makeTempDir('fixture-v2');
    try {
      const dir = path.join(root, 'copy');
      fs.cpSync(fixture, dir, { recursive: true });
      const pool = clustered(205, 8, 4, 101);
      const needle = Buffer.from(pool.buffer, pool.byteOffset + 42 * 8 * 4, 8 * 4);
      const dataDir = path.join(dir, 'nodes.lance', 'data');
      let changed = 0;
      for (const name of fs.readdirSync(dataDir)) {
        const file = path.join(dataDir, name);
        const bytes = fs.readFileSync(file);
        const at = bytes.indexOf(needle);
        if (at < 0) continue;
        bytes[at + 5] ^= 0x10;
        fs.writeFileSync(file, bytes);
        changed++;
      }
      expect(changed).toBe(1);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/nodes\.lance .*id 42\) checksum/);
      expect(HNSW.loadFromLanceSync(dir, { verifyChecksums: false }).numIds).toBe(200);
    } finally {
      removeDir(root);
    }
  });

  it('is rewritten whole in format version 3 (fixed-width link rows) by the first save to it, and loads back equal', () => {
    const root = makeTempDir('fixture-v2-save');
    try {
      const dir = path.join(root, 'copy');
      fs.cpSync(fixture, dir, { recursive: true });
      const index = HNSW.loadFromLanceSync(dir);
      expect(index.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true, connectionsRewritten: true, nodeRowsWritten: 200 });
      const conns = Dataset.openSync(path.join(dir, 'connections.lance'));
      expect(conns.schema.field('neighbours')).toBeNull();
      expect(conns.schema.field('links')!.type.toString()).toBe('FixedSizeList<Int32>[17]');
      const back = HNSW.loadFromLanceSync(dir);
      expect(graphDifferences(index, back)).toEqual([]);
      const queries = clustered(5, 8, 4, 102);
      for (let q = 0; q < 5; q++) expect(back.search(queries.subarray(q * 8, (q + 1) * 8), 10, 32)).toEqual(expectedV2.answers[q]);
    } finally {
      removeDir(root);
    }
  });
});

describe('saved index fixture, format version 3', () => {
  const fixture = path.join(__dirname, 'fixtures', 'saved-v3');
  const expectedV3 = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'saved-v3-expected.json'), 'utf8')) as typeof expected;

  it('loads (two fragments per dataset: the links column scanned) and answers the recorded queries exactly, as the older fixtures of the same history do', async () => {
    const meta = Dataset.openSync(path.join(fixture, 'metadata.lance'));
    expect(meta.takeSync([meta.countRows() - 1]).column('format_version').get(0)).toBe(3);
    expect(expectedV3.answers).toEqual(expected.answers);
    const queries = clustered(5, 8, 4, 102);
    for (const index of [HNSW.loadFromLanceSync(fixture), await HNSW.loadFromLance(fixture)]) {
      expect([index.numIds, index.size]).toEqual([expectedV3.numIds, expectedV3.size]);
      for (let q = 0; q < 5; q++) expect(index.search(queries.subarray(q * 8, (q + 1) * 8), 10, 32)).toEqual(expectedV3.answers[q]);
      expect(graphDifferences(index, HNSW.loadFromLanceSync(path.join(__dirname, 'fixtures', 'saved-v2')))).toEqual([]);
    }
  });

  it('verifies its version 3 list checksums: a changed neighbour id (still a valid id) is CorruptDataError', () => {
    const root = makeTempDir('fixture-v3');
    try {
      const dir = path.join(root, 'copy');
      fs.cpSync(fixture, dir, { recursive: true });
      const index = HNSW.loadFromLanceSync(fixture);
      const snap = index.toSnapshot();
      // Node 42's layer-0 row as stored (its 17 words occur once in the data files).
      const width = 1 + 2 * 8;
      const row = snap.links0.slice(42 * width, 43 * width);
      const needle = Buffer.from(row.buffer);
      const dataDir = path.join(dir, 'connections.lance', 'data');
      let changed = 0;
      for (const name of fs.readdirSync(dataDir)) {
        const file = path.join(dataDir, name);
        const bytes = fs.readFileSync(file);
        const at = bytes.indexOf(needle);
        if (at < 0) continue;
        let other = 0;
        while (other === 42 || Array.from(row.subarray(1, 1 + row[0]!)).includes(other)) other++;
        bytes.writeInt32LE(other, at + 4);
        fs.writeFileSync(file, bytes);
        changed++;
      }
      expect(changed).toBe(1);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/connections\.lance version 2 row \d+ \(node 42, layer 0\) checksum/);
      expect(graphDifferences(index, HNSW.loadFromLanceSync(dir, { verifyChecksums: false })).length).toBeGreaterThan(0);
    } finally {
      removeDir(root);
    }
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptDataError, HNSW, InvalidArgumentError, LanceFileReader, NotFoundError, NotSupportedError } from '@vego/hnsw';
import { SIFT_DIR, clustered, readFvecs, readIvecs } from './fixtures/data';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vego-sq8-disk-'));
}

function row(data: Float32Array, dim: number, i: number): Float32Array {
  return data.subarray(i * dim, (i + 1) * dim);
}

describe("codes-only SQ8 (loadFromLance(dir, { vectors: 'disk' }))", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  describe('on SIFT-9k', () => {
    const base = readFvecs(path.join(SIFT_DIR, 'base.fvecs'));
    const query = readFvecs(path.join(SIFT_DIR, 'query.fvecs'));
    const truth = readIvecs(path.join(SIFT_DIR, 'groundtruth.ivecs'));
    const dim = base.dimension;
    let memory: HNSW;
    let disk: HNSW;
    let float: HNSW;
    beforeAll(() => {
      const dir = tempDir();
      dirs.push(dir);
      memory = new HNSW({ dimension: dim, M: 16, efConstruction: 100, seed: 7, quantization: 'sq8' });
      memory.addBatch(base.data);
      memory.saveToLanceSync(dir);
      disk = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
      float = HNSW.loadFromLanceSync(dir);
    });

    it('holds(id, vector) compares with the float vector read from the dataset', () => {
      const row = (i: number): Float32Array => base.data.subarray(i * dim, (i + 1) * dim);
      expect([disk.holds(5, row(5)), disk.holds(5, row(6)), float.holds(5, row(5))]).toEqual([true, false, true]);
    });

    it('holds no float vector per node: byteLength under 0.45x the float index', () => {
      expect(disk.byteLength).toBeLessThan(0.45 * float.byteLength);
      expect(disk.size).toBe(memory.size);
    });

    it('answers exactly as the in-memory SQ8 index (same codes, same walk, float re-rank from disk)', () => {
      for (let i = 0; i < 60; i++) {
        const q = row(query.data, dim, i);
        expect(disk.search(q, 10, 64)).toEqual(memory.search(q, 10, 64));
      }
    });

    it('reaches recall@10 >= 0.99 after re-ranking at ef=96, with exact float distances', () => {
      const l2 = (id: number, qi: number): number => {
        let s = 0;
        for (let c = 0; c < dim; c++) {
          const d = base.data[id * dim + c]! - query.data[qi * dim + c]!;
          s += d * d;
        }
        return s;
      };
      let hits = 0;
      const numQueries = 200;
      for (let i = 0; i < numQueries; i++) {
        const kth = l2(truth[i]![9]!, i);
        const results = disk.search(row(query.data, dim, i), 10, 96);
        expect(results).toHaveLength(10);
        for (const r of results) {
          expect(r.distance).toBeCloseTo(l2(r.id, i), 0);
          if (r.distance <= kth) hits++;
        }
      }
      expect(hits / (numQueries * 10)).toBeGreaterThanOrEqual(0.99);
    });

    it('searchExact and get read the float vectors from the dataset', () => {
      for (let i = 0; i < 5; i++) {
        const q = row(query.data, dim, i);
        expect(disk.searchExact(q, 10)).toEqual(float.searchExact(q, 10));
        expect(disk.searchExact(q, 5, { filter: (id) => id % 3 === 0 })).toEqual(float.searchExact(q, 5, { filter: (id) => id % 3 === 0 }));
      }
      for (const id of [0, 17, 4321, base.length - 1]) expect(disk.get(id)).toEqual(float.get(id));
    });

    it('filtered search returns only accepted ids, re-ranked', () => {
      const q = row(query.data, dim, 3);
      const accept = (id: number): boolean => id % 7 === 0;
      const hits = disk.search(q, 10, { ef: 64, filter: accept });
      expect(hits).toHaveLength(10);
      for (const h of hits) expect(accept(h.id)).toBe(true);
      const truthIds = new Set(float.searchExact(q, 10, { filter: accept }).map((h) => h.id));
      expect(hits.filter((h) => truthIds.has(h.id)).length).toBeGreaterThanOrEqual(9);
    });
  });

  it('adds, updates and deletes after the load; saves to its folder and reloads identically', () => {
    const dim = 24;
    const data = clustered(1300, dim, 10, 21);
    const dir = tempDir();
    dirs.push(dir);
    const built = new HNSW({ dimension: dim, M: 8, efConstruction: 64, seed: 3, quantization: 'sq8' });
    built.addBatch(data.subarray(0, 1000 * dim));
    built.saveToLanceSync(dir);
    const disk = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
    // A float twin doing the same: searchExact of both must agree at every step.
    const twin = HNSW.loadFromLanceSync(dir);
    const bytesLoaded = disk.byteLength;
    const added = disk.addBatch(data.subarray(1000 * dim, 1200 * dim));
    expect(twin.addBatch(data.subarray(1000 * dim, 1200 * dim))).toEqual(added);
    expect(disk.add(row(data, dim, 1200))).toBe(twin.add(row(data, dim, 1200)));
    expect(disk.byteLength).toBeGreaterThan(bytesLoaded); // the new floats are kept until a save
    disk.update(5, row(data, dim, 1250));
    twin.update(5, row(data, dim, 1250));
    for (let id = 0; id < 1201; id += 4) {
      disk.delete(id);
      twin.delete(id);
    }
    expect(() => disk.get(0)).toThrow(NotFoundError);
    expect(disk.get(5)).toEqual(twin.get(5));
    expect(disk.get(1101)).toEqual(twin.get(1101));
    const check = (index: HNSW): void => {
      for (let t = 0; t < 20; t++) {
        const q = row(data, dim, 1201 + t * 4);
        const exact = twin.searchExact(q, 10);
        expect(index.searchExact(q, 10)).toEqual(exact);
        const hits = index.search(q, 10, 64);
        expect(hits).toHaveLength(10);
        for (const h of hits) expect(h.id % 4 === 0 && h.id <= 1200).toBe(false);
        expect(hits.filter((h) => exact.some((e) => e.id === h.id)).length).toBeGreaterThanOrEqual(9);
      }
      // The updated vector is found at distance 0; an added one too.
      expect(index.search(row(data, dim, 1250), 1, 32)[0]).toEqual({ id: 5, distance: 0 });
      expect(index.search(row(data, dim, 1101), 1, 32)[0]).toEqual({ id: 1101, distance: 0 });
    };
    check(disk);
    disk.compact();
    check(disk);
    const beforeSave = disk.byteLength;
    disk.saveToLanceSync(dir);
    // The 202 kept vectors (201 added, 1 updated) are dropped: read from the new version now (whose
    // rows are no longer in id order: a row map of 4 bytes per id replaces them).
    expect(beforeSave - disk.byteLength).toBeGreaterThanOrEqual(202 * dim * 4 - 1201 * 4);
    check(disk);
    // The incremental save appended a fragment: rows are taken through the dataset, not read directly.
    const spy = jest.spyOn(LanceFileReader.prototype, 'readFixedSizeListRowsIntoSync');
    let again: HNSW;
    try {
      again = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
      check(again);
      expect(spy.mock.results.some((r) => r.value === true)).toBe(false);
    } finally {
      spy.mockRestore();
    }
    const floats = HNSW.loadFromLanceSync(dir);
    for (const id of [1, 5, 1101, 1199]) expect(floats.get(id)).toEqual(twin.get(id));
    expect(floats.size).toBe(twin.size);
  });

  // Found by the model-based test: a change made right after the call (before the save's first
  // await settled) counted as saved, so the index dropped its kept copy of the updated vector and
  // read the saved, older one from then on: get and searches answered with the stale vector.
  it('an update made while an async save to its own folder runs is not lost (get, searchExact, the next save)', async () => {
    const dim = 12;
    const data = clustered(40, dim, 3, 501);
    const dir = tempDir();
    dirs.push(dir);
    const built = new HNSW({ dimension: dim, M: 4, efConstruction: 20, quantization: 'sq8' });
    built.addBatch(data);
    built.saveToLanceSync(dir);
    const index = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
    const added = Float32Array.from({ length: dim }, (_, i) => i / 4);
    const moved = Float32Array.from({ length: dim }, (_, i) => -i / 2);
    const id = index.add(added);
    const saving = index.saveToLance(dir);
    index.update(id, moved);
    index.update(3, moved);
    await saving;
    expect(index.get(id)).toEqual(moved);
    expect(index.get(3)).toEqual(moved);
    expect(index.searchExact(moved, 1)[0]).toEqual({ id: 3, distance: 0 });
    // The save holds the state of its call; the next one holds the updates.
    const before = HNSW.loadFromLanceSync(dir);
    expect(before.get(id)).toEqual(added);
    expect(before.get(3)).toEqual(row(data, dim, 3));
    index.saveToLanceSync(dir);
    const after = HNSW.loadFromLanceSync(dir);
    expect(after.get(id)).toEqual(moved);
    expect(after.get(3)).toEqual(moved);
  });

  it('saves elsewhere (the whole column read from disk), and loads asynchronously', async () => {
    const dim = 16;
    const data = clustered(600, dim, 6, 8);
    const dir = tempDir();
    const other = tempDir();
    dirs.push(dir, other);
    const built = new HNSW({ dimension: dim, M: 8, efConstruction: 48, distance: 'cosine', quantization: 'sq8' });
    built.addBatch(data);
    await built.saveToLance(dir);
    const disk = await HNSW.loadFromLance(dir, { vectors: 'disk' });
    const q = row(data, dim, 33);
    expect(disk.search(q, 10, 48)).toEqual(built.search(q, 10, 48));
    disk.add(row(data, dim, 5));
    await disk.saveToLance(other);
    const copy = HNSW.loadFromLanceSync(other);
    expect(copy.get(600)).toEqual(built.get(5));
    expect(copy.get(100)).toEqual(built.get(100));
    expect(disk.get(600)).toEqual(built.get(5)); // still kept: that save went elsewhere
  });

  it('refuses what it cannot do with typed errors', () => {
    const dim = 8;
    const data = clustered(200, dim, 4, 2);
    const dir = tempDir();
    const plain = tempDir();
    dirs.push(dir, plain);
    const sq8 = new HNSW({ dimension: dim, M: 8, efConstruction: 32, quantization: 'sq8' });
    sq8.addBatch(data);
    sq8.saveToLanceSync(dir);
    const float = new HNSW({ dimension: dim, M: 8, efConstruction: 32 });
    float.addBatch(data);
    float.saveToLanceSync(plain);
    expect(() => HNSW.loadFromLanceSync(plain, { vectors: 'disk' })).toThrow(InvalidArgumentError);
    expect(() => HNSW.loadFromLanceSync(dir, { vectors: 'ram' as never })).toThrow(InvalidArgumentError);
    const disk = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
    expect(() => disk.addBatch(data.subarray(0, 10 * dim), { threads: 2 })).toThrow(NotSupportedError);
    expect(disk.numIds).toBe(200);
  });

  // A fresh save is one data file of plain pages: its rows are read straight into a reused
  // buffer by positioned reads (LanceFileReader.readFixedSizeListRowsIntoSync), at any dimension.
  it.each([8, 64])('checks every streamed vector against its checksum (%i-d, rows read directly)', (dim) => {
    const data = clustered(100, dim, 4, 5);
    const dir = tempDir();
    dirs.push(dir);
    const sq8 = new HNSW({ dimension: dim, M: 8, efConstruction: 32, quantization: 'sq8' });
    sq8.addBatch(data);
    sq8.saveToLanceSync(dir);
    const spy = jest.spyOn(LanceFileReader.prototype, 'readFixedSizeListRowsIntoSync');
    try {
      const disk = HNSW.loadFromLanceSync(dir, { vectors: 'disk' });
      const q = row(data, dim, 7);
      expect(disk.search(q, 10, 32)).toEqual(sq8.search(q, 10, 32));
      expect(disk.get(42)).toEqual(sq8.get(42));
      expect(spy.mock.results.some((r) => r.value === true)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    // Flip one byte of a vector in the nodes data file (vectors are its largest run of floats).
    const dataDir = path.join(dir, 'nodes.lance', 'data');
    const file = path.join(dataDir, fs.readdirSync(dataDir)[0]!);
    const bytes = fs.readFileSync(file);
    const needle = Buffer.from(data.buffer, data.byteOffset + 50 * dim * 4, dim * 4);
    const at = bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    bytes[at + 5] = bytes[at + 5]! ^ 0x10;
    fs.writeFileSync(file, bytes);
    expect(() => HNSW.loadFromLanceSync(dir, { vectors: 'disk' })).toThrow(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(dir, { vectors: 'disk', verifyChecksums: false })).not.toThrow();
  });
});

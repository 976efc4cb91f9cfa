import {
  CosineDistance,
  ErrorCode,
  HNSW,
  InvalidArgumentError,
  InnerProductDistance,
  L2Distance,
  adaptiveEfConstruction,
  adaptiveM,
  isVegoError,
} from '@vego/hnsw';
import { type Metric, bruteForce, clustered, seeded } from './fixtures/data';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isVegoError(e) ? e.code : `not a VegoError: ${String(e)}`;
  }
  return undefined;
}

function row(data: Float32Array, dim: number, i: number): Float32Array {
  return data.subarray(i * dim, (i + 1) * dim);
}

describe('HNSW configuration', () => {
  it('resolves defaults', () => {
    const index = new HNSW({ dimension: 8 });
    expect(index.config).toEqual({ dimension: 8, M: 16, efConstruction: 200, distance: 'l2', seed: 42, adaptive: false, expectedSize: 10000, repairThreshold: 0.2, repair: 'deferred', quantization: 'none' });
  });

  it('picks M from the dimension and efConstruction from the expected size when adaptive', () => {
    expect([adaptiveM(128), adaptiveM(129), adaptiveM(512), adaptiveM(1024), adaptiveM(1536)]).toEqual([16, 24, 24, 32, 48]);
    expect([adaptiveEfConstruction(1000), adaptiveEfConstruction(10_000), adaptiveEfConstruction(100_000), adaptiveEfConstruction(1_000_000)]).toEqual([200, 200, 520, 780]);
    expect(adaptiveEfConstruction(10_000_000)).toBe(1040);
    expect(adaptiveEfConstruction(50_000_000)).toBe(1040);
    const index = new HNSW({ dimension: 768, adaptive: true, expectedSize: 100_000 });
    expect(index.config.M).toBe(32);
    expect(index.config.efConstruction).toBe(520);
    expect(new HNSW({ dimension: 768, adaptive: true, M: 12 }).config.M).toBe(12);
  });

  it('rejects bad options with INVALID_ARGUMENT naming the option', () => {
    expect(codeOf(() => new HNSW({ dimension: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(() => new HNSW({ dimension: 1.5 })).toThrow(/`dimension`/);
    expect(() => new HNSW({ dimension: 4, M: 1 })).toThrow(/`M`/);
    expect(() => new HNSW({ dimension: 4, efConstruction: 0 })).toThrow(/`efConstruction`/);
    expect(() => new HNSW({ dimension: 4, distance: 'hamming' as never })).toThrow(/`distance`/);
    expect(() => new HNSW({ dimension: 4, seed: -1 })).toThrow(/`seed`/);
    expect(() => new HNSW({ dimension: 4, adaptive: true, expectedSize: 0 })).toThrow(/`expectedSize`/);
  });

  it('exports the metric names as constants', () => {
    expect([L2Distance, CosineDistance, InnerProductDistance]).toEqual(['l2', 'cosine', 'innerProduct']);
  });
});

describe('HNSW basics', () => {
  it('returns [] on an empty index and everything when k exceeds the size', () => {
    const index = new HNSW({ dimension: 2 });
    expect(index.search([0, 0], 5)).toEqual([]);
    index.add([1, 0]);
    index.add([0, 2]);
    index.add([3, 3]);
    const all = index.search([0, 0], 10);
    expect(all.map((r) => r.id)).toEqual([0, 1, 2]);
    expect(all.map((r) => r.distance)).toEqual([1, 4, 18]);
  });

  it('assigns consecutive ids and copies vectors in and out', () => {
    const index = new HNSW({ dimension: 3 });
    const v = new Float32Array([1, 2, 3]);
    expect(index.add(v)).toBe(0);
    v[0] = 100;
    expect(Array.from(index.get(0))).toEqual([1, 2, 3]);
    const copy = index.get(0);
    copy[1] = -5;
    expect(Array.from(index.get(0))).toEqual([1, 2, 3]);
    expect(index.addBatch([[4, 5, 6], [7, 8, 9]])).toEqual([1, 2]);
    expect(index.addBatch(new Float32Array([0, 0, 1, 0, 1, 0]))).toEqual([3, 4]);
    expect(index.size).toBe(5);
    expect(index.numIds).toBe(5);
  });

  it('throws typed errors on bad input', () => {
    const index = new HNSW({ dimension: 3 });
    index.add([1, 2, 3]);
    expect(codeOf(() => index.add([1, 2]))).toBe(ErrorCode.LENGTH_MISMATCH);
    expect(codeOf(() => index.add([1, NaN, 2]))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => index.add([1, Infinity, 2]))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => index.add([1, 2, 1e39]))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => index.search([1, 2, 3], 0))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(() => index.search([1, 2, 3], 0)).toThrow('`k` must be a positive integer, got 0');
    expect(codeOf(() => index.search([1, 2, 3], 1.5))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => index.search([1, 2, 3], 1, 0))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => index.search([1, 2], 1))).toBe(ErrorCode.LENGTH_MISMATCH);
    expect(codeOf(() => index.search([1, 2, -Infinity], 1))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(codeOf(() => index.get(1))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => index.get(-1))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => index.update(7, [1, 1, 1]))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => index.delete(3))).toBe(ErrorCode.NOT_FOUND);
    index.delete(0);
    expect(codeOf(() => index.delete(0))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => index.get(0))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => index.update(0, [1, 1, 1]))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => index.addBatch([[1, 2, 3], [1, 2]]))).toBe(ErrorCode.LENGTH_MISMATCH);
    expect(index.numIds).toBe(1);
    expect(codeOf(() => index.addBatch([[1, 2, 3]], { threads: 0 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    const cosine = new HNSW({ dimension: 3, distance: 'cosine' });
    expect(codeOf(() => cosine.add([0, 0, 0]))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(() => cosine.add([0, 0, 0])).toThrow(/zero vector/);
  });

  it('a rejected batch (rows prepared in place past the last node) leaves the index answering as before', () => {
    const dim = 10;
    const data = clustered(300, dim, 4, 13);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 40, seed: 5 });
    const twin = new HNSW({ dimension: dim, M: 8, efConstruction: 40, seed: 5 });
    index.addBatch(data.subarray(0, 100 * dim));
    twin.addBatch(data.subarray(0, 100 * dim));
    const bad = data.slice(100 * dim, 200 * dim);
    bad[150 * dim - 100 * dim + 3] = NaN; // row 50 of the batch
    expect(() => index.addBatch(bad)).toThrow('`vectors[50]` must hold finite numbers, got NaN at component 3');
    expect(() => index.addBatch([row(data, dim, 100), [1, 2]])).toThrow('`vectors[1]` must have 10 components');
    expect(index.numIds).toBe(100);
    // The slots the rejected rows were written to are overwritten by the next adds.
    expect(index.addBatch(data.subarray(200 * dim, 300 * dim))).toEqual(twin.addBatch(data.subarray(200 * dim, 300 * dim)));
    for (let i = 0; i < 100; i++) expect(index.get(100 + i)).toEqual(twin.get(100 + i));
    for (let t = 0; t < 10; t++) expect(index.search(row(data, dim, t * 29), 5, 32)).toEqual(twin.search(row(data, dim, t * 29), 5, 32));
  });

  it('normalises once under cosine and reports 1 - cos', () => {
    const index = new HNSW({ dimension: 2, distance: 'cosine' });
    index.add([3, 4]);
    index.add([-1, 0]);
    expect(Array.from(index.get(0))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    const [hit] = index.search([6, 8], 1);
    expect(hit!.id).toBe(0);
    expect(hit!.distance).toBeCloseTo(0, 6);
    expect(index.search([1, 0], 2)[1]!.distance).toBeCloseTo(2, 6);
  });

  it('reports 1 - dot under inner product', () => {
    const index = new HNSW({ dimension: 2, distance: 'innerProduct' });
    index.add([1, 2]);
    index.add([10, 0]);
    const hits = index.search([1, 1], 2);
    expect(hits.map((h) => h.id)).toEqual([1, 0]);
    expect(hits.map((h) => h.distance)).toEqual([-9, -2]);
  });
});

describe('HNSW recall per metric', () => {
  const dim = 24;
  const n = 3000;
  const all = clustered(n + 100, dim, 30, 1);
  const data = all.subarray(0, n * dim);
  const queries = all.subarray(n * dim);

  it.each<Metric>(['l2', 'cosine', 'innerProduct'])('finds the true neighbours under %s', (metric) => {
    const index = new HNSW({ dimension: dim, distance: metric, M: 12, efConstruction: 100 });
    index.addBatch(data);
    let hits = 0;
    for (let i = 0; i < 100; i++) {
      const q = row(queries, dim, i);
      const truth = bruteForce(metric, data, dim, q, 10);
      const kth = truth[9]!.distance;
      const got = index.search(q, 10, 80);
      expect(got).toHaveLength(10);
      for (let j = 1; j < got.length; j++) expect(got[j]!.distance).toBeGreaterThanOrEqual(got[j - 1]!.distance);
      for (const r of got) if (r.distance <= kth + 1e-5) hits++;
    }
    expect(hits / 1000).toBeGreaterThanOrEqual(metric === 'innerProduct' ? 0.9 : 0.97);
  });
});

describe('HNSW delete, update, filter', () => {
  const dim = 16;
  const n = 2000;
  const all = clustered(n + 50, dim, 20, 3);
  const data = all.subarray(0, n * dim);
  const queries = all.subarray(n * dim);

  it('never returns deleted ids and keeps recall through tombstones and after compact()', () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 100 });
    index.addBatch(data);
    const rand = seeded(5);
    const gone = new Set<number>();
    while (gone.size < n / 2) {
      const id = Math.floor(rand() * n);
      if (!gone.has(id)) {
        gone.add(id);
        index.delete(id);
      }
    }
    expect(index.size).toBe(n - gone.size);
    const check = (): number => {
      let hits = 0;
      for (let i = 0; i < 50; i++) {
        const q = row(queries, dim, i);
        const truth = bruteForce('l2', data, dim, q, 10, (id) => !gone.has(id));
        const got = index.search(q, 10, 64);
        expect(got).toHaveLength(10);
        for (const r of got) {
          expect(gone.has(r.id)).toBe(false);
          if (r.distance <= truth[9]!.distance + 1e-4) hits++;
        }
      }
      return hits / 500;
    };
    expect(check()).toBeGreaterThanOrEqual(0.95);
    index.compact();
    expect(check()).toBeGreaterThanOrEqual(0.95);
    expect(index.size).toBe(n - gone.size);
  });

  it('returns exactly k matching ids when the filter selects 1% of points', () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 100 });
    index.addBatch(data);
    const accept = (id: number): boolean => id % 100 === 7;
    for (let i = 0; i < 20; i++) {
      const q = row(queries, dim, i);
      const got = index.search(q, 10, { ef: 32, filter: accept });
      expect(got).toHaveLength(10);
      expect(got.every((r) => accept(r.id))).toBe(true);
      expect(got.map((r) => r.id)).toEqual(bruteForce('l2', data, dim, q, 10, accept).map((r) => r.id));
    }
  });

  it('filters during the walk at moderate selectivity and skips deleted ids', () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 100 });
    index.addBatch(data);
    for (let id = 0; id < n; id += 3) index.delete(id);
    const accept = (id: number): boolean => id % 2 === 0;
    let hits = 0;
    for (let i = 0; i < 30; i++) {
      const q = row(queries, dim, i);
      const truth = bruteForce('l2', data, dim, q, 10, (id) => accept(id) && id % 3 !== 0);
      const got = index.search(q, 10, { ef: 64, filter: accept });
      expect(got).toHaveLength(10);
      for (const r of got) {
        expect(accept(r.id) && r.id % 3 !== 0).toBe(true);
        if (r.distance <= truth[9]!.distance + 1e-4) hits++;
      }
    }
    expect(hits / 300).toBeGreaterThanOrEqual(0.95);
    expect(index.search(row(queries, dim, 0), 5, { filter: () => false })).toEqual([]);
  });

  it('filterBits: a bitset gives what the same filter as a function gives, in the walk and in the exact fallback', () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 100 });
    index.addBatch(data);
    for (let id = 0; id < n; id += 5) index.delete(id);
    const bitsOf = (accept: (id: number) => boolean): Uint32Array => {
      const bits = new Uint32Array((n + 31) >>> 5);
      for (let id = 0; id < n; id++) if (accept(id)) bits[id >>> 5]! |= 1 << (id & 31);
      return bits;
    };
    // 50 % (the walk), 1 % (the walk gives up: exact over the set bits), and ids 31/32/63 at word edges.
    for (const accept of [(id: number) => id % 2 === 0, (id: number) => id % 100 === 7, (id: number) => id % 32 === 31 || id % 32 === 0]) {
      const bits = bitsOf(accept);
      for (let i = 0; i < 20; i++) {
        const q = row(queries, dim, i);
        const byFunction = index.search(q, 10, { ef: 64, filter: accept });
        const byBits = index.search(q, 10, { ef: 64, filterBits: bits });
        expect(byBits).toEqual(byFunction);
        expect(byBits.every((r) => accept(r.id) && r.id % 5 !== 0)).toBe(true);
        // Both together: an id must pass both.
        const both = index.search(q, 10, { ef: 64, filterBits: bits, filter: (id) => id < n / 2 });
        expect(both.every((r) => accept(r.id) && r.id < n / 2 && r.id % 5 !== 0)).toBe(true);
        expect(index.searchExact(q, 10, { filterBits: bits })).toEqual(index.searchExact(q, 10, { filter: accept }));
      }
    }
    expect(index.search(row(queries, dim, 0), 5, { filterBits: new Uint32Array((n + 31) >>> 5) })).toEqual([]);
  });

  it('filterBits must be a Uint32Array with a word for every assigned id', () => {
    const index = new HNSW({ dimension: dim });
    index.addBatch(data.subarray(0, 65 * dim));
    const q = row(queries, dim, 0);
    expect(() => index.search(q, 5, { filterBits: new Uint32Array(2) })).toThrow(InvalidArgumentError);
    expect(() => index.searchExact(q, 5, { filterBits: new Uint32Array(2) })).toThrow(/65 assigned ids \(3 words\), got 2 words/);
    expect(() => index.search(q, 5, { filterBits: [1, 2, 3] as unknown as Uint32Array })).toThrow(InvalidArgumentError);
    expect(index.search(q, 5, { filterBits: new Uint32Array(3).fill(0xffffffff) })).toHaveLength(5);
  });

  it('finds an updated vector at its new position and not at its old one', () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 100 });
    index.addBatch(data);
    const target = 123;
    const old = index.get(target);
    const fresh = new Float32Array(dim).fill(5);
    index.update(target, fresh);
    expect(Array.from(index.get(target))).toEqual(Array.from(fresh));
    const [hit] = index.search(fresh, 1);
    expect(hit).toEqual({ id: target, distance: 0 });
    const near = index.search(old, 5);
    expect(near.some((r) => r.id === target)).toBe(false);
    // The rest of the graph still answers well after many updates.
    const rand = seeded(9);
    const moved = new Float32Array(data);
    for (let u = 0; u < 200; u++) {
      const id = Math.floor(rand() * n);
      const v = row(data, dim, Math.floor(rand() * n)).map((x) => x + (rand() - 0.5) * 0.1);
      moved.set(v, id * dim);
      index.update(id, v);
    }
    moved.set(fresh, target * dim);
    let hits = 0;
    for (let i = 0; i < 30; i++) {
      const q = row(queries, dim, i);
      const truth = bruteForce('l2', moved, dim, q, 10);
      for (const r of index.search(q, 10, 64)) if (r.distance <= truth[9]!.distance + 1e-4) hits++;
    }
    expect(hits / 300).toBeGreaterThanOrEqual(0.95);
  });
});

describe('HNSW#holds', () => {
  it('tells whether a vector, prepared as add stores it, is the stored one, bit for bit', () => {
    const cos = new HNSW({ dimension: 3, distance: 'cosine' });
    const a = cos.add([3, 0, 4]);
    cos.add([1, 1, 1]);
    // Stored normalised: the same direction at another length is the same stored vector.
    expect([cos.holds(a, [3, 0, 4]), cos.holds(a, [6, 0, 8]), cos.holds(a, [3, 0, 4.0001])]).toEqual([true, true, false]);
    cos.update(a, [0, 1, 0]);
    expect([cos.holds(a, [3, 0, 4]), cos.holds(a, [0, 2, 0])]).toEqual([false, true]);
    const l2 = new HNSW({ dimension: 2, distance: 'l2' });
    const z = l2.add([0, 1]);
    expect([l2.holds(z, [0, 1]), l2.holds(z, [-0, 1]), l2.holds(z, new Float32Array([0, 1]))]).toEqual([true, false, true]);
    l2.add([5, 5]);
    l2.delete(z);
    expect(codeOf(() => l2.holds(z, [0, 1]))).toBe(ErrorCode.NOT_FOUND);
    expect(codeOf(() => l2.holds(1, [0, 1, 2]))).toBe(ErrorCode.LENGTH_MISMATCH);
    expect(codeOf(() => l2.holds(1, [NaN, 1]))).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('compares binary vectors as bytes (patterns that are NaNs as floats included)', () => {
    const bin = new HNSW({ dimension: 64, distance: 'hamming' });
    const v = Uint8Array.from([0xff, 0xff, 0xff, 0x7f, 0x01, 0x00, 0xc0, 0xff]);
    const id = bin.add(v);
    const other = Uint8Array.from(v);
    other[4] = 0x03;
    expect([bin.holds(id, v), bin.holds(id, other)]).toEqual([true, false]);
  });
});

describe('HNSW determinism and snapshots', () => {
  const dim = 16;
  const all = clustered(1520, dim, 10, 11);
  const data = all.subarray(0, 1500 * dim);
  const queries = all.subarray(1500 * dim);

  it('builds the same graph for the same seed and a different one for another seed', () => {
    const a = new HNSW({ dimension: dim, seed: 99, M: 8 });
    const b = new HNSW({ dimension: dim, seed: 99, M: 8 });
    const c = new HNSW({ dimension: dim, seed: 100, M: 8 });
    a.addBatch(data);
    b.addBatch(data);
    c.addBatch(data);
    const sa = a.toSnapshot();
    expect(b.toSnapshot()).toEqual(sa);
    expect(c.toSnapshot().levels).not.toEqual(sa.levels);
    for (let i = 0; i < 20; i++) expect(b.search(row(queries, dim, i), 10)).toEqual(a.search(row(queries, dim, i), 10));
  });

  it('round-trips a snapshot into an index that answers identically and keeps growing identically', () => {
    const index = new HNSW({ dimension: dim, distance: 'cosine', M: 8 });
    index.addBatch(data.subarray(0, 1000 * dim));
    index.delete(5);
    const snapshot = index.toSnapshot();
    const restored = HNSW.fromSnapshot(snapshot);
    expect(restored.config).toEqual(index.config);
    expect(restored.size).toBe(index.size);
    for (let i = 0; i < 20; i++) expect(restored.search(row(queries, dim, i), 10, 50)).toEqual(index.search(row(queries, dim, i), 10, 50));
    index.addBatch(data.subarray(1000 * dim));
    restored.addBatch(data.subarray(1000 * dim));
    expect(restored.toSnapshot()).toEqual(index.toSnapshot());
    // The snapshot is a copy: later changes do not leak into it.
    expect(snapshot.numIds).toBe(1000);
    expect(snapshot.vectors.length).toBe(1000 * dim);
  });

  it('rejects inconsistent snapshots with CORRUPT_DATA, LENGTH_MISMATCH or UNSUPPORTED_VERSION', () => {
    const index = new HNSW({ dimension: dim, M: 8 });
    index.addBatch(data.subarray(0, 200 * dim));
    const good = index.toSnapshot();
    expect(codeOf(() => HNSW.fromSnapshot({ ...good, formatVersion: 2 }))).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(codeOf(() => HNSW.fromSnapshot({ ...good, vectors: good.vectors.subarray(1) }))).toBe(ErrorCode.LENGTH_MISMATCH);
    const badLinks = good.links0.slice();
    badLinks[1] = 5000;
    expect(codeOf(() => HNSW.fromSnapshot({ ...good, links0: badLinks }))).toBe(ErrorCode.CORRUPT_DATA);
    const badCount = good.links0.slice();
    badCount[0] = 17;
    expect(() => HNSW.fromSnapshot({ ...good, links0: badCount })).toThrow(/links0\[0\].*expected a link count from 0 to 16, found 17/);
    expect(codeOf(() => HNSW.fromSnapshot({ ...good, entryPoint: 200 }))).toBe(ErrorCode.CORRUPT_DATA);
    expect(codeOf(() => HNSW.fromSnapshot({ ...good, config: { ...good.config, dimension: 0 } }))).toBe(ErrorCode.CORRUPT_DATA);
  });
});

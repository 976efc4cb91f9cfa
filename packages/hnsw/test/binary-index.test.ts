import { HNSW, InvalidArgumentError, LengthMismatchError, NotFoundError, TypeMismatchError } from '../src';
import { bruteForce, clusteredBinary, randomBinary, refDistance, tieRecall } from './binary-support';

const METRICS = ['hamming', 'jaccard'] as const;

describe('binary index configuration and input checks', () => {
  it('takes dimension in bits, a multiple of 8, and refuses SQ8 under a binary metric', () => {
    expect(() => new HNSW({ dimension: 12, distance: 'hamming' })).toThrow(InvalidArgumentError);
    expect(() => new HNSW({ dimension: 256, distance: 'jaccard', quantization: 'sq8' })).toThrow(InvalidArgumentError);
    expect(() => new HNSW({ dimension: 256, distance: 'tanimoto' as never })).toThrow(InvalidArgumentError);
    expect(new HNSW({ dimension: 8, distance: 'hamming' }).config.distance).toBe('hamming');
  });

  it.each(METRICS)('%s: float vectors, arrays and wrong lengths get typed errors, and a bad batch adds nothing', (metric) => {
    const index = new HNSW({ dimension: 64, distance: metric });
    expect(() => index.add(new Float32Array(64))).toThrow(TypeMismatchError);
    expect(() => index.add(new Float32Array(8))).toThrow(TypeMismatchError);
    expect(() => index.add(Array.from({ length: 8 }, () => 1))).toThrow(TypeMismatchError);
    expect(() => index.add(new Uint8Array(7))).toThrow(LengthMismatchError);
    expect(() => index.add(new Uint8Array(64))).toThrow(LengthMismatchError);
    expect(() => index.add(null as never)).toThrow(TypeMismatchError);
    expect(() => index.addBatch(new Float32Array(16))).toThrow(TypeMismatchError);
    expect(() => index.addBatch(new Uint8Array(12))).toThrow(LengthMismatchError);
    expect(() => index.addBatch([new Uint8Array(8), new Float32Array(8)])).toThrow(TypeMismatchError);
    expect(index.numIds).toBe(0);
    const id = index.add(new Uint8Array(8).fill(0x0f));
    expect(() => index.search(new Float32Array(64), 1)).toThrow(TypeMismatchError);
    expect(() => index.search(new Uint8Array(9), 1)).toThrow(LengthMismatchError);
    expect(() => index.searchExact([1, 2], 1)).toThrow(TypeMismatchError);
    expect(() => index.update(id, new Float32Array(64))).toThrow(TypeMismatchError);
    expect(() => index.get(id)).toThrow(TypeMismatchError);
    expect(index.getBinary(id)).toEqual(new Uint8Array(8).fill(0x0f));
    expect(() => index.getBinary(id + 1)).toThrow(NotFoundError);
  });

  it('a float index still reads float vectors only through get', () => {
    const index = new HNSW({ dimension: 2 });
    const id = index.add([1, 2]);
    expect(() => index.getBinary(id)).toThrow(TypeMismatchError);
    expect(Array.from(index.get(id))).toEqual([1, 2]);
  });
});

describe.each(METRICS)('binary index, %s distance', (metric) => {
  const bits = 256;

  it('stores vectors bit for bit (every byte value, Buffer input, flat batches) and reports reference distances', () => {
    const index = new HNSW({ dimension: bits, distance: metric });
    // Every byte value 0..255 appears, including the bit patterns of float NaNs and infinities.
    const data: Uint8Array[] = [];
    for (let i = 0; i < 16; i++) data.push(Uint8Array.from({ length: bits / 8 }, (_, j) => (i * 32 + j * 7) & 0xff));
    data.push(new Uint8Array(bits / 8).fill(0xff), new Uint8Array(bits / 8));
    data.push(Uint8Array.from([0x00, 0x00, 0x80, 0x7f, 0x00, 0x00, 0xc0, 0x7f, 0x01, 0x00, 0xc0, 0xff, ...new Array<number>(20).fill(0xaa)]));
    const flat = new Uint8Array(data.length * (bits / 8));
    data.forEach((v, i) => flat.set(v, i * (bits / 8)));
    expect(index.addBatch(flat.subarray(0, 5 * (bits / 8)))).toEqual([0, 1, 2, 3, 4]);
    for (let i = 5; i < 10; i++) expect(index.add(Buffer.from(data[i]!))).toBe(i);
    expect(index.addBatch(data.slice(10))).toEqual(Array.from({ length: data.length - 10 }, (_, i) => 10 + i));
    for (let i = 0; i < data.length; i++) expect(index.getBinary(i)).toEqual(data[i]);
    for (const q of data) {
      const exact = index.searchExact(q, data.length);
      const truth = bruteForce(metric, data, q, data.length);
      expect(exact.map((h) => h.distance)).toEqual(truth.map((h) => h.distance));
      for (const h of exact) expect(h.distance).toBe(refDistance(metric, data[h.id]!, q));
      const hits = index.search(q, 5, 64);
      for (const h of hits) expect(h.distance).toBe(refDistance(metric, data[h.id]!, q));
    }
  });

  it.each([
    ['uniform random', () => randomBinary(2000, bits, 7), () => randomBinary(40, bits, 8), 200],
    ['clustered', () => clusteredBinary(2000, bits, 20, 0.08, 0.3, 9), () => clusteredBinary(40, bits, 20, 0.08, 0.3, 9).map((v, i) => (v[i % v.length]! ^= 1, v)), 64],
  ] as const)('recall@10 against the exact search is at least 0.99 on %s data', (_name, makeData, makeQueries, ef) => {
    const data = makeData();
    const queries = makeQueries();
    const index = new HNSW({ dimension: bits, distance: metric });
    index.addBatch(data);
    let recall = 0;
    for (const q of queries) {
      const truth = index.searchExact(q, 10);
      expect(truth.map((h) => h.distance)).toEqual(bruteForce(metric, data, q, 10).map((h) => h.distance));
      recall += tieRecall(index.search(q, 10, ef), truth);
    }
    expect(recall / queries.length).toBeGreaterThanOrEqual(0.99);
  });

  it('builds with two threads (worker threads share the binary vector memory) to the same recall', () => {
    const data = clusteredBinary(1500, bits, 15, 0.08, 0.3, 9);
    const queries = clusteredBinary(40, bits, 15, 0.08, 0.3, 9).map((v, i) => (v[i % v.length]! ^= 1, v));
    const index = new HNSW({ dimension: bits, distance: metric, efConstruction: 100 });
    expect(index.addBatch(data, { threads: 2 })).toHaveLength(1500);
    let recall = 0;
    for (const q of queries) {
      const hits = index.search(q, 10, 64);
      for (const h of hits) expect(h.distance).toBe(refDistance(metric, data[h.id]!, q));
      recall += tieRecall(hits, bruteForce(metric, data, q, 10));
    }
    expect(recall / queries.length).toBeGreaterThanOrEqual(0.99);
    for (let id = 0; id < data.length; id += 250) expect(index.getBinary(id)).toEqual(data[id]);
  });

  it('delete, filter, filterBits and update behave as on float vectors', () => {
    const data = clusteredBinary(1500, bits, 15, 0.1, 0.4, 21);
    const index = new HNSW({ dimension: bits, distance: metric, repair: 'eager' });
    index.addBatch(data);
    const deleted = new Set<number>();
    for (let id = 0; id < data.length; id += 4) {
      index.delete(id);
      deleted.add(id);
    }
    const queries = clusteredBinary(30, bits, 15, 0.1, 0.4, 21);
    let recall = 0;
    for (const q of queries) {
      const hits = index.search(q, 10, 128);
      for (const h of hits) expect(deleted.has(h.id)).toBe(false);
      recall += tieRecall(hits, bruteForce(metric, data, q, 10, (id) => !deleted.has(id)));
      const even = index.search(q, 10, { ef: 128, filter: (id) => id % 2 === 0 });
      for (const h of even) expect(h.id % 2 === 0 && !deleted.has(h.id)).toBe(true);
      expect(even.length).toBe(10);
      const bitsSet = new Uint32Array(Math.ceil(data.length / 32));
      for (let id = 1; id < data.length; id += 10) bitsSet[id >>> 5]! |= 1 << (id & 31);
      const picked = index.search(q, 5, { filterBits: bitsSet });
      expect(picked.map((h) => h.distance)).toEqual(bruteForce(metric, data, q, 5, (id) => id % 10 === 1 && !deleted.has(id)).map((h) => h.distance));
    }
    expect(recall / queries.length).toBeGreaterThanOrEqual(0.98);
    // update: moved vectors are stored bit for bit, measured at their new place, and searches
    // still match the reference.
    const moved = clusteredBinary(20, bits, 15, 0.1, 0.4, 77);
    for (let i = 0; i < moved.length; i++) {
      const id = 1 + 4 * i;
      index.update(id, moved[i]!);
      data[id] = moved[i]!;
      expect(index.getBinary(id)).toEqual(moved[i]);
      expect(index.searchExact(moved[i]!, 1)[0]!.distance).toBe(0);
    }
    let after = 0;
    for (const q of queries) {
      const hits = index.search(q, 10, 128);
      for (const h of hits) expect(h.distance).toBe(refDistance(metric, data[h.id]!, q));
      after += tieRecall(hits, bruteForce(metric, data, q, 10, (id) => !deleted.has(id)));
    }
    expect(after / queries.length).toBeGreaterThanOrEqual(0.98);
    expect(() => index.getBinary(4)).toThrow(NotFoundError);
  });
});

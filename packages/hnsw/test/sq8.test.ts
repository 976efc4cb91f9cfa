import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HNSW, InvalidArgumentError } from '@vego/hnsw';
import { Sq8Codes, dotCodes, l2Codes, sq8Module } from '../src/internal/sq8';
import { type Metric, SIFT_DIR, bruteForce, clustered, readFvecs, readIvecs, seeded } from './fixtures/data';

/** Rows of `data` in the graph layout (row i at (i + 1) · stride, padding zero). */
function padded(data: Float32Array, dim: number, stride: number): Float32Array {
  const n = data.length / dim;
  const out = new Float32Array((n + 1) * stride);
  for (let i = 0; i < n; i++) out.set(data.subarray(i * dim, (i + 1) * dim), (i + 1) * stride);
  return out;
}

describe('SQ8 codes', () => {
  it('compiles the byte-kernel SIMD module on this Node', () => {
    expect(sq8Module()).not.toBeNull();
  });

  it('encodes the worked example of sq8.ts', () => {
    const codes = new Sq8Codes(2, false);
    const rows = padded(new Float32Array([0, 10, 127.5, 11, 1.2, 10.4]), 2, 8);
    codes.sync(rows, 8, 2); // trains on the first two rows: min [0, 10], scale 0.5
    expect(Array.from(codes.min)).toEqual([0, 10]);
    expect(codes.scale).toBe(0.5);
    codes.encode(0, rows, 3 * 8);
    expect(Array.from(codes.codes.subarray(0, 2))).toEqual([2, 1]);
  });

  it('computes code distances in WebAssembly SIMD exactly as the integer formula (l2 and dot)', () => {
    const rand = seeded(5);
    for (const dim of [3, 16, 40, 128]) {
      const n = 50;
      const stride = Math.ceil(dim / 8) * 8;
      const data = new Float32Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = (rand() - 0.3) * 7;
      const rows = padded(data, dim, stride);
      for (const dot of [false, true]) {
        const codes = new Sq8Codes(dim, dot);
        codes.sync(rows, stride, n);
        codes.encode(0, rows, 7 * stride); // query = id 6
        const cs = codes.codeStride;
        for (let id = 0; id < n; id++) {
          const raw = dot ? dotCodes(codes.codes, 0, (id + 1) * cs, cs) : l2Codes(codes.codes, 0, (id + 1) * cs, cs);
          let minSquares = 0;
          for (let d = 0; d < dim; d++) minSquares += codes.min[d]! * codes.min[d]!;
          const s = codes.scale;
          const expected = dot ? 1 - (minSquares + s * (codes.sums[0]! + codes.sums[id + 1]!) + s * s * raw) : s * s * raw;
          expect(codes.distance(0, id)).toBeCloseTo(expected, 9);
          if (!dot && id === 6) expect(codes.distance(0, id)).toBe(0);
        }
      }
    }
  });
});

describe("HNSW with quantization: 'sq8'", () => {
  it('rejects an unknown quantization with InvalidArgumentError', () => {
    expect(() => new HNSW({ dimension: 4, quantization: 'pq' as never })).toThrow(InvalidArgumentError);
    expect(new HNSW({ dimension: 4, quantization: 'sq8' }).config.quantization).toBe('sq8');
  });

  it('reaches recall@10 >= 0.98 on SIFT-9k at ef=40 with re-ranking, and reports float distances', () => {
    const base = readFvecs(path.join(SIFT_DIR, 'base.fvecs'));
    const query = readFvecs(path.join(SIFT_DIR, 'query.fvecs'));
    const truth = readIvecs(path.join(SIFT_DIR, 'groundtruth.ivecs'));
    const dim = base.dimension;
    const index = new HNSW({ dimension: dim, M: 16, efConstruction: 100, seed: 7, quantization: 'sq8' });
    index.addBatch(base.data);
    const l2 = (bo: number, qo: number): number => {
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const d = base.data[bo + i]! - query.data[qo + i]!;
        s += d * d;
      }
      return s;
    };
    let hits = 0;
    const numQueries = 300;
    for (let i = 0; i < numQueries; i++) {
      const kth = l2(truth[i]![9]! * dim, i * dim);
      const results = index.search(query.data.subarray(i * dim, (i + 1) * dim), 10, 40);
      expect(results).toHaveLength(10);
      for (const r of results) {
        const exact = l2(r.id * dim, i * dim);
        expect(r.distance).toBeCloseTo(exact, -1);
        if (exact <= kth) hits++;
      }
    }
    expect(hits / (numQueries * 10)).toBeGreaterThanOrEqual(0.98);
  });

  it.each<Metric>(['cosine', 'innerProduct'])('finds the true neighbours under %s (recall@10 >= 0.95 at ef=64)', (metric) => {
    const dim = 24;
    const data = clustered(1500, dim, 12, 9);
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 100, distance: metric, quantization: 'sq8' });
    index.addBatch(data);
    let hits = 0;
    for (let t = 0; t < 50; t++) {
      const q = data.subarray(t * 29 * dim, (t * 29 + 1) * dim);
      const truthIds = new Set(bruteForce(metric, data, dim, q, 10).map((r) => r.id));
      for (const r of index.search(q, 10, 64)) if (truthIds.has(r.id)) hits++;
    }
    expect(hits / 500).toBeGreaterThanOrEqual(0.95);
  });

  it('re-encodes an updated vector and encodes vectors added after training', () => {
    const dim = 16;
    const data = clustered(600, dim, 6, 4);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 64, quantization: 'sq8' });
    index.addBatch(data.subarray(0, 500 * dim));
    const q = data.subarray(550 * dim, 551 * dim);
    index.search(q, 5, 32); // trains on 500 vectors
    index.update(7, q);
    expect(index.search(q, 1, 32)[0]).toEqual({ id: 7, distance: 0 });
    const ids = index.addBatch(data.subarray(500 * dim)); // 600 < 2 · 500: encoded, not retrained
    expect(ids[80]).toBe(580);
    expect(index.search(data.subarray(580 * dim, 581 * dim), 1, 32)[0]).toEqual({ id: 580, distance: 0 });
  });

  it('saves its configuration; a loaded index recomputes the codes and answers identically', () => {
    const dim = 32;
    const data = clustered(800, dim, 8, 11);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 64, quantization: 'sq8' });
    index.addBatch(data);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-sq8-'));
    try {
      index.saveToLanceSync(dir);
      const back = HNSW.loadFromLanceSync(dir);
      expect(back.config.quantization).toBe('sq8');
      for (let t = 0; t < 30; t++) {
        const q = data.subarray(t * 17 * dim, (t * 17 + 1) * dim);
        expect(back.search(q, 10, 48)).toEqual(index.search(q, 10, 48));
      }
      expect(back.byteLength).toBeGreaterThan(new HNSW({ dimension: dim }).byteLength);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

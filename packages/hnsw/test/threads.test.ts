// searchMany / searchManyAsync (worker threads sharing the index memory) and addBatchAsync. The
// workers run the compiled script in dist/ (tests run after `pnpm build`).
import { ConflictError, ErrorCode, HNSW, InternalError, InvalidArgumentError, LengthMismatchError, NotFoundError, type SearchResult, isVegoError } from '@vego/hnsw';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as kernels from '../src/internal/kernels';
import type { SearchPool } from '../src/internal/search-pool';
import { clustered, seeded } from './fixtures/data';

const dim = 24;
const n = 3000;
const data = clustered(n, dim, 20, 11);
const queries = clustered(120, dim, 20, 12);

const poolOf = (index: HNSW): SearchPool => (index as unknown as { pool: SearchPool }).pool;

function row(flat: Float32Array, i: number): Float32Array {
  return flat.subarray(i * dim, (i + 1) * dim);
}

function perQuery(index: HNSW, qs: Float32Array, k: number, options: { ef?: number; filterBits?: Uint32Array; filter?: (id: number) => boolean } = {}): SearchResult[][] {
  const out: SearchResult[][] = [];
  for (let i = 0; i < qs.length / dim; i++) out.push(index.search(row(qs, i), k, options));
  return out;
}

async function codeOfAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return isVegoError(e) ? e.code : `not a VegoError: ${String(e)}`;
  }
  return undefined;
}

describe('HNSW#searchMany and searchManyAsync', () => {
  const indexes: HNSW[] = [];
  afterAll(async () => {
    for (const index of indexes) await index.close();
  });
  function track(index: HNSW): HNSW {
    indexes.push(index);
    return index;
  }

  it('answers every query exactly as search does, on 1, 2 and 3 threads, sync and async (l2 and cosine)', async () => {
    for (const distance of ['l2', 'cosine'] as const) {
      const index = track(new HNSW({ dimension: dim, M: 12, efConstruction: 80, distance }));
      index.addBatch(data);
      for (const ef of [10, 64]) {
        const expected = perQuery(index, queries, 10, { ef });
        for (const threads of [1, 2, 3]) {
          expect(index.searchMany(queries, 10, { ef, threads })).toEqual(expected);
          expect(await index.searchManyAsync(queries, 10, { ef, threads })).toEqual(expected);
        }
      }
      // Array input, default ef, default async threads.
      const rows = Array.from({ length: 40 }, (_, i) => Array.from(row(queries, i)));
      const expected = rows.map((q) => index.search(q, 5));
      expect(index.searchMany(rows, 5, { threads: 2 })).toEqual(expected);
      expect(await index.searchManyAsync(rows, 5)).toEqual(expected);
    }
  });

  it('sees tombstones, filterBits, the exact fallback and a grown index like search does', async () => {
    const index = track(new HNSW({ dimension: dim, M: 12, efConstruction: 80, repairThreshold: 0.5 }));
    index.addBatch(data);
    expect(index.searchMany(queries, 10, { threads: 2 })).toEqual(perQuery(index, queries, 10));
    // Tombstones (below the repair threshold, so no repair runs between the calls compared).
    for (let id = 0; id < n; id += 7) index.delete(id);
    const bits = new Uint32Array((n + 31) >>> 5);
    for (let id = 0; id < n; id++) if (id % 3 === 0 || id % 100 === 1) bits[id >>> 5]! |= 1 << (id & 31);
    const rare = new Uint32Array((n + 31) >>> 5);
    for (let id = 0; id < n; id += 97) rare[id >>> 5]! |= 1 << (id & 31);
    for (const options of [{ ef: 40 }, { ef: 40, filterBits: bits }, { ef: 40, filterBits: rare }]) {
      const expected = perQuery(index, queries, 10, options);
      expect(expected.every((hits) => hits.every((h) => h.id % 7 !== 0))).toBe(true);
      expect(index.searchMany(queries, 10, { ...options, threads: 2 })).toEqual(expected);
      expect(await index.searchManyAsync(queries, 10, { ...options, threads: 2 })).toEqual(expected);
    }
    // The index grows (its arrays move): the workers get the new ones.
    index.addBatch(clustered(2000, dim, 20, 13));
    expect(await index.searchManyAsync(queries, 10, { threads: 2 })).toEqual(perQuery(index, queries, 10));
    expect(index.searchMany(queries, 10, { threads: 2 })).toEqual(perQuery(index, queries, 10));
    // k at least the live count: the exact scan.
    const small = track(new HNSW({ dimension: dim }));
    small.addBatch(data.subarray(0, 30 * dim));
    expect(small.searchMany(queries, 40, { threads: 2 })).toEqual(perQuery(small, queries, 40));
    expect((await small.searchManyAsync(queries, 40, { threads: 2 }))[0]).toHaveLength(30);
  });

  it('runs filter functions and SQ8 indexes on the calling thread, with the same answers', async () => {
    const index = track(new HNSW({ dimension: dim, M: 12, efConstruction: 80 }));
    index.addBatch(data);
    const filter = (id: number): boolean => id % 4 === 1;
    const expected = perQuery(index, queries, 10, { ef: 50, filter });
    expect(index.searchMany(queries, 10, { ef: 50, filter, threads: 2 })).toEqual(expected);
    expect(await index.searchManyAsync(queries, 10, { ef: 50, filter, threads: 2 })).toEqual(expected);
    const sq8 = track(HNSW.fromSnapshot({ ...index.toSnapshot(), config: { ...index.config, quantization: 'sq8' } }));
    const sq8Expected = perQuery(sq8, queries, 10, { ef: 50 });
    expect(sq8.searchMany(queries, 10, { ef: 50, threads: 2 })).toEqual(sq8Expected);
    expect(await sq8.searchManyAsync(queries, 10, { ef: 50, threads: 2 })).toEqual(sq8Expected);
  });

  it('gives the same answers without the SIMD kernels (workers follow the calling thread)', async () => {
    const spy = jest.spyOn(kernels, 'simdModule').mockReturnValue(null);
    try {
      const index = track(new HNSW({ dimension: dim, M: 12, efConstruction: 80 }));
      index.addBatch(data.subarray(0, 1500 * dim));
      expect(index.toSnapshot().vectors.length).toBe(1500 * dim);
      const expected = perQuery(index, queries, 10, { ef: 32 });
      expect(index.searchMany(queries, 10, { ef: 32, threads: 2 })).toEqual(expected);
      expect(await index.searchManyAsync(queries, 10, { ef: 32, threads: 2 })).toEqual(expected);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses changes while an async search is in flight (ConflictError), and takes them after', async () => {
    const index = track(new HNSW({ dimension: dim, M: 12, efConstruction: 80 }));
    index.addBatch(data);
    const before = perQuery(index, queries, 10);
    const pending = index.searchManyAsync(queries, 10, { threads: 2 });
    const q = row(queries, 0);
    const refused = [
      () => index.add(q),
      () => index.addBatch([q]),
      () => index.update(1, q),
      () => index.delete(1),
      () => index.compact(),
    ];
    for (const fn of refused) expect(fn).toThrow(ConflictError);
    expect(await codeOfAsync(() => index.addBatchAsync([q]))).toBe(ErrorCode.CONFLICT);
    // Reads still work meanwhile, a wide one too (on this thread it cannot grow the wasm walk's
    // heaps into the workers' query slots while they run).
    expect(index.search(q, 10)).toEqual(before[0]);
    const wide = index.searchExact(q, 10);
    expect(index.search(q, 10, { ef: 2500 }).map((h) => h.id)).toEqual(wide.map((h) => h.id));
    expect(index.size).toBe(n);
    expect(await pending).toEqual(before);
    expect(index.searchMany(queries, 10, { ef: 2500, threads: 2 })).toEqual(perQuery(index, queries, 10, { ef: 2500 }));
    index.delete(1);
    expect(index.has(1)).toBe(false);
    expect(index.add(q)).toBe(n);
  });

  it('works on a restored index, and a blocking call while the workers are busy answers on the calling thread', async () => {
    const built = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    built.addBatch(data);
    const index = track(HNSW.fromSnapshot(built.toSnapshot()));
    const expected = perQuery(index, queries, 10, { ef: 80 });
    const pending = index.searchManyAsync(queries, 10, { ef: 80, threads: 2 });
    expect(index.searchMany(queries, 10, { ef: 80, threads: 2 })).toEqual(expected);
    expect(await pending).toEqual(expected);
    expect(index.searchMany(queries, 10, { ef: 80, threads: 2 })).toEqual(expected);
  });

  it('answers binary (hamming, jaccard) queries as search does, on threads', async () => {
    const rand = seeded(21);
    const bytes = 16;
    const rows = Array.from({ length: 1500 }, () => Uint8Array.from({ length: bytes }, () => Math.floor(rand() * 256)));
    const qs = Array.from({ length: 60 }, () => Uint8Array.from({ length: bytes }, () => Math.floor(rand() * 256)));
    for (const distance of ['hamming', 'jaccard'] as const) {
      const index = track(new HNSW({ dimension: bytes * 8, M: 12, efConstruction: 80, distance }));
      index.addBatch(rows);
      const expected = qs.map((q) => index.search(q, 10, { ef: 40 }));
      expect(index.searchMany(qs, 10, { ef: 40, threads: 2 })).toEqual(expected);
      const flat = new Uint8Array(qs.length * bytes);
      qs.forEach((q, i) => flat.set(q, i * bytes));
      expect(await index.searchManyAsync(flat, 10, { ef: 40, threads: 2 })).toEqual(expected);
    }
  });

  it('checks its arguments with typed errors', async () => {
    const index = track(new HNSW({ dimension: dim }));
    index.addBatch(data.subarray(0, 100 * dim));
    expect(() => index.searchMany(queries, 0)).toThrow(InvalidArgumentError);
    expect(() => index.searchMany(queries, 5, { threads: 0 })).toThrow(InvalidArgumentError);
    expect(() => index.searchMany(queries, 5, { ef: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => index.searchMany(queries.subarray(0, dim + 1), 5)).toThrow(LengthMismatchError);
    expect(() => index.searchMany([row(queries, 0), [1, 2]], 5)).toThrow(/`queries\[1\]` must have 24 components/);
    expect(() => index.searchMany([[...row(queries, 0)].map((x, i) => (i === 3 ? NaN : x))], 5)).toThrow(/`queries\[0\]` must hold finite numbers/);
    expect(() => index.searchMany('x' as unknown as Float32Array, 5)).toThrow(InvalidArgumentError);
    expect(() => index.searchMany(queries, 5, { filterBits: new Uint32Array(1) })).toThrow(InvalidArgumentError);
    expect(await codeOfAsync(() => index.searchManyAsync(queries, 5, { threads: -1 }))).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(index.searchMany(new Float32Array(0), 5, { threads: 2 })).toEqual([]);
    const empty = track(new HNSW({ dimension: dim }));
    expect(await empty.searchManyAsync(queries.subarray(0, 3 * dim), 5)).toEqual([[], [], []]);
  });

  it('close stops the workers; a search in flight rejects; the index stays usable', async () => {
    const index = track(new HNSW({ dimension: dim, M: 12, efConstruction: 80 }));
    index.addBatch(data);
    const many = new Float32Array(4000 * dim);
    const rand = seeded(5);
    for (let i = 0; i < many.length; i++) many[i] = rand();
    const expected = perQuery(index, many.subarray(0, 50 * dim), 10, { ef: 200 });
    const pending = index.searchManyAsync(many, 10, { ef: 200, threads: 2 }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await index.close();
    expect(await pending).toBeInstanceOf(InternalError);
    await expect(index.searchManyAsync(many.subarray(0, 50 * dim), 10, { ef: 200, threads: 2 })).resolves.toEqual(expected);
    // Closed while the workers are answering it (posted to them by the next event-loop turn).
    const running = index.searchManyAsync(many, 10, { ef: 200, threads: 2 }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await new Promise((resolve) => setImmediate(resolve));
    await index.close();
    const outcome = await running;
    expect(outcome).toBeInstanceOf(InternalError);
    expect(String(outcome)).toMatch(/the index was closed/);
    expect(index.searchMany(many.subarray(0, 50 * dim), 10, { ef: 200, threads: 2 })).toEqual(expected);
  });

  it('never keeps the process alive: a script that searches on threads exits without close()', () => {
    const script = [
      `const { HNSW } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});`,
      'const index = new HNSW({ dimension: 4 });',
      'for (let i = 0; i < 300; i++) index.add([i % 7, i % 11, i % 13, i % 17]);',
      'index.searchManyAsync([[1, 2, 3, 4], [5, 6, 7, 8]], 3, { threads: 2 }).then((lists) => {',
      '  if (index.searchMany([[1, 2, 3, 4]], 3, { threads: 2 })[0][0].id !== lists[0][0].id) process.exit(3);',
      '  console.log(lists.length);',
      '});',
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('2');
  });
});

describe('HNSW#addBatchAsync', () => {
  it('with one thread builds the graph addBatch builds, letting the event loop run between slices', async () => {
    const sync = new HNSW({ dimension: dim, M: 12, efConstruction: 80, seed: 3 });
    sync.addBatch(data);
    const paced = new HNSW({ dimension: dim, M: 12, efConstruction: 80, seed: 3 });
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const progress: number[] = [];
    const ids = await paced.addBatchAsync(data, { onProgress: (done) => progress.push(done) });
    ticking = false;
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(progress).toEqual([1000, 2000, 3000]);
    const a = sync.toSnapshot();
    const b = paced.toSnapshot();
    expect(b.links0).toEqual(a.links0);
    expect(b.upperLinks).toEqual(a.upperLinks);
    expect(paced.size).toBe(n);
    // setImmediate callbacks ran before the build resolved: a build that held the event loop from
    // start to end would resolve (a microtask) before any of them.
    expect(turns).toBeGreaterThanOrEqual(1);
  });

  // Found by the model-based test: numIds (and so has/get) counted a batch from the moment
  // addBatchAsync staged it, while size counted it once linked, as the README says both do.
  it('numIds, has and get leave out a batch addBatchAsync is still linking (one and two threads)', async () => {
    for (const threads of [1, 2]) {
      const index = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
      index.addBatch(data.subarray(0, 50 * dim));
      index.delete(3);
      const building = index.addBatchAsync(data.subarray(50 * dim, 80 * dim), { threads });
      expect(index.numIds).toBe(50);
      expect(index.size).toBe(49);
      expect(index.has(50)).toBe(false);
      expect(index.has(49)).toBe(true);
      expect(() => index.get(50)).toThrow(NotFoundError);
      expect(index.get(49)).toEqual(data.subarray(49 * dim, 50 * dim));
      expect(await building).toEqual(Array.from({ length: 30 }, (_, i) => 50 + i));
      expect(index.numIds).toBe(80);
      expect(index.size).toBe(79);
      expect(index.has(79)).toBe(true);
      expect(index.get(79)).toEqual(data.subarray(79 * dim, 80 * dim));
      await index.close();
    }
  });

  it('with two threads builds a graph of the sequential recall; reads and changes are refused until it is done', async () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    index.addBatch(data.subarray(0, 500 * dim));
    const progress: number[] = [];
    const building = index.addBatchAsync(data.subarray(500 * dim), { threads: 2, onProgress: (done) => progress.push(done) });
    const q = row(queries, 0);
    expect(() => index.search(q, 5)).toThrow(ConflictError);
    expect(() => index.searchMany(queries, 5)).toThrow(ConflictError);
    expect(() => index.add(q)).toThrow(ConflictError);
    expect(() => index.toSnapshot()).toThrow(ConflictError);
    expect(await codeOfAsync(() => index.searchManyAsync(queries, 5))).toBe(ErrorCode.CONFLICT);
    expect(await codeOfAsync(() => index.addBatchAsync([q]))).toBe(ErrorCode.CONFLICT);
    expect(index.size).toBe(500);
    const ids = await building;
    expect(ids[0]).toBe(500);
    expect(ids).toHaveLength(n - 500);
    expect(progress[progress.length - 1]).toBe(n - 500);
    expect(index.size).toBe(n);
    // Recall@10 at ef 64 against the exact answer: as high as a sequential build's, minus noise.
    const sequential = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    sequential.addBatch(data);
    const recall = (index: HNSW): number => {
      let hits = 0;
      for (let i = 0; i < 120; i++) {
        const truth = new Set(index.searchExact(row(queries, i), 10).map((h) => h.id));
        for (const h of index.search(row(queries, i), 10, 64)) if (truth.has(h.id)) hits++;
      }
      return hits / 1200;
    };
    expect(recall(index)).toBeGreaterThanOrEqual(recall(sequential) - 0.01);
    // A bad vector anywhere leaves the index unchanged.
    await expect(index.addBatchAsync([q, [1]], { threads: 2 })).rejects.toThrow(LengthMismatchError);
    expect(index.numIds).toBe(n);
  });
});

describe('one worker pool per index, for parallel builds and searches', () => {
  function recall(index: HNSW): number {
    let hits = 0;
    for (let i = 0; i < 120; i++) {
      const truth = new Set(index.searchExact(row(queries, i), 10).map((h) => h.id));
      for (const h of index.search(row(queries, i), 10, 64)) if (truth.has(h.id)) hits++;
    }
    return hits / 1200;
  }

  it('builds and searches reuse the same workers (started once), through growth; answers stay those of search', async () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    index.addBatch(data.subarray(0, 1000 * dim), { threads: 2 });
    const pool = poolOf(index);
    expect(pool.started).toBe(1);
    // The capacity grows (the arrays move): the same worker maps the new ones.
    await index.addBatchAsync(data.subarray(1000 * dim, 2000 * dim), { threads: 2 });
    expect(index.searchMany(queries, 10, { threads: 2 })).toEqual(perQuery(index, queries, 10));
    expect(pool.started).toBe(1);
    // A third thread starts one more worker, and later jobs keep both.
    index.addBatch(data.subarray(2000 * dim, 2500 * dim), { threads: 3 });
    expect(pool.started).toBe(2);
    expect(await index.searchManyAsync(queries, 10, { threads: 2 })).toEqual(perQuery(index, queries, 10));
    const progress: number[] = [];
    index.addBatch(data.subarray(2500 * dim), { threads: 3, onProgress: (done) => progress.push(done) });
    expect(progress[progress.length - 1]).toBe(500);
    expect(pool.started).toBe(2);
    expect(pool.size).toBe(2);
    expect(index.size).toBe(n);
    expect(index.searchMany(queries, 10, { ef: 40, threads: 3 })).toEqual(perQuery(index, queries, 10, { ef: 40 }));
    const sequential = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    sequential.addBatch(data);
    expect(recall(index)).toBeGreaterThanOrEqual(recall(sequential) - 0.01);
    await index.close();
    expect(pool.size).toBe(0);
  });

  it('close lets an async build in flight finish (never a half-linked batch), then stops the workers', async () => {
    const index = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    index.addBatch(data.subarray(0, 200 * dim));
    const building = index.addBatchAsync(data.subarray(200 * dim), { threads: 2 });
    const pool = poolOf(index);
    await index.close();
    expect(pool.size).toBe(0);
    expect(await building).toHaveLength(n - 200);
    expect(index.size).toBe(n);
    const sequential = new HNSW({ dimension: dim, M: 12, efConstruction: 80 });
    sequential.addBatch(data);
    expect(recall(index)).toBeGreaterThanOrEqual(recall(sequential) - 0.01);
    // Usable after close: a new pool.
    index.addBatch(row(data, 0), { threads: 2 });
    expect(index.size).toBe(n + 1);
    await index.close();
  });

  it('never keeps the process alive: a script that builds on threads (blocking and async) exits without close()', () => {
    const script = [
      `const { HNSW } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'index.js'))});`,
      'const index = new HNSW({ dimension: 4 });',
      'const rows = Array.from({ length: 300 }, (_, i) => [i % 7, i % 11, i % 13, i % 17]);',
      'index.addBatch(rows, { threads: 2 });',
      'index.addBatchAsync(rows, { threads: 2 }).then((ids) => {',
      '  if (index.searchMany([[1, 2, 3, 4]], 3, { threads: 2 })[0].length !== 3) process.exit(3);',
      '  console.log(ids.length);',
      '});',
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('300');
  });
});

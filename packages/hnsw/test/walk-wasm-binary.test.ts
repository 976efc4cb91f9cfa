// Binary indexes (Hamming, Jaccard over bit-packed vectors) walk layer 0 in WebAssembly too
// (walk.wat counts their bits inline with i64.popcnt); the JS walk in graph.ts, with the
// binary-kernels.ts kernels, is the reference. Both must give the same answers bit for bit (same
// ids, same distances, same order) at every ef, with tombstones, filters and the epoch wrap, build
// the same graph, and take the wasm walk on worker threads as well. Worker tests run the compiled
// script in dist/ (tests run after `pnpm build`).
import { HNSW, type SearchResult } from '@vego/hnsw';
import type { Graph } from '../src/internal/graph';
import { buildWalkStats } from '../src/internal/parallel-build';
import type { SearchPool } from '../src/internal/search-pool';
import { clusteredBinary, randomBinary, refDistance } from './binary-support';

const graphOf = (index: HNSW): Graph => (index as unknown as { graph: Graph }).graph;
const poolOf = (index: HNSW): SearchPool => (index as unknown as { pool: SearchPool }).pool;

// 200 bits: 25 bytes, padded to a 32-byte slot (two 16-byte steps; the padding must stay zero).
const bits = 200;
const n = 2500;
const EFS = [10, 40, 160, 320];
type Metric = 'hamming' | 'jaccard';

/** Clustered sparse vectors with a few all-zero ones (Jaccard's 0/0 case) and exact duplicates (ties). */
function dataset(seed: number, count: number): Uint8Array[] {
  const rows = clusteredBinary(count, bits, 25, 0.04, 0.15, seed);
  for (let i = 0; i < count; i += 97) rows[i] = new Uint8Array(bits / 8);
  for (let i = 50; i < count; i += 101) rows[i] = rows[i - 1]!.slice();
  return rows;
}
const data = dataset(1601, n);
const queries = [...dataset(1602, 380), ...randomBinary(20, bits, 1603)];
queries[0] = new Uint8Array(bits / 8);

function build(metric: Metric, wasm: boolean): HNSW {
  const index = new HNSW({ dimension: bits, M: 8, efConstruction: 48, distance: metric, seed: 7, repairThreshold: 1 });
  graphOf(index).useWalk0 = wasm;
  // One at a time from a capacity of 16: every doubling moves links0 and the tombstones in the memory.
  for (const row of data) index.add(row);
  return index;
}

function sameHits(a: SearchResult[], b: SearchResult[]): boolean {
  return a.length === b.length && a.every((h, i) => h.id === b[i]!.id && h.distance === b[i]!.distance);
}

/** Searches each query with the wasm walk and with the JS walk; returns how many answers differ. */
function compareWalks(index: HNSW, ef: number, k: number, options: { filterBits?: Uint32Array; filter?: (id: number) => boolean } = {}, count = queries.length): number {
  const graph = graphOf(index);
  let differ = 0;
  for (let q = 0; q < count; q++) {
    graph.useWalk0 = true;
    const runs = graph.walk0Runs;
    const wasm = index.search(queries[q]!, k, { ef, ...options });
    if (options.filter === undefined && graph.walk0Runs === runs) differ++; // the wasm walk must have run
    graph.useWalk0 = false;
    const js = index.search(queries[q]!, k, { ef, ...options });
    graph.useWalk0 = true;
    if (!sameHits(wasm, js)) differ++;
  }
  return differ;
}

describe('layer-0 walk in WebAssembly, binary metrics', () => {
  for (const metric of ['hamming', 'jaccard'] as const) {
    describe(metric, () => {
      const index = build(metric, true);
      const buildRuns = graphOf(index).walk0Runs;

      it('is in use, and its distances are the plain bit counts', () => {
        const graph = graphOf(index);
        expect(graph.walk0).not.toBeNull();
        expect(graph.inMemory).toBe(true);
        expect(graph.strideBytes).toBe(32);
        const runs = graph.walk0Runs;
        for (let q = 0; q < 50; q++) {
          for (const hit of index.search(queries[q]!, 20, { ef: 40 })) expect(hit.distance).toBe(refDistance(metric, data[hit.id]!, queries[q]!));
        }
        expect(graph.walk0Runs).toBe(runs + 50);
      });

      it('builds exactly the graph the JS walk builds', () => {
        const js = build(metric, false);
        const a = graphOf(index);
        const b = graphOf(js);
        expect(buildRuns).toBe(n - 1); // every insert after the first
        expect(b.walk0Runs).toBe(0);
        expect(Buffer.from(a.links0.buffer, a.links0.byteOffset, n * a.stride0 * 4).equals(Buffer.from(b.links0.buffer, b.links0.byteOffset, n * b.stride0 * 4))).toBe(true);
        expect(Array.from(a.upperLinks.subarray(0, a.state[3]!))).toEqual(Array.from(b.upperLinks.subarray(0, b.state[3]!)));
      });

      it.each(EFS)('answers 400 queries exactly as the JS walk at ef %i (all ef results)', (ef) => {
        expect(compareWalks(index, ef, ef)).toBe(0);
      });

      it('answers exactly as the JS walk with tombstones, filters and a visit budget', () => {
        const deleting = build(metric, true);
        for (let id = 0; id < n; id += 7) deleting.delete(id);
        expect(graphOf(deleting).deleted[7]).toBe(1);
        for (const ef of EFS) expect(compareWalks(deleting, ef, ef, {}, 200)).toBe(0);
        const set = new Uint32Array(Math.ceil(n / 32) + 3);
        for (let id = 0; id < n; id += 3) set[id >>> 5]! |= 1 << (id & 31);
        for (const ef of EFS) expect(compareWalks(deleting, ef, 10, { filterBits: set }, 200)).toBe(0);
        expect(compareWalks(deleting, 40, 10, { filter: (id) => id % 5 !== 0 }, 100)).toBe(0);
        // 0.5 %: walks stop at their visit budget and fall back to the exact scan, in both walks alike.
        const rare = new Uint32Array(Math.ceil(n / 32));
        for (let id = 5; id < n; id += 200) rare[id >>> 5]! |= 1 << (id & 31);
        expect(compareWalks(deleting, 10, 10, { filterBits: rare }, 100)).toBe(0);
      });

      it('stays exact after updates: the same links as the JS walk, and plain bit counts as distances', () => {
        // Under Jaccard the wasm walk reads each node's bit count from a table filled on first use;
        // an update rewrites the vector in place, so its count must be counted again.
        const moved = randomBinary(300, bits, 1604);
        const updated = [build(metric, true), build(metric, false)];
        for (const u of updated) for (let i = 0; i < moved.length; i++) u.update(i * 8, moved[i]!);
        const [a, b] = updated.map(graphOf) as [Graph, Graph];
        expect(Buffer.from(a.links0.buffer, a.links0.byteOffset, n * a.stride0 * 4).equals(Buffer.from(b.links0.buffer, b.links0.byteOffset, n * b.stride0 * 4))).toBe(true);
        expect(compareWalks(updated[0]!, 40, 40, {}, 200)).toBe(0);
        const stored = (id: number): Uint8Array => (id % 8 === 0 && id / 8 < moved.length ? moved[id / 8]! : data[id]!);
        for (let q = 0; q < 100; q++) {
          for (const hit of updated[0]!.search(queries[q]!, 20, { ef: 40 })) expect(hit.distance).toBe(refDistance(metric, stored(hit.id), queries[q]!));
        }
      });

      it('stays exact across the visited-tag epoch wrap and a candidate heap that fills up', () => {
        const graph = graphOf(index);
        graph.walkEpoch = 0xfffe; // the next searches wrap it
        expect(compareWalks(index, 160, 50, {}, 20)).toBe(0);
        expect(graph.walkEpoch).toBeLessThan(0xfffe);
        graph.candCap = 4;
        expect(compareWalks(index, 320, 320, {}, 100)).toBe(0);
        expect(graph.candCap).toBeGreaterThan(4);
      });
    });
  }

  describe('on worker threads', () => {
    const indexes: HNSW[] = [];
    afterAll(async () => {
      for (const index of indexes) await index.close();
    });

    it.each(['hamming', 'jaccard'] as const)('%s: search workers and build workers take the wasm walk, with the answers of search', async (metric) => {
      const index = new HNSW({ dimension: bits, M: 8, efConstruction: 48, distance: metric, seed: 7 });
      indexes.push(index);
      const graph = graphOf(index);
      index.addBatch(data.slice(0, 200));
      const runs = graph.walk0Runs;
      const rest = new Uint8Array((n - 200) * (bits / 8));
      for (let i = 200; i < n; i++) rest.set(data[i]!, (i - 200) * (bits / 8));
      index.addBatch(rest, { threads: 2 });
      // Every insert ran its layer-0 search in wasm, on whichever thread took it.
      expect(graph.walk0Runs - runs + buildWalkStats.workerWasmWalks).toBe(n - 200);
      const batch = queries.slice(0, 100);
      const flat = new Uint8Array(batch.length * (bits / 8));
      batch.forEach((q, i) => flat.set(q, i * (bits / 8)));
      const expected = batch.map((q) => index.search(q, 10, { ef: 64 }));
      expect(await index.searchManyAsync(flat, 10, { ef: 64, threads: 2 })).toEqual(expected);
      expect(poolOf(index).lastWorkerWasmWalks).toBe(batch.length);
    });
  });
});

describe('Jaccard bit counts across growth of the memory', () => {
  it('are counted again after each doubling, not read from what the old heaps left there', () => {
    // 32-bit vectors, M=4 and efConstruction 800: vector slots and lists are small and the walk's
    // heaps large, so after a doubling the new bit-count table lies where the old heaps were
    // written. Without the zeroing in Graph#moveRegions, stale heap words read as counts give
    // wrong distances (179 of these checks failed with it removed).
    const rows = clusteredBinary(600, 32, 10, 0.2, 0.3, 5);
    const index = new HNSW({ dimension: 32, M: 4, efConstruction: 800, distance: 'jaccard', seed: 7 });
    expect(graphOf(index).walk0).not.toBeNull();
    let wrong = 0;
    let checked = 0;
    const check = (q: Uint8Array, ef: number): void => {
      for (const hit of index.search(q, 10, { ef })) {
        checked++;
        if (hit.distance !== refDistance('jaccard', rows[hit.id]!, q)) wrong++;
      }
    };
    for (let i = 0; i < rows.length; i++) {
      index.add(rows[i]!); // one at a time from a capacity of 16: six doublings
      if (i % 5 === 0) check(rows[i]!, 300);
    }
    for (let q = 0; q < rows.length; q += 3) check(rows[q]!, 500);
    expect(checked).toBeGreaterThan(2000);
    expect(wrong).toBe(0);
  });
});

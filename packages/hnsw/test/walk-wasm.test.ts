import { HNSW } from '@vego/hnsw';
import type { Graph } from '../src/internal/graph';
import { clustered } from './fixtures/data';

// The layer-0 walk runs in WebAssembly (walk.wat) wherever it applies; the JS walk in graph.ts is
// the reference. Both must give the same answers bit for bit: same ids, same distances, in the same
// order, for every ef, metric, with tombstones, with filters, and build the same graph.

const graphOf = (index: HNSW): Graph => (index as unknown as { graph: Graph }).graph;

const dim = 20; // padded to 24 floats: growth must leave zero padding in new vector slots
const n = 3000;
const data = clustered(n, dim, 30, 901);
const queries = clustered(1000, dim, 30, 902);
const EFS = [10, 40, 160, 320];

type Hit = { id: number; distance: number };

/** Searches every query with the wasm walk and with the JS walk; returns how many answers differ. */
function compareWalks(index: HNSW, ef: number, k: number, options: { filterBits?: Uint32Array; filter?: (id: number) => boolean } = {}, count = queries.length / dim): number {
  const graph = graphOf(index);
  let differ = 0;
  for (let q = 0; q < count; q++) {
    const query = queries.subarray(q * dim, (q + 1) * dim);
    graph.useWalk0 = true;
    const wasm: Hit[] = index.search(query, k, { ef, ...options });
    graph.useWalk0 = false;
    const js: Hit[] = index.search(query, k, { ef, ...options });
    graph.useWalk0 = true;
    if (wasm.length !== js.length || wasm.some((h, i) => h.id !== js[i]!.id || h.distance !== js[i]!.distance)) differ++;
  }
  return differ;
}

function build(metric: 'l2' | 'cosine' | 'innerProduct', wasm: boolean): HNSW {
  const index = new HNSW({ dimension: dim, M: 8, efConstruction: 48, distance: metric, seed: 5, repairThreshold: 1 });
  graphOf(index).useWalk0 = wasm;
  // One at a time from a capacity of 16: every doubling moves links0 and the tombstones in the memory.
  for (let i = 0; i < n; i++) index.add(data.subarray(i * dim, (i + 1) * dim));
  return index;
}

describe('layer-0 walk in WebAssembly', () => {
  for (const metric of ['l2', 'cosine', 'innerProduct'] as const) {
    describe(metric, () => {
      const index = build(metric, true);

      it('is in use: links0 and the tombstones are views of the vector memory', () => {
        const graph = graphOf(index);
        expect(graph.walk0).not.toBeNull();
        expect(graph.inMemory).toBe(true);
        expect(graph.links0.buffer).toBe(graph.deleted.buffer);
        expect(graph.memory).not.toBeNull();
        expect(graph.links0.byteOffset).toBe((graph.capacity + 1) * graph.strideBytes);
      });

      it('builds exactly the graph the JS walk builds', () => {
        const js = build(metric, false);
        const a = graphOf(index);
        const b = graphOf(js);
        expect(a.count).toBe(n);
        expect(Buffer.from(a.links0.buffer, a.links0.byteOffset, n * a.stride0 * 4).equals(Buffer.from(b.links0.buffer, b.links0.byteOffset, n * b.stride0 * 4))).toBe(true);
        expect(Array.from(a.upperLinks.subarray(0, a.state[3]!))).toEqual(Array.from(b.upperLinks.subarray(0, b.state[3]!)));
      });

      it.each(EFS)('answers 1,000 queries exactly as the JS walk at ef %i (all ef results)', (ef) => {
        expect(compareWalks(index, ef, ef)).toBe(0);
      });

      it('answers exactly as the JS walk with tombstones and with filters', () => {
        const deleting = build(metric, true);
        for (let id = 0; id < n; id += 7) deleting.delete(id);
        expect(graphOf(deleting).deleted[7]).toBe(1);
        for (const ef of EFS) expect(compareWalks(deleting, ef, ef)).toBe(0);
        // A bitset is tested in the wasm walk (copied into the memory); a filter function in the JS one.
        const bits = new Uint32Array(Math.ceil(n / 32) + 3);
        for (let id = 0; id < n; id += 3) bits[id >>> 5]! |= 1 << (id & 31);
        for (const ef of EFS) expect(compareWalks(deleting, ef, 10, { filterBits: bits }, 300)).toBe(0);
        expect(compareWalks(deleting, 40, 10, { filter: (id) => id % 5 !== 0 }, 200)).toBe(0);
        // 0.5 %: walks stop at their visit budget and fall back to the exact scan, in both walks alike.
        const rare = new Uint32Array(Math.ceil(n / 32));
        for (let id = 5; id < n; id += 200) rare[id >>> 5]! |= 1 << (id & 31);
        expect(compareWalks(deleting, 10, 10, { filterBits: rare }, 100)).toBe(0);
      });
    });
  }

  it('stays exact across the visited-tag epoch wrap and a candidate heap that fills up', () => {
    const index = build('l2', true);
    const graph = graphOf(index);
    graph.walkEpoch = 0xfffe; // the next three searches wrap it
    expect(compareWalks(index, 160, 50, {}, 20)).toBe(0);
    expect(graph.walkEpoch).toBeLessThan(0xfffe);
    // A candidate heap of 4 records fills at once: the walk grows it and walks again.
    graph.candCap = 4;
    expect(compareWalks(index, 320, 320, {}, 200)).toBe(0);
    expect(graph.candCap).toBeGreaterThan(4);
    // The same with a bitset, which moves up with the heaps.
    const bits = new Uint32Array(Math.ceil(n / 32)).fill(0x55555555);
    graph.candCap = 4;
    expect(compareWalks(index, 160, 10, { filterBits: bits }, 200)).toBe(0);
    expect(graph.candCap).toBeGreaterThan(4);
  });

  it('stops at the same visit budget as the JS walk', () => {
    const index = build('l2', true);
    const graph = graphOf(index);
    const bits = new Uint32Array(Math.ceil(n / 32));
    for (let id = 0; id < n; id += 50) bits[id >>> 5]! |= 1 << (id & 31);
    const ep = graph.state[1]!;
    let stopped = 0;
    for (let q = 0; q < 200; q++) {
      graph.vectors.set(queries.subarray(q * dim, (q + 1) * dim), 0);
      for (const budget of [100, 400, 1600]) {
        graph.useWalk0 = true;
        const wasm = graph.searchLayer0Filtered(0, ep, 20, null, bits, budget);
        const wasmHeap = [Array.from(graph.results.keys.subarray(0, graph.results.length)), Array.from(graph.results.ids.subarray(0, graph.results.length))];
        graph.useWalk0 = false;
        const js = graph.searchLayer0Filtered(0, ep, 20, null, bits, budget);
        graph.useWalk0 = true;
        expect(wasm).toBe(js);
        if (!js) stopped++;
        else expect(wasmHeap).toEqual([Array.from(graph.results.keys.subarray(0, graph.results.length)), Array.from(graph.results.ids.subarray(0, graph.results.length))]);
      }
    }
    expect(stopped).toBeGreaterThan(100); // the budget did cut walks short
  });
});

// With ef results held, the wasm walk computes squared L2 with a kernel that gives up halfway once
// the partial sum is not below the farthest result (walk.wat `$l2b`): exact only because sums of
// squares never decrease under rounding. The tests above use 20-d vectors (96 bytes), too short for
// a halfway check; these widths stop after 1, 2, 3 and 4 of the 64-byte steps (100-d also has the
// 32-byte tail), and the grid data has many exactly equal distances (ties with the bound).
describe('squared L2 given up halfway past the bound', () => {
  const grid = (count: number, d: number, seed: number): Float32Array => {
    const out = new Float32Array(count * d);
    let s = seed;
    for (let i = 0; i < out.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      out[i] = (s >>> 28) - 8; // small integers: many pairs at exactly the same distance
    }
    return out;
  };
  it.each([
    [32, 'clustered'],
    [64, 'grid'],
    [96, 'clustered'],
    [100, 'grid'],
    [128, 'clustered'],
  ] as const)('%i-d %s: the same graph and the same answers as the JS walk at every ef', (d, kind) => {
    const count = 1500;
    const base = kind === 'grid' ? grid(count, d, d) : clustered(count, d, 20, 40 + d);
    const qs = kind === 'grid' ? grid(200, d, d + 1) : clustered(200, d, 20, 80 + d);
    const make = (wasm: boolean): HNSW => {
      const index = new HNSW({ dimension: d, M: 8, efConstruction: 64, seed: 3 });
      graphOf(index).useWalk0 = wasm;
      index.addBatch(base);
      return index;
    };
    const index = make(true);
    const js = make(false);
    const a = graphOf(index);
    const b = graphOf(js);
    expect(Buffer.from(a.links0.buffer, a.links0.byteOffset, count * a.stride0 * 4).equals(Buffer.from(b.links0.buffer, b.links0.byteOffset, count * b.stride0 * 4))).toBe(true);
    for (const ef of [10, 40, 160]) {
      let differ = 0;
      for (let q = 0; q < 200; q++) {
        const query = qs.subarray(q * d, (q + 1) * d);
        a.useWalk0 = true;
        const wasm: Hit[] = index.search(query, ef, { ef });
        a.useWalk0 = false;
        const ref: Hit[] = index.search(query, ef, { ef });
        a.useWalk0 = true;
        if (wasm.length !== ref.length || wasm.some((h, i) => h.id !== ref[i]!.id || h.distance !== ref[i]!.distance)) differ++;
      }
      expect(differ).toBe(0);
    }
  });
});

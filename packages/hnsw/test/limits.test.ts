import { ErrorCode, HNSW, InvalidArgumentError, MAX_DIMENSION, MAX_EF_CONSTRUCTION, ResourceExhaustedError } from '@vego/hnsw';
import { Graph, METRIC_L2 } from '../src/internal/graph';
import { MAX_VECTOR_MEMORY_BYTES } from '../src/internal/kernels';
import { clustered } from './fixtures/data';

// Regression: `new HNSW({ dimension: 2 ** 27 })` threw a plain RangeError from WebAssembly.Memory.
describe('memory limits of an index', () => {
  it('refuses a dimension above MAX_DIMENSION up front, stating the limit', () => {
    expect(() => new HNSW({ dimension: 2 ** 27 })).toThrow(InvalidArgumentError);
    expect(() => new HNSW({ dimension: 2 ** 27 })).toThrow(/`dimension` must be at most 16777216 .*4 GiB.*got 134217728/);
    expect(() => new HNSW({ dimension: MAX_DIMENSION + 1 })).toThrow(InvalidArgumentError);
    expect(MAX_DIMENSION).toBe(2 ** 24);
  });

  it('refuses an efConstruction above MAX_EF_CONSTRUCTION (it sizes the insert scratch)', () => {
    expect(() => new HNSW({ dimension: 4, efConstruction: MAX_EF_CONSTRUCTION + 1 })).toThrow(/`efConstruction` must be at most 65536/);
    expect(new HNSW({ dimension: 4, efConstruction: MAX_EF_CONSTRUCTION }).config.efConstruction).toBe(MAX_EF_CONSTRUCTION);
  });

  it('says how many vectors of a dimension fit before allocating anything', () => {
    // 2^24 floats = 64 MiB per vector: 63 fit beside the query slot in 4 GiB.
    const params = { dimension: MAX_DIMENSION, M: 4, efConstruction: 8, metric: METRIC_L2 };
    let error: unknown;
    try {
      new Graph(params, 64);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect((error as ResourceExhaustedError).code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect((error as Error).message).toMatch(/dimension 16777216 holds at most 63 vectors .*4294967296 bytes = 4 GiB.*64 were asked for/);
    expect(Math.floor(MAX_VECTOR_MEMORY_BYTES / (4 * MAX_DIMENSION)) - 1).toBe(63);
  });

  it('turns a refused memory grow into ResourceExhaustedError and leaves the index as it was', () => {
    const index = new HNSW({ dimension: 8, M: 4, efConstruction: 16 });
    index.addBatch(clustered(10, 8, 2, 1));
    const before = index.search(clustered(1, 8, 2, 2), 3);
    const memory = (globalThis as unknown as { WebAssembly: { Memory: { prototype: { grow(pages: number): number } } } }).WebAssembly.Memory.prototype;
    const grow = jest.spyOn(memory, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    try {
      let error: unknown;
      try {
        index.addBatch(clustered(5000, 8, 2, 3));
      } catch (e) {
        error = e;
      }
      // Without WebAssembly the stand-in grows an ArrayBuffer instead; either refusal is typed.
      expect(error).toBeInstanceOf(ResourceExhaustedError);
      expect((error as Error).message).toMatch(/cannot allocate \d+ bytes for the (vector memory|index arrays)/);
      expect((error as Error).cause).toBeInstanceOf(RangeError);
    } finally {
      grow.mockRestore();
    }
    expect(index.size).toBe(10);
    expect(index.numIds).toBe(10);
    expect(index.search(clustered(1, 8, 2, 2), 3)).toEqual(before);
  });

  it('sizes search buffers by the graph, not by a huge ef', () => {
    const index = new HNSW({ dimension: 4, M: 4, efConstruction: 16 });
    const data = clustered(50, 4, 2, 9);
    index.addBatch(data);
    const q = data.subarray(0, 4);
    expect(index.search(q, 5, 2 ** 30)).toEqual(index.search(q, 5, 50));
  });

  // Fuzz finding (a db collection whose \`_doc_id\` said 100,000,000): growing an in-memory graph
  // past 2 GiB of layout threw RangeError, because 16-byte alignment used 32-bit bit operations and
  // turned the offsets above 2^31 negative. The memory is grown lazily, so this costs no RSS.
  it('keeps in-memory layout offsets past 2 GiB positive and grows to them', () => {
    const graph = new Graph({ dimension: 4, M: 16, efConstruction: 16, metric: METRIC_L2 }, 16);
    const cap = 20_971_520; // links0 alone is 2.6 GiB: the regions after it start past 2^31
    const layout = graph.layout(cap);
    const offsets = [layout.links0At, layout.deletedAt, layout.countsAt, layout.tagsAt, layout.scratchAt, layout.resAt, layout.candAt, layout.bitsAt, layout.end];
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThanOrEqual(offsets[i - 1]!);
    expect(layout.tagsAt % 16).toBe(0);
    expect(layout.end).toBeGreaterThan(2 ** 31);
    expect(layout.end).toBeLessThanOrEqual(MAX_VECTOR_MEMORY_BYTES);
    graph.reserve(cap, false);
    expect(graph.capacity).toBe(cap);
  });
});

import { HNSW } from '../src';
import { clusteredBinary, refDistance } from './binary-support';

// A second copy of the package in which the float SIMD module is missing, as where WebAssembly SIMD
// or shared memory is not available: the graph then has no WebAssembly memory, so the binary
// kernels take their pure-TS fallback.
let FallbackHNSW: typeof HNSW;
jest.isolateModules(() => {
  jest.doMock('../src/internal/kernels', () => ({ ...jest.requireActual('../src/internal/kernels'), simdModule: () => null }));
  FallbackHNSW = (require('../src') as typeof import('../src')).HNSW;
});

function graphOf(index: HNSW): { memory: unknown; many: unknown } {
  return (index as unknown as { graph: { memory: unknown; many: unknown } }).graph;
}

describe.each(['hamming', 'jaccard'] as const)('binary index without SIMD (%s)', (metric) => {
  it('builds the same graph and answers every search exactly as the SIMD index does', () => {
    const bits = 256;
    const data = clusteredBinary(500, bits, 12, 0.1, 0.3, 5);
    const queries = clusteredBinary(40, bits, 12, 0.12, 0.3, 6);
    const simd = new HNSW({ dimension: bits, distance: metric });
    const fallback = new FallbackHNSW({ dimension: bits, distance: metric });
    expect(graphOf(simd).memory).not.toBeNull();
    expect(graphOf(simd).many).not.toBeNull();
    expect(graphOf(fallback).memory).toBeNull();
    expect(graphOf(fallback).many).toBeNull();
    simd.addBatch(data);
    fallback.addBatch(data);
    for (let id = 0; id < data.length; id += 7) {
      simd.delete(id);
      fallback.delete(id);
    }
    for (const q of queries) {
      const a = simd.search(q, 10, 48);
      expect(fallback.search(q, 10, 48)).toEqual(a);
      for (const h of a) expect(h.distance).toBe(refDistance(metric, data[h.id]!, q));
      expect(fallback.searchExact(q, 10)).toEqual(simd.searchExact(q, 10));
    }
    for (let id = 1; id < data.length; id += 31) if (id % 7 !== 0) expect(fallback.getBinary(id)).toEqual(data[id]);
  });
});

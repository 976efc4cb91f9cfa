import { VECTOR_CHUNK_ROWS, VectorChunks } from '../src/internal/vector-chunks';
import { seededRandom } from '../../../test-support/random';

describe('VectorChunks', () => {
  const D = 3;
  const N = 2 * VECTOR_CHUNK_ROWS + 700; // three chunks, the last one part-filled
  const rnd = seededRandom(17);
  const flat = Float32Array.from({ length: N * D }, () => rnd() * 2 - 1);
  const store = new VectorChunks(D);
  store.reserve(N);
  const norms = new Float64Array(N);
  for (let id = 0; id < N; id++) norms[id] = store.set(id, flat, id * D);

  it('grows by whole chunks and keeps rows where they were', () => {
    expect(store.chunks).toHaveLength(3);
    const first = store.chunks[0];
    store.reserve(3 * VECTOR_CHUNK_ROWS + 1);
    expect(store.chunks).toHaveLength(4);
    expect(store.chunks[0]).toBe(first);
    expect(store.byteLength).toBe(4 * VECTOR_CHUNK_ROWS * D * 4);
  });

  it('reads back every row exactly, across chunk boundaries', () => {
    for (const id of [0, VECTOR_CHUNK_ROWS - 1, VECTOR_CHUNK_ROWS, 2 * VECTOR_CHUNK_ROWS - 1, 2 * VECTOR_CHUNK_ROWS, N - 1]) {
      const want = flat.subarray(id * D, id * D + D);
      expect(Array.from(store.copy(id))).toEqual(Array.from(want));
      expect(Array.from(store.view(id))).toEqual(Array.from(want));
      expect(store.equals(id, flat, id * D)).toBe(true);
      expect(store.equals(id, flat, ((id + 1) % N) * D)).toBe(false);
      expect(norms[id]).toBeCloseTo(Math.hypot(want[0]!, want[1]!, want[2]!), 6);
    }
    // −0 and 0 differ bit for bit.
    const z = new VectorChunks(1);
    z.reserve(1);
    z.set(0, Float32Array.of(0), 0);
    expect(z.equals(0, Float32Array.of(-0), 0)).toBe(false);
  });
});

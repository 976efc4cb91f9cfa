/**
 * A collection's vectors as given (not normalised), where nothing else holds them (an in-memory
 * cosine collection; any collection while it opens, until its index holds them), in fixed-size chunks of
 * {@link VECTOR_CHUNK_ROWS} rows: growing adds a chunk and never copies what is stored, so a long
 * insert never stops the event loop to move every vector (one flat array doubling at 65,536 × 128
 * floats copied 32 MB into a new 64 MB array in one ~100 ms step), and capacity overshoots by at
 * most one chunk instead of up to half the array.
 */

/** log2 of the rows per chunk. */
export const VECTOR_CHUNK_SHIFT = 12;
/** Rows per chunk (4,096: 2 MiB at 128 float32 components). */
export const VECTOR_CHUNK_ROWS = 1 << VECTOR_CHUNK_SHIFT;
const ROW_MASK = VECTOR_CHUNK_ROWS - 1;

/** Chunked float32 rows of one dimension, by id. Rows never written read as zeros. */
export class VectorChunks {
  /** The chunks; row `id` is at `chunks[id >>> VECTOR_CHUNK_SHIFT]`, offset `(id & mask) · dimension`. */
  readonly chunks: Float32Array[] = [];

  constructor(readonly dimension: number) {}

  /** Rows that fit without a new chunk. */
  get capacity(): number {
    return this.chunks.length << VECTOR_CHUNK_SHIFT;
  }

  /** Makes room for ids below `n` (adds zeroed chunks; stored rows stay where they are). */
  reserve(n: number): void {
    while (this.capacity < n) this.chunks.push(new Float32Array(VECTOR_CHUNK_ROWS * this.dimension));
  }

  /** The chunk holding `id` (see {@link offsetOf}); the caller has reserved it. */
  chunkOf(id: number): Float32Array {
    return this.chunks[id >>> VECTOR_CHUNK_SHIFT]!;
  }

  /** Offset of row `id` in its chunk. */
  offsetOf(id: number): number {
    return (id & ROW_MASK) * this.dimension;
  }

  /** Copies `dimension` floats of `src` from `srcOffset` into row `id`; returns the row's Euclidean norm. */
  set(id: number, src: Float32Array, srcOffset: number): number {
    const d = this.dimension;
    const chunk = this.chunks[id >>> VECTOR_CHUNK_SHIFT]!;
    const off = (id & ROW_MASK) * d;
    let ss = 0;
    for (let j = 0; j < d; j++) {
      const x = src[srcOffset + j]!;
      chunk[off + j] = x;
      ss += x * x;
    }
    return Math.sqrt(ss);
  }

  /** A view of row `id` (valid as long as the store lives; it shares the chunk's memory). */
  view(id: number): Float32Array {
    const off = this.offsetOf(id);
    return this.chunkOf(id).subarray(off, off + this.dimension);
  }

  /** A copy of row `id`. */
  copy(id: number): Float32Array {
    const off = this.offsetOf(id);
    return this.chunkOf(id).slice(off, off + this.dimension);
  }

  /** True when row `id` equals `v` bit for bit (`Object.is` per component: −0 differs from 0). */
  equals(id: number, v: Float32Array, vOffset: number): boolean {
    const chunk = this.chunkOf(id);
    const off = this.offsetOf(id);
    const d = this.dimension;
    for (let j = 0; j < d; j++) if (!Object.is(chunk[off + j], v[vOffset + j])) return false;
    return true;
  }

  /** Bytes held by the chunks. */
  get byteLength(): number {
    return this.chunks.length * VECTOR_CHUNK_ROWS * this.dimension * 4;
  }
}

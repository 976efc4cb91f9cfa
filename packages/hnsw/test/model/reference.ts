/**
 * The reference model of the model-based test: what an index should hold and answer, kept as a
 * plain map from id to vector with a deleted flag, and answered by brute force. It follows the
 * index's documented contract, not its code: vectors stored as the index prepares them (float32,
 * unit length under cosine, normalised the way `prepare` documents: the float32 components'
 * squares summed in double, then each multiplied by `1 / sqrt(sum)`), distances as the Distances
 * tables of the README define them, and ties settled by id.
 */
import { refDistance } from '../binary-support';

export type FloatMetric = 'l2' | 'cosine' | 'innerProduct';
export type BinaryMetric = 'hamming' | 'jaccard';
export type Metric = FloatMetric | BinaryMetric;

export interface Hit {
  id: number;
  distance: number;
}

/** A stored vector: float32 components, or the bit-packed bytes of a binary metric. */
export type Stored = Float32Array | Uint8Array;

export function isBinary(metric: Metric): metric is BinaryMetric {
  return metric === 'hamming' || metric === 'jaccard';
}

/** The vector as the index stores it (what `get` / `getBinary` must give back, bit for bit). */
export function prepared(metric: Metric, vector: Stored): Stored {
  if (isBinary(metric)) return Uint8Array.from(vector as Uint8Array);
  const out = Float32Array.from(vector as Float32Array);
  if (metric === 'cosine') {
    let norm = 0;
    for (const x of out) norm += x * x;
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
  }
  return out;
}

/**
 * The documented distance between two prepared vectors, computed in double. For l2 and inner
 * product on the test's grid data (multiples of 1/4, small) every product and partial sum is exact
 * in float32 too, so these equal the index's float32 kernels exactly; under cosine the unit
 * vectors are not on a grid, and the index's float32 sum may differ in the last bits.
 */
export function distance(metric: Metric, a: Stored, b: Stored): number {
  switch (metric) {
    case 'l2': {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
      return Math.fround(s);
    }
    case 'cosine':
    case 'innerProduct': {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
      return Math.fround(1 - s);
    }
    case 'hamming':
    case 'jaccard':
      return refDistance(metric, a as Uint8Array, b as Uint8Array);
  }
}

/** The absolute tolerance of a reported distance: zero where the model is exact (see {@link distance}). */
export function tolerance(metric: Metric, dimension: number): number {
  return metric === 'cosine' ? 4 * dimension * 2 ** -23 : 0;
}

export class ReferenceModel {
  /** id → prepared vector, for every id ever assigned (deleted ones keep theirs, as the index does). */
  readonly vectors: Stored[] = [];
  readonly deleted: boolean[] = [];

  constructor(
    readonly metric: Metric,
    readonly dimension: number,
  ) {}

  get numIds(): number {
    return this.vectors.length;
  }

  get live(): number {
    let n = 0;
    for (const d of this.deleted) if (!d) n++;
    return n;
  }

  has(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.vectors.length && !this.deleted[id];
  }

  add(vector: Stored): number {
    this.vectors.push(prepared(this.metric, vector));
    this.deleted.push(false);
    return this.vectors.length - 1;
  }

  update(id: number, vector: Stored): void {
    this.vectors[id] = prepared(this.metric, vector);
  }

  delete(id: number): void {
    this.deleted[id] = true;
  }

  clone(): ReferenceModel {
    const copy = new ReferenceModel(this.metric, this.dimension);
    copy.vectors.push(...this.vectors);
    copy.deleted.push(...this.deleted);
    return copy;
  }

  /** Every live id that `accept` takes, sorted by distance to `query` (prepared), then by id. */
  ranked(query: Stored, accept: (id: number) => boolean = () => true): Hit[] {
    const q = prepared(this.metric, query);
    const hits: Hit[] = [];
    for (let id = 0; id < this.vectors.length; id++) {
      if (!this.deleted[id] && accept(id)) hits.push({ id, distance: distance(this.metric, this.vectors[id]!, q) });
    }
    return hits.sort((a, b) => a.distance - b.distance || a.id - b.id);
  }
}

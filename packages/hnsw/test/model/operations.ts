/**
 * The operations of the model-based test, as plain data (so a failing sequence can be printed,
 * replayed and cut down), and the seeded generator that draws them against the model's state.
 */
import { type Metric, type ReferenceModel, type Stored, isBinary } from './reference';

export type Op =
  | { t: 'add'; v: number[] }
  | { t: 'addBatch'; vs: number[][]; threads: number; async: boolean }
  | { t: 'badAdd'; kind: 'length' | 'nan' | 'zero' | 'batchRow' }
  | { t: 'delete'; id: number }
  | { t: 'update'; id: number; v: number[] }
  | { t: 'compact' }
  /** A call made while an async search or an async batch is in flight: changes must be refused. */
  | { t: 'conflict'; during: 'searchManyAsync' | 'addBatchAsync'; vs: number[][]; id: number }
  | {
      t: 'save';
      dir: 'same' | 'new';
      sync: boolean;
      durable: boolean;
      full: boolean;
      compactionThreshold?: number;
      crossCheck: boolean;
      /** Operations run while an async save is under way (after the call, before it settles). */
      during?: Op[];
    }
  | { t: 'load'; dir: number; sync: boolean; disk: boolean }
  | { t: 'snapshot' }
  | { t: 'cleanup'; dir: number }
  | { t: 'check'; seed: number };

export interface ModelConfig {
  metric: Metric;
  dimension: number;
  M: number;
  efConstruction: number;
  quantization: 'none' | 'sq8';
  repair: 'deferred' | 'eager';
  repairThreshold: number;
  /** Allow saves and loads (each costs a few ms of file work). */
  persistence: boolean;
}

/** Vectors the index takes for `config`: numbers for float metrics, bytes for binary ones. */
export function toVector(config: ModelConfig, v: readonly number[]): Stored {
  return isBinary(config.metric) ? Uint8Array.from(v) : Float32Array.from(v);
}

/**
 * Draws clustered data with exact duplicates and ties: float components on a grid of 1/4 (so l2
 * and inner-product sums are exact in float32, and equal distances are truly equal), a few
 * cluster centres; binary vectors as a centre with a few bits flipped, sometimes all zeros.
 */
export class DataSource {
  private readonly centres: number[][] = [];
  private readonly drawn: number[][] = [];

  constructor(
    private readonly config: ModelConfig,
    private readonly random: () => number,
  ) {
    const n = 2 + Math.floor(random() * 3);
    for (let c = 0; c < n; c++) this.centres.push(this.fresh(true));
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private fresh(centre: boolean): number[] {
    const { metric, dimension } = this.config;
    if (isBinary(metric)) {
      const bytes = dimension / 8;
      if (!centre && this.random() < 0.05) return new Array<number>(bytes).fill(0);
      if (centre) return Array.from({ length: bytes }, () => this.int(256));
      const v = [...this.centres[this.int(this.centres.length)]!];
      for (let f = this.int(4); f > 0; f--) {
        const bit = this.int(dimension);
        v[bit >> 3] ^= 1 << (bit & 7);
      }
      return v;
    }
    if (centre) return Array.from({ length: dimension }, () => (this.int(17) - 8) / 4);
    const v = [...this.centres[this.int(this.centres.length)]!];
    for (let i = 0; i < dimension; i++) if (this.random() < 0.3) v[i] = Math.max(-4, Math.min(4, v[i]! + (this.int(5) - 2) / 4));
    if (metric === 'cosine' && !v.some((x) => x !== 0)) v[0] = 0.25;
    return v;
  }

  /** A vector: a fresh one, or (one time in five) an exact copy of one drawn before. */
  next(): number[] {
    if (this.drawn.length > 0 && this.random() < 0.2) return [...this.drawn[this.int(this.drawn.length)]!];
    const v = this.fresh(false);
    this.drawn.push(v);
    return v;
  }
}

/** Draws one operation for the current state. `saves` is how many directories exist. */
export function nextOp(random: () => number, data: DataSource, model: ReferenceModel, config: ModelConfig, saves: number): Op {
  const int = (n: number): number => Math.floor(random() * n);
  // An id: mostly live ones, sometimes deleted or never assigned (the calls must refuse those).
  const id = (): number => {
    const r = random();
    if (model.numIds === 0 || r < 0.08) return model.numIds + int(3);
    if (r < 0.12) return -1;
    return int(model.numIds);
  };
  const r = random() * 100;
  if (r < 22 || model.live < 4) return { t: 'add', v: data.next() };
  if (r < 32) {
    const n = 1 + int(12);
    return { t: 'addBatch', vs: Array.from({ length: n }, () => data.next()), threads: 1 + int(2), async: random() < 0.3 };
  }
  if (r < 34) return { t: 'badAdd', kind: (['length', 'nan', 'zero', 'batchRow'] as const)[int(4)]! };
  if (r < 52) return { t: 'delete', id: id() };
  if (r < 62) return { t: 'update', id: id(), v: data.next() };
  if (r < 65) return { t: 'compact' };
  if (r < 67) return { t: 'conflict', during: random() < 0.5 ? 'searchManyAsync' : 'addBatchAsync', vs: [data.next(), data.next()], id: id() };
  if (config.persistence) {
    if (r < 70) {
      const sync = random() < 0.5;
      const op: Op = { t: 'save', dir: saves === 0 || random() < 0.2 ? 'new' : 'same', sync, durable: random() < 0.3, full: random() < 0.1, crossCheck: random() < 0.3 };
      if (!sync && random() < 0.5) op.during = duringSave(random, data, model, config);
      if (random() < 0.3) op.compactionThreshold = [0, 0.1, 1][Math.floor(random() * 3)];
      return op;
    }
    if (r < 73 && saves > 0) return { t: 'load', dir: int(saves), sync: random() < 0.5, disk: config.quantization === 'sq8' && random() < 0.5 };
    if (r < 74 && saves > 0) return { t: 'cleanup', dir: int(saves) };
  }
  if (r < 77) return { t: 'snapshot' };
  return { t: 'check', seed: int(2 ** 31) };
}

/**
 * Changes made while an async save runs: the save must write the state it started from, and the
 * next save to the folder must not lose them. One in five is a synchronous whole save to a new
 * folder, which overlaps the first (saves that overlap hash every row).
 */
function duringSave(random: () => number, data: DataSource, model: ReferenceModel, config: ModelConfig): Op[] {
  const ops: Op[] = [];
  for (let n = 1 + Math.floor(random() * 4); ops.length < n; ) {
    if (random() < 0.2) {
      ops.push({ t: 'save', dir: 'new', sync: true, durable: false, full: false, crossCheck: false });
      continue;
    }
    const op = nextOp(random, data, model, { ...config, persistence: false }, 0);
    if (op.t === 'add' || op.t === 'addBatch' || op.t === 'delete' || op.t === 'update' || op.t === 'compact') ops.push(op);
  }
  return ops;
}

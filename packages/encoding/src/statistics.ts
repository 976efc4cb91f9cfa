/**
 * One-pass column statistics that drive {@link chooseEncoding}: min/max, bit width of `max − min`,
 * run count, distinct count (exact up to {@link DISTINCT_EXACT_LIMIT} distinct values, a HyperLogLog
 * estimate above), and byte entropy on a sample. No per-value allocation: fixed-size tables only.
 */
import { NotSupportedError, TypeId } from '@vego/arrow';
import type { ArrayData } from '@vego/arrow';
import { bitWidth32, minMax64 } from './bit-packing';
import { hashBytes, mix32, mix64 } from './internal/hash';
import { byteWidthOf, isBinaryType, isFloatType, isIntegerType, isSignedType, lanesOf, valueBytes } from './internal/lanes';

/** Distinct counts up to this are exact (by 32-bit hash); above it they come from HyperLogLog. */
export const DISTINCT_EXACT_LIMIT = 4096;
/** Bytes of the plain representation sampled for entropy (16 evenly spaced chunks). */
export const ENTROPY_SAMPLE_BYTES = 64 * 1024;
const HLL_P = 12;
const HLL_M = 1 << HLL_P;

/** What {@link computeStatistics} measures. */
export interface ArrayStatistics {
  /** Elements. */
  readonly length: number;
  /** Null elements. */
  readonly nullCount: number;
  /** Bytes per value for fixed-width numbers; 0 for Bool, Utf8 and Binary. */
  readonly byteWidth: number;
  /** Bytes of the plain value buffers (values; for Utf8/Binary offsets + data), validity excluded. */
  readonly plainByteLength: number;
  /** Smallest value (numbers; bigint for 64-bit integers; NaN ignored for floats), null when none. */
  readonly min: number | bigint | null;
  /** Largest value, as `min`. */
  readonly max: number | bigint | null;
  /** Integers: bits of `max − min` (frame-of-reference width); others: the type's bit width. */
  readonly bitWidth: number;
  /** Runs of equal consecutive values (by bit pattern; null slots count with their stored value). */
  readonly runCount: number;
  /** Distinct values (exact when `distinctExact`, otherwise a HyperLogLog estimate, ~1.6 % error). */
  readonly distinctCount: number;
  /** True when `distinctCount` is exact. */
  readonly distinctExact: boolean;
  /** Order-0 entropy in bits per byte (0..8) of a sample of the plain value bytes. */
  readonly byteEntropy: number;
  /** Mean order-0 entropy of the byte streams (byte `k` of every value) on the same sample; fixed width only. */
  readonly streamEntropy: number;
  /** Total bytes of the data payload of Utf8/Binary (0 otherwise). */
  readonly dataByteLength: number;
}

class DistinctCounter {
  readonly table = new Int32Array(DISTINCT_EXACT_LIMIT * 4);
  readonly used = new Uint8Array(DISTINCT_EXACT_LIMIT * 4);
  readonly registers = new Uint8Array(HLL_M);
  exact = 0;
  overflow = false;

  add(h: number): void {
    const idx = h >>> (32 - HLL_P);
    const rank = Math.clz32((h << HLL_P) | (1 << (HLL_P - 1))) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
    if (this.overflow) return;
    const mask = this.table.length - 1;
    let s = mix32(h ^ 0x5bd1e995) & mask;
    const key = h | 0;
    while (this.used[s] === 1) {
      if (this.table[s] === key) return;
      s = (s + 1) & mask;
    }
    this.used[s] = 1;
    this.table[s] = key;
    if (++this.exact > DISTINCT_EXACT_LIMIT) this.overflow = true;
  }

  estimate(): { count: number; exact: boolean } {
    if (!this.overflow) return { count: this.exact, exact: true };
    let sum = 0;
    let zeros = 0;
    const r = this.registers;
    for (let j = 0; j < HLL_M; j++) {
      sum += 2 ** -r[j]!;
      if (r[j] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    let e = (alpha * HLL_M * HLL_M) / sum;
    if (e <= 2.5 * HLL_M && zeros > 0) e = HLL_M * Math.log(HLL_M / zeros);
    return { count: Math.max(DISTINCT_EXACT_LIMIT + 1, Math.round(e)), exact: false };
  }
}

/**
 * Measures `data` in one pass over its values plus a bounded sample for entropy.
 * @throws NotSupportedError for nested types (List, FixedSizeList, Struct).
 * @example
 * ```ts
 * const s = computeStatistics(data); // { min, max, bitWidth, runCount, distinctCount, byteEntropy, … }
 * ```
 */
export function computeStatistics(data: ArrayData): ArrayStatistics {
  const type = data.type;
  const n = data.length;
  const counter = new DistinctCounter();
  if (type.typeId === TypeId.Bool) {
    const bits = data.values as Uint8Array;
    let runs = 0;
    let prev = -1;
    let ones = 0;
    for (let i = 0; i < n; i++) {
      const j = data.offset + i;
      const b = (bits[j >> 3]! >> (j & 7)) & 1;
      ones += b;
      if (b !== prev) {
        runs++;
        prev = b;
      }
    }
    const distinct = (ones > 0 ? 1 : 0) + (ones < n ? 1 : 0);
    const bytes = (n + 7) >>> 3;
    const p = n === 0 ? 0 : ones / n;
    const h = p === 0 || p === 1 ? 0 : -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
    return {
      length: n, nullCount: data.nullCount, byteWidth: 0, plainByteLength: bytes,
      min: n === 0 ? null : ones === n ? 1 : 0, max: n === 0 ? null : ones > 0 ? 1 : 0, bitWidth: 1,
      runCount: runs, distinctCount: distinct, distinctExact: true, byteEntropy: Math.min(8, h * 8), streamEntropy: Math.min(8, h * 8),
      dataByteLength: 0,
    };
  }
  if (isBinaryType(type)) {
    const offs = data.valueOffsets!;
    const bytes = data.values as Uint8Array;
    let runs = 0;
    let prevHash = 0;
    for (let i = 0; i < n; i++) {
      const h = hashBytes(bytes, offs[data.offset + i]!, offs[data.offset + i + 1]!);
      if (i === 0 || h !== prevHash) runs++;
      prevHash = h;
      counter.add(h);
    }
    const start = n === 0 ? 0 : offs[data.offset]!;
    const end = n === 0 ? 0 : offs[data.offset + n]!;
    const sample = entropyOf(bytes.subarray(start, end), 1);
    const d = counter.estimate();
    return {
      length: n, nullCount: data.nullCount, byteWidth: 0, plainByteLength: 4 * (n + 1) + (end - start),
      min: null, max: null, bitWidth: 8, runCount: runs, distinctCount: d.count, distinctExact: d.exact,
      byteEntropy: sample.byteEntropy, streamEntropy: sample.byteEntropy, dataByteLength: end - start,
    };
  }
  const w = byteWidthOf(type);
  if (w === 0) throw new NotSupportedError(`statistics for ${type.toString()} are not supported`);
  const lanes = lanesOf(data);
  let runs = 0;
  let min: number | bigint | null = null;
  let max: number | bigint | null = null;
  let bitWidth = w * 8;
  if (w === 8) {
    runs = scan64(lanes as Uint32Array, counter);
    if (isIntegerType(type) && n > 0) {
      const r = minMaxBig64(lanes as Uint32Array, isSignedType(type));
      min = r.min;
      max = r.max;
      bitWidth = r.bitWidth;
    }
  } else {
    runs = scan32(lanes, counter);
    if (isIntegerType(type) && n > 0) {
      const v = data.values!;
      let lo = Number(v[data.offset]!);
      let hi = lo;
      for (let i = 1; i < n; i++) {
        const x = v[data.offset + i] as number;
        if (x < lo) lo = x;
        else if (x > hi) hi = x;
      }
      min = lo;
      max = hi;
      bitWidth = bitWidth32((hi - lo) >>> 0);
    }
  }
  if (isFloatType(type) && type.typeId !== TypeId.Float16 && n > 0) {
    const v = data.values as Float32Array | Float64Array;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = v[data.offset + i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (lo <= hi) {
      min = lo;
      max = hi;
    }
  }
  const d = counter.estimate();
  const e = entropyOf(valueBytes(data), w);
  return {
    length: n, nullCount: data.nullCount, byteWidth: w, plainByteLength: n * w, min, max, bitWidth,
    runCount: runs, distinctCount: d.count, distinctExact: d.exact, byteEntropy: e.byteEntropy, streamEntropy: e.streamEntropy,
    dataByteLength: 0,
  };
}

function scan32(v: Uint8Array | Uint16Array | Uint32Array, counter: DistinctCounter): number {
  const n = v.length;
  let runs = 0;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (x !== prev) {
      runs++;
      prev = x;
      counter.add(mix32(x));
    }
  }
  return runs;
}

function scan64(v: Uint32Array, counter: DistinctCounter): number {
  const n = v.length >>> 1;
  let runs = 0;
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const a = v[2 * i]!;
    const b = v[2 * i + 1]!;
    if (a !== lo || b !== hi) {
      runs++;
      lo = a;
      hi = b;
      counter.add(mix64(a, b));
    }
  }
  return runs;
}

/** Min, max and range width of 64-bit integer lanes as BigInts (the scan is bit-packing's {@link minMax64}). */
function minMaxBig64(v: Uint32Array, signed: boolean): { min: bigint; max: bigint; bitWidth: number } {
  const flip = signed ? 0x80000000 : 0;
  const m = minMax64(v, signed);
  const toBig = (lo: number, hi: number): bigint => {
    const u = (BigInt((hi ^ flip) >>> 0) << 32n) | BigInt(lo);
    return signed ? BigInt.asIntN(64, u) : u;
  };
  return { min: toBig(m.minLo, m.minHi), max: toBig(m.maxLo, m.maxHi), bitWidth: m.bitWidth };
}

const HIST = new Float64Array(256);
const STREAM_HIST = new Float64Array(256 * 16);

function entropyOf(bytes: Uint8Array, byteWidth: number): { byteEntropy: number; streamEntropy: number } {
  const total = bytes.length;
  if (total === 0) return { byteEntropy: 0, streamEntropy: 0 };
  const chunks = 16;
  let chunk = Math.floor(ENTROPY_SAMPLE_BYTES / chunks);
  chunk -= chunk % byteWidth;
  HIST.fill(0);
  STREAM_HIST.fill(0, 0, 256 * byteWidth);
  let sampled = 0;
  if (total <= ENTROPY_SAMPLE_BYTES) {
    sampled = histogram(bytes, 0, total, byteWidth);
  } else {
    const step = Math.floor(total / chunks);
    for (let c = 0; c < chunks; c++) {
      let s = c * step;
      s -= s % byteWidth;
      sampled += histogram(bytes, s, Math.min(total, s + chunk), byteWidth);
    }
  }
  const byteEntropy = entropy(HIST, 0, sampled);
  let streamSum = 0;
  for (let k = 0; k < byteWidth; k++) streamSum += entropy(STREAM_HIST, 256 * k, sampled / byteWidth);
  return { byteEntropy, streamEntropy: streamSum / byteWidth };
}

function histogram(bytes: Uint8Array, start: number, end: number, byteWidth: number): number {
  for (let i = start, k = 0; i < end; i++) {
    const b = bytes[i]!;
    HIST[b]!++;
    STREAM_HIST[256 * k + b]!++;
    if (++k === byteWidth) k = 0;
  }
  return end - start;
}

function entropy(hist: Float64Array, base: number, total: number): number {
  if (total <= 0) return 0;
  let h = 0;
  for (let b = 0; b < 256; b++) {
    const c = hist[base + b]!;
    if (c > 0) {
      const p = c / total;
      h -= p * Math.log2(p);
    }
  }
  return h;
}

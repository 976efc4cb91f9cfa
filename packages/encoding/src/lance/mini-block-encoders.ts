/**
 * The Lance 2.1/2.2 mini-block value encoders, each able to cut a page's values into chunks and encode one
 * chunk, and to describe itself as Lance's `CompressiveEncoding` (as plain data; `@vego/format` serialises
 * it). They are reached through the registry (`./registry.ts`), whose `chooseMiniBlockEncoder` picks one
 * per page from the page's statistics:
 *
 * | encoder | values | chunk | chosen when |
 * |---|---|---|---|
 * | `flat` | fixed width (1, 8…64 bits) | ≤ 4096 values and ≤ 4 KiB, a power of two | otherwise |
 * | `rle` | 8/16/32/64-bit values | ≤ 4096 values, ≤ 16 KiB of runs | runs ≤ half the values and ≤ 60 % of the plain bytes (first choice) |
 * | `inline_bitpacking` | 16/32/64-bit integers | 1024 values (one FastLanes block) | packing each chunk at its own width saves ≥ 10 % |
 * | `variable` | Utf8/Binary | ≤ 4096 values and ≈ 4 KiB, a power of two ≥ 2 | always for variable width |
 *
 * Chunk sizes follow what LanceDB 0.39 writes (f64: 512 values per chunk; bit-packed: 1024).
 */
import { InvalidArgumentError } from '@vego/arrow';
import { HOST_LITTLE_ENDIAN } from '../internal/bytes';
import { encodeInlineBitpacked, inlineBitpackedByteLength, maxBitWidth } from './inline-bitpacking';
import { countRleRuns, encodeRleChunk } from './rle';
import { encodeVariableChunk, variableChunkByteLength } from './variable';

/** A page's value compression, mirroring Lance's `CompressiveEncoding` (a subset). */
export type LanceValueCompression =
  | { readonly kind: 'flat'; readonly bitsPerValue: number }
  | { readonly kind: 'inlineBitpacking'; readonly uncompressedBitsPerValue: number }
  | { readonly kind: 'rle'; readonly bitsPerValue: number }
  | { readonly kind: 'variable'; readonly offsetBits: 32 | 64 }
  | { readonly kind: 'fsst'; readonly symbolTable: Uint8Array; readonly values: LanceValueCompression }
  | { readonly kind: 'fixedSizeList'; readonly itemsPerValue: number; readonly hasValidity: boolean; readonly values: LanceValueCompression };

/**
 * Fixed-width values of a page: `count` values of `bitsPerValue` bits (1, 8, 16, 32, 64 or a multiple of
 * 8 for fixed-size lists) in `bytes`, little-endian, LSB-first for 1-bit values.
 */
export interface FixedWidthValues {
  readonly kind: 'fixed';
  readonly bitsPerValue: number;
  readonly count: number;
  readonly bytes: Uint8Array;
  /** True for integer types (bit-packing applies). */
  readonly integer: boolean;
}

/** Variable-width values of a page: Arrow offsets (`count + 1`, not necessarily starting at 0) into `bytes`; invalid rows are written empty. */
export interface VariableWidthValues {
  readonly kind: 'variable';
  readonly count: number;
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly validity: Uint8Array | null;
  readonly validityOffset: number;
  /** Offset width written in chunks: 32 (default) or 64 (large_utf8 / large_binary columns). */
  readonly offsetBits?: 32 | 64;
}

/** Values of one page. */
export type PageValues = FixedWidthValues | VariableWidthValues;

/** One mini-block value encoder (see the registry table). */
export interface MiniBlockEncoder {
  /** Lance's name of the encoding. */
  readonly name: 'flat' | 'inline_bitpacking' | 'rle' | 'variable';
  /** The description written in the page layout. */
  compression(values: PageValues): LanceValueCompression;
  /**
   * Values in the chunk starting at `at`: a power of two, or everything left for the last chunk.
   * @param targetBytes - byte budget of a chunk's values.
   */
  chunkValues(values: PageValues, at: number, targetBytes: number): number;
  /** The value buffers of chunk `[at, at + count)` (new arrays, or views of `values` that must not be written to). */
  encodeChunk(values: PageValues, at: number, count: number): Uint8Array[];
}

const MAX_CHUNK_VALUES = 4096;
/** Value bytes per chunk LanceDB aims at. */
export const MINI_BLOCK_TARGET_BYTES = 4096;

function largestPow2AtMost(n: number): number {
  return n < 1 ? 0 : 2 ** Math.floor(Math.log2(n));
}

/** Last chunk takes everything left when it fits; otherwise a power of two. */
function chunkOf(left: number, fits: number): number {
  if (left <= fits) return left;
  return Math.max(largestPow2AtMost(fits), 1);
}

function fixed(v: PageValues): FixedWidthValues {
  if (v.kind !== 'fixed') throw new InvalidArgumentError('this encoder takes fixed-width values');
  return v;
}

export const flatEncoder: MiniBlockEncoder = {
  name: 'flat',
  compression: (v) => ({ kind: 'flat', bitsPerValue: fixed(v).bitsPerValue }),
  chunkValues(v, at, targetBytes) {
    const f = fixed(v);
    // Whole bytes per chunk: at least 8 values of 1 bit.
    const fits = Math.max(f.bitsPerValue === 1 ? 8 : 1, Math.min(MAX_CHUNK_VALUES, Math.floor((targetBytes * 8) / f.bitsPerValue)));
    return chunkOf(f.count - at, fits);
  },
  encodeChunk(v, at, count) {
    const f = fixed(v);
    if (f.bitsPerValue === 1) {
      if ((at & 7) !== 0) throw new InvalidArgumentError('1-bit chunks must start at a byte');
      return [f.bytes.subarray(at >>> 3, (at + count + 7) >>> 3)];
    }
    // A view: the caller copies it into the chunk.
    const w = f.bitsPerValue >>> 3;
    return [f.bytes.subarray(at * w, (at + count) * w)];
  },
};

/** Scratch halves of one chunk (≤ 1024 values; encoding is synchronous, so one set serves every page). */
const scratchLo = new Uint32Array(1024);
const scratchHi = new Uint32Array(1024);

/**
 * Low 32 bits of values `[at, at + count)` (count ≤ 1024) into `scratchLo[0 …]`, high 32 bits into
 * `scratchHi` for 64-bit values; returns `scratchHi` for 64-bit values, else null. Per chunk rather than per
 * page, so that a page of a million 64-bit values does not allocate 8 MB of halves.
 */
function chunkHalves(f: FixedWidthValues, at: number, count: number): Uint32Array | null {
  const b = f.bytes;
  const lo = scratchLo;
  const t = f.bitsPerValue;
  // 32- and 64-bit values aligned in memory (typed arrays' always are) read as u32 words on little-endian hosts.
  if (HOST_LITTLE_ENDIAN && (t === 32 || t === 64) && (b.byteOffset & 3) === 0) {
    const words = new Uint32Array(b.buffer, b.byteOffset + at * (t >>> 3), count * (t >>> 5));
    if (t === 32) {
      lo.set(words);
      return null;
    }
    const hi = scratchHi;
    for (let i = 0; i < count; i++) {
      lo[i] = words[2 * i]!;
      hi[i] = words[2 * i + 1]!;
    }
    return hi;
  }
  if (t === 8) for (let i = 0; i < count; i++) lo[i] = b[at + i]!;
  else if (t === 16) for (let i = 0; i < count; i++) lo[i] = b[2 * (at + i)]! | (b[2 * (at + i) + 1]! << 8);
  else if (t === 32) {
    for (let i = 0; i < count; i++) {
      const p = 4 * (at + i);
      lo[i] = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
    }
  } else {
    const hi = scratchHi;
    for (let i = 0; i < count; i++) {
      const p = 8 * (at + i);
      lo[i] = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      hi[i] = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    }
    return hi;
  }
  return null;
}

export const inlineBitpackingEncoder: MiniBlockEncoder = {
  name: 'inline_bitpacking',
  compression: (v) => ({ kind: 'inlineBitpacking', uncompressedBitsPerValue: fixed(v).bitsPerValue }),
  chunkValues: (v, at) => chunkOf(fixed(v).count - at, 1024),
  encodeChunk(v, at, count) {
    const f = fixed(v);
    if (!(count >= 1 && count <= 1024)) throw new InvalidArgumentError(`\`count\` must be within 1..1024, got ${count}`);
    const hi = chunkHalves(f, at, count);
    return [encodeInlineBitpacked(scratchLo, hi, 0, count, f.bitsPerValue)];
  },
};

/** Most bytes of run values and lengths in one RLE chunk (2.1 chunks hold at most 32 KiB). */
const RLE_CHUNK_BYTES = 16384;

export const rleEncoder: MiniBlockEncoder = {
  name: 'rle',
  compression: (v) => ({ kind: 'rle', bitsPerValue: fixed(v).bitsPerValue }),
  chunkValues(v, at) {
    const f = fixed(v);
    const w = f.bitsPerValue >>> 3;
    let n = Math.min(MAX_CHUNK_VALUES, f.count - at);
    if (n < f.count - at) n = MAX_CHUNK_VALUES;
    while (n > 8 && countRleRuns(f.bytes, w, at, n) * (w + 1) > RLE_CHUNK_BYTES) n = largestPow2AtMost(n - 1);
    return n;
  },
  encodeChunk(v, at, count) {
    const f = fixed(v);
    return encodeRleChunk(f.bytes, f.bitsPerValue >>> 3, at, count);
  },
};

function variableOf(v: PageValues): VariableWidthValues {
  if (v.kind !== 'variable') throw new InvalidArgumentError('this encoder takes variable-width values');
  return v;
}

function validBytes(v: VariableWidthValues, r: number): number {
  const ok = v.validity === null || ((v.validity[(v.validityOffset + r) >>> 3]! >>> ((v.validityOffset + r) & 7)) & 1) === 1;
  return ok ? v.offsets[r + 1]! - v.offsets[r]! : 0;
}

export const variableEncoder: MiniBlockEncoder = {
  name: 'variable',
  compression: (v) => ({ kind: 'variable', offsetBits: variableOf(v).offsetBits ?? 32 }),
  chunkValues(v, at, targetBytes) {
    const s = variableOf(v);
    const left = s.count - at;
    const w = (s.offsetBits ?? 32) >>> 3;
    if (s.validity === null) return chunkOfAllValid(s.offsets, w, at, Math.min(left, MAX_CHUNK_VALUES), left, targetBytes);
    // Grow while the chunk stays within the budget; at least 2 values unless it is the last chunk.
    let n = 0;
    let bytes = w;
    while (n < left && n < MAX_CHUNK_VALUES) {
      const next = bytes + w + validBytes(s, at + n);
      if (n >= 2 && next > targetBytes) break;
      bytes = next;
      n++;
    }
    if (n >= left) return left;
    return Math.max(2, largestPow2AtMost(n));
  },
  encodeChunk(v, at, count) {
    const s = variableOf(v);
    return [encodeVariableChunk(s.offsets, s.bytes, s.validity, s.validityOffset, at, count, s.offsetBits ?? 32)];
  },
};

/**
 * The variable encoder's chunk size when no value is null: the same count as its growing loop (the most
 * values, up to `limit`, whose offsets and bytes fit `targetBytes`, at least 2; then a power of two unless
 * they are all `left` values), found by binary search, since a chunk's bytes only grow with its count.
 */
function chunkOfAllValid(offsets: Int32Array, w: number, at: number, limit: number, left: number, targetBytes: number): number {
  const base = offsets[at]!;
  // Largest k in [0, limit] with w · (k + 1) + bytes of values [at, at + k) ≤ targetBytes (k = 0 always fits the loop's start).
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (w * (mid + 1) + offsets[at + mid]! - base <= targetBytes) lo = mid;
    else hi = mid - 1;
  }
  const n = Math.min(limit, Math.max(2, lo));
  if (n >= left) return left;
  return Math.max(2, largestPow2AtMost(n));
}

/** Bytes a variable chunk of values `[at, at + count)` takes. */
export function variableChunkBytes(v: VariableWidthValues, at: number, count: number): number {
  let data = 0;
  for (let i = 0; i < count; i++) data += validBytes(v, at + i);
  return variableChunkByteLength(count, data, v.offsetBits ?? 32);
}

/**
 * Bytes of a page of 16/32/64-bit integers bit-packed inline, each 1024-value chunk at its own width (what
 * `inline_bitpacking` would write; the chooser compares it with the plain bytes).
 */
export function inlineBitpackedPageBytes(values: FixedWidthValues): number {
  const t = values.bitsPerValue;
  let packed = 0;
  for (let at = 0; at < values.count; at += 1024) {
    const n = Math.min(1024, values.count - at);
    packed += inlineBitpackedByteLength(t, maxBitWidth(scratchLo, chunkHalves(values, at, n), 0, n));
  }
  return packed;
}

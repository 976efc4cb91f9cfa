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

/** Variable-width values of a page: Arrow offsets (`count + 1`) into `bytes`; invalid rows are written empty. */
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
  /** The value buffers of chunk `[at, at + count)` (new arrays). */
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
      return [f.bytes.slice(at >>> 3, (at + count + 7) >>> 3)];
    }
    const w = f.bitsPerValue >>> 3;
    return [f.bytes.slice(at * w, (at + count) * w)];
  },
};

/** Low and high 32-bit halves of fixed-width integer values (cached per page). */
const halves = new WeakMap<FixedWidthValues, { lo: Uint32Array; hi: Uint32Array | null }>();

function halvesOf(f: FixedWidthValues): { lo: Uint32Array; hi: Uint32Array | null } {
  let h = halves.get(f);
  if (h !== undefined) return h;
  const n = f.count;
  const b = f.bytes;
  const lo = new Uint32Array(n);
  let hi: Uint32Array | null = null;
  if (f.bitsPerValue === 8) for (let i = 0; i < n; i++) lo[i] = b[i]!;
  else if (f.bitsPerValue === 16) for (let i = 0; i < n; i++) lo[i] = b[2 * i]! | (b[2 * i + 1]! << 8);
  else if (f.bitsPerValue === 32) for (let i = 0; i < n; i++) lo[i] = (b[4 * i]! | (b[4 * i + 1]! << 8) | (b[4 * i + 2]! << 16) | (b[4 * i + 3]! << 24)) >>> 0;
  else {
    hi = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const p = 8 * i;
      lo[i] = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      hi[i] = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
    }
  }
  h = { lo, hi };
  halves.set(f, h);
  return h;
}

export const inlineBitpackingEncoder: MiniBlockEncoder = {
  name: 'inline_bitpacking',
  compression: (v) => ({ kind: 'inlineBitpacking', uncompressedBitsPerValue: fixed(v).bitsPerValue }),
  chunkValues: (v, at) => chunkOf(fixed(v).count - at, 1024),
  encodeChunk(v, at, count) {
    const f = fixed(v);
    const { lo, hi } = halvesOf(f);
    return [encodeInlineBitpacked(lo, hi, at, count, f.bitsPerValue)];
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
  const { lo, hi } = halvesOf(values);
  let packed = 0;
  for (let at = 0; at < values.count; at += 1024) {
    const n = Math.min(1024, values.count - at);
    packed += inlineBitpackedByteLength(t, maxBitWidth(lo, hi, at, n));
  }
  return packed;
}

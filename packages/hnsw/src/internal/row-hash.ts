/**
 * A fast hash of fixed-length rows of 32-bit words (the node checksums of saved-index format
 * version 2, `persistence/checksums.ts`), in WebAssembly SIMD with a bit-identical TypeScript twin.
 *
 * Per row, two 32-bit words: `h1` from four xor–multiply–rotate chains and `h2` from four
 * add–multiply–rotate chains, each chain four i32 lanes wide. Words `16k … 16k + 15` of a row go
 * four each to chains 0, 1, 2, 3 (lane = word mod 4); after the last whole 16-word block, each
 * further 4 words go to chain 0, and a last piece of 1–3 words, zero-filled to 4, to chain 0 too.
 * The step for a lane value `x`: `a = rotl((a ^ x) · P1, 15)`, `b = rotl((b + x) · P2, 13)`; each
 * is a bijection of the chain state and of `x`, so a row that differs in one word always leaves
 * other chain states. The chains are then folded (`c0 = c0 · K ^ c1`, then `^ c2`, `^ c3`, lane
 * by lane) and the four lanes of `c0` combined as `((l0 · C + l1) · C + l2) · C + l3`. Eight
 * independent multiply chains keep the loop at the speed of memory, not of multiply latency: about
 * 4–5 ms for 100K rows of 128 floats, against ~25 ms for version 1's scalar hash. The caller seeds
 * and finishes each word (`persistence/checksums.ts`). The row length is not mixed in here.
 *
 * Worked example (one row of 3 words `[1, 2, 3]`): no whole block or 4-word piece, so
 * `x = [1, 2, 3, 0]` feeds chain 0 once; chains 1–3 keep their initial lanes; then fold and combine.
 *
 * The module (text form `row-hash.wat` beside this file, assembled by `test/row-hash.test.ts` with
 * wabt and compared byte for byte) imports a shared memory. {@link hashRows} gives it one of its
 * own: rows are copied into it a chunk at a time (its one 64 KiB page, never grown, see
 * `MEMORY_BYTES`), which lets it hash any `Int32Array`. {@link hashRowsInMemory} gives it an
 * index's vector memory instead, and hashes rows where they lie (no copy: a load verifying its node
 * checksums); {@link hashRowsInPlace} does the same for rows a caller holds as a view of such a memory
 * (a synchronous save's vectors and layer-0 links), with its words written to a scratch region of
 * that memory and copied out.
 */
import { type WasmMemory, type WasmModule, wasmApi } from './kernels';

/** The module's bytes, base64 (assembled from `row-hash.wat`; `test/row-hash.test.ts` checks them). */
const MODULE_BASE64 =
  'AGFzbQEAAAABCQFgBH9/f38BfwISAQNlbnYGbWVtb3J5AgMBgIAEAwIBAAcNAQloYXNoX3Jvd3MAAArECAHBCAIDfw57QbHz3fF5/REhCUH3lK+veP0RIQpBvdzKlXz9ESELQYCAgPwH/REhDCAAIQQgACABIAJsaiEFAkAgBCAFTw0AA0D9DIhqPyTTCKOFLooZE0RzcAMhDf0MIjgJpNAxnymY+i4IiWxO7CER/QyIaj8k0wijhS6KGRNEc3ADIQ79DCI4CaTQMZ8pmPouCIlsTuwhEv0MiGo/JNMIo4UuihkTRHNwAyEP/QwiOAmk0DGfKZj6LgiJbE7sIRP9DIhqPyTTCKOFLooZE0RzcAMhEP0MIjgJpNAxnymY+i4IiWxO7CEUIAQgAWohBgJAIARBwABqIAZLDQADQCAE/QAEACEHIA0gB/1RIAn9tQEhDSANQQ/9qwEgDUER/a0B/VAhDSARIAf9rgEgCv21ASERIBFBDf2rASARQRP9rQH9UCERIAggByAM/U79uQEhCCAE/QAEECEHIA4gB/1RIAn9tQEhDiAOQQ/9qwEgDkER/a0B/VAhDiASIAf9rgEgCv21ASESIBJBDf2rASASQRP9rQH9UCESIAggByAM/U79uQEhCCAE/QAEICEHIA8gB/1RIAn9tQEhDyAPQQ/9qwEgD0ER/a0B/VAhDyATIAf9rgEgCv21ASETIBNBDf2rASATQRP9rQH9UCETIAggByAM/U79uQEhCCAE/QAEMCEHIBAgB/1RIAn9tQEhECAQQQ/9qwEgEEER/a0B/VAhECAUIAf9rgEgCv21ASEUIBRBDf2rASAUQRP9rQH9UCEUIAggByAM/U79uQEhCCAEQcAAaiEEIARBwABqIAZNDQALCwJAIARBEGogBksNAANAIAT9AAQAIQcgDSAH/VEgCf21ASENIA1BD/2rASANQRH9rQH9UCENIBEgB/2uASAK/bUBIREgEUEN/asBIBFBE/2tAf1QIREgCCAHIAz9Tv25ASEIIARBEGohBCAEQRBqIAZNDQALCyAEIAZJBED9DAAAAAAAAAAAAAAAAAAAAAAgBCgCAP0cACEHIARBBGogBkkEQCAHIAQoAgT9HAEhBwsgBEEIaiAGSQRAIAcgBCgCCP0cAiEHCyANIAf9USAJ/bUBIQ0gDUEP/asBIA1BEf2tAf1QIQ0gESAH/a4BIAr9tQEhESARQQ39qwEgEUET/a0B/VAhESAIIAcgDP1O/bkBIQggBiEECyANIAv9tQEgDv1RIQ0gDSAL/bUBIA/9USENIA0gC/21ASAQ/VEhDSARIAv9tQEgEv1RIREgESAL/bUBIBP9USERIBEgC/21ASAU/VEhESADIA39GwBBr9bTvgJsIA39GwFqQa/W074CbCAN/RsCakGv1tO+AmwgDf0bA2o2AgAgAyAR/RsAQa/W074CbCAR/RsBakGv1tO+AmwgEf0bAmpBr9bTvgJsIBH9GwNqNgIEIANBCGohAyAEIAVJDQALCyAIIAz9N/1TCw==';

/** The module's bytes (a fresh copy). */
export function rowHashModuleBytes(): Uint8Array {
  const text = atob(MODULE_BASE64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const K = 0xc2b2ae3d | 0;
const C = 0x27d4eb2f;
/** Initial lanes of the `a` and `b` chains (hex digits of π). */
const A_INIT = [0x243f6a88 | 0, 0x85a308d3 | 0, 0x13198a2e | 0, 0x03707344 | 0] as const;
const B_INIT = [0xa4093822 | 0, 0x299f31d0 | 0, 0x082efa98 | 0, 0xec4e6c89 | 0] as const;

/** Chain states of the TypeScript twin: `a` chains at 0–15 (chain c, lane l at 4c + l), `b` at 16–31. */
const twinState = new Int32Array(32);

/**
 * The TypeScript twin of the module: the raw words of `count` rows of `rowWords` words, row `r`
 * at `words[first + r · stride …]`, into `out[outAt + 2r]` and `out[outAt + 2r + 1]`. Returns 1 when
 * some word, read as a float32, is NaN or ±∞, else 0. Allocates nothing. Slower than the module
 * (used where WebAssembly SIMD is missing, and by the tests as the module's oracle).
 */
export function hashRowsTwin(words: Int32Array, first: number, stride: number, rowWords: number, count: number, out: Uint32Array, outAt: number): number {
  const s = twinState;
  let nonFinite = 0;
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < 4; c++) {
      for (let l = 0; l < 4; l++) {
        s[4 * c + l] = A_INIT[l]!;
        s[16 + 4 * c + l] = B_INIT[l]!;
      }
    }
    const base = first + r * stride;
    const blocks = rowWords >> 4;
    let j = 0;
    for (; j < blocks << 4; j++) {
      const x = words[base + j]! | 0;
      nonFinite |= ((x & 0x7f800000) + 0x00800000) >>> 31;
      step(s, (j >> 2) & 3, j & 3, x);
    }
    // 4-word pieces, then a zero-filled last piece, all into chain 0.
    for (; j < rowWords; j += 4) {
      for (let l = 0; l < 4; l++) {
        const x = j + l < rowWords ? words[base + j + l]! | 0 : 0;
        nonFinite |= ((x & 0x7f800000) + 0x00800000) >>> 31;
        step(s, 0, l, x);
      }
    }
    out[outAt + 2 * r] = fold(s, 0);
    out[outAt + 2 * r + 1] = fold(s, 16);
  }
  return nonFinite;
}

/** One lane step of chain `chain` (both its `a` and `b` halves) with value `x`. */
function step(s: Int32Array, chain: number, lane: number, x: number): void {
  const ia = 4 * chain + lane;
  let a = Math.imul(s[ia]! ^ x, P1);
  s[ia] = (a << 15) | (a >>> 17);
  const ib = 16 + ia;
  a = Math.imul((s[ib]! + x) | 0, P2);
  s[ib] = (a << 13) | (a >>> 19);
}

/** Folds the four chains at `at` (0: `a`, 16: `b`) into one word (see the top of this file). */
function fold(s: Int32Array, at: number): number {
  let l0 = 0;
  let l1 = 0;
  let l2 = 0;
  let l3 = 0;
  for (let l = 0; l < 4; l++) {
    let v = s[at + l]!;
    for (let c = 1; c < 4; c++) v = Math.imul(v, K) ^ s[at + 4 * c + l]!;
    if (l === 0) l0 = v;
    else if (l === 1) l1 = v;
    else if (l === 2) l2 = v;
    else l3 = v;
  }
  return (Math.imul((Math.imul((Math.imul(l0, C) + l1) | 0, C) + l2) | 0, C) + l3) >>> 0;
}

/**
 * The module's memory is never grown: growing a non-shared wasm memory detaches its old
 * `ArrayBuffer`, and the first detach anywhere in a process makes V8 add a detach check to every
 * optimised typed-array access from then on (measured: @vego/db's exact filtered scans ran ~15–25 %
 * slower once a save had grown this memory). Rows go through its one 64 KiB page a chunk at a
 * time; a row too long for that page is hashed by the TypeScript twin (same words).
 */
const MEMORY_BYTES = 65536;

type HashFn = (src: number, rowBytes: number, count: number, out: number) => number;

interface Hasher {
  memory: WasmMemory;
  hash: HashFn;
  /** Views of the whole memory (it never grows, so they stay valid): made once, not per call. */
  words: Int32Array;
  sums: Uint32Array;
}

let compiled: WasmModule | null | undefined;
let hasher: Hasher | null | undefined;

/** The compiled module, or null where WebAssembly SIMD or shared memory is missing. */
function rowHashModule(): WasmModule | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const bytes = rowHashModuleBytes();
    if (wasmApi !== undefined && wasmApi.validate(bytes)) compiled = new wasmApi.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/** The module's `hash_rows` over `memory` (a shared memory), or null without the module. */
function instantiate(memory: WasmMemory): HashFn | null {
  const module = rowHashModule();
  if (module === null) return null;
  return new wasmApi!.Instance(module, { env: { memory } }).exports['hash_rows'] as HashFn;
}

/** The module over its own one-page memory, or null where WebAssembly SIMD or shared memory is missing. */
function moduleHasher(): Hasher | null {
  if (hasher !== undefined) return hasher;
  hasher = null;
  try {
    if (rowHashModule() !== null) {
      // Shared, so that the same module also runs over an index's (shared) vector memory; a
      // maximum of one page: it cannot grow.
      const memory = new wasmApi!.Memory({ initial: 1, maximum: 1, shared: true });
      const hash = instantiate(memory);
      if (hash !== null) hasher = { memory, hash, words: new Int32Array(memory.buffer), sums: new Uint32Array(memory.buffer) };
    }
  } catch {
    hasher = null;
  }
  return hasher;
}

/**
 * The module's function over each memory {@link hashRowsInMemory} ran over (weakly held: an index
 * dropped by its caller takes its entry with it; null: that memory cannot be imported).
 */
const inPlace = new WeakMap<WasmMemory, HashFn | null>();

/**
 * The raw row words of `count` rows of `rowWords` words lying back to back from byte `src` of
 * `memory` (a shared WebAssembly memory, such as an index's vector memory), hashed where they lie,
 * into the `2 · count` words from byte `out` of the same memory (16-byte aligned; the caller's
 * scratch, which must not overlap the rows); the same words as {@link hashRows}. Returns 1 when
 * some word, read as a float32, is NaN or ±∞, else 0; or −1, having done nothing, where the module
 * is missing (the caller then uses {@link hashRows}). Instantiates the module over `memory` on the
 * first call for that memory (tens of microseconds); never grows it.
 */
export function hashRowsInMemory(memory: WasmMemory, src: number, rowWords: number, count: number, out: number): number {
  let hash = inPlace.get(memory);
  if (hash === undefined) {
    try {
      hash = instantiate(memory);
    } catch {
      hash = null; // not a shared memory, or none of this engine's
    }
    inPlace.set(memory, hash);
  }
  if (hash === null) return -1;
  return count === 0 ? 0 : hash(src, rowWords * 4, count, out);
}

/** True when {@link hashRows} runs in WebAssembly (else it runs {@link hashRowsTwin}). */
export function rowHashInWasm(): boolean {
  return moduleHasher() !== null;
}

/** Bytes of the module's memory (tests check that hashing never grows it), or 0 without the module. */
export function rowHashMemoryBytes(): number {
  return moduleHasher()?.memory.buffer.byteLength ?? 0;
}

/**
 * The raw row words (see the top of this file) of `count` rows of `rowWords` words, row `r` at
 * `words[first + r · stride …]`, into `out[outAt + 2r]`, `out[outAt + 2r + 1]`; in WebAssembly when
 * available (rows copied into its one page of memory a chunk at a time; rows too long for it by the twin), else by {@link hashRowsTwin}, with the
 * same words either way. Returns 1 when some word, read as a float32, is NaN or ±∞, else 0.
 */
export function hashRows(words: Int32Array, first: number, stride: number, rowWords: number, count: number, out: Uint32Array, outAt: number): number {
  const h = moduleHasher();
  if (h === null || count === 0) return hashRowsTwin(words, first, stride, rowWords, count, out, outAt);
  const rowBytes = rowWords * 4;
  // Rows at 0, their words right after (16-byte aligned): as many rows as fit in the one page.
  const perChunk = Math.floor((MEMORY_BYTES - 16) / (rowBytes + 8));
  if (perChunk < 1 || h.memory.buffer.byteLength < MEMORY_BYTES) return hashRowsTwin(words, first, stride, rowWords, count, out, outAt);
  const outByte = (perChunk * rowBytes + 15) & ~15;
  const mem = h.words;
  let nonFinite = 0;
  for (let done = 0; done < count; done += perChunk) {
    const rows = Math.min(perChunk, count - done);
    const from = first + done * stride;
    // Few words: an element loop (a subarray per call or per row would allocate, and most calls hash a row or two).
    if (rows * rowWords <= SMALL_COPY_WORDS) for (let r = 0; r < rows; r++) copyWords(words, from + r * stride, rowWords, mem, r * rowWords);
    else if (stride === rowWords) mem.set(words.subarray(from, from + rows * rowWords), 0);
    else for (let r = 0; r < rows; r++) mem.set(words.subarray(from + r * stride, from + r * stride + rowWords), r * rowWords);
    nonFinite |= h.hash(0, rowBytes, rows, outByte);
    const sums = h.sums;
    const at = outAt + 2 * done;
    for (let j = 0, w = outByte >> 2; j < 2 * rows; j++, w++) out[at + j] = sums[w]!;
  }
  return nonFinite;
}

/** Words up to which {@link hashRows} copies rows into the module's page with an element loop. */
const SMALL_COPY_WORDS = 256;

/** Copies `count` words from `src[from …]` to `dst[at …]` (an element loop: no view allocated). */
function copyWords(src: Int32Array, from: number, count: number, dst: Int32Array, at: number): void {
  for (let j = 0; j < count; j++) dst[at + j] = src[from + j]!;
}

/**
 * {@link hashRows} of `count` rows of `rowWords` words lying anywhere in `words`: row `k` at
 * `words[offsets[k] …]`, its two raw words into `out[2 · slots[k]]` and `out[2 · slots[k] + 1]`
 * (the same words as {@link hashRows} of that row). The rows are gathered into the module's page
 * as many at a time as fit, one module call per page: for the scattered rows of an incremental
 * save (a few thousand relinked lists, the vectors of updated ids), where a call per row cost more
 * than the hashing. Returns 1 when some word, read as a float32, is NaN or ±∞, else 0. Allocates nothing.
 */
export function hashRowsGathered(words: Int32Array, offsets: Int32Array, slots: Int32Array, count: number, rowWords: number, out: Uint32Array): number {
  const h = moduleHasher();
  const rowBytes = rowWords * 4;
  const perChunk = Math.floor((MEMORY_BYTES - 16) / (rowBytes + 8));
  let nonFinite = 0;
  if (h === null || perChunk < 1 || h.memory.buffer.byteLength < MEMORY_BYTES) {
    for (let k = 0; k < count; k++) nonFinite |= hashRowsTwin(words, offsets[k]!, rowWords, rowWords, 1, out, 2 * slots[k]!);
    return nonFinite;
  }
  const outWord = ((perChunk * rowBytes + 15) & ~15) >> 2;
  const mem = h.words;
  const sums = h.sums;
  for (let done = 0; done < count; done += perChunk) {
    const rows = Math.min(perChunk, count - done);
    for (let r = 0; r < rows; r++) copyWords(words, offsets[done + r]!, rowWords, mem, r * rowWords);
    nonFinite |= h.hash(0, rowBytes, rows, outWord << 2);
    for (let r = 0; r < rows; r++) {
      const slot = slots[done + r]!;
      out[2 * slot] = sums[outWord + 2 * r]!;
      out[2 * slot + 1] = sums[outWord + 2 * r + 1]!;
    }
  }
  return nonFinite;
}

/**
 * A shared WebAssembly memory (an index's vector memory) and a scratch region of it, 16-byte
 * aligned, that {@link hashRowsInPlace} may write raw words to (8 bytes per row) and puts back as it
 * found it before returning: the index's own working region (its query slot or its visited tags),
 * which no other thread uses while the caller runs.
 */
export interface RowHashPlace {
  readonly memory: WasmMemory;
  /** Byte offset of the scratch region. */
  readonly at: number;
  /** Its length in bytes. */
  readonly bytes: number;
}

/**
 * Fewest rows, and fewest rows per call, for which {@link hashRowsInPlace} hashes in place (fewer:
 * the copying path, as cheap for a few rows as the views and the scratch save and restore here).
 */
const MIN_IN_PLACE_ROWS = 16;
/** The scratch region's bytes while {@link hashRowsInPlace} uses it (grown on demand, never shrunk). */
let scratchCopy = new Uint8Array(0);

/**
 * {@link hashRows} of `count` rows of `rowWords` words lying back to back from `words[first]`: where
 * `words` is a view of `place.memory` (and the rows do not overlap its scratch region), the rows are
 * hashed where they lie, as many per call as the scratch region holds words for, with no copy of
 * the rows; otherwise (fewer than 16 rows, no place, another buffer, a scratch region too small, no module) through
 * {@link hashRows}. The same words either way. Returns 1 when some word, read as a float32, is NaN
 * or ±∞, else 0.
 */
export function hashRowsInPlace(place: RowHashPlace | null, words: Int32Array, first: number, rowWords: number, count: number, out: Uint32Array, outAt: number): number {
  const perCall = place === null ? 0 : place.bytes >> 3;
  const src = words.byteOffset + 4 * first;
  const end = src + 4 * rowWords * count;
  if (
    place === null ||
    count < MIN_IN_PLACE_ROWS ||
    perCall < MIN_IN_PLACE_ROWS ||
    words.buffer !== place.memory.buffer ||
    (place.at & 15) !== 0 ||
    (src < place.at + place.bytes && place.at < end) ||
    hashRowsInMemory(place.memory, 0, rowWords, 0, place.at) < 0
  ) {
    return hashRows(words, first, rowWords, rowWords, count, out, outAt);
  }
  // A chunk of at most one page of rows per call, each first read once per cache line by the
  // loop below: the hash's loads wait on its multiply chains, so over rows not yet in cache it ran
  // at a fraction of the memory's speed (measured ~2–3× slower than copying the rows into the
  // module's page first); independent loads ahead of it bring a chunk in at full speed.
  const rowBytes = 4 * rowWords;
  const perChunk = Math.min(perCall, Math.max(1, Math.floor(MEMORY_BYTES / rowBytes)));
  const used = 8 * Math.min(perChunk, count);
  const region = new Uint8Array(place.memory.buffer, place.at, used);
  if (scratchCopy.length < used) scratchCopy = new Uint8Array(used);
  const kept = scratchCopy.subarray(0, used);
  kept.set(region);
  const res = new Uint32Array(place.memory.buffer, place.at, used >> 2);
  let nonFinite = 0;
  let touched = 0;
  try {
    for (let done = 0; done < count; done += perChunk) {
      const rows = Math.min(perChunk, count - done);
      const from = first + rowWords * done;
      touched = touchLines(words, from, from + rows * rowWords, touched);
      nonFinite |= hashRowsInMemory(place.memory, src + 4 * rowWords * done, rowWords, rows, place.at);
      out.set(2 * rows === res.length ? res : res.subarray(0, 2 * rows), outAt + 2 * done);
    }
  } finally {
    region.set(kept);
  }
  touchSink[0] = touched;
  return nonFinite;
}

/** Where {@link touchLines}' xor goes, so that its reads are not optimised away. */
const touchSink = new Int32Array(1);

/** Reads one word per 64-byte line of `words[from … to)` (see {@link hashRowsInPlace}); returns `acc` plus their xor. */
function touchLines(words: Int32Array, from: number, to: number, acc: number): number {
  for (let i = from; i < to; i += 16) acc ^= words[i]!;
  return acc;
}

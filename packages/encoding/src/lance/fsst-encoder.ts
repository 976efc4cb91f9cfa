/**
 * FSST (Fast Static Symbol Table) string compression as Lance 2.1/2.2 stores it: a symbol-table trainer
 * and an encoder (the decoder lives beside it in its own file). A page's strings are compressed one by one
 * with one table: each output byte is a code, `c < n` standing for symbol `c` (1 to 8 bytes), `255` for
 * "the next byte verbatim". Strings never share codes, so each string decodes on its own.
 *
 * Symbol table bytes (always {@link FSST_SYMBOL_TABLE_BYTES} = 2,312 bytes, the size LanceDB's decoder
 * requires): a little-endian u64 header `"FSST" << 32 | 1 << 24 (decoder switch on) | n`, then n u64
 * symbols (first byte lowest, unused bytes 0), then n u8 symbol lengths, then zeros.
 *
 * Worked example: symbols 0 = "ab" and 1 = "c"; the string "abcab!" is coded `00 01 00 FF 21`
 * (5 bytes for 6); the table starts `02 00 00 01 54 53 53 46 61 62 00 00 00 00 00 00 63 00 … 02 01`.
 *
 * Training follows the FSST paper's idea (Boncz, Neumann, Leis, VLDB 2020), written here from that
 * description: over a sample of about 8 KiB, five rounds each compress the sample with the current table,
 * count how often each symbol and each pair of consecutive symbols occurs, and keep the 255 candidates
 * (symbols and concatenations of pairs, at most 8 bytes) of highest gain = count × length.
 */
import type { VariableWidthValues } from './registry';

/** Bytes of a serialised symbol table (header, 256 symbol slots, 256 length slots). */
export const FSST_SYMBOL_TABLE_BYTES = 8 + 256 * 8 + 256;
/** Code that escapes the next byte. */
const ESCAPE = 255;
/** Most symbols in a table (code 255 is the escape). */
const MAX_SYMBOLS = 255;
const MAX_SYMBOL_BYTES = 8;
/** Bytes of the training sample. */
const SAMPLE_BYTES = 8192;
/** Longest piece of one string taken into the sample. */
const SAMPLE_PIECE_BYTES = 512;
const ROUNDS = 5;
/** Most symbols of ≥ 3 bytes sharing their first three bytes. */
const MAX_PER_PREFIX = 8;
/** Codes while training: 0…255 the raw bytes, 256 + i the table's symbol i. */
const CODE_SPACE = 512;

/** A symbol table with the lookup structures of the encoder. */
export interface FsstSymbolTable {
  readonly numSymbols: number;
  /** 8 bytes per symbol (unused bytes 0). */
  readonly symbols: Uint8Array;
  /** Length of each symbol (1…8). */
  readonly lengths: Uint8Array;
  /** Per byte, its code as `code | 1 << 8`: its one-byte symbol, or ESCAPE. */
  readonly oneByte: Uint16Array;
  /**
   * Per `b0 | b1 << 8`, the longest match of at most 2 bytes as `code | length << 8`: the two-byte symbol,
   * else what {@link oneByte} says for b0. One lookup then covers every symbol shorter than 3 bytes.
   */
  readonly twoBytes: Uint16Array;
  /**
   * Symbols of 3…8 bytes by a hash of their first three bytes (`bucketOf` in the source): per bucket,
   * `first << 8 | count` with `first` the index in {@link bucketEntries} of its first entry, 0 when empty.
   */
  readonly bucketSlots: Int32Array;
  /**
   * `BUCKET_ENTRY` words per symbol of a bucket, buckets in turn, longest symbol first in each: its bytes
   * 0…3 and 4…7 as little-endian words (unused bytes 0) each followed by the mask of the bits its length
   * covers, then `code | length << 8`; one scan reads one array, and a match is two word compares.
   */
  readonly bucketEntries: Int32Array;
}

/** Buckets of the symbols of ≥ 3 bytes (a bucket's symbols are compared in full, so collisions only cost time). */
const BUCKETS = 4096;
/** Words per symbol in `bucketEntries`: lo, lo mask, hi, hi mask, code | length << 8. */
const BUCKET_ENTRY = 5;

/** Bucket of a symbol or input whose first three bytes are `b012` (`b0 | b1 << 8 | b2 << 16`). */
function bucketOf(b012: number): number {
  return Math.imul(b012, 0x9e3779b1) >>> 20;
}

/** Little-endian u32 of `bytes[at … at + 4)`, as an int32. */
function wordAt(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/**
 * Builds the lookup structures of a table of `n` symbols. With `reuse` (a table no longer needed), its
 * fixed-size arrays are filled instead of allocating new ones: the training rounds build five tables.
 */
function makeTable(symbols: Uint8Array, lengths: Uint8Array, n: number, reuse: FsstSymbolTable | null = null): FsstSymbolTable {
  const oneByte = reuse?.oneByte ?? new Uint16Array(256);
  const twoBytes = reuse?.twoBytes ?? new Uint16Array(65536);
  const bucketSlots = reuse?.bucketSlots ?? new Int32Array(BUCKETS);
  for (let b = 0; b < 256; b++) oneByte[b] = ESCAPE | (1 << 8);
  const counts = new Int32Array(BUCKETS + 1);
  for (let c = 0; c < n; c++) {
    const at = c * 8;
    if (lengths[c] === 1) oneByte[symbols[at]!] = c | (1 << 8);
    else if (lengths[c]! >= 3) counts[bucketOf(wordAt(symbols, at) & 0xffffff) + 1]!++;
  }
  // Every pair first falls back to its first byte's code; two-byte symbols then overwrite theirs.
  for (let b1 = 0; b1 < 256; b1++) twoBytes.set(oneByte, b1 << 8);
  for (let c = 0; c < n; c++) {
    if (lengths[c] === 2) twoBytes[symbols[c * 8]! | (symbols[c * 8 + 1]! << 8)] = c | (2 << 8);
  }
  for (let k = 0; k < BUCKETS; k++) counts[k + 1]! += counts[k]!;
  const fill = counts.slice(0, BUCKETS);
  // Entry 0 is left unused, so a slot of 0 means an empty bucket.
  const bucketEntries = new Int32Array((counts[BUCKETS]! + 1) * BUCKET_ENTRY);
  // Longest symbols first in each bucket, so the first match is the longest.
  for (let len = MAX_SYMBOL_BYTES; len >= 3; len--) {
    for (let c = 0; c < n; c++) {
      if (lengths[c] !== len) continue;
      const at = c * 8;
      const lo = wordAt(symbols, at);
      const e = (fill[bucketOf(lo & 0xffffff)]!++ + 1) * BUCKET_ENTRY;
      bucketEntries[e] = lo;
      bucketEntries[e + 1] = len >= 4 ? -1 : 0xffffff;
      bucketEntries[e + 2] = wordAt(symbols, at + 4);
      bucketEntries[e + 3] = len >= 8 ? -1 : len <= 4 ? 0 : (1 << ((len - 4) * 8)) - 1;
      bucketEntries[e + 4] = c | (len << 8);
    }
  }
  for (let k = 0; k < BUCKETS; k++) {
    const size = counts[k + 1]! - counts[k]!;
    bucketSlots[k] = size === 0 ? 0 : (((counts[k]! + 1) * BUCKET_ENTRY) << 8) | size;
  }
  return { numSymbols: n, symbols, lengths, oneByte, twoBytes, bucketSlots, bucketEntries };
}

/**
 * The longest symbol matching `bytes[p …]` (at most `end - p` bytes) as `code | length << 8`, or
 * `ESCAPE | 1 << 8` when none does, byte by byte: the encoder's loop uses it where fewer than 8 bytes are
 * left in the buffer (elsewhere it reads words).
 */
function matchNearEnd(t: FsstSymbolTable, bytes: Uint8Array, p: number, end: number): number {
  const left = end - p;
  const b0 = bytes[p]!;
  if (left >= 3) {
    const s = t.bucketSlots[bucketOf(b0 | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16))]!;
    for (let e = s >>> 8, stop = e + (s & 255) * BUCKET_ENTRY; e < stop; e += BUCKET_ENTRY) {
      const m = t.bucketEntries[e + 4]!;
      const c = m & 255;
      const len = m >>> 8;
      if (len > left) continue;
      let q = 0;
      while (q < len && t.symbols[c * 8 + q] === bytes[p + q]) q++;
      if (q === len) return m;
    }
  }
  return left >= 2 ? t.twoBytes[b0 | (bytes[p + 1]! << 8)]! : t.oneByte[b0]!;
}

/** A view of `bytes` for word reads. */
function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Strings `[0, count)` of `bytes` at Arrow-style `offsets`. */
interface Sample {
  bytes: Uint8Array;
  offsets: Int32Array;
  count: number;
}

/** A training sample: pieces of the page's strings, concatenated. */
function sampleOf(offsets: Int32Array, bytes: Uint8Array, count: number): Sample {
  const total = offsets[count]! - offsets[0]!;
  // Every k-th string, k chosen so the sample comes near SAMPLE_BYTES.
  const step = Math.max(1, Math.floor(total / SAMPLE_BYTES));
  let size = 0;
  let pieces = 0;
  for (let i = 0; i < count; i += step) {
    size += Math.min(SAMPLE_PIECE_BYTES, offsets[i + 1]! - offsets[i]!);
    pieces++;
  }
  const out = new Uint8Array(size);
  const outOffsets = new Int32Array(pieces + 1);
  let at = 0;
  let k = 0;
  for (let i = 0; i < count; i += step) {
    const s = offsets[i]!;
    const len = Math.min(SAMPLE_PIECE_BYTES, offsets[i + 1]! - s);
    out.set(bytes.subarray(s, s + len), at);
    at += len;
    outOffsets[++k] = at;
  }
  return { bytes: out, offsets: outOffsets, count: pieces };
}

/** Slots of the candidate hash table (a power of two above twice the most candidates of a round). */
const CANDIDATE_SLOTS = 1 << 16;
const MAX_CANDIDATES = CANDIDATE_SLOTS >>> 1;

/**
 * Candidate symbols of one training round, summed by their bytes: bytes 0…3 and 4…7 as two u32 (`lo`,
 * `hi`) and the length, in an open-addressing table of typed arrays (no object per candidate).
 */
class Candidates {
  readonly lo = new Uint32Array(MAX_CANDIDATES);
  readonly hi = new Uint32Array(MAX_CANDIDATES);
  readonly len = new Uint8Array(MAX_CANDIDATES);
  readonly gain = new Float64Array(MAX_CANDIDATES);
  readonly slots = new Int32Array(CANDIDATE_SLOTS);
  /** The slot each candidate took, so that clearing touches only those. */
  readonly slotOf = new Int32Array(MAX_CANDIDATES);
  count = 0;

  clear(): void {
    for (let k = 0; k < this.count; k++) this.slots[this.slotOf[k]!] = 0;
    this.count = 0;
  }

  add(lo: number, hi: number, len: number, gain: number): void {
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ len, 0x85ebca6b);
    h ^= h >>> 15;
    const mask = CANDIDATE_SLOTS - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot]!;
      if (at === 0) {
        if (this.count === MAX_CANDIDATES) return;
        const k = this.count++;
        this.lo[k] = lo;
        this.hi[k] = hi;
        this.len[k] = len;
        this.gain[k] = gain;
        this.slots[slot] = k + 1;
        this.slotOf[k] = slot;
        return;
      }
      const k = at - 1;
      if (this.lo[k] === lo && this.hi[k] === hi && this.len[k] === len) {
        this.gain[k]! += gain;
        return;
      }
    }
  }
}

/**
 * The indices of the best `k` candidates (or all, if fewer), best first: highest gain, ties by first
 * insertion (the order the round met them, which depends only on the sample, not on hash order). Each
 * becomes one exact number, gain × 2^15 + insertion rank reversed (gains are integers far below 2^38), so
 * plain `<` orders them; a partial quicksort sorts only the best `k`.
 */
function rankedCandidates(c: Candidates, keys: Float64Array, k: number): Int32Array {
  const n = c.count;
  for (let x = 0; x < n; x++) keys[x] = c.gain[x]! * MAX_CANDIDATES + (MAX_CANDIDATES - 1 - x);
  const top = Math.min(k, n);
  sortTopDescending(keys, 0, n - 1, top);
  const out = new Int32Array(top);
  for (let r = 0; r < top; r++) out[r] = MAX_CANDIDATES - 1 - (keys[r]! % MAX_CANDIDATES);
  return out;
}

/**
 * Sorts `a[lo … hi]` (distinct numbers) descending as far as the first `top` places of the whole array
 * need: parts lying wholly at or past `top` stay unsorted. Pivots are medians of three places chosen by a
 * fixed generator, so no input order makes it quadratic in practice, and the result (a sort of distinct
 * keys) does not depend on them.
 */
function sortTopDescending(a: Float64Array, lo: number, hi: number, top: number): void {
  let seed = 0x2545f491;
  while (hi - lo > 16) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const span = hi - lo + 1;
    const px = lo + (seed % span);
    const py = lo + ((seed >>> 8) % span);
    const pz = lo + ((seed >>> 16) % span);
    const x = a[px]!;
    const y = a[py]!;
    const z = a[pz]!;
    const at = x < y ? (y < z ? py : x < z ? pz : px) : x < z ? px : y < z ? pz : py;
    // The pivot goes first, so the Hoare partition below always leaves lo ≤ j < hi (both sides shrink).
    const pivot = a[at]!;
    a[at] = a[lo]!;
    a[lo] = pivot;
    // Hoare partition, descending: [lo … j] ≥ pivot ≥ [j + 1 … hi].
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while (a[i]! > pivot);
      do j--;
      while (a[j]! < pivot);
      if (i >= j) break;
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    // Recurse into the smaller side, loop on the other (bounded stack); the right side only if it reaches `top`.
    if (j + 1 >= top) {
      hi = j;
    } else if (j - lo < hi - j) {
      sortTopDescending(a, lo, j, top);
      lo = j + 1;
    } else {
      sortTopDescending(a, j + 1, hi, top);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! < v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/** Training scratch kept between calls (training is synchronous: never two at once). */
let pairCounts: Uint32Array | null = null;
let candidates: Candidates | null = null;
let candidateKeys: Float64Array | null = null;

/**
 * Bytes of every training code of table `t` as two little-endian u32 (`lo`: bytes 0…3, `hi`: 4…7, unused
 * bytes 0) and its length: a raw byte below 256, else symbol `code - 256`.
 */
function codeWords(t: FsstSymbolTable, lo: Uint32Array, hi: Uint32Array, len: Uint8Array): void {
  for (let b = 0; b < 256; b++) {
    lo[b] = b;
    hi[b] = 0;
    len[b] = 1;
  }
  const sym = t.symbols;
  for (let c = 0; c < t.numSymbols; c++) {
    const at = c * 8;
    lo[256 + c] = (sym[at]! | (sym[at + 1]! << 8) | (sym[at + 2]! << 16) | (sym[at + 3]! << 24)) >>> 0;
    hi[256 + c] = (sym[at + 4]! | (sym[at + 5]! << 8) | (sym[at + 6]! << 16) | (sym[at + 7]! << 24)) >>> 0;
    len[256 + c] = t.lengths[c]!;
  }
}

/** The low `bytes` (0…4) bytes of u32 `x`. */
function lowBytes(x: number, bytes: number): number {
  return bytes >= 4 ? x >>> 0 : (x & ((1 << (bytes * 8)) - 1)) >>> 0;
}

/**
 * Trains a symbol table on strings `[0, count)` given by Arrow-style `offsets` into `bytes`.
 * Deterministic: the same strings give the same table.
 */
export function trainFsstTable(offsets: Int32Array, bytes: Uint8Array, count: number): FsstSymbolTable {
  return trainOnSample(sampleOf(offsets, bytes, count));
}

/**
 * Training scratch of one call: the round's code counts, the pair indices it counted (each once, so only
 * they are read and reset), the coded sample, and each training code's bytes.
 */
interface RoundScratch {
  readonly count1: Uint32Array;
  readonly count2: Uint32Array;
  readonly pairs: Int32Array;
  readonly codes: Uint8Array;
  readonly codeOffsets: Int32Array;
  readonly state: Int32Array;
  readonly codeLo: Uint32Array;
  readonly codeHi: Uint32Array;
  readonly codeLen: Uint8Array;
  readonly cand: Candidates;
  readonly keys: Float64Array;
}

/**
 * Trains a symbol table on a sample (see {@link trainFsstTable}). Each round's steps are functions of their
 * own: small functions reach optimised code sooner and cost the JIT less than one large one, and at 200K
 * rows a page's write is short enough for that to show.
 */
function trainOnSample(sample: Sample): FsstSymbolTable {
  let table = makeTable(new Uint8Array(0), new Uint8Array(0), 0);
  const sb = sample.bytes;
  const scratch: RoundScratch = {
    count1: new Uint32Array(CODE_SPACE),
    // Reused across calls (1 MiB of pair counts, left all zero after each round) and candidates.
    count2: (pairCounts ??= new Uint32Array(CODE_SPACE * CODE_SPACE)),
    pairs: new Int32Array(sb.length + 1),
    // Room for every byte escaped, so one call codes the whole sample.
    codes: new Uint8Array(2 * sb.length),
    codeOffsets: new Int32Array(sample.count + 1),
    state: new Int32Array(2),
    codeLo: new Uint32Array(CODE_SPACE),
    codeHi: new Uint32Array(CODE_SPACE),
    codeLen: new Uint8Array(CODE_SPACE),
    cand: (candidates ??= new Candidates()),
    keys: (candidateKeys ??= new Float64Array(MAX_CANDIDATES)),
  };
  for (let round = 0; round < ROUNDS; round++) {
    let numPairs: number;
    if (round === 0) {
      // The first table is empty, so every code would be an escaped byte: the bytes are counted directly.
      // (Coding the sample with it would also show the encoder's JIT a table with no symbols, which it
      // then optimises for and drops on the next round.)
      numPairs = countBytes(scratch, sample);
    } else {
      scratch.state[0] = 0;
      scratch.state[1] = 0;
      encodeStrings(table, sample.offsets, sb, sample.count, scratch.codes, scratch.codeOffsets, scratch.state);
      numPairs = countCodes(scratch, sample.count);
    }
    codeWords(table, scratch.codeLo, scratch.codeHi, scratch.codeLen);
    gatherCandidates(scratch, numPairs);
    const { symbols, lengths, n } = chooseSymbols(scratch.cand, scratch.keys);
    // The last round's table is returned, so it gets its own arrays; earlier rounds reuse the previous table's.
    table = makeTable(symbols, lengths, n, round === ROUNDS - 1 ? null : table);
  }
  return table;
}

/**
 * Reads the coded sample back code by code (255 = an escaped raw byte), counting each training code and
 * each pair of consecutive codes in a string: the number of distinct pairs, listed in `s.pairs`.
 */
function countCodes(s: RoundScratch, count: number): number {
  const { count1, count2, pairs, codes, codeOffsets } = s;
  count1.fill(0);
  let numPairs = 0;
  for (let i = 0; i < count; i++) {
    const end = codeOffsets[i + 1]!;
    let prev = -1;
    for (let q = codeOffsets[i]!; q < end; ) {
      const c = codes[q]!;
      const code = c === ESCAPE ? codes[q + 1]! : 256 + c;
      q += c === ESCAPE ? 2 : 1;
      count1[code]!++;
      if (prev >= 0) {
        const pair = prev * CODE_SPACE + code;
        if (count2[pair]!++ === 0) pairs[numPairs++] = pair;
      }
      prev = code;
    }
  }
  return numPairs;
}

/**
 * {@link countCodes} for a table with no symbols, read from the sample's bytes: each byte is the training
 * code of its raw value, counted (with its pairs, first occurrences in the same order) as there.
 */
function countBytes(s: RoundScratch, sample: Sample): number {
  const { count1, count2, pairs } = s;
  const { bytes, offsets, count } = sample;
  count1.fill(0);
  let numPairs = 0;
  for (let i = 0; i < count; i++) {
    const end = offsets[i + 1]!;
    let prev = -1;
    for (let q = offsets[i]!; q < end; q++) {
      const code = bytes[q]!;
      count1[code]!++;
      if (prev >= 0) {
        const pair = prev * CODE_SPACE + code;
        if (count2[pair]!++ === 0) pairs[numPairs++] = pair;
      }
      prev = code;
    }
  }
  return numPairs;
}

/**
 * The round's candidates: gains of the codes used and of each pair concatenated (cut at 8 bytes), summed
 * per distinct symbol; resets the pair counts it reads.
 */
function gatherCandidates(s: RoundScratch, numPairs: number): void {
  const { count1, count2, pairs, codeLo, codeHi, codeLen, cand } = s;
  cand.clear();
  for (let code = 0; code < CODE_SPACE; code++) {
    const n1 = count1[code]!;
    if (n1 === 0) continue;
    const l = codeLen[code]!;
    cand.add(codeLo[code]!, codeHi[code]!, l, n1 * l);
  }
  for (let k = 0; k < numPairs; k++) {
    const pair = pairs[k]!;
    const n2 = count2[pair]!;
    count2[pair] = 0;
    const a = (pair / CODE_SPACE) | 0;
    const b = pair - a * CODE_SPACE;
    const la = codeLen[a]!;
    if (la >= MAX_SYMBOL_BYTES) continue;
    const l = Math.min(MAX_SYMBOL_BYTES, la + codeLen[b]!);
    // a's bytes, then b's shifted past them (la is 1…7, so every shift below is 0…24 bits).
    const aLo = codeLo[a]!;
    const bLo = codeLo[b]!;
    let lo: number;
    let hi: number;
    if (la < 4) {
      lo = (aLo | (bLo << (la * 8))) >>> 0;
      hi = ((bLo >>> (32 - la * 8)) | (codeHi[b]! << (la * 8))) >>> 0;
    } else {
      lo = aLo;
      hi = (codeHi[a]! | (bLo << ((la - 4) * 8))) >>> 0;
    }
    cand.add(lowBytes(lo, l), l > 4 ? lowBytes(hi, l - 4) : 0, l, n2 * l);
  }
}

/**
 * The next table's symbols: the 255 candidates of highest gain (ties by first insertion, so the table does
 * not depend on hash order), at most MAX_PER_PREFIX of them sharing their first three bytes: FSST keeps one
 * symbol per 3-byte prefix so that a lookup tries few symbols; a few keep more of the gain on data with
 * long shared prefixes.
 */
function chooseSymbols(cand: Candidates, keys: Float64Array): { symbols: Uint8Array; lengths: Uint8Array; n: number } {
  const best = rankedCandidates(cand, keys, MAX_SYMBOLS * 4);
  const perPrefix = new Map<number, number>();
  const chosen = new Int32Array(MAX_SYMBOLS);
  let n = 0;
  for (let r = 0; r < best.length && n < MAX_SYMBOLS; r++) {
    const k = best[r]!;
    if (cand.len[k]! >= 3) {
      const prefix = cand.lo[k]! & 0xffffff;
      const used = perPrefix.get(prefix) ?? 0;
      if (used >= MAX_PER_PREFIX) continue;
      perPrefix.set(prefix, used + 1);
    }
    chosen[n++] = k;
  }
  const symbols = new Uint8Array(n * 8);
  const lengths = new Uint8Array(n);
  const dv = new DataView(symbols.buffer);
  for (let c = 0; c < n; c++) {
    const k = chosen[c]!;
    dv.setUint32(c * 8, cand.lo[k]!, true);
    dv.setUint32(c * 8 + 4, cand.hi[k]!, true);
    lengths[c] = cand.len[k]!;
  }
  return { symbols, lengths, n };
}

/**
 * Compresses strings `[0, count)` with `table` (copies): the codes of each string and their Arrow-style offsets.
 * Null rows of `v` (empty in its offsets) stay empty.
 */
export function fsstCompress(table: FsstSymbolTable, offsets: Int32Array, bytes: Uint8Array, count: number): { offsets: Int32Array; bytes: Uint8Array } {
  // At most two output bytes per input byte (every byte escaped).
  return compressInto(table, offsets, bytes, count, 2 * (offsets[count]! - offsets[0]!));
}

/**
 * {@link fsstCompress} into an output of `capacity` bytes at first, grown whenever the next string might not
 * fit (at two bytes per input byte): a good estimate saves zeroing twice the input.
 */
function compressInto(table: FsstSymbolTable, offsets: Int32Array, bytes: Uint8Array, count: number, capacity: number): { offsets: Int32Array; bytes: Uint8Array } {
  let out = new Uint8Array(Math.max(16, capacity));
  const outOffsets = new Int32Array(count + 1);
  const state = new Int32Array(2);
  for (;;) {
    encodeStrings(table, offsets, bytes, count, out, outOffsets, state);
    if (state[0] === count) break;
    const i = state[0]!;
    const grown = new Uint8Array(Math.max(state[1]! + 2 * (offsets[i + 1]! - offsets[i]!), 2 * out.length));
    grown.set(out.subarray(0, state[1]!));
    out = grown;
  }
  // A view, not a copy: the slack is at most what the estimate added, and a copy would be a second page of bytes.
  return { offsets: outOffsets, bytes: out.subarray(0, state[1]!) };
}

/**
 * The encoder, also run on the training sample (so it is warm, and optimised by the JIT, by the time a page
 * is compressed): codes strings `state[0] …` into `out` from `state[1]`, their end offsets into
 * `outOffsets[i + 1]`, and stops before a string that might not fit in `out` (two bytes per input byte) or
 * at `count`, leaving the next string and output position in `state`. Strings ending 8 or more bytes before
 * the buffer's end go through {@link encodeByWords}, the rest byte by byte: two loops, so the hot one has no
 * path it rarely takes (a path first taken late makes the JIT drop and rebuild the loop's code).
 */
function encodeStrings(t: FsstSymbolTable, offsets: Int32Array, bytes: Uint8Array, count: number, out: Uint8Array, outOffsets: Int32Array, state: Int32Array): void {
  // Offsets rise, so the strings ending early enough are a prefix: found by binary search.
  const lastWordEnd = bytes.length - 7;
  let lo = state[0]!;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid + 1]! <= lastWordEnd) lo = mid + 1;
    else hi = mid;
  }
  encodeByWords(t, offsets, bytes, lo, out, outOffsets, state);
  if (state[0]! === lo) encodeNearEnd(t, offsets, bytes, count, out, outOffsets, state);
}

/**
 * {@link encodeStrings} for strings ending at least 7 bytes before the buffer's end (every position then
 * has 8 bytes to read as two words): the longest-match lookup of {@link matchNearEnd} written out on
 * words, with the table's arrays in locals.
 */
function encodeByWords(t: FsstSymbolTable, offsets: Int32Array, bytes: Uint8Array, count: number, out: Uint8Array, outOffsets: Int32Array, state: Int32Array): void {
  const dv = viewOf(bytes);
  const { oneByte, twoBytes, bucketSlots, bucketEntries } = t;
  let o = state[1]!;
  let i = state[0]!;
  for (; i < count; i++) {
    const end = offsets[i + 1]!;
    let p = offsets[i]!;
    if (o + 2 * (end - p) > out.length) break;
    // Positions with 2 or more bytes left here; a last single byte after the loop.
    const last = end - 1;
    while (p < last) {
      const left = end - p;
      // Bytes past the string's end may be read (they belong to the next one): a symbol longer than
      // `left` is skipped, and the two-byte lookup never looks past byte p + 1.
      const lo = dv.getInt32(p, true);
      let m = twoBytes[lo & 0xffff]!;
      const s = bucketSlots[bucketOf(lo & 0xffffff)]!;
      if (s !== 0) {
        const hi = dv.getInt32(p + 4, true);
        for (let e = s >>> 8, stop = e + (s & 255) * BUCKET_ENTRY; e < stop; e += BUCKET_ENTRY) {
          const code = bucketEntries[e + 4]!;
          if (code >>> 8 > left) continue;
          if (((bucketEntries[e]! ^ lo) & bucketEntries[e + 1]!) === 0 && ((bucketEntries[e + 2]! ^ hi) & bucketEntries[e + 3]!) === 0) {
            m = code;
            break;
          }
        }
      }
      const c = m & 255;
      out[o++] = c;
      if (c === ESCAPE) out[o++] = lo & 0xff;
      p += m >>> 8;
    }
    if (p === last) {
      const b = bytes[p]!;
      const c = oneByte[b]! & 255;
      out[o++] = c;
      if (c === ESCAPE) out[o++] = b;
    }
    outOffsets[i + 1] = o;
  }
  state[0] = i;
  state[1] = o;
}

/** {@link encodeStrings} for the last strings of the buffer, byte by byte through {@link matchNearEnd}. */
function encodeNearEnd(t: FsstSymbolTable, offsets: Int32Array, bytes: Uint8Array, count: number, out: Uint8Array, outOffsets: Int32Array, state: Int32Array): void {
  let o = state[1]!;
  let i = state[0]!;
  for (; i < count; i++) {
    const end = offsets[i + 1]!;
    let p = offsets[i]!;
    if (o + 2 * (end - p) > out.length) break;
    while (p < end) {
      const m = matchNearEnd(t, bytes, p, end);
      const c = m & 255;
      out[o++] = c;
      if (c === ESCAPE) out[o++] = bytes[p]!;
      p += m >>> 8;
    }
    outOffsets[i + 1] = o;
  }
  state[0] = i;
  state[1] = o;
}

/** Bytes the strings `[0, count)` take compressed with `table` (compressed into scratch, then dropped). */
export function fsstCompressedByteLength(table: FsstSymbolTable, offsets: Int32Array, bytes: Uint8Array, count: number): number {
  const c = compressInto(table, offsets, bytes, count, 2 * (offsets[count]! - offsets[0]!));
  return c.bytes.length;
}

/** The table as Lance stores it ({@link FSST_SYMBOL_TABLE_BYTES} bytes, a new array; layout above). */
export function encodeFsstSymbolTable(table: FsstSymbolTable): Uint8Array {
  const n = table.numSymbols;
  const out = new Uint8Array(FSST_SYMBOL_TABLE_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, ((1 << 24) | n) >>> 0, true);
  dv.setUint32(4, 0x46535354, true);
  out.set(table.symbols.subarray(0, n * 8), 8);
  out.set(table.lengths.subarray(0, n), 8 + n * 8);
  return out;
}

/** Smallest page (value bytes) worth training a table for: the table alone is 2,312 bytes. */
export const FSST_MIN_PAGE_BYTES = 8192;
/** FSST is chosen when its bytes (codes and table) are at most this share of the plain bytes. */
const FSST_MAX_RATIO = 0.85;

/** A page's strings compressed with FSST: the codes as variable-width values and the table's bytes. */
export interface FsstPage {
  values: VariableWidthValues;
  symbolTable: Uint8Array;
}

/**
 * Whether one of values `[0, n)` at `offsets` is at least `bytes` long: stops at the first (its own
 * function: see {@link trainOnSample}).
 */
function hasValueOfAtLeast(offsets: Int32Array, n: number, bytes: number): boolean {
  for (let i = 0; i < n; i++) if (offsets[i + 1]! - offsets[i]! >= bytes) return true;
  return false;
}

/**
 * FSST-compresses a page's strings when the statistics say it pays: at least {@link FSST_MIN_PAGE_BYTES}
 * of value bytes and a longest value of ≥ 5 bytes (as Lance decides), then a table trained on a sample
 * whose compressed sample, scaled to the page, plus the table stay under 85 % of the plain bytes; the
 * whole page is then compressed and kept only if that holds for the real bytes too.
 * Pages without a validity bitmap only (nulls are empty values here); 32- or 64-bit offsets (large_string /
 * large_binary), kept in the compressed values.
 * @returns null when FSST does not pay (the caller writes plain `variable` values).
 */
export function fsstPageIfSmaller(v: VariableWidthValues): FsstPage | null {
  if (v.validity !== null) return null;
  const n = v.count;
  const o = v.offsets;
  const plain = o[n]! - o[0]!;
  if (plain < FSST_MIN_PAGE_BYTES) return null;
  if (!hasValueOfAtLeast(o, n, 5)) return null;
  const sample = sampleOf(o, v.bytes, n);
  const table = trainOnSample(sample);
  const sampleCompressed = fsstCompressedByteLength(table, sample.offsets, sample.bytes, sample.count);
  const sampleBytes = sample.offsets[sample.count]!;
  if (sampleBytes === 0 || (sampleCompressed / sampleBytes) * plain + FSST_SYMBOL_TABLE_BYTES > plain * FSST_MAX_RATIO) return null;
  // Sized by the sample's ratio with some slack; the output grows if the page compresses worse.
  const c = compressInto(table, o, v.bytes, n, Math.ceil((sampleCompressed / sampleBytes) * plain * 1.2) + 4096);
  if (c.bytes.length + FSST_SYMBOL_TABLE_BYTES > plain * FSST_MAX_RATIO) return null;
  return {
    values: { kind: 'variable', count: n, offsets: c.offsets, bytes: c.bytes, validity: null, validityOffset: 0, offsetBits: v.offsetBits ?? 32 },
    symbolTable: encodeFsstSymbolTable(table),
  };
}

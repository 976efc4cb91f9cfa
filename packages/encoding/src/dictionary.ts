/**
 * Dictionary encoding: each distinct value stored once (in first-seen order), each element replaced
 * by its index into that dictionary. Values are compared by bit pattern (floats: NaN payloads and
 * −0 are kept distinct from other NaNs and +0).
 *
 * Low-level functions here build and apply dictionaries over TypedArrays; the bytes are laid out by
 * the array-level API (`encodeArray` with `{ encoding: 'dictionary' }`), whose buffers are:
 * ```
 * fixed width:   [validity] [dictionary values, plain LE, dictionaryLength × byteWidth] [indices]
 * Utf8/Binary:   [validity] [dictionary offsets, int32 LE, dictionaryLength + 1, starting at 0]
 *                [dictionary bytes] [indices]
 * indices:       bit-packed (bitWidth = bits of dictionaryLength − 1) or RLE over u32 (see those files)
 * ```
 * Worked example: Int32 `[5, 5, 9, 5]` → dictionary `[5, 9]` = `05 00 00 00 09 00 00 00`,
 * indices `[0, 0, 1, 0]` bit-packed with width 1 → one byte `0b0100` = `04`.
 */
import { CorruptDataError, InvalidArgumentError } from '@vego/arrow';
import { checkDecodeLimits } from './decode-limits';
import type { DecodeLimits } from './decode-limits';
import { hashBytes, mix32, mix64 } from './internal/hash';

/** A dictionary over 32-bit lanes: distinct values and per-element indices (both new arrays, copies). */
export interface Dictionary32 {
  readonly dictionary: Uint32Array;
  readonly indices: Uint32Array;
}

/** A dictionary over 64-bit values as halves `[lo, hi, …]` (both new arrays, copies). */
export interface Dictionary64 {
  readonly dictionary: Uint32Array;
  readonly indices: Uint32Array;
}

/** A dictionary over variable-length byte strings (new arrays, copies). */
export interface DictionaryBinary {
  /** Int32 offsets into `bytes`, `dictionaryLength + 1` entries starting at 0. */
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly indices: Uint32Array;
}

const EMPTY = -1;

/**
 * Builds a dictionary over unsigned 32-bit values (view other ≤32-bit types as Uint32 after widening).
 * @param values - the values.
 * @returns distinct values in first-seen order and one index per value (copies).
 * @example
 * ```ts
 * buildDictionary32(new Uint32Array([5, 5, 9, 5])); // { dictionary: [5, 9], indices: [0, 0, 1, 0] }
 * ```
 */
export function buildDictionary32(values: Uint32Array): Dictionary32 {
  const n = values.length;
  let cap = 1024;
  let table = new Int32Array(cap).fill(EMPTY);
  let dict: Uint32Array = new Uint32Array(64);
  let size = 0;
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let mask = cap - 1;
    let slot = mix32(v) & mask;
    let idx: number;
    for (;;) {
      idx = table[slot]!;
      if (idx === EMPTY || dict[idx] === v) break;
      slot = (slot + 1) & mask;
    }
    if (idx === EMPTY) {
      idx = size++;
      if (size > dict.length) dict = grow32(dict, dict.length * 2);
      dict[idx] = v;
      table[slot] = idx;
      if (size * 2 > cap) {
        cap *= 2;
        mask = cap - 1;
        table = new Int32Array(cap).fill(EMPTY);
        for (let k = 0; k < size; k++) {
          let s = mix32(dict[k]!) & mask;
          while (table[s] !== EMPTY) s = (s + 1) & mask;
          table[s] = k;
        }
      }
    }
    indices[i] = idx;
  }
  return { dictionary: dict.slice(0, size), indices };
}

/**
 * Builds a dictionary over 64-bit values given as halves.
 * @param words - `[lo0, hi0, lo1, hi1, …]`.
 * @returns distinct values (halves) in first-seen order and one index per value (copies).
 */
export function buildDictionary64(words: Uint32Array): Dictionary64 {
  const n = words.length >>> 1;
  let cap = 1024;
  let table = new Int32Array(cap).fill(EMPTY);
  let dict: Uint32Array = new Uint32Array(128);
  let size = 0;
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    let mask = cap - 1;
    let slot = mix64(lo, hi) & mask;
    let idx: number;
    for (;;) {
      idx = table[slot]!;
      if (idx === EMPTY || (dict[2 * idx] === lo && dict[2 * idx + 1] === hi)) break;
      slot = (slot + 1) & mask;
    }
    if (idx === EMPTY) {
      idx = size++;
      if (size * 2 > dict.length) dict = grow32(dict, dict.length * 2);
      dict[2 * idx] = lo;
      dict[2 * idx + 1] = hi;
      table[slot] = idx;
      if (size * 2 > cap) {
        cap *= 2;
        mask = cap - 1;
        table = new Int32Array(cap).fill(EMPTY);
        for (let k = 0; k < size; k++) {
          let s = mix64(dict[2 * k]!, dict[2 * k + 1]!) & mask;
          while (table[s] !== EMPTY) s = (s + 1) & mask;
          table[s] = k;
        }
      }
    }
    indices[i] = idx;
  }
  return { dictionary: dict.slice(0, size * 2), indices };
}

/**
 * Builds a dictionary over byte strings `bytes[offsets[start + i], offsets[start + i + 1])`, i < count.
 * @returns dictionary offsets (starting at 0), dictionary bytes and one index per value (copies).
 */
export function buildDictionaryBinary(bytes: Uint8Array, offsets: Int32Array, start: number, count: number): DictionaryBinary {
  let cap = 1024;
  let table = new Int32Array(cap).fill(EMPTY);
  let hashes: Uint32Array = new Uint32Array(64);
  let dOffsets = new Int32Array(65);
  let dBytes = new Uint8Array(1024);
  let size = 0;
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const b = offsets[start + i]!;
    const e = offsets[start + i + 1]!;
    const len = e - b;
    const h = hashBytes(bytes, b, e);
    let mask = cap - 1;
    let slot = h & mask;
    let idx: number;
    for (;;) {
      idx = table[slot]!;
      if (idx === EMPTY) break;
      if (hashes[idx] === h) {
        const db = dOffsets[idx]!;
        if (dOffsets[idx + 1]! - db === len) {
          let same = true;
          for (let k = 0; k < len; k++) {
            if (dBytes[db + k] !== bytes[b + k]) {
              same = false;
              break;
            }
          }
          if (same) break;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (idx === EMPTY) {
      idx = size++;
      if (size >= hashes.length) {
        hashes = grow32(hashes, hashes.length * 2);
        const o = new Int32Array(hashes.length + 1);
        o.set(dOffsets);
        dOffsets = o;
      }
      const db = dOffsets[idx]!;
      if (db + len > dBytes.length) {
        const nb = new Uint8Array(Math.max(dBytes.length * 2, db + len));
        nb.set(dBytes);
        dBytes = nb;
      }
      dBytes.set(bytes.subarray(b, e), db);
      dOffsets[idx + 1] = db + len;
      hashes[idx] = h;
      table[slot] = idx;
      if (size * 2 > cap) {
        cap *= 2;
        mask = cap - 1;
        table = new Int32Array(cap).fill(EMPTY);
        for (let k = 0; k < size; k++) {
          let s = hashes[k]! & mask;
          while (table[s] !== EMPTY) s = (s + 1) & mask;
          table[s] = k;
        }
      }
    }
    indices[i] = idx;
  }
  return { offsets: dOffsets.slice(0, size + 1), bytes: dBytes.slice(0, dOffsets[size]!), indices };
}

/**
 * Replaces each index by its dictionary value: `out[i] = dictionary[indices[i]]`.
 * @param out - output with room for `indices.length` values.
 * @returns `out` (view).
 * @throws CorruptDataError when an index is out of range.
 */
export function applyDictionary32(dictionary: Uint32Array, indices: Uint32Array, out: Uint32Array): Uint32Array {
  const n = indices.length;
  const size = dictionary.length;
  if (out.length < n) throw new InvalidArgumentError(`\`out\` holds ${out.length} values, ${n} needed`);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k >= size) throw badIndex(i, k, size);
    out[i] = dictionary[k]!;
  }
  return out;
}

/**
 * 64-bit version of {@link applyDictionary32} over halves: `out` gets `2 * indices.length` words.
 * @returns `out` (view).
 * @throws CorruptDataError when an index is out of range.
 */
export function applyDictionary64(dictionary: Uint32Array, indices: Uint32Array, out: Uint32Array): Uint32Array {
  const n = indices.length;
  const size = dictionary.length >>> 1;
  if (out.length < 2 * n) throw new InvalidArgumentError(`\`out\` holds ${out.length} words, ${2 * n} needed`);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k >= size) throw badIndex(i, k, size);
    out[2 * i] = dictionary[2 * k]!;
    out[2 * i + 1] = dictionary[2 * k + 1]!;
  }
  return out;
}

/**
 * Expands a binary dictionary: returns Arrow offsets (starting at 0) and bytes (new arrays, copies).
 * A few indices into a long entry can expand without bound, so the output length is summed first and
 * checked against `limits` (default: the module's `maxOutputBytes`) before the bytes are allocated.
 * @throws CorruptDataError when an index is out of range or the dictionary offsets are not ascending
 *   within `dictBytes`, or when the output would exceed 2^31 − 1 bytes or the limits.
 */
export function applyDictionaryBinary(
  dictOffsets: Int32Array,
  dictBytes: Uint8Array,
  indices: Uint32Array,
  limits?: DecodeLimits,
): { offsets: Int32Array; bytes: Uint8Array } {
  const size = dictOffsets.length - 1;
  if (size < 0 || dictOffsets[0] !== 0) throw new CorruptDataError('dictionary offsets: expected a first offset of 0');
  for (let k = 0; k < size; k++) {
    if (dictOffsets[k + 1]! < dictOffsets[k]! || dictOffsets[k + 1]! > dictBytes.length) {
      throw new CorruptDataError(`dictionary offsets: entry ${k + 1} is ${dictOffsets[k + 1]}, expected ${dictOffsets[k]}..${dictBytes.length}`);
    }
  }
  const n = indices.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k >= size) throw badIndex(i, k, size);
    total += dictOffsets[k + 1]! - dictOffsets[k]!;
    if (total > 0x7fffffff) throw new CorruptDataError('dictionary expands to more than 2^31 - 1 bytes');
    offsets[i + 1] = total;
  }
  // `maxValues` counts strings (checked by the caller); the bytes answer to `maxOutputBytes`.
  checkDecodeLimits(`dictionary expansion of ${n} strings`, total, 1, limits?.maxOutputBytes === undefined ? undefined : { maxOutputBytes: limits.maxOutputBytes });
  const bytes = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    bytes.set(dictBytes.subarray(dictOffsets[k]!, dictOffsets[k + 1]!), offsets[i]!);
  }
  return { offsets, bytes };
}

function badIndex(i: number, k: number, size: number): CorruptDataError {
  return new CorruptDataError(`dictionary index ${i}: expected 0..${size - 1}, found ${k}`);
}

function grow32(a: Uint32Array, length: number): Uint32Array {
  const b = new Uint32Array(length);
  b.set(a);
  return b;
}

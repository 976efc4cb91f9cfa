/**
 * Lance 2.1 page dictionaries of variable-width values: the page's distinct values once, in first-seen order,
 * and per value slot its 0-based index (a u32, which the mini-block registry then bit-packs). The
 * dictionary is stored as one `variable` block (page buffer 2):
 *
 * ```text
 * [u32 32 (bits per offset)][u32 data start = 8 + 4 * (k + 1)][k + 1 u32 offsets from 0][item bytes]
 * ```
 * Worked example (values "a", "b", "a"): indices 0 1 0; block
 * `20 00 00 00 14 00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 61 62`.
 */
import type { VariableWidthValues } from './mini-block-encoders';

/** A page dictionary: the distinct values and each slot's index. */
export interface VariableDictionary {
  /** Distinct values (k). */
  numItems: number;
  /** Item offsets (k + 1) into `itemBytes`. */
  itemOffsets: Int32Array;
  itemBytes: Uint8Array;
  /**
   * Index of each value slot; slots whose validity bit is 0 (when `validity` is given) get
   * {@link DICTIONARY_NULL_INDEX} and are left out of the dictionary.
   */
  indices: Uint32Array;
}

/** Index of a null slot in {@link VariableDictionary.indices}. */
export const DICTIONARY_NULL_INDEX = 0xffffffff;

/**
 * Builds the dictionary of a page's values, or returns null when it has more than `maxItems` distinct
 * values. Hashes the bytes of each value into an open-addressing table (no allocation per value). Offsets
 * need not start at 0. Used by the 2.1/2.2 page dictionaries and the 2.0 dictionary pages alike.
 */
export function buildVariableDictionary(v: VariableWidthValues, maxItems: number): VariableDictionary | null {
  const n = v.count;
  const o = v.offsets;
  const src = v.bytes;
  const valid = v.validity;
  const vo = v.validityOffset;
  let slotsLength = 64;
  while (slotsLength < maxItems * 2) slotsLength *= 2;
  const mask = slotsLength - 1;
  const slots = new Int32Array(slotsLength); // item index + 1, 0 = empty
  const firstRow = new Int32Array(maxItems);
  // Grown as rows are read (up to n), so that a page of distinct values, given up on after `maxItems`,
  // does not allocate 4 bytes per row first.
  let indices = new Uint32Array(Math.min(n, Math.max(1024, 4 * maxItems)));
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (i === indices.length) {
      const grown = new Uint32Array(Math.min(n, 2 * indices.length));
      grown.set(indices);
      indices = grown;
    }
    if (valid !== null && ((valid[(vo + i) >>> 3]! >>> ((vo + i) & 7)) & 1) === 0) {
      indices[i] = DICTIONARY_NULL_INDEX;
      continue;
    }
    const s = o[i]!;
    const e = o[i + 1]!;
    let h = 0x811c9dc5 ^ (e - s);
    for (let p = s; p < e; p++) h = Math.imul(h ^ src[p]!, 0x01000193);
    let slot = (h ^ (h >>> 15)) & mask;
    let found = -1;
    for (;;) {
      const item = slots[slot]!;
      if (item === 0) break;
      const r = firstRow[item - 1]!;
      const rs = o[r]!;
      const len = o[r + 1]! - rs;
      if (len === e - s) {
        let same = true;
        for (let q = 0; q < len; q++) {
          if (src[rs + q] !== src[s + q]) {
            same = false;
            break;
          }
        }
        if (same) {
          found = item - 1;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (found < 0) {
      if (k === maxItems) return null;
      firstRow[k] = i;
      found = k++;
      slots[slot] = found + 1;
    }
    indices[i] = found;
  }
  const itemOffsets = new Int32Array(k + 1);
  let total = 0;
  for (let j = 0; j < k; j++) {
    total += o[firstRow[j]! + 1]! - o[firstRow[j]!]!;
    itemOffsets[j + 1] = total;
  }
  const itemBytes = new Uint8Array(total);
  for (let j = 0; j < k; j++) itemBytes.set(src.subarray(o[firstRow[j]!]!, o[firstRow[j]! + 1]!), itemOffsets[j]!);
  return { numItems: k, itemOffsets, itemBytes, indices };
}

/** The dictionary as one `variable` block (new array; see the layout above). */
export function encodeVariableBlock(itemOffsets: Int32Array, itemBytes: Uint8Array, numItems: number): Uint8Array {
  const dataStart = 8 + 4 * (numItems + 1);
  const out = new Uint8Array(dataStart + itemOffsets[numItems]!);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 32, true);
  dv.setUint32(4, dataStart, true);
  for (let j = 0; j <= numItems; j++) dv.setUint32(8 + 4 * j, itemOffsets[j]!, true);
  out.set(itemBytes.subarray(0, itemOffsets[numItems]!), dataStart);
  return out;
}

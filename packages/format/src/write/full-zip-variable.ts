/**
 * Full-zip pages of variable-width values (strings, binaries) for Lance 2.1 files: the layout LanceDB 0.39
 * writes for a string or binary page of which some value reaches 256 bytes. Lance 2.1 chunks are at most
 * 32 KiB, so a mini-block page cannot hold two values of ~16 KiB; full-zip stores each value whole.
 *
 * Buffer 0, per item (level; per value slot when the page has no levels): a control word of
 * `bits_rep + bits_def` bits in 0, 1, 2 or 4 little-endian bytes (repetition level above the definition
 * level), then, for a valid value (definition level 0), its length in `bits_per_offset / 8` little-endian
 * bytes and its bytes (FSST codes when the page's strings compress: `fsst { symbol_table, variable }`, as
 * LanceDB writes them). A null value has nothing after its control word, nor has a null or empty list
 * (an invisible item). Buffer 1, the repetition index: for each row its start in buffer 0, then the end,
 * each 2, 4 or 8 little-endian bytes (the narrowest that holds the end), so that a row range is read
 * without reading the rows before it.
 *
 * Example (a nullable string page of three rows: `"ab"`, null, `"c"`; `bits_def` 1, lengths of 32 bits):
 * buffer 0 `00 02 00 00 00 61 62 | 01 | 00 01 00 00 00 63`, buffer 1 `00 00 07 00 08 00 0E 00`.
 */
import { InternalError } from '@vego/encoding';
import type { LanceValueCompression, VariableWidthValues } from '@vego/encoding';
import { listCodes } from '../v2_1/levels';
import { fullZipLayoutBytes } from './page-layout-proto';
import { levelBitWidth } from './repdef';
import type { ShreddedLeaf } from './repdef';

/** Values of this many bytes or more make a 2.1 string or binary page full-zip (LanceDB 0.39's `MINIBLOCK_MAX_BYTE_LENGTH_PER_VALUE`). */
export const FULL_ZIP_MIN_VALUE_BYTES = 256;

/** The longest value of a page, in bytes. */
export function longestValue(v: VariableWidthValues): number {
  const o = v.offsets;
  let max = 0;
  for (let i = 0; i < v.count; i++) {
    const l = o[i + 1]! - o[i]!;
    if (l > max) max = l;
  }
  return max;
}

function putUintLE(out: Uint8Array, at: number, value: number, bytes: number): void {
  let x = value;
  for (let b = 0; b < bytes; b++) {
    out[at + b] = x % 256;
    x = Math.floor(x / 256);
  }
}

/**
 * Encodes a page of variable-width values as full-zip (see the top of this file): `v` as they are, or,
 * with `fsstSymbolTable`, each value's FSST codes (`v` then holds the codes; the layout says
 * `fsst { symbol_table, variable }`).
 * @returns the page's layout bytes and its two buffers.
 */
export function encodeFullZipVariable(col: ShreddedLeaf, v: VariableWidthValues, fsstSymbolTable: Uint8Array | null): { layout: Uint8Array; buffers: Uint8Array[] } {
  const repBits = levelBitWidth(col.rep);
  const defBits = levelBitWidth(col.def);
  const cwBits = repBits + defBits;
  const cwBytes = cwBits === 0 ? 0 : cwBits <= 8 ? 1 : cwBits <= 16 ? 2 : 4;
  const lenBits = v.offsetBits ?? 32;
  const lenBytes = lenBits >>> 3;
  const hasLevels = col.numLevels > 0;
  const numItems = hasLevels ? col.numLevels : v.count;
  const rep = col.rep;
  const def = col.def;
  const { lists, firstListCode } = listCodes(col.layers);
  const offsets = v.offsets;
  const src = v.bytes;
  // Sizes first: every item's control word, and each valid value's length and bytes.
  let size = numItems * cwBytes;
  let visible = 0;
  for (let i = 0; i < numItems; i++) {
    const d = def === null || !hasLevels ? 0 : def[i]!;
    if (d >= firstListCode) continue;
    if (d === 0) size += lenBytes + (offsets[visible + 1]! - offsets[visible]!);
    visible++;
  }
  if (visible !== v.count) throw new InternalError(`full-zip page: ${visible} visible items for ${v.count} values`);
  const data = new Uint8Array(size);
  const rowStarts = new Float64Array(col.numRows + 1);
  let rows = 0;
  let at = 0;
  let k = 0;
  for (let i = 0; i < numItems; i++) {
    const d = def === null || !hasLevels ? 0 : def[i]!;
    const r = rep === null || !hasLevels ? 0 : rep[i]!;
    // A row starts at each item without repetition, or at each item at the outermost list's level.
    if (rep === null || r === lists) {
      if (rows === col.numRows) throw new InternalError(`full-zip page: more row starts than its ${col.numRows} rows`);
      rowStarts[rows++] = at;
    }
    if (cwBytes > 0) {
      putUintLE(data, at, r * 2 ** defBits + d, cwBytes);
      at += cwBytes;
    }
    if (d >= firstListCode) continue;
    if (d === 0) {
      const from = offsets[k]!;
      const len = offsets[k + 1]! - from;
      putUintLE(data, at, len, lenBytes);
      at += lenBytes;
      data.set(src.subarray(from, from + len), at);
      at += len;
    }
    k++;
  }
  if (at !== size || rows !== col.numRows) throw new InternalError(`full-zip page: ${at} of ${size} bytes written, ${rows} rows of ${col.numRows}`);
  rowStarts[rows] = at;
  const w = at <= 0xffff ? 2 : at <= 0xffffffff ? 4 : 8;
  const index = new Uint8Array((rows + 1) * w);
  for (let j = 0; j <= rows; j++) putUintLE(index, j * w, rowStarts[j]!, w);
  const raw: LanceValueCompression = { kind: 'variable', offsetBits: lenBits };
  const values: LanceValueCompression = fsstSymbolTable === null ? raw : { kind: 'fsst', symbolTable: fsstSymbolTable, values: raw };
  const layout = fullZipLayoutBytes({ bitsRep: repBits, bitsDef: defBits, bitsPerOffset: lenBits, numItems, numVisibleItems: visible, values, layers: col.layers });
  return { layout, buffers: [data, index] };
}

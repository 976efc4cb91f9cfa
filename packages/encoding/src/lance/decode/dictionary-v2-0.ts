/**
 * Expansion of a Lance 2.0 `dictionary` page of strings (the decoder side; the page's tree is walked by
 * `@vego/format`'s `page-decoder.ts`, which decodes the indices and the items and calls this). Indices are
 * 1-based, 0 = null (an empty, invalid row). One pass over the indices computes the output offsets (and
 * checks every index), a second copies each row's item bytes (a byte loop for short items, one `set` for long).
 *
 * Worked example: items ["a", "bc"], indices `02 00 01` → offsets 0 2 2 3, bytes "bca", row 1 null.
 */
import { CorruptDataError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';

/** Strings of a dictionary page: Arrow offsets, bytes, validity (bit per row) and the null count. */
export interface LanceDictionaryStrings {
  offsets: Int32Array;
  bytes: Uint8Array;
  validity: Uint8Array;
  nullCount: number;
}

/**
 * Expands `n` 1-based dictionary indices (u8 as a view, wider ones as a Float64Array) over `numItems` items
 * whose Arrow offsets start at `itemOffsets[itemOffset]` into `itemBytes` (copy).
 * @param where - prefix of error messages.
 * @param limits - output bounds; missing means the module default (`setDefaultDecodeLimits`).
 * @throws CorruptDataError for an index beyond the items, an expansion beyond 2 GiB or beyond the limits.
 */
export function expandLanceDictionary(
  indices: Uint8Array | Float64Array,
  n: number,
  numItems: number,
  itemOffsets: Int32Array,
  itemOffset: number,
  itemBytes: Uint8Array,
  where: string,
  limits?: DecodeLimits,
): LanceDictionaryStrings {
  // Item k (1-based; 0 = null, empty) starts at itemStart[k] and is itemLength[k] bytes long.
  const itemStart = new Int32Array(numItems + 1);
  const itemLength = new Int32Array(numItems + 1);
  for (let k = 1; k <= numItems; k++) {
    itemStart[k] = itemOffsets[itemOffset + k - 1]!;
    itemLength[k] = itemOffsets[itemOffset + k]! - itemStart[k]!;
  }
  const offsets = new Int32Array(n + 1);
  const validity = new Uint8Array(((n + 63) >>> 6) << 3);
  const nullCount = indices instanceof Uint8Array
    ? dictionaryOffsetsU8(indices, n, numItems, itemLength, offsets, validity, where)
    : dictionaryOffsetsF64(indices, n, numItems, itemLength, offsets, validity, where);
  checkDecodeLimits(`${where}: dictionary page expanding to ${offsets[n]!} bytes`, offsets[n]!, 1, limits);
  const bytes = new Uint8Array(offsets[n]!);
  if (indices instanceof Uint8Array) gatherItemsU8(indices, n, itemStart, itemLength, offsets, itemBytes, bytes);
  else gatherItemsF64(indices, n, itemStart, itemLength, offsets, itemBytes, bytes);
  return { offsets, bytes, validity, nullCount };
}

/** Pass 1 of a dictionary gather (u8 indices): output offsets and validity; returns the null count. */
function dictionaryOffsetsU8(indices: Uint8Array, n: number, numItems: number, itemLength: Int32Array, offsets: Int32Array, validity: Uint8Array, where: string): number {
  let pos = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k === 0) nulls++;
    else {
      if (k > numItems) throw new CorruptDataError(`${where}: dictionary index ${k} at row ${i} is beyond the ${numItems} items`);
      validity[i >>> 3]! |= 1 << (i & 7);
      pos += itemLength[k]!;
    }
    offsets[i + 1] = pos;
  }
  if (pos > 0x7fffffff) throw new CorruptDataError(`${where}: dictionary page expands beyond 2 GiB`);
  return nulls;
}

/** {@link dictionaryOffsetsU8} for wider indices (decoded to a Float64Array). */
function dictionaryOffsetsF64(indices: Float64Array, n: number, numItems: number, itemLength: Int32Array, offsets: Int32Array, validity: Uint8Array, where: string): number {
  let pos = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (k === 0) nulls++;
    else {
      if (k > numItems) throw new CorruptDataError(`${where}: dictionary index ${k} at row ${i} is beyond the ${numItems} items`);
      validity[i >>> 3]! |= 1 << (i & 7);
      pos += itemLength[k]!;
      if (pos > 0x7fffffff) throw new CorruptDataError(`${where}: dictionary page expands beyond 2 GiB`);
    }
    offsets[i + 1] = pos;
  }
  return nulls;
}

/** Pass 2 of a dictionary gather (u8 indices): copies item bytes (a byte loop for short items, `set` for long). */
function gatherItemsU8(indices: Uint8Array, n: number, itemStart: Int32Array, itemLength: Int32Array, offsets: Int32Array, src: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    const len = itemLength[k]!;
    let d = offsets[i]!;
    let s = itemStart[k]!;
    if (len <= 32) {
      const e = s + len;
      while (s < e) out[d++] = src[s++]!;
    } else out.set(src.subarray(s, s + len), d);
  }
}

/** {@link gatherItemsU8} for wider indices. */
function gatherItemsF64(indices: Float64Array, n: number, itemStart: Int32Array, itemLength: Int32Array, offsets: Int32Array, src: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    const len = itemLength[k]!;
    let d = offsets[i]!;
    let s = itemStart[k]!;
    if (len <= 32) {
      const e = s + len;
      while (s < e) out[d++] = src[s++]!;
    } else out.set(src.subarray(s, s + len), d);
  }
}

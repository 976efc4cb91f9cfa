/**
 * The constant page layout of Lance 2.1/2.2: no value buffers for an all-null page or one inline value
 * (up to 32 bytes) repeated for every row; LanceDB 0.39 (2.2) also writes constant pages with level buffers
 * and, for variable-width values, a value buffer (see {@link decodeConstantPage}).
 */
import { checkDecodeLimits, CorruptDataError, NotSupportedError } from '@vego/encoding';
import { LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import type { PageLayout } from './layout';
import { RepDefLayer } from './layout';
import type { PageLevels } from './levels';
import { decodeRawOrCompressedLevels, listCodes } from './levels';

function u32(b: Uint8Array, at: number, where: string): number {
  if (at + 4 > b.length) throw new CorruptDataError(`${where}: header runs past its buffer (${b.length} bytes)`);
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/**
 * Decodes a constant page: all null, one inline value for every row, or (2.2) one value with level buffers.
 * @throws CorruptDataError for inconsistent pages; NotSupportedError for layers not read here.
 */
export function decodeConstantPage(layout: Extract<PageLayout, { kind: 'constant' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  if (buffers.length > 0) return decodeConstantPageWithLevels(layout, buffers, numRows, where);
  if (layout.numRepValues > 0 || layout.numDefValues > 0) {
    throw new CorruptDataError(`${where}: constant page says it has ${layout.numRepValues} repetition and ${layout.numDefValues} definition levels but has no buffers`);
  }
  if (numRows > 1 << 25) throw new CorruptDataError(`${where}: constant page of ${numRows} rows; more than the ${1 << 25}-row limit`);
  // A constant is a few bytes claiming numRows rows: bound the expansion (levels are 2 bytes a row).
  checkDecodeLimits(`${where}: constant page of ${numRows} rows`, numRows, layout.inlineValue === null ? 2 : layout.inlineValue.length);
  const layers = layout.layers;
  if (layout.inlineValue === null) {
    // All null: one definition level per row saying "null at the outermost nullable layer".
    if (layers.length !== 1 || (layers[0] !== RepDefLayer.NullableItem && layers[0] !== RepDefLayer.NullableList)) {
      throw new NotSupportedError(`${where}: all-null constant page with layers [${layers.join(', ')}] is not supported by this reader`);
    }
    const def = new Uint16Array(numRows).fill(1);
    return { numRows, numLevels: numRows, rep: null, def, layers, values: { kind: 'fixed', bitsPerValue: 0, numValues: numRows, bytes: new Uint8Array(0), itemValidity: null }, dictionary: null };
  }
  const v = layout.inlineValue;
  if (v.length === 0 || v.length > 32) throw new CorruptDataError(`${where}: constant inline value of ${v.length} bytes, expected 1..32`);
  if (layers.some((l) => l !== RepDefLayer.AllValidItem)) throw new NotSupportedError(`${where}: constant page with layers [${layers.join(', ')}] is not supported by this reader`);
  return { numRows, numLevels: 0, rep: null, def: null, layers, values: repeatFixed(v, numRows), dictionary: null };
}

/** `n` copies of the variable-width value `v` (callers bound `n * v.length`). */
function repeatVariable(v: Uint8Array, n: number): Block {
  const w = v.length;
  const offsets = new Int32Array(n + 1);
  const bytes = new Uint8Array(w * n);
  for (let i = 0; i < n; i++) {
    bytes.set(v, i * w);
    offsets[i + 1] = (i + 1) * w;
  }
  return { kind: 'variable', numValues: n, offsets, bytes };
}

function repeatFixed(v: Uint8Array, n: number): Block {
  const out = new Uint8Array(n * v.length);
  for (let i = 0; i < n; i++) out.set(v, i * v.length);
  return { kind: 'fixed', bitsPerValue: v.length * 8, numValues: n, bytes: out, itemValidity: null };
}

/**
 * A constant page with levels (LanceDB 0.39, 2.2): every visible value is the same (or none is), and the
 * nulls, empty lists and list boundaries are in repetition/definition buffers, raw u16 unless the layout
 * names their compression. Buffers: `[rep, def]`, or `[value, rep, def]` when the value is not inline
 * (variable-width): then the value buffer is `u32 buffer count (2)`, the buffers' `u32 byte length`s, then
 * the buffers: the value's offsets `[0, length]` (u32, or u64 for the large types), then its bytes.
 * **(found)** Example: a struct child `b` of `['x', (struct null), null]` is
 * `02000000 08000000 01000000 | 00000000 01000000 | 78`, no rep levels, def levels `0 2 1`.
 */
function decodeConstantPageWithLevels(layout: Extract<PageLayout, { kind: 'constant' }>, buffers: Uint8Array[], numRows: number, where: string): PageLevels {
  const layers = layout.layers;
  let value: Block | null = null;
  let rest = buffers;
  if (buffers.length === 3 || buffers.length === 1) {
    if (layout.inlineValue !== null) throw new CorruptDataError(`${where}: constant page has both an inline value and a value buffer`);
    const b = buffers[0]!;
    if (b.length < 4 || u32(b, 0, where) !== 2) throw new NotSupportedError(`${where}: constant value buffer of ${b.length} bytes is not a 2-buffer variable-width value`);
    // `u32 2`, the two parts' byte lengths (u32 each), then the parts: the value's offsets `[0, length]`
    // (u32s, or u64s for large_string / large_binary), then its bytes. **(found)**
    // `02000000 10000000 03000000 | 0000000000000000 0300000000000000 | 070809` (a 3-byte large binary).
    if (b.length < 12) throw new CorruptDataError(`${where}: constant value buffer of ${b.length} bytes`);
    const lenA = u32(b, 4, where);
    const size = u32(b, 8, where);
    if ((lenA !== 8 && lenA !== 16) || 12 + lenA + size !== b.length) {
      throw new CorruptDataError(`${where}: constant value buffer of ${b.length} bytes: parts of ${lenA} and ${size} bytes, expected offsets of 8 or 16 bytes and the value`);
    }
    const w = lenA / 2;
    const first = w === 4 ? u32(b, 12, where) : u32(b, 12, where) + u32(b, 16, where) * 2 ** 32;
    const last = w === 4 ? u32(b, 16, where) : u32(b, 20, where) + u32(b, 24, where) * 2 ** 32;
    if (first !== 0 || last !== size) throw new CorruptDataError(`${where}: constant value offsets [${first}, ${last}] for a ${size}-byte value`);
    value = { kind: 'variable', numValues: 1, offsets: Int32Array.of(0, size), bytes: b.subarray(12 + lenA, 12 + lenA + size) };
    rest = buffers.slice(1);
  } else if (buffers.length !== 2) {
    throw new NotSupportedError(`${where}: constant page with ${buffers.length} buffers is not supported by this reader`);
  }
  if (rest.length === 0) {
    // **(found)** Only the value buffer (LanceDB 0.39, 2.2: a variable-width constant without nulls, such as a
    // one-row append of a string to a nullable column): every row is the value, no levels.
    if (layers.some((l) => l !== RepDefLayer.AllValidItem)) throw new NotSupportedError(`${where}: constant value page without levels and layers [${layers.join(', ')}] is not supported by this reader`);
    if (layout.numRepValues > 0 || layout.numDefValues > 0) throw new CorruptDataError(`${where}: constant page says it has levels but has only a value buffer`);
    if (numRows > 1 << 25) throw new CorruptDataError(`${where}: constant page of ${numRows} rows; more than the ${1 << 25}-row limit`);
    const v = value!;
    const w = v.kind === 'variable' ? v.offsets[1]! : 0;
    checkDecodeLimits(`${where}: constant page of ${numRows} rows`, numRows, w + 4);
    return { numRows, numLevels: 0, rep: null, def: null, layers, values: repeatVariable(v.kind === 'variable' ? v.bytes : new Uint8Array(0), numRows), dictionary: null };
  }
  const rep = decodeRawOrCompressedLevels(layout.rep, rest[0]!, layout.numRepValues, `${where} repetition`);
  const def = decodeRawOrCompressedLevels(layout.def, rest[1]!, layout.numDefValues, `${where} definition`);
  const numLevels = rep !== null ? rep.length : def !== null ? def.length : 0;
  if (rep !== null && def !== null && rep.length !== def.length) throw new CorruptDataError(`${where}: ${rep.length} repetition but ${def.length} definition levels`);
  if (numLevels === 0 && numRows > 0) throw new CorruptDataError(`${where}: constant page of ${numRows} rows has level buffers but no levels`);
  if (numLevels > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${numLevels} levels`);
  // Value slots: every level but null or empty lists (definition codes from the innermost list's first code on).
  const listCode = listCodes(layers).firstListCode;
  let slots = numLevels;
  if (def !== null && listCode !== Infinity) {
    slots = 0;
    for (let i = 0; i < numLevels; i++) if (def[i]! < listCode) slots++;
  }
  let values: Block;
  if (value !== null) {
    const w = value.kind === 'variable' ? value.offsets[1]! : 0;
    if (w * slots > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: constant page expands to ${w * slots} bytes`);
    values = repeatVariable(value.kind === 'variable' ? value.bytes : new Uint8Array(0), slots);
  } else if (layout.inlineValue !== null) {
    const v = layout.inlineValue;
    if (v.length === 0 || v.length > 32) throw new CorruptDataError(`${where}: constant inline value of ${v.length} bytes, expected 1..32`);
    values = repeatFixed(v, slots);
  } else {
    values = { kind: 'fixed', bitsPerValue: 0, numValues: slots, bytes: new Uint8Array(0), itemValidity: null };
  }
  return { numRows, numLevels, rep, def, layers, values, dictionary: null };
}


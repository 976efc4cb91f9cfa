/**
 * Repetition and definition levels of Lance 2.1/2.2 pages: what a decoded page is ({@link PageLevels}),
 * how its level buffers decode, how the levels of several chunks or pages join, and which definition codes
 * mark a level without a value (null or empty lists). The meaning of layers and codes is described in
 * `assemble.ts`, which turns levels into Arrow structure.
 */
import { CorruptDataError } from '@vego/encoding';
import { compressiveNotSupported as notSupported, decompressBlock, LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import type { Compressive } from './layout';
import { RepDefLayer } from './layout';

/** Levels and values of a page (or of several pages joined). */
export interface PageLevels {
  numRows: number;
  /** Entries in `rep`/`def` (0 when the page has neither). */
  numLevels: number;
  rep: Uint16Array | null;
  def: Uint16Array | null;
  layers: RepDefLayer[];
  values: Block;
  /** Decoded dictionary when `values` are indices into it. */
  dictionary: Block | null;
}

/** Whether a layer is a list layer (its repetition numbers count list starts). */
export function isListLayer(l: RepDefLayer): boolean {
  return l === RepDefLayer.AllValidList || l === RepDefLayer.NullableList || l === RepDefLayer.EmptyableList || l === RepDefLayer.NullAndEmptyList;
}

/** Whether a layer's definition levels have a code for a null (item, struct or list). */
export function layerHasNull(l: RepDefLayer): boolean {
  return l === RepDefLayer.NullableItem || l === RepDefLayer.NullableList || l === RepDefLayer.NullAndEmptyList;
}

/** Whether a layer's definition levels have a code for an empty list. */
export function layerHasEmpty(l: RepDefLayer): boolean {
  return l === RepDefLayer.EmptyableList || l === RepDefLayer.NullAndEmptyList;
}

/** The definition codes of each layer (innermost first; 0 where a layer has no such code), and how many codes there are counting 0. */
export interface DefinitionCodes {
  nullCode: Uint32Array;
  emptyCode: Uint32Array;
  count: number;
}

/**
 * The definition codes of `layers` (innermost first): handed out from 1 upwards from the innermost layer
 * out, a layer's null code before its empty code, as the format numbers them (0: valid all the way down).
 * The reader's assembly, the join of pages of other layers and the writer all number codes here.
 */
export function definitionCodes(layers: readonly RepDefLayer[]): DefinitionCodes {
  const nullCode = new Uint32Array(layers.length);
  const emptyCode = new Uint32Array(layers.length);
  let next = 1;
  for (let j = 0; j < layers.length; j++) {
    if (layerHasNull(layers[j]!)) nullCode[j] = next++;
    if (layerHasEmpty(layers[j]!)) emptyCode[j] = next++;
  }
  return { nullCode, emptyCode, count: next };
}

/**
 * The list layers of `layers` and the first definition code of the innermost list layer: levels whose
 * code is at or above it are null or empty lists and carry no value (`Infinity` when there is no list).
 */
export function listCodes(layers: readonly RepDefLayer[]): { lists: number; firstListCode: number } {
  let lists = 0;
  let next = 1;
  let firstListCode = Infinity;
  for (const l of layers) {
    const isList = isListLayer(l);
    if (isList && lists === 0) firstListCode = next;
    if (isList) lists++;
    next += Number(layerHasNull(l)) + Number(layerHasEmpty(l));
  }
  return { lists, firstListCode };
}

/** Decodes `n` repetition or definition levels to a Uint16Array (copy). */
export function decodeLevels(c: Compressive, bytes: Uint8Array, n: number, where: string): Uint16Array {
  const b = decompressBlock(c, bytes, n, where);
  if (b.kind !== 'fixed') throw new CorruptDataError(`${where}: levels decoded as variable-width data`);
  const out = new Uint16Array(n);
  if (b.bitsPerValue === 16) {
    for (let i = 0; i < n; i++) out[i] = b.bytes[i * 2]! | (b.bytes[i * 2 + 1]! << 8);
  } else if (b.bitsPerValue === 8) {
    for (let i = 0; i < n; i++) out[i] = b.bytes[i]!;
  } else throw notSupported(where, c, `${b.bitsPerValue}-bit levels`);
  return out;
}

/**
 * Levels of a constant page: raw u16 levels when no compression is given, else decoded by their
 * compression; null for an empty buffer.
 */
export function decodeRawOrCompressedLevels(c: Compressive | null, bytes: Uint8Array, count: number, where: string): Uint16Array | null {
  if (bytes.length === 0) return null;
  if (c !== null) {
    if (count > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${count} levels`);
    return decodeLevels(c, bytes, count, where);
  }
  if (bytes.length % 2 !== 0) throw new CorruptDataError(`${where}: ${bytes.length} bytes of raw 16-bit levels`);
  const out = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/** Joins level arrays of `counts[i]` entries each; a missing part stays zeros. Null when every part is. */
export function concatLevels(parts: Array<Uint16Array | null>, counts: number[]): Uint16Array | null {
  if (parts.every((p) => p === null)) return null;
  let n = 0;
  for (const c of counts) n += c;
  const out = new Uint16Array(n);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== null) out.set(parts[i]!, at);
    at += counts[i]!;
  }
  return out;
}

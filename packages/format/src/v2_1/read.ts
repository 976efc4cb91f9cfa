/**
 * Reading fields of Lance 2.1/2.2 files: one column per leaf (structs and lists have no column of their
 * own; their validity and offsets come from the levels of their leaves). A read decodes every page of
 * the needed columns and slices the requested rows, except where {@link canReadRowRange} holds: there only
 * the pages holding the rows are read, of a mini-block page only the chunks holding them (chunk value counts
 * from the chunk metadata; for list pages, row counts from the repetition index), and of a fixed-width
 * full-zip page only the items' bytes (at a fixed stride), of a full-zip page with a repetition index (long
 * strings, lists of them or of vectors) only the bytes between the rows' two index entries.
 */
import { ArrayData, CorruptDataError, makeData, NotSupportedError, TypeId } from '@vego/encoding';
import type { DataType } from '@vego/encoding';
import { isLeafType } from '../lance-schema';
import { fromStorage, storageType } from '../logical-types';
import type { Shredded } from './assemble';
import { expandPageDictionaries, leafData, shred } from './assemble';
import type { Column21 } from '../column-metadata';
import type { Io } from '../internal/io';
import type { PageLevels } from './levels';
import { isListLayer } from './levels';
import { fullZipIndexWidth } from './full-zip';
import { decodePage, readPageRows } from './page';
import { concatPages } from './page-rows';

/** Columns a field takes in a 2.1 file. */
export function columnCount21(type: DataType): number {
  if (isLeafType(type)) return 1;
  if (type.typeId === TypeId.List) return columnCount21(type.child.type);
  if (type.typeId === TypeId.Struct) {
    let n = 0;
    for (const c of type.children) n += columnCount21(c.type);
    return n;
  }
  throw new NotSupportedError(`type ${type.toString()} in a Lance 2.1 file is not supported by this reader`);
}

/** Byte ranges needed to decode every page of a column: `[position, length]` per page buffer. */
export function pageRanges(col: Column21): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of col.pages) for (let b = 0; b < p.bufferOffsets.length; b++) out.push([p.bufferOffsets[b]!, p.bufferSizes[b]!]);
  return out;
}

/**
 * Whether rows of `col` can be located without decoding the whole column: no page has list layers (one level
 * and one value per row), or list pages are mini-block pages with a depth-1 repetition index or full-zip pages
 * with a repetition index.
 */
export function canReadRowRange(col: Column21): boolean {
  for (const p of col.pages) {
    const l = p.layout;
    if (l.kind !== 'miniBlock' && l.kind !== 'fullZip' && l.kind !== 'constant') return false;
    if (l.kind === 'miniBlock' && l.rep !== null) {
      // List pages: rows are found through the repetition index (one level of it is enough for top-level rows).
      if (l.repetitionIndexDepth !== 1 || p.bufferOffsets.length < (l.dictionary !== null ? 4 : 3)) return false;
      continue;
    }
    // Full-zip pages with a repetition index (variable width, or lists): rows are found through it.
    if (l.kind === 'fullZip' && fullZipIndexWidth(p, l) > 0) continue;
    if (l.kind === 'fullZip' && l.bitsRep !== 0) return false;
    for (const layer of l.layers) if (isListLayer(layer)) return false;
  }
  return true;
}

/**
 * Reads rows `[begin, end)` of a column for which {@link canReadRowRange} holds, fetching only the pages,
 * chunks or items that hold them.
 * @throws CorruptDataError for damaged pages; NotSupportedError for encodings not read here.
 */
export function* readColumnRows21(col: Column21, begin: number, end: number, numRows: number, columnIndex: number): Io<Shredded> {
  const where = `column ${columnIndex}`;
  let sum = 0;
  for (const p of col.pages) sum += p.length;
  if (sum !== numRows) throw new CorruptDataError(`${where}: pages hold ${sum} rows, expected ${numRows}`);
  const pages: PageLevels[] = [];
  const last = col.pages.length - 1;
  let start = 0;
  for (let i = 0; i <= last; i++) {
    const p = col.pages[i]!;
    const stop = start + p.length;
    // An empty range still reads (nothing of) one page, for the column's layers.
    const hit = begin < end ? stop > begin && start < end : begin < stop || i === last;
    if (hit) {
      const x = Math.min(p.length, Math.max(begin, start) - start);
      const y = Math.max(x, Math.min(end, stop) - start);
      pages.push(yield* readPageRows(p, x, y, `${where}, page ${i}`));
      if (begin === end) break;
    }
    start = stop;
    if (begin < end && start >= end) break;
  }
  if (pages.length === 0) {
    return { layers: [{ length: 0, validity: null, offsets: null }], values: { kind: 'fixed', bitsPerValue: 0, numValues: 0, bytes: new Uint8Array(0), itemValidity: null }, dictionary: null };
  }
  return shred(concatPages(expandPageDictionaries(pages, where), where), where);
}

/**
 * Decodes a whole column from its metadata and the bytes of {@link pageRanges} (in that order).
 * @throws CorruptDataError for damaged pages; NotSupportedError for encodings not read here.
 */
export function decodeColumn21(col: Column21, buffers: Uint8Array[], numRows: number, columnIndex: number): Shredded {
  const where = `column ${columnIndex}`;
  let sum = 0;
  for (const p of col.pages) sum += p.length;
  if (sum !== numRows) throw new CorruptDataError(`${where}: pages hold ${sum} rows, expected ${numRows}`);
  const pages: PageLevels[] = [];
  let at = 0;
  for (let i = 0; i < col.pages.length; i++) {
    const p = col.pages[i]!;
    const bufs = buffers.slice(at, at + p.bufferOffsets.length);
    at += p.bufferOffsets.length;
    pages.push(decodePage(p.layout, bufs, p.length, `${where}, page ${i}`));
  }
  if (pages.length === 0) {
    return { layers: [{ length: 0, validity: null, offsets: null }], values: { kind: 'fixed', bitsPerValue: 0, numValues: 0, bytes: new Uint8Array(0), itemValidity: null }, dictionary: null };
  }
  return shred(concatPages(expandPageDictionaries(pages, where), where), where);
}

/**
 * Builds the ArrayData of a field from its shredded leaf columns (in schema order).
 * @param depth - nesting depth of `type` (0 for a top-level field).
 */
export function buildField21(type: DataType, depth: number, cols: Shredded[], where: string): ArrayData {
  const first = cols[0];
  if (first === undefined) throw new CorruptDataError(`${where}: no column for ${type.toString()}`);
  const info = first.layers[depth];
  if (info === undefined) throw new CorruptDataError(`${where}: column has ${first.layers.length} layers, ${type.toString()} needs at least ${depth + 1}`);
  if (isLeafType(type)) {
    if (first.layers.length !== depth + 1) throw new CorruptDataError(`${where}: leaf ${type.toString()} at depth ${depth} but its column has ${first.layers.length} layers`);
    return fromStorage(leafData(storageType(type), info, first, where), type);
  }
  if (type.typeId === TypeId.Struct) {
    const children: ArrayData[] = [];
    let at = 0;
    for (const c of type.children) {
      const k = columnCount21(c.type);
      const child = buildField21(c.type, depth + 1, cols.slice(at, at + k), `${where}.${c.name}`);
      if (child.length !== info.length) throw new CorruptDataError(`${where}.${c.name}: ${child.length} rows, the struct has ${info.length}`);
      children.push(child);
      at += k;
    }
    return makeData({ type, length: info.length, validity: info.validity, children });
  }
  if (type.typeId === TypeId.List) {
    if (info.offsets === null) throw new CorruptDataError(`${where}: list field whose layer ${depth} is not a list layer`);
    const child = buildField21(type.child.type, depth + 1, cols, `${where}.${type.child.name}`);
    if (child.length !== info.offsets[info.length]) throw new CorruptDataError(`${where}: offsets end at ${info.offsets[info.length]}, items ${child.length}`);
    return makeData({ type, length: info.length, validity: info.validity, valueOffsets: info.offsets, children: [child] });
  }
  throw new NotSupportedError(`${where}: Lance 2.1 ${type.toString()} is not supported by this reader`);
}

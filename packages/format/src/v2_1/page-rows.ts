/**
 * Joining and cutting decoded Lance 2.1/2.2 pages ({@link PageLevels}): the pages or mini-block chunks of one
 * column joined into one, and the rows a read asked for cut out of the chunks or pages that hold them.
 * Works on decoded levels and values only; the page layouts (`mini-block.ts`, `full-zip.ts`, `constant.ts`)
 * call it, never the other way round.
 */
import { checkDecodeLimits, CorruptDataError, NotSupportedError } from '@vego/encoding';
import { LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from '@vego/encoding';
import type { DecodedBlock as Block } from '@vego/encoding';
import { copyBits, orBitsInto } from '../internal/bits';
import type { PageLevels } from './levels';
import { concatLevels, listCodes } from './levels';
import { renumberDefinitions, unionLayers } from './layer-union';

/** Joins blocks of one kind (copy). */
export function concatBlocks(blocks: Block[], where: string): Block {
  if (blocks.length === 1) return blocks[0]!;
  if (blocks.length === 0) return { kind: 'fixed', bitsPerValue: 8, numValues: 0, bytes: new Uint8Array(0), itemValidity: null };
  const k = blocks[0]!;
  let n = 0;
  let bytes = 0;
  for (const b of blocks) {
    if (b.kind !== k.kind || (b.kind === 'fixed' && k.kind === 'fixed' && b.bitsPerValue !== k.bitsPerValue)) {
      throw new CorruptDataError(`${where}: pages or chunks of one column decode to different value kinds`);
    }
    n += b.numValues;
    bytes += b.kind === 'fixed' ? b.bytes.length : b.offsets[b.numValues]!;
  }
  // Values narrower than a byte (bools): each block's bits follow the last value of the one before, not its
  // last byte (a chunk of a list column holds any number of values; joined by bytes, every value after a
  // chunk of 8k + r values was shifted by 8 − r bits).
  if (k.kind === 'fixed' && k.bitsPerValue < 8) return concatBitBlocks(blocks as Array<Extract<Block, { kind: 'fixed' }>>, n, where);
  if (bytes > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: column decodes to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
  const out = new Uint8Array(bytes);
  if (k.kind === 'fixed') {
    const fixed = blocks as Array<Extract<Block, { kind: 'fixed' }>>;
    let at = 0;
    for (const b of fixed) {
      out.set(b.bytes, at);
      at += b.bytes.length;
    }
    return fixedBlock(k.bitsPerValue, n, out, joinItemValidity(fixed, n));
  }
  const offsets = new Int32Array(n + 1);
  let at = 0;
  let i = 0;
  for (const b of blocks as Array<Extract<Block, { kind: 'variable' }>>) {
    for (let j = 0; j < b.numValues; j++) offsets[i + j + 1] = at + b.offsets[j + 1]!;
    out.set(b.bytes.subarray(0, b.offsets[b.numValues]!), at);
    at += b.offsets[b.numValues]!;
    i += b.numValues;
  }
  return { kind: 'variable', numValues: n, offsets, bytes: out };
}

/** {@link concatBlocks} of blocks of values narrower than a byte: bit after bit. */
function concatBitBlocks(blocks: Array<Extract<Block, { kind: 'fixed' }>>, n: number, where: string): Block {
  const bits = blocks[0]!.bitsPerValue;
  for (const b of blocks) {
    if (b.bytes.length * 8 < b.numValues * bits) throw new CorruptDataError(`${where}: a chunk of ${b.numValues} values of ${bits} bits holds ${b.bytes.length} bytes`);
  }
  const out = new Uint8Array(Math.ceil((n * bits) / 8));
  let at = 0;
  for (const b of blocks) {
    orBitsInto(out, at, b.bytes, 0, b.numValues * bits);
    at += b.numValues * bits;
  }
  return fixedBlock(bits, n, out, joinItemValidity(blocks, n));
}

/**
 * The item validity of fixed-width `blocks` of `n` values in all, joined bit after bit (a block without
 * one: all its items valid), with the items per value; null when no block has item validity.
 */
function joinItemValidity(blocks: Array<Extract<Block, { kind: 'fixed' }>>, n: number): { validity: Uint8Array; itemsPerValue: number } | null {
  const withValidity = blocks.find((b) => b.itemValidity !== null) as { itemsPerValue?: number } | undefined;
  if (withValidity === undefined) return null;
  const d = withValidity.itemsPerValue ?? 1;
  const validity = new Uint8Array(Math.ceil((n * d) / 8));
  let item = 0;
  for (const b of blocks) {
    const m = b.numValues * d;
    if (b.itemValidity === null) for (let i = 0; i < m; i++) validity[(item + i) >>> 3]! |= 1 << ((item + i) & 7);
    else orBitsInto(validity, item, b.itemValidity, 0, m);
    item += m;
  }
  return { validity, itemsPerValue: d };
}

/** A fixed-width block of `n` values of `bits` bits, with `items` validity when there is some. */
function fixedBlock(bits: number, n: number, bytes: Uint8Array, items: { validity: Uint8Array; itemsPerValue: number } | null): Block {
  if (items === null) return { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes, itemValidity: null };
  return { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes, itemValidity: items.validity, itemsPerValue: items.itemsPerValue };
}

/**
 * Cuts rows `[begin, end)` out of decoded levels of a page without repetition levels (one level and one
 * value per row). Views where the bytes allow, copies for bit-packed values and variable-width offsets.
 * @throws CorruptDataError when the levels and values disagree with the row count.
 */
export function sliceRows(p: PageLevels, begin: number, end: number, where: string): PageLevels {
  if (begin === 0 && end === p.numRows) return p;
  if (p.rep !== null) throw new CorruptDataError(`${where}: cannot cut rows out of a page with repetition levels`);
  if (end > p.numRows || begin > end || p.values.numValues !== p.numRows || (p.def !== null && p.numLevels !== p.numRows)) {
    throw new CorruptDataError(`${where}: page of ${p.numRows} rows holds ${p.values.numValues} values and ${p.numLevels} levels, rows ${begin}..${end} wanted`);
  }
  const def = p.def === null ? null : p.def.subarray(begin, end);
  return { numRows: end - begin, numLevels: def === null ? 0 : end - begin, rep: null, def, layers: p.layers, values: sliceBlock(p.values, begin, end, where), dictionary: p.dictionary };
}

/** Cuts values `[begin, end)` out of a block: views where the bytes allow, copies for bits and offsets. */
function sliceBlock(v: Block, begin: number, end: number, where: string): Block {
  const n = end - begin;
  let values: Block;
  if (v.kind === 'variable') {
    const offsets = new Int32Array(n + 1);
    const src = v.offsets;
    const base = src[begin]!;
    for (let i = 1; i <= n; i++) offsets[i] = src[begin + i]! - base;
    values = { kind: 'variable', numValues: n, offsets, bytes: v.bytes.subarray(base, src[end]!) };
  } else {
    const bits = v.bitsPerValue;
    let bytes: Uint8Array;
    if (bits === 0) bytes = v.bytes;
    else if (bits === 1) bytes = copyBits(v.bytes, begin, n);
    else if (bits % 8 === 0) bytes = v.bytes.subarray((begin * bits) >>> 3, (end * bits) >>> 3);
    else throw new CorruptDataError(`${where}: ${bits}-bit values cannot be cut by row`);
    if (v.itemValidity !== null) {
      const d = v.itemsPerValue ?? 1;
      values = { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes, itemValidity: copyBits(v.itemValidity, begin * d, n * d), itemsPerValue: d };
    } else values = { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes, itemValidity: null };
  }
  return values;
}

/**
 * Cuts `count` rows out of decoded mini-block chunks of a page with repetition levels, skipping first the
 * levels that continue a row begun in an earlier chunk (the "preamble": levels before the first row start),
 * then `skip` whole rows. A level carries a value unless it is a null or empty list (definition code at or
 * above the innermost list layer's first code). Levels are views; values as {@link sliceBlock}.
 * @throws CorruptDataError when the levels hold fewer rows than asked for or disagree with the values.
 */
export function sliceListRows(p: PageLevels, skip: number, count: number, where: string): PageLevels {
  const rep = p.rep;
  if (rep === null) throw new CorruptDataError(`${where}: list page without repetition levels`);
  const layers = p.layers;
  const { lists, firstListCode: valueLimit } = listCodes(layers);
  if (lists === 0) throw new CorruptDataError(`${where}: repetition levels without list layers`);
  const M = p.numLevels;
  const def = p.def;
  // Find the level where row `skip` starts (l0) and where row `skip + count` starts (l1, or the end).
  let rows = -1;
  let l0 = -1;
  let l1 = M;
  for (let i = 0; i < M; i++) {
    if (rep[i] !== lists) continue;
    rows++;
    if (rows === skip) l0 = i;
    if (rows === skip + count) {
      l1 = i;
      break;
    }
  }
  if (count === 0) {
    if (l0 < 0) l0 = l1 = M;
    else l1 = l0;
  }
  if (l0 < 0 || (l1 === M && rows + 1 < skip + count)) throw new CorruptDataError(`${where}: chunks hold ${rows + 1} row starts, rows ${skip}..${skip + count} wanted`);
  let v0 = 0;
  let v1 = 0;
  if (def === null) {
    v0 = l0;
    v1 = l1;
  } else {
    for (let i = 0; i < l1; i++) {
      if (def[i]! < valueLimit) {
        if (i < l0) v0++;
        v1++;
      }
    }
  }
  if (v1 > p.values.numValues) throw new CorruptDataError(`${where}: levels need ${v1} values, the chunks hold ${p.values.numValues}`);
  return {
    numRows: count,
    numLevels: l1 - l0,
    rep: rep.subarray(l0, l1),
    def: def === null ? null : def.subarray(l0, l1),
    layers,
    values: sliceBlock(p.values, v0, v1, where),
    dictionary: p.dictionary,
  };
}

/** Joins the decoded pages of one column (copy). */
export function concatPages(pages: PageLevels[], where: string): PageLevels {
  if (pages.length === 1) return pages[0]!;
  let rows = 0;
  const counts: number[] = [];
  for (const p of pages) {
    rows += p.numRows;
    counts.push(p.rep !== null || p.def !== null ? p.numLevels : p.numRows);
  }
  const anyLevels = pages.some((p) => p.rep !== null || p.def !== null);
  // Each page numbers its definition levels by its own layers: joined, they take the union (layer-union.ts).
  const layers = unionLayers(pages.map((p) => p.layers), where);
  for (const p of pages) {
    if (p.dictionary !== null) throw new NotSupportedError(`${where}: dictionary pages in a multi-page column are not supported by this reader`);
  }
  let numLevels = 0;
  for (const c of counts) numLevels += c;
  const fillLevels = (pick: (p: PageLevels) => Uint16Array | null): Uint16Array | null => {
    if (!anyLevels || pages.every((p) => pick(p) === null)) return null;
    return concatLevels(pages.map((p) => pick(p) ?? new Uint16Array(0)), counts);
  };
  // Pages without levels have one value per row and levels of 0, which concatLevels leaves as zeros;
  // a page without a repetition buffer in a list column would be wrong, so require agreement.
  if (pages.some((p) => (p.rep === null) !== (pages[0]!.rep === null))) throw new NotSupportedError(`${where}: list pages with and without repetition levels are not supported by this reader`);
  const blocks = pages.map((p) => p.values);
  const nonEmpty = blocks.filter((b) => b.numValues > 0 && !(b.kind === 'fixed' && b.bitsPerValue === 0));
  // All pages all-null: keep one 0-bit block (the leaf becomes all nulls, or, when the pages say which
  // items are null, valid values of null items); otherwise widen the all-null pages.
  let values: Block;
  if (nonEmpty.length > 0) values = concatBlocks(expandNullBlocks(blocks, nonEmpty[0]!), where);
  else if (blocks.some((b) => b.kind === 'fixed' && b.itemValidity !== null)) values = concatBlocks(blocks.map((b) => withItemValidity(b, blocks)), where);
  // As many values as the pages hold: one per row without lists, none where every list is null or empty.
  else values = { kind: 'fixed', bitsPerValue: 0, numValues: blocks.reduce((sum, b) => sum + b.numValues, 0), bytes: new Uint8Array(0), itemValidity: null };
  const def = fillLevels((p) => (p.def === null ? null : renumberDefinitions(p.def, p.layers, layers)));
  return { numRows: rows, numLevels: anyLevels ? numLevels : 0, rep: fillLevels((p) => p.rep), def, layers, values, dictionary: null };
}

/**
 * A 0-bit block as one of 0-bit blocks some of which carry item validity (pages of values whose items
 * are all null): one without gets all-zero item validity when its values are null as a whole.
 */
function withItemValidity(b: Block, blocks: Block[]): Block {
  if (b.kind !== 'fixed' || b.itemValidity !== null) return b;
  const d = (blocks.find((x) => x.kind === 'fixed' && x.itemValidity !== null) as { itemsPerValue?: number }).itemsPerValue ?? 1;
  return { ...b, itemValidity: new Uint8Array(Math.ceil((b.numValues * d) / 8)), itemsPerValue: d };
}

/**
 * Replaces 0-bit blocks by zero-filled blocks of the shape of `like`: all-null pages, and pages of
 * values whose items are all null (their item validity kept).
 */
function expandNullBlocks(blocks: Block[], like: Block): Block[] {
  return blocks.map((b) => {
    if (!(b.kind === 'fixed' && b.bitsPerValue === 0)) return b;
    if (b.itemValidity !== null && like.kind === 'fixed') {
      checkDecodeLimits(`page of ${b.numValues} values of ${like.bitsPerValue} bits with null items`, b.numValues, like.bitsPerValue / 8);
      return { ...b, bitsPerValue: like.bitsPerValue, bytes: new Uint8Array(Math.ceil((b.numValues * like.bitsPerValue) / 8)) };
    }
    if (like.kind === 'variable') return { kind: 'variable', numValues: b.numValues, offsets: new Int32Array(b.numValues + 1), bytes: new Uint8Array(0) };
    // An all-null page claims rows without bytes; widened to a wide type (e.g. 4096-float vectors) it must stay bounded.
    checkDecodeLimits(`all-null page of ${b.numValues} values of ${like.bitsPerValue} bits`, b.numValues, like.bitsPerValue / 8);
    return { kind: 'fixed', bitsPerValue: like.bitsPerValue, numValues: b.numValues, bytes: new Uint8Array(Math.ceil((b.numValues * like.bitsPerValue) / 8)), itemValidity: null };
  }) as Block[];
}

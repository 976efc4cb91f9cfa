/**
 * Reading page dictionaries in columns of several 2.1/2.2 pages: each page's indices are gathered from that
 * page's own dictionary before the pages are joined, and an index beyond its own page's dictionary is
 * refused even when another page's dictionary is larger.
 */
import * as F from '@vego/format';
import { expandPageDictionaries } from '../src/v2_1/assemble';
import { RepDefLayer } from '../src/v2_1/layout';

// The page and block shapes, taken from the function itself (their home files are being reorganised).
type PageLevels = Parameters<typeof expandPageDictionaries>[0][number];
type Block = PageLevels['values'];

function strings(values: string[]): Block {
  const parts = values.map((v) => new TextEncoder().encode(v));
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
  const bytes = new Uint8Array(offsets[values.length]!);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return { kind: 'variable', numValues: values.length, offsets, bytes };
}

function page(dict: string[] | null, indices: number[]): PageLevels {
  const values: Block = { kind: 'fixed', bitsPerValue: 32, numValues: indices.length, bytes: new Uint8Array(Uint32Array.from(indices).buffer), itemValidity: null };
  return { numRows: indices.length, numLevels: 0, rep: null, def: null, layers: [RepDefLayer.AllValidItem], values, dictionary: dict === null ? null : strings(dict) };
}

function texts(b: Block): string[] {
  if (b.kind !== 'variable') throw new Error('expected strings');
  return Array.from({ length: b.numValues }, (_, i) => new TextDecoder().decode(b.bytes.subarray(b.offsets[i]!, b.offsets[i + 1]!)));
}

describe('expandPageDictionaries', () => {
  it('gathers each page from its own dictionary', () => {
    const out = expandPageDictionaries([page(['a', 'b'], [0, 1, 1]), page(['x', 'y', 'z'], [2, 0])], 'column 0');
    expect(out.map((p) => p.dictionary)).toEqual([null, null]);
    expect(out.map((p) => texts(p.values))).toEqual([['a', 'b', 'b'], ['z', 'x']]);
  });

  it('keeps a single page as it is (the leaf gathers it)', () => {
    const one = [page(['a'], [0, 0])];
    expect(expandPageDictionaries(one, 'column 0')).toBe(one);
  });

  it('refuses an index beyond its own page dictionary (typed), even when another page has more items', () => {
    expect(() => expandPageDictionaries([page(['x', 'y', 'z'], [2]), page(['a', 'b'], [2])], 'column 0')).toThrow(F.CorruptDataError);
  });
});

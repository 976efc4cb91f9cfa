/**
 * Hostile full-zip pages (Lance 2.1/2.2) of variable-width values and with repetition levels: every control
 * word, length and count is checked against the page's bytes before use, so damaged pages give
 * CorruptDataError (saying what was expected and what was found) and nothing is allocated by an unchecked
 * field; value compressions not read here give NotSupportedError. Values compressed one by one (zstd, LZ4) must
 * each decompress to exactly the size they claim, every claim bounded before anything is allocated. Real LanceDB pages of these layouts:
 * packages/io/test/lancedb-long-strings.test.ts; bit flips in them: hostile-v2-1.test.ts.
 */
import * as F from '@vego/format';
import { zstdCompress } from '@vego/encoding';
import { decodePage } from '../src/v2_1/page';
import { shred } from '../src/v2_1/assemble';
import { RepDefLayer } from '../src/v2_1/layout';
import type { Compressive, PageLayout } from '../src/v2_1/layout';

type Zip = Extract<PageLayout, { kind: 'fullZip' }>;
const RAW: Compressive = { kind: 'variable', offsets: { kind: 'flat', bitsPerValue: 32, compression: 'none' }, compression: 'none' };

function layout(over: Partial<Zip>): Zip {
  return { kind: 'fullZip', bitsRep: 0, bitsDef: 1, bitsPerValue: 0, bitsPerOffset: 32, numItems: 3, numVisibleItems: 3, values: RAW, layers: [RepDefLayer.NullableItem], ...over };
}

const u32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const bytes = (s: string): number[] => Array.from(Buffer.from(s));
/** ['hello', null, '']: control word, length, bytes per valid item; a null item is its control word alone. */
const GOOD = Uint8Array.from([0, ...u32(5), ...bytes('hello'), 1, 0, ...u32(0)]);

function strings(p: ReturnType<typeof decodePage>): (string | null)[] {
  const v = p.values;
  if (v.kind !== 'variable') throw new Error('fixed');
  return Array.from({ length: v.numValues }, (_, i) => (p.def !== null && p.def[i] !== 0 ? null : Buffer.from(v.bytes.subarray(v.offsets[i]!, v.offsets[i + 1]!)).toString()));
}

describe('variable-width full-zip pages on hostile input', () => {
  it('decodes a well-formed page (the base of the cases below)', () => {
    expect(strings(decodePage(layout({}), [GOOD], 3, 'p'))).toEqual(['hello', null, '']);
  });

  it('refuses a length beyond the bytes left, saying both', () => {
    const bad = GOOD.slice();
    bad.set(u32(0x7fffffff), 1);
    expect(() => decodePage(layout({}), [bad], 3, 'p')).toThrow(/item 0 claims 2147483647 bytes at byte 5, 11 are left/);
    const wide = Uint8Array.from([0, 5, 0, 0, 0, 0, 0, 0, 1, ...bytes('hello')]);
    expect(() => decodePage(layout({ bitsPerOffset: 64, numItems: 1, numVisibleItems: 1 }), [wide], 1, 'p')).toThrow(F.CorruptDataError);
  });

  it('refuses truncated control words, lengths and values, and trailing bytes', () => {
    for (let cut = 0; cut < GOOD.length; cut++) expect(() => decodePage(layout({}), [GOOD.subarray(0, cut)], 3, 'p')).toThrow(F.CorruptDataError);
    expect(() => decodePage(layout({}), [Uint8Array.from([...GOOD, 0])], 3, 'p')).toThrow(/items end at byte 16, the data holds 17/);
  });

  it('refuses item counts the bytes cannot hold before allocating for them', () => {
    const n = 2 ** 31;
    expect(() => decodePage(layout({ numItems: n, numVisibleItems: n }), [GOOD], n, 'p')).toThrow(/claims 2147483648 items in 16 bytes/);
    // Without levels: each item still has at least its length.
    const plain = layout({ bitsDef: 0, layers: [RepDefLayer.AllValidItem], numItems: n });
    expect(() => decodePage(plain, [GOOD], n, 'p')).toThrow(F.CorruptDataError);
    expect(() => decodePage(layout({ numItems: 4 }), [GOOD], 3, 'p')).toThrow(/4 items for 3 rows/);
  });

  it('refuses length and level widths that do not exist', () => {
    expect(() => decodePage(layout({ bitsPerOffset: 24 }), [GOOD], 3, 'p')).toThrow(/lengths of 24 bits/);
    expect(() => decodePage(layout({ bitsDef: 17 }), [GOOD], 3, 'p')).toThrow(F.CorruptDataError);
    // A definition level the layers do not allow (code 1 is the only null code of one nullable layer).
    const twoBits = layout({ bitsDef: 2 });
    const bad = GOOD.slice();
    bad[10] = 3;
    expect(() => shred(decodePage(twoBits, [bad], 3, 'p'), 'p')).toThrow(/definition level 3/);
  });

  it('refuses FSST codes beyond the symbol table and names value compressions it does not read', () => {
    const table = new Uint8Array(8 + 8 + 1);
    // Header: "FSST" magic in the high half, decoder switch on, one symbol ("a").
    new DataView(table.buffer).setBigUint64(0, (0x46535354n << 32n) | (1n << 24n) | 1n, true);
    table[8] = 0x61;
    table[16] = 1;
    const fsst: Compressive = { kind: 'fsst', symbolTable: table, values: RAW };
    const ok = Uint8Array.from([0, ...u32(3), 0, 255, 0x62, 0, ...u32(0)]);
    expect(strings(decodePage(layout({ values: fsst, numItems: 2 }), [ok], 2, 'p'))).toEqual(['ab', '']);
    const junk = Uint8Array.from([0, ...u32(1), 9]);
    expect(() => decodePage(layout({ values: fsst, numItems: 1 }), [junk], 1, 'p')).toThrow(/FSST code 9/);
    // General compression around FSST codes is not something LanceDB writes per value.
    const zstdFsst: Compressive = { kind: 'general', compression: 'zstd', values: fsst };
    expect(() => decodePage(layout({ values: zstdFsst }), [GOOD], 3, 'p')).toThrow(F.NotSupportedError);
  });
});

describe('full-zip values compressed one by one (general zstd / LZ4) on hostile input', () => {
  const ZSTD: Compressive = { kind: 'general', compression: 'zstd', values: RAW };
  const LZ4: Compressive = { kind: 'general', compression: 'lz4', values: RAW };
  const u64 = (n: number): number[] => [...u32(n % 2 ** 32), ...u32(Math.floor(n / 2 ** 32))];
  /** One value as LanceDB writes it: u64 uncompressed length, then a zstd frame. */
  const zValue = (s: string): number[] => [...u64(Buffer.byteLength(s)), ...zstdCompress(Buffer.from(s), 3)];
  /** A page of nullable values: control word, compressed length, compressed bytes (a null: its control word). */
  const page = (values: (number[] | null)[]): Uint8Array => Uint8Array.from(values.flatMap((v) => (v === null ? [1] : [0, ...u32(v.length), ...v])));
  const LONG = 'long value '.repeat(5000);
  const restore = F.getDefaultDecodeLimits();

  beforeAll(() => F.initZstd());
  afterEach(() => F.setDefaultDecodeLimits(restore));

  it('decodes zstd values (length-prefixed or bare frames, as older writers stored them), nulls, empty values and LZ4 blocks', () => {
    const zipped = page([zValue('hello'), null, zValue(''), zValue(LONG), Array.from(zstdCompress(Buffer.from('bare'), 3)), []]);
    expect(strings(decodePage(layout({ values: ZSTD, numItems: 6 }), [zipped], 6, 'p'))).toEqual(['hello', null, '', LONG, 'bare', '']);
    // LZ4: u32 uncompressed length, then a raw block (here five literals: token 0x50).
    const lz4 = page([[...u32(5), 0x50, ...bytes('hello')], null]);
    expect(strings(decodePage(layout({ values: LZ4, numItems: 2 }), [lz4], 2, 'p'))).toEqual(['hello', null]);
    expect(() => decodePage(layout({ values: LZ4, numItems: 1 }), [page([[5, 0]])], 1, 'p')).toThrow(/no 4-byte length prefix/);
  });

  it('refuses every truncation and a wrong size claim of a compressed value', () => {
    const v = zValue(LONG);
    for (let cut = 1; cut < v.length; cut++) {
      expect(() => decodePage(layout({ values: ZSTD, numItems: 1 }), [page([v.slice(0, cut)])], 1, 'p')).toThrow(F.CorruptDataError);
    }
    const claim = v.slice();
    claim[0] = claim[0]! + 1;
    expect(() => decodePage(layout({ values: ZSTD, numItems: 1 }), [page([claim])], 1, 'p')).toThrow(F.CorruptDataError);
    const magic = v.slice();
    magic[9] = 0;
    expect(() => decodePage(layout({ values: ZSTD, numItems: 1 }), [page([magic])], 1, 'p')).toThrow(/magic/);
    const lz4 = [...u32(6), 0x50, ...bytes('hello')];
    expect(() => decodePage(layout({ values: LZ4, numItems: 1 }), [page([lz4])], 1, 'p')).toThrow(F.CorruptDataError);
  });

  it('refuses huge claimed sizes before allocating for them', () => {
    const tiny = Array.from(zstdCompress(Buffer.from('x'), 3));
    const one = (value: number[], values = ZSTD): (() => unknown) => () => decodePage(layout({ values, numItems: 1 }), [page([value])], 1, 'p');
    expect(one([...u64(2 ** 40), ...tiny])).toThrow(/claims 256 × 2\^32 \+ 0 uncompressed bytes/);
    expect(one([...u64(2 ** 31), ...tiny])).toThrow(/claims 2147483648 uncompressed bytes, at most 134217728/);
    expect(one([...u32(2 ** 27), 0x50, ...bytes('hello')], LZ4)).toThrow(/claims 134217728 uncompressed bytes/);
    // Three values of 100 MiB each: every claim within the per-buffer bound, their sum over the decode limit.
    const big = [...u64(100 * 2 ** 20), ...tiny];
    expect(() => decodePage(layout({ values: ZSTD, numItems: 3 }), [page([big, big, big])], 3, 'p')).toThrow(/zstd values: claims 314572800 values/);
    F.setDefaultDecodeLimits({ maxOutputBytes: 4 });
    expect(() => decodePage(layout({ values: ZSTD, numItems: 1 }), [page([zValue('hello')])], 1, 'p')).toThrow(F.CorruptDataError);
  });
});

describe('full-zip pages with repetition levels on hostile input', () => {
  // List<Utf8> [['ab', null], null, []]: layers [NullableItem, NullAndEmptyList] (codes 1 null item, 2 null list,
  // 3 empty list); control word = rep << 2 | def (1 + 2 bits).
  const LIST = layout({ bitsRep: 1, bitsDef: 2, numItems: 4, numVisibleItems: 2, layers: [RepDefLayer.NullableItem, RepDefLayer.NullAndEmptyList] });
  const PAGE = Uint8Array.from([0b100, ...u32(2), ...bytes('ab'), 0b001, 0b110, 0b111]);

  it('decodes a well-formed page into the lists', () => {
    const p = decodePage(LIST, [PAGE], 3, 'p');
    expect(Array.from(p.rep!)).toEqual([1, 0, 1, 1]);
    expect(Array.from(p.def!)).toEqual([0, 1, 2, 3]);
    expect(p.values.numValues).toBe(2);
    const s = shred(p, 'p');
    expect(Array.from(s.layers[0]!.offsets!)).toEqual([0, 2, 2, 2]);
  });

  it('refuses a page that does not start a row, rows it does not hold, and invisible items with bytes', () => {
    const noStart = PAGE.slice();
    noStart[0] = 0;
    expect(() => decodePage(LIST, [noStart], 3, 'p')).toThrow(/starts with repetition level 0, expected 1/);
    expect(() => shred(decodePage(LIST, [PAGE], 2, 'p'), 'p')).toThrow(/3 rows, the page has 2/);
    expect(() => decodePage(LIST, [Uint8Array.from([...PAGE, 0])], 3, 'p')).toThrow(/items end at byte 10, the data holds 11/);
    expect(() => decodePage({ ...LIST, numItems: 2 }, [PAGE], 3, 'p')).toThrow(/2 items for 3 rows/);
    expect(() => decodePage({ ...LIST, bitsRep: 0, bitsDef: 3 }, [PAGE], 4, 'p')).toThrow(/no repetition levels/);
  });

  it('walks fixed-width items: invisible levels have no bytes, null items keep theirs', () => {
    // List<Int32> [[7, null], null]: 4-byte values after each visible control word.
    const fixed = layout({ bitsRep: 1, bitsDef: 2, bitsPerValue: 32, bitsPerOffset: 0, numItems: 3, values: { kind: 'flat', bitsPerValue: 32, compression: 'none' }, layers: [RepDefLayer.NullableItem, RepDefLayer.NullAndEmptyList] });
    const p = decodePage(fixed, [Uint8Array.from([0b100, 7, 0, 0, 0, 0b001, 0, 0, 0, 0, 0b110])], 2, 'p');
    expect(p.values.numValues).toBe(2);
    expect(Array.from(p.values.kind === 'fixed' ? p.values.bytes : [])).toEqual([7, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => decodePage(fixed, [Uint8Array.from([0b100, 7, 0, 0, 0, 0b001, 0, 0])], 2, 'p')).toThrow(/value 1 ends at byte 10, the data holds 8/);
  });
});

/**
 * Page decoders bound their output by what their buffers hold and by the output limits (issue 12 item 3):
 * hostile page headers that claim rows without bytes (bit width 0, constants, all-null pages, dictionary
 * expansion, compressed lengths) are refused with CorruptDataError before anything is allocated.
 */
import * as F from '@vego/format';
import { zstdCompress } from '@vego/encoding';
import type { ArrayEncoding, BufferRef } from '../src/array-encoding';
import { decodeArray, decodeListPage, decodeUnsigned } from '../src/page-decoder';
import type { PageContext } from '../src/page-decoder';
import { decodePage } from '../src/v2_1/page';
import { concatPages } from '../src/v2_1/page-rows';
import type { PageLevels } from '../src/v2_1/levels';
import { decompressBlock } from '@vego/encoding';
import { RepDefLayer } from '../src/v2_1/layout';
import type { PageLayout } from '../src/v2_1/layout';
import { leafData } from '../src/v2_1/assemble';

const ref: BufferRef = { location: 'page', index: 0 } as BufferRef;

function ctx(buffer: Uint8Array, limits?: F.DecodeLimits): PageContext {
  const c: PageContext = { buffer: () => buffer, codecs: new Map([['zstd', F.ZSTD_BUFFER_CODEC]]), where: 'test page' };
  if (limits !== undefined) c.limits = limits;
  return c;
}

const BIG = 2 ** 31 - 1;

describe('Lance 2.0 page decoder limits', () => {
  it('refuses bit width 0 with 2^31 rows (no bytes back them)', () => {
    const e: ArrayEncoding = { kind: 'bitpacked', compressedBitsPerValue: 0, uncompressedBitsPerValue: 32, buffer: ref, signed: false };
    expect(() => decodeArray(e, new F.Int32(), BIG, ctx(new Uint8Array(0)))).toThrow(F.CorruptDataError);
    expect(() => decodeUnsigned(e, BIG, ctx(new Uint8Array(0)))).toThrow(F.CorruptDataError);
  });

  it('decodes bit width 0 within the caller limits and refuses beyond them', () => {
    const e: ArrayEncoding = { kind: 'bitpacked', compressedBitsPerValue: 0, uncompressedBitsPerValue: 32, buffer: ref, signed: false };
    expect(decodeArray(e, new F.Int32(), 100, ctx(new Uint8Array(0), { maxValues: 100 })).length).toBe(100);
    expect(() => decodeArray(e, new F.Int32(), 101, ctx(new Uint8Array(0), { maxValues: 100 }))).toThrow(/test page/);
  });

  it('refuses constant pages whose expansion exceeds the limit', () => {
    // 2^25 rows (the row cap) of a 1 MiB string would be 32 TiB.
    const big: ArrayEncoding = { kind: 'constant', value: new Uint8Array(1 << 20) };
    expect(() => decodeArray(big, new F.Utf8(), 1 << 20, ctx(new Uint8Array(0)))).toThrow(F.CorruptDataError);
    const eight: ArrayEncoding = { kind: 'constant', value: new Uint8Array(8) };
    expect(() => decodeArray(eight, new F.Float64(), 1000, ctx(new Uint8Array(0), { maxOutputBytes: 7999 }))).toThrow(F.CorruptDataError);
    expect(decodeArray(eight, new F.Float64(), 1000, ctx(new Uint8Array(0), { maxOutputBytes: 9000 })).length).toBe(1000);
  });

  it('refuses all-null pages of wide types over the limit', () => {
    const allNull: ArrayEncoding = { kind: 'nullable', nulls: 'all' };
    const wide = new F.FixedSizeList(new F.Field('item', new F.Float32()), 4);
    expect(() => decodeArray(allNull, wide, 1 << 20, ctx(new Uint8Array(0), { maxOutputBytes: 1 << 20 }))).toThrow(F.CorruptDataError);
    expect(() => decodeListPage(allNull, 1 << 24, ctx(new Uint8Array(0), { maxOutputBytes: 1 << 20 }))).toThrow(F.CorruptDataError);
  });

  it('refuses a dictionary page whose expansion exceeds the limit', () => {
    // One item of 4 KiB, 1000 rows pointing at it (u8 indices, 1-based) → 4 MB of output.
    const item = new Uint8Array(4096);
    const indices = new Uint8Array(1000).fill(1);
    const bufs: Record<number, Uint8Array> = { 0: indices, 1: new Uint8Array([...new Uint8Array(new BigUint64Array([4096n]).buffer)]), 2: item };
    const c: PageContext = { buffer: (r) => bufs[r.index]!, codecs: new Map(), where: 'dict page', limits: { maxOutputBytes: 1 << 20 } };
    const e: ArrayEncoding = {
      kind: 'dictionary',
      numDictionaryItems: 1,
      indices: { kind: 'flat', bitsPerValue: 8, buffer: { location: 'page', index: 0 } as BufferRef },
      items: {
        kind: 'binary',
        nullAdjustment: 0,
        indices: { kind: 'flat', bitsPerValue: 64, buffer: { location: 'page', index: 1 } as BufferRef },
        bytes: { kind: 'flat', bitsPerValue: 8, buffer: { location: 'page', index: 2 } as BufferRef },
      },
    };
    expect(() => decodeArray(e, new F.Utf8(), 1000, c)).toThrow(/dictionary page expanding/);
    expect(decodeArray(e, new F.Utf8(), 100, c).length).toBe(100);
  });

  it('refuses a zstd flat buffer whose declared length exceeds the limit', async () => {
    await F.initZstd();
    const packed = zstdCompress(new Uint8Array(4000));
    const e: ArrayEncoding = { kind: 'flat', bitsPerValue: 32, buffer: ref, compression: { scheme: 'zstd', level: 3 } } as ArrayEncoding;
    expect(() => decodeArray(e, new F.Int32(), 1000, ctx(packed, { maxOutputBytes: 3999 }))).toThrow(F.CorruptDataError);
    expect(decodeArray(e, new F.Int32(), 1000, ctx(packed)).length).toBe(1000);
  });
});

describe('Lance 2.1/2.2 decoder limits', () => {
  const restore = F.getDefaultDecodeLimits();
  afterEach(() => F.setDefaultDecodeLimits(restore));

  it('refuses constant blocks and pages over the limit', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 20 });
    expect(() => decompressBlock({ kind: 'constant', value: new Uint8Array(8) }, new Uint8Array(0), 1 << 18, 'block')).toThrow(F.CorruptDataError);
    const layout: PageLayout = { kind: 'constant', layers: [RepDefLayer.AllValidItem], inlineValue: new Uint8Array(32), rep: null, def: null, numRepValues: 0, numDefValues: 0 };
    expect(() => decodePage(layout, [], 1 << 16, 'constant page')).toThrow(F.CorruptDataError);
    expect(decodePage(layout, [], 1 << 10, 'constant page').numRows).toBe(1 << 10);
  });

  it('refuses widening all-null pages of a wide type over the limit', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 20 });
    const nullPage: PageLevels = { numRows: 1 << 20, numLevels: 0, rep: null, def: null, layers: [RepDefLayer.NullableItem], values: { kind: 'fixed', bitsPerValue: 0, numValues: 1 << 20, bytes: new Uint8Array(0), itemValidity: null }, dictionary: null };
    const dataPage: PageLevels = { numRows: 1, numLevels: 0, rep: null, def: null, layers: [RepDefLayer.NullableItem], values: { kind: 'fixed', bitsPerValue: 4096 * 32, numValues: 1, bytes: new Uint8Array(16384), itemValidity: null }, dictionary: null };
    expect(() => concatPages([dataPage, nullPage], 'column')).toThrow(F.CorruptDataError);
  });

  it('bounds dictionary expansion (a long item repeated by one-byte indices) by the limit', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 20 });
    const n = 4096;
    const indices = { kind: 'fixed', bitsPerValue: 8, numValues: n, bytes: new Uint8Array(n), itemValidity: null } as const;
    const item = 4096;
    const dictionary = { kind: 'variable', numValues: 1, offsets: new Int32Array([0, item]), bytes: new Uint8Array(item) } as const;
    const info = { length: n, validity: null, offsets: null };
    expect(() => leafData(new F.Utf8(), info, { layers: [info], values: indices, dictionary }, 'dict page')).toThrow(/dictionary expansion/);
    const wide = { kind: 'fixed', bitsPerValue: item * 8, numValues: 1, bytes: new Uint8Array(item), itemValidity: null } as const;
    expect(() => leafData(new F.Utf8(), info, { layers: [info], values: indices, dictionary: wide }, 'dict page')).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(leafData(new F.Utf8(), info, { layers: [info], values: indices, dictionary }, 'dict page').length).toBe(n);
  });

  it('refuses full-zip pages whose counts their bytes cannot hold (mini-block chunks: packages/encoding/test/lance-decoders.test.ts)', () => {
    // A full-zip page of 2^31 items (with definition levels) over 64 bytes.
    const zip: PageLayout = { kind: 'fullZip', bitsRep: 0, bitsDef: 1, bitsPerValue: 32, bitsPerOffset: 0, numItems: 2 ** 31, numVisibleItems: 2 ** 31, values: { kind: 'flat', bitsPerValue: 32, compression: 'none' }, layers: [RepDefLayer.NullableItem] };
    expect(() => decodePage(zip, [new Uint8Array(64)], 2 ** 31, 'full-zip page')).toThrow(F.CorruptDataError);
  });
});

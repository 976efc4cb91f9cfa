/**
 * Page decoders bound their output by what their buffers hold and by the output limits (issue 12 item 3):
 * hostile page headers that claim rows without bytes (bit width 0, constants, all-null pages, dictionary
 * expansion, compressed lengths) are refused with CorruptDataError before anything is allocated.
 */
import * as F from '@vego/format';
import type { ArrayEncoding, BufferRef } from '../src/array-encoding';
import { decodeArray, decodeListPage, decodeUnsigned } from '../src/page-decoder';
import type { PageContext } from '../src/page-decoder';
import { decodePage } from '../src/v2_1/page';
import { concatPages } from '../src/v2_1/page-rows';
import type { PageLevels } from '../src/v2_1/levels';
import { decompressBlock, decompressMiniBlock } from '../src/v2_1/blocks';
import { fsstDecompress, parseFsstTable } from '../src/v2_1/fsst';
import { lz4DecompressBlock } from '../src/v2_1/lz4';
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
    const packed = F.zstdCompress(new Uint8Array(4000));
    const e: ArrayEncoding = { kind: 'flat', bitsPerValue: 32, buffer: ref, compression: { scheme: 'zstd', level: 3 } } as ArrayEncoding;
    expect(() => decodeArray(e, new F.Int32(), 1000, ctx(packed, { maxOutputBytes: 3999 }))).toThrow(F.CorruptDataError);
    expect(decodeArray(e, new F.Int32(), 1000, ctx(packed)).length).toBe(1000);
  });
});

describe('Lance 2.1/2.2 decoder limits', () => {
  const restore = F.getDefaultDecodeLimits();
  afterEach(() => F.setDefaultDecodeLimits(restore));

  it('refuses width-0 inline and out-of-line bit-packing claiming more than the limit', () => {
    // Inline: each 1024-value block costs one width byte; a width-0 block holds 1024 zeros.
    const inline = new Uint8Array(4096); // 4096 blocks of width 0 → 4M values = 16 MiB as u32
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 20 });
    expect(() => decompressBlock({ kind: 'inlineBitpacking', uncompressedBitsPerValue: 8, compression: 'none' }, inline, 4096 * 1024, 'levels')).toThrow(F.CorruptDataError);
    const outOfLine = { kind: 'outOfLineBitpacking', uncompressedBitsPerValue: 32, values: { kind: 'flat', bitsPerValue: 0, compression: 'none' } } as const;
    expect(() => decompressBlock(outOfLine, new Uint8Array(0), 1 << 26, 'dictionary')).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(decompressBlock(outOfLine, new Uint8Array(0), 2048, 'dictionary').numValues).toBe(2048);
  });

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

  it('refuses general-compression lengths and LZ4 claims over the bounds', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1 << 16 });
    const claim = new Uint8Array([0, 0, 2, 0, 0x10, 0]); // u32 length 131072, then a tiny LZ4 body
    expect(() => decompressMiniBlock({ kind: 'flat', bitsPerValue: 8, compression: 'lz4' }, [claim], 131072, 'chunk')).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(() => lz4DecompressBlock(new Uint8Array(2), 1 << 30)).toThrow(/claims/);
  });

  it('bounds FSST expansion by the limit', () => {
    F.setDefaultDecodeLimits({ maxOutputBytes: 1000 });
    // One symbol of 8 bytes; 200 codes → 1600 bytes.
    const table = new Uint8Array(8 + 9);
    new DataView(table.buffer).setUint32(4, 0x46535354, true);
    new DataView(table.buffer).setUint32(0, (1 << 24) | 1, true);
    table[16] = 8;
    const codes = new Uint8Array(200);
    expect(() => fsstDecompress(parseFsstTable(table), codes, new Int32Array([0, 200]), 1)).toThrow(F.CorruptDataError);
    F.setDefaultDecodeLimits(restore);
    expect(fsstDecompress(parseFsstTable(table), codes, new Int32Array([0, 200]), 1).bytes.length).toBe(1600);
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

  it('refuses mini-block chunks and full-zip pages whose counts their bytes cannot hold', () => {
    // A mini-block chunk claiming 2^31 values of a flat 32-bit buffer of 16 bytes.
    expect(() => decompressMiniBlock({ kind: 'flat', bitsPerValue: 32, compression: 'none' }, [new Uint8Array(16)], 2 ** 31, 'chunk')).toThrow(F.CorruptDataError);
    // Width-0 inline bit-packing in a chunk: 4 header bytes claim 4 blocks, but the chunk says 2^22 values.
    expect(() => decompressMiniBlock({ kind: 'inlineBitpacking', uncompressedBitsPerValue: 32, compression: 'none' }, [new Uint8Array(16)], 1 << 22, 'chunk')).toThrow(F.CorruptDataError);
    // A full-zip page of 2^31 items (with definition levels) over 64 bytes.
    const zip: PageLayout = { kind: 'fullZip', bitsRep: 0, bitsDef: 1, bitsPerValue: 32, bitsPerOffset: 0, numItems: 2 ** 31, numVisibleItems: 2 ** 31, values: { kind: 'flat', bitsPerValue: 32, compression: 'none' }, layers: [RepDefLayer.NullableItem] };
    expect(() => decodePage(zip, [new Uint8Array(64)], 2 ** 31, 'full-zip page')).toThrow(F.CorruptDataError);
  });
});

/** Hostile Lance 2.1/2.2 input: damaged LanceDB files give typed errors, never a crash, hang or huge allocation. */
import * as path from 'path';
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { decodePageLayout } from '../src/v2_1/layout';
import { decodePage } from '../src/v2_1/page';
import { decompressBlock, decompressMiniBlock } from '@vego/encoding';
import { readAllError, rng, tempDir } from './helpers';
import { createLanceDbTable, listOf, onlyDataFile } from './fixtures/lancedb';

function attempt(bytes: Uint8Array): F.VegoError | null {
  const e = readAllError(bytes);
  if (e !== null) expect(typeof e.code).toBe('string');
  return e;
}

async function lanceFile(dir: string, version: string | null): Promise<Uint8Array> {
  const f32 = new arrow.Field('item', new arrow.Float32(), true);
  const schema = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('s', new arrow.Utf8(), true),
    new arrow.Field('cat', new arrow.Utf8(), true),
    new arrow.Field('v', new arrow.FixedSizeList(64, f32), true),
    new arrow.Field('l', listOf(new arrow.Int64()), true),
    // Full-zip pages: variable-width values (one of 256 bytes or more) and lists of them (repetition levels).
    new arrow.Field('long', new arrow.Utf8(), true),
    new arrow.Field('chunks', listOf(new arrow.Utf8()), true),
  ]);
  const rows = Array.from({ length: 300 }, (_, i) => ({
    id: i,
    s: i % 7 === 0 ? null : `s${i}`,
    cat: ['a', 'b'][i % 2],
    v: i % 9 === 4 ? null : Array.from({ length: 64 }, (_, k) => i + k),
    l: i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => BigInt(i + k)),
    long: i % 6 === 0 ? null : `${i} `.repeat(i % 120),
    chunks: i % 4 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : `c${k} ${i}`.repeat(i % 60))),
  }));
  await createLanceDbTable(dir, schema, rows, version);
  return onlyDataFile(dir);
}

describe('Lance 2.1/2.2 reader on hostile input', () => {
  let tmp: ReturnType<typeof tempDir>;
  const files: Uint8Array[] = [];

  beforeAll(async () => {
    tmp = tempDir('vego-format-h21-');
    files.push(await lanceFile(path.join(tmp.dir, 'a'), '2.1'));
    files.push(await lanceFile(path.join(tmp.dir, 'b'), null));
  });
  afterAll(() => tmp.cleanup());

  it('reads the undamaged files', () => {
    for (const f of files) expect(attempt(f)).toBeNull();
    // The bit flips below also hit full-zip pages of variable-width values, with and without lists.
    for (const f of files) {
      const reader = F.LanceFileReader.openSync(new F.MemorySource(f));
      expect(reader.columnSummarySync(5).encodings).toEqual([expect.stringMatching(/^full_zip\(fsst/)]);
      expect(reader.columnSummarySync(6).encodings).toEqual([expect.stringMatching(/^full_zip\(.*rep 1 bits/)]);
    }
  });

  it('gives typed errors for truncated files', () => {
    for (const f of files) {
      const r = rng(3);
      for (let t = 0; t < 150; t++) {
        const len = Math.floor(r() * f.length);
        expect(attempt(f.subarray(0, len))).not.toBeNull();
      }
    }
  });

  it('gives typed errors or data, never a crash, for 1500 seeded bit flips in the metadata and pages', () => {
    const r = rng(11);
    for (let t = 0; t < 1500; t++) {
      const f = files[t % files.length]!;
      const copy = f.slice();
      // Half the flips land in the metadata tail (column metadata, schema), half anywhere.
      const tail = Math.min(copy.length, 2500);
      const at = t % 2 === 0 ? copy.length - 1 - Math.floor(r() * tail) : Math.floor(r() * copy.length);
      copy[at]! ^= 1 << Math.floor(r() * 8);
      attempt(copy);
    }
  });

  it('decodes random protobuf junk as page layouts into typed errors', () => {
    const r = rng(7);
    for (let t = 0; t < 3000; t++) {
      const junk = Uint8Array.from({ length: Math.floor(r() * 48) }, () => Math.floor(r() * 256));
      try {
        const layout = decodePageLayout(junk);
        decodePage(layout, [junk, junk, junk], Math.floor(r() * 5000), 'junk');
      } catch (e) {
        if (!F.isVegoError(e)) throw e;
      }
    }
  });

  it('names the encoding it does not support (never wrong data)', () => {
    expect(() => decodePage({ kind: 'unsupported', name: 'blob_layout' }, [], 1, 'p')).toThrow(/blob_layout/);
    expect(() => decodePage({ kind: 'unsupported', name: 'sparse_layout' }, [], 1, 'p')).toThrow(F.NotSupportedError);
    // Byte-stream split is read for 32- and 64-bit flat values only (LanceDB writes no other).
    const bss = { kind: 'byteStreamSplit', values: { kind: 'flat', bitsPerValue: 16, compression: 'none' } } as const;
    expect(() => decompressMiniBlock(bss, [new Uint8Array(8)], 2, 'c')).toThrow(/byte_stream_split/);
    expect(() => decompressBlock({ kind: 'unsupported', name: 'delta' }, new Uint8Array(8), 2, 'c')).toThrow(F.NotSupportedError);
    // A 2.1 PageLayout whose oneof is a blob layout (field 4) decodes to an unsupported layout.
    expect(decodePageLayout(Uint8Array.of(0x22, 0x00))).toEqual({ kind: 'unsupported', name: 'blob_layout' });
  });
});

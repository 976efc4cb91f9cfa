/**
 * Row ranges of LanceDB's full-zip pages with a repetition index (long strings, lists of long strings, lists
 * of vectors; 2.1 and 2.2): two index entries locate the rows, and only their bytes are read. Values are
 * compared with what LanceDB returns; bytes read are counted. A damaged index is CorruptDataError.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { CountingSource, plainColumn, rng, tempDir } from './helpers';
import { lanceDbFile, listOf } from './fixtures/lancedb';

const N = 600;
const f32 = (): arrow.Field => new arrow.Field('item', new arrow.Float32(), true);
const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('text', new arrow.Utf8(), true),
  new arrow.Field('chunks', listOf(new arrow.Utf8()), true),
  new arrow.Field('vecs', listOf(new arrow.FixedSizeList(64, f32())), true),
]);
const NAMES = ['text', 'chunks', 'vecs'];

function rows(): Record<string, unknown>[] {
  const r = rng(5);
  const s = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(48 + Math.floor(r() * 60))).join('');
  return Array.from({ length: N }, (_, i) => ({
    id: i,
    text: i % 8 === 0 ? null : i % 8 === 1 ? '' : s(100 + ((i * 53) % 700)),
    chunks: i % 7 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => (k === 1 && i % 3 === 0 ? null : s(250 + k * 30))),
    vecs: i % 6 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 4 === 0 ? null : Array.from({ length: 64 }, (_, j) => i + j))),
  }));
}

describe.each([
  ['2.1', '2.1'],
  ['2.2', null],
])('full-zip row ranges through the repetition index (LanceDB %s)', (_name, version) => {
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    tmp = tempDir('vego-format-zip-range-');
    ({ file, expected } = await lanceDbFile(tmp.dir, SCHEMA, rows(), version));
  });
  afterAll(() => tmp.cleanup());

  it('reads only the rows\' bytes, with the values LanceDB returns', () => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    for (let c = 1; c <= 3; c++) expect(reader.columnSummarySync(c).encodings).toEqual([expect.stringMatching(/^full_zip\(/)]);
    for (const name of NAMES) {
      const read = (offset: number, limit: number): number => {
        const src = new CountingSource(file);
        const r = F.LanceFileReader.openSync(src);
        src.reads.length = 0;
        const batch = r.readSync({ columns: [name], offset, limit });
        expect(plainColumn(batch, name)).toEqual(expected.slice(offset, offset + limit).map((x) => x[name]));
        return src.reads.reduce((sum, [, l]) => sum + l, 0);
      };
      const whole = read(0, N);
      expect(read(300, 20)).toBeLessThan(whole / 10);
      for (const [o, l] of [[0, 1], [1, 5], [N - 1, 1], [N - 7, 7], [123, 0]] as const) read(o, l);
    }
  });

  it('reads ranges asynchronously', async () => {
    const reader = await F.LanceFileReader.open(new CountingSource(file));
    const batch = await reader.read({ columns: NAMES, offset: 250, limit: 33 });
    for (const name of NAMES) expect(plainColumn(batch, name)).toEqual(expected.slice(250, 283).map((x) => x[name]));
  });

  it('refuses a damaged repetition index with CorruptDataError', () => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    reader.columnSummarySync(2);
    const page = (reader as unknown as { columnCache21: Map<number, { pages: { bufferOffsets: number[]; bufferSizes: number[] }[] }> }).columnCache21.get(2)!.pages[0]!;
    const w = page.bufferSizes[1]! / (N + 1);
    const at = page.bufferOffsets[1]! + 301 * w;
    for (const value of [0xff, 0x00]) {
      const bad = file.slice();
      // Entry 301 beyond buffer 0, or before entry 300.
      for (let k = 0; k < w; k++) bad[at + k] = value;
      const r = F.LanceFileReader.openSync(new F.MemorySource(bad));
      expect(() => r.readSync({ columns: ['chunks'], offset: 300, limit: 1 })).toThrow(F.CorruptDataError);
    }
    // An entry inside an item: the bytes between the entries are not whole items.
    const bad = file.slice();
    bad[at] = (bad[at]! + 1) & 255;
    expect(() => F.LanceFileReader.openSync(new F.MemorySource(bad)).readSync({ columns: ['chunks'], offset: 300, limit: 1 })).toThrow(F.CorruptDataError);
  });
});

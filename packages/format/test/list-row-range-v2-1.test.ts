/**
 * Row ranges of list columns in LanceDB 2.2 (and 2.1) files read through the repetition index: only the
 * chunks from the one where the first row starts to the one where the last row ends. Includes rows whose
 * items span several chunks (a chunk that ends inside a row, chunks that are all continuation). Checked
 * against LanceDB's own query, with a counting source for the bytes read.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { CountingSource, plainColumn, RoundCountingSource, tempDir } from './helpers';
import { lanceDbFile, listOf } from './fixtures/lancedb';

const N = 9000;

function arrowSchema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('tags', listOf(new arrow.Int64()), true),
    new arrow.Field('words', listOf(new arrow.Utf8()), true),
    new arrow.Field('big', listOf(new arrow.Int32()), true),
    new arrow.Field('nested', listOf(listOf(new arrow.Float64())), true),
  ]);
}

/** Rows 3000, 3001 and 7777 of `big` hold thousands of items (spanning chunks); the rest are short. */
function bigLength(i: number): number {
  if (i === 3000) return 5000;
  if (i === 3001) return 2500;
  if (i === 7777) return 9000;
  return i % 5;
}

function rows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    tags: i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => BigInt(i * 10 + k)),
    words: i % 8 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 5 === 0 ? null : `w${(i + k) % 50}`)),
    big: i % 7 === 0 ? null : Array.from({ length: bigLength(i) }, (_, k) => (i * 31 + k) | 0),
    nested: i % 9 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 4 === 0 ? null : Array.from({ length: (i + k) % 3 }, (_, m) => i + k / 4 + m))),
  }));
}

describe.each([
  ['2.2 (LanceDB default)', null],
  ['2.1', '2.1'],
])('LanceFileReader row ranges of list columns in a LanceDB %s file', (_name, version) => {
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];
  const names = arrowSchema().fields.map((f) => f.name);

  beforeAll(async () => {
    tmp = tempDir('vego-format-list-range-');
    ({ file, expected } = await lanceDbFile(tmp.dir, arrowSchema(), rows(N), version));
  });
  afterAll(() => tmp.cleanup());

  it.each([
    [0, 1],
    [N - 1, N],
    [1023, 1025],
    [2990, 3010],
    [3000, 3001],
    [3001, 3002],
    [2999, 3000],
    [3002, 3100],
    [7770, 7790],
    [7778, 7800],
    [4000, 4100],
    [1, N - 1],
    [N, N],
    [3000, 3000],
    [0, 0],
  ])('reads rows [%d, %d) of every column with the values LanceDB returns', (a, b) => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    const batch = reader.readSync({ offset: a, limit: b - a });
    expect(batch.numRows).toBe(b - a);
    for (const name of names) expect([name, plainColumn(batch, name)]).toEqual([name, expected.slice(a, b).map((r) => r[name])]);
  });

  it('reads only the chunks holding the rows of a list column', () => {
    const src = new CountingSource(file);
    const reader = F.LanceFileReader.openSync(src);
    reader.readSync({ limit: 0 }); // loads (and caches) the column metadata
    const bytesOf = (columns: string[], offset: number, limit: number): number => {
      src.reads.length = 0;
      const batch = reader.readSync({ columns, offset, limit });
      for (const name of columns) expect(plainColumn(batch, name)).toEqual(expected.slice(offset, offset + limit).map((r) => r[name]));
      return src.bytesRead();
    };
    for (const name of ['tags', 'words', 'nested']) {
      expect(bytesOf([name], 4000, 100)).toBeLessThan(bytesOf([name], 0, N) / 3);
    }
    // Row 3000 of `big` (5,000 items) needs its chunks; short rows elsewhere do not; neither needs the whole column.
    const longRow = bytesOf(['big'], 3000, 1);
    expect(bytesOf(['big'], 100, 20)).toBeLessThan(longRow / 2);
    expect(longRow).toBeLessThan(bytesOf(['big'], 0, N) / 3);
  });

  it('reads a list row range asynchronously in three rounds (metadata, chunk tables and repetition index, chunks)', async () => {
    const src = new RoundCountingSource(file);
    const reader = await F.LanceFileReader.open(src);
    src.reset();
    const batch = await reader.read({ columns: ['tags', 'big'], offset: 2995, limit: 12 });
    expect(src.rounds).toBe(3);
    for (const name of ['tags', 'big']) expect(plainColumn(batch, name)).toEqual(expected.slice(2995, 3007).map((r) => r[name]));
  });
});

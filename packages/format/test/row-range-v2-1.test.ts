/**
 * Row ranges of LanceDB 2.2 files (its default) read only what holds the rows: the pages overlapping the
 * range, of a mini-block page only the chunks holding the rows (chunk value counts from the chunk metadata),
 * of a fixed-width full-zip page only the rows' bytes. Checked with a counting source against the values
 * LanceDB itself returns, at chunk boundaries, the file's ends and empty ranges.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { CountingSource, plainColumn, rng, RoundCountingSource, tempDir } from './helpers';
import { lanceDbFile, listOf } from './fixtures/lancedb';

const N = 9000;
const DIM = 128;

function arrowSchema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('i64', new arrow.Int64(), false),
    new arrow.Field('f64', new arrow.Float64(), true),
    new arrow.Field('flag', new arrow.Bool(), true),
    new arrow.Field('cat', new arrow.Utf8(), true),
    new arrow.Field('text', new arrow.Utf8(), true),
    new arrow.Field('vector', new arrow.FixedSizeList(DIM, new arrow.Field('item', new arrow.Float32(), true)), true),
    new arrow.Field('st', new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]), true),
    new arrow.Field('tags', listOf(new arrow.Int64()), true),
  ]);
}

function rows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    i64: BigInt(i * 7919 - 1_000_000),
    f64: i % 9 === 0 ? null : r() * 100 - 50,
    flag: i % 5 === 0 ? null : r() < 0.5,
    cat: i % 13 === 0 ? null : ['red', 'green', 'blue', '', 'violet'][i % 5],
    text: i % 11 === 0 ? null : `row ${i} ${'q'.repeat(i % 23)}`,
    vector: i % 10 === 3 ? null : Array.from({ length: DIM }, () => Math.fround(r())),
    st: { a: i % 4 === 0 ? null : i, b: i % 17 === 0 ? null : `b${i % 3}` },
    tags: i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => BigInt(i * 10 + k)),
  }));
}

describe('LanceFileReader row ranges of a LanceDB 2.2 file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];
  const names = arrowSchema().fields.map((f) => f.name);
  const flatNames = names.filter((n) => n !== 'tags');

  beforeAll(async () => {
    tmp = tempDir('vego-format-range-');
    ({ file, expected } = await lanceDbFile(tmp.dir, arrowSchema(), rows(N, 5), null));
  });
  afterAll(() => tmp.cleanup());

  it.each([
    [0, 1],
    [N - 1, N],
    [1023, 1025],
    [4000, 4100],
    [1, N - 1],
    [N, N],
    [2048, 2048],
  ])('reads rows [%d, %d) of every column with the values LanceDB returns', (a, b) => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    expect(reader.version).toEqual({ major: 2, minor: 2 });
    const batch = reader.readSync({ offset: a, limit: b - a });
    expect(batch.numRows).toBe(b - a);
    for (const name of names) expect([name, plainColumn(batch, name)]).toEqual([name, expected.slice(a, b).map((r) => r[name])]);
  });

  it('touches far fewer bytes than the whole columns for a row range, with identical values', () => {
    const src = new CountingSource(file);
    const reader = F.LanceFileReader.openSync(src);
    reader.readSync({ columns: flatNames, limit: 0 }); // loads (and caches) the column metadata
    const bytesOf = (columns: string[], offset: number, limit: number): number => {
      src.reads.length = 0;
      const batch = reader.readSync({ columns, offset, limit });
      if (limit <= 200) for (const name of columns) expect(plainColumn(batch, name)).toEqual(expected.slice(offset, offset + limit).map((r) => r[name]));
      else expect(batch.numRows).toBe(limit);
      return src.bytesRead();
    };
    const whole = bytesOf(flatNames, 0, N);
    const part = bytesOf(flatNames, 4000, 100);
    expect(part).toBeLessThan(whole / 10);
    // The vectors (full-zip: a control word and 512 value bytes per row): just the 100 rows' bytes.
    const vectorWhole = bytesOf(['vector'], 0, N);
    const vectorPart = bytesOf(['vector'], 4000, 100);
    expect(vectorPart).toBeLessThanOrEqual((vectorWhole / N) * 100 + 64);
    expect(vectorPart).toBeGreaterThanOrEqual(100 * DIM * 4);
    // Mini-block ints: one or two chunks of 1024 values, not all of them.
    expect(bytesOf(['id'], 4000, 100)).toBeLessThan(bytesOf(['id'], 0, N) / 3);
  });

  it('reads a row range of several columns asynchronously in three rounds (metadata, chunk tables, chunks)', async () => {
    const src = new RoundCountingSource(file);
    const reader = await F.LanceFileReader.open(src);
    src.reset();
    const batch = await reader.read({ columns: flatNames, offset: 3000, limit: 50 });
    expect(src.rounds).toBe(3);
    for (const name of flatNames) expect(plainColumn(batch, name)).toEqual(expected.slice(3000, 3050).map((r) => r[name]));
    src.reset();
    const all = await reader.read({ columns: flatNames });
    expect(src.rounds).toBe(1); // metadata cached: every page of every column in one round
    for (const name of flatNames) expect(plainColumn(all, name)).toEqual(expected.map((r) => r[name]));
  });
});

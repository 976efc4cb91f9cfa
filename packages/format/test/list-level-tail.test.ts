/**
 * Regression: list columns of LanceDB 2.2 (and 2.1) files whose last mini-block chunk holds a "runt" of repetition or
 * definition levels (fewer than 1024 beyond the last whole FastLanes block). LanceDB stores such a tail as raw
 * u16 levels instead of a padded packed block when padding would cost more than it saves, so the level buffer
 * of that chunk is shorter than whole blocks (found at 6,000 rows: "chunk 7 repetition: bit-packed buffer holds
 * 160 bytes, expected 256"). Several table sizes and list item types are read and compared with LanceDB's query.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { plainColumn, tempDir } from './helpers';
import { lanceDbFile, listOf } from './fixtures/lancedb';

/** [rows, storage version (null: LanceDB's default, 2.2)]. */
const CASES: Array<[number, string | null]> = [
  [1000, null],
  [2500, null],
  [4000, null],
  [6000, null],
  [7500, null],
  [12000, null],
  [6000, '2.1'],
  [7500, '2.1'],
];

function arrowSchema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('l64', listOf(new arrow.Int64()), true),
    new arrow.Field('l32', listOf(new arrow.Int32()), true),
    new arrow.Field('lstr', listOf(new arrow.Utf8()), true),
    new arrow.Field('lf64', listOf(new arrow.Float64()), true),
  ]);
}

function rows(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    l64: i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => BigInt(i * 10 + k)),
    l32: i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 7 === 0 ? null : i - k * 3)),
    lstr: i % 8 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => `w${(i + k) % 50}`),
    lf64: i % 9 === 0 ? null : Array.from({ length: (i * 7) % 5 }, (_, k) => i / 8 + k),
  }));
}

describe.each(CASES)('LanceFileReader reads a LanceDB table of %i rows with list columns (version %s)', (n, version) => {
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    tmp = tempDir('vego-format-lists-');
    ({ file, expected } = await lanceDbFile(tmp.dir, arrowSchema(), rows(n), version));
  });
  afterAll(() => tmp.cleanup());

  it('reads every column with the values LanceDB returns', () => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    expect(reader.version).toEqual({ major: 2, minor: version === '2.1' ? 1 : 2 });
    const batch = reader.readSync();
    expect(batch.numRows).toBe(n);
    for (const f of arrowSchema().fields) expect([f.name, plainColumn(batch, f.name)]).toEqual([f.name, expected.map((r) => r[f.name])]);
  });

  it('reads row ranges at the start, middle and end with the values LanceDB returns', async () => {
    const reader = await F.LanceFileReader.open(new F.MemorySource(file));
    for (const [a, b] of [[0, 10], [Math.floor(n / 2) - 5, Math.floor(n / 2) + 300], [n - 17, n]] as Array<[number, number]>) {
      const batch = await reader.read({ offset: a, limit: b - a });
      for (const f of arrowSchema().fields) expect([a, f.name, plainColumn(batch, f.name)]).toEqual([a, f.name, expected.slice(a, b).map((r) => r[f.name])]);
    }
  });
});

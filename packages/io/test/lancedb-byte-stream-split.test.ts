/**
 * Numbers LanceDB 0.39 stores byte-stream-split in mini-block chunks (`general(zstd | lz4,
 * byte_stream_split(flat(32 | 64)))`): it picks that for integer columns whose field metadata sets
 * `lance-encoding:compression`. Each chunk holds its values as byte streams (byte 0 of every value,
 * then byte 1, …); we join them back and read every value — scans, async row ranges, takes — in 2.1
 * and 2.2 tables, compared with what was written and what LanceDB itself returns. Layout facts:
 * packages/format/FORMAT.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { Dataset, initZstd } from '@vego/io';
import type { RecordBatch } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';
import { seededRandom as rng } from '../../../test-support/random';

/** Several 512- and 1,024-value chunks and a partial last one. */
const N = 3001;
const COLUMNS = ['i64', 'i32', 'u64', 'ts', 'lz4_i64', 'f64'] as const;
type Name = (typeof COLUMNS)[number];

const meta = (scheme: string): Map<string, string> => new Map([['lance-encoding:compression', scheme]]);
const SCHEMA = new arrow.Schema([
  new arrow.Field('i64', new arrow.Int64(), true, meta('zstd')),
  new arrow.Field('i32', new arrow.Int32(), true, meta('zstd')),
  new arrow.Field('u64', new arrow.Uint64(), false, meta('zstd')),
  new arrow.Field('ts', new arrow.Int64(), true, meta('zstd')), // microsecond timestamps as int64
  new arrow.Field('lz4_i64', new arrow.Int64(), true, meta('lz4')),
  new arrow.Field('f64', new arrow.Float64(), true, meta('zstd')),
]);

/** Values whose high bytes repeat (what BSS is for), extremes, negatives and nulls. */
function columns(seed: number): Record<Name, unknown[]> {
  const r = rng(seed);
  const big = (i: number): bigint => (i % 97 === 0 ? -(2n ** 63n) : i % 89 === 0 ? 2n ** 63n - 1n : BigInt(Math.floor(r() * 1e6)) * 1_000_003n - 7n * BigInt(i));
  return {
    i64: Array.from({ length: N }, (_, i) => (i % 11 === 0 ? null : big(i))),
    i32: Array.from({ length: N }, (_, i) => (i % 13 === 0 ? null : i % 101 === 0 ? -(2 ** 31) : Math.floor(r() * 60_000) - 30_000)),
    u64: Array.from({ length: N }, (_, i) => (i % 83 === 0 ? 2n ** 64n - 1n : 1_700_000_000_000n + BigInt(i) * 17n)),
    ts: Array.from({ length: N }, (_, i) => (i % 7 === 0 ? null : 1_700_000_000_000_000n + BigInt(Math.floor(r() * 1e9)))),
    lz4_i64: Array.from({ length: N }, (_, i) => (i % 5 === 0 ? null : BigInt(i) * 4096n)),
    f64: Array.from({ length: N }, (_, i) => (i % 9 === 0 ? null : Math.round(r() * 1e6) / 100)),
  };
}

function arrowTable(data: Record<Name, unknown[]>): arrow.Table {
  const vec = (name: Name): arrow.Vector => arrow.vectorFromArray(data[name], SCHEMA.fields.find((f) => f.name === name)!.type);
  return new arrow.Table(SCHEMA, Object.fromEntries(COLUMNS.map((c) => [c, vec(c)])));
}

/** Our values as JS: 64-bit integers (plain gives their decimal text) as bigints. */
function ours(batches: Iterable<RecordBatch>, name: Name): unknown[] {
  return plainColumn(batches, name).map((v) => (typeof v === 'string' ? BigInt(v) : v));
}

describe.each([
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('LanceDB %s tables of byte-stream-split numbers', (_name, version) => {
  let root: string;
  let ds: Dataset;
  let data: Record<Name, unknown[]>;

  beforeAll(async () => {
    await initZstd();
    root = makeTempDir('bss');
    data = columns(version === null ? 5 : 4);
    const db = await lancedb.connect(root);
    const t = await db.createTable('t', arrowTable(data), version === null ? {} : { storageOptions: { new_table_data_storage_version: version } });
    // The oracle agrees with the generator.
    const theirs = await t.query().limit(N).toArrow();
    for (const name of COLUMNS) expect(Array.from(theirs.getChild(name)!.toArray() as ArrayLike<unknown>, (v, i) => (theirs.getChild(name)!.isValid(i) ? v : null))).toEqual(data[name]);
    const dir = path.join(root, 't.lance');
    const file = fs.readdirSync(path.join(dir, 'data'))[0]!;
    const reader = F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, 'data', file)))));
    const layouts = COLUMNS.map((_, c) => reader.columnSummarySync(c).encodings.join());
    // The integer columns are the layout under test (the float column is whatever LanceDB picks).
    for (let c = 0; c < 5; c++) expect(layouts[c]).toMatch(/byte_stream_split\(flat\((32|64)\)\)/);
    ds = await Dataset.open(dir);
  });
  afterAll(async () => {
    await ds.close();
    removeDir(root);
  });

  it.each(COLUMNS)('a full scan reads column %s with the values written', (name) => {
    expect(ours(ds.scanSync({ columns: [name] }), name)).toEqual(data[name]);
  });

  it('async row ranges and takes read the same values', async () => {
    for (const [offset, limit] of [[0, 1], [511, 3], [1000, 700], [N - 5, 5]] as const) {
      const batches: RecordBatch[] = [];
      for await (const b of ds.scan({ offset, limit, batchSize: 256 })) batches.push(b);
      for (const name of COLUMNS) expect(ours(batches, name)).toEqual(data[name].slice(offset, offset + limit));
    }
    const idx = [N - 1, 0, 512, 511, 1023, 1024, 2999, 7, 7];
    const taken = await ds.take(idx);
    for (const name of COLUMNS) expect(ours([taken], name)).toEqual(idx.map((i) => data[name][i]));
  });
});

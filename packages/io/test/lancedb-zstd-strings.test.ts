/**
 * Strings and binaries that LanceDB 0.39 compresses one value at a time with zstd, in 2.1 and 2.2 (default)
 * tables. It does so, instead of FSST or plain bytes, for a full-zip page whose longest value exceeds 32 KiB
 * (any of utf8, large_utf8, binary, large_binary; items of lists too), and for a page of 32 KiB or more of a field whose metadata
 * sets `lance-encoding:compression` (`zstd`; `lz4` gives zstd too). The same metadata on short strings gives
 * mini-block chunks under `general(zstd)`. We read every value — full scans, async row ranges, takes — and
 * compare with what was written and what LanceDB itself returns. Layout facts: packages/format/FORMAT.md.
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

const N = 240;
const COLUMNS = ['id', 'text', 'large', 'bin', 'tagged', 'asked_lz4', 'chunks', 'short'] as const;
type Name = (typeof COLUMNS)[number];
const WORDS = ['lance', 'zstd', 'späte', 'Zürich', '東京', 'пример', '😀', 'retrieval', '', ' ', '\n'];

/** About `len` UTF-8 bytes of words and random characters (compressible, but not trivially). */
function text(r: () => number, len: number): string {
  let s = '';
  while (Buffer.byteLength(s) < len) s += r() < 0.85 ? WORDS[Math.floor(r() * WORDS.length)]! + ' ' : String.fromCharCode(32 + Math.floor(r() * 3000));
  return s;
}

/** Nulls, empty and short values, values around 256 bytes, and now and then one past 32 KiB (the trigger). */
function value(r: () => number, i: number, long: number): string | null {
  if (i % 11 === 0) return null;
  if (i % 11 === 1) return '';
  if (i % 11 === 2) return `short ${i} ü`;
  if (i % long === 5) return text(r, 32 * 1024 + 1 + Math.floor(r() * 20_000));
  return text(r, 200 + Math.floor(r() * 400));
}

function rows(seed: number): Record<Name, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: N }, (_, i) => ({
    id: i,
    text: value(r, i, 40),
    large: value(r, i, 60),
    bin: ((v) => (v === null ? null : Buffer.from(v).toString('hex')))(value(r, i, 50)),
    // No value past 32 KiB: the field metadata alone asks for per-value compression (the page holds > 32 KiB).
    tagged: value(r, i, N + 1),
    asked_lz4: value(r, i, N + 1),
    // Lists (full-zip with repetition levels): null and empty lists, null items, now and then an item past 32 KiB.
    chunks: i % 13 === 0 ? null : i % 13 === 1 ? [] : Array.from({ length: 1 + (i % 3) }, (_, k) => value(r, i + k, 70)),
    // Under 256 bytes each (mini-block), about 40 KiB in all (enough for LanceDB to compress the chunks).
    short: i % 7 === 0 ? null : i % 7 === 1 ? '' : `row ${i} ${text(r, 100 + Math.floor(r() * 100))}`,
  }));
}

const meta = (scheme: string): Map<string, string> => new Map([['lance-encoding:compression', scheme]]);
const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('text', new arrow.Utf8(), true),
  new arrow.Field('large', new arrow.LargeUtf8(), true),
  new arrow.Field('bin', new arrow.Binary(), true),
  new arrow.Field('tagged', new arrow.Utf8(), true, meta('zstd')),
  new arrow.Field('asked_lz4', new arrow.Utf8(), true, meta('lz4')),
  new arrow.Field('chunks', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)), true),
  new arrow.Field('short', new arrow.Utf8(), true, meta('zstd')),
]);

/** Binary values compared as hex. */
function ours(batches: Iterable<RecordBatch>, name: Name): unknown[] {
  return plainColumn(batches, name).map((v) => (name === 'bin' && v !== null ? Buffer.from(v as Uint8Array).toString('hex') : v));
}

describe.each([
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('LanceDB %s tables whose values it compresses with zstd', (_name, version) => {
  let root: string;
  let dir: string;
  let data: Record<Name, unknown>[];
  let ds: Dataset;
  const column = (name: Name): unknown[] => data.map((r) => r[name]);

  beforeAll(async () => {
    await initZstd();
    root = makeTempDir('zstd-strings');
    data = rows(version === null ? 32 : 31);
    const db = await lancedb.connect(root);
    const input = data.map((r) => ({ ...r, bin: r.bin === null ? null : Buffer.from(r.bin as string, 'hex') }));
    const opts = version === null ? { schema: SCHEMA } : { schema: SCHEMA, storageOptions: { new_table_data_storage_version: version } };
    const t = await db.createTable('t', input as never, opts);
    // LanceDB itself returns what was written (the oracle agrees with the generator).
    const theirs = ((await t.query().limit(N).toArray()) as Record<string, unknown>[]).sort((a, b) => (a.id as number) - (b.id as number));
    for (const name of ['text', 'large', 'tagged', 'asked_lz4', 'short'] as const) expect(theirs.map((r) => r[name])).toEqual(column(name));
    // LanceDB returns lists as Arrow vectors.
    expect(theirs.map((r) => (r.chunks === null ? null : Array.from(r.chunks as Iterable<string | null>)))).toEqual(column('chunks'));
    expect(theirs.map((r) => (r.bin === null ? null : Buffer.from(r.bin as Uint8Array).toString('hex')))).toEqual(column('bin'));
    dir = path.join(root, 't.lance');
    // The layouts under test: zstd per value in full-zip pages, general(zstd) chunks for the short strings.
    const files = fs.readdirSync(path.join(dir, 'data'));
    expect(files.length).toBe(1);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, 'data', files[0]!)))));
    const layouts = COLUMNS.map((_, c) => reader.columnSummarySync(c).encodings.join());
    for (let c = 1; c <= 6; c++) expect(layouts[c]).toMatch(/^full_zip\(general\(zstd, variable\(flat\((32|64)\)\)\)/);
    expect(layouts[7]).toMatch(/^mini_block\(general\(zstd, variable/);
    ds = await Dataset.open(dir);
  });
  afterAll(() => removeDir(root));

  it.each(COLUMNS.slice(1))('a full scan reads column %s with the values written', (name) => {
    expect(ours(ds.scanSync({ columns: [name] }), name)).toEqual(column(name));
  });

  it('async scans of row ranges read only the rows asked for', async () => {
    for (const [offset, limit] of [[0, 1], [4, 3], [41, 50], [N - 9, 9]] as const) {
      const batches: RecordBatch[] = [];
      for await (const b of ds.scan({ offset, limit, batchSize: 17 })) batches.push(b);
      for (const name of COLUMNS) expect(ours(batches, name)).toEqual(column(name).slice(offset, offset + limit));
    }
  });

  it('takes scattered rows, sync and async', async () => {
    const idx = [N - 1, 0, 5, 5, 45, 1, 2, 125, 185, 11];
    const want = (name: Name): unknown[] => idx.map((i) => data[i]![name]);
    const a = ds.takeSync(idx);
    const b = await ds.take(idx, { columns: ['text', 'bin', 'chunks'] });
    for (const name of COLUMNS) expect(ours([a], name)).toEqual(want(name));
    expect(ours([b], 'text')).toEqual(want('text'));
    expect(ours([b], 'bin')).toEqual(want('bin'));
    expect(ours([b], 'chunks')).toEqual(want('chunks'));
  });
});

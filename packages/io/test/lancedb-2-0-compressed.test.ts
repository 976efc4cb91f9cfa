/**
 * Lance 2.0 tables whose string and binary bytes LanceDB 0.39 compresses: a field whose metadata sets
 * `lance-encoding:compression` (`zstd` or `lz4`) gets `binary(offsets, flat(8, zstd | lz4))`, the bytes
 * buffer framed as Lance's general compression frames it (zstd: a u64 uncompressed length, then one frame;
 * LZ4: a u32 length, then one raw block). We read neither before (found by the differential campaign's
 * `--hints`, seed 7017: CorruptDataError for zstd, NotSupportedError for LZ4; and the scheme `none`, seed 7072,
 * refused as an unknown codec). Checked: the layouts, full
 * scans, async row ranges and takes against what was written and what LanceDB returns, our append to the
 * table read back by both, and a damaged length prefix refused with CorruptDataError.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { CorruptDataError, Dataset, LargeBinary, LargeUtf8, RecordBatch, Utf8, Int32, List, Field, Schema, initZstd, vectorFrom } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';
import { seededRandom as rng } from '../../../test-support/random';

const N = 3000;
const COLUMNS = ['zs', 'lz', 'zbin', 'lzlarge', 'tags', 'none'] as const;
type Name = (typeof COLUMNS)[number];
const WORDS = ['lance', 'späte', '東京', '😀', 'retrieval', '', 'x'.repeat(300)];

/** Nulls, empty values, repeated words (compressible) and now and then a long value. */
function value(r: () => number, i: number): string | null {
  if (i % 17 === 0) return null;
  if (i % 17 === 1) return '';
  let s = '';
  const words = 1 + Math.floor(r() * (i % 101 === 5 ? 400 : 6));
  for (let k = 0; k < words; k++) s += WORDS[Math.floor(r() * WORDS.length)]! + (r() < 0.3 ? String(i) : ' ');
  return s;
}

function rows(seed: number): Record<Name | 'id', unknown>[] {
  const r = rng(seed);
  return Array.from({ length: N }, (_, i) => ({
    id: i,
    zs: value(r, i),
    lz: value(r, i),
    zbin: ((v) => (v === null ? null : Buffer.from(v).toString('hex')))(value(r, i)),
    lzlarge: value(r, i),
    tags: i % 13 === 0 ? null : i % 13 === 1 ? [] : Array.from({ length: 1 + (i % 4) }, (_, k) => value(r, i + k)),
    none: value(r, i),
  }));
}

const meta = (scheme: string): Map<string, string> => new Map([['lance-encoding:compression', scheme]]);
const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('zs', new arrow.Utf8(), true, meta('zstd')),
  new arrow.Field('lz', new arrow.Utf8(), true, meta('lz4')),
  new arrow.Field('zbin', new arrow.LargeBinary(), true, meta('zstd')),
  new arrow.Field('lzlarge', new arrow.LargeUtf8(), true, meta('lz4')),
  // The list's item field carries the hint (LanceDB encodes the items with their own field's metadata).
  new arrow.Field('tags', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true, meta('lz4'))), true),
  // `none` is written as a scheme of that name (refused as an unknown codec before).
  new arrow.Field('none', new arrow.Utf8(), true, meta('none')),
]);

/** Binary values compared as hex. */
function ours(batches: Iterable<RecordBatch>, name: Name): unknown[] {
  return plainColumn(batches, name).map((v) => (name === 'zbin' && v !== null ? Buffer.from(v as Uint8Array).toString('hex') : v));
}

/** LanceDB's rows in `id` order, binaries as hex and lists as arrays. */
async function theirs(t: lancedb.Table): Promise<Record<string, unknown>[]> {
  const got = (await t.query().toArray()) as Record<string, unknown>[];
  return got
    .sort((a, b) => (a.id as number) - (b.id as number))
    .map((r) => ({
      ...r,
      zbin: r.zbin === null ? null : Buffer.from(r.zbin as Uint8Array).toString('hex'),
      tags: r.tags === null ? null : Array.from(r.tags as Iterable<string | null>),
    }));
}

describe('LanceDB 2.0 tables whose string bytes it compresses with zstd or LZ4', () => {
  let root: string;
  let dir: string;
  let data: Record<Name | 'id', unknown>[];
  let ds: Dataset;
  let table: lancedb.Table;
  const column = (name: Name): unknown[] => data.map((r) => r[name]);

  beforeAll(async () => {
    await initZstd();
    root = makeTempDir('compressed-2-0');
    data = rows(2020);
    const db = await lancedb.connect(root);
    const input = data.map((r) => ({ ...r, zbin: r.zbin === null ? null : Buffer.from(r.zbin as string, 'hex') }));
    table = await db.createTable('t', input as never, { schema: SCHEMA, storageOptions: { new_table_data_storage_version: '2.0' } });
    // LanceDB itself returns what was written (the oracle agrees with the generator).
    const back = await theirs(table);
    for (const name of COLUMNS) expect(back.map((r) => r[name])).toEqual(column(name));
    dir = path.join(root, 't.lance');
    const files = fs.readdirSync(path.join(dir, 'data'));
    expect(files.length).toBe(1);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, 'data', files[0]!)))));
    const layouts = reader.schema.fields.map((f) => reader.nodeColumns(f.name).map((c) => reader.columnSummarySync(c).encodings.join()).join(' | '));
    expect(layouts[1]).toMatch(/flat\(8, zstd\)/);
    expect(layouts[2]).toMatch(/flat\(8, lz4\)/);
    expect(layouts[3]).toMatch(/flat\(8, zstd\)/);
    expect(layouts[4]).toMatch(/flat\(8, lz4\)/);
    expect(layouts[5]).toMatch(/flat\(8, lz4\)/);
    expect(layouts[6]).toMatch(/flat\(8, none\)/);
    ds = await Dataset.open(dir);
  });
  afterAll(async () => {
    await ds.close();
    table.close();
    removeDir(root);
  });

  it.each(COLUMNS)('a full scan reads column %s with the values written', (name) => {
    expect(ours(ds.scanSync({ columns: [name] }), name)).toEqual(column(name));
  });

  it('async scans of row ranges and takes read the rows asked for', async () => {
    for (const [offset, limit] of [[0, 1], [4, 3], [999, 1003], [N - 9, 9]] as const) {
      const batches: RecordBatch[] = [];
      for await (const b of ds.scan({ offset, limit, batchSize: 211 })) batches.push(b);
      for (const name of COLUMNS) expect(ours(batches, name)).toEqual(column(name).slice(offset, offset + limit));
    }
    const idx = [N - 1, 0, 5, 5, 505, 1, 2, 1250, 2222, 17];
    const a = ds.takeSync(idx);
    const b = await ds.take(idx, { columns: ['lz', 'zbin'] });
    for (const name of COLUMNS) expect(ours([a], name)).toEqual(idx.map((i) => data[i]![name]));
    expect(ours([b], 'lz')).toEqual(idx.map((i) => data[i]!.lz));
    expect(ours([b], 'zbin')).toEqual(idx.map((i) => data[i]!.zbin));
  });

  it('our append to the table reads back the same in LanceDB and in vego', async () => {
    const schema = Dataset.openSync(dir).schema;
    const extra = [null, '', 'appended ü', 'y'.repeat(5000)];
    const batch = new RecordBatch(schema, [
      vectorFrom(new Int32(), [N, N + 1, N + 2, N + 3]),
      vectorFrom(new Utf8(), extra),
      vectorFrom(new Utf8(), extra),
      vectorFrom(new LargeBinary(), extra.map((v) => (v === null ? null : Buffer.from(v)))),
      vectorFrom(new LargeUtf8(), extra),
      vectorFrom(new List(new Field('item', new Utf8(), true, meta('lz4'))), [null, [], ['a', null], ['z'.repeat(700)]]),
      vectorFrom(new Utf8(), extra),
    ] as never);
    expect(batch.schema).toBe(schema);
    const after = Dataset.openSync(dir).appendSync(batch);
    after.closeSync();
    const hex = (v: string | null): string | null => (v === null ? null : Buffer.from(v).toString('hex'));
    const want: Record<Name, unknown[]> = {
      zs: [...column('zs'), ...extra],
      lz: [...column('lz'), ...extra],
      zbin: [...column('zbin'), ...extra.map(hex)],
      lzlarge: [...column('lzlarge'), ...extra],
      tags: [...column('tags'), null, [], ['a', null], ['z'.repeat(700)]],
      none: [...column('none'), ...extra],
    };
    const reread = Dataset.openSync(dir);
    for (const name of COLUMNS) expect(ours(reread.scanSync({ columns: [name] }), name)).toEqual(want[name]);
    reread.closeSync();
    const back = await theirs(await (await lancedb.connect(root)).openTable('t'));
    for (const name of COLUMNS) expect(back.map((r) => r[name])).toEqual(want[name]);
  });
});

describe('length prefixes of compressed 2.0 buffers', () => {
  beforeAll(() => initZstd());

  it('reads a prefixed zstd frame and a prefixed LZ4 block, and refuses claims the page cannot hold', () => {
    const text = Buffer.from('hello hello hello hello');
    const frame = F.ZSTD_BUFFER_CODEC.compress(text);
    const prefixed = new Uint8Array(8 + frame.length);
    new DataView(prefixed.buffer).setUint32(0, text.length, true);
    prefixed.set(frame, 8);
    expect(Buffer.from(F.ZSTD_BUFFER_CODEC.decompress(prefixed, text.length))).toEqual(text);
    // A bare frame (this writer's framing) still reads.
    expect(Buffer.from(F.ZSTD_BUFFER_CODEC.decompress(frame, text.length))).toEqual(text);
    // LZ4: u32 length, then a block of one literal run ("token" 0xN0 with the run length, no match).
    const lz4 = new Uint8Array([5, 0, 0, 0, 0x50, ...Buffer.from('abcde')]);
    expect(Buffer.from(F.LZ4_BUFFER_CODEC.decompress(lz4, 5)).toString()).toBe('abcde');
    // A claim beyond what the page needs, or past 4 GiB, is corrupt data (nothing allocated for it).
    expect(() => F.LZ4_BUFFER_CODEC.decompress(lz4, 4)).toThrow(CorruptDataError);
    const huge = prefixed.slice();
    new DataView(huge.buffer).setUint32(4, 1, true);
    expect(() => F.ZSTD_BUFFER_CODEC.decompress(huge, text.length)).toThrow(CorruptDataError);
    const wrong = prefixed.slice();
    new DataView(wrong.buffer).setUint32(0, text.length - 1, true);
    expect(() => F.ZSTD_BUFFER_CODEC.decompress(wrong, text.length)).toThrow(CorruptDataError);
    expect(() => F.LZ4_BUFFER_CODEC.compress(text)).toThrow(/read, not written/);
  });
});

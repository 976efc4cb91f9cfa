/**
 * Long strings and binaries (RAG-style text chunks) in LanceDB 2.1 and 2.2 (default) tables: LanceDB writes
 * a page of variable-width values as full-zip (each value with its length, FSST-compressed for strings)
 * once one value in it reaches 256 bytes, and lists of such values or of wide vectors as full-zip pages
 * with repetition levels. We read every value this test wrote — full scans, async scans of row ranges and
 * takes — and the written rows are compared with what LanceDB itself returns.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { Dataset } from '@vego/io';
import type { RecordBatch } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';
import { seededRandom as rng } from '../../../test-support/random';

const N = 1000;
const DIM = 128;
const COLUMNS = ['id', 'text', 'bin', 'big', 'chunks', 'vecs'] as const;

const WORDS = ['lance', 'columnar', 'vector', 'späte', 'Zürich', 'données', '東京', 'пример', '😀', 'chunk', 'retrieval', 'a', '', ' ', '\n', 'naïve'];

/** A text of about `len` UTF-8 bytes from words and random characters (so FSST finds some, not all, repeats). */
function text(r: () => number, len: number): string {
  let s = '';
  while (Buffer.byteLength(s) < len) s += r() < 0.8 ? WORDS[Math.floor(r() * WORDS.length)]! + ' ' : String.fromCharCode(32 + Math.floor(r() * 2000));
  return s;
}

/** Lengths around and far above LanceDB's full-zip threshold (a value of 256 bytes or more in the page). */
const LENGTHS = [255, 256, 257, 300, 700, 1500, 4000, 9000];

interface Row {
  id: number;
  text: string | null;
  bin: number[] | null;
  big: string | null;
  chunks: (string | null)[] | null;
  vecs: (number[] | null)[] | null;
}

function rows(seed: number): Row[] {
  const r = rng(seed);
  return Array.from({ length: N }, (_, i) => ({
    id: i,
    text: i % 10 === 0 ? null : i % 10 === 1 ? '' : i % 10 === 2 ? `short ${i}` : text(r, LENGTHS[i % LENGTHS.length]! - (i % 3)),
    bin: i % 9 === 0 ? null : Array.from({ length: Math.floor(r() * 900) * (i % 4 === 0 ? 0 : 1) }, () => Math.floor(r() * 256)),
    big: i % 7 === 3 ? null : text(r, 100 + ((i * 37) % 900)),
    chunks: i % 11 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => (k === 1 && i % 3 === 0 ? null : k === 2 && i % 5 === 0 ? '' : text(r, 200 + Math.floor(r() * 600)))),
    vecs: i % 6 === 0 ? null : Array.from({ length: i % 5 === 0 ? 0 : (i % 3) + 1 }, (_, k) => (k === 1 && i % 4 === 0 ? null : Array.from({ length: DIM }, () => Math.floor(r() * 2000) / 8 - 100))),
  }));
}

const f32 = (): arrow.Field => new arrow.Field('item', new arrow.Float32(), true);
const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('text', new arrow.Utf8(), true),
  new arrow.Field('bin', new arrow.Binary(), true),
  new arrow.Field('big', new arrow.LargeUtf8(), true),
  new arrow.Field('chunks', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)), true),
  new arrow.Field('vecs', new arrow.List(new arrow.Field('item', new arrow.FixedSizeList(DIM, f32()), true)), true),
]);

/** Values as compared: byte arrays and vectors as one string each (a much faster deep comparison). */
function flat(name: string, v: unknown): unknown {
  if (v === null) return null;
  if (name === 'bin') return Buffer.from(v as number[]).toString('hex');
  if (name === 'vecs') return (v as (number[] | null)[]).map((x) => (x === null ? null : x.join(',')));
  return v;
}

function column(data: Row[], name: keyof Row): unknown[] {
  return data.map((r) => flat(name, r[name]));
}

function ours(batches: Iterable<RecordBatch>, name: string): unknown[] {
  return plainColumn(batches, name).map((v) => flat(name, v));
}

describe.each([
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('LanceDB %s tables of long strings, binaries and lists of them', (_name, version) => {
  let root: string;
  let dir: string;
  let data: Row[];
  let ds: Dataset;

  beforeAll(async () => {
    root = makeTempDir('long-strings');
    data = rows(version === null ? 22 : 21);
    const db = await lancedb.connect(root);
    const input = data.map((r) => ({ ...r, bin: r.bin === null ? null : Uint8Array.from(r.bin) }));
    const opts = version === null ? { schema: SCHEMA } : { schema: SCHEMA, storageOptions: { new_table_data_storage_version: version } };
    const t = await db.createTable('t', input as never, opts);
    // LanceDB itself returns what was written (the oracle agrees with the generator).
    const theirs = ((await t.query().limit(N).toArray()) as Record<string, unknown>[]).sort((a, b) => (a.id as number) - (b.id as number));
    expect(theirs.map((r) => r.text)).toEqual(column(data, 'text'));
    expect(theirs.map((r) => r.big)).toEqual(column(data, 'big'));
    dir = path.join(root, 't.lance');
    ds = await Dataset.open(dir);
  });
  afterAll(() => removeDir(root));

  it('writes the long values as full-zip pages (the layout under test)', () => {
    const files = fs.readdirSync(path.join(dir, 'data'));
    expect(files.length).toBe(1);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(path.join(dir, 'data', files[0]!)))));
    for (let c = 1; c < 6; c++) expect(reader.columnSummarySync(c).encodings.join()).toMatch(/full_zip/);
  });

  it.each(COLUMNS)('a full scan reads column %s with the values written', (name) => {
    expect(ours(ds.scanSync({ columns: [name] }), name)).toEqual(column(data, name));
  });

  it('async scans of row ranges read every column', async () => {
    for (const [offset, limit] of [[0, 1], [1, 7], [255, 300], [N - 13, 13]] as const) {
      const batches: RecordBatch[] = [];
      for await (const b of ds.scan({ offset, limit, batchSize: 97 })) batches.push(b);
      for (const name of COLUMNS) expect(ours(batches, name)).toEqual(column(data, name).slice(offset, offset + limit));
    }
  });

  it('takes scattered rows, sync and async', async () => {
    const idx = [N - 1, 0, 3, 3, 777, 2, 1, 400, 401, 998];
    const want = (name: keyof Row): unknown[] => idx.map((i) => flat(name, data[i]![name]));
    const a = ds.takeSync(idx);
    const b = await ds.take(idx, { columns: ['text', 'chunks'] });
    for (const name of COLUMNS) expect(ours([a], name)).toEqual(want(name));
    expect(ours([b], 'text')).toEqual(want('text'));
    expect(ours([b], 'chunks')).toEqual(want('chunks'));
  });
});

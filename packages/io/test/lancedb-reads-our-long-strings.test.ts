/**
 * Long strings and binaries that vego writes, read by LanceDB 0.39: 2.1 files zip a string or binary page
 * whole once one of its values reaches 256 bytes (`@vego/format`'s `write/full-zip-variable.ts`, as LanceDB
 * writes them), where mini-block pages refused values of ~16 KiB and more (a 2.1 chunk holds 32 KiB). Also
 * appends of such values to a 2.1 table LanceDB made, which the same limit refused. 2.2 files (chunks
 * without that limit) are checked alike. Every value is compared with what the test generated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { Binary, Dataset, Field, Int32, LargeUtf8, List, RecordBatch, Schema, Struct, Utf8, initZstd } from '@vego/io';
import { columnOf, lanceDbColumnsById } from './fixtures/lancedb-columns';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const N = 240;

/** A string of exactly `len` UTF-8 bytes (multi-byte characters included) from the seeded `r`. */
function text(r: () => number, len: number): string {
  const parts = ['lance ', 'données ', '東京 ', 'x', 'пример ', '😀'];
  const sizes = parts.map((p) => Buffer.byteLength(p));
  const out: string[] = [];
  let bytes = 0;
  for (;;) {
    const k = Math.floor(r() * parts.length);
    if (bytes + sizes[k]! > len) break;
    out.push(parts[k]!);
    bytes += sizes[k]!;
  }
  return out.join('') + 'x'.repeat(len - bytes);
}

/** Lengths at LanceDB's 256-byte threshold and far past a 2.1 chunk's 32 KiB. */
const LENGTHS = [0, 3, 255, 256, 257, 1000, 16_500, 40_000];

function values(seed: number, n: number, first: number): Record<string, unknown[]> {
  const r = seededRandom(seed);
  const len = (i: number): number => LENGTHS[(i * 7 + seed) % LENGTHS.length]!;
  return {
    id: Array.from({ length: n }, (_, i) => first + i),
    text: Array.from({ length: n }, (_, i) => (i % 6 === 1 ? null : text(r, len(i)))),
    bin: Array.from({ length: n }, (_, i) => (i % 8 === 2 ? null : Uint8Array.from({ length: len(i + 3) }, () => Math.floor(r() * 256)))),
    big: Array.from({ length: n }, (_, i) => (i % 5 === 3 ? null : text(r, len(i + 5)))),
    chunks: Array.from({ length: n }, (_, i) =>
      i % 9 === 4 ? null : Array.from({ length: i % 4 }, (_, k) => (k === 1 && i % 3 === 0 ? null : text(r, len(i + k))))),
    meta: Array.from({ length: n }, (_, i) => (i % 7 === 5 ? null : { note: i % 4 === 0 ? null : text(r, len(i + 2)) })),
  };
}

const SCHEMA = new Schema([
  new Field('id', new Int32(), false),
  new Field('text', new Utf8()),
  new Field('bin', new Binary()),
  new Field('big', new LargeUtf8()),
  new Field('chunks', new List(new Field('item', new Utf8()))),
  new Field('meta', new Struct([new Field('note', new Utf8())])),
]);
const NAMES = SCHEMA.fields.map((f) => f.name);

function batchOf(v: Record<string, unknown[]>): RecordBatch {
  return new RecordBatch(SCHEMA, SCHEMA.fields.map((f) => columnOf(f.type, v[f.name]!)));
}

/** Comparable form: byte arrays as hex, nested values recursively. */
function plain(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (x instanceof Uint8Array) return Buffer.from(x).toString('hex');
  if (Array.isArray(x)) {
    // @vego's plainColumn gives byte arrays as arrays of numbers.
    if (x.length > 0 && x.every((e) => typeof e === 'number')) return Buffer.from(x as number[]).toString('hex');
    return x.map(plain);
  }
  if (typeof x === 'object') return Object.fromEntries(Object.entries(x as Record<string, unknown>).map(([k, e]) => [k, plain(e)]));
  return x;
}

/** `bin` values of zero bytes read as [] by plainColumn: compared as ''. */
function expected(v: Record<string, unknown[]>, name: string): unknown[] {
  return v[name]!.map((x) => (x instanceof Uint8Array && x.length === 0 ? '' : plain(x)));
}

function ours(batches: Iterable<RecordBatch>, name: string): unknown[] {
  return plainColumn(batches, name).map((x) => (name === 'bin' && Array.isArray(x) && x.length === 0 ? '' : plain(x)));
}

describe.each(['2.1', '2.2'] as const)('LanceDB reads long strings and binaries vego writes (Lance %s)', (version) => {
  let root: string;
  beforeAll(async () => {
    root = makeTempDir(`our-long-strings-${version}`);
    // LanceDB compresses long values with ZSTD; the synchronous reads below decode them.
    await initZstd();
  });
  afterAll(() => removeDir(root));

  it('writes them (2.1: full-zip pages), LanceDB and vego read every value', async () => {
    const v = values(31, N, 0);
    const dir = path.join(root, 'ours.lance');
    Dataset.createSync(dir, batchOf(v), { storageVersion: version });
    const dataFile = path.join(dir, 'data', fs.readdirSync(path.join(dir, 'data'))[0]!);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(dataFile))));
    // Columns 1-5 (5: the struct's leaf): full-zip in 2.1; 2.2 keeps mini-block chunks (4-byte sizes).
    for (const c of [1, 2, 3, 4, 5]) expect(reader.columnSummarySync(c).encodings.join()).toMatch(version === '2.1' ? /full_zip/ : /mini_block/);
    // The texts compress: their full-zip values are FSST codes (as LanceDB writes them); the random bytes are not.
    if (version === '2.1') {
      expect(reader.columnSummarySync(1).encodings.join()).toMatch(/full_zip\(fsst/);
      expect(reader.columnSummarySync(2).encodings.join()).not.toMatch(/fsst/);
    }

    const ds = Dataset.openSync(dir);
    for (const name of NAMES) expect([name, ours(ds.scanSync({ columns: [name] }), name)]).toEqual([name, expected(v, name)]);
    // Row ranges and takes read a page's rows through its repetition index.
    const idx = [N - 1, 0, 7, 7, 213, 2, 239, 100];
    const taken = ds.takeSync(idx);
    for (const name of NAMES) expect(ours([taken], name)).toEqual(idx.map((i) => expected(v, name)[i]));
    const ranged: RecordBatch[] = [];
    for await (const b of ds.scan({ offset: 37, limit: 101, batchSize: 13 })) ranged.push(b);
    for (const name of NAMES) expect(ours(ranged, name)).toEqual(expected(v, name).slice(37, 138));

    const db = await lancedb.connect(root);
    const got = await lanceDbColumnsById(await db.openTable('ours'), N, NAMES);
    for (const name of NAMES) expect([name, got[name]]).toEqual([name, expected(v, name)]);
  });

  it('appends them to a table LanceDB made, and both read every row', async () => {
    const first = values(32, 150, 0);
    const more = values(33, 120, 150);
    const db = await lancedb.connect(root);
    const aaSchema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('text', new arrow.Utf8(), true),
      new arrow.Field('bin', new arrow.Binary(), true),
      new arrow.Field('big', new arrow.LargeUtf8(), true),
      new arrow.Field('chunks', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)), true),
      new arrow.Field('meta', new arrow.Struct([new arrow.Field('note', new arrow.Utf8(), true)]), true),
    ]);
    const rows = first.id!.map((_, i) => Object.fromEntries(NAMES.map((name) => [name, first[name]![i]])));
    await db.createTable('theirs', rows as never, { schema: aaSchema, storageOptions: { new_table_data_storage_version: version } });
    const dir = path.join(root, 'theirs.lance');
    Dataset.openSync(dir).appendSync(batchOf(more)).closeSync();
    const all = Object.fromEntries(NAMES.map((name) => [name, [...first[name]!, ...more[name]!]]));
    const got = await lanceDbColumnsById(await db.openTable('theirs'), 270, NAMES);
    for (const name of NAMES) expect([name, got[name]]).toEqual([name, expected(all, name)]);
    const ds = Dataset.openSync(dir);
    for (const name of NAMES) expect([name, ours(ds.scanSync({ columns: [name] }), name)]).toEqual([name, expected(all, name)]);
  });
});

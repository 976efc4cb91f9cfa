/**
 * Lists of lists that vego writes into Lance 2.1 and 2.2 files, read by LanceDB 0.39 (refused before with
 * "lists of lists cannot be written"): two and three list levels, lists of structs of lists, lists of lists
 * of long strings (2.1: full-zip pages with two repetition levels), null and empty lists at every level and
 * null items, over many mini-block chunks and several pages. Every value is compared with what the test
 * generated, as LanceDB returns it and as vego reads it (whole, by row ranges, by takes); then LanceDB's own
 * 2.1/2.2 table of the same shape gets a vego append, and both read every row.
 */
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, Field, Float64, Int32, Int8, List, RecordBatch, Schema, Struct, Utf8, initZstd } from '@vego/io';
import type { DataType } from '@vego/io';
import { columnOf, lanceDbColumnsById } from './fixtures/lancedb-columns';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const list = (t: DataType): List => new List(new Field('item', t));
const SCHEMA = new Schema([
  new Field('id', new Int32(), false),
  new Field('ll', list(list(new Int32()))),
  new Field('lll', list(list(list(new Int8())))),
  new Field('lsl', list(new Struct([new Field('k', new Int32()), new Field('xs', list(new Float64()))]))),
  new Field('lls', list(list(new Utf8()))),
]);
const NAMES = SCHEMA.fields.map((f) => f.name);

const aaList = (t: arrow.DataType): arrow.List => new arrow.List(new arrow.Field('item', t, true));
const AA_SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('ll', aaList(aaList(new arrow.Int32())), true),
  new arrow.Field('lll', aaList(aaList(aaList(new arrow.Int8()))), true),
  new arrow.Field('lsl', aaList(new arrow.Struct([new arrow.Field('k', new arrow.Int32(), true), new arrow.Field('xs', aaList(new arrow.Float64()), true)])), true),
  new arrow.Field('lls', aaList(aaList(new arrow.Utf8())), true),
]);

function values(seed: number, n: number, first: number): Record<string, unknown[]> {
  const r = seededRandom(seed);
  const pick = (k: number): number => Math.floor(r() * k);
  /** A list of `make()` items: null 1 in 8, empty 1 in 8, else 1-4 items. */
  const lst = <T>(make: () => T): T[] | null => {
    const c = pick(8);
    return c === 0 ? null : c === 1 ? [] : Array.from({ length: 1 + pick(4) }, make);
  };
  const maybe = <T>(make: () => T): T | null => (pick(6) === 0 ? null : make());
  const str = (): string => (pick(10) === 0 ? 'x'.repeat(300 + pick(20_000)) : `s${pick(1000)}`);
  return {
    id: Array.from({ length: n }, (_, i) => first + i),
    ll: Array.from({ length: n }, () => lst(() => lst(() => maybe(() => pick(2 ** 31) - 2 ** 30)))),
    lll: Array.from({ length: n }, () => lst(() => lst(() => lst(() => maybe(() => pick(256) - 128))))),
    lsl: Array.from({ length: n }, () => lst(() => maybe(() => ({ k: maybe(() => pick(100)), xs: lst(() => maybe(() => pick(1000) / 8)) })))),
    lls: Array.from({ length: n }, () => lst(() => lst(() => maybe(str)))),
  };
}

function batchOf(v: Record<string, unknown[]>): RecordBatch {
  return new RecordBatch(SCHEMA, SCHEMA.fields.map((f) => columnOf(f.type, v[f.name]!)));
}

describe.each(['2.1', '2.2'] as const)('LanceDB reads lists of lists vego writes (Lance %s)', (version) => {
  let root: string;
  beforeAll(async () => {
    root = makeTempDir(`our-nested-lists-${version}`);
    await initZstd();
  });
  afterAll(() => removeDir(root));

  it('writes them over many chunks and pages; LanceDB and vego read every value', async () => {
    const n = 1500;
    const v = values(41, n, 0);
    const dir = path.join(root, 'ours.lance');
    // Two batches, so each column has several pages.
    Dataset.createSync(dir, batchOf(values(41, n, 0)), { storageVersion: version, maxRowsPerFile: 10_000 });
    const ds = Dataset.openSync(dir);
    for (const name of NAMES) expect([name, plainColumn(ds.scanSync({ columns: [name] }), name)]).toEqual([name, v[name]]);
    const idx = [n - 1, 0, 17, 17, 999, 3, 700, 701, 1234];
    const taken = ds.takeSync(idx);
    for (const name of NAMES) expect([name, plainColumn([taken], name)]).toEqual([name, idx.map((i) => v[name]![i])]);
    const ranged: RecordBatch[] = [];
    for await (const b of ds.scan({ offset: 333, limit: 444, batchSize: 101 })) ranged.push(b);
    for (const name of NAMES) expect([name, plainColumn(ranged, name)]).toEqual([name, v[name]!.slice(333, 777)]);

    const db = await lancedb.connect(root);
    const table = await db.openTable('ours');
    const got = await lanceDbColumnsById(table, n, NAMES);
    for (const name of NAMES) expect([name, got[name]]).toEqual([name, v[name]]);
    // LanceDB's row-range read (offset past the first chunks: its repetition index finds the rows).
    const part = await table.query().offset(900).limit(50).toArrow();
    expect(Array.from(part.getChild('id')!.toArray() as Int32Array)).toEqual(Array.from({ length: 50 }, (_, i) => 900 + i));
  });

  it('appends them to a table LanceDB made, and both read every row', async () => {
    const first = values(42, 300, 0);
    const more = values(43, 250, 300);
    const db = await lancedb.connect(root);
    const rows = first.id!.map((_, i) => Object.fromEntries(NAMES.map((name) => [name, first[name]![i]])));
    await db.createTable('theirs', rows as never, { schema: AA_SCHEMA, storageOptions: { new_table_data_storage_version: version } });
    const dir = path.join(root, 'theirs.lance');
    Dataset.openSync(dir).appendSync(batchOf(more)).closeSync();
    const all = Object.fromEntries(NAMES.map((name) => [name, [...first[name]!, ...more[name]!]]));
    const got = await lanceDbColumnsById(await db.openTable('theirs'), 550, NAMES);
    for (const name of NAMES) expect([name, got[name]]).toEqual([name, all[name]]);
    const ds = Dataset.openSync(dir);
    for (const name of NAMES) expect([name, plainColumn(ds.scanSync({ columns: [name] }), name)]).toEqual([name, all[name]]);
  });
});

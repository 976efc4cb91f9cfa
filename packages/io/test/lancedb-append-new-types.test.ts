/**
 * Issue 11 write side, mixed writers: LanceDB creates a table (2.0, 2.1, or its default 2.2) with decimal,
 * fixed-size binary, dictionary and list-of-struct columns; we append to it; LanceDB then reads its rows
 * and ours with exactly the values this test generated (and so do we).
 */
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as path from 'node:path';
import { Dataset, RecordBatch, makeBuilder } from '@vego/io';
import type { DataType, Vector } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

interface Row {
  id: number;
  dec: bigint | null;
  fsb: number[] | null;
  dict: string | null;
  ls: Array<{ a: number | null }> | null;
}

function gen(from: number, n: number): Row[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      id: i,
      dec: i % 5 === 1 ? null : BigInt(i) * 1_000_000_007n * (i % 2 === 0 ? 1n : -1n),
      fsb: i % 6 === 2 ? null : [i & 255, (i >> 8) & 255, 7, 255 - (i & 255)],
      dict: i % 7 === 3 ? null : ['alpha', 'beta', 'gamma', ''][i % 4]!,
      ls: i % 9 === 4 ? null : Array.from({ length: i % 3 }, (_, j) => ({ a: j === 1 ? null : i * 10 + j })),
    };
  });
}

const decimal = new arrow.Decimal(2, 20, 128);
const dictType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
const lsType = new arrow.List(new arrow.Field('item', new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true)]), true));
const schema = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('dec', decimal, true),
  new arrow.Field('fsb', new arrow.FixedSizeBinary(4), true),
  new arrow.Field('dict', dictType, true),
  new arrow.Field('ls', lsType, true),
]);

/** LanceDB's rows as an apache-arrow table built from raw buffers (apache-arrow has no bigint decimal builder). */
function arrowTable(rows: Row[]): arrow.Table {
  const n = rows.length;
  const valid = (f: (r: Row) => unknown): Uint8Array => {
    const b = new Uint8Array(Math.ceil(n / 8));
    rows.forEach((r, i) => (f(r) !== null ? (b[i >> 3]! |= 1 << (i & 7)) : 0));
    return b;
  };
  const words = new Uint32Array(n * 4);
  rows.forEach((r, i) => {
    let v = BigInt.asUintN(128, r.dec ?? 0n);
    for (let k = 0; k < 4; k++) {
      words[i * 4 + k] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  });
  const fsb = new Uint8Array(n * 4);
  rows.forEach((r, i) => r.fsb !== null && fsb.set(r.fsb, i * 4));
  const children = [
    arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from(rows, (r) => r.id) }),
    arrow.makeData({ type: decimal, length: n, nullBitmap: valid((r) => r.dec), data: words }),
    arrow.makeData({ type: new arrow.FixedSizeBinary(4), length: n, nullBitmap: valid((r) => r.fsb), data: fsb }),
    arrow.vectorFromArray(rows.map((r) => r.dict), dictType).data[0]!,
    arrow.vectorFromArray(rows.map((r) => r.ls), lsType).data[0]!,
  ];
  return new arrow.Table([new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children }))]);
}

function plain(r: Record<string, unknown>, decWords: Uint32Array | null, at: number): Row {
  const ls = r.ls as { toArray(): Array<{ a: number | null }> } | null;
  let dec: bigint | null = null;
  if (r.dec !== null && r.dec !== undefined && decWords !== null) {
    let v = 0n;
    for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(decWords[at * 4 + k]!);
    dec = BigInt.asIntN(128, v);
  }
  return {
    id: r.id as number,
    dec,
    fsb: r.fsb === null || r.fsb === undefined ? null : Array.from(r.fsb as Uint8Array),
    dict: (r.dict as string | null) ?? null,
    ls: ls === null || ls === undefined ? null : ls.toArray().map((s) => ({ a: s.a })),
  };
}

function column(type: DataType, values: unknown[]): Vector {
  const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): Vector };
  for (const v of values) b.append(v);
  return b.finish();
}

describe.each([['2.0', '2.0'], ['2.1', '2.1'], ['2.2 (LanceDB default)', null]] as const)('appending decimal, fixed-size binary, dictionary and list.struct rows to a LanceDB %s table', (_label, version) => {
  let root: string;
  beforeAll(() => (root = makeTempDir('append-new-types')));
  afterAll(() => removeDir(root));

  it('LanceDB reads its rows and ours exactly, and so do we', async () => {
    const db = await lancedb.connect(root);
    const theirs = gen(0, 300);
    const t = await db.createTable('t', arrowTable(theirs), version === null ? {} : { storageOptions: { new_table_data_storage_version: version } });
    const ds = await Dataset.open(path.join(root, 't.lance'));
    const ours = gen(300, 1700);
    const batch = new RecordBatch(ds.schema, ds.schema.fields.map((f) => column(f.type, ours.map((r) => {
      const v = r[f.name as keyof Row];
      return f.name === 'fsb' && v !== null ? Uint8Array.from(v as number[]) : v;
    }))));
    const appended = await ds.append(batch);
    await t.checkoutLatest();
    const table = await t.query().limit(10_000).toArrow();
    const rows = table.toArray() as Array<Record<string, unknown>>;
    // Raw decimal words, in LanceDB's row order.
    const decWords = new Uint32Array(rows.length * 4);
    let at = 0;
    for (const d of table.getChild('dec')!.data) {
      const w = d.values as unknown as Uint32Array;
      decWords.set(w.subarray(d.offset * 4, (d.offset + d.length) * 4), at * 4);
      at += d.length;
    }
    const got = rows.map((r, i) => plain(r, decWords, i)).sort((x, y) => x.id - y.id);
    const str = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
    expect(str(got)).toBe(str([...theirs, ...ours]));
    // Our own read of both writers' rows.
    const all = [...theirs, ...ours];
    expect(plainColumn(appended.scanSync({ columns: ['dict'] }), 'dict')).toEqual(all.map((r) => r.dict));
    expect(plainColumn(appended.scanSync({ columns: ['dec'] }), 'dec')).toEqual(all.map((r) => (r.dec === null ? null : String(r.dec))));
    expect(plainColumn(appended.scanSync({ columns: ['ls'] }), 'ls')).toEqual(all.map((r) => r.ls));
    await Promise.all([ds.close(), appended.close()]);
  });
});

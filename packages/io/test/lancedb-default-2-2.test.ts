/**
 * Lance 2.2 datasets (LanceDB 0.39's default; ours on request, the default being 2.0). What blocked a 2.2
 * default on the read side: LanceDB's own
 * appends to a 2.2 dataset write small pages (a one-row append to a nullable string column, all-null
 * appends, constant values) as constant layouts with level buffers and RLE-compressed levels, which our
 * reader once could not decode. Here a dataset created with our defaults gets LanceDB appends of 1, 1, 2
 * and 3 rows of every such shape (nulls, all-null columns, constants, nested), and we read every value
 * this test generated after each one, then compact, and both sides read the result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, Field, FixedSizeList, Float32, Int32, Int64, List, RecordBatch, Schema, Struct, Utf8, vectorFrom, decodeManifest } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

interface Row {
  id: number;
  s: string | null;
  n: bigint | null;
  tags: string[] | null;
  st: { a: number | null; b: string | null };
  vector: number[];
}

const SCHEMA = new Schema([
  new Field('id', new Int32(), false),
  new Field('s', new Utf8(), true),
  new Field('n', new Int64(), true),
  new Field('tags', new List(new Field('item', new Utf8(), true)), true),
  new Field('st', new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]), true),
  new Field('vector', new FixedSizeList(new Field('item', new Float32(), true), 4), true),
]);

function batch(rows: Row[]): RecordBatch {
  return new RecordBatch(SCHEMA, SCHEMA.fields.map((f) => vectorFrom(f.type, rows.map((r) => r[f.name as keyof Row]))) as never);
}

/** The shapes LanceDB writes as tiny or constant pages. */
const APPENDS: Row[][] = [
  [{ id: 100, s: null, n: null, tags: null, st: { a: null, b: null }, vector: [1, 2, 3, 4] }],
  [{ id: 101, s: 'one', n: 7n, tags: ['x'], st: { a: 1, b: 'b' }, vector: [0, 0, 0, 0] }],
  [
    { id: 102, s: null, n: 5n, tags: [], st: { a: 2, b: null }, vector: [1, 1, 1, 1] },
    { id: 103, s: 'same', n: 5n, tags: null, st: { a: 2, b: null }, vector: [1, 1, 1, 1] },
  ],
  [
    { id: 104, s: 'same', n: null, tags: ['t', 't'], st: { a: null, b: 'c' }, vector: [2, 2, 2, 2] },
    { id: 105, s: 'same', n: null, tags: ['t', 't'], st: { a: null, b: 'c' }, vector: [2, 2, 2, 2] },
    { id: 106, s: 'same', n: null, tags: ['t', 't'], st: { a: null, b: 'c' }, vector: [2, 2, 2, 2] },
  ],
];

function ours(ds: Dataset): Row[] {
  const out: Row[] = [];
  for (const b of ds.scanSync()) {
    for (let i = 0; i < b.numRows; i++) {
      const tags = b.column('tags').get(i) as { toArray(): string[] } | null;
      const st = b.column('st').get(i) as { a: number | null; b: string | null };
      out.push({
        id: b.column('id').get(i) as number,
        s: b.column('s').get(i) as string | null,
        n: b.column('n').get(i) as bigint | null,
        tags: tags === null ? null : Array.from(tags.toArray()),
        st: { a: st.a, b: st.b },
        vector: Array.from(b.column('vector').get(i) as ArrayLike<number>),
      });
    }
  }
  return out.sort((x, y) => x.id - y.id);
}

async function theirs(t: lancedb.Table): Promise<Row[]> {
  await t.checkoutLatest();
  const got = (await t.query().limit(10_000).toArray()) as Record<string, unknown>[];
  return got
    .map((r) => {
      const tags = r.tags as { toArray(): string[] } | null;
      const st = r.st as { a: number | null; b: string | null };
      return { id: r.id as number, s: r.s as string | null, n: r.n as bigint | null, tags: tags === null ? null : Array.from(tags.toArray()), st: { a: st.a, b: st.b }, vector: Array.from(r.vector as ArrayLike<number>) };
    })
    .sort((x, y) => x.id - y.id);
}

const text = (rows: Row[]): string => JSON.stringify(rows, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

describe('Lance 2.2 datasets (LanceDB 0.39 default) written by both sides', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('default-2-2')));
  afterAll(() => removeDir(root));

  it('a dataset created with storageVersion 2.2 declares 2.2 and its files are 2.2; the default is 2.2 too', () => {
    const dflt = Dataset.createSync(path.join(root, 'default.lance'), batch(APPENDS[1]!));
    const b0 = fs.readFileSync(dflt.fragmentFiles()[0]!.paths[0]!);
    expect([b0.readUInt16LE(b0.length - 8), b0.readUInt16LE(b0.length - 6)]).toEqual([2, 2]);
    dflt.closeSync();
    // 2.0 on request (the default before 2.2): the footer's version is 0.3.
    const v20 = Dataset.createSync(path.join(root, 'v20.lance'), batch(APPENDS[1]!), { storageVersion: '2.0' });
    const c0 = fs.readFileSync(v20.fragmentFiles()[0]!.paths[0]!);
    expect([c0.readUInt16LE(c0.length - 8), c0.readUInt16LE(c0.length - 6)]).toEqual([0, 3]);
    v20.closeSync();
    const dir = path.join(root, 'fresh.lance');
    const ds = Dataset.createSync(dir, batch(APPENDS[1]!), { storageVersion: '2.2' });
    const versions = path.join(dir, '_versions');
    const manifest = decodeManifest(fs.readFileSync(path.join(versions, fs.readdirSync(versions)[0]!)));
    expect(manifest.dataFormat?.version).toBe('2.2');
    for (const p of ds.fragmentFiles().flatMap((f) => f.paths)) {
      const b = fs.readFileSync(p);
      expect([b.readUInt16LE(b.length - 8), b.readUInt16LE(b.length - 6)]).toEqual([2, 2]);
    }
    ds.closeSync();
  });

  it('we read LanceDB’s 1-, 2- and 3-row appends (nulls, constants, nested) exactly, compact them, LanceDB reads the result', async () => {
    const dir = path.join(root, 't.lance');
    const start: Row[] = Array.from({ length: 50 }, (_, i) => ({
      id: i, s: i % 4 === 0 ? null : `s${i}`, n: i % 3 === 0 ? null : BigInt(i) * 1000n, tags: i % 5 === 0 ? null : [`a${i % 3}`],
      st: { a: i % 2 === 0 ? null : i, b: `b${i}` }, vector: [i, 0, 1, 2],
    }));
    (await Dataset.create(dir, batch(start), { storageVersion: '2.2' })).close();
    const want = [...start];
    const db = await lancedb.connect(root);
    const t = await db.openTable('t');
    for (const rows of APPENDS) {
      await t.add(rows as never);
      want.push(...rows);
      const ds = await Dataset.open(dir);
      expect(text(ours(ds))).toBe(text(want));
      await ds.close();
    }
    const ds = await Dataset.open(dir);
    const { dataset: compacted } = await ds.compact();
    expect(compacted.fragmentFiles().length).toBe(1);
    for (const p of compacted.fragmentFiles().flatMap((f) => f.paths)) {
      const b = fs.readFileSync(p);
      expect([b.readUInt16LE(b.length - 8), b.readUInt16LE(b.length - 6)]).toEqual([2, 2]);
    }
    expect(text(ours(compacted))).toBe(text(want));
    expect(text(await theirs(t))).toBe(text(want));
    await Promise.all([ds.close(), compacted.close()]);
  });
});

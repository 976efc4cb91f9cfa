/**
 * Regression test for issue 11 item 7: we could not append to a dataset LanceDB created with its defaults
 * (storage version 2.2), because we wrote only Lance 2.0 data files. Now appends write 2.2 files, with
 * LanceDB's usual shapes (a `string[]` tags column, a struct, a vector), and LanceDB reads every value
 * this test generated, ours and its own.
 */
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Dataset } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

interface Row {
  id: number;
  tags: string[] | null;
  st: { a: number | null; b: string } | null;
  vector: number[];
}

const theirs = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: i, tags: [`a${i}`, 'b'], st: { a: i, b: `x${i}` }, vector: [i, 1, 2, 3] }));
const ours = (from: number, n: number): Row[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { id: i, tags: i % 3 === 0 ? null : i % 3 === 1 ? [] : [`c${i}`, `d${i % 4}`], st: i % 4 === 0 ? null : { a: i % 5 === 0 ? null : i, b: `y${i}` }, vector: [i, 0, 0.5, -i] };
  });

function plain(r: Record<string, unknown>): Row {
  const tags = r.tags as { toArray(): unknown[] } | null;
  const st = r.st as { a: number | null; b: string } | null;
  return { id: r.id as number, tags: tags === null || tags === undefined ? null : (tags.toArray() as string[]), st: st === null || st === undefined ? null : { a: st.a, b: st.b }, vector: Array.from(r.vector as ArrayLike<number>) };
}

describe('issue 11 item 7: appending to a dataset LanceDB created with its defaults (2.2)', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('append-default');
  });
  afterAll(() => removeDir(root));

  it('writes 2.2 files LanceDB reads exactly, beside its own', async () => {
    const db = await lancedb.connect(root);
    const schema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('tags', new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)), true),
      new arrow.Field('st', new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]), true),
      new arrow.Field('vector', new arrow.FixedSizeList(4, new arrow.Field('item', new arrow.Float32(), true)), true),
    ]);
    const t = await db.createTable('t', theirs(60) as never, { schema });
    const dir = path.join(root, 't.lance');
    const ds = await Dataset.open(dir);
    const appended = await ds.append(ours(100, 1500) as never);
    const added = appended.fragmentFiles().slice(1).flatMap((f) => f.paths);
    for (const p of added) {
      const b = fs.readFileSync(p);
      expect([b.readUInt16LE(b.length - 8), b.readUInt16LE(b.length - 6)]).toEqual([2, 2]);
    }
    await t.checkoutLatest();
    const got = (await t.query().limit(10_000).toArray()).map((r) => plain(r as Record<string, unknown>)).sort((x, y) => x.id - y.id);
    expect(JSON.stringify(got)).toBe(JSON.stringify([...theirs(60), ...ours(100, 1500)]));
    await Promise.all([ds.close(), appended.close()]);
  });
});

/**
 * Regression test for issue 11 item 5: overwriting (or appending to, or compacting) a LanceDB 2.0 table whose
 * string column is Arrow LargeUtf8 with nulls wrote a file LanceDB could not read ("invalid variable-width
 * layout for Utf8: expected 32-bit offsets but got 64-bit offsets"). The manifest keeps the column's
 * `large_string` type, and LanceDB 0.39 cannot decode a 2.0 `dictionary` page for it; such columns are now
 * written as plain `binary` pages. LanceDB reads every value; compared with the values this test generated.
 */
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as path from 'node:path';
import { Dataset } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

interface Row {
  id: number;
  s: string | null;
  b: string | null;
}

function rows(n: number, from: number, tag: string): Row[] {
  // Few distinct values and at least 100 rows: the shape our writer dictionary-encodes for Utf8.
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { id: i, s: i % 3 === 0 ? null : `${tag}${i % 5}`, b: i % 4 === 0 ? null : `b${i % 7}` };
  });
}

async function theirRows(t: lancedb.Table): Promise<Row[]> {
  await t.checkoutLatest();
  const got = (await t.query().toArray()).map((r) => ({ id: r.id as number, s: (r.s ?? null) as string | null, b: (r.b ?? null) as string | null }));
  return got.sort((x, y) => x.id - y.id);
}

describe('issue 11 item 5: LanceDB reads our writes to LanceDB tables with large_utf8 columns', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('large-utf8');
  });
  afterAll(() => removeDir(root));

  it('after our overwrite, append and compaction, with nulls and few distinct values', async () => {
    const db = await lancedb.connect(root);
    const schema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('s', new arrow.LargeUtf8(), true),
      new arrow.Field('b', new arrow.Utf8(), true),
    ]);
    const t = await db.createTable('t', rows(300, 0, 'a') as never, { schema, storageOptions: { new_table_data_storage_version: '2.0' } });
    const dir = path.join(root, 't.lance');
    const first = await Dataset.open(dir);
    const replaced = await Dataset.create(dir, await first.toTable(), { mode: 'overwrite' });
    expect(await theirRows(t)).toEqual(rows(300, 0, 'a'));
    const fresh = rows(300, 1000, 'z');
    const over = await Dataset.create(dir, fresh as never, { mode: 'overwrite' });
    expect(await theirRows(t)).toEqual(fresh);
    const appended = await over.append(rows(200, 2000, 'q') as never);
    expect(await theirRows(t)).toEqual([...fresh, ...rows(200, 2000, 'q')]);
    const { dataset: compacted } = await appended.compact();
    expect(await theirRows(t)).toEqual([...fresh, ...rows(200, 2000, 'q')]);
    // The plain Utf8 column keeps its dictionary pages (LanceDB reads those): only large strings lose them.
    const reader = await compacted.toTable();
    expect(reader.numRows).toBe(500);
    for (const d of [first, replaced, over, appended, compacted]) await d.close();
  });

  it('in a LanceDB 2.2 table: our appends (64-bit offset chunks) read exactly by LanceDB', async () => {
    const db = await lancedb.connect(root);
    const schema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('s', new arrow.LargeUtf8(), true),
      new arrow.Field('b', new arrow.Utf8(), true),
    ]);
    const theirs = Array.from({ length: 200 }, (_, i) => ({ id: i, s: i % 9 === 0 ? null : `l${i % 5}`, b: i % 7 === 0 ? null : `b${i}` }));
    const t = await db.createTable('t22', theirs as never, { schema });
    const dir = path.join(root, 't22.lance');
    const ds = await Dataset.open(dir);
    const ours = rows(300, 1000, 'a');
    const appended = await ds.append(ours as never);
    expect(await theirRows(t)).toEqual([...theirs, ...ours]);
    // Compaction reads LanceDB's 2.2 pages and ours and rewrites both as 2.2 with 64-bit offsets.
    const { dataset: compacted } = await appended.compact();
    expect(compacted.schema.field('s')!.type.toString()).toBe('LargeUtf8');
    expect(await theirRows(t)).toEqual([...theirs, ...ours]);
    const back: Row[] = [];
    for (const b of compacted.scanSync()) {
      for (let i = 0; i < b.numRows; i++) back.push({ id: b.column('id').get(i) as number, s: b.column('s').get(i) as string | null, b: b.column('b').get(i) as string | null });
    }
    expect(back.sort((x, y) => x.id - y.id)).toEqual([...theirs, ...ours]);
    for (const d of [ds, appended, compacted]) await d.close();
  });
});

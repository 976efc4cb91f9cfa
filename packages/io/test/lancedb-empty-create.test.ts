/**
 * A dataset created from an empty batch declares the storage version it was created with. Found by the
 * differential campaign (seeds 244 and 266: a first batch of 0 rows): the empty 2.1/2.2 create declared
 * 2.0, so our next append wrote 2.0 files (refusing null structs: "Lance 2.0 files cannot store null
 * structs") and LanceDB's appends wrote 2.0 files too, whatever version was asked for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, Field, Int32, RecordBatch, Schema, Struct, Utf8, decodeManifest, vectorFrom } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

interface Row { id: number; st: { a: number | null; b: string | null } | null }

const SCHEMA = new Schema([
  new Field('id', new Int32(), false),
  new Field('st', new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]), true),
]);

function batch(rows: Row[]): RecordBatch {
  return new RecordBatch(SCHEMA, SCHEMA.fields.map((f) => vectorFrom(f.type, rows.map((r) => r[f.name as keyof Row]))) as never);
}

/** The data storage version the latest manifest declares. */
function declared(dir: string): string | undefined {
  const versions = path.join(dir, '_versions');
  const latest = fs.readdirSync(versions).filter((n) => n.endsWith('.manifest')).sort()[0]!; // v2 naming: latest sorts first
  return decodeManifest(fs.readFileSync(path.join(versions, latest))).dataFormat?.version;
}

/** [major, minor] of every data file's footer, in fragment order. */
function fileVersions(ds: Dataset): number[][] {
  return ds.fragmentFiles().flatMap((f) => f.paths).map((p) => {
    const b = fs.readFileSync(p);
    return [b.readUInt16LE(b.length - 8), b.readUInt16LE(b.length - 6)];
  });
}

const rowsOf = (ds: Dataset): Row[] => [...ds.scanSync()].flatMap((b) => Array.from({ length: b.numRows }, (_, i) => {
  const st = b.column('st').get(i) as { a: number | null; b: string | null } | null;
  return { id: b.column('id').get(i) as number, st: st === null ? null : { a: st.a, b: st.b } };
}));

describe.each(['2.1', '2.2'] as const)('an empty Lance %s create', (version) => {
  let root: string;
  beforeEach(() => (root = makeTempDir('empty-create')));
  afterEach(() => removeDir(root));

  it('declares its version; our appends (null structs) and LanceDB’s write files of it, both read every row', async () => {
    const dir = path.join(root, 't.lance');
    const minor = version === '2.1' ? 1 : 2;
    let ds = Dataset.createSync(dir, batch([]), { storageVersion: version });
    expect(declared(dir)).toBe(version);
    const ours: Row[] = [{ id: 0, st: null }, { id: 1, st: { a: 1, b: null } }];
    ds = ds.appendSync(batch(ours));
    ds.closeSync();
    const db = await lancedb.connect(root);
    const t = await db.openTable('t');
    await t.add([{ id: 2, st: { a: null, b: 'x' } }] as never);
    const all: Row[] = [...ours, { id: 2, st: { a: null, b: 'x' } }];
    const got = (await t.query().toArray()) as { id: number; st: { a: number | null; b: string | null } | null }[];
    expect(got.map((r) => ({ id: r.id, st: r.st === null ? null : { a: r.st.a, b: r.st.b } })).sort((x, y) => x.id - y.id)).toEqual(all);
    t.close();
    db.close();
    const back = Dataset.openSync(dir);
    expect(fileVersions(back)).toEqual([[2, minor], [2, minor]]);
    expect(rowsOf(back)).toEqual(all);
    back.closeSync();
  });
});

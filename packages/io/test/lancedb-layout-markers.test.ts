/**
 * Fields whose metadata asks Lance for a layout of its own: a packed struct (`"lance-encoding:packed"` or
 * `"packed"` = `true`, any case) and a blob (`"lance-encoding:blob"`). LanceDB 0.39 writes them so, and
 * reads any field carrying the marker so. Found by the differential campaign's encoding hints: LanceDB's
 * files failed to open here (CorruptDataError: "the schema needs N columns, the footer says M"), and our
 * files with the marker on a field, written plainly, failed in LanceDB ("more fields in the schema than
 * provided column indices") or read there in the wrong layout. Now such a column is an unsupported column
 * (NotSupportedError naming the layout; the others read), and our writer refuses the marker.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, Field, Float64, Int32, LargeBinary, NotSupportedError, RecordBatch, Schema, Struct, vectorFrom } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const N = 300;
const rows = Array.from({ length: N }, (_, i) => ({ id: i, p: { x: i, y: i / 4 }, b: i % 5 === 0 ? null : Buffer.from(`blob ${i}`), after: `row ${i}` }));
const packedStruct = (key: string, value: string): arrow.Field =>
  new arrow.Field('p', new arrow.Struct([new arrow.Field('x', new arrow.Int32(), true), new arrow.Field('y', new arrow.Float64(), true)]), true, new Map([[key, value]]));

describe.each([
  ['2.0', '2.0', true],
  ['2.1', '2.1', true],
  // LanceDB refuses the first blob layout in 2.2 tables ("Legacy blob columns … not supported").
  ['2.2 (LanceDB default)', null, false],
])('LanceDB %s tables with a packed struct and a blob column', (_name, version, blob) => {
  let root: string;
  let dir: string;
  beforeAll(async () => {
    root = makeTempDir('layout-markers');
    const fields = [
      new arrow.Field('id', new arrow.Int32(), false),
      packedStruct(version === '2.1' ? 'packed' : 'lance-encoding:packed', version === '2.1' ? 'TRUE' : 'true'),
      new arrow.Field('b', new arrow.LargeBinary(), true, blob ? new Map([['lance-encoding:blob', 'true']]) : new Map()),
      new arrow.Field('after', new arrow.Utf8(), true),
    ];
    const db = await lancedb.connect(root);
    const opts = version === null ? { schema: new arrow.Schema(fields) } : { schema: new arrow.Schema(fields), storageOptions: { new_table_data_storage_version: version } };
    const t = await db.createTable('t', rows as never, opts);
    // LanceDB reads its own table back.
    const theirs = (await t.query().toArray()) as { id: number; p: { x: number; y: number } | null; after: string }[];
    expect(theirs.map((r) => (r.p === null ? null : { x: r.p.x, y: r.p.y }))).toEqual(rows.map((r) => r.p));
    t.close();
    dir = path.join(root, 't.lance');
  });
  afterAll(() => removeDir(root));

  it('reads the other columns, and refuses the marked ones by name with NotSupportedError', async () => {
    const ds = Dataset.openSync(dir);
    const unsupported = ds.unsupportedColumns.map((u) => `${u.name}: ${u.logicalType}`);
    expect(unsupported[0]).toMatch(/^p: struct stored as a packed struct \("(lance-encoding:)?packed": "(true|TRUE)"\)$/);
    if (blob) expect(unsupported[1]).toBe('b: large_binary stored as a blob ("lance-encoding:blob")');
    expect(ds.schema.fields.map((f) => f.name)).toEqual(blob ? ['id', 'after'] : ['id', 'b', 'after']);
    expect(plainColumn([...ds.scanSync({ columns: ['after', 'id'] })], 'after')).toEqual(rows.map((r) => r.after));
    expect(plainColumn([await ds.take([N - 1, 3], { columns: ['id'] })], 'id')).toEqual([N - 1, 3]);
    if (!blob) expect(plainColumn([...ds.scanSync({ columns: ['b'] })], 'b').map((v) => (v === null ? null : Buffer.from(v as Uint8Array).toString()))).toEqual(rows.map((r) => (r.b === null ? null : r.b.toString())));
    expect(() => [...ds.scanSync({ columns: ['p'] })]).toThrow(/column "p" of .* has type struct stored as a packed struct/);
    expect(() => [...ds.scanSync()]).toThrow(NotSupportedError);
    // Our append would write the struct plainly where LanceDB reads it packed: refused, nothing written.
    const before = fs.readdirSync(path.join(dir, 'data')).length;
    expect(() => Dataset.createSync(dir, [{ id: N, after: 'x' }], { mode: 'append' })).toThrow(NotSupportedError);
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(before);
    ds.closeSync();
  });
});

describe('writing a field whose metadata asks for a layout we do not write', () => {
  const struct = new Struct([new Field('x', new Int32(), true), new Field('y', new Float64(), true)]);
  const cases: [string, Field][] = [
    ['a packed struct ("lance-encoding:packed")', new Field('p', struct, true, new Map([['lance-encoding:packed', 'true']]))],
    ['a packed struct (the older "packed" key, any case)', new Field('p', struct, true, new Map([['packed', 'True']]))],
    ['a packed struct inside a struct', new Field('outer', new Struct([new Field('p', struct, true, new Map([['packed', 'true']]))]), true)],
    ['a blob', new Field('p', new LargeBinary(), true, new Map([['lance-encoding:blob', 'true']]))],
    ['a blob (the Arrow extension lance.blob.v2)', new Field('p', new LargeBinary(), true, new Map([['ARROW:extension:name', 'lance.blob.v2']]))],
  ];

  it.each(cases)('refuses %s with NotSupportedError and writes nothing', (_what, field) => {
    const root = makeTempDir('layout-markers-write');
    try {
      const schema = new Schema([new Field('id', new Int32(), false), field]);
      const values = field.type.typeId === 17 && field.name === 'outer' ? [{ p: { x: 1, y: 2 } }] : field.type.typeId === 17 ? [{ x: 1, y: 2 }] : [Buffer.from('z')];
      const batch = new RecordBatch(schema, [vectorFrom(new Int32(), [1]), vectorFrom(field.type, values)] as never);
      for (const storageVersion of ['2.0', '2.1', '2.2'] as const) {
        const dir = path.join(root, `t${storageVersion}.lance`);
        expect(() => Dataset.createSync(dir, batch, { storageVersion })).toThrow(/asks for a (packed struct|blob).*does not write/);
        expect(fs.existsSync(path.join(dir, '_versions'))).toBe(false);
      }
      // Without the marker the same field writes (and reads back).
      const plainType = field.name === 'outer' ? new Struct([new Field('p', struct, true)]) : field.type;
      const plain = new Schema([new Field('id', new Int32(), false), new Field(field.name, plainType, true)]);
      const ds = Dataset.createSync(path.join(root, 'plain.lance'), new RecordBatch(plain, [batch.columns[0]!, vectorFrom(plainType, values)] as never));
      expect(ds.countRows()).toBe(1);
      ds.closeSync();
    } finally {
      removeDir(root);
    }
  });
});

/**
 * Issue 11, `list.struct`: a list of structs is written with Lance's `list.struct` logical type (LanceDB 0.39
 * writes that name for `List<Struct>` in 2.0, 2.1 and 2.2 files; found by dumping its file descriptors), and
 * LanceDB reads our files with the values this test generated (null lists, empty lists, null structs where
 * the version stores them, null members).
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, tempDir, writeFile, writeTable } from './helpers';
import { queryRows, type Row } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Int32, Utf8, List, Struct, vectorFrom } = F;

const item = new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]);
const schema = new Schema([
  new Field('id', new Int32(), false),
  new Field('ls', new List(new Field('item', item))),
  new Field('after', new Utf8()),
]);

function batch(n: number, nullStructs: boolean): F.RecordBatch {
  const gen: Record<string, (i: number) => unknown> = {
    id: (i) => i,
    ls: (i) => (i % 7 === 3 ? null : Array.from({ length: i % 4 }, (_, k) => (nullStructs && k === 2 ? null : { a: k === 1 ? null : i * 10 + k, b: i % 5 === 0 ? null : `b${i}-${k}` }))),
    after: (i) => `after ${i}`,
  };
  return new RecordBatch(schema, schema.fields.map((f) => vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(i)))) as never);
}

describe.each(['2.0', '2.1', '2.2'] as const)('lists of structs in Lance %s files', (version) => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir('vego-list-struct-')));
  afterAll(() => tmp.cleanup());

  it('are named list.struct and read by LanceDB and by us with the generated values', async () => {
    // 2.0 cannot store null structs (LanceDB refuses them too); 2.1/2.2 can.
    const b = batch(700, version !== '2.0');
    const { bytes, summary } = writeFile(schema, [b], { version });
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    expect(F.schemaToLanceFields(schema).map((f) => f.logicalType)).toEqual(['int32', 'list.struct', 'struct', 'int32', 'string', 'string']);
    expect(reader.schema.fields[1]!.type.equals(schema.fields[1]!.type)).toBe(true);
    const ours = reader.readSync();
    writeTable(tmp.dir, 'ls', schema, bytes, summary.numRows, version);
    const rows: Row[] = await queryRows(await (await lancedb.connect(tmp.dir)).openTable('ls'));
    for (const f of schema.fields) {
      const want = plainColumn(b, f.name);
      expect({ f: f.name, v: plainColumn(ours, f.name) }).toEqual({ f: f.name, v: want });
      expect({ f: f.name, v: rows.map((r) => r[f.name]) }).toEqual({ f: f.name, v: want });
    }
  });
});

describe('what only Lance 2.0 files take here', () => {
  it('lists of lists and fixed-size lists of bools in 2.0 files read in LanceDB with the generated values (2.1/2.2 refuse the bools, typed)', async () => {
    const tmp = tempDir('vego-2-0-only-');
    try {
      const s = new Schema([
        new Field('id', new Int32(), false),
        new Field('ll', new List(new Field('item', new List(new Field('item', new Int32()))))),
        new Field('fb', new F.FixedSizeList(new Field('item', new F.Bool()), 3)),
      ]);
      const n = 300;
      const gen: Record<string, (i: number) => unknown> = {
        id: (i) => i,
        ll: (i) => (i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : [i, k]))),
        fb: (i) => (i % 7 === 0 ? null : [i % 2 === 0, true, i % 3 === 0]),
      };
      const b = new RecordBatch(s, s.fields.map((f) => vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(i)))) as never);
      const { bytes } = writeFile(s, [b], { version: '2.0' });
      writeTable(tmp.dir, 'only20', s, bytes, n, '2.0');
      const rows: Row[] = await queryRows(await (await lancedb.connect(tmp.dir)).openTable('only20'));
      for (const f of s.fields) expect({ f: f.name, v: rows.map((r) => r[f.name]) }).toEqual({ f: f.name, v: plainColumn(b, f.name) });
      for (const version of ['2.1', '2.2'] as const) {
        expect(() => writeFile(new Schema([s.fields[2]!]), [new RecordBatch(new Schema([s.fields[2]!]), [b.columns[2]!] as never)], { version })).toThrow(F.NotSupportedError);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

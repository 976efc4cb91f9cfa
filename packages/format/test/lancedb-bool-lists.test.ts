/**
 * Bools in list columns of LanceDB's 2.1/2.2 files: a mini-block chunk of a list column holds however many
 * values its rows have, and the reader joined the chunks' bit-packed values byte by byte, so every bool after
 * a chunk of 8k + r values was read shifted by 8 − r bits: wrong values from the second chunk on, with no
 * error (`src/v2_1/page-rows.ts`, `concatBitBlocks`). Found by the differential campaign (seed 2302,
 * `List<List<Bool>>`). Values are compared with what LanceDB returns for the same file; and the other way,
 * our files of bool lists (many chunks, and pages of ~300 bytes) as LanceDB and we read them.
 */
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, rng, tempDir, writeFile, writeTable } from './helpers';
import { lanceDbFile, listOf, queryRows } from './fixtures/lancedb';

describe.each([['2.1', '2.1'], ['2.2', null]] as const)('bools in lists of LanceDB %s files, over many chunks', (_name, version) => {
  it('read as LanceDB returns them, whole and by row ranges', async () => {
    const tmp = tempDir('vego-bool-lists-');
    try {
      const r = rng(7);
      const n = 6000;
      const bools = (max: number): (boolean | null)[] => Array.from({ length: Math.floor(r() * max) }, () => (r() < 0.05 ? null : r() < 0.5));
      const schema = new arrow.Schema([
        new arrow.Field('id', new arrow.Int32(), false),
        new arrow.Field('l', listOf(new arrow.Bool()), true),
        new arrow.Field('ll', listOf(listOf(new arrow.Bool())), false),
        new arrow.Field('b', new arrow.Bool(), true),
      ]);
      const rows = Array.from({ length: n }, (_, i) => ({
        id: i,
        l: r() < 0.1 ? null : bools(13),
        ll: Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.1 ? null : bools(11))),
        b: r() < 0.1 ? null : r() < 0.5,
      }));
      const { file, expected } = await lanceDbFile(tmp.dir, schema, rows, version);
      const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
      const all = reader.readSync();
      for (const name of ['l', 'll', 'b']) expect([name, plainColumn(all, name)]).toEqual([name, expected.map((x) => x[name])]);
      const part = reader.readSync({ offset: 2345, limit: 1111 });
      for (const name of ['l', 'll', 'b']) expect([name, plainColumn(part, name)]).toEqual([name, expected.slice(2345, 3456).map((x) => x[name])]);
    } finally {
      tmp.cleanup();
    }
  });
});

describe.each([['2.1', undefined], ['2.2', 300], ['2.1', 300], ['2.0', 300]] as const)('bools in lists of our %s files (page bytes %s)', (version, page) => {
  it('LanceDB and vego read the values written', async () => {
    const tmp = tempDir('vego-our-bool-lists-');
    try {
      const r = rng(3);
      const item = (t: F.DataType): F.Field => new F.Field('item', t);
      const schema = new F.Schema([
        new F.Field('id', new F.Int32(), false),
        new F.Field('l', new F.List(item(new F.Bool()))),
        new F.Field('ll', new F.List(item(new F.List(item(new F.Bool()))))),
        new F.Field('b', new F.Bool()),
      ]);
      const n = 3000;
      const bools = (max: number): (boolean | null)[] => Array.from({ length: Math.floor(r() * max) }, () => (r() < 0.05 ? null : r() < 0.5));
      const gen: Record<string, (i: number) => unknown> = {
        id: (i) => i,
        l: () => (r() < 0.1 ? null : bools(13)),
        ll: () => (r() < 0.1 ? null : Array.from({ length: Math.floor(r() * 5) }, () => (r() < 0.1 ? null : bools(11)))),
        b: () => (r() < 0.1 ? null : r() < 0.5),
      };
      const b = new F.RecordBatch(schema, schema.fields.map((f) => F.vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(i)))) as never);
      const { bytes, summary } = writeFile(schema, [b], page === undefined ? { version } : { version, pageByteLength: page });
      const ours = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
      writeTable(tmp.dir, 't', schema, bytes, summary.numRows, version);
      const rows = await queryRows(await (await lancedb.connect(tmp.dir)).openTable('t'));
      for (const f of schema.fields) {
        const want = plainColumn(b, f.name);
        expect({ f: f.name, ours: plainColumn(ours, f.name) }).toEqual({ f: f.name, ours: want });
        expect({ f: f.name, lancedb: rows.map((x) => x[f.name]) }).toEqual({ f: f.name, lancedb: want });
      }
    } finally {
      tmp.cleanup();
    }
  });
});

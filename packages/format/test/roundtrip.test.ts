/** Writer → reader round trips over seeded random schemas and data; projection, row ranges, footer-only opening. */
import * as F from '@vego/format';
import { CountingSource, plain, plainColumn, RoundCountingSource, rng, writeFile } from './helpers';

const { Field, Schema, RecordBatch, vectorFrom } = F;

type Gen = () => unknown;

function randomType(r: () => number, depth: number): { type: F.DataType; gen: (r: () => number) => Gen } {
  const k = Math.floor(r() * (depth > 1 ? 14 : 17));
  const num = (make: () => F.DataType, f: (r: () => number) => unknown) => ({ type: make(), gen: (rr: () => number) => () => f(rr) });
  switch (k) {
    case 0: return num(() => new F.Int8(), (rr) => Math.floor(rr() * 256) - 128);
    case 1: return num(() => new F.Int16(), (rr) => Math.floor(rr() * 65536) - 32768);
    case 2: return num(() => new F.Int32(), (rr) => Math.floor(rr() * 4294967296) - 2147483648);
    case 3: return num(() => new F.Int64(), (rr) => BigInt(Math.floor(rr() * 2 ** 53)) * (rr() < 0.5 ? -1n : 1n));
    case 4: return num(() => new F.Uint8(), (rr) => Math.floor(rr() * 256));
    case 5: return num(() => new F.Uint16(), (rr) => Math.floor(rr() * 65536));
    case 6: return num(() => new F.Uint32(), (rr) => Math.floor(rr() * 4294967296));
    case 7: return num(() => new F.Uint64(), (rr) => BigInt(Math.floor(rr() * 2 ** 53)) << 11n);
    case 8: return num(() => new F.Float32(), (rr) => [NaN, -0, Infinity, -Infinity][Math.floor(rr() * 12)] ?? Math.fround(rr() * 1e3));
    case 9: return num(() => new F.Float64(), (rr) => [NaN, -0, Infinity][Math.floor(rr() * 12)] ?? rr() * 1e9);
    case 10: return num(() => new F.Bool(), (rr) => rr() < 0.5);
    case 11: return num(() => new F.Utf8(), (rr) => (rr() < 0.2 ? '' : 'ü'.repeat(Math.floor(rr() * 5)) + String(rr())));
    case 12: return num(() => new F.Binary(), (rr) => Uint8Array.from({ length: Math.floor(rr() * 6) }, () => Math.floor(rr() * 256)));
    case 13: {
      const dim = 1 + Math.floor(r() * 9);
      const inner = [new F.Float32(), new F.Int16(), new F.Float64(), new F.Uint8()][Math.floor(r() * 4)]!;
      return {
        type: new F.FixedSizeList(new Field('item', inner), dim),
        gen: (rr) => () => Array.from({ length: dim }, () => (rr() < 0.1 ? null : inner.typeId === F.TypeId.Uint8 ? Math.floor(rr() * 256) : Math.floor(rr() * 100) - 50)),
      };
    }
    case 14: return num(() => new F.Float16(), (rr) => Math.floor(rr() * 64) / 4);
    case 15: {
      const child = randomType(r, depth + 1);
      return {
        type: new F.List(new Field('item', child.type)),
        gen: (rr) => {
          const g = child.gen(rr);
          return () => Array.from({ length: Math.floor(rr() * 4) }, () => (rr() < 0.15 && child.type.typeId !== F.TypeId.Struct ? null : g()));
        },
      };
    }
    default: {
      const kids = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => ({ name: `f${i}`, ...randomType(r, depth + 1) }));
      return {
        type: new F.Struct(kids.map((c) => new Field(c.name, c.type))),
        gen: (rr) => {
          const gs = kids.map((c) => c.gen(rr));
          return () => Object.fromEntries(kids.map((c, i) => [c.name, rr() < 0.15 && c.type.typeId !== F.TypeId.Struct ? null : gs[i]!()]));
        },
      };
    }
  }
}

function randomTable(seed: number): { schema: F.Schema; batches: F.RecordBatch[] } {
  const r = rng(seed);
  const numFields = 1 + Math.floor(r() * 6);
  const specs = Array.from({ length: numFields }, (_, i) => ({ name: `c${i}`, ...randomType(r, 0), nullRate: [0, 0.3, 1][Math.floor(r() * 3)]! }));
  const schema = new Schema(specs.map((s) => new Field(s.name, s.type)));
  const batches: F.RecordBatch[] = [];
  const numBatches = 1 + Math.floor(r() * 3);
  for (let b = 0; b < numBatches; b++) {
    const n = [0, 1, 7, 64, 300][Math.floor(r() * 5)]!;
    const cols = specs.map((s) => {
      const g = s.gen(r);
      const structs = s.type.typeId === F.TypeId.Struct; // Lance 2.0 cannot store null structs
      return vectorFrom(s.type, Array.from({ length: n }, () => (!structs && r() < s.nullRate ? null : g())));
    });
    batches.push(new RecordBatch(schema, cols as never));
  }
  return { schema, batches };
}

describe('LanceFileWriter → LanceFileReader', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`round-trips random schema and data (seed ${seed})`, async () => {
      const { schema, batches } = randomTable(seed);
      const pageByteLength = [64, 1000, 1 << 20][seed % 3]!;
      const { bytes, summary } = writeFile(schema, batches, { pageByteLength });
      const total = batches.reduce((s, b) => s + b.numRows, 0);
      expect(summary.numRows).toBe(total);
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      expect(reader.numRows).toBe(total);
      expect(reader.schema.fields.map((f) => f.type.toString())).toEqual(schema.fields.map((f) => f.type.toString()));
      const all = reader.readSync();
      for (const f of schema.fields) {
        const want = batches.flatMap((b) => plainColumn(b, f.name));
        expect(plainColumn(all, f.name)).toEqual(want);
        // a row range of one column, through the async path
        const a = Math.floor(total / 3);
        const part = await F.LanceFileReader.open(new F.MemorySource(bytes)).then((rd) => rd.read({ columns: [f.name], offset: a, limit: 17 }));
        expect(plainColumn(part, f.name)).toEqual(want.slice(a, a + 17));
      }
    });
  }

  it('writes an empty file (no rows) that reads back empty', () => {
    const schema = new Schema([new Field('x', new F.Int32()), new Field('s', new F.Utf8())]);
    const { bytes, summary } = writeFile(schema, []);
    expect(summary.numRows).toBe(0);
    const batch = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    expect(batch.numRows).toBe(0);
    expect(batch.schema.fields.map((f) => f.name)).toEqual(['x', 's']);
  });

  it('opens reading only the footer, the offset tables and the schema', () => {
    const n = 5000;
    const schema = new Schema([new Field('a', new F.Float64()), new Field('b', new F.Utf8()), new Field('v', new F.FixedSizeList(new Field('item', new F.Float32()), 32))]);
    const batch = new RecordBatch(schema, [
      vectorFrom(new F.Float64(), Array.from({ length: n }, (_, i) => i)),
      vectorFrom(new F.Utf8(), Array.from({ length: n }, (_, i) => `s${i}`)),
      F.fixedSizeListFromFloat32(new Float32Array(n * 32).map((_, i) => i), 32),
    ] as never);
    const { bytes } = writeFile(schema, [batch], { pageByteLength: 16384 });
    const src = new CountingSource(bytes);
    const reader = F.LanceFileReader.openSync(src);
    expect(reader.numRows).toBe(n);
    expect(reader.schema.fields.map((f) => f.name)).toEqual(['a', 'b', 'v']);
    expect(src.reads.length).toBe(4); // footer, CMO table, GBO table, file descriptor
    expect(src.reads[0]).toEqual([bytes.length - 40, 40]);
    expect(src.bytesRead()).toBeLessThan(600);

    // projection: only column `a`'s metadata and pages are touched
    src.reads.length = 0;
    const onlyA = reader.readSync({ columns: ['a'] });
    expect(plainColumn(onlyA, 'a')).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(src.bytesRead()).toBeLessThan(n * 8 + 4096);

    // row range: only the pages holding rows [4000, 4010) of `v`
    src.reads.length = 0;
    const few = reader.readSync({ columns: ['v'], offset: 4000, limit: 10 });
    expect(plain(few.columns[0]!.data as F.ArrayData)[0]).toEqual(Array.from({ length: 32 }, (_, k) => 4000 * 32 + k));
    expect(src.bytesRead()).toBeLessThan(16384 * 2 + 8192);
  });

  it('reads only the bytes of the rows wanted from fixed-width pages, and whole pages otherwise', async () => {
    const n = 10_000;
    const schema = new Schema([
      new Field('x', new F.Float64(), false),
      new Field('v', new F.FixedSizeList(new Field('item', new F.Float32(), false), 4), false),
      new Field('y', new F.Float64()),
    ]);
    const batch = new RecordBatch(schema, [
      vectorFrom(new F.Float64(), Array.from({ length: n }, (_, i) => i * 1.5)),
      vectorFrom(schema.fields[1]!.type, Array.from({ length: n }, (_, i) => [i, i + 1, i + 2, i + 3])),
      vectorFrom(new F.Float64(), Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : -i))),
    ]);
    const { bytes } = writeFile(schema, [batch]);
    const src = new CountingSource(bytes);
    const reader = F.LanceFileReader.openSync(src);
    reader.readSync({ columns: ['x', 'v', 'y'], offset: 0, limit: 1 }); // loads the column metadata
    for (const [column, rowBytes] of [['x', 8], ['v', 16]] as const) {
      src.reads.length = 0;
      const one = reader.readSync({ columns: [column], offset: 1234, limit: 3 });
      expect(src.bytesRead()).toBe(3 * rowBytes);
      expect(plainColumn(one, column)).toEqual(plainColumn(batch.slice(1234, 1237), column));
    }
    const asyncReader = await F.LanceFileReader.open(new CountingSource(bytes));
    const last = await asyncReader.read({ offset: n - 2, limit: 5 });
    for (const column of ['x', 'v', 'y']) expect(plainColumn(last, column)).toEqual(plainColumn(batch.slice(n - 2, n), column));
    // A page with nulls is read whole and sliced.
    src.reads.length = 0;
    const y = reader.readSync({ columns: ['y'], offset: 1234, limit: 3 });
    expect(plainColumn(y, 'y')).toEqual([-1234, -1235, null]);
    expect(src.bytesRead()).toBeGreaterThan(n * 8);
  });

  it('reads several columns asynchronously in two I/O rounds (metadata, then pages), not two per column', async () => {
    const n = 3000;
    const schema = new Schema([
      new Field('id', new F.Int32(), false),
      new Field('x', new F.Float64()),
      new Field('name', new F.Utf8()),
      new Field('cat', new F.Utf8()),
      new Field('v', new F.FixedSizeList(new Field('item', new F.Float32()), 8)),
    ]);
    const batch = new RecordBatch(schema, [
      vectorFrom(new F.Int32(), Array.from({ length: n }, (_, i) => i)),
      vectorFrom(new F.Float64(), Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i / 4))),
      vectorFrom(new F.Utf8(), Array.from({ length: n }, (_, i) => `name ${i}`)),
      vectorFrom(new F.Utf8(), Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : ['a', 'bb', 'ccc'][i % 3]!))),
      F.fixedSizeListFromFloat32(new Float32Array(n * 8).map((_, i) => i), 8),
    ] as never);
    const { bytes } = writeFile(schema, [batch], { pageByteLength: 8192 });
    const src = new RoundCountingSource(bytes);
    const reader = await F.LanceFileReader.open(src);
    expect(src.rounds).toBe(3); // footer; offset tables; file descriptor
    src.reset();
    const all = await reader.read();
    expect(src.rounds).toBe(2);
    expect(src.reads[0]!.length).toBe(5); // the five columns' metadata together
    expect(src.reads[1]!.length).toBeGreaterThan(5); // every page buffer of every column together
    const sync = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    for (const f of schema.fields) expect(plainColumn(all, f.name)).toEqual(plainColumn(sync, f.name));
    expect(plainColumn(all, 'cat').slice(0, 4)).toEqual([null, 'bb', 'ccc', 'a']);
    // A row range: metadata is cached, so one round for the pages of all five columns.
    src.reset();
    const few = await reader.read({ offset: 1500, limit: 20 });
    expect(src.rounds).toBe(1);
    for (const f of schema.fields) expect(plainColumn(few, f.name)).toEqual(plainColumn(sync, f.name).slice(1500, 1520));
  });

  it('reads a list and a struct column asynchronously in three rounds (metadata, list offsets and leaves, list items)', async () => {
    const n = 500;
    const listType = new F.List(new Field('item', new F.Int32()));
    const structType = new F.Struct([new Field('a', new F.Int32()), new Field('b', new F.Utf8())]);
    const schema = new Schema([new Field('l', listType), new Field('s', structType), new Field('k', new F.Int32())]);
    const batch = new RecordBatch(schema, [
      vectorFrom(listType, Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => i + k)))),
      vectorFrom(structType, Array.from({ length: n }, (_, i) => ({ a: i, b: `b${i % 9}` }))),
      vectorFrom(new F.Int32(), Array.from({ length: n }, (_, i) => -i)),
    ] as never);
    const { bytes } = writeFile(schema, [batch]);
    const src = new RoundCountingSource(bytes);
    const reader = await F.LanceFileReader.open(src);
    src.reset();
    const all = await reader.read();
    expect(src.rounds).toBe(3);
    const sync = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    for (const f of schema.fields) expect(plainColumn(all, f.name)).toEqual(plainColumn(sync, f.name));
  });

  it('dictionary-encodes strings by their bytes (sliced input, nulls, empty and near-duplicate items, up to the item limit)', () => {
    const r = rng(77);
    const pool = Array.from({ length: 254 }, (_, k) => (k === 0 ? '' : k === 1 ? 'ab' : k === 2 ? 'ba' : k === 3 ? 'ab\u0000' : `${'é'.repeat(k % 5)}item-${k}-${'x'.repeat(Math.floor(r() * 40))}`));
    const n = 3000;
    const values = Array.from({ length: n + 7 }, (_, i) => (i % 17 === 0 ? null : pool[Math.floor(r() * pool.length)]!));
    const full = vectorFrom(new F.Utf8(), values);
    const schema = new Schema([new Field('s', new F.Utf8())]);
    const sliced = (full.data as F.ArrayData).slice(7, 7 + n);
    const batch = new RecordBatch(schema, [F.makeVector(sliced)] as never);
    for (const [maxItems, kind] of [[256, 'dictionary'], [200, 'binary']] as const) {
      const { bytes } = writeFile(schema, [batch], { dictionary: { minRows: 100, maxItems } });
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      expect(reader.columnMetadataSync(0).pages[0]!.encoding.kind).toBe(kind);
      expect(plainColumn(reader.readSync(), 's')).toEqual(values.slice(7, 7 + n));
    }
  });

  it('rejects bad read options with typed errors', () => {
    const schema = new Schema([new Field('a', new F.Int32())]);
    const { bytes } = writeFile(schema, [new RecordBatch(schema, [vectorFrom(new F.Int32(), [1, 2, 3])] as never)]);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    expect(() => reader.readSync({ columns: ['zzz'] })).toThrow(F.NotFoundError);
    expect(() => reader.readSync({ offset: 4 })).toThrow(F.OutOfRangeError);
    expect(() => reader.readSync({ offset: -1 })).toThrow(F.InvalidArgumentError);
    expect(plainColumn(reader.readSync({ offset: 3 }), 'a')).toEqual([]);
  });

  it('refuses null structs (Lance 2.0 cannot store them) with NotSupportedError', () => {
    const t = new F.Struct([new Field('a', new F.Int32())]);
    const schema = new Schema([new Field('s', t)]);
    const batch = new RecordBatch(schema, [vectorFrom(t, [{ a: 1 }, null])] as never);
    const w = new F.LanceFileWriter(new F.MemorySink(), schema);
    expect(() => {
      w.write(batch);
      w.finish();
    }).toThrow(F.NotSupportedError);
  });
});

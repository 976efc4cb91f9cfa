/**
 * Columns whose pages describe their levels with different layers (each page says only which nulls and
 * empty lists its own rows hold, in LanceDB's files as in ours): the reader joined such pages with the
 * first page's layers, so a later page's empty lists read as null ones, or its null lists as lists of a
 * null item, or the read failed (`src/v2_1/layer-union.ts` renumbers each page's definition levels into
 * the union of the pages' layers). LanceDB itself gives every page the layers of the field's nullability,
 * and fails to read a nullable struct holding a list whose pages differ: our nested columns now take
 * their layers from the schema too (`src/write/repdef.ts`), while top-level columns keep per-page layers.
 * Checked on files of ours cut into pages of a few rows (read here and by LanceDB), and on a LanceDB file
 * of many pages whose rows differ in nulls and empty lists.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { RepDefLayer } from '../src/v2_1/layout';
import { runTaskSync } from '../src/effects';
import { sourceTask } from '../src/internal/io';
import type { Io } from '../src/internal/io';
import { renumberDefinitions, unionLayers } from '../src/v2_1/layer-union';
import * as lancedb from '@lancedb/lancedb';
import { plainColumn, tempDir, writeFile, writeTable } from './helpers';
import { createLanceDbTable, listOf, onlyDataFile, queryRows } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Int32, List, Struct, vectorFrom } = F;

describe('pages of one column with different layers', () => {
  it('renumbers definition levels into the union of the layers', () => {
    const a = [RepDefLayer.NullableItem, RepDefLayer.NullableList]; // 1 null item, 2 null list
    const b = [RepDefLayer.AllValidItem, RepDefLayer.EmptyableList]; // 1 empty list
    const u = unionLayers([a, b], 'c');
    expect(u).toEqual([RepDefLayer.NullableItem, RepDefLayer.NullAndEmptyList]); // 1 null item, 2 null list, 3 empty list
    expect(Array.from(renumberDefinitions(Uint16Array.of(0, 1, 2), a, u))).toEqual([0, 1, 2]);
    expect(Array.from(renumberDefinitions(Uint16Array.of(0, 1, 0, 1), b, u))).toEqual([0, 3, 0, 3]);
    // A level the page's own layers do not have stays out of range (the assembly refuses it).
    expect(Array.from(renumberDefinitions(Uint16Array.of(2), b, u))).toEqual([0xffff]);
    expect(() => unionLayers([[RepDefLayer.AllValidItem, RepDefLayer.AllValidList], [RepDefLayer.AllValidItem, RepDefLayer.NullableItem]], 'c')).toThrow(F.CorruptDataError);
    expect(() => unionLayers([[RepDefLayer.AllValidItem], [RepDefLayer.AllValidItem, RepDefLayer.AllValidList]], 'c')).toThrow(F.CorruptDataError);
  });

  const item = (t: F.DataType): F.Field => new Field('item', t);
  const schema = new Schema([
    new Field('l', new List(item(new Int32()))),
    new Field('ll', new List(item(new List(item(new Int32()))))),
    new Field('s', new Struct([new Field('x', new Int32()), new Field('ls', new List(item(new Int32())))])),
  ]);

  it.each(['2.1', '2.2'] as const)('reads our %s files of pages of a few rows (nulls and empty lists in some pages only)', async (version) => {
    // Batches of one shape each: a page with null items, one with empty lists only, one with null lists only, ...
    const shapes: Record<string, unknown[]>[] = [
      { l: [[1, null], [2]], ll: [[[1, null]], [[2]]], s: [{ x: null, ls: [1, null] }, { x: 2, ls: [3] }] },
      { l: [[], [3]], ll: [[], [[]]], s: [{ x: 3, ls: [] }, { x: 4, ls: [5] }] },
      { l: [null, [4, 5]], ll: [null, [null, [6]]], s: [null, { x: 5, ls: null }] },
      { l: [[6], [7]], ll: [[[7]], [[8, 9]]], s: [{ x: 6, ls: [8] }, { x: 7, ls: [9] }] },
      { l: [[], null], ll: [[[]], []], s: [{ x: null, ls: [] }, null] },
    ];
    const batches = shapes.map((c) => new RecordBatch(schema, schema.fields.map((f) => vectorFrom(f.type, c[f.name]!)) as never));
    const { bytes } = writeFile(schema, batches, { version, pageByteLength: 8 });
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    for (let c = 0; c < 4; c++) expect(reader.columnSummarySync(c).pages).toBeGreaterThanOrEqual(5);
    const all = reader.readSync();
    for (const f of schema.fields) expect([f.name, plainColumn(all, f.name)]).toEqual([f.name, batches.flatMap((b) => plainColumn(b, f.name))]);
    const tmp = tempDir('vego-page-layers-ours-');
    try {
      writeTable(tmp.dir, 'ours', schema, bytes, 10, version);
      const rows = await queryRows(await (await lancedb.connect(tmp.dir)).openTable('ours'));
      for (const f of schema.fields) expect([f.name, rows.map((r) => r[f.name])]).toEqual([f.name, batches.flatMap((b) => plainColumn(b, f.name))]);
    } finally {
      tmp.cleanup();
    }
    // Row ranges across page edges join pages the same way.
    const part = reader.readSync({ offset: 3, limit: 5 });
    for (const f of schema.fields) expect([f.name, plainColumn(part, f.name)]).toEqual([f.name, batches.flatMap((b) => plainColumn(b, f.name)).slice(3, 8)]);
  });

  it.each([['2.1', '2.1'], ['2.2', null]] as const)('reads a LanceDB %s file of many pages whose rows differ in nulls and empty lists', async (_name, version) => {
    const tmp = tempDir('vego-page-layers-');
    try {
      // ~11 MB of int64 items, cut by LanceDB into many pages. The first 150,000 rows have null items and
      // null lists, the rest neither, but empty lists.
      const n = 350_000;
      const split = 150_000;
      const offsets = new Int32Array(n + 1);
      const listValid = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) {
        const nul = i < split && i % 11 === 3;
        const len = nul ? 0 : i < split ? 4 : i % 5 === 0 ? 0 : 4;
        offsets[i + 1] = offsets[i]! + len;
        if (!nul) listValid[i >>> 3]! |= 1 << (i & 7);
      }
      const m = offsets[n]!;
      const values = new BigInt64Array(m);
      const itemValid = new Uint8Array(Math.ceil(m / 8));
      for (let k = 0; k < m; k++) {
        values[k] = BigInt(k * 3 - 7);
        if (!(k < offsets[split]! && k % 7 === 2)) itemValid[k >>> 3]! |= 1 << (k & 7);
      }
      const child = arrow.makeData({ type: new arrow.Int64(), length: m, data: values, nullBitmap: itemValid });
      const listType = listOf(new arrow.Int64());
      const lists = arrow.makeData({ type: listType, length: n, valueOffsets: offsets, child, nullBitmap: listValid });
      const ids = arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => i) });
      const aaSchema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field('l', listType, true)]);
      const table = new arrow.Table(aaSchema, new arrow.RecordBatch(aaSchema, arrow.makeData({ type: new arrow.Struct(aaSchema.fields), length: n, children: [ids, lists] })));
      await createLanceDbTable(tmp.dir, aaSchema, table as never, version);
      const file = onlyDataFile(tmp.dir);
      const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
      const internal = reader as unknown as { loadColumns21(c: number[]): Io<{ pages: { layout: { layers: RepDefLayer[] } }[] }[]>; source: F.SyncByteSource };
      const pages = runTaskSync(sourceTask(internal.loadColumns21([1]), internal.source))[0]!.pages;
      // LanceDB gives every page the layers of the field's nullability, whatever the page holds.
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(new Set(pages.map((p) => p.layout.layers.join()))).toEqual(new Set([`${RepDefLayer.NullableItem},${RepDefLayer.NullAndEmptyList}`]));
      const got = reader.readSync({ columns: ['l'] }).columns[0]!.data as F.ArrayData;
      // Compared as arrays: list validity and offsets, then item validity and values.
      expect(got.length).toBe(n);
      const o = got.valueOffsets as Int32Array;
      for (let i = 0; i < n; i++) {
        if (got.isValid(i) !== (((listValid[i >>> 3]! >>> (i & 7)) & 1) === 1) || o[got.offset + i + 1]! - o[got.offset + i]! !== offsets[i + 1]! - offsets[i]!) {
          throw new Error(`row ${i}: valid ${got.isValid(i)}, ${o[got.offset + i + 1]! - o[got.offset + i]!} items; wrote ${offsets[i + 1]! - offsets[i]!} items`);
        }
      }
      const items = got.children[0]!;
      const base = o[got.offset]!;
      const iv = items.values as BigInt64Array;
      for (let k = 0; k < m; k++) {
        const valid = ((itemValid[k >>> 3]! >>> (k & 7)) & 1) === 1;
        if (items.isValid(base + k) !== valid || (valid && iv[items.offset + base + k] !== values[k])) throw new Error(`item ${k} differs`);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

describe('nested columns of our files over many pages', () => {
  it.each(['2.1', '2.2'] as const)('keep one set of layers per column, so LanceDB reads a nullable struct holding a list (%s)', async (version) => {
    const st = new Struct([new Field('d', new F.Int64()), new Field('l', new List(new Field('item', new F.Uint16())))]);
    const s = new Schema([new Field('id', new Int32(), false), new Field('s', st)]);
    let x = 7;
    const r = (): number => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const n = 3000;
    const rows = Array.from({ length: n }, () => (r() < 0.3 ? null : { d: r() < 0.2 ? null : BigInt(Math.floor(r() * 1000)), l: r() < 0.3 ? null : Array.from({ length: Math.floor(r() * 4) }, () => (r() < 0.2 ? null : Math.floor(r() * 60000))) }));
    const b = new RecordBatch(s, [vectorFrom(new Int32(), Array.from({ length: n }, (_, i) => i)), vectorFrom(st, rows)] as never);
    const { bytes } = writeFile(s, [b], { version, pageByteLength: 64 });
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    const internal = reader as unknown as { loadColumns21(c: number[]): Io<{ pages: { layout: { layers: RepDefLayer[] } }[] }[]>; source: F.SyncByteSource };
    for (const col of runTaskSync(sourceTask(internal.loadColumns21([1, 2]), internal.source))) {
      expect(col.pages.length).toBeGreaterThan(100);
      expect(new Set(col.pages.map((p) => p.layout.layers.join())).size).toBe(1);
    }
    expect(plainColumn(reader.readSync(), 's')).toEqual(plainColumn(b, 's'));
    const tmp = tempDir('vego-struct-list-pages-');
    try {
      writeTable(tmp.dir, 'sl', s, bytes, n, version);
      const got = await queryRows(await (await lancedb.connect(tmp.dir)).openTable('sl'));
      expect(got.map((row) => row.s)).toEqual(plainColumn(b, 's'));
    } finally {
      tmp.cleanup();
    }
  });
});

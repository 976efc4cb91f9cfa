/**
 * Oracle: tables LanceDB writes as Lance 2.0 (`new_table_data_storage_version: "2.0"`) read here with
 * identical values, including LanceDB's dictionary-encoded strings; its manifests decode here.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { CountingSource, plainColumn, rng, tempDir } from './helpers';
import { createLanceDbTable, dataFilePaths, listOf, rowsById } from './fixtures/lancedb';

const N = 400;

function arrowSchema(): arrow.Schema {
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('f64', new arrow.Float64(), true),
    new arrow.Field('flag', new arrow.Bool(), true),
    new arrow.Field('category', new arrow.Utf8(), true),
    new arrow.Field('text', new arrow.Utf8(), true),
    new arrow.Field('bin', new arrow.Binary(), true),
    new arrow.Field('vector', new arrow.FixedSizeList(4, new arrow.Field('item', new arrow.Float32(), true)), true),
    new arrow.Field('tags', listOf(new arrow.Int64()), true),
    new arrow.Field('st', new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]), true),
    new arrow.Field('nothing', new arrow.Int64(), true),
    new arrow.Field('same', new arrow.Int64(), false),
  ]);
}

function rows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    f64: i % 9 === 0 ? null : r() * 100,
    flag: i % 5 === 0 ? null : r() < 0.5,
    category: i % 13 === 0 ? null : ['red', 'green', 'blue', '', 'violet'][i % 5],
    text: i % 11 === 0 ? null : `row ${i} ${'z'.repeat(i % 17)}`,
    bin: i % 7 === 0 ? null : Uint8Array.from({ length: i % 5 }, (_, k) => (i + k) & 255),
    vector: i % 10 === 3 ? null : [r(), r(), r(), r()],
    tags: i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => BigInt(i * 10 + k)),
    st: { a: i % 4 === 0 ? null : i, b: `b${i % 3}` },
    nothing: null,
    same: 7n,
  }));
}

describe('LanceFileReader reads what LanceDB writes', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dataFiles: string[];
  let lanceRows: Record<string, unknown>[];
  let manifestBytes: Uint8Array;

  beforeAll(async () => {
    tmp = tempDir('vego-format-lancedb-');
    const t = await createLanceDbTable(tmp.dir, arrowSchema(), rows(N, 7), '2.0');
    await t.add(rows(50, 8).map((x, i) => ({ ...x, id: N + i })));
    lanceRows = await rowsById(t);
    dataFiles = dataFilePaths(tmp.dir);
    const versions = path.join(tmp.dir, 't.lance', '_versions');
    const names = fs.readdirSync(versions).filter((f) => f.endsWith('.manifest'));
    const latest = names.sort((a, b) => F.parseManifestFileName(b)! - F.parseManifestFileName(a)!)[0]!;
    expect(F.parseManifestFileName(latest)).toBe(2);
    manifestBytes = new Uint8Array(fs.readFileSync(path.join(versions, latest)));
  });
  afterAll(() => tmp.cleanup());

  it('reads every column of every data file with the values LanceDB returns', () => {
    expect(dataFiles.length).toBe(2);
    const ours: Record<string, unknown>[] = [];
    for (const file of dataFiles) {
      const reader = F.LanceFileReader.openSync(new F.MemorySource(new Uint8Array(fs.readFileSync(file))));
      expect(reader.version).toEqual({ major: 0, minor: 3 });
      const batch = reader.readSync();
      const cols = batch.schema.fields.map((f) => plainColumn(batch, f.name));
      for (let i = 0; i < batch.numRows; i++) ours.push(Object.fromEntries(batch.schema.fields.map((f, k) => [f.name, cols[k]![i]])));
    }
    ours.sort((a, b) => (a.id as number) - (b.id as number));
    expect(ours.length).toBe(N + 50);
    expect(ours).toEqual(lanceRows);
  });

  it('decodes LanceDB dictionary-encoded strings (1-based indices, 0 = null)', () => {
    const big = dataFiles.map((f) => new Uint8Array(fs.readFileSync(f))).find((b) => F.LanceFileReader.openSync(new F.MemorySource(b)).numRows === N)!;
    const reader = F.LanceFileReader.openSync(new F.MemorySource(big));
    const col = reader.schema.fieldIndex('category');
    const info = reader.columnMetadataSync(col);
    expect(info.pages.map((p) => p.encoding.kind)).toContain('dictionary');
    const values = plainColumn(reader.readSync({ columns: ['category'] }), 'category');
    expect(values).toEqual(rows(N, 7).map((r) => r.category));
  });

  it('reads a projection and a row range touching only the bytes they need', () => {
    const big = dataFiles.map((f) => new Uint8Array(fs.readFileSync(f))).find((b) => F.LanceFileReader.openSync(new F.MemorySource(b)).numRows === N)!;
    const src = new CountingSource(big);
    const reader = F.LanceFileReader.openSync(src);
    const batch = reader.readSync({ columns: ['text', 'tags'], offset: 100, limit: 50 });
    expect(plainColumn(batch, 'text')).toEqual(lanceRows.slice(100, 150).map((r) => r.text));
    expect(plainColumn(batch, 'tags')).toEqual(lanceRows.slice(100, 150).map((r) => r.tags));
    expect(src.bytesRead()).toBeLessThan(big.length / 2);
  });

  it('decodes the manifest LanceDB wrote', () => {
    const m = F.decodeManifest(manifestBytes);
    expect(m.version).toBe(2);
    expect(m.dataFormat).toEqual({ fileFormat: 'lance', version: '2.0' });
    expect(m.fragments.map((f) => f.physicalRows)).toEqual([N, 50]);
    expect(m.fragments[0]!.files[0]!.fileMajorVersion).toBe(2);
    expect(m.fragments[0]!.files[0]!.fileMinorVersion).toBe(0);
    expect(m.fields.map((f) => f.name)).toEqual(['id', 'f64', 'flag', 'category', 'text', 'bin', 'vector', 'tags', 'item', 'st', 'a', 'b', 'nothing', 'same']);
    expect(m.writerVersion?.library).toBe('lance');
    expect(m.timestampMs).toBeGreaterThan(Date.UTC(2020, 0, 1));
    const schema = F.lanceFieldsToSchema(m.fields);
    expect(schema.fields.map((f) => f.type.toString())).toEqual([
      'Int32', 'Float64', 'Bool', 'Utf8', 'Utf8', 'Binary', 'FixedSizeList<Float32>[4]', 'List<Int64>', 'Struct<{a: Int32, b: Utf8}>', 'Int64', 'Int64',
    ]);
    // Re-encoding what we decoded gives a manifest that decodes to the same thing.
    const again = F.decodeManifest(F.encodeManifest(m));
    expect(again).toEqual({ ...m, unknownFields: [] });
  });

  it('decodes deletion files in a manifest', async () => {
    const db = await lancedb.connect(tmp.dir);
    const t = await db.openTable('t');
    await t.delete('id < 10');
    const versions = path.join(tmp.dir, 't.lance', '_versions');
    const name = fs.readdirSync(versions).find((f) => F.parseManifestFileName(f) === 3)!;
    const m = F.decodeManifest(new Uint8Array(fs.readFileSync(path.join(versions, name))));
    const del = m.fragments.find((f) => f.deletionFile !== undefined)!.deletionFile!;
    expect(del.numDeletedRows).toBe(10);
    expect(['arrow_array', 'bitmap']).toContain(del.fileType);
    expect(del.readVersion).toBeGreaterThan(0);
  });
});

/**
 * Oracle: Lance 2.1 and 2.2 files written by LanceDB (2.2 is its default) read here with the values
 * LanceDB itself returns: mini-block pages (flat, inline bit-packing, FSST, dictionary with LZ4-compressed
 * items in 2.2, RLE, fixed-size lists with validity), full-zip vectors, constant and all-null pages, and
 * list/struct structure from repetition and definition levels.
 */
import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { CountingSource, plainColumn, rng, tempDir } from './helpers';
import { lanceDbFile, listOf } from './fixtures/lancedb';

const N = 3000;
const DIM = 128;

function arrowSchema(): arrow.Schema {
  const f32 = (): arrow.Field => new arrow.Field('item', new arrow.Float32(), true);
  return new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), false),
    new arrow.Field('i64', new arrow.Int64(), false),
    new arrow.Field('f64', new arrow.Float64(), true),
    new arrow.Field('flag', new arrow.Bool(), true),
    new arrow.Field('nint', new arrow.Int32(), true),
    new arrow.Field('cat', new arrow.Utf8(), true),
    new arrow.Field('text', new arrow.Utf8(), true),
    new arrow.Field('bin', new arrow.Binary(), true),
    new arrow.Field('vector', new arrow.FixedSizeList(DIM, f32()), false),
    new arrow.Field('nvector', new arrow.FixedSizeList(DIM, f32()), true),
    new arrow.Field('small', new arrow.FixedSizeList(4, f32()), true),
    new arrow.Field('tags', listOf(new arrow.Int64()), true),
    new arrow.Field('words', listOf(new arrow.Utf8()), true),
    new arrow.Field('st', new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]), true),
    new arrow.Field('nothing', new arrow.Int64(), true),
    new arrow.Field('same', new arrow.Int64(), false),
  ]);
}

function rows(n: number, seed: number): Record<string, unknown>[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    i64: BigInt(i * 1_000_003 - 5_000_000),
    f64: i % 9 === 0 ? null : r() * 100 - 50,
    flag: i % 5 === 0 ? null : r() < 0.5,
    nint: i % 7 === 0 ? null : i * 3 - 100,
    cat: i % 13 === 0 ? null : ['red', 'green', 'blue', '', 'violet'][i % 5],
    text: i % 11 === 0 ? null : `row ${i} ${'z'.repeat(i % 17)}`,
    bin: i % 7 === 0 ? null : Uint8Array.from({ length: i % 5 }, (_, k) => (i + k) & 255),
    vector: Array.from({ length: DIM }, () => r()),
    nvector: i % 10 === 3 ? null : Array.from({ length: DIM }, () => r()),
    small: i % 10 === 3 ? null : [r(), r(), r(), r()],
    tags: i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => BigInt(i * 10 + k)),
    words: i % 8 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => `w${(i + k) % 50}`),
    st: { a: i % 4 === 0 ? null : i, b: i % 17 === 0 ? null : `b${i % 3}` },
    nothing: null,
    same: 7n,
  }));
}

describe.each([
  ['2.1', '2.1', { major: 2, minor: 1 }],
  ['2.2 (LanceDB default)', null, { major: 2, minor: 2 }],
])('LanceFileReader reads LanceDB Lance %s files', (_name, version, onDisk) => {
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    tmp = tempDir('vego-format-v21-');
    ({ file, expected } = await lanceDbFile(tmp.dir, arrowSchema(), rows(N, 11), version));
  });
  afterAll(() => tmp.cleanup());

  it.each(arrowSchema().fields.map((f) => f.name))('reads column %s with the values LanceDB returns', (name) => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    expect(reader.version).toEqual(onDisk);
    const values = plainColumn(reader.readSync({ columns: [name] }), name);
    expect(values).toEqual(expected.map((r) => r[name]));
  });

  it('reads a row range of every column asynchronously', async () => {
    const reader = await F.LanceFileReader.open(new CountingSource(file));
    const batch = await reader.read({ offset: 1234, limit: 77 });
    for (const f of batch.schema.fields) expect(plainColumn(batch, f.name)).toEqual(expected.slice(1234, 1311).map((r) => r[f.name]));
  });
});

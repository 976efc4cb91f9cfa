/**
 * Regression test for issue 11 item 6 at the dataset level: temporal, decimal, dictionary and large string
 * columns of LanceDB tables, also nested in lists and structs, scan and take through `Dataset` with the
 * values the test generated (temporal values as the stored integers, decimals as unscaled bigints).
 */
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, TypeId } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const N = 120;
const item = (t: arrow.DataType): arrow.Field => new arrow.Field('item', t, true);

function table(): { t: arrow.Table; expected: Record<string, unknown[]> } {
  const ts = BigInt64Array.from({ length: N }, (_, i) => BigInt(i) * 86_400_000_123n - 5n);
  const valid = Uint8Array.from({ length: Math.ceil(N / 8) }, (_, b) => (b % 2 ? 0xfe : 0xff));
  const isValid = (i: number): boolean => !(Math.floor(i / 8) % 2 === 1 && i % 8 === 0);
  const dec = new Uint32Array(N * 4);
  for (let i = 0; i < N; i++) {
    const v = BigInt(i * 1234567 - 50_000_000) * 1_000_003n;
    const u = v < 0n ? v + (1n << 128n) : v;
    for (let k = 0; k < 4; k++) dec[i * 4 + k] = Number((u >> BigInt(32 * k)) & 0xffffffffn);
  }
  const decType = new arrow.Decimal(2, 30, 128);
  const words = ['north', 'south', 'east', 'west'];
  const dictType = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int16());
  const lts = new arrow.List(item(new arrow.TimestampMillisecond()));
  const sdec = new arrow.Struct([new arrow.Field('d', decType, true), new arrow.Field('when', new arrow.DateDay(), true)]);
  const ltsValues = Array.from({ length: N }, (_, i) => (i % 6 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => i * 1000 + k)));
  const decData = arrow.makeData({ type: decType, length: N, nullBitmap: valid, data: dec });
  const dateData = arrow.makeData({ type: new arrow.DateDay(), length: N, data: Int32Array.from({ length: N }, (_, i) => 19000 + i) });
  const t = new arrow.Table({
    id: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => i), new arrow.Int32()),
    ts: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: N, nullBitmap: valid, data: ts })),
    dec: arrow.makeVector(decData),
    dict: arrow.makeVector(arrow.makeData({ type: dictType, length: N, data: Int16Array.from({ length: N }, (_, i) => (i * 7) % 4), dictionary: arrow.vectorFromArray(words, new arrow.Utf8()) })),
    big: arrow.vectorFromArray(Array.from({ length: N }, (_, i) => (i % 5 === 2 ? null : `large-${i}`)), new arrow.LargeUtf8()),
    lts: arrow.vectorFromArray(ltsValues, lts),
    sdec: arrow.makeVector(arrow.makeData({ type: sdec, length: N, children: [decData, dateData] })),
  } as never);
  const decValue = (i: number): string | null => {
    if (!isValid(i)) return null;
    let v = 0n;
    for (let k = 3; k >= 0; k--) v = (v << 32n) | BigInt(dec[i * 4 + k]!);
    return String(v >= 1n << 127n ? v - (1n << 128n) : v);
  };
  return {
    t,
    expected: {
      id: Array.from({ length: N }, (_, i) => i),
      ts: Array.from({ length: N }, (_, i) => (isValid(i) ? String(ts[i]) : null)),
      dec: Array.from({ length: N }, (_, i) => decValue(i)),
      dict: Array.from({ length: N }, (_, i) => words[(i * 7) % 4]),
      big: Array.from({ length: N }, (_, i) => (i % 5 === 2 ? null : `large-${i}`)),
      lts: ltsValues.map((l) => (l === null ? null : l.map(String))),
      sdec: Array.from({ length: N }, (_, i) => ({ d: decValue(i), when: 19000 + i })),
    },
  };
}

describe.each([
  ['2.0', '2.0'],
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('temporal, decimal, dictionary and large columns of LanceDB %s tables through Dataset', (_l, version) => {
  let root: string;
  let dir: string;
  const { t, expected } = table();
  beforeAll(async () => {
    root = makeTempDir('types');
    const db = await lancedb.connect(root);
    await db.createTable('t', t as never, version === null ? {} : { storageOptions: { new_table_data_storage_version: version } });
    dir = path.join(root, 't.lance');
  });
  afterAll(() => removeDir(root));

  it('has the types in its schema', () => {
    const ds = Dataset.openSync(dir);
    expect(ds.schema.fields.map((f) => [f.name, f.type.toString()])).toEqual([
      ['id', 'Int32'],
      ['ts', 'Timestamp<us, UTC>'],
      ['dec', 'Decimal128(30, 2)'],
      ['dict', 'Dictionary<Utf8, Int16>'],
      ['big', 'LargeUtf8'],
      ['lts', 'List<Timestamp<ms>>'],
      ['sdec', 'Struct<{d: Decimal128(30, 2), when: Date32<day>}>'],
    ]);
    expect(ds.schema.field('dict')!.type.typeId).toBe(TypeId.Dictionary);
  });

  it.each(Object.keys(expected))('scans and takes column %s exactly', async (name) => {
    const ds = await Dataset.open(dir);
    expect(plainColumn(ds.scanSync({ columns: [name], batchSize: 50 }), name)).toEqual(expected[name]);
    const idx = [N - 1, 3, 3, 64, 0];
    expect(plainColumn([await ds.take(idx, { columns: [name] })], name)).toEqual(idx.map((k) => expected[name]![k]));
    await ds.close();
  });
});

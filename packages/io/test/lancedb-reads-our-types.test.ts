/**
 * Issue 11 item 6, write side: date, time, timestamp, duration, large string/binary, decimal128/256,
 * fixed-size binary and dictionary columns written here into Lance 2.0, 2.1 and 2.2 files are read by
 * LanceDB 0.39 with exactly the stored values (compared with what the test generated), and read back here.
 * In 2.1/2.2 the temporal columns are written as their integers, the large ones with 64-bit offsets,
 * decimals and fixed-size binary as one `8 × byteWidth`-bit flat value (as LanceDB writes them), and
 * dictionaries as their values (page dictionaries where they pay); in 2.0 dictionaries are dictionary pages.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import {
  Dataset, Date32, Date64, Decimal128, Decimal256, Dictionary, Duration, Field, FixedSizeBinary, Int32, Int64, Int8, LargeBinary, LargeUtf8, List,
  NotSupportedError, RecordBatch, Schema, Time32, Time64, Timestamp, Uint16, Utf8, makeBuilder,
} from '@vego/io';
import type { DataType, Vector } from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';
import { plainColumn } from './fixtures/plain';

const N = 1300;

function column(type: DataType, values: unknown[]): Vector {
  const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): Vector };
  for (const v of values) b.append(v);
  return b.finish();
}

describe.each(['2.0', '2.1', '2.2'] as const)('LanceDB reads temporal and large columns vego writes (Lance %s)', (version) => {
  let root: string;
  beforeAll(() => (root = makeTempDir(`our-types-${version}`)));
  afterAll(() => removeDir(root));

  it('reads every value exactly, and so do we', async () => {
    const r = seededRandom(77);
    const big = (): bigint => BigInt(Math.floor(r() * 2 ** 52)) * 1021n - 2n ** 55n;
    const nul = (i: number, m: number): boolean => i % m === 2;
    const values: Record<string, unknown[]> = {
      id: Array.from({ length: N }, (_, i) => i),
      d32: Array.from({ length: N }, (_, i) => (nul(i, 7) ? null : i * 11 - 7000)),
      d64: Array.from({ length: N }, (_, i) => (nul(i, 8) ? null : BigInt(i) * 86_400_000n)),
      ts: Array.from({ length: N }, (_, i) => (nul(i, 9) ? null : big())),
      tsn: Array.from({ length: N }, () => big()),
      t32: Array.from({ length: N }, (_, i) => (nul(i, 5) ? null : (i * 997) % 86_400_000)),
      t64: Array.from({ length: N }, (_, i) => BigInt((i * 7919) % 86_400) * 1_000_000_000n),
      dur: Array.from({ length: N }, (_, i) => (nul(i, 4) ? null : big())),
      lstr: Array.from({ length: N }, (_, i) => (nul(i, 6) ? null : `large ${i % 50} ${'x'.repeat(i % 7)}`)),
      lbin: Array.from({ length: N }, (_, i) => (nul(i, 10) ? null : Uint8Array.from({ length: i % 4 }, (_, k) => (i + k) & 255))),
      lts: Array.from({ length: N }, (_, i) => (nul(i, 11) ? null : Array.from({ length: i % 3 }, (_, k) => BigInt(i * 1000 + k)))),
      dec: Array.from({ length: N }, (_, i) => (nul(i, 7) ? null : big() * 1_000_003n * (i % 2 === 0 ? 1n : -1n))),
      dec256: Array.from({ length: N }, (_, i) => (nul(i, 5) ? null : (big() << 120n) + big())),
      fsb: Array.from({ length: N }, (_, i) => (nul(i, 6) ? null : Uint8Array.from({ length: 5 }, (_, k) => (i * 7 + k * 31) & 255))),
      wide: Array.from({ length: N }, (_, i) => (nul(i, 9) ? null : Uint8Array.from({ length: 300 }, (_, k) => (i + k) & 255))),
      dict: Array.from({ length: N }, (_, i) => (nul(i, 8) ? null : ['alpha', 'beta', 'gamma', '', 'délta'][i % 5]!)),
      dictMany: Array.from({ length: N }, (_, i) => `value-${(i * 7) % 700}`),
      dictInt: Array.from({ length: N }, (_, i) => (nul(i, 4) ? null : BigInt((i % 3) * 1000 - 1000))),
      listDict: Array.from({ length: N }, (_, i) => (nul(i, 12) ? null : Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : `d${(i + k) % 4}`)))),
    };
    const schema = new Schema([
      new Field('id', new Int32(), false),
      new Field('d32', new Date32()),
      new Field('d64', new Date64()),
      new Field('ts', new Timestamp('us', 'UTC')),
      new Field('tsn', new Timestamp('ns'), false),
      new Field('t32', new Time32('ms')),
      new Field('t64', new Time64('ns'), false),
      new Field('dur', new Duration('s')),
      new Field('lstr', new LargeUtf8()),
      new Field('lbin', new LargeBinary()),
      new Field('lts', new List(new Field('item', new Timestamp('ms')))),
      new Field('dec', new Decimal128(38, 4)),
      new Field('dec256', new Decimal256(76, 10)),
      new Field('fsb', new FixedSizeBinary(5)),
      new Field('wide', new FixedSizeBinary(300)),
      new Field('dict', new Dictionary(new Utf8(), new Int32())),
      new Field('dictMany', new Dictionary(new Utf8(), new Uint16()), false),
      new Field('dictInt', new Dictionary(new Int64(), new Int8())),
      new Field('listDict', new List(new Field('item', new Dictionary(new Utf8(), new Int32())))),
    ]);
    const batch = new RecordBatch(schema, schema.fields.map((f) => column(f.type, values[f.name]!)));
    const dir = path.join(root, 'ours.lance');
    Dataset.createSync(dir, batch, { storageVersion: version });
    // The data file is of the version asked for (a 2.0 footer says 0.3).
    const dataFile = path.join(dir, 'data', fs.readdirSync(path.join(dir, 'data'))[0]!);
    const bytes = fs.readFileSync(dataFile);
    expect([bytes.readUInt16LE(bytes.length - 8), bytes.readUInt16LE(bytes.length - 6)]).toEqual(version === '2.0' ? [0, 3] : [2, Number(version.slice(2))]);
    const plainOf = (v: unknown): unknown => (v === null ? null : typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Array.from(v) : Array.isArray(v) ? v.map(plainOf) : v);

    // Our own read-back.
    const ds = Dataset.openSync(dir);
    for (const f of schema.fields) {
      expect(ds.schema.field(f.name)!.type.equals(f.type)).toBe(true);
      expect(plainColumn(ds.scanSync({ columns: [f.name] }), f.name)).toEqual(values[f.name]!.map(plainOf));
    }

    // LanceDB: the raw stored values of every row (apache-arrow's getters convert units; read the buffers).
    const db = await lancedb.connect(root);
    const t = await db.openTable('ours');
    const arrowTable = await t.query().limit(N).toArrow();
    expect(arrowTable.numRows).toBe(N);
    const raw = (name: string): unknown[] => {
      const out: unknown[] = [];
      const col = arrowTable.getChild(name)!;
      for (const d of col.data) {
        for (let i = 0; i < d.length; i++) {
          if (!d.getValid(i)) {
            out.push(null);
            continue;
          }
          const tid = d.type.typeId;
          if (name === 'lstr' || name === 'dict' || name === 'dictMany') out.push(col.get(out.length));
          else if (name === 'dictInt') out.push(String(col.get(out.length)));
          else if (name === 'lbin' || name === 'fsb' || name === 'wide') out.push(Array.from(col.get(out.length) as Uint8Array));
          else if (name === 'lts') out.push(Array.from(col.get(out.length) as Iterable<unknown>).map((x) => String(x)));
          else if (name === 'listDict') out.push(Array.from(col.get(out.length) as Iterable<unknown>));
          else if (name === 'dec' || name === 'dec256') {
            // The unscaled two's-complement integer from the raw little-endian words.
            const words = d.values as unknown as Uint32Array;
            const w = name === 'dec' ? 4 : 8;
            let v = 0n;
            for (let k = w - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[(d.offset + i) * w + k]!);
            out.push(String(BigInt.asIntN(w * 32, v)));
          }
          else {
            const v = (d.values as unknown as ArrayLike<number | bigint>)[d.offset + i]!;
            out.push(typeof v === 'bigint' ? String(v) : tid === undefined ? v : v);
          }
        }
      }
      return out;
    };
    for (const f of schema.fields) {
      if (f.name === 'id') continue;
      expect([f.name, raw(f.name)]).toEqual([f.name, values[f.name]!.map(plainOf)]);
    }
    expect(String(arrowTable.schema.fields.find((x) => x.name === 'ts')!.type)).toMatch(/Timestamp<MICROSECOND, UTC>/);
    const typeOf = (name: string): string => String(arrowTable.schema.fields.find((x) => x.name === name)!.type);
    expect(typeOf('dec')).toMatch(/Decimal\[38e-4\]|Decimal.*38.*4/);
    expect(typeOf('fsb')).toMatch(/FixedSizeBinary\[5\]/);
    expect(typeOf('dict')).toMatch(/Dictionary<Int32, Utf8>/);
    expect(typeOf('dictInt')).toMatch(/Dictionary<Int8, Int64>/);
  });

  it('refuses a 2.0 dictionary page whose null item would not fit the index type (typed, nothing written)', () => {
    const type = new Dictionary(new Utf8(), new Int8());
    const values = [...Array.from({ length: 128 }, (_, i) => `v${i}`), null];
    const schema = new Schema([new Field('x', type)]);
    const dir = path.join(root, 'refused-dict');
    const write = (): unknown => Dataset.createSync(dir, new RecordBatch(schema, [column(type, values)]), { storageVersion: version });
    if (version === '2.0') {
      expect(write).toThrow(NotSupportedError);
      expect(fs.existsSync(path.join(dir, '_versions')) && fs.readdirSync(path.join(dir, '_versions')).length > 0).toBe(false);
    } else {
      write();
      expect(plainColumn(Dataset.openSync(dir).scanSync(), 'x')).toEqual(values);
    }
  });
});

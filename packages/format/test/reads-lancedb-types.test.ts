/**
 * Regression test for issue 11 item 6 ("common types refuse the whole dataset"): every type LanceDB 0.39
 * stores in tables, written by LanceDB as Lance 2.0, 2.1 and 2.2 files from raw buffers this test
 * generated, read here with exactly those values (temporal values as the stored integers, decimals as the
 * unscaled bigint, dictionaries as their values). Types LanceDB refuses for a version are recorded as such;
 * a type this reader cannot read (map) must be refused with a typed error while the other columns read.
 * The measured matrix is printed at the end (`npx jest packages/format/test/reads-lancedb-types.test.ts`).
 */
import * as aa from 'apache-arrow';
import * as F from '@vego/format';
import { rng, tempDir } from './helpers';
import { createLanceDbTable, onlyDataFile } from './fixtures/lancedb';

const N = 1500;
const r = rng(2026);

/** A validity bitmap with every 7th row null (and its nulls at rows 3, 10, …). */
const VALID = Uint8Array.from({ length: Math.ceil(N / 8) }, (_, b) => {
  let byte = 0;
  for (let k = 0; k < 8; k++) if ((b * 8 + k) % 7 !== 3) byte |= 1 << k;
  return byte;
});
const isNull = (i: number): boolean => i % 7 === 3;

interface Case {
  name: string;
  type: aa.DataType;
  data: aa.Data;
  /** The value of row i as this library returns it (null for null rows). */
  expected: (i: number) => unknown;
}

function i64s(f: () => bigint): BigInt64Array {
  return BigInt64Array.from({ length: N }, f);
}

function cases(): Case[] {
  const out: Case[] = [];
  const fixed = (name: string, type: aa.DataType, values: Int32Array | BigInt64Array): void => {
    out.push({ name, type, data: aa.makeData({ type: type as aa.Int32, length: N, nullBitmap: VALID, data: values as Int32Array }), expected: (i) => (isNull(i) ? null : values[i]!) });
  };
  fixed('date32', new aa.DateDay(), Int32Array.from({ length: N }, (_, i) => i * 37 - 20000));
  fixed('date64', new aa.DateMillisecond(), i64s(() => BigInt(Math.floor(r() * 2 ** 40)) * 86_400_000n / 1000n * 1000n));
  const units: Array<[string, aa.TimeUnit]> = [['s', aa.TimeUnit.SECOND], ['ms', aa.TimeUnit.MILLISECOND], ['us', aa.TimeUnit.MICROSECOND], ['ns', aa.TimeUnit.NANOSECOND]];
  for (const [u, unit] of units) {
    fixed(`timestamp_${u}`, new aa.Timestamp(unit), i64s(() => BigInt(Math.floor(r() * 2 ** 50)) - 2n ** 49n));
    fixed(`timestamp_${u}_tz`, new aa.Timestamp(unit, u === 'ns' ? 'America/New_York' : 'UTC'), i64s(() => BigInt(Math.floor(r() * 2 ** 50))));
    fixed(`duration_${u}`, new aa.Duration(unit), i64s(() => BigInt(Math.floor(r() * 2 ** 53)) - 2n ** 52n));
  }
  fixed('time32_s', new aa.TimeSecond(), Int32Array.from({ length: N }, () => Math.floor(r() * 86400)));
  fixed('time32_ms', new aa.TimeMillisecond(), Int32Array.from({ length: N }, () => Math.floor(r() * 86_400_000)));
  fixed('time64_us', new aa.TimeMicrosecond(), i64s(() => BigInt(Math.floor(r() * 86_400_000_000))));
  fixed('time64_ns', new aa.TimeNanosecond(), i64s(() => BigInt(Math.floor(r() * 86_400_000_000)) * 1000n + 999n));
  for (const bits of [128, 256]) {
    const w = bits / 8;
    const bytes = Uint8Array.from({ length: N * w }, () => Math.floor(r() * 256));
    out.push({
      name: `decimal${bits}`,
      type: new aa.Decimal(3, bits === 128 ? 38 : 76, bits),
      data: aa.makeData({ type: new aa.Decimal(3, bits === 128 ? 38 : 76, bits), length: N, nullBitmap: VALID, data: new Uint32Array(bytes.buffer) }),
      expected: (i) => {
        if (isNull(i)) return null;
        let v = 0n;
        for (let k = w - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i * w + k]!);
        return bytes[i * w + w - 1]! & 0x80 ? v - (1n << BigInt(bits)) : v;
      },
    });
  }
  const fsb = Uint8Array.from({ length: N * 5 }, () => Math.floor(r() * 256));
  out.push({ name: 'fixed_size_binary', type: new aa.FixedSizeBinary(5), data: aa.makeData({ type: new aa.FixedSizeBinary(5), length: N, nullBitmap: VALID, data: fsb }), expected: (i) => (isNull(i) ? null : Array.from(fsb.subarray(i * 5, i * 5 + 5))) });
  const strings = Array.from({ length: N }, (_, i) => `s${i % 97}-${'é'.repeat(i % 5)}`);
  const enc = new TextEncoder();
  const chunks = strings.map((s, i) => (isNull(i) ? new Uint8Array(0) : enc.encode(s)));
  const offsets = new BigInt64Array(N + 1);
  for (let i = 0; i < N; i++) offsets[i + 1] = offsets[i]! + BigInt(chunks[i]!.length);
  const body = new Uint8Array(Number(offsets[N]!));
  chunks.forEach((c, i) => body.set(c, Number(offsets[i]!)));
  out.push({ name: 'large_utf8', type: new aa.LargeUtf8(), data: aa.makeData({ type: new aa.LargeUtf8(), length: N, nullBitmap: VALID, valueOffsets: offsets, data: body }), expected: (i) => (isNull(i) ? null : strings[i]) });
  out.push({ name: 'large_binary', type: new aa.LargeBinary(), data: aa.makeData({ type: new aa.LargeBinary(), length: N, nullBitmap: VALID, valueOffsets: offsets, data: body }), expected: (i) => (isNull(i) ? null : Array.from(chunks[i]!)) });
  const words = ['alpha', 'beta', 'gamma', 'delta', ''];
  const dictionary = aa.vectorFromArray(words, new aa.Utf8());
  const indices = Int32Array.from({ length: N }, () => Math.floor(r() * words.length));
  const dictType = new aa.Dictionary(new aa.Utf8(), new aa.Int32());
  out.push({ name: 'dictionary', type: dictType, data: aa.makeData({ type: dictType, length: N, nullBitmap: VALID, data: indices, dictionary }), expected: (i) => (isNull(i) ? null : words[indices[i]!]) });
  return out;
}

type Result = 'exact' | 'typed refusal' | 'LanceDB refuses' | 'WRONG';
const matrix = new Map<string, Map<string, Result>>();
function record(type: string, version: string, result: Result): void {
  if (!matrix.has(type)) matrix.set(type, new Map());
  matrix.get(type)!.set(version, result);
}

/** Plain values: bigints kept, byte arrays as arrays of numbers. */
function plain(v: F.Vector, i: number): unknown {
  const x = v.get(i);
  if (x instanceof Uint8Array) return Array.from(x);
  return x;
}

const VERSIONS: Array<[string, string | null]> = [['2.0', '2.0'], ['2.1', '2.1'], ['2.2', null]];

describe.each(VERSIONS)('LanceDB %s files of every table type (issue 11 item 6)', (label, version) => {
  const all = cases();
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;

  beforeAll(async () => {
    tmp = tempDir('vego-types-');
    const fields = [new aa.Field('id', new aa.Int32(), false), ...all.map((c) => new aa.Field(c.name, c.type, true))];
    const schema = new aa.Schema(fields);
    const id = aa.makeData({ type: new aa.Int32(), length: N, data: Int32Array.from({ length: N }, (_, i) => i) });
    const batch = new aa.RecordBatch(schema, aa.makeData({ type: new aa.Struct(fields), length: N, children: [id, ...all.map((c) => c.data)] }));
    await createLanceDbTable(tmp.dir, schema, new aa.Table([batch]) as unknown as Record<string, unknown>[], version);
    file = onlyDataFile(tmp.dir);
  });
  afterAll(() => tmp.cleanup());

  it.each(all.map((c) => [c.name, c] as const))('reads %s exactly, whole and as a row range', (name, c) => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    const v = reader.readSync({ columns: [name] }).column(name);
    const got = Array.from({ length: N }, (_, i) => plain(v, i));
    const want = Array.from({ length: N }, (_, i) => c.expected(i));
    const ok = JSON.stringify(got, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)) === JSON.stringify(want, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
    record(name, label, ok ? 'exact' : 'WRONG');
    expect(got).toEqual(want);
    const part = reader.readSync({ columns: [name], offset: 1029, limit: 300 }).column(name);
    expect(Array.from({ length: 300 }, (_, i) => plain(part, i))).toEqual(want.slice(1029, 1329));
  });
});

describe('a type this reader does not support (issue 11 item 4: projection around it)', () => {
  it.each(VERSIONS)('map<utf8, int32> in LanceDB %s files: refused by name, the other columns read', async (label, version) => {
    const tmp = tempDir('vego-map-');
    try {
      const entries = new aa.Struct([new aa.Field('key', new aa.Utf8(), false), new aa.Field('value', new aa.Int32(), true)]);
      const mapType = new aa.Map_(new aa.Field('entries', entries, false));
      const schema = new aa.Schema([new aa.Field('id', new aa.Int32(), false), new aa.Field('m', mapType, true), new aa.Field('after', new aa.Utf8(), true)]);
      const table = new aa.Table(schema, {
        id: aa.vectorFromArray([0, 1, 2], new aa.Int32()),
        m: aa.vectorFromArray([new Map([['a', 1]]), null, new Map([['b', 2], ['c', 3]])], mapType),
        after: aa.vectorFromArray(['x', null, 'z'], new aa.Utf8()),
      } as never);
      try {
        await createLanceDbTable(tmp.dir, schema, table as unknown as Record<string, unknown>[], version);
      } catch (e) {
        record('map', label, 'LanceDB refuses');
        expect(String(e)).toMatch(/[Mm]ap/);
        return;
      }
      const reader = F.LanceFileReader.openSync(new F.MemorySource(onlyDataFile(tmp.dir)));
      expect(reader.unsupportedFields.map((u) => u.name)).toEqual(['m']);
      expect(() => reader.readSync({ columns: ['m'] })).toThrow(F.NotSupportedError);
      expect(() => reader.readSync({ columns: ['m'] })).toThrow(/column "m" has type map/);
      expect(() => reader.readSync()).toThrow(F.NotSupportedError);
      const b = reader.readSync({ columns: ['after', 'id'] });
      expect(b.column('after').toArray()).toEqual(['x', null, 'z']);
      expect(b.column('id').toArray()).toEqual([0, 1, 2]);
      record('map', label, 'typed refusal');
    } finally {
      tmp.cleanup();
    }
  });
});

afterAll(() => {
  const versions = VERSIONS.map(([l]) => l);
  const lines = [`| type | ${versions.join(' | ')} |`, `|---|${versions.map(() => '---').join('|')}|`];
  for (const [type, row] of matrix) lines.push(`| ${type} | ${versions.map((v) => row.get(v) ?? 'not run').join(' | ')} |`);
  console.log(`read matrix (LanceDB 0.39 writes, vego reads):\n${lines.join('\n')}`);
});

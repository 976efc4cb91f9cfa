/**
 * Full-zip pages of strings and binaries written into Lance 2.1 files (`src/write/full-zip-variable.ts`):
 * the exact bytes of a small page, then random pages of every shape a leaf takes (nullable values, lists
 * with null and empty lists and null items, structs with null rows, 64-bit offsets) read back whole and
 * by row ranges, which read only the rows' bytes through the repetition index. That LanceDB reads these
 * files: packages/io/test/lancedb-reads-our-long-strings.test.ts.
 */
import * as F from '@vego/format';
import { encodeFullZipVariable } from '../src/write/full-zip-variable';
import { shredLeaf } from '../src/write/repdef';
import { decodePageLayout } from '../src/v2_1/layout';
import { CountingSource, plainColumn, rng, writeFile } from './helpers';

const { Field, Schema, RecordBatch, vectorFrom } = F;

/** A column's plain values with byte arrays as hex strings (deep comparison of long number arrays is slow). */
function values(batch: F.RecordBatch, name: string): unknown[] {
  const hex = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.length > 0 && typeof x[0] === 'number' ? Buffer.from(x as number[]).toString('hex') : x.map(hex);
    if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, hex(e)]));
    return x;
  };
  return plainColumn(batch, name).map(hex);
}

describe('full-zip pages of variable-width values (Lance 2.1)', () => {
  it('lays out a nullable string page as documented', () => {
    const v = vectorFrom(new F.Utf8(), ['ab', null, 'c']);
    const col = shredLeaf(v.data as F.ArrayData, []);
    const values: F.ArrayData = v.data as F.ArrayData;
    const offsets = values.valueOffsets as Int32Array;
    const page = encodeFullZipVariable(col, { kind: 'variable', count: 3, offsets, bytes: values.values as Uint8Array, validity: null, validityOffset: 0 }, null);
    expect(Array.from(page.buffers[0]!)).toEqual([0, 2, 0, 0, 0, 0x61, 0x62, 1, 0, 1, 0, 0, 0, 0x63]);
    expect(Array.from(page.buffers[1]!)).toEqual([0, 0, 7, 0, 8, 0, 14, 0]);
    const layout = decodePageLayout(page.layout);
    expect(layout).toMatchObject({ kind: 'fullZip', bitsRep: 0, bitsDef: 1, bitsPerValue: 0, bitsPerOffset: 32, numItems: 3, numVisibleItems: 3 });
  });

  /** `n` characters from a random place of a random 4,096-character text (cheap to make at tens of KB). */
  const TEXT = ((r) => Array.from({ length: 4096 }, () => String.fromCharCode(32 + Math.floor(r() * 90))).join(''))(rng(99));
  const long = (r: () => number, n: number): string => {
    let s = TEXT.slice(Math.floor(r() * TEXT.length)) + TEXT;
    while (s.length < n) s += s;
    return s.slice(0, n);
  };
  const randomBytes = (r: () => number, n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let x = Math.floor(r() * 2 ** 31);
    for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) & 0x7fffffff) >>> 23;
    return out;
  };
  /** Lengths at the 256-byte threshold and past a 2.1 chunk's 32 KiB. */
  const LENGTHS = [0, 1, 255, 256, 300, 5000, 33_000];

  function table(seed: number, n: number): { schema: F.Schema; batch: F.RecordBatch } {
    const r = rng(seed);
    const len = (): number => LENGTHS[Math.floor(r() * LENGTHS.length)]!;
    const maybe = <T>(p: number, f: () => T): T | null => (r() < p ? null : f());
    const schema = new Schema([
      new Field('id', new F.Int32(), false),
      new Field('s', new F.Utf8()),
      new Field('b', new F.Binary()),
      new Field('ls', new F.LargeUtf8()),
      new Field('l', new F.List(new Field('item', new F.Utf8()))),
      new Field('st', new F.Struct([new Field('x', new F.Utf8())])),
      new Field('ll', new F.List(new Field('item', new F.Binary()))),
    ]);
    const cols = [
      vectorFrom(new F.Int32(), Array.from({ length: n }, (_, i) => i)),
      vectorFrom(new F.Utf8(), Array.from({ length: n }, () => maybe(0.2, () => long(r, len())))),
      vectorFrom(new F.Binary(), Array.from({ length: n }, () => maybe(0.2, () => randomBytes(r, len())))),
      vectorFrom(new F.LargeUtf8(), Array.from({ length: n }, () => maybe(0.1, () => long(r, len())))),
      vectorFrom(schema.fields[4]!.type, Array.from({ length: n }, () => maybe(0.15, () => Array.from({ length: Math.floor(r() * 4) }, () => maybe(0.2, () => long(r, len())))))),
      vectorFrom(schema.fields[5]!.type, Array.from({ length: n }, () => maybe(0.2, () => ({ x: maybe(0.3, () => long(r, len())) })))),
      vectorFrom(schema.fields[6]!.type, Array.from({ length: n }, () => maybe(0.1, () => Array.from({ length: Math.floor(r() * 3) }, () => randomBytes(r, len()))))),
    ];
    return { schema, batch: new RecordBatch(schema, cols as never) };
  }

  for (const seed of [1, 2, 3, 4]) {
    it(`reads back random pages whole and by row ranges (seed ${seed})`, async () => {
      const n = [1, 9, 120, 200][seed - 1]!;
      const { schema, batch } = table(seed, n);
      const { bytes } = writeFile(schema, [batch], { version: '2.1' });
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      const encodings = schema.fields.slice(1).map((_, k) => reader.columnSummarySync(k + 1).encodings.join());
      // Some page of every string/binary leaf holds a value of ≥ 256 bytes at these sizes, except at 1 row.
      if (n >= 120) for (const e of encodings) expect(e).toMatch(/full_zip/);
      const all = reader.readSync();
      const want = new Map(schema.fields.map((f) => [f.name, values(batch, f.name)]));
      for (const f of schema.fields) expect([f.name, values(all, f.name)]).toEqual([f.name, want.get(f.name)]);
      for (const [offset, limit] of [[0, 1], [Math.floor(n / 2), Math.min(7, n - Math.floor(n / 2))], [n - 1, 1]] as const) {
        const part = await F.LanceFileReader.open(new F.MemorySource(bytes)).then((rd) => rd.read({ offset, limit }));
        for (const f of schema.fields) expect([f.name, offset, values(part, f.name)]).toEqual([f.name, offset, want.get(f.name)!.slice(offset, offset + limit)]);
      }
    });
  }

  it('reads a row range of a long-string column through the repetition index, not the whole page', () => {
    const { schema, batch } = table(9, 120);
    const { bytes } = writeFile(new Schema([schema.fields[1]!]), [new RecordBatch(new Schema([schema.fields[1]!]), [batch.columns[1]!] as never)], { version: '2.1' });
    const read = (offset: number, limit: number): number => {
      const src = new CountingSource(bytes);
      const r = F.LanceFileReader.openSync(src);
      src.reads.length = 0;
      const got = r.readSync({ offset, limit });
      expect(values(got, 's')).toEqual(values(batch, 's').slice(offset, offset + limit));
      return src.reads.reduce((sum, [, l]) => sum + l, 0);
    };
    expect(read(60, 3)).toBeLessThan(read(0, 120) / 10);
  });
});

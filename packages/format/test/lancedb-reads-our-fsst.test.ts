/**
 * Issue 11, FSST writing: string and binary pages of Lance 2.1/2.2 files that our writer FSST-compresses
 * (distinct names, URLs, text with nulls, several pages, multi-byte UTF-8) are read by LanceDB 0.39 with
 * exactly the values this test generated, and by our reader; pages where FSST would not pay (short or
 * random values) stay plain. The file is also smaller than with `fsst: false`.
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, rng, tempDir, writeFile, writeTable } from './helpers';
import { queryRows, type Row } from './fixtures/lancedb';

const { Field, Schema, RecordBatch, Int32, Utf8, Binary, LargeUtf8, List, Struct, vectorFrom } = F;

const N = 4000;
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Ken', 'Dennis', 'Niklaus', 'Frances', 'Margaret', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Thompson', 'Ritchie', 'Wirth', 'Allen', 'Hamilton', 'Backus'];

function batchOf(schema: F.Schema, n: number, seed: number): F.RecordBatch {
  const r = rng(seed);
  const pick = <T>(k: T[]): T => k[Math.floor(r() * k.length)]!;
  const gen: Record<string, (i: number) => unknown> = {
    id: (i) => i,
    name: (i) => `${pick(FIRST)} ${pick(LAST)} #${i}`,
    url: (i) => (i % 17 === 5 ? null : `https://example.org/users/${pick(LAST).toLowerCase()}/items/${Math.floor(r() * 1e6)}?tab=${pick(['a', 'bé', 'ç'])}`),
    text: (i) => (i % 9 === 0 ? '' : `${pick(FIRST)} met ${pick(LAST)} — «${'αβγ'.repeat(i % 4)}» at ${i}`),
    bin: (i) => Uint8Array.from(new TextEncoder().encode(`row ${pick(LAST)} ${i % 300}`)),
    rand: () => Uint8Array.from({ length: 12 }, () => Math.floor(r() * 256)),
    // Compressible bytes that are not UTF-8 (0xFF, 0xFE, lone continuation bytes).
    raw: (i) => Uint8Array.from({ length: 8 + (i % 9) }, (_, k) => [0xff, 0xfe, 0x80, i & 255, (i >> 8) & 255, 0xc0][k % 6]!),
    tags: (i) => (i % 11 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => `${pick(LAST)}-tag-${i}-${k}`)),
    lstr: (i) => (i % 10 === 7 ? null : `large ${pick(FIRST)} ${pick(LAST)} ${i % 321}`),
    st: (i) => ({ label: i % 13 === 0 ? null : `label ${pick(FIRST)} ${pick(LAST)} ${i % 777}` }),
  };
  return new RecordBatch(schema, schema.fields.map((f) => vectorFrom(f.type, Array.from({ length: n }, (_, i) => gen[f.name]!(i)))) as never);
}

const schema = new Schema([
  new Field('id', new Int32(), false),
  new Field('name', new Utf8(), false),
  new Field('url', new Utf8()),
  new Field('text', new Utf8()),
  new Field('bin', new Binary()),
  new Field('rand', new Binary()),
  new Field('raw', new Binary()),
  new Field('tags', new List(new Field('item', new Utf8()))),
  new Field('st', new Struct([new Field('label', new Utf8())])),
  new Field('lstr', new LargeUtf8()),
]);

/** Pages and distinct page descriptions of each column, as the reader summarises them (`fsst(…)` when FSST). */
function pageEncodings(bytes: Uint8Array): Array<{ pages: number; encodings: string[] }> {
  const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
  return Array.from({ length: 10 }, (_, c) => reader.columnSummarySync(c));
}

describe.each(['2.1', '2.2'] as const)('FSST string pages in Lance %s files', (version) => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => (tmp = tempDir('vego-fsst-')));
  afterAll(() => tmp.cleanup());

  it('LanceDB and our reader return the generated values; FSST is used where it pays and makes the file smaller', async () => {
    const batches = [batchOf(schema, N, 1), batchOf(schema, 1234, 2)];
    const rows = N + 1234;
    // Small pages: several FSST pages (each with its own table) per column.
    const { bytes, summary } = writeFile(schema, batches, { version, pageByteLength: 96 * 1024 });
    const plainFile = writeFile(schema, batches, { version, pageByteLength: 96 * 1024, fsst: false }).bytes;
    expect(summary.numRows).toBe(rows);
    const enc = pageEncodings(bytes);
    // Columns: id, name, url, text, bin, rand, raw, tags, st.label, lstr (64-bit offsets).
    for (const c of [1, 2, 3, 4, 6, 7, 8, 9]) expect([c, enc[c]!.encodings.some((e) => e.includes('fsst'))]).toEqual([c, true]);
    expect(enc[1]!.pages).toBeGreaterThan(1);
    expect(enc[5]!.encodings.some((e) => e.includes('fsst'))).toBe(false); // random bytes: FSST does not pay
    expect(bytes.length).toBeLessThan(plainFile.length * 0.8);

    const ours = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync();
    writeTable(tmp.dir, 'fsst', schema, bytes, rows, version);
    const db = await lancedb.connect(tmp.dir);
    const got: Row[] = await queryRows(await db.openTable('fsst'));
    expect(got.length).toBe(rows);
    for (const f of schema.fields) {
      const want = batches.flatMap((b) => plainColumn(b, f.name));
      expect({ f: f.name, v: plainColumn(ours, f.name) }).toEqual({ f: f.name, v: want });
      expect({ f: f.name, v: got.map((r) => r[f.name]) }).toEqual({ f: f.name, v: want });
    }
    // A range in the middle of the second page, through LanceDB's filter and our row range.
    const part = F.LanceFileReader.openSync(new F.MemorySource(bytes)).readSync({ offset: 2601, limit: 500 });
    expect(plainColumn(part, 'url')).toEqual(plainColumn(batches[0]!, 'url').slice(2601, 3101));
    const t = await db.openTable('fsst');
    const filtered = (await t.query().where('id >= 2601 AND id < 3101').limit(1000).toArray()) as Row[];
    expect(filtered.map((r) => String(r.name))).toEqual(plainColumn(batches[0]!, 'name').slice(2601, 3101));
  });
});

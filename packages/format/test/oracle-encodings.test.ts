/**
 * Which Lance 2.0 lightweight encodings LanceDB 0.39 reads in files written here (results recorded in
 * FORMAT.md): `bitpacked` integer pages (written by default since LanceDB reads them). A LanceDB upgrade that changes
 * the answer shows up here.
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { norm, plainColumn, tempDir, writeFile, writeTable } from './helpers';

const { Field, Schema, RecordBatch, Int32, Int16, Uint8, vectorFrom } = F;

describe('LanceDB on 2.0 bit-packed pages written here', () => {
  it('reads bitpacked { compressed < uncompressed bits } integer pages, signed and unsigned', async () => {
    const tmp = tempDir('vego-format-bp-');
    try {
      const n = 5000;
      const schema = new Schema([new Field('id', new Int32(), false), new Field('neg', new Int16(), false), new Field('small', new Uint8(), false)]);
      const ids = Array.from({ length: n }, (_, i) => i);
      const neg = Array.from({ length: n }, (_, i) => (i % 200) - 100);
      const small = Array.from({ length: n }, (_, i) => i % 5);
      const batch = new RecordBatch(schema, [vectorFrom(new Int32(), ids), vectorFrom(new Int16(), neg), vectorFrom(new Uint8(), small)] as never);
      const { bytes, summary } = writeFile(schema, [batch]);
      const plainBytes = writeFile(schema, [batch], { bitPacking: false }).bytes;
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      const enc = reader.columnMetadataSync(0).pages[0]!.encoding;
      expect(enc.kind === 'nullable' && enc.nulls === 'none' && enc.values.kind).toBe('bitpacked');
      expect(bytes.length).toBeLessThan(plainBytes.length);
      for (const f of schema.fields) expect(plainColumn(reader.readSync(), f.name)).toEqual(plainColumn(batch, f.name));
      writeTable(tmp.dir, 'bp', schema, bytes, summary.numRows);
      const db = await lancedb.connect(tmp.dir);
      const t = await db.openTable('bp');
      let outcome: string;
      try {
        const rows = (await t.query().limit(1_000_000).toArray()) as Record<string, unknown>[];
        const same = schema.fields.every((f) => JSON.stringify(rows.map((r) => norm(r[f.name]))) === JSON.stringify(plainColumn(batch, f.name)));
        outcome = same ? 'reads correctly' : 'reads wrong values';
      } catch (e) {
        outcome = `rejects: ${(e as Error).message.slice(0, 200)}`;
      }
      expect(outcome).toBe('reads correctly');
    } finally {
      tmp.cleanup();
    }
  });
});

/**
 * Lance 2.0 integer pages written here are `flat`, never `bitpacked`: LanceDB 0.39 (lance-encoding 12)
 * misreads `bitpacked` pages under range reads (issue 11 item 2; FORMAT.md, and the LanceDB regression
 * test in packages/io/test/lancedb-reads-ours-after-deletes.test.ts). `bitPacking: true` does not bring them back.
 */
import * as F from '@vego/format';
import { plainColumn, writeFile } from './helpers';

const { Field, Schema, RecordBatch, Int32, Int16, Uint8, vectorFrom } = F;

describe('2.0 integer pages', () => {
  it('are flat whatever bitPacking says, and read back exactly', () => {
    const n = 5000;
    const schema = new Schema([new Field('id', new Int32(), false), new Field('neg', new Int16(), false), new Field('small', new Uint8(), false)]);
    const batch = new RecordBatch(schema, [
      vectorFrom(new Int32(), Array.from({ length: n }, (_, i) => i)),
      vectorFrom(new Int16(), Array.from({ length: n }, (_, i) => (i % 200) - 100)),
      vectorFrom(new Uint8(), Array.from({ length: n }, (_, i) => i % 5)),
    ] as never);
    for (const bitPacking of [undefined, true, false]) {
      const { bytes } = writeFile(schema, [batch], bitPacking === undefined ? {} : { bitPacking });
      const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
      for (let c = 0; c < 3; c++) {
        const enc = reader.columnMetadataSync(c).pages[0]!.encoding;
        expect(enc.kind === 'nullable' && enc.nulls === 'none' && enc.values.kind).toBe('flat');
      }
      for (const f of schema.fields) expect(plainColumn(reader.readSync(), f.name)).toEqual(plainColumn(batch, f.name));
    }
  });
});

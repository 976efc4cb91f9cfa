/**
 * Oracle: Lance 2.1 and 2.2 files written by LanceFileWriter (structural mini-block and full-zip pages),
 * wrapped in a one-fragment manifest, open in LanceDB 0.39 with exactly the values this test generated,
 * and read back the same by our own reader.
 */
import * as lancedb from '@lancedb/lancedb';
import * as F from '@vego/format';
import { plainColumn, tempDir, writeFile, writeTable } from './helpers';
import { queryRows, type Row } from './fixtures/lancedb';
import { mixedBatch, mixedSchemaOf } from './fixtures/mixed-columns';

const mixedSchema = mixedSchemaOf([
  'id', 'i8', 'i16', 'i32', 'small', 'i64', 'ts', 'u8', 'u16', 'u32', 'u64', 'f32', 'f64', 'flag', 's', 'big_s', 'bin', 'all_null',
  'v', 'vector', 'nvector', 'l', 'ls', 'lall', 'st', 'stl',
]);

/** Fast equality of plain values (jest's deep equality over 2,200 vectors takes seconds); jest's diff on failure. */
function sameValues(field: string, got: unknown[], want: unknown[]): void {
  if (JSON.stringify(got) === JSON.stringify(want)) return;
  expect({ field, values: got }).toEqual({ field, values: want });
}

describe.each(['2.1', '2.2'] as const)('LanceDB reads Lance %s files written by LanceFileWriter', (version) => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('vego-format-oracle21-');
  });
  afterAll(() => tmp.cleanup());

  it('returns the generated values for every type and null pattern, over several batches and pages', async () => {
    const nullStructs = { nullStructs: true };
    const batches = [mixedBatch(mixedSchema, 1500, 1, 0, nullStructs), mixedBatch(mixedSchema, 1, 2, 1500, nullStructs), mixedBatch(mixedSchema, 699, 3, 1501, nullStructs)];
    const { bytes, summary } = writeFile(mixedSchema, batches, { version, pageByteLength: 128 * 1024 });
    expect(summary.numRows).toBe(2200);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    expect(reader.version).toEqual({ major: 2, minor: version === '2.1' ? 1 : 2 });
    const ours = reader.readSync();
    writeTable(tmp.dir, 'mixed', mixedSchema, bytes, summary.numRows, version);
    const db = await lancedb.connect(tmp.dir);
    const rows: Row[] = await queryRows(await db.openTable('mixed'));
    expect(rows.length).toBe(2200);
    for (const f of mixedSchema.fields) {
      const want = batches.flatMap((b) => plainColumn(b, f.name));
      sameValues(f.name, plainColumn(ours, f.name), want);
      sameValues(f.name, rows.map((r) => r[f.name]), want);
    }
  });
});

/**
 * The writer checks every column's buffers again before it trusts them: ArrayData holds the caller's
 * memory (never copied), so offsets, dictionary indices or a validity bitmap changed after
 * `makeData` validated them used to be written into the file as they were (2.0: a file that then
 * read other strings; 2.1: a RangeError out of the encoder). Now each is InvalidArgumentError naming
 * the column, for every file version, and the untouched data still writes and reads back.
 */
import * as F from '@vego/format';

const VERSIONS = ['2.0', '2.1', '2.2'] as const;

function strings(n: number): F.Vector {
  return F.utf8FromStrings(Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : `value-${i}-${'x'.repeat(i % 40)}`)));
}

function write(version: (typeof VERSIONS)[number], name: string, column: F.Vector): Uint8Array {
  const schema = new F.Schema([new F.Field(name, column.type)]);
  const sink = new F.MemorySink();
  const w = new F.LanceFileWriter(sink, schema, { version });
  w.write(new F.RecordBatch(schema, [column]));
  w.finish();
  return sink.toBytes();
}

async function readBack(bytes: Uint8Array, name: string): Promise<unknown[]> {
  const reader = await F.LanceFileReader.open(new F.MemorySource(bytes));
  const batch = await reader.read();
  const col = batch.column(name)!;
  return Array.from({ length: col.length }, (_, i) => col.get(i));
}

describe('LanceFileWriter checks the buffers it is given', () => {
  it.each(VERSIONS)('refuses changed string offsets, list offsets, dictionary indices and validity (%s)', async (version) => {
    // Untouched: written and read back exactly.
    const good = strings(300);
    expect(await readBack(write(version, 's', good), 's')).toEqual(Array.from({ length: 300 }, (_, i) => good.get(i)));

    const decreasing = strings(300);
    decreasing.data.valueOffsets![100] = decreasing.data.valueOffsets![99]! - 3;
    expect(() => write(version, 's', decreasing)).toThrow(F.InvalidArgumentError);
    expect(() => write(version, 's', decreasing)).toThrow(/column "s".*decrease at index 100/);

    const pastEnd = strings(300);
    pastEnd.data.valueOffsets![300] = pastEnd.data.values!.length + 10;
    expect(() => write(version, 's', pastEnd)).toThrow(/beyond the .* bytes of `values`/);

    const list = F.vectorFrom(new F.List(new F.Field('item', new F.Int32())), Array.from({ length: 50 }, (_, i) => [i, i + 1]));
    list.data.valueOffsets![50] = 1000;
    expect(() => write(version, 'l', list)).toThrow(/column "l".*beyond the 100 child elements/);

    const dictType = new F.Dictionary(new F.Utf8(), new F.Int8());
    const dict = F.vectorFrom(dictType, Array.from({ length: 40 }, (_, i) => `k${i % 5}`));
    (dict.data.values as Int8Array)[7] = 99;
    expect(() => write(version, 'd', dict)).toThrow(/column "d"/);

    const nullable = strings(300);
    expect(nullable.data.nullCount).toBeGreaterThan(0);
    nullable.data.validity![0] = 0; // rows 0..7 made null after the count
    expect(() => write(version, 's', nullable)).toThrow(/bitmap changed since/);
  });
});

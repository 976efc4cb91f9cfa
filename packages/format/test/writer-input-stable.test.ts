/**
 * `inputStable`: a writer told that its input stays unchanged until written hands the pages that
 * are views of the input to the sink's `writeOwned` (a queueing sink then writes them without a
 * copy); without it those pages go to `write`. The file's bytes are the same either way.
 */
import * as F from '@vego/format';

const { Field, Schema, RecordBatch, Int32, Float32, FixedSizeList, vectorFrom, makeData, makeVector, MemorySink, LanceFileWriter } = F;

/** A memory sink that records which calls got which buffers. */
class RecordingSink extends MemorySink {
  readonly owned: Uint8Array[] = [];
  readonly copied: Uint8Array[] = [];
  override write(bytes: Uint8Array): void {
    this.copied.push(bytes);
    super.write(bytes);
  }
  writeOwned(bytes: Uint8Array): void {
    this.owned.push(bytes);
    super.write(bytes);
  }
}

function batch(n: number, values: Float32Array): F.RecordBatch {
  const vectorType = new FixedSizeList(new Field('item', new Float32(), true), 8);
  const schema = new Schema([new Field('id', new Int32(), false), new Field('vector', vectorType, false)]);
  const child = makeData({ type: new Float32(), length: n * 8, values });
  const vectors = makeVector(makeData({ type: vectorType, length: n, children: [child] }));
  return new RecordBatch(schema, [vectorFrom(new Int32(), Array.from({ length: n }, (_, i) => i)), vectors] as never);
}

describe.each(['2.0', '2.1'] as const)('LanceFileWriter inputStable (Lance %s)', (version) => {
  // Lance 2.0 writes a plain fixed-size-list page as a view of its values; 2.1's structural pages
  // are always new arrays (they were `owned` before this option).
  const views = version === '2.0' ? 1 : 0;
  const n = 5000;
  const values = new Float32Array(n * 8);
  for (let i = 0; i < values.length; i++) values[i] = Math.sin(i);
  const input = batch(n, values);
  const write = (inputStable: boolean): RecordingSink => {
    const sink = new RecordingSink();
    const writer = new LanceFileWriter(sink, input.schema, { version, bitPacking: false, inputStable });
    writer.write(input);
    writer.finish();
    return sink;
  };
  const isInput = (b: Uint8Array): boolean => b.buffer === values.buffer;

  it('hands the vector page (a view of the input) to writeOwned, as it is', () => {
    const sink = write(true);
    const owned = sink.owned.filter(isInput);
    expect(owned).toHaveLength(views);
    if (views > 0) expect(owned[0]!.byteLength).toBe(values.byteLength);
    expect(sink.copied.filter(isInput)).toHaveLength(0);
  });

  it('without it, gives views of the input only to write; the bytes are the same', () => {
    const plain = write(false);
    expect(plain.owned.filter(isInput)).toHaveLength(0);
    expect(plain.copied.filter(isInput)).toHaveLength(views);
    expect(Buffer.from(plain.toBytes()).equals(Buffer.from(write(true).toBytes()))).toBe(true);
  });
});

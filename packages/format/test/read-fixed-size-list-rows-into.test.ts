import * as F from '@vego/format';
import { rng, writeFile } from './helpers';

/** A MemorySource that also fills caller buffers, counting how often it did. */
class IntoSource extends F.MemorySource {
  intoCalls = 0;
  readIntoSync(byteOffset: number, target: Uint8Array): number {
    this.intoCalls++;
    target.set(this.readSync(byteOffset, target.length));
    return target.length;
  }
}

function vectorFile(rows: number, dim: number, options: F.LanceFileWriterOptions = {}): { bytes: Uint8Array; values: Float32Array } {
  const random = rng(rows * 17 + dim);
  const values = new Float32Array(rows * dim);
  for (let i = 0; i < values.length; i++) values[i] = random() * 2 - 1;
  const schema = new F.Schema([
    new F.Field('id', new F.Int32(), false),
    new F.Field('vector', new F.FixedSizeList(new F.Field('item', new F.Float32(), true), dim), false),
  ]);
  const ids = new Int32Array(rows);
  for (let i = 0; i < rows; i++) ids[i] = i;
  const batch = new F.RecordBatch(schema, [F.vectorFromTypedArray(ids), F.fixedSizeListFromFloat32(values, dim)]);
  return { bytes: writeFile(schema, [batch], options).bytes, values };
}

describe('LanceFileReader.readFixedSizeListRowsIntoSync', () => {
  beforeAll(async () => {
    await F.initZstd();
  });

  it.each([
    ['2.0', { pageByteLength: 1024 }, 8],
    ['2.1', { version: '2.1', pageByteLength: 64 * 1024 }, 128],
    ['2.2', { version: '2.2', pageByteLength: 64 * 1024 }, 128],
  ] as const)('reads any row range of %s plain pages straight into the caller buffer, across page ends', (_, options, dim) => {
    const rows = 300;
    const { bytes, values } = vectorFile(rows, dim, options as F.LanceFileWriterOptions);
    const source = new IntoSource(bytes);
    const reader = F.LanceFileReader.openSync(source);
    expect(reader.columnSummarySync(1).pages).toBeGreaterThan(1);
    const target = new Float32Array(3 + rows * dim + 2).fill(7);
    // Every single row, then ranges that cross page ends, then the whole column.
    for (let r = 0; r < rows; r++) {
      expect(reader.readFixedSizeListRowsIntoSync('vector', r, 1, target, 3)).toBe(true);
      expect(Array.from(target.subarray(3, 3 + dim))).toEqual(Array.from(values.subarray(r * dim, (r + 1) * dim)));
    }
    const random = rng(dim);
    for (let k = 0; k < 20; k++) {
      const first = Math.floor(random() * rows);
      const n = Math.floor(random() * (rows - first + 1));
      target.fill(7);
      expect(reader.readFixedSizeListRowsIntoSync('vector', first, n, target, 3)).toBe(true);
      expect(Array.from(target.subarray(3, 3 + n * dim))).toEqual(Array.from(values.subarray(first * dim, (first + n) * dim)));
      expect(target[2]).toBe(7);
      expect(target[3 + n * dim]).toBe(7);
    }
    const calls = source.intoCalls;
    expect(reader.readFixedSizeListRowsIntoSync('vector', 0, rows, target, 3)).toBe(true);
    expect(Array.from(target.subarray(3, 3 + rows * dim))).toEqual(Array.from(values));
    expect(source.intoCalls - calls).toBe(reader.columnSummarySync(1).pages);
  });

  it('returns false, reading nothing, for pages that are not plain or a source without readIntoSync', () => {
    const zstd = vectorFile(120, 4, { compression: { codec: F.ZSTD_BUFFER_CODEC } });
    const source = new IntoSource(zstd.bytes);
    const target = new Float32Array(8).fill(7);
    expect(F.LanceFileReader.openSync(source).readFixedSizeListRowsIntoSync('vector', 5, 2, target)).toBe(false);
    expect(source.intoCalls).toBe(0);
    expect(Array.from(target)).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    const miniBlock = vectorFile(300, 8, { version: '2.2' });
    expect(F.LanceFileReader.openSync(new IntoSource(miniBlock.bytes)).readFixedSizeListRowsIntoSync('vector', 0, 1, new Float32Array(8))).toBe(false);
    const plain = vectorFile(10, 4);
    expect(F.LanceFileReader.openSync(new F.MemorySource(plain.bytes)).readFixedSizeListRowsIntoSync('vector', 0, 1, new Float32Array(4))).toBe(false);
  });

  it('refuses a wrong column, element type, rows outside the file or a target without room', () => {
    const { bytes } = vectorFile(10, 4);
    const reader = F.LanceFileReader.openSync(new IntoSource(bytes));
    expect(() => reader.readFixedSizeListRowsIntoSync('nope', 0, 1, new Float32Array(4))).toThrow(F.NotFoundError);
    expect(() => reader.readFixedSizeListRowsIntoSync('id', 0, 1, new Float32Array(4))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 0, 1, new Float64Array(4))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 0, 1, new Float32Array(4))).not.toThrow();
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 0, 1, new Float64Array(4))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 9, 2, new Float32Array(8))).toThrow(/within the 10 rows/);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', -1, 1, new Float32Array(4))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 0, 1.5, new Float32Array(8))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 0, 2, new Float32Array(7))).toThrow(/must hold 8 values/);
    expect(() => reader.readFixedSizeListRowsIntoSync('vector', 0, 1, new Float32Array(4), 1)).toThrow(F.InvalidArgumentError);
  });

  it('throws CorruptDataError when the file ends inside the rows asked', () => {
    const { bytes } = vectorFile(50, 4);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    const page = reader.columnMetadataSync(1).pages[0]!;
    const short: F.SyncByteSource = {
      byteLength: bytes.length,
      readSync: (o, l) => bytes.subarray(o, o + l),
      readIntoSync: (o, t) => {
        if (o >= page.bufferOffsets[0]! && o < page.bufferOffsets[0]! + page.bufferSizes[0]!) throw new F.CorruptDataError('file ends early');
        t.set(bytes.subarray(o, o + t.length));
        return t.length;
      },
    };
    expect(() => F.LanceFileReader.openSync(short).readFixedSizeListRowsIntoSync('vector', 3, 2, new Float32Array(8))).toThrow(F.CorruptDataError);
  });
});

import * as arrow from 'apache-arrow';
import * as F from '@vego/format';
import { rng, tempDir, writeFile } from './helpers';
import { lanceDbFile } from './fixtures/lancedb';

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
  const random = rng(rows * 31 + dim);
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

describe('LanceFileReader.readFixedSizeListIntoSync', () => {
  beforeAll(async () => {
    await F.initZstd();
  });

  it('reads plain pages straight into the caller buffer at an offset (several pages)', () => {
    const { bytes, values } = vectorFile(300, 8, { pageByteLength: 1024 });
    const source = new IntoSource(bytes);
    const reader = F.LanceFileReader.openSync(source);
    expect(reader.columnMetadataSync(1).pages.length).toBeGreaterThan(1);
    const target = new Float32Array(5 + values.length + 3).fill(7);
    expect(reader.readFixedSizeListIntoSync('vector', target, 5)).toBe(values.length);
    expect(Array.from(target.subarray(5, 5 + values.length))).toEqual(Array.from(values));
    expect(Array.from(target.subarray(0, 5))).toEqual([7, 7, 7, 7, 7]);
    expect(Array.from(target.subarray(5 + values.length))).toEqual([7, 7, 7]);
    expect(source.intoCalls).toBe(reader.columnMetadataSync(1).pages.length);
  });

  it.each(['2.1', '2.2'] as const)('reads %s full-zip pages of plain vectors straight into the caller buffer (several pages)', (version) => {
    const { bytes, values } = vectorFile(300, 128, { version, pageByteLength: 64 * 1024 });
    const source = new IntoSource(bytes);
    const reader = F.LanceFileReader.openSync(source);
    const summary = reader.columnSummarySync(1);
    expect(summary.pages).toBeGreaterThan(1);
    expect(summary.encodings.every((e) => e.startsWith('full_zip('))).toBe(true);
    const target = new Float32Array(2 + values.length + 1).fill(7);
    expect(reader.readFixedSizeListIntoSync('vector', target, 2)).toBe(values.length);
    expect(Array.from(target.subarray(2, 2 + values.length))).toEqual(Array.from(values));
    expect([target[0], target[1], target[2 + values.length]]).toEqual([7, 7, 7]);
    expect(source.intoCalls).toBe(summary.pages);
  });

  it('decodes and copies 2.1/2.2 mini-block vectors (narrow) as before', () => {
    const { bytes, values } = vectorFile(300, 8, { version: '2.2' });
    const source = new IntoSource(bytes);
    const reader = F.LanceFileReader.openSync(source);
    const target = new Float32Array(values.length);
    expect(reader.readFixedSizeListIntoSync('vector', target)).toBe(values.length);
    expect(Array.from(target)).toEqual(Array.from(values));
    expect(source.intoCalls).toBe(0);
  });

  it('works on a source without readIntoSync', () => {
    const { bytes, values } = vectorFile(40, 3);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    const target = new Float32Array(values.length);
    reader.readFixedSizeListIntoSync('vector', target);
    expect(Array.from(target)).toEqual(Array.from(values));
  });

  it('decodes and copies pages that are not plain (zstd-compressed)', () => {
    const { bytes, values } = vectorFile(120, 4, { compression: { codec: F.ZSTD_BUFFER_CODEC } });
    const source = new IntoSource(bytes);
    const reader = F.LanceFileReader.openSync(source);
    const target = new Float32Array(values.length + 1);
    expect(reader.readFixedSizeListIntoSync('vector', target, 1)).toBe(values.length);
    expect(Array.from(target.subarray(1))).toEqual(Array.from(values));
    expect(source.intoCalls).toBe(0);
  });

  it('reads an empty file as zero values', () => {
    const { bytes } = vectorFile(0, 4);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    expect(reader.readFixedSizeListIntoSync('vector', new Float32Array(0))).toBe(0);
  });

  it('refuses a wrong column, element type or a target without room', () => {
    const { bytes } = vectorFile(10, 4);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    expect(() => reader.readFixedSizeListIntoSync('nope', new Float32Array(40))).toThrow(F.NotFoundError);
    expect(() => reader.readFixedSizeListIntoSync('id', new Float32Array(40))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListIntoSync('vector', new Float64Array(40))).toThrow(F.InvalidArgumentError);
    expect(() => reader.readFixedSizeListIntoSync('vector', new Float32Array(39))).toThrow(/must hold 40 values/);
    expect(() => reader.readFixedSizeListIntoSync('vector', new Float32Array(40), 1)).toThrow(F.InvalidArgumentError);
  });

  it('throws CorruptDataError, not a short read, when a plain page is cut off', () => {
    const { bytes } = vectorFile(50, 4);
    const reader = F.LanceFileReader.openSync(new F.MemorySource(bytes));
    const page = reader.columnMetadataSync(1).pages[0]!;
    // A source whose reads of the vector page come back short.
    const short: F.SyncByteSource = {
      byteLength: bytes.length,
      readSync: (o, l) => (o === page.bufferOffsets[0] ? bytes.subarray(o, o + l - 1) : bytes.subarray(o, o + l)),
    };
    const r2 = F.LanceFileReader.openSync(short);
    expect(() => r2.readFixedSizeListIntoSync('vector', new Float32Array(200))).toThrow(F.CorruptDataError);
  });
});

// Oracle: files LanceDB wrote (2.0: plain pages read straight in; 2.1 and its default 2.2: decoded),
// filled into a caller's buffer with the values LanceDB itself returns.
describe.each([
  ['2.0', '2.0'],
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('readFixedSizeListIntoSync on a LanceDB-written Lance %s file', (_name, version) => {
  const DIM = 16;
  const N = 700;
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    tmp = tempDir('vego-format-into-');
    const item = (): arrow.Field => new arrow.Field('item', new arrow.Float32(), true);
    const schema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('vector', new arrow.FixedSizeList(DIM, item()), false),
      new arrow.Field('nvector', new arrow.FixedSizeList(DIM, item()), true),
    ]);
    const random = rng(404);
    const rows = Array.from({ length: N }, (_, i) => ({
      id: i,
      vector: Array.from({ length: DIM }, () => random() * 2 - 1),
      nvector: i === 123 ? null : Array.from({ length: DIM }, () => random()),
    }));
    ({ file, expected } = await lanceDbFile(tmp.dir, schema, rows, version));
  });
  afterAll(() => tmp.cleanup());

  it('fills the buffer with the values LanceDB returns', () => {
    const source = new IntoSource(file);
    const reader = F.LanceFileReader.openSync(source);
    const target = new Float32Array(N * DIM);
    expect(reader.readFixedSizeListIntoSync('vector', target)).toBe(N * DIM);
    const want = expected.flatMap((r) => r['vector'] as number[]);
    expect(Array.from(target)).toEqual(want);
    // 2.0 pages of plain floats go straight into the buffer; 2.1/2.2 pages are decoded.
    if (version === '2.0') expect(source.intoCalls).toBeGreaterThan(0);
    else expect(source.intoCalls).toBe(0);
  });

  it('refuses a column holding a null list with a typed error (CorruptDataError once decoded)', () => {
    const reader = F.LanceFileReader.openSync(new F.MemorySource(file));
    let decoded: unknown = null;
    try {
      reader.readSync({ columns: ['nvector'] });
    } catch (e) {
      decoded = e; // a layout this reader does not decode yet (NotSupportedError): the same error comes back
    }
    const errorType = decoded === null ? F.CorruptDataError : (decoded as Error).constructor;
    expect(() => reader.readFixedSizeListIntoSync('nvector', new Float32Array(N * DIM))).toThrow(errorType as typeof F.VegoError);
    expect(F.isVegoError(decoded ?? new F.CorruptDataError('x'))).toBe(true);
  });
});

// Oracle: LanceDB's 2.1/2.2 files of wide vectors (512 bytes a row: full-zip pages) are read straight in.
describe.each([
  ['2.1', '2.1'],
  ['2.2 (LanceDB default)', null],
])('readFixedSizeListIntoSync on LanceDB-written Lance %s full-zip vectors', (_name, version) => {
  const DIM = 128;
  const N = 300;
  let tmp: ReturnType<typeof tempDir>;
  let file: Uint8Array;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    tmp = tempDir('vego-format-into-wide-');
    const schema = new arrow.Schema([new arrow.Field('vector', new arrow.FixedSizeList(DIM, new arrow.Field('item', new arrow.Float32(), true)), false)]);
    const random = rng(505);
    const rows = Array.from({ length: N }, () => ({ vector: Array.from({ length: DIM }, () => random() * 2 - 1) }));
    ({ file, expected } = await lanceDbFile(tmp.dir, schema, rows, version));
  });
  afterAll(() => tmp.cleanup());

  it('fills the buffer with the values LanceDB returns, straight from the full-zip pages', () => {
    const source = new IntoSource(file);
    const reader = F.LanceFileReader.openSync(source);
    expect(reader.columnSummarySync(0).encodings.every((e) => e.startsWith('full_zip('))).toBe(true);
    const target = new Float32Array(N * DIM);
    expect(reader.readFixedSizeListIntoSync('vector', target)).toBe(N * DIM);
    expect(Array.from(target)).toEqual(expected.flatMap((r) => r['vector'] as number[]));
    expect(source.intoCalls).toBe(reader.columnSummarySync(0).pages);
  });
});

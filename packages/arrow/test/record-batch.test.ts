import {
  Field, Float32, Int32, RecordBatch, Schema, Table, Utf8, fixedSizeListFromFloat32, utf8FromStrings, vectorFromTypedArray,
} from '@vego/arrow';

const code = (c: string) => expect.objectContaining({ code: c });

function batch(ids: number[], names: string[]): RecordBatch {
  return RecordBatch.from({ id: vectorFromTypedArray(Int32Array.from(ids)), name: utf8FromStrings(names) });
}

describe('RecordBatch', () => {
  it('holds equal-length columns and looks them up by name and position', () => {
    const b = RecordBatch.from({
      id: vectorFromTypedArray(new Int32Array([1, 2, 3])),
      vec: fixedSizeListFromFloat32(new Float32Array(6), 2),
    });
    expect(b.numRows).toBe(3);
    expect(b.numCols).toBe(2);
    expect(b.column('id').get(2)).toBe(3);
    expect(b.columnAt(1).type.toString()).toBe('FixedSizeList<Float32>[2]');
    expect(b.hasColumn('vec')).toBe(true);
    expect(() => b.column('nope')).toThrow(code('VEGO_NOT_FOUND'));
    expect(() => b.columnAt(2)).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(b.select(['vec']).numCols).toBe(1);
    const s = b.slice(1);
    expect(s.numRows).toBe(2);
    expect(s.column('id').toArray()).toEqual([2, 3]);
  });

  it('validates column count, lengths, types and nullability with error codes', () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('name', new Utf8())]);
    const ids = vectorFromTypedArray(new Int32Array([1, 2]));
    expect(() => new RecordBatch(schema, [ids])).toThrow(code('VEGO_LENGTH_MISMATCH'));
    expect(() => new RecordBatch(schema, [ids, utf8FromStrings(['a'])])).toThrow(code('VEGO_LENGTH_MISMATCH'));
    expect(() => new RecordBatch(schema, [ids, vectorFromTypedArray(new Float32Array(2))])).toThrow(code('VEGO_TYPE_MISMATCH'));
    const withNull = vectorFromTypedArray(new Int32Array([1, 2]), new Uint8Array([1]));
    expect(() => new RecordBatch(schema, [withNull, utf8FromStrings(['a', 'b'])])).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => new RecordBatch(schema, [ids, 'x' as never])).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(new RecordBatch(schema, [ids, utf8FromStrings(['a', null])]).numRows).toBe(2);
  });

  it('allows an empty batch', () => {
    const b = new RecordBatch(new Schema([new Field('x', new Float32())]), [vectorFromTypedArray(new Float32Array(0))]);
    expect(b.numRows).toBe(0);
  });
});

describe('Table', () => {
  const t = Table.from([batch([1, 2], ['a', 'b']), batch([3], ['c']), batch([4, 5, 6], ['d', 'e', 'f'])]);

  it('counts rows over batches and returns column chunks', () => {
    expect(t.numRows).toBe(6);
    expect(t.numCols).toBe(2);
    const chunks = t.column('name');
    expect(chunks.length).toBe(3);
    expect(chunks.map((c) => c.toArray())).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f']]);
    expect(() => t.column('x')).toThrow(code('VEGO_NOT_FOUND'));
    expect(t.select(['id']).column('id')[2]!.get(0)).toBe(4);
  });

  it('slices across batch boundaries without copying', () => {
    const s = t.slice(1, 5);
    expect(s.numRows).toBe(4);
    expect(s.column('id').map((c) => c.toArray())).toEqual([[2], [3], [4, 5]]);
    expect(s.column('id')[0]!.data.values).toBe(t.column('id')[0]!.data.values);
  });

  it('rejects batches with another schema and empty input without a schema', () => {
    const other = RecordBatch.from({ id: vectorFromTypedArray(new Float32Array(1)) });
    expect(() => Table.from([batch([1], ['a']), other])).toThrow(code('VEGO_TYPE_MISMATCH'));
    expect(() => Table.from([])).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(Table.from([], other.schema).numRows).toBe(0);
  });
});

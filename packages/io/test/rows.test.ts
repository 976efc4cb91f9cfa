import { Float64, Int32, Field, Schema, InvalidArgumentError, TypeMismatchError, TypeId, inferSchema, recordBatchFromRows } from '@vego/io';

describe('inferSchema', () => {
  it('maps JS values to Arrow types', () => {
    const s = inferSchema([
      { n: 1.5, b: 2n, s: 'x', t: true, bin: new Uint8Array([1]), v: [1, 2, 3] },
      { n: null, b: null, s: undefined, t: false, bin: null, v: new Float32Array([4, 5, 6]) },
    ]);
    expect(s.fields.map((f) => [f.name, f.type.toString(), f.nullable])).toEqual([
      ['n', new Float64().toString(), true],
      ['b', s.field('b')!.type.toString(), true],
      ['s', s.field('s')!.type.toString(), true],
      ['t', s.field('t')!.type.toString(), true],
      ['bin', s.field('bin')!.type.toString(), true],
      ['v', s.field('v')!.type.toString(), true],
    ]);
    expect(s.field('b')!.type.typeId).toBe(TypeId.Int64);
    expect(s.field('s')!.type.typeId).toBe(TypeId.Utf8);
    expect(s.field('t')!.type.typeId).toBe(TypeId.Bool);
    expect(s.field('bin')!.type.typeId).toBe(TypeId.Binary);
    expect(s.field('v')!.type.typeId).toBe(TypeId.FixedSizeList);
  });

  it('takes keys in order of first appearance, missing keys being nulls', () => {
    const s = inferSchema([{ a: 1 }, { b: 'x', a: 2 }]);
    expect(s.fields.map((f) => f.name)).toEqual(['a', 'b']);
    const batch = recordBatchFromRows([{ a: 1 }, { b: 'x', a: 2 }]);
    expect(batch.numRows).toBe(2);
    expect(batch.column('b').get(0)).toBeNull();
    expect(batch.column('b').get(1)).toBe('x');
  });

  it('refuses columns it cannot type, naming them', () => {
    expect(() => inferSchema([])).toThrow(InvalidArgumentError);
    expect(() => inferSchema([{ a: null }])).toThrow(/"a" is null in every row/);
    expect(() => inferSchema([{ a: 1 }, { a: 'x' }])).toThrow(TypeMismatchError);
    expect(() => inferSchema([{ v: [1, 2] }, { v: [1] }])).toThrow(/lengths 2 and 1/);
    expect(() => inferSchema([{ d: new Date() }])).toThrow(/cannot infer a type for column "d"/);
    expect(() => inferSchema([42 as unknown as Record<string, unknown>])).toThrow(InvalidArgumentError);
  });
});

describe('recordBatchFromRows', () => {
  it('builds columns in a given schema and reports values and keys that do not fit', () => {
    const schema = new Schema([new Field('id', new Int32(), false), new Field('x', new Float64())]);
    expect(() => recordBatchFromRows([{ id: 1, extra: 'typo' }], schema)).toThrow(/"extra", which is not a column/);
    const b = recordBatchFromRows([{ id: 1, x: 0.5 }, { id: 2 }], schema);
    expect(b.numRows).toBe(2);
    expect(b.column('id').get(1)).toBe(2);
    expect(b.column('x').get(1)).toBeNull();
    expect(() => recordBatchFromRows([{ id: null }], schema)).toThrow(/column "id", rows\[0\]/);
  });
});

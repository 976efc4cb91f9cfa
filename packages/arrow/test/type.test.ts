import {
  Binary, Bool, Field, FixedSizeList, Float16, Float32, Float64, Int16, Int32, Int64, Int8, List, Schema, Struct, TypeId,
  Uint16, Uint32, Uint64, Uint8, Utf8, isFixedWidth, isNumeric,
} from '@vego/arrow';

describe('types', () => {
  it('names types by toString, including nested ones', () => {
    expect(new Int32().toString()).toBe('Int32');
    expect(new FixedSizeList(new Field('item', new Float32()), 128).toString()).toBe('FixedSizeList<Float32>[128]');
    expect(new List(new Field('item', new Utf8())).toString()).toBe('List<Utf8>');
    expect(new Struct([new Field('a', new Int64())]).toString()).toBe('Struct<{a: Int64}>');
  });

  it('exposes bitWidth and the TypedArray class of fixed-width types', () => {
    const cases: [{ bitWidth: number; ArrayType: unknown }, number, unknown][] = [
      [new Bool(), 1, Uint8Array], [new Int8(), 8, Int8Array], [new Int16(), 16, Int16Array], [new Int32(), 32, Int32Array],
      [new Int64(), 64, BigInt64Array], [new Uint8(), 8, Uint8Array], [new Uint16(), 16, Uint16Array],
      [new Uint32(), 32, Uint32Array], [new Uint64(), 64, BigUint64Array], [new Float16(), 16, Uint16Array],
      [new Float32(), 32, Float32Array], [new Float64(), 64, Float64Array],
    ];
    for (const [t, bits, A] of cases) {
      expect(t.bitWidth).toBe(bits);
      expect(t.ArrayType).toBe(A);
    }
  });

  it('tells types apart by typeId and compares nested types structurally', () => {
    expect(new Int32().equals(new Int32())).toBe(true);
    expect(new Int32().equals(new Uint32())).toBe(false);
    expect(new Utf8().equals(new Binary())).toBe(false);
    expect(new Float64().typeId).toBe(TypeId.Float64);
    const a = new FixedSizeList(new Field('item', new Float32()), 4);
    expect(a.equals(new FixedSizeList(new Field('element', new Float32(), false), 4))).toBe(true);
    expect(a.equals(new FixedSizeList(new Field('item', new Float32()), 5))).toBe(false);
    expect(a.equals(new FixedSizeList(new Field('item', new Float64()), 4))).toBe(false);
    const s = new Struct([new Field('x', new Int32()), new Field('y', new Utf8())]);
    expect(s.equals(new Struct([new Field('x', new Int32()), new Field('y', new Utf8())]))).toBe(true);
    expect(s.equals(new Struct([new Field('x', new Int32()), new Field('z', new Utf8())]))).toBe(false);
    expect(new List(new Field('i', new Int32())).equals(new List(new Field('j', new Int32())))).toBe(true);
    expect(new List(new Field('i', new Int32())).equals(a)).toBe(false);
  });

  it('classifies numeric and fixed-width types', () => {
    expect(isNumeric(new Float16())).toBe(true);
    expect(isNumeric(new Bool())).toBe(false);
    expect(isFixedWidth(new Bool())).toBe(true);
    expect(isFixedWidth(new Utf8())).toBe(false);
    expect(isFixedWidth(new FixedSizeList(new Field('item', new Int8()), 2))).toBe(false);
  });

  it('rejects bad constructor arguments with typed errors', () => {
    expect(() => new FixedSizeList(new Field('item', new Float32()), -1)).toThrow(expect.objectContaining({ code: 'VEGO_INVALID_ARGUMENT' }));
    expect(() => new FixedSizeList(new Field('item', new Float32()), 1.5)).toThrow(expect.objectContaining({ code: 'VEGO_INVALID_ARGUMENT' }));
    expect(() => new List({} as never)).toThrow(expect.objectContaining({ code: 'VEGO_INVALID_ARGUMENT' }));
    expect(() => new Field('x', 'Int32' as never)).toThrow(expect.objectContaining({ code: 'VEGO_INVALID_ARGUMENT' }));
  });
});

describe('Field and Schema', () => {
  const schema = new Schema(
    [new Field('id', new Int64(), false), new Field('vec', new FixedSizeList(new Field('item', new Float32()), 3)), new Field('name', new Utf8())],
    new Map([['origin', 'test']]),
  );

  it('looks fields up by name', () => {
    expect(schema.field('vec')!.type.toString()).toBe('FixedSizeList<Float32>[3]');
    expect(schema.fieldIndex('name')).toBe(2);
    expect(schema.fieldIndex('missing')).toBe(-1);
    expect(schema.field('missing')).toBeNull();
    expect(schema.numFields).toBe(3);
  });

  it('compares schemas by fields, nullability and metadata', () => {
    const same = new Schema(schema.fields.slice(), new Map([['origin', 'test']]));
    expect(schema.equals(same)).toBe(true);
    expect(schema.equals(new Schema(schema.fields.slice()))).toBe(false);
    const nullableId = new Schema([new Field('id', new Int64(), true), ...schema.fields.slice(1)], schema.metadata);
    expect(schema.equals(nullableId)).toBe(false);
    const withMeta = new Field('id', new Int64(), false, new Map([['k', 'v']]));
    expect(withMeta.equals(new Field('id', new Int64(), false))).toBe(false);
    expect(withMeta.equals(new Field('id', new Int64(), false, new Map([['k', 'v']])))).toBe(true);
  });

  it('selects fields in the order asked and reports unknown names', () => {
    expect(schema.select(['name', 'id']).fields.map((f) => f.name)).toEqual(['name', 'id']);
    expect(() => schema.select(['nope'])).toThrow(expect.objectContaining({ code: 'VEGO_NOT_FOUND' }));
  });

  it('rejects duplicate field names', () => {
    expect(() => new Schema([new Field('a', new Int32()), new Field('a', new Utf8())])).toThrow(
      expect.objectContaining({ code: 'VEGO_INVALID_ARGUMENT' }),
    );
  });

  it('copies metadata so later changes to the source map do not leak in', () => {
    const m = new Map([['a', '1']]);
    const f = new Field('x', new Int32(), true, m);
    m.set('b', '2');
    expect(f.metadata.size).toBe(1);
  });
});

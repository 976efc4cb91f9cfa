/**
 * The logical-type table, both directions: every leaf type written here is named as LanceDB 0.39 names it
 * (names taken from LanceDB-written files: `decimal:128:38:3`, `fixed_size_binary:5`,
 * `dict:string:int32:false`, `dict:int64:int8:false`, `list.struct`) and the name reads back as the same type.
 */
import * as F from '@vego/format';

const {
  Field, Schema, Bool, Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64, Float16, Float32, Float64, Utf8, Binary, Date32, Date64,
  Timestamp, Time32, Time64, Duration, Decimal128, Decimal256, FixedSizeBinary, LargeUtf8, LargeBinary, Dictionary, List, Struct, FixedSizeList,
} = F;

const CASES: Array<[F.DataType, string]> = [
  [new Bool(), 'bool'], [new Int8(), 'int8'], [new Int16(), 'int16'], [new Int32(), 'int32'], [new Int64(), 'int64'],
  [new Uint8(), 'uint8'], [new Uint16(), 'uint16'], [new Uint32(), 'uint32'], [new Uint64(), 'uint64'],
  [new Float16(), 'halffloat'], [new Float32(), 'float'], [new Float64(), 'double'], [new Utf8(), 'string'], [new Binary(), 'binary'],
  [new Date32(), 'date32:day'], [new Date64(), 'date64:ms'], [new Timestamp('us', 'UTC'), 'timestamp:us:UTC'], [new Timestamp('ns'), 'timestamp:ns:-'],
  [new Time32('ms'), 'time32:ms'], [new Time64('ns'), 'time64:ns'], [new Duration('s'), 'duration:s'],
  [new Decimal128(38, 3), 'decimal:128:38:3'], [new Decimal256(76, 10), 'decimal:256:76:10'], [new FixedSizeBinary(5), 'fixed_size_binary:5'],
  [new LargeUtf8(), 'large_string'], [new LargeBinary(), 'large_binary'],
  [new Dictionary(new Utf8(), new Int32()), 'dict:string:int32:false'], [new Dictionary(new Int64(), new Int8()), 'dict:int64:int8:false'],
  [new Dictionary(new Utf8(), new Uint16(), true), 'dict:string:uint16:true'],
];

describe('Lance logical types (one table, both directions)', () => {
  it.each(CASES.map(([t, name]) => [name, t] as const))('%s', (name, type) => {
    const fields = F.schemaToLanceFields(new Schema([new Field('x', type)]));
    expect(fields.map((f) => f.logicalType)).toEqual([name]);
    // Field.encoding as LanceDB sets it: VAR_BINARY for strings and binaries, DICTIONARY for dictionaries, else PLAIN.
    const id = type.typeId;
    const variable = id === F.TypeId.Utf8 || id === F.TypeId.Binary || id === F.TypeId.LargeUtf8 || id === F.TypeId.LargeBinary;
    expect(fields[0]!.encoding).toBe(variable ? 2 : id === F.TypeId.Dictionary ? 3 : 1);
    expect(F.lanceFieldsToSchema(fields).fields[0]!.type.equals(type)).toBe(true);
  });

  it('names a list of structs `list.struct` (as LanceDB does) and other lists `list`', () => {
    const ls = new List(new Field('item', new Struct([new Field('a', new Int32())])));
    const li = new List(new Field('item', new Int32()));
    const fields = F.schemaToLanceFields(new Schema([new Field('ls', ls), new Field('li', li), new Field('v', new FixedSizeList(new Field('item', new Float32()), 3))]));
    expect(fields.map((f) => f.logicalType)).toEqual(['list.struct', 'struct', 'int32', 'list', 'int32', 'fixed_size_list:float:3']);
    const back = F.lanceFieldsToSchema(fields);
    expect(back.fields[0]!.type.equals(ls)).toBe(true);
    expect(back.fields[1]!.type.equals(li)).toBe(true);
  });

  it('refuses dictionaries of non-primitive or bool values (typed)', () => {
    expect(() => F.schemaToLanceFields(new Schema([new Field('x', new Dictionary(new LargeUtf8(), new Int32()))]))).toThrow(F.NotSupportedError);
    expect(() => F.schemaToLanceFields(new Schema([new Field('x', new Dictionary(new Bool(), new Int32()))]))).toThrow(F.NotSupportedError);
  });

  it.each(['2.0', '2.1', '2.2'] as const)('refuses dictionary rows whose index is outside the dictionary (typed, Lance %s)', (version) => {
    const type = new Dictionary(new Utf8(), new Int32());
    const dictionary = F.vectorFrom(new Utf8(), ['a', 'b']).data as F.ArrayData;
    // makeData refuses such data already; the unchecked constructor builds it, as a damaged caller could.
    const data = new F.ArrayData(type, 3, 0, 0, null, Int32Array.of(0, 2, 1), null, [dictionary]);
    const schema = new Schema([new Field('x', type)]);
    const w = new F.LanceFileWriter(new F.MemorySink(), schema, { version });
    // Refused when written (the writer checks every column's buffers), before any page is encoded.
    expect(() => w.write(new F.RecordBatch(schema, [F.makeVector(data)] as never))).toThrow(/column "x".*index 2 at 1 is outside the 2-value dictionary/);
  });
});

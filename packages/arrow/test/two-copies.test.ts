import { Field, InvalidArgumentError, Int32, RecordBatch, Schema, Table, vectorFromTypedArray } from '@vego/arrow';

// Two bundled copies of @vego/arrow must accept each other's schemas and batches: classes are told
// apart by shape and type ids, never by `instanceof` (regression: RecordBatch checked
// `schema instanceof Schema`).
describe('a second copy of @vego/arrow', () => {
  const other = loadCopy();

  function loadCopy(): typeof import('@vego/arrow') {
    let copy: typeof import('@vego/arrow') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      copy = require('../src/index') as typeof import('@vego/arrow');
    });
    return copy!;
  }

  it('is really a second copy (its classes are not ours)', () => {
    expect(other.Schema).not.toBe(Schema);
    expect(new other.Schema([]) instanceof Schema).toBe(false);
  });

  it('builds a RecordBatch and a Table from our schema and batches', () => {
    const schema = new Schema([new Field('x', new Int32(), false)]);
    const batch = new other.RecordBatch(schema, [vectorFromTypedArray(new Int32Array([1, 2, 3]))]);
    expect(batch.numRows).toBe(3);
    const table = new other.Table(schema, [new RecordBatch(schema, [vectorFromTypedArray(new Int32Array([4]))])]);
    expect(table.numRows).toBe(1);
  });

  it('and ours from its schema', () => {
    const schema = new other.Schema([new other.Field('x', new other.Int32(), false)]);
    const batch = new RecordBatch(schema, [vectorFromTypedArray(new Int32Array([1, 2]))]);
    expect(new Table(schema, [batch]).numRows).toBe(2);
  });

  it('still rejects what is not a schema or a batch', () => {
    expect(() => new RecordBatch({ fields: [] } as unknown as Schema, [])).toThrow(InvalidArgumentError);
    expect(() => new Table(new Schema([]), [{ schema: null } as unknown as RecordBatch])).toThrow(InvalidArgumentError);
  });
});

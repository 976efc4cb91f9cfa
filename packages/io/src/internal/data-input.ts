/** Normalises what `Dataset.create` accepts into a schema and record batches. */
import { InvalidArgumentError, RecordBatch, Schema, Table, TypeMismatchError } from '@vego/format';
import { recordBatchFromRows, type Row } from '../rows';

/** Anything `Dataset.create` accepts as data. */
export type DatasetInput = RecordBatch | Table | readonly RecordBatch[] | readonly Row[];

function isBatchLike(v: unknown): v is RecordBatch {
  return v instanceof RecordBatch || (typeof v === 'object' && v !== null && 'columns' in v && 'schema' in v && 'numRows' in v && !('batches' in v));
}

function isTableLike(v: unknown): v is Table {
  return v instanceof Table || (typeof v === 'object' && v !== null && 'batches' in v && 'schema' in v);
}

/** Same names, same types, in the same order (nullability may differ). */
export function sameColumns(a: Schema, b: Schema): boolean {
  if (a.fields.length !== b.fields.length) return false;
  for (let i = 0; i < a.fields.length; i++) {
    const fa = a.fields[i]!;
    const fb = b.fields[i]!;
    if (fa.name !== fb.name || !fa.type.equals(fb.type)) return false;
  }
  return true;
}

/** Describes a schema as `name: Type, …` for messages. */
export function describeSchema(s: Schema): string {
  return s.fields.map((f) => `${f.name}: ${f.type.toString()}`).join(', ');
}

/**
 * Turns the input into batches. With `target` (the dataset's schema when appending), rows are built
 * in it and batches must match it.
 * @throws InvalidArgumentError for an unusable input; TypeMismatchError when batches do not match.
 */
export function normalizeInput(data: DatasetInput, target: Schema | null, schemaOption: Schema | undefined): { schema: Schema; batches: RecordBatch[] } {
  let batches: RecordBatch[];
  if (isTableLike(data)) batches = data.batches.slice();
  else if (isBatchLike(data)) batches = [data];
  else if (Array.isArray(data)) {
    if (data.length === 0) {
      const s = target ?? schemaOption;
      if (s === undefined) throw new InvalidArgumentError('`data` is empty: pass `schema` to create an empty dataset');
      return { schema: s, batches: [] };
    }
    if (data.every(isBatchLike)) batches = (data as RecordBatch[]).slice();
    else if (data.some(isBatchLike)) throw new InvalidArgumentError('`data` mixes record batches and plain rows');
    else batches = [recordBatchFromRows(data as Row[], target ?? schemaOption)];
  } else {
    throw new InvalidArgumentError('`data` must be a RecordBatch, a Table, an array of RecordBatches or an array of plain row objects');
  }
  const schema = target ?? schemaOption ?? batches[0]?.schema;
  if (schema === undefined) throw new InvalidArgumentError('`data` holds no batches: pass `schema` to create an empty dataset');
  for (let i = 0; i < batches.length; i++) {
    if (!sameColumns(batches[i]!.schema, schema)) {
      throw new TypeMismatchError(
        `batch ${i} has columns (${describeSchema(batches[i]!.schema)}) but the dataset has (${describeSchema(schema)})`,
      );
    }
  }
  return { schema, batches };
}

/**
 * Plain JavaScript rows to Arrow record batches, for apps that have objects rather than columns.
 *
 * Type inference (per column, over every row; keys in order of first appearance):
 * | JS values                                   | Arrow type                         |
 * |---------------------------------------------|------------------------------------|
 * | `number`                                    | Float64 (JS numbers are doubles)    |
 * | `bigint`                                    | Int64                              |
 * | `string`                                    | Utf8                               |
 * | `boolean`                                   | Bool                               |
 * | `Uint8Array`                                | Binary                             |
 * | `Float32Array` / `number[]`, same length n  | FixedSizeList<Float32>[n] (vectors) |
 * `null` and `undefined` (or a missing key) are nulls; every inferred field is nullable. A column
 * whose values are all null, mix kinds, or are arrays of different lengths cannot be inferred: pass a
 * `schema` then (e.g. to get Int32 or Int64 ids from numbers).
 */
import {
  Binary,
  Bool,
  Field,
  FixedSizeList,
  Float32,
  Float64,
  Int64,
  InvalidArgumentError,
  RecordBatch,
  Schema,
  TypeMismatchError,
  Utf8,
  makeBuilder,
} from '@vego/format';
import type { DataType, Vector } from '@vego/format';

/** A plain object row: column name to value. */
export type Row = Record<string, unknown>;

type Kind = 'number' | 'bigint' | 'string' | 'boolean' | 'binary' | 'vector';

function kindOf(v: unknown): Kind | null {
  switch (typeof v) {
    case 'number':
      return 'number';
    case 'bigint':
      return 'bigint';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      if (v instanceof Uint8Array) return 'binary';
      if (v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'))) return 'vector';
      return null;
  }
}

/**
 * Infers a schema from plain rows (rules in the module comment).
 * @throws InvalidArgumentError when `rows` is not a non-empty array of objects, or a column is all
 *   null or holds an unsupported value; TypeMismatchError when a column mixes kinds of values.
 * @example
 * ```ts
 * inferSchema([{ id: 1, name: 'a' }]).toString(); // id: Float64, name: Utf8
 * ```
 */
export function inferSchema(rows: readonly Row[]): Schema {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new InvalidArgumentError('`rows` must be a non-empty array of objects to infer a schema from');
  }
  const kinds = new Map<string, Kind | null>();
  const dims = new Map<string, number>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new InvalidArgumentError(`\`rows[${r}]\` must be a plain object, got ${row === null ? 'null' : typeof row}`);
    }
    for (const key of Object.keys(row)) {
      const v = row[key];
      if (!kinds.has(key)) kinds.set(key, null);
      if (v === null || v === undefined) continue;
      const k = kindOf(v);
      if (k === null) {
        throw new InvalidArgumentError(`cannot infer a type for column "${key}" from rows[${r}] (${Object.prototype.toString.call(v)}); pass a \`schema\``);
      }
      const seen = kinds.get(key);
      if (seen !== null && seen !== k) {
        throw new TypeMismatchError(`column "${key}" mixes ${seen} and ${k} values (rows[${r}]); pass a \`schema\``);
      }
      kinds.set(key, k);
      if (k === 'vector') {
        const n = (v as ArrayLike<number>).length;
        const d = dims.get(key);
        if (d !== undefined && d !== n) {
          throw new TypeMismatchError(`column "${key}" holds vectors of lengths ${d} and ${n} (rows[${r}]); pass a \`schema\``);
        }
        dims.set(key, n);
      }
    }
  }
  const fields: Field[] = [];
  for (const [name, kind] of kinds) {
    if (kind === null) throw new InvalidArgumentError(`column "${name}" is null in every row: cannot infer its type; pass a \`schema\``);
    fields.push(new Field(name, typeForKind(kind, dims.get(name) ?? 0), true));
  }
  return new Schema(fields);
}

function typeForKind(kind: Kind, dim: number): DataType {
  switch (kind) {
    case 'number':
      return new Float64();
    case 'bigint':
      return new Int64();
    case 'string':
      return new Utf8();
    case 'boolean':
      return new Bool();
    case 'binary':
      return new Binary();
    case 'vector':
      if (dim <= 0) throw new InvalidArgumentError('cannot store empty vectors as a FixedSizeList; pass a `schema`');
      return new FixedSizeList(new Field('item', new Float32(), true), dim);
  }
}

/**
 * Builds one record batch from plain rows, in the given schema or an inferred one (copies the values).
 * Missing keys are nulls; a key that is not a column of the schema is an error (it is usually a typo,
 * and silently dropping it would lose data).
 * @throws InvalidArgumentError, TypeMismatchError or OutOfRangeError naming the column when a value
 *   does not fit its field, a null is given for a non-nullable field, or a row has an unknown key.
 */
export function recordBatchFromRows(rows: readonly Row[], schema?: Schema): RecordBatch {
  const s = schema ?? inferSchema(rows);
  if (!Array.isArray(rows)) throw new InvalidArgumentError('`rows` must be an array of objects');
  if (schema !== undefined) {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (typeof row !== 'object' || row === null) throw new InvalidArgumentError(`\`rows[${r}]\` must be a plain object`);
      for (const key of Object.keys(row)) {
        if (schema.fieldIndex(key) < 0) {
          throw new InvalidArgumentError(`\`rows[${r}]\` has key "${key}", which is not a column (${s.fields.map((f) => f.name).join(', ')})`);
        }
      }
    }
  }
  const columns: Vector[] = [];
  for (const field of s.fields) {
    const builder = makeBuilder(field.type, { nullable: field.nullable, initialCapacity: rows.length }) as {
      append(v: unknown): unknown;
      finish(): Vector;
    };
    const name = field.name;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (typeof row !== 'object' || row === null) throw new InvalidArgumentError(`\`rows[${r}]\` must be a plain object`);
      try {
        builder.append(row[name]);
      } catch (e) {
        if (e instanceof Error) e.message = `column "${name}", rows[${r}]: ${e.message}`;
        throw e;
      }
    }
    columns.push(builder.finish());
  }
  return new RecordBatch(s, columns);
}

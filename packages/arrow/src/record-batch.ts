/** RecordBatch: a schema plus equal-length columns. */
import { InvalidArgumentError, LengthMismatchError, NotFoundError, OutOfRangeError, TypeMismatchError } from './errors';
import { clampRange } from './data';
import { Field, Schema } from './type';
import type { Vector } from './vector';

function isVector(value: unknown): value is Vector {
  const v = value as Vector | null;
  return typeof v === 'object' && v !== null && typeof v.get === 'function' && typeof v.length === 'number' && typeof v.data === 'object';
}

/**
 * True when `value` looks like a @vego/arrow Schema (checked by shape, not `instanceof`, so a
 * schema made by another copy of the package is accepted, as data types are by `isDataType`).
 */
export function isSchema(value: unknown): value is Schema {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as { fields?: unknown; field?: unknown; fieldIndex?: unknown; equals?: unknown; metadata?: unknown };
  return Array.isArray(s.fields) && typeof s.field === 'function' && typeof s.fieldIndex === 'function' && typeof s.equals === 'function' && s.metadata instanceof Map;
}

/** True when `value` looks like a @vego/arrow RecordBatch (by shape, as {@link isSchema}). */
export function isRecordBatch(value: unknown): value is RecordBatch {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as { schema?: unknown; columns?: unknown; numRows?: unknown };
  return isSchema(b.schema) && Array.isArray(b.columns) && typeof b.numRows === 'number';
}

/** A schema and one vector per field, all of the same length. */
export class RecordBatch {
  readonly schema: Schema;
  /** Columns in schema order. */
  readonly columns: readonly Vector[];
  /** Rows (the common column length). */
  readonly numRows: number;

  /**
   * @throws LengthMismatchError when the column count differs from the field count or column lengths
   * differ; TypeMismatchError when a column's type differs from its field's; InvalidArgumentError
   * when a non-nullable field's column holds nulls or an argument is not a Schema/Vector.
   */
  constructor(schema: Schema, columns: readonly Vector[]) {
    if (!isSchema(schema)) throw new InvalidArgumentError('`schema` must be a Schema');
    if (!Array.isArray(columns)) throw new InvalidArgumentError('`columns` must be an array of vectors');
    if (columns.length !== schema.fields.length) {
      throw new LengthMismatchError(`schema has ${schema.fields.length} fields but ${columns.length} columns were given`);
    }
    let numRows = 0;
    for (let k = 0; k < columns.length; k++) {
      const col = columns[k];
      const field = schema.fields[k]!;
      if (!isVector(col)) throw new InvalidArgumentError(`\`columns[${k}]\` ("${field.name}") must be a Vector`);
      if (!field.type.equals(col.type)) {
        throw new TypeMismatchError(`column "${field.name}" has type ${col.type.toString()}, schema says ${field.type.toString()}`);
      }
      if (k === 0) numRows = col.length;
      else if (col.length !== numRows) {
        throw new LengthMismatchError(`column "${field.name}" has ${col.length} rows, column "${schema.fields[0]!.name}" has ${numRows}`);
      }
      if (!field.nullable && col.nullCount > 0) {
        throw new InvalidArgumentError(`column "${field.name}" is not nullable but holds ${col.nullCount} nulls`);
      }
    }
    this.schema = schema;
    this.columns = Object.freeze(columns.slice());
    this.numRows = numRows;
  }

  /**
   * A batch from named columns; the schema is inferred (nullable fields, in key order).
   * @example
   * ```ts
   * const batch = RecordBatch.from({ id: vectorFromTypedArray(new Int32Array([1, 2])), name: utf8FromStrings(['a', 'b']) });
   * ```
   */
  static from(columns: Record<string, Vector>): RecordBatch {
    if (typeof columns !== 'object' || columns === null) throw new InvalidArgumentError('`columns` must be an object of vectors');
    const names = Object.keys(columns);
    const vectors = names.map((n) => columns[n]!);
    const fields = names.map((n, k) => {
      const v = vectors[k];
      if (!isVector(v)) throw new InvalidArgumentError(`\`columns.${n}\` must be a Vector`);
      return new Field(n, v.type, true);
    });
    return new RecordBatch(new Schema(fields), vectors);
  }

  /** Number of columns. */
  get numCols(): number {
    return this.columns.length;
  }

  /** The column named `name`. @throws NotFoundError when there is none. */
  column(name: string): Vector {
    const k = this.schema.fieldIndex(name);
    if (k < 0) throw new NotFoundError(`no column named "${name}" (columns: ${this.schema.fields.map((f) => f.name).join(', ')})`);
    return this.columns[k]!;
  }

  /** True when a column named `name` exists. */
  hasColumn(name: string): boolean {
    return this.schema.fieldIndex(name) >= 0;
  }

  /** Column `i`. @throws OutOfRangeError */
  columnAt(i: number): Vector {
    const c = Number.isInteger(i) ? this.columns[i] : undefined;
    if (c === undefined) throw new OutOfRangeError(`column index ${String(i)} is out of range [0, ${this.columns.length})`);
    return c;
  }

  /** A batch with only the named columns, in the order given (no copy). @throws NotFoundError */
  select(names: readonly string[]): RecordBatch {
    const schema = this.schema.select(names);
    return new RecordBatch(schema, names.map((n) => this.column(n)));
  }

  /** Rows `[begin, end)` of every column (zero-copy; `Array.prototype.slice` argument rules). */
  slice(begin = 0, end: number = this.numRows): RecordBatch {
    const [b, e] = clampRange(begin, end, this.numRows);
    return new RecordBatch(this.schema, this.columns.map((c) => c.slice(b, e)));
  }
}

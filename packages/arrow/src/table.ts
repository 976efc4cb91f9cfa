/** Table: a list of record batches sharing one schema. */
import { InvalidArgumentError, NotFoundError, TypeMismatchError } from './errors';
import { clampRange } from './data';
import { type RecordBatch, isRecordBatch, isSchema } from './record-batch';
import type { Schema } from './type';
import type { Vector } from './vector';

/** Record batches with one schema, read as one logical table (no copy). */
export class Table {
  readonly schema: Schema;
  readonly batches: readonly RecordBatch[];
  /** Total rows over all batches. */
  readonly numRows: number;

  /** @throws TypeMismatchError when a batch's schema differs from `schema`; InvalidArgumentError for bad arguments. */
  constructor(schema: Schema, batches: readonly RecordBatch[] = []) {
    if (!isSchema(schema)) throw new InvalidArgumentError('`schema` must be a Schema');
    if (!Array.isArray(batches)) throw new InvalidArgumentError('`batches` must be an array of RecordBatch');
    let rows = 0;
    for (let k = 0; k < batches.length; k++) {
      const b = batches[k];
      if (!isRecordBatch(b)) throw new InvalidArgumentError(`\`batches[${k}]\` must be a RecordBatch`);
      if (!b.schema.equals(schema)) {
        throw new TypeMismatchError(`batch ${k} has schema ${b.schema.toString()}, table has ${schema.toString()}`);
      }
      rows += b.numRows;
    }
    this.schema = schema;
    this.batches = Object.freeze(batches.slice());
    this.numRows = rows;
  }

  /**
   * A table from batches; the schema is the first batch's (or `schema` when given, required for no batches).
   * @throws InvalidArgumentError for no batches and no schema; TypeMismatchError for differing schemas.
   */
  static from(batches: readonly RecordBatch[], schema?: Schema): Table {
    const s = schema ?? batches[0]?.schema;
    if (s === undefined) throw new InvalidArgumentError('`Table.from` needs at least one batch or a `schema`');
    return new Table(s, batches);
  }

  /** Number of columns. */
  get numCols(): number {
    return this.schema.fields.length;
  }

  /** The chunks (one per batch) of the column named `name` (no copy). @throws NotFoundError */
  column(name: string): Vector[] {
    const k = this.schema.fieldIndex(name);
    if (k < 0) throw new NotFoundError(`no column named "${name}" (columns: ${this.schema.fields.map((f) => f.name).join(', ')})`);
    return this.batches.map((b) => b.columns[k]!);
  }

  /** A table with only the named columns. @throws NotFoundError */
  select(names: readonly string[]): Table {
    return new Table(this.schema.select(names), this.batches.map((b) => b.select(names)));
  }

  /** Rows `[begin, end)` across batches (zero-copy slices; `Array.prototype.slice` argument rules). */
  slice(begin = 0, end: number = this.numRows): Table {
    const [b, e] = clampRange(begin, end, this.numRows);
    const out: RecordBatch[] = [];
    let start = 0;
    for (const batch of this.batches) {
      const stop = start + batch.numRows;
      const lo = Math.max(b, start);
      const hi = Math.min(e, stop);
      if (lo < hi) out.push(batch.slice(lo - start, hi - start));
      start = stop;
    }
    return new Table(this.schema, out);
  }
}

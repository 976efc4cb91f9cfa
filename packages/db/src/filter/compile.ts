/**
 * One entry for both filter forms: a `where` string or a filter object becomes a
 * {@link CompiledFilter} over a collection's columns.
 */
import { InvalidArgumentError } from '@vego/hnsw';
import type { FilterExpr } from './ast';
import { CompiledFilter, type FilterSource } from './evaluate';
import { parseFilterObject, type FilterObject } from './object-filter';
import { parseWhere } from './where-parser';

/** A filter: a SQL-like `where` string or an object of field conditions. */
export type Filter = string | FilterObject;

/** Parses either form into the shared expression tree. @throws InvalidArgumentError */
export function parseFilter(filter: Filter): FilterExpr {
  if (typeof filter === 'string') return parseWhere(filter);
  if (typeof filter === 'object' && filter !== null && !Array.isArray(filter)) return parseFilterObject(filter);
  throw new InvalidArgumentError('`filter` must be a where string or a filter object');
}

/**
 * Parses and type-checks `filter` against `src` (unknown fields, literals of the wrong kind).
 * @throws InvalidArgumentError naming the position (strings), the path (objects) or the field.
 */
export function compileFilter(filter: Filter, src: FilterSource): CompiledFilter {
  return new CompiledFilter(parseFilter(filter), src);
}

export { CompiledFilter };
export type { FilterSource };

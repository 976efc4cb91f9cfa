/**
 * The one filter representation both filter forms compile to (object form: `object-filter.ts`;
 * SQL-like strings: `where-parser.ts`), evaluated column by column by `evaluate.ts`. Truth is
 * three-valued as in SQL: a comparison with a null value is unknown, and only true rows match.
 */

/** A literal value of a filter. `text` keeps a number's source digits (exact bigint comparisons). */
export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number; readonly text?: string }
  | { readonly kind: 'bigint'; readonly value: bigint }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'date'; readonly value: number };

/** Comparison operators. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A filter expression. */
export type FilterExpr =
  | { readonly op: 'and' | 'or'; readonly args: readonly FilterExpr[] }
  /** SQL NOT: true ↔ false, unknown stays unknown. */
  | { readonly op: 'not'; readonly arg: FilterExpr }
  /** True wherever `arg` is not true (false or unknown): Mongo's `$not`, `$ne`, `$nin`. */
  | { readonly op: 'notTrue'; readonly arg: FilterExpr }
  | { readonly op: 'compare'; readonly field: string; readonly cmp: CompareOp; readonly value: Literal }
  /** `list`: written as a list function (`array_has_any`), which only tags fields take. */
  | { readonly op: 'in'; readonly field: string; readonly values: readonly Literal[]; readonly list?: string }
  | { readonly op: 'isNull'; readonly field: string }
  /** SQL LIKE (`%` any run, `_` one character), on strings; on tags: any tag matches. */
  | { readonly op: 'like'; readonly field: string; readonly pattern: string }
  /** Substring of a string field, or element of a tags field. */
  | { readonly op: 'contains'; readonly field: string; readonly value: Literal; readonly list?: string }
  | { readonly op: 'const'; readonly value: boolean };

/**
 * Deepest nesting of NOT, parentheses and `$and`/`$or`/`$not` a filter may have: deeper input is an
 * InvalidArgumentError instead of a stack overflow in the recursive parsers and evaluator.
 */
export const MAX_FILTER_DEPTH = 256;

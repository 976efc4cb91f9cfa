/**
 * The object form of filters, with the operators Mongo, Chroma and vectra users know:
 * `{ kind: 'task', year: { $gte: 2020 }, tags: { $in: ['a'] }, $or: [ … ] }`. Semantics follow
 * Mongo: a field compared to a value matches when equal (for tags: when the list holds it); `$ne`,
 * `$nin` and `$not` also match documents where the field is null; `{ f: null }` and
 * `{ f: { $exists: false } }` match nulls.
 */
import { InvalidArgumentError } from '@vego/hnsw';
import { MAX_FILTER_DEPTH, type CompareOp, type FilterExpr, type Literal } from './ast';

/** An operator object on one field. */
export interface FieldOperators {
  $eq?: unknown; $ne?: unknown; $gt?: unknown; $gte?: unknown; $lt?: unknown; $lte?: unknown;
  $in?: readonly unknown[]; $nin?: readonly unknown[]; $exists?: boolean; $contains?: unknown;
  $not?: FieldOperators | unknown;
}

/** The object form of a filter: fields to values or operator objects, plus `$and`, `$or`, `$not`. */
export interface FilterObject {
  $and?: readonly FilterObject[];
  $or?: readonly FilterObject[];
  $not?: FilterObject;
  [field: string]: unknown;
}

const COMPARE: Record<string, CompareOp> = { $eq: '=', $ne: '!=', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' };

function bad(path: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`filter \`${path}\`: ${message}`);
}

/** A JS value as a filter literal. @throws InvalidArgumentError naming the path. */
export function toLiteral(v: unknown, path: string): Literal {
  switch (typeof v) {
    case 'string': return { kind: 'string', value: v };
    case 'number':
      if (Number.isNaN(v)) throw bad(path, 'NaN cannot be compared');
      return { kind: 'number', value: v };
    case 'bigint': return { kind: 'bigint', value: v };
    case 'boolean': return { kind: 'boolean', value: v };
    default:
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) throw bad(path, 'invalid Date');
        return { kind: 'date', value: v.getTime() };
      }
      throw bad(path, `unsupported value ${v === null ? 'null' : typeof v} (string, number, bigint, boolean or Date)`);
  }
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function fieldExpr(field: string, spec: unknown, path: string, depth: number): FilterExpr {
  if (depth > MAX_FILTER_DEPTH) throw bad(path, `nesting deeper than ${MAX_FILTER_DEPTH}`);
  if (spec === null) return { op: 'isNull', field };
  if (Array.isArray(spec)) throw bad(path, 'an array value needs an operator ($in, $nin, $contains)');
  if (!isOperatorObject(spec)) {
    if (typeof spec === 'object' && !(spec instanceof Date)) throw bad(path, 'expected a value or an object of $ operators');
    return { op: 'compare', field, cmp: '=', value: toLiteral(spec, path) };
  }
  const parts: FilterExpr[] = [];
  for (const [op, arg] of Object.entries(spec)) {
    const p = `${path}.${op}`;
    const cmp = COMPARE[op];
    if (cmp !== undefined) {
      if (arg === null) {
        if (cmp === '=') parts.push({ op: 'isNull', field });
        else if (cmp === '!=') parts.push({ op: 'not', arg: { op: 'isNull', field } });
        else throw bad(p, 'cannot order against null');
        continue;
      }
      const lit = toLiteral(arg, p);
      if (cmp === '!=') parts.push({ op: 'notTrue', arg: { op: 'compare', field, cmp: '=', value: lit } });
      else parts.push({ op: 'compare', field, cmp, value: lit });
      continue;
    }
    switch (op) {
      case '$in':
      case '$nin': {
        if (!Array.isArray(arg)) throw bad(p, 'expected an array');
        const hasNull = arg.some((x) => x === null);
        const values = arg.filter((x) => x !== null).map((x, i) => toLiteral(x, `${p}[${i}]`));
        let e: FilterExpr = { op: 'in', field, values };
        if (hasNull) e = { op: 'or', args: [e, { op: 'isNull', field }] };
        parts.push(op === '$in' ? e : { op: 'notTrue', arg: e });
        break;
      }
      case '$exists':
        if (typeof arg !== 'boolean') throw bad(p, 'expected true or false');
        parts.push(arg ? { op: 'not', arg: { op: 'isNull', field } } : { op: 'isNull', field });
        break;
      case '$contains':
        parts.push({ op: 'contains', field, value: toLiteral(arg, p) });
        break;
      case '$not':
        parts.push({ op: 'notTrue', arg: fieldExpr(field, arg, p, depth + 1) });
        break;
      default:
        throw bad(p, `unknown operator (one of $eq $ne $gt $gte $lt $lte $in $nin $exists $contains $not)`);
    }
  }
  return parts.length === 1 ? parts[0]! : { op: 'and', args: parts };
}

/**
 * Compiles the object form to a {@link FilterExpr}.
 * @throws InvalidArgumentError naming the path of the bad part (`filter \`year.$gte\``…).
 */
export function parseFilterObject(filter: unknown, path = '$', depth = 0): FilterExpr {
  if (depth > MAX_FILTER_DEPTH) throw bad(path, `nesting deeper than ${MAX_FILTER_DEPTH}`);
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw bad(path, 'expected an object');
  const parts: FilterExpr[] = [];
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    const p = path === '$' ? key : `${path}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw bad(p, 'expected a non-empty array of filters');
      parts.push({ op: key === '$and' ? 'and' : 'or', args: value.map((v, i) => parseFilterObject(v, `${p}[${i}]`, depth + 1)) });
    } else if (key === '$not') {
      parts.push({ op: 'notTrue', arg: parseFilterObject(value, p, depth + 1) });
    } else if (key.startsWith('$')) {
      throw bad(p, 'unknown operator at document level (one of $and $or $not)');
    } else {
      parts.push(fieldExpr(key, value, p, depth + 1));
    }
  }
  if (parts.length === 0) return { op: 'const', value: true };
  return parts.length === 1 ? parts[0]! : { op: 'and', args: parts };
}

/**
 * Evaluation of a {@link FilterExpr} column by column over the collection's typed arrays (never over
 * per-row objects). Each node yields two bitsets over doc ids, `t` (true) and `f` (false); a bit in
 * neither is unknown (a null compared). NOT swaps them, AND/OR combine them as SQL's three-valued
 * logic does, and the documents that match are `t ∧ alive`. String predicates are decided once per
 * distinct value (dictionary entry), then mapped over the codes.
 */
import { InvalidArgumentError } from '@vego/hnsw';
import type { BigIntColumn, BoolColumn, Column, NumberColumn, StringColumn, TagsColumn } from '../internal/columns';
import { andInPlace, andNotInPlace, newBitset, orInPlace } from '../internal/bitset';
import type { FieldType } from '../schema';
import type { CompareOp, FilterExpr, Literal } from './ast';
import { integerBounds, integerComparison, safeBound, type IntegerBounds } from './integer-literal';
import { parseTimestamp } from './where-parser';

/** What a filter reads: the collection's columns at the time of evaluation. */
export interface FilterSource {
  /** Ids allocated so far (bitsets cover `0 … numIds - 1`). */
  readonly numIds: number;
  /** 1 for live documents. */
  readonly alive: Uint8Array;
  /** Type of a metadata field, or undefined when the collection has no such field. */
  fieldType(name: string): FieldType | undefined;
  /** The column of a metadata field. */
  column(name: string): Column;
  /** Key of each doc id. */
  readonly keys: readonly (string | undefined)[];
  /** Text of each doc id (null when none). */
  readonly texts: readonly (string | null | undefined)[];
}

interface Truth { t: Uint32Array; f: Uint32Array }

/** Leaf types: metadata field types plus the document's own `key` and `text`. */
type LeafType = FieldType | 'key' | 'text';

function fieldError(field: string, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`filter on \`${field}\`: ${message}`);
}

function leafType(src: FilterSource, field: string): LeafType {
  if (field === 'key' || field === 'text') return field;
  const t = src.fieldType(field);
  if (t === undefined) throw fieldError(field, 'no such field in this collection');
  return t;
}

function literalName(l: Literal): string {
  return l.kind === 'string' ? `'${l.value}'` : l.kind === 'bigint' ? `${l.value}n` : l.kind === 'date' ? `TIMESTAMP '${new Date(l.value).toISOString()}'` : String(l.value);
}

/** The literal as a number for a `float`/`integer`/`date` column. */
function numberOf(type: LeafType, field: string, l: Literal): number {
  if (type === 'date') {
    if (l.kind === 'date') return l.value;
    if (l.kind === 'string') {
      const ms = parseTimestamp(l.value);
      if (ms !== null) return ms;
    }
    if (l.kind === 'number') return l.value;
    throw fieldError(field, `a date field compares with a Date or TIMESTAMP '…', not ${literalName(l)}`);
  }
  if (l.kind === 'number') return l.value;
  if (l.kind === 'bigint') {
    const n = Number(l.value);
    if (!Number.isSafeInteger(n)) throw fieldError(field, `${l.value}n is not exactly representable as a number`);
    return n;
  }
  throw fieldError(field, `a ${type} field compares with numbers, not ${literalName(l)}`);
}

/** The exact integer bounds of a number literal for an `integer` or `bigint` column. */
function integerOf(type: LeafType, field: string, l: Literal): IntegerBounds {
  if (l.kind === 'number' || l.kind === 'bigint') {
    const b = integerBounds(l);
    // An integer column may be compared with a fraction (exactly); a bigint one only with integers.
    if (type === 'bigint' && b.floor !== b.ceil) throw fieldError(field, `a bigint field compares with integers, not ${l.kind === 'number' ? l.text ?? l.value : l.value}`);
    return b;
  }
  throw fieldError(field, `a${type === 'integer' ? 'n' : ''} ${type} field compares with numbers, not ${literalName(l)}`);
}

function stringOf(type: LeafType, field: string, l: Literal): string {
  if (l.kind === 'string') return l.value;
  throw fieldError(field, `a ${type} field compares with strings, not ${literalName(l)}`);
}

const CMP_CODE: Record<CompareOp, number> = { '=': 0, '!=': 1, '<': 2, '<=': 3, '>': 4, '>=': 5 };

function compareStrings(op: number, a: string, b: string): boolean {
  switch (op) {
    case 0: return a === b;
    case 1: return a !== b;
    case 2: return a < b;
    case 3: return a <= b;
    case 4: return a > b;
    default: return a >= b;
  }
}

/** SQL LIKE pattern (`%`, `_`, backslash escapes) to an anchored regular expression. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', 'u');
}

/** A filter checked against a collection's schema, ready to evaluate. */
export class CompiledFilter {
  /** @internal */
  constructor(readonly expr: FilterExpr, private readonly src: FilterSource) {
    check(expr, src);
  }
  /**
   * Bitset over doc ids of the live documents that match (see `internal/doc-ids.ts`): a fresh
   * Uint32Array covering the ids allocated now.
   */
  evaluate(): Uint32Array {
    const src = this.src;
    const n = src.numIds;
    const { t } = evalExpr(this.expr, src, n);
    const alive = src.alive;
    const words = t.length;
    for (let w = 0; w < words; w++) {
      let v = t[w]!;
      if (v === 0) continue;
      const base = w << 5;
      for (let b = 0; b < 32; b++) if (((v >>> b) & 1) === 1 && alive[base + b] !== 1) v &= ~(1 << b);
      t[w] = v;
    }
    return t;
  }
}

/** Type-checks every leaf (unknown fields, wrong literal kinds) before any evaluation. */
function check(e: FilterExpr, src: FilterSource): void {
  switch (e.op) {
    case 'and': case 'or': for (const a of e.args) check(a, src); return;
    case 'not': case 'notTrue': check(e.arg, src); return;
    case 'const': return;
    case 'isNull': leafType(src, e.field); return;
    case 'like': {
      const type = leafType(src, e.field);
      if (type !== 'string' && type !== 'key' && type !== 'text' && type !== 'tags') throw fieldError(e.field, `LIKE needs a string or tags field, not ${type}`);
      return;
    }
    case 'contains': {
      const type = leafType(src, e.field);
      if (e.list !== undefined && type !== 'tags') throw fieldError(e.field, `${e.list} needs a tags field, not ${type}`);
      if (type !== 'string' && type !== 'key' && type !== 'text' && type !== 'tags') throw fieldError(e.field, `$contains needs a string or tags field, not ${type}`);
      stringOf(type, e.field, e.value);
      return;
    }
    case 'compare': case 'in': {
      const type = leafType(src, e.field);
      if (e.op === 'in' && e.list !== undefined && type !== 'tags') throw fieldError(e.field, `${e.list} needs a tags field, not ${type}`);
      const values = e.op === 'in' ? e.values : [e.value];
      if (e.op === 'compare' && type === 'boolean' && e.cmp !== '=' && e.cmp !== '!=') throw fieldError(e.field, 'booleans compare with = and != only');
      if (e.op === 'compare' && type === 'tags' && e.cmp !== '=' && e.cmp !== '!=') throw fieldError(e.field, 'tags compare with =, !=, IN and $contains only');
      for (const v of values) literalFor(type, e.field, v);
      return;
    }
  }
}

/** Converts a literal to the representation the column type compares with. */
function literalFor(type: LeafType, field: string, l: Literal): number | IntegerBounds | string | boolean {
  switch (type) {
    case 'float': case 'date': return numberOf(type, field, l);
    case 'integer': case 'bigint': return integerOf(type, field, l);
    case 'boolean':
      if (l.kind !== 'boolean') throw fieldError(field, `a boolean field compares with TRUE or FALSE, not ${literalName(l)}`);
      return l.value;
    default: return stringOf(type, field, l);
  }
}

function evalExpr(e: FilterExpr, src: FilterSource, n: number): Truth {
  switch (e.op) {
    case 'const': {
      const t = newBitset(n);
      const f = newBitset(n);
      (e.value ? t : f).fill(0xffffffff);
      return { t, f };
    }
    case 'not': {
      const r = evalExpr(e.arg, src, n);
      return { t: r.f, f: r.t };
    }
    case 'notTrue': {
      const r = evalExpr(e.arg, src, n);
      const t = newBitset(n).fill(0xffffffff);
      andNotInPlace(t, r.t);
      return { t, f: r.t };
    }
    case 'and': case 'or': {
      const acc = evalExpr(e.args[0]!, src, n);
      for (let i = 1; i < e.args.length; i++) {
        const r = evalExpr(e.args[i]!, src, n);
        if (e.op === 'and') { andInPlace(acc.t, r.t); orInPlace(acc.f, r.f); }
        else { orInPlace(acc.t, r.t); andInPlace(acc.f, r.f); }
      }
      return acc;
    }
    default:
      return evalLeaf(e, src, n);
  }
}

function evalLeaf(e: Exclude<FilterExpr, { op: 'and' | 'or' | 'not' | 'notTrue' | 'const' }>, src: FilterSource, n: number): Truth {
  const type = leafType(src, e.field);
  if (type === 'key' || type === 'text') {
    const values = type === 'key' ? src.keys : src.texts;
    if (e.op === 'isNull') return plainNulls(values, n);
    return plainStrings(values, stringPredicate(type, e), n);
  }
  const col = src.column(e.field);
  if (e.op === 'isNull') return nullTruth(col, n);
  switch (type) {
    case 'float': case 'date': {
      const c = col as NumberColumn;
      if (e.op === 'in') return numberIn(c, e.values.map((v) => numberOf(type, e.field, v)), n);
      const cmp = e as { cmp: CompareOp; value: Literal };
      return numberCompare(c, CMP_CODE[cmp.cmp], numberOf(type, e.field, cmp.value), n);
    }
    case 'integer': case 'bigint': {
      // Exact: the literal's own digits against integers (see integer-literal.ts).
      if (e.op === 'in') {
        const exact: bigint[] = [];
        for (const v of e.values) { const b = integerOf(type, e.field, v); if (b.floor === b.ceil) exact.push(b.floor); }
        if (type === 'integer') return numberIn(col as NumberColumn, exact.map(safeBound), n);
        return bigintCompare(col as BigIntColumn, -1, exact, n);
      }
      const cmp = e as { cmp: CompareOp; value: Literal };
      const r = integerComparison(cmp.cmp, integerOf(type, e.field, cmp.value));
      if (typeof r === 'boolean') return constantOnValues(col, r, n);
      if (type === 'integer') return numberCompare(col as NumberColumn, CMP_CODE[r.cmp], safeBound(r.value), n);
      return bigintCompare(col as BigIntColumn, CMP_CODE[r.cmp], [r.value], n);
    }
    case 'boolean': {
      const c = col as BoolColumn;
      const lits = e.op === 'in' ? e.values : [(e as { value: Literal }).value];
      let wantTrue = false;
      let wantFalse = false;
      for (const l of lits) { if (literalFor('boolean', e.field, l)) wantTrue = true; else wantFalse = true; }
      const negate = e.op === 'compare' && e.cmp === '!=';
      return boolCompare(c, negate ? !wantTrue : wantTrue, negate ? !wantFalse : wantFalse, n);
    }
    case 'string':
      return dictStrings(col as StringColumn, stringPredicate(type, e), n);
    case 'tags':
      return tagsTruth(col as TagsColumn, e, n);
  }
}

/** A predicate on one string value for a string leaf. */
function stringPredicate(type: LeafType, e: FilterExpr): (s: string) => boolean {
  switch (e.op) {
    case 'compare': {
      const op = CMP_CODE[e.cmp];
      const v = stringOf(type, e.field, e.value);
      return (s) => compareStrings(op, s, v);
    }
    case 'in': {
      const set = new Set(e.values.map((v) => stringOf(type, e.field, v)));
      return (s) => set.has(s);
    }
    case 'like': {
      const re = likeToRegExp(e.pattern);
      return (s) => re.test(s);
    }
    case 'contains': {
      const v = stringOf(type, e.field, e.value);
      return (s) => s.includes(v);
    }
    default:
      throw new InvalidArgumentError(`filter: unexpected ${e.op} on strings`);
  }
}

function nullTruth(col: Column, n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  const kind = col.type;
  const valid = kind === 'string' ? null : kind === 'tags' ? null : (col as NumberColumn).valid;
  const codes = kind === 'string' ? (col as StringColumn).codes : kind === 'tags' ? (col as TagsColumn).lengths : null;
  for (let id = 0; id < n; id++) {
    const isNull = valid !== null ? valid[id] !== 1 : codes![id]! < 0;
    if (isNull) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

/** `value` wherever the column is not null (unknown where it is). */
function constantOnValues(col: Column, value: boolean, n: number): Truth {
  const nulls = nullTruth(col, n);
  return value ? { t: nulls.f, f: nulls.t.fill(0) } : { t: nulls.t.fill(0), f: nulls.f };
}

function numberCompare(c: NumberColumn, op: number, v: number, n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  const values = c.values;
  const valid = c.valid;
  for (let w = 0, base = 0; base < n; w++, base += 32) {
    const end = n - base < 32 ? n - base : 32;
    let tw = 0;
    let fw = 0;
    for (let b = 0; b < end; b++) {
      const id = base + b;
      if (valid[id] !== 1) continue;
      const x = values[id]!;
      let ok: boolean;
      switch (op) {
        case 0: ok = x === v; break;
        case 1: ok = x !== v; break;
        case 2: ok = x < v; break;
        case 3: ok = x <= v; break;
        case 4: ok = x > v; break;
        default: ok = x >= v;
      }
      if (ok) tw |= 1 << b;
      else fw |= 1 << b;
    }
    t[w] = tw;
    f[w] = fw;
  }
  return { t, f };
}

function numberIn(c: NumberColumn, wanted: number[], n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  const set = new Set(wanted);
  const values = c.values;
  const valid = c.valid;
  for (let id = 0; id < n; id++) {
    if (valid[id] !== 1) continue;
    if (set.has(values[id]!)) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

/** `op` -1: IN `wanted`; otherwise a comparison with `wanted[0]`. */
function bigintCompare(c: BigIntColumn, op: number, wanted: bigint[], n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  const values = c.values;
  const valid = c.valid;
  const v = wanted[0]!;
  const set = op === -1 ? new Set(wanted) : null;
  for (let id = 0; id < n; id++) {
    if (valid[id] !== 1) continue;
    const x = values[id]!;
    let ok: boolean;
    switch (op) {
      case -1: ok = set!.has(x); break;
      case 0: ok = x === v; break;
      case 1: ok = x !== v; break;
      case 2: ok = x < v; break;
      case 3: ok = x <= v; break;
      case 4: ok = x > v; break;
      default: ok = x >= v;
    }
    if (ok) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

function boolCompare(c: BoolColumn, matchTrue: boolean, matchFalse: boolean, n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  const values = c.values;
  const valid = c.valid;
  for (let id = 0; id < n; id++) {
    if (valid[id] !== 1) continue;
    const ok = values[id] === 1 ? matchTrue : matchFalse;
    if (ok) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

function dictStrings(c: StringColumn, pred: (s: string) => boolean, n: number): Truth {
  const dict = c.dict.values;
  const table = new Uint8Array(dict.length);
  for (let i = 0; i < dict.length; i++) table[i] = pred(dict[i]!) ? 1 : 0;
  const t = newBitset(n);
  const f = newBitset(n);
  const codes = c.codes;
  for (let id = 0; id < n; id++) {
    const code = codes[id]!;
    if (code < 0) continue;
    if (table[code] === 1) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

function plainNulls(values: readonly (string | null | undefined)[], n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  for (let id = 0; id < n; id++) {
    const s = values[id];
    if (s === null || s === undefined) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

function plainStrings(values: readonly (string | null | undefined)[], pred: (s: string) => boolean, n: number): Truth {
  const t = newBitset(n);
  const f = newBitset(n);
  for (let id = 0; id < n; id++) {
    const s = values[id];
    if (s === null || s === undefined) continue;
    if (pred(s)) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

/**
 * Tags: `=`/IN/$contains are true when any tag is one of the values, LIKE when any tag matches;
 * `!=` is the negation of `=`. A null list is unknown; an empty list is false.
 */
function tagsTruth(c: TagsColumn, e: FilterExpr, n: number): Truth {
  const dict = c.dict.values;
  const table = new Uint8Array(dict.length);
  let negate = false;
  if (e.op === 'like') {
    const re = likeToRegExp(e.pattern);
    for (let i = 0; i < dict.length; i++) table[i] = re.test(dict[i]!) ? 1 : 0;
  } else {
    const lits = e.op === 'in' ? e.values : [(e as { value: Literal }).value];
    for (const l of lits) {
      const code = c.dict.codeOf(stringOf('tags', (e as { field: string }).field, l));
      if (code >= 0) table[code] = 1;
    }
    negate = e.op === 'compare' && e.cmp === '!=';
  }
  const t = newBitset(n);
  const f = newBitset(n);
  const starts = c.starts;
  const lengths = c.lengths;
  const pool = c.pool;
  for (let id = 0; id < n; id++) {
    const len = lengths[id]!;
    if (len < 0) continue;
    const s = starts[id]!;
    let any = false;
    for (let j = 0; j < len; j++) if (table[pool[s + j]!] === 1) { any = true; break; }
    if (any !== negate) t[id >>> 5]! |= 1 << (id & 31);
    else f[id >>> 5]! |= 1 << (id & 31);
  }
  return { t, f };
}

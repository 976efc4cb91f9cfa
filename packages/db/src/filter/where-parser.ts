/**
 * SQL-like `where` strings, as LanceDB users write them:
 * `kind = 'task' AND year >= 2020 AND tags IN ('a', 'b')`, `note IS NULL`, `title LIKE 'intro%'`,
 * `NOT (a = 1 OR b < 2.5)`, `done = TRUE`, `at >= TIMESTAMP '2024-01-01T00:00:00Z'`,
 * `n BETWEEN 1 AND 5`, and LanceDB's list functions on tags (`array_has_any(tags, ['a', 'b'])`,
 * `array_has_all(tags, [...])`, `array_has(tags, 'a')`, `array_contains(tags, 'a')`). Keywords are case-insensitive; strings use single quotes, a quote inside
 * doubled (`'it''s'`); identifiers may be double-quoted or back-quoted. Grammar (lowest precedence
 * first): `or := and (OR and)*`, `and := not (AND not)*`, `not := NOT not | '(' or ')' | predicate`.
 * A parse error is an InvalidArgumentError naming the 0-based character position.
 */
import { InvalidArgumentError } from '@vego/hnsw';
import { MAX_FILTER_DEPTH, type CompareOp, type FilterExpr, type Literal } from './ast';

type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'end';
interface Token { kind: TokenKind; text: string; pos: number; quoted?: boolean }

const ARRAY_FUNCTIONS = new Set(['array_has_any', 'array_has_all', 'array_has', 'array_contains']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'LIKE', 'TRUE', 'FALSE', 'TIMESTAMP', 'DATE', 'BETWEEN']);

function parseError(source: string, pos: number, message: string): InvalidArgumentError {
  return new InvalidArgumentError(`\`where\` at position ${pos}: ${message} (in "${source.length > 120 ? source.slice(0, 120) + '…' : source}")`);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const start = i;
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= n) throw parseError(src, start, 'unterminated string');
        const d = src[i]!;
        if (d === "'") {
          if (src[i + 1] === "'") { s += "'"; i += 2; continue; }
          i++;
          break;
        }
        s += d;
        i++;
      }
      out.push({ kind: 'string', text: s, pos: start });
    } else if (c === '"' || c === '`') {
      const close = src.indexOf(c, i + 1);
      if (close < 0) throw parseError(src, start, `unterminated quoted identifier`);
      out.push({ kind: 'ident', text: src.slice(i + 1, close), pos: start, quoted: true });
      i = close + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? '')) || (c === '-' && /^-\.?[0-9]/.test(src.slice(i, i + 3)) && lastAllowsSign(out))) {
      const m = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i))!;
      i += m[0].length;
      if (/[A-Za-z_]/.test(src[i] ?? '')) throw parseError(src, i, `unexpected character '${src[i]}' after number`);
      out.push({ kind: 'number', text: m[0], pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      out.push({ kind: 'ident', text: src.slice(start, i), pos: start });
    } else if (c === '(') { out.push({ kind: 'lparen', text: c, pos: i++ }); }
    else if (c === ')') { out.push({ kind: 'rparen', text: c, pos: i++ }); }
    else if (c === ',') { out.push({ kind: 'comma', text: c, pos: i++ }); }
    else if (c === '[') { out.push({ kind: 'lbracket', text: c, pos: i++ }); }
    else if (c === ']') { out.push({ kind: 'rbracket', text: c, pos: i++ }); }
    else {
      const two = src.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '!=' || two === '<>' || two === '==') { out.push({ kind: 'op', text: two, pos: i }); i += 2; }
      else if (c === '=' || c === '<' || c === '>') { out.push({ kind: 'op', text: c, pos: i++ }); }
      else throw parseError(src, i, `unexpected character '${c}'`);
    }
  }
  out.push({ kind: 'end', text: '', pos: n });
  return out;
}

/** A '-' starts a negative number only where a value is expected (after an operator, '(' or ','). */
function lastAllowsSign(tokens: Token[]): boolean {
  const t = tokens[tokens.length - 1];
  return t === undefined || t.kind === 'op' || t.kind === 'lparen' || t.kind === 'lbracket' || t.kind === 'comma' || (t.kind === 'ident' && !t.quoted && KEYWORDS.has(t.text.toUpperCase()));
}

class Parser {
  private i = 0;
  /** NOTs and open parentheses around the current token. */
  private depth = 0;
  constructor(private readonly src: string, private readonly tokens: Token[]) {}
  private peek(): Token { return this.tokens[this.i]!; }
  private next(): Token { return this.tokens[this.i++]!; }
  private isKeyword(t: Token, kw: string): boolean {
    return t.kind === 'ident' && !t.quoted && t.text.toUpperCase() === kw;
  }
  private accept(kw: string): boolean {
    if (this.isKeyword(this.peek(), kw)) { this.i++; return true; }
    return false;
  }
  private expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw this.error(t, `expected ${what}`);
    return t;
  }
  private error(t: Token, message: string): InvalidArgumentError {
    return parseError(this.src, t.pos, `${message}, found ${t.kind === 'end' ? 'the end' : `'${t.text}'`}`);
  }
  parse(): FilterExpr {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw this.error(t, 'expected AND, OR or the end');
    return e;
  }
  private or(): FilterExpr {
    const args = [this.and()];
    while (this.accept('OR')) args.push(this.and());
    return args.length === 1 ? args[0]! : { op: 'or', args };
  }
  private and(): FilterExpr {
    const args = [this.not()];
    while (this.accept('AND')) args.push(this.not());
    return args.length === 1 ? args[0]! : { op: 'and', args };
  }
  private not(): FilterExpr {
    const t = this.peek();
    if (this.isKeyword(t, 'NOT') || t.kind === 'lparen') {
      if (this.depth >= MAX_FILTER_DEPTH) throw this.error(t, `nesting deeper than ${MAX_FILTER_DEPTH} (NOT and parentheses)`);
      this.i++;
      this.depth++;
      let e: FilterExpr;
      if (t.kind === 'lparen') {
        e = this.or();
        this.expect('rparen', "')'");
      } else {
        e = { op: 'not', arg: this.not() };
      }
      this.depth--;
      return e;
    }
    if (this.isKeyword(t, 'TRUE') || this.isKeyword(t, 'FALSE')) {
      this.i++;
      return { op: 'const', value: t.text.toUpperCase() === 'TRUE' };
    }
    return this.predicate();
  }
  private field(): string {
    const t = this.next();
    if (t.kind !== 'ident' || (!t.quoted && KEYWORDS.has(t.text.toUpperCase()))) throw this.error(t, 'expected a field name');
    return t.text;
  }
  /**
   * LanceDB's list functions on tags: `array_has_any(f, ['a', 'b'])`, `array_has_all(f, [...])`,
   * `array_has(f, 'a')` / `array_contains(f, 'a')`.
   */
  private arrayFunction(name: string): FilterExpr {
    this.expect('lparen', "'('");
    const field = this.field();
    this.expect('comma', "','");
    let e: FilterExpr;
    if (name === 'array_has' || name === 'array_contains') {
      e = { op: 'contains', field, value: this.literal(), list: name };
    } else {
      this.expect('lbracket', "'['");
      const values = [this.literal()];
      while (this.peek().kind === 'comma') { this.i++; values.push(this.literal()); }
      this.expect('rbracket', "']' or ','");
      e = name === 'array_has_any'
        ? { op: 'in', field, values, list: name }
        : { op: 'and', args: values.map((value) => ({ op: 'contains' as const, field, value, list: name })) };
    }
    this.expect('rparen', "')'");
    return e;
  }
  private predicate(): FilterExpr {
    const first = this.peek();
    const fn = first.kind === 'ident' && !first.quoted ? first.text.toLowerCase() : '';
    if (ARRAY_FUNCTIONS.has(fn) && this.tokens[this.i + 1]?.kind === 'lparen') {
      this.i++;
      return this.arrayFunction(fn);
    }
    const field = this.field();
    const t = this.peek();
    if (t.kind === 'op') {
      this.i++;
      const cmp: CompareOp = t.text === '<>' ? '!=' : t.text === '==' ? '=' : (t.text as CompareOp);
      const value = this.literal();
      return { op: 'compare', field, cmp, value };
    }
    if (this.accept('IS')) {
      const negated = this.accept('NOT');
      const n = this.next();
      if (!this.isKeyword(n, 'NULL')) throw this.error(n, 'expected NULL');
      return negated ? { op: 'not', arg: { op: 'isNull', field } } : { op: 'isNull', field };
    }
    const negated = this.accept('NOT');
    let e: FilterExpr;
    if (this.accept('IN')) {
      this.expect('lparen', "'('");
      const values = [this.literal()];
      while (this.peek().kind === 'comma') { this.i++; values.push(this.literal()); }
      this.expect('rparen', "')' or ','");
      e = { op: 'in', field, values };
    } else if (this.accept('LIKE')) {
      const p = this.next();
      if (p.kind !== 'string') throw this.error(p, 'expected a quoted pattern');
      e = { op: 'like', field, pattern: p.text };
    } else if (this.accept('BETWEEN')) {
      const lo = this.literal();
      const kw = this.next();
      if (!this.isKeyword(kw, 'AND')) throw this.error(kw, 'expected AND');
      const hi = this.literal();
      e = { op: 'and', args: [{ op: 'compare', field, cmp: '>=', value: lo }, { op: 'compare', field, cmp: '<=', value: hi }] };
    } else {
      throw this.error(this.peek(), 'expected a comparison (= != <> < <= > >=), IN, LIKE, BETWEEN or IS [NOT] NULL');
    }
    return negated ? { op: 'not', arg: e } : e;
  }
  private literal(): Literal {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'number') return { kind: 'number', value: Number(t.text), text: t.text };
    if (t.kind === 'ident' && !t.quoted) {
      const kw = t.text.toUpperCase();
      if (kw === 'TRUE' || kw === 'FALSE') return { kind: 'boolean', value: kw === 'TRUE' };
      if (kw === 'NULL') throw parseError(this.src, t.pos, 'a comparison with NULL is never true; use IS NULL or IS NOT NULL');
      if (kw === 'TIMESTAMP' || kw === 'DATE') {
        const s = this.next();
        if (s.kind !== 'string') throw this.error(s, `expected a quoted ${kw.toLowerCase()} after ${kw}`);
        const ms = parseTimestamp(s.text);
        if (ms === null) throw parseError(this.src, s.pos, `'${s.text}' is not an ISO 8601 ${kw.toLowerCase()}`);
        return { kind: 'date', value: ms };
      }
    }
    throw this.error(t, 'expected a value (quoted string, number, TRUE, FALSE, TIMESTAMP \'…\')');
  }
}

/**
 * Parses an ISO 8601 date or timestamp (`2024-05-01`, `2024-05-01T12:00:00Z`, `2024-05-01 12:00:00`;
 * without a zone it is UTC, as in LanceDB). Returns epoch milliseconds or null.
 */
export function parseTimestamp(s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  // Out-of-range fields are errors, not carried into the next unit (`T25:00` is not the next day).
  if (+(h ?? 0) > 23 || +(mi ?? 0) > 59 || +(sec ?? 0) > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(+y!, +mo! - 1, +d!);
  if (date.getUTCFullYear() !== +y! || date.getUTCMonth() !== +mo! - 1 || date.getUTCDate() !== +d!) return null;
  let ms = date.getTime() + ((+(h ?? 0) * 60 + +(mi ?? 0)) * 60 + +(sec ?? 0)) * 1000 + (frac === undefined ? 0 : Math.floor(Number(frac) * 1000));
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const zh = Number(digits.slice(0, 2));
    const zm = Number(digits.slice(2));
    if (zh > 23 || zm > 59) return null;
    ms -= sign * (zh * 60 + zm) * 60000;
  }
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
}

/**
 * Parses a `where` string into a {@link FilterExpr}.
 * @throws InvalidArgumentError naming the position of the first error.
 */
export function parseWhere(where: string): FilterExpr {
  if (typeof where !== 'string') throw new InvalidArgumentError('`where` must be a string');
  if (where.trim().length === 0) throw parseError(where, 0, 'empty filter');
  return new Parser(where, tokenize(where)).parse();
}

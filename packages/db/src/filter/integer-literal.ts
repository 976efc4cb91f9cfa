/**
 * Exact comparisons of integer columns (`integer`, `bigint`) with number literals. A literal is
 * read as the exact decimal its source spells (`n >= 9007199254740990.5`, `big = 9223372036854775807.0`),
 * not rounded to a double first: rounding made `n = 4503599627370496.5` match 4503599627370496 and
 * `big = 9223372036854775807.0` miss 2^63 − 1. Each comparison becomes one with an integer bound
 * (`x < 2.5` ⇔ `x < 3`, `x >= 2.5` ⇔ `x >= 3`, `x = 2.5` never), or a constant.
 */
import type { CompareOp, Literal } from './ast';

/** The integers just below and above a literal (equal when it is an integer), or an infinity. */
export interface IntegerBounds { readonly floor: bigint; readonly ceil: bigint }

/** Beyond every int64, so a bound clamped here compares as the literal did. */
const OUTSIDE = 2n ** 64n;

/**
 * Floor and ceiling of a number literal: the exact decimal of `text` when given, else the double.
 * Magnitudes of 2^64 and more (and infinities) clamp to ±2^64 (never equal to a stored value).
 */
export function integerBounds(l: Extract<Literal, { kind: 'number' | 'bigint' }>): IntegerBounds {
  if (l.kind === 'bigint') return { floor: l.value, ceil: l.value };
  const v = l.value;
  if (!(Math.abs(v) < 2 ** 64)) {
    const b = v > 0 ? OUTSIDE : -OUTSIDE;
    return { floor: b, ceil: b };
  }
  if (l.text === undefined) return { floor: BigInt(Math.floor(v)), ceil: BigInt(Math.ceil(v)) };
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(l.text);
  if (m === null) return { floor: BigInt(Math.floor(v)), ceil: BigInt(Math.ceil(v)) };
  // Digits with the decimal point `point` digits from the left (after leading zeros go).
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let point = (m[2] ?? '').length + Number(m[4] ?? 0);
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  point -= lead;
  let int = 0n;
  let frac = false;
  if (digits.length > 0) {
    // |v| < 2^64 bounds `point` to about 20, so the padding below stays short.
    if (point <= 0) frac = true;
    else {
      int = BigInt(point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point));
      frac = point < digits.length && /[1-9]/.test(digits.slice(point));
    }
  }
  const neg = m[1] === '-';
  const up = frac ? 1n : 0n;
  return neg ? { floor: -int - up, ceil: -int } : { floor: int, ceil: int + up };
}

/**
 * `x cmp literal` over integers `x` as `x cmp' bound`, or a constant (true or false for every
 * non-null value) when the literal is not an integer and the operator is `=` or `!=`.
 */
export function integerComparison(cmp: CompareOp, b: IntegerBounds): { cmp: CompareOp; value: bigint } | boolean {
  const exact = b.floor === b.ceil;
  switch (cmp) {
    case '=': return exact ? { cmp, value: b.floor } : false;
    case '!=': return exact ? { cmp, value: b.floor } : true;
    case '<': return { cmp, value: b.ceil };
    case '>=': return { cmp, value: b.ceil };
    case '<=': return { cmp, value: b.floor };
    case '>': return { cmp, value: b.floor };
  }
}

/** A bound as a double for a column of safe integers: clamped to ±2^53, where it still compares the same. */
export function safeBound(v: bigint): number {
  const lim = 2n ** 53n;
  return Number(v > lim ? lim : v < -lim ? -lim : v);
}

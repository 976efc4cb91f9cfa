import { Database, InvalidArgumentError, parseTimestamp, parseWhere } from '@vego/db';
import type { Collection, Filter, MetadataValue } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

interface Row { key: string; text: string | null; kind: string | null; year: number | null; score: number | null; done: boolean | null; big: bigint | null; at: Date | null; tags: string[] | null }

const KINDS = ['task', 'note', "it's", 'Task'];
const TAGS = ['a', 'b', 'c', 'd'];

function makeRows(n: number): Row[] {
  const rnd = seededRandom(7);
  const maybe = <T>(v: T): T | null => (rnd() < 0.15 ? null : v);
  return Array.from({ length: n }, (_, i) => ({
    key: `doc-${i}`,
    text: maybe(`text number ${i}`),
    kind: maybe(KINDS[Math.floor(rnd() * KINDS.length)]!),
    year: maybe(2000 + Math.floor(rnd() * 30)),
    score: maybe(Math.round((rnd() * 2 - 1) * 100) / 10),
    done: maybe(rnd() < 0.5),
    big: maybe(BigInt(Math.floor(rnd() * 10)) * 10n ** 15n),
    at: maybe(new Date(Date.UTC(2020, 0, 1) + Math.floor(rnd() * 1000) * 86_400_000)),
    tags: maybe(TAGS.filter(() => rnd() < 0.4)),
  }));
}

async function load(rows: Row[]): Promise<Collection> {
  const c = await Database.memory().createCollection('f', {
    dimension: 2, distance: 'l2',
    schema: { kind: 'string', year: 'integer', score: 'float', done: 'boolean', big: 'bigint', at: 'date', tags: 'tags' },
  });
  await c.insertMany(rows.map((r, i) => {
    const { key, text, ...metadata } = r;
    return { key, text, vector: [i, 1], metadata: metadata as Record<string, MetadataValue> };
  }));
  return c;
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const JAN_2021 = Date.UTC(2021, 0, 1);

// Each filter with an independent JS statement of what it must match (SQL: a comparison with null
// is unknown, NOT unknown is unknown; Mongo: $ne/$nin/$not also match nulls).
const CASES: [Filter, (r: Row) => boolean][] = [
  ["kind = 'task'", (r) => r.kind === 'task'],
  ["kind = 'it''s'", (r) => r.kind === "it's"],
  ["kind != 'task'", (r) => r.kind !== null && r.kind !== 'task'],
  ["kind <> 'task' OR kind IS NULL", (r) => r.kind !== 'task'],
  ["NOT (kind = 'task')", (r) => r.kind !== null && r.kind !== 'task'],
  ["kind = 'task' AND year >= 2020 AND tags IN ('a','b')", (r) => r.kind === 'task' && isNum(r.year) && r.year >= 2020 && !!r.tags && r.tags.some((t) => t === 'a' || t === 'b')],
  ['year BETWEEN 2005 AND 2010', (r) => isNum(r.year) && r.year >= 2005 && r.year <= 2010],
  ['year > 2010 OR score < -5.5', (r) => (isNum(r.year) && r.year > 2010) || (isNum(r.score) && r.score < -5.5)],
  ['NOT (year > 2010 OR score < -5.5)', (r) => isNum(r.year) && r.year <= 2010 && isNum(r.score) && r.score >= -5.5],
  ['score >= -1e0 AND score < .5', (r) => isNum(r.score) && r.score >= -1 && r.score < 0.5],
  ['done = TRUE', (r) => r.done === true],
  ['done != true', (r) => r.done === false],
  ['big >= 5000000000000000', (r) => r.big !== null && r.big >= 5n * 10n ** 15n],
  ['big IN (0, 3000000000000000)', (r) => r.big === 0n || r.big === 3n * 10n ** 15n],
  ["at >= TIMESTAMP '2021-01-01T00:00:00Z'", (r) => r.at !== null && r.at.getTime() >= JAN_2021],
  ["at < DATE '2021-01-01'", (r) => r.at !== null && r.at.getTime() < JAN_2021],
  ['tags IS NULL', (r) => r.tags === null],
  ['tags IS NOT NULL AND NOT tags IN (\'a\')', (r) => r.tags !== null && !r.tags.includes('a')],
  ["tags = 'c'", (r) => !!r.tags?.includes('c')],
  ["array_has_any(tags, ['a', 'd'])", (r) => !!r.tags?.some((t) => t === 'a' || t === 'd')],
  ["array_has_all(tags, ['a', 'b']) AND NOT array_contains(tags, 'c')", (r) => !!r.tags && r.tags.includes('a') && r.tags.includes('b') && !r.tags.includes('c')],
  ["ARRAY_HAS(tags, 'd')", (r) => !!r.tags?.includes('d')],
  ["kind LIKE 't%'", (r) => r.kind !== null && r.kind.startsWith('t')],
  ["kind NOT LIKE '_ote'", (r) => r.kind !== null && !/^.ote$/.test(r.kind)],
  ["text LIKE '%1_'", (r) => r.text !== null && /1.$/.test(r.text)],
  ["key IN ('doc-1', 'doc-2', 'doc-999')", (r) => r.key === 'doc-1' || r.key === 'doc-2'],
  ['TRUE', () => true],
  ['text IS NULL', (r) => r.text === null],
  [{ text: { $exists: true }, key: { $in: ['doc-5', 'doc-6', 'doc-7'] } }, (r) => r.text !== null && ['doc-5', 'doc-6', 'doc-7'].includes(r.key)],
  ['(year < 2003) AND (FALSE OR kind IS NULL)', (r) => isNum(r.year) && r.year < 2003 && r.kind === null],
  [{ kind: 'task' }, (r) => r.kind === 'task'],
  [{ kind: { $ne: 'task' } }, (r) => r.kind !== 'task'],
  [{ kind: null }, (r) => r.kind === null],
  [{ kind: { $exists: true }, year: { $gt: 2010, $lte: 2020 } }, (r) => r.kind !== null && isNum(r.year) && r.year > 2010 && r.year <= 2020],
  [{ kind: { $in: ['task', 'note'] } }, (r) => r.kind === 'task' || r.kind === 'note'],
  [{ kind: { $nin: ['task', 'note'] } }, (r) => r.kind !== 'task' && r.kind !== 'note'],
  [{ kind: { $in: ['task', null] } }, (r) => r.kind === 'task' || r.kind === null],
  [{ tags: 'a' }, (r) => !!r.tags?.includes('a')],
  [{ tags: { $contains: 'b' } }, (r) => !!r.tags?.includes('b')],
  [{ tags: { $nin: ['a', 'b'] } }, (r) => !r.tags?.some((t) => t === 'a' || t === 'b')],
  [{ text: { $contains: 'ber 1' } }, (r) => !!r.text?.includes('ber 1')],
  [{ kind: { $contains: 'as' } }, (r) => !!r.kind?.includes('as')],
  ['"kind" = \'note\' AND `year` > 2020', (r) => r.kind === 'note' && isNum(r.year) && r.year > 2020],
  [{ $or: [{ done: true }, { year: { $lt: 2002 } }] }, (r) => r.done === true || (isNum(r.year) && r.year < 2002)],
  [{ $and: [{ done: false }, { $not: { kind: 'note' } }] }, (r) => r.done === false && r.kind !== 'note'],
  [{ year: { $not: { $gte: 2015 } } }, (r) => !(isNum(r.year) && r.year >= 2015)],
  [{ at: { $gte: new Date(JAN_2021) } }, (r) => r.at !== null && r.at.getTime() >= JAN_2021],
  [{ big: { $lt: 2n * 10n ** 15n } }, (r) => r.big !== null && r.big < 2n * 10n ** 15n],
  [{}, () => true],
];

describe('filters', () => {
  let rows: Row[];
  let c: Collection;
  beforeAll(async () => {
    rows = makeRows(600);
    c = await load(rows);
    await c.delete(['doc-3', 'doc-4']);
    rows = rows.filter((r) => r.key !== 'doc-3' && r.key !== 'doc-4');
  });

  it.each(CASES.map(([f, p], i) => [i, typeof f === 'string' ? f : JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)), f, p] as const))(
    'case %i: %s matches exactly the rows its JS statement selects',
    async (_i, _label, filter, pred) => {
      const expected = rows.filter(pred).map((r) => r.key);
      const got = (await c.query({ filter, select: [] })).map((d) => d.key);
      expect(got).toEqual(expected);
      expect(await c.count(filter)).toBe(expected.length);
    },
  );

  it('matches some rows in most cases (the data exercises the filters)', async () => {
    let nonTrivial = 0;
    for (const [, p] of CASES) {
      const n = rows.filter(p).length;
      if (n > 0 && n < rows.length) nonTrivial++;
    }
    expect(nonTrivial).toBeGreaterThan(CASES.length - 4);
  });

  it('names the position of a parse error', () => {
    const cases: [string, number, RegExp][] = [
      ["kind = 'task' AND", 17, /expected a field name, found the end/],
      ["kind = 'unterminated", 7, /unterminated string/],
      ['year >= ', 8, /expected a value/],
      ['year 2020', 5, /expected a comparison/],
      ["(kind = 'a'", 11, /expected '\)'/],
      ['year = 1 year', 9, /expected AND, OR or the end/],
      ['year = NULL', 7, /IS NULL/],
      ["at > TIMESTAMP '2021-13-01'", 15, /not an ISO 8601/],
      ['a # 1', 2, /unexpected character '#'/],
      ["array_has_any(tags, 'a')", 20, /expected '\['/],
      ['', 0, /empty filter/],
    ];
    for (const [src, pos, msg] of cases) {
      let err: unknown = null;
      try {
        parseWhere(src);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toContain(`at position ${pos}:`);
      expect((err as Error).message).toMatch(msg);
    }
  });

  it('refuses type mismatches and unknown fields and operators before evaluating', async () => {
    await expect(c.count("year = 'x'")).rejects.toThrow(/`year`.*numbers/);
    await expect(c.count('kind > 3')).rejects.toThrow(/`kind`.*strings/);
    await expect(c.count('done < TRUE')).rejects.toThrow(/= and != only/);
    await expect(c.count('big = 1.5')).rejects.toThrow(/integers/);
    await expect(c.count('year LIKE \'x\'')).rejects.toThrow(/LIKE needs/);
    await expect(c.count('nope = 1')).rejects.toThrow(/`nope`: no such field/);
    await expect(c.count({ year: { $regex: 'x' } } as Filter)).rejects.toThrow(/year.\$regex.*unknown operator/);
    await expect(c.count({ $nor: [] } as Filter)).rejects.toThrow(/unknown operator/);
    await expect(c.count({ year: NaN })).rejects.toThrow(/NaN/);
    await expect(c.count(5 as unknown as Filter)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

// Regressions found by the differential campaign (test/filter-differential.test.ts).
describe('filter edge cases', () => {
  async function edge(docs: Record<string, MetadataValue>[]): Promise<Collection> {
    const c = await Database.memory().createCollection('e', {
      dimension: 2, distance: 'l2', schema: { n: 'integer', big: 'bigint', at: 'date', s: 'string', tags: 'tags' },
    });
    await c.insertMany(docs.map((metadata, i) => ({ key: `d${i}`, vector: [i, 1], metadata })));
    return c;
  }

  it('compares integer fields with a literal by its exact digits, not its rounded double', async () => {
    // 4503599627370496.5 rounds to 2^52 as a double; 9223372036854775807.0 to 2^63.
    const c = await edge([{ n: 2 ** 52, big: 2n ** 63n - 1n }, { n: 2 ** 53 - 2, big: 0n }]);
    expect(await c.count('n = 4503599627370496.5')).toBe(0);
    expect(await c.count('n != 4503599627370496.5')).toBe(2);
    expect(await c.count('n IN (4503599627370496.5, 1)')).toBe(0);
    expect(await c.count('n >= 9007199254740990.5')).toBe(0);
    expect(await c.count('n < 9007199254740990.5')).toBe(2);
    expect(await c.count('n <= 4503599627370496.5')).toBe(1);
    expect(await c.count('n < 1e400 AND n > -1e400')).toBe(2);
    expect(await c.count('big = 9223372036854775807.0')).toBe(1);
    expect(await c.count('big IN (9223372036854775807000e-3)')).toBe(1);
    expect(await c.count('big < 9223372036854775808')).toBe(2);
    expect(await c.count({ n: { $lt: 2n ** 60n } })).toBe(2);
    await expect(c.count('big = -1000000000000000000.5')).rejects.toThrow(/integers/);
  });

  it('reads dates of years 0–99 as those years, and refuses out-of-range times', async () => {
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 0, 1);
    const c = await edge([{ at: year50 }, { at: new Date(Date.UTC(1950, 0, 1)) }]);
    expect(await c.count("at = DATE '0050-01-01'")).toBe(1);
    expect(await c.count("at < TIMESTAMP '0050-01-01T00:00:00.001Z'")).toBe(1);
    expect(await c.count("at = '1950-01-01'")).toBe(1);
    expect(parseTimestamp('0000-01-01')).toBe(-62_167_219_200_000);
    for (const bad of ['2024-01-01T24:00:00', '2024-01-01T23:60:00', '2024-01-01T23:59:60', '2024-01-01T00:00:00+24:00', '2024-02-30']) {
      expect(parseTimestamp(bad)).toBeNull();
    }
    await expect(c.count("at = TIMESTAMP '2024-01-01T25:00:00Z'")).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('takes the array_has family on tags fields only (it was a substring test on strings)', async () => {
    const c = await edge([{ s: 'abc', tags: ['b'] }]);
    expect(await c.count("array_has(tags, 'b') AND array_has_any(tags, ['b']) AND array_has_all(tags, ['b'])")).toBe(1);
    for (const f of ["array_has(s, 'b')", "array_contains(s, 'b')", "array_has_any(s, ['abc'])", "array_has_all(s, ['abc'])"]) {
      await expect(c.count(f)).rejects.toThrow(/needs a tags field/);
    }
  });

  it("refuses a '-' or '-.' not followed by digits with an InvalidArgumentError (was a TypeError)", () => {
    for (const src of ['n = -.', 'n BETWEEN -. AND 1', 'n IN (-.e1)', 'n = -']) {
      expect(() => parseWhere(src)).toThrow(InvalidArgumentError);
    }
    expect(parseWhere('n = -.5')).toEqual({ op: 'compare', field: 'n', cmp: '=', value: { kind: 'number', value: -0.5, text: '-.5' } });
  });

  it('refuses nesting deeper than MAX_FILTER_DEPTH with an InvalidArgumentError, not a stack overflow', async () => {
    const c = await edge([{ s: 'a' }]);
    const deep = 100_000;
    let obj: Filter = { s: 'a' };
    for (let i = 0; i < deep; i++) obj = i % 2 === 0 ? { $not: obj } : { $and: [obj] };
    let field: unknown = 'a';
    for (let i = 0; i < deep; i++) field = { $not: field };
    for (const f of ['('.repeat(deep) + "s = 'a'" + ')'.repeat(deep), 'NOT '.repeat(deep) + "s = 'a'", obj, { s: field } as Filter]) {
      await expect(c.count(f)).rejects.toThrow(/nesting deeper than 256/);
    }
    // 256 levels are fine.
    expect(await c.count('('.repeat(128) + 'NOT '.repeat(128) + "s = 'a'" + ')'.repeat(128))).toBe(1);
  });
});

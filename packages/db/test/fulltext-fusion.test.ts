import { InvalidArgumentError, fuseHybrid, linearFusion, reciprocalRankFusion } from '@vego/db';

const vector = [
  { id: 'a', score: 0.1 },
  { id: 'b', score: 0.2 },
  { id: 'c', score: 0.9 },
];
const text = [
  { id: 'c', score: 12 },
  { id: 'd', score: 7 },
  { id: 'a', score: 1 },
];

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over the lists, best first', () => {
    const fused = reciprocalRankFusion([{ hits: vector }, { hits: text }]);
    const expected = new Map([
      ['a', 1 / 61 + 1 / 63],
      ['c', 1 / 63 + 1 / 61],
      ['b', 1 / 62],
      ['d', 1 / 62],
    ]);
    expect(fused.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']); // a and c tie: a's best rank (1) came first
    for (const h of fused) expect(h.score).toBeCloseTo(expected.get(h.id)!, 15);
    expect(fused[0]!.ranks).toEqual([1, 3]);
    expect(fused.find((h) => h.id === 'd')!.ranks).toEqual([0, 2]);
  });

  it('honours k, weights and limit, and ignores scores', () => {
    const fused = reciprocalRankFusion([{ hits: vector, weight: 0 }, { hits: text, weight: 2 }], { k: 1, limit: 2 });
    expect(fused.map((h) => [h.id, h.score])).toEqual([
      ['c', 2 / 2],
      ['d', 2 / 3],
    ]);
    const rescored = reciprocalRankFusion([{ hits: vector.map((h) => ({ ...h, score: -h.score })) }, { hits: text }]);
    expect(rescored.map((h) => h.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('counts a repeated id in one list at its first rank only; handles empty input', () => {
    const fused = reciprocalRankFusion([{ hits: [{ id: 1, score: 0 }, { id: 1, score: 0 }] }]);
    expect(fused).toEqual([{ id: 1, score: 1 / 61, ranks: [1] }]);
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(reciprocalRankFusion([{ hits: [] }, { hits: [] }])).toEqual([]);
  });

  it('rejects bad arguments with InvalidArgumentError', () => {
    expect(() => reciprocalRankFusion([{ hits: vector }], { k: 0 })).toThrow(InvalidArgumentError);
    expect(() => reciprocalRankFusion([{ hits: vector }], { limit: -1 })).toThrow(InvalidArgumentError);
    expect(() => reciprocalRankFusion([{ hits: vector, weight: -1 }])).toThrow(InvalidArgumentError);
    expect(() => reciprocalRankFusion([{ hits: 'x' as unknown as [] }])).toThrow(InvalidArgumentError);
    expect(() => reciprocalRankFusion('x' as unknown as [])).toThrow(InvalidArgumentError);
  });
});

describe('linearFusion', () => {
  it('min-max normalises each list (flipping distances) and sums with weights', () => {
    const fused = linearFusion([
      { hits: vector, order: 'asc', weight: 0.7 },
      { hits: text, weight: 0.3 },
    ]);
    const nv = (s: number): number => (0.9 - s) / 0.8;
    const nt = (s: number): number => (s - 1) / 11;
    const expected = new Map([
      ['a', 0.7 * nv(0.1) + 0.3 * nt(1)],
      ['b', 0.7 * nv(0.2)],
      ['c', 0.7 * nv(0.9) + 0.3 * nt(12)],
      ['d', 0.3 * nt(7)],
    ]);
    const order = [...expected].sort((x, y) => y[1] - x[1]).map((e) => e[0]);
    expect(fused.map((h) => h.id)).toEqual(order);
    for (const h of fused) expect(h.score).toBeCloseTo(expected.get(h.id)!, 14);
  });

  it('gives a list of equal scores 1 for every hit, and moves with the weight', () => {
    expect(linearFusion([{ hits: [{ id: 1, score: 5 }, { id: 2, score: 5 }] }]).map((h) => h.score)).toEqual([1, 1]);
    const textHeavy = linearFusion([{ hits: vector, order: 'asc', weight: 0.1 }, { hits: text, weight: 0.9 }], { limit: 1 });
    const vectorHeavy = linearFusion([{ hits: vector, order: 'asc', weight: 0.9 }, { hits: text, weight: 0.1 }], { limit: 1 });
    expect(textHeavy[0]!.id).toBe('c');
    expect(vectorHeavy[0]!.id).toBe('a');
  });

  it('rejects non-finite scores and a bad order', () => {
    expect(() => linearFusion([{ hits: [{ id: 1, score: Number.NaN }] }])).toThrow(InvalidArgumentError);
    expect(() => linearFusion([{ hits: [{ id: 1, score: Infinity }] }])).toThrow(InvalidArgumentError);
    expect(() => linearFusion([{ hits: vector, order: 'up' as 'asc' }])).toThrow(InvalidArgumentError);
  });
});

describe('fuseHybrid', () => {
  const vec = [
    { id: 1, distance: 0.1 },
    { id: 2, distance: 0.3 },
  ];
  const txt = [
    { id: 3, score: 9 },
    { id: 1, score: 4 },
  ];

  it('fuses by RRF by default and keeps each side distance and text score', () => {
    const hits = fuseHybrid(vec, txt, 10);
    expect(hits.map((h) => h.id)).toEqual([1, 3, 2]);
    expect(hits[0]).toEqual({ id: 1, score: 1 / 61 + 1 / 62, distance: 0.1, textScore: 4 });
    expect(hits[1]).toMatchObject({ id: 3, distance: null, textScore: 9 });
    expect(hits[2]).toMatchObject({ id: 2, distance: 0.3, textScore: null });
    expect(fuseHybrid(vec, txt, 1).length).toBe(1);
    expect(fuseHybrid(vec, txt, 3, { rrf: 1 })[0]!.score).toBeCloseTo(1 / 2 + 1 / 3, 15);
  });

  it('blends normalised scores linearly: weight 1 follows the vectors, 0 the text', () => {
    expect(fuseHybrid(vec, txt, 3, { linear: 1 }).map((h) => h.id).slice(0, 1)).toEqual([1]);
    expect(fuseHybrid(vec, txt, 3, { linear: 0 }).map((h) => h.id).slice(0, 1)).toEqual([3]);
    const mid = fuseHybrid(vec, txt, 3, { linear: 0.5 });
    expect(mid[0]).toMatchObject({ id: 1, score: 0.5 * 1 + 0.5 * 0 });
  });

  it('rejects bad fusion options', () => {
    expect(() => fuseHybrid(vec, txt, 3, 'max' as 'rrf')).toThrow(InvalidArgumentError);
    expect(() => fuseHybrid(vec, txt, 3, { linear: 2 })).toThrow(InvalidArgumentError);
    expect(() => fuseHybrid(vec, txt, 3, { rrf: 0 })).toThrow(InvalidArgumentError);
    expect(() => fuseHybrid(vec, txt, -1)).toThrow(InvalidArgumentError);
  });
});

import { InvalidArgumentError, NotFoundError, NotSupportedError, TextIndex, bm25Idf, bm25TermScore, createTokenizer, reconcileTextIndex } from '@vego/db';
import { referenceBm25, referenceRanking, seededRandom, zipfDocs } from './fixtures/fulltext-corpus';

/** Expects equal ids in order and scores equal to 1e-12 relative (the index multiplies in another order). */
function expectSameHits(got: { id: number; score: number }[], want: { id: number; score: number }[]): void {
  expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
  for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]!.score - want[i]!.score)).toBeLessThanOrEqual(1e-12 * want[i]!.score);
}

/** Expects the index's top k to be the reference ranking, scores equal to 1e-12 relative. */
function expectMatchesReference(index: TextIndex, docs: Map<number, string[]>, query: string, k: number): void {
  const q = index.tokenizer.tokenize(query);
  const want = referenceRanking(referenceBm25(docs, q, index.params.k1, index.params.b), k);
  expectSameHits(index.search(query, k), want);
}

describe('bm25 formula helpers', () => {
  it("computes Lucene's idf and the term score", () => {
    expect(bm25Idf(1, 10)).toBeCloseTo(Math.log(1 + 9.5 / 1.5), 15);
    expect(bm25Idf(10, 10)).toBeGreaterThan(0); // the 1 + keeps it positive
    // tf = 1, |d| = avgdl: tf·(k1+1)/(tf + k1) = 2.2/2.2 = 1
    expect(bm25TermScore(2, 1, 5, 5, { k1: 1.2, b: 0.75 })).toBeCloseTo(2, 15);
    // b = 0 ignores length
    expect(bm25TermScore(1, 3, 100, 5, { k1: 1.2, b: 0 })).toBeCloseTo((3 * 2.2) / (3 + 1.2), 15);
  });
});

describe('TextIndex', () => {
  it('scores equal a reference BM25 computed from the formula over the same tokens', () => {
    const texts = zipfDocs(400, 300, 40, 1);
    for (const [k1, b] of [
      [1.2, 0.75],
      [2, 0.3],
      [0.5, 1],
      [1.2, 0],
    ] as const) {
      const index = new TextIndex({ k1, b });
      const docs = new Map<number, string[]>();
      texts.forEach((t, i) => {
        index.add(i, t);
        docs.set(i, index.tokenizer.tokenize(t));
      });
      for (const q of ['w0', 'w1 w7', 'w3 w3 w50 w299', 'w120 w5 w17 w2', 'nothing w250']) expectMatchesReference(index, docs, q, 20);
      expect(index.size).toBe(400);
    }
  });

  it('stays exact through random adds, updates and removes (df, N and avgdl of the live documents)', () => {
    const rand = seededRandom(7);
    const pool = zipfDocs(600, 200, 30, 2);
    const index = new TextIndex();
    const docs = new Map<number, string[]>();
    for (let step = 0; step < 1500; step++) {
      const id = Math.floor(rand() * 300);
      const r = rand();
      const text = pool[Math.floor(rand() * pool.length)]!;
      if (r < 0.5) {
        index.update(id, text);
        docs.set(id, index.tokenizer.tokenize(text));
      } else if (r < 0.8) {
        expect(index.remove(id)).toBe(docs.delete(id));
      } else if (!index.has(id)) {
        index.add(id, text);
        docs.set(id, index.tokenizer.tokenize(text));
      }
      if (step % 150 === 0 && docs.size > 0) {
        for (const q of ['w0 w1', 'w9 w33', 'w150 w3 w77']) expectMatchesReference(index, docs, q, 15);
      }
    }
    expect(index.size).toBe(docs.size);
    const total = [...docs.values()].reduce((s, t) => s + t.length, 0);
    expect(index.avgDocLength).toBeCloseTo(total / docs.size, 12);
    let df = 0;
    for (const t of docs.values()) if (t.includes('w4')) df++;
    expect(index.documentFrequency('w4')).toBe(df);
    for (const q of ['w0', 'w2 w3 w4 w5', 'w199']) expectMatchesReference(index, docs, q, 50);
  });

  it('returns every match when k exceeds them, ties broken by lower id, and nothing for unknown terms', () => {
    const index = new TextIndex();
    index.add(5, 'alpha beta');
    index.add(2, 'alpha beta');
    index.add(9, 'gamma');
    const hits = index.search('alpha', 10);
    expect(hits.map((h) => h.id)).toEqual([2, 5]);
    expect(hits[0]!.score).toBe(hits[1]!.score);
    expect(index.search('delta', 10)).toEqual([]);
    expect(index.search('', 10)).toEqual([]);
    expect(index.search('alpha', 0)).toEqual([]);
    expect(index.search('alpha', 1).map((h) => h.id)).toEqual([2]);
    expect(new TextIndex().search('alpha', 3)).toEqual([]);
  });

  it('counts a repeated query term once', () => {
    const index = new TextIndex();
    index.add(0, 'alpha beta');
    index.add(1, 'beta gamma delta');
    expect(index.search('alpha alpha', 5)).toEqual(index.search('alpha', 5));
  });

  it('applies byte and word bitset filters and a predicate filter (predicate once per matching document)', () => {
    const texts = zipfDocs(200, 50, 20, 3);
    const index = new TextIndex();
    const docs = new Map<number, string[]>();
    texts.forEach((t, i) => {
      index.add(i, t);
      docs.set(i, index.tokenizer.tokenize(t));
    });
    const even = (id: number): boolean => id % 2 === 0;
    const bits = new Uint8Array(13); // covers ids 0..103 only: ids past the end are excluded
    for (let id = 0; id < 104; id++) if (even(id)) bits[id >> 3]! |= 1 << (id & 7);
    const all = referenceRanking(referenceBm25(docs, ['w0', 'w3'], 1.2, 0.75), 1000);
    const calls = new Map<number, number>();
    const byPred = index.search('w0 w3', 10, {
      filter: (id) => {
        calls.set(id, (calls.get(id) ?? 0) + 1);
        return even(id);
      },
    });
    expectSameHits(byPred, all.filter((h) => even(h.id)).slice(0, 10));
    expect(Math.max(...calls.values())).toBe(1);
    expectSameHits(index.search('w0 w3', 10, { filter: bits }), all.filter((h) => even(h.id) && h.id < 104).slice(0, 10));
    expect(index.search('w0', 10, { filter: new Uint8Array(0) })).toEqual([]);
    const words = new Uint32Array(2); // ids 0..63
    for (let id = 0; id < 64; id++) if (even(id)) words[id >>> 5]! |= 1 << (id & 31);
    expectSameHits(index.search('w0 w3', 10, { filter: words }), all.filter((h) => even(h.id) && h.id < 64).slice(0, 10));
  });

  it('indexes stemmed, stop-word-free terms when its tokenizer says so', () => {
    const index = new TextIndex({ tokenizer: { stemming: true, stopWords: true } });
    index.add(0, 'The connection was connected');
    index.add(1, 'Indexes of the database');
    expect(index.termsOf(0)).toEqual([['connect', 2]]);
    expect(index.search('connecting', 5).map((h) => h.id)).toEqual([0]);
    expect(index.search('the of', 5)).toEqual([]);
    expect(index.docLengthOf(1)).toBe(2);
  });

  it('accepts a custom tokenizer', () => {
    const index = new TextIndex({ tokenizer: { id: 'chars', tokenize: (s: string) => [...s] } });
    index.add(0, 'abc');
    index.add(1, 'xyz');
    expect(index.search('zz', 5).map((h) => h.id)).toEqual([1]);
    expect(index.tokenizer.id).toBe('chars');
  });

  it('frees stale postings: a list rewritten after many updates still scores right', () => {
    const index = new TextIndex();
    index.add(0, 'hot cold');
    for (let i = 0; i < 1000; i++) index.update(1, `hot x${i % 7}`);
    const docs = new Map([
      [0, ['hot', 'cold']],
      [1, ['hot', `x${999 % 7}`]],
    ]);
    expectMatchesReference(index, docs, 'hot x5 cold', 5);
    expect(index.documentFrequency('hot')).toBe(2);
    expect(index.byteLength()).toBeLessThan(4096);
    // Lists stay within twice their live postings (regression: a rewrite during a removal kept the
    // removed document's own posting and forgot it was stale).
    expect(index.postingCount('hot')).toBeLessThanOrEqual(2 * 2 + 4);
    for (let i = 0; i < 50; i++) {
      index.add(100 + i, 'hot');
      index.remove(100 + i);
    }
    expect(index.postingCount('hot')).toBeLessThanOrEqual(2 * 2 + 4);
  });

  it('rejects bad ids, duplicates, bad k, bad filters and bad parameters with typed errors', () => {
    const index = new TextIndex();
    index.add(0, 'a');
    expect(() => index.add(0, 'b')).toThrow(InvalidArgumentError);
    expect(() => index.add(-1, 'b')).toThrow(InvalidArgumentError);
    expect(() => index.add(1.5, 'b')).toThrow(InvalidArgumentError);
    expect(() => index.add(2 ** 31, 'b')).toThrow(InvalidArgumentError);
    expect(() => index.add(1, 7 as unknown as string)).toThrow(InvalidArgumentError);
    expect(() => index.search('a', -1)).toThrow(InvalidArgumentError);
    expect(() => index.search('a', 1.5)).toThrow(InvalidArgumentError);
    expect(() => index.search(3 as unknown as string, 1)).toThrow(InvalidArgumentError);
    expect(() => index.search('a', 1, { filter: [1] as unknown as Uint8Array })).toThrow(InvalidArgumentError);
    expect(() => new TextIndex({ k1: -1 })).toThrow(InvalidArgumentError);
    expect(() => new TextIndex({ b: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new TextIndex({ b: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => index.termsOf(5)).toThrow(NotFoundError);
    expect(index.remove(5)).toBe(false);
    expect(index.has(-3)).toBe(false);
  });

  it('treats an empty text as a document of length 0 (it counts in N and avgdl)', () => {
    const index = new TextIndex();
    index.add(0, 'alpha');
    index.add(1, '');
    expect(index.size).toBe(2);
    expect(index.avgDocLength).toBe(0.5);
    const tok = createTokenizer();
    const docs = new Map([
      [0, tok.tokenize('alpha')],
      [1, [] as string[]],
    ]);
    expectMatchesReference(index, docs, 'alpha', 5);
  });
});

describe('reconcileTextIndex', () => {
  it('adds missing, re-indexes changed and removes stale documents, tokenizing only those', () => {
    const index = new TextIndex();
    index.add(0, 'same text');
    index.add(1, 'old text');
    index.add(2, 'gone');
    index.add(9, 'past the end');
    index.addTokens(3, ['from', 'tokens']); // text unknown: re-indexed
    const texts: (string | null)[] = ['same text', 'new text', null, 'from tokens', 'added'];
    let calls = 0;
    const tokenizer = index.tokenizer;
    const spy = { id: tokenizer.id, tokenize: (s: string) => (calls++, tokenizer.tokenize(s)) };
    Object.defineProperty(index, 'tokenizer', { value: spy });
    expect(reconcileTextIndex(index, texts.length, (id) => texts[id])).toEqual({ added: 1, updated: 2, removed: 2 });
    expect(calls).toBe(3);
    expect(index.hasText(0, 'same text')).toBe(true);
    expect(index.hasText(1, 'new text')).toBe(true);
    expect(index.hasText(1, 'old text')).toBe(false);
    expect(index.has(2) || index.has(9)).toBe(false);
    expect(index.search('added', 5).map((h) => h.id)).toEqual([4]);
    expect(reconcileTextIndex(index, texts.length, (id) => texts[id])).toEqual({ added: 0, updated: 0, removed: 0 });
    expect(() => reconcileTextIndex(index, -1, () => null)).toThrow(InvalidArgumentError);
  });
});

describe('TextIndex phrase queries', () => {
  /** Phrase frequency of `phrase` in `doc`, counted naively. */
  function naivePf(doc: string[], phrase: string[]): number {
    let pf = 0;
    for (let i = 0; i + phrase.length <= doc.length; i++) if (phrase.every((t, j) => doc[i + j] === t)) pf++;
    return pf;
  }

  it('scores phrases as BM25 with the phrase frequency as tf and summed idf, through updates and removes', () => {
    const rand = seededRandom(17);
    const pool = zipfDocs(300, 12, 30, 8); // a small vocabulary: phrases recur
    const index = new TextIndex({ positions: true });
    const docs = new Map<number, string[]>();
    for (let step = 0; step < 600; step++) {
      const id = Math.floor(rand() * 150);
      if (rand() < 0.2) {
        index.remove(id);
        docs.delete(id);
      } else {
        const text = pool[Math.floor(rand() * pool.length)]!;
        index.update(id, text);
        docs.set(id, index.tokenizer.tokenize(text));
      }
    }
    const n = docs.size;
    const avgdl = [...docs.values()].reduce((s, d) => s + d.length, 0) / n;
    for (const phrase of ['w0 w1', 'w1 w0 w2', 'w3 w3', 'w0', 'w5 w6 w7 w8', 'w2 w2 w2']) {
      const terms = phrase.split(' ');
      let idf = 0;
      for (const t of new Set(terms)) idf += Math.log(1 + (n - [...docs.values()].filter((d) => d.includes(t)).length + 0.5) / ([...docs.values()].filter((d) => d.includes(t)).length + 0.5));
      const want = [...docs]
        .map(([id, d]) => ({ id, pf: naivePf(d, terms), len: d.length }))
        .filter((x) => x.pf > 0)
        .map((x) => ({ id: x.id, score: (idf * x.pf * 2.2) / (x.pf + 1.2 * (1 - 0.75 + (0.75 * x.len) / avgdl)) }))
        .sort((a, b) => b.score - a.score || a.id - b.id)
        .slice(0, 15);
      const got = index.searchPhrase(phrase, 15);
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => expect(Math.abs(h.score - want[i]!.score)).toBeLessThanOrEqual(1e-12 * want[i]!.score));
    }
    // Filters apply; unknown words match nothing.
    const odd = index.searchPhrase('w0 w1', 100, { filter: (id) => id % 2 === 1 });
    expect(odd.every((h) => h.id % 2 === 1)).toBe(true);
    expect(odd.length).toBeGreaterThan(0);
    expect(index.searchPhrase('w0 nope', 5)).toEqual([]);
  });

  it('lets the tokenizer drop stop words on both sides, and reports positions', () => {
    const index = new TextIndex({ positions: true, tokenizer: { stopWords: true } });
    index.add(0, 'end of file reached');
    index.add(1, 'file end');
    expect(index.searchPhrase('end of file', 5).map((h) => h.id)).toEqual([0]);
    expect(index.searchPhrase('end file', 5).map((h) => h.id)).toEqual([0]);
    expect(index.positionsOf(0)).toEqual([
      ['end', [0]],
      ['file', [1]],
      ['reached', [2]],
    ]);
  });

  it('needs positions', () => {
    const index = new TextIndex();
    index.add(0, 'a b');
    expect(() => index.searchPhrase('a b', 5)).toThrow(NotSupportedError);
    expect(() => new TextIndex({ positions: 'yes' as unknown as boolean })).toThrow(InvalidArgumentError);
  });
});

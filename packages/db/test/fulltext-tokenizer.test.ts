import { ENGLISH_STOP_WORDS, InvalidArgumentError, createTokenizer, type Tokenizer } from '@vego/db';
import { seededRandom } from './fixtures/fulltext-corpus';

describe('createTokenizer', () => {
  it('splits on Unicode word boundaries and lower-cases, dropping punctuation and spaces', () => {
    const t = createTokenizer();
    expect(t.tokenize('Hello, World! HNSW.loadFromLance(dir) a-b/c — 3.14 snake_case_name v2')).toEqual([
      'hello',
      'world',
      'hnsw.loadfromlance',
      'dir',
      'a',
      'b',
      'c',
      '3.14',
      'snake_case_name',
      'v2',
    ]);
    expect(t.tokenize('')).toEqual([]);
    expect(t.tokenize('  ... !!! ')).toEqual([]);
  });

  it('keeps repeats (they are the term frequency)', () => {
    expect(createTokenizer().tokenize('a b a A')).toEqual(['a', 'b', 'a', 'a']);
  });

  it('segments non-Latin scripts and lower-cases without the runtime locale', () => {
    const t = createTokenizer();
    expect(t.tokenize('Ärger ÖL straße')).toEqual(['ärger', 'öl', 'straße']);
    // Greek, Cyrillic; the dotted capital I lower-cases to 'i̇' (i + combining dot) in every locale.
    expect(t.tokenize('ΣΟΦΙΑ Москва')).toEqual(['σοφια', 'москва']);
    expect(t.tokenize('İstanbul')).toEqual(['i̇stanbul']);
    // Ideographs are word-like segments.
    expect(t.tokenize('東京タワー').length).toBeGreaterThan(0);
  });

  it('drops English stop words when asked, and only then', () => {
    expect(createTokenizer().tokenize('The cat is on the mat')).toEqual(['the', 'cat', 'is', 'on', 'the', 'mat']);
    expect(createTokenizer({ stopWords: true }).tokenize('The cat is on the mat')).toEqual(['cat', 'mat']);
    expect(createTokenizer({ stopWords: ['cat'] }).tokenize('The cat is on the mat')).toEqual(['the', 'is', 'on', 'the', 'mat']);
    expect(ENGLISH_STOP_WORDS).toContain('the');
    expect(ENGLISH_STOP_WORDS).not.toContain('not');
    expect([...ENGLISH_STOP_WORDS].sort()).toEqual(ENGLISH_STOP_WORDS);
  });

  it('stems English words with Porter2 when asked', () => {
    const t = createTokenizer({ stemming: true, stopWords: true });
    expect(t.tokenize('The indexes are searched; running connections generously')).toEqual(['index', 'search', 'run', 'connect', 'generous']);
    expect(createTokenizer().tokenize('searched')).toEqual(['searched']);
  });

  it('cuts very long words to maxTokenLength', () => {
    const t = createTokenizer({ maxTokenLength: 5 });
    expect(t.tokenize('abcdefghij xy')).toEqual(['abcde', 'xy']);
    expect(createTokenizer().tokenize('z'.repeat(1000))[0]!.length).toBe(64);
    // Never half a surrogate pair: 𝒜 is two UTF-16 code units.
    expect(createTokenizer({ maxTokenLength: 4 }).tokenize('abc𝒜d')).toEqual(['abc']);
    expect(createTokenizer({ maxTokenLength: 5 }).tokenize('abc𝒜d')).toEqual(['abc𝒜']);
  });

  it('gives settings their own ids, equal for equal settings', () => {
    const ids = [
      createTokenizer().id,
      createTokenizer({ stopWords: true }).id,
      createTokenizer({ stemming: true }).id,
      createTokenizer({ stopWords: ['x'] }).id,
      createTokenizer({ stopWords: ['y'] }).id,
      createTokenizer({ maxTokenLength: 10 }).id,
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(createTokenizer({ stopWords: ['x', 'y'] }).id).toBe(createTokenizer({ stopWords: ['y', 'x'] }).id);
  });

  it('rejects bad options and input with InvalidArgumentError', () => {
    expect(() => createTokenizer({ maxTokenLength: 0 })).toThrow(InvalidArgumentError);
    expect(() => createTokenizer({ stopWords: 'yes' as unknown as boolean })).toThrow(InvalidArgumentError);
    expect(() => createTokenizer({ stemming: 1 as unknown as boolean })).toThrow(InvalidArgumentError);
    expect(() => createTokenizer().tokenize(42 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('is pluggable: any object with id and tokenize works as a Tokenizer', () => {
    const ws: Tokenizer = { id: 'ws', tokenize: (s) => s.split(/\s+/).filter(Boolean) };
    expect(ws.tokenize('A b')).toEqual(['A', 'b']);
  });
});

describe('the ASCII fast path', () => {
  it('finds the same words as Intl.Segmenter on random ASCII strings', () => {
    const rand = seededRandom(42);
    const alphabet = "aZq19_.:',;- \"\n\t!/(x";
    const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
    const t = createTokenizer({ maxTokenLength: 1000 });
    for (let n = 0; n < 20000; n++) {
      const len = Math.floor(rand() * 14);
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const expected = [...segmenter.segment(s)].filter((x) => x.isWordLike === true).map((x) => x.segment.toLowerCase());
      const got = t.tokenize(s);
      if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${JSON.stringify(s)}: fast path ${JSON.stringify(got)}, segmenter ${JSON.stringify(expected)}`);
    }
  });

  it('agrees with Intl.Segmenter on real English text', () => {
    const text = "Don't panic: it's 3.14, 1,000,000 or 2;3 items. e.g. HNSW.loadFromLance(dir) __init__ a_b _x_ U.S.A. rock'n'roll";
    const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
    const expected = [...segmenter.segment(text)].filter((x) => x.isWordLike === true).map((x) => x.segment.toLowerCase());
    expect(createTokenizer().tokenize(text)).toEqual(expected);
    // The same text with one non-ASCII character takes the segmenter path and splits alike.
    expect(createTokenizer().tokenize(`${text} é`)).toEqual([...expected, 'é']);
  });
});

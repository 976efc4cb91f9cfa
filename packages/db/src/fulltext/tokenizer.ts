/**
 * Tokenizers for the full-text index: text in, a list of terms out. The default one segments text
 * into words by Unicode's rules (UAX #29 through `Intl.Segmenter`, word granularity: a segment is a
 * term when `isWordLike`, which covers letters, numbers and ideographs but not spaces or
 * punctuation; pure-ASCII text takes an equivalent, faster path in `internal/ascii-words.ts`), lower-cases each word with `String#toLowerCase` (the locale-independent Unicode
 * mapping, so a Turkish or Lithuanian runtime locale changes nothing), then optionally drops stop
 * words and stems English words (Porter2, through `wink-porter2-stemmer`).
 *
 * UAX #29 keeps identifiers such as `snake_case_name`, `v2`, `3.14`, `e.g` and `HNSW.loadFromLance`
 * (letters on both sides of a full stop, colon or apostrophe) in one piece and splits `a-b`, `a/b`,
 * `a(b)` and `a. b` at the punctuation; camelCase stays one (lower-cased) term. Stop words are
 * compared after lower-casing and before stemming.
 *
 * The index stores terms, not text: documents and queries must go through the same tokenizer (the
 * saved index records {@link Tokenizer.id} and refuses to load under a different one).
 */
/// <reference path="./internal/wink-porter2-stemmer.d.ts" />
import { InvalidArgumentError } from '@vego/hnsw';
import stemPorter2 from 'wink-porter2-stemmer';
import { forEachAsciiWord, isAscii } from './internal/ascii-words';
import { ENGLISH_STOP_WORDS } from './stop-words';

/**
 * The pluggable tokenizer interface: any object with a `tokenize` function and an `id`.
 * @example
 * ```ts
 * const whitespace: Tokenizer = { id: 'whitespace', tokenize: (t) => t.toLowerCase().split(/\s+/).filter(Boolean) };
 * const index = new TextIndex({ tokenizer: whitespace });
 * ```
 */
export interface Tokenizer {
  /**
   * Identifies the tokenizer and its settings (saved with an index and checked on load: the same
   * id must mean the same terms for the same text).
   */
  readonly id: string;
  /** The terms of `text`, in order, repeats kept (their count is the term frequency). */
  tokenize(text: string): string[];
}

/** Options of {@link createTokenizer}. */
export interface TokenizerOptions {
  /**
   * Stop words to drop: `true` for {@link ENGLISH_STOP_WORDS}, or your own list (compared after
   * lower-casing). Default false: every word is a term.
   */
  stopWords?: boolean | readonly string[];
  /** Stem English words with the Porter2 (Snowball English) stemmer. Default false. */
  stemming?: boolean;
  /**
   * Words longer than this many UTF-16 code units are cut to it (a guard against pathological
   * input such as base64 blobs making huge terms). Default 64; at least 1.
   */
  maxTokenLength?: number;
}

/** Default {@link TokenizerOptions.maxTokenLength}. */
export const DEFAULT_MAX_TOKEN_LENGTH = 64;

/** The Unicode word tokenizer behind {@link createTokenizer}. */
class WordTokenizer implements Tokenizer {
  readonly id: string;
  /** The options that make this tokenizer again (saved with an index). */
  readonly options: Required<TokenizerOptions>;
  private readonly segmenter: Intl.Segmenter;
  private readonly stop: ReadonlySet<string> | null;
  private readonly stem: boolean;
  private readonly maxLength: number;
  /** Stems of words already seen: stemming costs far more than a map lookup, and words repeat. */
  private readonly stemCache = new Map<string, string>();

  constructor(stop: readonly string[] | null, stem: boolean, maxLength: number) {
    // 'und' (undetermined): the root UAX #29 rules, the same in every runtime locale.
    this.segmenter = new Intl.Segmenter('und', { granularity: 'word' });
    this.stop = stop === null ? null : new Set(stop.map((w) => w.toLowerCase()));
    this.stem = stem;
    this.maxLength = maxLength;
    this.options = { stopWords: stop === null ? false : stop === ENGLISH_STOP_WORDS ? true : stop.slice(), stemming: stem, maxTokenLength: maxLength };
    const stopPart = stop === null ? 'none' : stop === ENGLISH_STOP_WORDS ? 'english' : `custom:${fingerprint([...this.stop!].sort().join('\n'))}`;
    this.id = `vego-words/1;stop=${stopPart};stem=${stem ? 'porter2' : 'none'};max=${maxLength}`;
  }

  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new InvalidArgumentError(`\`text\` must be a string, got ${typeof text}`);
    const out: string[] = [];
    if (isAscii(text)) {
      // The same boundaries as the segmenter (internal/ascii-words.ts), several times faster.
      forEachAsciiWord(text, (start, end) => this.addWord(out, text.slice(start, end)));
    } else {
      for (const seg of this.segmenter.segment(text)) if (seg.isWordLike === true) this.addWord(out, seg.segment);
    }
    return out;
  }

  /** Lower-cases, cuts, filters and stems one word, appending what is left to `out`. */
  private addWord(out: string[], segment: string): void {
    let word = segment.toLowerCase();
    if (word.length > this.maxLength) {
      // Cut between code points: never leave half of a surrogate pair at the end.
      const c = word.charCodeAt(this.maxLength - 1);
      word = word.slice(0, c >= 0xd800 && c <= 0xdbff ? this.maxLength - 1 : this.maxLength);
    }
    if (this.stop !== null && this.stop.has(word)) return;
    if (this.stem) word = this.stemWord(word);
    out.push(word);
  }

  private stemWord(word: string): string {
    let s = this.stemCache.get(word);
    if (s === undefined) {
      s = stemPorter2(word);
      // A bound on the cache: vocabularies of real text fit; adversarial input only refills it.
      if (this.stemCache.size >= 1 << 18) this.stemCache.clear();
      this.stemCache.set(word, s);
    }
    return s;
  }
}

/** FNV-1a of a string, as 8 hex digits (names a custom stop-word list inside a tokenizer id). */
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Makes the default tokenizer: Unicode words, lower case, optional stop words and English stemming.
 * @throws InvalidArgumentError for bad options, or when this runtime has no `Intl.Segmenter`.
 * @example
 * ```ts
 * createTokenizer({ stopWords: true, stemming: true }).tokenize('The indexes are searched'); // ['index', 'search']
 * ```
 */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('`options` must be an object');
  const { stopWords = false, stemming = false, maxTokenLength = DEFAULT_MAX_TOKEN_LENGTH } = options;
  if (typeof stemming !== 'boolean') throw new InvalidArgumentError(`\`stemming\` must be a boolean, got ${String(stemming)}`);
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 1) {
    throw new InvalidArgumentError(`\`maxTokenLength\` must be an integer ≥ 1, got ${String(maxTokenLength)}`);
  }
  let stop: readonly string[] | null;
  if (stopWords === true) stop = ENGLISH_STOP_WORDS;
  else if (stopWords === false) stop = null;
  else if (Array.isArray(stopWords) && stopWords.every((w) => typeof w === 'string')) stop = stopWords;
  else throw new InvalidArgumentError('`stopWords` must be a boolean or an array of strings');
  if (typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') {
    throw new InvalidArgumentError('this runtime has no `Intl.Segmenter`: pass your own `tokenizer`');
  }
  return new WordTokenizer(stop, stemming, maxTokenLength);
}

/** True when `value` has the shape of a {@link Tokenizer}. */
export function isTokenizer(value: unknown): value is Tokenizer {
  return (
    typeof value === 'object' && value !== null && typeof (value as Tokenizer).tokenize === 'function' && typeof (value as Tokenizer).id === 'string'
  );
}

/**
 * The options that recreate `tokenizer` through {@link createTokenizer} (a copy), or null when it
 * was not made by {@link createTokenizer}.
 */
export function tokenizerOptionsOf(tokenizer: Tokenizer): Required<TokenizerOptions> | null {
  if (!(tokenizer instanceof WordTokenizer)) return null;
  const o = tokenizer.options;
  return { ...o, stopWords: Array.isArray(o.stopWords) ? o.stopWords.slice() : o.stopWords };
}

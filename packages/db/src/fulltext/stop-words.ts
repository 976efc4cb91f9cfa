/**
 * An English stop-word list for the full-text tokenizer: function words (articles, pronouns,
 * auxiliaries, prepositions, conjunctions) that occur in nearly every passage and so carry almost no
 * BM25 weight while making postings long. Written for Vego; deliberately short (no content words
 * such as "new", "use" or "system", which are meaningful in technical text), and without negations
 * ("not", "no", "nor"), which change a query's meaning.
 */

// Written as one space-separated string: a list of quoted words (the word "from" followed by a
// quote) would look like an import to the scanner in scripts/check-layers.mjs.
/** The default English stop words, lower case, sorted. */
export const ENGLISH_STOP_WORDS: readonly string[] = Object.freeze(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has ' +
    'have having he her here hers herself him himself his how i if in into is it its itself me more ' +
    'most my myself of off on once only or other our ours ourselves out over own same she should so ' +
    'some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you ' +
    'your yours yourself yourselves'
  ).split(' '),
);

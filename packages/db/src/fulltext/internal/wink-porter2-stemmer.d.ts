// Types for wink-porter2-stemmer (the package ships none): one function, a lower-case English word in, its Porter2 stem out.
declare module 'wink-porter2-stemmer' {
  function stem(word: string): string;
  export = stem;
}

/**
 * Word boundaries of pure-ASCII text by the rules of UAX #29 (as ICU, and so `Intl.Segmenter`,
 * applies them), without `Intl.Segmenter`, which costs about 70 % of tokenizing English text. Only
 * the rules that can fire between ASCII characters are needed; the tokenizer checks that a text is
 * ASCII before taking this path, and a test compares the two paths on random strings.
 *
 * Classes: letters (ALetter), digits (Numeric), `_` (ExtendNumLet), `:` (MidLetter), `.` and `'`
 * (MidNumLet / Single_Quote), `,` and `;` (MidNum); everything else separates words. Rules kept:
 * WB5 letter × letter; WB6/WB7 letter × mid × letter (mid: `:` `.` `'`); WB8–WB10 letters and
 * digits join; WB11/WB12 digit × midnum × digit (midnum: `,` `;` `.` `'`); WB13a/b `_` joins with
 * letters, digits and `_`. A segment is word-like when it holds a letter or a digit, or two or more
 * `_` (ICU gives a lone `_` the status of punctuation).
 */

// 0: anything else (separates words).
const LETTER = 1;
const DIGIT = 2;
const UNDERSCORE = 3;
const COLON = 4; // MidLetter
const MID_NUM_LET = 5; // '.' and "'" (MidNumLet, Single_Quote)
const MID_NUM = 6; // ',' and ';'

const CLASS = new Uint8Array(128);
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER;
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER;
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
CLASS[95] = UNDERSCORE;
CLASS[58] = COLON;
CLASS[46] = MID_NUM_LET;
CLASS[39] = MID_NUM_LET;
CLASS[44] = MID_NUM;
CLASS[59] = MID_NUM;

/** True when every code unit of `s` is below 128. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * Calls `emit(start, end)` for each word-like segment `[start, end)` of the ASCII string `s`, in
 * order.
 */
export function forEachAsciiWord(s: string, emit: (start: number, end: number) => void): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = CLASS[s.charCodeAt(i)]!;
    if (c !== LETTER && c !== DIGIT && c !== UNDERSCORE) {
      i++;
      continue;
    }
    // A word starts at i: extend while no rule breaks between j − 1 and j.
    const start = i;
    let prev = c;
    let wordChars = c === UNDERSCORE ? 0 : 1;
    let j = i + 1;
    while (j < n) {
      const cur = CLASS[s.charCodeAt(j)]!;
      if (cur === LETTER || cur === DIGIT || cur === UNDERSCORE) {
        // WB5, WB8–WB10, WB13a/b: letters, digits and '_' always join one another.
        if (cur !== UNDERSCORE) wordChars++;
        prev = cur;
        j++;
        continue;
      }
      if (j + 1 < n) {
        const next = CLASS[s.charCodeAt(j + 1)]!;
        // WB6/WB7: letter (':' | '.' | "'") letter.
        if (prev === LETTER && next === LETTER && (cur === COLON || cur === MID_NUM_LET)) {
          prev = LETTER;
          wordChars++;
          j += 2;
          continue;
        }
        // WB11/WB12: digit (',' | ';' | '.' | "'") digit.
        if (prev === DIGIT && next === DIGIT && (cur === MID_NUM || cur === MID_NUM_LET)) {
          prev = DIGIT;
          wordChars++;
          j += 2;
          continue;
        }
      }
      break;
    }
    if (wordChars > 0 || j - start >= 2) emit(start, j);
    i = j;
  }
}

// A deterministic toy embedder so the examples run offline: the hashing trick over words and
// character trigrams, normalised. It captures word overlap, not meaning. A real model plugs in by
// replacing `embed` with any function text -> Float32Array (or number[]) of a fixed dimension, e.g.
//   import { pipeline } from '@xenova/transformers';
//   const extractor = await pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2');
//   const embed = async (text) => (await extractor(text, { pooling: 'mean', normalize: true })).data;
// or a call to your embedding service. Everything else in the examples stays the same.

export const TOY_DIMENSION = 512;

// Words that carry no topic; without dropping them every sentence looks alike.
const STOP = new Set('a an and are as at be by do does for from has have how in is it its of on or so that the this to was what when where which who why will with should long during happens'.split(' '));

function hash(s) {
  // FNV-1a, 32-bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Embeds `text` into a unit vector of TOY_DIMENSION floats. */
export function toyEmbed(text) {
  const v = new Float32Array(TOY_DIMENSION);
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  for (const w of words) {
    if (STOP.has(w)) continue;
    const h = hash(w);
    v[h % TOY_DIMENSION] += h & 1 ? 1 : -1;
    const padded = ` ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const t = hash(padded.slice(i, i + 3));
      v[t % TOY_DIMENSION] += (t & 1 ? 0.25 : -0.25);
    }
  }
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  if (norm === 0) v[0] = 1; // empty text still gets a valid (non-zero) vector
  else for (let i = 0; i < v.length; i++) v[i] /= Math.sqrt(norm);
  return v;
}

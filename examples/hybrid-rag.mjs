// Hybrid retrieval over a folder of markdown files with a @vego/db collection that has a full-text
// index: keyword search (BM25), vector search and the two fused with reciprocal rank fusion, side
// by side.
//   node examples/hybrid-rag.mjs [folder] ["question" …]
// The embedder is lib/toy-embedder.mjs: the hashing trick over words and character trigrams, a
// deterministic stand-in so this runs offline. It knows spelling, not meaning: with it, vectors win
// on misspelled or inflected words; with a real model (see that file) they also win on paraphrases.
// Keywords win on exact identifiers and rare words, which embeddings blur.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '@vego/db';
import { toyEmbed, TOY_DIMENSION } from './lib/toy-embedder.mjs';

/** Paragraphs of every .md file in `folder` (headings and code fences left out). */
export function paragraphs(folder) {
  const out = [];
  for (const file of readdirSync(folder).filter((n) => n.endsWith('.md')).sort()) {
    const blocks = readFileSync(join(folder, file), 'utf8').split(/\n\s*\n/);
    for (const block of blocks) {
      const text = block.replace(/\s+/g, ' ').trim();
      if (text === '' || text.startsWith('#') || text.startsWith('```')) continue;
      out.push({ file, text });
    }
  }
  return out;
}

/**
 * A collection of the paragraphs with a full-text index beside its vectors: `{ text }` searches BM25,
 * a vector searches HNSW, `{ vector, text }` fuses both (reciprocal rank fusion).
 */
export async function buildHybrid(chunks, embed, dimension) {
  const docs = await Database.memory().createCollection('paragraphs', { dimension, fullText: { stopWords: true, stemming: true } });
  await docs.insertMany(chunks.map((c, i) => ({ key: String(i), vector: embed(c.text), text: c.text, metadata: { file: c.file } })));
  const ids = (hits) => hits.map((h) => ({ id: Number(h.key) }));
  return {
    keyword: async (q, k) => ids(await docs.search({ text: q }, k)),
    vector: async (q, k) => ids(await docs.search(embed(q), k)),
    hybrid: async (q, k) => ids(await docs.search({ vector: embed(q), text: q }, k)),
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const folder = process.argv[2] ?? join(here, 'data', 'markdown');
const questions = process.argv.length > 3 ? process.argv.slice(3) : [
  'efConstruction setting for files and rows', // a rare identifier: BM25 weighs it most, the vectors follow the common words
  'how are colums compresed on dsk', // misspelled: no keyword matches, the character trigrams still do
];
const chunks = paragraphs(folder);
const search = await buildHybrid(chunks, toyEmbed, TOY_DIMENSION);
console.log(`indexed ${chunks.length} paragraphs from ${folder}`);
const show = (label, hits) => {
  if (hits.length === 0) console.log(`  ${label.padEnd(8)} (no match)`);
  hits.forEach((h, i) => {
    const c = chunks[h.id];
    console.log(`  ${i === 0 ? label.padEnd(8) : ' '.repeat(8)} ${i + 1}. [${c.file}] ${c.text.slice(0, 70)}${c.text.length > 70 ? '…' : ''}`);
  });
};
for (const q of questions) {
  console.log(`\nQ: ${q}`);
  show('keyword', await search.keyword(q, 2));
  show('vector', await search.vector(q, 2));
  show('hybrid', await search.hybrid(q, 2));
}

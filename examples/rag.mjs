// Local RAG retrieval over a folder of text files: split into paragraphs, embed, index, ask.
//   node examples/rag.mjs [folder] ["question"]
// The embedder is a parameter: the toy one ships so this runs offline; see lib/toy-embedder.mjs for
// where a real model plugs in.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HNSW } from '@vego/hnsw';
import { toyEmbed, TOY_DIMENSION } from './lib/toy-embedder.mjs';

/** Builds a retriever over every .txt/.md file in `folder` with any `embed(text) -> vector` function. */
export async function buildRetriever(folder, embed, dimension) {
  const chunks = [];
  for (const name of readdirSync(folder).filter((n) => /\.(txt|md)$/.test(n)).sort()) {
    const text = readFileSync(join(folder, name), 'utf8');
    text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p.length > 0)
      .forEach((p, i) => chunks.push({ file: name, paragraph: i, text: p }));
  }
  const index = new HNSW({ dimension, distance: 'cosine' });
  for (const c of chunks) index.add(await embed(c.text)); // ids follow `chunks` order
  return {
    chunks: chunks.length,
    async ask(question, k = 3) {
      return index.search(await embed(question), k).map((h) => ({ ...chunks[h.id], score: 1 - h.distance }));
    },
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const folder = process.argv[2] ?? join(here, 'data', 'notes');
const questions = process.argv[3] ? [process.argv[3]] : ['what happens to a deleted vector in the search graph?', 'how long should the tomato sauce simmer?', 'what survives a crash during a commit?'];
const retriever = await buildRetriever(folder, toyEmbed, TOY_DIMENSION);
console.log(`indexed ${retriever.chunks} paragraphs from ${folder}`);
for (const q of questions) {
  console.log(`\nQ: ${q}`);
  for (const hit of await retriever.ask(q, 2)) console.log(`  [${hit.file} #${hit.paragraph}, ${hit.score.toFixed(3)}] ${hit.text.slice(0, 100)}${hit.text.length > 100 ? '…' : ''}`);
}

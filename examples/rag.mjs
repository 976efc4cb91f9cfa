// Local RAG retrieval over a folder of text files, kept in a @vego/db collection between runs:
// paragraphs are documents (key file#n, the text, metadata file/paragraph/hash); a rerun embeds
// only paragraphs that are new or changed and forgets those that disappeared. Ask with an optional
// file filter.
//   node examples/rag.mjs [folder] ["question"]     (database: $VEGO_EXAMPLE_DB or a temp folder)
// The embedder is a parameter: the toy one ships so this runs offline; see lib/toy-embedder.mjs for
// where a real model plugs in (or use ollamaEmbedder / openAIEmbedder from @vego/db).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '@vego/db';
import { toyEmbed, TOY_DIMENSION } from './lib/toy-embedder.mjs';

/** Brings the collection up to date with every .txt/.md file in `folder`. */
export async function syncFolder(chunks, folder) {
  const wanted = [];
  for (const name of readdirSync(folder).filter((n) => /\.(txt|md)$/.test(n)).sort()) {
    const text = readFileSync(join(folder, name), 'utf8');
    text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter((p) => p.length > 0)
      .forEach((p, i) => wanted.push({ key: `${name}#${i}`, text: p, metadata: { file: name, paragraph: i, hash: createHash('sha1').update(p).digest('hex') } }));
  }
  const stored = await chunks.getMany(wanted.map((w) => w.key), { select: ['hash'] });
  const changed = wanted.filter((w, i) => stored[i]?.metadata.hash !== w.metadata.hash);
  if (changed.length > 0) await chunks.upsertMany(changed); // no vector given: the collection embeds the text
  const keep = new Set(wanted.map((w) => w.key));
  const gone = (await chunks.query({ select: [] })).map((d) => d.key).filter((k) => !keep.has(k));
  await chunks.delete(gone);
  return { paragraphs: wanted.length, embedded: changed.length, removed: gone.length };
}

const here = dirname(fileURLToPath(import.meta.url));
const folder = process.argv[2] ?? join(here, 'data', 'notes');
const questions = process.argv[3] ? [process.argv[3]] : ['what happens to a deleted vector in the search graph?', 'how long should the tomato sauce simmer?', 'what survives a crash during a commit?'];
const db = await Database.open(process.env.VEGO_EXAMPLE_DB ?? join(tmpdir(), 'vego-example-rag'));
const chunks = await db.collection('chunks', {
  dimension: TOY_DIMENSION,
  distance: 'cosine',
  embed: (texts) => texts.map(toyEmbed),
  schema: { file: 'string', paragraph: 'integer', hash: 'string' },
});
const s = await syncFolder(chunks, folder);
console.log(`${s.paragraphs} paragraphs from ${folder}: ${s.embedded} embedded now, ${s.paragraphs - s.embedded} already stored, ${s.removed} removed`);
for (const q of questions) {
  console.log(`\nQ: ${q}`);
  for (const hit of await chunks.search(q, 2)) console.log(`  [${hit.metadata.file} #${hit.metadata.paragraph}, ${hit.score.toFixed(3)}] ${hit.text.slice(0, 100)}${hit.text.length > 100 ? '…' : ''}`);
}
const onlyCooking = await chunks.search(questions[0], 1, { filter: "file = 'cooking.txt'" });
console.log(`\nbest paragraph of cooking.txt for the first question: #${onlyCooking[0].metadata.paragraph}`);
await db.close();

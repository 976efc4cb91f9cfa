// Memory for an AI agent that survives restarts: memories are documents in a @vego/db collection
// (your own keys, text, typed metadata), recalled by meaning with a metadata filter, forgotten
// (delete) and revised (update). Run it twice: the second run finds what the first one remembered.
//   node examples/agent-memory.mjs [database folder]     (default: $VEGO_EXAMPLE_DB or a temp folder)
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '@vego/db';
import { toyEmbed, TOY_DIMENSION } from './lib/toy-embedder.mjs';

const folder = process.argv[2] ?? process.env.VEGO_EXAMPLE_DB ?? join(tmpdir(), 'vego-example-agent-memory');
const db = await Database.open(folder);
const memory = await db.collection('memories', {
  dimension: TOY_DIMENSION,
  distance: 'cosine',
  embed: (texts) => texts.map(toyEmbed), // any text -> vector function, e.g. ollamaEmbedder({ url, model })
  schema: { kind: 'string', at: 'date', run: 'integer' },
});

const runs = await memory.count("kind = 'run'");
const run = runs + 1;
if (memory.size === 0) {
  console.log(`run ${run}: starting with an empty memory in ${folder}`);
  const now = new Date();
  await memory.insertMany([
    { key: 'pref-lang', text: 'The user prefers answers in British English.', metadata: { kind: 'preference', at: now, run } },
    { key: 'pref-format', text: 'The user likes short answers with code examples in TypeScript.', metadata: { kind: 'preference', at: now, run } },
    { key: 'fact-pet', text: 'The user has a cat called Miso who likes tuna.', metadata: { kind: 'fact', at: now, run } },
    { key: 'fact-job', text: 'The user works as a data engineer on streaming pipelines.', metadata: { kind: 'fact', at: now, run } },
    { key: 'task-1', text: 'Remind the user to renew the TLS certificate before Friday.', metadata: { kind: 'task', at: now, run } },
    { key: 'task-2', text: 'Draft the quarterly report on pipeline latency.', metadata: { kind: 'task', at: now, run } },
  ]);
} else {
  console.log(`run ${run}: found ${memory.size} memories from earlier runs in ${folder}`);
}
await memory.upsert({ key: `run-${run}`, text: `Conversation number ${run} with the user.`, metadata: { kind: 'run', at: new Date(), run } });

const show = (title, hits) => {
  console.log(title);
  for (const h of hits) console.log(`  ${h.key.padEnd(12)} ${String(h.metadata.kind).padEnd(10)} ${h.score.toFixed(3)}  ${h.text}`);
};
show('recall "what does the user like for answers?"', await memory.search('what does the user like for answers?', 2, { filter: "kind != 'run'" }));
show('recall "pipeline" among tasks only', await memory.search('pipeline latency streaming', 2, { filter: { kind: 'task' } }));

if (memory.has('task-1')) {
  await memory.delete('task-1'); // forgotten: never returned again, on this run or the next
  await memory.update('fact-pet', { text: 'The user has two cats, Miso and Tofu.', vector: toyEmbed('The user has two cats, Miso and Tofu.') });
}
show('after forgetting task-1 and revising fact-pet, recall "cats" among facts', await memory.search('cats Miso Tofu', 1, { filter: "kind = 'fact'" }));
console.log(`all tasks left: ${(await memory.query({ filter: { kind: 'task' }, select: [] })).map((d) => d.key).join(', ')}`);
if ((await memory.search('certificate TLS', 5, { filter: { kind: 'task' } })).some((h) => h.key === 'task-1')) throw new Error('a forgotten memory came back');
console.log(`memories of earlier runs: ${(await memory.query({ filter: `kind = 'run' AND run < ${run}` })).map((d) => d.key).join(', ') || 'none'}`);
await db.close();

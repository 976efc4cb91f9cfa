// Memory for an AI agent: documents with ids and metadata, semantic recall filtered by metadata,
// forgetting (delete) and correcting (update). The index holds vectors; a Map holds the documents.
//   node examples/agent-memory.mjs
import { HNSW, NotFoundError } from '@vego/hnsw';
import { toyEmbed, TOY_DIMENSION } from './lib/toy-embedder.mjs';

class AgentMemory {
  constructor(embed, dimension) {
    this.embed = embed;
    this.index = new HNSW({ dimension, distance: 'cosine' });
    this.docs = new Map(); // index id -> { key, kind, text, at }
    this.ids = new Map(); // your key -> index id
  }

  remember(key, kind, text) {
    if (this.ids.has(key)) return this.revise(key, text);
    const id = this.index.add(this.embed(text));
    this.docs.set(id, { key, kind, text, at: new Date() });
    this.ids.set(key, id);
    return id;
  }

  revise(key, text) {
    const id = this.idOf(key);
    this.index.update(id, this.embed(text)); // same id, new vector; the graph is relinked around it
    Object.assign(this.docs.get(id), { text, at: new Date() });
    return id;
  }

  forget(key) {
    const id = this.idOf(key);
    this.index.delete(id); // never returned again
    this.docs.delete(id);
    this.ids.delete(key);
  }

  /** The k memories closest to `query`, optionally only of one `kind` (filter runs during the search). */
  recall(query, k = 3, kind) {
    const filter = kind === undefined ? undefined : (id) => this.docs.get(id)?.kind === kind;
    return this.index.search(this.embed(query), k, filter ? { filter } : undefined).map((h) => ({ ...this.docs.get(h.id), score: 1 - h.distance }));
  }

  idOf(key) {
    const id = this.ids.get(key);
    if (id === undefined) throw new NotFoundError(`no memory with key '${key}'`);
    return id;
  }
}

const memory = new AgentMemory(toyEmbed, TOY_DIMENSION);
memory.remember('pref-lang', 'preference', 'The user prefers answers in British English.');
memory.remember('pref-format', 'preference', 'The user likes short answers with code examples in TypeScript.');
memory.remember('fact-pet', 'fact', 'The user has a cat called Miso who likes tuna.');
memory.remember('fact-job', 'fact', 'The user works as a data engineer on streaming pipelines.');
memory.remember('task-1', 'task', 'Remind the user to renew the TLS certificate before Friday.');
memory.remember('task-2', 'task', 'Draft the quarterly report on pipeline latency.');

const show = (title, hits) => {
  console.log(title);
  for (const h of hits) console.log(`  ${h.key.padEnd(12)} ${h.kind.padEnd(10)} ${h.score.toFixed(3)}  ${h.text}`);
};
show('recall "what does the user like for answers?"', memory.recall('what does the user like for answers?', 2));
show('recall "pipeline" among tasks only', memory.recall('pipeline latency streaming', 2, 'task'));

memory.forget('task-1');
memory.revise('fact-pet', 'The user has two cats, Miso and Tofu.');
show('after forgetting task-1 and revising fact-pet, recall "cats" among facts', memory.recall('cats Miso Tofu', 1, 'fact'));
show('all tasks left', memory.recall('task', 5, 'task'));
if (memory.recall('certificate TLS', 5, 'task').some((h) => h.key === 'task-1')) throw new Error('a forgotten memory came back');

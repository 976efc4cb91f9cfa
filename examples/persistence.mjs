// Persistence: save an index as Lance datasets, add to it, save again (only what changed is
// written), reload it in a "new process" and search.
//   node examples/persistence.mjs [dir]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HNSW } from '@vego/hnsw';
import { seededRandom } from '@vego/test-support'; // the repository's seeded generator (not part of Vego)

const dir = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'vego-persist-')), 'index');
const dimension = 32;
const random = seededRandom(99);
const vector = () => Float32Array.from({ length: dimension }, random);

const index = new HNSW({ dimension, distance: 'cosine' });
for (let i = 0; i < 5000; i++) index.add(vector());
let r = await index.saveToLance(dir);
console.log(`first save: ${r.nodeRowsWritten} node rows, ${r.connectionRowsWritten} link lists -> ${dir}`);

for (let i = 0; i < 50; i++) index.add(vector());
index.delete(7);
r = await index.saveToLance(dir);
console.log(`second save after 50 adds and 1 delete: ${r.nodeRowsWritten} node rows, ${r.connectionRowsWritten} link lists (nothing else rewritten)`);

// Later, or in another process: the last committed save, exactly.
const loaded = await HNSW.loadFromLance(dir);
const query = index.get(1234);
const before = index.search(query, 5).map((h) => h.id);
const after = loaded.search(query, 5).map((h) => h.id);
console.log(`loaded ${loaded.size} vectors (${loaded.config.distance}, M=${loaded.config.M}); top 5 for vector 1234: ${after.join(', ')}`);
if (before.join() !== after.join()) throw new Error('the loaded index answers differently');
if (loaded.has(7)) throw new Error('a deleted vector came back');
if (process.argv[2] === undefined) rmSync(join(dir, '..'), { recursive: true, force: true });

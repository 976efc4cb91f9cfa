// LanceDB interop: what Vego writes, LanceDB opens as-is, the road from one process to scale.
// 1. An HNSW index saved by Vego is three LanceDB tables; LanceDB's own vector search over `nodes`
//    agrees with Vego's exact answer.
// 2. A table written with @vego/io is appended to by LanceDB, and Vego reads LanceDB's rows back.
//   node examples/lancedb-interop.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { HNSW, Dataset } from '@vego/hnsw';
import { seededRandom } from '@vego/test-support'; // the repository's seeded generator (not part of Vego)

const root = mkdtempSync(join(tmpdir(), 'vego-lancedb-'));
try {
  const dimension = 16;
  const random = seededRandom(5);
  const index = new HNSW({ dimension });
  for (let i = 0; i < 1000; i++) index.add(Float32Array.from({ length: dimension }, random));
  const indexDir = join(root, 'my-index');
  await index.saveToLance(indexDir);

  const db = await lancedb.connect(indexDir); // absolute path: LanceDB takes `db…` URIs for its cloud
  console.log(`LanceDB sees tables: ${(await db.tableNames()).join(', ')}`);
  const nodes = await db.openTable('nodes');
  console.log(`nodes: ${await nodes.countRows()} rows; schema: ${(await nodes.schema()).fields.map((f) => f.name).join(', ')}`);
  const query = Float32Array.from({ length: dimension }, random);
  const theirs = await nodes.vectorSearch(Array.from(query)).column('vector').distanceType('l2').where('NOT deleted').limit(5).toArray();
  const ours = index.search(query, index.size).slice(0, 5); // k = size: an exact scan
  console.log(`LanceDB top 5: ${theirs.map((r) => r.id).join(', ')}`);
  console.log(`Vego    top 5: ${ours.map((r) => r.id).join(', ')}`);
  if (theirs.map((r) => r.id).join() !== ours.map((r) => r.id).join()) throw new Error('LanceDB and Vego disagree');

  const tableDir = join(root, 'events.lance');
  Dataset.createSync(tableDir, [{ id: 1, kind: 'click' }, { id: 2, kind: 'view' }]).closeSync();
  const events = await lancedb.connect(root).then((d) => d.openTable('events'));
  await events.add([{ id: 3, kind: 'buy' }]);
  const back = Dataset.openSync(tableDir);
  const kinds = back.toTableSync().column('kind').flatMap((chunk) => chunk.toArray());
  console.log(`written by Vego, appended by LanceDB, read by Vego: version ${back.version}, kinds ${kinds.join(', ')}`);
  back.closeSync();
} finally {
  rmSync(root, { recursive: true, force: true });
}

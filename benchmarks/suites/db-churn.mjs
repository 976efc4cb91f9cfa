// @vego/db over a long life: a collection whose documents are re-embedded again and again (an
// agent's memory, a RAG corpus whose embedding model or chunks change), before and after
// `optimize()`, beside a LanceDB table given the same updates (merge_insert on the key) and its own
// `optimize`. Every re-embedding gives a document a new internal id; optimize renumbers the live
// ones once a quarter of the ids are dead. Measured: internal ids, Vego's in-memory bytes (index,
// vectors, columns), RSS growth, bytes on disk, reopen time, QPS (k = 10, cosine) and
// recall@10 before and after. Quick mode 2,000 documents × 10 re-embeddings, --all 10,000 × 20.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { clusteredData } from '../lib/clustered.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);

export const title = '@vego/db over a long life: re-embedded documents before and after optimize, beside LanceDB';

const DIM = 128;
const K = 10;

function folderBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return n;
}

const mib = (b) => Number((b / 2 ** 20).toFixed(1));

/** Exact top-K document indices (by cosine distance) of the live documents (the last round's vectors). */
function exactTop(vectorOf, round, n, queries) {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = vectorOf(round, i);
    let s = 0;
    for (let j = 0; j < DIM; j++) s += v[j] * v[j];
    norms[i] = Math.sqrt(s);
  }
  return queries.map((q) => {
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = vectorOf(round, i);
      let dot = 0;
      for (let j = 0; j < DIM; j++) dot += q[j] * v[j];
      d[i] = -dot / norms[i];
    }
    return new Set(Array.from(d.keys()).sort((a, b) => d[a] - d[b]).slice(0, K).map((i) => `doc-${i}`));
  });
}

/** Mean share of the exact top-K keys among the answers (`keys`: comma-joined top-K per query). */
function recall(keys, truth) {
  let hit = 0;
  keys.forEach((k, q) => {
    for (const key of k.split(',')) if (truth[q].has(key)) hit++;
  });
  return hit / (K * truth.length);
}

/** Queries per second of `searchMany` over `queries` (best of 3), and the answers' keys. */
async function qps(c, queries) {
  let best = Infinity;
  let keys = null;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const hits = await c.searchMany(queries, K);
    best = Math.min(best, performance.now() - t);
    keys = hits.map((h) => h.map((x) => x.key).join(','));
  }
  return { qps: Math.round(queries.length / (best / 1000)), keys };
}

export async function run({ quick, log }) {
  const { Database } = require('@vego/db');
  const lancedb = require('@lancedb/lancedb');
  const gc = getGc();
  const n = quick ? 2_000 : 10_000;
  const rounds = quick ? 10 : 20;
  const numQueries = 200;
  const { base, queries: flat } = clusteredData(n * (rounds + 1), numQueries, DIM, 31);
  const vectorOf = (round, i) => base.subarray((round * n + i) * DIM, (round * n + i + 1) * DIM);
  const queries = Array.from({ length: numQueries }, (_, i) => flat.subarray(i * DIM, (i + 1) * DIM));
  const docsOf = (round) => Array.from({ length: n }, (_, i) => ({ key: `doc-${i}`, vector: vectorOf(round, i), text: `document ${i} version ${round}`, metadata: { round, bucket: i % 100 } }));
  const root = mkdtempSync(join(os.tmpdir(), 'vego-bench-churn-'));
  const rows = [];
  const raw = { n, rounds };
  try {
    gc();
    const rss0 = process.memoryUsage().rss;
    let db = await Database.open(join(root, 'vego'));
    let c = await db.createCollection('memory', { dimension: DIM, distance: 'cosine' });
    await c.insertMany(docsOf(0));
    let t = performance.now();
    for (let r = 1; r <= rounds; r++) await c.upsertMany(docsOf(r));
    raw.vegoUpsertSeconds = (performance.now() - t) / 1000;
    await db.close();
    t = performance.now();
    db = await Database.open(join(root, 'vego'));
    c = await db.openCollection('memory');
    const reopenBeforeMs = performance.now() - t;
    gc();
    const truth = exactTop(vectorOf, rounds, n, queries);
    const before = { ids: c.documents.numIds, bytes: c.byteLength, rss: process.memoryUsage().rss - rss0, disk: folderBytes(join(root, 'vego')), ...(await qps(c, queries)) };
    log(`before optimize: ${before.ids} ids, ${mib(before.bytes)} MiB`);
    t = performance.now();
    const result = await c.optimize({ cleanupOlderThanMs: 0 });
    const optimizeMs = performance.now() - t;
    gc();
    const after = { ids: c.documents.numIds, bytes: c.byteLength, rss: process.memoryUsage().rss - rss0, disk: folderBytes(join(root, 'vego')), ...(await qps(c, queries)) };
    await db.close();
    t = performance.now();
    db = await Database.open(join(root, 'vego'));
    c = await db.openCollection('memory');
    const reopenAfterMs = performance.now() - t;
    const reopenedSame = (await qps(c, queries)).keys.every((k, i) => k === after.keys[i]);
    await db.close();

    const recallBefore = recall(before.keys, truth);
    const recallAfter = recall(after.keys, truth);
    rows.push(['Vego: internal ids', before.ids, after.ids, '']);
    rows.push(['Vego: in-memory bytes (index, vectors, columns), MiB', mib(before.bytes), mib(after.bytes), Number((before.bytes / after.bytes).toFixed(1))]);
    rows.push(['Vego: RSS growth, MiB', mib(before.rss), mib(after.rss), '']);
    rows.push(['Vego: on disk, MiB', mib(before.disk), mib(after.disk), Number((before.disk / after.disk).toFixed(1))]);
    rows.push(['Vego: reopen, ms', Math.round(reopenBeforeMs), Math.round(reopenAfterMs), Number((reopenBeforeMs / reopenAfterMs).toFixed(1))]);
    rows.push(['Vego: QPS (searchMany, k = 10, ef 64)', before.qps, after.qps, Number((after.qps / before.qps).toFixed(2))]);
    rows.push(['Vego: recall@10 against exact search of the live documents', Number(recallBefore.toFixed(4)), Number(recallAfter.toFixed(4)), '']);
    raw.vego = { before: { ...before, keys: undefined }, after: { ...after, keys: undefined }, optimizeMs, result, recallBefore, recallAfter, reopenedSame, reopenBeforeMs, reopenAfterMs };

    // LanceDB: the same updates as merge_insert on the key, then its optimize (cleanup of every old version).
    const ldb = await lancedb.connect(join(root, 'lancedb'));
    const plain = (docs) => docs.map((d) => ({ key: d.key, vector: Array.from(d.vector), text: d.text, round: d.metadata.round, bucket: d.metadata.bucket }));
    const table = await ldb.createTable('memory', plain(docsOf(0)));
    t = performance.now();
    for (let r = 1; r <= rounds; r++) await table.mergeInsert('key').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(plain(docsOf(r)));
    raw.lancedbUpsertSeconds = (performance.now() - t) / 1000;
    const lBefore = folderBytes(join(root, 'lancedb'));
    t = performance.now();
    await table.optimize({ cleanupOlderThan: new Date(Date.now() + 1000) });
    raw.lancedbOptimizeMs = performance.now() - t;
    const lAfter = folderBytes(join(root, 'lancedb'));
    rows.push(['LanceDB: on disk, MiB', mib(lBefore), mib(lAfter), Number((lBefore / lAfter).toFixed(1))]);
    raw.lancedb = { diskBefore: lBefore, diskAfter: lAfter };
    log(`optimize ${optimizeMs.toFixed(0)} ms, recall@10 ${recallBefore.toFixed(3)} before, ${recallAfter.toFixed(3)} after`);
    return {
      tables: [
        {
          title: `${n.toLocaleString('en')} documents (128-d, cosine) each re-embedded ${rounds} times: before and after optimize()`,
          columns: ['measure', 'before optimize', 'after optimize', 'before ÷ after (QPS: after ÷ before)'],
          rows,
          note: `Vego: insertMany, then ${rounds} upsertMany calls giving every document a new vector (each a new internal id; ${raw.vegoUpsertSeconds.toFixed(1)} s, most of it the HNSW index's work: a link per new node, a repair of the lists that named each replaced one), closed; the before column is measured after reopening it (Database.open + openCollection: the reopen row), the after column after \`optimize({ cleanupOlderThanMs: 0 })\` (${Math.round(optimizeMs)} ms: ids renumbered ${result.docIdsRenumbered ? 'yes' : 'no'}, the graph's pending repair finished, dataset rewritten once, old versions removed) and another reopen, whose answers were ${reopenedSame ? 'identical to those before it' : 'different from those before it'}. ${numQueries} queries from the same clusters; exact answers by a float64 scan of the live vectors. RSS growth since before the first insert, after a GC (the process's allocator keeps some freed pages). LanceDB: createTable, the same updates as mergeInsert('key') (${raw.lancedbUpsertSeconds.toFixed(1)} s), then table.optimize with cleanup of every older version (${Math.round(raw.lancedbOptimizeMs)} ms).`,
        },
      ],
      raw,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// @vego/db over a long life: a collection whose documents are re-embedded again and again (an
// agent's memory, a RAG corpus whose embedding model or chunks change) while some are forgotten and
// new ones learnt, before and after `optimize()`, beside a LanceDB table given the same writes
// (merge_insert on the key, delete, add) and its own `optimize`. A re-embedded document keeps its
// internal id (the index relinks its node); a deleted one leaves a dead id, which optimize gives
// back once a quarter of the ids are dead. Measured: the writes' time, internal ids, Vego's
// in-memory bytes (index, vectors, columns), RSS growth, bytes on disk, reopen time, QPS (k = 10,
// cosine) and recall@10 before and after. Quick mode 2,000 documents × 10 rounds, --all 10,000 × 20;
// each round re-embeds 90 % of the documents and replaces the other 10 % by new ones.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { clusteredData } from '../lib/clustered.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);

export const title = '@vego/db over a long life: re-embedded, deleted and new documents before and after optimize, beside LanceDB';

const DIM = 128;
const K = 10;

function folderBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return n;
}

const mib = (b) => Number((b / 2 ** 20).toFixed(1));

/** Exact top-K keys (by cosine distance) of the live documents (the last round's vectors; `keyOf[i]`: slot i's key). */
function exactTop(vectorOf, round, n, queries, keyOf) {
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
    return new Set(Array.from(d.keys()).sort((a, b) => d[a] - d[b]).slice(0, K).map((i) => keyOf[i]));
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
  // n slots, each holding one document: every round re-embeds the documents of 90 % of the slots
  // (upsert) and replaces those of the other 10 % (a window moving round by round) by new keys
  // (delete, then insert).
  const keyOf = Array.from({ length: n }, (_, i) => `doc-${i}`);
  let nextKey = n;
  const docOf = (round, i) => ({ key: keyOf[i], vector: vectorOf(round, i), text: `document ${keyOf[i]} version ${round}`, metadata: { round, bucket: i % 100 } });
  const replacedSlots = (round) => Array.from({ length: n / 10 }, (_, j) => (((round - 1) * n) / 10 + j) % n);
  const plan = [];
  for (let r = 1; r <= rounds; r++) {
    const cut = new Set(replacedSlots(r));
    const upserts = [];
    for (let i = 0; i < n; i++) if (!cut.has(i)) upserts.push(docOf(r, i));
    const deletes = [...cut].map((i) => keyOf[i]);
    for (const i of cut) keyOf[i] = `doc-${nextKey++}`;
    plan.push({ upserts, deletes, inserts: [...cut].map((i) => docOf(r, i)) });
  }
  const initial = Array.from({ length: n }, (_, i) => ({ key: `doc-${i}`, vector: vectorOf(0, i), text: `document doc-${i} version 0`, metadata: { round: 0, bucket: i % 100 } }));
  const root = mkdtempSync(join(os.tmpdir(), 'vego-bench-churn-'));
  const rows = [];
  const raw = { n, rounds };
  try {
    gc();
    const rss0 = process.memoryUsage().rss;
    let db = await Database.open(join(root, 'vego'));
    let c = await db.createCollection('memory', { dimension: DIM, distance: 'cosine' });
    await c.insertMany(initial);
    const tRounds = performance.now();
    let t = tRounds;
    raw.vegoUpsertSeconds = 0;
    for (const step of plan) {
      t = performance.now();
      await c.upsertMany(step.upserts);
      raw.vegoUpsertSeconds += (performance.now() - t) / 1000;
      await c.delete(step.deletes);
      await c.insertMany(step.inserts);
    }
    raw.vegoWriteSeconds = (performance.now() - tRounds) / 1000;
    await db.close();
    t = performance.now();
    db = await Database.open(join(root, 'vego'));
    c = await db.openCollection('memory');
    const reopenBeforeMs = performance.now() - t;
    gc();
    const truth = exactTop(vectorOf, rounds, n, queries, keyOf);
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
    const table = await ldb.createTable('memory', plain(initial));
    const lRounds = performance.now();
    raw.lancedbUpsertSeconds = 0;
    for (const step of plan) {
      t = performance.now();
      await table.mergeInsert('key').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(plain(step.upserts));
      raw.lancedbUpsertSeconds += (performance.now() - t) / 1000;
      await table.delete(`key IN (${step.deletes.map((k) => `'${k}'`).join(', ')})`);
      await table.add(plain(step.inserts));
    }
    raw.lancedbWriteSeconds = (performance.now() - lRounds) / 1000;
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
          title: `The writes: ${rounds} rounds over ${n.toLocaleString('en')} documents (128-d)`,
          columns: ['writes', 'Vego', 'LanceDB (no vector index)', 'Vego ÷ LanceDB (time)'],
          rows: [
            ['re-embeddings (upsertMany of 90 % of the documents a round), s', Number(raw.vegoUpsertSeconds.toFixed(1)), Number(raw.lancedbUpsertSeconds.toFixed(1)), Number((raw.vegoUpsertSeconds / raw.lancedbUpsertSeconds).toFixed(1))],
            ['per re-embedded document, ms', Number(((raw.vegoUpsertSeconds * 1000) / (rounds * n * 0.9)).toFixed(3)), Number(((raw.lancedbUpsertSeconds * 1000) / (rounds * n * 0.9)).toFixed(3)), ''],
            ['all rounds (re-embeddings, deletes, inserts), s', Number(raw.vegoWriteSeconds.toFixed(1)), Number(raw.lancedbWriteSeconds.toFixed(1)), Number((raw.vegoWriteSeconds / raw.lancedbWriteSeconds).toFixed(1))],
          ],
          note: 'Vego keeps its HNSW index up to date with every write (a re-embedded document is relinked in the graph, a new one linked); LanceDB writes the rows only (no vector index was built; building one is a separate, whole-table step). Persisted, one commit per call on both sides.',
        },
        {
          title: `${n.toLocaleString('en')} documents (128-d, cosine), ${rounds} rounds each re-embedding 90 % and replacing 10 % by new ones: before and after optimize()`,
          columns: ['measure', 'before optimize', 'after optimize', 'before ÷ after (QPS: after ÷ before)'],
          rows,
          note: `Vego: insertMany, then ${rounds} rounds of writes (upsertMany giving 90 % of the documents a new vector, each keeping its internal id; delete of the other 10 %, then insertMany of as many new documents, each a new id), closed; the before column is measured after reopening it (Database.open + openCollection: the reopen row), the after column after \`optimize({ cleanupOlderThanMs: 0 })\` (${Math.round(optimizeMs)} ms: ids renumbered ${result.docIdsRenumbered ? 'yes' : 'no'}, the graph's pending repair finished, dataset rewritten once, old versions removed) and another reopen, whose answers were ${reopenedSame ? 'identical to those before it' : 'different from those before it'}. ${numQueries} queries from the same clusters; exact answers by a float64 scan of the live vectors. RSS growth since before the first insert, after a GC (the process's allocator keeps some freed pages). LanceDB: createTable, the same writes (mergeInsert('key'), delete, add), then table.optimize with cleanup of every older version (${Math.round(raw.lancedbOptimizeMs)} ms).`,
        },
      ],
      raw,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

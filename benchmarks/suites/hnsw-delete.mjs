// HNSW deletes on SIFT-9k: delete the same seeded 30 % of ids from Vego (default `repair:
// 'deferred'`: a delete marks a tombstone; the graph repair runs later in bounded slices, or at
// once on compact()), hnswlib-node (`markDelete`) and usearch (`remove`), then recall@10 against
// brute force over the live vectors and QPS per ef. M=16, efConstruction=200, k=10.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { SIFT_DIR, readVecs, seededRandom } from '../lib/data.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);

export const title = 'HNSW deletes (SIFT-9k, 30 % deleted, M=16, efConstruction=200, k=10)';

const K = 10;
const M = 16;
const EF_CONSTRUCTION = 200;
const EFS = [10, 20, 40, 80, 160];
const DELETE_SHARE = 0.3;
/** usearch fixes its search ef at construction: one index, searched at this ef. */
const USEARCH_EF = 40;

export async function run({ quick, log }) {
  if (!existsSync(join(SIFT_DIR, 'base.fvecs'))) throw new Error(`SIFT-9k not found at ${SIFT_DIR}`);
  const { HNSW } = require('@vego/hnsw');
  const { HierarchicalNSW } = require('hnswlib-node');
  const usearch = require('usearch');
  const gc = getGc();

  const base = readVecs(join(SIFT_DIR, 'base.fvecs'));
  const query = readVecs(join(SIFT_DIR, 'query.fvecs'));
  const dim = base.dimension;
  const n = base.length;
  const numQueries = quick ? 500 : query.length;
  const rounds = quick ? 2 : 5;

  // The same seeded 30 % for every engine, in the same order.
  const rand = seededRandom(30);
  const gone = new Uint8Array(n);
  const order = [];
  while (order.length < Math.round(DELETE_SHARE * n)) {
    const id = Math.floor(rand() * n);
    if (gone[id] !== 0) continue;
    gone[id] = 1;
    order.push(id);
  }

  // Ground truth over the live vectors: the k-th smallest exact distance per query.
  const l2 = (a, ao, b, bo) => {
    let s = 0;
    for (let i = 0; i < dim; i++) {
      const d = a[ao + i] - b[bo + i];
      s += d * d;
    }
    return s;
  };
  const kth = new Float64Array(numQueries);
  const best = new Float64Array(K);
  for (let q = 0; q < numQueries; q++) {
    best.fill(Infinity);
    for (let i = 0; i < n; i++) {
      if (gone[i] !== 0) continue;
      const d = l2(base.data, i * dim, query.data, q * dim);
      if (d >= best[K - 1]) continue;
      let p = K - 1;
      while (p > 0 && best[p - 1] > d) {
        best[p] = best[p - 1];
        p--;
      }
      best[p] = d;
    }
    kth[q] = best[K - 1];
  }
  const queryRows = Array.from({ length: numQueries }, (_, i) => query.data.subarray(i * dim, (i + 1) * dim));
  const queryArrays = queryRows.map((r) => Array.from(r));

  /** One pass over the queries: recall (deleted ids returned count as misses, and are counted) and QPS. */
  function pass(search) {
    let hits = 0;
    let deletedReturned = 0;
    let short = 0;
    const t0 = performance.now();
    const ids = new Array(numQueries);
    for (let q = 0; q < numQueries; q++) ids[q] = search(q);
    const seconds = (performance.now() - t0) / 1000;
    for (let q = 0; q < numQueries; q++) {
      if (ids[q].length < K) short++;
      for (const id of ids[q]) {
        if (gone[id] !== 0) deletedReturned++;
        else if (l2(base.data, id * dim, query.data, q * dim) <= kth[q]) hits++;
      }
    }
    return { recall: hits / (numQueries * K), qps: numQueries / seconds, deletedReturned, short };
  }
  function measure(search) {
    for (let q = 0; q < Math.min(200, numQueries); q++) search(q);
    let bestPass = null;
    for (let r = 0; r < rounds; r++) {
      const p = pass(search);
      if (bestPass === null || p.qps > bestPass.qps) bestPass = { ...p, recall: bestPass === null ? p.recall : Math.min(bestPass.recall, p.recall) };
    }
    return bestPass;
  }

  // --- builds
  const vego = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
  vego.addBatch(base.data);
  log('vego built');
  const hnswlib = new HierarchicalNSW('l2', dim);
  hnswlib.initIndex(n, M, EF_CONSTRUCTION, 100);
  for (let i = 0; i < n; i++) hnswlib.addPoint(Array.from(base.data.subarray(i * dim, (i + 1) * dim)), i);
  log('hnswlib-node built');
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  const us = new usearch.Index({ dimensions: dim, metric: 'l2sq', connectivity: M, expansion_add: EF_CONSTRUCTION, expansion_search: USEARCH_EF });
  us.add(keys, base.data, 1);
  log('usearch built');

  // --- deletes, one id per call each
  gc();
  let t = performance.now();
  for (const id of order) vego.delete(id);
  const vegoDeleteMs = performance.now() - t;
  t = performance.now();
  for (const id of order) hnswlib.markDelete(id);
  const hnswlibDeleteMs = performance.now() - t;
  const one = new BigUint64Array(1);
  t = performance.now();
  for (const id of order) {
    one[0] = BigInt(id);
    us.remove(one);
  }
  const usearchDeleteMs = performance.now() - t;
  log(`delete ${order.length}: vego ${vegoDeleteMs.toFixed(2)} ms, hnswlib-node ${hnswlibDeleteMs.toFixed(2)} ms, usearch ${usearchDeleteMs.toFixed(1)} ms`);

  // --- searches right after the deletes (Vego's deferred repair advances one slice per search)
  const rows = [];
  const results = { vegoDeferred: {}, vegoCompacted: {}, hnswlib: {} };
  for (const ef of EFS) {
    results.vegoDeferred[ef] = pass((q) => vego.search(queryRows[q], K, ef).map((r) => r.id));
    hnswlib.setEf(ef);
    results.hnswlib[ef] = measure((q) => hnswlib.searchKnn(queryArrays[q], K).neighbors);
  }
  const usearchResult = measure((q) => Array.from(us.search(queryRows[q], K, 1).keys, Number));
  t = performance.now();
  const compacted = vego.compact();
  const compactMs = performance.now() - t;
  log(`vego compact(): ${compactMs.toFixed(0)} ms (${compacted.repairedLists} lists rebuilt by it)`);
  for (const ef of EFS) results.vegoCompacted[ef] = measure((q) => vego.search(queryRows[q], K, ef).map((r) => r.id));
  for (const ef of EFS) {
    const d = results.vegoDeferred[ef];
    const c = results.vegoCompacted[ef];
    const h = results.hnswlib[ef];
    rows.push([ef, Number(d.recall.toFixed(4)), Number(c.recall.toFixed(4)), Math.round(c.qps), Number(h.recall.toFixed(4)), Math.round(h.qps), Number((c.qps / h.qps).toFixed(2))]);
  }
  const deletedReturned = Object.values(results).reduce((s, r) => s + Object.values(r).reduce((a, x) => a + x.deletedReturned, 0), 0);
  return {
    tables: [
      {
        title: `Delete ${(DELETE_SHARE * 100).toFixed(0)} % of ids (${order.length.toLocaleString('en-US')} calls of one id)`,
        columns: ['engine', 'call', 'total ms', 'µs per delete'],
        rows: [
          ['Vego', 'delete (repair deferred)', Number(vegoDeleteMs.toFixed(2)), Number(((vegoDeleteMs * 1000) / order.length).toFixed(2))],
          ['hnswlib-node', 'markDelete', Number(hnswlibDeleteMs.toFixed(2)), Number(((hnswlibDeleteMs * 1000) / order.length).toFixed(2))],
          ['usearch', 'remove', Number(usearchDeleteMs.toFixed(2)), Number(((usearchDeleteMs * 1000) / order.length).toFixed(2))],
          ['Vego', 'compact() afterwards', Number(compactMs.toFixed(1)), '-'],
        ],
        note: `Vego's repair became due at the deletes (tombstones > repairThreshold 0.2) and ran one bounded slice per later search; compact() finished what was left. usearch: recall@10 ${usearchResult.recall.toFixed(4)} at ${Math.round(usearchResult.qps)} QPS (ef ${USEARCH_EF}, fixed at construction). Deleted ids returned by any engine: ${deletedReturned + usearchResult.deletedReturned}.`,
      },
      {
        title: 'Recall@10 over the live vectors and QPS after deleting 30 %',
        columns: ['ef', 'Vego recall (during deferred repair)', 'Vego recall (compacted)', 'Vego QPS (compacted)', 'hnswlib-node recall (markDelete)', 'hnswlib-node QPS', 'Vego ÷ hnswlib-node QPS'],
        rows,
        note: `${numQueries} queries, one per call; recall against brute force over the live vectors, ties count. "During deferred repair": one pass per ef right after the deletes, each search also running a repair slice. Compacted and hnswlib-node: best of ${rounds} rounds (QPS), the lowest recall of those rounds.`,
      },
    ],
    raw: { n, numQueries, deleted: order.length, vegoDeleteMs, hnswlibDeleteMs, usearchDeleteMs, compactMs, compacted, results, usearchResult },
  };
}

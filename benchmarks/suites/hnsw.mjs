// HNSW on SIFT-9k: Vego (@vego/hnsw, pure TypeScript + hand-written WebAssembly SIMD) beside
// hnswlib-node and usearch (native addons). Same data, M=16, efConstruction=200, k=10, one query per
// call, single-threaded builds (plus Vego's 2-thread build). Recall counts ties: a returned id is a
// hit when its exact distance is not greater than the k-th true distance.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { SIFT_DIR, readVecs } from '../lib/data.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);

export const title = 'HNSW index (SIFT-9k, M=16, efConstruction=200, k=10)';

const K = 10;
const M = 16;
const EF_CONSTRUCTION = 200;
const EFS = [10, 20, 40, 80, 160];


function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function run({ quick, log }) {
  if (!existsSync(join(SIFT_DIR, 'base.fvecs'))) throw new Error(`SIFT-9k not found at ${SIFT_DIR}`);
  const { HNSW } = require('@vego/hnsw');
  const { HierarchicalNSW } = require('hnswlib-node');
  const usearch = require('usearch');
  const gc = getGc();

  const base = readVecs(join(SIFT_DIR, 'base.fvecs'));
  const query = readVecs(join(SIFT_DIR, 'query.fvecs'));
  const truth = readVecs(join(SIFT_DIR, 'groundtruth.ivecs'), Int32Array);
  const dim = base.dimension;
  const n = base.length;
  const numQueries = query.length;
  const l2 = (a, ao, b, bo) => {
    let s = 0;
    for (let i = 0; i < dim; i++) {
      const d = a[ao + i] - b[bo + i];
      s += d * d;
    }
    return s;
  };
  const kth = Array.from({ length: numQueries }, (_, i) => l2(base.data, truth.data[i * truth.dimension + K - 1] * dim, query.data, i * dim));
  const recallOf = (ids) => {
    let hits = 0;
    for (let i = 0; i < numQueries; i++) for (const id of ids[i]) if (l2(base.data, id * dim, query.data, i * dim) <= kth[i]) hits++;
    return hits / (numQueries * K);
  };
  const baseRows = Array.from({ length: n }, (_, i) => base.data.subarray(i * dim, (i + 1) * dim));
  const queryRows = Array.from({ length: numQueries }, (_, i) => query.data.subarray(i * dim, (i + 1) * dim));
  const baseArrays = baseRows.map((r) => Array.from(r));
  const queryArrays = queryRows.map((r) => Array.from(r));
  const rounds = quick ? 2 : 5;

  /** Times `search(i)` over every query `rounds` times after a warm-up; best round wins. */
  function measure(search) {
    for (let i = 0; i < 300; i++) search(i % numQueries);
    let best = null;
    for (let r = 0; r < rounds; r++) {
      const lat = new Float64Array(numQueries);
      const ids = new Array(numQueries);
      const t0 = performance.now();
      for (let i = 0; i < numQueries; i++) {
        const t = performance.now();
        ids[i] = search(i);
        lat[i] = performance.now() - t;
      }
      const seconds = (performance.now() - t0) / 1000;
      const qps = numQueries / seconds;
      if (best === null || qps > best.qps) {
        lat.sort();
        best = { qps, p50us: percentile(lat, 0.5) * 1000, p99us: percentile(lat, 0.99) * 1000, ids };
      }
    }
    return { qps: best.qps, p50us: best.p50us, p99us: best.p99us, recall: recallOf(best.ids) };
  }

  const builds = {};
  const results = { vego: {}, hnswlib: {}, usearch: {} };

  // --- Vego
  gc();
  let rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const vego = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
  vego.addBatch(base.data, { onProgress: (done, total) => done === total && log(`vego built ${total}`) });
  builds.vego = { seconds: (performance.now() - t) / 1000 };
  builds.vego.rssDeltaMiB = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const snap = vego.toSnapshot();
  builds.vego.indexMiB = (snap.vectors.byteLength + snap.links0.byteLength + snap.upperLinks.byteLength + snap.upperOffsets.byteLength + snap.levels.byteLength + snap.deleted.byteLength) / 2 ** 20;
  t = performance.now();
  const vego2 = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
  vego2.addBatch(base.data, { threads: 2 });
  builds.vego2 = { seconds: (performance.now() - t) / 1000 };
  for (const ef of EFS) results.vego[ef] = measure((i) => vego.search(queryRows[i], K, ef).map((r) => r.id));
  const vego2Recall = measure((i) => vego2.search(queryRows[i], K, 40).map((r) => r.id)).recall;
  // SQ8 on the same graph (restored from the float index's snapshot with the option switched on):
  // the walk compares byte codes, the ef candidates are re-ranked with the floats.
  const sq8 = HNSW.fromSnapshot({ ...snap, config: { ...snap.config, quantization: 'sq8' } });
  const sq8Results = {};
  for (const ef of EFS) sq8Results[ef] = measure((i) => sq8.search(queryRows[i], K, ef).map((r) => r.id));
  const sq8Bytes = { float: vego.byteLength, sq8: sq8.byteLength };
  log(`vego sq8: ef=40 recall ${sq8Results[40].recall.toFixed(4)} at ${sq8Results[40].qps.toFixed(0)} QPS`);
  log(`vego: ${(n / builds.vego.seconds).toFixed(0)} vectors/s, ef=40 recall ${results.vego[40].recall.toFixed(4)} at ${results.vego[40].qps.toFixed(0)} QPS`);

  // Heap growth per query after warm-up: run many queries, keep nothing, compare heap after full GCs.
  const heapQueries = quick ? 20_000 : 100_000;
  for (let i = 0; i < 2000; i++) vego.search(queryRows[i % numQueries], K, 40);
  gc();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < heapQueries; i++) vego.search(queryRows[i % numQueries], K, 40);
  gc();
  gc();
  const heapGrowthPerQuery = (process.memoryUsage().heapUsed - heap0) / heapQueries;

  // --- hnswlib-node
  gc();
  rss0 = process.memoryUsage().rss;
  t = performance.now();
  const hnswlib = new HierarchicalNSW('l2', dim);
  hnswlib.initIndex(n, M, EF_CONSTRUCTION, 100);
  for (let i = 0; i < n; i++) hnswlib.addPoint(baseArrays[i], i);
  builds.hnswlib = { seconds: (performance.now() - t) / 1000, rssDeltaMiB: (process.memoryUsage().rss - rss0) / 2 ** 20 };
  for (const ef of EFS) {
    hnswlib.setEf(ef);
    results.hnswlib[ef] = measure((i) => hnswlib.searchKnn(queryArrays[i], K).neighbors);
  }
  log(`hnswlib-node: ${(n / builds.hnswlib.seconds).toFixed(0)} vectors/s, ef=40 recall ${results.hnswlib[40].recall.toFixed(4)} at ${results.hnswlib[40].qps.toFixed(0)} QPS`);

  // --- usearch (expansion_search is fixed at construction: one index per ef, the first one timed)
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  for (const ef of EFS) {
    gc();
    rss0 = process.memoryUsage().rss;
    t = performance.now();
    const index = new usearch.Index({ dimensions: dim, metric: 'l2sq', connectivity: M, expansion_add: EF_CONSTRUCTION, expansion_search: ef });
    index.add(keys, base.data, 1);
    if (builds.usearch === undefined) builds.usearch = { seconds: (performance.now() - t) / 1000, rssDeltaMiB: (process.memoryUsage().rss - rss0) / 2 ** 20 };
    results.usearch[ef] = measure((i) => Array.from(index.search(queryRows[i], K, 1).keys, Number));
  }
  log(`usearch: ${(n / builds.usearch.seconds).toFixed(0)} vectors/s, ef=40 recall ${results.usearch[40].recall.toFixed(4)} at ${results.usearch[40].qps.toFixed(0)} QPS`);

  // --- Summary
  const firstEf = (engine) => EFS.find((ef) => results[engine][ef].recall >= 0.99);
  const efVego = firstEf('vego');
  const efHnswlib = firstEf('hnswlib');
  const efUsearch = firstEf('usearch');
  const qpsAt = (engine, ef) => (ef === undefined ? NaN : results[engine][ef].qps);
  const ratioHnswlib = qpsAt('vego', efVego) / qpsAt('hnswlib', efHnswlib);
  const ratioUsearch = qpsAt('vego', efVego) / qpsAt('usearch', efUsearch);
  const buildRate = (b) => n / b.seconds;
  const buildRatio = buildRate(builds.vego) / buildRate(builds.hnswlib);

  const rows = [];
  for (const ef of EFS) {
    for (const [engine, name] of [['vego', 'Vego'], ['hnswlib', 'hnswlib-node'], ['usearch', 'usearch']]) {
      const r = results[engine][ef];
      rows.push([ef, name, Number(r.recall.toFixed(4)), Math.round(r.qps), Number(r.p50us.toFixed(1)), Number(r.p99us.toFixed(1))]);
    }
  }
  return {
    tables: [
      {
        title: 'Search: recall@10, queries/s and latency per ef',
        columns: ['ef', 'engine', 'recall@10', 'QPS', 'p50 µs', 'p99 µs'],
        rows,
        note: `One query per call over ${numQueries} queries, best of ${rounds} rounds after warm-up. Vego distances are squared L2 from a WebAssembly SIMD kernel.`,
      },
      {
        title: 'Build',
        columns: ['engine', 'threads', 'seconds', 'vectors/s', 'RSS growth MiB'],
        rows: [
          ['Vego', 1, Number(builds.vego.seconds.toFixed(2)), Math.round(buildRate(builds.vego)), Number(builds.vego.rssDeltaMiB.toFixed(1))],
          ['Vego', 2, Number(builds.vego2.seconds.toFixed(2)), Math.round(buildRate(builds.vego2)), '-'],
          ['hnswlib-node', 1, Number(builds.hnswlib.seconds.toFixed(2)), Math.round(buildRate(builds.hnswlib)), Number(builds.hnswlib.rssDeltaMiB.toFixed(1))],
          ['usearch', 1, Number(builds.usearch.seconds.toFixed(2)), Math.round(buildRate(builds.usearch)), Number(builds.usearch.rssDeltaMiB.toFixed(1))],
        ],
        note: `Vego's 2-thread build reaches recall@10 ${vego2Recall.toFixed(4)} at ef=40 (sequential: ${results.vego[40].recall.toFixed(4)}). hnswlib-node is fed number[] rows, as its API requires.`,
      },
      {
        title: "SQ8 (quantization: 'sq8') on the same graph: float vs code walk + re-ranking",
        columns: ['ef', 'float recall@10', 'float QPS', 'SQ8 recall@10', 'SQ8 QPS', 'SQ8 ÷ float QPS'],
        rows: EFS.map((ef) => [
          ef,
          Number(results.vego[ef].recall.toFixed(4)),
          Math.round(results.vego[ef].qps),
          Number(sq8Results[ef].recall.toFixed(4)),
          Math.round(sq8Results[ef].qps),
          Number((sq8Results[ef].qps / results.vego[ef].qps).toFixed(2)),
        ]),
        note:
          `Index memory (byteLength): float ${(sq8Bytes.float / 2 ** 20).toFixed(2)} MiB, SQ8 ${(sq8Bytes.sq8 / 2 ** 20).toFixed(2)} MiB ` +
          '(the codes, one byte per component, are kept beside the float vectors, which re-ranking needs). All ef candidates are re-ranked.',
      },
      {
        title: 'Summary',
        columns: ['measure', 'value'],
        rows: [
          ['lowest ef with recall@10 ≥ 0.99 (Vego / hnswlib-node / usearch)', `${efVego} / ${efHnswlib} / ${efUsearch}`],
          ['Vego ÷ hnswlib-node QPS at that ef', Number(ratioHnswlib.toFixed(2))],
          ['Vego ÷ usearch QPS at that ef', Number(ratioUsearch.toFixed(2))],
          ['Vego ÷ hnswlib-node build speed (1 thread)', Number(buildRatio.toFixed(2))],
          ['Vego heap growth per query after warm-up (bytes, retained after GC)', Number(heapGrowthPerQuery.toFixed(3))],
          ['Vego index memory (MiB: vectors + links)', Number(builds.vego.indexMiB.toFixed(2))],
        ],
      },
    ],
    raw: { n, numQueries, dim, M, efConstruction: EF_CONSTRUCTION, k: K, builds, results, sq8Results, sq8Bytes, vego2Recall, ratioHnswlib, ratioUsearch, buildRatio, heapGrowthPerQuery, heapQueries },
  };
}

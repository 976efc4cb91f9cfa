// HNSW search per ef (10 … 320) on two data shapes, Vego beside hnswlib-node and usearch in the same
// process, engines interleaved round by round and timed in CPU time (process.cpuUsage: on a shared
// machine, wall time counts other processes' turns), median of the rounds:
// - SIFT-9k (9,000 × 128, 1,000 queries with their ground truth);
// - a hard clustered set (20,000 × 96, "hard" below): many small Gaussian clusters (50 points on
//   average) whose centres overlap, each on its own random 32-dimensional subspace plus isotropic
//   noise: a high intrinsic dimension, where recall@10 at ef 10 is well below 0.99 for every
//   engine, so the recall column says something.
// M=16, efConstruction=200, k=10, one query per call, single-threaded.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { SIFT_DIR, readVecs } from '../lib/data.mjs';
import { HARD_SHAPE, hardClusteredData } from '../lib/clustered.mjs';

const require = createRequire(import.meta.url);

export const title = 'HNSW search per ef (10–320): SIFT-9k and a hard clustered set, vs hnswlib-node and usearch';

const K = 10;
const M = 16;
const EF_CONSTRUCTION = 200;
const EFS = [10, 20, 40, 80, 160, 320];
const HARD = { n: 20_000, dim: 96, ...HARD_SHAPE };

/** CPU time of this process in ms (user + system). */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function l2(a, ao, b, bo, dim) {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const d = a[ao + i] - b[bo + i];
    s += d * d;
  }
  return s;
}

/** One data shape: build the three engines, then per ef interleaved rounds of all three. */
function runShape(libs, name, base, queries, dim, kth, rounds, log) {
  const { HNSW, HierarchicalNSW, usearch } = libs;
  const n = base.length / dim;
  const nq = queries.length / dim;
  const rows = Array.from({ length: nq }, (_, i) => queries.subarray(i * dim, (i + 1) * dim));
  const arrays = rows.map((r) => Array.from(r));
  const recallOf = (ids) => {
    let hits = 0;
    for (let q = 0; q < nq; q++) for (const id of ids[q]) if (l2(base, id * dim, queries, q * dim, dim) <= kth[q]) hits++;
    return hits / (nq * K);
  };
  const vego = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
  vego.addBatch(base);
  const hnswlib = new HierarchicalNSW('l2', dim);
  hnswlib.initIndex(n, M, EF_CONSTRUCTION, 100);
  for (let i = 0; i < n; i++) hnswlib.addPoint(Array.from(base.subarray(i * dim, (i + 1) * dim)), i);
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  log(`${name}: Vego and hnswlib-node built`);
  const out = [];
  for (const ef of EFS) {
    // usearch fixes expansion_search at construction: one index per ef.
    const us = new usearch.Index({ dimensions: dim, metric: 'l2sq', connectivity: M, expansion_add: EF_CONSTRUCTION, expansion_search: ef });
    us.add(keys, base, 1);
    hnswlib.setEf(ef);
    const engines = {
      vego: (q) => vego.search(rows[q], K, ef).map((r) => r.id),
      hnswlib: (q) => hnswlib.searchKnn(arrays[q], K).neighbors,
      usearch: (q) => Array.from(us.search(rows[q], K, 1).keys, Number),
    };
    const times = { vego: [], hnswlib: [], usearch: [] };
    const ids = {};
    for (const e of Object.keys(engines)) for (let q = 0; q < Math.min(200, nq); q++) engines[e](q);
    for (let r = 0; r < rounds; r++) {
      for (const e of Object.keys(engines)) {
        const got = new Array(nq);
        const t = cpuMs();
        for (let q = 0; q < nq; q++) got[q] = engines[e](q);
        times[e].push(cpuMs() - t);
        ids[e] = got;
      }
    }
    const qps = (e) => (nq * 1000) / median(times[e]);
    const row = { ef, recall: {}, qps: {} };
    for (const e of Object.keys(engines)) {
      row.recall[e] = recallOf(ids[e]);
      row.qps[e] = qps(e);
    }
    out.push(row);
    log(`${name} ef=${ef}: recall ${row.recall.vego.toFixed(4)} / ${row.recall.hnswlib.toFixed(4)} / ${row.recall.usearch.toFixed(4)}; QPS ÷ hnswlib-node ${(row.qps.vego / row.qps.hnswlib).toFixed(2)}, ÷ usearch ${(row.qps.vego / row.qps.usearch).toFixed(2)}`);
  }
  return out;
}

export async function run({ quick, log }) {
  if (!existsSync(join(SIFT_DIR, 'base.fvecs'))) throw new Error(`SIFT-9k not found at ${SIFT_DIR}`);
  const usearch = require('usearch');
  const libs = { HNSW: require('@vego/hnsw').HNSW, HierarchicalNSW: require('hnswlib-node').HierarchicalNSW, usearch };
  const rounds = quick ? 3 : 7;
  const shapes = {};

  const siftBase = readVecs(join(SIFT_DIR, 'base.fvecs'));
  const siftQuery = readVecs(join(SIFT_DIR, 'query.fvecs'));
  const truth = readVecs(join(SIFT_DIR, 'groundtruth.ivecs'), Int32Array);
  const sdim = siftBase.dimension;
  const snq = quick ? 500 : siftQuery.length;
  const squeries = siftQuery.data.subarray(0, snq * sdim);
  const skth = Array.from({ length: snq }, (_, i) => l2(siftBase.data, truth.data[i * truth.dimension + K - 1] * sdim, squeries, i * sdim, sdim));
  shapes.sift = runShape(libs, 'SIFT-9k', siftBase.data, squeries, sdim, skth, rounds, log);

  const hnq = quick ? 500 : 1000;
  const { base, queries } = hardClusteredData(HARD.n, hnq, HARD.dim, 11);
  const exact = usearch.exactSearch(base, queries, HARD.dim, K, 'l2sq');
  // usearch's exact distances are float32 sums: allow their rounding.
  const hkth = Array.from({ length: hnq }, (_, i) => exact.distances[i * K + K - 1] * (1 + 1e-5));
  shapes.hard = runShape(libs, 'hard 20K×96', base, queries, HARD.dim, hkth, rounds, log);

  const table = (key, label) => ({
    title: `${label}: recall@10 and QPS per ef`,
    columns: ['ef', 'Vego recall', 'hnswlib-node recall', 'usearch recall', 'Vego QPS', 'hnswlib-node QPS', 'usearch QPS', 'Vego ÷ hnswlib-node', 'Vego ÷ usearch'],
    rows: shapes[key].map((r) => [
      r.ef,
      Number(r.recall.vego.toFixed(4)),
      Number(r.recall.hnswlib.toFixed(4)),
      Number(r.recall.usearch.toFixed(4)),
      Math.round(r.qps.vego),
      Math.round(r.qps.hnswlib),
      Math.round(r.qps.usearch),
      Number((r.qps.vego / r.qps.hnswlib).toFixed(2)),
      Number((r.qps.vego / r.qps.usearch).toFixed(2)),
    ]),
    note: `M=${M}, efConstruction=${EF_CONSTRUCTION}, k=${K}, one query per call, single-threaded; CPU time, median of ${rounds} rounds, engines interleaved round by round.`,
  });
  return {
    tables: [
      table('sift', `SIFT-9k (${snq} queries)`),
      table('hard', `Hard clustered ${HARD.n / 1000}K×${HARD.dim} (${HARD.perCluster}-point clusters on ${HARD.subspace}-d subspaces, ${hnq} queries)`),
    ],
    raw: { hard: HARD, shapes },
  };
}

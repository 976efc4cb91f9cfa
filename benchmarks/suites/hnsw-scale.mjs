// HNSW at scale, end to end: build, then k-NN queries (recall, p50/p99 latency, QPS) for Vego
// (@vego/hnsw) beside hnswlib-node and usearch on the same generated data in the same run, plus
// index memory against hnswlib-node, and (--all) sweeps over M, k, dimension and metric.
//
// Data: Gaussian clusters with a low intrinsic dimension, as embeddings have: each cluster has a
// centre (uniform in [-1, 1]^d), its own random 32-dimensional basis, Gaussian coefficients along
// it and a little isotropic Gaussian noise. Queries are fresh draws from the same clusters.
// Uniform random data above ~128 dimensions is not used: there every point is nearly equidistant
// from every other, and no graph index (ours, hnswlib, usearch) gets a useful recall at a sane ef.
//
// Ground truth: usearch's exact (brute-force) search, checked against a JavaScript scan on a few
// queries. Recall@k counts a returned id as a hit when its exact distance is not above the k-th
// true distance. Builds are single-threaded for all three engines (Vego's 2-thread build is
// reported beside). hnswlib-node is fed one number[] row per addPoint, as its API requires.
//
// Memory (the issue asks for Vego within 1.3x of hnswlib-node at 100K x 128): each engine builds
// the same index in a child process; the figure is the growth of (RSS - V8 heap) across the build,
// after a GC, so JavaScript garbage is left out and native (hnswlib) and wasm/typed-array (Vego)
// memory are both counted. Vego also reports `index.byteLength` (its typed arrays + wasm memory);
// hnswlib also gets the size from the formula of its hnswalg.h (see hnswlibFormulaBytes).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EASY_SHAPE, clusteredData } from '../lib/clustered.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);

export const title = 'HNSW at scale: build, recall, latency, QPS and memory vs hnswlib-node and usearch (clustered data)';

const USEARCH_METRIC = { l2: 'l2sq', cosine: 'cos', innerProduct: 'ip' };
const HNSWLIB_SPACE = { l2: 'l2', cosine: 'cosine', innerProduct: 'ip' };

/** Exact distance under Vego's conventions (float64). */
function exactDistance(metric, a, ao, b, bo, dim) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < dim; i++) {
    const x = a[ao + i];
    const y = b[bo + i];
    dot += x * y;
    na += x * x;
    nb += y * y;
    l2 += (x - y) * (x - y);
  }
  if (metric === 'l2') return l2;
  if (metric === 'cosine') return 1 - dot / Math.sqrt(na * nb);
  return 1 - dot;
}

/** Exact top-k ids per query (usearch brute force, spot-checked in JS); returns k-th distances too. */
function groundTruth(usearch, metric, base, queries, dim, k) {
  const nq = queries.length / dim;
  const n = base.length / dim;
  const res = usearch.exactSearch(base, queries, dim, k, USEARCH_METRIC[metric], 0);
  const ids = new Int32Array(nq * k);
  for (let i = 0; i < nq * k; i++) ids[i] = Number(res.keys[i]);
  const kth = new Float64Array(nq);
  for (let q = 0; q < nq; q++) {
    let worst = -Infinity;
    for (let j = 0; j < k; j++) worst = Math.max(worst, exactDistance(metric, base, ids[q * k + j] * dim, queries, q * dim, dim));
    kth[q] = worst;
  }
  // Spot check: a JavaScript scan agrees on the k-th distance for the first 3 queries.
  for (let q = 0; q < Math.min(3, nq); q++) {
    const all = new Float64Array(n);
    for (let i = 0; i < n; i++) all[i] = exactDistance(metric, base, i * dim, queries, q * dim, dim);
    all.sort();
    if (Math.abs(all[k - 1] - kth[q]) > 1e-4 * Math.max(1, Math.abs(kth[q]))) {
      throw new Error(`ground truth mismatch for query ${q}: usearch k-th ${kth[q]}, scan ${all[k - 1]}`);
    }
  }
  return kth;
}

function recallOf(metric, base, queries, dim, k, kth, results) {
  let hits = 0;
  const nq = kth.length;
  for (let q = 0; q < nq; q++) {
    const bound = kth[q] + 1e-6 * Math.max(1, Math.abs(kth[q]));
    for (const id of results[q]) if (exactDistance(metric, base, id * dim, queries, q * dim, dim) <= bound) hits++;
  }
  return hits / (nq * k);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** One query per call over every query after a warm-up; the better of `rounds` rounds (by QPS). */
function measureQueries(nq, search, rounds) {
  for (let i = 0; i < Math.min(200, nq); i++) search(i);
  let best = null;
  for (let r = 0; r < rounds; r++) {
    const lat = new Float64Array(nq);
    const ids = new Array(nq);
    const t0 = performance.now();
    for (let i = 0; i < nq; i++) {
      const t = performance.now();
      ids[i] = search(i);
      lat[i] = performance.now() - t;
    }
    const qps = nq / ((performance.now() - t0) / 1000);
    if (best === null || qps > best.qps) {
      lat.sort();
      best = { qps, p50us: percentile(lat, 0.5) * 1000, p99us: percentile(lat, 0.99) * 1000, ids };
    }
  }
  return best;
}

function buildVego(HNSW, metric, base, dim, M, efConstruction, threads) {
  const index = new HNSW({ dimension: dim, M, efConstruction, distance: metric, seed: 1 });
  const t = performance.now();
  index.addBatch(base, { threads });
  return { index, seconds: (performance.now() - t) / 1000 };
}

function buildHnswlib(HierarchicalNSW, metric, base, dim, M, efConstruction) {
  const n = base.length / dim;
  const index = new HierarchicalNSW(HNSWLIB_SPACE[metric], dim);
  const t = performance.now();
  index.initIndex(n, M, efConstruction, 1);
  for (let i = 0; i < n; i++) index.addPoint(Array.from(base.subarray(i * dim, (i + 1) * dim)), i);
  return { index, seconds: (performance.now() - t) / 1000 };
}

function buildUsearch(usearch, metric, base, dim, M, efConstruction, ef) {
  const n = base.length / dim;
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  const index = new usearch.Index({ dimensions: dim, metric: USEARCH_METRIC[metric], connectivity: M, expansion_add: efConstruction, expansion_search: ef });
  const t = performance.now();
  index.add(keys, base, 1);
  return { index, seconds: (performance.now() - t) / 1000 };
}

/**
 * Builds the three engines on one configuration and queries them; `ks` lists the k values to
 * query (the first is the headline). Returns per-engine { buildSeconds, byK: { k: { recall, qps, p50us, p99us } } }.
 */
function runConfig(libs, cfg, log) {
  const { HNSW, HierarchicalNSW, usearch } = libs;
  const { n, numQueries, dim, M, efConstruction, ef, metric, ks, rounds, vegoThreads2 } = cfg;
  const { base, queries } = clusteredData(n, numQueries, dim, cfg.seed ?? 7);
  const rowsQ = Array.from({ length: numQueries }, (_, i) => queries.subarray(i * dim, (i + 1) * dim));
  const arraysQ = rowsQ.map((r) => Array.from(r));
  const truth = {};
  for (const k of ks) truth[k] = groundTruth(usearch, metric, base, queries, dim, k);
  const label = `${n / 1000}K×${dim} ${metric} M=${M} efC=${efConstruction} ef=${ef}`;
  const out = {};

  const vego = buildVego(HNSW, metric, base, dim, M, efConstruction, 1);
  log(`${label}: Vego built in ${vego.seconds.toFixed(1)} s`);
  out.vego = { buildSeconds: vego.seconds, byK: {} };
  for (const k of ks) {
    const m = measureQueries(numQueries, (i) => vego.index.search(rowsQ[i], k, Math.max(ef, k)).map((r) => r.id), rounds);
    out.vego.byK[k] = { recall: recallOf(metric, base, queries, dim, k, truth[k], m.ids), qps: m.qps, p50us: m.p50us, p99us: m.p99us };
  }
  if (vegoThreads2) {
    const v2 = buildVego(HNSW, metric, base, dim, M, efConstruction, 2);
    const k = ks[0];
    const m = measureQueries(numQueries, (i) => v2.index.search(rowsQ[i], k, Math.max(ef, k)).map((r) => r.id), 1);
    out.vego2 = { buildSeconds: v2.seconds, recall: recallOf(metric, base, queries, dim, k, truth[k], m.ids) };
    log(`${label}: Vego 2-thread build ${v2.seconds.toFixed(1)} s`);
  }
  vego.index = null;

  const hl = buildHnswlib(HierarchicalNSW, metric, base, dim, M, efConstruction);
  log(`${label}: hnswlib-node built in ${hl.seconds.toFixed(1)} s`);
  hl.index.setEf(ef);
  out.hnswlib = { buildSeconds: hl.seconds, byK: {} };
  for (const k of ks) {
    hl.index.setEf(Math.max(ef, k));
    const m = measureQueries(numQueries, (i) => hl.index.searchKnn(arraysQ[i], k).neighbors, rounds);
    out.hnswlib.byK[k] = { recall: recallOf(metric, base, queries, dim, k, truth[k], m.ids), qps: m.qps, p50us: m.p50us, p99us: m.p99us };
  }

  const us = buildUsearch(usearch, metric, base, dim, M, efConstruction, ef);
  log(`${label}: usearch built in ${us.seconds.toFixed(1)} s`);
  out.usearch = { buildSeconds: us.seconds, byK: {} };
  for (const k of ks) {
    const m = measureQueries(numQueries, (i) => Array.from(us.index.search(rowsQ[i], k, 1).keys, Number), rounds);
    out.usearch.byK[k] = { recall: recallOf(metric, base, queries, dim, k, truth[k], m.ids), qps: m.qps, p50us: m.p50us, p99us: m.p99us };
  }
  const k0 = ks[0];
  log(`${label}: recall@${k0} Vego ${out.vego.byK[k0].recall.toFixed(4)} / hnswlib ${out.hnswlib.byK[k0].recall.toFixed(4)} / usearch ${out.usearch.byK[k0].recall.toFixed(4)}; QPS ${out.vego.byK[k0].qps.toFixed(0)} / ${out.hnswlib.byK[k0].qps.toFixed(0)} / ${out.usearch.byK[k0].qps.toFixed(0)}`);
  return { label, ...out };
}

/**
 * hnswlib's own memory for `n` elements, from the allocations in its hnswalg.h: the level-0 block
 * (n · (4 + 4·2M + 4·dim + 8) bytes: link count, links, vector, label), one 8-byte pointer, one
 * 4-byte level and one 40-byte std::mutex per element, the upper-layer blocks (level · (4 + 4·M)
 * per element, expected level 1/ln M... summed from the measured level distribution here), the
 * label map (~40 bytes per entry in libstdc++'s unordered_map) and 65,536 label mutexes.
 */
function hnswlibFormulaBytes(n, dim, M) {
  const level0 = n * (4 + 4 * 2 * M + 4 * dim + 8);
  const perElement = n * (8 + 4 + 40 + 40);
  // Expected number of upper-layer lists per element with mL = 1/ln M: Σ_{l≥1} M^-l = 1/(M-1).
  const upper = (n / (M - 1)) * (4 + 4 * M);
  return level0 + perElement + upper + 65536 * 40;
}

/** Child process: builds one engine on the generated data and prints its memory growth as JSON. */
async function memoryChild(engine, n, dim, M, efConstruction) {
  const gc = getGc();
  const { base } = clusteredData(n, 1, dim, 7);
  // hnswlib-node takes number[] rows: made before the first reading and kept alive, so the V8 heap
  // does not change across the build.
  const rows = engine === 'vego' ? [] : Array.from({ length: n }, (_, i) => Array.from(base.subarray(i * dim, (i + 1) * dim)));
  gc();
  const before = process.memoryUsage();
  let extra = {};
  let keep;
  if (engine === 'vego') {
    const { HNSW } = require('@vego/hnsw');
    keep = new HNSW({ dimension: dim, M, efConstruction, seed: 1 });
    keep.addBatch(base);
    extra = { byteLength: keep.byteLength };
  } else {
    const { HierarchicalNSW } = require('hnswlib-node');
    keep = new HierarchicalNSW('l2', dim);
    keep.initIndex(n, M, efConstruction, 1);
    for (let i = 0; i < n; i++) keep.addPoint(rows[i], i);
  }
  gc();
  gc();
  const after = process.memoryUsage();
  const nonHeap = (m) => m.rss - m.heapTotal;
  process.stdout.write(JSON.stringify({ engine, n, dim, M, rssDelta: after.rss - before.rss, nonHeapDelta: nonHeap(after) - nonHeap(before), ...extra, alive: keep !== null && rows !== null }) + '\n');
}

function measureMemory(engine, n, dim, M, efConstruction) {
  const child = spawnSync(process.execPath, ['--expose-gc', self, '--memory-child', engine, String(n), String(dim), String(M), String(efConstruction)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`memory child (${engine}) failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

const round = (x, digits) => Number(x.toFixed(digits));

export async function run({ quick, log }) {
  const libs = { HNSW: require('@vego/hnsw').HNSW, HierarchicalNSW: require('hnswlib-node').HierarchicalNSW, usearch: require('usearch') };
  const rounds = quick ? 1 : 2;
  const numQueries = quick ? 500 : 1000;
  const headline = quick
    ? [
        { n: 10_000, dim: 128, M: 16, efConstruction: 200, ef: 200 },
        { n: 30_000, dim: 128, M: 16, efConstruction: 520, ef: 300, standIn: '30K stand-in for 100K' },
      ]
    : [
        { n: 10_000, dim: 128, M: 16, efConstruction: 200, ef: 200 },
        { n: 100_000, dim: 128, M: 16, efConstruction: 520, ef: 300 },
        { n: 10_000, dim: 768, M: 32, efConstruction: 200, ef: 100 },
      ];
  const results = { headline: [], sweeps: {} };
  const mainRows = [];
  const ratioRows = [];
  for (const h of headline) {
    const r = runConfig(libs, { ...h, numQueries, metric: 'l2', ks: [10], rounds, vegoThreads2: true }, log);
    results.headline.push({ config: h, ...r });
    const name = `${h.n / 1000}K×${h.dim}${h.standIn ? ` (${h.standIn})` : ''}, M=${h.M}, efC=${h.efConstruction}, ef=${h.ef}`;
    for (const [key, engine] of [['vego', 'Vego'], ['hnswlib', 'hnswlib-node'], ['usearch', 'usearch']]) {
      const e = r[key];
      const q = e.byK[10];
      mainRows.push([name, engine, round(e.buildSeconds, 2), Math.round(h.n / e.buildSeconds), round(q.recall, 4), round(q.p50us, 1), round(q.p99us, 1), Math.round(q.qps)]);
    }
    mainRows.push([name, 'Vego, 2 threads', round(r.vego2.buildSeconds, 2), Math.round(h.n / r.vego2.buildSeconds), round(r.vego2.recall, 4), '-', '-', '-']);
    const v = r.vego.byK[10];
    ratioRows.push([
      name,
      round(v.qps / r.hnswlib.byK[10].qps, 2),
      round(v.qps / r.usearch.byK[10].qps, 2),
      round(r.hnswlib.buildSeconds / r.vego.buildSeconds, 2),
      round(r.usearch.buildSeconds / r.vego.buildSeconds, 2),
      round(v.recall - r.hnswlib.byK[10].recall, 4),
    ]);
  }

  // Memory at the largest headline size, in child processes (build with efConstruction 64:
  // memory does not depend on it, every list has a fixed stride in both engines).
  const memCfg = quick ? { n: 30_000, dim: 128, M: 16 } : { n: 100_000, dim: 128, M: 16 };
  log(`memory: building ${memCfg.n / 1000}K×${memCfg.dim} in child processes`);
  const memVego = measureMemory('vego', memCfg.n, memCfg.dim, memCfg.M, 64);
  const memHnswlib = measureMemory('hnswlib', memCfg.n, memCfg.dim, memCfg.M, 64);
  const formula = hnswlibFormulaBytes(memCfg.n, memCfg.dim, memCfg.M);
  const MiB = 2 ** 20;
  results.memory = { ...memCfg, vego: memVego, hnswlib: memHnswlib, hnswlibFormulaBytes: formula };
  const memRows = [
    ['Vego: index.byteLength (typed arrays + wasm memory)', round(memVego.byteLength / MiB, 1), round(memVego.byteLength / memCfg.n, 0)],
    ['Vego: growth of RSS − V8 heap across the build', round(memVego.nonHeapDelta / MiB, 1), round(memVego.nonHeapDelta / memCfg.n, 0)],
    ['hnswlib-node: growth of RSS − V8 heap across the build', round(memHnswlib.nonHeapDelta / MiB, 1), round(memHnswlib.nonHeapDelta / memCfg.n, 0)],
    ['hnswlib-node: formula from hnswalg.h', round(formula / MiB, 1), round(formula / memCfg.n, 0)],
    ['Vego ÷ hnswlib-node (measured growth)', round(memVego.nonHeapDelta / memHnswlib.nonHeapDelta, 2), '-'],
    ['Vego byteLength ÷ hnswlib-node formula', round(memVego.byteLength / formula, 2), '-'],
  ];
  log(`memory: Vego ${(memVego.byteLength / MiB).toFixed(1)} MiB (byteLength), ${(memVego.nonHeapDelta / MiB).toFixed(1)} MiB measured; hnswlib ${(memHnswlib.nonHeapDelta / MiB).toFixed(1)} MiB measured, ${(formula / MiB).toFixed(1)} MiB by formula`);

  const tables = [
    {
      title: 'End to end: build, recall@10, latency and QPS (l2, single-threaded builds)',
      columns: ['data, parameters', 'engine', 'build s', 'vectors/s', 'recall@10', 'p50 µs', 'p99 µs', 'QPS'],
      rows: mainRows,
      note: `Clustered data (Gaussian clusters on random ${EASY_SHAPE.subspace}-dimensional subspaces plus noise), ${numQueries} queries from the same clusters, one per call, best of ${rounds} round(s). usearch fixes ef (expansion_search) at construction. Uniform random data above ~128-d is near-impossible for every graph index (all points nearly equidistant), so it is not used.`,
    },
    {
      title: 'Ratios (Vego ÷ other; > 1 means Vego is faster)',
      columns: ['data, parameters', 'QPS ÷ hnswlib-node', 'QPS ÷ usearch', 'build speed ÷ hnswlib-node', 'build speed ÷ usearch', 'recall − hnswlib-node'],
      rows: ratioRows,
    },
    {
      title: `Index memory, ${memCfg.n / 1000}K × ${memCfg.dim}, M=${memCfg.M}`,
      columns: ['measure', 'MiB', 'bytes per vector'],
      rows: memRows,
      note: 'Each engine builds in its own child process; the measured figure is the growth of (RSS − V8 heap total) across the build after a GC, so the V8 heap (e.g. the number[] rows hnswlib needs, made before the first reading) is excluded and native, wasm and typed-array memory are counted. The formula adds hnswlib\'s level-0 block, per-element pointer, level and mutex, expected upper-layer blocks, label map and label locks.',
    },
  ];

  if (!quick) {
    const sweepBase = { n: 10_000, numQueries, dim: 128, M: 16, efConstruction: 200, ef: 100, metric: 'l2', ks: [10], rounds: 1 };
    const sweepRows = [];
    const addRows = (sweep, value, r, k) => {
      for (const [key, engine] of [['vego', 'Vego'], ['hnswlib', 'hnswlib-node'], ['usearch', 'usearch']]) {
        const e = r[key];
        const q = e.byK[k];
        sweepRows.push([sweep, value, engine, round(e.buildSeconds, 2), round(q.recall, 4), round(q.p50us, 1), round(q.p99us, 1), Math.round(q.qps)]);
      }
    };
    results.sweeps.M = [];
    for (const M of [8, 16, 32]) {
      const r = runConfig(libs, { ...sweepBase, M }, log);
      results.sweeps.M.push({ M, ...r });
      addRows('M', M, r, 10);
    }
    const kr = runConfig(libs, { ...sweepBase, ks: [1, 10, 50, 100] }, log);
    results.sweeps.k = kr;
    for (const k of [1, 10, 50, 100]) addRows('k (ef = max(100, k))', k, kr, k);
    results.sweeps.dimension = [];
    for (const dim of [128, 384, 768, 1536]) {
      const r = runConfig(libs, { ...sweepBase, dim }, log);
      results.sweeps.dimension.push({ dim, ...r });
      addRows('dimension', dim, r, 10);
    }
    results.sweeps.metric = [];
    for (const metric of ['l2', 'cosine', 'innerProduct']) {
      const r = runConfig(libs, { ...sweepBase, metric }, log);
      results.sweeps.metric.push({ metric, ...r });
      addRows('metric', metric, r, 10);
    }
    tables.push({
      title: 'Sweeps at 10K vectors (defaults: 128-d, l2, M=16, efConstruction=200, ef=100, k=10)',
      columns: ['sweep', 'value', 'engine', 'build s', 'recall@k', 'p50 µs', 'p99 µs', 'QPS'],
      rows: sweepRows,
      note: 'One parameter changed at a time. Under innerProduct the distance is 1 − a·b on unnormalised vectors (not a metric), for all three engines.',
    });
  }
  return { tables, raw: results };
}

if (process.argv[1] === self && process.argv[2] === '--memory-child') {
  const [engine, n, dim, M, efConstruction] = process.argv.slice(3);
  await memoryChild(engine, Number(n), Number(dim), Number(M), Number(efConstruction));
}

// HNSW on threads: Vego's searchMany / searchManyAsync (worker threads sharing the index memory) and
// its parallel and async builds, beside usearch's multi-threaded batch search and build and
// hnswlib-node on one thread. Clustered 128-d data (benchmarks/lib/clustered.mjs), M=16,
// efConstruction=200, k=10, ef=64.
//
// Every configuration runs once per round, rounds interleaved, median of the rounds. Two clocks:
// wall time (what a caller waits; thread scaling shows only here, and only on an idle machine) and
// process CPU time (process.cpuUsage(), all threads summed: the work done, which a loaded machine
// does not inflate much). "speed-up" is wall time of one thread ÷ wall time of n threads;
// "CPU ratio" is CPU time of n threads ÷ CPU time of one (1.0 = threads add no work).
// The event-loop gap of a build is the longest stall perf_hooks.monitorEventLoopDelay saw while it ran.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { clusteredData } from '../lib/clustered.mjs';
import { median } from '../lib/datasets.mjs';

const require = createRequire(import.meta.url);

export const title = 'HNSW on threads (clustered 128-d, M=16, efConstruction=200, k=10, ef=64)';

const K = 10;
const EF = 64;
const M = 16;
const EF_CONSTRUCTION = 200;
const DIM = 128;

/**
 * Runs `fn` (awaited) while watching the event loop: the longest stall (wall: the larger of
 * perf_hooks.monitorEventLoopDelay's maximum and the longest gap between two setImmediate ticks), and the most process CPU time spent between two event-loop turns (a setImmediate
 * ticker): on one thread that is the longest synchronous stretch whatever the machine's load; with
 * worker threads it also counts their CPU.
 */
async function watchLoop(fn) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let running = true;
  let lastCpu = process.cpuUsage();
  let lastWall = performance.now();
  let maxCpuGap = 0;
  let maxWallGap = 0;
  const tick = () => {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    maxCpuGap = Math.max(maxCpuGap, (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000);
    maxWallGap = Math.max(maxWallGap, wall - lastWall);
    lastCpu = cpu;
    lastWall = wall;
    if (running) setImmediate(tick);
  };
  histogram.enable();
  // One timer period first, so the monitor has a sample before the work starts.
  await new Promise((resolve) => setTimeout(resolve, 5));
  lastCpu = process.cpuUsage();
  lastWall = performance.now();
  setImmediate(tick);
  const index = await fn();
  running = false;
  // Let the monitor's timer fire once more, so a stall that ends with the build is recorded.
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  return { index, maxGapMs: Math.max(histogram.max / 1e6, maxWallGap), maxCpuGapMs: maxCpuGap };
}

/** Wall and CPU milliseconds of `fn` (awaited). */
async function clock(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, value };
}

/**
 * Runs every entry of `configs` once per round (interleaved) and keeps the median wall and CPU time
 * of each, the value of its last round (`last`), and `keep(value)` of every round (`extra`). Only
 * the last value is kept whole: the result lists of every round (10K lists each, and an index per
 * build round) grew the main heap round after round, and a major GC of that heap can land in any
 * timed window (in searchManyAsync's the calling thread is idle, free to run it beside the two
 * workers on a 2-core machine).
 */
async function interleaved(configs, rounds, log, keep = () => undefined) {
  const times = new Map(configs.map((c) => [c.name, { wall: [], cpu: [], extra: [], last: undefined }]));
  for (let r = 0; r < rounds; r++) {
    for (const config of configs) {
      const slot = times.get(config.name);
      slot.last = undefined;
      const t = await clock(config.run);
      slot.wall.push(t.wall);
      slot.cpu.push(t.cpu);
      slot.extra.push(keep(t.value));
      slot.last = t.value;
    }
    log(`round ${r + 1}/${rounds} done`);
  }
  const out = {};
  for (const [name, t] of times) out[name] = { wall: median(t.wall), cpu: median(t.cpu), walls: t.wall, cpus: t.cpu, extra: t.extra, last: t.last };
  return out;
}

export async function run({ quick, log }) {
  const { HNSW } = require('@vego/hnsw');
  const { HierarchicalNSW } = require('hnswlib-node');
  const usearch = require('usearch');

  const n = quick ? 5000 : 20_000;
  const numQueries = quick ? 1000 : 10_000;
  const searchRounds = quick ? 3 : 7;
  const buildRounds = quick ? 1 : 3;
  const { base, queries } = clusteredData(n, numQueries, DIM, 7);
  const queryArrays = Array.from({ length: numQueries }, (_, i) => Array.from(queries.subarray(i * DIM, (i + 1) * DIM)));
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);

  // ---- Builds (interleaved rounds): Vego 1 / 2 threads / async 2 threads, usearch 1 / 2, hnswlib-node 1.
  const vegoIndex = (threads) => () => {
    const index = new HNSW({ dimension: DIM, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
    index.addBatch(base, { threads });
    return index;
  };
  const vegoAsync = (threads) => async () => {
    const index = new HNSW({ dimension: DIM, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
    return watchLoop(() => index.addBatchAsync(base, { threads }).then(() => index));
  };
  // The blocking build under the same watch: its stall is the whole build.
  const vegoSyncGap = (threads) => () => watchLoop(async () => vegoIndex(threads)());
  const usearchBuild = (threads) => () => {
    const index = new usearch.Index({ dimensions: DIM, metric: 'l2sq', connectivity: M, expansion_add: EF_CONSTRUCTION, expansion_search: EF });
    index.add(keys, base, threads);
    return index;
  };
  const hnswlibBuild = () => {
    const index = new HierarchicalNSW('l2', DIM);
    index.initIndex(n, M, EF_CONSTRUCTION, 1);
    for (let i = 0; i < n; i++) index.addPoint(Array.from(base.subarray(i * DIM, (i + 1) * DIM)), i);
    return index;
  };
  const builds = await interleaved(
    [
      { name: 'vego-1', run: vegoSyncGap(1) },
      { name: 'vego-2', run: vegoSyncGap(2) },
      { name: 'vego-async-1', run: vegoAsync(1) },
      { name: 'vego-async-2', run: vegoAsync(2) },
      { name: 'usearch-1', run: usearchBuild(1) },
      { name: 'usearch-2', run: usearchBuild(2) },
      { name: 'hnswlib-1', run: hnswlibBuild },
    ],
    buildRounds,
    (m) => log(`build ${m}`),
    // The event-loop figures of every round; the index itself only from the last.
    (v) => (v !== null && typeof v === 'object' && typeof v.maxGapMs === 'number' ? { maxGapMs: v.maxGapMs, maxCpuGapMs: v.maxCpuGapMs } : undefined),
  );

  // ---- Search over the indexes of the last build round.
  const vego = builds['vego-1'].last.index;
  const us = builds['usearch-2'].last;
  const hnswlib = builds['hnswlib-1'].last;
  hnswlib.setEf(EF);
  const truth = [];
  for (let i = 0; i < numQueries; i++) truth.push(new Set(vego.searchExact(queries.subarray(i * DIM, (i + 1) * DIM), K).map((h) => h.id)));
  const recallOf = (lists) => {
    let hits = 0;
    for (let i = 0; i < numQueries; i++) for (const id of lists[i]) if (truth[i].has(Number(id))) hits++;
    return hits / (numQueries * K);
  };
  const buildRecall = (index) => recallOf(index.searchMany(queries, K, { ef: EF }).map((l) => l.map((h) => h.id)));
  const vegoIds = (lists) => lists.map((l) => l.map((h) => h.id));
  const usearchIds = (m) => Array.from({ length: numQueries }, (_, i) => Array.from(m.keys.subarray(i * K, i * K + Number(m.counts[i]))));
  // Warm-up: JIT, and the worker pool started once (it is kept between calls).
  vego.searchMany(queries.subarray(0, 200 * DIM), K, { ef: EF, threads: 2 });
  await vego.searchManyAsync(queries.subarray(0, 200 * DIM), K, { ef: EF, threads: 2 });
  const searches = await interleaved(
    [
      { name: 'vego-search-loop', run: () => vegoIds(queryArrays.map((q) => vego.search(q, K, EF))) },
      { name: 'vego-many-1', run: () => vegoIds(vego.searchMany(queries, K, { ef: EF, threads: 1 })) },
      { name: 'vego-many-2', run: () => vegoIds(vego.searchMany(queries, K, { ef: EF, threads: 2 })) },
      { name: 'vego-async-2', run: async () => vegoIds(await vego.searchManyAsync(queries, K, { ef: EF, threads: 2 })) },
      { name: 'usearch-1', run: () => usearchIds(us.search(queries, K, 1)) },
      { name: 'usearch-2', run: () => usearchIds(us.search(queries, K, 2)) },
      { name: 'hnswlib-1', run: () => queryArrays.map((q) => hnswlib.searchKnn(q, K).neighbors) },
    ],
    searchRounds,
    (m) => log(`search ${m}`),
  );
  await vego.close();

  const searchRows = [
    ['Vego', 1, 'search() per query', 'vego-search-loop', 'vego-many-1'],
    ['Vego', 1, 'searchMany', 'vego-many-1', 'vego-many-1'],
    ['Vego', 2, 'searchMany (calling thread + 1 worker)', 'vego-many-2', 'vego-many-1'],
    ['Vego', 2, 'searchManyAsync (2 workers)', 'vego-async-2', 'vego-many-1'],
    ['usearch', 1, 'batch search', 'usearch-1', 'usearch-1'],
    ['usearch', 2, 'batch search', 'usearch-2', 'usearch-1'],
    ['hnswlib-node', 1, 'searchKnn per query', 'hnswlib-1', 'hnswlib-1'],
  ].map(([engine, threads, form, key, one]) => {
    const s = searches[key];
    const base1 = searches[one];
    return [
      engine,
      threads,
      form,
      Math.round(numQueries / (s.wall / 1000)),
      Number(((s.cpu * 1000) / numQueries).toFixed(1)),
      Number(recallOf(s.last).toFixed(4)),
      Number((base1.wall / s.wall).toFixed(2)),
      Number((s.cpu / base1.cpu).toFixed(2)),
    ];
  });

  const buildRow = ([engine, threads, form, key, one]) => {
    const b = builds[key];
    const b1 = builds[one];
    const last = b.last;
    const gaps = b.extra.map((e) => e?.maxGapMs).filter((g) => g !== undefined);
    const cpuGaps = b.extra.map((e) => e?.maxCpuGapMs).filter((g) => g !== undefined);
    const index = last?.index ?? last;
    const recall = engine === 'Vego' ? buildRecall(index) : engine === 'usearch' ? recallOf(usearchIds(index.search(queries, K, threads))) : recallOf(queryArrays.map((q) => index.searchKnn(q, K).neighbors));
    return [
      engine,
      threads,
      form,
      Number((b.wall / 1000).toFixed(2)),
      Number((b.cpu / 1000).toFixed(2)),
      Math.round(n / (b.wall / 1000)),
      Number((b1.wall / b.wall).toFixed(2)),
      Number((b.cpu / b1.cpu).toFixed(2)),
      gaps.length > 0 ? Number(median(gaps).toFixed(1)) : '-',
      cpuGaps.length > 0 ? Number(median(cpuGaps).toFixed(1)) : '-',
      Number(recall.toFixed(4)),
    ];
  };
  const buildRows = [
    ['Vego', 1, 'addBatch', 'vego-1', 'vego-1'],
    ['Vego', 2, 'addBatch', 'vego-2', 'vego-1'],
    ['Vego', 1, 'addBatchAsync', 'vego-async-1', 'vego-1'],
    ['Vego', 2, 'addBatchAsync', 'vego-async-2', 'vego-1'],
    ['usearch', 1, 'add', 'usearch-1', 'usearch-1'],
    ['usearch', 2, 'add', 'usearch-2', 'usearch-1'],
    ['hnswlib-node', 1, 'addPoint per vector', 'hnswlib-1', 'hnswlib-1'],
  ].map(buildRow);

  const ratio = (a, b) => Number((a / b).toFixed(2));
  const summary = [
    ['Vego searchMany 2 threads ÷ 1 thread (wall)', ratio(searches['vego-many-1'].wall, searches['vego-many-2'].wall)],
    ['Vego searchManyAsync 2 workers ÷ searchMany 1 thread (wall)', ratio(searches['vego-many-1'].wall, searches['vego-async-2'].wall)],
    ['Vego CPU time: searchMany 2 threads / searchManyAsync 2 workers ÷ searchMany 1 thread', `${ratio(searches['vego-many-2'].cpu, searches['vego-many-1'].cpu)} / ${ratio(searches['vego-async-2'].cpu, searches['vego-many-1'].cpu)}`],
    ['Vego searchMany 2 threads ÷ usearch 2 threads (QPS, wall)', ratio(searches['usearch-2'].wall, searches['vego-many-2'].wall)],
    ['Vego 2-thread build ÷ Vego 1-thread build (wall)', ratio(builds['vego-1'].wall, builds['vego-2'].wall)],
    ['Vego 2-thread build ÷ usearch 2-thread build (speed, wall)', ratio(builds['usearch-2'].wall, builds['vego-2'].wall)],
    ['Vego 2-thread build ÷ usearch 2-thread build (CPU)', ratio(builds['usearch-2'].cpu, builds['vego-2'].cpu)],
    ['Vego 1-thread build ÷ hnswlib-node (speed, CPU)', ratio(builds['hnswlib-1'].cpu, builds['vego-1'].cpu)],
    ['longest event-loop stall during addBatchAsync, 1 / 2 threads (ms, wall)', `${buildRows[2][8]} / ${buildRows[3][8]}`],
    ['most CPU between event-loop turns during addBatchAsync, 1 thread (ms)', buildRows[2][9]],
    ['longest event-loop stall during addBatch, 2 threads (ms, wall)', buildRows[1][8]],
  ];

  return {
    tables: [
      {
        title: `Batch search: ${numQueries} queries over ${n} vectors`,
        columns: ['engine', 'threads', 'form', 'QPS (wall)', 'CPU µs/query', 'recall@10', 'speed-up (wall)', 'CPU ratio'],
        rows: searchRows,
        note:
          `Median of ${searchRounds} interleaved rounds; ${availableParallelism()} cores. Speed-up and CPU ratio against the same engine's one-thread batch form ` +
          '(Vego: searchMany with threads 1). CPU is process CPU time (every thread). usearch fixes ef (expansion_search) at construction; hnswlib-node is fed number[] queries.',
      },
      {
        title: `Build: ${n} vectors`,
        columns: ['engine', 'threads', 'form', 'seconds (wall)', 'seconds (CPU)', 'vectors/s (wall)', 'speed-up (wall)', 'CPU ratio', 'longest event-loop stall ms (wall)', 'most CPU ms between event-loop turns', 'recall@10 at ef 64'],
        rows: buildRows,
        note:
          `Median of ${buildRounds} interleaved round(s). Stall (wall): the maximum of perf_hooks.monitorEventLoopDelay (1 ms resolution) while the build ran; ` +
          'on a loaded machine it includes time the thread waited for a core. CPU between turns: process CPU time between two setImmediate ticks (all threads: with 2 threads about twice the calling thread\'s own stretch).',
      },
      { title: 'Summary', columns: ['measure', 'value'], rows: summary },
    ],
    raw: { n, numQueries, dim: DIM, M, efConstruction: EF_CONSTRUCTION, k: K, ef: EF, searches: strip(searches), builds: strip(builds) },
  };
}

/** The timings without the kept indexes and result lists. */
function strip(times) {
  const out = {};
  for (const [name, t] of Object.entries(times)) out[name] = { wall: t.wall, cpu: t.cpu, walls: t.walls, cpus: t.cpus };
  return out;
}

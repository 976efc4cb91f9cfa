// HNSW process memory per vector: a float index (Vego) against hnswlib-node, and a codes-only SQ8
// index (`HNSW.loadFromLance(dir, { vectors: 'disk' })`: the 8-bit codes in memory, the float
// vectors re-read from the saved nodes.lance to re-rank) against the float index, with the recall@10
// the SQ8 index reaches after re-ranking.
//
// Memory: every figure comes from a child process of its own (`--expose-gc`), which first loads the
// libraries and the data in both forms (the flat Float32Array and hnswlib-node's number[] rows, made
// in every child so every child starts from the same V8 heap, and kept alive), runs a GC, reads
// process.memoryUsage(), builds or loads the index, runs 20 searches, runs two GCs and reads it
// again: the figure is the growth of the RSS (everything the process holds: V8 heap, wasm memory,
// typed arrays, native allocations), less any change of the young generation's committed size,
// divided by the number of vectors. Every child runs with a fixed young generation, written once
// before the first reading, and glibc's malloc thresholds raised (see below for why each).
// One-time costs of the first index in a process (compiled JS and wasm code, malloc arenas of V8's
// compiler threads) are inside it; they weigh about 1 KB per vector at 10K and ~100 bytes at 100K.
// `byteLength` is what the index itself counts (typed arrays and wasm memory at their capacity).
//
// Where the growth goes: at each of its two readings the child stops until the parent has read its
// /proc/<pid>/smaps (Linux; the child reads nothing itself, so the figure is unchanged), and the
// parent sorts the growth by mapping (see {@link memoryMaps}): malloc arenas of V8's worker threads
// (TurboFan's and the wasm tier-up's compiler memory: freed after each compile but kept by glibc
// as the thread's high-water mark), pages of the node binary's code paged in (compilers used for
// the first time in the process), the main malloc heap (typed arrays' backing stores, native
// libraries' allocations, Liftoff's compiles on the main thread) and the rest (V8's heap pages,
// JIT code, wasm memories, large mmap'd allocations).
//
// Recall@10: against the exact top 10 of the float index (`searchExact`, the same kernel; a hit is
// a result not farther than the 10th true distance).
// Sets: SIFT-9k and clustered 10K and 100K × 128 (every child), and clustered 50K × 768 (quick: 10K;
// the two load children only: codes-only ÷ float at an embedding model's width).
// Both indexes share one graph (built once, float vectors; the SQ8 one is the same snapshot saved
// with quantization 'sq8'). Timings are not reported: the machine is shared.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v8 from 'node:v8';
import { clusteredData } from '../lib/clustered.mjs';
import { SIFT_DIR, readVecs } from '../lib/data.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);

export const title = 'HNSW memory per vector: float vs hnswlib-node, codes-only SQ8 vs float (RSS growth in child processes), SQ8 recall after re-ranking';

const M = 16;
const EF_CONSTRUCTION = 100;
const SEARCHES = 20;

/**
 * The vectors of a set: `sift` (SIFT-9k base and queries) or `clustered:<n>[:<dim>]` (hnsw-scale's
 * data, 128-d unless a dimension is given).
 */
function dataOf(set, numQueries) {
  if (set === 'sift') {
    const base = readVecs(join(SIFT_DIR, 'base.fvecs'), Float32Array);
    const query = readVecs(join(SIFT_DIR, 'query.fvecs'), Float32Array);
    return { base: base.data, queries: query.data.subarray(0, numQueries * base.dimension), dim: base.dimension };
  }
  const [, count, d] = set.split(':');
  const n = Number(count);
  const dim = d === undefined ? 128 : Number(d);
  const { base, queries } = clusteredData(n, numQueries, dim, 7);
  return { base, queries, dim };
}

/**
 * The children's young generation is fixed at V8's default maximum (two 16 MiB semi-spaces on
 * 64-bit) and written once before the first reading ({@link touchYoungGeneration}): V8 otherwise
 * grows and shrinks it with the allocation rate, and a resize inside the window moved the RSS by
 * up to 31 MiB: a Vego build at 100K, whose garbage triggers scavenges, shrank it by 7 MiB in the
 * suite's earlier form (by 31 MiB once every child made the rows, reading less than its own
 * `byteLength`), while hnswlib-node's build allocates nothing and left it alone. Fixed and
 * resident, it costs neither engine anything inside the window.
 */
const YOUNG_GENERATION_FLAGS = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

/** Writes every page of the young generation: 128 MiB of short-lived 4 KiB arrays (4x its size). */
function touchYoungGeneration() {
  let keep = null;
  for (let i = 0; i < 32768; i++) {
    const a = new Array(510).fill(i);
    if ((i & 1023) === 0) keep = a;
  }
  return keep;
}

/**
 * Committed bytes of V8's young generation (new space), all of it resident since it is written
 * before the first reading. Even at a fixed size V8 uncommits half of it when a scavenge finds the
 * allocation rate low: a Vego build at 100K whose first scavenge came ~18 s in gave back 16.5 MiB
 * inside the window (reading 555 bytes per vector, below its own `byteLength` of 660; 740 when it
 * did not happen), and whether it happens depends on timing. The young generation holds no index:
 * the figure leaves out the change of its committed size, in every child (0 unless V8 resized it).
 * (Its `physical_space_size` fell by twice that, more than the RSS did: not the measure to use.
 * The other half is released moments after the reading, by V8's background unmapper: in one such
 * child the parent's /proc reads taken while the child waited showed the RSS 16 MiB lower than the
 * child's reading, with the same ~71 MB figure either way: reading less the committed-size change,
 * or the later RSS less the physical-size change.)
 */
function youngCommitted() {
  return v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Allocates and frees a buffer just under 32 MiB, after the data is made. glibc serves it by mmap
 * and, when it is freed, raises its mmap threshold to its size and its trim threshold to twice that
 * (the most they rise): below them, memory freed later stays in the process until reused. Every
 * free of a large buffer raises them, so without this their state depended on what the child did
 * first (reading SIFT's 4.6 MB file raised them, making the clustered data did not), and it decides
 * how much of the memory freed inside the window (V8's compiler zones, temporary buffers) the RSS
 * keeps. Any process that has freed a large Buffer is in this state; now every child is. (Raised
 * before the data is made, the data's own freed buffers stayed in glibc's heap, and hnswlib-node's
 * allocations reused them inside the window: 693-1,059 bytes per vector on SIFT-9k.)
 */
function raiseMallocThresholds() {
  let b = Buffer.allocUnsafeSlow(32 * 1024 * 1024 - 64 * 1024);
  b.fill(1);
  b = null;
  return b;
}

/** One byte for {@link pauseForParent} (allocated before the first reading). */
const pauseByte = Buffer.alloc(1);

/**
 * Tells the parent (a line on stdout: pipes are written synchronously on Linux) that the child is
 * at a reading, and blocks until the parent has read its /proc/<pid>/smaps and written one byte.
 */
function pauseForParent(tag) {
  process.stdout.write(`${tag}\n`);
  readSync(0, pauseByte, 0, 1, null);
}

/** Child process: one engine, one way (build or load); prints its memory growth as JSON. */
function memoryChild(kind, set, dir) {
  const gc = getGc();
  const { base, queries, dim } = dataOf(set, SEARCHES);
  const n = base.length / dim;
  const { HNSW } = require('@vego/hnsw');
  const { HierarchicalNSW } = require('hnswlib-node');
  const warm = kind.endsWith('-warm');
  const engine = kind.replace(/-warm$/, '');
  // Every child makes both input forms (hnswlib-node's number[] rows too), whichever engine it
  // runs, so both start from the same V8 heap. Made in the hnswlib-node child only, the rows left
  // its young generation grown and resident before the first reading (32 MiB) and Vego's not
  // (8 MiB, ~4.5 MiB resident): Vego's garbage then made young-generation pages resident inside
  // the window (~1.5-2.5 MiB at 9K), where hnswlib-node's cost nothing.
  const rows = Array.from({ length: n }, (_, i) => Array.from(base.subarray(i * dim, (i + 1) * dim)));
  // Warm: a first index of 1,000 vectors of the same engine is built (and kept) before the first
  // reading, so the figure leaves out the one-time costs of a process's first index.
  let first = null;
  if (warm && engine === 'hnswlib-build') {
    first = new HierarchicalNSW('l2', dim);
    first.initIndex(1000, M, EF_CONSTRUCTION, 2);
    for (let i = 0; i < 1000; i++) first.addPoint(rows[i], i);
    first.setEf(64);
    for (let i = 0; i < SEARCHES; i++) first.searchKnn(rows[i], 10);
  } else if (warm) {
    first = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 2 });
    first.addBatch(base.subarray(0, 1000 * dim));
    for (let i = 0; i < SEARCHES; i++) first.search(queries.subarray(i * dim, (i + 1) * dim), 10, 64);
  }
  // Short-lived garbage until every page of the (fixed-size, see YOUNG_GENERATION_FLAGS) young
  // generation has been written: both engines' windows then start with it resident, whatever
  // the steps above allocated.
  raiseMallocThresholds();
  touchYoungGeneration();
  gc();
  gc();
  const before = process.memoryUsage();
  const youngBefore = youngCommitted();
  pauseForParent('before');
  let index;
  let search;
  if (engine === 'hnswlib-build') {
    index = new HierarchicalNSW('l2', dim);
    index.initIndex(n, M, EF_CONSTRUCTION, 1);
    for (let i = 0; i < n; i++) index.addPoint(rows[i], i);
    index.setEf(64);
    search = (q) => index.searchKnn(Array.from(q), 10);
  } else {
    if (engine === 'float-build') {
      index = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
      index.addBatch(base);
    } else {
      index = HNSW.loadFromLanceSync(dir, kind === 'sq8-disk-load' ? { vectors: 'disk' } : {});
    }
    search = (q) => index.search(q, 10, 64);
  }
  for (let i = 0; i < SEARCHES; i++) search(queries.subarray(i * dim, (i + 1) * dim));
  gc();
  gc();
  const after = process.memoryUsage();
  const youngDelta = youngCommitted() - youngBefore;
  pauseForParent('after');
  // The figure: RSS growth less the change of the young generation's committed size (see youngCommitted).
  const out = { kind, set, n, rssDelta: after.rss - before.rss - youngDelta, rawRssDelta: after.rss - before.rss, youngDelta, heapDelta: after.heapTotal - before.heapTotal, byteLength: index.byteLength ?? null, alive: rows !== null && base !== null && first !== undefined };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** glibc's arena heap size (HEAP_MAX_SIZE on 64-bit): a thread arena is one such aligned reservation. */
const ARENA_BYTES = 64 * 1024 * 1024;

/**
 * Resident bytes of a process by kind of mapping, from /proc/<pid>/smaps (null where there is
 * none): `arenas` (glibc malloc arenas of threads other than the main one: anonymous, 64 MiB
 * aligned, a read-write start and an inaccessible rest adding up to 64 MiB), `nodeCode` (the node
 * binary's mappings), `mainHeap` (the main arena, `[heap]`), `libraries` (other files) and
 * `other` (every other anonymous mapping: V8's heap and code, wasm memories, mmap'd allocations).
 */
function memoryMaps(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  const maps = [];
  let current = null;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head !== null) {
      current = { start: parseInt(head[1], 16), end: parseInt(head[2], 16), perm: head[3], name: head[4], rss: 0 };
      maps.push(current);
    } else if (current !== null && line.startsWith('Rss:')) {
      current.rss = Number(/(\d+) kB/.exec(line)[1]) * 1024;
    }
  }
  const out = { arenas: 0, nodeCode: 0, mainHeap: 0, libraries: 0, other: 0 };
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    const next = maps[i + 1];
    if (m.name === process.execPath) out.nodeCode += m.rss;
    else if (m.name === '[heap]') out.mainHeap += m.rss;
    else if (m.name.startsWith('/')) out.libraries += m.rss;
    else if (m.name === '' && m.perm === 'rw-p' && m.start % ARENA_BYTES === 0 && next !== undefined && next.name === '' && next.perm === '---p' && next.start === m.end && next.end - m.start === ARENA_BYTES) out.arenas += m.rss;
    else out.other += m.rss;
  }
  return out;
}

/** `after − before` for each kind of {@link memoryMaps} (null without /proc). */
function mapsDelta(before, after) {
  if (before === null || after === null) return null;
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - before[k]]));
}

/** Runs one memory child; resolves to its figures, with `maps`: the growth by kind of mapping. */
function measure(kind, set, dir = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...YOUNG_GENERATION_FLAGS, self, '--memory-child', kind, set, dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const readings = {};
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      let nl;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        if (line === 'before' || line === 'after') {
          readings[line] = memoryMaps(child.pid);
          child.stdin.write('x');
        } else if (line.startsWith('{')) {
          const out = JSON.parse(line);
          out.maps = mapsDelta(readings.before ?? null, readings.after ?? null);
          readings.result = out;
        }
      }
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status !== 0 || readings.result === undefined) reject(new Error(`memory child (${kind}, ${set}) failed: ${stderr}`));
      else resolve(readings.result);
    });
  });
}

/** Recall@10 of `search(q)` against `truth` (ids per query; a hit is an id within the 10th true distance). */
function recallOf(results, truthDists) {
  let hits = 0;
  for (let i = 0; i < results.length; i++) {
    const kth = truthDists[i];
    for (const r of results[i]) if (r.distance <= kth * (1 + 1e-6)) hits++;
  }
  return hits / (results.length * 10);
}

const round = (x, digits) => Number(x.toFixed(digits));

export async function run({ quick, log }) {
  const { HNSW } = require('@vego/hnsw');
  // The 768-d set (an embedding model's width) runs the two load children only: it is there for
  // codes-only ÷ float at a width where the 8-bit codes, not the links, are most of the index
  // (at 128-d the int32 links alone are half of a codes-only index).
  const sets = ['sift', 'clustered:10000', 'clustered:100000', quick ? 'clustered:10000:768' : 'clustered:50000:768'];
  const numQueries = quick ? 200 : 1000;
  const efs = [32, 64, 128, 256];
  const memRows = [];
  const breakdownRows = [];
  const recallRows = [];
  const raw = [];
  for (const set of sets) {
    const { base, queries, dim } = dataOf(set, numQueries);
    const n = base.length / dim;
    const nq = queries.length / dim;
    const label = set === 'sift' ? 'SIFT-9k' : `clustered ${n / 1000}K×${dim}`;
    const loadsOnly = dim !== 128;
    log(`${label}: building the shared graph (M=${M}, efC=${EF_CONSTRUCTION})`);
    const float = new HNSW({ dimension: dim, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
    float.addBatch(base, loadsOnly ? { threads: 2 } : {});
    const root = mkdtempSync(join(tmpdir(), 'vego-hnsw-memory-'));
    try {
      const floatDir = join(root, 'float');
      const sq8Dir = join(root, 'sq8');
      float.saveToLanceSync(floatDir);
      const snapshot = float.toSnapshot();
      HNSW.fromSnapshot({ ...snapshot, config: { ...snapshot.config, quantization: 'sq8' } }).saveToLanceSync(sq8Dir);
      const disk = HNSW.loadFromLanceSync(sq8Dir, { vectors: 'disk' });
      // Exact answers: the float index's brute force.
      const truth = [];
      for (let i = 0; i < nq; i++) truth.push(float.searchExact(queries.subarray(i * dim, (i + 1) * dim), 10)[9].distance);
      const recall = { ef: {}, n, nq };
      for (const ef of efs) {
        const f = [];
        const d = [];
        for (let i = 0; i < nq; i++) {
          const q = queries.subarray(i * dim, (i + 1) * dim);
          f.push(float.search(q, 10, ef));
          d.push(disk.search(q, 10, ef));
        }
        const rf = recallOf(f, truth);
        const rd = recallOf(d, truth);
        recall.ef[ef] = { float: rf, sq8Disk: rd };
        recallRows.push([label, ef, round(rf, 4), round(rd, 4)]);
      }
      log(`${label}: recall@10 at ef ${efs.join('/')}: float ${efs.map((e) => recall.ef[e].float.toFixed(4)).join('/')}, SQ8 codes-only ${efs.map((e) => recall.ef[e].sq8Disk.toFixed(4)).join('/')}`);
      log(`${label}: memory children`);
      const skipped = { rssDelta: NaN, rawRssDelta: NaN, byteLength: null, maps: null };
      const mem = {
        floatBuild: loadsOnly ? skipped : await measure('float-build', set),
        hnswlibBuild: loadsOnly ? skipped : await measure('hnswlib-build', set),
        floatBuildWarm: loadsOnly ? skipped : await measure('float-build-warm', set),
        hnswlibBuildWarm: loadsOnly ? skipped : await measure('hnswlib-build-warm', set),
        floatLoad: await measure('float-load', set, floatDir),
        sq8DiskLoad: await measure('sq8-disk-load', set, sq8Dir),
      };
      const per = (m) => (Number.isNaN(m.rssDelta) ? '—' : Math.round(m.rssDelta / n));
      const ratio = (a, b) => (Number.isNaN(a.rssDelta) ? '—' : round(a.rssDelta / b.rssDelta, 2));
      memRows.push([
        label,
        per(mem.floatBuild),
        per(mem.hnswlibBuild),
        ratio(mem.floatBuild, mem.hnswlibBuild),
        per(mem.floatBuildWarm),
        per(mem.hnswlibBuildWarm),
        ratio(mem.floatBuildWarm, mem.hnswlibBuildWarm),
        per(mem.floatLoad),
        per(mem.sq8DiskLoad),
        ratio(mem.sq8DiskLoad, mem.floatLoad),
        Math.round(mem.floatLoad.byteLength / n),
        Math.round(mem.sq8DiskLoad.byteLength / n),
      ]);
      const kib = (x) => Math.round(x / 1024);
      for (const [child, m] of [['Vego float, built', mem.floatBuild], ['hnswlib-node, built', mem.hnswlibBuild], ['Vego, after a warm-up index', mem.floatBuildWarm], ['hnswlib-node, after a warm-up index', mem.hnswlibBuildWarm], ['Vego float, loaded', mem.floatLoad], ['SQ8 codes-only, loaded', mem.sq8DiskLoad]]) {
        if (m.maps === null) continue;
        breakdownRows.push([label, child, kib(m.rawRssDelta), m.byteLength === null ? '—' : kib(m.byteLength), kib(m.maps.arenas), kib(m.maps.nodeCode), kib(m.maps.mainHeap), kib(m.maps.other), kib(m.maps.libraries)]);
      }
      if (!loadsOnly && mem.floatBuild.maps !== null) {
        const b = mem.floatBuild.maps;
        log(`${label}: cold Vego build by mapping (KiB): thread arenas ${kib(b.arenas)}, node code ${kib(b.nodeCode)}, main heap ${kib(b.mainHeap)}, other anonymous ${kib(b.other)}, libraries ${kib(b.libraries)}`);
      }
      if (!loadsOnly) log(`${label}: bytes per vector: float build ${per(mem.floatBuild)}, hnswlib ${per(mem.hnswlibBuild)} (warm ${per(mem.floatBuildWarm)} / ${per(mem.hnswlibBuildWarm)}), float load ${per(mem.floatLoad)}, SQ8 codes-only ${per(mem.sq8DiskLoad)}`);
      raw.push({ set: label, recall, memory: mem });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return {
    tables: [
      {
        title: 'Process memory per vector (RSS growth in a child process, bytes)',
        columns: ['set', 'Vego float, built', 'hnswlib-node, built', 'Vego ÷ hnswlib', 'Vego, built after a warm-up index', 'hnswlib-node, after a warm-up index', 'Vego ÷ hnswlib (warm)', 'Vego float, loaded', 'SQ8 codes-only, loaded', 'codes-only ÷ float', 'float byteLength', 'codes-only byteLength'],
        rows: memRows,
        note:
          `M=${M}, efConstruction=${EF_CONSTRUCTION}; each figure from its own child process: growth of the RSS from after the library was loaded to after the build or load and ${SEARCHES} searches (two GCs), less any change of the committed size of V8's young generation, divided by n. ` +
          'Every child first makes the data in both engines\' input forms, runs with a fixed young generation written once before the first reading, and frees a 32 MiB buffer (glibc\'s mmap and trim thresholds at their maximum), so all start from the same V8 heap and malloc state. Warm: the child first builds (and keeps) a 1,000-vector index of the same engine, so the one-time costs of a first index are left out. Built: addBatch of all vectors (hnswlib-node: initIndex(n) and addPoint per row). Loaded: HNSW.loadFromLanceSync of the same graph; codes-only: with `vectors: \'disk\'` (an SQ8 save). ' +
          'The first index in a process also pays one-time costs (compiled code, malloc arenas of compiler threads), which weigh most at 10K. ' +
          'The 768-d set (an embedding model\'s width) runs the load children only (—: not run); its shared graph is built with two threads.',
      },
      {
        title: 'Process memory by kind of mapping: where a child\'s RSS growth goes (KiB)',
        columns: ['set', 'child', 'RSS growth', 'index byteLength', 'malloc arenas of V8\'s worker threads', 'node binary\'s code', 'main malloc heap', 'other anonymous memory', 'other files'],
        rows: breakdownRows,
        note:
          'The children of the table above, their RSS growth (the child\'s own reading, here with any change of the young generation left in) split by mapping, from /proc/<pid>/smaps read by the parent while the child waits at each reading; the parts add up to the growth within ~0.2 MiB, except where V8 gave back young-generation pages between the two reads (up to 16 MiB at 100K). ' +
          'Worker-thread arenas: malloc memory of V8\'s background threads, where TurboFan optimises JS functions and tiers up hot wasm functions; each compile frees its memory, but glibc keeps each thread\'s arena at its high-water mark. ' +
          'Node binary\'s code: pages of the compilers and the wasm decoder that the process runs for the first time. Main malloc heap: typed arrays\' backing stores, native addons\' allocations (all of hnswlib-node\'s index), Liftoff compiles. ' +
          'Other anonymous memory: V8\'s heap pages and JIT code, wasm memories (Vego\'s vectors and layer-0 links), large mmap\'d allocations.',
      },
      {
        title: 'Recall@10 of the codes-only SQ8 index after re-ranking, against the float index on the same graph',
        columns: ['set', 'ef', 'float', 'SQ8 codes-only (re-ranked from disk)'],
        rows: recallRows,
        note: `${numQueries} queries (SIFT-9k: its first ${numQueries}); exact top 10 from the float index's searchExact. The SQ8 walk keeps ef candidates by code distance, all re-ranked with the float vectors read from nodes.lance.`,
      },
    ],
    raw,
  };
}

if (process.argv[2] === '--memory-child') memoryChild(process.argv[3], process.argv[4], process.argv[5]);

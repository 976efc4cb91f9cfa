// Vego HNSW demo: build an index with a progress line, save it as Lance datasets, reload it, query
// the reloaded index and compare with brute force. Uses SIFT-9k from ../shared when present, else
// generated clustered vectors. Runs via `pnpm demo`; `node examples/demo.mjs [out-dir]` keeps the files.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HNSW } from '@vego/hnsw';
// The repository's seeded generator and TEXMEX reader (a private workspace package, not part of Vego).
import { readFvecs, seededRandom } from '@vego/test-support';

const here = dirname(fileURLToPath(import.meta.url));
const siftDir = join(here, '../../shared/datasets/sift-9k');
const K = 10;

/** Seeded clustered vectors, for when the SIFT files are absent. */
function generated(n, dimension, seed) {
  const rand = seededRandom(seed);
  const centres = Array.from({ length: 50 }, () => Float32Array.from({ length: dimension }, () => rand() * 2 - 1));
  const data = new Float32Array(n * dimension);
  for (let i = 0; i < n; i++) {
    const c = centres[Math.floor(rand() * centres.length)];
    for (let j = 0; j < dimension; j++) data[i * dimension + j] = c[j] + (rand() - 0.5) * 0.4;
  }
  return { dimension, length: n, data };
}

let base;
let queries;
if (existsSync(join(siftDir, 'base.fvecs'))) {
  base = readFvecs(join(siftDir, 'base.fvecs'));
  queries = readFvecs(join(siftDir, 'query.fvecs'));
  console.log(`data: SIFT-9k, ${base.length} base vectors, ${queries.length} queries, ${base.dimension} dimensions`);
} else {
  const all = generated(11_000, 64, 7);
  base = { dimension: 64, length: 10_000, data: all.data.subarray(0, 10_000 * 64) };
  queries = { dimension: 64, length: 1000, data: all.data.subarray(10_000 * 64) };
  console.log(`data: generated clusters, ${base.length} base vectors, ${queries.length} queries, 64 dimensions`);
}
const dim = base.dimension;

const index = new HNSW({ dimension: dim, adaptive: true, expectedSize: base.length });
console.log(`index: M=${index.config.M}, efConstruction=${index.config.efConstruction}, distance=${index.config.distance}`);
let lastDone = 0;
const started = performance.now();
index.addBatch(base.data, {
  threads: 2,
  onProgress: (done, total) => {
    const pct = Math.round((100 * done) / total);
    // Redraw in place on a terminal; in a log, one line per quarter.
    if (process.stdout.isTTY) process.stdout.write(`\rbuilding ${done}/${total} (${pct}%)`);
    else if (Math.floor((4 * done) / total) > Math.floor((4 * lastDone) / total)) console.log(`building ${done}/${total} (${pct}%)`);
    lastDone = done;
  },
});
const buildSeconds = (performance.now() - started) / 1000;
process.stdout.write(`${process.stdout.isTTY ? '\r' : ''}built ${index.size} vectors in ${buildSeconds.toFixed(2)} s (${Math.round(index.size / buildSeconds)} vectors/s, 2 threads)\n`);

// Save as three Lance datasets (nodes, connections, metadata), then reload and use the copy.
const outDir = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'vego-demo-')), 'sift-index');
let t = performance.now();
await index.saveToLance(outDir);
console.log(`saved to ${outDir} in ${(performance.now() - t).toFixed(0)} ms: ${readdirSync(outDir).sort().join(', ')} (LanceDB opens these as tables)`);
t = performance.now();
const loaded = await HNSW.loadFromLance(outDir);
console.log(`reloaded ${loaded.size} vectors in ${(performance.now() - t).toFixed(0)} ms; searching the reloaded index`);

function l2(a, ao, b, bo) {
  let s = 0;
  for (let i = 0; i < dim; i++) {
    const d = a[ao + i] - b[bo + i];
    s += d * d;
  }
  return s;
}

// Brute-force k-th distance per query (ties count as hits).
const kth = new Float64Array(queries.length);
for (let q = 0; q < queries.length; q++) {
  const dists = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) dists[i] = l2(base.data, i * dim, queries.data, q * dim);
  dists.sort();
  kth[q] = dists[K - 1];
}

for (const ef of [16, 32, 64, 128]) {
  const latencies = new Float64Array(queries.length);
  let hits = 0;
  const t0 = performance.now();
  for (let q = 0; q < queries.length; q++) {
    const t = performance.now();
    const results = loaded.search(queries.data.subarray(q * dim, (q + 1) * dim), K, ef);
    latencies[q] = performance.now() - t;
    for (const r of results) if (r.distance <= kth[q]) hits++;
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort();
  const p50 = latencies[latencies.length >> 1] * 1000;
  console.log(`ef=${String(ef).padStart(3)}  recall@${K} ${(hits / (queries.length * K)).toFixed(4)}  p50 ${p50.toFixed(1)} µs  ${Math.round(queries.length / seconds)} QPS`);
}

const filtered = loaded.search(queries.data.subarray(0, dim), 5, { filter: (id) => id % 100 === 0 });
console.log(`filtered search (ids divisible by 100): ${filtered.map((r) => r.id).join(', ')}`);

// The reloaded index answers exactly as the one that was saved.
for (let q = 0; q < 50; q++) {
  const query = queries.data.subarray(q * dim, (q + 1) * dim);
  const a = index.search(query, K, 64);
  const b = loaded.search(query, K, 64);
  if (a.length !== b.length || a.some((r, i) => r.id !== b[i].id || r.distance !== b[i].distance)) throw new Error(`query ${q}: reloaded index answers differently`);
}
console.log('reloaded index answers identically to the saved one (50 queries checked)');
if (process.argv[2] === undefined) rmSync(dirname(outDir), { recursive: true, force: true });
else console.log(`files kept in ${outDir}; try: node packages/cli/dist/bin.js inspect ${outDir}`);

// @vego/db: documents with five metadata fields, beside LanceDB (its own tables, prefiltered flat
// search), vectra (file-backed, brute force, Pinecone-style filters) and hnswlib-node's filter
// callback, on the same clustered 128-d vectors (cosine), in one run. Measured: insert throughput
// (documents with metadata, to disk), filtered search QPS and recall@10 against exact filtered
// search at 50 %, 10 %, 1 % and 0.1 % selectivity, memory per document, and the longest
// event-loop stall of each engine during its insert and during its searches. Quick mode 5,000
// documents, --all 100,000.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../lib/data.mjs';
import { getGc } from '../lib/gc.mjs';
import { clusteredData } from '../lib/clustered.mjs';

const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);

export const title = '@vego/db: documents with metadata, filtered search, vs LanceDB, vectra and hnswlib-node';

const DIM = 128;
const K = 10;
const ROUNDS = 5;
const CATEGORIES = ['news', 'blog', 'paper', 'code', 'chat', 'mail', 'wiki', 'book', 'note', 'task'];
const SELECTIVITY = [[0.5, 500], [0.1, 100], [0.01, 10], [0.001, 1]];

function documents(n, base) {
  const rand = seededRandom(99);
  const docs = new Array(n);
  for (let i = 0; i < n; i++) {
    docs[i] = {
      key: `doc-${i}`,
      vector: base.subarray(i * DIM, (i + 1) * DIM),
      metadata: {
        category: CATEGORIES[Math.floor(rand() * CATEGORIES.length)],
        year: 2000 + Math.floor(rand() * 25),
        price: Math.round(rand() * 10000) / 100,
        active: rand() < 0.5,
        bucket: Math.floor(rand() * 1000),
      },
    };
  }
  return docs;
}

/** Cosine distance 1 − cos, float64. */
function cosineDistance(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j] * b[j];
    na += a[j] * a[j];
    nb += b[j] * b[j];
  }
  return 1 - dot / Math.sqrt(na * nb);
}

/** Exact top-k keys among the documents with bucket < below, for each query. */
function groundTruth(docs, queries, below) {
  const allowed = docs.filter((d) => d.metadata.bucket < below);
  return queries.map((q) => allowed.map((d) => [d.key, cosineDistance(q, d.vector)]).sort((a, b) => a[1] - b[1]).slice(0, K).map((x) => x[0]));
}

function recallOf(results, truth) {
  let hits = 0;
  let total = 0;
  results.forEach((keys, i) => {
    const t = new Set(truth[i]);
    total += t.size;
    for (const k of keys) if (t.has(k)) hits++;
  });
  return total === 0 ? 1 : hits / total;
}

/**
 * Longest gap between 1 ms timer ticks while `fn` runs (event-loop stall, wall clock), and the most
 * CPU time the process used within one gap (user + system, all threads): on a busy machine a gap
 * also holds time the process was not scheduled, which the CPU figure leaves out.
 */
async function withStallMeter(fn) {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let worst = 0;
  let worstCpu = 0;
  const tick = () => {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    if (t - last > worst) worst = t - last;
    if (cpuMs > worstCpu) worstCpu = cpuMs;
    last = t;
    lastCpu = cpu;
  };
  const timer = setInterval(tick, 1);
  try {
    const result = await fn();
    tick();
    return { result, stallMs: worst, stallCpuMs: worstCpu };
  } finally {
    clearInterval(timer);
  }
}

/** RSS and V8 heap in use, in bytes (call after a GC). */
function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** A memory row: bytes per document of RSS growth and of V8 heap growth since `before`. */
function memoryRow(label, before, n) {
  const now = memory();
  return [label, Math.round((now.rss - before.rss) / n), Math.round((now.heap - before.heap) / n)];
}

export async function run({ quick, log }) {
  const n = quick ? 5_000 : 100_000;
  const load = os.loadavg()[0];
  const numQueries = quick ? 50 : 200;
  const gc = getGc();
  const { base, queries: flatQueries } = clusteredData(n, numQueries, DIM, 21);
  const docs = documents(n, base);
  const queries = Array.from({ length: numQueries }, (_, i) => flatQueries.subarray(i * DIM, (i + 1) * DIM));
  const truths = SELECTIVITY.map(([, below]) => groundTruth(docs, queries, below));
  const root = mkdtempSync(join(os.tmpdir(), 'vego-bench-db-'));
  const insertRows = [];
  const searchRows = [];
  const memoryRows = [];
  const raw = { n, numQueries };
  try {
    // ---------------------------------------------------------------- Vego
    const { Database } = await import('@vego/db');
    gc();
    const mem0 = memory();
    const db = await Database.open(join(root, 'vego'));
    const c = await db.createCollection('docs', { dimension: DIM, distance: 'cosine', schema: { category: 'string', year: 'integer', price: 'float', active: 'boolean', bucket: 'integer' } });
    let t = performance.now();
    const ins = await withStallMeter(() => c.insertMany(docs));
    const vegoInsertS = (performance.now() - t) / 1000;
    gc();
    const vegoMemory = memoryRow('Vego: growth across the insert (collection open)', mem0, n);
    insertRows.push(['Vego (@vego/db)', n, Number(vegoInsertS.toFixed(2)), Math.round(n / vegoInsertS), Number(ins.stallMs.toFixed(1)), Number(ins.stallCpuMs.toFixed(1))]);
    log(`vego: inserted ${n} in ${vegoInsertS.toFixed(2)} s, longest stall ${ins.stallMs.toFixed(1)} ms (most CPU in one gap ${ins.stallCpuMs.toFixed(1)} ms)`);
    memoryRows.push(['Vego: collection.byteLength (typed arrays: the index with its vectors, columns)', Math.round(c.byteLength / n), '']);
    memoryRows.push(vegoMemory);
    let searchStall = 0;
    let searchStallCpu = 0;
    for (let s = 0; s < SELECTIVITY.length; s++) {
      const [sel, below] = SELECTIVITY[s];
      const filter = `bucket < ${below}`;
      await c.searchMany(queries.slice(0, 5), K, { filter });
      // Best of ROUNDS rounds: a round of fast queries is short enough for one GC or a busy
      // neighbour process to distort it.
      let sec = Infinity;
      let r;
      for (let round = 0; round < ROUNDS; round++) {
        t = performance.now();
        r = await withStallMeter(() => c.searchMany(queries, K, { filter, select: [] }));
        sec = Math.min(sec, (performance.now() - t) / 1000);
        searchStall = Math.max(searchStall, r.stallMs);
        searchStallCpu = Math.max(searchStallCpu, r.stallCpuMs);
      }
      const recall = recallOf(r.result.map((hits) => hits.map((h) => h.key)), truths[s]);
      searchRows.push([`${sel * 100} %`, 'Vego', Number(recall.toFixed(4)), Math.round(numQueries / sec), Number(r.stallMs.toFixed(1))]);
      log(`vego ${sel}: recall ${recall.toFixed(4)}, ${Math.round(numQueries / sec)} QPS`);
    }
    raw.vegoSearchStallMs = searchStall;
    raw.vegoSearchStallCpuMs = searchStallCpu;
    // Reading documents back. A persisted cosine collection keeps the vectors as given only in its
    // dataset (the index holds them normalised): a read that selects them takes their rows.
    const readRows = [];
    const pick = (count, seed) => {
      let x = seed;
      return Array.from({ length: count }, () => docs[(x = (x * 1103515245 + 12345) >>> 0) % n].key);
    };
    const timeEach = async (keys, fn) => {
      const t0 = performance.now();
      for (const key of keys) await fn(key);
      return ((performance.now() - t0) * 1000) / keys.length;
    };
    await timeEach(pick(50, 1), (key) => c.get(key, { select: ['vector'] }));
    const one = pick(500, 2);
    readRows.push(['get, metadata and text (default select; from memory)', Number((await timeEach(one, (key) => c.get(key))).toFixed(1))]);
    readRows.push(['get with the vector (select: [\'vector\']; one row read from the dataset)', Number((await timeEach(one, (key) => c.get(key, { select: ['vector'] }))).toFixed(1))]);
    const many = pick(1000, 3);
    t = performance.now();
    const gotMany = await c.getMany(many, { select: ['vector'] });
    readRows.push(['getMany of 1,000 keys with their vectors (one read of their rows), per document', Number((((performance.now() - t) * 1000) / many.length).toFixed(1))]);
    for (let i = 0; i < many.length; i++) {
      const want = docs[Number(many[i].slice(4))].vector;
      if (!gotMany[i].vector.every((x, j) => Object.is(x, want[j]))) throw new Error(`getMany: the vector of ${many[i]} differs from the one inserted`);
    }
    raw.readRows = readRows;
    await db.close();
    // Opening the saved collection in a fresh process: time, and the RSS at its peak and after.
    const opened = spawnSync(process.execPath, ['--expose-gc', self, '--open-child', join(root, 'vego')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (opened.status !== 0) throw new Error(`open child failed: ${opened.stderr}`);
    const open = JSON.parse(opened.stdout.trim().split('\n').pop());
    if (open.size !== n) throw new Error(`the reopened collection holds ${open.size} documents, not ${n}`);
    raw.open = open;
    log(`vego: open of the saved collection ${open.ms.toFixed(0)} ms, RSS peak +${(open.peak / 2 ** 20).toFixed(1)} MiB, after +${(open.after / 2 ** 20).toFixed(1)} MiB`);

    // Memory at an embedding model's width (768-d): one copy of the vectors, except an in-memory
    // cosine collection, which keeps the vectors as given beside the index's normalised ones.
    const WIDE_DIM = 768;
    const wide = quick ? 2_000 : 20_000;
    const { base: wideBase } = clusteredData(wide, 1, WIDE_DIM, 23);
    const wideRows = [];
    for (const [distance, persisted] of [['cosine', true], ['l2', true], ['cosine', false]]) {
      gc();
      const m0 = memory();
      const wdb = persisted ? await Database.open(join(root, `wide-${distance}`)) : Database.memory();
      const wc = await wdb.createCollection('wide', { dimension: WIDE_DIM, distance });
      await wc.insertMany(Array.from({ length: wide }, (_, i) => ({ key: `w${i}`, vector: wideBase.subarray(i * WIDE_DIM, (i + 1) * WIDE_DIM) })));
      gc();
      const rss = Math.round((memory().rss - m0.rss) / wide);
      wideRows.push([`${distance}, ${persisted ? 'persisted' : 'in memory'}`, Math.round(wc.byteLength / wide), rss, WIDE_DIM * 4]);
      log(`vego ${WIDE_DIM}-d ${distance} ${persisted ? 'persisted' : 'in memory'}: byteLength ${Math.round(wc.byteLength / wide)} B/doc, RSS growth ${rss} B/doc`);
      await wdb.close();
    }
    raw.wideRows = wideRows;
    raw.wide = wide;

    // The same insert with each batch's vectors linked by two worker threads (`threads: 2`).
    gc();
    const dbThreads = await Database.open(join(root, 'vego-threads'));
    const ct = await dbThreads.createCollection('docs', { dimension: DIM, distance: 'cosine', schema: { category: 'string', year: 'integer', price: 'float', active: 'boolean', bucket: 'integer' } });
    t = performance.now();
    const insThreads = await withStallMeter(() => ct.insertMany(docs, { threads: 2 }));
    const threadsS = (performance.now() - t) / 1000;
    // Checked: unfiltered recall@10 against exact search, as for the one-thread collection.
    const threadHits = await ct.searchMany(queries, K, { select: [] });
    const threadRecall = recallOf(threadHits.map((hits) => hits.map((h) => h.key)), groundTruth(docs, queries, 1000));
    if (threadRecall < 0.95) throw new Error(`threaded insert: recall@10 ${threadRecall}`);
    insertRows.push(['Vego (@vego/db), `threads: 2`', n, Number(threadsS.toFixed(2)), Math.round(n / threadsS), Number(insThreads.stallMs.toFixed(1)), Number(insThreads.stallCpuMs.toFixed(1))]);
    raw.vegoThreadsRecall = threadRecall;
    log(`vego threads: 2: inserted ${n} in ${threadsS.toFixed(2)} s (recall@10 ${threadRecall.toFixed(4)}), longest stall ${insThreads.stallMs.toFixed(1)} ms`);
    await dbThreads.close();

    // ---------------------------------------------------------------- LanceDB
    try {
      const lancedb = require('@lancedb/lancedb');
      gc();
      gc();
      const r0 = memory();
      const rows = docs.map((d) => ({ key: d.key, vector: Array.from(d.vector), ...d.metadata }));
      const conn = await lancedb.connect(join(root, 'lancedb'));
      t = performance.now();
      const created = await withStallMeter(() => conn.createTable('docs', rows));
      const table = created.result;
      const sec = (performance.now() - t) / 1000;
      insertRows.push(['LanceDB 0.39 (no vector index: flat search)', n, Number(sec.toFixed(2)), Math.round(n / sec), Number(created.stallMs.toFixed(1)), Number(created.stallCpuMs.toFixed(1))]);
      for (let s = 0; s < SELECTIVITY.length; s++) {
        const [sel, below] = SELECTIVITY[s];
        const filter = `bucket < ${below}`;
        const out = [];
        const q0 = queries.map((q) => Array.from(q));
        t = performance.now();
        const searched = await withStallMeter(async () => {
          for (const q of q0) out.push((await table.search(q).distanceType('cosine').where(filter).limit(K).select(['key', '_distance']).toArray()).map((x) => x.key));
        });
        const qs = (performance.now() - t) / 1000;
        const recall = recallOf(out, truths[s]);
        searchRows.push([`${sel * 100} %`, 'LanceDB (prefilter, flat)', Number(recall.toFixed(4)), Math.round(numQueries / qs), Number(searched.stallMs.toFixed(1))]);
        log(`lancedb ${sel}: recall ${recall.toFixed(4)}, ${Math.round(numQueries / qs)} QPS`);
      }
      gc();
      rows.length = 0;
      gc();
      memoryRows.push(memoryRow('LanceDB: growth with the table open, after searches', r0, n));
    } catch (e) {
      log(`lancedb skipped: ${e.message}`);
    }

    // ---------------------------------------------------------------- vectra
    try {
      const { LocalIndex } = require('vectra');
      gc();
      gc();
      const r0 = memory();
      const items = docs.map((d) => ({ id: d.key, vector: Array.from(d.vector), metadata: d.metadata }));
      const index = new LocalIndex(join(root, 'vectra'));
      await index.createIndex();
      t = performance.now();
      const inserted = await withStallMeter(() => index.batchInsertItems(items));
      const sec = (performance.now() - t) / 1000;
      insertRows.push(['vectra 0.15', n, Number(sec.toFixed(2)), Math.round(n / sec), Number(inserted.stallMs.toFixed(1)), Number(inserted.stallCpuMs.toFixed(1))]);
      for (let s = 0; s < SELECTIVITY.length; s++) {
        const [sel, below] = SELECTIVITY[s];
        const out = [];
        const qn = Math.min(numQueries, quick ? 50 : 20);
        const q0 = queries.slice(0, qn).map((q) => Array.from(q));
        t = performance.now();
        const searched = await withStallMeter(async () => {
          for (const q of q0) out.push((await index.queryItems(q, '', K, { bucket: { $lt: below } })).map((x) => x.item.id));
        });
        const qs = (performance.now() - t) / 1000;
        const recall = recallOf(out, truths[s].slice(0, qn));
        searchRows.push([`${sel * 100} %`, 'vectra (brute force)', Number(recall.toFixed(4)), Math.round(qn / qs), Number(searched.stallMs.toFixed(1))]);
      }
      gc();
      items.length = 0;
      gc();
      memoryRows.push(memoryRow('vectra: growth with the index loaded, after searches', r0, n));
    } catch (e) {
      log(`vectra skipped: ${e.message}`);
    }

    // ---------------------------------------------------------------- hnswlib-node
    try {
      const { HierarchicalNSW } = require('hnswlib-node');
      const h = new HierarchicalNSW('cosine', DIM);
      h.initIndex(n, 16, 200, 42);
      for (let i = 0; i < n; i++) h.addPoint(Array.from(docs[i].vector), i);
      h.setEf(64);
      const buckets = Int32Array.from(docs, (d) => d.metadata.bucket);
      for (let s = 0; s < SELECTIVITY.length; s++) {
        const [sel, below] = SELECTIVITY[s];
        const out = [];
        const qa = queries.map((q) => Array.from(q));
        let qs = Infinity;
        for (let round = 0; round < ROUNDS; round++) {
          out.length = 0;
          t = performance.now();
          for (const q of qa) {
            const r = h.searchKnn(q, K, (label) => buckets[label] < below);
            out.push(r.neighbors.map((i) => docs[i].key));
          }
          qs = Math.min(qs, (performance.now() - t) / 1000);
        }
        const recall = recallOf(out, truths[s]);
        // Synchronous calls in a loop: the whole batch blocks the event loop (no stall column).
        searchRows.push([`${sel * 100} %`, 'hnswlib-node (filter callback, ef=64)', Number(recall.toFixed(4)), Math.round(numQueries / qs), '']);
      }
    } catch (e) {
      log(`hnswlib-node skipped: ${e.message}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    tables: [
      {
        title: `Insert ${n.toLocaleString('en')} documents (128-d + 5 metadata fields) to disk`,
        columns: ['engine', 'documents', 'seconds', 'documents/s', 'longest event-loop stall ms', 'most CPU ms in one stall'],
        rows: insertRows,
        note: `Longest event-loop stall: the longest gap between 1 ms timer ticks (wall clock) during the insert, which on a shared machine includes time the process was not scheduled (1-minute load average at the start of this run: ${load.toFixed(1)} on ${os.cpus().length} cores); the next column is the most CPU time (user + system, all threads, so thread-pool I/O counts too) the process used within one gap. ` + 'Vego: one insertMany (commits of 2,000 rows, HNSW M=16, efConstruction=200, index saved once at the end, all fsynced); with `threads: 2` each commit’s new vectors are linked by two worker threads (hnsw’s addBatchAsync) instead of in slices on the main thread (its unfiltered recall@10 against exact search: ' + (raw.vegoThreadsRecall ?? 0).toFixed(3) + '). LanceDB: createTable with every row (no vector index is built: its searches scan; its work runs on native threads). vectra: batchInsertItems (brute-force index, one JSON file).',
      },
      {
        title: `Filtered search, k=10, cosine: recall@10 against exact filtered search and QPS (${numQueries} queries)`,
        columns: ['selectivity', 'engine', 'recall@10', 'QPS', 'longest event-loop stall ms'],
        rows: searchRows,
        note: `Filter bucket < b on a uniform integer field in 0…999. Longest event-loop stall: as in the insert table, over the row's batch of queries (Vego: the worst of its rounds). Vego: searchMany with a where string (default ef 64; exact scan of the matches when at most ${1024} or under 2 % of the collection match; from 30 % a post-filtered wider search; between them the cheaper by estimate of a walk with the filter bitset and an exact scan of the matches with the SIMD kernel). Longest event-loop stall during Vego's search batches: ${raw.vegoSearchStallMs?.toFixed(1)} ms (most CPU in one: ${raw.vegoSearchStallCpuMs?.toFixed(1)} ms). Vego and hnswlib-node: best of ${ROUNDS} rounds; LanceDB and vectra: one round (vectra on at most ${quick ? 50 : 20} queries per row).`,
      },
      {
        title: `Reading documents back from the persisted cosine collection of ${n.toLocaleString('en')} (µs per document)`,
        columns: ['read', 'µs per document'],
        rows: raw.readRows ?? [],
        note: 'The collection above, after its searches; keys drawn at random, each read awaited before the next. Under cosine the index holds the vectors normalised, so a persisted collection keeps the vectors as given only in its dataset: a read that selects them takes their rows from the data files (here in the page cache), and runs after any write queued before it. Under l2 and innerProduct the index stores them as given and such reads come from memory.',
      },
      {
        title: `Memory per document at ${768}-d (${(raw.wide ?? 0).toLocaleString('en')} documents, vectors only, M=16)`,
        columns: ['collection', 'byteLength bytes per document', 'RSS growth bytes per document', 'the vector alone (float32)'],
        rows: raw.wideRows ?? [],
        note: 'Each collection made in turn in this process (insertMany of clustered 768-d vectors, no metadata), byteLength after the insert (allocated capacity: the index\'s WebAssembly memory grows ahead of its rows, and pages never written are not resident); RSS growth from before it was made, after a GC (noisy: memory freed by the previous collection is reused). Persisted collections (l2: the index stores the vectors as given; cosine: normalised, the vectors as given stay in the dataset) hold each vector once, in the index; an in-memory cosine collection also keeps the vectors as given (nothing else holds them).',
      },
      {
        title: 'Memory per document (bytes)',
        columns: ['measure', 'RSS bytes per document', 'V8 heap bytes per document'],
        rows: raw.open === undefined ? memoryRows : [
          ...memoryRows.slice(0, 2),
          [`Vego: opening the saved collection in a fresh process (${Math.round(raw.open.ms)} ms): peak RSS growth`, Math.round(raw.open.peak / n), ''],
          ['Vego: the same, RSS growth once open (after a GC)', Math.round(raw.open.after / n), ''],
          ...memoryRows.slice(2),
        ],
        note: 'Growth measured after a GC, from before the input was built in the form each engine takes (Vego: the Float32Array documents all engines share; LanceDB and vectra: their number[] rows, dropped before the second reading, so only what the engine keeps counts). RSS counts native, WebAssembly and typed-array memory and V8 heap pages; the heap column counts JS objects (vectra keeps its items as JS objects, LanceDB its data natively). byteLength counts Vego\'s typed arrays (each vector once, in the index: normalised under cosine, so a persisted cosine collection reads the vectors as given from its dataset when asked; before this build the collection also held them as given, in 4,096-row chunks), not key and text strings. RSS can shrink when the allocator returns pages, so small or negative figures are noise.',
      },
    ],
    raw,
  };
}

/**
 * In a child process of its own: opens the collection `docs` of the database at `dir`, sampling
 * the RSS every millisecond meanwhile, and writes the time, the peak RSS growth and the growth once
 * open (after two GCs) as one JSON line.
 */
async function openChild(dir) {
  const { Database } = await import('@vego/db');
  const gc = getGc();
  gc();
  gc();
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 1);
  const t = performance.now();
  const db = await Database.open(dir);
  const c = await db.openCollection('docs');
  const ms = performance.now() - t;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  gc();
  gc();
  process.stdout.write(JSON.stringify({ ms, peak: peak - rss0, after: process.memoryUsage.rss() - rss0, size: c.size }) + '\n');
  await db.close();
}

if (process.argv[1] === self && process.argv[2] === '--open-child') await openChild(process.argv[3]);

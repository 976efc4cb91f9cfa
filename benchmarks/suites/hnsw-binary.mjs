// Binary vectors: Vego's HNSW over bit-packed Uint8Array vectors (Hamming, Jaccard) beside usearch's
// binary index (b1 quantisation, metric hamming / tanimoto, dimensions in bits) on the same data, in
// the same process. Two data shapes:
// - "fingerprints": 1024-bit sparse vectors (12 % of bits set) around 500 random centres, each bit
//   of a member flipped with probability 3 %, as chemical or perceptual-hash fingerprints cluster;
//   queried under Hamming and under Jaccard/Tanimoto;
// - "uniform": uniform random 256-bit vectors (every distance near 128: a high intrinsic dimension,
//   the hard case), under Hamming.
// M=16, efConstruction=128, k=10, one query per call, one thread for both engines.
//
// The machine this runs on is shared, so every figure is CPU time (process.cpuUsage, user +
// system) rather than wall time: builds are timed one engine after the other, searches per ef in
// interleaved rounds (Vego, usearch, Vego, usearch …), and the median round is reported.
//
// usearch's Node API takes one float per bit (it packs them itself), so its vectors are handed over
// unpacked, prepared before timing; packing a query is part of its search call, as it is for its
// users. Vego takes the packed bytes. Recall@10 is tie-aware (binary distances tie often): a hit
// counts when its exact distance is at most the 10th exact distance, for both engines alike. The
// exact neighbours come from Vego's searchExact, whose distances the tests check against a plain
// popcount reference; each hit's distance is recomputed here by a plain popcount too.
import { createRequire } from 'node:module';
import { seededRandom } from '../lib/data.mjs';

const require = createRequire(import.meta.url);

export const title = 'HNSW over binary vectors (Hamming, Jaccard) vs usearch b1, CPU time';

const K = 10;
const M = 16;
const EF_CONSTRUCTION = 128;
const EFS = [10, 20, 40, 80, 160];
const WARMUP_ROWS = 2000;

const POP = new Uint8Array(256);
for (let i = 1; i < 256; i++) POP[i] = (i & 1) + POP[i >> 1];

function distance(metric, a, ao, b, bo, bytes) {
  let x = 0;
  let inter = 0;
  let union = 0;
  for (let i = 0; i < bytes; i++) {
    const p = a[ao + i];
    const q = b[bo + i];
    x += POP[p ^ q];
    inter += POP[p & q];
    union += POP[p | q];
  }
  if (metric === 'hamming') return x;
  return union === 0 ? 0 : Math.fround((union - inter) / union);
}

/** `n` + `numQueries` clustered sparse fingerprints of `bits` bits (flat, packed, LSB first). */
function fingerprints(n, numQueries, bits, seed) {
  const rand = seededRandom(seed);
  const bytes = bits / 8;
  const clusters = 500;
  const centres = new Uint8Array(clusters * bytes);
  for (let j = 0; j < clusters * bits; j++) if (rand() < 0.12) centres[j >> 3] |= 1 << (j & 7);
  const draw = (count) => {
    const out = new Uint8Array(count * bytes);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(rand() * clusters);
      out.set(centres.subarray(c * bytes, (c + 1) * bytes), i * bytes);
      for (let j = 0; j < bits; j++) if (rand() < 0.03) out[i * bytes + (j >> 3)] ^= 1 << (j & 7);
    }
    return out;
  };
  return { base: draw(n), queries: draw(numQueries) };
}

/** Uniform random packed vectors. */
function uniform(n, numQueries, bits, seed) {
  const rand = seededRandom(seed);
  const draw = (count) => Uint8Array.from({ length: (count * bits) / 8 }, () => Math.floor(rand() * 256));
  return { base: draw(n), queries: draw(numQueries) };
}

/** One float per bit (0 or 1), as usearch's Node API takes binary vectors. */
function unpack(packed, bits) {
  const out = new Float32Array((packed.length / (bits / 8)) * bits);
  for (let j = 0; j < out.length; j++) out[j] = (packed[j >> 3] >> (j & 7)) & 1;
  return out;
}

function cpuMs(fn) {
  const c = process.cpuUsage();
  const result = fn();
  const d = process.cpuUsage(c);
  return { ms: (d.user + d.system) / 1000, result };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runShape(libs, name, metric, data, bits, rounds, log) {
  const { HNSW, usearch } = libs;
  const bytes = bits / 8;
  const { base, queries } = data;
  const n = base.length / bytes;
  const nq = queries.length / bytes;
  const qRows = Array.from({ length: nq }, (_, i) => queries.subarray(i * bytes, (i + 1) * bytes));
  const baseFloats = unpack(base, bits);
  const qFloats = unpack(queries, bits);
  const qFloatRows = Array.from({ length: nq }, (_, i) => qFloats.subarray(i * bits, (i + 1) * bits));
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  const usMetric = metric === 'hamming' ? 'hamming' : 'tanimoto';
  const newUsearch = (ef) => new usearch.Index({ dimensions: bits, metric: usMetric, quantization: 'b1', connectivity: M, expansion_add: EF_CONSTRUCTION, expansion_search: ef });

  // One untimed build of WARMUP_ROWS vectors per engine first: the JIT and WebAssembly tier-up are
  // a one-time cost of the process, left out of the builds as the untimed warm-up queries leave
  // them out of the searches (a process's first build ran ~10 % slower at 10K).
  const warm = Math.min(n, WARMUP_ROWS);
  new HNSW({ dimension: bits, distance: metric, M, efConstruction: EF_CONSTRUCTION, seed: 1 }).addBatch(base.subarray(0, warm * bytes));
  newUsearch(EFS[0]).add(keys.subarray(0, warm), baseFloats.subarray(0, warm * bits), 1);

  // Builds, timed alternately (Vego, usearch, Vego, …); the last Vego index is the one searched.
  const buildRounds = Math.max(1, Math.min(rounds, 3));
  const vegoBuild = [];
  const usBuild = [];
  let vego = null;
  for (let r = 0; r < buildRounds; r++) {
    const v = cpuMs(() => {
      const index = new HNSW({ dimension: bits, distance: metric, M, efConstruction: EF_CONSTRUCTION, seed: 1 });
      index.addBatch(base);
      return index;
    });
    vegoBuild.push(v.ms);
    vego = v.result;
    const u = cpuMs(() => {
      const index = newUsearch(EFS[0]);
      index.add(keys, baseFloats, 1);
      return index;
    });
    usBuild.push(u.ms);
  }
  const build = { vego: median(vegoBuild), usearch: median(usBuild) };
  log(`${name}: build CPU ms Vego ${build.vego.toFixed(0)}, usearch ${build.usearch.toFixed(0)} (÷ ${(build.usearch / build.vego).toFixed(2)})`);

  // Exact neighbours: the 10th exact distance per query.
  const kth = qRows.map((q) => vego.searchExact(q, K)[K - 1].distance);
  const recallOf = (ids) => {
    let hits = 0;
    for (let q = 0; q < nq; q++) for (const id of ids[q]) if (distance(metric, base, id * bytes, queries, q * bytes, bytes) <= kth[q]) hits++;
    return hits / (nq * K);
  };

  const out = [];
  for (const ef of EFS) {
    // usearch fixes expansion_search at construction: one index per ef (same data, same parameters).
    const us = newUsearch(ef);
    us.add(keys, baseFloats, 1);
    const engines = {
      vego: (q) => vego.search(qRows[q], K, ef).map((r) => r.id),
      usearch: (q) => Array.from(us.search(qFloatRows[q], K, 1).keys, Number),
    };
    const times = { vego: [], usearch: [] };
    const ids = {};
    for (const e of Object.keys(engines)) for (let q = 0; q < Math.min(100, nq); q++) engines[e](q);
    for (let r = 0; r < rounds; r++) {
      for (const e of Object.keys(engines)) {
        const { ms, result } = cpuMs(() => {
          const got = new Array(nq);
          for (let q = 0; q < nq; q++) got[q] = engines[e](q);
          return got;
        });
        times[e].push(ms);
        ids[e] = result;
      }
    }
    const row = { ef, recall: {}, qps: {} };
    for (const e of Object.keys(engines)) {
      row.recall[e] = recallOf(ids[e]);
      row.qps[e] = (nq * 1000) / median(times[e]);
    }
    out.push(row);
    log(`${name} ef=${ef}: recall ${row.recall.vego.toFixed(4)} / ${row.recall.usearch.toFixed(4)}; QPS ${row.qps.vego.toFixed(0)} / ${row.qps.usearch.toFixed(0)} (÷ ${(row.qps.vego / row.qps.usearch).toFixed(2)})`);
  }
  return { n, nq, bits, metric, build, searches: out };
}

export async function run({ quick, log }) {
  const libs = { HNSW: require('@vego/hnsw').HNSW, usearch: require('usearch') };
  const rounds = quick ? 3 : 7;
  const n = quick ? 10_000 : 50_000;
  const nq = quick ? 300 : 1000;
  const fp = fingerprints(n, nq, 1024, 21);
  const shapes = {
    fingerprintsHamming: runShape(libs, `fingerprints ${n / 1000}K×1024 hamming`, 'hamming', fp, 1024, rounds, log),
    fingerprintsJaccard: runShape(libs, `fingerprints ${n / 1000}K×1024 jaccard`, 'jaccard', fp, 1024, rounds, log),
    uniformHamming: runShape(libs, `uniform ${n / 1000}K×256 hamming`, 'hamming', uniform(n, nq, 256, 22), 256, rounds, log),
  };
  const label = {
    fingerprintsHamming: `Fingerprints ${n / 1000}K × 1024 bits, Hamming (usearch: hamming)`,
    fingerprintsJaccard: `Fingerprints ${n / 1000}K × 1024 bits, Jaccard (usearch: tanimoto)`,
    uniformHamming: `Uniform random ${n / 1000}K × 256 bits, Hamming (usearch: hamming)`,
  };
  const tables = [
    {
      title: 'Build, one thread: CPU ms',
      columns: ['data', 'Vego', 'usearch', 'Vego speed ÷ usearch'],
      rows: Object.keys(shapes).map((s) => [label[s], Math.round(shapes[s].build.vego), Math.round(shapes[s].build.usearch), Number((shapes[s].build.usearch / shapes[s].build.vego).toFixed(2))]),
      note: `M=${M}, efConstruction=${EF_CONSTRUCTION}; median CPU time (user + system) of ${Math.max(1, Math.min(rounds, 3))} builds per engine, engines alternating, after one untimed ${WARMUP_ROWS.toLocaleString('en-US')}-vector build per engine and data set (JIT and WebAssembly tier-up). usearch is given one float per bit (its Node API), unpacked before timing.`,
    },
    ...Object.keys(shapes).map((s) => ({
      title: `${label[s]}: recall@10 and QPS per ef`,
      columns: ['ef', 'Vego recall', 'usearch recall', 'Vego QPS', 'usearch QPS', 'Vego ÷ usearch'],
      rows: shapes[s].searches.map((r) => [
        r.ef,
        Number(r.recall.vego.toFixed(4)),
        Number(r.recall.usearch.toFixed(4)),
        Math.round(r.qps.vego),
        Math.round(r.qps.usearch),
        Number((r.qps.vego / r.qps.usearch).toFixed(2)),
      ]),
      note: `${shapes[s].nq} queries, k=${K}, one query per call, one thread; QPS from the median CPU time of ${rounds} interleaved rounds (machine shared with other work: CPU time, not wall time). Recall is tie-aware (a hit counts when its distance is at most the 10th exact one).`,
    })),
  ];
  return { tables, raw: { shapes } };
}

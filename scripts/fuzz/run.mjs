#!/usr/bin/env node
// The bounded fuzz suite (issue 12): seeded mutations (bit flips, byte sets, truncations, extensions,
// length-field splices, varints) of files, datasets, saved indexes and codec outputs written by us and
// by LanceDB. Cases run in a pool of reused child processes, each with a capped heap
// (--max-old-space-size), a cap on peak RSS (ArrayBuffers live outside the heap) and a time limit per
// case. A case passes when the reader returns or throws a VegoError; it fails on any other throw, a
// hang (time limit), a crash or an out-of-memory death, a peak RSS over the cap, or a reader touching
// any path outside the dataset folder (manifest paths with `../`, absolute paths: issue 12 item 1).
// Manifest mutations also claim huge row counts (2^31 … 2^53: item 2). --no-check-escapes and
// --no-manifest-claims turn those two off (for builds before the @vego/io fixes).
//
//   node scripts/fuzz/run.mjs [--cases N] [--seed S] [--workers W] [--timeout-ms T] [--heap-mb H]
//                             [--rss-mb R] [--targets substr,substr] [--corpus DIR] [--json FILE]
//                             [--no-lancedb] [--replay TARGET SEED] [--self-test]
//                             [--no-check-escapes] [--no-manifest-claims]
//   pnpm fuzz   (100,000 cases)
//
// Needs the built packages (`pnpm build`). Prints a summary table per target: cases, successes,
// typed errors by code, failures; exits 1 when any case failed. Every failure names its target, seed,
// mutated file and mutations: `--replay TARGET SEED --corpus DIR` reruns it in this process.
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus } from './corpus.mjs';
import { seededRandom } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** How often each kind of target comes up: files and datasets carry most of the structure. */
const KIND_CYCLE = ['file', 'dataset', 'codec', 'file', 'index', 'dataset', 'file', 'zstd', 'codec', 'dataset', 'file', 'index'];

function parseArgs(argv) {
  const o = { cases: 2000, seed: 1, workers: Math.max(1, Math.min(2, availableParallelism())), timeoutMs: 20000, heapMb: 256, rssMb: 1024, targets: null, corpus: null, json: null, lancedb: true, replay: null, selfTest: false, checkEscapes: true, manifestClaims: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--cases') o.cases = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--workers') o.workers = Number(next());
    else if (a === '--timeout-ms') o.timeoutMs = Number(next());
    else if (a === '--heap-mb') o.heapMb = Number(next());
    else if (a === '--rss-mb') o.rssMb = Number(next());
    else if (a === '--targets') o.targets = next().split(',');
    else if (a === '--corpus') o.corpus = next();
    else if (a === '--json') o.json = next();
    else if (a === '--no-lancedb') o.lancedb = false;
    else if (a === '--replay') o.replay = [next(), Number(next())];
    else if (a === '--self-test') o.selfTest = true;
    else if (a === '--no-check-escapes') o.checkEscapes = false;
    else if (a === '--no-manifest-claims') o.manifestClaims = false;
    else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['cases', 'seed', 'workers', 'timeoutMs', 'heapMb', 'rssMb']) {
    if (!Number.isInteger(o[k]) || o[k] < 0) throw new Error(`--${k} must be a non-negative integer`);
  }
  return o;
}

/** The seed of case `i` of a run seeded `seed` (distinct per case, reproducible). */
export function caseSeed(seed, i) {
  return (Math.imul(seed, 1000003) + i * 2654435761) >>> 0;
}

/** Summary group of a target: codecs are grouped by encoding kind, the rest are their own. */
function groupOf(target) {
  if (target.kind !== 'codec') return target.name;
  const m = /^codec:[A-Za-z0-9]+-(.+?)(-nulls)?$/.exec(target.name);
  return `codec:${m ? m[1] : target.name}`;
}

/** Case schedule: kinds in KIND_CYCLE proportions, each kind's targets in turn. */
function schedule(targets, cases, seed) {
  const byKind = new Map();
  for (let t = 0; t < targets.length; t++) {
    const k = targets[t].kind;
    if (!byKind.has(k)) byKind.set(k, []);
    byKind.get(k).push(t);
  }
  const cycle = KIND_CYCLE.filter((k) => byKind.has(k));
  const turn = new Map();
  const out = [];
  for (let i = 0; i < cases; i++) {
    const kind = cycle[i % cycle.length];
    const list = byKind.get(kind);
    const n = turn.get(kind) ?? 0;
    turn.set(kind, n + 1);
    out.push({ target: list[n % list.length], seed: caseSeed(seed, i) });
  }
  return out;
}

class Worker {
  constructor(pool, index) {
    this.pool = pool;
    this.index = index;
    this.current = null;
    this.timer = null;
    this.stderr = '';
    this.ready = false;
    this.spawn();
  }

  spawn() {
    const { corpusDir, scratch, heapMb, rssMb } = this.pool;
    const dir = join(scratch, `w${this.index}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    this.dir = dir;
    this.stderr = '';
    this.ready = false;
    this.child = fork(join(HERE, 'worker.mjs'), [corpusDir, dir, String(rssMb)], {
      execArgv: [`--max-old-space-size=${heapMb}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child.on('message', (m) => this.onMessage(m));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
  }

  onMessage(m) {
    if (m.ready) {
      this.ready = true;
      this.pool.feed(this);
      return;
    }
    if (this.current === null || m.id !== this.current.id) return;
    clearTimeout(this.timer);
    const job = this.current;
    this.current = null;
    this.pool.done(job, m);
    if (m.outcome !== 'memory') this.pool.feed(this);
  }

  onExit(code, signal) {
    clearTimeout(this.timer);
    const job = this.current;
    this.current = null;
    if (job !== null && !job.timedOut) {
      const oom = /heap out of memory|Reached heap limit|allocation failed/i.test(this.stderr);
      this.pool.done(job, { ...this.lastRecord(job), outcome: oom ? 'oom' : 'crash', message: `worker exited (code ${code}, signal ${signal})`, stack: this.stderr.split('\n').slice(-12).join('\n') });
    }
    if (this.pool.closing) return;
    this.spawn();
  }

  /** What the worker wrote before reading (file, mutations), for a case that never answered. */
  lastRecord(job) {
    try {
      const r = JSON.parse(readFileSync(join(this.dir, 'current.json'), 'utf8'));
      return r.id === job.id ? { file: r.file, ops: r.ops } : {};
    } catch {
      return {};
    }
  }

  run(job) {
    this.current = job;
    this.timer = setTimeout(() => {
      job.timedOut = true;
      this.pool.done(job, { ...this.lastRecord(job), outcome: 'timeout', message: `no answer within ${this.pool.timeoutMs} ms` });
      this.child.kill('SIGKILL');
    }, this.pool.timeoutMs);
    this.child.send({ id: job.id, target: job.target, seed: job.seed, selfTest: job.selfTest, baseline: job.baseline, checkEscapes: this.pool.checkEscapes, manifestClaims: this.pool.manifestClaims });
  }
}

class Pool {
  constructor(options, jobs) {
    Object.assign(this, options);
    this.jobs = jobs;
    this.next = 0;
    this.finished = 0;
    this.results = [];
    this.closing = false;
  }

  start() {
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (this.jobs.length === 0) {
        resolve(this.results);
        return;
      }
      this.workers = Array.from({ length: Math.min(this.workers, this.jobs.length) }, (_, i) => new Worker(this, i));
    });
  }

  feed(worker) {
    if (this.next >= this.jobs.length || worker.current !== null || !worker.ready) return;
    const job = this.jobs[this.next++];
    worker.run(job);
  }

  done(job, result) {
    this.results[job.id] = { ...job, ...result };
    this.finished++;
    if (this.onProgress) this.onProgress(this.finished, this.jobs.length);
    if (this.finished === this.jobs.length) {
      this.closing = true;
      for (const w of this.workers) w.child.kill('SIGKILL');
      this.resolve(this.results);
    }
  }
}

function summarise(targets, results) {
  const groups = new Map();
  const group = (g) => {
    if (!groups.has(g)) groups.set(g, { cases: 0, ok: 0, typed: {}, failures: 0, ms: 0, baseline: {} });
    return groups.get(g);
  };
  for (const r of results) {
    const g = r.selfTest !== undefined ? `self-test:${r.selfTest}` : groupOf(targets[r.target]);
    if (r.baseline) {
      const b = group(g).baseline;
      const key = r.outcome === 'typed' ? r.code.replace(/^VEGO_/, '') : r.outcome;
      b[key] = (b[key] ?? 0) + 1;
      if (r.outcome === 'ok' || r.outcome === 'typed') continue;
    }
    const s = group(g);
    s.cases++;
    s.ms += r.ms ?? 0;
    if (r.outcome === 'ok') s.ok++;
    else if (r.outcome === 'typed') s.typed[r.code] = (s.typed[r.code] ?? 0) + 1;
    else s.failures++;
  }
  return groups;
}

function printTable(groups) {
  const rows = [['target', 'undamaged', 'cases', 'ok', 'typed errors (by code)', 'failures']];
  let total = { cases: 0, ok: 0, typed: 0, failures: 0 };
  for (const [name, s] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const typed = Object.entries(s.typed).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c.replace(/^VEGO_/, '')} ${n}`).join(', ');
    const base = Object.entries(s.baseline).map(([k, n]) => (Object.keys(s.baseline).length === 1 && n === 1 ? k : `${k} ${n}`)).join(', ');
    rows.push([name, base || '-', String(s.cases), String(s.ok), typed || '-', String(s.failures)]);
    total.cases += s.cases;
    total.ok += s.ok;
    total.typed += Object.values(s.typed).reduce((a, b) => a + b, 0);
    total.failures += s.failures;
  }
  rows.push(['total', '', String(total.cases), String(total.ok), String(total.typed), String(total.failures)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => (c <= 1 || c === 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
  return total;
}

function describeFailure(targets, f) {
  const t = f.selfTest !== undefined ? `self-test:${f.selfTest}` : targets[f.target].name;
  const lines = [`FAIL ${f.outcome} ${t}${f.baseline ? ' (undamaged input)' : ` seed ${f.seed}`}${f.file ? ` file ${f.file}` : ''} mutations [${(f.ops ?? []).join('; ')}]`];
  lines.push(`  ${f.name ? f.name + ': ' : ''}${f.message ?? ''}`);
  if (f.stack) lines.push(f.stack.split('\n').map((l) => `    ${l}`).join('\n'));
  return lines.join('\n');
}

function readDespiteDamage(targets, results) {
  const out = {};
  for (const r of results) {
    if (r.outcome !== 'ok' || r.baseline || r.file === undefined) continue;
    const file = r.file.replace(/[0-9a-f-]{20,}\.lance$/, '<data>.lance').replace(/\d+(-\d+)*\.(arrow|bin)$/, '<deletions>.$2').replace(/\d{6,}\.manifest$/, '<version>.manifest').replace(/[0-9a-f-]{20,}\.txn$/, '<txn>.txn');
    const key = `${targets[r.target].name} ${file}${(r.ops ?? []).some((o) => o.startsWith('manifest')) ? ' (claims edited)' : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function typedSamples(targets, results) {
  const out = {};
  for (const r of results) {
    if (r.outcome !== 'typed' || r.code === 'VEGO_CORRUPT_DATA' || r.baseline) continue;
    const key = `${targets[r.target].name} ${r.code}`;
    out[key] ??= [];
    if (out[key].length < 3) out[key].push({ seed: r.seed, file: r.file, ops: r.ops, message: r.message });
  }
  return out;
}

/** Runs the fuzz suite; returns the report (also printed). */
export async function runFuzz(o) {
  const started = Date.now();
  const ownCorpus = o.corpus === null;
  const corpusDir = o.corpus ?? mkdtempSync(join(tmpdir(), 'vego-fuzz-corpus-'));
  const targets = ownCorpus || !existsSync(join(corpusDir, 'corpus.json'))
    ? await buildCorpus(corpusDir, { lancedb: o.lancedb })
    : JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8'));
  const corpusMs = Date.now() - started;
  let chosen = targets.map((_, i) => i);
  if (o.targets !== null) chosen = chosen.filter((i) => o.targets.some((s) => targets[i].name.includes(s)));
  const subset = chosen.map((i) => targets[i]);
  let jobs;
  if (o.selfTest) {
    jobs = ['throw', 'hang', 'oom', 'memory', 'ok'].map((selfTest, id) => ({ id, selfTest, seed: 0, target: -1 }));
  } else {
    // First every target undamaged (its baseline: what the reader does with the real input), then the cases.
    jobs = chosen.map((target, id) => ({ id, target, seed: 0, baseline: true }));
    for (const j of schedule(subset, o.cases, o.seed)) jobs.push({ id: jobs.length, target: chosen[j.target], seed: j.seed });
  }
  const scratch = mkdtempSync(join(tmpdir(), 'vego-fuzz-scratch-'));
  const pool = new Pool({ corpusDir, scratch, workers: o.workers, timeoutMs: o.timeoutMs, heapMb: o.heapMb, rssMb: o.rssMb, checkEscapes: o.checkEscapes, manifestClaims: o.manifestClaims }, jobs);
  const t0 = Date.now();
  let lastPrint = t0;
  pool.onProgress = (done, all) => {
    if (process.stderr.isTTY && Date.now() - lastPrint > 2000) {
      lastPrint = Date.now();
      process.stderr.write(`\r${done}/${all} cases`);
    }
  };
  const results = await pool.start();
  const fuzzMs = Date.now() - t0;
  rmSync(scratch, { recursive: true, force: true });
  const groups = summarise(targets, results);
  const total = printTable(groups);
  const failures = results.filter((r) => r.outcome !== 'ok' && r.outcome !== 'typed');
  for (const f of failures.slice(0, 50)) console.log(describeFailure(targets, f));
  const perSecond = results.length / Math.max(0.001, fuzzMs / 1000);
  const differing = results.filter((r) => r.differs !== undefined);
  for (const d of differing.slice(0, 20)) console.log(`LOADED DIFFERENTLY ${targets[d.target].name} seed ${d.seed} file ${d.file} mutations [${(d.ops ?? []).join('; ')}] changed: ${d.differs.join(', ')}`);
  console.log(`${results.length} cases in ${(fuzzMs / 1000).toFixed(1)} s on ${o.workers} worker(s): ${perSecond.toFixed(0)} cases/s; corpus built in ${(corpusMs / 1000).toFixed(1)} s; ${failures.length} failure(s); ${differing.length} damaged index(es) loaded differently`);
  if (!ownCorpus || failures.length > 0) console.log(`corpus: ${corpusDir}`);
  else rmSync(corpusDir, { recursive: true, force: true });
  const report = {
    cases: results.length,
    fuzzMs,
    corpusMs,
    casesPerSecond: perSecond,
    workers: o.workers,
    total,
    groups: Object.fromEntries(groups),
    failures: failures.map((f) => ({ ...f, targetName: f.selfTest !== undefined ? `self-test:${f.selfTest}` : targets[f.target].name })),
    // Up to 3 cases per target and error code other than CORRUPT_DATA (damage should read as corrupt data).
    samples: typedSamples(targets, results),
    // Damaged files that still read, per target and file (names with ids folded): where damage goes unseen.
    readDespiteDamage: readDespiteDamage(targets, results),
    // Damaged saved indexes that loaded as a different index (what a checksum should have caught).
    loadedDifferently: results.filter((r) => r.differs !== undefined).map((r) => ({ target: targets[r.target].name, seed: r.seed, file: r.file, ops: r.ops, differs: r.differs })),
    corpusDir: ownCorpus && failures.length === 0 ? null : corpusDir,
  };
  if (o.json !== null) writeFileSync(o.json, JSON.stringify(report, null, 1));
  return report;
}

/** Reruns one case in this process and prints what it did and threw (with the full stack). */
async function replay(o) {
  if (o.corpus === null) throw new Error('--replay needs --corpus DIR (printed by the failing run)');
  const targets = JSON.parse(readFileSync(join(o.corpus, 'corpus.json'), 'utf8'));
  const target = targets.find((t) => t.name === o.replay[0]);
  if (target === undefined) throw new Error(`no target ${o.replay[0]} in ${o.corpus}`);
  const { initTargets, isVegoError, runCase } = await import('./targets.mjs');
  await initTargets();
  const scratch = mkdtempSync(join(tmpdir(), 'vego-fuzz-replay-'));
  const record = { ops: [], manifestClaims: o.manifestClaims };
  let outcome;
  try {
    console.log(runCase(target, o.corpus, scratch, seededRandom(o.replay[1]), record));
    outcome = 'ok';
  } catch (e) {
    console.log(e);
    outcome = isVegoError(e) ? `typed ${e.code}` : `untyped ${e?.name}`;
  }
  console.log(`file ${record.file ?? '-'} mutations [${(record.ops ?? []).join('; ')}] (scratch ${scratch})`);
  console.log(`outcome: ${outcome}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const o = parseArgs(process.argv.slice(2));
  if (o.replay !== null) {
    await replay(o);
  } else {
    const report = await runFuzz(o);
    const expectFailures = o.selfTest;
    process.exitCode = (report.failures.length > 0) !== expectFailures ? 1 : 0;
  }
}

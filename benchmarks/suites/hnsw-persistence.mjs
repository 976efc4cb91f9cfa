// HNSW persistence: Vego's index saved as three Lance datasets (saveToLance / loadFromLance)
// beside hnswlib-node's single-file writeIndex / readIndex, on the same random data and graph
// parameters (M=16, efConstruction=100). Measured: full save, load (sync and async), bytes on
// disk, and an incremental save after adding 1% more vectors (hnswlib-node can only rewrite the
// whole file), timed against a full save of the same index. Quick mode 20K × 128, --all 100K × 128.
// Each operation is timed in CPU (process.cpuUsage) and wall time, both engines interleaved in every
// round, median of the rounds. Every load is checked to answer like the saved index.
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { seededRandom } from '../lib/data.mjs';
import { getGc } from '../lib/gc.mjs';

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

/** Every file under `dir`, as paths relative to it. */
function allFiles(dir, prefix = '') {
  const out = new Set();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : join(prefix, e.name);
    if (e.isDirectory()) for (const f of allFiles(dir, rel)) out.add(f);
    else out.add(rel);
  }
  return out;
}

/**
 * Median microseconds to create a file in `dir` the way a save publishes one (exclusive create, a 4 KiB
 * write, close, rename), over 20 files: the fixed cost of each file a save writes, in the folder the saves
 * ran in and at the same point of the run.
 */
function fileCreationMicros(dir) {
  const probe = join(dir, 'file-probe');
  mkdirSync(probe);
  const bytes = Buffer.alloc(4096, 1);
  const xs = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    const fd = openSync(join(probe, `f${i}.tmp`), 'wx');
    writeSync(fd, bytes);
    closeSync(fd);
    renameSync(join(probe, `f${i}.tmp`), join(probe, `f${i}`));
    xs.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  rmSync(probe, { recursive: true, force: true });
  return median(xs);
}

/**
 * Writes the page cache's dirty pages back (`sync`), outside every timing. Without it, each save paid for
 * the backlog the earlier ones left: the kernel throttles a writer once dirty memory passes its threshold
 * and makes it write pages back itself, so the same 65 MB write cost ~20 ms or 150-200 ms by its place in
 * the sequence (for hnswlib-node's writeIndex as for ours). Every save of either engine now starts from no
 * backlog, which is also what a process saving now and then sees.
 */
function flushDirtyPages() {
  execFileSync('sync');
}

/** `measure` of a save, after the dirty pages were written back. */
function measureSave(into, fn) {
  flushDirtyPages();
  return measure(into, fn);
}

/** `measureWatched` of an asynchronous save, after the dirty pages were written back. */
function measureWatchedSave(into, during, fn) {
  flushDirtyPages();
  return measureWatched(into, during, fn);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Runs `fn` once and records its CPU time (user + system, all threads of the process: the kernel's
 * copies into the page cache count, which is where hnswlib-node's writeIndex spends its time) and
 * wall time into `into` (arrays `cpu` and `wall`). Returns what `fn` returned.
 */
function measure(into, fn) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const out = fn();
  const used = process.cpuUsage(cpu);
  into.wall.push(performance.now() - wall);
  into.cpu.push((used.user + used.system) / 1000);
  return out;
}

async function measureAsync(into, fn) {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const out = await fn();
  const used = process.cpuUsage(cpu);
  into.wall.push(performance.now() - wall);
  into.cpu.push((used.user + used.system) / 1000);
  return out;
}

const timings = () => ({ cpu: [], wall: [] });

/**
 * Watches the event loop and the process's resident memory while an asynchronous operation runs:
 * a 1 ms interval timer notes the longest gap between its ticks (how long the event loop was held)
 * and the largest RSS seen (sampled at each tick and at the end). `stop()` gives both, the memory as
 * growth over the RSS when the watch began, in bytes.
 */
function watchProcess() {
  const rss0 = process.memoryUsage.rss();
  let peak = rss0;
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      gap = Math.max(gap, performance.now() - last);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { gap, growth: peak - rss0 };
    },
  };
}

/** {@link measureAsync} that also records the longest event-loop gap and the peak RSS growth (into `during`). */
async function measureWatched(into, during, fn) {
  const watch = watchProcess();
  const out = await measureAsync(into, fn);
  const { gap, growth } = watch.stop();
  during.gap.push(gap);
  during.growth.push(growth);
  return out;
}

const watched = () => ({ gap: [], growth: [] });

const gc = getGc();

/**
 * Lets the event loop run idle for a moment before a timed load or async save. Synchronous
 * operations never turn the event loop, so the work V8 queues meanwhile (the garbage collector's
 * tasks, started by the external memory every save and load allocates) waits for the first
 * event-loop turn: without this, that turn came inside whichever asynchronous load was timed next
 * (15-30 ms more CPU at 100K, on other threads too), and a blocking load never paid its own.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/**
 * Collects the whole 100K index the first-save row makes and drops, which is no operation's cost:
 * left alone, it was collected inside the asynchronous save timed next, which then measured 105-134
 * ms CPU where the same save measures ~30-45 without it. Nothing else is forced: the garbage a save
 * or load leaves itself stays in the timings (forcing a collection before every operation also
 * hid ours, and on this VM made the next operations pay for re-faulting the pages it gave back).
 */
const collectBenchmarkGarbage = () => gc();

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
  // 11 rounds at full size: on a VM a 68 MB write sometimes costs 3-10× its usual CPU (page allocation), so medians need the rounds.
  const rounds = quick ? 5 : 11;
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

    // Every round runs each operation of both engines once, interleaved, so that a load spike on a
    // shared machine hits both alike; the tables give the median of the rounds.
    const t = {
      save: timings(),
      saveCold: timings(),
      saveFast: timings(),
      hsave: timings(),
      saveAsync: timings(),
      saveAsyncFast: timings(),
      hsaveAsync: timings(),
      load: timings(),
      loadAsync: timings(),
      hload: timings(),
      hloadAsync: timings(),
      inc: timings(),
      incFast: timings(),
      fullAfter: timings(),
      fullAfterFast: timings(),
      incUpdate: timings(),
      fullAfterUpdate: timings(),
      incDelete: timings(),
      fullAfterDelete: timings(),
      hsaveAfter: timings(),
      saveOften: timings(),
      loadOften: timings(),
      loadWhole: timings(),
    };
    // The event loop and memory while each asynchronous save runs.
    const during = { saveAsync: watched(), saveAsyncFast: watched(), hsaveAsync: watched() };
    let incUpdate = null;
    let incDelete = null;
    let vegoBytes = 0;
    let hBytes = 0;
    let incBytes = 0;
    let hAfterBytes = 0;
    let inc = null;
    let fullFiles = 0;
    let incFiles = 0;
    const creationMicros = [];
    // One round in a function of its own: the indexes a round loads die when it returns. Inline in
    // this loop, a suspended async function kept some of them (its registers still held the last
    // round's values) until the next round's asynchronous saves ran, whose garbage collections then
    // freed them (64 MiB of index memory each): ~35 ms of another operation's garbage inside a
    // timed asynchronous save (perf: V8's ArrayBufferSweeper unmapping a loaded index's memory).
    const round = async (r) => {
      const dir = join(root, `vego-${r}`);
      const file = join(root, `hnswlib-${r}.bin`);
      // Full saves (fsync by default; `durable: false` writes like hnswlib-node, without fsync).
      measureSave(t.save, () => vego.saveToLanceSync(dir));
      measureSave(t.hsave, () => hnsw.writeIndexSync(file));
      measureSave(t.saveFast, () => vego.saveToLanceSync(`${dir}-fast`, { durable: false }));
      // The first save of an index with no earlier save or load: every row's checksum is computed
      // (the saves above carry over those of rows unchanged since the index's previous save).
      let fresh = HNSW.fromSnapshot(vego.toSnapshot());
      measureSave(t.saveCold, () => fresh.saveToLanceSync(`${dir}-cold`));
      fresh = null;
      collectBenchmarkGarbage();
      // Async saves (the event loop keeps running; hnswlib-node's writeIndex writes on a thread of
      // libuv's pool), each after the event loop has settled.
      // Their order turns round by round: each takes each place in the sequence alike. In a fixed
      // order, whichever save came second paid 3-10× its CPU in most rounds (hnswlib-node's
      // writeIndex 157 ms median in one run, ours in others): on this VM the cost of writing fresh
      // page-cache pages depends on what the kernel freed and wrote just before.
      const asyncSaves = [
        () => measureWatchedSave(t.saveAsync, during.saveAsync, () => vego.saveToLance(`${dir}-async`)),
        () => measureWatchedSave(t.hsaveAsync, during.hsaveAsync, () => hnsw.writeIndex(`${file}-async`)),
        () => measureWatchedSave(t.saveAsyncFast, during.saveAsyncFast, () => vego.saveToLance(`${dir}-async-fast`, { durable: false })),
      ];
      for (let k = 0; k < asyncSaves.length; k++) {
        await settle();
        await asyncSaves[(k + r) % asyncSaves.length]();
      }
      if (r === 0 && !sameAnswers(vego, HNSW.loadFromLanceSync(`${dir}-async`), queries, 10)) throw new Error('async-saved Vego index answers differently');
      for (const name of [`${dir}-async`, `${dir}-async-fast`, `${file}-async`]) rmSync(name, { recursive: true, force: true });
      if (r === 0) {
        vegoBytes = bytesUnder(dir);
        fullFiles = allFiles(dir).size;
        hBytes = statSync(file).size;
        // Warm the page cache for both, as the loads below read files just written.
        HNSW.loadFromLanceSync(dir);
        new HierarchicalNSW('l2', DIM).readIndexSync(file);
      }
      // Loads (each checked to answer like the saved index before it counts), each after the
      // event loop has settled.
      await settle();
      const loaded = measure(t.load, () => HNSW.loadFromLanceSync(dir));
      await settle();
      const hloaded = measure(t.hload, () => {
        const h = new HierarchicalNSW('l2', DIM);
        h.readIndexSync(file);
        return h;
      });
      if (!sameAnswers(vego, loaded, queries, 10)) throw new Error('loaded Vego index answers differently');
      await settle();
      const loadedAsync = await measureAsync(t.loadAsync, () => HNSW.loadFromLance(dir));
      await settle();
      await measureAsync(t.hloadAsync, async () => {
        const h = new HierarchicalNSW('l2', DIM);
        await h.readIndex(file);
        return h;
      });
      if (!sameAnswers(vego, loadedAsync, queries, 10)) throw new Error('async-loaded Vego index answers differently');
      // Incremental saves after adding 1 % to the loaded index, against a full save of the same
      // index; hnswlib-node can only rewrite its whole file.
      const filesBefore = dataFiles(dir);
      const allBefore = allFiles(dir);
      loaded.addBatch(added);
      const result = measureSave(t.inc, () => loaded.saveToLanceSync(dir));
      measureSave(t.fullAfter, () => loaded.saveToLanceSync(join(root, `vego-full-after-${r}`)));
      rmSync(join(root, `vego-full-after-${r}`), { recursive: true, force: true });
      hloaded.resizeIndex(n + extra);
      for (let i = 0; i < extra; i++) hloaded.addPoint(Array.from(added.subarray(i * DIM, (i + 1) * DIM)), n + i);
      measureSave(t.hsaveAfter, () => hloaded.writeIndexSync(join(root, `hnswlib-after-${r}.bin`)));
      if (r === 0) {
        inc = result;
        hAfterBytes = statSync(join(root, `hnswlib-after-${r}.bin`)).size;
        for (const [name, size] of dataFiles(dir)) if (!filesBefore.has(name)) incBytes += size;
        for (const f of allFiles(dir)) if (!allBefore.has(f)) incFiles++;
        if (!sameAnswers(loaded, HNSW.loadFromLanceSync(dir), queries, 10)) throw new Error('incrementally saved Vego index answers differently');
      }
      const fast = HNSW.loadFromLanceSync(`${dir}-fast`);
      fast.addBatch(added);
      measureSave(t.incFast, () => fast.saveToLanceSync(`${dir}-fast`, { durable: false }));
      measureSave(t.fullAfterFast, () => fast.saveToLanceSync(join(root, `vego-full-after-fast-${r}`), { durable: false }));
      rmSync(join(root, `vego-full-after-fast-${r}`), { recursive: true, force: true });
      if (r === 0 && !sameAnswers(fast, HNSW.loadFromLanceSync(`${dir}-fast`), queries, 10)) throw new Error('incrementally saved (durable: false) Vego index answers differently');
      // (Each full-save directory is removed right after its timing: dirty pages of files no longer
      // needed made the kernel's share of later writes' CPU time erratic, 15 to 160 ms per save.)
      // Then 1 % of the vectors replaced in place (update: each relinks its neighbourhood), and
      // 1 % of the ids deleted (tombstones; repair deferred), each saved incrementally (`durable:
      // false`) against a full save of the same state to a fresh directory, as for the adds. A
      // save to another directory moves the index's saved state there, so each change starts
      // from the incremental directory loaded again (not timed).
      const upDir = join(root, `vego-full-after-update-${r}`);
      const delDir = join(root, `vego-full-after-delete-${r}`);
      let changing = HNSW.loadFromLanceSync(`${dir}-fast`);
      for (let i = 0; i < extra; i++) changing.update((i * 97 + r) % n, added.subarray(i * DIM, (i + 1) * DIM));
      const upd = measureSave(t.incUpdate, () => changing.saveToLanceSync(`${dir}-fast`, { durable: false }));
      measureSave(t.fullAfterUpdate, () => changing.saveToLanceSync(upDir, { durable: false }));
      rmSync(upDir, { recursive: true, force: true });
      changing = HNSW.loadFromLanceSync(`${dir}-fast`);
      for (let i = 0; i < extra; i++) changing.delete((i * 89 + 13 + r) % n);
      const del = measureSave(t.incDelete, () => changing.saveToLanceSync(`${dir}-fast`, { durable: false }));
      measureSave(t.fullAfterDelete, () => changing.saveToLanceSync(delDir, { durable: false }));
      rmSync(delDir, { recursive: true, force: true });
      if (r === 0) {
        incUpdate = upd;
        incDelete = del;
        if (!sameAnswers(changing, HNSW.loadFromLanceSync(`${dir}-fast`), queries, 10)) throw new Error('incrementally saved (updates, deletes) Vego index answers differently');
      }
      creationMicros.push(fileCreationMicros(root));
      for (const name of [dir, `${dir}-fast`, `${dir}-cold`, file, join(root, `hnswlib-after-${r}.bin`)]) {
        rmSync(name, { recursive: true, force: true });
      }
      log(`round ${r + 1}/${rounds}`);
    };
    for (let r = 0; r < rounds; r++) await round(r);
    // A directory saved often: SAVES_OFTEN small incremental saves (a few vectors added before each,
    // `durable: false`), then loads of it against loads of a whole save of the same index. Each
    // incremental save adds a fragment to the datasets it changes; saves bound them (rewriting a
    // dataset that holds 16), which is what keeps such a load near a whole save's.
    const { Dataset } = require('@vego/io');
    const SAVES_OFTEN = 60;
    const per = Math.max(1, Math.floor(extra / SAVES_OFTEN));
    const often = join(root, 'vego-often');
    const whole = join(root, 'vego-often-whole');
    vego.saveToLanceSync(often, { durable: false });
    for (let s = 0; s < SAVES_OFTEN; s++) {
      vego.addBatch(added.subarray(s * per * DIM, (s + 1) * per * DIM));
      measureSave(t.saveOften, () => vego.saveToLanceSync(often, { durable: false }));
    }
    const fragments = {};
    for (const name of ['nodes', 'connections', 'metadata']) {
      const ds = Dataset.openSync(join(often, `${name}.lance`));
      fragments[name] = ds.numFragments;
      ds.closeSync();
    }
    HNSW.fromSnapshot(vego.toSnapshot()).saveToLanceSync(whole, { durable: false });
    for (let r = 0; r < rounds; r++) {
      await settle();
      const a = measure(t.loadOften, () => HNSW.loadFromLanceSync(often));
      await settle();
      measure(t.loadWhole, () => HNSW.loadFromLanceSync(whole));
      if (r === 0 && !sameAnswers(vego, a, queries, 10)) throw new Error('often-saved Vego index answers differently');
    }
    log(`often-saved directory: fragments ${JSON.stringify(fragments)}`);
    const m = {};
    for (const [k, v] of Object.entries(t)) m[k] = { cpu: median(v.cpu), wall: median(v.wall) };
    log(`vego save ${m.save.cpu.toFixed(0)} ms CPU, load ${m.load.cpu.toFixed(0)} ms CPU; hnswlib ${m.hsave.cpu.toFixed(0)} / ${m.hload.cpu.toFixed(0)} ms CPU`);
    log(`vego incremental save ${m.inc.cpu.toFixed(1)} ms CPU (${inc.nodeRowsWritten} node rows, ${inc.connectionRowsWritten} lists), full ${m.fullAfter.cpu.toFixed(1)} ms CPU`);

    const vs = (label, a, b) => [label, a.cpu, b.cpu, b.cpu / a.cpu, a.wall, b.wall, b.wall / a.wall];
    const mib = (b) => b / 2 ** 20;
    return {
      tables: [
        {
          title: `Save and load, ${n.toLocaleString('en-US')} × ${DIM} (ms, median of ${rounds} interleaved rounds; ratio > 1: Vego faster)`,
          columns: ['operation', 'Vego CPU ms', 'hnswlib-node CPU ms', 'CPU ratio', 'Vego wall ms', 'hnswlib-node wall ms', 'wall ratio'],
          rows: [
            vs('save (full)', m.save, m.hsave),
            vs('save (full, `durable: false`: no fsync, as hnswlib-node)', m.saveFast, m.hsave),
            vs('save (full, first save of a restored index: every row hashed)', m.saveCold, m.hsave),
            vs('save (full, async)', m.saveAsync, m.hsaveAsync),
            vs('save (full, async, `durable: false`)', m.saveAsyncFast, m.hsaveAsync),
            vs('load (sync)', m.load, m.hload),
            vs('load (async)', m.loadAsync, m.hloadAsync),
            vs(`save after adding ${extra} (1 %)`, m.inc, m.hsaveAfter),
            vs(`save after adding ${extra} (1 %), \`durable: false\``, m.incFast, m.hsaveAfter),
          ],
          note:
            'CPU: user + system time of the process (all threads), so the kernel copying written bytes into the page cache counts for both; wall includes waiting for fsync. ' +
            'Vego: `saveToLanceSync` / `loadFromLanceSync` / `loadFromLance`, async saves `saveToLance` (three Lance datasets, every load checked by answering 50 queries identically). ' +
            'hnswlib-node: `writeIndexSync` / `readIndexSync` / `readIndex`, async saves `writeIndex`; its "save after adding" rewrites the whole file. Files are in the page cache (warm reads); every load and async save starts after 50 ms of idle event loop (the garbage collector’s tasks queued by earlier synchronous work run there, not inside the next asynchronous operation), and the index made for the first-save row is collected before the async saves, outside every timing (each round runs in a function of its own, so the indexes a round loads are garbage when it ends); the garbage a save or load leaves itself stays in the timings. The three async saves take turns at going first, second and third from round to round: on this VM a 65 MB write into fresh page-cache pages costs 15 ms in some places of a sequence and 150-175 ms in others, for hnswlib-node’s writeIndex as for ours; every save of either engine also starts after `sync` (outside the timing), so none pays for the dirty pages earlier ones left (before, hnswlib-node’s async writeIndex measured 15-20 or 145-175 ms by its place). ' +
            'Vego saves fsync every file and directory they write (power-loss safe) unless `durable: false`, which keeps them atomic against a killed process only; hnswlib-node never fsyncs. ' +
            'The full saves after the first round carry over the row checksums of the unchanged index (as any save after a save or load does); the "first save" row is an index restored from a snapshot, with no checksums to carry over.',
        },
        {
          title: `While an asynchronous save of ${n.toLocaleString('en-US')} × ${DIM} runs: the event loop and the process's memory (median of ${rounds} rounds)`,
          columns: ['save', 'longest event-loop gap ms', 'peak RSS growth MiB'],
          rows: [
            ['Vego `saveToLance`', median(during.saveAsync.gap), mib(median(during.saveAsync.growth))],
            ['Vego `saveToLance`, `durable: false`', median(during.saveAsyncFast.gap), mib(median(during.saveAsyncFast.growth))],
            ['hnswlib-node `writeIndex`', median(during.hsaveAsync.gap), mib(median(during.hsaveAsync.growth))],
          ],
          note:
            'A 1 ms interval timer runs beside each save of the rounds above: the longest gap between its ticks is the longest time the event loop waited (on the save’s synchronous steps, on garbage collection, or on the kernel), ' +
            'and the RSS sampled at each tick gives the largest growth over the RSS when the save began (what the save allocated on top of the index; 0 when it fitted in memory the process had freed in earlier rounds). ' +
            'Vego writes the data files from the index’s memory (no snapshot, no copy) and yields to the event loop between its steps; hnswlib-node’s writeIndex runs on a thread of libuv’s pool and never fsyncs. ' +
            'The durable saves’ longer gaps come with their fsyncs: in a run instrumented for it (main-thread CPU and run-queue wait from /proc/thread-self/schedstat, every synchronous file call timed), their main thread spent 30–42 ms on CPU per save against 8–10 ms with `durable: false`, ' +
            'with no synchronous file call above 4 ms and the same JavaScript steps; the difference is the kernel writing the files back to disk (its work and interrupts land on whichever thread runs, on 2 vCPUs often the main one).',
        },
        {
          title: `Incremental saves after 1 % changes (${extra} vectors added, updated or deleted) vs a full save of the same index (ms, median of ${rounds})`,
          columns: ['mode', 'incremental CPU ms', 'full CPU ms', 'full / incremental (CPU)', 'incremental wall ms', 'full wall ms', 'full / incremental (wall)'],
          rows: [
            // The full saves compared with are the first table's, of the same index in the same rounds (see the note).
            ['durable (default)', m.inc.cpu, m.save.cpu, m.save.cpu / m.inc.cpu, m.inc.wall, m.save.wall, m.save.wall / m.inc.wall],
            ['`durable: false`', m.incFast.cpu, m.saveFast.cpu, m.saveFast.cpu / m.incFast.cpu, m.incFast.wall, m.saveFast.wall, m.saveFast.wall / m.incFast.wall],
            [`\`durable: false\`, then ${extra} vectors updated in place`, m.incUpdate.cpu, m.saveFast.cpu, m.saveFast.cpu / m.incUpdate.cpu, m.incUpdate.wall, m.saveFast.wall, m.saveFast.wall / m.incUpdate.wall],
            [`\`durable: false\`, then ${extra} ids deleted`, m.incDelete.cpu, m.saveFast.cpu, m.saveFast.cpu / m.incDelete.cpu, m.incDelete.wall, m.saveFast.wall, m.saveFast.wall / m.incDelete.wall],
          ],
          note:
            `The incremental save after adding appended ${inc.nodeRowsWritten} node rows and ${inc.connectionRowsWritten} link lists and deleted the ${inc.nodeRowsDeleted} + ${inc.connectionRowsDeleted} rows they replace, in one commit per dataset; ` +
            `after the updates: ${incUpdate.nodeRowsWritten} node rows and ${incUpdate.connectionRowsWritten} lists${incUpdate.nodesRewritten || incUpdate.connectionsRewritten ? ' (a dataset rewritten whole: its dead rows passed the compaction threshold)' : ''}; ` +
            `after the deletes: ${incDelete.nodeRowsWritten} node rows and ${incDelete.connectionRowsWritten} lists${incDelete.nodesRewritten || incDelete.connectionsRewritten ? ' (a dataset rewritten whole: its dead rows passed the compaction threshold)' : ''}. ` +
            'Every change relinks lists beyond the changed nodes (an added or updated node is linked into up to 2M neighbours\' lists), so the rows written are far more than 1 % of the lists. ' +
            `"Full" is the full save of the first table (the same index, 1 % smaller, saved whole to a new directory in the same rounds). Each round also saves the changed index whole right after its incremental save (medians: durable ${m.fullAfter.cpu.toFixed(1)}, \`durable: false\` ${m.fullAfterFast.cpu.toFixed(1)}, after the updates ${m.fullAfterUpdate.cpu.toFixed(1)}, after the deletes ${m.fullAfterDelete.cpu.toFixed(1)} ms CPU); on this VM those writes often land on freshly returned memory pages and cost 5-10× their usual time, which would flatter the ratio, so they are not the comparison.`,
        },
        {
          title: `A directory saved often: load after ${SAVES_OFTEN} incremental saves of ${per} added vectors each (ms, median of ${rounds}; save: median of the ${SAVES_OFTEN})`,
          columns: ['measure', 'CPU ms', 'wall ms'],
          rows: [
            [`incremental save (${per} vectors added, \`durable: false\`)`, m.saveOften.cpu, m.saveOften.wall],
            ['load of the often-saved directory', m.loadOften.cpu, m.loadOften.wall],
            ['load of a whole save of the same index', m.loadWhole.cpu, m.loadWhole.wall],
            ['often-saved ÷ whole (load)', m.loadOften.cpu / m.loadWhole.cpu, m.loadOften.wall / m.loadWhole.wall],
          ],
          note:
            `Fragments after the saves: nodes ${fragments.nodes}, connections ${fragments.connections}, metadata ${fragments.metadata} (a whole save: 1 each). ` +
            'Each incremental save appends a fragment to each dataset it changes; a dataset holding 16 is rewritten whole by the next save (metadata: its rows in one fragment), so a load opens at most that many files per dataset.',
        },
        {
          title: 'Bytes on disk',
          columns: ['what', 'Vego MiB', 'hnswlib-node MiB'],
          rows: [
            ['whole index', mib(vegoBytes), mib(hBytes)],
            [`written by the save after adding ${extra} (new data files; hnswlib-node: the whole file)`, mib(incBytes), mib(hAfterBytes)],
          ],
        },
        {
          title: 'Files a save creates',
          columns: ['save', 'Vego files', 'hnswlib-node files'],
          rows: [
            ['full save (a new directory)', fullFiles, 1],
            [`save after adding ${extra} (1 %)`, incFiles, 1],
          ],
          note:
            `Vego: data files, deletion files and manifests of the three Lance datasets (each manifest written to a temporary file and linked into place). ` +
            `Creating one file in the benchmark's folder (exclusive create, 4 KiB write, close, rename) cost a median of ${median(creationMicros).toFixed(0)} µs (rounds: ${Math.min(...creationMicros).toFixed(0)}–${Math.max(...creationMicros).toFixed(0)}), measured at the end of each round. ` +
            'Far above ~20 µs, the file system charges for each creation, and a save pays it per file: on the VM of the committed figures (ext4 without a journal), a new inode is looked for past every inode freed in the last minute or so (the kernel\'s `recently_deleted` check), and the suite\'s own removals of earlier directories leave many in the temporary folder\'s block group (0.3–0.5 ms a file there in a separate probe, ~15 µs in a folder of another block group of the same disk).',
        },
      ],
      raw: { n, dim: DIM, rounds, medians: m, during, bytes: { vego: vegoBytes, hnswlib: hBytes, incremental: incBytes, hnswlibAfter: hAfterBytes }, files: { full: fullFiles, incremental: incFiles, creationMicros }, incremental: inc, incrementalUpdate: incUpdate, incrementalDelete: incDelete, oftenFragments: fragments, samples: t },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

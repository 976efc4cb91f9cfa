// @vego/io benchmarks: Lance file write/read throughput (sync and async), concurrent column reads
// with 1/8/16 readers (latency and memory), and dataset operations beside LanceDB 0.39 in the same run.
// MB/s counts the raw column bytes (rows × columns × 8 for Float64), not the file size.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v from '@vego/io';
import * as aa from 'apache-arrow';
import * as lancedb from '@lancedb/lancedb';
import { seededRandom as seeded } from '../lib/data.mjs';
import { float64Batch as vegoBatch, float64Columns as columns, median, medianTime } from '../lib/datasets.mjs';
import { getGc } from '../lib/gc.mjs';

export const title = '@vego/io: files, concurrent reads and datasets (beside LanceDB 0.39)';

const FLOOR = 'floor: FileHandle.read, same bytes';
const fmtRatio = (x) => x.toFixed(2);


function arrowTable(cols) {
  return aa.tableFromArrays(Object.fromEntries(cols.map((a, c) => [`c${c}`, a])));
}

/** Median time in ms of `fn` over `reps` runs after `warm` warm-up runs. */
const time = (fn, reps, warm = 2) => medianTime(fn, reps, warm);

function writeFile(file, batch) {
  const sink = v.FileSink.create(file);
  const w = new v.LanceFileWriter(sink, batch.schema);
  w.write(batch);
  w.finish();
  sink.close();
}

function readFileSync(file) {
  const src = v.FileSource.openSync(file);
  const r = v.LanceFileReader.openSync(src);
  const b = r.readSync();
  src.close();
  return b;
}

async function readFileAsync(file) {
  const src = await v.AsyncFileSource.open(file);
  const r = await v.LanceFileReader.open(src);
  const b = await r.read();
  await src.close();
  return b;
}

export async function run({ quick, log }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-bench-io-'));
  const raw = {};
  const tables = [];
  try {
    // ---------------------------------------------------------------- file throughput
    const reps = quick ? 7 : 25;
    const fileRows = [];
    for (const [rows, ncols] of [[10_000, 1], [100_000, 10]]) {
      const batch = vegoBatch(columns(rows, ncols, 1));
      const mb = (rows * ncols * 8) / 1e6;
      const file = path.join(dir, `f-${rows}x${ncols}.lance`);
      const w = await time(() => writeFile(file, batch), reps);
      const rs = await time(() => readFileSync(file), reps);
      const ra = await time(() => readFileAsync(file), reps);
      const seed = rows === 10_000 ? { w: 330, r: 250 } : { w: 280, r: 220 };
      fileRows.push([`${rows / 1000}K×${ncols} write`, mb / (w / 1000), seed.w, mb / (w / 1000) / seed.w]);
      fileRows.push([`${rows / 1000}K×${ncols} read sync`, mb / (rs / 1000), seed.r, mb / (rs / 1000) / seed.r]);
      fileRows.push([`${rows / 1000}K×${ncols} read async`, mb / (ra / 1000), seed.r, mb / (ra / 1000) / seed.r]);
      raw[`file_${rows}x${ncols}`] = { writeMs: w, readSyncMs: rs, readAsyncMs: ra, mb, fileBytes: fs.statSync(file).size };
      log(`${rows}x${ncols}: write ${w.toFixed(2)} ms, read sync ${rs.toFixed(2)} ms, async ${ra.toFixed(2)} ms`);
    }
    {
      const batch = vegoBatch(columns(10_000, 5, 2));
      const file = path.join(dir, 'rt.lance');
      const rtSync = await time(() => { writeFile(file, batch); readFileSync(file); }, reps * 3);
      const rtAsync = await time(async () => { writeFile(file, batch); await readFileAsync(file); }, reps * 3);
      fileRows.push(['10K×5 roundtrip sync (µs)', rtSync * 1000, 890, 890 / (rtSync * 1000)]);
      fileRows.push(['10K×5 roundtrip async (µs)', rtAsync * 1000, 890, 890 / (rtAsync * 1000)]);
      raw.roundtrip10Kx5 = { syncUs: rtSync * 1000, asyncUs: rtAsync * 1000 };
    }
    tables.push({
      title: 'Lance file write/read (Float64 columns, file in the page cache, no fsync)',
      columns: ['operation', 'vego MB/s (µs for roundtrip)', 'Go seed', 'vego / Go (above 1: faster)'],
      rows: fileRows,
      note: 'Go seed figures are the original implementation\'s, measured on another machine; only the ratios within this run are like for like. Roundtrip ratio is Go time / vego time.',
    });

    // ---------------------------------------------------------------- concurrent column reads
    const nCols = 16;
    const concRows = [];
    const concRaw = {};
    for (const cRows of [10_000, quick ? 200_000 : 1_000_000]) {
      const cfile = path.join(dir, `concurrent-${cRows}.lance`);
      writeFile(cfile, vegoBatch(columns(cRows, nCols, 3)));
      const variants = ['same column', 'distinct columns', 'distinct, block cache', FLOOR];
      const colBytes = cRows * 8;
      const counts = [1, 8, 16];
      const setups = [];
      for (const variant of variants) {
        const cache = variant.includes('cache') ? new v.BlockCache({ capacityBytes: 1 << 30 }) : undefined;
        const src = await v.AsyncFileSource.open(cfile, cache ? { cache } : {});
        const reader = await v.LanceFileReader.open(src);
        // The floor: the same bytes read by Node itself, one FileHandle.read per reader into a buffer
        // of its own, all in flight together; no Lance, no scheduler.
        const fh = variant === FLOOR ? await fs.promises.open(cfile, 'r') : null;
        const readOne = variant === FLOOR
          ? (i) => fh.read(Buffer.allocUnsafeSlow(colBytes), 0, colBytes, (i % nCols) * colBytes)
          : (i) => reader.read({ columns: [variant === 'same column' ? 'c0' : `c${i % nCols}`] });
        const once = async (readers) => {
          const lat = new Array(readers);
          const t0 = performance.now();
          await Promise.all(
            Array.from({ length: readers }, async (_, i) => {
              await readOne(i);
              lat[i] = performance.now() - t0;
            }),
          );
          return lat;
        };
        const m = () => new Map(counts.map((r) => [r, []]));
        setups.push({ variant, cache, src, fh, once, meds: m(), maxes: m(), grew: m(), fileBytes: new Map(counts.map((r) => [r, 0])) });
      }
      for (let i = 0; i < 5; i++) for (const st of setups) for (const r of counts) await st.once(r);
      // Rounds interleave every variant and reader count (variant A ×1, ×8, ×16, variant B ×1, …,
      // then again), so that warm-up, GC and the state of the heap hit every row alike.
      const n = quick ? 41 : 101;
      for (let k = 0; k < n; k++) {
        for (const st of setups) {
          for (const r of counts) {
            const b0 = st.src.stats().bytesRead;
            const ab = process.memoryUsage().arrayBuffers;
            const lat = await st.once(r);
            st.grew.get(r).push(Math.max(0, process.memoryUsage().arrayBuffers - ab));
            st.fileBytes.set(r, st.fileBytes.get(r) + (st.fh === null ? st.src.stats().bytesRead - b0 : r * colBytes));
            st.meds.get(r).push(median(lat));
            st.maxes.get(r).push(Math.max(...lat));
          }
        }
      }
      for (const st of setups) {
        // CPU time per reader from back-to-back rounds for ~0.3 s per count (getrusage is tick-sampled,
        // so single short rounds cannot be timed; this averages over hundreds of rounds).
        const base = median(st.maxes.get(1));
        for (const readers of counts) {
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          let rounds = 0;
          while (performance.now() - t0 < 300) {
            await st.once(readers);
            rounds++;
          }
          const c1 = process.cpuUsage(c0);
          const cpuMsPerReader = (c1.user + c1.system) / rounds / readers / 1000;
          const med = median(st.meds.get(readers));
          const worst = median(st.maxes.get(readers));
          const readMiB = st.fileBytes.get(readers) / n / 2 ** 20;
          const newMiB = median(st.grew.get(readers)) / 2 ** 20;
          concRows.push([cRows, st.variant, readers, med, worst, worst / base, (readers * colBytes) / 2 ** 20, readMiB, cpuMsPerReader, newMiB]);
          concRaw[`${cRows}_${st.variant}_${readers}`] = { medianMs: med, maxMs: worst, ratio: worst / base, fileMiBPerRound: readMiB, cpuMsPerReader, newArrayBufferMiBPerRound: newMiB };
          log(`${cRows} rows, ${st.variant} ×${readers}: median ${med.toFixed(3)} ms, slowest ${worst.toFixed(3)} ms (${(worst / base).toFixed(2)}× one)`);
        }
        concRaw[`${cRows}_${st.variant}_sourceStats`] = st.src.stats();
        if (st.cache) concRaw[`${cRows}_${st.variant}_cacheStats`] = st.cache.stats();
        await st.src.close();
        await st.fh?.close();
      }
      // Reference: the same 8 distinct columns read one after another, synchronously.
      const ssrc = v.FileSource.openSync(cfile);
      const sreader = v.LanceFileReader.openSync(ssrc);
      const seq = await time(() => { for (let i = 0; i < 8; i++) sreader.readSync({ columns: [`c${i}`] }); }, quick ? 21 : 61, 3);
      const one = await time(() => sreader.readSync({ columns: ['c0'] }), quick ? 21 : 61, 3);
      ssrc.close();
      concRows.push([cRows, 'distinct, sync one after another', 8, seq, seq, seq / one, (8 * cRows * 8) / 2 ** 20, (8 * cRows * 8) / 2 ** 20, '', '']);
    }
    raw.concurrent = concRaw;
    const floorRatios = [...new Set(concRows.map((r) => r[0]))]
      .map((rows) => `${fmtRatio(concRaw[`${rows}_distinct columns_8`].maxMs / concRaw[`${rows}_${FLOOR}_8`].maxMs)}× at ${rows.toLocaleString('en-US')} rows`)
      .join(' and ');
    tables.push({
      title: `Concurrent column reads of one file (× ${nCols} Float64 columns, one AsyncFileSource + LanceFileReader shared by all readers)`,
      columns: ['rows', 'readers read', 'readers', 'median latency ms', 'slowest reader ms', 'slowest / one reader', 'MiB requested', 'MiB read from file per round', 'CPU ms per reader (user+sys, all threads)', 'new ArrayBuffer MiB per round (median)'],
      rows: concRows,
      note: `Target: 8 concurrent readers ≤ 1.5× the latency of one. "same column": every reader asks for c0; concurrent requests for the same bytes share one file read, so 8 or 16 readers cost about one (met). "distinct columns": each reader its own column, so a round moves 8× (16×) the bytes of one reader. Compare it with the floor rows: the same bytes read by Node itself (one FileHandle.read per reader into its own buffer, all in flight together, no Lance, no scheduler) in the same run. On this 2-core machine copying a column out of the page cache into new memory is bound by memory bandwidth and page faults, not by waiting, so the floor itself is several times one reader for large columns; in this run vego\'s slowest of 8 distinct readers took ${floorRatios} the floor\'s, so most of what lies above 1.5× is the machine\'s cost of moving the bytes, not queueing in vego. "distinct, block cache": the columns stay in memory as blocks; reads are views of cached blocks (no copy, no file read), so 8 cached readers finish long before one uncached reader. Memory = growth of ArrayBuffer memory over one round (buffers the round allocated; views of cached blocks allocate none). The sync row is the serial baseline: 8 columns one after another with positional synchronous reads on the calling thread (it blocks the event loop for that time).`,
    });

    // ---------------------------------------------------------------- datasets vs LanceDB
    const dsRows = quick ? 100_000 : 1_000_000;
    const dsCols = columns(dsRows, 10, 4);
    const vBatch = vegoBatch(dsCols);
    const aTable = arrowTable(dsCols);
    const appendCols = columns(10_000, 10, 5);
    const vAppend = vegoBatch(appendCols);
    const aAppend = arrowTable(appendCols);
    const db = await lancedb.connect(path.join(dir, 'lancedb'));
    const lopts = { storageOptions: { new_table_data_storage_version: '2.0' }, mode: 'overwrite' };
    // Both sides write Lance 2.0 here, as the figures are documented (whatever vego's default).
    const V2_0 = { storageVersion: '2.0' };
    const dreps = quick ? 5 : 10;
    let k = 0;
    const vCreate = await time(() => v.Dataset.createSync(path.join(dir, `vds-${k++}`), vBatch, V2_0), dreps, 1);
    const lCreate = await time(async () => db.createTable(`l${k++}`, aTable, lopts), dreps, 1);
    const vCreateAsync = await time(() => v.Dataset.create(path.join(dir, `vds-${k++}`), vBatch, V2_0), dreps, 1);
    // Longest gap between 1 ms timer ticks while a create runs: how long the event loop stalls.
    const stall = async (fn) => {
      let last = performance.now();
      let worst = 0;
      const timer = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now; }, 1);
      await new Promise((r) => setTimeout(r, 5));
      last = performance.now();
      await fn();
      await new Promise((r) => setTimeout(r, 5));
      worst = Math.max(worst, performance.now() - last);
      clearInterval(timer);
      return worst;
    };
    const stallSync = [];
    const stallAsync = [];
    for (let i = 0; i < dreps; i++) {
      stallSync.push(await stall(async () => v.Dataset.createSync(path.join(dir, `vds-${k++}`), vBatch, V2_0)));
      stallAsync.push(await stall(() => v.Dataset.create(path.join(dir, `vds-${k++}`), vBatch, V2_0)));
    }
    const vdir = path.join(dir, 'vds-main');
    v.Dataset.createSync(vdir, vBatch, V2_0);
    const lt = await db.createTable('lmain', aTable, lopts);
    const vAppendT = await time(() => v.Dataset.createSync(vdir, vAppend, { mode: 'append' }), dreps, 1);
    const vAppendAsync = await time(() => v.Dataset.create(vdir, vAppend, { mode: 'append' }), dreps, 1);
    const lAppendT = await time(() => lt.add(aAppend), dreps, 1);
    const vOpen = await time(() => v.Dataset.openSync(vdir).countRows(), dreps * 4);
    const lOpen = await time(async () => (await db.openTable('lmain')).countRows(), dreps * 4);
    const vScanSync = await time(() => { const d = v.Dataset.openSync(vdir); d.toTableSync(); d.closeSync(); }, dreps);
    const vScan = await time(async () => { const d = await v.Dataset.open(vdir); await d.toTable(); await d.close(); }, dreps);
    const lScan = await time(async () => (await db.openTable('lmain')).query().toArrow(), dreps);
    const rnd = seeded(6);
    const idx = Array.from({ length: 100 }, () => Math.floor(rnd() * dsRows));
    const vds = v.Dataset.openSync(vdir);
    const vTake = await time(() => vds.take(idx), dreps * 4);
    const lTake = await time(async () => lt.takeOffsets(idx).toArrow(), dreps * 4);
    const vProj = await time(async () => { for await (const b of vds.scan({ columns: ['c3'] })) void b; }, dreps);
    const lProj = await time(async () => lt.query().select(['c3']).toArrow(), dreps);
    // Memory a scan holds: ArrayBuffer bytes still reachable (after a full GC) at every batch of one
    // full scan in 64K-row batches, beside the same for toTable (which holds every batch by design).
    const gc = getGc();
    const retainedDuring = async (fn) => {
      gc();
      const base = process.memoryUsage().arrayBuffers;
      let peak = 0;
      await fn(() => { gc(); peak = Math.max(peak, process.memoryUsage().arrayBuffers - base); });
      return peak / 2 ** 20;
    };
    const streamPeak = await retainedDuring(async (sample) => { for await (const b of vds.scan({ batchSize: 65_536 })) { void b; sample(); } });
    const tablePeak = await retainedDuring(async (sample) => { const t = await vds.toTable({ batchSize: 65_536 }); sample(); void t; });
    await vds.close();
    const mb = (dsRows * 10 * 8) / 1e6;
    const totalRows = v.Dataset.openSync(vdir).countRows();
    const scanMb = (totalRows * 10 * 8) / 1e6;
    const drows = [
      [`create ${dsRows / 1000}K×10`, vCreate, lCreate, lCreate / vCreate, mb / (vCreate / 1000)],
      [`create ${dsRows / 1000}K×10 (async)`, vCreateAsync, lCreate, lCreate / vCreateAsync, mb / (vCreateAsync / 1000)],
      ['append 10K×10', vAppendT, lAppendT, lAppendT / vAppendT, 0.8 / (vAppendT / 1000)],
      ['append 10K×10 (async)', vAppendAsync, lAppendT, lAppendT / vAppendAsync, 0.8 / (vAppendAsync / 1000)],
      ['open + countRows', vOpen, lOpen, lOpen / vOpen, ''],
      ['full scan to table (async)', vScan, lScan, lScan / vScan, scanMb / (vScan / 1000)],
      ['full scan to table (sync)', vScanSync, lScan, lScan / vScanSync, scanMb / (vScanSync / 1000)],
      ['scan one column', vProj, lProj, lProj / vProj, ''],
      ['take 100 random rows', vTake, lTake, lTake / vTake, ''],
    ];
    raw.dataset = Object.fromEntries(drows.map((r) => [r[0], { vegoMs: r[1], lancedbMs: r[2] }]));
    raw.createStallMs = { sync: median(stallSync), async: median(stallAsync) };
    raw.scanMemory = { dataMiB: (totalRows * 80) / 2 ** 20, streamingPeakMiB: streamPeak, toTablePeakMiB: tablePeak };
    log(`scan memory: streaming holds at most ${streamPeak.toFixed(1)} MiB, toTable ${tablePeak.toFixed(1)} MiB, data ${((totalRows * 80) / 2 ** 20).toFixed(1)} MiB`);
    tables.push({
      title: `Dataset operations: @vego/io vs LanceDB 0.39 (Lance 2.0 files), created with ${dsRows.toLocaleString('en-US')} rows × 10 Float64 (scans: ${totalRows.toLocaleString('en-US')} rows after the appends)`,
      columns: ['operation', 'vego ms', 'LanceDB ms', 'LanceDB / vego (above 1: vego faster)', 'vego MB/s'],
      rows: drows,
      note: `vego commits fsync data and manifest (crash-safe); LanceDB\'s local writes do not fsync by default. Both write Lance 2.0. Scans return a Table (vego) / an apache-arrow Table (LanceDB). Async create writes and fsyncs on the thread pool; only encoding runs on the calling thread: longest event-loop stall during a ${dsRows / 1000}K×10 create ${median(stallAsync).toFixed(1)} ms async vs ${median(stallSync).toFixed(1)} ms sync (median of ${dreps}).`,
    });
    tables.push({
      title: 'Memory of a full scan: streaming batches vs collecting a table (vego, async, batchSize 65,536 rows)',
      columns: ['column data MiB', 'scan(): most ArrayBuffer MiB held', 'toTable(): ArrayBuffer MiB held'],
      rows: [[raw.scanMemory.dataMiB, streamPeak, tablePeak]],
      note: 'Reachable ArrayBuffer memory after a full garbage collection, sampled at every batch (scan: the batch in hand plus the one read ahead) or once at the end (toTable).',
    });

    // ---------------------------------------------------------------- compaction vs LanceDB optimize
    // Many small appends and 10 % deleted rows, as an app logging events ends up with; then one
    // compaction. Both engines get the same fragments (one per append) and delete the same rows.
    const nFrag = quick ? 50 : 200;
    const fragRows = quick ? 2_000 : 5_000;
    const fragBatch = (f) => {
      const ids = new Float64Array(fragRows);
      for (let i = 0; i < fragRows; i++) ids[i] = f * fragRows + i;
      const cols = [ids, ...columns(fragRows, 3, 100 + f)];
      return { vego: vegoBatch(cols), arrow: arrowTable(cols) };
    };
    const cdir = path.join(dir, 'vcompact');
    const lct = await db.createTable('lcompact', fragBatch(0).arrow, lopts);
    v.Dataset.createSync(cdir, fragBatch(0).vego, V2_0);
    for (let f = 1; f < nFrag; f++) {
      const b = fragBatch(f);
      v.Dataset.createSync(cdir, b.vego, { mode: 'append' });
      await lct.add(b.arrow);
    }
    v.Dataset.openSync(cdir).deleteSync((row) => row.c0 % 10 === 0, { columns: ['c0'] });
    await lct.delete('c0 % 10 = 0');
    const vScanOf = async () => { const d = await v.Dataset.open(cdir); await d.toTable(); await d.close(); };
    const lScanOf = async () => (await db.openTable('lcompact')).query().toArrow();
    const vBefore = await time(vScanOf, dreps);
    const lBefore = await time(lScanOf, dreps);
    const c0 = performance.now();
    const compacted = await v.Dataset.openSync(cdir).compact();
    const vCompact = performance.now() - c0;
    const l0 = performance.now();
    await lct.optimize();
    const lCompact = performance.now() - l0;
    const vAfter = await time(vScanOf, dreps);
    const lAfter = await time(lScanOf, dreps);
    const liveRows = compacted.dataset.countRows();
    if (liveRows !== (await lct.countRows())) throw new Error(`compaction: vego has ${liveRows} rows, LanceDB ${await lct.countRows()}`);
    raw.compaction = { fragments: nFrag, fragRows, liveRows, vego: { scanBeforeMs: vBefore, compactMs: vCompact, scanAfterMs: vAfter, fragmentsAfter: compacted.dataset.fragmentFiles().length }, lancedb: { scanBeforeMs: lBefore, optimizeMs: lCompact, scanAfterMs: lAfter } };
    tables.push({
      title: `Compaction: ${nFrag} appends of ${fragRows.toLocaleString('en-US')} rows × 4 Float64, 10 % of rows deleted (${liveRows.toLocaleString('en-US')} live rows)`,
      columns: ['operation', 'vego ms', 'LanceDB ms', 'LanceDB / vego (above 1: vego faster)'],
      rows: [
        ['full scan to table, before', vBefore, lBefore, lBefore / vBefore],
        ['compact (vego) / optimize (LanceDB)', vCompact, lCompact, lCompact / vCompact],
        ['full scan to table, after', vAfter, lAfter, lAfter / vAfter],
      ],
      note: `vego: \`await ds.compact()\` (${compacted.fragmentsRemoved} fragments rewritten into ${compacted.fragmentsAdded}, ${compacted.deletedRowsRemoved.toLocaleString('en-US')} deleted rows dropped, data and manifest fsynced); LanceDB: \`table.optimize()\` (compaction plus its index and cleanup steps; no indices here). One compaction each, so its time is a single measurement; scans are medians of ${dreps}.`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { tables, raw };
}

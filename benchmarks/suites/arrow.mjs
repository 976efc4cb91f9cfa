// @vego/arrow micro-benchmarks beside apache-arrow@18.1.0 on the same operations in the same run:
// element access (ns/op), builder throughput (values/s) and RecordBatch creation (µs).
// Ratio = apache-arrow time / @vego/arrow time (above 1: we are faster).
import * as v from '@vego/arrow';
import * as aa from 'apache-arrow';
import { seededRandom } from '../lib/data.mjs';

export const title = '@vego/arrow vs apache-arrow: element access, builders, RecordBatch creation';

let sink = 0;

/** Best-of-`rounds` wall time of `fn` in nanoseconds (one warm-up call first). */
function bestNs(fn, rounds) {
  fn();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const ns = Number(process.hrtime.bigint() - t0);
    if (ns < best) best = ns;
  }
  return best;
}

/**
 * Take 10% random rows (unsorted, with repeats) of a Float64, a Utf8 and a FixedSizeList<Float32>[128]
 * vector: takeVector beside the per-value builder loop consumers used before it (`append(get(i))`).
 * apache-arrow 18 has no row take (its `selectAt` picks columns), so it has no column here.
 * Exported with its sizes as parameters so a scratch script can run it small.
 */
export function measureTake({ rounds, log, numbers = 1_000_000, strings = 1_000_000, embeddings = 100_000, dim = 128 }) {
  const r = seededRandom(3);
  const sources = [
    ['Float64', v.vectorFromTypedArray(new Float64Array(numbers).map(() => r() * 1e6))],
    ['Utf8', v.utf8FromStrings(Array.from({ length: strings }, (_, i) => `row-${i}-${(r() * 1e6) | 0}`))],
    [`FixedSizeList<Float32>[${dim}]`, v.fixedSizeListFromFloat32(new Float32Array(embeddings * dim).map(() => r()), dim)],
  ];
  const rows = [];
  for (const [name, src] of sources) {
    const indices = Int32Array.from({ length: Math.floor(src.length / 10) }, () => Math.floor(r() * src.length));
    const ours = bestNs(() => { sink += v.takeVector(src, indices).length; }, rounds) / 1e6;
    const loop = bestNs(() => {
      const b = v.makeBuilder(src.type);
      for (let k = 0; k < indices.length; k++) b.append(src.get(indices[k]));
      sink += b.finish().length;
    }, rounds) / 1e6;
    rows.push([`${name}: ${indices.length.toLocaleString('en-US')} of ${src.length.toLocaleString('en-US')} rows`, ours, loop, loop / ours]);
    log(`take ${name}: takeVector ${ours.toFixed(2)} ms, builder loop ${loop.toFixed(2)} ms`);
  }
  return rows;
}

export async function run({ quick, log }) {
  const rounds = quick ? 9 : 15;
  const N = quick ? 1_000_000 : 4_000_000;
  const NS = quick ? 100_000 : 400_000; // strings
  const DIM = 128;
  const NV = quick ? 20_000 : 80_000; // embeddings
  const r = seededRandom(1);

  const f32 = new Float32Array(N).map(() => r());
  const i32 = new Int32Array(N).map(() => (r() * 1e9) | 0);
  const strings = Array.from({ length: NS }, (_, i) => `row-${i}-${(r() * 1e6) | 0}`);
  const flat = new Float32Array(NV * DIM).map(() => r());

  const ours = {
    f32: v.vectorFromTypedArray(f32),
    i32: v.vectorFromTypedArray(i32),
    utf8: v.utf8FromStrings(strings),
    fsl: v.fixedSizeListFromFloat32(flat, DIM),
  };
  const theirs = {
    f32: aa.makeVector(f32),
    i32: aa.makeVector(i32),
    utf8: aa.vectorFromArray(strings, new aa.Utf8()),
    fsl: aa.makeVector(aa.makeData({
      type: new aa.FixedSizeList(DIM, new aa.Field('item', new aa.Float32())),
      length: NV,
      child: aa.makeData({ type: new aa.Float32(), length: NV * DIM, data: flat }),
    })),
  };

  const access = [];
  function accessRow(name, n, oursFn, theirsFn) {
    const a = bestNs(oursFn, rounds) / n;
    const b = bestNs(theirsFn, rounds) / n;
    access.push([name, a, b, b / a]);
    log(`${name}: ours ${a.toFixed(2)} ns/op, apache-arrow ${b.toFixed(2)} ns/op`);
  }

  accessRow('Float32 get(i)', N,
    () => { const x = ours.f32; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i); sink += s; },
    () => { const x = theirs.f32; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i); sink += s; });
  accessRow('Int32 get(i)', N,
    () => { const x = ours.i32; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i); sink += s; },
    () => { const x = theirs.i32; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i); sink += s; });
  accessRow('Utf8 get(i) (string decode)', NS,
    () => { const x = ours.utf8; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i).length; sink += s; },
    () => { const x = theirs.utf8; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i).length; sink += s; });
  accessRow('FixedSizeList<Float32>[128] get(i) (row view)', NV,
    () => { const x = ours.fsl; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i)[5]; sink += s; },
    () => { const x = theirs.fsl; let s = 0; for (let i = 0; i < x.length; i++) s += x.get(i).get(5); sink += s; });
  accessRow('raw buffer view: values[valueOffset(i)] (Float32)', N,
    () => { const x = ours.f32; const vals = x.values; let s = 0; for (let i = 0; i < x.length; i++) s += vals[x.valueOffset(i)]; sink += s; },
    () => { const vals = theirs.f32.data[0].values; let s = 0; for (let i = 0; i < vals.length; i++) s += vals[i]; sink += s; });

  // Builders.
  const NB = quick ? 500_000 : 2_000_000;
  const big = new BigInt64Array(NB).map((_, i) => BigInt(i) * 7919n - 1000n);
  const builderRows = [];
  function builderRow(name, n, oursFn, theirsFn) {
    const a = bestNs(oursFn, rounds);
    const b = bestNs(theirsFn, rounds);
    builderRows.push([name, (n / a) * 1e9, (n / b) * 1e9, b / a]);
    log(`${name}: ours ${((n / a) * 1e3).toFixed(1)} M values/s, apache-arrow ${((n / b) * 1e3).toFixed(1)} M values/s`);
  }
  builderRow('Float32 append', NB,
    () => { const b = v.makeBuilder(new v.Float32()); for (let i = 0; i < NB; i++) b.append(f32[i]); sink += b.finish().length; },
    () => { const b = aa.makeBuilder({ type: new aa.Float32() }); for (let i = 0; i < NB; i++) b.append(f32[i]); sink += b.finish().toVector().length; });
  builderRow('Int64 append (bigint)', NB,
    () => { const b = v.makeBuilder(new v.Int64()); for (let i = 0; i < NB; i++) b.append(big[i]); sink += b.finish().length; },
    () => { const b = aa.makeBuilder({ type: new aa.Int64() }); for (let i = 0; i < NB; i++) b.append(big[i]); sink += b.finish().toVector().length; });
  builderRow('Utf8 append', NS,
    () => { const b = v.makeBuilder(new v.Utf8()); for (let i = 0; i < NS; i++) b.append(strings[i]); sink += b.finish().length; },
    () => { const b = aa.makeBuilder({ type: new aa.Utf8() }); for (let i = 0; i < NS; i++) b.append(strings[i]); sink += b.finish().toVector().length; });

  // RecordBatch creation from existing typed arrays (no copy on either side).
  const COLS = 10;
  const ROWS = 10_000;
  const columns = Array.from({ length: COLS }, (_, k) => (k % 2 ? new Float32Array(ROWS).map(() => r()) : new Int32Array(ROWS).map((_, i) => i + k)));
  const batchRows = [];
  const oursBatch = () => {
    const cols = {};
    for (let k = 0; k < COLS; k++) cols[`c${k}`] = v.vectorFromTypedArray(columns[k]);
    sink += v.RecordBatch.from(cols).numRows;
  };
  const theirsBatch = () => {
    const cols = {};
    for (let k = 0; k < COLS; k++) cols[`c${k}`] = aa.makeVector(columns[k]);
    sink += new aa.RecordBatch(cols).numRows;
  };
  const reps = 200;
  const a = bestNs(() => { for (let k = 0; k < reps; k++) oursBatch(); }, rounds) / reps / 1000;
  const b = bestNs(() => { for (let k = 0; k < reps; k++) theirsBatch(); }, rounds) / reps / 1000;
  batchRows.push([`${COLS} columns × ${ROWS.toLocaleString('en-US')} rows from TypedArrays`, a, b, b / a]);
  log(`RecordBatch: ours ${a.toFixed(2)} µs, apache-arrow ${b.toFixed(2)} µs`);

  const takeRounds = quick ? 5 : 9;
  const takeRows = measureTake({ rounds: takeRounds, log });

  return {
    tables: [
      {
        title: 'Element access (ns/op, lower is better)',
        columns: ['operation', '@vego/arrow ns/op', 'apache-arrow ns/op', 'ratio (apache-arrow / ours)'],
        rows: access,
        note: `Best of ${rounds} passes over ${N.toLocaleString('en-US')} numbers, ${NS.toLocaleString('en-US')} strings, ${NV.toLocaleString('en-US')} rows of 128 floats. ` +
          'apache-arrow\'s FixedSizeList get returns a Vector (read with .get(5)); ours returns a Float32Array view. Its "raw buffer" row reads data[0].values directly. ' +
          'Seed reference numbers (other machine, for orientation only): Float32 access 1.3 ns/op, Int32 2.2 ns/op, buffer view 1.2 ns/op.',
      },
      {
        title: 'Builder throughput (values/s, higher is better)',
        columns: ['operation', '@vego/arrow values/s', 'apache-arrow values/s', 'ratio (apache-arrow time / ours)'],
        rows: builderRows,
        note: `One append call per value, then finish; ${NB.toLocaleString('en-US')} numbers or ${NS.toLocaleString('en-US')} strings per pass, best of ${rounds}.`,
      },
      {
        title: 'RecordBatch creation (µs, lower is better)',
        columns: ['operation', '@vego/arrow µs', 'apache-arrow µs', 'ratio (apache-arrow / ours)'],
        rows: batchRows,
        note: 'Wrapping existing TypedArrays (no copy) and validating the batch; mean of 200 creations, best of the passes. Seed reference: 220 µs.',
      },
      {
        title: 'Take 10% random rows (ms, lower is better)',
        columns: ['vector', 'takeVector ms', 'builder append(get(i)) loop ms', 'ratio (builder loop / takeVector)'],
        rows: takeRows,
        note: `Unsorted random indices with repeats, as an Int32Array; best of ${takeRounds}. The builder loop is how rows were copied before takeVector. ` +
          'apache-arrow 18 has no row take (RecordBatch/Table selectAt pick columns), so it is not compared here.',
      },
    ],
    raw: { sink, N, NS, NV, NB, rounds, takeRounds },
  };
}

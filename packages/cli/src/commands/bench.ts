/** `vego bench`: build an index on your data (or generated clusters) and sweep ef: recall, QPS, latency. */
import { HNSW, InvalidArgumentError, isDistanceMetric, type DistanceMetric } from '@vego/db';
import { type ParsedArgs, intOption, stringOption } from '../args';
import { ProgressBar } from '../progress';
import { exactKthDistances, hitsWithin } from '../recall';
import { clusteredVectors } from '../synthetic';
import { readVectorFile } from '../vector-files';
import type { CommandIo } from '../command';

export const BENCH_HELP = `vego bench [--base <file> [--queries <file>]] [options]

Builds an index and measures recall@k (against an exact scan), queries per second and p50/p99
latency for each ef, one query per call. Without --base it uses generated clustered vectors.

Options:
  --base <file>          vectors to index (.fvecs, .npy, .json, JSON lines)
  --queries <file>       query vectors (default: 200 generated or taken from the base)
  --n <count>            generated vectors (default 10000)
  --dimension <d>        generated dimension (default 128)
  --limit <q>            queries to run (default 200; also --num-queries)
  --metric <name>        l2 (default), cosine or innerProduct
  --M <n>, --ef-construction <n>, --threads <n>
  -k, --k <n>            neighbours per query (default 10)
  --ef <list>            comma-separated ef values (default 10,20,40,80,160)
`;

export const BENCH_OPTIONS = {
  base: { kind: 'string' },
  queries: { kind: 'string' },
  n: { kind: 'string' },
  dimension: { kind: 'string' },
  limit: { kind: 'string' },
  'num-queries': { kind: 'string', aliasOf: 'limit' },
  metric: { kind: 'string' },
  M: { kind: 'string' },
  'ef-construction': { kind: 'string' },
  threads: { kind: 'string' },
  k: { kind: 'string', short: 'k' },
  ef: { kind: 'string' },
} as const;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Runs `vego bench`. */
export async function bench(args: ParsedArgs, io: CommandIo): Promise<void> {
  const metric = stringOption(args, 'metric', 'l2');
  if (!isDistanceMetric(metric)) throw new InvalidArgumentError(`\`--metric\` must be l2, cosine or innerProduct, got ${metric}`);
  const numQueries = intOption(args, 'limit', 200, 1, 1000000);
  let base: Float32Array;
  let queries: Float32Array;
  let dimension: number;
  const baseFile = stringOption(args, 'base');
  if (baseFile !== undefined) {
    const set = readVectorFile(baseFile);
    dimension = set.dimension;
    base = set.vectors;
    const queryFile = stringOption(args, 'queries');
    if (queryFile !== undefined) {
      const q = readVectorFile(queryFile);
      if (q.dimension !== dimension) throw new InvalidArgumentError(`\`--queries\` have dimension ${q.dimension}, \`--base\` has ${dimension}`);
      queries = q.vectors.subarray(0, Math.min(numQueries, q.count) * dimension);
    } else {
      queries = base.subarray(0, Math.min(numQueries, set.count) * dimension);
    }
  } else {
    const n = intOption(args, 'n', 10000, 1, 10000000);
    dimension = intOption(args, 'dimension', 128, 1, 65536);
    const all = clusteredVectors(n + numQueries, dimension);
    base = all.subarray(0, n * dimension);
    queries = all.subarray(n * dimension);
  }
  const count = base.length / dimension;
  const config: ConstructorParameters<typeof HNSW>[0] = { dimension, distance: metric as DistanceMetric, expectedSize: count };
  if (args.options.has('M')) config.M = intOption(args, 'M', 16, 2, 256);
  if (args.options.has('ef-construction')) config.efConstruction = intOption(args, 'ef-construction', 200, 1, 100000);
  const k = intOption(args, 'k', 10, 1, 100000);
  const efs = stringOption(args, 'ef', '10,20,40,80,160').split(',').map((s) => {
    const ef = Number(s);
    if (!Number.isInteger(ef) || ef < 1) throw new InvalidArgumentError(`\`--ef\` must be comma-separated positive integers, got '${s}'`);
    return ef;
  });
  const threads = intOption(args, 'threads', 1, 1, 64);

  const index = new HNSW(config);
  io.err(`vego bench: ${count} × ${dimension}, ${metric}, M=${index.config.M}, efConstruction=${index.config.efConstruction}, ${threads} thread(s)\n`);
  const bar = new ProgressBar('linking', count, io.errStream);
  const t0 = performance.now();
  index.addBatch(base, { threads, onProgress: (done) => bar.update(done) });
  bar.finish();
  const buildSeconds = (performance.now() - t0) / 1000;
  io.out(`build: ${buildSeconds.toFixed(2)} s, ${Math.round(count / buildSeconds)} vectors/s\n`);

  const nq = queries.length / dimension;
  const kth = exactKthDistances(index, queries, dimension, k);
  const latencies = new Float64Array(nq);
  io.out(`ef\trecall@${k}\tQPS\tp50 µs\tp99 µs\n`);
  for (const ef of efs) {
    let hits = 0;
    const started = performance.now();
    for (let q = 0; q < nq; q++) {
      const s = performance.now();
      const res = index.search(queries.subarray(q * dimension, (q + 1) * dimension), k, ef);
      latencies[q] = performance.now() - s;
      hits += hitsWithin(res, kth[q]!);
    }
    const seconds = (performance.now() - started) / 1000;
    latencies.sort();
    const recall = hits / (nq * Math.min(k, index.size));
    io.out(
      `${ef}\t${recall.toFixed(4)}\t${Math.round(nq / seconds)}\t${(percentile(latencies, 0.5) * 1000).toFixed(1)}\t${(percentile(latencies, 0.99) * 1000).toFixed(1)}\n`,
    );
  }
}

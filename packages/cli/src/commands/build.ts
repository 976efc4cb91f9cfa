/** `vego build`: vectors from a file into an HNSW index saved as Lance datasets. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { ConflictError, HNSW, InvalidArgumentError, isDistanceMetric, type DistanceMetric } from '@vego/db';
import { type ParsedArgs, flag, intOption, stringOption } from '../args';
import { ProgressBar } from '../progress';
import { readVectorFile } from '../vector-files';
import type { CommandIo } from '../command';
import { DEFAULT_COLLECTION, buildDocuments, isDocumentFile, readText } from './documents';

export const BUILD_HELP = `vego build <input> --out <dir> [options]

Builds an HNSW index from .fvecs, .npy (2-D float32/float64), .json (an array
of rows) or JSON lines ([..] or {"vector": [..]} per line) and saves it as Lance
datasets in <dir>. Vector i of the file gets id i.

JSON lines of documents ({"id": .., "vector": [..], "text": .., other fields})
become a collection of the database folder <dir> instead: id is the key, text
and every other field are kept (typed metadata), and vego search prints them.

Options:
  --out <dir>              where to save the index (required)
  --force                  replace what is already in <dir> (index builds)
  --metric <name>          l2 (default), cosine or innerProduct
  --M <n>                  links per node (default 16, or adaptive)
  --ef-construction <n>    build beam width (default 200, or adaptive)
  --adaptive               choose M and efConstruction from dimension and size
  --threads <n>            insert with n threads (default 1)
  --limit <n>              use only the first n vectors
  --seed <n>               level-assignment seed (default 42)
  --collection <name>      documents only: collection name (default documents)
`;

export const BUILD_OPTIONS = {
  out: { kind: 'string' },
  metric: { kind: 'string' },
  M: { kind: 'string' },
  'ef-construction': { kind: 'string' },
  adaptive: { kind: 'boolean' },
  threads: { kind: 'string' },
  limit: { kind: 'string' },
  seed: { kind: 'string' },
  collection: { kind: 'string' },
  force: { kind: 'boolean' },
} as const;

/**
 * Refuses to build over anything already at `out` (an index, a dataset, any file) unless `--force`:
 * a typo in `--out` must not replace an index that took an hour to build.
 */
function checkOut(out: string, force: boolean): void {
  if (force || !existsSync(out)) return;
  if (statSync(out).isDirectory() && readdirSync(out).length === 0) return;
  throw new ConflictError(`${out} already exists and is not an empty directory: pass \`--force\` to replace it`);
}

/** Runs `vego build`. */
export async function build(args: ParsedArgs, io: CommandIo): Promise<void> {
  const input = args.positionals[0];
  if (input === undefined) throw new InvalidArgumentError('`input` is required: vego build <input> --out <dir>');
  const out = stringOption(args, 'out');
  if (out === undefined) throw new InvalidArgumentError('`--out` is required: the directory to save the index in');
  const metric = stringOption(args, 'metric', 'l2');
  if (!isDistanceMetric(metric)) throw new InvalidArgumentError(`\`--metric\` must be l2, cosine or innerProduct, got ${metric}`);
  if (/\.(jsonl|ndjson|json)$/i.test(input)) {
    const text = readText(input);
    if (isDocumentFile(text)) {
      await buildDocuments(input, text, {
        out, collection: stringOption(args, 'collection', DEFAULT_COLLECTION), distance: metric as DistanceMetric,
        seed: intOption(args, 'seed', 42, 0, 2 ** 31 - 1),
        ...(args.options.has('M') ? { M: intOption(args, 'M', 16, 2, 256) } : {}),
        ...(args.options.has('ef-construction') ? { efConstruction: intOption(args, 'ef-construction', 200, 1, 100000) } : {}),
      }, io);
      return;
    }
  }
  checkOut(out, flag(args, 'force'));
  const set = readVectorFile(input);
  const limit = intOption(args, 'limit', set.count, 1);
  const count = Math.min(limit, set.count);
  if (count === 0) throw new InvalidArgumentError(`\`input\` ${input} holds no vectors`);
  const config: ConstructorParameters<typeof HNSW>[0] = {
    dimension: set.dimension,
    distance: metric as DistanceMetric,
    adaptive: flag(args, 'adaptive'),
    expectedSize: count,
    seed: intOption(args, 'seed', 42, 0, 2 ** 31 - 1),
  };
  if (args.options.has('M')) config.M = intOption(args, 'M', 16, 2, 256);
  if (args.options.has('ef-construction')) config.efConstruction = intOption(args, 'ef-construction', 200, 1, 100000);
  const index = new HNSW(config);
  const threads = intOption(args, 'threads', 1, 1, 64);
  io.err(`vego build: ${count} vectors of dimension ${set.dimension}, ${metric}, M=${index.config.M}, efConstruction=${index.config.efConstruction}, ${threads} thread(s)\n`);
  const bar = new ProgressBar('linking', count, io.errStream);
  const started = performance.now();
  index.addBatch(set.vectors.subarray(0, count * set.dimension), { threads, onProgress: (done) => bar.update(done) });
  bar.finish();
  const buildSeconds = (performance.now() - started) / 1000;
  const saveStarted = performance.now();
  await index.saveToLance(out);
  const saveSeconds = (performance.now() - saveStarted) / 1000;
  io.out(
    `built ${index.size} vectors in ${buildSeconds.toFixed(2)} s (${Math.round(index.size / buildSeconds)} vectors/s); saved to ${out} in ${saveSeconds.toFixed(2)} s\n`,
  );
}

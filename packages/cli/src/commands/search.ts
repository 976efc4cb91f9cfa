/** `vego search`: nearest neighbours of query vectors in a saved index. */
import { HNSW, InvalidArgumentError } from '@vego/db';
import { type ParsedArgs, flag, intOption, stringOption } from '../args';
import { exactKthDistances, hitsWithin } from '../recall';
import { readVectorFile } from '../vector-files';
import type { CommandIo } from '../command';

export const SEARCH_HELP = `vego search <index-dir> (--query <file> | --vector <v1,v2,...>) [options]

Prints the k nearest neighbours of each query, one line per query.

Options:
  --query <file>   queries as .fvecs, .npy or JSON lines
  --vector <list>  one query as comma-separated numbers
  -k, --k <n>      neighbours per query (default 10)
  --ef <n>         search beam width (default max(k, 64))
  --limit <n>      use only the first n queries
  --recall         also report recall@k against an exact scan
  --json           print JSON lines ({"query": i, "ids": [...], "distances": [...]})
`;

export const SEARCH_OPTIONS = {
  query: { kind: 'string' },
  vector: { kind: 'string' },
  k: { kind: 'string', short: 'k' },
  ef: { kind: 'string' },
  limit: { kind: 'string' },
  recall: { kind: 'boolean' },
  json: { kind: 'boolean' },
} as const;

function parseVector(text: string): Float32Array {
  const parts = text.split(',').map((s) => s.trim());
  const v = new Float32Array(parts.length);
  parts.forEach((p, i) => {
    const x = Number(p);
    if (p.length === 0 || !Number.isFinite(x)) throw new InvalidArgumentError(`\`--vector\` must be comma-separated numbers, got '${p}' at position ${i}`);
    v[i] = x;
  });
  return v;
}

/** Runs `vego search`. */
export async function search(args: ParsedArgs, io: CommandIo): Promise<void> {
  const dir = args.positionals[0];
  if (dir === undefined) throw new InvalidArgumentError('`index-dir` is required: vego search <index-dir> --query <file>');
  const queryFile = stringOption(args, 'query');
  const vectorText = stringOption(args, 'vector');
  if ((queryFile === undefined) === (vectorText === undefined)) throw new InvalidArgumentError('give exactly one of `--query` and `--vector`');
  const index = await HNSW.loadFromLance(dir);
  const dimension = index.config.dimension;
  let queries: Float32Array;
  if (queryFile !== undefined) {
    const set = readVectorFile(queryFile);
    if (set.dimension !== dimension && set.count > 0) {
      throw new InvalidArgumentError(`\`--query\` vectors have dimension ${set.dimension}, the index has ${dimension}`);
    }
    const limit = intOption(args, 'limit', set.count, 1);
    queries = set.vectors.subarray(0, Math.min(limit, set.count) * dimension);
  } else {
    queries = parseVector(vectorText!);
    if (queries.length !== dimension) throw new InvalidArgumentError(`\`--vector\` has ${queries.length} components, the index has ${dimension}`);
  }
  const k = intOption(args, 'k', 10, 1, 100000);
  const ef = intOption(args, 'ef', Math.max(k, 64), 1, 1000000);
  const json = flag(args, 'json');
  const count = queries.length / dimension;
  const kth = flag(args, 'recall') ? exactKthDistances(index, queries, dimension, k) : null;
  let hits = 0;
  let expected = 0;
  const started = performance.now();
  for (let q = 0; q < count; q++) {
    const res = index.search(queries.subarray(q * dimension, (q + 1) * dimension), k, ef);
    if (kth) {
      hits += hitsWithin(res, kth[q]!);
      expected += Math.min(k, index.size);
    }
    if (json) {
      io.out(`${JSON.stringify({ query: q, ids: res.map((r) => r.id), distances: res.map((r) => r.distance) })}\n`);
    } else {
      io.out(`${q}: ${res.map((r) => `${r.id}(${r.distance.toPrecision(6)})`).join(' ')}\n`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (!json) io.err(`${count} queries in ${seconds.toFixed(3)} s (k=${k}, ef=${ef})\n`);
  if (kth) io.out(`recall@${k}: ${(expected > 0 ? hits / expected : 1).toFixed(4)}\n`);
}

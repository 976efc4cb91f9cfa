/** `vego search`: nearest neighbours of query vectors in a saved index. */
import { HNSW, InvalidArgumentError } from '@vego/db';
import { type ParsedArgs, flag, intOption, stringOption } from '../args';
import { readGroundTruth, hitsInTruth } from '../ground-truth';
import { exactKthDistances, hitsWithin } from '../recall';
import { readVectorFile } from '../vector-files';
import type { CommandIo } from '../command';
import { DEFAULT_COLLECTION, openDocuments, searchDocuments } from './documents';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SEARCH_HELP = `vego search <index-dir> (--query <file> | --vector <v1,v2,...>) [options]

Prints the k nearest neighbours of each query, one line per query. When
<index-dir> is a database folder (built from JSON lines of documents), prints
the documents found: key, distance, text and metadata.

Options:
  --query <file>   queries as .fvecs, .npy, .json or JSON lines
  --vector <list>  one query as comma-separated numbers
  -k, --k <n>      neighbours per query (default 10)
  --ef <n>         search beam width (default max(k, 64))
  --limit <n>      use only the first n queries
  --recall [<gt.ivecs>]
                   also report recall@k: against an exact scan, or against the
                   ground-truth neighbour ids of each query (TEXMEX .ivecs)
  --json           print JSON lines ({"query": i, "ids": [...], "distances": [...]},
                   or {"query": i, "hits": [{key, distance, score, text, metadata}]})
  --collection <n> documents only: the collection (default documents)
  --filter <where> documents only: a filter, e.g. "kind = 'a' AND year >= 2020"
`;

export const SEARCH_OPTIONS = {
  query: { kind: 'string' },
  vector: { kind: 'string' },
  k: { kind: 'string', short: 'k' },
  ef: { kind: 'string' },
  limit: { kind: 'string' },
  recall: { kind: 'boolean', valueExtensions: ['.ivecs'] },
  json: { kind: 'boolean' },
  collection: { kind: 'string' },
  filter: { kind: 'string' },
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

/** The query vectors of `--query` or `--vector`, checked against `dimension`. */
function readQueries(args: ParsedArgs, dimension: number, queryFile: string | undefined, vectorText: string | undefined): Float32Array {
  if (queryFile !== undefined) {
    const set = readVectorFile(queryFile);
    if (set.dimension !== dimension && set.count > 0) {
      throw new InvalidArgumentError(`\`--query\` vectors have dimension ${set.dimension}, the index has ${dimension}`);
    }
    const limit = intOption(args, 'limit', set.count, 1);
    return set.vectors.subarray(0, Math.min(limit, set.count) * dimension);
  }
  const v = parseVector(vectorText!);
  if (v.length !== dimension) throw new InvalidArgumentError(`\`--vector\` has ${v.length} components, the index has ${dimension}`);
  return v;
}

/** Runs `vego search`. */
export async function search(args: ParsedArgs, io: CommandIo): Promise<void> {
  const dir = args.positionals[0];
  if (dir === undefined) throw new InvalidArgumentError('`index-dir` is required: vego search <index-dir> --query <file>');
  const queryFile = stringOption(args, 'query');
  const vectorText = stringOption(args, 'vector');
  if ((queryFile === undefined) === (vectorText === undefined)) throw new InvalidArgumentError('give exactly one of `--query` and `--vector`');
  if (!existsSync(join(dir, 'metadata.lance')) && existsSync(dir)) {
    const { db, collection } = await openDocuments(dir, stringOption(args, 'collection', DEFAULT_COLLECTION));
    try {
      const queries = readQueries(args, collection.dimension, queryFile, vectorText);
      const k = intOption(args, 'k', 10, 1, 100000);
      await searchDocuments(collection, queries, k, intOption(args, 'ef', Math.max(k, 64), 1, 1000000), stringOption(args, 'filter'), flag(args, 'json'), io);
    } finally {
      await db.close();
    }
    return;
  }
  if (args.options.has('filter') || args.options.has('collection')) throw new InvalidArgumentError('`--filter` and `--collection` need a database folder (built from JSON lines of documents)');
  const index = await HNSW.loadFromLance(dir);
  const dimension = index.config.dimension;
  const queries = readQueries(args, dimension, queryFile, vectorText);
  const k = intOption(args, 'k', 10, 1, 100000);
  const ef = intOption(args, 'ef', Math.max(k, 64), 1, 1000000);
  const json = flag(args, 'json');
  const count = queries.length / dimension;
  const recallOption = args.options.get('recall');
  const truth = typeof recallOption === 'string' ? readGroundTruth(recallOption) : null;
  if (truth !== null && truth.count < count) throw new InvalidArgumentError(`\`--recall\` ${recallOption as string} has ground truth for ${truth.count} queries, ${count} were given`);
  if (truth !== null && truth.k < k) throw new InvalidArgumentError(`\`--recall\` ${recallOption as string} lists ${truth.k} neighbours per query, fewer than k = ${k}`);
  const kth = recallOption === true ? exactKthDistances(index, queries, dimension, k) : null;
  let hits = 0;
  let expected = 0;
  const started = performance.now();
  for (let q = 0; q < count; q++) {
    const res = index.search(queries.subarray(q * dimension, (q + 1) * dimension), k, ef);
    if (kth) {
      hits += hitsWithin(res, kth[q]!);
      expected += Math.min(k, index.size);
    } else if (truth) {
      hits += hitsInTruth(res, truth, q, k);
      expected += k;
    }
    if (json) {
      io.out(`${JSON.stringify({ query: q, ids: res.map((r) => r.id), distances: res.map((r) => r.distance) })}\n`);
    } else {
      io.out(`${q}: ${res.map((r) => `${r.id}(${r.distance.toPrecision(6)})`).join(' ')}\n`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (!json) io.err(`${count} queries in ${seconds.toFixed(3)} s (k=${k}, ef=${ef})\n`);
  if (kth || truth) io.out(`recall@${k}: ${(expected > 0 ? hits / expected : 1).toFixed(4)}${truth ? ' (ground truth)' : ''}\n`);
}

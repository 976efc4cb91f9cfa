// Shared plumbing of the fuzz harness: where the repository is, how the harness reaches the built
// @vego packages (through the benchmarks workspace package, which depends on every tier, as an
// installed user would) and LanceDB, and the one seeded generator of @vego/test-support.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `require` resolving like the benchmarks package: @vego/* (built dist/), @lancedb/lancedb, apache-arrow. */
export const requireFromWorkspace = createRequire(join(ROOT, 'benchmarks', 'package.json'));

/**
 * The built tiers the fuzz drives, as one namespace: codecs and zstd from @vego/encoding, the file
 * format (readers, writers, manifests, memory sources) from @vego/format, datasets and the index from
 * @vego/hnsw. Each package exports its own names and passes on a chosen few by name, so the harness
 * takes each name from the tier that holds it (names passed on are the same objects in every face).
 */
export function loadVego() {
  return { ...requireFromWorkspace('@vego/encoding'), ...requireFromWorkspace('@vego/format'), ...requireFromWorkspace('@vego/hnsw') };
}

let seeded = null;

/**
 * `seededRandom(seed)` of @vego/test-support (the one seeded generator of the tests, benchmarks and
 * examples), from its build (`pnpm build` compiles it with the packages).
 * @returns () => number in [0, 1)
 */
export function seededRandom(seed) {
  if (seeded === null) {
    seeded = createRequire(join(ROOT, 'package.json'))(join(ROOT, 'test-support', 'dist', 'index.js')).seededRandom;
    if (typeof seeded !== 'function') throw new Error('@vego/test-support no longer exports seededRandom');
  }
  return seeded(seed);
}

/** Integer in [0, n). */
export function below(r, n) {
  return Math.floor(r() * n);
}

/** One element of `list`. */
export function pick(r, list) {
  return list[below(r, list.length)];
}

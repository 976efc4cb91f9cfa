// Shared plumbing of the fuzz harness: where the repository is, how the harness reaches the built
// @vego packages (through the benchmarks workspace package, which depends on every tier, as an
// installed user would) and LanceDB, and the one seeded generator of the test suites.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `require` resolving like the benchmarks package: @vego/* (built dist/), @lancedb/lancedb, apache-arrow. */
export const requireFromWorkspace = createRequire(join(ROOT, 'benchmarks', 'package.json'));

let seeded = null;

/**
 * `seededRandom(seed)` from test-support/random.ts (the suites' one generator), transpiled once with
 * the workspace's TypeScript so the harness, written in plain JS for child processes, draws from the
 * very same generator.
 * @returns (seed: number) => () => number in [0, 1)
 */
export function seededRandom(seed) {
  if (seeded === null) {
    const ts = createRequire(join(ROOT, 'package.json'))('typescript');
    const source = readFileSync(join(ROOT, 'test-support', 'random.ts'), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const mod = { exports: {} };
    new Function('module', 'exports', js)(mod, mod.exports);
    seeded = mod.exports.seededRandom;
    if (typeof seeded !== 'function') throw new Error('test-support/random.ts no longer exports seededRandom');
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

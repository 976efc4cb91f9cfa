/**
 * Every benchmark script parses: the suites run only when someone runs them (long, opt-in), so a
 * syntax error in one (a quote left unescaped in a note) would otherwise land unseen.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const BENCH = join(__dirname, '..', '..', 'benchmarks');

function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'results' ? [] : scripts(join(dir, e.name));
    return e.name.endsWith('.mjs') ? [join(dir, e.name)] : [];
  });
}

describe('benchmark scripts', () => {
  const files = scripts(BENCH);

  it('finds the runner and the suites', () => {
    expect(files.some((f) => f.endsWith(join('benchmarks', 'run.mjs')))).toBe(true);
    expect(files.filter((f) => f.includes(join('benchmarks', 'suites'))).length).toBeGreaterThan(10);
  });

  it('parse (node --check)', () => {
    const bad = files
      .map((f) => ({ f, r: spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' }) }))
      .filter(({ r }) => r.status !== 0)
      .map(({ f, r }) => `${f}: ${r.stderr.split('\n').slice(0, 5).join(' ')}`);
    expect(bad).toEqual([]);
  });
});

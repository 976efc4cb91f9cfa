import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The packages build twice: CommonJS in dist/ and ES modules in dist/esm/ (both with .d.ts), chosen
// by the `exports` conditions: `require` gets the CommonJS build, `import` the ES module build. This runs real Node processes against the built dist/ (run `pnpm build` first; `pnpm test` does).
// benchmarks/ depends on every tier, so it resolves them as an installed user would.
const ROOT = join(__dirname, '..', '..');
const TIERS = ['arrow', 'encoding', 'format', 'io', 'hnsw', 'db'];

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: join(ROOT, 'benchmarks'), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('module formats', () => {
  it.each(TIERS)('@vego/%s loads with require and exposes VegoError', (tier) => {
    const r = node(['-e', `const m = require('@vego/${tier}'); if (typeof m.VegoError !== 'function') process.exit(3); console.log('ok');`]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });

  it.each(TIERS)('@vego/%s loads with import and named exports', (tier) => {
    const r = node([
      '--input-type=module',
      '-e',
      `import { VegoError, isVegoError } from '@vego/${tier}'; console.log(isVegoError(new VegoError('VEGO_INTERNAL', 'x')) ? 'ok' : 'bad');`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });

  it.each(TIERS)('@vego/%s: import resolves to the ES module build, require to the CommonJS one', (tier) => {
    const esm = node(['--input-type=module', '-e', `console.log(import.meta.resolve('@vego/${tier}'))`]);
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toMatch(new RegExp(`/packages/${tier}/dist/esm/index\\.js$`));
    const cjs = node(['-e', `console.log(require.resolve('@vego/${tier}'))`]);
    expect(cjs.stdout.trim()).toMatch(new RegExp(`/packages/${tier}/dist/index\\.js$`));
  });
});

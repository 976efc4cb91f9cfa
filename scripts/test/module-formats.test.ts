import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The packages build to CommonJS with .d.ts; Node users reach them through both `require` and
// `import`. This runs real Node processes against the built dist/ (run `pnpm build` first; `pnpm test` does).
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
});

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The packages as a user gets them: every package is packed once (`pnpm pack`, which turns
// `workspace:^` into real versions), the tarballs are checked (LICENSE, no build info, source maps
// whose sources ship, both builds), then installed with npm into a scratch project outside the
// workspace. There an ES module and a CommonJS script use them under Node, the `vego` binary runs,
// and `tsc --noEmit` compiles TypeScript users under `node16` (ESM and CJS files) and `bundler`
// resolution. Needs `pnpm build` first (`pnpm test` does). npm fetches only zstd-codec, from its
// cache when it can (`--prefer-offline`).
const ROOT = join(__dirname, '..', '..');
const PACKAGES = readdirSync(join(ROOT, 'packages')).sort();
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${String(r.status)}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

function tarList(tgz: string): string[] {
  return run('tar', ['tzf', tgz], ROOT).stdout.split('\n').filter((l) => l !== '');
}

function tarRead(tgz: string, file: string): string {
  return run('tar', ['xzf', tgz, '-O', file], ROOT).stdout;
}

const ESM_SMOKE = `
import { HNSW, Dataset, isVegoError, VegoError } from '@vego/hnsw';
import { initZstd, zstdCompress, zstdDecompress } from '@vego/encoding';
import { recordBatchFromRows } from '@vego/io';
import * as db from '@vego/db';
import * as cli from '@vego/cli';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const index = new HNSW({ dimension: 3 });
index.addBatch([[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 1]]);
const hit = index.search([0.9, 0.1, 0], 1)[0];
const dir = mkdtempSync(join(tmpdir(), 'vego-esm-'));
await index.saveToLance(join(dir, 'ix'));
const again = await HNSW.loadFromLance(join(dir, 'ix'));
const ds = await Dataset.create(join(dir, 't.lance'), [{ id: 1, name: 'a' }, { id: 2, name: 'b' }]);
await initZstd();
const z = zstdDecompress(zstdCompress(new Uint8Array([7, 8, 9]), 3), 3);
console.log(JSON.stringify({
  hit: hit.id, reloaded: again.search([0.9, 0.1, 0], 1)[0].id, rows: ds.countRows(),
  zstd: Array.from(z), error: isVegoError(new VegoError('VEGO_INTERNAL', 'x')),
  batch: typeof recordBatchFromRows, db: typeof db, cli: typeof cli.main,
  url: import.meta.resolve('@vego/hnsw').replace(/^.*node_modules/, ''),
}));
`;

const CJS_SMOKE = `
const names = ['arrow', 'encoding', 'format', 'io', 'hnsw', 'db'];
const out = {};
for (const n of names) out[n] = typeof require('@vego/' + n).VegoError;
out.cli = typeof require('@vego/cli').main;
const { HNSW } = require('@vego/hnsw');
const index = new HNSW({ dimension: 2 });
index.addBatch([[0, 1], [1, 0]]);
out.hit = index.search([1, 0.1], 1)[0].id;
out.path = require.resolve('@vego/hnsw').replace(/^.*node_modules/, '');
console.log(JSON.stringify(out));
`;

// What a TypeScript user writes; compiled, never run.
const TS_USE = `
import { HNSW, type SearchResult, VegoError } from '@vego/hnsw';
import { initZstd, type ZstdCodecLoader } from '@vego/encoding';
import { LanceFileReader } from '@vego/format';
import { Vector } from '@vego/arrow';
const index: HNSW = new HNSW({ dimension: 2 });
const hits: SearchResult[] = index.search([1, 0], 1);
const loader: ZstdCodecLoader = () => Promise.resolve({});
export const used = [hits, VegoError, initZstd, loader, LanceFileReader, Vector];
`;

describe('packed tarballs installed with npm outside the workspace', () => {
  const work = mkdtempSync(join(tmpdir(), 'vego-pack-'));
  const tarballs = join(work, 'tarballs');
  const app = join(work, 'app');
  const tgz: Record<string, string> = {};

  beforeAll(() => {
    mkdirSync(tarballs);
    run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], ROOT);
    for (const p of PACKAGES) tgz[p] = join(tarballs, `vego-${p}-${JSON.parse(readFileSync(join(ROOT, 'packages', p, 'package.json'), 'utf8')).version}.tgz`);
    mkdirSync(app);
    const deps = Object.fromEntries(PACKAGES.map((p) => [`@vego/${p}`, `file:${tgz[p]}`]));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch', private: true, version: '1.0.0', dependencies: deps }, null, 2));
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], app);
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(PACKAGES)('@vego/%s tarball: LICENSE, both builds with types, no .tsbuildinfo, maps whose sources ship', (p) => {
    const files = tarList(tgz[p]!).map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('LICENSE');
    expect(tarRead(tgz[p]!, 'package/LICENSE')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/esm/package.json', 'src/index.ts']) expect([p, f, files.includes(f)]).toEqual([p, f, true]);
    expect(files.filter((f) => f.includes('tsbuildinfo'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)test\//.test(f))).toEqual([]);
    // Every source a map names is in the tarball (maps point at ../src, which ships).
    const set = new Set(files);
    for (const map of files.filter((f) => f.endsWith('.map')).slice(0, 400)) {
      const json = JSON.parse(tarRead(tgz[p]!, `package/${map}`)) as { sources: string[] };
      const dir = map.split('/').slice(0, -1);
      for (const s of json.sources) {
        const parts = [...dir];
        for (const seg of s.split('/')) seg === '..' ? parts.pop() : seg !== '.' && parts.push(seg);
        expect([map, s, set.has(parts.join('/'))]).toEqual([map, s, true]);
      }
    }
    const pkg = JSON.parse(tarRead(tgz[p]!, 'package/package.json')) as Record<string, unknown>;
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license']) expect([p, field, pkg[field] !== undefined]).toEqual([p, field, true]);
    expect(JSON.stringify(pkg)).not.toContain('workspace:');
  });

  it('an ES module script imports the ES module build and uses index, dataset and zstd', () => {
    writeFileSync(join(app, 'smoke.mjs'), ESM_SMOKE);
    const out = JSON.parse(run(process.execPath, ['smoke.mjs'], app).stdout) as Record<string, unknown>;
    expect(out).toEqual({ hit: 2, reloaded: 2, rows: 2, zstd: [7, 8, 9], error: true, batch: 'function', db: 'object', cli: 'function', url: '/@vego/hnsw/dist/esm/index.js' });
  });

  it('a CommonJS script requires every package (the CommonJS build)', () => {
    writeFileSync(join(app, 'smoke.cjs'), CJS_SMOKE);
    const out = JSON.parse(run(process.execPath, ['smoke.cjs'], app).stdout) as Record<string, unknown>;
    expect(out).toEqual({ arrow: 'function', encoding: 'function', format: 'function', io: 'function', hnsw: 'function', db: 'function', cli: 'function', hit: 1, path: '/@vego/hnsw/dist/index.js' });
  });

  it('the installed `vego` binary runs', () => {
    const r = run(join(app, 'node_modules', '.bin', 'vego'), ['help'], app);
    expect(r.stdout).toContain('vego build');
  });

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }, ['use.mts', 'use.cts']],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }, ['use.ts']],
  ] as const)('tsc --noEmit under %s resolution', (name, options, files) => {
    const dir = join(app, `ts-${name}`);
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f), TS_USE);
    const tsconfig = {
      compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [join(ROOT, 'node_modules', '@types')], types: ['node'] },
      files,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

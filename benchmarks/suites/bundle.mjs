// Browser bundle sizes of the built packages as a user's esbuild sees them (`--bundle
// --platform=browser --minify`, no plugins, no externals): HNSW alone, LanceFileReader alone and
// everything, through `import` (the ES module build, tree-shaken) and through `require` (the
// CommonJS build), plus the lazily loaded zstd-codec chunk a page adds with
// `initZstd(() => import('zstd-codec'))` (code splitting; that chunk alone needs fs/path/crypto
// external). Sizes are deterministic for a given tree, so quick and full runs measure the same.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

export const title = 'Browser bundle size (esbuild, minified, no externals)';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, '..');
const encodingModules = join(here, '..', '..', 'packages', 'encoding', 'node_modules');
const TARGET_HNSW_GZIP = 120 * 1024;

const LIBRARIES = ['arrow', 'encoding', 'format', 'io', 'hnsw', 'db'];
const CASES = [
  ['HNSW alone', 'import', `import { HNSW } from '@vego/hnsw'; globalThis.x = HNSW;`],
  ['LanceFileReader alone', 'import', `import { LanceFileReader } from '@vego/format'; globalThis.x = LanceFileReader;`],
  ['everything (arrow … db)', 'import', LIBRARIES.map((p) => `export * from '@vego/${p}';`).join('\n')],
  ['HNSW alone', 'require', `globalThis.x = require('@vego/hnsw').HNSW;`],
  ['everything (arrow … db)', 'require', LIBRARIES.map((p) => `globalThis.x${p} = require('@vego/${p}');`).join('\n')],
];

async function measure(contents, { splitting = false } = {}) {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: benchDir, loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    nodePaths: [encodingModules],
    ...(splitting ? { splitting: true, outdir: join(benchDir, 'results', 'bundle.tmp'), external: ['fs', 'path', 'crypto'] } : {}),
  });
  return r.outputFiles.map((f) => ({ path: f.path, bytes: f.contents.length, gzip: gzipSync(f.contents, { level: 9 }).length, modules: Object.keys(r.metafile.inputs).length }));
}

export async function run({ log }) {
  const rows = [];
  const raw = {};
  for (const [name, via, contents] of CASES) {
    const [out] = await measure(contents);
    rows.push([name, via, out.bytes / 1024, out.gzip / 1024, out.modules]);
    raw[`${name} (${via})`] = out;
    log(`${name} via ${via}: ${out.bytes} B minified, ${out.gzip} B gzipped`);
  }
  // A page that needs zstd: the entry stays small, zstd-codec comes in its own chunk on first initZstd().
  const split = await measure(`import { HNSW, initZstd } from '@vego/hnsw'; globalThis.x = HNSW; globalThis.z = () => initZstd(() => import('zstd-codec'));`, { splitting: true });
  const entry = split.find((f) => f.path.endsWith('stdin.js')) ?? split[0];
  const lazy = split.filter((f) => f !== entry);
  rows.push(['HNSW + zstd page: entry chunk', 'import', entry.bytes / 1024, entry.gzip / 1024, entry.modules]);
  const lazyBytes = lazy.reduce((a, f) => a + f.bytes, 0);
  const lazyGzip = lazy.reduce((a, f) => a + f.gzip, 0);
  rows.push(['HNSW + zstd page: zstd-codec chunk (on initZstd)', 'import', lazyBytes / 1024, lazyGzip / 1024, '—']);
  raw.zstdSplit = split.map(({ bytes, gzip }) => ({ bytes, gzip }));
  const hnswGzip = raw['HNSW alone (import)'].gzip;
  return {
    tables: [
      {
        title: 'Bundle size',
        columns: ['bundle', 'via', 'minified KiB', 'gzipped KiB', 'modules'],
        rows,
        note:
          `Target: HNSW alone under 120 KiB gzipped (${hnswGzip <= TARGET_HNSW_GZIP ? 'met' : 'NOT met'}). ` +
          '`import` takes the ES module build (tree-shaken), `require` the CommonJS one. ' +
          'zstd-codec is never bundled unless the page imports it itself; that chunk needs fs/path/crypto external.',
      },
    ],
    raw,
  };
}

#!/usr/bin/env node
// Second half of a package's build (run in the package directory, after `tsc -b` wrote the CommonJS
// build to dist/): compiles src/ again as ES modules into dist/esm/ (tsconfig.esm.json) and makes
// that output valid for Node's ESM loader, which — unlike bundlers and TypeScript's `bundler`
// resolution — needs full relative specifiers:
//   - `./x` becomes `./x.js` or `./x/index.js` in .js and .d.ts files (whichever exists);
//   - files using `__dirname` (the parallel build's worker path) get it from `import.meta.url`;
//   - dist/esm/package.json says {"type":"module"}, so Node and TypeScript's node16 resolution
//     treat the .js and .d.ts files there as ESM.
// Sources keep extensionless imports, so the CommonJS build and ts-jest are unaffected.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const pkgDir = process.cwd();
const outDir = join(pkgDir, 'dist', 'esm');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.esm.json'], { cwd: pkgDir, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

// Resolved against the sources (src/ mirrors dist/esm/), never against dist/: tsc leaves the
// outputs of deleted or moved sources behind, and `./x` must not pick a stale `x.js` over `x/index.js`.
const srcDir = join(pkgDir, 'src');

function fixSpecifier(file, spec) {
  if (/\.(c|m)?js$/.test(spec) || spec.endsWith('.json')) return spec;
  const base = resolve(srcDir, relative(outDir, dirname(file)), spec);
  if (existsSync(`${base}.ts`)) return `${spec}.js`;
  if (existsSync(join(base, 'index.ts'))) return `${spec}/index.js`;
  throw new Error(`${file}: cannot resolve relative import '${spec}' against src/ in the ESM build`);
}

const DIRNAME_SHIM =
  "import { fileURLToPath as __vegoFileURLToPath } from 'node:url';\n" +
  'const __dirname = __vegoFileURLToPath(new URL(\'.\', import.meta.url)).replace(/[\\\\/]$/, \'\');\n';

// Only files that come from a source file are rewritten (stale outputs are left alone, unreferenced).
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) {
      walk(file);
      continue;
    }
    const declaration = name.endsWith('.d.ts');
    if (!declaration && !name.endsWith('.js')) continue;
    const source = join(srcDir, relative(outDir, file)).replace(declaration ? /\.d\.ts$/ : /\.js$/, '.ts');
    if (!existsSync(source)) continue; // a stale output: nothing imports it
    const text = readFileSync(file, 'utf8');
    let out = text.replace(SPECIFIER, (_m, head, quote, spec) => `${head}${quote}${fixSpecifier(file, spec)}${quote}`);
    if (!declaration && /\b__dirname\b/.test(out) && !out.includes('__vegoFileURLToPath')) out = DIRNAME_SHIM + out;
    if (out !== text) writeFileSync(file, out);
  }
}

walk(outDir);
writeFileSync(join(outDir, 'package.json'), '{\n  "type": "module"\n}\n');

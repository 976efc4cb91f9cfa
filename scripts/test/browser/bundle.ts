/**
 * Bundles `page-entry.ts` for browsers with esbuild from the built packages (`dist/`), resolving
 * `@vego/*` as an installed user would (the workspace links under benchmarks/node_modules) and
 * honouring the packages' `browser` fields. Any Node built-in imported by our code fails the build;
 * the only tolerated ones are zstd-codec's (its Emscripten glue requires fs/path/crypto in branches
 * that run only under Node), which become empty modules.
 */
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import type { Metafile, Plugin } from 'esbuild';

export const ROOT = join(__dirname, '..', '..', '..');

const BUILTINS = new Set(builtinModules);

export interface PageBundle {
  code: string;
  metafile: Metafile;
  /** `importer -> built-in` pairs that were replaced by empty modules (zstd-codec only). */
  stubbedBuiltins: string[];
}

export async function bundlePage(): Promise<PageBundle> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  const stubbedBuiltins: string[] = [];
  const noNodeBuiltins: Plugin = {
    name: 'no-node-builtins',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        const bare = args.path.replace(/^node:/, '');
        if (!BUILTINS.has(bare) && !BUILTINS.has(bare.split('/')[0]!)) return undefined;
        const importer = args.importer.slice(ROOT.length + 1);
        if (/[\\/]zstd-codec[\\/]/.test(args.importer)) {
          stubbedBuiltins.push(`${importer.replace(/^.*node_modules[\\/]/, '')} -> ${args.path}`);
          return { path: args.path, namespace: 'node-only-branch' };
        }
        return { errors: [{ text: `Node built-in '${args.path}' imported by ${importer}: the browser build must not need it` }] };
      });
      build.onLoad({ filter: /.*/, namespace: 'node-only-branch' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [join(__dirname, 'page-entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // zstd-codec is a dependency of @vego/encoding; the page loads it itself (`initZstd(() => import(…))`).
    nodePaths: [join(ROOT, 'benchmarks', 'node_modules'), join(ROOT, 'packages', 'encoding', 'node_modules')],
    plugins: [noNodeBuiltins],
  });
  return { code: result.outputFiles[0]!.text, metafile: result.metafile, stubbedBuiltins: [...new Set(stubbedBuiltins)] };
}

#!/usr/bin/env node
// The layering rule, enforced: each tier's runtime dependencies (package.json and the imports in its
// src/) name only the tier directly below it plus the external libraries that tier owns. Browsers
// must be able to run the tiers below io, so those may not import Node built-ins either.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';

export const TIERS = ['arrow', 'encoding', 'format', 'io', 'hnsw', 'db', 'cli'];

/** External runtime libraries each tier owns. */
export const OWNED = {
  arrow: [],
  encoding: ['zstd-codec'],
  format: [],
  io: ['aws4fetch'],
  hnsw: [],
  db: ['wink-porter2-stemmer'],
  cli: [],
};

/** Tiers that must run without Node built-ins (browser-safe). */
export const NO_NODE_BUILTINS = new Set(['arrow', 'encoding', 'format']);

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// A module specifier never spans lines; requiring that keeps prose such as "… from '" in strings out.
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"\n]+)['"]/gm;

/** Package name of a bare import specifier (`@scope/name/x` → `@scope/name`). */
function packageOf(spec) {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

/**
 * Returns the list of violations for a repository root (empty when the layering holds).
 * @param {string} root
 */
export function checkLayers(root) {
  const problems = [];
  TIERS.forEach((tier, i) => {
    const dir = join(root, 'packages', tier);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const below = i > 0 ? `@vego/${TIERS[i - 1]}` : null;
    const allowed = new Set([...(below ? [below] : []), ...OWNED[tier]]);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (!allowed.has(dep)) {
        problems.push(`packages/${tier}/package.json: runtime dependency ${dep} is not allowed (allowed: ${[...allowed].join(', ') || 'none'})`);
      }
    }
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) {
      if (!allowed.has(dep)) problems.push(`packages/${tier}/package.json: peer dependency ${dep} is not allowed`);
    }
    for (const file of walk(join(dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1];
        if (spec.startsWith('.') || spec.startsWith('/')) continue;
        const rel = file.slice(root.length + 1);
        if (BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])) {
          if (NO_NODE_BUILTINS.has(tier)) problems.push(`${rel}: imports Node built-in '${spec}', but @vego/${tier} must run in browsers`);
          continue;
        }
        const name = packageOf(spec);
        if (!allowed.has(name)) problems.push(`${rel}: imports '${spec}', but @vego/${tier} may import only ${[...allowed].join(', ') || 'its own files'}`);
        else if (!Object.keys(pkg.dependencies ?? {}).includes(name)) problems.push(`${rel}: imports '${name}', which is missing from dependencies`);
      }
    }
  });
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const problems = checkLayers(root);
  if (problems.length > 0) {
    console.error(`layering: ${problems.length} violation(s)`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log(`layering: ok (${TIERS.join(' < ')})`);
}

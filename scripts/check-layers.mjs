#!/usr/bin/env node
// The layering rule, enforced: each tier's runtime dependencies (package.json and the imports in its
// src/) name only the tier directly below it plus the external libraries that tier owns. Browsers
// must be able to run the tiers below io, so those may not import Node built-ins either.
//
// Names too: each tier's public face (src/index.ts) re-exports the tier below by name, never with
// `export *`, so the face says what the tier passes on. A tier may import from the tier below, and
// re-export, only names that tier's face holds; a name a tier declares itself must not be a name any
// lower tier's face already holds (two meanings of one name across the stack, as `CompactResult` once
// was). The examples and benchmarks (plain JavaScript, not type-checked) may import only names the
// face they import from holds.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import ts from 'typescript';

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
    if (name === 'node_modules' || name === 'dist') continue;
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

/** The tier a specifier names (`@vego/io` → `io`), or null for anything else. */
function tierOf(spec) {
  const m = /^@vego\/([a-z-]+)$/.exec(spec);
  return m && TIERS.includes(m[1]) ? m[1] : null;
}

function parse(file) {
  const kind = /\.(ts|mts|cts)$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, kind);
}

/** The file a relative specifier names (`./x` → x.ts or x/index.ts), or null. */
function resolveLocal(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const c of [`${base}.ts`, join(base, 'index.ts'), base]) if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

const hasExportModifier = (n) => (ts.canHaveModifiers(n) ? ts.getModifiers(n) ?? [] : []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/**
 * The names a module exports, each with where it comes from: `{ from: null }` for a name the package
 * declares itself, `{ from: tier, name }` for a name re-exported from another tier. Local `export *`
 * is followed; `export *` from a package is reported, since it hides what is passed on.
 */
function moduleExports(file, root, problems, seen = new Set()) {
  const names = new Map();
  if (seen.has(file)) return names;
  seen.add(file);
  const rel = file.slice(root.length + 1);
  for (const st of parse(file).statements) {
    if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
      const tier = spec && tierOf(spec);
      if (!st.exportClause) {
        if (tier || (spec && !spec.startsWith('.'))) problems.push(`${rel}: \`export * from '${spec}'\`: re-export another package by name`);
        // Still count what it passes on (minus what this module declares), so the other checks report
        // real problems rather than every name the star hides.
        if (tier) names.set(`* ${tier}`, { from: tier, star: true });
        else if (spec) {
          const target = resolveLocal(file, spec);
          if (target) for (const [k, v] of moduleExports(target, root, problems, seen)) if (k !== 'default') names.set(k, v);
        }
      } else if (ts.isNamedExports(st.exportClause)) {
        for (const e of st.exportClause.elements) {
          const source = (e.propertyName ?? e.name).text;
          names.set(e.name.text, tier ? { from: tier, name: source } : { from: null });
        }
      } else if (tier) {
        problems.push(`${rel}: \`export * as ${st.exportClause.name.text} from '${spec}'\`: re-export another package by name`);
      }
    } else if (hasExportModifier(st)) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.set(d.name.text, { from: null });
      } else if (st.name && ts.isIdentifier(st.name)) names.set(st.name.text, { from: null });
    }
  }
  return names;
}

/**
 * Names a file takes from `@vego/*` packages: `[tier, name, line]` for each named import, named
 * re-export, `import('@vego/x').Name` type and destructured `require`/`await import`; namespace
 * imports are followed to their `ns.Name` uses.
 */
function importedNames(sf) {
  const out = [];
  const namespaces = new Map();
  const line = (n) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      const tier = tierOf(n.moduleSpecifier.text);
      if (tier) {
        const clause = ts.isImportDeclaration(n) ? n.importClause?.namedBindings : n.exportClause;
        if (clause && (ts.isNamedImports(clause) || ts.isNamedExports(clause))) {
          for (const e of clause.elements) out.push([tier, (e.propertyName ?? e.name).text, line(e)]);
        } else if (clause && ts.isNamespaceImport(clause)) namespaces.set(clause.name.text, tier);
        if (ts.isImportDeclaration(n) && n.importClause?.name) namespaces.set(n.importClause.name.text, tier);
      }
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      const tier = tierOf(n.argument.literal.text);
      if (tier && n.qualifier) {
        let q = n.qualifier; // `import('@vego/x').A.B` takes `A`
        while (ts.isQualifiedName(q)) q = q.left;
        out.push([tier, q.text, line(n)]);
      }
    } else if (ts.isVariableDeclaration(n) && n.initializer) {
      const init = ts.isAwaitExpression(n.initializer) ? n.initializer.expression : n.initializer;
      if (ts.isCallExpression(init) && init.arguments.length === 1 && ts.isStringLiteral(init.arguments[0])) {
        const isLoad = init.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(init.expression) && init.expression.text === 'require');
        const tier = isLoad ? tierOf(init.arguments[0].text) : null;
        if (tier && ts.isObjectBindingPattern(n.name)) {
          for (const e of n.name.elements) {
            const key = e.propertyName ?? e.name;
            if (ts.isIdentifier(key)) out.push([tier, key.text, line(e)]);
          }
        } else if (tier && ts.isIdentifier(n.name)) namespaces.set(n.name.text, tier);
      }
    } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && namespaces.has(n.expression.text)) {
      out.push([namespaces.get(n.expression.text), n.name.text, line(n)]);
    } else if (ts.isQualifiedName(n) && ts.isIdentifier(n.left) && namespaces.has(n.left.text)) {
      out.push([namespaces.get(n.left.text), n.right.text, line(n)]);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * The name checks: every tier's face (what `src/index.ts` exports) and the violations found in the
 * faces, in the names each tier's src/ imports from the tier below, and in the examples and benchmarks.
 * @param {string} root
 */
export function checkNames(root) {
  const problems = [];
  /** tier -> Map(name -> { from, name }) */
  const faces = new Map();
  for (const tier of TIERS) {
    const index = join(root, 'packages', tier, 'src', 'index.ts');
    const face = existsSync(index) ? moduleExports(index, root, problems) : new Map();
    for (const [key, origin] of [...face]) {
      if (!origin.star) continue;
      face.delete(key);
      for (const name of faces.get(origin.from)?.keys() ?? []) if (!face.has(name)) face.set(name, { from: origin.from, name });
    }
    faces.set(tier, face);
  }
  TIERS.forEach((tier, i) => {
    const face = faces.get(tier);
    const below = i > 0 ? TIERS[i - 1] : null;
    const lower = TIERS.slice(0, i);
    for (const [name, origin] of face) {
      // A name of this tier's own (or a lower name exported under a new name) must not mean
      // something else lower down the stack.
      if (origin.from !== null && origin.name === name) continue;
      const holders = lower.filter((t) => faces.get(t).has(name));
      if (holders.length > 0) {
        problems.push(`packages/${tier}/src/index.ts: exports its own \`${name}\`, but @vego/${holders.join(', @vego/')} already export${holders.length > 1 ? '' : 's'} a \`${name}\`: rename one`);
      }
    }
    for (const file of walk(join(root, 'packages', tier, 'src'))) {
      const rel = file.slice(root.length + 1);
      for (const [from, name, line] of importedNames(parse(file))) {
        if (from !== below) continue; // which packages a tier may import at all is checked in checkLayers
        if (!faces.get(from).has(name)) problems.push(`${rel}:${line}: takes \`${name}\` from @vego/${from}, which does not export it`);
      }
    }
  });
  for (const dir of ['examples', 'benchmarks']) {
    for (const file of walk(join(root, dir))) {
      if (/[\\/]test[\\/]/.test(file.slice(root.length))) continue; // type-checked with the tests
      const rel = file.slice(root.length + 1);
      for (const [from, name, line] of importedNames(parse(file))) {
        if (!faces.get(from).has(name)) problems.push(`${rel}:${line}: takes \`${name}\` from @vego/${from}, which does not export it`);
      }
    }
  }
  return { faces, problems };
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
  return [...problems, ...checkNames(root).problems];
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

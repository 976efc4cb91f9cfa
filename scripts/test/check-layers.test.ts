import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'check-layers.mjs');
const TIERS = ['arrow', 'encoding', 'format', 'io', 'hnsw', 'db', 'cli'];

function fakeRepo(edit: (root: string) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'vego-layers-'));
  TIERS.forEach((tier, i) => {
    const dir = join(root, 'packages', tier);
    mkdirSync(join(dir, 'src'), { recursive: true });
    const deps: Record<string, string> = i > 0 ? { [`@vego/${TIERS[i - 1]}`]: 'workspace:^' } : {};
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `@vego/${tier}`, dependencies: deps }));
    // Each tier declares one name of its own and passes on, by name, the one of the tier below.
    const own = `export const ${tier}Value = 1;\n`;
    const passOn = i > 0 ? `export { ${TIERS[i - 1]}Value } from '@vego/${TIERS[i - 1]}';\n` : '';
    writeFileSync(join(dir, 'src', 'index.ts'), own + passOn);
    if (i > 0) writeFileSync(join(dir, 'src', 'use.ts'), `import { ${TIERS[i - 1]}Value } from '@vego/${TIERS[i - 1]}';\nexport const twice = ${TIERS[i - 1]}Value * 2;\n`);
  });
  edit(root);
  return root;
}

function run(root: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('check-layers', () => {
  it('passes on the real repository', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('passes on a well-layered fake repository', () => {
    const root = fakeRepo(() => {});
    try {
      expect(run(root).status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails when a tier depends on a tier two levels down', () => {
    const root = fakeRepo((r) => {
      writeFileSync(
        join(r, 'packages', 'hnsw', 'package.json'),
        JSON.stringify({ name: '@vego/hnsw', dependencies: { '@vego/io': 'workspace:^', '@vego/arrow': 'workspace:^' } }),
      );
    });
    try {
      const res = run(root);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('runtime dependency @vego/arrow is not allowed');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  function expectViolation(edit: (root: string) => void, ...messages: string[]): void {
    const root = fakeRepo(edit);
    try {
      const res = run(root);
      expect(res.status).toBe(1);
      for (const m of messages) expect(res.stderr).toContain(m);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('fails when a tier imports a name the tier below does not export', () => {
    // formatValue is exported by @vego/io, but @vego/hnsw's face passes on only ioValue.
    expectViolation(
      (r) => writeFileSync(join(r, 'packages', 'db', 'src', 'bad.ts'), "import { ioValue, formatValue } from '@vego/hnsw';\nimport type { Nope } from '@vego/hnsw';\nexport const z = ioValue + formatValue;\n"),
      'packages/db/src/bad.ts:1: takes `formatValue` from @vego/hnsw, which does not export it',
      'packages/db/src/bad.ts:2: takes `Nope` from @vego/hnsw, which does not export it',
    );
  });

  it('fails when a face re-exports a name the tier below does not export', () => {
    expectViolation(
      (r) => writeFileSync(join(r, 'packages', 'hnsw', 'src', 'index.ts'), "export const hnswValue = 1;\nexport { ioValue, arrowValue } from '@vego/io';\n"),
      'packages/hnsw/src/index.ts:2: takes `arrowValue` from @vego/io, which does not export it',
    );
  });

  it('fails on `export *` of the tier below', () => {
    expectViolation(
      (r) => writeFileSync(join(r, 'packages', 'io', 'src', 'index.ts'), "export const ioValue = 1;\nexport * from '@vego/format';\n"),
      "packages/io/src/index.ts: `export * from '@vego/format'`: re-export another package by name",
    );
  });

  it('fails when a tier declares a name a lower tier already exports, even one it does not pass on', () => {
    // The CompactResult case: io exports its own, hnsw declares another of the same name.
    expectViolation(
      (r) => {
        writeFileSync(join(r, 'packages', 'io', 'src', 'index.ts'), "export const ioValue = 1;\nexport interface CompactResult { version: number }\nexport { formatValue } from '@vego/format';\n");
        writeFileSync(join(r, 'packages', 'hnsw', 'src', 'compact.ts'), 'export interface CompactResult { removedNodes: number }\n');
        writeFileSync(join(r, 'packages', 'hnsw', 'src', 'index.ts'), "export const hnswValue = 1;\nexport type { CompactResult } from './compact';\nexport { ioValue } from '@vego/io';\n");
      },
      'packages/hnsw/src/index.ts: exports its own `CompactResult`, but @vego/io already exports a `CompactResult`: rename one',
    );
  });

  it('accepts a clashing name exported under a new name', () => {
    const root = fakeRepo((r) => {
      writeFileSync(join(r, 'packages', 'io', 'src', 'index.ts'), "export const ioValue = 1;\nexport interface CompactResult { version: number }\nexport { formatValue } from '@vego/format';\n");
      writeFileSync(join(r, 'packages', 'hnsw', 'src', 'compact.ts'), 'export interface CompactResult { removedNodes: number }\n');
      writeFileSync(join(r, 'packages', 'hnsw', 'src', 'index.ts'), "export const hnswValue = 1;\nexport type { CompactResult as HnswCompactResult } from './compact';\nexport { ioValue } from '@vego/io';\n");
    });
    try {
      const res = run(root);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails when an example or benchmark takes a name the face does not export', () => {
    expectViolation(
      (r) => {
        mkdirSync(join(r, 'examples'));
        mkdirSync(join(r, 'benchmarks', 'suites'), { recursive: true });
        writeFileSync(join(r, 'examples', 'bad.mjs'), "import { hnswValue, arrowValue } from '@vego/hnsw';\n");
        writeFileSync(join(r, 'benchmarks', 'suites', 'bad.mjs'), "const io = require('@vego/io');\nio.ioValue; io.arrowValue;\n");
      },
      'examples/bad.mjs:1: takes `arrowValue` from @vego/hnsw, which does not export it',
      'benchmarks/suites/bad.mjs:2: takes `arrowValue` from @vego/io, which does not export it',
    );
  });

  it('fails when source imports a package it may not use', () => {
    const root = fakeRepo((r) => {
      writeFileSync(join(r, 'packages', 'format', 'src', 'bad.ts'), "import { readFileSync } from 'node:fs';\nimport * as a from '@vego/arrow';\n");
    });
    try {
      const res = run(root);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain("imports Node built-in 'node:fs'");
      expect(res.stderr).toContain("imports '@vego/arrow'");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

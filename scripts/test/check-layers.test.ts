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
    const imp = i > 0 ? `import { x } from '@vego/${TIERS[i - 1]}';\n` : '';
    writeFileSync(join(dir, 'src', 'index.ts'), `${imp}export const y = 1;\n`);
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

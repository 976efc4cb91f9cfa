import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Every example is a real program a user would run; each must exit 0 and print what it promises.
// They import the built packages (dist/), which `pnpm test` builds first.
const DIR = join(__dirname, '..');

function run(file: string, args: string[] = [], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(DIR, file), ...args], { cwd: DIR, encoding: 'utf8', timeout: 120000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('examples', () => {
  it('quick-start finds a vector as its own nearest neighbour', () => {
    const r = run('quick-start.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/5 nearest to vector 42: 42 \(0\.000\)/);
  });

  it('metrics shows all three metrics and a typed error', () => {
    const r = run('metrics.mjs');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^l2 +0:/m);
    expect(r.stdout).toMatch(/^innerProduct 3:/m);
    expect(r.stdout).toContain('[VEGO_INVALID_ARGUMENT]');
  });

  it('columnar-table appends, projects, travels in time, compacts and cleans up', () => {
    const r = run('columnar-table.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('appended: version 2, 4 rows');
    expect(r.stdout).toContain('grace: (no total)');
    expect(r.stdout).toContain('time travel: version 1 has 3 rows; versions on disk: 1, 2');
    expect(r.stdout).toContain('after 4 async appends and a delete: version 7, 5 rows in 4 fragments');
    expect(r.stdout).toContain('compacted: 4 fragments into 1, 1 deleted rows dropped; version 8, 5 rows');
    expect(r.stdout).toContain('cleanup: removed 7 old versions and 7 files; 5 rows remain');
  });

  it('rag retrieves the paragraph about the question, and a second run finds the stored paragraphs', () => {
    const db = mkdtempSync(join(tmpdir(), 'vego-rag-'));
    try {
      const args = [join(DIR, 'data', 'notes'), 'how long should the tomato sauce simmer?'];
      const first = run('rag.mjs', args, { VEGO_EXAMPLE_DB: db });
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/9 paragraphs from .*: 9 embedded now, 0 already stored, 0 removed/);
      expect(first.stdout).toMatch(/Q: how long should the tomato sauce simmer\?\n {2}\[cooking\.txt #0/);
      const second = run('rag.mjs', args, { VEGO_EXAMPLE_DB: db });
      expect(second.status).toBe(0);
      expect(second.stdout).toMatch(/9 paragraphs from .*: 0 embedded now, 9 already stored, 0 removed/);
      expect(second.stdout).toMatch(/Q: how long should the tomato sauce simmer\?\n {2}\[cooking\.txt #0/);
      expect(second.stdout).toContain('best paragraph of cooking.txt for the first question: #0');
    } finally {
      rmSync(db, { recursive: true, force: true });
    }
  });

  it('agent-memory filters by kind, forgets and revises, and a second run finds the first run\'s memories', () => {
    const db = mkdtempSync(join(tmpdir(), 'vego-memory-'));
    try {
      const first = run('agent-memory.mjs', [db]);
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('run 1: starting with an empty memory');
      expect(first.stdout).toMatch(/fact-pet +fact +[\d.]+ +The user has two cats, Miso and Tofu\./);
      expect(first.stdout).toContain('all tasks left: task-2\n');
      expect(first.stdout).toContain('memories of earlier runs: none');
      const second = run('agent-memory.mjs', [db]);
      expect(second.stderr).toBe('');
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('run 2: found 6 memories from earlier runs');
      expect(second.stdout).toMatch(/recall "cats" among facts\n {2}fact-pet +fact +[\d.]+ +The user has two cats, Miso and Tofu\./);
      expect(second.stdout).toContain('all tasks left: task-2\n');
      expect(second.stdout).toContain('memories of earlier runs: run-1\n');
    } finally {
      rmSync(db, { recursive: true, force: true });
    }
  });

  it('hybrid-rag shows keywords winning on an identifier and vectors on misspellings, fused by RRF', () => {
    const r = run('hybrid-rag.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [, first, second] = r.stdout.split('\nQ: ');
    expect(first).toMatch(/^efConstruction setting for files and rows\n {2}keyword +1\. \[vectors\.md\] The parameter `efConstruction`/);
    expect(first!.split('  vector')[1]!.split('  hybrid')[0]).not.toContain('efConstruction');
    expect(first!.split('  hybrid')[1]).toContain('[vectors.md] The parameter `efConstruction`');
    expect(second).toMatch(/^how are colums compresed on dsk\n {2}keyword +\(no match\)\n {2}vector +1\. \[storage\.md\] Columns are compressed on disk/);
    expect(second).toMatch(/ {2}hybrid +1\. \[storage\.md\] Columns are compressed on disk/);
  });

  it('persistence saves incrementally and reloads identically', () => {
    const r = run('persistence.mjs');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/first save: 5000 node rows/);
    expect(r.stdout).toMatch(/second save after 50 adds and 1 delete: 51 node rows/);
    expect(r.stdout).toMatch(/loaded 5049 vectors \(cosine, M=16\); top 5 for vector 1234: 1234,/);
  });

  it('lancedb-interop: LanceDB opens what Vego wrote, and Vego reads what LanceDB appended', () => {
    const r = run('lancedb-interop.mjs');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('LanceDB sees tables: connections, metadata, nodes');
    const theirs = /LanceDB top 5: (.*)/.exec(r.stdout)![1];
    expect(/Vego {4}top 5: (.*)/.exec(r.stdout)![1]).toBe(theirs);
    expect(r.stdout).toContain('kinds click, view, buy');
  });

  it('demo saves, reloads and reaches high recall', () => {
    const r = run('demo.mjs');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/saved to .* connections\.lance, metadata\.lance, nodes\.lance/);
    expect(r.stdout).toContain('reloaded index answers identically');
    const recall = Number(/ef=128 {2}recall@10 ([\d.]+)/.exec(r.stdout)![1]);
    expect(recall).toBeGreaterThanOrEqual(0.99);
  });
});

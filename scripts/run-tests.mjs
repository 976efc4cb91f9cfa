#!/usr/bin/env node
// Runs the whole jest suite and ends with the one line CI reads: `tests: N passed, N failed`.
// The counts come from jest's own JSON report, never from parsing its human output.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const report = join(root, '.test-results.json');
rmSync(report, { force: true });
const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const args = [jestBin, '--json', `--outputFile=${report}`, ...process.argv.slice(2)];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
let suitesFailed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  skipped = r.numPendingTests + r.numTodoTests;
  // A suite that fails to load has no failed tests but must still fail the run.
  suitesFailed = r.numRuntimeErrorTestSuites;
} else {
  failed = 1;
}
if (suitesFailed > 0) failed += suitesFailed;
const status = run.status ?? 1;
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || status !== 0 ? 1 : 0);

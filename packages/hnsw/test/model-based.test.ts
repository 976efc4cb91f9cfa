/**
 * Model-based test: seeded random operation sequences (add, addBatch on one and two threads,
 * addBatchAsync, deletes and updates of live, deleted and unknown ids, refused inputs, compact,
 * snapshots, sync and async saves to the same folder and to new ones (with changes and overlapping
 * saves made while an async save runs), loads with vectors in memory and codes-only,
 * cleanupOldVersions, changes tried while an async search or batch is in flight) run on an index and on a plain reference model together;
 * after every step counts and membership must agree, and at each check `get`, `searchExact`,
 * `search` (narrow and with ef ≥ every id), filters, `searchInto`, `searchMany` (one and two
 * threads) and every save + load must answer as the model says (`test/model/runner.ts`).
 * The long campaign over many more seeds runs outside the repository; these seeds replay in
 * a few seconds each.
 */
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { runModel } from './model/runner';
import type { ModelConfig } from './model/operations';

const base = { M: 3, efConstruction: 12, quantization: 'none', repair: 'deferred', repairThreshold: 0.2, persistence: true } as const;

const configs: [string, ModelConfig, number][] = [
  ['l2, 9 dimensions', { ...base, metric: 'l2', dimension: 9 }, 11],
  ['cosine, 16 dimensions', { ...base, metric: 'cosine', dimension: 16 }, 12],
  ['inner product, 33 dimensions, M = 2', { ...base, metric: 'innerProduct', dimension: 33, M: 2 }, 13],
  ['l2, eager repair', { ...base, metric: 'l2', dimension: 8, repair: 'eager' }, 14],
  ['l2, repair after every delete', { ...base, metric: 'l2', dimension: 11, repairThreshold: 0 }, 15],
  ['l2, automatic repair off', { ...base, metric: 'l2', dimension: 12, repairThreshold: 1 }, 16],
  ['sq8 l2 (with codes-only loads)', { ...base, metric: 'l2', dimension: 17, quantization: 'sq8' }, 17],
  ['sq8 inner product', { ...base, metric: 'innerProduct', dimension: 13, quantization: 'sq8' }, 18],
  ['sq8 cosine, automatic repair off', { ...base, metric: 'cosine', dimension: 24, quantization: 'sq8', repairThreshold: 1 }, 302],
  ['hamming, 24 bits', { ...base, metric: 'hamming', dimension: 24 }, 19],
  ['jaccard, 64 bits, automatic repair off', { ...base, metric: 'jaccard', dimension: 64, repairThreshold: 1 }, 20],
];

describe('HNSW against a reference model (seeded operation sequences)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-model-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const [name, config, seed] of configs) {
    it(`${name}: 200 operations from seed ${seed}`, async () => {
      const { stats } = await runModel(config, { seed, count: 200, workDir: path.join(root, String(seed)) });
      // Operations run during async saves count too.
      expect(stats.ops).toBeGreaterThanOrEqual(200);
      expect(stats.checks).toBeGreaterThan(0);
    });
  }
});

/**
 * Model-based test of datasets over their whole life (see ./fixtures/dataset-model): seeded random
 * sequences of creates, appends, deletes (by position and by predicate), appendAndDelete, overwrites,
 * compactions, cleanups and reopens, some written by LanceDB on the same folder, checked after every
 * step against a reference model of every version's rows: full scans, row ranges, takes and counts of
 * the latest version, every kept version opened and scanned, cleaned-up versions refused with
 * NotFoundError, LanceDB reading the latest and an older kept version alike.
 */
import { makeTempDir, removeDir } from './fixtures/helpers';
import { runModel } from './fixtures/dataset-model';
import type { StorageVersion } from '@vego/io';

const CASES: [number, StorageVersion][] = [
  [1, '2.0'],
  [2, '2.2'],
  [3, '2.2'],
];

describe('datasets agree with their reference model over a random life', () => {
  it.each(CASES)('seed %d, storage version %s', async (seed, storageVersion) => {
    const root = makeTempDir(`model-${seed}`);
    try {
      // LanceDB checks and every-version scans are the slow part: every few steps, and all at the end.
      const { steps } = await runModel({ seed, ops: 50, root, storageVersion, lanceEvery: 10, versionsEvery: 5 });
      expect(steps.length).toBe(51);
    } finally {
      removeDir(root);
    }
  });
});

/**
 * `durable: false` on writes: the commit makes no fsync at all (data files, deletion files,
 * manifests, directories), and is still a complete, readable version. The default fsyncs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '@vego/io';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-durable-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const rows = (from: number, to: number): { id: number; name: string }[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}` }));

// The module object itself (an `import *` namespace only re-exports it through getters).
const nodeFs = require('node:fs') as typeof fs;

function countFsyncs<T>(run: () => T): { value: T; fsyncs: number } {
  const spy = jest.spyOn(nodeFs, 'fsyncSync');
  try {
    const value = run();
    return { value, fsyncs: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

describe('durable option of dataset writes', () => {
  it('fsyncs by default and not at all with durable: false, and both commit whole versions', () => {
    const durableDir = path.join(root, 'durable');
    const fastDir = path.join(root, 'fast');
    const a = countFsyncs(() => Dataset.createSync(durableDir, rows(0, 100)));
    expect(a.fsyncs).toBeGreaterThanOrEqual(4);
    const b = countFsyncs(() => Dataset.createSync(fastDir, rows(0, 100), { durable: false }));
    expect(b.fsyncs).toBe(0);
    const c = countFsyncs(() => Dataset.createSync(fastDir, rows(100, 150), { mode: 'append', durable: false }));
    expect(c.fsyncs).toBe(0);
    const d = countFsyncs(() => c.value.deleteRowsSync([0, 149], { durable: false }));
    expect(d.fsyncs).toBe(0);
    const e = countFsyncs(() => d.value.deleteRowsSync([0]));
    expect(e.fsyncs).toBeGreaterThanOrEqual(3);
    const reopened = Dataset.openSync(fastDir);
    expect(reopened.version).toBe(4);
    const ids = reopened.toTableSync({ columns: ['id'] }).batches.flatMap((bt) => Array.from({ length: bt.numRows }, (_, i) => bt.column('id').get(i)));
    expect(ids).toEqual(rows(2, 149).map((r) => r.id));
    for (const ds of [a.value, b.value, c.value, d.value, e.value, reopened]) ds.closeSync();
  });

  it('writes asynchronously without fsync too', async () => {
    const dir = path.join(root, 'async');
    const ds = await Dataset.create(dir, rows(0, 10), { durable: false });
    const next = await ds.deleteRows([3], { durable: false });
    expect(next.countRows()).toBe(9);
    const reopened = await Dataset.open(dir);
    expect(reopened.version).toBe(2);
    for (const d of [ds, next, reopened]) await d.close();
  });
});

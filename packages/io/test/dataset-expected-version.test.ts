import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConflictError, Dataset } from '@vego/io';

describe('Dataset writes with expectedVersion (compare-and-swap)', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-cas-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('commits on top of the expected version and refuses any other, writing nothing', async () => {
    const dir = path.join(root, 'a');
    Dataset.createSync(dir, [{ id: 1 }]);
    const v2 = Dataset.createSync(dir, [{ id: 2 }], { mode: 'append', expectedVersion: 1 });
    expect(v2.version).toBe(2);
    const files = fs.readdirSync(path.join(dir, 'data')).length;
    expect(() => Dataset.createSync(dir, [{ id: 3 }], { mode: 'append', expectedVersion: 1, conflictRetries: 5 })).toThrow(ConflictError);
    await expect(Dataset.create(dir, [{ id: 3 }], { mode: 'overwrite', expectedVersion: 1 })).rejects.toThrow(/latest version is 2/);
    expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(files);
    expect(Dataset.openSync(dir).countRows()).toBe(2);
    expect((await Dataset.create(dir, [{ id: 9 }], { mode: 'overwrite', expectedVersion: 2 })).countRows()).toBe(1);
    expect(() => Dataset.createSync(path.join(root, 'new'), [{ id: 1 }], { mode: 'append', expectedVersion: 0 })).not.toThrow();
    expect(() => Dataset.createSync(dir, [{ id: 1 }], { mode: 'append', expectedVersion: -1 })).toThrow(/non-negative/);
  });

  it('lets exactly one of two async writers expecting the same version commit', async () => {
    const dir = path.join(root, 'b');
    Dataset.createSync(dir, [{ id: 0 }]);
    const r = await Promise.allSettled([1, 2].map((id) => Dataset.create(dir, [{ id }], { mode: 'append', expectedVersion: 1 })));
    expect(r.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((r.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(Dataset.openSync(dir).countRows()).toBe(2);
  });
});

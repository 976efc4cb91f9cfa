/**
 * `beforeCommit`: the writer's last word before a commit's manifest is published. A throw aborts
 * the commit (no version, the new data and deletion files removed) and is passed on as it is, never
 * taken for a conflict to retry; it runs after the data files are written, so an async writer can
 * check there that its input did not change while it was written.
 */
import * as path from 'node:path';
import { ConflictError, Dataset } from '@vego/io';
import { filesUnder, makeTempDir, removeDir } from './fixtures/helpers';

function rows(from: number, to: number): { id: number; name: string }[] {
  return Array.from({ length: to - from }, (_, i) => ({ id: from + i, name: `n${from + i}` }));
}

let root: string;
beforeAll(() => {
  root = makeTempDir('before-commit');
});
afterAll(() => removeDir(root));

class Refused extends Error {}

describe.each([
  ['blocking', false],
  ['asynchronous', true],
])('beforeCommit (%s commit)', (_, async) => {
  const create = (dir: string, data: ReturnType<typeof rows>, options: Parameters<typeof Dataset.createSync>[2]): Promise<Dataset> => (async ? Dataset.create(dir, data, options) : Promise.resolve().then(() => Dataset.createSync(dir, data, options)));

  it('runs once the data files are written, before the manifest: a throw leaves no version and no new file', async () => {
    const dir = path.join(root, `create-${String(async)}`);
    const seen: string[][] = [];
    await expect(
      create(dir, rows(0, 50), {
        beforeCommit: () => {
          seen.push(filesUnder(dir));
          throw new Refused('changed under the write');
        },
      }),
    ).rejects.toBeInstanceOf(Refused);
    // The hook saw the data file written and no manifest yet.
    expect(seen).toHaveLength(1);
    expect(seen[0]!.filter((f) => f.startsWith('data/'))).toHaveLength(1);
    expect(seen[0]!.filter((f) => f.startsWith('_versions/'))).toHaveLength(0);
    expect(filesUnder(dir)).toEqual([]);
    // The same call with a hook that accepts commits version 1.
    let calls = 0;
    const ds = await create(dir, rows(0, 50), { beforeCommit: () => void calls++ });
    expect(calls).toBe(1);
    expect(ds.version).toBe(1);
    expect(ds.countRows()).toBe(50);
  });

  it('an overwrite and an append refused leave the latest version and its files as they were', async () => {
    const dir = path.join(root, `later-${String(async)}`);
    await create(dir, rows(0, 20), {});
    const files = filesUnder(dir);
    for (const mode of ['append', 'overwrite'] as const) {
      await expect(create(dir, rows(100, 130), { mode, beforeCommit: () => { throw new Refused(mode); } })).rejects.toThrow(mode);
      expect(filesUnder(dir)).toEqual(files);
      const ds = Dataset.openSync(dir);
      expect(ds.version).toBe(1);
      expect(ds.countRows()).toBe(20);
    }
  });

  it('a ConflictError thrown by the hook is passed on as it is, not retried as a conflicting append', async () => {
    const dir = path.join(root, `conflict-${String(async)}`);
    await create(dir, rows(0, 10), {});
    const own = new ConflictError('the caller says no');
    let calls = 0;
    const refuse = (): void => {
      calls++;
      throw own;
    };
    await expect(create(dir, rows(10, 20), { mode: 'append', conflictRetries: 3, beforeCommit: refuse })).rejects.toBe(own);
    expect(calls).toBe(1);
    expect(Dataset.openSync(dir).version).toBe(1);
  });

  it('appendAndDelete refused: nothing appended or deleted, its data and deletion files removed', async () => {
    const dir = path.join(root, `append-delete-${String(async)}`);
    await create(dir, rows(0, 40), {});
    const ds = Dataset.openSync(dir);
    const files = filesUnder(dir);
    const own = new ConflictError('the caller says no');
    const seen: string[][] = [];
    const options = {
      beforeCommit: () => {
        seen.push(filesUnder(dir));
        throw own;
      },
    };
    const commit = async ? ds.appendAndDelete(rows(40, 45), [1, 2, 3], options) : Promise.resolve().then(() => ds.appendAndDeleteSync(rows(40, 45), [1, 2, 3], options));
    await expect(commit).rejects.toBe(own);
    // Written before the hook ran: a data file and a deletion file.
    expect(seen[0]!.filter((f) => !files.includes(f)).map((f) => f.split('/')[0]).sort()).toEqual(['_deletions', 'data']);
    expect(filesUnder(dir)).toEqual(files);
    const again = Dataset.openSync(dir);
    expect(again.version).toBe(1);
    expect(again.countRows()).toBe(40);
    ds.closeSync();
    again.closeSync();
  });
});

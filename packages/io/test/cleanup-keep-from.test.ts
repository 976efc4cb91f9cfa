/**
 * `keepFrom` of cleanupOldVersions: versions from that number on are kept whatever their age, in a
 * folder (blocking and async forms); bad values are InvalidArgumentError before anything is deleted.
 */
import { Dataset, InvalidArgumentError } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('keep-from');
});
afterAll(() => removeDir(tmp));

const rows = (from: number, to: number): { id: number }[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k }));

function fourVersions(name: string): Dataset {
  let ds = Dataset.createSync(`${tmp}/${name}`, rows(0, 10));
  for (let v = 2; v <= 4; v++) ds = ds.appendSync(rows(v * 10, v * 10 + 10));
  return ds;
}

describe('cleanupOldVersions keepFrom', () => {
  it('removes only the versions below keepFrom, whatever their age and `keep`', async () => {
    const ds = fourVersions('a');
    expect(ds.versions().map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(ds.cleanupOldVersions({ olderThan: 0, keepFrom: 3 }).removedVersions).toEqual([1, 2]);
    expect(ds.versions().map((v) => v.version)).toEqual([3, 4]);
    // Version 3 still opens and reads what it held.
    expect(Dataset.openSync(`${tmp}/a`, { version: 3 }).countRows()).toBe(30);
    const again = await ds.cleanupOldVersionsAsync({ olderThan: 0, keepFrom: 4 });
    expect(again.removedVersions).toEqual([3]);
    expect(ds.versions().map((v) => v.version)).toEqual([4]);
  });

  it('combines with the age rule: a young version below keepFrom stays', () => {
    const ds = fourVersions('b');
    expect(ds.cleanupOldVersions({ keepFrom: 4 }).removedVersions).toEqual([]);
    expect(ds.versions()).toHaveLength(4);
  });

  it('refuses a keepFrom that is not a version number before deleting anything', () => {
    const ds = fourVersions('c');
    for (const bad of [0, -1, 1.5, Number.NaN, '2' as unknown as number]) {
      expect(() => ds.cleanupOldVersions({ olderThan: 0, keepFrom: bad })).toThrow(InvalidArgumentError);
    }
    expect(ds.versions()).toHaveLength(4);
  });
});

/** Dataset deletes written and read here: positions over live rows, versions, append and cleanup. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConflictError, Dataset, InvalidArgumentError, OutOfRangeError } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

function ids(ds: Dataset): number[] {
  const out: number[] = [];
  for (const b of ds.scanSync({ columns: ['id'], batchSize: 7 })) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

describe('Dataset.delete', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('delete');
  });
  afterAll(() => removeDir(root));

  it('deletes by predicate and by live position, keeping old versions, appends and cleanup consistent', async () => {
    const dir = path.join(root, 'a');
    const v1 = Dataset.createSync(dir, Array.from({ length: 50 }, (_, i) => ({ id: i, tag: i % 2 ? 'odd' : 'even' })), { maxRowsPerFile: 20 });
    const v2 = await v1.delete((row) => row.tag === 'even' && (row.id as number) < 30);
    expect(v2.version).toBe(2);
    const live = Array.from({ length: 50 }, (_, i) => i).filter((i) => !(i % 2 === 0 && i < 30));
    expect(ids(v2)).toEqual(live);
    expect(v2.countRows()).toBe(live.length);
    // Positions count live rows: position 0 is id 1, position 14 is id 29.
    expect(v2.takeSync([14, 0]).column('id').get(1)).toBe(1);
    expect(v2.takeSync([14]).column('id').get(0)).toBe(29);
    expect(() => v2.takeSync([live.length])).toThrow(OutOfRangeError);
    const v3 = await v2.deleteRows([0, 0, 14]);
    expect(ids(v3)).toEqual(live.filter((i) => i !== 1 && i !== 29));
    expect(ids(Dataset.openSync(dir, { version: 1 }))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const page = v3.toTableSync({ columns: ['id'], offset: 3, limit: 4 });
    expect(page.batches.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => b.column('id').get(i)))).toEqual(live.filter((i) => i !== 1 && i !== 29).slice(3, 7));
    // No match: nothing is written.
    expect(v3.deleteSync(() => false)).toBe(v3);
    expect(v3.latestVersion()).toBe(3);
    // Appends keep the deletion files.
    const v4 = v3.appendSync([{ id: 100, tag: 'new' }]);
    expect(ids(v4)).toEqual([...ids(v3), 100]);
    // Deleting from an old version conflicts.
    expect(() => v2.deleteRowsSync([0])).toThrow(ConflictError);
    // Bad arguments.
    expect(() => v4.deleteSync('id > 3' as unknown as () => boolean)).toThrow(InvalidArgumentError);
    expect(() => v4.deleteSync(() => true, { columns: ['nope'] })).toThrow(/"nope"/);
    expect(() => v4.deleteSync(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(v4.latestVersion()).toBe(4);
    // Cleanup removes deletion files only older versions used.
    const before = fs.readdirSync(path.join(dir, '_deletions')).length;
    expect(before).toBe(4); // v2 and v3 each: fragments 0 and 1
    const result = v4.cleanupOldVersions({ keep: 1, olderThan: 0 });
    expect(result.removedVersions).toEqual([1, 2, 3]);
    expect(result.removedDataFiles.filter((f) => f.startsWith('_deletions'))).toHaveLength(2);
    expect(fs.readdirSync(path.join(dir, '_deletions'))).toHaveLength(2);
    expect(ids(Dataset.openSync(dir))).toEqual(ids(v4));
    // v1 and v2 read through async readers (the async deletes): closed here, not by the garbage collector.
    for (const d of [v1, v2, v3, v4]) await d.close();
  });
});

/**
 * `appendAndDelete`: rows appended and rows deleted in one commit (one version, one manifest), as
 * an index save uses it to replace rows. LanceDB reads the result; a conflicting writer makes it
 * fail without adding or deleting anything; a failed commit leaves no stray files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { ConflictError, Dataset, OutOfRangeError } from '@vego/io';
import { filesUnder, makeTempDir, removeDir } from './fixtures/helpers';

function rows(from: number, to: number, tag = 'a'): { id: number; name: string }[] {
  return Array.from({ length: to - from }, (_, i) => ({ id: from + i, name: `${tag}${from + i}` }));
}

function allRows(ds: Dataset): string[] {
  const out: string[] = [];
  for (const b of ds.scanSync()) for (let i = 0; i < b.numRows; i++) out.push(`${b.column('id').get(i)}:${b.column('name').get(i)}`);
  return out;
}

// The module object itself (an `import *` namespace only re-exports it through getters).
const nodeFs = require('node:fs') as typeof fs;

let root: string;
beforeAll(() => {
  root = makeTempDir('append-delete');
});
afterAll(() => removeDir(root));

describe('Dataset#appendAndDelete', () => {
  it('commits the appended rows and the deletions as one version, which LanceDB reads', async () => {
    const dir = path.join(root, 'one-version.lance');
    const v1 = Dataset.createSync(dir, rows(0, 100), { maxRowsPerFile: 60 });
    expect(v1.fragmentFiles()).toHaveLength(2);
    // Replace rows 5, 70 and 99 (in two fragments) by new versions of them.
    const v2 = v1.appendAndDeleteSync(
      [
        { id: 5, name: 'b5' },
        { id: 70, name: 'b70' },
        { id: 99, name: 'b99' },
      ],
      [99, 5, 70, 5],
    );
    expect(v2.version).toBe(2);
    expect(v2.countRows()).toBe(100);
    const expected = rows(0, 100)
      .filter((r) => r.id !== 5 && r.id !== 70 && r.id !== 99)
      .map((r) => `${r.id}:${r.name}`)
      .concat(['5:b5', '70:b70', '99:b99']);
    expect(allRows(v2)).toEqual(expected);
    expect(v2.fragmentFiles().map((f) => [f.physicalRows, f.hasDeletions])).toEqual([
      [60, true],
      [40, true],
      [3, false],
    ]);
    // The version before is unchanged (time travel), and there is no version 3.
    expect(allRows(Dataset.openSync(dir, { version: 1 }))).toEqual(rows(0, 100).map((r) => `${r.id}:${r.name}`));
    expect(fs.readdirSync(path.join(dir, '_versions'))).toHaveLength(2);

    const db = await lancedb.connect(root);
    const t = await db.openTable('one-version');
    expect(await t.countRows()).toBe(100);
    const theirs = (await t.query().toArray()).map((r: { id: number; name: string }) => `${r.id}:${r.name}`);
    expect(theirs.sort()).toEqual([...expected].sort());
    v1.closeSync();
    v2.closeSync();
  });

  it('drops a fragment whose rows are all deleted (asynchronously), and fsyncs nothing when not durable', async () => {
    const dir = path.join(root, 'drop.lance');
    const v1 = Dataset.createSync(dir, rows(0, 10), { maxRowsPerFile: 5 });
    const v2 = await v1.appendAndDelete(rows(0, 5, 'c'), [0, 1, 2, 3, 4]);
    expect(v2.version).toBe(2);
    expect(v2.fragmentFiles().map((f) => f.physicalRows)).toEqual([5, 5]);
    expect(allRows(v2)).toEqual([...rows(5, 10), ...rows(0, 5, 'c')].map((r) => `${r.id}:${r.name}`));
    const spy = jest.spyOn(nodeFs, 'fsyncSync');
    let v3: Dataset;
    try {
      v3 = v2.appendAndDeleteSync(rows(5, 6, 'd'), [0], { durable: false });
      expect(spy).not.toHaveBeenCalled();
      // The default fsyncs (data file, deletion file, their folders, manifest).
      v3.appendAndDeleteSync(rows(6, 7, 'd'), [0]).closeSync();
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(4);
    } finally {
      spy.mockRestore();
    }
    expect(allRows(v3).slice(-2)).toEqual(['4:c4', '5:d5']);
    await v2.close();
    v3.closeSync();
    await v1.close(); // its async appendAndDelete read the deleted rows' fragment
  });

  it('fails with ConflictError when another writer committed the next version, writing nothing', () => {
    const dir = path.join(root, 'conflict.lance');
    const v1 = Dataset.createSync(dir, rows(0, 20));
    const other = Dataset.createSync(dir, rows(20, 21), { mode: 'append' });
    const before = filesUnder(dir);
    expect(() => v1.appendAndDeleteSync(rows(0, 2, 'x'), [0, 1])).toThrow(ConflictError);
    expect(filesUnder(dir)).toEqual(before);
    expect(allRows(Dataset.openSync(dir))).toEqual(rows(0, 21).map((r) => `${r.id}:${r.name}`));
    v1.closeSync();
    other.closeSync();
  });

  it('refuses a position outside the version before writing anything', () => {
    const dir = path.join(root, 'range.lance');
    const v1 = Dataset.createSync(dir, rows(0, 8));
    const before = filesUnder(dir);
    expect(() => v1.appendAndDeleteSync(rows(8, 9), [8])).toThrow(OutOfRangeError);
    expect(filesUnder(dir)).toEqual(before);
    v1.closeSync();
  });

  it('deletes by row address: the rows named, without opening a data file or reading untouched deletion files', async () => {
    const dir = path.join(root, 'by-address.lance');
    // Four fragments of 10 rows; each of the first three then has a deletion file.
    let ds = Dataset.createSync(dir, rows(0, 40), { maxRowsPerFile: 10 });
    ds = ds.deleteRowsSync([0, 10, 20]);
    const ids = ds.fragmentFiles().map((f) => f.id);
    expect(ids).toHaveLength(4);
    // Live positions 0 and 35 are ids 1 (fragment 0, offset 1) and 38 (fragment 3, offset 8).
    expect(Array.from(ds.rowAddresses([0, 35]))).toEqual([ids[0]! * 2 ** 32 + 1, ids[3]! * 2 ** 32 + 8]);
    // Fragment 1 lost its offset 0: live position 9 is its offset 1; position 37 is past the 37 live rows.
    expect(Array.from(ds.rowAddresses([9, 18]))).toEqual([ids[1]! * 2 ** 32 + 1, ids[2]! * 2 ** 32 + 1]);
    expect(() => ds.rowAddresses([37])).toThrow(OutOfRangeError);
    const address = (f: number, offset: number): number => ids[f]! * 2 ** 32 + offset;
    const dataFiles = new Set(ds.fragmentFiles().flatMap((f) => f.paths));
    const open = jest.spyOn(nodeFs, 'openSync');
    const read = jest.spyOn(nodeFs, 'readFileSync');
    let next: Dataset;
    try {
      // Rows of fragments 2 and 3 (ids 25 and 38; 25 twice) replaced: fragment 1's and 0's files are not needed.
      next = Dataset.openSync(dir).appendAndDeleteSync(rows(25, 26, 'n').concat(rows(38, 39, 'n')), [address(3, 8), address(2, 5), address(2, 5)], { rowAddresses: true });
      const opened = open.mock.calls.map((c) => String(c[0]));
      expect(opened.filter((p) => dataFiles.has(p))).toEqual([]);
      const deletionReads = read.mock.calls.map((c) => String(c[0])).filter((p) => p.includes('_deletions'));
      // Only fragment 2's deletion file (merged with the new deletion); fragment 3 had none.
      expect(deletionReads).toHaveLength(1);
      expect(deletionReads[0]).toContain(`${ids[2]}-`);
    } finally {
      open.mockRestore();
      read.mockRestore();
    }
    const want = rows(0, 40)
      .filter((r) => ![0, 10, 20, 25, 38].includes(r.id))
      .map((r) => `${r.id}:${r.name}`)
      .concat(['25:n25', '38:n38']);
    expect(allRows(next)).toEqual(want);
    expect(next.countRows()).toBe(37);
    // LanceDB reads the same rows.
    const db = await lancedb.connect(root);
    const table = await db.openTable('by-address');
    const seen = (await table.query().toArray()).map((r) => `${r.id}:${r.name}`);
    expect(seen.sort()).toEqual([...want].sort());
    table.close();
    // An address outside the version is refused before anything is written.
    const before = filesUnder(dir);
    expect(() => next.appendAndDeleteSync(rows(0, 1), [address(3, 10)], { rowAddresses: true })).toThrow(OutOfRangeError);
    expect(() => next.appendAndDeleteSync(rows(0, 1), [99 * 2 ** 32], { rowAddresses: true })).toThrow(OutOfRangeError);
    expect(filesUnder(dir)).toEqual(before);
    // Addresses as a Float64Array, ascending or not (sorted on a copy: the caller's array is left as given).
    for (const order of [
      [address(0, 4), address(1, 2), address(3, 1)],
      [address(3, 2), address(0, 5), address(1, 3)],
    ]) {
      const given = Float64Array.from(order);
      const after = next.appendAndDeleteSync(rows(90, 91), given, { rowAddresses: true });
      expect(Array.from(given)).toEqual(order);
      expect(after.countRows()).toBe(next.countRows() + 1 - 3);
      next.closeSync();
      next = after;
    }
    expect(allRows(next).filter((r) => ['4:a4', '12:a12', '31:a31', '32:a32', '5:a5', '13:a13'].includes(r))).toEqual([]);
    ds.closeSync();
    next.closeSync();
  });

  it('fsyncs every data file, deletion file and their folders before it publishes the manifest', () => {
    const dir = path.join(root, 'fsync-order.lance');
    const v1 = Dataset.createSync(dir, rows(0, 30), { maxRowsPerFile: 10 });
    const pathOf = new Map<number, string>();
    const events: string[] = [];
    const real = { openSync: nodeFs.openSync, fsyncSync: nodeFs.fsyncSync, linkSync: nodeFs.linkSync };
    const open = jest.spyOn(nodeFs, 'openSync').mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
      const fd = real.openSync(...args);
      pathOf.set(fd, String(args[0]));
      return fd;
    }) as typeof fs.openSync);
    const fsync = jest.spyOn(nodeFs, 'fsyncSync').mockImplementation((fd: number) => {
      events.push(`fsync ${path.relative(dir, pathOf.get(fd) ?? '?')}`);
      real.fsyncSync(fd);
    });
    const link = jest.spyOn(nodeFs, 'linkSync').mockImplementation((from: fs.PathLike, to: fs.PathLike) => {
      events.push(`link ${path.relative(dir, String(to))}`);
      real.linkSync(from, to);
    });
    let v2: Dataset;
    try {
      // Rows of two fragments replaced (two deletion files).
      v2 = v1.appendAndDeleteSync(rows(0, 2, 'z'), [0, 15]);
    } finally {
      open.mockRestore();
      fsync.mockRestore();
      link.mockRestore();
    }
    const published = events.findIndex((e) => e.startsWith('link _versions/'));
    expect(published).toBeGreaterThan(0);
    const before = events.slice(0, published);
    const created = filesUnder(dir).filter((f) => f.startsWith('_deletions/') || (f.startsWith('data/') && !v1.fragmentFiles().some((g) => g.paths[0]!.endsWith(f))));
    expect(created.filter((f) => f.startsWith('_deletions/'))).toHaveLength(2);
    expect(created.filter((f) => f.startsWith('data/'))).toHaveLength(1);
    for (const f of created) expect(before).toContain(`fsync ${f}`);
    for (const d of ['data', '_deletions']) expect(before).toContain(`fsync ${d}`);
    expect(allRows(v2)).toEqual([...rows(1, 15), ...rows(16, 30), ...rows(0, 2, 'z')].map((r) => `${r.id}:${r.name}`));
    v1.closeSync();
    v2.closeSync();
  });
});

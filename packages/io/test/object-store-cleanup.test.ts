/**
 * cleanupOldVersionsAsync on an S3-compatible store (the loopback server of ./support/s3-server.js):
 * the same rules as in a folder (age, keep, latest never removed), the same path checks before
 * anything is deleted, and what is left reads the same.
 */
import { CorruptDataError, Dataset, InvalidArgumentError, NotSupportedError, S3Store } from '@vego/io';
import { decodeManifest, encodeManifest, manifestFileName } from '@vego/format';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { useS3Server } from './fixtures/s3-suite';
import { makeTempDir, removeDir } from './fixtures/helpers';

const s3 = useS3Server();

const rows = (from: number, to: number): { id: number; name: string }[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}` }));

async function ids(ds: Dataset): Promise<number[]> {
  const t = await ds.toTable({ columns: ['id'] });
  const out: number[] = [];
  for (const b of t.batches) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

/** Keys under `prefix/` in the bucket, relative to it, sorted. */
function keysUnder(prefix: string): string[] {
  return [...s3.server.objects('bucket').keys()].filter((k) => k.startsWith(`${prefix}/`)).map((k) => k.slice(prefix.length + 1)).sort();
}

describe('cleanupOldVersionsAsync on S3', () => {
  it('keeps young versions by default, then removes old manifests and the files only they used', async () => {
    const uri = 's3://bucket/clean/basic';
    const v1 = await Dataset.create(uri, rows(0, 300), { storageOptions: s3.options, maxRowsPerFile: 100 });
    const v2 = await v1.delete((r) => (r.id as number) % 4 === 0, { columns: ['id'] });
    const { dataset: v3 } = await v2.compact({ targetRowsPerFragment: 1000 });
    expect(v3.version).toBe(3);
    const before = keysUnder('clean/basic');
    const oldData = before.filter((k) => k.startsWith('data/'));
    expect(oldData).toHaveLength(4); // three written by create, one by compaction
    expect(before.filter((k) => k.startsWith('_deletions/'))).toHaveLength(3);

    // Default retention (7 days): every version is younger, nothing goes.
    expect(await v3.cleanupOldVersionsAsync()).toEqual({ removedVersions: [], removedDataFiles: [], removedIndices: [] });
    expect(keysUnder('clean/basic')).toEqual(before);
    // The blocking form cannot run on a store, and says which form can.
    expect(() => v3.cleanupOldVersions({ olderThan: 0 })).toThrow(NotSupportedError);
    expect(() => v3.cleanupOldVersions({ olderThan: 0 })).toThrow(/cleanupOldVersionsAsync/);
    await expect(v3.cleanupOldVersionsAsync({ olderThan: -1 })).rejects.toThrow(InvalidArgumentError);

    // keep: 2 removes version 1 only; its data files are still used by version 2 (with deletions).
    const kept = await v3.cleanupOldVersionsAsync({ olderThan: 0, keep: 2 });
    expect(kept).toEqual({ removedVersions: [1], removedDataFiles: [], removedIndices: [] });
    expect(keysUnder('clean/basic/_versions')).toEqual([manifestFileName(2, 'v2'), manifestFileName(3, 'v2')].sort());

    const res = await v3.cleanupOldVersionsAsync({ olderThan: 0 });
    expect(res.removedVersions).toEqual([2]);
    const after = keysUnder('clean/basic');
    expect(after.filter((k) => k.startsWith('_versions/'))).toEqual([`_versions/${manifestFileName(3, 'v2')}`]);
    expect(after.filter((k) => k.startsWith('_deletions/'))).toEqual([]);
    const remaining = after.filter((k) => k.startsWith('data/'));
    expect(remaining).toHaveLength(1);
    expect(res.removedDataFiles.sort()).toEqual(
      [...oldData.filter((k) => !remaining.includes(k)).map((k) => k.slice('data/'.length)), ...before.filter((k) => k.startsWith('_deletions/'))].sort(),
    );
    const reopened = await Dataset.open(uri, { storageOptions: s3.options });
    expect(reopened.version).toBe(3);
    expect(await ids(reopened)).toEqual(rows(0, 300).map((r) => r.id).filter((i) => i % 4 !== 0));
    // Nothing left to remove.
    expect(await reopened.cleanupOldVersionsAsync({ olderThan: 0 })).toEqual({ removedVersions: [], removedDataFiles: [], removedIndices: [] });
  });

  it('refuses a manifest path leaving the dataset before deleting anything', async () => {
    const uri = 's3://bucket/clean/hostile';
    const store = S3Store.open('s3://bucket', s3.options);
    const victim = new Uint8Array([1, 2, 3, 4]);
    await store.put('clean/victim.lance', victim);
    await Dataset.create(uri, rows(0, 10), { storageOptions: s3.options });
    const v2 = await Dataset.create(uri, rows(20, 25), { storageOptions: s3.options, mode: 'overwrite' });
    // Version 1's manifest now names ../../victim.lance (what a hostile writer could publish).
    const key = `clean/hostile/_versions/${manifestFileName(1, 'v2')}`;
    const m = decodeManifest(await store.get(key));
    m.fragments[0]!.files[0]!.path = '../../victim.lance';
    await store.put(key, encodeManifest(m));
    const before = keysUnder('clean/hostile');

    const e = await v2.cleanupOldVersionsAsync({ olderThan: 0 }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CorruptDataError);
    expect((e as Error).message).toMatch(/"\.\.\/\.\.\/victim\.lance" has a '\.\.' segment/);
    expect(keysUnder('clean/hostile')).toEqual(before); // nothing deleted, not even the manifest
    expect(new Uint8Array(await store.get('clean/victim.lance'))).toEqual(victim);
    expect(await ids(await Dataset.open(uri, { storageOptions: s3.options }))).toEqual([20, 21, 22, 23, 24]);
  });
});

describe('cleanupOldVersionsAsync in a folder', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('cleanup-async');
  });
  afterAll(() => removeDir(root));

  it('removes what the blocking form removes, with the same symlink check', async () => {
    const dir = path.join(root, 'ds');
    Dataset.createSync(dir, rows(0, 15), { maxRowsPerFile: 5 });
    const v1Files = fs.readdirSync(path.join(dir, 'data')).sort();
    const { dataset: v2 } = Dataset.openSync(dir).compactSync();
    expect(await v2.cleanupOldVersionsAsync()).toEqual({ removedVersions: [], removedDataFiles: [], removedIndices: [] });

    // A symlink pointing out, named by version 1: refused before anything is deleted.
    const outside = path.join(root, 'outside.lance');
    fs.writeFileSync(outside, 'x');
    fs.symlinkSync(outside, path.join(dir, 'data', 'link.lance'));
    const m1 = path.join(dir, '_versions', manifestFileName(1, 'v2'));
    const original = fs.readFileSync(m1);
    const m = decodeManifest(original);
    m.fragments[0]!.files[0]!.path = 'link.lance';
    fs.writeFileSync(m1, encodeManifest(m));
    await expect(v2.cleanupOldVersionsAsync({ olderThan: 0 })).rejects.toThrow(/outside the dataset folder/);
    expect(fs.existsSync(m1)).toBe(true);
    expect(fs.readFileSync(outside, 'utf8')).toBe('x');
    fs.unlinkSync(path.join(dir, 'data', 'link.lance'));
    fs.writeFileSync(m1, original);

    const res = await v2.cleanupOldVersionsAsync({ olderThan: 0 });
    expect(res.removedVersions).toEqual([1]);
    expect(res.removedDataFiles.sort()).toEqual(v1Files);
    expect(fs.readdirSync(path.join(dir, '_versions'))).toEqual([manifestFileName(2, 'v2')]);
    expect(fs.readdirSync(path.join(dir, 'data'))).toHaveLength(1);
    expect(Dataset.openSync(dir).countRows()).toBe(15);
  });
});

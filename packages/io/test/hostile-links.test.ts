/**
 * Attack tests of path confinement beyond hostile-datasets.test.ts: `_versions/` and `_deletions/`
 * folders and single manifests that are symlinks pointing out of the dataset folder (open, commit,
 * delete, cleanup), and manifest paths that only look like traversals once decoded (`%2e%2e`,
 * full-width dots), in a folder and on S3. Nothing outside the dataset may be read, written or
 * deleted; refusals are CorruptDataError. A dataset folder that is itself a symlink is the caller's
 * choice and works.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, Dataset, NotFoundError, type StorageOptions } from '@vego/io';
import { decodeManifest, encodeManifest, manifestFileName } from '@vego/format';
import { startS3Server, type S3TestServer } from './support/s3-server';
import { filesUnder, makeTempDir, removeDir, s3TestOptions } from './fixtures/helpers';

const rows = (from: number, to: number): { id: number; name: string }[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}` }));

let root: string;
let server: S3TestServer;
let options: StorageOptions;
beforeAll(async () => {
  root = makeTempDir('hostile-links');
  server = await startS3Server();
  options = s3TestOptions(server.endpoint);
});
afterAll(async () => {
  removeDir(root);
  await server.close();
});

/** Moves `dir/sub` to `outside` and leaves a symlink to it in its place. */
function linkOut(dir: string, sub: string, outside: string): void {
  fs.renameSync(path.join(dir, sub), outside);
  fs.symlinkSync(outside, path.join(dir, sub));
}

describe('symlinks pointing out of a dataset folder', () => {
  it('_versions/ linked outside: open, append, overwrite and cleanup are refused; nothing outside changes', async () => {
    const dir = path.join(root, 'versions-link');
    Dataset.createSync(dir, rows(0, 5));
    Dataset.createSync(dir, rows(5, 10), { mode: 'append' });
    const outside = path.join(root, 'versions-out');
    linkOut(dir, '_versions', outside);
    const before = filesUnder(outside);
    expect(() => Dataset.openSync(dir)).toThrow(CorruptDataError);
    await expect(Dataset.open(dir)).rejects.toBeInstanceOf(CorruptDataError);
    expect(() => Dataset.createSync(dir, rows(10, 12), { mode: 'append' })).toThrow(CorruptDataError);
    await expect(Dataset.create(dir, rows(10, 12), { mode: 'overwrite' })).rejects.toBeInstanceOf(CorruptDataError);
    expect(filesUnder(outside)).toEqual(before);
  });

  it('a manifest linked to a file outside is neither read nor deleted by cleanup', () => {
    const dir = path.join(root, 'manifest-link');
    const v1 = Dataset.createSync(dir, rows(0, 5));
    v1.deleteRowsSync([0]);
    const outside = path.join(root, 'manifest-out.manifest');
    linkOut(dir, path.join('_versions', manifestFileName(1, 'v2')), outside);
    const bytes = fs.readFileSync(outside);
    expect(() => Dataset.openSync(dir, { version: 1 })).toThrow(CorruptDataError);
    expect(() => Dataset.openSync(dir).cleanupOldVersions({ olderThan: 0 })).toThrow(CorruptDataError);
    expect(fs.readFileSync(outside)).toEqual(bytes);
  });

  it('_deletions/ linked outside: deleting rows writes nothing there, and cleanup deletes nothing there', () => {
    const dir = path.join(root, 'deletions-link');
    const v2 = Dataset.createSync(dir, rows(0, 10)).deleteRowsSync([1]);
    const outside = path.join(root, 'deletions-out');
    linkOut(dir, '_deletions', outside);
    const before = filesUnder(outside);
    expect(() => v2.deleteRowsSync([2])).toThrow(CorruptDataError);
    expect(() => Dataset.openSync(dir).toTableSync()).toThrow(CorruptDataError);
    // A later overwrite leaves version 2's deletion file to cleanup, which must refuse it.
    Dataset.createSync(dir, rows(0, 3), { mode: 'overwrite' });
    expect(() => Dataset.openSync(dir).cleanupOldVersions({ olderThan: 0 })).toThrow(CorruptDataError);
    expect(filesUnder(outside)).toEqual(before);
    expect(Dataset.openSync(dir).versions().map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('a dataset folder that is itself a symlink (the caller named it) reads, commits and cleans up', () => {
    const real = path.join(root, 'real-dataset');
    Dataset.createSync(real, rows(0, 4));
    const link = path.join(root, 'linked-dataset');
    fs.symlinkSync(real, link);
    Dataset.createSync(link, rows(4, 8), { mode: 'append' }).deleteRowsSync([0]);
    const ds = Dataset.openSync(link).compactSync().dataset;
    ds.cleanupOldVersions({ olderThan: 0 });
    expect(Dataset.openSync(real).countRows()).toBe(7);
  });
});

describe('manifest paths that decode to a traversal only in a URL', () => {
  /** Points the only fragment of the latest version of `dir` at `rel`. */
  function pointAt(dir: string, version: number, rel: string, read: (p: string) => Buffer, write: (p: string, b: Uint8Array) => void): void {
    const p = `${dir}/_versions/${manifestFileName(version, 'v2')}`;
    const m = decodeManifest(read(p));
    m.fragments[0]!.files[0]!.path = rel;
    write(p, encodeManifest(m));
  }

  for (const rel of ['%2e%2e/%2e%2e/victim.lance', '%2E%2E%2Fvictim.lance', '\uff0e\uff0e/victim.lance', '..%2fvictim.lance']) {
    it(`'${rel}' is a plain name in a folder and on S3: not found, the victim is never read`, async () => {
      const dir = path.join(root, `encoded-${encodeURIComponent(rel)}`);
      Dataset.createSync(dir, rows(0, 5));
      fs.copyFileSync(Dataset.openSync(dir).fragmentFiles()[0]!.paths[0]!, path.join(root, 'victim.lance'));
      pointAt(dir, 1, rel, (p) => fs.readFileSync(p), (p, b) => fs.writeFileSync(p, b));
      expect(() => Dataset.openSync(dir).toTableSync()).toThrow(NotFoundError);

      const uri = `s3://bucket/t${Date.now()}/inner`;
      const remote = await Dataset.create(uri, rows(0, 5), { storageOptions: options });
      const objects = server.objects('bucket');
      const [dataKey] = [...objects.keys()].filter((k) => k.startsWith(`${uri.slice('s3://bucket/'.length)}/data/`));
      objects.set('victim.lance', objects.get(dataKey!)!);
      objects.set(`${uri.slice('s3://bucket/'.length, uri.lastIndexOf('/'))}/victim.lance`, objects.get(dataKey!)!);
      const key = (p: string): string => p.slice('s3://bucket/'.length);
      pointAt(uri, remote.version, rel, (p) => objects.get(key(p))!.bytes, (p, b) => objects.set(key(p), { ...objects.get(key(p))!, bytes: Buffer.from(b) }));
      server.resetCounters();
      const log = server.log.length;
      await expect((await Dataset.open(uri, { storageOptions: options })).toTable()).rejects.toBeInstanceOf(NotFoundError);
      // The requests went to the literal (percent-encoded) name, never to either victim object.
      const paths = server.log.slice(log).map((l) => l.split(' ')[1]!);
      expect(paths.some((p) => /^\/bucket\/(t\d+\/)?victim\.lance$/.test(p))).toBe(false);
      expect(paths.some((p) => p.includes('victim'))).toBe(true);
    });
  }
});

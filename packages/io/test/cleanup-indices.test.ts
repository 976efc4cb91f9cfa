/**
 * cleanupOldVersions and cleanupOldVersionsAsync remove the index folders (`_indices/<uuid>/`) only
 * removed versions name, in a folder and on S3, and nothing else: not a folder a kept version names,
 * not one no manifest names (an index being built, whose manifest has not committed yet), nothing a
 * symlink inside one points to; a UUID from a manifest that is not one, or an index folder reached
 * through a symlink pointing out of the dataset, refuses the cleanup before anything is deleted. Manifests here are edited to carry hand-made index sections (./fixtures/index-section);
 * ./lancedb-cleanup-indices.test.ts does the same with LanceDB's own indices.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, Dataset, S3Store } from '@vego/io';
import { decodeManifest, encodeManifest, manifestFileName, runTaskSync } from '@vego/format';
import { isIndexUuid } from '../src/dataset/cleanup-indices';
import { readIndexFolder } from '../src/dataset/index-folders';
import { useS3Server } from './fixtures/s3-suite';
import { indexSection } from './fixtures/index-section';
import { makeTempDir, removeDir } from './fixtures/helpers';

const A = '0a0a0a0a-0000-4000-8000-00000000000a'; // named by the removed version only
const B = '0b0b0b0b-0000-4000-8000-00000000000b'; // named by the removed and the kept version
const C = '0c0c0c0c-0000-4000-8000-00000000000c'; // named by no manifest (an index being built)
const D = '0d0d0d0d-0000-4000-8000-00000000000d';

const rows = (n: number): { id: number }[] => Array.from({ length: n }, (_, id) => ({ id }));

/** Manifest bytes with an index section naming `uuids` (strings, or raw bytes). */
function withIndices(bytes: Uint8Array, uuids: readonly (string | Uint8Array)[]): Uint8Array {
  return encodeManifest(decodeManifest(bytes), { indexSection: indexSection(uuids.map((uuid, k) => ({ uuid, name: `ix${k}` }))) });
}

function editLocal(dir: string, version: number, uuids: readonly (string | Uint8Array)[]): void {
  const p = path.join(dir, '_versions', manifestFileName(version, 'v2'));
  fs.writeFileSync(p, withIndices(fs.readFileSync(p), uuids));
}

/** Writes `_indices/<uuid>/<rel>` files. */
function indexFiles(dir: string, uuid: string, rels: readonly string[]): void {
  for (const rel of rels) {
    const p = path.join(dir, '_indices', uuid, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, rel);
  }
}

function folders(dir: string): string[] {
  return fs.readdirSync(path.join(dir, '_indices')).sort();
}

describe('cleanup of index folders', () => {
  let root: string;
  beforeAll(() => (root = makeTempDir('cleanup-indices')));
  afterAll(() => removeDir(root));

  /** v1 names A and B; v2 (the latest, an overwrite) names B; C is named by nobody. */
  function indexed(name: string): string {
    const dir = path.join(root, name);
    Dataset.createSync(dir, rows(3));
    Dataset.createSync(dir, rows(2), { mode: 'overwrite' });
    editLocal(dir, 1, [A, B]);
    editLocal(dir, 2, [B]);
    indexFiles(dir, A, ['page_data.lance', 'page_lookup.lance', 'part/0_docs.lance']);
    indexFiles(dir, B, ['page_data.lance']);
    indexFiles(dir, C, ['metadata.lance']);
    return dir;
  }

  it.each(['sync', 'async'])('removes the folders only removed versions name (%s), a symlink in one unlinked, not followed', async (mode) => {
    const dir = indexed(`basic-${mode}`);
    const outside = path.join(root, `outside-${mode}.txt`);
    fs.writeFileSync(outside, 'keep me');
    fs.symlinkSync(outside, path.join(dir, '_indices', A, 'part', 'link'));
    const ds = Dataset.openSync(dir);
    const res = mode === 'sync' ? ds.cleanupOldVersions({ olderThan: 0 }) : await ds.cleanupOldVersionsAsync({ olderThan: 0 });
    expect(res).toEqual({ removedVersions: [1], removedDataFiles: [expect.any(String)], removedIndices: [A] });
    expect(folders(dir)).toEqual([B, C]);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(Dataset.openSync(dir).countRows()).toBe(2);
    // Nothing more to remove; C stays, named by no manifest.
    expect(Dataset.openSync(dir).cleanupOldVersions({ olderThan: 0 })).toEqual({ removedVersions: [], removedDataFiles: [], removedIndices: [] });
    expect(folders(dir)).toEqual([B, C]);
  });

  it('refuses a UUID that is not one, in a removed or a kept version, before deleting anything', async () => {
    const dir = indexed('bad-uuid');
    const bad = Uint8Array.from(Buffer.from('../../../victim'));
    editLocal(dir, 1, [A, bad]);
    const ds = Dataset.openSync(dir);
    expect(() => ds.cleanupOldVersions({ olderThan: 0 })).toThrow(CorruptDataError);
    expect(() => ds.cleanupOldVersions({ olderThan: 0 })).toThrow(/a UUID has 16 bytes, got 15/);
    // In the kept version: what it names cannot be known, so neither can what may go.
    editLocal(dir, 1, [A, B]);
    editLocal(dir, 2, [B, bad]);
    await expect(ds.cleanupOldVersionsAsync({ olderThan: 0 })).rejects.toThrow(CorruptDataError);
    expect(fs.existsSync(path.join(dir, '_versions', manifestFileName(1, 'v2')))).toBe(true);
    expect(folders(dir)).toEqual([A, B, C]);
    // The UUID's text is checked again where it becomes a path.
    for (const uuid of ['..', '../../victim', A.toUpperCase(), `${A}/..`, `${A.slice(0, -1)}/`]) {
      expect(isIndexUuid(uuid)).toBe(false);
      expect(() => runTaskSync(readIndexFolder(dir, uuid, null))).toThrow(CorruptDataError);
    }
  });

  it('refuses index folders reached through a symlink out of the dataset, and leaves one pointing inside', () => {
    // `_indices` itself leads out, to a folder holding an A: refused, nothing deleted there or here.
    const dir = indexed('link-out');
    const elsewhere = path.join(root, 'elsewhere');
    fs.renameSync(path.join(dir, '_indices'), elsewhere);
    fs.symlinkSync(elsewhere, path.join(dir, '_indices'));
    expect(() => Dataset.openSync(dir).cleanupOldVersions({ olderThan: 0 })).toThrow(/outside the dataset folder/);
    expect(fs.readdirSync(elsewhere).sort()).toEqual([A, B, C]);
    expect(fs.readdirSync(path.join(elsewhere, A)).sort()).toEqual(['page_data.lance', 'page_lookup.lance', 'part']);
    expect(fs.existsSync(path.join(dir, '_versions', manifestFileName(1, 'v2')))).toBe(true);

    // `_indices/<D>`, named by v1 only, a symlink to the dataset's `data` folder: not a folder of
    // `_indices`, left as it is (and `data` with it) while A goes.
    const dir2 = indexed('link-in');
    editLocal(dir2, 1, [A, B, D]);
    fs.symlinkSync(path.join(dir2, 'data'), path.join(dir2, '_indices', D));
    const data = fs.readdirSync(path.join(dir2, 'data')).sort();
    expect(Dataset.openSync(dir2).cleanupOldVersions({ olderThan: 0 }).removedIndices).toEqual([A]);
    expect(fs.lstatSync(path.join(dir2, '_indices', D)).isSymbolicLink()).toBe(true);
    expect(fs.readdirSync(path.join(dir2, 'data')).length).toBe(data.length - 1); // v1's file only
  });
});

describe('cleanup of index folders on S3', () => {
  const s3 = useS3Server();

  it('removes the objects under the folders only removed versions name, and no other', async () => {
    const uri = 's3://bucket/idx';
    const store = S3Store.open('s3://bucket', s3.options);
    await Dataset.create(uri, rows(3), { storageOptions: s3.options });
    const v2 = await Dataset.create(uri, rows(2), { storageOptions: s3.options, mode: 'overwrite' });
    for (const [version, uuids] of [[1, [A, B]], [2, [B]]] as const) {
      const key = `idx/_versions/${manifestFileName(version, 'v2')}`;
      await store.put(key, withIndices(await store.get(key), uuids));
    }
    const indexKeys = [`${A}/page_data.lance`, `${A}/part/0_docs.lance`, `${B}/page_data.lance`, `${C}/metadata.lance`, `${A}0/x`].map((k) => `idx/_indices/${k}`);
    for (const k of indexKeys) await store.put(k, new Uint8Array([1]));

    const res = await v2.cleanupOldVersionsAsync({ olderThan: 0 });
    expect(res.removedIndices).toEqual([A]);
    const left = [...s3.server.objects('bucket').keys()].filter((k) => k.startsWith('idx/_indices/')).sort();
    expect(left).toEqual(indexKeys.filter((k) => !k.startsWith(`idx/_indices/${A}/`)).sort());
  });
});

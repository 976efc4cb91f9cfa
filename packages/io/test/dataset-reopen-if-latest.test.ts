/**
 * `reopenIfLatest(Sync)`: a version this process knows, again, only while it is still the latest
 * and its manifest is the very one it knows. A writer that commits on top of a version it
 * remembers (an index saved again and again) checks this instead of listing `_versions/`; the
 * byte comparison also tells a folder that was removed and written again by someone else (whose
 * version numbers count up from 1 as well) from the one it knew.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, InvalidArgumentError, NotSupportedError, S3Store } from '@vego/io';
import { manifestFileName } from '@vego/format';
import { makeTempDir, removeDir } from './fixtures/helpers';
import { useS3Server } from './fixtures/s3-suite';

const rows = (from: number, to: number): { id: number; name: string }[] => Array.from({ length: to - from }, (_, k) => ({ id: from + k, name: `n${from + k}` }));

function ids(ds: Dataset): number[] {
  const out: number[] = [];
  for (const b of ds.toTableSync({ columns: ['id'] }).batches) for (let i = 0; i < b.numRows; i++) out.push(b.column('id').get(i) as number);
  return out;
}

let root: string;
beforeAll(() => {
  root = makeTempDir('reopen-if-latest');
});
afterAll(() => removeDir(root));

describe.each([
  ['blocking', false],
  ['asynchronous', true],
])('reopenIfLatest (%s)', (_, async) => {
  const reopen = (ds: Dataset): Promise<Dataset | null> => (async ? ds.reopenIfLatest() : Promise.resolve(ds.reopenIfLatestSync()));

  it('gives a new object at the same version while nobody committed since (opened or committed by this object)', async () => {
    const dir = path.join(root, `same-${String(async)}`);
    const created = Dataset.createSync(dir, rows(0, 40));
    const again = await reopen(created);
    expect(again).not.toBeNull();
    expect(again).not.toBe(created);
    expect(again!.version).toBe(1);
    expect(ids(again!)).toEqual(ids(created));
    // Closing one leaves the other readable (files of its own).
    again!.closeSync();
    expect(ids(created)).toHaveLength(40);
    // A version this object committed (an append), and one opened by listing, both check out.
    const appended = created.appendSync(rows(40, 50));
    expect((await reopen(appended))!.version).toBe(2);
    expect((await reopen(Dataset.openSync(dir)))!.version).toBe(2);
    // A reopened object can commit on top, as the original could.
    const next = (await reopen(appended))!.appendAndDeleteSync(rows(50, 51), [0]);
    expect(next.version).toBe(3);
    expect(ids(next)).toEqual([...ids(created).slice(1), ...rows(40, 51).map((r) => r.id)].sort((a, b) => a - b));
  });

  it('gives null once another writer committed a newer version', async () => {
    const dir = path.join(root, `newer-${String(async)}`);
    const mine = Dataset.createSync(dir, rows(0, 10));
    Dataset.openSync(dir).appendSync(rows(10, 20)); // someone else's commit
    expect(await reopen(mine)).toBeNull();
    expect(await reopen(Dataset.openSync(dir))).not.toBeNull();
  });

  it('gives null when the next version exists under the other manifest naming', async () => {
    const dir = path.join(root, `naming-${String(async)}`);
    const mine = Dataset.createSync(dir, rows(0, 10));
    expect(mine.manifestNaming).toBe('v2');
    fs.writeFileSync(path.join(dir, '_versions', manifestFileName(2, 'v1')), Buffer.from(fs.readFileSync(path.join(dir, '_versions', manifestFileName(1, 'v2')))));
    expect(await reopen(mine)).toBeNull();
  });

  it('gives null for a folder removed and written again with as many versions (another manifest at the same version)', async () => {
    const dir = path.join(root, `replaced-${String(async)}`);
    const mine = Dataset.createSync(dir, rows(0, 30)).appendSync(rows(30, 40));
    expect(mine.version).toBe(2);
    fs.rmSync(dir, { recursive: true });
    const theirs = Dataset.createSync(dir, rows(100, 130)).appendSync(rows(130, 140));
    expect(theirs.version).toBe(2);
    expect(await reopen(mine)).toBeNull();
    expect((await reopen(theirs))!.version).toBe(2);
    // Removed outright: null, not an error.
    fs.rmSync(dir, { recursive: true });
    expect(await reopen(theirs)).toBeNull();
  });

  it('gives null when its manifest is gone or damaged', async () => {
    const dir = path.join(root, `gone-${String(async)}`);
    const mine = Dataset.createSync(dir, rows(0, 10));
    const file = path.join(dir, '_versions', manifestFileName(1, 'v2'));
    const bytes = fs.readFileSync(file);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length >> 1] ^= 0x40;
    fs.writeFileSync(file, flipped);
    expect(await reopen(mine)).toBeNull();
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expect(await reopen(mine)).toBeNull();
    fs.writeFileSync(file, bytes);
    expect(await reopen(mine)).not.toBeNull();
    fs.rmSync(file);
    expect(await reopen(mine)).toBeNull();
  });
});

describe('hasSameManifest', () => {
  it('tells the same version from the same manifest apart from another version or another folder at the same version', () => {
    const dir = path.join(root, 'same-manifest');
    const v1 = Dataset.createSync(dir, rows(0, 10));
    const v2 = v1.appendSync(rows(10, 20));
    expect(Dataset.openSync(dir).hasSameManifest(v2)).toBe(true);
    expect(Dataset.openSync(dir, { version: 1 }).hasSameManifest(v1)).toBe(true);
    expect(v1.hasSameManifest(v2)).toBe(false);
    fs.rmSync(dir, { recursive: true });
    const other = Dataset.createSync(dir, rows(0, 10)).appendSync(rows(10, 20)); // same rows, other data files
    expect(other.version).toBe(2);
    expect(other.hasSameManifest(v2)).toBe(false);
    expect(() => v2.hasSameManifest({} as Dataset)).toThrow(InvalidArgumentError);
  });
});

describe('reopenIfLatest on an object store', () => {
  const s3 = useS3Server();

  it('compares the latest manifest there with its own, and the blocking form refuses', async () => {
    const uri = 's3://bucket/reopen/a';
    const mine = await Dataset.create(uri, rows(0, 20), { storageOptions: s3.options });
    expect(() => mine.reopenIfLatestSync()).toThrow(NotSupportedError);
    const again = await mine.reopenIfLatest();
    expect(again).not.toBeNull();
    expect((await again!.toTable({ columns: ['id'] })).numRows).toBe(20);
    await (await Dataset.open(uri, { storageOptions: s3.options })).append(rows(20, 30));
    expect(await mine.reopenIfLatest()).toBeNull();
    // Removed (every key under the prefix) and written again with as many versions: other bytes.
    const latest = await mine.reopenIfLatest().then(() => Dataset.open(uri, { storageOptions: s3.options }));
    expect(latest.version).toBe(2);
    const objects = s3.server.objects('bucket');
    for (const k of [...objects.keys()]) if (k.startsWith('reopen/a/')) objects.delete(k);
    expect(await latest.reopenIfLatest()).toBeNull();
    const store = S3Store.open(uri, s3.options);
    const theirs = await (await Dataset.create(uri, rows(50, 70), { store })).append(rows(70, 80));
    expect(theirs.version).toBe(2);
    expect(await latest.reopenIfLatest()).toBeNull();
    expect(await theirs.reopenIfLatest()).not.toBeNull();
  });
});

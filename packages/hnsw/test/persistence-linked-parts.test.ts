/**
 * A saved index whose part folders (`nodes.lance`, `connections.lance`, `metadata.lance`) are
 * symlinks pointing out of the index folder: @vego/io confines each dataset's paths to the part's
 * own real folder, so without a check here every load, save and cleanup of the index would read,
 * write and delete in whatever those links name (another index, here). Refused with
 * CorruptDataError before anything is touched; a link pointing inside the index folder still works.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, HNSW } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { makeTempDir, removeDir } from './fixtures/persistence-helpers';

const DIM = 8;
const PARTS = ['metadata.lance', 'nodes.lance', 'connections.lance'] as const;

let tmp: string;
beforeAll(() => {
  tmp = makeTempDir('linked-parts');
});
afterAll(() => removeDir(tmp));

/** Every file under `dir` (relative paths), sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** An index of 200 vectors saved twice to `dir` (two versions of each part). */
async function savedTwice(dir: string): Promise<HNSW> {
  const pool = clustered(220, DIM, 4, 5);
  const index = new HNSW({ dimension: DIM, M: 6, efConstruction: 32, seed: 5 });
  index.addBatch(pool.subarray(0, 200 * DIM));
  await index.saveToLance(dir);
  index.addBatch(pool.subarray(200 * DIM));
  await index.saveToLance(dir);
  return index;
}

describe('saved index with part folders linked out of it', () => {
  it('load, save and cleanupOldVersions refuse a part linked outside, and the other index is untouched', async () => {
    const victim = path.join(tmp, 'victim');
    await savedTwice(victim);
    const before = filesUnder(victim);
    const hostile = path.join(tmp, 'hostile');
    fs.mkdirSync(hostile);
    for (const p of PARTS) fs.symlinkSync(path.join(victim, p), path.join(hostile, p));
    await expect(HNSW.cleanupOldVersions(hostile, { olderThan: 0 })).rejects.toBeInstanceOf(CorruptDataError);
    await expect(HNSW.loadFromLance(hostile)).rejects.toBeInstanceOf(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(hostile)).toThrow(CorruptDataError);
    const other = new HNSW({ dimension: DIM, M: 6, efConstruction: 32, seed: 9 });
    other.addBatch(clustered(30, DIM, 2, 11));
    await expect(other.saveToLance(hostile)).rejects.toBeInstanceOf(CorruptDataError);
    expect(() => other.saveToLanceSync(hostile)).toThrow(CorruptDataError);
    await expect(other.saveToLance(hostile, { full: true })).rejects.toBeInstanceOf(CorruptDataError);
    expect(filesUnder(victim)).toEqual(before);
    expect((await HNSW.loadFromLance(victim)).size).toBe(220);
  });

  it('one linked part is enough to refuse; a part linked inside the index folder loads, saves and cleans up', async () => {
    const dir = path.join(tmp, 'one-link');
    await savedTwice(dir);
    const outside = path.join(tmp, 'moved-nodes.lance');
    fs.renameSync(path.join(dir, 'nodes.lance'), outside);
    fs.symlinkSync(outside, path.join(dir, 'nodes.lance'));
    await expect(HNSW.loadFromLance(dir)).rejects.toThrow(/nodes\.lance.*outside/);
    // Moved inside the index folder, the same link is accepted.
    fs.unlinkSync(path.join(dir, 'nodes.lance'));
    fs.mkdirSync(path.join(dir, 'store'));
    fs.renameSync(outside, path.join(dir, 'store', 'nodes.lance'));
    fs.symlinkSync(path.join(dir, 'store', 'nodes.lance'), path.join(dir, 'nodes.lance'));
    const index = await HNSW.loadFromLance(dir);
    expect(index.size).toBe(220);
    index.addBatch(clustered(5, DIM, 1, 13));
    await index.saveToLance(dir);
    await HNSW.cleanupOldVersions(dir, { olderThan: 0 });
    expect((await HNSW.loadFromLance(dir)).size).toBe(225);
  });
});

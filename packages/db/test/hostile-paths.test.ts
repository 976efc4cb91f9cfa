/**
 * Paths and keys that a hostile database folder or bucket could use to make @vego/db touch
 * something outside the database: object keys with `..` segments (a URL resolves them to another
 * key), and collection folders that are symlinks pointing out of the database folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorruptDataError, Database, TextIndex, loadTextIndex, saveTextIndex, saveTextIndexSync, type StorageOptions } from '@vego/db';
import { startS3Server, type S3TestServer } from '../../io/test/support/s3-server';
import { s3TestOptions } from '../../io/test/fixtures/helpers';

const DIM = 4;
const doc = (i: number): { key: string; vector: number[] } => ({ key: `k${i}`, vector: [i, 1, 0, 0] });

let server: S3TestServer;
let options: StorageOptions;
let tmp: string;

beforeAll(async () => {
  server = await startS3Server();
  options = s3TestOptions(server.endpoint);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-hostile-paths-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const object = (bytes: string): { bytes: Buffer; etag: string; lastModified: Date } => ({ bytes: Buffer.from(bytes), etag: '"x"', lastModified: new Date() });

describe('hostile keys on an object store', () => {
  it('dropCollection refuses a listed key with `..` segments and deletes nothing outside the database prefix', async () => {
    const db = await Database.open('s3://bucket/app', { storageOptions: options });
    const c = await db.createCollection('notes', { dimension: DIM });
    await c.insert(doc(1));
    await db.close();
    const objects = server.objects('bucket');
    objects.set('victim', object('keep me'));
    objects.set('other-app/secret', object('keep me too'));
    // Keys under the collection's prefix that a URL resolves to `victim` and `other-app/secret`.
    objects.set('app/notes.hnsw/../../victim', object('bait'));
    objects.set('app/notes.lance/x/../../../other-app/secret', object('bait'));
    const db2 = await Database.open('s3://bucket/app', { storageOptions: options });
    await db2.dropCollection("notes").catch(() => undefined);
    expect(objects.get('victim')?.bytes.toString()).toBe('keep me');
    expect(objects.get('other-app/secret')?.bytes.toString()).toBe('keep me too');
    await db2.close();
  });
});

/** Every file under `dir` (relative paths) with its size, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => `${f}:${fs.statSync(path.join(dir, f)).size}`)
    .sort();
}

describe('collection folders linked out of the database folder', () => {
  /** A database at `dir` with collection `notes` (full-text index on) written in three versions. */
  async function victimDatabase(dir: string): Promise<void> {
    const db = await Database.open(dir);
    const c = await db.createCollection('notes', { dimension: DIM, fullText: true });
    for (let i = 0; i < 3; i++) await c.insert({ ...doc(i), text: `note ${i}` });
    await db.close();
  }

  for (const suffix of ['.lance', '.hnsw', '.text']) {
    it(`refuses notes${suffix} linked to another database's folder: open, create, and nothing there changes`, async () => {
      const victim = path.join(tmp, `victim${suffix}`);
      await victimDatabase(victim);
      const hostile = path.join(tmp, `hostile${suffix}`);
      await victimDatabase(hostile);
      const before = filesUnder(victim);
      const link = path.join(hostile, `notes${suffix}`);
      fs.rmSync(link, { recursive: true });
      fs.symlinkSync(path.join(victim, `notes${suffix}`), link);
      const db = await Database.open(hostile);
      await expect(db.openCollection('notes', { fullText: true })).rejects.toThrow(CorruptDataError);
      await expect(db.collection('notes', { dimension: DIM, fullText: true })).rejects.toThrow(/outside/);
      if (suffix !== '.lance') {
        // With the documents' folder gone, creating the collection again would write through the links.
        fs.rmSync(path.join(hostile, 'notes.lance'), { recursive: true, force: true });
        await expect(db.createCollection('notes', { dimension: DIM, fullText: true })).rejects.toBeInstanceOf(CorruptDataError);
      }
      await db.close();
      expect(filesUnder(victim)).toEqual(before);
      // Dropping removes the link, never what it points to.
      const db2 = await Database.open(hostile);
      await db2.dropCollection('notes');
      await db2.close();
      expect(fs.existsSync(link)).toBe(false);
      expect(filesUnder(victim)).toEqual(before);
    });
  }

  it('a collection whose folders are links inside the database folder still opens and writes', async () => {
    const dir = path.join(tmp, 'inside-links');
    await victimDatabase(dir);
    fs.mkdirSync(path.join(dir, 'real'));
    for (const suffix of ['.lance', '.hnsw', '.text']) {
      fs.renameSync(path.join(dir, `notes${suffix}`), path.join(dir, 'real', `notes${suffix}`));
      fs.symlinkSync(path.join(dir, 'real', `notes${suffix}`), path.join(dir, `notes${suffix}`));
    }
    const db = await Database.open(dir);
    const c = await db.openCollection('notes', { fullText: true });
    await c.insert({ ...doc(9), text: 'note 9' });
    expect(c.size).toBe(4);
    await db.close();
  });
});

describe('saved text index with a part linked out of its folder', () => {
  it('save and load refuse docs.lance linked to another text index, which stays as it was', async () => {
    const victim = path.join(tmp, 'victim.text');
    const index = new TextIndex();
    index.add(0, 'red fish');
    index.add(1, 'blue fish fish');
    await saveTextIndex(index, victim);
    const before = filesUnder(victim);
    const hostile = path.join(tmp, 'hostile.text');
    await saveTextIndex(index, hostile);
    fs.rmSync(path.join(hostile, 'docs.lance'), { recursive: true });
    fs.symlinkSync(path.join(victim, 'docs.lance'), path.join(hostile, 'docs.lance'));
    index.add(2, 'green fish');
    await expect(saveTextIndex(index, hostile)).rejects.toBeInstanceOf(CorruptDataError);
    expect(() => saveTextIndexSync(index, hostile, { full: true })).toThrow(CorruptDataError);
    await expect(loadTextIndex(hostile)).rejects.toBeInstanceOf(CorruptDataError);
    expect(filesUnder(victim)).toEqual(before);
  });
});

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@vego/db';
import type { Collection } from '@vego/db';
import { seededRandom } from '../../../test-support/random';
import { applyStep, CRASH_DIM } from './fixtures/crash-steps';

const WRITER = path.join(__dirname, 'fixtures', 'crash-writer.cjs');

function runWriter(dir: string, steps: number, indexSaveEvery: number): { kill: () => void; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [WRITER, dir, String(steps), String(indexSaveEvery)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { kill: () => child.kill('SIGKILL'), out: () => out, done };
}

/** Every document, sorted by key, with vector, text and all metadata. */
async function snapshot(c: Collection): Promise<unknown[]> {
  const docs = await c.query({ select: ['vector', 'text', ...Object.keys(c.schema)] });
  return docs
    .map((d) => ({ ...d, metadata: Object.fromEntries(Object.entries(d.metadata).filter(([, v]) => v !== null)) }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

async function replay(steps: number): Promise<unknown[]> {
  const c = await Database.memory().createCollection('c', { dimension: CRASH_DIM, distance: 'l2' });
  for (let s = 1; s <= steps; s++) await applyStep(c, s);
  return snapshot(c);
}

describe('collections under kill -9 (child processes)', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-crash-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reopens at the last committed write, with documents and index consistent, and takes writes again', async () => {
    const rnd = seededRandom(5);
    for (let round = 0; round < 3; round++) {
      const dir = path.join(root, `kill-${round}`);
      // Rounds 0 and 2 save the index after every write (kills land in index saves too); round 1
      // saves it every 7 changes (the reopen re-adds what the dataset holds beyond it).
      const writer = runWriter(dir, 100_000, round === 1 ? 7 : 1);
      await new Promise<void>((resolve) => {
        const check = (): void => (writer.out().includes('done 2\n') ? resolve() : void setTimeout(check, 2));
        check();
      });
      await new Promise((r) => setTimeout(r, 20 + rnd() * 300));
      writer.kill();
      await writer.done;
      const reported = writer.out().split('\n').filter((l) => l.startsWith('done ')).length - 1;

      const db = await Database.open(dir);
      const c = await db.openCollection('c');
      const got = await snapshot(c);
      // The state after the last reported step, or the next one when the kill came after its
      // commit but before the child printed it.
      const candidates = [await replay(reported), await replay(reported + 1)];
      expect(candidates).toContainEqual(got);
      // The index holds exactly the live documents, each under its current vector (a vector update
      // keeps the doc id: a saved index older than it held the old one): each is its own nearest
      // neighbour at distance 0, and a search for everything returns every key once.
      const keys = (got as { key: string; vector: Float32Array }[]);
      for (const d of keys) expect((await c.search(d.vector, 1, { ef: 100 }))[0]).toMatchObject({ key: d.key, distance: 0 });
      const all = await c.search(new Float32Array(CRASH_DIM), keys.length + 5);
      expect(all.map((h) => h.key).sort()).toEqual(keys.map((d) => d.key));
      // It takes writes again, and they persist.
      await c.insert({ key: 'after', vector: new Float32Array(CRASH_DIM).fill(0.25) });
      await db.close();
      const again = await (await Database.open(dir)).openCollection('c');
      expect(again.size).toBe(keys.length + 1);
      expect(again.has('after')).toBe(true);
      await again.close();
    }
  });
});

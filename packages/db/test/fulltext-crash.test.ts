import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database, TextIndex } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

const WRITER = path.join(__dirname, 'fixtures', 'fulltext-crash-writer.cjs');
const QUERIES = ['step', 'doc 0', 'doc 4 step', 'step 11', 'doc', 'step 21 doc 2'];

describe('a collection with fullText under kill -9 (child processes)', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-fts-crash-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reopens with a text index equal to one built from the documents, and keeps it in step', async () => {
    const rnd = seededRandom(41);
    // One kill at a random moment (each write commits several datasets with fsyncs: a round takes seconds).
    {
      const dir = path.join(root, 'kill');
      const child = spawn(process.execPath, [WRITER, dir, '100000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve) => {
        const check = (): void => (out.includes('done 2\n') ? resolve() : void setTimeout(check, 2));
        check();
      });
      await new Promise((r) => setTimeout(r, 20 + rnd() * 300));
      child.kill('SIGKILL');
      await exited;

      const db = await Database.open(dir);
      const c = await db.openCollection('c');
      expect(c.hasFullText).toBe(true);
      // A fresh index over the reopened documents (ids: position in key order).
      const docs = (await c.query({ select: ['text'] })).filter((d) => typeof d.text === 'string').sort((a, b) => (a.key < b.key ? -1 : 1));
      expect(docs.length).toBeGreaterThan(0);
      const fresh = new TextIndex({ tokenizer: { stemming: true } });
      docs.forEach((d, i) => fresh.add(i, d.text!));
      const check = async (): Promise<void> => {
        for (const q of QUERIES) {
          const got = (await c.search({ text: q }, 1000)).map((h) => [h.key, h.score]);
          const want = fresh.search(q, 1000).map((h) => [docs[h.id]!.key, h.score]);
          expect(new Map(got as [string, number][])).toEqual(new Map(want as [string, number][]));
        }
      };
      await check();
      // It keeps following writes after the crash.
      await c.insert({ key: 'after', vector: new Float32Array(4).fill(0.5), text: 'step after the crash' });
      docs.push({ key: 'after', text: 'step after the crash', metadata: {} });
      fresh.add(docs.length - 1, 'step after the crash');
      await check();
      await db.close();
    }
  });
});

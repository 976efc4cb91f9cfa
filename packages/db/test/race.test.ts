import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@vego/db';

const WRITER = path.join(__dirname, 'fixtures', 'race-writer.cjs');

function runWriter(dir: string, tag: string, count: number): { ready: Promise<void>; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [WRITER, dir, tag, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    if (out.includes('ready\n')) onReady();
  });
  return { ready, done: new Promise((resolve) => child.on('exit', (code) => { onReady(); resolve({ code, out }); })) };
}

describe('two processes writing one collection', () => {
  it('never lose a write: each conflict is a ConflictError, and after retrying every document is there once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-race-'));
    try {
      const db = await Database.open(dir);
      await db.createCollection('c', { dimension: 3, distance: 'l2', schema: { writer: 'string', i: 'integer' } });
      await db.close();
      const count = 6;
      const writers = [runWriter(dir, 'a', count), runWriter(dir, 'b', count)];
      await Promise.all(writers.map((w) => w.ready));
      fs.writeFileSync(path.join(dir, 'go'), '');
      const [a, b] = await Promise.all(writers.map((w) => w.done));
      expect([a.code, b.code]).toEqual([0, 0]);
      const conflicts = [a, b].map((r) => Number(/conflicts (\d+)/.exec(r.out)![1]));
      // Both started from the same version, so the first write of one of them conflicted at least.
      expect(conflicts[0]! + conflicts[1]!).toBeGreaterThan(0);
      const check = await (await Database.open(dir)).openCollection('c');
      const keys = (await check.query({ select: [] })).map((d) => d.key).sort();
      const expected = ['a', 'b'].flatMap((t) => Array.from({ length: count }, (_, i) => `${t}-${i}`)).sort();
      expect(keys).toEqual(expected);
      expect(await check.count({ writer: 'a' })).toBe(count);
      // The index agrees with the documents after the interleaved saves.
      for (const k of ['a-0', 'b-5']) {
        const doc = (await check.get(k, { select: ['vector'] }))!;
        expect((await check.search(doc.vector!, 1))[0]!.key).toBe(k);
      }
      expect((await check.search([0, 0, 0], 100)).length).toBe(2 * count);
      await check.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

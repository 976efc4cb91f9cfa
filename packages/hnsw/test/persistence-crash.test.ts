import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { Dataset, HNSW } from '@vego/hnsw';
import { seeded } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import { applyStep, initialIndex } from './fixtures/persistence-steps';

const SAVER = path.join(__dirname, 'fixtures', 'persistence-saver.cjs');

function runSaver(dir: string, steps: number, durable: boolean): { kill: () => void; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [SAVER, dir, String(steps), durable ? 'durable' : 'nondurable'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { kill: () => child.kill('SIGKILL'), out: () => out, done };
}

describe('saveToLance crash safety (child processes)', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('crash');
  });
  afterAll(() => removeDir(root));

  // Round 3 saves with { durable: false } (no fsync): a killed process loses nothing the
  // kernel was given, so those saves must be exactly as atomic.
  it('loads exactly one of the saved states after a SIGKILL at a random point of repeated saves (durable and not)', async () => {
    const rnd = seeded(23);
    for (let round = 0; round < 4; round++) {
      const dir = path.join(root, `kill-${round}`);
      const saver = runSaver(dir, 10_000, round < 3);
      await new Promise<void>((resolve) => {
        const check = (): void => (saver.out().includes('saved 2\n') ? resolve() : void setTimeout(check, 2));
        check();
      });
      await new Promise((r) => setTimeout(r, rnd() * 400));
      saver.kill();
      await saver.done;
      const reported = saver.out().split('\n').filter((l) => l.startsWith('saved ')).length - 1;
      const loaded = HNSW.loadFromLanceSync(dir);
      // Replay the history: the loaded index is state `reported`, or the next one when the kill
      // came after the commit but before the child printed it.
      const replay = initialIndex();
      for (let s = 1; s <= reported; s++) applyStep(replay, s);
      let diff = graphDifferences(replay, loaded);
      if (diff.length > 0) {
        applyStep(replay, reported + 1);
        diff = graphDifferences(replay, loaded);
      }
      expect(diff).toEqual([]);
      // The committed versions hold one live row per id and per list (superseded rows deleted),
      // whether or not the kill came between an append and its delete.
      const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
      const commit = meta.takeSync([meta.countRows() - 1]);
      const snap = loaded.toSnapshot();
      let lists = 0;
      for (let i = 0; i < snap.numIds; i++) lists += snap.levels[i]! + 1;
      expect([commit.column('nodes_rows').get(0), commit.column('connections_rows').get(0)]).toEqual([snap.numIds, lists]);
      // The loaded index saves on top of the crashed directory and loads back equal.
      applyStep(loaded, 1000 + round);
      loaded.saveToLanceSync(dir);
      expect(graphDifferences(loaded, HNSW.loadFromLanceSync(dir))).toEqual([]);
    }
  });
});

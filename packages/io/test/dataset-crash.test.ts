import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';

const WRITER = path.join(__dirname, 'fixtures', 'dataset-writer.cjs');
const rowsFor = (s: number, writer: number): number => (writer === 0 ? 1 : 1 + ((s * 7919 + writer * 31) % 3000));

/** `sync` appends with `Dataset.createSync`, `async` with `await Dataset.create` (I/O on the thread pool). */
type WritePath = 'sync' | 'async';

function runWriter(dir: string, writer: number, appends: number, retries: number, how: WritePath): { child: ReturnType<typeof spawn>; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [WRITER, dir, String(writer), String(appends), String(retries), how], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, done };
}

/** Checks that the dataset is exactly a set of complete appends; returns the appends seen per writer. */
function verifyConsistent(dir: string): Map<number, Set<number>> {
  const ds = Dataset.openSync(dir);
  const seen = new Map<string, number>();
  let rows = 0;
  const bad: string[] = [];
  for (const b of ds.scanSync({ batchSize: 5000 })) {
    const w = b.column('writer');
    const s = b.column('seq');
    const k = b.column('k');
    const t = b.column('text');
    for (let i = 0; i < b.numRows; i++) {
      const key = `${w.get(i)}:${s.get(i)}`;
      if (t.get(i) !== `w${w.get(i)}-s${s.get(i)}-k${k.get(i)}`) bad.push(`row text ${t.get(i)}`);
      if (k.get(i) !== (seen.get(key) ?? 0)) bad.push(`row ${key}:${k.get(i)} out of order`); // rows of one append are contiguous
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    rows += b.numRows;
  }
  expect(bad.slice(0, 5)).toEqual([]);
  expect(rows).toBe(ds.countRows());
  const byWriter = new Map<number, Set<number>>();
  for (const [key, count] of seen) {
    const [w, s] = key.split(':').map(Number) as [number, number];
    expect(count).toBe(rowsFor(s, w)); // never a partial append
    if (!byWriter.has(w)) byWriter.set(w, new Set());
    byWriter.get(w)!.add(s);
  }
  // Every version up to the latest is readable.
  for (const v of ds.versions()) expect(Dataset.openSync(dir, { version: v.version }).version).toBe(v.version);
  ds.closeSync();
  return byWriter;
}

describe('Dataset crash safety (child processes)', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('crash');
  });
  afterAll(() => removeDir(root));

  it('keeps the last committed version readable when the writer (sync or async) is SIGKILLed at random points', async () => {
    const rnd = seededRandom(5);
    for (let round = 0; round < 4; round++) {
      const dir = path.join(root, `kill-${round}`);
      const w = runWriter(dir, 1, 100_000, 0, round % 2 === 0 ? 'sync' : 'async');
      await new Promise<void>((resolve) => {
        const check = (): void => (w.out().includes('won 3\n') ? resolve() : void setTimeout(check, 5));
        check();
      });
      await new Promise((r) => setTimeout(r, rnd() * 300));
      w.child.kill('SIGKILL');
      await w.done;
      const wins = w.out().split('\n').filter((l) => l.startsWith('won')).length;
      const byWriter = verifyConsistent(dir);
      const committed = byWriter.get(1)!;
      // Everything reported as committed is there; at most one more (killed after publishing, before printing).
      expect(committed.size === wins || committed.size === wins + 1).toBe(true);
      for (let s = 1; s <= committed.size; s++) expect(committed.has(s)).toBe(true);
      // The dataset can be appended to after the crash.
      const after = Dataset.createSync(dir, [{ writer: 9, seq: 1, k: 0, text: 'w9-s1-k0' }], { mode: 'append' });
      expect(after.countRows()).toBe(Dataset.openSync(dir, { version: after.version - 1 }).countRows() + 1);
    }
  });

  it('lets only one of two racing writers (async against async, sync against async) commit each version; retries commit everything', async () => {
    const races: [number, WritePath, WritePath][] = [
      [0, 'async', 'async'],
      [1000, 'sync', 'async'],
    ];
    for (const [retries, howA, howB] of races) {
      const dir = path.join(root, `race-${retries}`);
      Dataset.createSync(dir, [{ writer: 0, seq: 1, k: 0, text: 'w0-s1-k0' }]);
      const a = runWriter(dir, 1, 12, retries, howA);
      const b = runWriter(dir, 2, 12, retries, howB);
      expect(await a.done).toBe(0);
      expect(await b.done).toBe(0);
      const wins = (o: string): Set<number> => new Set(o.split('\n').filter((l) => l.startsWith('won')).map((l) => +l.slice(4)));
      const byWriter = verifyConsistent(dir);
      expect(byWriter.get(1) ?? new Set()).toEqual(wins(a.out()));
      expect(byWriter.get(2) ?? new Set()).toEqual(wins(b.out()));
      const ds = Dataset.openSync(dir);
      expect(ds.version).toBe(1 + wins(a.out()).size + wins(b.out()).size);
      if (retries > 0) {
        expect(wins(a.out()).size + wins(b.out()).size).toBe(24);
      }
      // Losers removed their data files: every file in data/ belongs to a committed fragment.
      expect(fs.readdirSync(path.join(dir, 'data')).length).toBe(ds.numFragments);
    }
  });
});

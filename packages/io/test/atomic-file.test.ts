import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConflictError,
  NotFoundError,
  publishFile,
  publishFileSync,
  removeStaleTempFiles,
  syncDirectory,
  writeFileDurable,
  writeFileDurableSync,
} from '@vego/io';
import { makeTempDir, removeDir, seededRandom } from './fixtures/helpers';

const LOOP = path.join(__dirname, 'fixtures', 'publish-loop.cjs');

function checksum(bytes: Uint8Array): number {
  let h = 2166136261;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 16777619) >>> 0;
  return h;
}

/** Verifies one published file; returns its writer id. */
function verifyFile(file: string): number {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(bytes.byteLength).toBeGreaterThanOrEqual(12);
  expect(bytes.byteLength).toBe(12 + dv.getUint32(0, true));
  expect(checksum(bytes.subarray(12))).toBe(dv.getUint32(4, true));
  return dv.getUint32(8, true);
}

describe('publishFileSync', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('atomic');
  });
  afterAll(() => removeDir(dir));

  it('publishes a file and refuses a second publication of the same name with ConflictError', () => {
    const p = path.join(dir, 'one.bin');
    publishFileSync(p, new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(new Uint8Array([1, 2, 3]));
    expect(() => publishFileSync(p, new Uint8Array([9]))).toThrow(ConflictError);
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(new Uint8Array([1, 2, 3]));
    publishFileSync(p, new Uint8Array([4]), { overwrite: true });
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(new Uint8Array([4]));
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(() => writeFileDurableSync(p, new Uint8Array(1))).toThrow(ConflictError);
    expect(() => publishFileSync(path.join(dir, 'missing', 'x.bin'), new Uint8Array(1))).toThrow(NotFoundError);
  });

  it('publishFile, writeFileDurable and syncDirectory behave as their Sync forms; one of racing publications wins', async () => {
    const p = path.join(dir, 'async.bin');
    await publishFile(p, new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(new Uint8Array([1, 2, 3]));
    await expect(publishFile(p, new Uint8Array([9]))).rejects.toThrow(ConflictError);
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(new Uint8Array([1, 2, 3]));
    await publishFile(p, new Uint8Array([4]), { overwrite: true });
    expect(new Uint8Array(fs.readFileSync(p))).toEqual(new Uint8Array([4]));
    await expect(writeFileDurable(p, new Uint8Array(1))).rejects.toThrow(ConflictError);
    await expect(publishFile(path.join(dir, 'missing', 'x.bin'), new Uint8Array(1))).rejects.toThrow(NotFoundError);
    await expect(writeFileDurable(path.join(dir, 'missing', 'y.bin'), new Uint8Array(1))).rejects.toThrow(NotFoundError);
    await writeFileDurable(path.join(dir, 'durable.bin'), new Uint8Array([7, 8]));
    expect(Array.from(fs.readFileSync(path.join(dir, 'durable.bin')))).toEqual([7, 8]);
    await syncDirectory(dir);
    await expect(syncDirectory(path.join(dir, 'missing'))).rejects.toThrow(NotFoundError);
    // Racing publications of one name in one process: exactly one wins, no temporary file is left.
    const racers = await Promise.allSettled([1, 2, 3, 4].map((w) => publishFile(path.join(dir, 'raced.bin'), new Uint8Array([w]))));
    expect(racers.filter((r) => r.status === 'fulfilled').length).toBe(1);
    expect(racers.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError).length).toBe(3);
    const winner = racers.findIndex((r) => r.status === 'fulfilled') + 1;
    expect(Array.from(fs.readFileSync(path.join(dir, 'raced.bin')))).toEqual([winner]);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('removes only stale temporary files', () => {
    const d = path.join(dir, 'stale');
    fs.mkdirSync(d);
    fs.writeFileSync(path.join(d, '.a.manifest.1.ff.tmp'), 'x');
    fs.writeFileSync(path.join(d, 'keep.manifest'), 'x');
    expect(removeStaleTempFiles(d, 60_000)).toBe(0);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(path.join(d, '.a.manifest.1.ff.tmp'), old, old);
    expect(removeStaleTempFiles(d, 60_000)).toBe(1);
    expect(fs.readdirSync(d)).toEqual(['keep.manifest']);
  });

  it('leaves only complete files when the writer is SIGKILLed at random points', async () => {
    const rnd = seededRandom(11);
    for (let round = 0; round < 4; round++) {
      const d = path.join(dir, `kill-${round}`);
      fs.mkdirSync(d);
      const child = spawn(process.execPath, [LOOP, d, '1', '100000', '300000'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      // Wait for the first batch of publications, then a random extra delay, then kill.
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (out.includes('won 20')) resolve();
          else setTimeout(check, 5);
        };
        check();
      });
      await new Promise((r) => setTimeout(r, 5 + rnd() * 60));
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const names = fs.readdirSync(d);
      const published = names.filter((n) => n.endsWith('.bin')).map((n) => parseInt(n, 10)).sort((a, b) => a - b);
      expect(published.length).toBeGreaterThanOrEqual(20);
      published.forEach((n, i) => expect(n).toBe(i + 1)); // contiguous: 1..k
      for (const n of published) expect(verifyFile(path.join(d, `${n}.bin`))).toBe(1);
      // At most one temporary file of the interrupted publication remains.
      expect(names.filter((n) => n.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
    }
  });

  it('lets exactly one of two racing processes win each name', () => {
    const d = path.join(dir, 'race');
    fs.mkdirSync(d);
    const count = 150;
    const children = [1, 2].map((id) =>
      spawn(process.execPath, [LOOP, d, String(id), String(count), '3000'], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    return Promise.all(
      children.map(
        (c) =>
          new Promise<string>((resolve, reject) => {
            let out = '';
            c.stdout.on('data', (b: Buffer) => (out += b.toString()));
            c.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}`))));
          }),
      ),
    ).then(([a, b]) => {
      const wins = (s: string): Set<number> => new Set(s.split('\n').filter((l) => l.startsWith('won')).map((l) => +l.slice(4)));
      const w1 = wins(a!);
      const w2 = wins(b!);
      for (let n = 1; n <= count; n++) {
        expect(w1.has(n) !== w2.has(n)).toBe(true); // exactly one winner
        expect(verifyFile(path.join(d, `${n}.bin`))).toBe(w1.has(n) ? 1 : 2);
      }
      expect(fs.readdirSync(d).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
  });
});

describe('spawnSync sanity of the child script', () => {
  it('runs the TypeScript sources in a plain node child', () => {
    const d = makeTempDir('child');
    const r = spawnSync(process.execPath, [LOOP, d, '3', '2', '10'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('won 1\nwon 2\n');
    removeDir(d);
  });
});

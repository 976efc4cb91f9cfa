import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { AsyncFileSource, Dataset, FileSource } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

// A full collection on demand (jest runs without --expose-gc).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Descriptors of this process open on `file` (Linux: /proc/self/fd). */
function openCount(file: string): number {
  const real = fs.realpathSync(file);
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(path.join('/proc/self/fd', fd)) === real) n++;
    } catch {
      // closed between the listing and the readlink
    }
  }
  return n;
}

/** Collects garbage and lets finalisers run until `file` has no open descriptor (at most ~100 turns). */
async function settle(file: string): Promise<number> {
  for (let turn = 0; turn < 100 && openCount(file) > 0; turn++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return openCount(file);
}

// Open descriptors are counted through /proc/self/fd, which only Linux has (CI runs on Linux).
const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('sources dropped without close()', () => {
  let dir: string;
  let file: string;
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w.message);
  };
  beforeAll(() => {
    dir = makeTempDir('dropped');
    file = path.join(dir, 'f.bin');
    fs.writeFileSync(file, Buffer.alloc(4096, 7));
    process.on('warning', onWarning);
  });
  afterAll(() => {
    process.off('warning', onWarning);
    removeDir(dir);
  });

  it('a FileSource let go closes its descriptor once collected', async () => {
    (() => {
      const src = FileSource.openSync(file);
      expect(src.readSync(0, 4)[0]).toBe(7);
    })();
    expect(openCount(file)).toBe(1);
    expect(await settle(file)).toBe(0);
  });

  it('an AsyncFileSource let go closes its handle once collected, without the garbage-collector warning', async () => {
    await (async () => {
      const src = await AsyncFileSource.open(file);
      expect((await src.read(0, 4))[0]).toBe(7);
    })();
    expect(openCount(file)).toBe(1);
    expect(await settle(file)).toBe(0);
    // Let any warning be emitted (process 'warning' events come on a later turn).
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.filter((w) => /Closing file descriptor/.test(w))).toEqual([]);
  });

  it('a source closed explicitly is not closed again by its finaliser (a reused descriptor number stays open)', async () => {
    (() => {
      FileSource.openSync(file).close();
    })();
    // Most likely the same number as the closed source's descriptor: it must survive that source's collection.
    const other = path.join(dir, 'g.bin');
    fs.writeFileSync(other, 'x');
    const fd = fs.openSync(other, 'r');
    try {
      for (let turn = 0; turn < 10; turn++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(fs.fstatSync(fd).size).toBe(1);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a dataset read asynchronously and let go releases its data files', async () => {
    const ds = path.join(dir, 'ds.lance');
    Dataset.createSync(ds, [{ id: 1 }, { id: 2 }]).closeSync();
    const data = path.join(ds, 'data', fs.readdirSync(path.join(ds, 'data'))[0]!);
    await (async () => {
      let rows = 0;
      for await (const b of Dataset.openSync(ds).scan()) rows += b.numRows;
      expect(rows).toBe(2);
    })();
    (() => {
      expect(Dataset.openSync(ds).countRows()).toBe(2);
      expect([...Dataset.openSync(ds).scanSync()].length).toBe(1);
    })();
    expect(await settle(data)).toBe(0);
  });
});

/**
 * Regression test of issue 12 item 5: a 2 GiB page could not be read (`VEGO_IO … "length" is out of
 * range … Received -2`: Node truncates a read length to int32). Reads now go in calls of at most
 * 1 GiB, and a range longer than the largest buffer Node allocates is refused up front with
 * NotSupportedError. No test allocates gigabytes: the files are sparse (ftruncate) and the chunked
 * loop is exercised with a small call size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import { AsyncFileSource, CorruptDataError, FileSource, NotSupportedError } from '@vego/io';
import { MAX_READ_CALL_BYTES, readFullyAsync, readFullySync } from '../src/internal/positional-read';
import { MAX_READ_BYTES, checkRange } from '../src/internal/range-check';
import { makeTempDir, randomBytes, removeDir, sameBytes } from './fixtures/helpers';

describe('issue 12 item 5: reads of 2 GiB and more', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir('large-reads');
  });
  afterAll(() => removeDir(root));

  it('asks at most 1 GiB of one read call, below the int32 length Node keeps intact', () => {
    expect(MAX_READ_CALL_BYTES).toBe(2 ** 30);
    expect(MAX_READ_CALL_BYTES).toBeLessThan(2 ** 31 - 1);
    expect(MAX_READ_BYTES).toBe(bufferConstants.MAX_LENGTH);
  });

  it('fills a buffer in several calls when it is longer than the call size (sync and async)', async () => {
    const file = path.join(root, 'chunks.bin');
    const bytes = randomBytes(1000, 12);
    fs.writeFileSync(file, bytes);
    const fd = fs.openSync(file, 'r');
    try {
      const target = new Uint8Array(990);
      readFullySync(fd, target, 10, file, 7);
      expect(sameBytes(target, bytes.subarray(10))).toBe(true);
      expect(() => readFullySync(fd, new Uint8Array(20), 990, file, 7)).toThrow(CorruptDataError); // the file ends early
    } finally {
      fs.closeSync(fd);
    }
    const handle = await fs.promises.open(file, 'r');
    try {
      const target = new Uint8Array(995);
      await readFullyAsync(handle, target, 5, file, 13);
      expect(sameBytes(target, bytes.subarray(5))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('refuses a range longer than the largest buffer with NotSupportedError stating the limit, before allocating', () => {
    // Checked by every read of FileSource and AsyncFileSource before a buffer is allocated. (On Node 20
    // the limit is 4 GiB; on later versions it is far beyond any file a test can make, even sparse.)
    const e = (() => {
      try {
        checkRange(0, MAX_READ_BYTES + 8, MAX_READ_BYTES + 4096, '/x/page.lance');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(NotSupportedError);
    expect((e as Error).message).toContain(`the limit is ${MAX_READ_BYTES} bytes`);
    expect((e as Error).message).toContain("'/x/page.lance'");
    // Past the end is still the file's fault, whatever the length.
    expect(() => checkRange(8, MAX_READ_BYTES + 8, MAX_READ_BYTES + 8, '/x/page.lance')).toThrow(CorruptDataError);
    expect(() => checkRange(0, 2 ** 31 + 8, 2 ** 31 + 8, '/x/page.lance')).not.toThrow();
  });

  it('reads a sparse file of 4 GiB + 4 KiB across the 2^31 and 2^32 boundaries (sync and async)', async () => {
    const file = path.join(root, 'sparse.bin');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 2 ** 32 + 4096); // takes no disk space
    fs.writeFileSync(file, Uint8Array.of(1, 2, 3, 4), { flag: 'r+' }); // bytes 0..3
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Uint8Array.of(9, 8, 7, 6), 0, 4, 2 ** 32 - 2);
    fs.closeSync(fd);
    const src = FileSource.openSync(file);
    try {
      expect(src.byteLength).toBe(2 ** 32 + 4096);
      expect(Array.from(src.readSync(2 ** 31 - 2, 4))).toEqual([0, 0, 0, 0]);
      expect(Array.from(src.readSync(2 ** 32 - 3, 6))).toEqual([0, 9, 8, 7, 6, 0]);
      expect(() => src.readSync(2 ** 32, 8192)).toThrow(CorruptDataError);
    } finally {
      src.close();
    }
    const asrc = await AsyncFileSource.open(file);
    try {
      expect(Array.from(await asrc.read(2 ** 32 - 2, 4))).toEqual([9, 8, 7, 6]);
      expect(Array.from(await asrc.read(0, 4))).toEqual([1, 2, 3, 4]);
    } finally {
      await asrc.close();
    }
  });
});

/**
 * The ZSTD codec loads asynchronously, and nothing in a LanceDB table says up front whether a data page
 * needs it (LanceDB compresses a page with zstd when one of its values exceeds 32 KiB). So an async read
 * that meets such a page before `initZstd()` loads the codec and reads again; a blocking read throws the
 * typed ZstdNotInitializedError. This file never calls `initZstd()` itself (jest gives each test file
 * its own module registry, so the codec starts unloaded here).
 */
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Dataset, isZstdReady, ZstdNotInitializedError } from '@vego/io';
import { makeTempDir, removeDir } from './fixtures/helpers';

describe('zstd pages read without initZstd() first', () => {
  let dir: string;
  beforeAll(() => (dir = makeTempDir('vego-zstd-lazy-')));
  afterAll(() => removeDir(dir));

  it('an async scan loads the codec and reads; a blocking read before that throws ZstdNotInitializedError', async () => {
    const long = 'retrieval augmented '.repeat(2000); // 40,000 bytes: LanceDB compresses the page with zstd
    const db = await lancedb.connect(dir);
    await db.createTable('t', [
      { id: 1, s: long },
      { id: 2, s: 'short' },
      { id: 3, s: null },
    ]);
    const table = path.join(dir, 't.lance');
    expect(isZstdReady()).toBe(false);
    const sync = Dataset.openSync(table);
    expect(() => sync.toTableSync()).toThrow(ZstdNotInitializedError);
    sync.closeSync();
    const ds = await Dataset.open(table);
    const rows: unknown[] = [];
    for await (const batch of ds.scan()) for (let i = 0; i < batch.numRows; i++) rows.push(batch.column('s').get(i));
    expect(rows).toEqual([long, 'short', null]);
    expect(isZstdReady()).toBe(true);
    await ds.close();
  });
});

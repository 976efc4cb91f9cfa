/**
 * `HNSW.loadFromLance` of an index in a local folder reads with blocking calls, as
 * `loadFromLanceSync` does (`persistence/load.ts`'s `loadIndexFromLance`): no file is opened for
 * asynchronous reads, no read goes through libuv's thread pool, and the promise settles with the
 * same index, or rejects with the same typed error, as the blocking load. These tests load whole
 * saves, incremental saves (several fragments, deletion files) and codes-only SQ8 loads that way,
 * and damaged and truncated copies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, HNSW, NotFoundError, isVegoError } from '@vego/hnsw';
import { AsyncFileSource } from '@vego/io';
import { clustered } from './fixtures/data';
import { answerDifferences, graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('local-async-load');
});
afterAll(() => removeDir(root));

const DIM = 16;

/** Runs `load` while counting the files opened for asynchronous reads (@vego/io's `AsyncFileSource`); returns its result and the count. */
async function countingAsyncOpens<T>(load: () => Promise<T>): Promise<{ value: T; asyncOpens: number }> {
  const sourceOpen = jest.spyOn(AsyncFileSource, 'open');
  try {
    const value = await load();
    return { value, asyncOpens: sourceOpen.mock.calls.length };
  } finally {
    sourceOpen.mockRestore();
  }
}

/** Loads `dir` both ways; returns the error both threw (the same message), or null when both loaded. */
async function loadError(dir: string): Promise<Error | null> {
  let syncError: Error | null = null;
  try {
    HNSW.loadFromLanceSync(dir);
  } catch (e) {
    syncError = e as Error;
  }
  let asyncError: Error | null = null;
  const pending = HNSW.loadFromLance(dir); // a failure rejects: it never throws at the call
  try {
    await pending;
  } catch (e) {
    asyncError = e as Error;
  }
  expect(asyncError?.message).toBe(syncError?.message);
  expect(asyncError?.constructor).toBe(syncError?.constructor);
  if (syncError !== null && !isVegoError(syncError)) throw syncError;
  return syncError;
}

function onlyDataFile(dir: string, dataset: string): string {
  const dataDir = path.join(dir, dataset, 'data');
  const files = fs.readdirSync(dataDir);
  expect(files.length).toBe(1);
  return path.join(dataDir, files[0]!);
}

describe('loadFromLance of a local folder', () => {
  let index: HNSW;
  let whole: string;
  let incremental: string;
  const n = 600;
  beforeAll(() => {
    const data = clustered(n + 40, DIM, 8, 5);
    index = new HNSW({ dimension: DIM, M: 6, efConstruction: 32, seed: 11 });
    index.addBatch(data.subarray(0, n * DIM));
    whole = path.join(root, 'whole');
    index.saveToLanceSync(whole);
    // An incremental save: added rows in a second fragment, superseded rows deleted (deletion files).
    incremental = path.join(root, 'incremental');
    index.saveToLanceSync(incremental);
    index.addBatch(data.subarray(n * DIM));
    for (let id = 3; id < 60; id += 7) index.delete(id);
    index.update(5, data.subarray(0, DIM));
    index.saveToLanceSync(incremental);
  });

  it('reads no file asynchronously and gives the index the blocking load gives (whole save)', async () => {
    const { value: loaded, asyncOpens } = await countingAsyncOpens(() => HNSW.loadFromLance(whole));
    expect(asyncOpens).toBe(0);
    const blocking = HNSW.loadFromLanceSync(whole);
    expect(graphDifferences(blocking, loaded)).toEqual([]);
    const queries = [0, 77, n - 1].map((id) => blocking.get(id));
    expect(answerDifferences(blocking, loaded, queries, 5, 32)).toEqual([]);
  });

  it('reads no file asynchronously and gives the current index after an incremental save (fragments, deletion files)', async () => {
    expect(fs.readdirSync(path.join(incremental, 'nodes.lance', 'data')).length).toBeGreaterThan(1);
    const { value: loaded, asyncOpens } = await countingAsyncOpens(() => HNSW.loadFromLance(incremental));
    expect(asyncOpens).toBe(0);
    expect(graphDifferences(index, loaded)).toEqual([]);
    const queries = [0, 5, 77, n + 10].map((id) => index.get(id));
    expect(answerDifferences(index, loaded, queries, 5, 32)).toEqual([]);
    // The state it hands over is the one the next save builds on: a save right after writes no rows.
    const before = fs.readdirSync(path.join(incremental, 'nodes.lance', 'data')).length;
    await loaded.saveToLance(incremental);
    expect(fs.readdirSync(path.join(incremental, 'nodes.lance', 'data')).length).toBe(before);
  });

  it("reads no file asynchronously for a codes-only SQ8 load (vectors: 'disk')", async () => {
    const built = new HNSW({ dimension: DIM, M: 6, efConstruction: 32, seed: 2, quantization: 'sq8' });
    built.addBatch(clustered(300, DIM, 6, 9));
    const dir = path.join(root, 'sq8');
    built.saveToLanceSync(dir);
    const { value: disk, asyncOpens } = await countingAsyncOpens(() => HNSW.loadFromLance(dir, { vectors: 'disk' }));
    expect(asyncOpens).toBe(0);
    const queries = [1, 150, 299].map((id) => built.get(id));
    expect(answerDifferences(HNSW.loadFromLanceSync(dir, { vectors: 'disk' }), disk, queries, 5, 32)).toEqual([]);
    expect(Array.from(disk.get(150))).toEqual(Array.from(built.get(150)));
  });

  it('rejects with NotFoundError for a folder with no saved index', async () => {
    const error = await loadError(path.join(root, 'nothing-here'));
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('rejects with CorruptDataError, as the blocking load throws, for a truncated or damaged data file', async () => {
    for (const dataset of ['nodes.lance', 'connections.lance']) {
      const truncated = path.join(root, `truncated-${dataset}`);
      fs.cpSync(whole, truncated, { recursive: true });
      const file = onlyDataFile(truncated, dataset);
      fs.truncateSync(file, fs.statSync(file).size - 100);
      expect(await loadError(truncated)).toBeInstanceOf(CorruptDataError);
    }
    // One changed mantissa bit in a vector (stays finite): caught by its node checksum, asynchronously too.
    const damaged = path.join(root, 'damaged-vector');
    fs.cpSync(whole, damaged, { recursive: true });
    const file = onlyDataFile(damaged, 'nodes.lance');
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(Buffer.from(index.get(123).buffer));
    expect(at).toBeGreaterThan(0);
    bytes[at]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    const error = await loadError(damaged);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect(error!.message).toMatch(/nodes\.lance version 1 row 123 \(id 123\) checksum/);
  });
});

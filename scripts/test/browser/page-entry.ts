/**
 * Entry of the browser test bundle: runs `page-checks.ts` plus the checks that only make sense in a
 * browser build (which kernel the index uses, the Node-only APIs throwing NotSupportedError, no Node
 * globals) and publishes one async function for `page.evaluate`.
 */
import { HNSW, Dataset, FileSource, isVegoError, LanceFileReader } from '@vego/hnsw';
import { AsyncFileSource, publishFileSync, initZstd, isZstdReady, HttpStore, ObjectSource } from '@vego/io';
// The same module instance the index uses (same file in the bundle): says whether the WebAssembly
// SIMD kernel is in use or the TypeScript fallback.
import { simdModule } from '../../../packages/hnsw/dist/esm/internal/kernels.js';
import { runChecks, type PageResults } from './page-checks';
// The file itself, not the package index: that one also holds the .fvecs reader (node:fs).
import { seededRandom } from '../../../test-support/random';
import { Database } from '@vego/db';
import { answers, type SavedIndexAnswers } from './saved-index';

export interface BrowserResults extends PageResults {
  env: { crossOriginIsolated: boolean; sharedArrayBuffer: string; process: string; require: string; buffer: string };
  simd: boolean;
  /** Error code (or 'no error') of each Node-only call. */
  nodeOnly: Record<string, string>;
  /** `addBatch(…, { threads: 4 })` answered exactly like `threads: 1`. */
  threadsFallbackIdentical: boolean;
  /** An in-memory @vego/db collection: filtered search, where-count, update; Database.open refused. */
  db: { hits: string[]; count: number; updated: unknown; open: string };
  /** What `initZstd()` without a loader did in the page (a NotSupportedError naming the loader form). */
  zstdWithoutLoader: string;
  /** Whether zstd was ready before the page loaded it (must be false: nothing loads it eagerly). */
  zstdLoadedBefore: boolean;
  /** A Lance file read by range GETs from the page's origin (`/lance/rows.lance`) through HttpStore + ObjectSource. */
  httpRead: { numRows: number; ids: number[]; gets: number; bytesRead: number; fileBytes: number } | string;
  /** `HNSW.loadFromLance('http://…/index/saved')` of the index Node saved: its answers, or the failure. */
  savedIndex: SavedIndexAnswers | string;
  /** What loading an `s3://` URI did (refused: only http(s):// in a page). */
  loadS3: string;
}

/**
 * Loads the index the test saved with Node into the server's `/index/` folder, by URL, and answers
 * the shared queries; or says how it failed.
 */
async function loadSavedIndex(): Promise<SavedIndexAnswers | string> {
  try {
    const origin = (globalThis as unknown as { location: { origin: string } }).location.origin;
    return answers(await HNSW.loadFromLance(`${origin}/index/saved`));
  } catch (error) {
    return `failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** Reads rows 1000..1004 of the `id` column of the Lance file the test server serves, by ranges. */
async function checkHttpRead(): Promise<BrowserResults['httpRead']> {
  try {
    const origin = (globalThis as unknown as { location: { origin: string } }).location.origin;
    const store = HttpStore.open(`${origin}/lance`);
    const source = await ObjectSource.open(store, 'rows.lance');
    const reader = await LanceFileReader.open(source);
    const batch = await reader.read({ columns: ['id'], offset: 1000, limit: 5 });
    const ids: number[] = [];
    for (let i = 0; i < batch.numRows; i++) ids.push(batch.column('id').get(i) as number);
    const stats = store.stats();
    return { numRows: reader.numRows, ids, gets: stats.gets, bytesRead: stats.bytesRead, fileBytes: source.byteLength };
  } catch (error) {
    return `failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (error) {
    return isVegoError(error) ? `${error.code}: ${error.message}` : `not a VegoError: ${String(error)}`;
  }
}

function threadsFallback(): boolean {
  const next = seededRandom(99);
  const data = Array.from({ length: 500 }, () => Array.from({ length: 16 }, () => next()));
  const one = new HNSW({ dimension: 16, seed: 3 });
  one.addBatch(data);
  const four = new HNSW({ dimension: 16, seed: 3 });
  let progress = 0;
  four.addBatch(data, { threads: 4, onProgress: (done) => (progress = done) });
  if (progress !== 500) return false;
  for (let q = 0; q < 20; q++) {
    const a = one.search(data[q * 7]!, 5);
    const b = four.search(data[q * 7]!, 5);
    if (a.length !== b.length || a.some((r, i) => r.id !== b[i]!.id || r.distance !== b[i]!.distance)) return false;
  }
  return true;
}

async function dbChecks(): Promise<BrowserResults['db']> {
  const c = await Database.memory().createCollection('notes', { dimension: 3, distance: 'cosine', schema: { year: 'integer' } });
  await c.insertMany([
    { key: 'a', vector: [1, 0, 0], text: 'alpha', metadata: { kind: 'task', year: 2020, tags: ['x'] } },
    { key: 'b', vector: [0.9, 0.1, 0], metadata: { kind: 'note', year: 2021 } },
    { key: 'c', vector: [0, 1, 0], metadata: { kind: 'task', year: 2023, tags: ['x', 'y'] } },
  ]);
  const hits = (await c.search([1, 0, 0], 2, { filter: { kind: 'task' } })).map((h) => h.key);
  const count = await c.count("year >= 2021 AND tags IN ('y')");
  await c.update('b', { metadata: { kind: 'task' } });
  return { hits, count, updated: (await c.get('b'))!.metadata, open: await codeOf(() => Database.open('/data')) };
}

async function run(): Promise<BrowserResults> {
  const g = globalThis as Record<string, unknown>;
  const env = {
    crossOriginIsolated: g['crossOriginIsolated'] === true,
    sharedArrayBuffer: typeof g['SharedArrayBuffer'],
    process: typeof g['process'],
    require: typeof g['require'],
    buffer: typeof g['Buffer'],
  };
  // zstd-codec is never in a bundle unless the page asks for it: without a loader the default
  // (a bare-specifier import the bundler left alone) cannot load here and must say so.
  const zstdWithoutLoader = await codeOf(() => initZstd());
  const zstdLoadedBefore = isZstdReady();
  await initZstd(() => import('zstd-codec'));
  const results = await runChecks();
  const index = new HNSW({ dimension: 4 });
  index.add([1, 2, 3, 4]);
  const nodeOnly: Record<string, string> = {
    'HNSW.loadFromLance': await codeOf(() => HNSW.loadFromLance('/idx')),
    'HNSW.loadFromLanceSync': await codeOf(() => HNSW.loadFromLanceSync('/idx')),
    'index.saveToLance': await codeOf(() => index.saveToLance('/idx')),
    'index.saveToLanceSync': await codeOf(() => index.saveToLanceSync('/idx')),
    'Dataset.openSync': await codeOf(() => Dataset.openSync('/data.lance')),
    'FileSource.openSync': await codeOf(() => FileSource.openSync('/f.lance')),
    'AsyncFileSource.open': await codeOf(() => AsyncFileSource.open('/f.lance')),
    publishFileSync: await codeOf(() => publishFileSync('/f', new Uint8Array(1))),
  };
  return { ...results, env, zstdWithoutLoader, zstdLoadedBefore, simd: simdModule() !== null, nodeOnly, threadsFallbackIdentical: threadsFallback(), db: await dbChecks(), httpRead: await checkHttpRead(), savedIndex: await loadSavedIndex(), loadS3: await codeOf(() => HNSW.loadFromLance('s3://bucket/idx')) };
}

(globalThis as Record<string, unknown>)['vegoBrowserChecks'] = run;

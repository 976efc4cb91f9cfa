import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { ROOT, bundlePage, type PageBundle } from './browser/bundle';
import { runChecks, type PageResults } from './browser/page-checks';
import type { BrowserResults } from './browser/page-entry';
import { answers, editForSecondSave, firstBatch, SAVED_DIMENSION, type SavedIndexAnswers } from './browser/saved-index';

// The browser promise, checked in a real browser: the built packages are bundled by esbuild for
// `platform: 'browser'` (any Node built-in in our code fails the bundle), served from 127.0.0.1 and
// run in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), once in an
// ordinary page and once in a cross-origin-isolated one (COOP/COEP: SharedArrayBuffer available).
// The page's answers are compared with the same checks run here under Node. Run `pnpm build` first
// (`pnpm test` does). No Chromium → the test fails; `.ci/run` installs it.
const CHROMIUM = process.env['VEGO_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const NOT_SUPPORTED = 'VEGO_NOT_SUPPORTED';

interface BrowserField {
  browser: Record<string, string>;
}

function browserMap(pkg: 'io' | 'hnsw' | 'db'): [string, string][] {
  const json = JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as BrowserField;
  return Object.entries(json.browser ?? {});
}

describe('browser stand-ins (package.json `browser` fields)', () => {
  const cases = (['io', 'hnsw', 'db'] as const).flatMap((pkg) => browserMap(pkg).map(([from, to]) => [pkg, from, to] as const));

  it('maps the Node-only modules of @vego/io, @vego/hnsw and @vego/db', () => {
    const cjs = [
      'db:./dist/lance-store.js',
      'hnsw:./dist/internal/parallel-build.js',
      'hnsw:./dist/persistence/index.js',
      'hnsw:./dist/persistence/local-paths.js',
      'hnsw:./dist/internal/search-pool.js',
      'io:./dist/async-file-sink.js',
      'io:./dist/async-file-source.js',
      'io:./dist/atomic-file.js',
      'io:./dist/dataset.js',
      'io:./dist/file-sink.js',
      'io:./dist/file-source.js',
      'io:./dist/internal/local-fs.js',
      'io:./dist/internal/range-check.js',
    ];
    // The same list for the ES module build under dist/esm/.
    const esm = cjs.map((c) => c.replace(':./dist/', ':./dist/esm/'));
    expect(cases.map(([pkg, from]) => `${pkg}:${from}`).sort()).toEqual([...cjs, ...esm].sort());
    for (const [pkg, from, to] of cases) {
      expect(existsSync(join(ROOT, 'packages', pkg, from))).toBe(true);
      expect(existsSync(join(ROOT, 'packages', pkg, to))).toBe(true);
      if (from.startsWith('./dist/esm/')) expect(to.startsWith('./dist/esm/browser/')).toBe(true);
    }
  });

  // The ES module files come from the same sources; their export lists are compared through the
  // CommonJS pair (jest cannot require ES modules).
  it.each(cases.filter(([, from]) => !from.startsWith('./dist/esm/')))('@vego/%s %s: the stand-in exports every runtime name, constants equal', (pkg, from, to) => {
    const dir = join(ROOT, 'packages', pkg);
    expect(existsSync(join(dir, from))).toBe(true);
    expect(existsSync(join(dir, to))).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = require(join(dir, from)) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stub = require(join(dir, to)) as Record<string, unknown>;
    const names = Object.keys(real).filter((k) => k !== '__esModule');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      expect([name, typeof stub[name]]).toEqual([name, typeof real[name]]);
      if (typeof real[name] !== 'function') expect([name, stub[name]]).toEqual([name, real[name]]);
    }
  });
});

describe('plain esbuild browser bundles of the built packages (no plugins, no externals)', () => {
  // What a user gets from `esbuild app.js --bundle --platform=browser`: both module systems must take
  // the `browser` stand-ins, and nothing may pull in zstd-codec (whose glue requires fs/path/crypto).
  it.each([
    ['import', `import { HNSW, LanceFileReader } from '@vego/hnsw'; console.log(HNSW, LanceFileReader);`, 'dist/esm/'],
    ['require', `const { HNSW, LanceFileReader } = require('@vego/hnsw'); console.log(HNSW, LanceFileReader);`, 'dist/'],
  ])('%s', async (_kind, contents, dir) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const r = await esbuild.build({
      stdin: { contents, resolveDir: join(ROOT, 'benchmarks') },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((p) => /[\\/]zstd-codec[\\/]/.test(p))).toEqual([]);
    expect(inputs).toContain(`packages/hnsw/${dir}browser/persistence.js`);
    expect(inputs).toContain(`packages/io/${dir}browser/dataset.js`);
    expect(inputs).not.toContain(`packages/hnsw/${dir}persistence/index.js`);
    expect(inputs).not.toContain(`packages/io/${dir}dataset.js`);
    const other = dir === 'dist/' ? /^packages\/[a-z]+\/dist\/esm\// : /^packages\/[a-z]+\/dist\/(?!esm\/)/;
    expect(inputs.filter((p) => other.test(p))).toEqual([]);
  });
});

/** A Lance file of 5,000 rows, `id` = 3 × row, written by the built @vego/io (what the page reads over HTTP). */
function lanceFileBytes(): Uint8Array {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const io = require(join(ROOT, 'packages', 'io', 'dist', 'index.js')) as typeof import('@vego/io');
  const sink = new io.MemorySink();
  const batch = io.recordBatchFromRows(Array.from({ length: 5000 }, (_, i) => ({ id: i * 3, name: `row ${i}` })));
  const writer = new io.LanceFileWriter(sink, batch.schema);
  writer.write(batch);
  writer.finish();
  return sink.toBytes();
}

/**
 * Saves an index with the built @vego/hnsw under `<dir>/saved`, twice (the second save deletes
 * rows: deletion files), and loads it back under Node: what the page must answer too.
 */
async function saveIndex(dir: string): Promise<SavedIndexAnswers> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HNSW } = require(join(ROOT, 'packages', 'hnsw', 'dist', 'index.js')) as typeof import('@vego/hnsw');
  const index = new HNSW({ dimension: SAVED_DIMENSION, seed: 11 });
  index.addBatch(firstBatch());
  await index.saveToLance(join(dir, 'saved'));
  editForSecondSave(index);
  await index.saveToLance(join(dir, 'saved'));
  const loaded = await HNSW.loadFromLance(join(dir, 'saved'));
  const fromMemory = answers(index);
  const fromDisk = answers(loaded);
  expect(fromDisk).toEqual(fromMemory);
  return fromDisk;
}

/** The file under `root` that `urlPath` names, or null (outside it, or not a file). */
function staticFile(root: string, urlPath: string): string | null {
  const path = resolve(root, `.${decodeURIComponent(urlPath)}`);
  if (!path.startsWith(root + sep)) return null;
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

/** GET/HEAD of `bytes`, honouring `Range: bytes=a-b` with 206. */
function serveRange(method: string, range: string | undefined, bytes: Uint8Array, headers: Record<string, string>, res: import('node:http').ServerResponse): void {
  const m = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
  if (m === null) {
    res.writeHead(200, { ...headers, 'content-length': String(bytes.byteLength) });
    res.end(method === 'HEAD' ? undefined : bytes);
    return;
  }
  const start = Number(m[1]);
  const end = Math.min(Number(m[2]), bytes.byteLength - 1);
  res.writeHead(206, { ...headers, 'content-length': String(end - start + 1), 'content-range': `bytes ${start}-${end}/${bytes.byteLength}` });
  res.end(bytes.subarray(start, end + 1));
}

describe('browser bundle in headless Chromium (real browser, not a Node vm)', () => {
  let bundle: PageBundle;
  let server: Server;
  let origin: string;
  let browser: import('playwright-core').Browser | undefined;
  const pages: Record<'plain' | 'isolated', BrowserResults> = {} as Record<'plain' | 'isolated', BrowserResults>;
  const pageErrors: string[] = [];
  let node: PageResults;
  let lanceFile: Uint8Array;
  let savedDir: string;
  let nodeSaved: SavedIndexAnswers;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (\`apt-get install -y chromium\`, as .ci/run does) or set VEGO_CHROMIUM`);
    }
    bundle = await bundlePage();
    lanceFile = lanceFileBytes();
    savedDir = mkdtempSync(join(tmpdir(), 'vego-browser-index-'));
    nodeSaved = await saveIndex(savedDir);
    server = createServer((req, res) => {
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      if (req.url?.startsWith('/isolated/')) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
      }
      if (req.url?.endsWith('/page.js')) {
        res.writeHead(200, { ...headers, 'content-type': 'text/javascript' });
        res.end(bundle.code);
      } else if (req.url === '/plain/' || req.url === '/isolated/') {
        res.writeHead(200, { ...headers, 'content-type': 'text/html' });
        res.end('<!doctype html><meta charset="utf-8"><title>vego</title><script src="page.js"></script>');
      } else if (req.url?.endsWith('/lance/rows.lance')) {
        serveRange(req.method ?? 'GET', req.headers.range, lanceFile, headers, res);
      } else if (req.url?.startsWith('/index/')) {
        // A static folder: the index Node saved, read by the page with ranged GETs (404 for the
        // manifest names it probes that do not exist).
        const file = staticFile(savedDir, req.url.slice('/index'.length).split('?')[0]!);
        if (file === null) {
          res.writeHead(404, headers);
          res.end();
        } else serveRange(req.method ?? 'GET', req.headers.range, readFileSync(file), headers, res);
      } else if (req.url === '/favicon.ico') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    // playwright-core gives every launch a fresh, empty user-data-dir of its own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Plain HTTP has no listing: the load finds the latest manifest of each dataset by probing
      // names under _versions/, and Chromium logs each probe's 404. Those are expected; others are not.
      const probe = /\/index\/saved\/[a-z]+\.lance\/_versions\/[0-9]+\.manifest$/.test(message.location().url);
      if (message.type() === 'error' && !(probe && message.text().includes('status of 404'))) pageErrors.push(message.text());
    });
    for (const kind of ['plain', 'isolated'] as const) {
      await page.goto(`${origin}/${kind}/`);
      pages[kind] = await page.evaluate(() => (globalThis as unknown as { vegoBrowserChecks(): Promise<BrowserResults> }).vegoBrowserChecks());
    }
    node = await runChecks();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    if (savedDir !== undefined) rmSync(savedDir, { recursive: true, force: true });
  });

  it('bundles with the browser stand-ins and no Node built-in but zstd-codec’s Node-only branches', () => {
    const inputs = Object.keys(bundle.metafile.inputs);
    // `import` in the page resolves the ES module build (dist/esm/), never the CommonJS one.
    expect(inputs.some((p) => /^packages\/[a-z]+\/dist\/(?!esm\/)/.test(p))).toBe(false);
    for (const stub of ['packages/io/dist/esm/browser/dataset.js', 'packages/io/dist/esm/browser/file-source.js', 'packages/hnsw/dist/esm/browser/persistence.js', 'packages/hnsw/dist/esm/browser/parallel-build.js', 'packages/hnsw/dist/esm/browser/search-pool.js', 'packages/db/dist/esm/browser/lance-store.js', 'packages/io/dist/esm/browser/local-fs.js', 'packages/hnsw/dist/esm/browser/local-paths.js']) {
      expect(inputs).toContain(stub);
    }
    // Loading an index over HTTP(S) bundles the real load path (over the stand-ins above).
    expect(inputs).toContain('packages/hnsw/dist/esm/persistence/load.js');
    for (const real of ['packages/io/dist/esm/dataset.js', 'packages/io/dist/esm/file-source.js', 'packages/io/dist/esm/async-file-source.js', 'packages/hnsw/dist/esm/persistence/index.js', 'packages/hnsw/dist/esm/persistence/save.js', 'packages/hnsw/dist/esm/persistence/local-paths.js', 'packages/io/dist/esm/internal/local-fs.js', 'packages/hnsw/dist/esm/internal/parallel-build.js', 'packages/hnsw/dist/esm/internal/search-pool.js', 'packages/db/dist/esm/lance-store.js']) {
      expect(inputs).not.toContain(real);
    }
    expect(inputs.filter((p) => p.startsWith('node-only-branch:')).sort()).toEqual(['node-only-branch:crypto', 'node-only-branch:fs', 'node-only-branch:path']);
    expect(bundle.stubbedBuiltins.every((s) => s.startsWith('zstd-codec/lib/'))).toBe(true);
  });

  it('loads zstd-codec only when asked: initZstd() without a loader refuses in a page, with one it works', () => {
    for (const kind of ['plain', 'isolated'] as const) {
      expect(pages[kind].zstdLoadedBefore).toBe(false);
      expect(pages[kind].zstdWithoutLoader.startsWith(`${NOT_SUPPORTED}: `)).toBe(true);
      expect(pages[kind].zstdWithoutLoader).toContain("initZstd(() => import('zstd-codec'))");
    }
  });

  it('runs in pages without Node globals, with and without cross-origin isolation, without page errors', () => {
    expect(pageErrors).toEqual([]);
    for (const kind of ['plain', 'isolated'] as const) {
      const env = pages[kind].env;
      expect([kind, env.process, env.require, env.buffer]).toEqual([kind, 'undefined', 'undefined', 'undefined']);
    }
    expect(pages.plain.env.crossOriginIsolated).toBe(false);
    expect(pages.plain.env.sharedArrayBuffer).toBe('undefined');
    expect(pages.isolated.env.crossOriginIsolated).toBe(true);
    expect(pages.isolated.env.sharedArrayBuffer).toBe('function');
  });

  it.each(['plain', 'isolated'] as const)('HNSW (%s page): SIMD kernel, recall@10 ≥ 0.95 vs brute force, snapshot round trip, filter', (kind) => {
    const r = pages[kind];
    expect(r.simd).toBe(true);
    expect(r.hnsw.recall).toBeGreaterThanOrEqual(0.95);
    expect(r.hnsw.snapshotIdentical).toBe(true);
    expect(r.hnsw.filterOk).toBe(true);
    expect(r.threadsFallbackIdentical).toBe(true);
  });

  it('HNSW answers exactly as under Node (same seed: same ids, same float32 distances)', () => {
    expect(node.hnsw.recall).toBeGreaterThanOrEqual(0.95);
    expect(pages.plain.hnsw.recall).toBe(node.hnsw.recall);
    expect(pages.plain.hnsw.sample).toEqual(node.hnsw.sample);
    expect(pages.isolated.hnsw.sample).toEqual(node.hnsw.sample);
  });

  it('@vego/format: a Lance file written to a MemorySink reads back equal (sync, async, zstd), byte-identical to Node', () => {
    for (const kind of ['plain', 'isolated'] as const) {
      const l = pages[kind].lance;
      expect([kind, l.equal, l.numRows]).toEqual([kind, true, 600]);
      expect(l.byteLength).toBe(node.lance.byteLength);
      expect(l.zstdByteLength).toBe(node.lance.zstdByteLength);
      expect(l.head).toEqual(node.lance.head);
    }
    expect(node.lance.equal).toBe(true);
  });

  it('@vego/encoding: bit-packing, dictionaries, every array codec and zstd round trip', () => {
    for (const r of [pages.plain, pages.isolated, node]) {
      expect(r.encoding.bitPackingWidths).toBe(9);
      expect(r.encoding.bitPackingOk).toBe(true);
      expect(r.encoding.dictionaryOk).toBe(true);
      expect(r.encoding.zstdOk).toBe(true);
      expect(r.encoding.arrayCodecs).toEqual({ plain: true, bitpacked: true, rle: true, dictionary: true, bss: true, zstd: true, 'bss-zstd': true });
    }
  });

  it.each(['plain', 'isolated'] as const)('@vego/db in-memory collections work (%s page); Database.open refuses', (kind) => {
    const d = pages[kind].db;
    expect(d.hits).toEqual(['a', 'c']);
    expect(d.count).toBe(1);
    expect(d.updated).toEqual({ year: 2021, kind: 'task', tags: null });
    expect(d.open).toMatch(new RegExp(`^${NOT_SUPPORTED}: .*needs Node.*Database\\.memory\\(\\)`));
  });

  it('reads a Lance file over HTTP by range GETs (HttpStore + ObjectSource + LanceFileReader), only part of it', () => {
    for (const kind of ['plain', 'isolated'] as const) {
      const r = pages[kind].httpRead;
      expect(typeof r).toBe('object');
      if (typeof r === 'string') continue;
      expect([kind, r.numRows, r.ids]).toEqual([kind, 5000, [3000, 3003, 3006, 3009, 3012]]);
      expect(r.gets).toBeGreaterThan(0);
      expect(r.bytesRead).toBeLessThan(r.fileBytes); // the name column was never read
    }
  });

  it('HNSW.loadFromLance(http://…) loads the index Node saved (two saves, deletions) and answers exactly as Node', () => {
    expect(nodeSaved.size).toBe(1500 - Math.ceil(1500 / 7) + 300);
    for (const kind of ['plain', 'isolated'] as const) {
      expect([kind, pages[kind].savedIndex]).toEqual([kind, nodeSaved]);
      expect(pages[kind].loadS3).toMatch(new RegExp(`^${NOT_SUPPORTED}: .*needs Node`));
    }
  });

  it('Node-only APIs throw NotSupportedError naming the browser alternative', () => {
    const calls = pages.plain.nodeOnly;
    expect(Object.keys(calls).length).toBe(8);
    for (const [call, outcome] of Object.entries(calls)) {
      expect([call, outcome.startsWith(`${NOT_SUPPORTED}: `)]).toEqual([call, true]);
      expect([call, /needs Node .*toSnapshot\(\)/.test(outcome)]).toEqual([call, true]);
    }
  });
});

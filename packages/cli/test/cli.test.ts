import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { clusteredVectors, main, type CommandIo } from '@vego/cli';
import { vecsBytes } from '@vego/test-support';

function capture(): CommandIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  const errStream = new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    errStream,
    stdout: () => out,
    stderr: () => err,
  };
}

function writeFvecs(path: string, vectors: Float32Array, dimension: number): void {
  writeFileSync(path, vecsBytes(vectors, dimension));
}

function writeIvecs(path: string, rows: number[][]): void {
  writeFileSync(path, vecsBytes(Int32Array.from(rows.flat()), rows[0]!.length));
}

/** Exact k nearest ids (L2) of each query row: the ground truth a TEXMEX set ships as .ivecs. */
function exactIds(base: Float32Array, queries: Float32Array, dimension: number, k: number): number[][] {
  const out: number[][] = [];
  for (let q = 0; q < queries.length / dimension; q++) {
    const d: [number, number][] = [];
    for (let i = 0; i < base.length / dimension; i++) {
      let s = 0;
      for (let j = 0; j < dimension; j++) s += (base[i * dimension + j]! - queries[q * dimension + j]!) ** 2;
      d.push([s, i]);
    }
    d.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    out.push(d.slice(0, k).map(([, i]) => i));
  }
  return out;
}

describe('vego CLI', () => {
  let dir: string;
  const dimension = 16;
  let all: Float32Array;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vego-cli-'));
    all = clusteredVectors(1020, dimension, 3);
    writeFvecs(join(dir, 'base.fvecs'), all.subarray(0, 1000 * dimension), dimension);
    writeFvecs(join(dir, 'query.fvecs'), all.subarray(1000 * dimension), dimension);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints usage with exit 2 when no command is given and 0 for --help', async () => {
    const io = capture();
    expect(await main([], io)).toBe(2);
    expect(io.stdout()).toContain('vego build <input> --out <dir>');
    const help = capture();
    expect(await main(['build', '--help'], help)).toBe(0);
    expect(help.stdout()).toContain('--ef-construction');
  });

  it('builds, searches with recall, and inspects a saved index', async () => {
    const b = capture();
    expect(await main(['build', join(dir, 'base.fvecs'), '--out', join(dir, 'idx'), '--metric', 'cosine'], b)).toBe(0);
    expect(b.stdout()).toMatch(/built 1000 vectors in .* saved to /);
    expect(readdirSync(join(dir, 'idx')).sort()).toEqual(['connections.lance', 'metadata.lance', 'nodes.lance']);

    const s = capture();
    expect(await main(['search', join(dir, 'idx'), '--query', join(dir, 'query.fvecs'), '-k', '5', '--ef', '100', '--recall'], s)).toBe(0);
    const lines = s.stdout().trim().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toMatch(/^0: (\d+\([\d.e-]+\) ){4}\d+\([\d.e-]+\)$/);
    const recall = Number(/recall@5: ([\d.]+)/.exec(s.stdout())![1]);
    expect(recall).toBeGreaterThanOrEqual(0.95);

    const j = capture();
    expect(await main(['search', join(dir, 'idx'), '--vector', Array(dimension).fill('0.5').join(','), '-k', '3', '--json'], j)).toBe(0);
    const parsed = JSON.parse(j.stdout().trim());
    expect(parsed.ids).toHaveLength(3);
    expect(parsed.distances[0]).toBeLessThanOrEqual(parsed.distances[2]);

    const i = capture();
    expect(await main(['inspect', join(dir, 'idx')], i)).toBe(0);
    expect(i.stdout()).toContain('3 dataset(s)');
    expect(i.stdout()).toMatch(/dataset .*nodes\.lance\n {4}version {2}1 .*\n {4}rows {5}1000/);
    const dataDir = join(dir, 'idx', 'nodes.lance', 'data');
    const f = capture();
    expect(await main(['inspect', join(dataDir, readdirSync(dataDir)[0]!)], f)).toBe(0);
    expect(f.stdout()).toMatch(/format {3}Lance 2\.0/);
    expect(f.stdout()).toMatch(/vector: FixedSizeList<Float32>\[16\] not null\n {6}1 column\(s\), \d+ page\(s\)/);
  });

  it('builds a collection from JSON lines of documents, keeping id, text and every field, and search prints them', async () => {
    const lines = [
      { id: 'a', vector: [1, 0, 0], text: 'first note', kind: 'note', year: 2020, tags: ['x'] },
      { id: 7, vector: [0, 1, 0], text: 'a task', kind: 'task', year: 2023, tags: ['y'] },
      { id: 'c', vector: [0.9, 0.1, 0], kind: 'task', year: 2019, tags: [] },
    ];
    writeFileSync(join(dir, 'docs.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const b = capture();
    expect(await main(['build', join(dir, 'docs.jsonl'), '--out', join(dir, 'db')], b)).toBe(0);
    expect(b.stdout()).toMatch(/built collection 'documents' with 3 documents \(fields: kind:string, year:float, tags:tags\)/);
    const s = capture();
    expect(await main(['search', join(dir, 'db'), '--vector', '1,0,0', '-k', '2'], s)).toBe(0);
    expect(s.stdout()).toBe('0:\n  a (0.00000) first note {"kind":"note","year":2020,"tags":["x"]}\n  c (0.0200000) {"kind":"task","year":2019,"tags":[]}\n');
    const f = capture();
    expect(await main(['search', join(dir, 'db'), '--vector', '1,0,0', '-k', '5', '--filter', "kind = 'task' AND year > 2020", '--json'], f)).toBe(0);
    expect(JSON.parse(f.stdout())).toEqual({ query: 0, hits: [{ key: '7', distance: 2, score: 1 / 3, text: 'a task', metadata: { kind: 'task', year: 2023, tags: ['y'] } }] });
    const bad = capture();
    expect(await main(['search', join(dir, 'db'), '--vector', '1,0,0', '--filter', 'year >'], bad)).not.toBe(0);
    expect(bad.stderr()).toMatch(/at position 6/);
  });

  it('prints its version with --version, -V and version', async () => {
    const version = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
    for (const argv of [['--version'], ['-V'], ['version']]) {
      const io = capture();
      expect(await main(argv, io)).toBe(0);
      expect(io.stdout()).toBe(`${version}\n`);
    }
  });

  it('scores --recall against a ground-truth .ivecs (ids = positions in the build input)', async () => {
    const truth = exactIds(all.subarray(0, 1000 * dimension), all.subarray(1000 * dimension), dimension, 10);
    writeIvecs(join(dir, 'truth.ivecs'), truth);
    expect(await main(['build', join(dir, 'base.fvecs'), '--out', join(dir, 'idx-gt')], capture())).toBe(0);
    for (const argv of [['--recall', join(dir, 'truth.ivecs')], [`--recall=${join(dir, 'truth.ivecs')}`]]) {
      const s = capture();
      expect(await main(['search', join(dir, 'idx-gt'), '--query', join(dir, 'query.fvecs'), '-k', '10', '--ef', '200', ...argv], s)).toBe(0);
      const m = /recall@10: ([\d.]+) \(ground truth\)/.exec(s.stdout());
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThanOrEqual(0.95);
    }
    // Ground truth that is wrong on purpose scores 0: the ids really are compared.
    writeIvecs(join(dir, 'wrong.ivecs'), truth.map((row) => row.map((id) => (id + 500) % 1000)));
    const w = capture();
    expect(await main(['search', join(dir, 'idx-gt'), '--query', join(dir, 'query.fvecs'), '-k', '1', '--recall', join(dir, 'wrong.ivecs')], w)).toBe(0);
    expect(w.stdout()).toContain('recall@1: 0.0000 (ground truth)');
    const few = capture();
    expect(await main(['search', join(dir, 'idx-gt'), '--query', join(dir, 'query.fvecs'), '-k', '20', '--recall', join(dir, 'truth.ivecs')], few)).toBe(2);
    expect(few.stderr()).toMatch(/lists 10 neighbours per query, fewer than k = 20/);
  });

  it('builds from a .json array file (arrays or {"vector": [...]} objects)', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => Array.from(all.subarray(i * dimension, (i + 1) * dimension)));
    writeFileSync(join(dir, 'arrays.json'), JSON.stringify(rows, null, 2));
    writeFileSync(join(dir, 'objects.json'), JSON.stringify(rows.map((vector, i) => ({ id: `doc${i}`, vector }))));
    for (const file of ['arrays.json', 'objects.json']) {
      const io = capture();
      expect(await main(['build', join(dir, file), '--out', join(dir, `idx-${file}`)], io)).toBe(0);
      expect(io.stdout()).toMatch(/built 50 vectors/);
    }
  });

  it('refuses to build over an existing index unless --force', async () => {
    const out = join(dir, 'idx-force');
    expect(await main(['build', join(dir, 'base.fvecs'), '--out', out, '--limit', '100'], capture())).toBe(0);
    const again = capture();
    expect(await main(['build', join(dir, 'base.fvecs'), '--out', out, '--limit', '200'], again)).toBe(1);
    expect(again.stderr()).toMatch(/already exists .* pass `--force` to replace it \[VEGO_CONFLICT\]/);
    const forced = capture();
    expect(await main(['build', join(dir, 'base.fvecs'), '--out', out, '--limit', '200', '--force'], forced)).toBe(0);
    expect(forced.stdout()).toMatch(/built 200 vectors/);
  });

  it('bench takes --limit for the number of queries (--num-queries still works)', async () => {
    for (const name of ['--limit', '--num-queries']) {
      const io = capture();
      expect(await main(['bench', '--n', '300', '--dimension', '4', name, '7', '--ef', '16'], io)).toBe(0);
      expect(io.stdout()).toMatch(/^16\t/m);
    }
  });

  it('benchmarks generated data and reports recall per ef', async () => {
    const io = capture();
    expect(await main(['bench', '--n', '800', '--dimension', '8', '--num-queries', '20', '--ef', '8,64'], io)).toBe(0);
    const rows = io.stdout().trim().split('\n').slice(2);
    expect(rows.map((r) => r.split('\t')[0])).toEqual(['8', '64']);
    expect(Number(rows[1]!.split('\t')[1])).toBeGreaterThanOrEqual(0.99);
  });

  it('ends bad input with one line and a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [['frob'], 2, /unknown command 'frob'/],
      [['build', join(dir, 'missing.fvecs'), '--out', join(dir, 'x')], 1, /cannot read .*missing\.fvecs.*\[VEGO_IO\]/],
      [['build', join(dir, 'base.fvecs')], 2, /`--out` is required/],
      [['build', join(dir, 'base.fvecs'), '--out', join(dir, 'y'), '--metric', 'manhattan'], 2, /`--metric` must be/],
      [['search', join(dir, 'nothing-here'), '--vector', '1'], 1, /\[VEGO_NOT_FOUND\]/],
      [['search', join(dir, 'idx'), '--vector', '1,2'], 2, /has 2 components, the index has 16/],
      [['bench', '--k', 'ten'], 2, /`--k` must be an integer/],
      [['inspect', join(dir, 'base.fvecs')], 1, /\[VEGO_CORRUPT_DATA\]/],
      [['build', join(dir, 'base.fvecs'), '--out', join(dir, 'z'), 'extra'], 2, /unexpected argument 'extra': vego build takes <input>/],
      [['bench', 'stray'], 2, /unexpected argument 'stray': vego bench takes no positional arguments/],
      [['build', join(dir, 'a.csv'), '--out', join(dir, 'z')], 2, /vector files must be \.fvecs, \.npy, \.json .*\.jsonl/],
      [['build', join(dir, 'truth.ivecs'), '--out', join(dir, 'z')], 2, /is an \.ivecs file .*ground truth.*--recall/],
      [['search', join(dir, 'idx'), '--vector', Array(dimension).fill('0.5').join(','), '--recall=q.fvecs'], 2, /`--recall` takes a ground-truth \.ivecs file/],
    ];
    for (const [argv, code, message] of cases) {
      const io = capture();
      expect({ argv, code: await main(argv, io) }).toEqual({ argv, code });
      expect(io.stderr()).toMatch(message);
      expect(io.stderr().trim().split('\n')).toHaveLength(1);
    }
  });

  it('runs as a real executable', () => {
    const bin = join(__dirname, '..', 'dist', 'bin.js');
    const r = spawnSync(process.execPath, [bin, 'inspect', join(dir, 'nope')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vego inspect: .*nope.*\[VEGO_NOT_FOUND\]\n$/);
  });
});

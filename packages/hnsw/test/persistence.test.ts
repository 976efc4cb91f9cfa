import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import {
  CorruptDataError,
  Dataset,
  HNSW,
  InvalidArgumentError,
  LANCE_FORMAT_VERSION,
  LanceFileReader,
  METADATA_SCHEMA,
  NotFoundError,
  UnsupportedVersionError,
  loadHNSWFromLance,
  loadHNSWFromLanceSync,
} from '@vego/hnsw';
import { metadataChecksum } from '../src/persistence/metadata-row';
import { type Metric, bruteForce, clustered, seeded } from './fixtures/data';
import { answerDifferences, dataFiles, graphDifferences, makeTempDir, newBytes, removeDir } from './fixtures/persistence-helpers';

function rows(data: Float32Array, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < data.length / dim; i++) out.push(data.subarray(i * dim, (i + 1) * dim));
  return out;
}

let root: string;
beforeAll(() => {
  root = makeTempDir('persist');
});
afterAll(() => removeDir(root));

describe('saveToLance / loadFromLance round trips', () => {
  for (const metric of ['l2', 'cosine', 'innerProduct'] as const) {
    it(`answers every query exactly as the saved index (${metric}, with deletes and updates)`, async () => {
      const dim = 12;
      const data = clustered(420, dim, 6, 3);
      const queries = rows(clustered(30, dim, 6, 4), dim);
      const index = new HNSW({ dimension: dim, M: 6, efConstruction: 40, distance: metric, seed: 9 });
      index.addBatch(data.subarray(0, 300 * dim));
      const dir = path.join(root, `rt-${metric}`);
      const first = await index.saveToLance(dir);
      expect(first).toMatchObject({ nodesRewritten: true, connectionsRewritten: true, nodeRowsWritten: 300 });
      let loaded = await HNSW.loadFromLance(dir);
      expect(graphDifferences(index, loaded)).toEqual([]);
      expect(answerDifferences(index, loaded, queries, 10, 32)).toEqual([]);

      // Adds, deletes (some after the other's save) and updates, then an incremental save.
      const rnd = seeded(17);
      index.addBatch(data.subarray(300 * dim, 400 * dim));
      for (let k = 0; k < 25; k++) {
        const id = Math.floor(rnd() * index.numIds);
        if (index.has(id)) index.delete(id);
      }
      for (let k = 0; k < 10; k++) {
        const id = Math.floor(rnd() * index.numIds);
        if (index.has(id)) index.update(id, data.subarray((400 + k) * dim, (401 + k) * dim));
      }
      const second = index.saveToLanceSync(dir);
      expect(second.nodesRewritten).toBe(false);
      expect(second.nodeRowsWritten).toBeGreaterThanOrEqual(100);
      expect(second.nodeRowsWritten).toBeLessThan(400);
      loaded = loadHNSWFromLanceSync(dir);
      expect(loaded.size).toBe(index.size);
      expect(graphDifferences(index, loaded)).toEqual([]);
      expect(answerDifferences(index, loaded, queries, 10, 32)).toEqual([]);
      expect(answerDifferences(index, loaded, queries, 5, 5)).toEqual([]);
      // Exact results (k ≥ size) match brute force over the live vectors.
      const live = (id: number): boolean => index.has(id);
      const all = new Float32Array(index.numIds * dim);
      for (let i = 0; i < index.numIds; i++) if (index.has(i)) all.set(loaded.get(i), i * dim);
      const exact = loaded.search(queries[0]!, 1000).map((r) => r.id);
      expect(exact).toEqual(bruteForce(metric as Metric, all, dim, metric === 'cosine' ? normalised(queries[0]!) : queries[0]!, 1000, live).map((r) => r.id));

      // The loaded copy continues identically (same ids, same levels from the saved PRNG state).
      const extra = data.subarray(410 * dim, 420 * dim);
      expect(loaded.addBatch(extra)).toEqual(index.addBatch(extra));
      expect(graphDifferences(index, loaded)).toEqual([]);
      // A third save from the loaded copy builds on the second.
      const third = await loaded.saveToLance(dir);
      expect(third.nodeRowsWritten).toBe(10);
      expect(graphDifferences(index, await loadHNSWFromLance(dir))).toEqual([]);
    });
  }

  it('round-trips an empty index and a single vector', () => {
    const empty = new HNSW({ dimension: 3 });
    const dir = path.join(root, 'empty');
    empty.saveToLanceSync(dir);
    const back = HNSW.loadFromLanceSync(dir);
    expect(back.numIds).toBe(0);
    expect(back.search([1, 2, 3], 3)).toEqual([]);
    back.add([1, 2, 3]);
    back.saveToLanceSync(dir);
    const one = HNSW.loadFromLanceSync(dir);
    expect(one.search([1, 2, 3], 3)).toEqual([{ id: 0, distance: 0 }]);
  });

  it('rejects a bad directory or option with InvalidArgumentError', () => {
    const index = new HNSW({ dimension: 2 });
    expect(() => index.saveToLanceSync('')).toThrow(InvalidArgumentError);
    expect(() => index.saveToLanceSync(path.join(root, 'x'), { compactionThreshold: 2 })).toThrow(InvalidArgumentError);
    expect(() => HNSW.loadFromLanceSync(undefined as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('loading the vectors of a whole save', () => {
  it('reads the vector pages straight from the data file and checks them (NaN → CorruptDataError)', async () => {
    const dim = 16;
    const index = new HNSW({ dimension: dim, M: 4, efConstruction: 32 });
    const data = clustered(300, dim, 4, 5);
    index.addBatch(data);
    const dir = path.join(root, 'direct');
    index.saveToLanceSync(dir);
    // spyOn calls through; only the direct reads ask a file for its column metadata: the links
    // column of connections.lance (column 2) and the vector column of nodes.lance (column 1).
    const spy = jest.spyOn(LanceFileReader.prototype, 'columnMetadataSync');
    let back: HNSW;
    let columns: number[];
    try {
      back = HNSW.loadFromLanceSync(dir);
      columns = spy.mock.calls.map((call) => call[0]);
    } finally {
      spy.mockRestore();
    }
    expect(columns).toEqual([2, 1]);
    const queries = rows(data, dim).slice(0, 20);
    expect(answerDifferences(index, back, queries, 5, 32)).toEqual([]);
    expect(graphDifferences(index, back)).toEqual([]);
    // Overwrite component 2 of id 5 in the data file with a NaN.
    const dataDir = path.join(dir, 'nodes.lance', 'data');
    const file = path.join(dataDir, fs.readdirSync(dataDir)[0]!);
    const bytes = fs.readFileSync(file);
    const needle = Buffer.from(index.get(5).buffer);
    const at = bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    bytes.writeUInt32LE(0x7fc00000, at + 8);
    fs.writeFileSync(file, bytes);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/nodes.lance vector of id 5 component 2: expected a finite number, found NaN/);
    await expect(HNSW.loadFromLance(dir)).rejects.toThrow(CorruptDataError);
  });
});

describe('incremental saves', () => {
  it('writes only new and changed rows: the second save after 10 adds is much smaller', () => {
    const dim = 32;
    const data = clustered(2010, dim, 8, 5);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 40 });
    index.addBatch(data.subarray(0, 2000 * dim));
    const dir = path.join(root, 'incremental');
    index.saveToLanceSync(dir);
    const afterFirst = dataFiles(dir);
    const firstBytes = newBytes(new Map(), afterFirst);
    index.addBatch(data.subarray(2000 * dim));
    const result = index.saveToLanceSync(dir);
    const secondBytes = newBytes(afterFirst, dataFiles(dir));
    expect(result).toMatchObject({ nodeRowsWritten: 10, nodesRewritten: false, connectionsRewritten: false });
    expect(result.connectionRowsWritten).toBeLessThan(300);
    expect(secondBytes).toBeLessThan(firstBytes / 20);
    expect(Dataset.openSync(path.join(dir, 'nodes.lance')).countRows()).toBe(2010);
    // Nothing changed: no new nodes or connections version, only a metadata row.
    const same = index.saveToLanceSync(dir);
    expect(same).toMatchObject({ nodeRowsWritten: 0, connectionRowsWritten: 0, nodesVersion: result.nodesVersion, connectionsVersion: result.connectionsVersion });
    expect(same.metadataVersion).toBe(result.metadataVersion + 1);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });

  it('rewrites a dataset whole once the rows deleted as superseded pass the compaction threshold', () => {
    const dim = 8;
    const data = clustered(230, dim, 4, 6);
    const index = new HNSW({ dimension: dim, M: 4, efConstruction: 20 });
    index.addBatch(data.subarray(0, 100 * dim));
    const dir = path.join(root, 'compaction');
    index.saveToLanceSync(dir);
    // Each round updates 30 other ids (wrapping): the deleted rows pile up in the first fragments
    // (30, 60, 90 of 130, 160, 190 stored) until the fourth round would pass half.
    const rewrittenIn: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let k = 0; k < 30; k++) {
        const next = 100 + round * 30 + k;
        index.update((round * 30 + k) % 100, data.subarray(next * dim, (next + 1) * dim));
      }
      const r = index.saveToLanceSync(dir);
      const nodes = Dataset.openSync(path.join(dir, 'nodes.lance'), { version: r.nodesVersion });
      const stored = nodes.fragmentFiles().reduce((sum, f) => sum + f.physicalRows, 0);
      expect(nodes.countRows()).toBe(100);
      if (r.nodesRewritten) {
        rewrittenIn.push(round);
        expect(stored).toBe(100);
        expect(r.nodeRowsDeleted).toBe(0);
      } else {
        expect(r).toMatchObject({ nodeRowsWritten: 30, nodeRowsDeleted: 30 });
        expect((stored - 100) / stored).toBeLessThanOrEqual(0.5);
      }
      expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
    }
    expect(rewrittenIn).toEqual([3]);
    // threshold 0: any superseded row forces a rewrite; `full` rewrites everything.
    index.update(0, data.subarray(229 * dim));
    expect(index.saveToLanceSync(dir, { compactionThreshold: 0 }).nodesRewritten).toBe(true);
    expect(index.saveToLanceSync(dir, { full: true })).toMatchObject({ nodesRewritten: true, connectionsRewritten: true });
  });

  it('saves whole when the directory moved on since its last save (another writer)', () => {
    const dim = 4;
    const data = clustered(60, dim, 3, 8);
    const a = new HNSW({ dimension: dim, M: 4, efConstruction: 10 });
    a.addBatch(data.subarray(0, 50 * dim));
    const dir = path.join(root, 'two-writers');
    a.saveToLanceSync(dir);
    const b = HNSW.loadFromLanceSync(dir);
    b.addBatch(data.subarray(50 * dim, 55 * dim));
    b.saveToLanceSync(dir);
    a.add(data.subarray(55 * dim, 56 * dim));
    expect(a.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: true, connectionsRewritten: true });
    expect(graphDifferences(a, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // Saving to another directory is a full save too.
    expect(a.saveToLanceSync(path.join(root, 'two-writers-copy'))).toMatchObject({ nodesRewritten: true });
  });
});

function normalised(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  return v.map((x) => x / Math.sqrt(s));
}

describe('LanceDB opens a saved index', () => {
  it('as tables nodes, connections and metadata; its vector search agrees with ours', async () => {
    const dim = 16;
    const data = clustered(500, dim, 5, 12);
    const index = new HNSW({ dimension: dim, M: 8, efConstruction: 40 });
    index.addBatch(data);
    index.delete(7);
    const dir = path.join(root, 'lancedb');
    index.saveToLanceSync(dir);
    const db = await lancedb.connect(dir);
    expect((await db.tableNames()).sort()).toEqual(['connections', 'metadata', 'nodes']);
    const nodes = await db.openTable('nodes');
    expect(await nodes.countRows()).toBe(500);
    expect(await nodes.countRows('deleted')).toBe(1);
    const row = (await nodes.query().where('id = 42').toArray())[0];
    expect(Array.from(row.vector as ArrayLike<number>)).toEqual(Array.from(index.get(42)));
    expect(row.level).toBe(index.toSnapshot().levels[42]);
    const connections = await db.openTable('connections');
    const snap = index.toSnapshot();
    let lists = 0;
    for (let i = 0; i < 500; i++) lists += snap.levels[i]! + 1;
    expect(await connections.countRows()).toBe(lists);
    const meta = (await (await db.openTable('metadata')).query().toArray())[0];
    expect(meta).toMatchObject({ format_version: LANCE_FORMAT_VERSION, num_ids: 500, num_live: 499, dimension: 16, m: 8, distance: 'l2' });

    const queries = rows(clustered(5, dim, 5, 13), dim);
    for (const q of queries) {
      const theirs = await nodes.vectorSearch(Array.from(q)).distanceType('l2').where('NOT deleted').limit(10).toArray();
      const ours = index.search(q, 500); // k ≥ size: exact
      expect(theirs.map((r: { id: number }) => r.id)).toEqual(ours.slice(0, 10).map((r) => r.id));
      for (let i = 0; i < 10; i++) expect(theirs[i]._distance).toBeCloseTo(ours[i]!.distance, 3);
    }
  });
});

/** Appends a metadata row: the last committed row with `patch` applied. */
function appendMetadata(dir: string, patch: Record<string, unknown>): void {
  const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
  const batch = meta.toTableSync({ offset: meta.countRows() - 1, limit: 1 }).batches[0]!;
  const row: Record<string, unknown> = {};
  for (const f of METADATA_SCHEMA.fields) row[f.name] = batch.column(f.name).get(0);
  const patched = { ...row, ...patch };
  // A deliberate edit carries a matching checksum (unless the patch sets one), so that the check under test is reached.
  if (!('checksum' in patch)) patched.checksum = metadataChecksum(patched);
  Dataset.createSync(path.join(dir, 'metadata.lance'), [patched], { mode: 'append', schema: METADATA_SCHEMA });
}

/**
 * A `connections.lance` row of format version 3 for an index of M = 4: `links` is the count
 * (`count`, default the number of ids), the ids, then zeros to `1 + 2M` words.
 */
function linkRow(node: number, layer: number, ids: number[], count = ids.length): Record<string, unknown> {
  const links = [count, ...ids];
  while (links.length < 9) links.push(0);
  return { node, layer, links, checksum: 0n };
}

describe('loading damaged or foreign directories', () => {
  const dim = 6;
  let n = 0;
  const fresh = (name: string): string => {
    const index = new HNSW({ dimension: dim, M: 4, efConstruction: 16 });
    index.addBatch(clustered(80, dim, 3, 21));
    n = index.numIds;
    const dir = path.join(root, `bad-${name}`);
    index.saveToLanceSync(dir);
    return dir;
  };
  const lastRow = (dir: string): Record<string, number> => {
    const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
    const b = meta.toTableSync({ offset: meta.countRows() - 1, limit: 1 }).batches[0]!;
    return Object.fromEntries(METADATA_SCHEMA.fields.map((f) => [f.name, b.column(f.name).get(0)])) as Record<string, number>;
  };

  it('throws NotFoundError for a missing directory, metadata or dataset', () => {
    expect(() => HNSW.loadFromLanceSync(path.join(root, 'nothing-here'))).toThrow(NotFoundError);
    const dir = fresh('missing');
    fs.rmSync(path.join(dir, 'nodes.lance'), { recursive: true });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(NotFoundError);
    fs.rmSync(path.join(dir, 'metadata.lance'), { recursive: true });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/holds no saved index/);
  });

  it('throws NotFoundError when metadata names a version that does not exist', async () => {
    const dir = fresh('version');
    appendMetadata(dir, { connections_version: 99 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(NotFoundError);
    await expect(HNSW.loadFromLance(dir)).rejects.toThrow(/connections.lance version 99/);
  });

  it('throws CorruptDataError on node count mismatches', () => {
    const dir = fresh('count');
    appendMetadata(dir, { num_ids: n + 5 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    appendMetadata(dir, { num_ids: n - 1 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/num_live`: expected at most num_ids = 79, found 80/);
    appendMetadata(dir, { num_ids: n - 1, num_live: n - 1 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/id: expected an id below num_ids|entry_point`: expected a node id below 79/);
    appendMetadata(dir, { num_ids: n, num_live: n, nodes_rows: n + 1 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/expected 81 rows \(from metadata\), found 80/);
    appendMetadata(dir, { nodes_rows: n, num_live: n - 3 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
  });

  it('throws CorruptDataError for a link to an id out of range, an overfull list or a missing list', () => {
    const cases: [string, Record<string, unknown>[], RegExp][] = [
      ['range', [linkRow(3, 0, [1, 180])], /neighbour 1: expected an id below num_ids = 80, found 180/],
      ['overfull', [linkRow(3, 0, [0, 1, 2, 4, 5, 6, 7, 8], 9)], /at most 8 ids, found 9/],
      ['layer', [linkRow(3, 5, [])], /layer: expected 0 to the level/],
      ['node', [linkRow(-1, 0, [])], /node: expected an id below num_ids/],
    ];
    for (const [name, extra, message] of cases) {
      const dir = fresh(`links-${name}`);
      const conns = path.join(dir, 'connections.lance');
      const v = Dataset.createSync(conns, extra, { mode: 'append' }).version;
      appendMetadata(dir, { connections_version: v, connections_rows: lastRow(dir).connections_rows! + 1 });
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(message);
      expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    }
    // All but the last 5 lists.
    const dir = fresh('links-missing');
    const conns = path.join(dir, 'connections.lance');
    const keep = Dataset.openSync(conns).countRows() - 5;
    const table = Dataset.openSync(conns).toTableSync({ limit: keep });
    const v = Dataset.createSync(conns, table, { mode: 'overwrite' }).version;
    appendMetadata(dir, { connections_version: v, connections_rows: keep });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/expected all 100 link lists, found 95/);
  });

  it('throws CorruptDataError when the graph checks fail (a link to a node of too low a level)', () => {
    const dir = fresh('levels');
    const snap = HNSW.loadFromLanceSync(dir).toSnapshot();
    const top = snap.entryPoint;
    const low = Array.from(snap.levels).findIndex((l) => l === 0);
    const conns = path.join(dir, 'connections.lance');
    const v = Dataset.createSync(conns, [linkRow(top, 1, [low])], { mode: 'append' }).version;
    appendMetadata(dir, { connections_version: v, connections_rows: lastRow(dir).connections_rows! + 1 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(new RegExp(`neighbour 0: expected a node of level ≥ 1, found node ${low} of level 0`));
  });

  it('throws CorruptDataError for a non-finite vector, a bad entry point, max level or generator state', () => {
    const dir = fresh('values');
    const level3 = HNSW.loadFromLanceSync(dir).toSnapshot().levels[3]!;
    const nodesPath = path.join(dir, 'nodes.lance');
    const vector = [0, 1, 2, Number.NaN, 4, 5];
    const v = Dataset.createSync(nodesPath, [{ id: 3, vector, level: level3, deleted: false, checksum: 0n }], { mode: 'append' }).version;
    const good = lastRow(dir);
    appendMetadata(dir, { nodes_version: v, nodes_rows: good.nodes_rows! + 1 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(/nodes.lance vector of id 3 component 3: expected a finite number, found NaN/);
    const dir2 = fresh('entry');
    const row = lastRow(dir2);
    appendMetadata(dir2, { entry_point: n });
    expect(() => HNSW.loadFromLanceSync(dir2)).toThrow(/entry_point`: expected a node id below 80, found 80/);
    appendMetadata(dir2, { entry_point: row.entry_point!, max_level: row.max_level! + 1 });
    expect(() => HNSW.loadFromLanceSync(dir2)).toThrow(/max_level`: expected the entry point's level/);
    appendMetadata(dir2, { max_level: row.max_level!, rng_state: -1 });
    expect(() => HNSW.loadFromLanceSync(dir2)).toThrow(/rng_state`: expected an unsigned 32-bit integer, found -1/);
    appendMetadata(dir2, { rng_state: row.rng_state! });
    expect(HNSW.loadFromLanceSync(dir2).numIds).toBe(n);
  });

  it('throws CorruptDataError for a truncated data file and bad metadata values', () => {
    const dir = fresh('truncated');
    const data = path.join(dir, 'nodes.lance', 'data');
    const file = path.join(data, fs.readdirSync(data)[0]!);
    fs.truncateSync(file, fs.statSync(file).size - 100);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    const dir2 = fresh('config');
    appendMetadata(dir2, { config: '{"dimension": -1}' });
    expect(() => HNSW.loadFromLanceSync(dir2)).toThrow(/metadata `config` is invalid/);
    appendMetadata(dir2, { config: lastRowConfig(dir2), dimension: 7 });
    expect(() => HNSW.loadFromLanceSync(dir2)).toThrow(CorruptDataError);
  });

  it('throws UnsupportedVersionError for a newer format version', () => {
    const dir = fresh('newer');
    appendMetadata(dir, { format_version: LANCE_FORMAT_VERSION + 1 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(UnsupportedVersionError);
    appendMetadata(dir, { format_version: 0 });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
  });
});

function lastRowConfig(dir: string): string {
  const meta = Dataset.openSync(path.join(dir, 'metadata.lance'));
  const rows = meta.countRows();
  // The row before the broken one holds a good config.
  return meta.toTableSync({ offset: rows - 2, limit: 1 }).batches[0]!.column('config').get(0) as string;
}

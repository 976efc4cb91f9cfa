/**
 * Format version 3's link lists: one fixed-width `links` row (`fixed_size_list<int32>[1 + 2M]`) per
 * list, layer-0 rows written straight from the index's layer-0 memory and read straight back into
 * it; rows of higher layers padded with zeros. Round trips are checked word for word (the unused
 * words of a list included), damage in any stored word is CorruptDataError, and LanceDB reads the
 * column as we wrote it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { CorruptDataError, Dataset, HNSW, type HnswSnapshot, LANCE_FORMAT_VERSION, LanceFileReader, connectionsSchema } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import { computeChecksums } from '../src/persistence/checksums';
import { UPPER_CHUNK_BYTES } from '../src/persistence/load-links';

const DIM = 8;
const M = 6;
const WIDTH = 1 + 2 * M;
const N = 400;

let root: string;
let index: HNSW;
let saved: string;
beforeAll(() => {
  root = makeTempDir('links-v3');
  index = new HNSW({ dimension: DIM, M, efConstruction: 32, seed: 11 });
  index.addBatch(clustered(N, DIM, 5, 31));
  // Deletes repaired now: the lists that lose neighbours shrink, and keep old ids after their count.
  for (const id of [3, 50, 51, 200]) index.delete(id);
  index.compact();
  saved = path.join(root, 'saved');
  index.saveToLanceSync(saved);
});
afterAll(() => removeDir(root));

/** The words of node `i`'s list on `layer` as memory holds them: layer 0 its `1 + 2M` words, a higher layer its `1 + M`. */
function memoryRow(s: HnswSnapshot, i: number, layer: number): number[] {
  if (layer === 0) return Array.from(s.links0.subarray(i * WIDTH, (i + 1) * WIDTH));
  const base = s.upperOffsets[i]! + (layer - 1) * (1 + M);
  return Array.from(s.upperLinks.subarray(base, base + 1 + M));
}

/** Every list's full row, by node and layer, as strings (comparable across memory layouts). */
function allRows(s: HnswSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < s.numIds; i++) for (let l = 0; l <= s.levels[i]!; l++) out.set(`${i}/${l}`, memoryRow(s, i, l).join(','));
  return out;
}

/** The one data file of `dataset` in a whole save. */
function onlyDataFile(dir: string, dataset: string): string {
  const data = path.join(dir, dataset, 'data');
  const files = fs.readdirSync(data);
  expect(files).toHaveLength(1);
  return path.join(data, files[0]!);
}

/** A copy of the saved index in which `edit` changed the connections data file's bytes. */
function damaged(name: string, edit: (bytes: Buffer) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(saved, dir, { recursive: true });
  const file = onlyDataFile(dir, 'connections.lance');
  const bytes = fs.readFileSync(file);
  edit(bytes);
  fs.writeFileSync(file, bytes);
  return dir;
}

/** Byte position of the row `row` (its words) in the connections data file, where its bytes occur once. */
function rowAt(bytes: Buffer, row: number[]): number {
  const needle = Buffer.from(Int32Array.from(row).buffer);
  const at = bytes.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  expect(bytes.indexOf(needle, at + 1)).toBe(-1);
  return at;
}

describe('format version 3 link rows', () => {
  it('writes every list as one fixed-width row, row k = list k, layer-0 rows word for word as memory holds them', () => {
    expect(LANCE_FORMAT_VERSION).toBe(3);
    const snap = index.toSnapshot();
    // The test means something only if some list holds old ids after its count.
    let stale = 0;
    for (let i = 0; i < N; i++) {
      const row = memoryRow(snap, i, 0);
      if (row.slice(1 + row[0]!).some((w) => w !== 0)) stale++;
    }
    expect(stale).toBeGreaterThan(0);
    const ds = Dataset.openSync(path.join(saved, 'connections.lance'));
    expect(ds.schema.field('links')!.type.equals(connectionsSchema(M).fields[2]!.type)).toBe(true);
    const table = ds.toTableSync();
    let k = 0;
    const expected: [number, number, number[]][] = [];
    for (let i = 0; i < N; i++) expected.push([i, 0, memoryRow(snap, i, 0)]);
    for (let i = 0; i < N; i++) for (let l = 1; l <= snap.levels[i]!; l++) expected.push([i, l, [...memoryRow(snap, i, l), ...new Array<number>(M).fill(0)]]);
    expect(expected.length).toBeGreaterThan(N);
    for (const batch of table.batches) {
      for (let r = 0; r < batch.numRows; r++, k++) {
        const [node, layer, words] = expected[k]!;
        expect([batch.column('node').get(r), batch.column('layer').get(r)]).toEqual([node, layer]);
        expect(Array.from(batch.column('links').get(r) as ArrayLike<number>)).toEqual(words);
      }
    }
    expect(k).toBe(expected.length);
  });

  it('loads a whole save by reading the layer-0 rows straight into the index memory, bit-exact (unused words too)', () => {
    const spy = jest.spyOn(LanceFileReader.prototype, 'readFixedSizeListRowsIntoSync');
    let back: HNSW;
    try {
      back = HNSW.loadFromLanceSync(saved);
      const direct = spy.mock.calls.filter((c) => c[0] === 'links');
      // Rows 0 … n−1 into the layer-0 memory, then the upper rows.
      expect(direct.map((c) => [c[1], c[2]])).toEqual([
        [0, N],
        [N, direct[1]![2]],
      ]);
      expect(spy.mock.results.every((r) => r.value === true)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(graphDifferences(index, back)).toEqual([]);
    const a = index.toSnapshot();
    const b = back.toSnapshot();
    expect(Buffer.from(b.links0.buffer, b.links0.byteOffset, b.links0.byteLength).equals(Buffer.from(a.links0.buffer, a.links0.byteOffset, a.links0.byteLength))).toBe(true);
    expect(allRows(b)).toEqual(allRows(a));
  });

  it('loads after incremental saves (rows in several fragments, the links column scanned), bit-exact, and the async load agrees', async () => {
    const dir = path.join(root, 'incremental');
    const copy = HNSW.loadFromLanceSync(saved);
    copy.saveToLanceSync(dir);
    copy.addBatch(clustered(30, DIM, 5, 32));
    copy.update(10, clustered(1, DIM, 5, 33));
    copy.delete(11);
    const result = copy.saveToLanceSync(dir);
    expect(result).toMatchObject({ nodesRewritten: false, connectionsRewritten: false });
    expect(result.connectionRowsWritten).toBeGreaterThan(30);
    expect(Dataset.openSync(path.join(dir, 'connections.lance')).fragmentFiles().length).toBe(2);
    for (const back of [HNSW.loadFromLanceSync(dir), await HNSW.loadFromLance(dir)]) {
      expect(graphDifferences(copy, back)).toEqual([]);
      expect(allRows(back.toSnapshot())).toEqual(allRows(copy.toSnapshot()));
    }
  });

  it('saves an index loaded from a version-3 directory incrementally, writing only the changed lists', () => {
    const dir = path.join(root, 'again');
    fs.cpSync(saved, dir, { recursive: true });
    const copy = HNSW.loadFromLanceSync(dir);
    const before = allRows(copy.toSnapshot());
    copy.addBatch(clustered(3, DIM, 5, 34));
    const after = allRows(copy.toSnapshot());
    let changed = 0;
    for (const [key, row] of after) if (before.get(key) !== row) changed++;
    const result = copy.saveToLanceSync(dir);
    expect(result).toMatchObject({ connectionsRewritten: false, connectionRowsWritten: changed, nodeRowsWritten: 3 });
    expect(allRows(HNSW.loadFromLanceSync(dir).toSnapshot())).toEqual(after);
  });
});

describe('format version 3 list checksums', () => {
  it('are the same whether every list is hashed at once or list by list (dirty marks on every node)', () => {
    const snap = index.toSnapshot();
    const all = computeChecksums(snap);
    expect(all.listHash).toBe(2);
    const marks = new Uint8Array(snap.numIds).fill(1);
    const byNode = computeChecksums(snap, { before: { ...all, lists: new Uint32Array(all.lists.length) }, vectorsChanged: null, listsChanged: marks });
    expect(Array.from(byNode.lists)).toEqual(Array.from(all.lists));
    // And they depend on every word of a row, unused ones included, and on the node and layer.
    const changed = { ...snap, links0: snap.links0.slice() };
    changed.links0[5 * WIDTH + WIDTH - 1]! ^= 1;
    const again = computeChecksums(changed);
    const differing: number[] = [];
    for (let k = 0; k < all.lists.length / 2; k++) if (again.lists[2 * k] !== all.lists[2 * k] || again.lists[2 * k + 1] !== all.lists[2 * k + 1]) differing.push(k);
    expect(differing).toEqual([5]);
    const seen = new Set<string>();
    for (let k = 0; k < all.lists.length / 2; k++) seen.add(`${all.lists[2 * k]}:${all.lists[2 * k + 1]}`);
    expect(seen.size).toBe(all.lists.length / 2);
  });
});

describe('damaged version-3 link rows', () => {
  it('a changed neighbour id (still a valid id of that level) in a row of a higher layer is CorruptDataError (checksum)', () => {
    const snap = index.toSnapshot();
    let node = 0;
    while (snap.levels[node] === 0 || snap.upperLinks[snap.upperOffsets[node]!]! < 1) node++;
    const row = memoryRow(snap, node, 1);
    let other = 0;
    while (other === node || snap.levels[other] === 0 || row.slice(1, 1 + row[0]!).includes(other)) other++;
    const dir = damaged('upper-id', (bytes) => bytes.writeInt32LE(other, rowAt(bytes, [...row, ...new Array<number>(M).fill(0)]) + 4));
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(new RegExp(`connections\\.lance version 1 row \\d+ \\(node ${node}, layer 1\\) checksum`));
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir, { verifyChecksums: false }))).toEqual([`node ${node} layer 1: [${row.slice(1, 1 + row[0]!).join(',')}] vs [${[other, ...row.slice(2, 1 + row[0]!)].join(',')}]`]);
  });

  it('a changed unused word of a layer-0 row is CorruptDataError (checksum), and loads when trusted', () => {
    const snap = index.toSnapshot();
    let node = 0;
    while (snap.links0[node * WIDTH]! >= 2 * M - 1 || snap.links0[node * WIDTH]! < 3) node++;
    const row = memoryRow(snap, node, 0);
    const dir = damaged('unused-word', (bytes) => {
      const at = rowAt(bytes, row);
      bytes.writeInt32LE(row[WIDTH - 1]! ^ 0x100, at + 4 * (WIDTH - 1));
    });
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(new RegExp(`connections\\.lance version 1 row ${node} \\(node ${node}, layer 0\\) checksum: expected 0x[0-9a-f]{16}, found 0x[0-9a-f]{16} computed from the row's links`));
    // The word is past the count: trusted, the lists are the same.
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir, { verifyChecksums: false }))).toEqual([]);
  });

  it('a count past 2M or an id out of range in a layer-0 row is CorruptDataError naming the row, checksums verified or not', () => {
    const snap = index.toSnapshot();
    const row = memoryRow(snap, 7, 0);
    const count = damaged('count', (bytes) => bytes.writeInt32LE(2 * M + 1, rowAt(bytes, row)));
    const id = damaged('id', (bytes) => bytes.writeInt32LE(N + 5, rowAt(bytes, row) + 4));
    for (const verifyChecksums of [true, false]) {
      expect(() => HNSW.loadFromLanceSync(count, { verifyChecksums })).toThrow(/connections\.lance row 7 links: expected a count of at most 12 ids, found 13/);
      expect(() => HNSW.loadFromLanceSync(id, { verifyChecksums })).toThrow(/connections\.lance row 7 neighbour 0: expected an id below num_ids = 400, found 405/);
    }
  });

  it('a non-zero padding word in a row of a higher layer is CorruptDataError, checksums verified or not', () => {
    const snap = index.toSnapshot();
    let node = 0;
    while (snap.levels[node] === 0 || snap.upperLinks[snap.upperOffsets[node]!]! < 2) node++;
    const padded = [...memoryRow(snap, node, 1), ...new Array<number>(M).fill(0)];
    const dir = damaged('padding', (bytes) => bytes.writeInt32LE(9, rowAt(bytes, padded) + 4 * (WIDTH - 1)));
    for (const verifyChecksums of [true, false]) {
      expect(() => HNSW.loadFromLanceSync(dir, { verifyChecksums })).toThrow(CorruptDataError);
      expect(() => HNSW.loadFromLanceSync(dir, { verifyChecksums })).toThrow(new RegExp(`\\(node ${node}, layer 1\\) links: expected zeros after word ${1 + M}, found a non-zero word`));
    }
  });

  it('a link to a node of too low a level in a row of a higher layer is CorruptDataError', () => {
    const snap = index.toSnapshot();
    let node = 0;
    while (snap.levels[node] === 0 || snap.upperLinks[snap.upperOffsets[node]!]! < 1) node++;
    const low = Array.from(snap.levels).findIndex((l) => l === 0);
    const padded = [...memoryRow(snap, node, 1), ...new Array<number>(M).fill(0)];
    const dir = damaged('low-level', (bytes) => bytes.writeInt32LE(low, rowAt(bytes, padded) + 4));
    expect(() => HNSW.loadFromLanceSync(dir, { verifyChecksums: false })).toThrow(new RegExp(`neighbour 0: expected a node of level ≥ 1, found node ${low} of level 0`));
  });
});

describe('LanceDB reads version-3 link rows', () => {
  it('opens all three tables; the links column is fixed_size_list<int32>[1 + 2M] with our words', async () => {
    const db = await lancedb.connect(saved);
    expect((await db.tableNames()).sort()).toEqual(['connections', 'metadata', 'nodes']);
    const connections = await db.openTable('connections');
    const schema = await connections.schema();
    const links = schema.fields.find((f) => f.name === 'links')!;
    expect(String(links.type)).toMatch(/FixedSizeList\[13\]<Int32>/);
    const snap = index.toSnapshot();
    let lists = 0;
    for (let i = 0; i < N; i++) lists += snap.levels[i]! + 1;
    expect(await connections.countRows()).toBe(lists);
    for (const node of [0, 7, 123, N - 1]) {
      const rows = await connections.query().where(`node = ${node} AND layer = 0`).toArray();
      expect(rows).toHaveLength(1);
      expect(Array.from(rows[0].links as ArrayLike<number>)).toEqual(memoryRow(snap, node, 0));
    }
    let top = 0;
    while (snap.levels[top] === 0) top++;
    const upper = await connections.query().where(`node = ${top} AND layer = 1`).toArray();
    expect(Array.from(upper[0].links as ArrayLike<number>)).toEqual([...memoryRow(snap, top, 1), ...new Array<number>(M).fill(0)]);
    const meta = (await (await db.openTable('metadata')).query().toArray())[0];
    expect(meta.format_version).toBe(3);
    expect(await (await db.openTable('nodes')).countRows()).toBe(N);
  });
});

describe('format version 3 link rows of higher layers, read through one scratch array a chunk at a time', () => {
  // M = 2: about one upper list per node, so 5,000 nodes give more upper rows than two chunks hold.
  const M2 = 2;
  const W2 = 1 + 2 * M2;
  const N2 = 5000;
  const chunkRows = Math.floor(UPPER_CHUNK_BYTES / (4 * W2));
  let dir2: string;
  let big: HNSW;
  let upper: number;
  beforeAll(() => {
    big = new HNSW({ dimension: DIM, M: M2, efConstruction: 16, seed: 5 });
    big.addBatch(clustered(N2, DIM, 7, 13));
    dir2 = path.join(root, 'chunked-upper');
    big.saveToLanceSync(dir2);
    const s = big.toSnapshot();
    upper = 0;
    for (let i = 0; i < N2; i++) upper += s.levels[i]!;
  });

  /** Every list's words by node and layer (`1 + 2M2` at layer 0, `1 + M2` above). */
  function rows2(s: HnswSnapshot): Map<string, string> {
    const out = new Map<string, string>();
    for (let i = 0; i < s.numIds; i++) {
      out.set(`${i}/0`, Array.from(s.links0.subarray(i * W2, (i + 1) * W2)).join(','));
      for (let l = 1; l <= s.levels[i]!; l++) {
        const base = s.upperOffsets[i]! + (l - 1) * (1 + M2);
        out.set(`${i}/${l}`, Array.from(s.upperLinks.subarray(base, base + 1 + M2)).join(','));
      }
    }
    return out;
  }

  it('reads the upper rows in chunks of UPPER_CHUNK_BYTES (not all at once) and loads them exactly', () => {
    expect(upper).toBeGreaterThan(chunkRows);
    const spy = jest.spyOn(LanceFileReader.prototype, 'readFixedSizeListRowsIntoSync');
    let back: HNSW;
    try {
      back = HNSW.loadFromLanceSync(dir2);
      const calls = spy.mock.calls.filter((c) => c[0] === 'links').map((c) => [c[1], c[2], (c[3] as Int32Array).length]);
      const want: number[][] = [[0, N2, big.toSnapshot().links0.length]];
      for (let first = 0; first < upper; first += chunkRows) want.push([N2 + first, Math.min(chunkRows, upper - first), chunkRows * W2]);
      // Layer 0 into the index memory, then every chunk through the same chunkRows-row scratch array.
      expect(calls.slice(0, 1).map((c) => c.slice(0, 2))).toEqual([[0, N2]]);
      expect(calls.slice(1)).toEqual(want.slice(1));
      expect(new Set(spy.mock.calls.filter((c) => c[0] === 'links' && c[1] >= N2).map((c) => c[3])).size).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(graphDifferences(big, back)).toEqual([]);
    expect(rows2(back.toSnapshot())).toEqual(rows2(big.toSnapshot()));
  });

  it('a non-zero padding word in the last upper row (in the last chunk) is CorruptDataError naming its row, node and layer', () => {
    const s = big.toSnapshot();
    let node = N2 - 1;
    while (s.levels[node] === 0) node--;
    const layer = s.levels[node]!;
    const copy = path.join(root, 'chunked-upper-padding');
    fs.cpSync(dir2, copy, { recursive: true });
    const file = onlyDataFile(copy, 'connections.lance');
    const bytes = fs.readFileSync(file);
    // The last four upper rows as saved (list order: node, then layer; zero padding) find the last one's bytes.
    const saved: number[] = [];
    for (let i = 0; i < N2; i++) {
      for (let l = 1; l <= s.levels[i]!; l++) {
        const base = s.upperOffsets[i]! + (l - 1) * (1 + M2);
        saved.push(...s.upperLinks.subarray(base, base + 1 + M2), ...new Array<number>(M2).fill(0));
      }
    }
    expect(saved.length).toBe(upper * W2);
    const tail = Buffer.from(Int32Array.from(saved.slice(-4 * W2)).buffer);
    const at = bytes.indexOf(tail);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(bytes.indexOf(tail, at + 1)).toBe(-1);
    const row = N2 + upper - 1;
    bytes.writeInt32LE(9, at + 3 * W2 * 4 + 4 * (W2 - 1));
    fs.writeFileSync(file, bytes);
    for (const verifyChecksums of [true, false]) {
      expect(() => HNSW.loadFromLanceSync(copy, { verifyChecksums })).toThrow(CorruptDataError);
      expect(() => HNSW.loadFromLanceSync(copy, { verifyChecksums })).toThrow(new RegExp(`row ${row} \\(node ${node}, layer ${layer}\\) links: expected zeros after word ${1 + M2}, found a non-zero word`));
    }
  });
});

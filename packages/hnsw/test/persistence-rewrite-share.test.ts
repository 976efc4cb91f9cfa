/**
 * An incremental save to a local folder writes a dataset whole when so large a share of its rows
 * changed that appending them (and deleting the rows they supersede) would cost more than a
 * rewrite (save.ts: nodes past 15 % of the ids, link lists past 30 % of the lists, datasets of at
 * least 16 384 entries); smaller changes stay appends. Either way the directory loads back equal
 * and LanceDB reads one live row per id and per list.
 */
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { HNSW, type HnswSnapshot } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('rewrite-share');
});
afterAll(() => removeDir(root));

const DIM = 4;
const N = 17_000;

function numLists(s: HnswSnapshot): number {
  let lists = s.numIds;
  for (let i = 0; i < s.numIds; i++) lists += s.levels[i]!;
  return lists;
}

/** Link lists whose stored row (count, ids, padding) differs between two snapshots of the same ids. */
function changedLists(a: HnswSnapshot, b: HnswSnapshot): number {
  const M = a.config.M;
  const stride0 = 1 + 2 * M;
  const strideUp = 1 + M;
  let changed = 0;
  const differ = (x: Int32Array, y: Int32Array, from: number, fromY: number, width: number): boolean => {
    for (let j = 0; j < width; j++) if (x[from + j] !== y[fromY + j]) return true;
    return false;
  };
  for (let i = 0; i < a.numIds; i++) {
    if (differ(a.links0, b.links0, i * stride0, i * stride0, stride0)) changed++;
    for (let l = 1; l <= a.levels[i]!; l++) {
      if (differ(a.upperLinks, b.upperLinks, a.upperOffsets[i]! + (l - 1) * strideUp, b.upperOffsets[i]! + (l - 1) * strideUp, strideUp)) changed++;
    }
  }
  return changed;
}

/** LanceDB sees one row per id and one per list, as `index` has them. */
async function expectLanceDbSees(dir: string, index: HNSW): Promise<void> {
  const db = await lancedb.connect(dir);
  const nodes = await db.openTable('nodes');
  expect(await nodes.countRows()).toBe(index.numIds);
  expect(await nodes.countRows('deleted')).toBe(index.numIds - index.size);
  const ids = (await nodes.query().select(['id']).toArray()).map((r: { id: number }) => r.id);
  expect(new Set(ids).size).toBe(index.numIds);
  const connections = await db.openTable('connections');
  const lists = numLists(index.toSnapshot());
  expect(await connections.countRows()).toBe(lists);
  const keys = (await connections.query().select(['node', 'layer']).toArray()).map((r: { node: number; layer: number }) => r.node * 64 + r.layer);
  expect(new Set(keys).size).toBe(lists);
  const snap = index.toSnapshot();
  const stride0 = 1 + 2 * index.config.M;
  const sample = await connections.query().where('layer = 0 AND node % 997 = 0').select(['node', 'links']).toArray();
  expect(sample.length).toBe(Math.ceil(index.numIds / 997));
  for (const r of sample as { node: number; links: ArrayLike<number> }[]) {
    expect(Array.from(r.links)).toEqual(Array.from(snap.links0.subarray(r.node * stride0, (r.node + 1) * stride0)));
  }
}

describe('incremental saves rewrite a dataset whole when most of it would be appended', () => {
  it('rewrites the link lists once more than 30 % changed, the nodes once more than 15 % changed, and appends smaller changes', async () => {
    const pool = clustered(N + 4000, DIM, 8, 61);
    const index = new HNSW({ dimension: DIM, M: 4, efConstruction: 16, seed: 3 });
    index.addBatch(pool.subarray(0, N * DIM));
    const dir = path.join(root, 'index');
    index.saveToLanceSync(dir);
    const lists = numLists(index.toSnapshot());
    let next = N;
    const update = (count: number, stride: number, offset: number): void => {
      for (let k = 0; k < count; k++) index.update((k * stride + offset) % N, pool.subarray(next * DIM, ++next * DIM));
    };

    // A few updates: a few percent of the lists relinked, appended.
    let before = index.toSnapshot();
    update(100, 163, 5);
    let changed = changedLists(before, index.toSnapshot());
    expect(changed).toBeLessThan(0.3 * lists);
    let r = index.saveToLanceSync(dir);
    expect(r).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 100, nodeRowsDeleted: 100, connectionRowsWritten: changed, connectionRowsDeleted: changed });
    await expectLanceDbSees(dir, index);

    // Many updates (still under 15 % of the ids): more than 30 % of the lists relinked, written
    // whole; the node rows appended.
    before = index.toSnapshot();
    update(2000, 89, 11);
    changed = changedLists(before, index.toSnapshot());
    expect(changed).toBeGreaterThan(0.3 * lists);
    r = index.saveToLanceSync(dir);
    expect(r).toMatchObject({ nodesRewritten: false, nodeRowsWritten: 2000, nodeRowsDeleted: 2000 });
    expect(r).toMatchObject({ connectionsRewritten: true, connectionRowsWritten: lists, connectionRowsDeleted: 0 });
    await expectLanceDbSees(dir, index);
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);

    // Deletes (tombstones, no relinking) of more than 15 % of the ids: the nodes written whole.
    for (let id = 0; id < 3000; id++) index.delete(id * 5);
    r = index.saveToLanceSync(dir);
    expect(r).toMatchObject({ nodesRewritten: true, nodeRowsWritten: N, nodeRowsDeleted: 0, connectionRowsWritten: 0, connectionRowsDeleted: 0 });
    await expectLanceDbSees(dir, index);

    // And the next small change appends again, on top of the rewritten datasets.
    before = index.toSnapshot();
    update(10, 1015, 7); // ids ≡ 2 (mod 5): none deleted above
    changed = changedLists(before, index.toSnapshot());
    r = index.saveToLanceSync(dir);
    expect(r).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 10, connectionRowsWritten: changed, connectionRowsDeleted: changed });
    await expectLanceDbSees(dir, index);
    const loaded = HNSW.loadFromLanceSync(dir);
    expect(graphDifferences(index, loaded)).toEqual([]);
    expect(graphDifferences(index, await HNSW.loadFromLance(dir))).toEqual([]);
  });

  it('keeps appending below 16 384 entries, whatever share changed', () => {
    const pool = clustered(1200, DIM, 4, 62);
    const index = new HNSW({ dimension: DIM, M: 4, efConstruction: 16, seed: 5 });
    index.addBatch(pool.subarray(0, 1000 * DIM));
    const dir = path.join(root, 'small');
    index.saveToLanceSync(dir);
    for (let id = 0; id < 400; id++) index.update(id, pool.subarray((1000 + (id % 200)) * DIM, (1001 + (id % 200)) * DIM));
    const r = index.saveToLanceSync(dir);
    expect(r).toMatchObject({ nodesRewritten: false, connectionsRewritten: false, nodeRowsWritten: 400, nodeRowsDeleted: 400 });
    expect(graphDifferences(index, HNSW.loadFromLanceSync(dir))).toEqual([]);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { CorruptDataError, HNSW } from '../src';
import { clusteredBinary, refDistance } from './binary-support';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('binary-persist');
});
afterAll(() => removeDir(root));

function expectSameIndex(a: HNSW, b: HNSW, queries: readonly Uint8Array[]): void {
  expect(b.config).toEqual(a.config);
  expect(b.numIds).toBe(a.numIds);
  expect(b.size).toBe(a.size);
  for (let id = 0; id < a.numIds; id++) {
    expect(b.has(id)).toBe(a.has(id));
    if (a.has(id)) expect(b.getBinary(id)).toEqual(a.getBinary(id));
  }
  for (const q of queries) expect(b.search(q, 10, 64)).toEqual(a.search(q, 10, 64));
  // Vectors bit for bit, every link list, levels, tombstones, entry point and generator state.
  expect(graphDifferences(a, b)).toEqual([]);
}

describe.each([
  ['hamming', 200],
  ['jaccard', 256],
] as const)('saving a binary index (%s, %i bits)', (metric, bits) => {
  const data = clusteredBinary(600, bits, 8, 0.1, 0.35, 31);
  // Byte patterns that are NaNs and infinities as float32 must survive as they are.
  data[3] = Uint8Array.from({ length: bits / 8 }, (_, j) => [0x00, 0x00, 0xc0, 0x7f, 0x01, 0x00, 0x80, 0xff][j % 8]!);
  const queries = clusteredBinary(12, bits, 8, 0.12, 0.35, 32);

  it('round-trips bit for bit through a snapshot, a sync and an async save, and an incremental save', async () => {
    const index = new HNSW({ dimension: bits, distance: metric, M: 8, efConstruction: 64 });
    index.addBatch(data);
    for (let id = 5; id < 600; id += 9) index.delete(id);
    expectSameIndex(index, HNSW.fromSnapshot(index.toSnapshot()), queries);

    const dir = path.join(root, `${metric}-sync`);
    index.saveToLanceSync(dir);
    const loaded = HNSW.loadFromLanceSync(dir);
    expectSameIndex(index, loaded, queries);
    expect(loaded.getBinary(3)).toEqual(data[3]);

    // Change a few things and save again to the same directory (an incremental save), async.
    index.update(10, queries[0]!);
    index.delete(11);
    index.add(queries[1]!);
    await index.saveToLance(dir);
    const again = await HNSW.loadFromLance(dir);
    expectSameIndex(index, again, queries);
    expect(again.getBinary(10)).toEqual(queries[0]);
    expect(again.search(queries[0]!, 1)[0]).toEqual({ id: 10, distance: 0 });
    // A loaded index keeps growing like the original.
    const id = again.add(queries[2]!);
    expect(again.searchExact(queries[2]!, 1)[0]).toEqual({ id, distance: 0 });
  });

  it('LanceDB reads the nodes dataset: fixed_size_list<uint8> vectors equal to ours', async () => {
    const index = new HNSW({ dimension: bits, distance: metric, M: 8, efConstruction: 64 });
    index.addBatch(data);
    index.delete(7);
    const dir = path.join(root, `${metric}-lancedb`);
    index.saveToLanceSync(dir);
    const db = await lancedb.connect(dir);
    const nodes = await db.openTable('nodes');
    expect(await nodes.countRows()).toBe(600);
    expect(await nodes.countRows('deleted')).toBe(1);
    const field = (await nodes.schema()).fields.find((f: { name: string }) => f.name === 'vector')!;
    expect(String(field.type)).toBe(`FixedSizeList[${bits / 8}]<Uint8>`);
    const rows = await nodes.query().select(['id', 'vector']).toArray();
    expect(rows.length).toBe(600);
    for (const row of rows) expect(Uint8Array.from(row.vector as ArrayLike<number>)).toEqual(data[row.id as number]);
    const meta = (await (await db.openTable('metadata')).query().toArray())[0];
    expect(meta).toMatchObject({ dimension: bits, distance: metric });
    if (metric === 'hamming') {
      // LanceDB's own Hamming search over the same column agrees with our exact distances (its type
      // declarations list only l2 / cosine / dot; the engine takes 'hamming' on uint8 vectors).
      for (const q of queries.slice(0, 4)) {
        const theirs = await nodes.vectorSearch(Array.from(q)).distanceType('hamming' as 'l2').where('NOT deleted').limit(10).toArray();
        const ours = index.searchExact(q, 10);
        expect(theirs.map((r: { _distance: number }) => r._distance)).toEqual(ours.map((h) => h.distance));
        for (const r of theirs) expect(r._distance).toBe(refDistance('hamming', data[r.id as number]!, q));
      }
    }
  });

  it('a flipped bit in a stored vector is caught by the row checksum (any bit pattern is a valid vector)', async () => {
    const index = new HNSW({ dimension: bits, distance: metric, M: 8, efConstruction: 32 });
    index.addBatch(data.slice(0, 200));
    const saved = path.join(root, `${metric}-damage`);
    index.saveToLanceSync(saved);
    const dataDir = path.join(saved, 'nodes.lance', 'data');
    const file = path.join(dataDir, fs.readdirSync(dataDir)[0]!);
    const original = fs.readFileSync(file);
    for (const [id, byte, bit] of [[3, 0, 0], [77, bits / 8 - 1, 7], [150, 9, 4]] as const) {
      const at = original.indexOf(Buffer.from(index.getBinary(id)));
      expect(at).toBeGreaterThan(0);
      const bytes = Buffer.from(original);
      bytes[at + byte]! ^= 1 << bit;
      fs.writeFileSync(file, bytes);
      expect(() => HNSW.loadFromLanceSync(saved)).toThrow(CorruptDataError);
      await expect(HNSW.loadFromLance(saved)).rejects.toThrow(new RegExp(`nodes\\.lance version 1 row \\d+ \\(id ${id}\\) checksum`));
      // Told to trust the data, the load takes the changed bit as it is.
      const trusted = HNSW.loadFromLanceSync(saved, { verifyChecksums: false });
      const expected = index.getBinary(id);
      expected[byte]! ^= 1 << bit;
      expect(trusted.getBinary(id)).toEqual(expected);
    }
    fs.writeFileSync(file, original);
    expect(HNSW.loadFromLanceSync(saved).getBinary(77)).toEqual(index.getBinary(77));
  });

  it('a snapshot whose padding bits are set is corrupt, not silently different distances', () => {
    const index = new HNSW({ dimension: bits, distance: metric });
    index.addBatch(data.slice(0, 20));
    const snap = index.toSnapshot();
    const rowBytes = Math.ceil(bits / 32) * 4;
    if (rowBytes === bits / 8) return expect(snap.vectors.length).toBe(20 * (bits / 32));
    new Uint8Array(snap.vectors.buffer, snap.vectors.byteOffset)[rowBytes - 1] = 1;
    expect(() => HNSW.fromSnapshot(snap)).toThrow(CorruptDataError);
  });
});

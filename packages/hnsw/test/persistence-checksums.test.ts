import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, HNSW, InvalidArgumentError, isVegoError } from '@vego/hnsw';
import { clustered, seeded } from './fixtures/data';
import { graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';
import { computeChecksums, firstNodeMismatch, hashWords, nodeChecksum } from '../src/persistence/checksums';

// Regression (issue 12 item 6): single-byte changes in nodes.lance loaded without complaint with
// changed vectors (0.268 became 1076.262), although every node row stores a checksum.

let root: string;
beforeAll(() => {
  root = makeTempDir('checksums');
});
afterAll(() => removeDir(root));

const DIM = 8;

function onlyDataFile(dir: string, dataset: string): string {
  const dataDir = path.join(dir, dataset, 'data');
  const files = fs.readdirSync(dataDir);
  expect(files.length).toBe(1);
  return path.join(dataDir, files[0]!);
}

/** Loads `dir` both ways; returns the typed error both threw (they must agree), or null when both loaded. */
async function loadError(dir: string): Promise<Error | null> {
  let syncError: Error | null = null;
  try {
    HNSW.loadFromLanceSync(dir);
  } catch (e) {
    syncError = e as Error;
  }
  let asyncError: Error | null = null;
  try {
    await HNSW.loadFromLance(dir);
  } catch (e) {
    asyncError = e as Error;
  }
  expect(asyncError?.message).toBe(syncError?.message);
  if (syncError !== null && !isVegoError(syncError)) throw syncError;
  return syncError;
}

describe('checksums stored with node and link-list rows are verified on load', () => {
  const n = 120;
  let index: HNSW;
  let saved: string;
  beforeAll(() => {
    index = new HNSW({ dimension: DIM, M: 4, efConstruction: 24 });
    index.addBatch(clustered(n, DIM, 4, 21));
    saved = path.join(root, 'saved');
    index.saveToLanceSync(saved);
  });

  it('throws CorruptDataError for each of 25 single-byte changes in the vector values of nodes.lance', async () => {
    const random = seeded(1206);
    const file = onlyDataFile(saved, 'nodes.lance');
    const original = fs.readFileSync(file);
    const found: string[] = [];
    for (let round = 0; round < 25; round++) {
      const id = Math.floor(random() * n);
      const component = Math.floor(random() * DIM);
      const byte = Math.floor(random() * 4);
      const flip = 1 + Math.floor(random() * 255);
      const at = original.indexOf(Buffer.from(index.get(id).buffer));
      expect(at).toBeGreaterThan(0);
      const dir = path.join(root, `vector-${round}`);
      fs.cpSync(saved, dir, { recursive: true });
      const bytes = Buffer.from(original);
      bytes[at + 4 * component + byte]! ^= flip;
      fs.writeFileSync(onlyDataFile(dir, 'nodes.lance'), bytes);
      const error = await loadError(dir);
      expect(error).toBeInstanceOf(CorruptDataError);
      const changed = new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + 4 * DIM))[component]!;
      if (Number.isFinite(changed)) {
        expect(error!.message).toMatch(
          new RegExp(`nodes\\.lance version 1 row ${id} \\(id ${id}\\) checksum: expected 0x[0-9a-f]{16}, found 0x[0-9a-f]{16} computed from the row's vector`),
        );
        found.push('checksum');
      } else {
        expect(error!.message).toMatch(new RegExp(`vector of id ${id} component ${component}: expected a finite number`));
        found.push('finite');
      }
      removeDir(dir);
    }
    // Most single-byte changes leave a finite number: the checksum is what catches them.
    expect(found.filter((f) => f === 'checksum').length).toBeGreaterThan(15);
  });

  it('loads the changed vector only when told to trust the data (verifyChecksums: false)', () => {
    const file = onlyDataFile(saved, 'nodes.lance');
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(Buffer.from(index.get(7).buffer));
    const dir = path.join(root, 'trusted');
    fs.cpSync(saved, dir, { recursive: true });
    bytes[at + 1]! ^= 0x40; // low mantissa byte of component 0: stays finite
    fs.writeFileSync(onlyDataFile(dir, 'nodes.lance'), bytes);
    expect(() => HNSW.loadFromLanceSync(dir)).toThrow(CorruptDataError);
    const trusted = HNSW.loadFromLanceSync(dir, { verifyChecksums: false });
    expect(trusted.get(7)[0]).not.toBe(index.get(7)[0]);
    expect(Array.from(trusted.get(7).subarray(1))).toEqual(Array.from(index.get(7).subarray(1)));
  });

  it('throws CorruptDataError naming connections.lance when a neighbour id changes to another valid id', async () => {
    const snapshot = index.toSnapshot();
    const stride0 = 1 + 2 * index.config.M;
    // A layer-0 list of at least 3 neighbours: its 12+ bytes occur once in the data file.
    let node = 0;
    while (snapshot.links0[node * stride0]! < 3) node++;
    const count = snapshot.links0[node * stride0]!;
    const list = snapshot.links0.slice(node * stride0 + 1, node * stride0 + 1 + count);
    const file = onlyDataFile(saved, 'connections.lance');
    const bytes = fs.readFileSync(file);
    const needle = Buffer.from(list.buffer);
    const at = bytes.indexOf(needle);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(needle, at + 1)).toBe(-1);
    const dir = path.join(root, 'links');
    fs.cpSync(saved, dir, { recursive: true });
    let other = (list[0]! + 1) % n;
    while (other === node || Array.from(list).includes(other)) other = (other + 1) % n;
    bytes.writeInt32LE(other, at);
    fs.writeFileSync(onlyDataFile(dir, 'connections.lance'), bytes);
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect(error!.message).toMatch(new RegExp(`connections\\.lance version 1 row \\d+ \\(node ${node}, layer 0\\) checksum: expected 0x[0-9a-f]{16}, found 0x`));
    // Structurally valid: trusted, it loads, with the changed link.
    const trusted = HNSW.loadFromLanceSync(dir, { verifyChecksums: false });
    expect(graphDifferences(index, trusted).length).toBeGreaterThan(0);
  });

  it('verifies incremental saves too (rows out of id order, scanned vectors)', async () => {
    const dir = path.join(root, 'incremental');
    const copy = HNSW.loadFromLanceSync(saved);
    copy.saveToLanceSync(dir);
    copy.update(3, clustered(1, DIM, 4, 99));
    copy.addBatch(clustered(5, DIM, 4, 98));
    expect(copy.saveToLanceSync(dir)).toMatchObject({ nodesRewritten: false });
    expect(graphDifferences(copy, HNSW.loadFromLanceSync(dir))).toEqual([]);
    // The updated vector of id 3 sits in the second data file of nodes.lance.
    const dataDir = path.join(dir, 'nodes.lance', 'data');
    const needle = Buffer.from(copy.get(3).buffer);
    const hit = fs.readdirSync(dataDir).map((f) => path.join(dataDir, f)).find((f) => fs.readFileSync(f).indexOf(needle) > 0)!;
    const bytes = fs.readFileSync(hit);
    bytes[bytes.indexOf(needle) + 4]! ^= 0x01;
    fs.writeFileSync(hit, bytes);
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect(error!.message).toMatch(/nodes\.lance version \d+ row \d+ \(id 3\) checksum/);
  });

  it('refuses a non-boolean verifyChecksums', () => {
    expect(() => HNSW.loadFromLanceSync(saved, { verifyChecksums: 'no' as unknown as boolean })).toThrow(InvalidArgumentError);
  });
});

describe('node checksums of both format versions', () => {
  it('equal the one-at-a-time hash for every node (odd and even counts, with tombstones), and verify the same way', () => {
    for (const hash of [1, 2] as const) {
      for (const n of [1, 2, 7, 64, 4100]) {
        const dim = 5;
        const index = new HNSW({ dimension: dim, M: 4, efConstruction: 8, seed: n });
        index.addBatch(clustered(n, dim, 2, 300 + n));
        if (n > 2) index.delete(1);
        const snap = index.toSnapshot();
        const bits = new Int32Array(snap.vectors.buffer, snap.vectors.byteOffset, snap.vectors.length);
        // Version 1 (hashed two at a time when verifying) from hashWords; version 2 is what saves write.
        const sums = hash === 2 ? computeChecksums(snap).nodes : new Uint32Array(2 * n);
        const one = new Uint32Array(2);
        for (let i = 0; i < n; i++) {
          if (hash === 1) hashWords(bits, i * dim, dim, i, (snap.levels[i]! << 1) | snap.deleted[i]!, sums, i);
          nodeChecksum(hash, bits, i * dim, dim, i, (snap.levels[i]! << 1) | snap.deleted[i]!, one, 0);
          expect([sums[2 * i], sums[2 * i + 1]]).toEqual([one[0], one[1]]);
        }
        // Verification (index memory layout: slot 0 is the query, id i at slot i + 1).
        const memory = new Int32Array((n + 1) * dim);
        memory.set(bits, dim);
        const found = new Uint32Array(3);
        expect(firstNodeMismatch(hash, memory, dim, dim, snap.levels, snap.deleted, sums, n, found)).toBe(-1);
        // The other version's checksums do not verify.
        expect(firstNodeMismatch(hash === 1 ? 2 : 1, memory, dim, dim, snap.levels, snap.deleted, sums, n, found)).toBe(0);
        memory[(n + 1) * dim - 1] ^= 1; // last component of the last node
        expect(firstNodeMismatch(hash, memory, dim, dim, snap.levels, snap.deleted, sums, n, found)).toBe(n - 1);
        expect(found[2]).toBe(0);
        memory[(n + 1) * dim - 1] = 0x7fc00000; // NaN
        expect(firstNodeMismatch(hash, memory, dim, dim, snap.levels, snap.deleted, sums, n, found)).toBe(n - 1);
        expect(found[2]).toBe(1);
        if (n > 2) {
          // A changed tombstone or level alone is a mismatch.
          memory[(n + 1) * dim - 1] = bits[n * dim - 1]!;
          const deleted = snap.deleted.slice();
          deleted[0] ^= 1;
          expect(firstNodeMismatch(hash, memory, dim, dim, snap.levels, deleted, sums, n, found)).toBe(0);
          const levels = snap.levels.slice();
          levels[n - 1] += 1;
          expect(firstNodeMismatch(hash, memory, dim, dim, levels, snap.deleted, sums, n, found)).toBe(n - 1);
        }
      }
    }
  });
});

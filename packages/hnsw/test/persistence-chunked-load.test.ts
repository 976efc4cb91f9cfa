/**
 * The vectors of a whole save are read a chunk of rows at a time straight into the index memory
 * and each chunk is checked (node checksums, or finite components) right after its read
 * (`persistence/load-nodes.ts`'s `readVectorsDirect`). With 128 dimensions the rows are hashed
 * where they lie in the index's WebAssembly memory, `stride / 2` = 64 rows per call, with slot 0
 * (the query slot) as the scratch; with 32 dimensions they go through the row hash's own memory.
 * These tests load indexes of several chunks and damage rows at chunk and call edges.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptDataError, HNSW, isVegoError } from '@vego/hnsw';
import { clustered } from './fixtures/data';
import { answerDifferences, graphDifferences, makeTempDir, removeDir } from './fixtures/persistence-helpers';

let root: string;
beforeAll(() => {
  root = makeTempDir('chunked-load');
});
afterAll(() => removeDir(root));

function onlyDataFile(dir: string, dataset: string): string {
  const dataDir = path.join(dir, dataset, 'data');
  const files = fs.readdirSync(dataDir);
  expect(files.length).toBe(1);
  return path.join(dataDir, files[0]!);
}

/** Loads `dir` both ways; returns the typed error both threw (the same message), or null when both loaded. */
async function loadError(dir: string, verifyChecksums = true): Promise<Error | null> {
  let syncError: Error | null = null;
  try {
    HNSW.loadFromLanceSync(dir, { verifyChecksums });
  } catch (e) {
    syncError = e as Error;
  }
  let asyncError: Error | null = null;
  try {
    await HNSW.loadFromLance(dir, { verifyChecksums });
  } catch (e) {
    asyncError = e as Error;
  }
  expect(asyncError?.message).toBe(syncError?.message);
  if (syncError !== null && !isVegoError(syncError)) throw syncError;
  return syncError;
}

/** A copy of `saved` whose nodes.lance has `edit` applied to the bytes of id `id`'s vector. */
function damagedCopy(saved: string, index: HNSW, id: number, name: string, edit: (bytes: Buffer, at: number) => void): string {
  const bytes = fs.readFileSync(onlyDataFile(saved, 'nodes.lance'));
  const at = bytes.indexOf(Buffer.from(index.get(id).buffer));
  expect(at).toBeGreaterThan(0);
  const dir = path.join(root, name);
  fs.cpSync(saved, dir, { recursive: true });
  edit(bytes, at);
  fs.writeFileSync(onlyDataFile(dir, 'nodes.lance'), bytes);
  return dir;
}

/** The query slot (slot 0) of a loaded index's vector memory: the in-place hash's scratch, zero again after a load. */
function querySlot(index: HNSW, dim: number): number[] {
  const graph = (index as unknown as { graph: { vectors: Float32Array } }).graph;
  return Array.from(graph.vectors.subarray(0, dim));
}

describe.each([
  // 512 KiB chunks: 1024 rows of 128 floats (hashed in place, 64 rows per call), 4096 of 32 (copied through the row hash's page).
  { dim: 128, n: 2100, edges: [0, 63, 64, 1023, 1024, 2047, 2048, 2099] },
  { dim: 32, n: 8300, edges: [0, 4095, 4096, 8191, 8192, 8299] },
])('a whole save of $n × $dim read and checked chunk by chunk', ({ dim, n, edges }) => {
  let index: HNSW;
  let saved: string;
  beforeAll(() => {
    index = new HNSW({ dimension: dim, M: 4, efConstruction: 16, seed: 3 });
    index.addBatch(clustered(n, dim, 16, dim));
    saved = path.join(root, `saved-${dim}`);
    index.saveToLanceSync(saved);
  });

  it('loads every vector bit for bit, sync and async, with or without verifying, and leaves the query slot zero', async () => {
    const queries = [0, 17, n - 1].map((id) => index.get(id));
    for (const loaded of [HNSW.loadFromLanceSync(saved), await HNSW.loadFromLance(saved), HNSW.loadFromLanceSync(saved, { verifyChecksums: false })]) {
      expect(loaded.size).toBe(n);
      for (let id = 0; id < n; id++) {
        const a = loaded.get(id);
        const b = index.get(id);
        if (Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) !== 0) throw new Error(`vector of id ${id} differs`);
      }
      expect(querySlot(loaded, dim)).toEqual(new Array(dim).fill(0));
      expect(graphDifferences(index, loaded)).toEqual([]);
      expect(answerDifferences(index, loaded, queries, 5, 32)).toEqual([]);
    }
  });

  it.each(edges)('names id %i when one mantissa bit of its vector changed (checksum), sync and async alike', async (id) => {
    const dir = damagedCopy(saved, index, id, `flip-${dim}-${id}`, (bytes, at) => {
      bytes[at + 4 * (dim - 1)]! ^= 0x01; // lowest mantissa byte of the last component: stays finite
    });
    const error = await loadError(dir);
    expect(error).toBeInstanceOf(CorruptDataError);
    expect(error!.message).toMatch(new RegExp(`nodes\\.lance version 1 row ${id} \\(id ${id}\\) checksum: expected 0x[0-9a-f]{16}, found 0x[0-9a-f]{16}`));
    // Trusted, the changed vector loads as it is.
    const trusted = HNSW.loadFromLanceSync(dir, { verifyChecksums: false });
    expect(trusted.get(id)[dim - 1]).not.toBe(index.get(id)[dim - 1]);
    expect(querySlot(trusted, dim)).toEqual(new Array(dim).fill(0));
    removeDir(dir);
  });

  it('refuses a NaN in the last chunk with or without verifying, naming the id and component', async () => {
    const id = edges[edges.length - 2]!;
    const dir = damagedCopy(saved, index, id, `nan-${dim}`, (bytes, at) => {
      bytes.writeUInt32LE(0x7fc00000, at + 4 * 5);
    });
    for (const verify of [true, false]) {
      const error = await loadError(dir, verify);
      expect(error).toBeInstanceOf(CorruptDataError);
      expect(error!.message).toMatch(new RegExp(`vector of id ${id} component 5: expected a finite number`));
    }
    removeDir(dir);
  });
});

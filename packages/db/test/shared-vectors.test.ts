import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Database } from '@vego/db';
import type { Collection } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

// A collection holds its vectors once: under l2 and innerProduct in the index (which stores them as
// given); under cosine the index holds them normalised, so a persisted collection reads the given
// ones from its dataset and only an in-memory one keeps a copy. Every read of a vector must still
// give back exactly what was written.

const DIM = 16;
const N = 600;

/** Vectors with awkward floats in them: −0, subnormals, the largest and smallest normal magnitudes. */
function vectors(n: number, seed: number): Float32Array[] {
  const rnd = seededRandom(seed);
  const odd = [-0, 1.4e-45, -3.5e-44, 12345.678, 1.1754943508222875e-38, 0.1, -1 / 3];
  return Array.from({ length: n }, (_, i) =>
    Float32Array.from({ length: DIM }, (_v, j) => ((i + j) % 9 === 0 ? odd[(i * 7 + j) % odd.length]! : rnd() * 2 - 1)),
  );
}

/** Same bits (−0 differs from 0). */
function sameBits(a: Float32Array | undefined, b: Float32Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

async function expectVectors(c: Collection, want: Map<string, Float32Array>): Promise<void> {
  const keys = [...want.keys()];
  const docs = await c.getMany(keys, { select: ['vector'] });
  const wrong = keys.filter((k, i) => !sameBits(docs[i]?.vector, want.get(k)!));
  expect(wrong).toEqual([]);
}

function bruteForce(distance: 'l2' | 'innerProduct' | 'cosine', want: Map<string, Float32Array>, q: Float32Array, keep: (key: string) => boolean, k: number): string[] {
  const d = (v: Float32Array): number => {
    let s = 0;
    let vv = 0;
    let qq = 0;
    for (let j = 0; j < DIM; j++) {
      s += distance === 'l2' ? (v[j]! - q[j]!) ** 2 : v[j]! * q[j]!;
      vv += v[j]! * v[j]!;
      qq += q[j]! * q[j]!;
    }
    if (distance === 'cosine') return 1 - s / Math.sqrt(vv * qq);
    return distance === 'l2' ? s : 1 - s;
  };
  return [...want].filter(([key]) => keep(key)).map(([key, v]) => ({ key, d: d(v) })).sort((a, b) => a.d - b.d).slice(0, k).map((x) => x.key);
}

describe('vectors held once (l2, innerProduct: read from the index; cosine: from the dataset)', () => {
  let root: string;
  beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-shared-'))));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('holds one copy of the vectors, except an in-memory cosine collection (two)', async () => {
    const vs = vectors(N, 1);
    const bytes: Record<string, number> = {};
    for (const distance of ['l2', 'innerProduct', 'cosine'] as const) {
      for (const where of ['memory', 'folder'] as const) {
        const db = where === 'memory' ? Database.memory() : await Database.open(path.join(root, `bytes-${distance}`));
        const c = await db.createCollection('c', { dimension: DIM, distance });
        await c.insertMany(vs.map((vector, i) => ({ key: `k${i}`, vector })));
        bytes[`${distance} ${where}`] = c.byteLength;
        expect(c.documents.ownsVectors).toBe(distance === 'cosine' && where === 'memory');
        expect(c.documents.readsVectors).toBe(distance !== 'cosine' || where === 'memory');
        await c.close();
      }
    }
    // The in-memory cosine table's copy is at least N · DIM floats (in 4,096-row chunks); the others hold none.
    for (const one of ['l2 memory', 'l2 folder', 'innerProduct memory', 'innerProduct folder', 'cosine folder']) {
      expect(bytes['cosine memory']! - bytes[one]!).toBeGreaterThanOrEqual(N * DIM * 4);
    }
  });

  it.each(['l2', 'innerProduct', 'cosine'] as const)('%s: every read gives the vectors back bit for bit, through replacements, deletes, renumbering and reopening', async (distance) => {
    const dir = path.join(root, distance);
    let db = await Database.open(dir);
    let c = await db.createCollection('c', { dimension: DIM, distance, schema: { n: 'integer' }, indexSaveEvery: 200 });
    const want = new Map<string, Float32Array>();
    const first = vectors(N, 2);
    await c.insertMany(first.map((vector, i) => ({ key: `k${i}`, vector, metadata: { n: i } })));
    first.forEach((v, i) => want.set(`k${i}`, v));
    await expectVectors(c, want);

    // New vectors for some (relinked in place), the same vector with new metadata for others, and
    // a metadata-only update (which writes the stored vector again).
    const moved = vectors(100, 3);
    await c.upsertMany(moved.map((vector, i) => ({ key: `k${i * 3}`, vector, metadata: { n: -i } })));
    moved.forEach((v, i) => want.set(`k${i * 3}`, v));
    await c.upsertMany([1, 4, 7].map((i) => ({ key: `k${i}`, vector: want.get(`k${i}`)!, metadata: { n: 1000 + i } })));
    await c.update('k10', { metadata: { n: 5 } });
    await expectVectors(c, want);
    const hits = await c.search(want.get('k3')!, 5, { select: ['vector'] });
    expect(hits).toHaveLength(5);
    for (const h of hits) expect(sameBits(h.vector, want.get(h.key)!)).toBe(true);
    const lists = await c.searchMany([want.get('k5')!, want.get('k8')!], 3, { select: ['vector', 'n'] });
    for (const h of lists.flat()) expect(sameBits(h.vector, want.get(h.key)!)).toBe(true);
    const all = await c.query({ select: ['vector'] });
    expect(all).toHaveLength(N);
    for (const doc of all) expect(sameBits(doc.vector, want.get(doc.key)!)).toBe(true);
    expect((await c.query({ limit: 1 }))[0]!.vector).toBeUndefined();

    // Exact filtered scans (few matches) read the index's vectors: the true top 10.
    const q = vectors(1, 4)[0]!;
    const got = await c.search(q, 10, { filter: { n: { $lt: 40, $gte: 0 } } });
    const n = (key: string): number => {
      const i = Number(key.slice(1));
      if (i % 3 === 0 && i < 300) return -i / 3;
      if ([1, 4, 7].includes(i)) return 1000 + i;
      return i === 10 ? 5 : i;
    };
    const keep = (key: string): boolean => n(key) >= 0 && n(key) < 40;
    expect((await c.getMany([...want.keys()])).every((d) => d!.metadata.n === n(d!.key))).toBe(true);
    expect(got.map((h) => h.key)).toEqual(bruteForce(distance, want, q, keep, 10));

    // A new metadata field rewrites the dataset (vectors read back from where the collection holds them).
    await c.upsert({ key: 'k2', vector: want.get('k2')!, metadata: { tag: 'new field' } });
    expect(c.schema).toHaveProperty('tag');
    await expectVectors(c, want);
    // The same direction, another length: under cosine the index is untouched (same normalised
    // vector) and the dataset holds the new vector as given.
    const longer = want.get('k5')!.map((x) => x * 2);
    await c.upsert({ key: 'k5', vector: longer, metadata: { n: 5 } });
    want.set('k5', longer);
    await expectVectors(c, want);

    // A read while a write is under way: one that reads vectors from the dataset runs after the
    // write (the rows it reads are then where the write left them); one answered from memory
    // answers at once, before the write.
    const next = vectors(1, 9)[0]!;
    const before = want.get('k11')!;
    const writing = c.upsert({ key: 'k11', vector: next, metadata: { n: 11 } });
    const reading = c.get('k11', { select: ['vector'] });
    await writing;
    expect(sameBits((await reading)!.vector, distance === 'cosine' ? next : before)).toBe(true);
    want.set('k11', next);

    // Reopen (the index saved earlier than the last writes: reconciled, then shared again).
    await c.close();
    db = await Database.open(dir);
    c = await db.openCollection('c');
    expect(c.documents.ownsVectors).toBe(false);
    await expectVectors(c, want);

    // Delete most documents, then renumber the ids (a rewrite of the dataset from the new index's vectors).
    const gone = [...want.keys()].filter((_k, i) => i % 5 !== 0);
    await c.delete(gone);
    for (const k of gone) want.delete(k);
    const r = await c.optimize({ cleanupOlderThanMs: 0 });
    expect(r.docIdsRenumbered).toBe(true);
    expect(c.documents.ownsVectors).toBe(false);
    await expectVectors(c, want);
    await c.close();
    db = await Database.open(dir);
    c = await db.openCollection('c');
    await expectVectors(c, want);
    await c.close();
  });
});

describe('vectors held once: random writes, reopens and renumbering against a model', () => {
  let root: string;
  beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-shared-model-'))));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.each([
    ['l2', 11],
    ['innerProduct', 12],
    ['cosine', 13],
    ['cosine', 14],
  ] as const)('%s, seed %i: every vector read back is the one last written', async (distance, seed) => {
    const rnd = seededRandom(seed);
    const dir = path.join(root, `${distance}-${seed}`);
    let db = await Database.open(dir);
    let c = await db.createCollection('c', { dimension: DIM, distance, indexSaveEvery: 1 + Math.floor(rnd() * 40) });
    const model = new Map<string, Float32Array>();
    let next = 0;
    let fields = 0;
    let renumbered = 0;
    const fresh = (): Float32Array => vectors(1, Math.floor(rnd() * 1e9))[0]!;
    const keys = (): string[] => [...model.keys()];
    const some = (n: number): string[] => keys().filter(() => rnd() < n / Math.max(1, model.size));
    for (let step = 0; step < 40; step++) {
      const op = rnd();
      if (op < 0.3) {
        const docs = Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => ({ key: `k${next++}`, vector: fresh() }));
        await c.insertMany(docs, { batchSize: 1 + Math.floor(rnd() * 20) });
        for (const d of docs) model.set(d.key, d.vector);
      } else if (op < 0.5) {
        // New vectors for some, the same vector (new metadata) for others.
        const docs = some(10).map((key) => ({ key, vector: rnd() < 0.5 ? fresh() : model.get(key)!, metadata: { s: step } }));
        await c.upsertMany(docs);
        for (const d of docs) model.set(d.key, d.vector);
      } else if (op < 0.6) {
        for (const key of some(3)) await c.update(key, { metadata: { u: step } });
      } else if (op < 0.7) {
        // Sometimes half the documents, then optimize: enough dead ids for it to renumber.
        const many = rnd() < 0.5;
        const gone = some(many ? model.size / 2 : 4);
        await c.delete(gone);
        for (const k of gone) model.delete(k);
        if (many && (await c.optimize({ cleanupOlderThanMs: 0 })).docIdsRenumbered) renumbered++;
      } else if (op < 0.75 && model.size > 0) {
        // A new metadata field: the dataset is rewritten, vectors included.
        const key = keys()[Math.floor(rnd() * model.size)]!;
        await c.update(key, { metadata: { [`f${fields++}`]: step } });
      } else if (op < 0.85) {
        if ((await c.optimize({ cleanupOlderThanMs: 0 })).docIdsRenumbered) renumbered++;
      } else {
        // Reopen, at times without closing (what a killed process leaves: the index saved up to `indexSaveEvery` changes ago).
        if (rnd() < 0.5) await c.close();
        db = await Database.open(dir);
        c = await db.openCollection('c');
      }
      const ks = keys();
      const got = await c.getMany(ks, { select: ['vector'] });
      const wrong = ks.filter((k, i) => !sameBits(got[i]?.vector, model.get(k)!));
      expect([step, wrong]).toEqual([step, []]);
      expect(c.size).toBe(model.size);
    }
    // Last, half the documents deleted and the ids renumbered (whatever the steps above did).
    const half = keys().filter((_k, i) => i % 2 === 0);
    await c.delete(half);
    for (const k of half) model.delete(k);
    if ((await c.optimize({ cleanupOlderThanMs: 0 })).docIdsRenumbered) renumbered++;
    expect(renumbered).toBeGreaterThan(0);
    const ks = keys();
    const got = await c.getMany(ks, { select: ['vector'] });
    expect(ks.filter((k, i) => !sameBits(got[i]?.vector, model.get(k)!))).toEqual([]);
    if (model.size > 0) {
      const hits = await c.search(model.values().next().value!, 5, { select: ['vector'] });
      for (const h of hits) expect(sameBits(h.vector, model.get(h.key)!)).toBe(true);
    }
    await c.close();
  });
});

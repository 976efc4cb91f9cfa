import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { ConflictError, Database, Dataset, HNSW, NotFoundError } from '@vego/db';
import type { MetadataValue } from '@vego/db';
import { seededRandom } from '../../../test-support/random';

const DIM = 8;

function docs(n: number, seed: number, offset = 0): { key: string; vector: Float32Array; text: string; metadata: Record<string, MetadataValue> }[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, (_, j) => {
    const i = j + offset;
    return {
      key: `doc-${i}`,
      vector: Float32Array.from({ length: DIM }, () => rnd() * 2 - 1),
      text: `document ${i}`,
      metadata: {
        kind: ['task', 'note', 'memo'][i % 3]!,
        year: 2000 + (i % 30),
        score: Math.round(rnd() * 1000) / 10,
        done: i % 4 === 0 ? null : i % 2 === 0,
        at: new Date(Date.UTC(2020, 0, 1) + i * 86_400_000),
        tags: i % 5 === 0 ? null : ['a', 'b', 'c'].filter((_t, k) => (i >> k) & 1),
      },
    };
  });
}

describe('persisted collections', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-db-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reopens with documents, schema and the saved index (no rebuild), after updates and deletes', async () => {
    const dir = path.join(root, 'reopen');
    const db = await Database.open(dir);
    const c = await db.createCollection('notes', { dimension: DIM, distance: 'cosine', schema: { year: 'integer' } });
    await c.insertMany(docs(300, 1), { batchSize: 100 });
    await c.update('doc-5', { metadata: { kind: 'changed', extra: 'new field' } });
    await c.update('doc-6', { vector: new Float32Array(DIM).fill(1) });
    await c.delete(['doc-7', 'doc-8']);
    await c.upsert({ key: 'doc-9', vector: new Float32Array(DIM).fill(-1), metadata: { kind: 'replaced' } });
    const before = await c.query({ select: ['vector', 'text', ...Object.keys(c.schema)] });
    const q = docs(1, 77)[0]!.vector;
    const hitsBefore = await c.search(q, 10, { filter: "kind = 'task'" });
    await db.close();

    const adds = jest.spyOn(HNSW.prototype, 'add');
    const db2 = await Database.open(dir);
    expect(await db2.listCollections()).toEqual(['notes']);
    const c2 = await db2.openCollection('notes');
    expect(adds).not.toHaveBeenCalled();
    adds.mockRestore();
    expect(c2.schema).toEqual({ year: 'integer', kind: 'string', score: 'float', done: 'boolean', at: 'date', tags: 'tags', extra: 'string' });
    const after = await c2.query({ select: ['vector', 'text', ...Object.keys(c2.schema)] });
    const byKey = (a: typeof before) => [...a].sort((x, y) => (x.key < y.key ? -1 : 1));
    expect(byKey(after)).toEqual(byKey(before));
    expect(await c2.search(q, 10, { filter: "kind = 'task'" })).toEqual(hitsBefore);
    expect((await c2.search(new Float32Array(DIM).fill(1), 1))[0]!.key).toBe('doc-6');
    expect(c2.size).toBe(298);
    // One live row per document in the dataset.
    expect(Dataset.openSync(path.join(dir, 'notes.lance')).countRows()).toBe(298);
    await c2.insert({ key: 'doc-7', vector: new Float32Array(DIM).fill(0.5) });
    await db2.close();
    const db3 = await Database.open(dir);
    expect((await (await db3.openCollection('notes')).get('doc-7', { select: ['vector'] }))!.vector).toEqual(new Float32Array(DIM).fill(0.5));
    expect(await db3.dropCollection('notes')).toBe(true);
    expect(await db3.listCollections()).toEqual([]);
    await expect(db3.openCollection('notes')).rejects.toBeInstanceOf(NotFoundError);
    await db3.close();
  });

  it('re-adds documents the saved index lacks and deletes ids it should not have (index behind the dataset)', async () => {
    const dir = path.join(root, 'behind');
    const db = await Database.open(dir);
    const c = await db.createCollection('c', { dimension: DIM, distance: 'l2', indexSaveEvery: 1 });
    await c.insertMany(docs(50, 2));
    const indexDir = path.join(dir, 'c.hnsw');
    const saved = path.join(root, 'behind-index-copy');
    fs.cpSync(indexDir, saved, { recursive: true });
    await c.insertMany(docs(20, 3, 50));
    await c.delete(['doc-0', 'doc-1']);
    await db.close();
    // Put back the older index, as if the process died before saving it.
    fs.rmSync(indexDir, { recursive: true });
    fs.cpSync(saved, indexDir, { recursive: true });
    const db2 = await Database.open(dir);
    const c2 = await db2.openCollection('c');
    expect(c2.size).toBe(68);
    for (const d of docs(70, 2).slice(0, 50).concat(docs(20, 3, 50))) {
      if (d.key === 'doc-0' || d.key === 'doc-1') continue;
      const [hit] = await c2.search(d.vector, 1, { ef: 200 });
      expect(hit!.key).toBe(d.key);
    }
    const all = await c2.search(docs(1, 9)[0]!.vector, 100);
    expect(all.map((h) => h.key).sort()).toEqual((await c2.query({ select: [] })).map((d) => d.key).sort());
    await db2.close();
  });

  it('rebuilds an index that is missing, unreadable or of another configuration', async () => {
    const dir = path.join(root, 'rebuild');
    const db = await Database.open(dir);
    const c = await db.createCollection('c', { dimension: DIM, distance: 'cosine' });
    const data = docs(60, 21);
    await c.insertMany(data);
    await c.delete(['doc-3']);
    await db.close();
    const indexDir = path.join(dir, 'c.hnsw');
    const damage: [string, () => void][] = [
      ['missing', () => fs.rmSync(indexDir, { recursive: true, force: true })],
      ['unreadable', () => fs.writeFileSync(path.join(indexDir, 'metadata.lance', '_versions', fs.readdirSync(path.join(indexDir, 'metadata.lance', '_versions'))[0]!), 'garbage')],
      ['another distance', () => {
        fs.rmSync(indexDir, { recursive: true, force: true });
        const other = new HNSW({ dimension: DIM, distance: 'l2' });
        for (const d of data) other.add(d.vector);
        other.saveToLanceSync(indexDir);
      }],
    ];
    for (const [what, harm] of damage) {
      harm();
      const again = await (await Database.open(dir)).openCollection('c');
      expect([what, again.size]).toEqual([what, 59]);
      for (const d of data.slice(0, 10)) {
        const [hit] = await again.search(d.vector, 1);
        expect([what, hit!.key]).toEqual([what, d.key === 'doc-3' ? hit!.key : d.key]);
      }
      expect((await again.search(data[3]!.vector, 60)).map((h) => h.key)).not.toContain('doc-3');
      await again.close();
    }
  });

  it('saves the index every indexSaveEvery changes; a reopen without close re-adds only the unsaved documents', async () => {
    const dir = path.join(root, 'every');
    const db = await Database.open(dir);
    await expect(db.createCollection('bad', { dimension: DIM, indexSaveEvery: 0 })).rejects.toThrow(/indexSaveEvery/);
    const c = await db.createCollection('c', { dimension: DIM, distance: 'l2', indexSaveEvery: 30 });
    await c.insertMany(docs(40, 11)); // 40 ≥ 30: saved
    await c.insertMany(docs(10, 12, 40)); // 10 unsaved
    // Another process opening now (this one never closes) sees every document; it re-adds the 10.
    const adds = jest.spyOn(HNSW.prototype, 'add');
    const other = await (await Database.open(dir)).openCollection('c');
    expect(adds).toHaveBeenCalledTimes(10);
    adds.mockRestore();
    expect(other.size).toBe(50);
    const probe = docs(10, 12, 40)[3]!;
    expect((await other.search(probe.vector, 1))[0]!.key).toBe(probe.key);
    await other.close();
    await db.close();
  });

  it('optimize() compacts one fragment per write into one, keeping documents, order and later writes right', async () => {
    const dir = path.join(root, 'optimize');
    const db = await Database.open(dir);
    const c = await db.createCollection('c', { dimension: DIM, distance: 'l2', schema: { done: 'boolean', tags: 'tags' } });
    const data = docs(30, 31);
    for (const d of data) await c.insert(d);
    await c.update('doc-4', { metadata: { kind: 'changed' } });
    await c.delete(['doc-7', 'doc-8']);
    expect(c.numFragments).toBeGreaterThanOrEqual(25); // one per write, less those whose rows were all deleted
    const before = await c.query({ select: ['vector', 'text', ...Object.keys(c.schema)] });
    const r = await c.optimize({ cleanupOlderThanMs: 0 });
    expect(r.fragmentsAdded).toBe(1);
    expect(r.versionsRemoved).toBeGreaterThan(30);
    expect(c.numFragments).toBe(1);
    expect(await c.query({ select: ['vector', 'text', ...Object.keys(c.schema)] })).toEqual(before);
    // Row positions still line up: later replacements and deletes hit the right rows.
    await c.update('doc-10', { metadata: { kind: 'after' } });
    await c.delete('doc-20');
    await db.close();
    const again = await (await Database.open(dir)).openCollection('c');
    expect(again.size).toBe(27);
    expect((await again.get('doc-10'))!.metadata['kind']).toBe('after');
    expect((await again.get('doc-4'))!.metadata['kind']).toBe('changed');
    expect(await again.get('doc-20')).toBeNull();
    expect(Dataset.openSync(path.join(dir, 'c.lance')).countRows()).toBe(27);
    await again.close();
  });

  it('writes a dataset LanceDB opens as a table, with the same vector search and where answers', async () => {
    const dir = path.join(root, 'oracle');
    const db = await Database.open(dir);
    const c = await db.createCollection('items', { dimension: DIM, distance: 'l2', schema: { year: 'integer' } });
    const data = docs(400, 5);
    await c.insertMany(data, { batchSize: 150 });
    await c.delete(['doc-1', 'doc-2']);
    await c.update('doc-3', { metadata: { kind: 'moved' } });
    await db.close();
    const conn = await lancedb.connect(dir);
    expect(await conn.tableNames()).toEqual(['items']);
    const t = await conn.openTable('items');
    expect(await t.countRows()).toBe(398);
    // Date fields are timestamp columns for LanceDB (milliseconds, UTC), not integers.
    const atType = (await t.schema()).fields.find((f: { name: string }) => f.name === 'at')?.type;
    expect(String(atType)).toBe('Timestamp<MILLISECOND, UTC>');
    const db2 = await Database.open(dir);
    const ours = await db2.openCollection('items');
    const where: [string, string][] = [
      ["kind = 'task' AND year >= 2020", "kind = 'task' AND year >= 2020"],
      ['done IS NULL OR score < 20.5', 'done IS NULL OR score < 20.5'],
      ["NOT (kind IN ('note', 'moved'))", "NOT (kind IN ('note', 'moved'))"],
      ["text LIKE 'document 1%'", "text LIKE 'document 1%'"],
      [`at >= TIMESTAMP '2020-06-01T00:00:00Z'`, `at >= TIMESTAMP '2020-06-01 00:00:00'`],
      [`at < DATE '2020-03-01' AND kind = 'task'`, `at < CAST('2020-03-01T00:00:00Z' AS TIMESTAMP) AND kind = 'task'`],
      ["tags IN ('a', 'c')", "array_has_any(tags, ['a', 'c'])"],
      ["array_has_all(tags, ['a', 'b']) OR array_contains(tags, 'c')", "array_has_all(tags, ['a', 'b']) OR array_contains(tags, 'c')"],
    ];
    for (const [mine, theirs] of where) {
      const expected = (await t.query().where(theirs).select(['key']).toArray()).map((r: { key: string }) => r.key).sort();
      expect(expected.length).toBeGreaterThan(0);
      expect((await ours.query({ filter: mine, select: [] })).map((d) => d.key).sort()).toEqual(expected);
      // Vector search with the filter: LanceDB prefilters and scans exactly; so do we at this size.
      const q = docs(1, 123)[0]!.vector;
      const theirHits = await t.search(Array.from(q)).where(theirs).limit(10).toArray();
      const ourHits = await ours.search(q, 10, { filter: mine, select: [] });
      expect(ourHits.map((h) => h.key)).toEqual(theirHits.map((h: { key: string }) => h.key));
      ourHits.forEach((h, i) => expect(h.distance).toBeCloseTo(theirHits[i]._distance, 4));
    }
    // Unfiltered: the graph search finds LanceDB's exact answer on this small set.
    const q = docs(1, 321)[0]!.vector;
    const theirs = (await t.search(Array.from(q)).limit(5).toArray()).map((r: { key: string }) => r.key);
    expect((await ours.search(q, 5)).map((h) => h.key)).toEqual(theirs);
    // LanceDB's rows carry our values.
    const row = (await t.query().where("key = 'doc-3'").toArray())[0];
    expect([row.kind, Number(row.year), row._doc_id >= 400]).toEqual(['moved', 2003, false]);
    expect(new Date(Number(row.at)).toISOString()).toBe(new Date(Date.UTC(2020, 0, 4)).toISOString());
    await db2.close();
  });

  it('lets one of two writers of a collection commit; the other gets ConflictError and loses nothing committed', async () => {
    const dir = path.join(root, 'race');
    const dbA = await Database.open(dir);
    const a = await dbA.createCollection('c', { dimension: DIM, distance: 'l2' });
    await a.insertMany(docs(10, 4));
    const dbB = await Database.open(dir);
    const b = await dbB.openCollection('c');
    await a.insert(docs(1, 5, 100)[0]!);
    await expect(b.insert(docs(1, 6, 200)[0]!)).rejects.toBeInstanceOf(ConflictError);
    await expect(b.delete('doc-0')).rejects.toBeInstanceOf(ConflictError);
    await expect(b.update('doc-1', { metadata: { kind: 'b' } })).rejects.toBeInstanceOf(ConflictError);
    // Two writes racing from the same starting version: exactly one commits.
    const dbC = await Database.open(dir);
    const c = await dbC.openCollection('c');
    const dbD = await Database.open(dir);
    const d = await dbD.openCollection('c');
    const results = await Promise.allSettled([c.insert(docs(1, 7, 300)[0]!), d.insert(docs(1, 8, 400)[0]!)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    const check = await (await Database.open(dir)).openCollection('c');
    const keys = (await check.query({ select: [] })).map((x) => x.key);
    expect(keys).toContain('doc-100');
    expect(keys).not.toContain('doc-200');
    expect(keys.filter((k) => k === 'doc-300' || k === 'doc-400')).toHaveLength(1);
    expect(keys).toHaveLength(12);
    for (const x of [dbA, dbB, dbC, dbD]) await x.close();
    await check.close();
  });
});

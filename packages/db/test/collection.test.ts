import { ConflictError, Database, DuplicateKeyError, InvalidArgumentError, InvalidDocumentError, NotFoundError } from '@vego/db';
import type { Collection } from '@vego/db';

async function fresh(options: Partial<Parameters<Database['createCollection']>[1]> = {}): Promise<Collection> {
  return Database.memory().createCollection('c', { dimension: 3, distance: 'l2', ...options });
}

/** Internal doc id of a key (white-box: the id is the HNSW node id). */
function docId(c: Collection, key: string): number | undefined {
  return c.documents.keyToId.get(key);
}

describe('Collection documents', () => {
  it('inserts with given and generated keys, infers the schema from the first batch and gets documents back', async () => {
    const c = await fresh();
    const keys = await c.insertMany([
      { key: 'a', vector: [1, 0, 0], text: 'alpha', metadata: { kind: 'task', n: 1.5, ok: true, big: 2n ** 60n, at: new Date(0), tags: ['x'] } },
      { vector: [0, 1, 0], metadata: { kind: 'note' } },
    ]);
    expect(keys[0]).toBe('a');
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.schema).toEqual({ kind: 'string', n: 'float', ok: 'boolean', big: 'bigint', at: 'date', tags: 'tags' });
    expect(await c.get('a')).toEqual({ key: 'a', text: 'alpha', metadata: { kind: 'task', n: 1.5, ok: true, big: 2n ** 60n, at: new Date(0), tags: ['x'] } });
    expect(await c.get(keys[1]!, { select: ['kind', 'vector'] })).toEqual({ key: keys[1], metadata: { kind: 'note' }, vector: new Float32Array([0, 1, 0]) });
    expect(await c.get('missing')).toBeNull();
    expect(await c.getMany(['a', 'missing'], { select: [] })).toEqual([{ key: 'a', metadata: {} }, null]);
    expect(c.size).toBe(2);
  });

  it('adds new fields later (null for the documents before)', async () => {
    const c = await fresh({ schema: { year: 'integer' } });
    await c.insert({ key: 'a', vector: [1, 0, 0], metadata: { year: 2020 } });
    await c.insert({ key: 'b', vector: [0, 1, 0], metadata: { year: 2021, color: 'red' } });
    expect(c.schema).toEqual({ year: 'integer', color: 'string' });
    expect((await c.get('a'))!.metadata).toEqual({ year: 2020, color: null });
  });

  it('refuses wrong types, dimensions, NaN and duplicates with typed errors naming key and field, storing nothing', async () => {
    const c = await fresh({ schema: { year: 'integer' } });
    await c.insert({ key: 'a', vector: [1, 0, 0], metadata: { kind: 'x' } });
    const cases: [Parameters<Collection['insertMany']>[0], new (...a: never[]) => Error, string | null, RegExp][] = [
      [[{ key: 'b', vector: [1, 0] }], InvalidDocumentError, 'vector', /expected 3 components, got 2/],
      [[{ key: 'b', vector: [1, NaN, 0] }], InvalidDocumentError, 'vector', /component 1 is NaN/],
      [[{ key: 'b', vector: [1, 0, 1e39] }], InvalidDocumentError, 'vector', /finite float32/],
      [[{ key: 'b', vector: [1, 0, 0], metadata: { kind: 5 } }], InvalidDocumentError, 'kind', /expected string, got number 5/],
      [[{ key: 'b', vector: [1, 0, 0], metadata: { year: 2.5 } }], InvalidDocumentError, 'year', /safe integer/],
      [[{ key: 'b', vector: [1, 0, 0], metadata: { f: { a: 1 } as never } }], InvalidDocumentError, 'f', /unsupported value/],
      [[{ key: 'b', vector: [1, 0, 0], metadata: { text: 'x' } }], InvalidDocumentError, 'text', /reserved/],
      [[{ key: 'b', vector: [1, 0, 0], metadata: { 'bad name': 1 } }], InvalidDocumentError, 'bad name', /identifier/],
      [[{ key: 'b', vector: [1, 0, 0], metadata: { fresh: null } }], InvalidDocumentError, 'fresh', /all null/],
      [[{ key: 'b', text: 'no vector' }], InvalidDocumentError, 'vector', /no embedder/],
      [[{ key: 'a', vector: [1, 0, 0] }], DuplicateKeyError, null, /duplicate key/],
      [[{ key: 'b', vector: [1, 0, 0] }, { key: 'b', vector: [0, 1, 0] }], DuplicateKeyError, null, /twice in this batch/],
    ];
    for (const [docs, type, field, message] of cases) {
      const err = await c.insertMany(docs).then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(type);
      expect(err!.message).toMatch(message);
      if (err instanceof InvalidDocumentError) {
        expect(err.key).toBe(docs.length === 1 ? docs[0]!.key : 'b');
        expect(err.field).toBe(field);
        expect(err.code).toBe('VEGO_INVALID_ARGUMENT');
      } else {
        expect((err as ConflictError).code).toBe('VEGO_CONFLICT');
      }
    }
    expect(c.size).toBe(1);
    expect(c.schema).toEqual({ year: 'integer', kind: 'string' });
    const cos = await fresh({ distance: 'cosine' });
    await expect(cos.insert({ key: 'z', vector: [0, 0, 0] })).rejects.toThrow(/zero vector/);
  });

  it('upsert replaces whole documents in place: a metadata-only change keeps the graph node, a new vector relinks it under the same id', async () => {
    const c = await fresh();
    await c.insertMany([{ key: 'a', vector: [1, 0, 0], metadata: { kind: 'x' } }, { key: 'b', vector: [0, 1, 0] }]);
    const before = docId(c, 'a');
    await c.update('a', { metadata: { kind: 'y', extra: 3 } });
    expect(docId(c, 'a')).toBe(before);
    expect((await c.get('a'))!.metadata).toEqual({ kind: 'y', extra: 3 });
    await c.update('a', { text: 'now with text' });
    expect(docId(c, 'a')).toBe(before);
    await c.update('a', { vector: [0, 0, 1] });
    expect(docId(c, 'a')).toBe(before);
    expect(c.documents.numIds).toBe(2);
    const hits = await c.search([0, 0, 1], 1);
    expect(hits[0]).toMatchObject({ key: 'a', distance: 0, text: 'now with text', metadata: { kind: 'y', extra: 3 } });
    expect((await c.search([1, 0, 0], 2)).map((h) => [h.key, h.distance])).toEqual([['a', 2], ['b', 2]]); // the old vector is gone from the index
    await c.upsert({ key: 'b', vector: [0, 1, 0], metadata: { kind: 'z' } });
    expect(await c.get('b')).toEqual({ key: 'b', text: null, metadata: { kind: 'z', extra: null } });
    await c.upsert({ key: 'c', vector: [1, 1, 1] });
    expect(c.size).toBe(3);
    await expect(c.update('nope', { text: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await c.update('b', { metadata: { kind: null } });
    expect((await c.get('b'))!.metadata['kind']).toBeNull();
  });

  it('deletes by key, keys and filter; counts and queries with limit and offset', async () => {
    const c = await fresh();
    const docs = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, vector: [i, 1, 0], metadata: { i, even: i % 2 === 0 } }));
    await c.insertMany(docs, { batchSize: 7 });
    expect(await c.count()).toBe(20);
    expect(await c.count({ even: true })).toBe(10);
    expect((await c.query({ filter: 'i >= 5', offset: 2, limit: 3, select: ['i'] })).map((d) => d.metadata['i'])).toEqual([7, 8, 9]);
    expect(await c.delete('k0')).toBe(1);
    expect(await c.delete(['k1', 'k2', 'missing', 'k1'])).toBe(2);
    expect(await c.deleteWhere({ i: { $gte: 15 } })).toBe(5);
    expect(await c.count()).toBe(12);
    expect(await c.get('k1')).toBeNull();
    const hits = await c.search([0, 1, 0], 20);
    expect(hits.map((h) => h.key)).toEqual(['k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10', 'k11', 'k12', 'k13', 'k14']);
    // A deleted key can be inserted again.
    await c.insert({ key: 'k0', vector: [0, 1, 0] });
    expect((await c.search([0, 1, 0], 1))[0]!.key).toBe('k0');
  });

  it('reports progress per batch', async () => {
    const c = await fresh();
    const seen: [number, number][] = [];
    await c.insertMany(Array.from({ length: 25 }, (_, i) => ({ vector: [i + 1, 0, 1] })), { batchSize: 10, onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([[10, 25], [20, 25], [25, 25]]);
  });

  it('searches with distance and score per metric, searchMany and select, and checks its arguments', async () => {
    const c = await fresh({ distance: 'cosine' });
    await c.insertMany([{ key: 'x', vector: [1, 0, 0], metadata: { kind: 'a' } }, { key: 'y', vector: [0, 1, 0], metadata: { kind: 'b' } }]);
    const [hit] = await c.search([2, 0, 0], 1, { select: ['vector'] });
    expect(hit).toEqual({ key: 'x', metadata: {}, vector: new Float32Array([1, 0, 0]), distance: expect.closeTo(0, 6), score: expect.closeTo(1, 6) });
    const many = await c.searchMany([[1, 0, 0], { vector: [0, 1, 0] }], 1, { filter: "kind IN ('a', 'b')" });
    expect(many.map((h) => h[0]!.key)).toEqual(['x', 'y']);
    await expect(c.search([1, 0], 1)).rejects.toThrow(/expected 3 components/);
    await expect(c.search([1, 0, 0], 0)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.search([1, 0, 0], 1, { ef: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.search('text', 1)).rejects.toThrow(/no embedder/);
    await expect(c.search([1, 0, 0], 1, { select: ['nope'] })).rejects.toThrow(/no field `nope`/);
    await expect(c.search([1, 0, 0], 1, { filter: 'nope = 1' })).rejects.toThrow(/no such field/);
  });

  it('embeds texts without vectors and text queries with the collection embedder', async () => {
    const embed = (texts: readonly string[]): number[][] => texts.map((t) => [t.length, t.includes('cat') ? 5 : 0, 1]);
    const c = await fresh({ distance: 'l2', embed });
    await c.insertMany([{ key: 'c', text: 'a cat' }, { key: 'd', text: 'a dog' }, { key: 'v', vector: [0, 0, 1] }]);
    expect((await c.get('c', { select: ['vector'] }))!.vector).toEqual(new Float32Array([5, 5, 1]));
    expect((await c.search('my cat', 1))[0]!.key).toBe('c');
    expect((await c.searchMany(['the cat', { text: 'x' }], 1)).map((h) => h[0]!.key)).toEqual(['c', 'v']);
    const bad = await fresh({ embed: () => [[1, 2]] });
    await expect(bad.insert({ key: 'q', text: 'hello' })).rejects.toThrow(/expected 3 components/);
  });

  it('in-memory databases list and drop collections; names and options are checked', async () => {
    const db = Database.memory();
    await db.createCollection('one', { dimension: 2 });
    await db.createCollection('two', { dimension: 2 });
    await expect(db.createCollection('one', { dimension: 2 })).rejects.toBeInstanceOf(ConflictError);
    await expect(db.createCollection('../x', { dimension: 2 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(db.createCollection('x', { dimension: 0 })).rejects.toThrow(/dimension/);
    await expect(db.createCollection('x', { dimension: 2, distance: 'hamming' as never })).rejects.toThrow(/distance/);
    await expect(db.createCollection('x', { dimension: 2, schema: { a: 'number' as never } })).rejects.toThrow(/schema.a/);
    expect(await db.listCollections()).toEqual(['one', 'two']);
    expect(await db.dropCollection('one')).toBe(true);
    expect(await db.dropCollection('one')).toBe(false);
    await expect(db.openCollection('one')).rejects.toBeInstanceOf(NotFoundError);
    expect(await db.listCollections()).toEqual(['two']);
  });
});

describe('text index hook (internal contract for full-text search)', () => {
  it('replays live texts on attach, follows inserts, text changes and deletes, and receives text queries with the filter bitset', async () => {
    const c = await fresh({ schema: { kind: 'string' } });
    await c.insertMany([
      { key: 'a', vector: [1, 0, 0], text: 'red apple', metadata: { kind: 'fruit' } },
      { key: 'b', vector: [0, 1, 0], metadata: { kind: 'none' } },
    ]);
    const texts = new Map<number, string>();
    const calls: string[] = [];
    let lastFilter: Uint32Array | null | undefined;
    c.attachTextIndex({
      add: (id, text) => { texts.set(id, text); calls.push(`add ${id}`); },
      remove: (id) => { texts.delete(id); calls.push(`remove ${id}`); },
      search: (query, k, filter) => {
        lastFilter = filter;
        return [...texts].filter(([, t]) => t.includes(query)).slice(0, k).map(([docId], i) => ({ docId, score: 10 - i }));
      },
    });
    expect(calls).toEqual(['add 0']);
    await c.insert({ key: 'c', vector: [0, 0, 1], text: 'green apple', metadata: { kind: 'fruit' } });
    await c.update('a', { text: 'red cherry' });
    await c.update('c', { vector: [0, 1, 1] });
    await c.delete('a');
    // A vector change keeps the doc id and the text: the hook hears nothing of it.
    expect(calls).toEqual(['add 0', 'add 2', 'remove 0', 'add 0', 'remove 0']);
    const hits = await c.search({ text: 'apple' }, 5, { filter: { kind: 'fruit' } });
    expect(hits).toEqual([{ key: 'c', text: 'green apple', metadata: { kind: 'fruit' }, distance: null, score: 10 }]);
    // The bitset marks exactly the live matches of the filter: doc id 2 ('c').
    expect(Array.from(lastFilter!)).toEqual([1 << 2]);
    expect((await c.search('apple', 1))[0]!.key).toBe('c');
  });
});

/** Full-text and hybrid search through @vego/db collections (the collection wiring of src/fulltext/). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Collection, Database, InvalidArgumentError, NotSupportedError, TextIndex, readTextIndexCommitSync } from '@vego/db';
import { seededRandom } from './fixtures/fulltext-corpus';

const TEXTS = [
  'Lance files store columns in pages',
  'HNSW graphs find approximate nearest neighbours',
  'BM25 ranks documents by rare matching words',
  'Compaction rewrites small fragments into large ones',
  'The tomato sauce simmers for forty minutes',
  'Columns are compressed with zstd on disk',
  'Filters select documents by their metadata',
  'Reciprocal rank fusion merges two rankings',
];

/** Deterministic 8-d vectors: document i points mostly along axis i. */
function vectorOf(i: number): Float32Array {
  const rand = seededRandom(100 + i);
  const v = new Float32Array(8);
  for (let j = 0; j < 8; j++) v[j] = 0.1 * rand();
  v[i % 8] += 1;
  return v;
}

async function fill(c: Collection): Promise<void> {
  await c.insertMany(TEXTS.map((text, i) => ({ key: `d${i}`, vector: vectorOf(i), text, metadata: { group: i % 2 === 0 ? 'even' : 'odd', n: i } })));
}

/** The scores a standalone TextIndex gives the same texts (ids = positions in TEXTS). */
function reference(query: string, k: number, keep: (i: number) => boolean = () => true): { key: string; score: number }[] {
  const t = new TextIndex({ tokenizer: { stopWords: true, stemming: true } });
  TEXTS.forEach((text, i) => t.add(i, text));
  return t.search(query, k, { filter: keep }).map((h) => ({ key: `d${h.id}`, score: h.score }));
}

describe('collections with fullText', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vego-fts-db-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('answers { text } queries with the BM25 scores of a standalone index, under filters', async () => {
    const c = await Database.memory().createCollection('c', { dimension: 8, fullText: { stopWords: true, stemming: true } });
    await fill(c);
    expect(c.hasFullText).toBe(true);
    const hits = await c.search({ text: 'compressed columns' }, 3);
    expect(hits.map((h) => ({ key: h.key, score: h.score }))).toEqual(reference('compressed columns', 3));
    expect(hits[0]).toMatchObject({ key: 'd5', distance: null, text: TEXTS[5], metadata: { group: 'odd', n: 5 } });
    const even = await c.search({ text: 'columns documents' }, 5, { filter: { group: 'even' } });
    expect(even.map((h) => h.key)).toEqual(reference('columns documents', 5, (i) => i % 2 === 0).map((h) => h.key));
    expect(even.every((h) => h.metadata.group === 'even')).toBe(true);
  });

  it('follows inserts, text updates and deletes', async () => {
    const c = await Database.memory().createCollection('c', { dimension: 8, fullText: true });
    await fill(c);
    await c.update('d4', { text: 'The sauce now holds basil' });
    await c.delete('d2');
    await c.insert({ key: 'new', vector: vectorOf(3), text: 'basil and zstd' });
    expect((await c.search({ text: 'tomato' }, 5)).map((h) => h.key)).toEqual([]);
    expect((await c.search({ text: 'basil' }, 5)).map((h) => h.key).sort()).toEqual(['d4', 'new']);
    expect((await c.search({ text: 'BM25' }, 5)).map((h) => h.key)).toEqual([]);
    // A vector change keeps the text searchable (the document keeps its doc id and text entry).
    await c.update('d7', { vector: vectorOf(1) });
    expect((await c.search({ text: 'fusion' }, 5)).map((h) => h.key)).toEqual(['d7']);
  });

  it('fuses vector and text rankings for { vector, text } queries (RRF and linear), filters on both sides', async () => {
    const c = await Database.memory().createCollection('c', { dimension: 8, fullText: true });
    await fill(c);
    // The vector points at d1; the text names d5's words.
    const q = { vector: vectorOf(1), text: 'zstd compressed' };
    const rrf = await c.search(q, 3);
    expect(rrf.slice(0, 2).map((h) => h.key).sort()).toEqual(['d1', 'd5']);
    const d1 = rrf.find((h) => h.key === 'd1')!;
    const d5 = rrf.find((h) => h.key === 'd5')!;
    expect(d1.distance).not.toBeNull();
    expect(d5.score).toBeCloseTo(1 / 61 + 1 / (60 + rrfRankOf((await c.search(q.vector, 20)).map((h) => h.key), 'd5')), 12);
    const vectorHeavy = await c.search(q, 1, { fusion: { linear: 0.9 } });
    const textHeavy = await c.search(q, 1, { fusion: { linear: 0.1 } });
    expect(vectorHeavy[0]!.key).toBe('d1');
    expect(textHeavy[0]!.key).toBe('d5');
    const odd = await c.search({ vector: vectorOf(0), text: 'columns' }, 5, { filter: { group: 'odd' } });
    expect(odd.length).toBeGreaterThan(0);
    expect(odd.every((h) => h.metadata.group === 'odd')).toBe(true); // d0 (the vector's best) and d0's text are filtered out
    const many = await c.searchMany([q, { text: 'zstd' }], 2);
    expect(many[0]!.map((h) => h.key)).toEqual(rrf.slice(0, 2).map((h) => h.key));
    await expect(c.search(q, 3, { fusion: { linear: 3 } })).rejects.toThrow(InvalidArgumentError);
    await expect(c.search({ vector: vectorOf(0), text: 7 as unknown as string }, 3)).rejects.toThrow(InvalidArgumentError);
    const plain = await Database.memory().createCollection('p', { dimension: 8 });
    await expect(plain.search(q, 3)).rejects.toThrow(NotSupportedError);
  });

  it('persists beside the collection: reopened without options, it answers the same', async () => {
    const dir = path.join(root, 'persist');
    const db = await Database.open(dir);
    const c = await db.createCollection('notes', { dimension: 8, fullText: { stemming: true, stopWords: true, k1: 1.5 } });
    await fill(c);
    await c.update('d0', { text: 'Lance pages hold compressed columns' });
    const before = await c.search({ text: 'compress column' }, 5);
    await db.close();
    expect(readTextIndexCommitSync(path.join(dir, 'notes.text'))).toMatchObject({ num_docs: 8, k1: 1.5 });
    const db2 = await Database.open(dir);
    const again = await db2.openCollection('notes');
    expect(again.hasFullText).toBe(true);
    expect(await again.search({ text: 'compress column' }, 5)).toEqual(before);
    await db2.close();
    // Opening with other settings rebuilds the index from the documents.
    const db3 = await Database.open(dir);
    const plain = await db3.openCollection('notes', { fullText: true });
    expect((await plain.search({ text: 'compressed' }, 5)).map((h) => h.key).sort()).toEqual(['d0', 'd5']);
    await db3.close();
    expect(readTextIndexCommitSync(path.join(dir, 'notes.text'))).toMatchObject({ k1: 1.2 });
    expect(await (await Database.open(dir)).dropCollection('notes')).toBe(true);
    expect(fs.existsSync(path.join(dir, 'notes.text'))).toBe(false);
  });

  it('keeps the full-text index of a collection closed before its first text', async () => {
    const dir = path.join(root, 'empty-first');
    const db = await Database.open(dir);
    await db.createCollection('notes', { dimension: 8, fullText: { stemming: true } });
    await db.close();
    const db2 = await Database.open(dir);
    const c = await db2.openCollection('notes');
    expect(c.hasFullText).toBe(true);
    await c.insert({ key: 'a', vector: vectorOf(0), text: 'searching words' });
    expect((await c.search({ text: 'searched' }, 3)).map((h) => h.key)).toEqual(['a']);
    await db2.close();
  });

  it('catches up on reopen with documents the text index never saved (a crash between the two commits)', async () => {
    const dir = path.join(root, 'catch-up');
    const db = await Database.open(dir);
    const c = await db.createCollection('notes', { dimension: 8, fullText: true });
    await fill(c);
    await db.close();
    // Put back an older text index: the documents committed later than it.
    const textDir = path.join(dir, 'notes.text');
    const stale = path.join(root, 'stale-text');
    fs.cpSync(textDir, stale, { recursive: true });
    const db2 = await Database.open(dir);
    const c2 = await db2.openCollection('notes');
    await c2.update('d3', { text: 'entirely different words' });
    await c2.delete('d6');
    await db2.close();
    fs.rmSync(textDir, { recursive: true });
    fs.cpSync(stale, textDir, { recursive: true });
    const db3 = await Database.open(dir);
    const c3 = await db3.openCollection('notes');
    expect((await c3.search({ text: 'compaction fragments' }, 5)).map((h) => h.key)).toEqual([]);
    expect((await c3.search({ text: 'different' }, 5)).map((h) => h.key)).toEqual(['d3']);
    expect((await c3.search({ text: 'metadata' }, 5)).map((h) => h.key)).toEqual([]);
    await db3.close();
  });
});

/** 1-based rank of `key` in `keys`. */
function rrfRankOf(keys: string[], key: string): number {
  return keys.indexOf(key) + 1;
}

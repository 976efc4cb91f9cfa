/**
 * Document mode of `vego build` and `vego search`: JSON lines of objects become a @vego/db
 * collection (`id` → key, `vector`, `text`, every other field → typed metadata), and searches print
 * the documents they find.
 */
import { readFileSync } from 'node:fs';
import { CorruptDataError, Database, IoError, type Collection, type DistanceName, type DocumentInput, type MetadataValue } from '@vego/db';
import type { CommandIo } from '../command';
import { ProgressBar } from '../progress';

/** Collection name used when `--collection` is not given. */
export const DEFAULT_COLLECTION = 'documents';

/**
 * True when `path` is JSON lines whose first non-empty line is an object other than
 * `{"vector": [...]}` alone (documents rather than bare vectors).
 */
export function isDocumentFile(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim().length > 0);
  if (first === undefined) return false;
  try {
    const v = JSON.parse(first) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).some((k) => k !== 'vector');
  } catch {
    return false;
  }
}

/**
 * Parses document lines. `id` (string or number) becomes the key; `vector` and `text` their own
 * columns; every other field metadata (ISO date strings stay strings).
 * @throws CorruptDataError naming the line for bad JSON, a non-object or a missing vector.
 */
export function parseDocumentLines(text: string, path: string): DocumentInput[] {
  const docs: DocumentInput[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new CorruptDataError(`${path}: line ${i + 1} is not JSON: ${(e as Error).message}`, { cause: e });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CorruptDataError(`${path}: line ${i + 1}: expected an object`);
    const { id, vector, text: t, ...metadata } = value as Record<string, unknown>;
    if (!Array.isArray(vector)) throw new CorruptDataError(`${path}: line ${i + 1}: expected a "vector" array`);
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') throw new CorruptDataError(`${path}: line ${i + 1}: "id" must be a string or a number`);
    const doc: DocumentInput = { vector: vector as number[], metadata: metadata as Record<string, MetadataValue> };
    if (id !== undefined) doc.key = String(id);
    if (t !== undefined) doc.text = t as string;
    docs.push(doc);
  }
  return docs;
}

/** Options of {@link buildDocuments}. */
export interface BuildDocumentsOptions {
  out: string;
  collection: string;
  distance: DistanceName;
  M?: number;
  efConstruction?: number;
  seed: number;
}

/** Inserts the documents of a JSON-lines file into a collection of the database `out`. */
export async function buildDocuments(input: string, text: string, o: BuildDocumentsOptions, io: CommandIo): Promise<void> {
  const docs = parseDocumentLines(text, input);
  if (docs.length === 0) throw new CorruptDataError(`${input} holds no documents`);
  const dimension = (docs[0]!.vector as number[]).length;
  const db = await Database.open(o.out);
  try {
    const c = await db.collection(o.collection, {
      dimension, distance: o.distance, seed: o.seed,
      ...(o.M === undefined ? {} : { M: o.M }), ...(o.efConstruction === undefined ? {} : { efConstruction: o.efConstruction }),
    });
    io.err(`vego build: ${docs.length} documents of dimension ${dimension}, ${o.distance}, into collection '${o.collection}' of ${o.out}\n`);
    const bar = new ProgressBar('inserting', docs.length, io.errStream);
    const started = performance.now();
    await c.insertMany(docs, { onProgress: (done) => bar.update(done) });
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    const fields = Object.entries(c.schema).map(([f, t]) => `${f}:${t}`).join(', ');
    io.out(`built collection '${o.collection}' with ${c.size} documents (fields: ${fields || 'none'}) in ${seconds.toFixed(2)} s; saved to ${o.out}\n`);
  } finally {
    await db.close();
  }
}

/** Opens a collection of the database folder `dir`. */
export async function openDocuments(dir: string, name: string): Promise<{ db: Database; collection: Collection }> {
  const db = await Database.open(dir);
  return { db, collection: await db.openCollection(name) };
}

function jsonValue(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Reads a file as UTF-8 text. @throws IoError naming the path. */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new IoError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
}

/** Searches the collection and prints each query's documents. */
export async function searchDocuments(c: Collection, queries: Float32Array, k: number, ef: number, filter: string | undefined, json: boolean, io: CommandIo): Promise<void> {
  const d = c.dimension;
  const count = queries.length / d;
  const list: Float32Array[] = [];
  for (let q = 0; q < count; q++) list.push(queries.subarray(q * d, (q + 1) * d));
  const started = performance.now();
  const results = await c.searchMany(list, k, { ef, ...(filter === undefined ? {} : { filter }) });
  results.forEach((hits, q) => {
    if (json) {
      io.out(`${JSON.stringify({ query: q, hits: hits.map((h) => ({ key: h.key, distance: h.distance, score: h.score, text: h.text, metadata: h.metadata })) }, jsonValue)}\n`);
      return;
    }
    io.out(`${q}:\n`);
    for (const h of hits) {
      const text = h.text == null ? '' : ` ${h.text.length > 80 ? h.text.slice(0, 80) + '…' : h.text}`;
      io.out(`  ${h.key} (${h.distance!.toPrecision(6)})${text} ${JSON.stringify(h.metadata, jsonValue)}\n`);
    }
  });
  if (!json) io.err(`${count} queries in ${((performance.now() - started) / 1000).toFixed(3)} s (k=${k}, ef=${ef})\n`);
}

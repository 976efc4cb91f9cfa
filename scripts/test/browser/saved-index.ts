/**
 * An index saved by Node and loaded back in the page from the test server over HTTP
 * (`HNSW.loadFromLance('http://…')`): the vectors, edits and queries, shared by the Node side
 * (which saves it and answers the same queries) and the page.
 */
import { seededRandom } from '../../../test-support/random';

export const SAVED_DIMENSION = 24;

/** What a loaded index answered: its size and each query's top 10 (ids and float32 distances). */
export interface SavedIndexAnswers {
  size: number;
  ids: number[][];
  distances: number[][];
}

interface Searchable {
  size: number;
  search(query: number[], k: number): { id: number; distance: number }[];
}

interface Editable {
  addBatch(vectors: number[][]): number[];
  delete(id: number): void;
}

function vectors(seed: number, count: number): number[][] {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => Array.from({ length: SAVED_DIMENSION }, () => next() * 2 - 1));
}

/** The first save: 1,500 vectors. */
export function firstBatch(): number[][] {
  return vectors(41, 1500);
}

/** Edits between the two saves (the second save then deletes rows: deletion files are read too). */
export function editForSecondSave(index: Editable): void {
  for (let id = 0; id < 1500; id += 7) index.delete(id);
  index.addBatch(vectors(42, 300));
}

/** The answers of `index` to eight fixed queries. */
export function answers(index: Searchable): SavedIndexAnswers {
  const out: SavedIndexAnswers = { size: index.size, ids: [], distances: [] };
  for (const q of vectors(43, 8)) {
    const hits = index.search(q, 10);
    out.ids.push(hits.map((h) => h.id));
    out.distances.push(hits.map((h) => h.distance));
  }
  return out;
}

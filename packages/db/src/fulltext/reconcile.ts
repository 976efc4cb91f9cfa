/**
 * Bringing a text index back in line with the documents it follows, e.g. a collection reopened
 * after a crash that came between a committed write and the index's next save.
 */
import { InvalidArgumentError } from '@vego/hnsw';
import type { TextIndex } from './text-index';

/** What {@link reconcileTextIndex} changed. */
export interface ReconcileResult {
  /** Documents indexed that the index lacked. */
  added: number;
  /** Documents re-indexed because their text differs from the indexed one. */
  updated: number;
  /** Documents removed because they no longer exist or have no text. */
  removed: number;
}

/**
 * Makes `index` hold exactly the documents `0 … numIds − 1` for which `textOf` returns a string,
 * each indexed from that text: missing ones are added, changed ones (by text hash, see
 * {@link TextIndex.hasText}) updated, and the others removed (ids at or past `numIds` too).
 * Hashes every text once; tokenizes only what changed.
 * @throws InvalidArgumentError for a bad `numIds` or `textOf`.
 * @example
 * ```ts
 * reconcileTextIndex(index, table.numIds, (id) => (table.alive[id] === 1 ? table.texts[id] : null));
 * ```
 */
export function reconcileTextIndex(index: TextIndex, numIds: number, textOf: (docId: number) => string | null | undefined): ReconcileResult {
  if (!Number.isInteger(numIds) || numIds < 0) throw new InvalidArgumentError(`\`numIds\` must be an integer ≥ 0, got ${String(numIds)}`);
  if (typeof textOf !== 'function') throw new InvalidArgumentError('`textOf` must be a function of a doc id');
  const result: ReconcileResult = { added: 0, updated: 0, removed: 0 };
  const bound = Math.max(numIds, index.docIdBound);
  for (let id = 0; id < bound; id++) {
    const text = id < numIds ? textOf(id) : null;
    if (typeof text === 'string') {
      if (!index.has(id)) {
        index.add(id, text);
        result.added++;
      } else if (!index.hasText(id, text)) {
        index.update(id, text);
        result.updated++;
      }
    } else if (index.remove(id)) {
      result.removed++;
    }
  }
  return result;
}

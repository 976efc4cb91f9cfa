/**
 * TEXMEX `.ivecs` ground truth (per query: int32 k, then k int32 neighbour ids, nearest first) and
 * recall@k against it, for `vego search --recall <file.ivecs>`. Ids are the 0-based positions of the
 * base vectors, which are the ids `vego build` gives them.
 */
import { readFileSync } from 'node:fs';
import { CorruptDataError, InvalidArgumentError, IoError } from '@vego/db';

/** Neighbour ids per query, row-major. */
export interface GroundTruth {
  /** `count · k` ids, nearest first within each row. */
  ids: Int32Array;
  /** Ids per query. */
  k: number;
  /** Queries. */
  count: number;
}

/** Largest row length accepted; beyond it the header is almost surely corrupt. */
const MAX_K = 1 << 16;

/**
 * Reads an `.ivecs` ground-truth file.
 * @throws InvalidArgumentError for another extension; IoError when unreadable; CorruptDataError for
 *   a truncated record or a row length that changes.
 */
export function readGroundTruth(path: string): GroundTruth {
  if (!path.toLowerCase().endsWith('.ivecs')) throw new InvalidArgumentError(`\`--recall\` takes a ground-truth .ivecs file, got ${path}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new IoError(`cannot read ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  if (bytes.byteLength < 4) throw new CorruptDataError(`${path}: truncated at offset 0: expected a 4-byte row length, found ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const k = view.getInt32(0, true);
  if (k < 1 || k > MAX_K) throw new CorruptDataError(`${path}: offset 0: expected a row length from 1 to ${MAX_K}, found ${k}`);
  const recordBytes = 4 + 4 * k;
  if (bytes.byteLength % recordBytes !== 0) {
    throw new CorruptDataError(`${path}: ${bytes.byteLength} bytes is not a whole number of ${recordBytes}-byte records (k = ${k})`);
  }
  const count = bytes.byteLength / recordBytes;
  const ids = new Int32Array(count * k);
  for (let r = 0; r < count; r++) {
    const at = r * recordBytes;
    const rowK = view.getInt32(at, true);
    if (rowK !== k) throw new CorruptDataError(`${path}: record ${r} at offset ${at}: expected row length ${k}, found ${rowK}`);
    for (let j = 0; j < k; j++) ids[r * k + j] = view.getInt32(at + 4 + 4 * j, true);
  }
  return { ids, k, count };
}

/**
 * How many of `results` are among the first `k` ground-truth ids of query `q`.
 * @param k - must not exceed `truth.k` (checked by the caller once).
 */
export function hitsInTruth(results: readonly { id: number }[], truth: GroundTruth, q: number, k: number): number {
  const start = q * truth.k;
  let hits = 0;
  for (const r of results) {
    for (let j = 0; j < k; j++) {
      if (truth.ids[start + j] === r.id) {
        hits++;
        break;
      }
    }
  }
  return hits;
}

/**
 * Loading an SQ8 index with its float vectors left on disk (`vectors: 'disk'`): the vector column
 * of `nodes.lance` is streamed twice, never held whole: read in chunks of 64 KiB straight into
 * one reused buffer when the file's vector pages are plain items (the index's own saves;
 * {@link DirectRows}), else scanned in batches of about 1 MiB. The first pass
 * checks every component finite and (unless the caller trusts the data) each row's stored checksum,
 * and trains the SQ8 range; the second encodes each vector into the index's codes. Then
 * `nodes.lance` is opened again at the loaded version and handed to the index, which reads
 * vectors from it on demand (`internal/sq8-disk.ts`).
 */
import type { Dataset, FixedSizeListVector, RecordBatch, ScanOptions } from '@vego/io';
import { DirectRows, DiskVectors } from '../internal/sq8-disk';
import type { Sq8Codes } from '../internal/sq8';
import { checksumHex, nodeChecksum, nodeHashOf } from './checksums';
import { type IndexLocation, corrupt, openStep, partPath } from './directory';
import { NODES_DATASET } from './layout';
import type { NodeArrays } from './load-nodes';
import { type OpenedParts, noNulls } from './open';
import { type Step, type Steps, perform } from './steps';

/**
 * Vector bytes per scanned batch or chunk. Small on purpose: with 8 MiB batches (the writer's page
 * size) glibc served the batches after the first from its heap (its mmap threshold rises to the
 * size of a freed mapping) and kept ~12 MB of it after the load of 100K × 128. Even 1 MiB batches
 * left ~50 MB in glibc's heap when its thresholds had been raised (a freed 32 MiB buffer earlier in
 * the process): the batches of both passes are garbage until V8 collects them, and freed memory
 * below the trim threshold stays. Hence one reused buffer when the pages allow it.
 */
const BATCH_BYTES = 1024 * 1024;

/**
 * Vector bytes per chunk read directly ({@link DirectRows}): the one reused buffer. 64 KiB (128
 * rows of 128 dimensions) costs nothing measurable in reads (one positioned read per chunk, ~1,600
 * for both passes over 100K × 128) and 960 KiB less of malloc'd memory than 1 MiB, which glibc keeps
 * after the load once its thresholds have risen (the buffer is garbage only at the load's end).
 */
export const DIRECT_CHUNK_BYTES = 64 * 1024;

/** Calls `visit(batch, firstRow)` for every batch of a scan of `ds`, in row order (live positions). */
function scanEachStep(ds: Dataset, scan: ScanOptions, visit: (batch: RecordBatch, firstRow: number) => void): Step<void> {
  return {
    sync: () => {
      let row = 0;
      for (const b of ds.scanSync(scan)) {
        visit(b, row);
        row += b.numRows;
      }
    },
    async: async () => {
      let row = 0;
      for await (const b of ds.scan(scan)) {
        visit(b, row);
        row += b.numRows;
      }
    },
  };
}

/**
 * Calls `visit(id, values, offset)` for the current row of every id (a row superseded by a later
 * one of its id is skipped), the vector at `values[offset …]` (`values` is reused: not to be kept).
 * With `direct`, the rows are read in chunks into one buffer (blocking reads in the async form too:
 * positioned reads of a local file, as a take does).
 */
function* eachVector(parts: OpenedParts, nodes: NodeArrays, direct: DirectRows | null, visit: (id: number, values: Float32Array, offset: number) => void): Steps<void> {
  const dim = parts.config.dimension;
  const batchSize = Math.max(1, Math.floor(BATCH_BYTES / (4 * dim)));
  const rowIds = nodes.rowIds;
  const rowOf = nodes.rowOf;
  const each = (values: Float32Array, base: number, first: number, rows: number): void => {
    for (let r = 0; r < rows; r++) {
      const id = rowIds[first + r]!;
      if (rowOf[id] !== first + r) continue;
      visit(id, values, base + r * dim);
    }
  };
  if (direct !== null) {
    const total = rowIds.length;
    const chunkRows = Math.max(1, Math.floor(DIRECT_CHUNK_BYTES / (4 * dim)));
    const chunk = new Float32Array(Math.min(chunkRows, total) * dim);
    for (let first = 0; first < total; first += chunkRows) {
      const rows = Math.min(chunkRows, total - first);
      direct.readInto(first, rows, chunk, 0);
      each(chunk, 0, first, rows);
    }
    return;
  }
  yield* perform(
    scanEachStep(parts.nodes, { columns: ['vector'], batchSize }, (batch, first) => {
      const vv = batch.columnAt(0) as FixedSizeListVector;
      noNulls(parts.root, NODES_DATASET, 'vector', vv.nullCount);
      const rows = batch.numRows;
      if (rows === 0) return;
      each(vv.values as Float32Array, vv.valueOffset(0), first, rows);
    }),
  );
}

/**
 * Trains and fills `codes` from the saved vectors (checked finite, and against their row checksums
 * when `verify`), then opens `nodes.lance` at the loaded version for the index to read from.
 * @throws CorruptDataError naming the row for a non-finite component or a checksum that differs
 */
export function* loadCodes(parts: OpenedParts, loc: IndexLocation, nodes: NodeArrays, codes: Sq8Codes, verify: boolean): Steps<DiskVectors> {
  const n = parts.row.num_ids;
  const dim = parts.config.dimension;
  const found = new Uint32Array(2);
  const { levels, deleted, sums } = nodes;
  const hash = nodeHashOf(parts.row.format_version);
  let bits: Int32Array | null = null;
  const direct = parts.location.store === null ? DirectRows.open(parts.nodes, dim) : null;
  try {
    codes.startTraining();
    yield* eachVector(parts, nodes, direct, (id, values, offset) => {
    if (bits === null || bits.buffer !== values.buffer || bits.byteOffset !== values.byteOffset) bits = new Int32Array(values.buffer, values.byteOffset, values.length);
    if (nodeChecksum(hash, bits, offset, dim, id, (levels[id]! << 1) | deleted[id]!, found, 0) !== 0) {
      let c = 0;
      while (Number.isFinite(values[offset + c]!)) c++;
      throw corrupt(parts.root, `${NODES_DATASET} vector of id ${id} component ${c}`, 'a finite number', values[offset + c]);
    }
    if (verify && (found[0] !== sums[2 * id] || found[1] !== sums[2 * id + 1])) {
      throw corrupt(
        parts.root,
        `${NODES_DATASET} version ${parts.row.nodes_version} row ${nodes.rowOf[id]} (id ${id}) checksum`,
        checksumHex(sums, id),
        `${checksumHex(found, 0)} computed from the row's vector, level and tombstone`,
      );
    }
    codes.observe(values, offset);
    });
    codes.finishTraining(n);
    codes.reserve(n);
    yield* eachVector(parts, nodes, direct, (id, values, offset) => codes.encode(id + 1, values, offset));
    codes.encodedCount = n;
    const dataset = yield* perform(openStep(loc, NODES_DATASET, parts.row.nodes_version));
    return new DiskVectors(parts.root, partPath(loc, NODES_DATASET), dim, dataset, nodes.inOrder ? null : nodes.rowOf.slice(), n, direct);
  } catch (e) {
    direct?.close();
    throw e;
  }
}

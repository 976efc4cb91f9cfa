/**
 * Removing the old versions of a saved index. Every save commits a new version of each of the three
 * datasets and keeps the older ones (time travel for @vego/io, a consistent view for a reader that
 * is opening an older commit), so a folder or prefix that is saved often grows without bound until
 * they are removed here.
 *
 * The rule protects readers. A reader opens the latest `metadata.lance` version, then the
 * `nodes.lance` and `connections.lance` versions its last row names. A commit stops being the latest
 * when the next save commits, and the versions it names may be much older than that (a save that
 * changed no link list names the same connections version as before), so the age threshold is
 * applied to when a commit was superseded, not to when each dataset version was written. The rows of
 * `metadata.lance` (one per save, each with its `saved_at`) say which commit was the latest at the
 * cutoff: that commit, every later one, and every version from the ones it names up to each
 * dataset's latest (a save in progress included) are kept; @vego/io's cleanup (`keepFrom`) removes
 * the rest, and keeps anything committed meanwhile by a concurrent save.
 */
import { DEFAULT_CLEANUP_OLDER_THAN_MS, type CleanupResult, InvalidArgumentError, NotFoundError } from '@vego/io';
import { type IndexStoreOptions, closeStep, corrupt, openStep, requireWritable, resolveLocation } from './directory';
import { METADATA_DATASET } from './layout';
import { openParts } from './open';
import { perform, runStepsAsync } from './steps';

/** Options of `HNSW.cleanupOldVersions`. */
export interface IndexCleanupOptions extends IndexStoreOptions {
  /**
   * Remove only what readers that started at least this long ago could use: a Date, or an age in
   * milliseconds (`0`: everything but the last commit). Default 7 days, as @vego/io's and Lance's
   * `cleanupOldVersions`.
   */
  olderThan?: Date | number;
}

/** What `HNSW.cleanupOldVersions` removed, per dataset of the index. */
export interface IndexCleanupResult {
  metadata: CleanupResult;
  nodes: CleanupResult;
  connections: CleanupResult;
}

function cutoffOf(olderThan: Date | number | undefined): number {
  if (olderThan === undefined) return Date.now() - DEFAULT_CLEANUP_OLDER_THAN_MS;
  if (olderThan instanceof Date && !Number.isNaN(olderThan.getTime())) return olderThan.getTime();
  if (typeof olderThan === 'number' && Number.isFinite(olderThan) && olderThan >= 0) return Date.now() - olderThan;
  throw new InvalidArgumentError(`\`olderThan\` must be a Date or a non-negative number of milliseconds, got ${String(olderThan)}`);
}

const NOTHING: CleanupResult = { removedVersions: [], removedDataFiles: [], removedIndices: [] };

/**
 * Removes the versions of the index's datasets that no reader started since `olderThan` can use
 * (see the file comment), in a folder or under an `s3://` prefix.
 * @throws NotFoundError when `dir` holds no saved index; CorruptDataError as a load would;
 *   NotSupportedError for a read-only (`http(s)://`) location; InvalidArgumentError for bad options
 */
export async function cleanupIndexVersions(dir: string, options: IndexCleanupOptions = {}): Promise<IndexCleanupResult> {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`\`options\` must be an object, got ${String(options)}`);
  const cutoff = cutoffOf(options.olderThan);
  const loc = resolveLocation(dir, options);
  requireWritable(loc);
  const parts = await runStepsAsync(openParts(loc));
  try {
    const rows = parts.meta.countRows();
    const table = await parts.meta.toTable({ columns: ['nodes_version', 'connections_version', 'saved_at'] });
    if (table.numRows !== rows) throw corrupt(parts.root, `${METADATA_DATASET} version ${parts.meta.version}`, `${rows} rows (from its manifest)`, table.numRows);
    const nodesVersions: number[] = [];
    const connectionsVersions: number[] = [];
    const savedAt: number[] = [];
    for (const b of table.batches) {
      for (let i = 0; i < b.numRows; i++) {
        nodesVersions.push(b.column('nodes_version').get(i) as number);
        connectionsVersions.push(b.column('connections_version').get(i) as number);
        savedAt.push(b.column('saved_at').get(i) as number);
      }
    }
    // The commit that was the latest at the cutoff: the last row saved at or before it. When every
    // row is newer (the rows were rewritten since, or the cutoff is older than the first save), what
    // older commits named is unknown here, so nothing is removed.
    let floor = -1;
    for (let r = 0; r < rows; r++) if (savedAt[r]! <= cutoff) floor = r;
    if (floor < 0) return { metadata: NOTHING, nodes: NOTHING, connections: NOTHING };
    // Each save commits exactly one metadata version holding its row last, so row `floor` was
    // committed `rows - 1 - floor` versions before the one read.
    const metadataFloor = parts.meta.version - (rows - 1 - floor);
    if (metadataFloor < 1) throw corrupt(parts.root, `${METADATA_DATASET} version ${parts.meta.version}`, `at least ${rows} versions`, `${rows} rows`);
    // Nodes and connections first: if this stops half way, the metadata versions naming what is
    // left are still there.
    const nodes = await parts.nodes.cleanupOldVersionsAsync({ olderThan: 0, keepFrom: nodesVersions[floor]! });
    const connections = await parts.connections.cleanupOldVersionsAsync({ olderThan: 0, keepFrom: connectionsVersions[floor]! });
    // Checked before relying on it: that version holds exactly the rows up to `floor` (else some
    // commit wrote more than one version, and the metadata versions are left as they are).
    // (A version already removed by hand leaves them as they are too.)
    let floorRows = -1;
    try {
      const atFloor = await runStepsAsync(perform(openStep(loc, METADATA_DATASET, metadataFloor)));
      floorRows = atFloor.countRows();
      await atFloor.close();
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    const metadata = floorRows === floor + 1 ? await parts.meta.cleanupOldVersionsAsync({ olderThan: 0, keepFrom: metadataFloor }) : NOTHING;
    return { metadata, nodes, connections };
  } finally {
    await runStepsAsync(perform(closeStep(parts.meta, parts.nodes, parts.connections)));
  }
}

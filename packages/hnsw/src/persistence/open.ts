/**
 * Opening a saved index: the last row of `metadata.lance` (the commit point) after its format
 * version is checked, then `nodes.lance` and `connections.lance` at exactly the versions that row
 * names, their row counts and schemas checked against it.
 */
import { type Dataset, Int32, NotFoundError, type RecordBatch, type Schema, type Table, UnsupportedVersionError, type ScanOptions } from '@vego/io';
import type { ResolvedHnswConfig } from '../config';
import { type IndexLocation, closeStep, corrupt, openStep } from './directory';
import {
  CONNECTIONS_DATASET,
  LANCE_FORMAT_VERSION,
  METADATA_CHECKED_FIELDS,
  METADATA_DATASET,
  METADATA_SCHEMA,
  type MetadataRow,
  NODES_DATASET,
  connectionsSchemaOf,
  nodesSchema,
} from './layout';
import { existsLocal } from './local-paths';
import { checkMetadataRow, verifyMetadataChecksum } from './metadata-row';
import { type Step, type Steps, perform } from './steps';

function checkSchema(root: string, name: string, actual: Schema, expected: Schema, only?: readonly string[]): void {
  for (const field of expected.fields) {
    if (only !== undefined && !only.includes(field.name)) continue;
    const found = actual.field(field.name);
    if (found === null || !found.type.equals(field.type)) {
      throw corrupt(root, `${name} column '${field.name}'`, String(field.type), found === null ? 'no such column' : String(found.type));
    }
  }
}

function* openMetadata(loc: IndexLocation): Steps<Dataset> {
  const root = loc.root;
  if (loc.store === null && !existsLocal(root)) throw new NotFoundError(`saved index '${root}' does not exist`);
  try {
    return yield* perform(openStep(loc, METADATA_DATASET));
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new NotFoundError(`'${root}' holds no saved index: ${METADATA_DATASET} is missing (${e.message})`, { cause: e });
    }
    throw e;
  }
}

/** Reads `options` of `ds` as one table. */
export function tableStep(ds: Dataset, options: ScanOptions): Step<Table> {
  return { sync: () => ds.toTableSync(options), async: () => ds.toTable(options) };
}

/** Reads the last metadata row (the commit) after checking its format version. */
function* readCommitRow(root: string, meta: Dataset): Steps<MetadataRow> {
  const versionField = meta.schema.field('format_version');
  if (versionField === null || !versionField.type.equals(new Int32())) {
    throw corrupt(root, `${METADATA_DATASET} column 'format_version'`, 'int32', versionField === null ? 'no such column' : String(versionField.type));
  }
  const rows = meta.countRows();
  if (rows === 0) throw corrupt(root, `${METADATA_DATASET} version ${meta.version}`, 'at least one row', 'none');
  // The whole column is read (a few hundred rows at most: saves rewrite the dataset past
  // METADATA_MAX_ROWS), not only the last row: a scan checks the row count of every fragment it
  // passes, and the commit is the last row only if every fragment's claim is right. Reading just
  // `offset: rows - 1` would never open a later fragment that claims 0 rows, and would load an
  // older commit (deleted nodes back) without a word.
  const versions = yield* perform(tableStep(meta, { columns: ['format_version'] }));
  if (versions.numRows !== rows) throw corrupt(root, `${METADATA_DATASET} version ${meta.version}`, `${rows} rows (from its manifest)`, versions.numRows);
  const versionBatch = versions.batches[versions.batches.length - 1]!;
  const formatVersion = versionBatch.columnAt(0).get(versionBatch.numRows - 1) as number | null;
  if (formatVersion === null || formatVersion < 1) throw corrupt(root, 'format_version', 'a positive integer', formatVersion);
  if (formatVersion > LANCE_FORMAT_VERSION) {
    throw new UnsupportedVersionError(
      `saved index '${root}' has format version ${formatVersion}; this build reads versions 1 to ${LANCE_FORMAT_VERSION}`,
      formatVersion,
      0,
    );
  }
  // Versions 1 and 2 share the layout and differ in the node checksum (checksums.ts's nodeHashOf);
  // version 3 has fixed-width link rows (layout.ts). The loader picks by this row.
  // Every field but `checksum` is required; `checksum` too when the dataset has the column (saves
  // of this build), and then it must match.
  const checked = meta.schema.field('checksum') !== null;
  const fields = checked ? METADATA_SCHEMA.fields.map((f) => f.name) : METADATA_CHECKED_FIELDS;
  checkSchema(root, METADATA_DATASET, meta.schema, METADATA_SCHEMA, fields);
  const batch = (yield* perform(tableStep(meta, { columns: fields, offset: rows - 1, limit: 1 }))).batches[0]!;
  const row: Record<string, unknown> = {};
  for (const name of fields) row[name] = batch.column(name).get(0);
  for (const name of fields) {
    if (row[name] === null || row[name] === undefined) throw corrupt(root, `${METADATA_DATASET} column '${name}'`, 'a value', 'null');
  }
  if (checked) verifyMetadataChecksum(root, row, row.checksum as bigint);
  return row as unknown as MetadataRow;
}

function* openAt(loc: IndexLocation, name: string, version: number, metaVersion: number): Steps<Dataset> {
  try {
    return yield* perform(openStep(loc, name, version));
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new NotFoundError(`saved index '${loc.root}': ${METADATA_DATASET} version ${metaVersion} names ${name} version ${version}, which cannot be opened: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

/** A saved index opened at its last commit: the metadata row and the two datasets it names. */
export interface OpenedParts {
  root: string;
  location: IndexLocation;
  meta: Dataset;
  row: MetadataRow;
  config: ResolvedHnswConfig;
  nodes: Dataset;
  connections: Dataset;
}

/**
 * Opens the last committed save at `loc` (the datasets opened are closed again on failure).
 * @throws NotFoundError when there is none or a part is missing; CorruptDataError when the parts
 *   disagree with the metadata row; UnsupportedVersionError for a newer format
 */
export function* openParts(loc: IndexLocation): Steps<OpenedParts> {
  const root = loc.root;
  const meta = yield* openMetadata(loc);
  let nodes: Dataset | null = null;
  let connections: Dataset | null = null;
  try {
    const row = yield* readCommitRow(root, meta);
    const config: ResolvedHnswConfig = checkMetadataRow(root, row);
    nodes = yield* openAt(loc, NODES_DATASET, row.nodes_version, meta.version);
    connections = yield* openAt(loc, CONNECTIONS_DATASET, row.connections_version, meta.version);
    if (nodes.countRows() !== row.nodes_rows) {
      throw corrupt(root, `${NODES_DATASET} version ${row.nodes_version}`, `${row.nodes_rows} rows (from metadata)`, nodes.countRows());
    }
    if (connections.countRows() !== row.connections_rows) {
      throw corrupt(root, `${CONNECTIONS_DATASET} version ${row.connections_version}`, `${row.connections_rows} rows (from metadata)`, connections.countRows());
    }
    checkSchema(root, NODES_DATASET, nodes.schema, nodesSchema(config.dimension, config.distance));
    checkSchema(root, CONNECTIONS_DATASET, connections.schema, connectionsSchemaOf(row.format_version, config.M));
    return { root, location: loc, meta, row, config, nodes, connections };
  } catch (e) {
    yield* perform(closeStep(meta, nodes, connections));
    throw e;
  }
}

/** @throws CorruptDataError when a column of a saved index holds nulls */
export function noNulls(root: string, name: string, column: string, nullCount: number): void {
  if (nullCount !== 0) throw corrupt(root, `${name} column '${column}'`, 'no nulls', `${nullCount} nulls`);
}

/** Little-endian word view of an int64 column's values (the two checksum words of each row). */
export function checksumWords(column: RecordBatch['columns'][number]): { words: Uint32Array; offset: number } {
  const v = column as unknown as { values: BigInt64Array; offset: number };
  return { words: new Uint32Array(v.values.buffer, v.values.byteOffset, v.values.length * 2), offset: v.offset };
}

/** Closes the three datasets of {@link openParts}. */
export function closePartsStep(parts: OpenedParts): Step<void> {
  return closeStep(parts.meta, parts.nodes, parts.connections);
}

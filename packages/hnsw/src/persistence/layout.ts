/**
 * The on-disk layout of a saved index: three Lance datasets in one directory, which LanceDB opens
 * as the tables `nodes`, `connections` and `metadata` of `connect(dir)`. This build writes format
 * version 3:
 *
 * ```text
 * <dir>/nodes.lance        id int32, vector fixed_size_list<float32>[dimension], level int32, deleted bool,
 *                          checksum int64
 *                          one live row per node
 * <dir>/connections.lance  node int32, layer int32, links fixed_size_list<int32>[1 + 2M], checksum int64
 *                          one live row per (node, layer) link list
 * <dir>/metadata.lance     one row per save; the last row is the commit (see METADATA_SCHEMA)
 * ```
 * `links` is a link list as the index holds it in memory: word 0 the neighbour count `c`, words
 * 1 … c the neighbour ids, and the rest unused. A layer-0 row is the node's whole layer-0 slot
 * (`1 + 2M` words, the unused words as memory holds them: whatever the list held before it
 * shrank); a row of a layer ≥ 1 holds that layer's `1 + M` words followed by `M` zero words. A
 * whole save writes the layer-0 lists of ids 0 … n−1 as rows 0 … n−1, straight from the index's
 * layer-0 memory (one fixed-width column, no per-row building), then the lists of layers ≥ 1 in
 * the order of their checksum index (`checksums.ts`: node by node, layer by layer), so row `k` is
 * list `k`; a load of such a dataset reads rows 0 … n−1 straight back into the layer-0 memory.
 *
 * An incremental save appends the rows of the changed nodes and lists, then deletes the rows they
 * supersede (Lance deletion files), so each version a metadata row names has one live row per
 * node and per list, in no particular order. Directories saved by earlier builds (which did not
 * delete) may hold several live rows of an id or list; the last one wins, and the next save
 * rewrites that dataset.
 *
 * Format versions (`metadata.format_version`; a load picks its reader by it, and refuses later
 * versions with UnsupportedVersionError):
 * - 1: `connections.lance` is `node int32, layer int32, neighbours list<int32>, checksum int64`,
 *   one variable-length row per list, whole saves in the order node 0's layers 0 … level, node 1's …;
 *   node checksums by the scalar hash, list checksums of the count and ids (`checksums.ts`).
 * - 2: the layout of 1; node checksums by the WebAssembly row hash.
 * - 3: the fixed-width `links` column above (list checksums of the whole fixed-width row, by the
 *   row hash); nodes as in 2. The first save of an index loaded from version 1 or 2 rewrites the
 *   directory whole in version 3.
 *
 * Worked example: an l2 index of 3 two-dimensional vectors with M = 2, all on layer 0 except id 1
 * (level 1, the entry point), saved once (checksum columns left out; `_` an unused word):
 * ```text
 * nodes        (0, [0,0], 0, false) (1, [1,0], 1, false) (2, [0,1], 0, false)
 * connections  (0, 0, [2, 1,2, _,_]) (1, 0, [2, 0,2, _,_]) (2, 0, [2, 0,1, _,_]) (1, 1, [0, _,_, 0,0])
 * metadata     (format_version 3, nodes_version 1, connections_version 1, nodes_rows 3,
 *               connections_rows 4, num_ids 3, num_live 3, entry_point 1, max_level 1, …)
 * ```
 * Say id 2 then moves to [0,2] and, of the lists, only its own changes (to [1,0]); saving again to
 * the same directory appends the changed rows and deletes the rows they supersede:
 * ```text
 * nodes        version 2 = version 1 + (2, [0,2], 0, false); version 3 = version 2 without live row 2
 * connections  version 2 = version 1 + (2, 0, [2, 1,0, _,_]); version 3 = version 2 without live row 2
 * metadata     + (…, nodes_version 3, connections_version 3, nodes_rows 3, connections_rows 4, …)
 * ```
 * Vectors are stored as the index holds them (unit length under cosine). Under a binary metric
 * (`hamming`, `jaccard`; `dimension` counts bits) the column is `vector fixed_size_list<uint8>[dimension / 8]`,
 * the bit-packed bytes as given, the type LanceDB itself takes for binary vectors. `checksum` is the row's
 * checksum (`checksums.ts`: the two 32-bit words as one little-endian int64). A load recomputes it
 * from every row it read and throws CorruptDataError on a difference (unless told to trust the
 * data), then keeps it so that the next save knows what changed without hashing every row again.
 */
import { Bool, Field, FixedSizeList, Float32, Float64, Int32, Int64, List, Schema, Uint8, Utf8 } from '@vego/io';
import { isBinaryMetric } from '../distance';

/**
 * Layout version written by this build into `metadata.format_version`: 3 (the fixed-width `links`
 * column, see the top of this file). This build loads versions 1 to 3, verifying each with its
 * own checksums, and refuses later versions (UnsupportedVersionError).
 */
export const LANCE_FORMAT_VERSION = 3;

/** Directory of the nodes dataset inside a saved index (LanceDB table `nodes`). */
export const NODES_DATASET = 'nodes.lance';
/** Directory of the connections dataset inside a saved index (LanceDB table `connections`). */
export const CONNECTIONS_DATASET = 'connections.lance';
/** Directory of the metadata dataset inside a saved index (LanceDB table `metadata`). */
export const METADATA_DATASET = 'metadata.lance';

/**
 * Schema of `nodes.lance` for vectors of `dimension` components, or under a binary `distance` of
 * `dimension` bits (`fixed_size_list<uint8>[dimension / 8]`).
 */
export function nodesSchema(dimension: number, distance = 'l2'): Schema {
  // Schemas are immutable: one per shape, reused by every save (building one costs more than a small save's rows).
  const key = `${dimension}/${distance}`;
  let schema = nodesSchemas.get(key);
  if (schema === undefined) nodesSchemas.set(key, (schema = buildNodesSchema(dimension, distance)));
  return schema;
}

const nodesSchemas = new Map<string, Schema>();

function buildNodesSchema(dimension: number, distance: string): Schema {
  const vector = isBinaryMetric(distance) ? new FixedSizeList(new Field('item', new Uint8(), true), dimension / 8) : new FixedSizeList(new Field('item', new Float32(), true), dimension);
  return new Schema([
    new Field('id', new Int32(), false),
    new Field('vector', vector, false),
    new Field('level', new Int32(), false),
    new Field('deleted', new Bool(), false),
    new Field('checksum', new Int64(), false),
  ]);
}

/**
 * Schema of `connections.lance` in format versions 1 and 2 (one `list<int32>` row per link list),
 * which this build still loads; saves of this build write {@link connectionsSchema}.
 */
export const CONNECTIONS_SCHEMA = new Schema([
  new Field('node', new Int32(), false),
  new Field('layer', new Int32(), false),
  new Field('neighbours', new List(new Field('item', new Int32(), true)), false),
  new Field('checksum', new Int64(), false),
]);

/**
 * Schema of `connections.lance` in format version 3 (written by this build) for an index of
 * parameter `M`: each link list as one `fixed_size_list<int32>[1 + 2M]` row (count, ids, unused
 * words; see the top of this file).
 */
export function connectionsSchema(M: number): Schema {
  let schema = connectionsSchemas.get(M);
  if (schema === undefined) connectionsSchemas.set(M, (schema = buildConnectionsSchema(M)));
  return schema;
}

const connectionsSchemas = new Map<number, Schema>();

function buildConnectionsSchema(M: number): Schema {
  return new Schema([
    new Field('node', new Int32(), false),
    new Field('layer', new Int32(), false),
    new Field('links', new FixedSizeList(new Field('item', new Int32(), true), 1 + 2 * M), false),
    new Field('checksum', new Int64(), false),
  ]);
}

/** Schema of `connections.lance` in saves of format version `formatVersion` (1 to 3) of an index of parameter `M`. */
export function connectionsSchemaOf(formatVersion: number, M: number): Schema {
  return formatVersion >= 3 ? connectionsSchema(M) : CONNECTIONS_SCHEMA;
}

/**
 * Schema of `metadata.lance`. `nodes_version` / `connections_version` are the dataset versions
 * this save committed (the loader opens exactly those), `nodes_rows` / `connections_rows` their
 * live row counts (`num_ids` and the number of link lists, for saves of this build); `config` is the resolved configuration as JSON (the scalar copies beside it are for
 * people browsing the table, and must agree with it); `checksum` covers every other field
 * (`metadata-row.ts`). Rows of saves before the checksum column have no such column and load
 * unverified; the next save rewrites the dataset with it (adding a column keeps format version 1).
 */
export const METADATA_SCHEMA = new Schema([
  new Field('format_version', new Int32(), false),
  new Field('nodes_version', new Int32(), false),
  new Field('connections_version', new Int32(), false),
  new Field('nodes_rows', new Int32(), false),
  new Field('connections_rows', new Int32(), false),
  new Field('num_ids', new Int32(), false),
  new Field('num_live', new Int32(), false),
  new Field('entry_point', new Int32(), false),
  new Field('max_level', new Int32(), false),
  new Field('rng_state', new Float64(), false),
  new Field('dimension', new Int32(), false),
  new Field('m', new Int32(), false),
  new Field('ef_construction', new Int32(), false),
  new Field('distance', new Utf8(), false),
  new Field('config', new Utf8(), false),
  new Field('saved_at', new Float64(), false),
  new Field('checksum', new Int64(), false),
]);

/**
 * The fields of a metadata row that its `checksum` covers (all but `checksum`, in schema order).
 * Saves of earlier builds have exactly these columns: they load without a checksum to verify.
 */
export const METADATA_CHECKED_FIELDS: readonly string[] = METADATA_SCHEMA.fields.filter((f) => f.name !== 'checksum').map((f) => f.name);

/** One row of `metadata.lance` (the same in every format version), as plain values. */
export interface MetadataRow {
  format_version: number;
  nodes_version: number;
  connections_version: number;
  nodes_rows: number;
  connections_rows: number;
  num_ids: number;
  num_live: number;
  entry_point: number;
  max_level: number;
  rng_state: number;
  dimension: number;
  m: number;
  ef_construction: number;
  distance: string;
  config: string;
  saved_at: number;
  /** Checksum of the other fields (`metadata-row.ts`); absent in rows of earlier saves. */
  checksum?: bigint;
}

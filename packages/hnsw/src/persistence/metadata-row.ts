/**
 * The commit row of `metadata.lance`, checked field by field on load: every field a load relies on
 * must be present, of its type, in range and consistent with the others (the scalar copies with
 * the `config` JSON), and the row's checksum must match when it carries one. A damaged or missing
 * value is CorruptDataError naming the field; a load never fills in a default for it.
 *
 * The checksum (column `checksum`, int64) covers every other field of the row. Saves of this build
 * write it; rows of earlier saves have no such column and load unverified (their fields are still
 * checked here), and the next save to such a directory rewrites `metadata.lance` with the column.
 */
import { CorruptDataError } from '@vego/io';
import { type ResolvedHnswConfig, resolveHnswConfig } from '../config';
import { corrupt } from './directory';
import { METADATA_CHECKED_FIELDS, type MetadataRow } from './layout';

/** Keys of a resolved configuration, all required in a saved `config` except those in {@link OPTIONAL_CONFIG_KEYS}. */
const CONFIG_KEYS: readonly (keyof ResolvedHnswConfig)[] = ['dimension', 'M', 'efConstruction', 'distance', 'seed', 'adaptive', 'expectedSize', 'repairThreshold', 'quantization'];

/**
 * Keys that saves of earlier builds did not write, with the only value those builds could have
 * meant (they had no such option). Any other missing key is damage.
 */
const OPTIONAL_CONFIG_KEYS: Readonly<Partial<Record<keyof ResolvedHnswConfig, unknown>>> = { quantization: 'none' };

const encoder = new TextEncoder();

/**
 * The checksum of a metadata row: two 32-bit hashes (FNV-1a-style and a multiply-xor mix, each
 * finished with Murmur3's finaliser) of the UTF-8 JSON of every field except `checksum`, in schema
 * order, as one signed 64-bit integer (low word first, as the other checksum columns). Not
 * cryptographic: it detects damage, not tampering.
 */
export function metadataChecksum(row: Readonly<Record<string, unknown>>): bigint {
  const parts: unknown[] = [];
  for (const name of METADATA_CHECKED_FIELDS) parts.push(row[name]);
  const bytes = encoder.encode(JSON.stringify(parts));
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]!, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const lo = fmix((a ^ bytes.length) >>> 0);
  const hi = fmix((b ^ Math.imul(bytes.length, 0x9e3779b1)) >>> 0);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** Murmur3's finaliser. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** @throws CorruptDataError when the row's stored checksum differs from the one computed from its fields */
export function verifyMetadataChecksum(root: string, row: Readonly<Record<string, unknown>>, stored: bigint): void {
  const computed = metadataChecksum(row);
  if (computed !== stored) {
    throw corrupt(root, 'metadata `checksum`', `${hex(computed)} (computed from the row's fields)`, hex(stored));
  }
}

function hex(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, '0')}`;
}

function int(root: string, field: string, value: number, min: number, what: string): void {
  if (!(Number.isInteger(value) && value >= min)) throw corrupt(root, `metadata \`${field}\``, what, value);
}

/**
 * Checks the fields of a commit row and the configuration it stores, and returns that configuration.
 * Checked here: integer fields and their ranges (versions ≥ 1, counts ≥ 0, live ≤ ids, entry point
 * and top level ≥ −1), `saved_at` finite, `config` a JSON object with exactly the known keys (none
 * missing, none unknown), each valid and kept as stored (no default, no adaptive rule applied),
 * and the scalar copies `dimension`, `m`, `ef_construction`, `distance` equal to it. The entry
 * point, top level and generator state are checked against the nodes by the loader.
 * @throws CorruptDataError naming the first bad field
 */
export function checkMetadataRow(root: string, row: MetadataRow): ResolvedHnswConfig {
  int(root, 'nodes_version', row.nodes_version, 1, 'a version ≥ 1');
  int(root, 'connections_version', row.connections_version, 1, 'a version ≥ 1');
  int(root, 'num_ids', row.num_ids, 0, 'a non-negative integer');
  const n = row.num_ids;
  int(root, 'nodes_rows', row.nodes_rows, n, `at least num_ids = ${n}`);
  int(root, 'connections_rows', row.connections_rows, n, `at least num_ids = ${n}`);
  int(root, 'num_live', row.num_live, 0, 'a non-negative integer');
  if (row.num_live > n) throw corrupt(root, 'metadata `num_live`', `at most num_ids = ${n}`, row.num_live);
  int(root, 'entry_point', row.entry_point, -1, 'a node id or −1');
  if (row.entry_point >= n) throw corrupt(root, 'metadata `entry_point`', `a node id below ${n}`, row.entry_point);
  int(root, 'max_level', row.max_level, -1, 'a level or −1');
  if (!Number.isFinite(row.saved_at)) throw corrupt(root, 'metadata `saved_at`', 'a finite time', row.saved_at);
  const config = parseConfig(root, row.config);
  if (config.dimension !== row.dimension) throw corrupt(root, 'metadata `dimension`', `${config.dimension} (from config)`, row.dimension);
  if (config.M !== row.m) throw corrupt(root, 'metadata `m`', `${config.M} (from config)`, row.m);
  if (config.efConstruction !== row.ef_construction) {
    throw corrupt(root, 'metadata `ef_construction`', `${config.efConstruction} (from config)`, row.ef_construction);
  }
  if (config.distance !== row.distance) throw corrupt(root, 'metadata `distance`', `'${config.distance}' (from config)`, `'${row.distance}'`);
  return config;
}

/** The stored configuration: every key present (or one of {@link OPTIONAL_CONFIG_KEYS}), valid, and unchanged by resolving. */
function parseConfig(root: string, text: string): ResolvedHnswConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw corrupt(root, 'metadata `config`', 'JSON', `text that does not parse (${(cause as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corrupt(root, 'metadata `config`', 'a JSON object', text);
  const stored = parsed as Record<string, unknown>;
  for (const key of Object.keys(stored)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) throw corrupt(root, `metadata \`config\` key '${key}'`, `one of ${CONFIG_KEYS.join(', ')}`, 'an unknown key');
  }
  const complete: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const key of CONFIG_KEYS) {
    if (Object.prototype.hasOwnProperty.call(stored, key)) complete[key] = stored[key];
    else if (key in OPTIONAL_CONFIG_KEYS) complete[key] = OPTIONAL_CONFIG_KEYS[key];
    else missing.push(key);
  }
  // Values present are checked first (their message names the option); then a missing key is
  // damage in itself: resolving would fill in a default the index was not built with.
  let config: ResolvedHnswConfig;
  try {
    config = resolveHnswConfig(complete as unknown as ResolvedHnswConfig);
  } catch (cause) {
    throw new CorruptDataError(`saved index '${root}': metadata \`config\` is invalid: ${(cause as Error).message}`, { cause });
  }
  if (missing.length > 0) throw corrupt(root, `metadata \`config.${missing[0]}\``, 'a value', 'none (the key is missing)');
  for (const key of CONFIG_KEYS) {
    if (config[key] !== complete[key]) throw corrupt(root, `metadata \`config.${key}\``, `${String(config[key])} (as resolved)`, String(complete[key]));
  }
  return config;
}

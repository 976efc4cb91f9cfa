/**
 * @vego/hnsw: an HNSW nearest-neighbour index, persisted as Lance datasets.
 * @packageDocumentation
 */
export * from '@vego/io';
export { HNSW, DEFAULT_EF_SEARCH } from './hnsw';
export type { VectorLike, SearchResult, SearchOptions, ExactSearchOptions, AddBatchOptions, CompactResult } from './hnsw';
export {
  DEFAULT_M,
  DEFAULT_EF_CONSTRUCTION,
  DEFAULT_EXPECTED_SIZE,
  DEFAULT_SEED,
  DEFAULT_REPAIR_THRESHOLD,
  MAX_M,
  MAX_DIMENSION,
  MAX_EF_CONSTRUCTION,
  adaptiveM,
  adaptiveEfConstruction,
  resolveHnswConfig,
} from './config';
export type { HnswConfig, ResolvedHnswConfig, Quantization, RepairMode } from './config';
export { Prng } from './internal/prng';
export { L2Distance, CosineDistance, InnerProductDistance, DISTANCE_METRICS, isDistanceMetric } from './distance';
export type { DistanceMetric } from './distance';
export { SNAPSHOT_FORMAT_VERSION, validateSnapshot } from './snapshot';
export type { HnswSnapshot } from './snapshot';
export { loadHNSWFromLance, loadHNSWFromLanceSync } from './load-from-lance';
export { DEFAULT_COMPACTION_THRESHOLD } from './persistence';
export type { LanceSaveOptions, LanceSaveResult, LanceLoadOptions } from './persistence';
export { LANCE_FORMAT_VERSION, NODES_DATASET, CONNECTIONS_DATASET, METADATA_DATASET, CONNECTIONS_SCHEMA, METADATA_SCHEMA, nodesSchema } from './persistence/layout';
export type { MetadataRow } from './persistence/layout';

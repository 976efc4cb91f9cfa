/**
 * @vego/hnsw: an HNSW nearest-neighbour index, persisted as Lance datasets.
 * @packageDocumentation
 */
export * from '@vego/io';

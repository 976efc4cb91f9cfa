/**
 * @vego/db: collections of documents (your own keys, vectors, text and typed metadata) with filter
 * expressions, vector, full-text and hybrid search, each collection persisted as one Lance dataset.
 * @packageDocumentation
 */
export * from '@vego/hnsw';

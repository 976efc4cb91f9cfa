/**
 * Options of collections and the names shared by the collection modules.
 */
import type { VectorLike } from '@vego/hnsw';
import type { FullTextOptions } from './fulltext/collection-text-index';
import type { MetadataSchema } from './schema';

/** Distance of a collection (see @vego/hnsw: squared L2, `1 − cos`, `1 − a·b`). */
export type DistanceName = 'l2' | 'cosine' | 'innerProduct';

/**
 * Text in, vectors out: one vector per text, in order. Sync or async. See `ollamaEmbedder` and
 * `openAIEmbedder` for HTTP adapters.
 */
export type EmbedFunction = (texts: readonly string[]) => Promise<readonly VectorLike[]> | readonly VectorLike[];

/** Options of `Database.createCollection`. */
export interface CreateCollectionOptions {
  /** Vector length (required). */
  dimension: number;
  /** Default `'cosine'`. */
  distance?: DistanceName;
  /** Metadata fields declared up front; others are inferred from the first values seen. */
  schema?: MetadataSchema;
  /** Embeds texts of documents without a vector, and text queries. Not persisted: pass it again on open. */
  embed?: EmbedFunction;
  /**
   * A full-text (BM25) index over the documents' text, for `{ text }` and hybrid `{ vector, text }`
   * searches: `true` for the default tokenizer, or its options (see `FullTextOptions`). Saved
   * beside the collection; later opens find it without this option.
   */
  fullText?: boolean | FullTextOptions;
  /** HNSW `M` (default 16). */
  M?: number;
  /** HNSW `efConstruction` (default 200). */
  efConstruction?: number;
  /** HNSW seed (default 42). */
  seed?: number;
  /**
   * Persisted collections: save the index after a write once this many index changes (documents
   * added, deleted or given a new vector) are unsaved; `flush()` and `close()` always save. Between
   * saves the dataset alone holds the changes, and a reopen after a crash re-adds them. Default
   * 1,000; 1 saves after every write.
   */
  indexSaveEvery?: number;
}

/** Options of `Database.openCollection`. */
export interface OpenCollectionOptions {
  /**
   * Full-text settings. Default: those of the saved full-text index, if any. Settings other than
   * the saved ones rebuild it; `false` opens without it. A custom tokenizer must be passed again.
   */
  fullText?: boolean | FullTextOptions;
  /** The embedder (not persisted). */
  embed?: EmbedFunction;
  /** See {@link CreateCollectionOptions.indexSaveEvery}. */
  indexSaveEvery?: number;
}

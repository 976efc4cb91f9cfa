/**
 * @vego/format: the Lance v2 file format, bytes in and bytes out.
 * @packageDocumentation
 */
export * from '@vego/encoding';

export { MemorySource, MemorySink } from './source';
export type { SyncByteSource, AsyncByteSource, ByteSink } from './source';
export { FOOTER_BYTES, MAGIC, LANCE_2_0_VERSION, encodeFooter, decodeFooter, lanceVersionName } from './footer';
export type { LanceFooter } from './footer';
export { encodeArrayEncoding, decodeArrayEncoding, describeArrayEncoding } from './array-encoding';
export type { ArrayEncoding, BufferRef, BufferLocation, CompressionSpec } from './array-encoding';
export { encodeColumnMetadata, decodeColumnMetadata } from './column-metadata';
export type { ColumnInfo, PageInfo } from './column-metadata';
export { schemaToLanceFields, lanceFieldsToSchema, lanceFieldsToSchemaLenient, encodeFileDescriptor, decodeFileDescriptor } from './lance-schema';
export type { LanceField, FileDescriptor, UnsupportedField, LenientSchema } from './lance-schema';
export { fieldNodes, nodeCount } from './field-columns';
export type { FieldColumns } from './field-columns';
export { MAX_UNBACKED_VALUES } from './page-decoder';
export type { BufferCodec } from './page-decoder';
export { LanceFileWriter, columnCount } from './writer';
export type { LanceFileWriterOptions, FileSummary, LanceFileVersion } from './writer';
export { LanceFileReader } from './reader';
export type { ReadOptions, OpenOptions } from './reader';
export { encodeManifest, decodeManifest, manifestForFiles, manifestFileName, parseManifestFileName, columnIndicesFor, dataFileColumns } from './manifest';
export type { Manifest, DataFragment, DataFile, DeletionFile, ManifestFileInput } from './manifest';
export { ZSTD_BUFFER_CODEC } from './zstd-codec';

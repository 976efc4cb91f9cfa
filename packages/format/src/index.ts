/**
 * @vego/format: the Lance v2 file format, bytes in and bytes out.
 * @packageDocumentation
 */
// What this package passes on from @vego/encoding, by name: the error family and Arrow's data model
// (what Lance files are read into and written from), the kernels @vego/io builds scans with, and the
// zstd and decode-limit settings that govern this package's page codecs. The codecs themselves stay
// in @vego/encoding.
export {
  ErrorCode,
  VegoError,
  isVegoError,
  InvalidArgumentError,
  LengthMismatchError,
  TypeMismatchError,
  OutOfRangeError,
  CorruptDataError,
  corruptData,
  UnsupportedVersionError,
  NotSupportedError,
  IoError,
  NotFoundError,
  ConflictError,
  ResourceExhaustedError,
  InternalError,
} from '@vego/encoding';
export type { VegoErrorOptions } from '@vego/encoding';
export {
  TypeId,
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Float16,
  Float32,
  Float64,
  Utf8,
  Binary,
  FixedSizeList,
  List,
  Struct,
  Dictionary,
  Date32,
  Date64,
  Timestamp,
  Time32,
  Time64,
  Duration,
  FixedSizeBinary,
  Decimal128,
  Decimal256,
  LargeUtf8,
  LargeBinary,
  Field,
  Schema,
  isDataType,
  isNumeric,
  isPrimitive,
  isFixedWidth,
  isFixedBinary,
  isVariableBinary,
  isTemporal,
  ArrayData,
  makeData,
  checkData,
  Vector,
  BoolVector,
  Int8Vector,
  Int16Vector,
  Int32Vector,
  Int64Vector,
  Uint8Vector,
  Uint16Vector,
  Uint32Vector,
  Uint64Vector,
  Float16Vector,
  Float32Vector,
  Float64Vector,
  Utf8Vector,
  BinaryVector,
  FixedSizeListVector,
  ListVector,
  StructVector,
  Temporal32Vector,
  Temporal64Vector,
  FixedSizeBinaryVector,
  DecimalVector,
  LargeUtf8Vector,
  LargeBinaryVector,
  DictionaryVector,
  makeVector,
  vectorFromTypedArray,
  fixedSizeListFromFloat32,
  utf8FromStrings,
  vectorFrom,
  makeBuilder,
  RecordBatch,
  Table,
  concatData,
  makeNullData,
  takeData,
  takeBatch,
} from '@vego/encoding';
export type { DataType, TypedArray, TimeUnit, DictionaryIndexType, DataInit } from '@vego/encoding';
export {
  initZstd,
  isZstdReady,
  ZstdNotInitializedError,
  zstdDecompress,
  DEFAULT_MAX_OUTPUT_BYTES,
  getDefaultDecodeLimits,
  setDefaultDecodeLimits,
} from '@vego/encoding';
export type { DecodeLimits } from '@vego/encoding';

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
export type { Manifest, ManifestSections, DataFragment, DataFile, DeletionFile, ManifestFileInput } from './manifest';
export { indexSectionBytes, decodeIndexSection } from './index-section';
export { encodeTransaction } from './transaction';
export type { LanceTransaction, LanceOperation } from './transaction';
export type { LanceIndexMetadata } from './index-section';
export { ZSTD_BUFFER_CODEC } from './zstd-codec';
export { LZ4_BUFFER_CODEC } from './lz4-codec';
export { DELETION_BITMAP_THRESHOLD, deletionFileName, decodeDeletionFile, encodeDeletionFile } from './deletion/deletion-file';
export { readUint32ArrowFile, writeUint32ArrowFile } from './deletion/arrow-ipc-uint32';
export { deserializeRoaring, serializeRoaring } from './deletion/roaring';
export { perform, runTaskSync, runTaskAsync, resolvedEffect, allEffects } from './effects';
export type { Effect, Task } from './effects';

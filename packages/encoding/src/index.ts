/**
 * @vego/encoding: columnar codecs over @vego/arrow arrays: plain, ZSTD, bit-packing with frame of
 * reference, RLE, byte-stream split (alone and before ZSTD), dictionary; one-pass statistics and
 * adaptive selection; an array-level API with a JSON-serialisable encoding description.
 * @packageDocumentation
 */
// What this package passes on from @vego/arrow, by name. Every tier throws the same error family, and the
// tiers above read and write Arrow data through this one (the layering lets each tier import only the
// tier directly below), so the error family and Arrow's data model travel up: types, fields and schemas,
// arrays, vectors, record batches and tables, plus the few kernels @vego/format and @vego/io build
// pages and scans with (concat, take, bit copying). Buffer helpers, builder classes and float16
// conversion stay in @vego/arrow.
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
} from '@vego/arrow';
export type { VegoErrorOptions } from '@vego/arrow';
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
  copyBits,
} from '@vego/arrow';
export type { DataType, TypedArray, TimeUnit, DictionaryIndexType, DataInit } from '@vego/arrow';

export {
  bitPackedByteLength,
  bitWidth32,
  encodeBitPacked,
  decodeBitPacked,
  encodeBitPacked64,
  decodeBitPacked64,
  frameOfReference32,
  undoFrameOfReference32,
  frameOfReference64,
  undoFrameOfReference64,
} from './bit-packing';
export type { Int32Like, FrameOfReference32, FrameOfReference64 } from './bit-packing';
export { countRuns, encodeRle, decodeRle } from './rle';
export type { RleInput } from './rle';
export { encodeByteStreamSplit, decodeByteStreamSplit } from './byte-stream-split';
export {
  initZstd,
  isZstdReady,
  zstdCompress,
  zstdDecompress,
  ZstdNotInitializedError,
  ZSTD_FRAME_BYTES,
  ZSTD_MAX_FRAME_CONTENT_BYTES,
  ZSTD_DEFAULT_LEVEL,
} from './zstd';
export type { ZstdCodecLoader } from './zstd';
export {
  buildDictionary32,
  buildDictionary64,
  buildDictionaryBinary,
  applyDictionary32,
  applyDictionary64,
  applyDictionaryBinary,
} from './dictionary';
export type { Dictionary32, Dictionary64, DictionaryBinary } from './dictionary';
export { computeStatistics, DISTINCT_EXACT_LIMIT, ENTROPY_SAMPLE_BYTES } from './statistics';
export type { ArrayStatistics } from './statistics';
export { chooseEncoding, applicableEncodings, estimateSizes, LIGHTWEIGHT_PREFERENCE } from './choose-encoding';
export type { EncodeOptions, EncodingChoice } from './choose-encoding';
export { ENCODING_KINDS, encodedByteLength } from './encoding-description';
export type { EncodingKind, IndexEncoding, EncodingDescription, EncodedArray } from './encoding-description';
export { encodeArray, decodeArray } from './array-codec';
export { fastLanesBlockByteLength, packFastLanesBlock } from './lance/fastlanes';
export { encodeInlineBitpacked, inlineBitpackedByteLength, maxBitWidth } from './lance/inline-bitpacking';
export { encodeOutOfLineBitpacked, outOfLineTailIsRaw } from './lance/out-of-line-bitpacking';
export { encodeVariableChunk, variableChunkByteLength } from './lance/variable';
export { MINI_BLOCK_TARGET_BYTES, inlineBitpackedPageBytes, variableChunkBytes } from './lance/mini-block-encoders';
export type { LanceValueCompression, FixedWidthValues, VariableWidthValues, PageValues, MiniBlockEncoder } from './lance/mini-block-encoders';
export { LANCE_ENCODINGS, MINI_BLOCK_ENCODERS, chooseMiniBlockEncoder, lanceEncoding, toCompressiveEncoding } from './lance/registry';
export type { LanceEncoding, LanceEncodingKind } from './lance/registry';
export type { BlockDecodeContext, BlockDecoder, BlockFraming } from './lance/decode/frame';
export { DICTIONARY_NULL_INDEX, buildVariableDictionary, encodeVariableBlock } from './lance/dictionary';
export { FSST_MIN_PAGE_BYTES, FSST_SYMBOL_TABLE_BYTES, encodeFsstSymbolTable, fsstCompress, fsstCompressedByteLength, fsstPageIfSmaller, trainFsstTable } from './lance/fsst-encoder';
export type { FsstPage, FsstSymbolTable } from './lance/fsst-encoder';
export type { VariableDictionary } from './lance/dictionary';
export { countRleRuns, encodeRleChunk } from './lance/rle';
export { FL_ORDER } from './lance/fastlanes-order';
export { unpackFastLanes32, unpackFastLanes64 } from './lance/decode/fastlanes';
export { fsstDecompress, parseFsstTable } from './lance/decode/fsst';
export type { FsstTable } from './lance/decode/fsst';
export { lz4DecompressBlock } from './lance/decode/lz4';
export { expandLanceDictionary } from './lance/decode/dictionary-v2-0';
export type { LanceDictionaryStrings } from './lance/decode/dictionary-v2-0';
export { compressiveNotSupported, describeCompressiveEncoding, LANCE_MAX_CHUNK_VALUES, LANCE_MAX_DECOMPRESSED_BYTES } from './lance/decode/compressive';
export type { BufferCompressionScheme, CompressiveEncoding, DecodedBlock } from './lance/decode/compressive';
export { decompressBlock, decompressMiniBlock } from './lance/decode/blocks';
export { decompressGeneralBuffer, generalBufferSize, startsWithZstdMagic } from './lance/decode/general';
export { DEFAULT_MAX_OUTPUT_BYTES, checkDecodeLimits, getDefaultDecodeLimits, setDefaultDecodeLimits } from './decode-limits';
export type { DecodeLimits } from './decode-limits';

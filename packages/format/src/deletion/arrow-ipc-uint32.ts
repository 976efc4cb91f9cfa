/**
 * A minimal Arrow IPC *file* reader and writer for exactly one shape: one record batch of one
 * UInt32 column. That is the `.arrow` deletion file of a Lance dataset (column `row_id`, the
 * deleted row offsets of a fragment).
 *
 * File layout (little-endian):
 * ```text
 * "ARROW1" 00 00                                  magic, padded to 8
 * FF FF FF FF  i32 len  Message(Schema)           encapsulated messages (flatbuffers, padded to 8)
 * FF FF FF FF  i32 len  Message(RecordBatch)  body (validity buffer, values buffer)
 * FF FF FF FF  00 00 00 00                        end of stream
 * Footer flatbuffer  i32 footerLen  "ARROW1"      footer: schema + Block { i64 offset, i32 metaDataLength, i64 bodyLength }
 * ```
 * `Message { version 0, header_type 1, header 2, bodyLength 3 }`; `RecordBatch { length 0,
 * nodes 1 ([FieldNode { i64 length, i64 nullCount }]), buffers 2 ([Buffer { i64 offset, i64 length }]),
 * compression 3 (BodyCompression { codec 0: LZ4_FRAME 0 / ZSTD 1, method 1 }) }`. With compression,
 * each buffer starts with an i64 uncompressed length (-1 = stored uncompressed). LanceDB writes
 * ZSTD-compressed deletion files, so reading those needs `initZstd()` to have finished.
 *
 * Worked example: the values `[3, 7]` written here give a 546-byte file whose record batch body is
 * `03 00 00 00 07 00 00 00` (validity buffer empty, no compression).
 */
import { CorruptDataError, corruptData, NotSupportedError, zstdDecompress } from '@vego/encoding';
import { FbTable, FbWriter, safeInt64, type FbValue } from './flatbuffers';

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"
const CONTINUATION = 0xffffffff;
const METADATA_V5 = 4;
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
const TYPE_INT = 2;
const CODEC_ZSTD = 1;
const BLOCK_BYTES = 24;
const FIELD_NODE_BYTES = 16;
const BUFFER_BYTES = 16;

function corrupt(what: string, expected: string, found: string | number, at?: number): CorruptDataError {
  return corruptData(what, expected, found, at);
}

/** Checks the single UInt32 field of a Schema table. */
function checkSchema(schema: FbTable | undefined, what: string): void {
  if (schema === undefined) throw corrupt(`${what} footer`, 'a schema', 'none');
  if (schema.int16(0, 0) !== 0) throw new NotSupportedError(`${what}: big-endian Arrow files are not supported`);
  const fields = schema.vector(1, 4);
  const n = fields === undefined ? 0 : fields.length;
  if (n !== 1) throw corrupt(`${what} schema`, 'one field', `${n} fields`);
  const field = schema.tableAt(fields!, 0, `${what} schema field`);
  const typeType = field.uint8(2, 0);
  const type = field.table(3, `${what} field type`);
  const bitWidth = type === undefined ? 0 : type.int32(0, 0);
  const signed = type === undefined ? false : type.uint8(1, 0) !== 0;
  if (typeType !== TYPE_INT || bitWidth !== 32 || signed) {
    throw corrupt(`${what} schema`, 'a UInt32 column', `type ${typeType} (bit width ${bitWidth}, ${signed ? 'signed' : 'unsigned'})`);
  }
  if (field.has(4)) throw new NotSupportedError(`${what}: dictionary-encoded deletion column`);
  const children = field.vector(5, 4);
  if (children !== undefined && children.length !== 0) throw corrupt(`${what} field`, 'no children', children.length);
}

/**
 * Reads the one UInt32 column of an Arrow IPC file (copy). Every offset and length is checked.
 * @param what - names the file in error messages.
 * @param maxLength - most values accepted (a deletion file lists at most the fragment's rows).
 * @throws CorruptDataError for anything malformed (magic, footer, message, buffers, nulls);
 *   NotSupportedError for LZ4 compression, big-endian files or several batches;
 *   ZstdNotInitializedError when the file is ZSTD-compressed and `initZstd()` has not finished.
 */
export function readUint32ArrowFile(bytes: Uint8Array, what: string, maxLength: number): Uint32Array {
  const size = bytes.length;
  if (size < 6 + 2 + 4 + 6) throw corrupt(what, 'an Arrow IPC file of at least 18 bytes', `${size} bytes`);
  for (let i = 0; i < 6; i++) {
    if (bytes[i] !== MAGIC[i]) throw corrupt(what, 'magic "ARROW1"', `byte 0x${bytes[i]!.toString(16)}`, i);
    if (bytes[size - 6 + i] !== MAGIC[i]) throw corrupt(what, 'trailing magic "ARROW1"', `byte 0x${bytes[size - 6 + i]!.toString(16)}`, size - 6 + i);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, size);
  const footerLength = dv.getInt32(size - 10, true);
  const footerStart = size - 10 - footerLength;
  if (footerLength < 4 || footerStart < 8) {
    throw corrupt(`${what} footer length`, `4..${size - 18} bytes`, footerLength, size - 10);
  }
  const footer = FbTable.root(bytes, footerStart, footerLength, `${what} footer`);
  checkSchema(footer.table(1, `${what} footer schema`), what);
  const dictionaries = footer.vector(2, BLOCK_BYTES);
  if (dictionaries !== undefined && dictionaries.length !== 0) throw new NotSupportedError(`${what}: dictionary batches in a deletion file`);
  const blocks = footer.vector(3, BLOCK_BYTES);
  const numBlocks = blocks === undefined ? 0 : blocks.length;
  if (numBlocks !== 1) throw corrupt(`${what} footer`, 'exactly one record batch', numBlocks);
  const fdv = footer.dv;
  const b = blocks!.start;
  const blockOffset = safeInt64(fdv, b, `${what} block offset`);
  const metaLength = fdv.getInt32(b + 8, true);
  const bodyLength = safeInt64(fdv, b + 16, `${what} block body length`);
  if (blockOffset < 8 || metaLength < 8 || blockOffset + metaLength + bodyLength > footerStart) {
    throw corrupt(`${what} record batch block`, `a message within bytes 8..${footerStart}`, `offset ${blockOffset}, metadata ${metaLength} bytes, body ${bodyLength} bytes`);
  }
  // Encapsulated message: [FFFFFFFF] i32 length, flatbuffer (the old format has no continuation marker).
  let fbStart = blockOffset + 4;
  let fbLength = dv.getInt32(blockOffset, true);
  if (dv.getUint32(blockOffset, true) === CONTINUATION) {
    fbStart = blockOffset + 8;
    fbLength = dv.getInt32(blockOffset + 4, true);
  }
  if (fbLength < 4 || fbStart + fbLength > blockOffset + metaLength) {
    throw corrupt(`${what} message length`, `4..${blockOffset + metaLength - fbStart} bytes`, fbLength, blockOffset);
  }
  const message = FbTable.root(bytes, fbStart, fbLength, `${what} message`);
  const headerType = message.uint8(1, 0);
  if (headerType !== HEADER_RECORD_BATCH) throw corrupt(`${what} message`, `a record batch (header type ${HEADER_RECORD_BATCH})`, headerType, blockOffset);
  const batch = message.table(2, `${what} record batch`);
  if (batch === undefined) throw corrupt(`${what} message`, 'a record batch header', 'none', blockOffset);
  const length = batch.int64(0, 0);
  if (length > maxLength) throw corrupt(`${what} record batch`, `at most ${maxLength} rows`, length);
  const nodes = batch.vector(1, FIELD_NODE_BYTES);
  if (nodes === undefined || nodes.length !== 1) throw corrupt(`${what} record batch`, 'one field node', nodes === undefined ? 0 : nodes.length);
  const nodeLength = safeInt64(batch.dv, nodes.start, `${what} field node length`);
  const nullCount = safeInt64(batch.dv, nodes.start + 8, `${what} field node null count`);
  if (nodeLength !== length) throw corrupt(`${what} field node length`, String(length), nodeLength);
  if (nullCount !== 0) throw corrupt(`${what}`, 'no nulls in a deletion file', `${nullCount} nulls`);
  const buffers = batch.vector(2, BUFFER_BYTES);
  if (buffers === undefined || buffers.length !== 2) throw corrupt(`${what} record batch`, '2 buffers (validity, values)', buffers === undefined ? 0 : buffers.length);
  let compressed = false;
  const compression = batch.table(3, `${what} body compression`);
  if (compression !== undefined) {
    const codec = compression.int8(0, 0);
    if (codec !== CODEC_ZSTD) throw new NotSupportedError(`${what}: Arrow body compression codec ${codec} (only ZSTD = 1 is supported)`);
    if (compression.int8(1, 0) !== 0) throw corrupt(`${what} body compression method`, 'BUFFER (0)', compression.int8(1, 0));
    compressed = true;
  }
  const bodyStart = blockOffset + metaLength;
  const vOffset = safeInt64(batch.dv, buffers.start + BUFFER_BYTES, `${what} values buffer offset`);
  const vLength = safeInt64(batch.dv, buffers.start + BUFFER_BYTES + 8, `${what} values buffer length`);
  if (vOffset + vLength > bodyLength) {
    throw corrupt(`${what} values buffer`, `a range within the ${bodyLength}-byte body`, `offset ${vOffset}, length ${vLength}`, bodyStart);
  }
  let raw = bytes.subarray(bodyStart + vOffset, bodyStart + vOffset + vLength);
  const needed = length * 4;
  if (compressed && vLength > 0) {
    if (vLength < 8) throw corrupt(`${what} compressed values buffer`, 'an 8-byte length prefix', `${vLength} bytes`, bodyStart + vOffset);
    const rdv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (rdv.getInt32(4, true) === -1 && rdv.getInt32(0, true) === -1) raw = raw.subarray(8);
    else {
      const plain = safeInt64(rdv, 0, `${what} uncompressed length`);
      if (plain < needed || plain > needed + 64) throw corrupt(`${what} uncompressed values length`, `${needed} bytes`, plain, bodyStart + vOffset);
      raw = zstdDecompress(raw.subarray(8), plain);
    }
  }
  if (raw.length < needed) throw corrupt(`${what} values buffer`, `${needed} bytes for ${length} values`, `${raw.length} bytes`, bodyStart + vOffset);
  const out = new Uint32Array(length);
  const rdv = new DataView(raw.buffer, raw.byteOffset, needed);
  for (let i = 0; i < length; i++) out[i] = rdv.getUint32(i * 4, true);
  return out;
}

function schemaValue(): FbValue {
  const field: FbValue = {
    kind: 'table',
    fields: [
      { kind: 'ref', value: { kind: 'string', value: 'row_id' } },
      { kind: 'u8', value: 0 }, // nullable: false
      { kind: 'u8', value: TYPE_INT },
      { kind: 'ref', value: { kind: 'table', fields: [{ kind: 'i32', value: 32 }, { kind: 'u8', value: 0 }] } },
      null,
      { kind: 'ref', value: { kind: 'tables', items: [] } },
    ],
  };
  return { kind: 'table', fields: [{ kind: 'i16', value: 0 }, { kind: 'ref', value: { kind: 'tables', items: [field] } }] };
}

function int64Pairs(pairs: readonly [number, number][]): Uint8Array {
  const out = new Uint8Array(pairs.length * 16);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < pairs.length; i++) {
    dv.setBigInt64(i * 16, BigInt(pairs[i]![0]), true);
    dv.setBigInt64(i * 16 + 8, BigInt(pairs[i]![1]), true);
  }
  return out;
}

/**
 * Writes `values` as an Arrow IPC file with one non-nullable UInt32 column named `row_id` in one
 * record batch, uncompressed (the shape Lance reads as an `.arrow` deletion file).
 * @returns a new byte array (copy).
 */
export function writeUint32ArrowFile(values: Uint32Array): Uint8Array {
  const n = values.length;
  const valueBytes = n * 4;
  const bodyLength = (valueBytes + 7) & ~7;
  const schemaMsg = FbWriter.finish({
    kind: 'table',
    fields: [{ kind: 'i16', value: METADATA_V5 }, { kind: 'u8', value: HEADER_SCHEMA }, { kind: 'ref', value: schemaValue() }, { kind: 'i64', value: 0 }],
  });
  const batchMsg = FbWriter.finish({
    kind: 'table',
    fields: [
      { kind: 'i16', value: METADATA_V5 },
      { kind: 'u8', value: HEADER_RECORD_BATCH },
      {
        kind: 'ref',
        value: {
          kind: 'table',
          fields: [
            { kind: 'i64', value: n },
            { kind: 'ref', value: { kind: 'structs', bytes: int64Pairs([[n, 0]]), elementBytes: 16, align: 8 } },
            { kind: 'ref', value: { kind: 'structs', bytes: int64Pairs([[0, 0], [0, valueBytes]]), elementBytes: 16, align: 8 } },
          ],
        },
      },
      { kind: 'i64', value: bodyLength },
    ],
  });
  const batchAt = 8 + 8 + schemaMsg.length;
  const blockBytes = new Uint8Array(BLOCK_BYTES);
  const bdv = new DataView(blockBytes.buffer);
  bdv.setBigInt64(0, BigInt(batchAt), true);
  bdv.setInt32(8, 8 + batchMsg.length, true);
  bdv.setBigInt64(16, BigInt(bodyLength), true);
  const footer = FbWriter.finish({
    kind: 'table',
    fields: [
      { kind: 'i16', value: METADATA_V5 },
      { kind: 'ref', value: schemaValue() },
      { kind: 'ref', value: { kind: 'structs', bytes: new Uint8Array(0), elementBytes: BLOCK_BYTES, align: 8 } },
      { kind: 'ref', value: { kind: 'structs', bytes: blockBytes, elementBytes: BLOCK_BYTES, align: 8 } },
    ],
  });
  const total = batchAt + 8 + batchMsg.length + bodyLength + 8 + footer.length + 4 + 6;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let p = 8;
  dv.setUint32(p, CONTINUATION, true);
  dv.setInt32(p + 4, schemaMsg.length, true);
  out.set(schemaMsg, p + 8);
  p += 8 + schemaMsg.length;
  dv.setUint32(p, CONTINUATION, true);
  dv.setInt32(p + 4, batchMsg.length, true);
  out.set(batchMsg, p + 8);
  p += 8 + batchMsg.length;
  for (let i = 0; i < n; i++) dv.setUint32(p + i * 4, values[i]!, true);
  p += bodyLength;
  dv.setUint32(p, CONTINUATION, true);
  dv.setInt32(p + 4, 0, true);
  p += 8;
  out.set(footer, p);
  p += footer.length;
  dv.setInt32(p, footer.length, true);
  out.set(MAGIC, p + 4);
  return out;
}

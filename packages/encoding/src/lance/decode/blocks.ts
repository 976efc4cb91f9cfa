/**
 * Decompression of Lance 2.1 data blocks: the values of a mini-block chunk, the page dictionary and the
 * repetition/definition level buffers. Byte layouts (all little-endian), as written by LanceDB 0.39:
 *
 * ```text
 * flat(bits)                  raw values, n * bits / 8 bytes
 * inline_bitpacking(T)        per 1024 values: one T-bit word holding the bit width W, then 128 * W bytes of
 *                             FastLanes-packed values (the last block is padded to 1024 values)
 * out_of_line_bitpacking(T, flat(W))   FastLanes blocks of 128 * W bytes, no header; a partial last block
 *                             is either padded to 1024 values and packed, or stored raw (T/8 bytes per value)
 * variable (mini-block)       u32 offsets[n + 1] measured from the start of the buffer, then the bytes
 * variable (block)            bits per offset, byte position of the data (both u32 for 32-bit offsets, u64 for
 *                             64-bit ones, e.g. large_string dictionaries), offsets[n + 1], bytes
 * rle(values, run_lengths)    buffer 0: one value per run; buffer 1: u8 run lengths (mini-block); as one block
 *                             (levels, 2.2): u64 byte length of the values, the values, then the run lengths
 * fixed_size_list(d, values)  with has_validity: buffer 0 = item validity bitmap, then the values buffers
 * general(lz4 | zstd, inner)  u32 uncompressed byte length, then one LZ4 block or zstd frame; inner applies after
 * ```
 *
 * Every entry takes optional {@link DecodeLimits} (default: the module-level bound) on top of
 * {@link LANCE_MAX_DECOMPRESSED_BYTES}, and refuses a claimed output beyond them before allocating.
 */
import { CorruptDataError, NotSupportedError } from '@vego/arrow';
import { checkDecodeLimits } from '../../decode-limits';
import type { DecodeLimits } from '../../decode-limits';
import { zstdDecompress } from '../../zstd';
import { fastLanesBlockByteLength as fastLanesBlockBytes } from '../fastlanes';
import type { BufferCompressionScheme as CompressionScheme, CompressiveEncoding as Compressive, DecodedBlock as Block } from './compressive';
import { describeCompressiveEncoding as describeCompressive, LANCE_MAX_CHUNK_VALUES as MAX_CHUNK_VALUES, LANCE_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES } from './compressive';
import { unpackFastLanes32, unpackFastLanes64 } from './fastlanes';
import { fsstDecompress, parseFsstTable } from './fsst';
import { lz4DecompressBlock } from './lz4';

/** The NotSupportedError for an encoding `c` met where this reader does not read it. */
export function compressiveNotSupported(where: string, c: Compressive, context: string): NotSupportedError {
  return new NotSupportedError(`${where}: ${context} encoded as ${describeCompressive(c)} is not supported by this reader`);
}

/** Undoes `[u32 length][LZ4 block | zstd frame]` general compression (copy). */
export function decompressGeneralBuffer(scheme: CompressionScheme, bytes: Uint8Array, where: string, limits?: DecodeLimits): Uint8Array {
  if (scheme === 'none') return bytes;
  if (bytes.length < 4) throw new CorruptDataError(`${where}: ${scheme} buffer of ${bytes.length} bytes has no length prefix`);
  const n = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  if (n > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: ${scheme} buffer claims ${n} uncompressed bytes`);
  checkDecodeLimits(`${where}: ${scheme} buffer`, n, 1, limits);
  const body = bytes.subarray(4);
  if (scheme === 'lz4') {
    // An LZ4 sequence expands at most ~255-fold: a larger claim is a lie, not a reason to allocate.
    if (n > body.length * 255 + 64) throw new CorruptDataError(`${where}: lz4 buffer of ${body.length} bytes claims ${n} uncompressed bytes`);
    return lz4DecompressBlock(body, n, limits);
  }
  const out = zstdDecompress(body, n);
  if (out.length !== n) throw new CorruptDataError(`${where}: zstd buffer gave ${out.length} bytes, expected ${n}`);
  return out;
}

function u32At(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function fixed(bits: number, n: number, bytes: Uint8Array, where: string): Block {
  const need = Math.ceil((n * bits) / 8);
  if (bytes.length < need) throw new CorruptDataError(`${where}: flat buffer holds ${bytes.length} bytes, expected ${need} for ${n} values of ${bits} bits`);
  return { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: bytes.subarray(0, need), itemValidity: null };
}

/**
 * Unpacks `n` out-of-line bit-packed values of `typeBits` bits into bytes (copy): whole FastLanes blocks of
 * 1024 values (`128 * width` bytes each, no headers), then, when `n` is not a multiple of 1024, a tail of
 * `n % 1024` values stored either as one more packed block padded to 1024 values or **raw** (`typeBits / 8`
 * bytes per value, little-endian). The writer picks raw when padding would cost more bits than packing the
 * tail saves; the reader tells the two apart by the buffer's length, raw when it is exactly
 * `whole blocks + tail * typeBits / 8` bytes.
 *
 * Example (u16 repetition levels, width 1, 1040 levels): 128 bytes for levels 0–1023, then 16 raw u16
 * levels = 160 bytes, where a padded tail would take 256.
 */
function unpackOutOfLine(bytes: Uint8Array, typeBits: number, width: number, n: number, where: string, limits: DecodeLimits | undefined): Uint8Array {
  if (typeBits !== 8 && typeBits !== 16 && typeBits !== 32 && typeBits !== 64) throw new CorruptDataError(`${where}: bit-packing of ${typeBits}-bit values`);
  if (width > typeBits) throw new CorruptDataError(`${where}: bit-packing width ${width} for ${typeBits}-bit values`);
  const valueBytes = typeBits >>> 3;
  const per = fastLanesBlockBytes(width);
  const whole = Math.floor(n / 1024);
  const tail = n - whole * 1024;
  const wholeBytes = whole * per;
  const rawTailBytes = wholeBytes + tail * valueBytes;
  // Upstream compares the buffer's length in whole T-bit words, so trailing bytes short of a word do not count.
  const lengthInWords = Math.floor(bytes.length / valueBytes) * valueBytes;
  if (tail > 0 && lengthInWords === rawTailBytes) {
    const out = new Uint8Array(n * valueBytes);
    if (whole > 0) out.set(unpackBlocks(bytes, typeBits, whole * 1024, where, limits, (b) => [b * per, width]), 0);
    out.set(bytes.subarray(wholeBytes, rawTailBytes), whole * 1024 * valueBytes);
    return out;
  }
  const blocks = Math.ceil(n / 1024);
  if (bytes.length < blocks * per) {
    const raw = tail > 0 ? ` (or ${rawTailBytes} with a raw tail of ${tail} values)` : '';
    throw new CorruptDataError(`${where}: bit-packed buffer holds ${bytes.length} bytes, expected ${blocks * per}${raw}`);
  }
  return unpackBlocks(bytes, typeBits, n, where, limits, (b) => [b * per, width]);
}

function unpackBlocks(bytes: Uint8Array, typeBits: number, n: number, where: string, limits: DecodeLimits | undefined, locate: (block: number) => [number, number]): Uint8Array {
  // Width-0 blocks take no bytes, so only the limits bound `n` here.
  checkDecodeLimits(`${where}: ${n} bit-packed values`, n, typeBits === 64 ? 8 : 4, limits);
  const blocks = Math.ceil(n / 1024);
  if (typeBits === 64) {
    const words = new Uint32Array(n * 2);
    for (let b = 0; b < blocks; b++) {
      const [at, w] = locate(b);
      unpackFastLanes64(bytes, at, w, Math.min(1024, n - b * 1024), words, b * 1024);
    }
    return new Uint8Array(words.buffer);
  }
  if (typeBits !== 8 && typeBits !== 16 && typeBits !== 32) throw new CorruptDataError(`${where}: bit-packing of ${typeBits}-bit values`);
  const vals = new Uint32Array(n);
  for (let b = 0; b < blocks; b++) {
    const [at, w] = locate(b);
    unpackFastLanes32(bytes, at, typeBits, w, Math.min(1024, n - b * 1024), vals, b * 1024);
  }
  if (typeBits === 32) return new Uint8Array(vals.buffer);
  if (typeBits === 16) return new Uint8Array(Uint16Array.from(vals).buffer);
  return Uint8Array.from(vals);
}

/** Inline bit-packing: per 1024-value block a T-bit width word then the packed block. */
function unpackInline(bytes: Uint8Array, typeBits: number, n: number, where: string, limits: DecodeLimits | undefined): Uint8Array {
  const wordBytes = typeBits >>> 3;
  let at = 0;
  return unpackBlocks(bytes, typeBits, n, where, limits, () => {
    if (at + wordBytes > bytes.length) throw new CorruptDataError(`${where}: inline bit-packed buffer ends at ${bytes.length} before a block header at ${at}`);
    const w = bytes[at]!;
    for (let k = 1; k < wordBytes; k++) if (bytes[at + k] !== 0) throw new CorruptDataError(`${where}: inline bit-packing width word at ${at} is not a small number`);
    if (w > typeBits) throw new CorruptDataError(`${where}: inline bit-packing width ${w} for ${typeBits}-bit values`);
    const start = at + wordBytes;
    at = start + fastLanesBlockBytes(w);
    return [start, w];
  });
}

function offsetsFrom(raw: Block, n: number, where: string): Int32Array {
  if (raw.kind !== 'fixed' || (raw.bitsPerValue !== 32 && raw.bitsPerValue !== 64)) throw new CorruptDataError(`${where}: offsets of ${raw.kind} ${raw.kind === 'fixed' ? raw.bitsPerValue : ''} bits`);
  const out = new Int32Array(n + 1);
  const b = raw.bytes;
  if (raw.bitsPerValue === 32) for (let i = 0; i <= n; i++) out[i] = u32At(b, i * 4);
  else {
    for (let i = 0; i <= n; i++) {
      if (u32At(b, i * 8 + 4) !== 0) throw new CorruptDataError(`${where}: 64-bit offset ${i} is beyond 4 GiB`);
      out[i] = u32At(b, i * 8);
    }
  }
  return out;
}

function checkOffsets(offsets: Int32Array, n: number, byteLength: number, where: string): void {
  let prev = offsets[0]!;
  if (prev < 0 || prev > byteLength) throw new CorruptDataError(`${where}: first offset ${prev} outside the ${byteLength}-byte buffer`);
  for (let i = 1; i <= n; i++) {
    const o = offsets[i]!;
    if (o < prev || o > byteLength) throw new CorruptDataError(`${where}: offset ${i} is ${o}, previous ${prev}, buffer ${byteLength} bytes`);
    prev = o;
  }
}

/** Rebases variable-width data so offsets start at 0 (copy of the used bytes). */
function variable(offsets: Int32Array, bytes: Uint8Array, n: number): Block {
  const base = offsets[0]!;
  const rel = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) rel[i] = offsets[i]! - base;
  return { kind: 'variable', numValues: n, offsets: rel, bytes: bytes.slice(base, offsets[n]!) };
}

/**
 * How a block's bytes are framed: the value buffers of one mini-block chunk, or one whole buffer (a page
 * dictionary, repetition/definition levels). Variable-width values and RLE are framed differently in the two;
 * fixed-size lists occur only in chunks, out-of-line bit-packing and constants only in whole buffers.
 */
type Framing = 'chunk' | 'block';

/**
 * Decompresses the value buffers of one mini-block chunk holding `n` values.
 * @throws CorruptDataError on inconsistent buffers; NotSupportedError for encodings not read here.
 */
export function decompressMiniBlock(c: Compressive, buffers: Uint8Array[], n: number, where: string, limits?: DecodeLimits): Block {
  return decompress(c, buffers, n, where, 'chunk', limits);
}

/**
 * Decompresses a whole-buffer block of `n` values (page dictionary, repetition/definition levels).
 * @throws CorruptDataError on inconsistent bytes; NotSupportedError for encodings not read here.
 */
export function decompressBlock(c: Compressive, bytes: Uint8Array, n: number, where: string, limits?: DecodeLimits): Block {
  return decompress(c, [bytes], n, where, 'block', limits);
}

/** The one switch over compression trees behind {@link decompressMiniBlock} and {@link decompressBlock}. */
function decompress(c: Compressive, buffers: Uint8Array[], n: number, where: string, framing: Framing, limits: DecodeLimits | undefined): Block {
  const chunk = framing === 'chunk';
  if (chunk && n > MAX_CHUNK_VALUES * 64) throw new CorruptDataError(`${where}: chunk of ${n} values`);
  const first = (): Uint8Array => {
    if (buffers.length < 1) throw new CorruptDataError(`${where}: ${describeCompressive(c)} needs a buffer, chunk has none`);
    return buffers[0]!;
  };
  switch (c.kind) {
    case 'flat':
      return fixed(c.bitsPerValue, n, decompressGeneralBuffer(c.compression, first(), where, limits), where);
    case 'general': {
      const bufs = buffers.map((b) => decompressGeneralBuffer(c.compression, b, where, limits));
      return decompress(c.values, bufs, n, where, framing, limits);
    }
    case 'inlineBitpacking': {
      const t = c.uncompressedBitsPerValue;
      if (chunk && t !== 8 && t !== 16 && t !== 32 && t !== 64) throw new CorruptDataError(`${where}: inline bit-packing of ${t}-bit values`);
      const bytes = unpackInline(decompressGeneralBuffer(c.compression, first(), where, limits), t, n, where, limits);
      return { kind: 'fixed', bitsPerValue: t, numValues: n, bytes, itemValidity: null };
    }
    case 'outOfLineBitpacking': {
      if (chunk) break;
      if (c.values.kind !== 'flat' || c.values.compression !== 'none') throw compressiveNotSupported(where, c, 'block');
      const t = c.uncompressedBitsPerValue;
      const out = unpackOutOfLine(first(), t, c.values.bitsPerValue, n, where, limits);
      return { kind: 'fixed', bitsPerValue: t, numValues: n, bytes: out, itemValidity: null };
    }
    case 'variable':
      return chunk ? variableChunk(c, first(), n, where, limits) : variableBlock(c, first(), n, where, limits);
    case 'fsst': {
      const inner = decompress(c.values, buffers, n, where, framing, limits);
      if (inner.kind !== 'variable') throw new CorruptDataError(`${where}: FSST over fixed-width values`);
      const out = fsstDecompress(parseFsstTable(c.symbolTable), inner.bytes, inner.offsets, n, limits);
      return { kind: 'variable', numValues: n, offsets: out.offsets, bytes: out.bytes };
    }
    case 'rle': {
      if (chunk) {
        if (buffers.length < 2) throw new CorruptDataError(`${where}: RLE chunk needs 2 buffers, found ${buffers.length}`);
        return expandRle(c, buffers[0]!, buffers[1]!, n, where, limits);
      }
      // Block frame: u64 byte length of the values, the values, then the run lengths.
      const bytes = first();
      if (bytes.length < 8) throw new CorruptDataError(`${where}: RLE block of ${bytes.length} bytes has no header`);
      const size = u32At(bytes, 0);
      if (u32At(bytes, 4) !== 0 || 8 + size > bytes.length) throw new CorruptDataError(`${where}: RLE block says ${size} value bytes, the block holds ${bytes.length - 8}`);
      return expandRle(c, bytes.subarray(8, 8 + size), bytes.subarray(8 + size), n, where, limits);
    }
    case 'fixedSizeList': {
      if (!chunk) break;
      const d = c.itemsPerValue;
      if (d < 1 || d * n > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: fixed_size_list of ${d} items per value`);
      let rest = buffers;
      let validity: Uint8Array | null = null;
      if (c.hasValidity) {
        const v = first();
        if (v.length < Math.ceil((n * d) / 8)) throw new CorruptDataError(`${where}: item validity holds ${v.length} bytes for ${n * d} items`);
        validity = v;
        rest = buffers.slice(1);
      }
      const inner = decompress(c.values, rest, n * d, where, framing, limits);
      if (inner.kind !== 'fixed') throw compressiveNotSupported(where, c, 'fixed-size-list items');
      return { kind: 'fixed', bitsPerValue: inner.bitsPerValue * d, numValues: n, bytes: inner.bytes, itemValidity: validity, itemsPerValue: d };
    }
    case 'constant': {
      if (chunk) break;
      const w = c.value.length;
      if (w === 0 || n * w > MAX_DECOMPRESSED_BYTES || n > 1 << 25) throw new CorruptDataError(`${where}: constant block of ${w}-byte value × ${n}`);
      checkDecodeLimits(`${where}: constant block`, n, w, limits);
      const out = new Uint8Array(n * w);
      for (let i = 0; i < n; i++) out.set(c.value, i * w);
      return { kind: 'fixed', bitsPerValue: w * 8, numValues: n, bytes: out, itemValidity: null };
    }
    default:
      break;
  }
  throw compressiveNotSupported(where, c, chunk ? 'mini-block values' : 'block');
}

/** Variable-width values of a chunk: u32 (or u64) offsets from the start of the buffer, then the bytes. */
function variableChunk(c: Extract<Compressive, { kind: 'variable' }>, bytes: Uint8Array, n: number, where: string, limits: DecodeLimits | undefined): Block {
  const buf = decompressGeneralBuffer(c.compression, bytes, where, limits);
  const ob = c.offsets.kind === 'flat' && c.offsets.compression === 'none' ? c.offsets.bitsPerValue : 0;
  if (ob !== 32 && ob !== 64) throw compressiveNotSupported(where, c.offsets, 'mini-block offsets');
  const offsets = offsetsFrom(fixed(ob, n + 1, buf, where), n, where);
  checkOffsets(offsets, n, buf.length, where);
  return variable(offsets, buf, n);
}

/**
 * Variable-width values of a whole buffer. Header: bits per offset and the data's byte position, each as
 * wide as one offset (u32 or u64); then the offsets and the bytes.
 */
function variableBlock(c: Extract<Compressive, { kind: 'variable' }>, bytes: Uint8Array, n: number, where: string, limits: DecodeLimits | undefined): Block {
  const buf = decompressGeneralBuffer(c.compression, bytes, where, limits);
  if (buf.length < 8) throw new CorruptDataError(`${where}: variable block of ${buf.length} bytes has no header`);
  const bits = u32At(buf, 0);
  if (bits !== 32 && bits !== 64) throw new CorruptDataError(`${where}: variable block with ${bits}-bit offsets`);
  const head = bits === 64 ? 16 : 8;
  if (buf.length < head || (bits === 64 && (u32At(buf, 4) !== 0 || u32At(buf, 12) !== 0))) throw new CorruptDataError(`${where}: variable block header of ${buf.length} bytes`);
  const dataStart = u32At(buf, bits === 64 ? 8 : 4);
  const need = head + ((n + 1) * bits) / 8;
  if (dataStart !== need || dataStart > buf.length) throw new CorruptDataError(`${where}: variable block data starts at ${dataStart}, expected ${need} (buffer ${buf.length} bytes)`);
  const offsets = offsetsFrom(fixed(bits, n + 1, buf.subarray(head), where), n, where);
  const data = buf.subarray(dataStart);
  checkOffsets(offsets, n, data.length, where);
  return variable(offsets, data, n);
}

/** Expands RLE runs (one value per run in `valueBytes`, u8 run lengths in `runBytes`) to `n` values (copy). */
function expandRle(c: Extract<Compressive, { kind: 'rle' }>, valueBytes: Uint8Array, runBytes: Uint8Array, n: number, where: string, limits: DecodeLimits | undefined): Block {
  if (c.values.kind !== 'flat' || c.runLengths.kind !== 'flat' || c.runLengths.bitsPerValue !== 8 || c.values.bitsPerValue % 8 !== 0 || c.values.bitsPerValue === 0) {
    throw compressiveNotSupported(where, c, 'RLE values');
  }
  const width = c.values.bitsPerValue >>> 3;
  const runs = decompressGeneralBuffer(c.runLengths.compression, runBytes, where, limits);
  const vals = decompressGeneralBuffer(c.values.compression, valueBytes, where, limits);
  if (vals.length < runs.length * width) throw new CorruptDataError(`${where}: RLE has ${runs.length} runs but ${vals.length} value bytes`);
  if (n * width > MAX_DECOMPRESSED_BYTES) throw new CorruptDataError(`${where}: RLE of ${n} values`);
  checkDecodeLimits(`${where}: RLE of ${n} values`, n, width, limits);
  const out = new Uint8Array(n * width);
  let at = 0;
  for (let r = 0; r < runs.length && at < n; r++) {
    const len = runs[r]!;
    if (at + len > n) throw new CorruptDataError(`${where}: RLE runs exceed the ${n} values`);
    const from = r * width;
    for (let k = 0; k < len; k++) {
      const d = (at + k) * width;
      for (let j = 0; j < width; j++) out[d + j] = vals[from + j]!;
    }
    at += len;
  }
  if (at !== n) throw new CorruptDataError(`${where}: RLE runs cover ${at} values, expected ${n}`);
  return { kind: 'fixed', bitsPerValue: width * 8, numValues: n, bytes: out, itemValidity: null };
}

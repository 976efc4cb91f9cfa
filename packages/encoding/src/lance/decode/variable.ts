/**
 * Variable-width values of Lance 2.1/2.2 (`variable(offsets)`): in a mini-block chunk, u32 (or u64) offsets
 * measured from the start of the buffer, then the bytes; as a whole buffer (a page dictionary), a header of
 * bits per offset and the data's byte position (each as wide as one offset), then the offsets and the bytes.
 */
import { CorruptDataError } from '@vego/arrow';
import type { DecodeLimits } from '../../decode-limits';
import type { CompressiveEncoding as Compressive, DecodedBlock as Block } from './compressive';
import { compressiveNotSupported } from './compressive';
import type { BlockDecoder } from './frame';
import { firstBuffer, fixedValues as fixed, u32At } from './frame';
import { decompressGeneralBuffer } from './general';

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

/** `variable(offsets)` in either framing. */
export const decodeVariable: BlockDecoder<'variable'> = (c, buffers, n, { where, framing, limits }) => {
  const bytes = firstBuffer(c, buffers, where);
  return framing === 'chunk' ? variableChunk(c, bytes, n, where, limits) : variableBlock(c, bytes, n, where, limits);
};

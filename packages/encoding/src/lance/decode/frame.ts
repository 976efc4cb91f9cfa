/**
 * What every Lance 2.1/2.2 block decoder shares: how the block's bytes are framed, the context a decoder
 * runs in (where it is, its limits, and the registry's dispatch for inner nodes of the tree) and the few
 * byte helpers the decoders use.
 */
import { CorruptDataError } from '@vego/arrow';
import type { DecodeLimits } from '../../decode-limits';
import type { CompressiveEncoding as Compressive, DecodedBlock as Block } from './compressive';
import { describeCompressiveEncoding as describeCompressive } from './compressive';

/**
 * How a block's bytes are framed: the value buffers of one mini-block chunk, or one whole buffer (a page
 * dictionary, repetition/definition levels). Variable-width values and RLE are framed differently in the two;
 * fixed-size lists occur only in chunks, out-of-line bit-packing and constants only in whole buffers.
 */
export type BlockFraming = 'chunk' | 'block';

/** What a block decoder is told besides its node, buffers and value count. */
export interface BlockDecodeContext {
  /** Where the block is, for error messages. */
  readonly where: string;
  readonly framing: BlockFraming;
  readonly limits: DecodeLimits | undefined;
  /** Decodes an inner node of the tree through the registry (same framing, limits and place). */
  readonly decompress: (c: Compressive, buffers: Uint8Array[], n: number) => Block;
}

/**
 * Decodes `n` values of one compression-tree node of kind `K` from `buffers`; null when the node does not
 * occur in `ctx.framing` (the caller then throws the NotSupportedError).
 */
export type BlockDecoder<K extends Compressive['kind']> = (c: Extract<Compressive, { kind: K }>, buffers: Uint8Array[], n: number, ctx: BlockDecodeContext) => Block | null;

/** The first buffer of a node's buffers. @throws CorruptDataError when there is none. */
export function firstBuffer(c: Compressive, buffers: Uint8Array[], where: string): Uint8Array {
  if (buffers.length < 1) throw new CorruptDataError(`${where}: ${describeCompressive(c)} needs a buffer, chunk has none`);
  return buffers[0]!;
}

/** Little-endian u32 at `at`. */
export function u32At(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** `n` fixed-width values of `bits` bits at the start of `bytes` (a view). */
export function fixedValues(bits: number, n: number, bytes: Uint8Array, where: string): Block {
  const need = Math.ceil((n * bits) / 8);
  if (bytes.length < need) throw new CorruptDataError(`${where}: flat buffer holds ${bytes.length} bytes, expected ${need} for ${n} values of ${bits} bits`);
  return { kind: 'fixed', bitsPerValue: bits, numValues: n, bytes: bytes.subarray(0, need), itemValidity: null };
}

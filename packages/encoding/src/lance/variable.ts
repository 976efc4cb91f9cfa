/**
 * Lance 2.1 `variable(flat(32))` inside a mini-block chunk: `n + 1` little-endian u32 offsets measured
 * from the start of the buffer (the first is `4 * (n + 1)`), then the value bytes, then zeros up to a
 * multiple of 4 bytes (LanceDB 0.39 rejects other sizes: "chunk size … is not a multiple of the 4-byte
 * offset width").
 *
 * With 64-bit offsets (`variable(flat(64))`, what LanceDB reads for large_utf8 / large_binary columns) the
 * offsets are u64 and the buffer is padded to a multiple of 8.
 *
 * Worked example (["ab", "", "c"]): offsets 16, 18, 18, 19 → `10 00 00 00 12 00 00 00 12 00 00 00 13 00 00 00 61 62 63 00`.
 */
import { InvalidArgumentError } from '@vego/arrow';
import { HOST_LITTLE_ENDIAN } from '../internal/bytes';

/** Bytes of a chunk of `count` values holding `dataByteLength` bytes, with 32-bit (default) or 64-bit offsets. */
export function variableChunkByteLength(count: number, dataByteLength: number, offsetBits: 32 | 64 = 32): number {
  const w = offsetBits >>> 3;
  return Math.ceil((w * (count + 1) + dataByteLength) / w) * w;
}

/**
 * Encodes values `[at, at + count)` given by Arrow-style `offsets` into `bytes` (new array). Rows whose
 * `valid` bit is 0 are written empty (pass null when every row is valid).
 * @throws InvalidArgumentError when the buffer would pass 4 GiB.
 */
export function encodeVariableChunk(
  offsets: Int32Array,
  bytes: Uint8Array,
  valid: Uint8Array | null,
  validOffset: number,
  at: number,
  count: number,
  offsetBits: 32 | 64 = 32,
): Uint8Array {
  if (valid === null && offsetBits === 32) return encodeAllValidChunk32(offsets, bytes, at, count);
  let data = 0;
  for (let i = 0; i < count; i++) {
    const r = at + i;
    if (valid !== null && ((valid[(validOffset + r) >>> 3]! >>> ((validOffset + r) & 7)) & 1) === 0) continue;
    data += offsets[r + 1]! - offsets[r]!;
  }
  const total = variableChunkByteLength(count, data, offsetBits);
  if (total > 0xffffffff) throw new InvalidArgumentError(`a chunk of ${total} bytes does not fit u32 offsets`);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const w = offsetBits >>> 3;
  let pos = w * (count + 1);
  dv.setUint32(0, pos, true);
  for (let i = 0; i < count; i++) {
    const r = at + i;
    const isValid = valid === null || ((valid[(validOffset + r) >>> 3]! >>> ((validOffset + r) & 7)) & 1) === 1;
    if (isValid) {
      const s = offsets[r]!;
      const e = offsets[r + 1]!;
      out.set(bytes.subarray(s, e), pos);
      pos += e - s;
    }
    dv.setUint32(w * (i + 1), pos, true);
  }
  return out;
}

/**
 * {@link encodeVariableChunk} of rows that are all valid, with 32-bit offsets: the chunk's bytes are one
 * contiguous run of `bytes`, copied at once, and the offsets are the input's shifted by one constant
 * (written through a u32 view on little-endian hosts). Same output as the general loop.
 */
function encodeAllValidChunk32(offsets: Int32Array, bytes: Uint8Array, at: number, count: number): Uint8Array {
  const first = offsets[at]!;
  const data = offsets[at + count]! - first;
  const total = variableChunkByteLength(count, data, 32);
  if (total > 0xffffffff) throw new InvalidArgumentError(`a chunk of ${total} bytes does not fit u32 offsets`);
  const out = new Uint8Array(total);
  const shift = 4 * (count + 1) - first;
  if (HOST_LITTLE_ENDIAN) {
    const o32 = new Uint32Array(out.buffer, 0, count + 1);
    for (let i = 0; i <= count; i++) o32[i] = offsets[at + i]! + shift;
  } else {
    const dv = new DataView(out.buffer);
    for (let i = 0; i <= count; i++) dv.setUint32(4 * i, offsets[at + i]! + shift, true);
  }
  out.set(bytes.subarray(first, first + data), 4 * (count + 1));
  return out;
}

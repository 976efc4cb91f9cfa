/**
 * The portable serialisation of a 32-bit Roaring bitmap (the `.bin` deletion file of a Lance
 * dataset): deserialise to sorted values, and serialise sorted values.
 *
 * Layout (little-endian):
 * ```text
 * u32 cookie      12346: no run containers; then u32 containerCount
 *                 12347 | (containerCount - 1) << 16: run containers, then a bitset of
 *                 ceil(containerCount / 8) bytes (bit i = container i is a run container)
 * containerCount × (u16 key, u16 cardinality - 1)          high 16 bits of the values, their count
 * containerCount × u32 byte offset of each container        (absent when runs and count < 4)
 * containers:  array  (cardinality ≤ 4096): cardinality × u16 sorted low bits
 *              bitmap (cardinality > 4096): 1024 × u64, bit i = low bits i present
 *              run:    u16 runCount, runCount × (u16 start, u16 length - 1)
 * ```
 * Worked example: {1, 2, 70000} → `3A 30 00 00 02 00 00 00` (cookie, 2 containers),
 * `00 00 01 00 01 00 00 00` (key 0 with 2 values, key 1 with 1), offsets `18 00 00 00 1C 00 00 00`,
 * then `01 00 02 00` and `70 11` (70000 = 1 << 16 | 4464).
 */
import { CorruptDataError, corruptData } from '@vego/encoding';

const COOKIE_NO_RUNS = 12346;
const COOKIE_RUNS = 12347;
const ARRAY_MAX = 4096;
const BITMAP_BYTES = 8192;
const NO_OFFSET_THRESHOLD = 4;

function corrupt(what: string, expected: string, found: string | number, at: number): CorruptDataError {
  return corruptData(what, expected, found, at);
}

/**
 * Deserialises a portable Roaring bitmap into its values, ascending (a new array).
 * @param what - names the file in error messages.
 * @param maxValue - every value must be below this (the fragment's physical rows); it also bounds
 *   the allocation.
 * @throws CorruptDataError for a bad cookie, lengths past the end, unsorted or out-of-range values,
 *   cardinalities that disagree with the containers, or trailing bytes.
 */
export function deserializeRoaring(bytes: Uint8Array, what: string, maxValue: number): Uint32Array {
  const size = bytes.length;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, size);
  if (size < 4) throw corrupt(what, 'a Roaring bitmap of at least 4 bytes', `${size} bytes`, 0);
  const cookie = dv.getUint32(0, true);
  let p = 4;
  let count: number;
  let runBits: Uint8Array | null = null;
  if (cookie === COOKIE_NO_RUNS) {
    if (size < 8) throw corrupt(what, 'a container count', 'end of file', 4);
    count = dv.getUint32(4, true);
    p = 8;
  } else if ((cookie & 0xffff) === COOKIE_RUNS) {
    count = (cookie >>> 16) + 1;
    const runBytes = (count + 7) >> 3;
    if (p + runBytes > size) throw corrupt(what, `a ${runBytes}-byte run bitset`, 'end of file', p);
    runBits = bytes.subarray(p, p + runBytes);
    p += runBytes;
  } else {
    throw corrupt(what, `Roaring cookie ${COOKIE_NO_RUNS} or ${COOKIE_RUNS}`, cookie, 0);
  }
  if (count > 65536) throw corrupt(what, 'at most 65536 containers', count, 4);
  const headerAt = p;
  if (p + count * 4 > size) throw corrupt(what, `${count} container headers`, 'end of file', p);
  p += count * 4;
  const hasOffsets = runBits === null || count >= NO_OFFSET_THRESHOLD;
  const offsetsAt = p;
  if (hasOffsets) {
    if (p + count * 4 > size) throw corrupt(what, `${count} container offsets`, 'end of file', p);
    p += count * 4;
  }
  // Total cardinality, checked against maxValue before allocating.
  let total = 0;
  let prevKey = -1;
  for (let i = 0; i < count; i++) {
    const key = dv.getUint16(headerAt + i * 4, true);
    if (key <= prevKey) throw corrupt(what, `container keys ascending (after ${prevKey})`, key, headerAt + i * 4);
    prevKey = key;
    total += dv.getUint16(headerAt + i * 4 + 2, true) + 1;
  }
  if (total > maxValue) throw corrupt(what, `at most ${maxValue} values (the fragment's rows)`, total, headerAt);
  const out = new Uint32Array(total);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const key = dv.getUint16(headerAt + i * 4, true);
    const card = dv.getUint16(headerAt + i * 4 + 2, true) + 1;
    const high = key * 65536;
    if (hasOffsets && dv.getUint32(offsetsAt + i * 4, true) !== p) {
      throw corrupt(what, `container ${i} at byte ${p}`, `offset ${dv.getUint32(offsetsAt + i * 4, true)}`, offsetsAt + i * 4);
    }
    const start = n;
    if (runBits !== null && (runBits[i >> 3]! & (1 << (i & 7))) !== 0) {
      if (p + 2 > size) throw corrupt(what, 'a run count', 'end of file', p);
      const runs = dv.getUint16(p, true);
      p += 2;
      if (p + runs * 4 > size) throw corrupt(what, `${runs} runs`, 'end of file', p);
      let next = 0;
      for (let r = 0; r < runs; r++) {
        const s = dv.getUint16(p + r * 4, true);
        const len = dv.getUint16(p + r * 4 + 2, true) + 1;
        if (s < next || s + len > 65536) throw corrupt(what, `run ${r} of container ${i} sorted, disjoint and within 65536`, `start ${s}, length ${len}`, p + r * 4);
        if (n - start + len > card) throw corrupt(what, `${card} values in container ${i}`, 'more', p + r * 4);
        for (let v = s; v < s + len; v++) out[n++] = high + v;
        next = s + len + 1;
      }
      p += runs * 4;
    } else if (card <= ARRAY_MAX) {
      if (p + card * 2 > size) throw corrupt(what, `${card} array values`, 'end of file', p);
      let prev = -1;
      for (let j = 0; j < card; j++) {
        const v = dv.getUint16(p + j * 2, true);
        if (v <= prev) throw corrupt(what, `ascending values in container ${i}`, v, p + j * 2);
        prev = v;
        out[n++] = high + v;
      }
      p += card * 2;
    } else {
      if (p + BITMAP_BYTES > size) throw corrupt(what, 'an 8192-byte bitmap container', 'end of file', p);
      for (let w = 0; w < BITMAP_BYTES; w++) {
        let byte = bytes[p + w]!;
        while (byte !== 0) {
          const bit = 31 - Math.clz32(byte & -byte);
          if (n - start >= card) throw corrupt(what, `${card} values in bitmap container ${i}`, 'more', p + w);
          out[n++] = high + w * 8 + bit;
          byte &= byte - 1;
        }
      }
      p += BITMAP_BYTES;
    }
    if (n - start !== card) throw corrupt(what, `${card} values in container ${i}`, n - start, p);
  }
  if (p !== size) throw corrupt(what, `the bitmap to end at byte ${p}`, `${size - p} trailing bytes`, p);
  if (total > 0 && out[total - 1]! >= maxValue) throw corrupt(what, `values below ${maxValue} (the fragment's rows)`, out[total - 1]!, headerAt);
  return out;
}

/**
 * Serialises ascending, distinct `values` as a portable Roaring bitmap without run containers
 * (array containers up to 4096 values, bitmap containers above). Returns a new array (copy).
 */
export function serializeRoaring(values: Uint32Array): Uint8Array {
  const n = values.length;
  // Container boundaries.
  const keys: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = values[i]! >>> 16;
    if (keys.length === 0 || keys[keys.length - 1] !== key) {
      keys.push(key);
      starts.push(i);
    }
  }
  starts.push(n);
  const count = keys.length;
  let size = 8 + count * 8;
  for (let c = 0; c < count; c++) {
    const card = starts[c + 1]! - starts[c]!;
    size += card <= ARRAY_MAX ? card * 2 : BITMAP_BYTES;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, COOKIE_NO_RUNS, true);
  dv.setUint32(4, count, true);
  let p = 8 + count * 8;
  for (let c = 0; c < count; c++) {
    const s = starts[c]!;
    const e = starts[c + 1]!;
    const card = e - s;
    dv.setUint16(8 + c * 4, keys[c]!, true);
    dv.setUint16(8 + c * 4 + 2, card - 1, true);
    dv.setUint32(8 + count * 4 + c * 4, p, true);
    if (card <= ARRAY_MAX) {
      for (let i = s; i < e; i++) dv.setUint16(p + (i - s) * 2, values[i]! & 0xffff, true);
      p += card * 2;
    } else {
      for (let i = s; i < e; i++) {
        const low = values[i]! & 0xffff;
        const at = p + (low >> 3);
        out[at] = out[at]! | (1 << (low & 7));
      }
      p += BITMAP_BYTES;
    }
  }
  return out;
}

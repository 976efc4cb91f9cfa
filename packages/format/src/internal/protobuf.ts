/**
 * A small protobuf wire-format writer and a defensive reader, enough for the Lance messages.
 *
 * Wire format (https://protobuf.dev/programming-guides/encoding/): each field is a varint key
 * `(fieldNumber << 3) | wireType` followed by its value: wire type 0 is a varint (7 bits per byte,
 * low group first, high bit = more), 2 is a varint byte length and that many bytes (strings, bytes,
 * nested messages, packed repeated scalars), 1 and 5 are 8 and 4 fixed bytes (skipped here).
 * Example: field 3 = 300 is `18 AC 02` (key 3<<3|0 = 0x18; 300 = 0b10_0101100 → AC 02).
 *
 * The reader never trusts a length: every one is checked against the bytes that remain, varints
 * are at most 10 bytes, and a malformed message gives a `CorruptDataError` naming what was parsed
 * and where: byte positions are offsets in the file when the caller passes the message's own file
 * offset (`baseOffset`; nested messages add theirs), else offsets in the message.
 */
import { CorruptDataError, corruptData } from '@vego/encoding';

const TWO_32 = 4294967296;
const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true });

/** Builds one protobuf message. Fields are written in call order; proto3 defaults are the caller's choice. */
export class ProtoWriter {
  private bytes: Uint8Array;
  private pos: number;

  constructor(initialByteLength = 64) {
    this.bytes = new Uint8Array(initialByteLength);
    this.pos = 0;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
  }

  /** Raw varint of a non-negative integer below 2^64 given as a JS number (exact below 2^53). */
  private varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 128) {
      this.bytes[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.bytes[this.pos++] = v;
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Unsigned varint field (uint32/uint64/enum). Written even when 0. */
  uint(field: number, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new CorruptDataError(`cannot encode ${value} as an unsigned varint`);
    this.key(field, 0);
    this.varint(value);
    return this;
  }

  /** Unsigned 64-bit varint field from a bigint (full u64 range). Written even when 0. */
  uint64(field: number, value: bigint): this {
    if (value < 0n || value > 0xffffffffffffffffn) throw new CorruptDataError(`cannot encode ${value} as a u64 varint`);
    this.key(field, 0);
    this.ensure(10);
    let v = value;
    while (v >= 128n) {
      this.bytes[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.bytes[this.pos++] = Number(v);
    return this;
  }

  /** Unsigned varint field, skipped when 0 (the proto3 default). */
  uintIfSet(field: number, value: number): this {
    return value === 0 ? this : this.uint(field, value);
  }

  /** int32/int64 varint field: negatives take 10 bytes (two's complement over 64 bits). */
  int(field: number, value: number): this {
    if (value >= 0) return this.uint(field, value);
    // two's complement: 2^64 + value, written as two 32-bit halves.
    const lo = value >>> 0;
    const hi = Math.floor(value / TWO_32) >>> 0;
    this.key(field, 0);
    this.ensure(10);
    let l = lo;
    let h = hi;
    for (let i = 0; i < 9; i++) {
      this.bytes[this.pos++] = (l & 127) | 128;
      l = (l >>> 7) | ((h & 127) << 25);
      h >>>= 7;
    }
    this.bytes[this.pos++] = l & 1;
    return this;
  }

  /** Bool field, skipped when false. */
  boolIfSet(field: number, value: boolean): this {
    return value ? this.uint(field, 1) : this;
  }

  /** Length-delimited bytes field (copies `value` into the message). */
  bytesField(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(value.length);
    this.ensure(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytesField(field, TEXT_ENCODER.encode(value));
  }

  /** UTF-8 string field, skipped when empty. */
  stringIfSet(field: number, value: string): this {
    return value === '' ? this : this.string(field, value);
  }

  /** Nested message field. */
  message(field: number, value: ProtoWriter | Uint8Array): this {
    return this.bytesField(field, value instanceof ProtoWriter ? value.finish() : value);
  }

  /** Packed repeated unsigned varints (skipped when empty). */
  packedUints(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter(values.length * 4 + 8);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isSafeInteger(v) || v < 0) throw new CorruptDataError(`cannot encode ${v} as an unsigned varint`);
      inner.varint(v);
    }
    return this.bytesField(field, inner.finish());
  }

  /** Packed repeated signed int32 varints (skipped when empty). */
  packedInts(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter(values.length * 4 + 8);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v >= 0) inner.varint(v);
      else {
        const tmp = new ProtoWriter(16).int(1, v).finish();
        const body = tmp.subarray(1);
        inner.ensure(body.length);
        inner.bytes.set(body, inner.pos);
        inner.pos += body.length;
      }
    }
    return this.bytesField(field, inner.finish());
  }

  /** The message bytes so far (a copy-free view of the internal buffer; do not write afterwards). */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }
}

/** One field occurrence in a decoded message. */
interface Entry {
  field: number;
  wire: number;
  lo: number;
  hi: number;
  start: number;
  end: number;
}

/**
 * A decoded protobuf message: the field occurrences, with typed accessors that check the wire type.
 * Unknown fields are kept out of the way (ignored unless asked for). Holds a view of the input bytes.
 */
export class ProtoMessage {
  readonly bytes: Uint8Array;
  readonly what: string;
  /** Offset of `bytes[0]` in the file (0 when the caller gave none), for error messages. */
  readonly baseOffset: number;
  private readonly entries: Entry[];

  private constructor(bytes: Uint8Array, what: string, entries: Entry[], baseOffset: number) {
    this.bytes = bytes;
    this.what = what;
    this.entries = entries;
    this.baseOffset = baseOffset;
  }

  /**
   * Parses one message (not its nested ones) from `bytes`.
   * @param what names the message in error messages (e.g. `ColumnMetadata of column 3`).
   * @param baseOffset the offset of `bytes` in its file, so that errors name file offsets (default 0).
   * @throws CorruptDataError when the bytes are not a well-formed protobuf message.
   */
  static decode(bytes: Uint8Array, what: string, baseOffset = 0): ProtoMessage {
    const entries: Entry[] = [];
    const n = bytes.length;
    const b0 = baseOffset;
    let p = 0;
    while (p < n) {
      // key varint (fits in 32 bits for any valid field)
      let key = 0;
      let shift = 0;
      for (;;) {
        if (p >= n) throw corruptData(`corrupt protobuf in ${what}`, `truncated field key at byte ${b0 + p}`);
        const b = bytes[p++]!;
        if (shift >= 28 && (b & 0x70) !== 0) throw corruptData(`corrupt protobuf in ${what}`, `field key too large at byte ${b0 + p - 1}`);
        key += (b & 127) * 2 ** shift;
        shift += 7;
        if ((b & 128) === 0) break;
        if (shift > 35) throw corruptData(`corrupt protobuf in ${what}`, `field key varint longer than 5 bytes at byte ${b0 + p}`);
      }
      const field = Math.floor(key / 8);
      const wire = key & 7;
      if (field === 0) throw corruptData(`corrupt protobuf in ${what}`, `field number 0 at byte ${b0 + p}`);
      const e: Entry = { field, wire, lo: 0, hi: 0, start: p, end: p };
      if (wire === 0) {
        const next = readVarint(bytes, p, n);
        if (next === VARINT_TRUNCATED) throw corruptData(`corrupt protobuf in ${what}`, `truncated varint of field ${field} at byte ${b0 + n}`);
        if (next === VARINT_TOO_LONG) throw corruptData(`corrupt protobuf in ${what}`, `varint of field ${field} longer than 10 bytes at byte ${b0 + p + 10}`);
        p = next;
        e.lo = varintLo;
        e.hi = varintHi;
        e.end = p;
      } else if (wire === 2) {
        let len = 0;
        let shift2 = 0;
        for (;;) {
          if (p >= n) throw corruptData(`corrupt protobuf in ${what}`, `truncated length of field ${field} at byte ${b0 + p}`);
          const b = bytes[p++]!;
          len += (b & 127) * 2 ** shift2;
          shift2 += 7;
          if ((b & 128) === 0) break;
          if (shift2 > 63) throw corruptData(`corrupt protobuf in ${what}`, `length varint of field ${field} too long at byte ${b0 + p}`);
        }
        if (len > n - p) throw corruptData(`corrupt protobuf in ${what}`, `field ${field} declares ${len} bytes at byte ${b0 + p} but only ${n - p} remain`);
        e.start = p;
        p += len;
        e.end = p;
      } else if (wire === 1 || wire === 5) {
        const len = wire === 1 ? 8 : 4;
        if (len > n - p) throw corruptData(`corrupt protobuf in ${what}`, `truncated fixed-width field ${field} at byte ${b0 + p}`);
        e.start = p;
        p += len;
        e.end = p;
      } else {
        throw corruptData(`corrupt protobuf in ${what}`, `unsupported wire type ${wire} for field ${field} at byte ${b0 + p}`);
      }
      entries.push(e);
    }
    return new ProtoMessage(bytes, what, entries, baseOffset);
  }

  private last(field: number): Entry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.field === field) return this.entries[i];
    return undefined;
  }

  private expectWire(e: Entry, wire: number): void {
    if (e.wire !== wire) throw corruptData(`corrupt protobuf in ${this.what}`, `field ${e.field} has wire type ${e.wire}, expected ${wire} (value at byte ${this.baseOffset + e.start})`);
  }

  /** True when the field occurs at least once. */
  has(field: number): boolean {
    return this.last(field) !== undefined;
  }

  /** Field numbers present, in order of first occurrence. */
  fieldNumbers(): number[] {
    const out: number[] = [];
    for (const e of this.entries) if (!out.includes(e.field)) out.push(e.field);
    return out;
  }

  /**
   * Unsigned varint (last occurrence wins), or `fallback` when absent.
   * @throws CorruptDataError when the value exceeds 2^53 (no Lance count or offset can).
   */
  uint(field: number, fallback = 0): number {
    const e = this.last(field);
    if (e === undefined) return fallback;
    this.expectWire(e, 0);
    if (e.hi >= 0x200000) throw corruptData(`corrupt protobuf in ${this.what}`, `field ${field} value is beyond 2^53 (at byte ${this.baseOffset + e.start})`);
    return e.hi * TWO_32 + e.lo;
  }

  /** Varint as bigint (full 64-bit range), or `fallback` when absent. */
  uint64(field: number, fallback = 0n): bigint {
    const e = this.last(field);
    if (e === undefined) return fallback;
    this.expectWire(e, 0);
    return (BigInt(e.hi) << 32n) | BigInt(e.lo);
  }

  /** int32 varint (negatives as 10-byte two's complement), or `fallback` when absent. */
  int32(field: number, fallback = 0): number {
    const e = this.last(field);
    if (e === undefined) return fallback;
    this.expectWire(e, 0);
    return e.lo | 0;
  }

  /** int64 varint as a JS number (exact within ±2^53). */
  int64(field: number, fallback = 0): number {
    const e = this.last(field);
    if (e === undefined) return fallback;
    this.expectWire(e, 0);
    return (e.hi | 0) * TWO_32 + e.lo;
  }

  /** Bool varint, false when absent. */
  bool(field: number): boolean {
    const e = this.last(field);
    if (e === undefined) return false;
    this.expectWire(e, 0);
    return e.lo !== 0 || e.hi !== 0;
  }

  /** Bytes field as a view of the message bytes, or undefined when absent. */
  bytesField(field: number): Uint8Array | undefined {
    const e = this.last(field);
    if (e === undefined) return undefined;
    this.expectWire(e, 2);
    return this.bytes.subarray(e.start, e.end);
  }

  /** Every occurrence of a bytes field, as views. */
  bytesFields(field: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const e of this.entries) {
      if (e.field !== field) continue;
      this.expectWire(e, 2);
      out.push(this.bytes.subarray(e.start, e.end));
    }
    return out;
  }

  /** UTF-8 string field, `fallback` when absent. */
  string(field: number, fallback = ''): string {
    const b = this.bytesField(field);
    if (b === undefined) return fallback;
    try {
      return TEXT_DECODER.decode(b);
    } catch (cause) {
      throw new CorruptDataError(`corrupt protobuf in ${this.what}: field ${field} is not valid UTF-8 (${b.length} bytes at byte ${this.baseOffset + (b.byteOffset - this.bytes.byteOffset)})`, { cause });
    }
  }

  /** Nested message (last occurrence), or undefined when absent. */
  message(field: number, what: string): ProtoMessage | undefined {
    const b = this.bytesField(field);
    return b === undefined ? undefined : ProtoMessage.decode(b, `${this.what} > ${what}`, this.offsetOf(b));
  }

  /** File offset of `view`, a view of this message's bytes. */
  private offsetOf(view: Uint8Array): number {
    return this.baseOffset + (view.byteOffset - this.bytes.byteOffset);
  }

  /** Every occurrence of a repeated nested message. */
  messages(field: number, what: string): ProtoMessage[] {
    return this.bytesFields(field).map((b, i) => ProtoMessage.decode(b, `${this.what} > ${what}[${i}]`, this.offsetOf(b)));
  }

  /** Repeated unsigned varints, packed or not (both are legal on the wire). */
  uints(field: number): number[] {
    const out: number[] = [];
    for (const e of this.entries) {
      if (e.field !== field) continue;
      if (e.wire === 0) {
        if (e.hi >= 0x200000) throw corruptData(`corrupt protobuf in ${this.what}`, `field ${field} value is beyond 2^53`);
        out.push(e.hi * TWO_32 + e.lo);
      } else if (e.wire === 2) {
        readPackedVarints(this.bytes, e.start, e.end, out, this.what, field, false);
      } else throw corruptData(`corrupt protobuf in ${this.what}`, `field ${field} has wire type ${e.wire}, expected a varint`);
    }
    return out;
  }

  /** Repeated int32 varints, packed or not. */
  int32s(field: number): number[] {
    const out: number[] = [];
    for (const e of this.entries) {
      if (e.field !== field) continue;
      if (e.wire === 0) out.push(e.lo | 0);
      else if (e.wire === 2) readPackedVarints(this.bytes, e.start, e.end, out, this.what, field, true);
      else throw corruptData(`corrupt protobuf in ${this.what}`, `field ${field} has wire type ${e.wire}, expected a varint`);
    }
    return out;
  }
}

/** Low and high 32 bits (unsigned) of the varint {@link readVarint} read last. */
let varintLo = 0;
let varintHi = 0;
/** {@link readVarint}: the bytes end inside the varint. */
const VARINT_TRUNCATED = -1;
/** {@link readVarint}: more than 10 bytes (a varint holds at most 64 bits). */
const VARINT_TOO_LONG = -2;

/**
 * The one 64-bit varint decoder (field values and packed repeated values): reads the varint at `p` (before
 * `end`) into {@link varintLo} / {@link varintHi}, without allocating, and returns the position after it, or
 * {@link VARINT_TRUNCATED} / {@link VARINT_TOO_LONG}: callers name the error.
 */
function readVarint(bytes: Uint8Array, p: number, end: number): number {
  let lo = 0;
  let hi = 0;
  let i = 0;
  for (;;) {
    if (p >= end) return VARINT_TRUNCATED;
    if (i >= 10) return VARINT_TOO_LONG;
    const b = bytes[p++]!;
    const bits = b & 127;
    if (i < 4) lo |= bits << (7 * i);
    else if (i === 4) {
      lo |= (bits & 15) << 28;
      hi |= bits >>> 4;
    } else hi |= bits << (7 * i - 32);
    i++;
    if ((b & 128) === 0) break;
  }
  varintLo = lo >>> 0;
  varintHi = hi >>> 0;
  return p;
}

function readPackedVarints(bytes: Uint8Array, start: number, end: number, out: number[], what: string, field: number, asInt32: boolean): void {
  let p = start;
  while (p < end) {
    const next = readVarint(bytes, p, end);
    if (next === VARINT_TRUNCATED) throw corruptData(`corrupt protobuf in ${what}`, `truncated packed varint in field ${field}`);
    if (next === VARINT_TOO_LONG) throw corruptData(`corrupt protobuf in ${what}`, `packed varint in field ${field} longer than 10 bytes`);
    p = next;
    if (asInt32) out.push(varintLo | 0);
    else {
      if (varintHi >= 0x200000) throw corruptData(`corrupt protobuf in ${what}`, `field ${field} value is beyond 2^53`);
      out.push(varintHi * TWO_32 + varintLo);
    }
  }
}

/** Decodes a UTF-8 string with the fatal decoder (CorruptDataError on invalid bytes). */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return TEXT_DECODER.decode(bytes);
  } catch (cause) {
    throw new CorruptDataError(`${what} is not valid UTF-8`, { cause });
  }
}

/** UTF-8 bytes of a string (a new array). */
export function encodeUtf8(value: string): Uint8Array {
  return TEXT_ENCODER.encode(value);
}

/**
 * Just enough FlatBuffers to read and write the Arrow IPC metadata of a deletion file.
 *
 * Byte layout (little-endian): a buffer starts with a `u32` offset to the root table. A table starts
 * with an `i32` soffset: its vtable lies at `table - soffset`. A vtable is `u16 vtableBytes,
 * u16 tableBytes, u16 fieldOffset[n]` (0 = field absent, else the field's byte offset inside the
 * table). Offset fields (`u32`) point forward from their own position to a table, a vector
 * (`u32 length` then elements) or a string (`u32 length`, UTF-8 bytes, NUL).
 *
 * Worked example: the table `Int { bitWidth: 32 }` written by {@link FbWriter} at position 16 with
 * its vtable at 8: `06 00 08 00 04 00` (vtable: 6 bytes, table 8 bytes, field 0 at +4), padding,
 * then `08 00 00 00` (soffset 16 - 8) and `20 00 00 00` (32).
 *
 * The reader checks every position against the buffer before reading it and throws
 * CorruptDataError naming `what` and the offset.
 */
import { CorruptDataError } from '@vego/encoding';

function bad(what: string, detail: string): CorruptDataError {
  return new CorruptDataError(`${what}: ${detail}`);
}

/** A bounds-checked view of one FlatBuffers table. */
export class FbTable {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  /** Absolute position of the table. */
  readonly pos: number;
  private readonly vtable: number;
  private readonly vtableBytes: number;
  private readonly tableBytes: number;
  readonly what: string;

  constructor(bytes: Uint8Array, dv: DataView, pos: number, what: string) {
    this.bytes = bytes;
    this.dv = dv;
    this.pos = pos;
    this.what = what;
    const n = bytes.length;
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + 4 > n) throw bad(what, `table at byte ${pos} lies outside the ${n}-byte buffer`);
    const vt = pos - dv.getInt32(pos, true);
    if (vt < 0 || vt + 4 > n) throw bad(what, `vtable at byte ${vt} (table at ${pos}) lies outside the ${n}-byte buffer`);
    const vtableBytes = dv.getUint16(vt, true);
    const tableBytes = dv.getUint16(vt + 2, true);
    if (vtableBytes < 4 || (vtableBytes & 1) !== 0 || vt + vtableBytes > n) {
      throw bad(what, `expected a vtable of an even length ≥ 4 within the buffer at byte ${vt}, found ${vtableBytes} bytes`);
    }
    if (tableBytes < 4 || pos + tableBytes > n) throw bad(what, `table of ${tableBytes} bytes at byte ${pos} runs past the ${n}-byte buffer`);
    this.vtable = vt;
    this.vtableBytes = vtableBytes;
    this.tableBytes = tableBytes;
  }

  /** Reads the root table of a buffer that starts at `start` inside `bytes`. */
  static root(bytes: Uint8Array, start: number, byteLength: number, what: string): FbTable {
    if (start < 0 || byteLength < 4 || start + byteLength > bytes.length) throw bad(what, `expected a flatbuffer of at least 4 bytes at byte ${start}, found ${byteLength}`);
    const view = bytes.subarray(start, start + byteLength);
    const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
    return new FbTable(view, dv, dv.getUint32(0, true), what);
  }

  /** Absolute position of field `index` of width `width`, or -1 when absent. */
  fieldPos(index: number, width: number): number {
    const slot = 4 + 2 * index;
    if (slot + 2 > this.vtableBytes) return -1;
    const off = this.dv.getUint16(this.vtable + slot, true);
    if (off === 0) return -1;
    if (off + width > this.tableBytes) throw bad(this.what, `field ${index} at +${off} runs past the ${this.tableBytes}-byte table at byte ${this.pos}`);
    return this.pos + off;
  }

  has(index: number): boolean {
    return this.fieldPos(index, 1) >= 0;
  }

  uint8(index: number, dflt: number): number {
    const p = this.fieldPos(index, 1);
    return p < 0 ? dflt : this.dv.getUint8(p);
  }

  int8(index: number, dflt: number): number {
    const p = this.fieldPos(index, 1);
    return p < 0 ? dflt : this.dv.getInt8(p);
  }

  int16(index: number, dflt: number): number {
    const p = this.fieldPos(index, 2);
    return p < 0 ? dflt : this.dv.getInt16(p, true);
  }

  int32(index: number, dflt: number): number {
    const p = this.fieldPos(index, 4);
    return p < 0 ? dflt : this.dv.getInt32(p, true);
  }

  /** An int64 field as a number; CorruptDataError when it is negative or beyond 2^53. */
  int64(index: number, dflt: number): number {
    const p = this.fieldPos(index, 8);
    if (p < 0) return dflt;
    return safeInt64(this.dv, p, `${this.what} field ${index}`);
  }

  /** Position the offset field `index` points to, or -1 when absent. */
  private target(index: number): number {
    const p = this.fieldPos(index, 4);
    if (p < 0) return -1;
    const t = p + this.dv.getUint32(p, true);
    if (t + 4 > this.bytes.length) throw bad(this.what, `field ${index} points to byte ${t}, outside the ${this.bytes.length}-byte buffer`);
    return t;
  }

  table(index: number, what: string): FbTable | undefined {
    const t = this.target(index);
    return t < 0 ? undefined : new FbTable(this.bytes, this.dv, t, what);
  }

  string(index: number): string | undefined {
    const t = this.target(index);
    if (t < 0) return undefined;
    const n = this.dv.getUint32(t, true);
    if (t + 4 + n > this.bytes.length) throw bad(this.what, `string of ${n} bytes at byte ${t} runs past the buffer`);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(t + 4, t + 4 + n));
  }

  /** A vector field: position of its first element and its length, checked against `elementBytes`. */
  vector(index: number, elementBytes: number): { start: number; length: number } | undefined {
    const t = this.target(index);
    if (t < 0) return undefined;
    const n = this.dv.getUint32(t, true);
    if (t + 4 + n * elementBytes > this.bytes.length) {
      throw bad(this.what, `vector field ${index} of ${n} × ${elementBytes} bytes at byte ${t} runs past the ${this.bytes.length}-byte buffer`);
    }
    return { start: t + 4, length: n };
  }

  /** Element `i` of a vector of tables. */
  tableAt(vec: { start: number }, i: number, what: string): FbTable {
    const p = vec.start + 4 * i;
    const t = p + this.dv.getUint32(p, true);
    return new FbTable(this.bytes, this.dv, t, what);
  }
}

/** A little-endian int64 at `pos` as a safe non-negative number. */
export function safeInt64(dv: DataView, pos: number, what: string): number {
  const lo = dv.getUint32(pos, true);
  const hi = dv.getInt32(pos + 4, true);
  if (hi < 0 || hi > 0x1fffff) throw new CorruptDataError(`${what}: expected a non-negative integer below 2^53, found ${dv.getBigInt64(pos, true)}`);
  return hi * 4294967296 + lo;
}

/** A value written by {@link FbWriter}. */
export type FbValue =
  | { kind: 'table'; fields: (FbField | null)[] }
  | { kind: 'string'; value: string }
  | { kind: 'tables'; items: FbValue[] }
  /** A vector of structs: `elementBytes` each, aligned to `align`. */
  | { kind: 'structs'; bytes: Uint8Array; elementBytes: number; align: number };

/** One table field: a scalar of a width, or an offset to another value. */
export type FbField =
  | { kind: 'u8' | 'i16' | 'i32' | 'i64'; value: number }
  | { kind: 'ref'; value: FbValue };

const WIDTH = { u8: 1, i16: 2, i32: 4, i64: 8 } as const;

/**
 * Writes FlatBuffers front to back: every value is placed after the field that points to it, so
 * all offsets are forward (as the format requires). Small metadata only; not a general builder.
 */
export class FbWriter {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  private len = 0;

  /** Serialises `root` (a table) with its root offset; returns the bytes (a copy), padded to 8. */
  static finish(root: FbValue): Uint8Array {
    const w = new FbWriter();
    w.reserve(8);
    w.len = 8; // root offset at 0, padding to keep 8-byte alignment of what follows
    w.dv.setUint32(0, w.emit(root), true);
    w.align(8);
    return w.buf.slice(0, w.len);
  }

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  private align(a: number): void {
    const pad = (a - (this.len % a)) % a;
    this.reserve(pad);
    this.buf.fill(0, this.len, this.len + pad);
    this.len += pad;
  }

  /** Writes `v`; returns its position. */
  private emit(v: FbValue): number {
    switch (v.kind) {
      case 'string': {
        const b = new TextEncoder().encode(v.value);
        this.align(4);
        const at = this.len;
        this.reserve(4 + b.length + 1);
        this.dv.setUint32(at, b.length, true);
        this.buf.set(b, at + 4);
        this.buf[at + 4 + b.length] = 0;
        this.len += 4 + b.length + 1;
        return at;
      }
      case 'structs': {
        // The first element must be aligned; the u32 length sits just before it.
        this.align(4);
        while ((this.len + 4) % v.align !== 0) this.pad(4);
        const at = this.len;
        this.reserve(4 + v.bytes.length);
        this.dv.setUint32(at, v.bytes.length / v.elementBytes, true);
        this.buf.set(v.bytes, at + 4);
        this.len += 4 + v.bytes.length;
        return at;
      }
      case 'tables': {
        this.align(4);
        const at = this.len;
        this.reserve(4 + 4 * v.items.length);
        this.dv.setUint32(at, v.items.length, true);
        this.len += 4 + 4 * v.items.length;
        for (let i = 0; i < v.items.length; i++) {
          const slot = at + 4 + 4 * i;
          const target = this.emit(v.items[i]!);
          this.dv.setUint32(slot, target - slot, true);
        }
        return at;
      }
      case 'table':
        return this.emitTable(v.fields);
    }
  }

  private pad(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  private emitTable(fields: (FbField | null)[]): number {
    // Lay the table out: soffset, then fields in order, each aligned to its width (absolute).
    const n = fields.length;
    const vtableBytes = 4 + 2 * n;
    this.align(2);
    const vt = this.len;
    this.pad(vtableBytes);
    this.align(8);
    const at = this.len;
    this.pad(4);
    const offsets = new Array<number>(n).fill(0);
    const refs: { pos: number; value: FbValue }[] = [];
    for (let i = 0; i < n; i++) {
      const f = fields[i];
      if (f === null || f === undefined) continue;
      const width = f.kind === 'ref' ? 4 : WIDTH[f.kind];
      this.align(width);
      const p = this.len;
      this.pad(width);
      offsets[i] = p - at;
      if (f.kind === 'ref') refs.push({ pos: p, value: f.value });
      else if (f.kind === 'u8') this.dv.setUint8(p, f.value);
      else if (f.kind === 'i16') this.dv.setInt16(p, f.value, true);
      else if (f.kind === 'i32') this.dv.setInt32(p, f.value, true);
      else this.dv.setBigInt64(p, BigInt(f.value), true);
    }
    const tableBytes = this.len - at;
    this.dv.setInt32(at, at - vt, true);
    this.dv.setUint16(vt, vtableBytes, true);
    this.dv.setUint16(vt + 2, tableBytes, true);
    for (let i = 0; i < n; i++) this.dv.setUint16(vt + 4 + 2 * i, offsets[i]!, true);
    for (const r of refs) {
      const target = this.emit(r.value);
      this.dv.setUint32(r.pos, target - r.pos, true);
    }
    return at;
  }
}

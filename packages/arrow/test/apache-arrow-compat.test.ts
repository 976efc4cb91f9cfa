/**
 * Oracle tests against apache-arrow@18.1.0: buffers built here are handed to apache-arrow unchanged and
 * read back equal, and buffers built by apache-arrow are wrapped here without copying.
 */
import * as aa from 'apache-arrow';
import {
  ArrayData, Binary, Bool, Field, FixedSizeList, Float16, Float32, Float64, Int16, Int32, Int64, Int8, List, Struct,
  Uint16, Uint32, Uint64, Uint8, Utf8, copyBits, makeBuilder, makeData, makeVector, vectorFrom, float16ToNumber,
} from '@vego/arrow';
import type { DataType, Vector } from '@vego/arrow';
import { seededRandom as rng } from '../../../test-support/random';
import { toAaType } from './fixtures/apache-arrow-types';

/**
 * Hands our buffers to apache-arrow without copying. Our layout follows the Arrow spec (the offset
 * applies to every buffer); apache-arrow JS applies `offset` only to bitmaps and expects the other
 * buffers (and Struct/FixedSizeList children) already sliced, so slices are passed as subarray views.
 */
function toAaData(d: ArrayData): aa.Data {
  const type = toAaType(d.type);
  const o = d.offset;
  const n = d.length;
  const common = { type, length: n, offset: o, nullCount: d.nullCount, nullBitmap: d.validity ?? undefined };
  switch (d.type.typeId) {
    case 15: {
      const size = d.type.listSize;
      return aa.makeData({ ...common, type: type as aa.FixedSizeList, child: toAaData(d.children[0]!.slice(o * size, (o + n) * size)) });
    }
    case 16: return aa.makeData({ ...common, type: type as aa.List, valueOffsets: d.valueOffsets!.subarray(o, o + n + 1), child: toAaData(d.children[0]!) });
    case 17: return aa.makeData({ ...common, type: type as aa.Struct, children: d.children.map((c) => toAaData(c.slice(o, o + n))) });
    case 13:
    case 14: return aa.makeData({ ...common, type: type as aa.Utf8, valueOffsets: d.valueOffsets!.subarray(o, o + n + 1), data: d.values as Uint8Array });
    case 1: return aa.makeData({ ...common, type: type as aa.Bool, data: d.values as Uint8Array });
    default: return aa.makeData({ ...common, type: type as aa.Int32, data: (d.values as Int32Array).subarray(o, o + n) });
  }
}

/** A bitmap of apache-arrow data re-based to bit 0: a view when the offset is byte-aligned, else a copy. */
function rebase(bits: Uint8Array, offset: number, length: number): Uint8Array {
  return (offset & 7) === 0 ? bits.subarray(offset >> 3) : copyBits(bits, offset, length);
}

/** Wraps apache-arrow buffers in our ArrayData without copying the values (see toAaData for the offset rule). */
function fromAaData(d: aa.Data, type: DataType): ArrayData {
  const validity = d.nullCount > 0 ? rebase(d.nullBitmap!, d.offset, d.length) : null;
  const length = d.length;
  switch (type.typeId) {
    case 15: return makeData({ type, length, validity, children: [fromAaData(d.children[0]!, type.child.type)] });
    case 16: return makeData({ type, length, validity, valueOffsets: d.valueOffsets, children: [fromAaData(d.children[0]!, type.child.type)] });
    case 17: return makeData({ type, length, validity, children: d.children.map((c, k) => fromAaData(c, type.children[k]!.type)) });
    case 13:
    case 14: return makeData({ type, length, validity, valueOffsets: d.valueOffsets, values: d.values });
    case 1: return makeData({ type, length, validity, values: rebase(d.values as Uint8Array, d.offset, length) });
    default: return makeData({ type, length, validity, values: d.values });
  }
}

/** A comparable plain JS value from either library's element. */
function plain(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : Number.isNaN(x) ? 'NaN' : x;
  if (typeof x === 'bigint' || typeof x === 'string' || typeof x === 'boolean') return x;
  if (x instanceof Uint8Array && !(x as unknown as { toArray?: unknown }).toArray) return Array.from(x);
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<unknown>, plain);
  const t = x as { toArray?: () => ArrayLike<unknown>; toJSON?: () => unknown; length?: number; get?: (i: number) => unknown };
  if (typeof t.get === 'function' && typeof t.length === 'number') {
    const out: unknown[] = [];
    for (let i = 0; i < t.length; i++) out.push(plain(t.get(i)));
    return out;
  }
  if (typeof x === 'object') {
    const o = (typeof t.toJSON === 'function' ? t.toJSON() : x) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) out[k] = plain(o[k]);
    return out;
  }
  return x;
}

function valuesOf(v: { length: number; get(i: number): unknown }): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < v.length; i++) out.push(plain(v.get(i)));
  return out;
}

const item = (t: DataType, nullable = true) => new Field('item', t, nullable);

interface Case { name: string; type: DataType; gen: (r: () => number, i: number) => unknown }
const CASES: Case[] = [
  { name: 'Bool', type: new Bool(), gen: (r) => r() < 0.5 },
  { name: 'Int8', type: new Int8(), gen: (r) => Math.floor(r() * 256) - 128 },
  { name: 'Int16', type: new Int16(), gen: (r) => Math.floor(r() * 65536) - 32768 },
  { name: 'Int32', type: new Int32(), gen: (r) => (Math.floor(r() * 2 ** 32) | 0) },
  { name: 'Int64', type: new Int64(), gen: (r, i) => (i % 5 === 0 ? -(2n ** 63n) + BigInt(i) : BigInt(Math.floor(r() * 2 ** 53)) * 1000n - 2n ** 60n) },
  { name: 'Uint8', type: new Uint8(), gen: (r) => Math.floor(r() * 256) },
  { name: 'Uint16', type: new Uint16(), gen: (r) => Math.floor(r() * 65536) },
  { name: 'Uint32', type: new Uint32(), gen: (r) => Math.floor(r() * 2 ** 32) },
  { name: 'Uint64', type: new Uint64(), gen: (r, i) => (i % 5 === 0 ? 2n ** 64n - 1n - BigInt(i) : BigInt(Math.floor(r() * 2 ** 53)) * 2048n) },
  { name: 'Float16', type: new Float16(), gen: (r, i) => [0, -0, Infinity, -Infinity, NaN, 65504, 6.1e-5][i % 7]! + (i % 7 < 5 ? 0 : 0) + (i >= 7 ? Math.round(r() * 100) / 4 : 0) },
  { name: 'Float32', type: new Float32(), gen: (r, i) => [NaN, -0, Infinity, -Infinity, 0][i % 9] ?? Math.fround(r() * 2e6 - 1e6) },
  { name: 'Float64', type: new Float64(), gen: (r, i) => [NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE][i % 11] ?? r() * 1e300 - 5e299 },
  { name: 'Utf8', type: new Utf8(), gen: (r, i) => ['', 'a', 'héllo wörld', '日本語', '🎉 emoji', 'x'.repeat(40)][i % 6]! + String(Math.floor(r() * 100)) },
  { name: 'Binary', type: new Binary(), gen: (r, i) => Uint8Array.from({ length: i % 5 }, () => Math.floor(r() * 256)) },
  { name: 'FixedSizeList<Float32>[3]', type: new FixedSizeList(item(new Float32()), 3), gen: (r) => Float32Array.from({ length: 3 }, () => Math.fround(r())) },
  { name: 'List<Int32>', type: new List(item(new Int32())), gen: (r, i) => Int32Array.from({ length: i % 4 }, () => Math.floor(r() * 1000)) },
  { name: 'List<Utf8>', type: new List(item(new Utf8())), gen: (r, i) => Array.from({ length: i % 3 }, (_, k) => (k === 1 && i % 2 ? null : `s${Math.floor(r() * 50)}`)) },
  {
    name: 'Struct<{a: Int32, b: Utf8}>',
    type: new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]),
    gen: (r, i) => ({ a: Math.floor(r() * 100), b: i % 4 === 0 ? null : `b${i}` }),
  },
];

function build(c: Case, n: number, withNulls: boolean, seed: number): { vector: Vector; expected: unknown[] } {
  const r = rng(seed);
  const b = makeBuilder(c.type) as unknown as { append(v: unknown): unknown; finish(): Vector };
  const expected: unknown[] = [];
  for (let i = 0; i < n; i++) {
    if (withNulls && i % 3 === 1) {
      b.append(null);
      expected.push(null);
    } else {
      const v = c.gen(r, i);
      b.append(v);
      expected.push(v);
    }
  }
  return { vector: b.finish(), expected };
}

describe('apache-arrow compatibility', () => {
  for (const c of CASES) {
    for (const withNulls of [false, true]) {
      describe(`${c.name} ${withNulls ? 'with' : 'without'} nulls`, () => {
        it('reads our buffers identically in apache-arrow, whole and sliced', () => {
          const { vector } = build(c, 37, withNulls, 42);
          expect(vector.nullCount > 0).toBe(withNulls);
          expect(vector.data.validity === null).toBe(!withNulls);
          const theirs = aa.makeVector(toAaData(vector.data));
          expect(theirs.length).toBe(vector.length);
          expect(theirs.nullCount).toBe(vector.nullCount);
          expect(valuesOf(theirs)).toEqual(valuesOf(vector));
          // Slices with a non-zero offset, and a slice of a slice.
          const s = vector.slice(5, 30).slice(3, 20);
          expect(s.data.offset).toBe(8);
          const theirSlice = aa.makeVector(toAaData(s.data));
          expect(valuesOf(theirSlice)).toEqual(valuesOf(s));
          expect(valuesOf(theirSlice)).toEqual(valuesOf(vector).slice(8, 25));
        });

        it('wraps apache-arrow buffers without copying, whole and sliced', () => {
          // 43 rows: the last one is valid (see the trailing-null FixedSizeList test below).
          const { vector: ours } = build(c, 43, withNulls, 7);
          const theirs = aa.makeVector(toAaData(ours.data));
          // Their own builder output (vectorFromArray) for the same values.
          const built = aa.vectorFromArray(valuesOfForArrow(theirs), toAaType(c.type) as never) as aa.Vector;
          const d = built.data[0]!;
          const back = makeVector(fromAaData(d, c.type));
          if (d.values !== undefined && back.data.values !== null) expect(back.data.values.buffer).toBe(d.values.buffer);
          expect(valuesOf(back)).toEqual(valuesOf(built));
          expect(valuesOf(back)).toEqual(valuesOf(ours));
          // Their slice (non-zero offset) into ours.
          const slicedTheirs = built.slice(4, 33);
          const ds = slicedTheirs.data[0]!;
          const backSlice = makeVector(fromAaData(ds, c.type));
          expect(valuesOf(backSlice)).toEqual(valuesOf(slicedTheirs));
          expect(valuesOf(backSlice)).toEqual(valuesOf(ours).slice(4, 33));
        });

        it('agrees on empty arrays', () => {
          const { vector } = build(c, 0, withNulls, 1);
          expect(vector.length).toBe(0);
          const theirs = aa.makeVector(toAaData(vector.data));
          expect(theirs.length).toBe(0);
          const built = aa.vectorFromArray([], toAaType(c.type) as never) as aa.Vector;
          expect(makeVector(fromAaData(built.data[0]!, c.type)).length).toBe(0);
        });
      });
    }
  }

  /** JS values apache-arrow's vectorFromArray accepts, read back from one of its vectors. */
  function valuesOfForArrow(v: aa.Vector): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = v.get(i);
      if (x !== null && typeof x === 'object' && !(x instanceof Uint8Array) && typeof (x as { toArray?: unknown }).toArray === 'function') {
        out.push(Array.from((x as { toArray(): ArrayLike<unknown> }).toArray()));
      } else if (x !== null && typeof x === 'object' && typeof (x as { toJSON?: unknown }).toJSON === 'function') {
        out.push((x as { toJSON(): unknown }).toJSON());
      } else out.push(x);
    }
    return out;
  }

  it('rejects with a typed error the short child apache-arrow builds for a trailing null FixedSizeList', () => {
    // apache-arrow's builder writes no child slots for trailing null lists, so its child is shorter than
    // length * listSize, which the Arrow spec requires. We refuse such data instead of reading past it.
    const type = new aa.FixedSizeList(2, new aa.Field('item', new aa.Float32()));
    const theirs = aa.vectorFromArray([[1, 2], null], type as never) as aa.Vector;
    const d = theirs.data[0]!;
    const child = d.children[0]!;
    expect(child.length).toBe(2);
    const ours = new FixedSizeList(item(new Float32()), 2);
    const childData = makeData({ type: new Float32(), length: child.length, values: child.values });
    expect(() => makeData({ type: ours, length: 2, validity: d.nullBitmap, children: [childData] })).toThrow(
      expect.objectContaining({ code: 'VEGO_INVALID_ARGUMENT' }),
    );
  });

  it('shares the very same values buffer when wrapping apache-arrow numeric data', () => {
    const theirs = aa.makeVector(new Float32Array([1, NaN, -0, Infinity]));
    const d = theirs.data[0]!;
    const ours = makeVector(makeData({ type: new Float32(), length: d.length, values: d.values }));
    expect(ours.values.buffer).toBe(d.values.buffer);
    expect(ours.get(1)).toBeNaN();
    expect(Object.is(ours.get(2), -0)).toBe(true);
    expect(ours.get(3)).toBe(Infinity);
  });

  it('passes Float16 raw bits through unchanged both ways', () => {
    const bits = new Uint16Array([0x0000, 0x8000, 0x3c00, 0xc000, 0x7c00, 0xfc00, 0x7e00, 0x0001, 0x7bff]);
    const ours = makeVector(makeData({ type: new Float16(), length: bits.length, values: bits }));
    const theirs = aa.makeVector(toAaData(ours.data)) as aa.Vector<aa.Float16>;
    expect(Array.from((theirs.data[0]!.values as Uint16Array).subarray(0, bits.length))).toEqual(Array.from(bits));
    for (let i = 0; i < bits.length; i++) {
      expect(plain(ours.get(i))).toEqual(plain(theirs.get(i)));
      expect(ours.getBits(i)).toBe(bits[i]);
    }
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0x0001)).toBe(2 ** -24);
  });

  it('reads a Struct with nulls built by apache-arrow builders', () => {
    const type = new aa.Struct([new aa.Field('x', new aa.Float64(), true), new aa.Field('y', new aa.Int32(), true)]);
    const builder = aa.makeBuilder({ type, nullValues: [null] });
    builder.append({ x: 1.5, y: 2 } as never);
    builder.append(null as never);
    builder.append({ x: -0, y: null } as never);
    const v = builder.finish().toVector();
    const ours = makeVector(fromAaData(v.data[0]!, new Struct([new Field('x', new Float64()), new Field('y', new Int32())])));
    expect(ours.nullCount).toBe(1);
    expect(ours.get(0)).toEqual({ x: 1.5, y: 2 });
    expect(ours.get(1)).toBeNull();
    expect(Object.is((ours.get(2) as { x: number }).x, -0)).toBe(true);
    expect((ours.get(2) as { y: unknown }).y).toBeNull();
  });

  it('hands a FixedSizeList<Float32> embedding column to apache-arrow with shared memory', () => {
    const dim = 8;
    const flat = new Float32Array(dim * 5).map((_, i) => i / 3);
    const ours = vectorFrom(new FixedSizeList(item(new Float32()), dim), [flat.subarray(0, 8), null, flat.subarray(16, 24)]);
    const theirs = aa.makeVector(toAaData(ours.data));
    expect(theirs.data[0]!.children[0]!.values.buffer).toBe(ours.data.children[0]!.values!.buffer);
    expect(Array.from(theirs.get(2)!.toArray() as Float32Array)).toEqual(Array.from(flat.subarray(16, 24)));
    expect(theirs.get(1)).toBeNull();
  });
});

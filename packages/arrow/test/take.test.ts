/**
 * takeData / takeVector / takeBatch: every type, with and without nulls, sliced inputs, nested
 * types, compared with the input read back through `get(i)`; apache-arrow reads our output buffers.
 */
import { runInNewContext } from 'node:vm';
import * as aa from 'apache-arrow';
import {
  ArrayData, Binary, Bool, Field, FixedSizeList, Float16, Float32, Float64, Int16, Int32, Int64, Int8, List,
  RecordBatch, Schema, Struct, Uint16, Uint32, Uint64, Uint8, Utf8, fixedSizeListFromFloat32, makeBuilder, makeData,
  makeVector, takeBatch, takeData, takeVector, utf8FromStrings, vectorFromTypedArray,
} from '@vego/arrow';
import type { DataType, ListVector, TakeIndices, Vector } from '@vego/arrow';
import { seededRandom } from '../../../test-support/random';

const code = (c: string) => expect.objectContaining({ code: c });

/** A comparable JS value for an element of either library (-0 and NaN kept apart from 0). */
function plain(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number') return Object.is(x, -0) ? '-0' : x;
  if (typeof x !== 'object') return x;
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<unknown>, plain);
  const o = x as { toJSON?: () => unknown; toArray?: () => ArrayLike<unknown> };
  if (typeof o.toJSON === 'function') return plain(o.toJSON());
  if (typeof o.toArray === 'function') return Array.from(o.toArray(), plain);
  if (Array.isArray(x)) return x.map(plain);
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
}

/** What taking `indices` from `v` must give: its own elements, read one by one. */
function expectedOf(v: Vector, indices: ArrayLike<number>): unknown[] {
  return Array.from(indices, (i) => plain(v.get(i)));
}

/** Rebuilds `d` through the validating makeData (offsets, lengths, children) and returns the counted nulls. */
function revalidate(d: ArrayData): ArrayData {
  return makeData({
    type: d.type, length: d.length, offset: d.offset, validity: d.validity,
    values: d.values, valueOffsets: d.valueOffsets, children: d.children.map(revalidate),
  });
}

/** Checks a copied result: offset 0, 64-byte padded buffers at byte 0, an exact null count, a bitmap only with nulls. */
function expectFreshBuffers(d: ArrayData): void {
  expect(d.offset).toBe(0);
  expect(revalidate(d).nullCount).toBe(d.nullCount);
  expect(d.validity === null).toBe(d.nullCount === 0);
  for (const b of [d.validity, d.values, d.valueOffsets]) {
    if (b === null) continue;
    expect(b.byteOffset).toBe(0);
    expect(b.byteLength % 64).toBe(0);
  }
  d.children.forEach(expectFreshBuffers);
}

const item = (t: DataType) => new Field('item', t);
const F16 = [0, -0, Infinity, -Infinity, NaN, 65504, 6.103515625e-5, 2 ** -24];

type Gen = (r: () => number, i: number) => unknown;
/** [type, generator of valid values]; the names come from `type.toString()`. */
const KINDS: [DataType, Gen][] = [
  [new Bool(), (r) => r() < 0.5],
  [new Int8(), (r) => Math.floor(r() * 256) - 128],
  [new Int16(), (r) => Math.floor(r() * 65536) - 32768],
  [new Int32(), (r) => Math.floor(r() * 2 ** 32) - 2 ** 31],
  [new Int64(), (r, i) => (i % 4 === 0 ? 2n ** 63n - 1n - BigInt(i) : BigInt(Math.floor(r() * 2 ** 40)) * -4099n)],
  [new Uint8(), (r) => Math.floor(r() * 256)],
  [new Uint16(), (r) => Math.floor(r() * 65536)],
  [new Uint32(), (r) => Math.floor(r() * 2 ** 32)],
  [new Uint64(), (r, i) => (i % 3 === 0 ? 2n ** 64n - 1n - BigInt(i) : BigInt(Math.floor(r() * 2 ** 50)))],
  [new Float16(), (r, i) => F16[i % 8]! + (i > 8 ? Math.round(r() * 64) / 8 : 0)],
  [new Float32(), (r, i) => [NaN, -0, Infinity][i % 7] ?? Math.fround(r() * 1e6 - 5e5)],
  [new Float64(), (r, i) => [NaN, -0, -Infinity, Number.MAX_VALUE][i % 9] ?? r() * 1e300],
  [new Utf8(), (r, i) => ['', 'a', 'héllo', '日本語', '🎉', 'y'.repeat(70)][i % 6]! + String(Math.floor(r() * 9))],
  [new Binary(), (r, i) => Uint8Array.from({ length: i % 6 === 5 ? 50 : i % 4 }, () => Math.floor(r() * 256))],
  [new List(item(new Int32())), (r, i) => Int32Array.from({ length: i % 5 }, () => Math.floor(r() * 1e6))],
  [new List(item(new Utf8())), (r, i) => Array.from({ length: i % 4 }, (_, k) => (k === 2 ? null : `s${i}-${k}`))],
  [new List(item(new List(item(new Int16())))), (r, i) => Array.from({ length: i % 3 }, (_, k) => (k === 1 ? null : [i, k, -i]))],
  [new List(item(new FixedSizeList(item(new Float16()), 2))), (r, i) => Array.from({ length: i % 3 }, () => [r(), -r()])],
  [new FixedSizeList(item(new Float32()), 3), (r) => Float32Array.from({ length: 3 }, () => Math.fround(r()))],
  [new FixedSizeList(item(new Float32()), 40), (r) => Float32Array.from({ length: 40 }, () => Math.fround(r()))],
  [new FixedSizeList(item(new Int64()), 2), (r, i) => BigInt64Array.from([BigInt(i), -(2n ** 62n) - BigInt(i)])],
  [new FixedSizeList(item(new Utf8()), 2), (r, i) => [`u${i}`, i % 3 === 0 ? null : 'v'.repeat(i % 7)]],
  [new FixedSizeList(item(new Bool()), 3), (r, i) => [i % 2 === 0, r() < 0.5, i % 5 === 0 ? null : true]],
  [new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]), (r, i) => ({ a: i * 3, b: i % 4 === 0 ? null : `b${i}` })],
  [
    new Struct([new Field('tags', new List(item(new Utf8()))), new Field('score', new Float64())]),
    (r, i) => ({ tags: i % 5 === 0 ? null : Array.from({ length: i % 3 }, (_, k) => `t${k}`), score: r() }),
  ],
  [
    new List(item(new Struct([new Field('x', new Uint8()), new Field('y', new Bool())]))),
    (r, i) => Array.from({ length: i % 4 }, (_, k) => (k === 3 ? null : { x: (i + k) % 256, y: k % 2 === 0 })),
  ],
];

/** `n` rows of `type`; with `nullEvery`, rows `i % nullEvery === 2` are null. */
function build(type: DataType, gen: Gen, n: number, nullEvery: number, seed: number): Vector {
  const r = seededRandom(seed);
  const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): Vector };
  for (let i = 0; i < n; i++) b.append(nullEvery > 0 && i % nullEvery === 2 ? null : gen(r, i));
  return b.finish();
}

/** The index lists every type is taken with (over a vector of `length` rows). */
function indexSets(length: number, seed: number): [string, number[]][] {
  const r = seededRandom(seed);
  const all = Array.from({ length }, (_, i) => i);
  return [
    ['random with repeats', Array.from({ length: 2 * length }, () => Math.floor(r() * length))],
    ['reversed', all.slice().reverse()],
    ['one row repeated', [length - 1, length - 1, length - 1]],
    ['every row but a few (runs)', all.filter((i) => i % 13 !== 4)],
    ['two runs out of order', [...all.slice(length / 2), ...all.slice(0, length / 2)]],
    ['every other row', all.filter((i) => i % 2 === 1)],
  ];
}

describe('takeVector', () => {
  for (const [type, gen] of KINDS) {
    for (const nullEvery of [0, 3]) {
      describe(`${type.toString()} ${nullEvery ? 'with' : 'without'} nulls`, () => {
        const whole = build(type, gen, 64, nullEvery, 7 + type.typeId);
        // A slice of a slice: offset 9, 52 rows.
        const sliced = whole.slice(5, 61).slice(4, 56);

        it('takes whole and sliced inputs in index order, equal to get(i) of the input', () => {
          expect(sliced.offset).toBe(9);
          for (const input of [whole, sliced]) {
            for (const [name, indices] of indexSets(input.length, 3)) {
              for (const given of [indices, Int32Array.from(indices), Uint32Array.from(indices)] as TakeIndices[]) {
                const out = takeVector(input, given);
                expect(out.constructor).toBe(input.constructor);
                expect(out.type.equals(input.type)).toBe(true);
                expect(out.length).toBe(indices.length);
                expect([name, out.toArray().map(plain)]).toEqual([name, expectedOf(input, indices)]);
                expect(out.nullCount).toBe(indices.filter((i) => !input.isValid(i)).length);
                expectFreshBuffers(out.data);
              }
            }
          }
        });

        it('returns an empty vector for empty indices', () => {
          for (const given of [[], new Int32Array(0), new Uint32Array(0)] as TakeIndices[]) {
            const out = takeVector(sliced, given);
            expect(out.length).toBe(0);
            expect(out.nullCount).toBe(0);
            expect(out.validity).toBeNull();
            expect(out.toArray()).toEqual([]);
          }
        });

        it('returns a zero-copy slice for one ascending run, without a bitmap when the run has no nulls', () => {
          const run = takeVector(sliced, [10, 11, 12, 13, 14, 15]);
          expect(run.data.values).toBe(sliced.data.values);
          expect(run.data.valueOffsets).toBe(sliced.data.valueOffsets);
          expect(run.data.children).toBe(sliced.data.children);
          expect(run.offset).toBe(19);
          expect(run.toArray().map(plain)).toEqual(expectedOf(sliced, [10, 11, 12, 13, 14, 15]));
          // Rows 18 and 19 are valid (the nulls sit at i % 3 === 2), though `whole` has a bitmap.
          const valid = takeVector(whole, [18, 19]);
          expect(valid.nullCount).toBe(0);
          expect(valid.validity).toBeNull();
          expect(valid.toArray().map(plain)).toEqual(expectedOf(whole, [18, 19]));
        });
      });
    }
  }

  it('copies NaN payloads and 64-bit integers bit for bit', () => {
    const f64 = new Float64Array(4);
    const w = new Uint32Array(f64.buffer);
    w.set([0x00000001, 0x7ff00000, 0xdeadbeef, 0xfff80001, 0, 0x80000000, 0xffffffff, 0x7fffffff]);
    const f32 = new Float32Array(new Uint32Array([0x7f800001, 0xffc00123, 0x80000000]).buffer);
    const u64 = new BigUint64Array([0n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 32n + 1n]);
    const tookF64 = takeVector(vectorFromTypedArray(f64), [3, 2, 1, 0, 0]);
    expect(Array.from(new Uint32Array(tookF64.values.buffer, 0, 10))).toEqual([0xffffffff, 0x7fffffff, 0, 0x80000000, 0xdeadbeef, 0xfff80001, 0x00000001, 0x7ff00000, 0x00000001, 0x7ff00000]);
    const tookF32 = takeVector(vectorFromTypedArray(f32), [1, 0, 2]);
    expect(Array.from(new Uint32Array(tookF32.values.buffer, 0, 3))).toEqual([0xffc00123, 0x7f800001, 0x80000000]);
    expect(takeVector(vectorFromTypedArray(u64).slice(1), [2, 0, 1]).toArray()).toEqual([2n ** 32n + 1n, 2n ** 64n - 1n, 2n ** 63n]);
  });

  it('keeps item-level nulls and null list slots of nested vectors apart', () => {
    const type = new List(item(new Utf8()));
    const lists = build(type, (r, i) => [i % 2 ? null : `x${i}`, 'y'], 10, 4, 1);
    const out = takeVector(lists, [2, 1, 6, 2]) as ListVector<Utf8>;
    expect(out.toArray().map(plain)).toEqual([null, [null, 'y'], null, null]);
    expect(out.nullCount).toBe(3);
    expect(out.child.nullCount).toBe(1);
  });

  it('gathers a FixedSizeList<Float32>[128] embedding column as whole rows', () => {
    const dim = 128;
    const flat = new Float32Array(dim * 30).map((_, i) => i * 0.5);
    const vectors = fixedSizeListFromFloat32(flat, dim).slice(3);
    const out = takeVector(vectors, [26, 0, 13, 13]);
    expect(out.values!.length).toBeGreaterThanOrEqual(4 * dim);
    expect(Array.from(out.get(0)!)).toEqual(Array.from(flat.subarray(29 * dim, 30 * dim)));
    expect(Array.from(out.get(1)!)).toEqual(Array.from(flat.subarray(3 * dim, 4 * dim)));
    expect(Array.from(out.get(3)!)).toEqual(Array.from(flat.subarray(16 * dim, 17 * dim)));
  });
});

describe('takeData', () => {
  it('takes raw ArrayData, honouring the offset of every buffer', () => {
    const data = makeData({ type: new Int16(), length: 4, offset: 2, values: new Int16Array([9, 9, -1, 2, -3, 4]) });
    const out = takeData(data, [3, 0, 1]);
    expect(out.offset).toBe(0);
    expect(Array.from((out.values as Int16Array).subarray(0, 3))).toEqual([4, -1, 2]);
  });

  it('copies long ascending stretches (a scan around deleted rows) and index subarray views', () => {
    const values = new Float64Array(1000).map((_, i) => i / 7);
    const data = makeData({ type: new Float64(), length: 990, offset: 10, values });
    const kept = Array.from({ length: 990 }, (_, i) => i).filter((i) => i !== 100 && i !== 500 && i !== 501);
    const out = takeData(data, kept);
    expect(Array.from((out.values as Float64Array).subarray(0, kept.length))).toEqual(kept.map((i) => values[10 + i]));
    const view = new Uint32Array([7, 900, 3, 5]).subarray(1, 3);
    expect(makeVector(takeData(data, view)).toArray()).toEqual([values[910], values[13]]);
  });

  it('accepts index arrays from another realm (told apart by tag, not instanceof)', () => {
    const data = utf8FromStrings(['a', 'b', 'c']).data;
    const foreign = runInNewContext('[new Int32Array([2, 0]), new Uint32Array([1, 1])]') as [Int32Array, Uint32Array];
    expect(foreign[0]).not.toBeInstanceOf(Int32Array);
    expect(makeVector(takeData(data, foreign[0])).toArray()).toEqual(['c', 'a']);
    expect(makeVector(takeData(data, foreign[1])).toArray()).toEqual(['b', 'b']);
  });

  it('takes a struct whose children are longer than it and have their own offsets', () => {
    const a = makeData({ type: new Int32(), length: 5, offset: 1, values: new Int32Array([0, 10, 11, 12, 13, 14]) });
    const b = utf8FromStrings(['p', 'q', 'r', 's', 't', 'u', 'v']).data.slice(2);
    const type = new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]);
    const data = makeData({ type, length: 3, offset: 1, validity: new Uint8Array([0b1011]), children: [a, b] });
    const out = makeVector(takeData(data, [2, 1, 0, 2]));
    expect(out.toArray()).toEqual([{ a: 13, b: 'u' }, null, { a: 11, b: 's' }, { a: 13, b: 'u' }]);
    expect(out.toArray()).toEqual(expectedOf(makeVector(data), [2, 1, 0, 2]));
    expect(out.nullCount).toBe(1);
  });
});

describe('takeBatch', () => {
  it('takes every column with the same schema and checks the indices once', () => {
    const schema = new Schema([
      new Field('id', new Int64(), false),
      new Field('name', new Utf8()),
      new Field('vector', new FixedSizeList(item(new Float32()), 4)),
    ]);
    const ids = vectorFromTypedArray(new BigInt64Array([10n, 11n, 12n, 13n, 14n]));
    const names = utf8FromStrings(['a', null, 'c', 'd', 'e']);
    const vectors = fixedSizeListFromFloat32(new Float32Array(20).map((_, i) => i), 4);
    const batch = new RecordBatch(schema, [ids, names, vectors]).slice(1);
    const out = takeBatch(batch, new Int32Array([3, 0, 0, 2]));
    expect(out.schema).toBe(batch.schema);
    expect(out.numRows).toBe(4);
    expect(out.column('id').toArray()).toEqual([14n, 11n, 11n, 13n]);
    expect(out.column('name').toArray()).toEqual(['e', null, null, 'd']);
    expect(out.column('vector').toArray().map(plain)).toEqual([[16, 17, 18, 19], [4, 5, 6, 7], [4, 5, 6, 7], [12, 13, 14, 15]]);
    expect(takeBatch(batch, []).numRows).toBe(0);
    expect(() => takeBatch(batch, [0, 4])).toThrow(code('VEGO_OUT_OF_RANGE'));
  });
});

describe('apache-arrow reads take output', () => {
  // Our output has offset 0 everywhere, so every buffer is handed over as is.
  function toAa(d: ArrayData, t: aa.DataType): aa.Data {
    const base = { length: d.length, nullCount: d.nullCount, nullBitmap: d.validity ?? undefined };
    if (t instanceof aa.Struct) return aa.makeData({ ...base, type: t, children: d.children.map((c, k) => toAa(c, t.children[k]!.type)) });
    if (t instanceof aa.List) return aa.makeData({ ...base, type: t, valueOffsets: d.valueOffsets!, child: toAa(d.children[0]!, t.children[0]!.type) });
    if (t instanceof aa.FixedSizeList) return aa.makeData({ ...base, type: t, child: toAa(d.children[0]!, t.children[0]!.type) });
    if (t instanceof aa.Utf8) return aa.makeData({ ...base, type: t, valueOffsets: d.valueOffsets!, data: d.values as Uint8Array });
    return aa.makeData({ ...base, type: t as aa.Int32, data: d.values as Int32Array });
  }
  const aaItem = (t: aa.DataType) => new aa.Field('item', t, true);
  const pairs: [DataType, aa.DataType][] = [
    [new Bool(), new aa.Bool()],
    [new Int64(), new aa.Int64()],
    [new Float64(), new aa.Float64()],
    [new Utf8(), new aa.Utf8()],
    [new FixedSizeList(item(new Float32()), 3), new aa.FixedSizeList(3, aaItem(new aa.Float32()))],
    [new List(item(new Utf8())), new aa.List(aaItem(new aa.Utf8()))],
    [
      new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]),
      new aa.Struct([new aa.Field('a', new aa.Int32(), true), new aa.Field('b', new aa.Utf8(), true)]),
    ],
  ];
  for (const [ours, theirs] of pairs) {
    it(`reads a taken ${ours.toString()} with nulls equal to ours`, () => {
      const gen = KINDS.find(([t]) => t.equals(ours))![1];
      const input = build(ours, gen, 40, 3, 11).slice(3);
      const indices = indexSets(input.length, 5)[0]![1];
      const out = takeVector(input, indices);
      expect(out.nullCount).toBeGreaterThan(0);
      const read = aa.makeVector(toAa(out.data, theirs));
      expect(read.length).toBe(indices.length);
      expect(read.nullCount).toBe(out.nullCount);
      expect(Array.from({ length: read.length }, (_, i) => plain(read.get(i)))).toEqual(expectedOf(input, indices));
    });
  }
});

describe('take errors', () => {
  const v = vectorFromTypedArray(new Float32Array([1, 2, 3, 4])).slice(1);

  it('throws OutOfRangeError for an index outside [0, length), wherever it is', () => {
    const late = Array.from({ length: 1000 }, (_, i) => i % 3);
    late.push(3);
    for (const bad of [[3], [-1], [0, 1, -2], late] as number[][]) {
      expect(() => takeVector(v, bad)).toThrow(code('VEGO_OUT_OF_RANGE'));
      expect(() => takeVector(v, Int32Array.from(bad))).toThrow(code('VEGO_OUT_OF_RANGE'));
    }
    expect(() => takeVector(v, new Uint32Array([0, 3]))).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => takeVector(v, new Uint32Array([0xffffffff]))).toThrow(code('VEGO_OUT_OF_RANGE'));
    expect(() => takeData(v.data, [2, 3])).toThrow(/indices\[1\]` = 3 is out of range \[0, 3\)/);
    expect(() => takeVector(v.slice(0, 0), [0])).toThrow(code('VEGO_OUT_OF_RANGE'));
  });

  it('throws InvalidArgumentError for non-integer indices and other index containers', () => {
    for (const bad of [[1.5], [NaN], [0, Infinity], ['1'], [1n], [undefined], new Array(2)] as unknown as number[][]) {
      expect(() => takeVector(v, bad)).toThrow(code('VEGO_INVALID_ARGUMENT'));
    }
    for (const bad of [new Float64Array([0]), new Uint16Array([0]), new Set([0]), null, 0, '0']) {
      expect(() => takeVector(v, bad as unknown as TakeIndices)).toThrow(code('VEGO_INVALID_ARGUMENT'));
    }
    expect(() => takeData(null as unknown as ArrayData, [0])).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => takeVector({} as unknown as Vector, [0])).toThrow(code('VEGO_INVALID_ARGUMENT'));
    expect(() => takeBatch({} as unknown as RecordBatch, [0])).toThrow(code('VEGO_INVALID_ARGUMENT'));
  });

  it('throws OutOfRangeError instead of wrapping int32 offsets when repeated rows outgrow them', () => {
    // Unchecked data claiming a 1 GiB string: only the offsets are read before the error.
    const huge = new ArrayData(new Utf8(), 1, 0, 0, null, new Uint8Array(64), new Int32Array([0, 2 ** 30]), []);
    expect(() => takeData(huge, [0, 0, 0])).toThrow(code('VEGO_OUT_OF_RANGE'));
    const wide = new FixedSizeList(item(new Float32()), 2 ** 20);
    const child = new ArrayData(new Float32(), 2 ** 20, 0, 0, null, new Float32Array(0), null, []);
    const rows = new ArrayData(wide, 1, 0, 0, null, null, null, [child]);
    expect(() => takeData(rows, new Int32Array(2049))).toThrow(code('VEGO_OUT_OF_RANGE'));
  });
});

/**
 * The types added for issue 11 item 6: date32/date64, timestamp (every unit, with and without a time
 * zone), time32/time64, duration, decimal128/256, fixed-size binary, large utf8/binary and dictionary:
 * builders, vectors, take, concat and null arrays here, and the same bytes read by apache-arrow@18.
 */
import * as aa from 'apache-arrow';
import {
  ArrayData, Date32, Date64, Decimal128, Decimal256, Dictionary, Duration, FixedSizeBinary, InvalidArgumentError, Int16, Int32,
  Float64, LargeBinary, LargeUtf8, Time32, Time64, Timestamp, TypeId, Utf8, concatData, decimalToString, makeBuilder, makeData,
  makeNullData, makeVector, takeData, OutOfRangeError, Uint8, Int8,
} from '@vego/arrow';
import type { DataType, Vector } from '@vego/arrow';
import { seededRandom as rng } from '../../../test-support/random';

function built(type: DataType, values: unknown[]): Vector {
  const b = makeBuilder(type) as unknown as { append(v: unknown): unknown; finish(): Vector };
  for (const v of values) b.append(v);
  return b.finish();
}

const r = rng(611);
const big = (): bigint => BigInt(Math.floor(r() * 2 ** 52)) * (r() < 0.5 ? -1n : 1n) * 4099n;

const CASES: Array<[string, DataType, unknown[]]> = [
  ['date32', new Date32(), [0, -719162, 2932896, null, 19000]],
  ['date64', new Date64(), [0n, -62135596800000n, 253402300799999n, null, 1_700_000_000_123n]],
  ['timestamp s', new Timestamp('s'), [big(), null, 0n, -1n]],
  ['timestamp ms UTC', new Timestamp('ms', 'UTC'), [big(), big(), null]],
  ['timestamp us', new Timestamp('us'), [9_007_199_254_740_993n, null, -9_007_199_254_740_993n]],
  ['timestamp ns America/New_York', new Timestamp('ns', 'America/New_York'), [9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, null]],
  ['time32 s', new Time32('s'), [0, 86399, null]],
  ['time32 ms', new Time32('ms'), [86_399_999, null, 1]],
  ['time64 us', new Time64('us'), [86_399_999_999n, null, 0n]],
  ['time64 ns', new Time64('ns'), [86_399_999_999_999n, 1n, null]],
  ['duration s', new Duration('s'), [-5n, null, 5n]],
  ['duration ns', new Duration('ns'), [big(), null, 0n]],
  ['decimal128(38, 4)', new Decimal128(38, 4), [123456789012345678901234567890123n, -1n, null, 0n, -(10n ** 37n)]],
  ['decimal256(76, 10)', new Decimal256(76, 10), [10n ** 75n, -(10n ** 75n), null, 42n]],
  ['fixed_size_binary[3]', new FixedSizeBinary(3), [Uint8Array.of(1, 2, 3), null, Uint8Array.of(255, 0, 7)]],
  ['large_utf8', new LargeUtf8(), ['a', '', null, 'ünïcødé', 'x'.repeat(100)]],
  ['large_binary', new LargeBinary(), [Uint8Array.of(), null, Uint8Array.of(9, 8, 7)]],
  ['dictionary<utf8, int16>', new Dictionary(new Utf8(), new Int16()), ['red', 'green', null, 'red', 'blue', 'green']],
  ['dictionary<int32, int32>', new Dictionary(new Int32(), new Int32()), [7, 7, null, -3]],
];

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
}

describe('temporal, decimal, binary and dictionary types', () => {
  it.each(CASES)('%s: builds, reads back exactly, and has its own type id', (_name, type, values) => {
    const v = built(type, values);
    expect(v.type.equals(type)).toBe(true);
    expect(v.toArray().map(plain)).toEqual(values.map(plain));
    expect(v.nullCount).toBe(values.filter((x) => x === null).length);
  });

  it.each(CASES)('%s: take, concat and null arrays keep values exactly', (_name, type, values) => {
    const d = built(type, values).data;
    const idx = [values.length - 1, 0, 2, 2, 1];
    expect(makeVector(takeData(d, idx)).toArray().map(plain)).toEqual(idx.map((k) => plain(values[k])));
    const sliced = d.slice(1);
    expect(makeVector(takeData(sliced, [0, sliced.length - 1])).toArray().map(plain)).toEqual([plain(values[1]), plain(values[values.length - 1])]);
    const joined = concatData(type, [d, sliced, d.slice(0, 2)]);
    expect(makeVector(joined).toArray().map(plain)).toEqual([...values, ...values.slice(1), ...values.slice(0, 2)].map(plain));
    const nulls = makeVector(makeNullData(type, 3));
    expect(nulls.toArray()).toEqual([null, null, null]);
  });

  it('decimal vectors give exact strings and refuse values that do not fit', () => {
    const v = built(new Decimal128(10, 2), [-1205n, 5n, 0n]) as unknown as { getString(i: number): string };
    expect([v.getString(0), v.getString(1), v.getString(2)]).toEqual(['-12.05', '0.05', '0.00']);
    expect(decimalToString(123n, -2)).toBe('12300');
    expect(() => built(new Decimal128(38, 0), [2n ** 127n])).toThrow(/does not fit/);
    expect(() => new Decimal128(39, 0)).toThrow(InvalidArgumentError);
    expect(() => new Timestamp('xs' as 's')).toThrow(InvalidArgumentError);
    expect(() => new Time32('us' as 's')).toThrow(InvalidArgumentError);
  });

  it('type equality compares unit, time zone, width, precision and scale', () => {
    expect(new Timestamp('us').equals(new Timestamp('us', null))).toBe(true);
    expect(new Timestamp('us').equals(new Timestamp('us', 'UTC'))).toBe(false);
    expect(new Timestamp('us').equals(new Timestamp('ns'))).toBe(false);
    expect(new Decimal128(10, 2).equals(new Decimal128(10, 3))).toBe(false);
    expect(new FixedSizeBinary(4).equals(new FixedSizeBinary(5))).toBe(false);
    expect(new LargeUtf8().equals(new Utf8())).toBe(false);
    expect(new Dictionary(new Utf8(), new Int32()).equals(new Dictionary(new Utf8(), new Int16()))).toBe(false);
    expect([new Date32().typeId, new Dictionary(new Utf8(), new Int32()).typeId]).toEqual([TypeId.Date32, TypeId.Dictionary]);
  });

  it('keeps -0 apart from 0 in a dictionary of floats (found by the LanceDB differential test)', () => {
    const b = makeBuilder(new Dictionary(new Float64(), new Int32()));
    for (const x of [0, -0, 1, -0, 0]) b.append(x);
    const v = b.finish();
    expect(Array.from({ length: 5 }, (_, i) => Object.is(v.get(i), -0))).toEqual([false, true, false, true, false]);
    expect(v.data.children[0]!.length).toBe(3);
  });

  it('joins dictionary chunks whose dictionaries end to end outgrow the index type (found by the LanceDB differential test)', () => {
    // Two fragments' chunks, 200 values each: shifted indices would pass 255 and wrap around Uint8.
    const type = new Dictionary(new Utf8(), new Uint8());
    const chunk = (tag: string, rows: number[]): ArrayData => {
      const b = makeBuilder(type);
      for (let k = 0; k < 200; k++) b.append(`${tag}${k % 150}`);
      const d = b.finish().data;
      return makeData({ type, length: rows.length, values: Uint8Array.from(rows), children: [d.children[0]!] });
    };
    const joined = makeVector(concatData(type, [chunk('a', [0, 149, 7]), chunk('a', [60, 0]), chunk('b', [3])]));
    expect(joined.toArray()).toEqual(['a0', 'a149', 'a7', 'a60', 'a0', 'b3']);
    expect(joined.data.children[0]!.length).toBe(5);
    // More distinct values used than Int8 keys address: a typed refusal, never wrapped indices.
    const wide = new Dictionary(new Utf8(), new Int8());
    const many = (tag: string): ArrayData => {
      const b = makeBuilder(wide);
      for (let k = 0; k < 100; k++) b.append(`${tag}${k}`);
      return b.finish().data;
    };
    expect(() => concatData(wide, [many('a'), many('b')])).toThrow(OutOfRangeError);
  });

  it('refuses dictionary indices outside the dictionary', () => {
    const dict = built(new Utf8(), ['a', 'b']).data;
    const type = new Dictionary(new Utf8(), new Int32());
    expect(() => makeData({ type, length: 2, values: Int32Array.of(0, 2), children: [dict] })).toThrow(/outside the 2-value dictionary/);
    expect(makeVector(makeData({ type, length: 2, values: Int32Array.of(1, 0), children: [dict] })).toArray()).toEqual(['b', 'a']);
  });
});

/** apache-arrow's type for ours. */
function toAa(t: DataType): aa.DataType {
  switch (t.typeId) {
    case TypeId.Date32: return new aa.DateDay();
    case TypeId.Date64: return new aa.DateMillisecond();
    case TypeId.Timestamp: return new aa.Timestamp({ s: aa.TimeUnit.SECOND, ms: aa.TimeUnit.MILLISECOND, us: aa.TimeUnit.MICROSECOND, ns: aa.TimeUnit.NANOSECOND }[t.unit], t.timezone);
    case TypeId.Time32: return t.unit === 's' ? new aa.TimeSecond() : new aa.TimeMillisecond();
    case TypeId.Time64: return t.unit === 'us' ? new aa.TimeMicrosecond() : new aa.TimeNanosecond();
    case TypeId.Duration: return new aa.Duration({ s: aa.TimeUnit.SECOND, ms: aa.TimeUnit.MILLISECOND, us: aa.TimeUnit.MICROSECOND, ns: aa.TimeUnit.NANOSECOND }[t.unit]);
    case TypeId.Decimal128:
    case TypeId.Decimal256: return new aa.Decimal(t.scale, t.precision, t.byteWidth * 8);
    case TypeId.FixedSizeBinary: return new aa.FixedSizeBinary(t.byteWidth);
    case TypeId.LargeUtf8: return new aa.LargeUtf8();
    case TypeId.LargeBinary: return new aa.LargeBinary();
    case TypeId.Utf8: return new aa.Utf8();
    case TypeId.Int16: return new aa.Int16();
    case TypeId.Int32: return new aa.Int32();
    case TypeId.Dictionary: return new aa.Dictionary(toAa(t.valueType), toAa(t.indexType) as aa.Int16);
    default: throw new Error(`no apache-arrow type for ${t.toString()}`);
  }
}

/** Hands our buffers to apache-arrow (large types get 64-bit offsets, decimals their Uint32 words). */
function toAaData(d: ArrayData): aa.Data {
  const type = toAa(d.type);
  const common = { type, length: d.length, nullCount: d.nullCount, nullBitmap: d.validity ?? undefined } as const;
  const t = d.type;
  switch (t.typeId) {
    case TypeId.LargeUtf8:
    case TypeId.LargeBinary:
      return aa.makeData({ ...common, type: type as aa.LargeUtf8, valueOffsets: BigInt64Array.from(d.valueOffsets!.subarray(0, d.length + 1), BigInt), data: d.values as Uint8Array });
    case TypeId.Utf8:
      return aa.makeData({ ...common, type: type as aa.Utf8, valueOffsets: d.valueOffsets!.subarray(0, d.length + 1), data: d.values as Uint8Array });
    case TypeId.Decimal128:
    case TypeId.Decimal256: {
      const b = d.values as Uint8Array;
      return aa.makeData({ ...common, type: type as aa.Decimal, data: new Uint32Array(b.buffer, b.byteOffset, (d.length * t.byteWidth) / 4) });
    }
    case TypeId.Dictionary:
      return aa.makeData({ ...common, type: type as aa.Dictionary, data: d.values as Int16Array, dictionary: aa.makeVector(toAaData(d.children[0]!)) });
    default:
      return aa.makeData({ ...common, type: type as aa.Int32, data: d.values as Int32Array });
  }
}

describe('apache-arrow@18 reads the same bytes', () => {
  it.each(CASES)('%s', (_name, type, values) => {
    const ours = built(type, values);
    const theirs = aa.makeVector(toAaData(ours.data));
    expect(theirs.length).toBe(values.length);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x === null) {
        expect(theirs.isValid(i)).toBe(false);
        continue;
      }
      const raw = (theirs.data[0]!.values as unknown as ArrayLike<unknown>)[i];
      // apache-arrow converts timestamps to milliseconds as a number, which overflows for large seconds: read those raw.
      const y = type.typeId === TypeId.Timestamp ? raw : (theirs.get(i) as unknown);
      switch (type.typeId) {
        case TypeId.Date32: expect(Number(y)).toBe((x as number) * 86_400_000); break;
        case TypeId.Date64: expect(BigInt(Number(y))).toBe(x); break;
        case TypeId.Decimal128:
        case TypeId.Decimal256: {
          // apache-arrow returns the unscaled value's 32-bit words; compare the two's-complement bytes.
          const words = y as Uint32Array;
          const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
          const w = type.byteWidth;
          const want = (ours.data.values as Uint8Array).subarray(i * w, (i + 1) * w);
          expect(Array.from(bytes)).toEqual(Array.from(want));
          break;
        }
        case TypeId.Time32:
        case TypeId.Time64:
        case TypeId.Timestamp:
        case TypeId.Duration:
          // apache-arrow reads Int32/BigInt64 storage: the raw stored value.
          expect(raw).toBe(x);
          break;
        default:
          expect(plain(y)).toEqual(plain(x));
      }
    }
  });
});

/**
 * Temporal types: dates, timestamps, times of day and durations. Each is a fixed-width integer in Arrow's
 * layout (32-bit for Date32 and Time32, 64-bit for the rest), so their values buffer is an Int32Array or a
 * BigInt64Array and every fixed-width kernel (take, concat, page codecs) handles them as it handles Int32
 * and Int64. Vectors return the stored integer (a number or a bigint), never a lossy `Date`.
 */
import { InvalidArgumentError } from './errors';
import { TypeId } from './type-id';
import type { TypeLike, TypedArrayConstructor } from './type-id';

/** Unit of a timestamp, time or duration: seconds, milliseconds, microseconds or nanoseconds. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns';

const UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];

function checkUnit(unit: unknown, allowed: readonly TimeUnit[], what: string): TimeUnit {
  if (!allowed.includes(unit as TimeUnit)) {
    throw new InvalidArgumentError(`\`unit\` of ${what} must be one of ${allowed.map((u) => `'${u}'`).join(', ')}, got ${String(unit)}`);
  }
  return unit as TimeUnit;
}

/** Days since the UNIX epoch, 32-bit signed (Int32Array storage). */
export class Date32 {
  readonly typeId = TypeId.Date32;
  readonly bitWidth = 32;
  readonly ArrayType: TypedArrayConstructor<Int32Array> = Int32Array;
  toString(): string { return 'Date32<day>'; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId; }
}

/** Milliseconds since the UNIX epoch, 64-bit signed (BigInt64Array storage; values read as bigint). */
export class Date64 {
  readonly typeId = TypeId.Date64;
  readonly bitWidth = 64;
  readonly ArrayType: TypedArrayConstructor<BigInt64Array> = BigInt64Array;
  toString(): string { return 'Date64<ms>'; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId; }
}

/**
 * Time since the UNIX epoch in `unit`, 64-bit signed, with an optional IANA time zone (null: a
 * "wall clock" timestamp with no zone). Equality compares unit and time zone.
 */
export class Timestamp {
  readonly typeId = TypeId.Timestamp;
  readonly bitWidth = 64;
  readonly ArrayType: TypedArrayConstructor<BigInt64Array> = BigInt64Array;
  readonly unit: TimeUnit;
  readonly timezone: string | null;
  /** @throws InvalidArgumentError for an unknown unit or a time zone that is not a string. */
  constructor(unit: TimeUnit, timezone: string | null = null) {
    this.unit = checkUnit(unit, UNITS, 'Timestamp');
    if (timezone !== null && typeof timezone !== 'string') throw new InvalidArgumentError('`timezone` of Timestamp must be a string or null');
    this.timezone = timezone === '' ? null : timezone;
  }
  toString(): string { return `Timestamp<${this.unit}${this.timezone === null ? '' : `, ${this.timezone}`}>`; }
  equals(other: TypeLike | null | undefined): boolean {
    return other != null && other.typeId === this.typeId && (other as Timestamp).unit === this.unit && (other as Timestamp).timezone === this.timezone;
  }
}

/** Time of day in seconds or milliseconds since midnight, 32-bit signed (Int32Array storage). */
export class Time32 {
  readonly typeId = TypeId.Time32;
  readonly bitWidth = 32;
  readonly ArrayType: TypedArrayConstructor<Int32Array> = Int32Array;
  readonly unit: 's' | 'ms';
  /** @throws InvalidArgumentError for a unit other than 's' or 'ms'. */
  constructor(unit: 's' | 'ms') {
    this.unit = checkUnit(unit, ['s', 'ms'], 'Time32') as 's' | 'ms';
  }
  toString(): string { return `Time32<${this.unit}>`; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId && (other as Time32).unit === this.unit; }
}

/** Time of day in microseconds or nanoseconds since midnight, 64-bit signed (BigInt64Array storage). */
export class Time64 {
  readonly typeId = TypeId.Time64;
  readonly bitWidth = 64;
  readonly ArrayType: TypedArrayConstructor<BigInt64Array> = BigInt64Array;
  readonly unit: 'us' | 'ns';
  /** @throws InvalidArgumentError for a unit other than 'us' or 'ns'. */
  constructor(unit: 'us' | 'ns') {
    this.unit = checkUnit(unit, ['us', 'ns'], 'Time64') as 'us' | 'ns';
  }
  toString(): string { return `Time64<${this.unit}>`; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId && (other as Time64).unit === this.unit; }
}

/** An elapsed time in `unit`, 64-bit signed (BigInt64Array storage). */
export class Duration {
  readonly typeId = TypeId.Duration;
  readonly bitWidth = 64;
  readonly ArrayType: TypedArrayConstructor<BigInt64Array> = BigInt64Array;
  readonly unit: TimeUnit;
  /** @throws InvalidArgumentError for an unknown unit. */
  constructor(unit: TimeUnit) {
    this.unit = checkUnit(unit, UNITS, 'Duration');
  }
  toString(): string { return `Duration<${this.unit}>`; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId && (other as Duration).unit === this.unit; }
}

/** The temporal types stored as 32-bit integers. */
export type Temporal32Type = Date32 | Time32;
/** The temporal types stored as 64-bit integers. */
export type Temporal64Type = Date64 | Timestamp | Time64 | Duration;
/** Every temporal type. */
export type TemporalType = Temporal32Type | Temporal64Type;

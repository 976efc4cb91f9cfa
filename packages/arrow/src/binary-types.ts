/**
 * Fixed-width binary types (FixedSizeBinary, Decimal128, Decimal256) and the large variable-width ones
 * (LargeUtf8, LargeBinary).
 *
 * FixedSizeBinary and the decimals keep `byteWidth` bytes per value in a Uint8Array (`values`); a decimal
 * is a little-endian two's-complement integer (the unscaled value) with `precision` digits of which `scale`
 * are after the point, and vectors return it exactly, as a bigint or a decimal string, never as a float.
 *
 * LargeUtf8 and LargeBinary are their own types (so a schema round trip keeps them) with the same memory
 * layout here as Utf8 and Binary: Int32 offsets, which limits one array to 2 GiB of bytes. Arrow's 64-bit
 * offsets are produced when handing them to another Arrow library.
 */
import { InvalidArgumentError } from './errors';
import { TypeId } from './type-id';
import type { TypeLike } from './type-id';

/** Values of exactly `byteWidth` bytes each. */
export class FixedSizeBinary {
  readonly typeId = TypeId.FixedSizeBinary;
  readonly byteWidth: number;
  /** @throws InvalidArgumentError when `byteWidth` is not a positive integer (at most 2^31 - 1). */
  constructor(byteWidth: number) {
    if (!Number.isInteger(byteWidth) || byteWidth < 1 || byteWidth > 0x7fffffff) {
      throw new InvalidArgumentError(`\`byteWidth\` of FixedSizeBinary must be a positive integer, got ${String(byteWidth)}`);
    }
    this.byteWidth = byteWidth;
  }
  toString(): string { return `FixedSizeBinary[${this.byteWidth}]`; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId && (other as FixedSizeBinary).byteWidth === this.byteWidth; }
}

function checkDecimal(precision: number, scale: number, max: number, what: string): void {
  if (!Number.isInteger(precision) || precision < 1 || precision > max) {
    throw new InvalidArgumentError(`\`precision\` of ${what} must be an integer in [1, ${max}], got ${String(precision)}`);
  }
  if (!Number.isInteger(scale) || scale < -max || scale > max) {
    throw new InvalidArgumentError(`\`scale\` of ${what} must be an integer in [-${max}, ${max}], got ${String(scale)}`);
  }
}

/** A 128-bit decimal: 16-byte little-endian two's-complement unscaled integers. */
export class Decimal128 {
  readonly typeId = TypeId.Decimal128;
  readonly byteWidth = 16;
  readonly precision: number;
  readonly scale: number;
  /** @throws InvalidArgumentError for a precision outside [1, 38] or a scale outside [-38, 38]. */
  constructor(precision: number, scale: number) {
    checkDecimal(precision, scale, 38, 'Decimal128');
    this.precision = precision;
    this.scale = scale;
  }
  toString(): string { return `Decimal128(${this.precision}, ${this.scale})`; }
  equals(other: TypeLike | null | undefined): boolean {
    return other != null && other.typeId === this.typeId && (other as Decimal128).precision === this.precision && (other as Decimal128).scale === this.scale;
  }
}

/** A 256-bit decimal: 32-byte little-endian two's-complement unscaled integers. */
export class Decimal256 {
  readonly typeId = TypeId.Decimal256;
  readonly byteWidth = 32;
  readonly precision: number;
  readonly scale: number;
  /** @throws InvalidArgumentError for a precision outside [1, 76] or a scale outside [-76, 76]. */
  constructor(precision: number, scale: number) {
    checkDecimal(precision, scale, 76, 'Decimal256');
    this.precision = precision;
    this.scale = scale;
  }
  toString(): string { return `Decimal256(${this.precision}, ${this.scale})`; }
  equals(other: TypeLike | null | undefined): boolean {
    return other != null && other.typeId === this.typeId && (other as Decimal256).precision === this.precision && (other as Decimal256).scale === this.scale;
  }
}

/** UTF-8 strings that Arrow stores with 64-bit offsets (here Int32 offsets: at most 2 GiB per array). */
export class LargeUtf8 {
  readonly typeId = TypeId.LargeUtf8;
  toString(): string { return 'LargeUtf8'; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId; }
}

/** Bytes that Arrow stores with 64-bit offsets (here Int32 offsets: at most 2 GiB per array). */
export class LargeBinary {
  readonly typeId = TypeId.LargeBinary;
  toString(): string { return 'LargeBinary'; }
  equals(other: TypeLike | null | undefined): boolean { return other != null && other.typeId === this.typeId; }
}

/** The types holding `byteWidth` bytes per value in a Uint8Array. */
export type FixedBinaryType = FixedSizeBinary | Decimal128 | Decimal256;

/** Reads the `byteWidth`-byte little-endian two's-complement integer at byte `at` of `bytes` (exact). */
export function readDecimal(bytes: Uint8Array, at: number, byteWidth: number): bigint {
  let v = 0n;
  for (let k = byteWidth - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[at + k]!);
  // Two's complement: the top bit set means negative.
  if ((bytes[at + byteWidth - 1]! & 0x80) !== 0) v -= 1n << BigInt(byteWidth * 8);
  return v;
}

/**
 * Writes `value` as a `byteWidth`-byte little-endian two's-complement integer at byte `at` of `bytes`.
 * @throws InvalidArgumentError when it does not fit.
 */
export function writeDecimal(bytes: Uint8Array, at: number, byteWidth: number, value: bigint): void {
  const bits = BigInt(byteWidth * 8);
  const limit = 1n << (bits - 1n);
  if (value >= limit || value < -limit) throw new InvalidArgumentError(`decimal value ${value} does not fit ${byteWidth * 8} bits`);
  let v = value < 0n ? value + (1n << bits) : value;
  for (let k = 0; k < byteWidth; k++) {
    bytes[at + k] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The unscaled integer `value` with `scale` digits after the point, as a decimal string (exact). */
export function decimalToString(value: bigint, scale: number): string {
  const neg = value < 0n;
  let digits = (neg ? -value : value).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  return `${neg ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

/**
 * Metadata schemas of collections: the field types a document's metadata can hold, how they are
 * inferred from the first values seen, and how each value is checked before anything is stored.
 */
import { InvalidArgumentError } from '@vego/hnsw';
import { InvalidDocumentError } from './errors';

/**
 * Type of a metadata field. Every field is nullable (`null` or a missing key is null).
 * | type | JS value | Lance column |
 * |---|---|---|
 * | `string` | string | utf8 |
 * | `float` | number (NaN and ±∞ refused) | float64 |
 * | `integer` | safe integer number | int64 |
 * | `boolean` | boolean | bool |
 * | `bigint` | bigint within int64 | int64 |
 * | `date` | Date (valid) | int64, milliseconds since 1970 UTC |
 * | `tags` | string[] | list<utf8> |
 */
export type FieldType = 'string' | 'float' | 'integer' | 'boolean' | 'bigint' | 'date' | 'tags';

/** Every {@link FieldType}, in a stable order. */
export const FIELD_TYPES: readonly FieldType[] = ['string', 'float', 'integer', 'boolean', 'bigint', 'date', 'tags'];

/** A metadata schema: field name to type. */
export type MetadataSchema = Record<string, FieldType>;

/** A metadata value as documents hold it. */
export type MetadataValue = string | number | boolean | bigint | Date | string[] | null;

/** Names a metadata field cannot take: they are the collection's own columns in its Lance dataset. */
export const RESERVED_FIELDS: readonly string[] = ['key', 'vector', 'text', '_doc_id', '_rowid', '_rowaddr', '_distance', '_score'];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `t` is one of {@link FIELD_TYPES}. */
export function isFieldType(t: unknown): t is FieldType {
  return typeof t === 'string' && (FIELD_TYPES as readonly string[]).includes(t);
}

/**
 * Checks a field name: an identifier (letters, digits, `_`, not starting with a digit, so that it
 * can be written unquoted in a `where` string and in LanceDB's SQL) that is not reserved.
 * @throws InvalidArgumentError naming the field.
 */
export function checkFieldName(name: string, key?: string): void {
  const bad = !FIELD_NAME.test(name) ? 'must be an identifier (letters, digits and _, not starting with a digit)'
    : RESERVED_FIELDS.includes(name) ? `is reserved (${RESERVED_FIELDS.join(', ')})` : null;
  if (bad === null) return;
  if (key !== undefined) throw new InvalidDocumentError(key, name, `metadata field name ${bad}`);
  throw new InvalidArgumentError(`metadata field \`${name}\` ${bad}`);
}

/**
 * Checks a schema given by the caller and returns a copy.
 * @throws InvalidArgumentError naming the field with a bad name or type.
 */
export function checkSchema(schema: unknown): MetadataSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new InvalidArgumentError('`schema` must be an object of field name to type');
  }
  const out: MetadataSchema = {};
  for (const [name, type] of Object.entries(schema)) {
    checkFieldName(name);
    if (!isFieldType(type)) throw new InvalidArgumentError(`\`schema.${name}\` must be one of ${FIELD_TYPES.join(', ')}, got ${String(type)}`);
    out[name] = type;
  }
  return out;
}

/**
 * The type inferred for a first value: numbers are `float` (declare `integer` in the schema to get
 * an int64 column), arrays of strings `tags`. Returns null for null/undefined (no information).
 * @throws InvalidDocumentError for a value no field type holds.
 */
export function inferFieldType(value: unknown, key: string, field: string): FieldType | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string': return 'string';
    case 'number': return 'float';
    case 'boolean': return 'boolean';
    case 'bigint': return 'bigint';
    default:
      if (value instanceof Date) return 'date';
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return 'tags';
      throw new InvalidDocumentError(key, field, `unsupported value ${describe(value)} (string, number, boolean, bigint, Date or string[])`);
  }
}

/** Short description of a value for error messages (never the whole of a long value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks that `value` fits a field of `type` (null and undefined always do).
 * @throws InvalidDocumentError naming the document key and the field, saying what was expected.
 */
export function checkValue(type: FieldType, value: unknown, key: string, field: string): void {
  if (value === null || value === undefined) return;
  let ok: boolean;
  let why = '';
  switch (type) {
    case 'string': ok = typeof value === 'string'; break;
    case 'float':
      ok = typeof value === 'number' && Number.isFinite(value);
      if (typeof value === 'number' && !ok) why = ' (NaN and ±Infinity cannot be stored)';
      break;
    case 'integer':
      ok = typeof value === 'number' && Number.isSafeInteger(value);
      if (typeof value === 'number' && !ok) why = ' (a safe integer; declare the field `float` for fractions)';
      break;
    case 'boolean': ok = typeof value === 'boolean'; break;
    case 'bigint': ok = typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX; break;
    case 'date':
      ok = value instanceof Date && !Number.isNaN(value.getTime());
      break;
    case 'tags':
      ok = Array.isArray(value) && value.every((v) => typeof v === 'string');
      break;
  }
  if (!ok) throw new InvalidDocumentError(key, field, `expected ${type}${why}, got ${describe(value)}`);
}

/**
 * The in-memory columnar store of a collection's metadata: one typed column per field, indexed by
 * internal doc id (see `doc-ids.ts`), grown by doubling. Filters read these arrays directly.
 * Values are checked (`schema.ts`) before they reach a column.
 */
import type { FieldType, MetadataValue } from '../schema';

/** Grows a typed array to at least `min` elements (doubling), copying the old values. */
export function growTyped<A extends Float64Array | Int32Array | Uint8Array | BigInt64Array | Float32Array>(a: A, min: number, fill?: number): A {
  if (a.length >= min) return a;
  let n = Math.max(a.length * 2, 16);
  while (n < min) n *= 2;
  const out = new (a.constructor as new (n: number) => A)(n);
  (out as Float64Array).set(a as Float64Array);
  if (fill !== undefined && fill !== 0) (out as Int32Array).fill(fill, a.length);
  return out;
}

/** Dictionary of distinct strings: code → string and string → code. */
export class StringDictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  /** Code of `s`, adding it when new. */
  intern(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.codes.set(s, c);
    }
    return c;
  }
  /** Code of `s`, or -1 when it was never stored. */
  codeOf(s: string): number {
    return this.codes.get(s) ?? -1;
  }
}

/** The element a typed array holds: `bigint` for BigInt64Array, `number` otherwise. */
type ElementOf<A> = A extends BigInt64Array ? bigint : number;

/**
 * A fixed-width column: one typed-array slot and one validity byte (0 = null, slot zeroed) per id.
 * The subclasses say how a metadata value is stored in a slot and read back; each keeps its own
 * class (one shape per kind for the filter loops, which read `values` and `valid` directly).
 */
abstract class FixedWidthColumn<A extends Float64Array | BigInt64Array | Uint8Array> {
  valid = new Uint8Array(16);
  constructor(
    public values: A,
    private readonly nullSlot: ElementOf<A>,
  ) {}
  /** The slot value of a present (non-null) metadata value. */
  protected abstract encode(v: NonNullable<MetadataValue>): ElementOf<A>;
  /** The metadata value of a valid slot. */
  protected abstract decode(slot: ElementOf<A>): MetadataValue;
  reserve(n: number): void {
    this.values = growTyped(this.values, n);
    this.valid = growTyped(this.valid, n);
  }
  set(id: number, v: MetadataValue | undefined): void {
    const values = this.values as unknown as ElementOf<A>[];
    if (v === null || v === undefined) {
      this.valid[id] = 0;
      values[id] = this.nullSlot;
    } else {
      this.valid[id] = 1;
      values[id] = this.encode(v);
    }
  }
  get(id: number): MetadataValue {
    return this.valid[id] === 0 ? null : this.decode((this.values as unknown as ElementOf<A>[])[id]!);
  }
  get byteLength(): number { return this.values.byteLength + this.valid.byteLength; }
}

/** Float64 values (types `float`, `integer`, `date` as epoch milliseconds) with a validity byte per id. */
export class NumberColumn extends FixedWidthColumn<Float64Array> {
  constructor(readonly type: 'float' | 'integer' | 'date') {
    super(new Float64Array(16), 0);
  }
  protected encode(v: NonNullable<MetadataValue>): number {
    return v instanceof Date ? v.getTime() : (v as number);
  }
  protected decode(slot: number): MetadataValue {
    return this.type === 'date' ? new Date(slot) : slot;
  }
}

/** Booleans as 0/1 bytes with a validity byte per id. */
export class BoolColumn extends FixedWidthColumn<Uint8Array> {
  readonly type = 'boolean' as const;
  constructor() {
    super(new Uint8Array(16), 0);
  }
  protected encode(v: NonNullable<MetadataValue>): number {
    return v === true ? 1 : 0;
  }
  protected decode(slot: number): MetadataValue {
    return slot === 1;
  }
}

/** 64-bit integers with a validity byte per id. */
export class BigIntColumn extends FixedWidthColumn<BigInt64Array> {
  readonly type = 'bigint' as const;
  constructor() {
    super(new BigInt64Array(16), 0n);
  }
  protected encode(v: NonNullable<MetadataValue>): bigint {
    return v as bigint;
  }
  protected decode(slot: bigint): MetadataValue {
    return slot;
  }
}

/** Dictionary-coded strings: an Int32 code per id, -1 for null. */
export class StringColumn {
  readonly type = 'string' as const;
  codes = new Int32Array(16).fill(-1);
  readonly dict = new StringDictionary();
  reserve(n: number): void {
    this.codes = growTyped(this.codes, n, -1);
  }
  set(id: number, v: MetadataValue | undefined): void {
    this.codes[id] = v === null || v === undefined ? -1 : this.dict.intern(v as string);
  }
  get(id: number): MetadataValue {
    const c = this.codes[id]!;
    return c < 0 ? null : this.dict.values[c]!;
  }
  get byteLength(): number { return this.codes.byteLength; }
}

/**
 * Lists of strings (tags): per id a start and a length (-1 for null) into one pool of dictionary
 * codes. A changed list is written at the end of the pool (the old slots are garbage until the pool
 * is rebuilt when garbage exceeds half of it).
 */
export class TagsColumn {
  readonly type = 'tags' as const;
  starts = new Int32Array(16);
  lengths = new Int32Array(16).fill(-1);
  pool = new Int32Array(64);
  poolLength = 0;
  private garbage = 0;
  readonly dict = new StringDictionary();
  reserve(n: number): void {
    this.starts = growTyped(this.starts, n);
    this.lengths = growTyped(this.lengths, n, -1);
  }
  set(id: number, v: MetadataValue | undefined): void {
    const old = this.lengths[id]!;
    if (old > 0) this.garbage += old;
    if (v === null || v === undefined) {
      this.lengths[id] = -1;
      return;
    }
    const tags = v as string[];
    if (this.garbage > 1024 && this.garbage * 2 > this.poolLength) this.repack(id);
    this.pool = growTyped(this.pool, this.poolLength + tags.length);
    this.starts[id] = this.poolLength;
    this.lengths[id] = tags.length;
    for (let i = 0; i < tags.length; i++) this.pool[this.poolLength++] = this.dict.intern(tags[i]!);
  }
  /** Copies every list but `skip`'s into a fresh pool, dropping the garbage. */
  private repack(skip: number): void {
    const pool = new Int32Array(Math.max(64, this.poolLength - this.garbage + 64));
    let n = 0;
    const starts = this.starts;
    const lengths = this.lengths;
    for (let id = 0; id < lengths.length; id++) {
      const len = lengths[id]!;
      if (len < 0 || id === skip) continue;
      const s = starts[id]!;
      starts[id] = n;
      for (let j = 0; j < len; j++) pool[n++] = this.pool[s + j]!;
    }
    this.pool = pool;
    this.poolLength = n;
    this.garbage = 0;
  }
  get(id: number): MetadataValue {
    const len = this.lengths[id]!;
    if (len < 0) return null;
    const out = new Array<string>(len);
    const s = this.starts[id]!;
    for (let j = 0; j < len; j++) out[j] = this.dict.values[this.pool[s + j]!]!;
    return out;
  }
  get byteLength(): number { return this.starts.byteLength + this.lengths.byteLength + this.pool.byteLength; }
}

/** Any metadata column. */
export type Column = NumberColumn | BoolColumn | BigIntColumn | StringColumn | TagsColumn;

/** A new empty column of `type` with room for `capacity` ids. */
export function newColumn(type: FieldType, capacity: number): Column {
  let c: Column;
  switch (type) {
    case 'float': case 'integer': case 'date': c = new NumberColumn(type); break;
    case 'boolean': c = new BoolColumn(); break;
    case 'bigint': c = new BigIntColumn(); break;
    case 'string': c = new StringColumn(); break;
    case 'tags': c = new TagsColumn(); break;
  }
  c.reserve(capacity);
  return c;
}

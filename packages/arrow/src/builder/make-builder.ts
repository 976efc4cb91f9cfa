/** `makeBuilder(type)`: the builder specialised for a data type, child builders included. */
import { InvalidArgumentError } from '../errors';
import { isDataType, TypeId } from '../type';
import type {
  Binary, Bool, DataType, FixedSizeList, Float16, List, Struct, Utf8,
} from '../type';
import type { Builder, BuilderOptions } from './builder';
import { BigIntBuilder, Float16Builder, NumberBuilder } from './primitive-builder';
import type { NumberType } from './primitive-builder';
import { BoolBuilder } from './bool-builder';
import { BinaryBuilder, DecimalBuilder, FixedSizeBinaryBuilder, Utf8Builder } from './binary-builder';
import { DictionaryBuilder } from './dictionary-builder';
import type { BigIntType } from './primitive-builder';
import type { Date32, Time32 } from '../temporal-types';
import type { Decimal128, Decimal256, FixedSizeBinary, LargeBinary, LargeUtf8 } from '../binary-types';
import type { Dictionary } from '../type';
import { FixedSizeListBuilder, ListBuilder, StructBuilder } from './nested-builder';

/** The builder class `makeBuilder` returns for data type `T`. */
export type BuilderOf<T extends DataType> =
  T extends Bool ? BoolBuilder
  : T extends BigIntType ? BigIntBuilder<T>
  : T extends Float16 ? Float16Builder
  : T extends NumberType | Date32 | Time32 ? NumberBuilder<T>
  : T extends Utf8 ? Utf8Builder
  : T extends LargeUtf8 ? Utf8Builder<LargeUtf8>
  : T extends Binary ? BinaryBuilder
  : T extends LargeBinary ? BinaryBuilder<LargeBinary>
  : T extends FixedSizeBinary ? FixedSizeBinaryBuilder
  : T extends Decimal128 | Decimal256 ? DecimalBuilder<T>
  : T extends Dictionary<infer V> ? DictionaryBuilder<V>
  : T extends FixedSizeList<infer C> ? FixedSizeListBuilder<C>
  : T extends List<infer C> ? ListBuilder<C>
  : T extends Struct ? StructBuilder
  : Builder<T>;

/**
 * Creates a builder for `type`. Child builders follow the child fields' nullability.
 * @throws InvalidArgumentError when `type` is not a data type.
 * @example
 * ```ts
 * const b = makeBuilder(new Float32());
 * b.append(1.5).appendNull().appendMany(new Float32Array([2, 3]));
 * const v = b.finish(); // Float32Vector [1.5, null, 2, 3]
 * ```
 */
export function makeBuilder<T extends DataType>(type: T, options: BuilderOptions = {}): BuilderOf<T> {
  if (!isDataType(type)) throw new InvalidArgumentError('`type` must be a data type');
  const t = type as DataType;
  let b: Builder;
  switch (t.typeId) {
    case TypeId.Bool: b = new BoolBuilder(t, options); break;
    case TypeId.Int64:
    case TypeId.Uint64: b = new BigIntBuilder(t, options); break;
    case TypeId.Float16: b = new Float16Builder(t, options); break;
    case TypeId.Int8:
    case TypeId.Int16:
    case TypeId.Int32:
    case TypeId.Uint8:
    case TypeId.Uint16:
    case TypeId.Uint32:
    case TypeId.Float32:
    case TypeId.Float64: b = new NumberBuilder(t, options); break;
    case TypeId.Date32:
    case TypeId.Time32: b = new NumberBuilder(t, options); break;
    case TypeId.Date64:
    case TypeId.Timestamp:
    case TypeId.Time64:
    case TypeId.Duration: b = new BigIntBuilder(t, options); break;
    case TypeId.Utf8: b = new Utf8Builder(t, options); break;
    case TypeId.LargeUtf8: b = new Utf8Builder(t, options); break;
    case TypeId.Binary: b = new BinaryBuilder(t, options); break;
    case TypeId.LargeBinary: b = new BinaryBuilder(t, options); break;
    case TypeId.FixedSizeBinary: b = new FixedSizeBinaryBuilder(t, options); break;
    case TypeId.Decimal128:
    case TypeId.Decimal256: b = new DecimalBuilder(t, options); break;
    case TypeId.Dictionary: b = new DictionaryBuilder(t, makeBuilder(t.valueType, { nullable: false }) as Builder, options); break;
    case TypeId.List:
      b = new ListBuilder(t, makeBuilder(t.child.type, { nullable: t.child.nullable }) as Builder, options);
      break;
    case TypeId.FixedSizeList: {
      const cap = options.initialCapacity;
      b = new FixedSizeListBuilder(
        t,
        makeBuilder(t.child.type, { nullable: t.child.nullable, initialCapacity: cap === undefined ? undefined : cap * t.listSize }) as Builder,
        options,
      );
      break;
    }
    case TypeId.Struct:
      b = new StructBuilder(t, t.children.map((f) => makeBuilder(f.type, { nullable: f.nullable, initialCapacity: options.initialCapacity }) as Builder), options);
      break;
  }
  return b as BuilderOf<T>;
}

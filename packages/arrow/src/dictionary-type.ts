/**
 * Dictionary-encoded values: per row an integer index into a dictionary array of the value type. The
 * ArrayData of a Dictionary column holds the indices in `values` (a TypedArray of the index type) and the
 * dictionary as `children[0]`; a null row is a validity bit, as for any type.
 */
import { InvalidArgumentError } from './errors';
import { isDataType, TypeId } from './type';
import type { DataType, Int16, Int32, Int64, Int8, Uint16, Uint32, Uint64, Uint8 } from './type';

/** Integer types a dictionary may be indexed by. */
export type DictionaryIndexType = Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64;

/** `Dictionary<valueType, indexType>`: rows are indices into a dictionary of `valueType` values. */
export class Dictionary<V extends DataType = DataType> {
  readonly typeId = TypeId.Dictionary;
  /** Type of the dictionary's values (what a row reads as). */
  readonly valueType: V;
  /** Integer type of the indices. */
  readonly indexType: DictionaryIndexType;
  /** Whether the dictionary's order is meaningful (Arrow's `ordered`). */
  readonly ordered: boolean;
  /** @throws InvalidArgumentError when `indexType` is not an integer type or `valueType` not a data type. */
  constructor(valueType: V, indexType: DictionaryIndexType, ordered = false) {
    if (!isDataType(valueType)) throw new InvalidArgumentError('`valueType` of Dictionary must be a data type');
    const id = (indexType as { typeId?: number } | null)?.typeId;
    if (id === undefined || id < TypeId.Int8 || id > TypeId.Uint64) {
      throw new InvalidArgumentError(`\`indexType\` of Dictionary must be an integer type, got ${String((indexType as { toString?: () => string })?.toString?.())}`);
    }
    this.valueType = valueType;
    this.indexType = indexType;
    this.ordered = ordered === true;
  }
  toString(): string { return `Dictionary<${this.valueType.toString()}, ${this.indexType.toString()}>`; }
  equals(other: DataType | null | undefined): boolean {
    return other != null && other.typeId === this.typeId && this.valueType.equals(other.valueType) &&
      this.indexType.typeId === other.indexType.typeId && this.ordered === other.ordered;
  }
}

/**
 * One opened version of a dataset, as its parts read it: the manifest, the data files of its
 * fragments (./fragment-reads) and their live rows (./live-rows), and the column names reads accept.
 * `Dataset` (../dataset) is the public face over one of these.
 */
import { InvalidArgumentError, NotSupportedError, Schema } from '@vego/format';
import type { BlockCache } from '../block-cache';
import { describeSchema } from '../internal/data-input';
import type { ManifestState } from '../internal/lance-adapter';
import type { FragmentInfo } from '../internal/manifest-model';
import type { ManifestNaming } from '../internal/manifest-names';
import type { ObjectStore } from '../store/object-store';
import { FragmentReads } from './fragment-reads';
import { LiveRows } from './live-rows';

/** A dataset at one version: what every read, delete and compaction of it works from. */
export class DatasetView {
  /** The dataset directory (or URI, without a trailing slash). */
  readonly path: string;
  readonly version: number;
  readonly schema: Schema;
  readonly naming: ManifestNaming;
  readonly state: ManifestState;
  readonly fragments: readonly FragmentInfo[];
  readonly cache: BlockCache | undefined;
  /** The object store holding the dataset (`s3://`, `http(s)://`), or null for a local folder. */
  readonly store: ObjectStore | null;
  readonly live: LiveRows;
  readonly files: FragmentReads;

  /** @throws CorruptDataError / NotSupportedError for a manifest whose fragments cannot be read (see {@link FragmentReads}). */
  constructor(path: string, state: ManifestState, naming: ManifestNaming, cache: BlockCache | undefined, store: ObjectStore | null) {
    this.path = path;
    this.version = state.version;
    this.schema = state.schema;
    this.naming = naming;
    this.state = state;
    this.fragments = state.fragments;
    this.cache = cache;
    this.store = store;
    this.live = new LiveRows(path, state.version, state.fragments, store);
    this.files = new FragmentReads(path, state, cache, store);
  }

  /**
   * The same version with data files of its own (so closing them never disturbs reads of this one)
   * and the deletion sets loaded so far.
   */
  copy(): DatasetView {
    const out = new DatasetView(this.path, this.state, this.naming, this.cache, this.store);
    out.live.adoptLoaded(this.live);
    return out;
  }

  /** The columns a read names (default: every column), checked against the schema. */
  resolveColumns(columns: readonly string[] | undefined): string[] {
    if (columns === undefined) {
      const u = this.state.unsupported[0];
      if (u !== undefined) throw unsupportedColumn(this.path, u.name, u.logicalType, true);
      return this.schema.fields.map((f) => f.name);
    }
    if (!Array.isArray(columns)) throw new InvalidArgumentError('`columns` must be an array of column names');
    for (const c of columns) {
      if (this.schema.fieldIndex(c) < 0) {
        const u = this.state.unsupported.find((x) => x.name === c);
        if (u !== undefined) throw unsupportedColumn(this.path, u.name, u.logicalType, false);
        throw new InvalidArgumentError(`\`columns\` names "${c}", which is not a column of '${this.path}' (${describeSchema(this.schema)})`);
      }
    }
    return columns.slice();
  }

  /** The projected schema of a read of `columns`. */
  projectedSchema(columns: readonly string[]): Schema {
    return new Schema(columns.map((c) => this.schema.field(c)!), this.schema.metadata);
  }
}

/** The error for reading a column whose type vego cannot read. */
function unsupportedColumn(path: string, name: string, logicalType: string, all: boolean): NotSupportedError {
  return new NotSupportedError(
    `column "${name}" of '${path}' has type ${logicalType}, which vego cannot read${all ? '; name the columns to read (`columns`) to read the others' : ''}`,
  );
}

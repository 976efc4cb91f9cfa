/**
 * The transaction of a commit (`lance.table.Transaction`), as a Lance manifest file carries it in
 * its transaction section. LanceDB reads the transaction of every version committed since the one
 * it read when one of its own commits finds its version taken: it rebases onto them when their
 * operations are compatible with its own (an append after another append, a delete of other
 * rows…) and otherwise fails with a commit conflict. A version without one makes its commit fail
 * with an internal error, so every commit this library makes records what it did.
 *
 * `Transaction { read_version 1, uuid 2, tag 3, transaction_properties 4, oneof operation {
 * append 100 (Append { fragments 1 }), delete 101 (Delete { updated_fragments 1,
 * deleted_fragment_ids 2, predicate 3 }), overwrite 102 (Overwrite { fragments 1, schema 2,
 * schema_metadata 3, config_upsert_values 4 }), rewrite 104 (Rewrite { groups 3 (RewriteGroup {
 * old_fragments 1, new_fragments 2 }) }), update 108 (Update { removed_fragment_ids 1,
 * updated_fragments 2, new_fragments 3, fields_modified 4, update_mode 7 }) } }`.
 */
import { InvalidArgumentError } from '@vego/encoding';
import { ProtoWriter } from './internal/protobuf';
import { type DataFragment, writeFragment } from './manifest';
import { type LanceField, writeLanceField } from './lance-schema';

/** What a commit did, in Lance's terms. */
export type LanceOperation =
  /** New fragments after the existing ones. */
  | { kind: 'append'; fragments: readonly DataFragment[] }
  /** Rows deleted: fragments with new deletion files, and fragments whose rows are all deleted. */
  | { kind: 'delete'; updatedFragments: readonly DataFragment[]; deletedFragmentIds: readonly number[]; predicate: string }
  /**
   * Rows replaced (Lance's `Update` in its rewrite-rows mode): the old rows deleted (fragments with
   * new deletion files, fragments gone) and the new ones in new fragments, in one version.
   */
  | { kind: 'update'; removedFragmentIds: readonly number[]; updatedFragments: readonly DataFragment[]; newFragments: readonly DataFragment[]; fieldsModified: readonly number[] }
  /** Fragments rewritten with the same rows (a compaction): each group's old fragments become its new ones. */
  | { kind: 'rewrite'; groups: readonly { oldFragments: readonly DataFragment[]; newFragments: readonly DataFragment[] }[] }
  /** Every fragment replaced, possibly with a new schema. */
  | { kind: 'overwrite'; fragments: readonly DataFragment[]; fields: readonly LanceField[]; schemaMetadata: ReadonlyMap<string, Uint8Array> };

/** A transaction: the version it was built from, a unique id, and its operation. */
export interface LanceTransaction {
  readVersion: number;
  /** A UUID (hyphenated), unique per transaction. */
  uuid: string;
  operation: LanceOperation;
}

/**
 * Encodes a transaction as a `Transaction` protobuf message (no length prefix), for
 * `encodeManifest(m, { transactionSection })`.
 * @throws InvalidArgumentError for an unknown operation kind or a bad read version.
 */
export function encodeTransaction(t: LanceTransaction): Uint8Array {
  if (!Number.isSafeInteger(t.readVersion) || t.readVersion < 0) throw new InvalidArgumentError(`\`readVersion\` must be a non-negative integer, got ${String(t.readVersion)}`);
  const w = new ProtoWriter(256).uint(1, t.readVersion).string(2, t.uuid);
  const op = t.operation;
  const fragments = (o: ProtoWriter, field: number, list: readonly DataFragment[]): ProtoWriter => {
    for (const f of list) o.message(field, writeFragment(f));
    return o;
  };
  switch (op.kind) {
    case 'append':
      w.message(100, fragments(new ProtoWriter(), 1, op.fragments));
      break;
    case 'delete': {
      const o = fragments(new ProtoWriter(), 1, op.updatedFragments);
      if (op.deletedFragmentIds.length > 0) o.packedInts(2, op.deletedFragmentIds as number[]);
      w.message(101, o.stringIfSet(3, op.predicate));
      break;
    }
    case 'overwrite': {
      const o = fragments(new ProtoWriter(), 1, op.fragments);
      for (const f of op.fields) o.message(2, writeLanceField(f));
      for (const [k, v] of op.schemaMetadata) o.message(3, new ProtoWriter().string(1, k).bytesField(2, v));
      w.message(102, o);
      break;
    }
    case 'rewrite': {
      const o = new ProtoWriter();
      for (const g of op.groups) o.message(3, fragments(fragments(new ProtoWriter(), 1, g.oldFragments), 2, g.newFragments));
      w.message(104, o);
      break;
    }
    case 'update': {
      const o = new ProtoWriter();
      if (op.removedFragmentIds.length > 0) o.packedInts(1, op.removedFragmentIds as number[]);
      fragments(o, 2, op.updatedFragments);
      fragments(o, 3, op.newFragments);
      if (op.fieldsModified.length > 0) o.packedInts(4, op.fieldsModified as number[]);
      // update_mode 7: REWRITE_ROWS (0), the default, is not written.
      w.message(108, o);
      break;
    }
    default:
      throw new InvalidArgumentError(`unknown operation kind ${String((op as { kind: unknown }).kind)}`);
  }
  return w.finish();
}

/**
 * `encodeTransaction` and the manifest's transaction section: every operation kind encodes to the
 * `lance.table.Transaction` fields LanceDB reads (read version 1, uuid 2, the operation at its oneof
 * number), and `encodeManifest` writes the section after the index section with `transaction_section`
 * naming its position, the manifest itself unchanged. (LanceDB reading them: io's
 * `lancedb-concurrent-writers.test.ts`.)
 */
import * as F from '@vego/format';
import { ProtoMessage } from '../src/internal/protobuf';

const schema = new F.Schema([new F.Field('id', new F.Int32(), false)]);

describe('Lance transactions', () => {
  const m = F.manifestForFiles(schema, [{ path: 'a.lance', numRows: 10, byteLength: 100 }, { path: 'b.lance', numRows: 5, byteLength: 60 }], 7, 1_700_000_000_000);
  const [f0, f1] = m.fragments as [F.DataFragment, F.DataFragment];
  const uuid = '12345678-1234-4234-8234-123456789abc';
  const kinds: [F.LanceOperation, number][] = [
    [{ kind: 'append', fragments: [f1] }, 100],
    [{ kind: 'delete', updatedFragments: [f0], deletedFragmentIds: [3, 4], predicate: 'id > 2' }, 101],
    [{ kind: 'overwrite', fragments: [f0, f1], fields: m.fields, schemaMetadata: new Map([['k', new Uint8Array([1])]]) }, 102],
    [{ kind: 'rewrite', groups: [{ oldFragments: [f0], newFragments: [f1] }] }, 104],
    [{ kind: 'update', removedFragmentIds: [2], updatedFragments: [f0], newFragments: [f1], fieldsModified: [0] }, 108],
  ];

  it.each(kinds.map(([op, field]) => [op.kind, op, field] as const))('encodes %s at its oneof field', (_kind, operation, field) => {
    const bytes = F.encodeTransaction({ readVersion: 6, uuid, operation });
    const t = ProtoMessage.decode(bytes, 'Transaction', 0);
    expect([t.uint(1), t.string(2), t.fieldNumbers()]).toEqual([6, uuid, [1, 2, field]]);
    const op = t.message(field, 'operation')!;
    if (operation.kind === 'append') expect(op.messages(1, 'fragment').map((f) => f.uint(1))).toEqual([1]);
    if (operation.kind === 'delete') expect([op.messages(1, 'f').length, op.uints(2), op.string(3)]).toEqual([1, [3, 4], 'id > 2']);
    if (operation.kind === 'overwrite') expect([op.messages(1, 'f').length, op.messages(2, 'field').length, op.messages(3, 'meta').length]).toEqual([2, 1, 1]);
    if (operation.kind === 'rewrite') expect(op.messages(3, 'group').map((g) => [g.messages(1, 'o').length, g.messages(2, 'n').length])).toEqual([[1, 1]]);
    if (operation.kind === 'update') expect([op.uints(1), op.messages(2, 'u').length, op.messages(3, 'n').length, op.uints(4)]).toEqual([[2], 1, 1, [0]]);
  });

  it('is written after the index section, named by transaction_section, the manifest unchanged', () => {
    const txn = F.encodeTransaction({ readVersion: 6, uuid, operation: { kind: 'append', fragments: [f1] } });
    const index = new Uint8Array([10, 0]);
    const bytes = F.encodeManifest(m, { indexSection: index, transactionSection: txn });
    const back = F.decodeManifest(bytes);
    expect([back.indexSection, back.transactionSection]).toEqual([0, 4 + index.length]);
    const at = back.transactionSection!;
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
    expect(bytes.subarray(at + 4, at + 4 + len)).toEqual(txn);
    const { indexSection: _i, transactionSection: _t, ...rest } = back;
    const { indexSection: _i2, transactionSection: _t2, ...plain } = F.decodeManifest(F.encodeManifest(m));
    expect(rest).toEqual(plain);
    expect(() => F.encodeTransaction({ readVersion: -1, uuid, operation: { kind: 'append', fragments: [] } })).toThrow(F.InvalidArgumentError);
  });
});

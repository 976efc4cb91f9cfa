/**
 * The manifest's index section (LanceDB's indices) and the fields a manifest's fragments hold that
 * this decoder does not model: an index section written with `encodeManifest` decodes to what was
 * put in, its position is what LanceDB writes (0, the section first), and damage is CorruptDataError;
 * unknown fragment and data-file fields are listed, so writers can refuse to drop them.
 */
import * as F from '@vego/format';
import { ProtoWriter } from '../src/internal/protobuf';

const schema = new F.Schema([new F.Field('id', new F.Int32(), false), new F.Field('v', new F.FixedSizeList(new F.Field('item', new F.Float32()), 2))]);

/** An `IndexMetadata` message as LanceDB writes one. */
function indexMetadata(name: string, fields: number[], fragments: number[], typeUrl: string, createdAt?: number): ProtoWriter {
  const uuid = new Uint8Array(16).map((_, i) => i * 17);
  const w = new ProtoWriter()
    .message(1, new ProtoWriter().bytesField(1, uuid))
    .packedInts(2, fields)
    .string(3, name)
    .uint(4, 3)
    .bytesField(5, F.serializeRoaring(Uint32Array.from(fragments)))
    .message(6, new ProtoWriter().string(1, typeUrl).bytesField(2, new Uint8Array([8, 1])))
    .uint(7, 1);
  if (createdAt !== undefined) w.uint(8, createdAt);
  return w;
}

function section(): Uint8Array {
  return new ProtoWriter()
    .message(1, indexMetadata('id_idx', [0], [0, 1, 7], '/lance.table.BTreeIndexDetails', 1_764_000_000_123))
    .message(1, indexMetadata('v_idx', [1], [1], '/lance.index.pb.VectorIndexDetails'))
    .finish();
}

describe('manifest index section', () => {
  const m = F.manifestForFiles(schema, [{ path: 'a.lance', numRows: 10, byteLength: 100 }], 4, 1_700_000_000_000);
  m.maxFragmentId = 7;

  it('is written first, named by position 0, and decodes to what was written', () => {
    const bytes = F.encodeManifest(m, { indexSection: section() });
    const back = F.decodeManifest(bytes);
    expect(back.indexSection).toBe(0);
    const raw = F.indexSectionBytes(bytes, back.indexSection)!;
    expect(raw).toEqual(section());
    const ix = F.decodeIndexSection(raw, back.maxFragmentId!);
    expect(ix).toEqual([
      {
        uuid: '00112233-4455-6677-8899-aabbccddeeff',
        name: 'id_idx',
        fieldIds: [0],
        datasetVersion: 3,
        fragmentIds: Uint32Array.from([0, 1, 7]),
        typeUrl: '/lance.table.BTreeIndexDetails',
        indexVersion: 1,
        createdAtMs: 1_764_000_000_123,
        coveringFieldIds: [],
      },
      { uuid: '00112233-4455-6677-8899-aabbccddeeff', name: 'v_idx', fieldIds: [1], datasetVersion: 3, fragmentIds: Uint32Array.from([1]), typeUrl: '/lance.index.pb.VectorIndexDetails', indexVersion: 1, coveringFieldIds: [] },
    ]);
    // The manifest itself is unchanged by the section in front of it.
    const { indexSection: _, ...rest } = back;
    expect(rest).toEqual(F.decodeManifest(F.encodeManifest(m)));
  });

  it('is absent when none is given', () => {
    const bytes = F.encodeManifest(m);
    expect(F.decodeManifest(bytes).indexSection).toBeUndefined();
    expect(F.indexSectionBytes(bytes, undefined)).toBeUndefined();
  });

  it('refuses positions and lengths outside the file, and damaged entries, as CorruptDataError', () => {
    const bytes = F.encodeManifest(m, { indexSection: section() });
    expect(() => F.indexSectionBytes(bytes, bytes.length - 2)).toThrow(F.CorruptDataError);
    const longer = bytes.slice();
    new DataView(longer.buffer).setUint32(0, bytes.length, true);
    expect(() => F.indexSectionBytes(longer, 0)).toThrow(/runs past/);
    // A fragment id past the manifest's max_fragment_id, and a bad UUID.
    expect(() => F.decodeIndexSection(section(), 6)).toThrow(F.CorruptDataError);
    const badUuid = new ProtoWriter().message(1, new ProtoWriter().message(1, new ProtoWriter().bytesField(1, new Uint8Array(3))).string(3, 'x')).finish();
    expect(() => F.decodeIndexSection(badUuid, 0)).toThrow(/UUID has 16 bytes/);
    // Every truncation of the section fails typed or decodes a prefix; none throws anything else.
    const s = section();
    for (let n = 0; n < s.length; n++) {
      try {
        F.decodeIndexSection(s.subarray(0, n), 7);
      } catch (e) {
        expect(e).toBeInstanceOf(F.CorruptDataError);
      }
    }
  });

  it('lists the fields of fragments and data files it does not model', () => {
    const plain = F.decodeManifest(F.encodeManifest(m));
    expect(plain.fragments[0]!.unknownFields).toBeUndefined();
    expect(plain.fragments[0]!.files[0]!.unknownFields).toBeUndefined();
    // A fragment with LanceDB's created-at version sequence (field 9) and a data file with a field 12.
    const file = new ProtoWriter().string(1, 'a.lance').packedInts(2, [0, 1]).packedInts(3, [0, 1]).uint(4, 2).uint(12, 5);
    const fragment = new ProtoWriter().uint(1, 0).message(2, file).bytesField(9, new Uint8Array([1, 2])).uint(4, 10);
    const body = new ProtoWriter().message(2, fragment).uint(3, 1).finish();
    const bytes = new Uint8Array(4 + body.length + 16);
    const dv = new DataView(bytes.buffer);
    dv.setUint32(0, body.length, true);
    bytes.set(body, 4);
    dv.setUint16(4 + body.length + 10, 2, true);
    bytes.set(new TextEncoder().encode('LANC'), bytes.length - 4);
    const back = F.decodeManifest(bytes);
    expect(back.fragments[0]!.unknownFields).toEqual([9]);
    expect(back.fragments[0]!.files[0]!.unknownFields).toEqual([12]);
    expect(back.fragments[0]!.physicalRows).toBe(10);
  });
});

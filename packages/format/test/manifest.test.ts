import * as F from '@vego/format';

describe('manifest', () => {
  const schema = new F.Schema([new F.Field('id', new F.Int32(), false), new F.Field('l', new F.List(new F.Field('item', new F.Utf8())))]);

  it('round-trips a manifest with fragments, deletion files and timestamps', () => {
    const m = F.manifestForFiles(schema, [{ path: 'a.lance', numRows: 10, byteLength: 1234 }, { path: 'b.lance', numRows: 5, byteLength: 999 }], 3, 1700000000123);
    m.fragments[1]!.deletionFile = { fileType: 'bitmap', readVersion: 2, id: 0xfedcba9876543210n, numDeletedRows: 2 };
    const back = F.decodeManifest(F.encodeManifest(m));
    expect(back).toEqual(m);
    expect(back.fragments[0]!.files[0]!.columnIndices).toEqual([0, 1, 2]);
    expect(back.fields.map((f) => [f.name, f.parentId, f.logicalType])).toEqual([['id', -1, 'int32'], ['l', -1, 'list'], ['item', 1, 'string']]);
  });

  it('ends with the 16-byte trailer pointing at the length prefix', () => {
    const bytes = F.encodeManifest(F.manifestForFiles(schema, []));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    expect(dv.getBigInt64(bytes.length - 16, true)).toBe(0n);
    expect([dv.getUint16(bytes.length - 8, true), dv.getUint16(bytes.length - 6, true)]).toEqual([0, 2]);
    expect(new TextDecoder().decode(bytes.subarray(bytes.length - 4))).toBe('LANC');
    expect(dv.getUint32(0, true)).toBe(bytes.length - 20);
  });

  it('issue 12 item 8: decoding errors are CorruptDataError naming the byte offset in the file, for every bit flip', () => {
    const m = F.manifestForFiles(schema, [{ path: 'a.lance', numRows: 10, byteLength: 1234 }, { path: 'b.lance', numRows: 5, byteLength: 999 }], 3, 1700000000123);
    m.fragments[1]!.deletionFile = { fileType: 'arrow_array', readVersion: 2, id: 77n, numDeletedRows: 2 };
    const bytes = F.encodeManifest(m);
    // The length byte in front of "b.lance" (inside Manifest > fragment[1] > file[0]) made to overrun.
    const at = Buffer.from(bytes).indexOf('b.lance');
    expect(bytes[at - 1]).toBe(7);
    const bad = bytes.slice();
    bad[at - 1] = 0x7f;
    expect(() => F.decodeManifest(bad)).toThrow(new RegExp(`fragment\\[1\\] > file\\[0\\]: field 1 declares 127 bytes at byte ${at} but only \\d+ remain`));
    // Every single-bit flip decodes or throws CorruptDataError (or NotSupported for an unknown kind), nothing else.
    const kinds = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = bytes.slice();
        flipped[i]! ^= 1 << bit;
        try {
          F.decodeManifest(flipped);
        } catch (e) {
          kinds.add(F.isVegoError(e) ? e.code : String(e));
        }
      }
    }
    expect([...kinds].filter((k) => k !== F.ErrorCode.CORRUPT_DATA && k !== F.ErrorCode.NOT_SUPPORTED)).toEqual([]);
  });

  it('names manifest files in both namings', () => {
    expect(F.manifestFileName(1)).toBe('18446744073709551614.manifest');
    expect(F.manifestFileName(7, 'v1')).toBe('7.manifest');
    expect(F.parseManifestFileName('18446744073709551614.manifest')).toBe(1);
    expect(F.parseManifestFileName('12.manifest')).toBe(12);
    expect(F.parseManifestFileName('latest_version_hint.json')).toBeUndefined();
    expect(() => F.manifestFileName(-1)).toThrow(F.InvalidArgumentError);
  });
});
